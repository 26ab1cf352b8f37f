/*
 * ldt16.c — 16-bit code segments from modify_ldt: a 16-bit code descriptor based at the
 * routines below (assembled with .code16, so their offsets are from the label seg16) is called
 * with lcall and left with a 32-bit lret (66 CB). Inside, 16-bit arithmetic, PUSH/POP, a near
 * CALL/RET, LOOP on CX, JCXZ and a rel16 JMP, 16-bit addressing through %fs (an LDT data
 * segment over buf), a read through %cs (the code segment's base), and an int3 whose SIGTRAP
 * handler sees the 16-bit CS:IP in its sigcontext, runs in the flat code segment, and returns
 * into the 16-bit segment through sigreturn.
 *
 *   ldt16          all of the above (qemu-i386 runs it; tests compare with it)
 *   ldt16 limits   the checks qemu-i386 leaves out (tests state the SDM's outcome, #GP(0),
 *                  which Linux delivers as SIGSEGV): a fetch past a 16-bit code segment's limit,
 *                  a dword read straddling a data segment's limit, a write through a read-only
 *                  data segment, a read through an execute-only code segment
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/ucontext.h>
#include <unistd.h>

struct udesc {
  unsigned int entry_number, base_addr, limit;
  unsigned int seg_32bit : 1, contents : 2, read_exec_only : 1, limit_in_pages : 1,
      seg_not_present : 1, useable : 1;
};

static long modify_ldt(int func, void *ptr, unsigned long bytecount) {
  long r = syscall(SYS_modify_ldt, func, ptr, bytecount);
  return r < 0 ? -errno : r;
}

extern char seg16[], arith16[], mem16[], jumps16[], csread16[], trap16[], trap16_after[], limit16[];
__asm__(".text\n"
        ".balign 16\n"
        "seg16:\n"
        ".code16\n"
        /* in: ax, bx. ax += bx; push ax; call double16 (ax *= 2, si = sp); pop dx; bx += 5 by LOOP */
        "arith16:\n"
        "\taddw %bx, %ax\n"
        "\tpushw %ax\n"
        "\tcall double16\n"
        "\tpopw %dx\n"
        "\tmovw $5, %cx\n"
        "1:\tincw %bx\n"
        "\tloop 1b\n"
        "\tlretl\n"
        "double16:\n"
        "\tmovw %sp, %si\n"
        "\tshlw $1, %ax\n"
        "\tret\n"
        /* in: fs, bx, si. eax = dword at fs:bx+si+4 (0x66), dx = word at fs:bx+si (16-bit addressing) */
        "mem16:\n"
        "\tmovl %fs:4(%bx,%si), %eax\n"
        "\tmovw %fs:(%bx,%si), %dx\n"
        "\tlretl\n"
        /* in: cx. ax = (cx != 0) + (cx == 3 ? 0x10 : 0) + 0x100, through JCXZ, Jcc and a rel16 JMP */
        "jumps16:\n"
        "\txorw %ax, %ax\n"
        "\tjcxz 2f\n"
        "\tmovw $1, %ax\n"
        "2:\tcmpw $3, %cx\n"
        "\tjne 3f\n"
        "\taddw $0x10, %ax\n"
        "3:\tjmp 4f\n"
        "\t.fill 300, 1, 0xcc\n"
        "4:\taddw $0x100, %ax\n"
        "\tlretl\n"
        /* in: bx. ax = the word at cs:bx (the segment's own bytes) */
        "csread16:\n"
        "\tmovw %cs:(%bx), %ax\n"
        "\tlretl\n"
        /* int3 (SIGTRAP; its handler returns here), then a 16-bit mov that 32-bit decoding would misread */
        "trap16:\n"
        "\tmovw $1, %ax\n"
        "\tint3\n"
        "trap16_after:\n"
        "\tmovw $0x5678, %ax\n"
        "\tlretl\n"
        /* four incs; a segment whose limit ends after the third faults at the fourth */
        "limit16:\n"
        "\tincw %ax\n"
        "\tincw %ax\n"
        "\tincw %ax\n"
        "\tincw %ax\n"
        "\tlretl\n"
        ".code32\n");

