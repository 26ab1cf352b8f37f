/*
 * ldt.c — modify_ldt and LDT segments, the way code without glibc's help uses them: write
 * descriptors in the new (0x11) and old (1) formats and read the table back (func 0), the
 * errors write_ldt reports, %fs and %gs loaded from an LDT selector reading a buffer through
 * the segment base, accesses past a segment's limit and below an expand-down segment's (SIGSEGV),
 * loads of a not-present descriptor (SIGBUS) and of a selector past the table (SIGSEGV), a far call into a flat 32-bit LDT code segment and the far return out of
 * it, fork (the child has the parent's LDT) and exec (the new image has none).
 *
 *   ldt          everything but exec (qemu-i386 reproduces it all)
 *   ldt limits   the checks up to the segment loads, then the limit checks (qemu-i386 does
 *                not check segment limits, so tests state the SDM's outcome: #GP(0), SIGSEGV)
 *   ldt exec     writes entry 0, then re-executes itself as "ldt afterexec", which finds no
 *                LDT (qemu-user cannot exec an i386 program on a host that does not run them
 *                natively, so tests state the outcome: exec gives the new mm no LDT)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
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

static sigjmp_buf jb;
static void on_signal(int sig) { siglongjmp(jb, sig); }

static uint32_t buf[4] = {0x11111111, 0x22222222, 0x33333333, 0x44444444};

/* Loads sel into %fs and reads the dword at offset off through it; returns the signal number
 * that stopped it (0: none) and the value in *out. */
static int fs_read(unsigned sel, unsigned off, uint32_t *out) {
  int sig = sigsetjmp(jb, 1);
  if (sig != 0) return sig;
  uint32_t v;
  __asm__ volatile("mov %1, %%fs\n\tmov %%fs:(%2), %0\n\tmov %3, %%fs" : "=r"(v) : "r"(sel), "r"(off), "r"(0) : "memory");
  *out = v;
  return 0;
}

static int gs_write_read(unsigned sel, unsigned off, uint32_t val, uint32_t *out) {
  int sig = sigsetjmp(jb, 1);
  if (sig != 0) return sig;
  unsigned old;
  __asm__ volatile("mov %%gs, %0" : "=r"(old));
  uint32_t v;
  __asm__ volatile("mov %1, %%gs\n\tmovl %3, %%gs:(%2)\n\tmov %%gs:(%2), %0\n\tmov %4, %%gs"
                   : "=&r"(v) : "r"(sel), "r"(off), "r"(val), "r"(old) : "memory");
  *out = v;
  return 0;
}

/* far_inc: eax + 1, returned with a far return; reached with lcall through the LDT. */
extern char far_inc[];
__asm__(".text\nfar_inc:\n\tinc %eax\n\tlret\n");

static int far_call(unsigned sel, int x, int *out) {
  int sig = sigsetjmp(jb, 1);
  if (sig != 0) return sig;
  struct { uint32_t off; uint16_t sel; } __attribute__((packed)) fp = {(uint32_t)far_inc, (uint16_t)sel};
  int r;
  __asm__ volatile("lcall *%1" : "=a"(r) : "m"(fp), "0"(x) : "memory");
  *out = r;
  return 0;
}

