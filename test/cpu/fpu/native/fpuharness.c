/*
 * Native x87 harness for the FPU differential tests. Built with gcc -m32 where the host runs
 * i386 code; where it cannot (fpuHarness.ts: x86-64 replay) the same source builds as a 64-bit
 * program that runs the same instruction bytes in 64-bit mode. The cases address memory only
 * through [esi]/[esi+disp], which in 64-bit mode is [rsi]/[rsi+disp] with RSI holding the same
 * zero-extended DATA_ADDR, so the bytes do the same thing in both.
 *
 * Reads one test case per line on stdin:
 *   <fsave-in hex (108 bytes)> <mem hex (any length, <= 4096 bytes)> <eax hex> <eflags hex> <code hex>
 * Loads the FPU state with FRSTOR, puts the memory bytes at DATA_ADDR (ESI points there), the
 * code at CODE_ADDR followed by a RET, sets EAX and EFLAGS and calls the code. Then FNSAVE (a
 * non-waiting store, so a pending unmasked exception does not trap) and prints one line:
 *   <fsave-out hex> <mem hex> <eax hex> <eflags hex> <OK|FPE|ILL|SEGV>
 * On SIGFPE/SIGILL/SIGSEGV the FPU state comes from the signal frame (in the 64-bit build
 * converted from its FXSAVE image to the FNSAVE layout, as the kernel does for i386 frames).
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <ucontext.h>

#define CODE_ADDR 0x20000000u
#define DATA_ADDR 0x20010000u
#define DATA_MAX 4096

struct tcase {
  uint8_t fin[108];   /* 0 */
  uint8_t fout[108];  /* 108 */
  uint32_t eax_in;    /* 216 */
  uint32_t efl_in;    /* 220 */
  uint32_t eax_out;   /* 224 */
  uint32_t efl_out;   /* 228 */
};

uint32_t mxcsr_init = 0x1f80;
void run_case(struct tcase *t);
#if defined(__x86_64__)
/*
 * 64-bit mode: no PUSHAD, so the callee-saved registers are saved by hand. FRSTOR/FNSAVE
 * without REX.W use the 108-byte 32-bit protected-mode image. XMM8-15 exist here too and
 * start from zero like the rest.
 */
uint64_t saved_rbp;
__asm__(
    ".text\n"
    ".globl run_case\n"
    "run_case:\n"
    "  pushq %rbp\n  pushq %rbx\n  pushq %r12\n  pushq %r13\n  pushq %r14\n  pushq %r15\n"
    "  movq %rdi, %rbp\n"
    "  movq %rbp, saved_rbp(%rip)\n"
    "  frstor 0(%rbp)\n"
    "  pxor %xmm0, %xmm0\n  pxor %xmm1, %xmm1\n  pxor %xmm2, %xmm2\n  pxor %xmm3, %xmm3\n"
    "  pxor %xmm4, %xmm4\n  pxor %xmm5, %xmm5\n  pxor %xmm6, %xmm6\n  pxor %xmm7, %xmm7\n"
    "  pxor %xmm8, %xmm8\n  pxor %xmm9, %xmm9\n  pxor %xmm10, %xmm10\n  pxor %xmm11, %xmm11\n"
    "  pxor %xmm12, %xmm12\n  pxor %xmm13, %xmm13\n  pxor %xmm14, %xmm14\n  pxor %xmm15, %xmm15\n"
    "  ldmxcsr mxcsr_init(%rip)\n"
    "  movl $0x20010000, %esi\n"
    "  movl $0x20000000, %ecx\n"
    "  movl 220(%rbp), %eax\n"
    "  pushq %rax\n"
    "  movl 216(%rbp), %eax\n"
    "  popfq\n"
    "  call *%rcx\n"
    "  movq saved_rbp(%rip), %rbp\n"
    "  fnsave 108(%rbp)\n"
    "  movl %eax, 224(%rbp)\n"
    "  pushfq\n  popq %rax\n  movl %eax, 228(%rbp)\n"
    "  popq %r15\n  popq %r14\n  popq %r13\n  popq %r12\n  popq %rbx\n  popq %rbp\n"
    "  ret\n");
#else
uint32_t saved_ebp;
__asm__(
    ".text\n"
    ".globl run_case\n"
    "run_case:\n"
    "  pushl %ebp\n  pushl %ebx\n  pushl %esi\n  pushl %edi\n"
    "  movl 20(%esp), %ebp\n"
    "  movl %ebp, saved_ebp\n"
    "  frstor 0(%ebp)\n"
    /* XMM registers and MXCSR start from a known state (libc's memcpy leaves data in them). */
    "  pxor %xmm0, %xmm0\n  pxor %xmm1, %xmm1\n  pxor %xmm2, %xmm2\n  pxor %xmm3, %xmm3\n"
    "  pxor %xmm4, %xmm4\n  pxor %xmm5, %xmm5\n  pxor %xmm6, %xmm6\n  pxor %xmm7, %xmm7\n"
    "  ldmxcsr mxcsr_init\n"
    "  movl $0x20010000, %esi\n"
    "  movl $0x20000000, %ecx\n"
    "  pushl 220(%ebp)\n"
    "  movl 216(%ebp), %eax\n"
    "  popfl\n"
    "  call *%ecx\n"
    "  movl saved_ebp, %ebp\n"
    "  fnsave 108(%ebp)\n"
    "  movl %eax, 224(%ebp)\n"
    "  pushfl\n  popl 228(%ebp)\n"
    "  popl %edi\n  popl %esi\n  popl %ebx\n  popl %ebp\n"
    "  ret\n");
#endif

static sigjmp_buf jb;
static struct tcase tc;
static volatile int sigcaught;