#define OFF(label) ((unsigned)((label) - seg16))

static sigjmp_buf jb;
static volatile unsigned sig_cs, sig_ip, handler_cs_flat;
static unsigned main_cs;

static void on_signal(int sig, siginfo_t *si, void *ucv) {
  (void)si;
  ucontext_t *uc = ucv;
  sig_cs = uc->uc_mcontext.gregs[REG_CS] & 0xffff;
  sig_ip = uc->uc_mcontext.gregs[REG_EIP];
  unsigned cs;
  __asm__ volatile("mov %%cs, %0" : "=r"(cs));
  handler_cs_flat = cs == main_cs;
  if (sig != SIGTRAP) siglongjmp(jb, sig);
}

struct regs { uint32_t a, b, c, d, s; };

/* lcall sel:off with the registers in r (and %fs = fs); returns the signal that stopped it, 0 if none. */
static int call16(unsigned sel, unsigned off, unsigned fs, struct regs *r) {
  int sig = sigsetjmp(jb, 1);
  if (sig != 0) return sig;
  struct { uint32_t off; uint16_t sel; } __attribute__((packed)) fp = {off, (uint16_t)sel};
  uint32_t a = r->a, b = r->b, c = r->c, d = r->d, s = r->s;
  __asm__ volatile("mov %6, %%fs\n\tlcall *%5\n\tmov %7, %%fs"
                   : "+a"(a), "+b"(b), "+c"(c), "+d"(d), "+S"(s)
                   : "m"(fp), "r"(fs), "r"(0)
                   : "memory", "cc");
  r->a = a; r->b = b; r->c = c; r->d = d; r->s = s;
  return 0;
}

static const char *signame(int sig) {
  return sig == SIGSEGV ? "SIGSEGV" : sig == SIGBUS ? "SIGBUS" : sig == 0 ? "none" : "other";
}

static uint32_t buf[8] = {0x11111111, 0x22222222, 0x33333333, 0x44444444, 0x55555555, 0x66666666, 0x77777777, 0x88888888};

static long write_entry(unsigned entry, unsigned base, unsigned limit, int bits32, int contents, int ro) {
  struct udesc d;
  memset(&d, 0, sizeof d);
  d.entry_number = entry;
  d.base_addr = base;
  d.limit = limit;
  d.seg_32bit = bits32;
  d.contents = contents;
  d.read_exec_only = ro;
  d.useable = 1;
  return modify_ldt(0x11, &d, sizeof d);
}