static void after_exec(void) {
  uint32_t t[2] = {1, 1};
  printf("exec: read %ld\n", modify_ldt(0, t, sizeof t));
  uint32_t v = 0;
  int sig = fs_read(0x7, 0, &v);
  printf("exec: load 0x7 -> %s\n", sig == SIGSEGV ? "SIGSEGV" : sig == 0 ? "loaded" : "other");
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sa.sa_flags = SA_NODEFER;
  sigaction(SIGSEGV, &sa, NULL);
  sigaction(SIGBUS, &sa, NULL);
  if (argc > 1 && strcmp(argv[1], "afterexec") == 0) {
    after_exec();
    return 0;
  }
  int do_exec = argc > 1 && strcmp(argv[1], "exec") == 0;
  int do_limits = argc > 1 && strcmp(argv[1], "limits") == 0;

  uint32_t t[2] = {7, 7};
  printf("no LDT: read %ld, %08x %08x\n", modify_ldt(0, t, sizeof t), t[0], t[1]);

  struct udesc d;
  memset(&d, 0, sizeof d);
  d.entry_number = 0;
  d.base_addr = (unsigned)buf;
  d.limit = 0xfff;
  d.seg_32bit = 1;
  printf("write 0x11 entry 0: %ld\n", modify_ldt(0x11, &d, sizeof d));
  /* A not-present data segment at entry 1, in the new format. */
  struct udesc np = d;
  np.entry_number = 1;
  np.seg_not_present = 1;
  printf("write 0x11 entry 1 not present: %ld\n", modify_ldt(0x11, &np, sizeof np));
  /* A flat 32-bit code segment at entry 2, in the old format. */
  struct udesc code;
  memset(&code, 0, sizeof code);
  code.entry_number = 2;
  code.limit = 0xfffff;
  code.limit_in_pages = 1;
  code.seg_32bit = 1;
  code.contents = 2;
  code.read_exec_only = 1;
  code.useable = 1; /* the old format clears AVL */
  printf("write 1 entry 2 code: %ld\n", modify_ldt(1, &code, sizeof code));

  uint32_t tab[6];
  long n = modify_ldt(0, tab, sizeof tab);
  printf("read back %ld: entry 0 base ok %d limit %x type %x dpl %u p %u d %u g %u\n", n,
         ((tab[0] >> 16) | ((tab[1] & 0xff) << 16) | (tab[1] & 0xff000000)) == (uint32_t)buf,
         (tab[0] & 0xffff) | (tab[1] & 0xf0000), (tab[1] >> 8) & 0xe, (tab[1] >> 13) & 3,
         (tab[1] >> 15) & 1, (tab[1] >> 22) & 1, (tab[1] >> 23) & 1);
  printf("entry 1 p %u, entry 2 %08x %08x\n", (tab[3] >> 15) & 1, tab[4], tab[5] & ~0x100u);
  long big = modify_ldt(0, tab, 2);
  printf("read 2 bytes: %ld\n", big);

  /* write_ldt's errors. */
  printf("bytecount 15: %ld\n", modify_ldt(0x11, &d, 15));
  struct udesc bad = d;
  bad.entry_number = 8192;
  printf("entry 8192: %ld\n", modify_ldt(0x11, &bad, sizeof bad));
  bad = d;
  bad.contents = 3;
  printf("contents 3 present: %ld\n", modify_ldt(0x11, &bad, sizeof bad));
  printf("func 7: %ld\n", modify_ldt(7, &d, sizeof d));
  printf("bad pointer: %ld\n", modify_ldt(0x11, (void *)16, sizeof d));

  uint32_t v = 0;
  int sig = fs_read(0x7, 4, &v);
  printf("fs=0x7 [4]: sig %d value %08x\n", sig, v);
  sig = fs_read(0x7, 12, &v);
  printf("fs=0x7 [12]: sig %d value %08x\n", sig, v);
  sig = gs_write_read(0x7, 8, 0xcafef00d, &v);
  printf("gs=0x7 write [8]: sig %d value %08x buf[2] %08x\n", sig, v, buf[2]);
  sig = fs_read(0xf, 0, &v);
  printf("fs=0xf (not present): %s\n", sig == SIGBUS ? "SIGBUS" : sig == SIGSEGV ? "SIGSEGV" : "no signal");
  sig = fs_read(0x2f, 0, &v);
  printf("fs=0x2f (past the table): %s\n", sig == SIGSEGV ? "SIGSEGV" : sig == SIGBUS ? "SIGBUS" : "no signal");
  if (!do_limits) goto far;
  /* Limits: a 16-byte segment over buf (entry 3), an expand-down one whose valid offsets
   * 0x1000.. start at buf (entry 4). */
  struct udesc lim = d;
  lim.entry_number = 3;
  lim.limit = 15;
  printf("write 0x11 entry 3 limit 15: %ld\n", modify_ldt(0x11, &lim, sizeof lim));
  struct udesc down = d;
  down.entry_number = 4;
  down.base_addr = (unsigned)buf - 0x1000;
  down.limit = 0xfff;
  down.contents = 1;
  printf("write 0x11 entry 4 expand-down: %ld\n", modify_ldt(0x11, &down, sizeof down));
  sig = fs_read(0x1f, 12, &v);
  printf("fs=0x1f [12]: sig %d value %08x\n", sig, v);
  sig = fs_read(0x1f, 16, &v);
  printf("fs=0x1f [16] (past the limit): %s\n", sig == SIGSEGV ? "SIGSEGV" : sig == SIGBUS ? "SIGBUS" : "no signal");
  sig = fs_read(0x1f, 0xfffffffc, &v);
  printf("fs=0x1f [-4] (past the limit): %s\n", sig == SIGSEGV ? "SIGSEGV" : sig == SIGBUS ? "SIGBUS" : "no signal");
  sig = fs_read(0x27, 0x1004, &v);
  printf("fs=0x27 [0x1004]: sig %d value %08x\n", sig, v);
  sig = fs_read(0x27, 0xffc, &v);
  printf("fs=0x27 [0xffc] (below an expand-down limit): %s\n", sig == SIGSEGV ? "SIGSEGV" : sig == SIGBUS ? "SIGBUS" : "no signal");
  sig = fs_read(0x27, 0xfffffffc, &v);
  printf("fs=0x27 [-4]: sig %d\n", sig);
  return 0;

far:;

  int r = 0;
  sig = far_call(0x17, 41, &r);
  printf("lcall 0x17: sig %d result %d\n", sig, r);
  sig = far_call(0xf, 41, &r);
  printf("lcall 0xf (data): %s\n", sig == SIGSEGV ? "SIGSEGV" : sig == SIGBUS ? "SIGBUS" : "no signal");

  pid_t pid = fork();
  if (pid == 0) {
    uint32_t cv = 0;
    int cs = fs_read(0x7, 0, &cv);
    printf("child: fs=0x7 [0]: sig %d value %08x\n", cs, cv);
    _exit(0);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  printf("child exited %d\n", WEXITSTATUS(status));

  if (!do_exec) return 0;
  char *args[] = {argv[0], "afterexec", NULL};
  execv(argv[0], args);
  perror("execv");
  return 1;
}