#if defined(__x86_64__)
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

/*
 * The 64-bit frame holds an FXSAVE64 image; this builds the FNSAVE image from it the way the
 * kernel's convert_from_fxsr() builds an i386 frame's: full tag word from the abridged one and
 * the register contents, FCS from the interrupted CS, FDS from DS, no FOP.
 */
static void fsave_from_fxsave(uint8_t *out, const struct _libc_fpstate *fx, uint32_t cs) {
  int top = (fx->swd >> 11) & 7;
  uint32_t tw = 0;
  for (int i = 0; i < 8; i++) {
    const uint16_t *r = (const uint16_t *)&fx->_st[(i - top) & 7];
    uint32_t tag = 3;
    if (fx->ftw & (1 << i)) {
      uint16_t exp = r[4] & 0x7fff;
      if (exp == 0x7fff) tag = 2;
      else if (exp == 0) tag = (r[0] | r[1] | r[2] | r[3]) ? 2 : 1;
      else tag = (r[3] & 0x8000) ? 0 : 2;
    }
    tw |= tag << (2 * i);
  }
  put32(out, fx->cwd | 0xffff0000u);
  put32(out + 4, fx->swd | 0xffff0000u);
  put32(out + 8, tw | 0xffff0000u);
  put32(out + 12, (uint32_t)fx->rip);
  put32(out + 16, cs & 0xffff);
  put32(out + 20, (uint32_t)fx->rdp);
  put32(out + 24, 0xffff0000u);
  for (int i = 0; i < 8; i++) memcpy(out + 28 + 10 * i, &fx->_st[i], 10);
}
#endif

static void handler(int sig, siginfo_t *si, void *ctx) {
  (void)si;
  ucontext_t *uc = ctx;
#if defined(__x86_64__)
  if (uc->uc_mcontext.fpregs) fsave_from_fxsave(tc.fout, uc->uc_mcontext.fpregs, (uint32_t)uc->uc_mcontext.gregs[REG_CSGSFS]);
  tc.eax_out = (uint32_t)uc->uc_mcontext.gregs[REG_RAX];
  tc.efl_out = (uint32_t)uc->uc_mcontext.gregs[REG_EFL];
#else
  if (uc->uc_mcontext.fpregs) memcpy(tc.fout, uc->uc_mcontext.fpregs, 108);
  tc.eax_out = uc->uc_mcontext.gregs[REG_EAX];
  tc.efl_out = uc->uc_mcontext.gregs[REG_EFL];
#endif
  sigcaught = sig;
  siglongjmp(jb, 1);
}

static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Parses hex at *p into out (at most max bytes); returns byte count, advances *p past a space. */
static int parsehex(char **p, uint8_t *out, int max) {
  char *s = *p;
  int n = 0;
  while (*s == ' ') s++;
  while (hexval(s[0]) >= 0 && hexval(s[1]) >= 0 && n < max) {
    out[n++] = (uint8_t)(hexval(s[0]) * 16 + hexval(s[1]));
    s += 2;
  }
  if (*s == '-') s++; /* "-" stands for an empty field */
  *p = s;
  return n;
}

static void puthex(const uint8_t *b, int n) {
  static const char *h = "0123456789abcdef";
  for (int i = 0; i < n; i++) {
    putchar(h[b[i] >> 4]);
    putchar(h[b[i] & 15]);
  }
  if (n == 0) putchar('-');
}

static long context_switches(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_nvcsw + ru.ru_nivcsw;
}

int main(void) {
  uint8_t *code = mmap((void *)CODE_ADDR, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  uint8_t *data = mmap((void *)DATA_ADDR, 8192, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
  if (code == MAP_FAILED || data == MAP_FAILED) {
    perror("mmap");
    return 1;
  }
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = handler;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigaction(SIGFPE, &sa, 0);
  sigaction(SIGILL, &sa, 0);
  sigaction(SIGSEGV, &sa, 0);
  static char line[65536];
  static uint8_t buf[DATA_MAX];
  while (fgets(line, sizeof line, stdin)) {
    char *p = line;
    uint8_t w[4];
    if (line[0] == '\n' || line[0] == 0) continue;
    memset(&tc, 0, sizeof tc);
    parsehex(&p, tc.fin, 108);
    int memlen = parsehex(&p, buf, DATA_MAX);
    parsehex(&p, w, 4);
    tc.eax_in = (uint32_t)w[0] << 24 | w[1] << 16 | w[2] << 8 | w[3];
    parsehex(&p, w, 4);
    tc.efl_in = ((uint32_t)w[0] << 24 | w[1] << 16 | w[2] << 8 | w[3]) & 0x8d5;
    tc.efl_in |= 0x202;
    int codelen = parsehex(&p, code, 4000);
    code[codelen] = 0xc3;
    const char *status = "OK";
    /* A context switch during the case saves and restores the x87 state through the kernel,
     * which on AMD loses FIP/FDP/FOP unless an exception is pending: such a run is repeated. */
    for (int attempt = 0; attempt < 8; attempt++) {
      long switches = context_switches();
      memset(data, 0, 8192);
      memcpy(data, buf, memlen);
      status = "OK";
      sigcaught = 0;
      if (sigsetjmp(jb, 1) == 0) {
        run_case(&tc);
      } else {
        status = sigcaught == SIGFPE ? "FPE" : sigcaught == SIGILL ? "ILL" : "SEGV";
      }
      if (context_switches() == switches) break;
    }
    puthex(tc.fout, 108);
    putchar(' ');
    puthex(data, memlen);
    printf(" %08x %08x %s\n", tc.eax_out, tc.efl_out & 0x8d5, status);
  }
  return 0;
}