static void limits(void) {
  /* 0x0f: 16-bit code over seg16 whose limit ends after limit16's third inc. */
  printf("write entry 1: %ld\n", write_entry(1, (unsigned)seg16, OFF(limit16) + 2, 0, 2, 0));
  struct regs r = {0, 0, 0, 0, 0};
  int sig = call16(0x0f, OFF(limit16), 0, &r);
  printf("fetch past the limit: %s at cs 0x%x ip +%u, flat handler %u\n", signame(sig), sig_cs,
         sig_ip - OFF(limit16), handler_cs_flat);
  /* 0x17: 16 bytes of data over buf; the dword at 13 straddles the limit. */
  printf("write entry 2: %ld\n", write_entry(2, (unsigned)buf, 15, 1, 0, 0));
  struct regs m = {0, 8, 0, 0, 0};
  sig = call16(0x07, OFF(mem16), 0x17, &m);
  printf("dword at 12: %s eax %08x\n", signame(sig), m.a);
  struct regs m2 = {0, 8, 0, 0, 1};
  sig = call16(0x07, OFF(mem16), 0x17, &m2);
  printf("dword at 13: %s\n", signame(sig));
  /* 0x1f: read-only data over buf. */
  printf("write entry 3: %ld\n", write_entry(3, (unsigned)buf, 0xfff, 1, 0, 1));
  sig = sigsetjmp(jb, 1);
  if (sig == 0) {
    uint32_t v;
    __asm__ volatile("mov %1, %%fs\n\tmov %%fs:4, %0\n\tmov %2, %%fs" : "=&r"(v) : "r"(0x1f), "r"(0) : "memory");
    printf("read-only read: %08x\n", v);
    __asm__ volatile("mov %0, %%fs\n\tmovl $0, %%fs:4\n\tmov %1, %%fs" : : "r"(0x1f), "r"(0) : "memory");
  }
  __asm__ volatile("mov %0, %%fs" : : "r"(0));
  printf("read-only write: %s, buf[1] %08x\n", signame(sig), buf[1]);
  /* 0x27: execute-only 16-bit code over seg16: csread16 runs but its %cs read faults. */
  printf("write entry 4: %ld\n", write_entry(4, (unsigned)seg16, 0xffff, 0, 2, 1));
  struct regs x = {0, 0, 0, 0, 0};
  sig = call16(0x27, OFF(csread16), 0, &x);
  printf("execute-only cs read: %s at ip +%u\n", signame(sig), sig_ip - OFF(csread16));
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  __asm__ volatile("mov %%cs, %0" : "=r"(main_cs));
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_signal;
  sa.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigaction(SIGSEGV, &sa, NULL);
  sigaction(SIGBUS, &sa, NULL);
  sigaction(SIGTRAP, &sa, NULL);

  /* 0x07: readable 16-bit code based at seg16, 64 KiB; 0x0f... (limits) */
  printf("write entry 0: %ld\n", write_entry(0, (unsigned)seg16, 0xffff, 0, 2, 0));
  if (argc > 1 && strcmp(argv[1], "limits") == 0) {
    limits();
    return 0;
  }
  /* 0x17: 32-byte data segment over buf, for %fs. */
  printf("write entry 2: %ld\n", write_entry(2, (unsigned)buf, 31, 1, 0, 0));

  struct regs r = {0xaaaa0100, 0xbbbb0023, 0xcccc0000, 0xdddd0000, 0xeeee0000};
  unsigned sp;
  __asm__ volatile("mov %%esp, %0" : "=r"(sp));
  int sig = call16(0x07, OFF(arith16), 0, &r);
  printf("arith16: %s eax %08x ebx %08x ecx %08x edx %08x", signame(sig), r.a, r.b, r.c, r.d);
  /* SP in double16: below the far return (8), the pushed AX (2) and the near return (2); the
   * C frame around the lcall moves ESP by a compiler-chosen amount, so print the parity only. */
  printf(" esi-high %04x sp-even %u\n", r.s >> 16, (r.s & 1) == (sp & 1));

  struct regs m = {0, 4, 0, 0, 2};
  sig = call16(0x07, OFF(mem16), 0x17, &m);
  printf("mem16: %s eax %08x dx %04x\n", signame(sig), m.a, m.d & 0xffff);

  for (unsigned cx = 0; cx < 4; cx++) {
    struct regs j = {0, 0, cx, 0, 0};
    sig = call16(0x07, OFF(jumps16), 0, &j);
    printf("jumps16 cx=%u: %s ax %04x\n", cx, signame(sig), j.a & 0xffff);
  }

  struct regs c = {0, OFF(trap16), 0, 0, 0};
  sig = call16(0x07, OFF(csread16), 0, &c);
  printf("csread16: %s ax %04x (bytes %02x %02x)\n", signame(sig), c.a & 0xffff,
         (unsigned char)trap16[0], (unsigned char)trap16[1]);

  struct regs t = {0, 0, 0, 0, 0};
  sig = call16(0x07, OFF(trap16), 0, &t);
  printf("trap16: %s ax %04x; SIGTRAP at cs 0x%x ip +%u, handler in the flat cs %u\n", signame(sig),
         t.a & 0xffff, sig_cs, sig_ip - OFF(trap16_after), handler_cs_flat);
  return 0;
}
