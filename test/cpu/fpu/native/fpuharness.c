/*
 * Native x87 harness for the FPU differential tests (built with gcc -m32).
 *
 * Reads one test case per line on stdin:
 *   <fsave-in hex (108 bytes)> <mem hex (any length, <= 4096 bytes)> <eax hex> <eflags hex> <code hex>
 * Loads the FPU state with FRSTOR, puts the memory bytes at DATA_ADDR (ESI points there), the
 * code at CODE_ADDR followed by a RET, sets EAX and EFLAGS and calls the code. Then FNSAVE (a
 * non-waiting store, so a pending unmasked exception does not trap) and prints one line:
 *   <fsave-out hex> <mem hex> <eax hex> <eflags hex> <OK|FPE|ILL|SEGV>
 * On SIGFPE/SIGILL/SIGSEGV the FPU state comes from the signal frame.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
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

uint32_t saved_ebp;
uint32_t mxcsr_init = 0x1f80;
void run_case(struct tcase *t);
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

static sigjmp_buf jb;
static struct tcase tc;
static volatile int sigcaught;

static void handler(int sig, siginfo_t *si, void *ctx) {
  (void)si;
  ucontext_t *uc = ctx;
  if (uc->uc_mcontext.fpregs) memcpy(tc.fout, uc->uc_mcontext.fpregs, 108);
  tc.eax_out = uc->uc_mcontext.gregs[REG_EAX];
  tc.efl_out = uc->uc_mcontext.gregs[REG_EFL];
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
    memset(data, 0, 8192);
    memcpy(data, buf, memlen);
    parsehex(&p, w, 4);
    tc.eax_in = (uint32_t)w[0] << 24 | w[1] << 16 | w[2] << 8 | w[3];
    parsehex(&p, w, 4);
    tc.efl_in = ((uint32_t)w[0] << 24 | w[1] << 16 | w[2] << 8 | w[3]) & 0x8d5;
    tc.efl_in |= 0x202;
    int codelen = parsehex(&p, code, 4000);
    code[codelen] = 0xc3;
    const char *status = "OK";
    sigcaught = 0;
    if (sigsetjmp(jb, 1) == 0) {
      run_case(&tc);
    } else {
      status = sigcaught == SIGFPE ? "FPE" : sigcaught == SIGILL ? "ILL" : "SEGV";
    }
    puthex(tc.fout, 108);
    putchar(' ');
    puthex(data, memlen);
    printf(" %08x %08x %s\n", tc.eax_out, tc.efl_out & 0x8d5, status);
  }
  return 0;
}
