// Memory-manager calls beyond plain mmap, one check per argument: shared anonymous memory and
// MAP_SHARED /dev/zero across fork (pages first touched after the fork included), madvise
// (DONTNEED, FREE, REMOVE, DONTFORK, WIPEONFORK, flag advice and its errors), mincore, the
// mlock family (and, in mlock_limit, RLIMIT_MEMLOCK for an unprivileged caller), MAP_POPULATE, MAP_NORESERVE,
// MAP_FIXED_NOREPLACE, MAP_SHARED_VALIDATE, POSIX shared memory under /dev/shm, and
// "overcommit MIB" (malloc of MIB MiB, untouched). Prints only host-independent facts.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif
#ifndef MADV_WIPEONFORK
#define MADV_WIPEONFORK 18
#define MADV_KEEPONFORK 19
#endif
#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 1
#endif

static const char *err(long r) {
  if (r >= 0) return "ok";
  switch (errno) {
    case EINVAL: return "EINVAL";
    case ENOMEM: return "ENOMEM";
    case EFAULT: return "EFAULT";
    case EPERM: return "EPERM";
    case EACCES: return "EACCES";
    case EEXIST: return "EEXIST";
    case EAGAIN: return "EAGAIN";
    case ENOENT: return "ENOENT";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    default: return strerror(errno);
  }
}

static const char *merr(void *p) {
  return p == MAP_FAILED ? err(-1) : "ok";
}

static void *map(size_t len, int prot, int flags) {
  return mmap(NULL, len, prot, flags, -1, 0);
}

/** The mincore vector of n pages at p as a string of 0/1. */
static const char *resident(void *p, int n) {
  static char out[64];
  unsigned char vec[64];
  if (mincore(p, (size_t)n * PG, vec) != 0) return err(-1);
  for (int i = 0; i < n; i++) out[i] = (vec[i] & 1) ? '1' : '0';
  out[n] = 0;
  return out;
}

static int wait_child(pid_t pid) {
  int st;
  waitpid(pid, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static sigjmp_buf jb;
static void on_signal(int sig) {
  siglongjmp(jb, sig);
}

/** Reads the byte at p: its value, or the signal the access raised. */
static void probe(const char *what, volatile char *p) {
  signal(SIGBUS, on_signal);
  signal(SIGSEGV, on_signal);
  int sig = sigsetjmp(jb, 1);
  if (sig == 0) printf("%s: %d\n", what, *p);
  else printf("%s: %s\n", what, sig == SIGBUS ? "SIGBUS" : "SIGSEGV");
  signal(SIGBUS, SIG_DFL);
  signal(SIGSEGV, SIG_DFL);
}

/** Parent and child share area p (n pages): each writes pages the other then reads. */
static void share_across_fork(const char *what, char *p) {
  int go[2], back[2];
  char c;
  if (pipe(go) || pipe(back)) return;
  strcpy(p, "touched before fork");
  pid_t pid = fork();
  if (pid == 0) {
    strcpy(p + PG, "child wrote page 1");      // first touched after the fork
    if (write(back[1], "x", 1) != 1) _exit(2);
    if (read(go[0], &c, 1) != 1) _exit(2);
    printf("%s: child reads page 2: %s\n", what, p + 2 * PG);
    printf("%s: child reads page 0: %s\n", what, p);
    fflush(stdout);
    _exit(0);
  }
  if (read(back[0], &c, 1) != 1) return;
  printf("%s: parent reads page 1: %s\n", what, p + PG);
  strcpy(p + 2 * PG, "parent wrote page 2");   // also first touched after the fork
  strcpy(p, "parent rewrote page 0");
  fflush(stdout);
  if (write(go[1], "x", 1) != 1) return;
  printf("%s: child exit %d\n", what, wait_child(pid));
}

static void check_shared(void) {
  char *p = map(3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS);
  share_across_fork("MAP_SHARED|MAP_ANONYMOUS", p);
  int fd = open("/dev/zero", O_RDWR);
  char *z = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  printf("mmap MAP_SHARED /dev/zero: %s\n", merr(z));
  if (z != MAP_FAILED) share_across_fork("MAP_SHARED /dev/zero", z);
  char *zp = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  printf("mmap MAP_PRIVATE /dev/zero: %s, reads %d\n", merr(zp), zp == MAP_FAILED ? -1 : zp[100]);
  close(fd);
  fd = open("/dev/zero", O_RDONLY);
  printf("mmap MAP_SHARED PROT_WRITE of /dev/zero opened read-only: %s\n",
    merr(mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)));
  printf("mmap MAP_PRIVATE PROT_WRITE of /dev/zero opened read-only: %s\n",
    merr(mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0)));
  close(fd);
  // Private anonymous memory is copy-on-write: the child's store stays in the child.
  char *q = map(PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
  strcpy(q, "parent");
  pid_t pid = fork();
  if (pid == 0) {
    strcpy(q, "child");
    _exit(0);
  }
  wait_child(pid);
  printf("MAP_PRIVATE after the child's store: %s\n", q);
  // mremap of a shared area keeps it shared (moved, the pages go along).
  char *dst = map(8 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS);
  char *m = mremap(p, 3 * PG, 3 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, dst + 2 * PG);
  printf("mremap of the shared area: %s, page 2 reads: %s\n", merr(m), m == MAP_FAILED ? "" : m + 2 * PG);
  // Growing it past the object's size: the new page is beyond the object (SIGBUS).
  char *g = mremap(m, 3 * PG, 4 * PG, MREMAP_MAYMOVE);
  printf("mremap growing the shared area: %s\n", merr(g));
  if (g != MAP_FAILED) probe("a page past the shared object", g + 3 * PG);
}

static void check_dontneed(void) {
  char *p = map(4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
  memset(p, 'a', 4 * PG);
  printf("madvise(DONTNEED) private anonymous: %s\n", err(madvise(p + PG, 2 * PG, MADV_DONTNEED)));
  printf("  pages read back: %c %d %d %c\n", p[0], p[PG], p[2 * PG + 100], p[3 * PG]);
  memset(p, 'b', 4 * PG);
  const char *r = err(madvise(p, PG, MADV_FREE));
  printf("madvise(FREE) private anonymous: %s, page reads 'b' or 0: %s\n", r, p[10] == 'b' || p[10] == 0 ? "yes" : "no");

  char *s = map(2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS);
  memset(s, 's', 2 * PG);
  r = err(madvise(s, 2 * PG, MADV_DONTNEED));
  printf("madvise(DONTNEED) shared anonymous: %s, reads back %c\n", r, s[5]);
  printf("madvise(FREE) shared anonymous: %s\n", err(madvise(s, PG, MADV_FREE)));
  r = err(madvise(s, PG, MADV_REMOVE));
  printf("madvise(REMOVE) shared anonymous: %s, reads back %d, the other page %c\n", r, s[5], s[PG + 5]);
  printf("madvise(REMOVE) private anonymous: %s\n", err(madvise(p, PG, MADV_REMOVE)));

  char path[64];
  snprintf(path, sizeof path, "/tmp/mm_advice.%d", (int)getpid());
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  char buf[2 * PG];
  memset(buf, 'f', sizeof buf);
  if (write(fd, buf, sizeof buf) != (ssize_t)sizeof buf) return;
  char *f = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  f[0] = 'X';
  r = err(madvise(f, 2 * PG, MADV_DONTNEED));
  printf("madvise(DONTNEED) private file mapping: %s, reads back the file: %c\n", r, f[0]);
  printf("madvise(REMOVE) private file mapping: %s\n", err(madvise(f, PG, MADV_REMOVE)));
  char *fs = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  fs[0] = 'Y';
  r = err(madvise(fs, 2 * PG, MADV_DONTNEED));
  printf("madvise(DONTNEED) shared file mapping: %s, keeps the store: %c\n", r, fs[0]);
  printf("madvise(WILLNEED) file mapping: %s\n", err(madvise(fs, 2 * PG, MADV_WILLNEED)));
  printf("madvise(SEQUENTIAL), (RANDOM), (NORMAL): %s %s %s\n", err(madvise(fs, PG, MADV_SEQUENTIAL)),
    err(madvise(fs, PG, MADV_RANDOM)), err(madvise(fs, 2 * PG, MADV_NORMAL)));
  close(fd);
  unlink(path);

  printf("madvise unaligned start: %s\n", err(madvise(p + 1, PG, MADV_DONTNEED)));
  printf("madvise unknown advice: %s\n", err(madvise(p, PG, 999)));
  printf("madvise length 0: %s\n", err(madvise(p, 0, MADV_DONTNEED)));
  munmap(p + PG, PG);
  printf("madvise over a hole: %s\n", err(madvise(p, 4 * PG, MADV_NORMAL)));
  printf("madvise(WIPEONFORK) shared: %s\n", err(madvise(s, PG, MADV_WIPEONFORK)));
  printf("madvise(HUGEPAGE), (NOHUGEPAGE): %s %s\n", err(madvise(p + 2 * PG, 2 * PG, MADV_HUGEPAGE)),
    err(madvise(p + 2 * PG, 2 * PG, MADV_NOHUGEPAGE)));
  printf("madvise(DONTDUMP), (DODUMP): %s %s\n", err(madvise(p + 2 * PG, PG, MADV_DONTDUMP)), err(madvise(p + 2 * PG, PG, MADV_DODUMP)));
}

static void check_fork_advice(void) {
  char *keep = map(PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
  char *gone = map(PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
  char *wipe = map(2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
  char *back = map(PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
  strcpy(keep, "kept");
  strcpy(gone, "gone");
  strcpy(wipe, "wiped");
  strcpy(wipe + PG, "not wiped");
  strcpy(back, "dofork");
  printf("madvise(DONTFORK): %s\n", err(madvise(gone, PG, MADV_DONTFORK)));
  printf("madvise(WIPEONFORK) first page: %s\n", err(madvise(wipe, PG, MADV_WIPEONFORK)));
  const char *r1 = err(madvise(back, PG, MADV_DONTFORK));
  printf("madvise(DONTFORK) then (DOFORK): %s %s\n", r1, err(madvise(back, PG, MADV_DOFORK)));
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    unsigned char v;
    printf("child: plain area: %s\n", keep);
    printf("child: DONTFORK area: mincore %s\n", err(mincore(gone, PG, &v)));
    probe("child: DONTFORK area read", gone);
    printf("child: WIPEONFORK page: %d, the next page: %s\n", wipe[0], wipe + PG);
    printf("child: DOFORK area: %s\n", back);
    fflush(stdout);
    _exit(0);
  }
  printf("child exit %d\n", wait_child(pid));
  printf("parent keeps: %s %s %s\n", gone, wipe, wipe + PG);
  printf("madvise(KEEPONFORK): %s\n", err(madvise(wipe, PG, MADV_KEEPONFORK)));
  fflush(stdout);
  pid = fork();
  if (pid == 0) {
    printf("child after KEEPONFORK: %s\n", wipe);
    fflush(stdout);
    _exit(0);
  }
  wait_child(pid);
}

static void check_mincore(void) {
  char *p = map(6 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
  printf("untouched: %s\n", resident(p, 6));
  p[0] = 1;
  p[2 * PG] = 1;
  (void)*(volatile char *)(p + 5 * PG);
  printf("after touching pages 0, 2 and reading 5: %s\n", resident(p, 6));
  madvise(p, PG, MADV_DONTNEED);
  printf("after DONTNEED of page 0: %s\n", resident(p, 6));
  unsigned char vec[8];
  printf("unaligned start: %s\n", err(mincore(p + 1, PG, vec)));
  printf("length 0: %s\n", err(mincore(p, 0, vec)));
  printf("bad vector: %s\n", err(mincore(p, PG, (unsigned char *)8)));
  printf("partial last page counts: %s\n", err(mincore(p, PG + 1, vec)));
  char *s = map(2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS);
  s[PG] = 1;
  printf("shared anonymous, page 1 touched: %s\n", resident(s, 2));
}

static void check_unmapped_mincore(void) {
  char *p = map(3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
  munmap(p + PG, PG);
  unsigned char vec[4];
  printf("mincore over a hole: %s\n", err(mincore(p, 3 * PG, vec)));
  printf("mincore of an unmapped page: %s\n", err(mincore(p + PG, PG, vec)));
}

static void check_mlock(void) {
  char *p = map(4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
  const char *r = err(mlock(p + PG + 10, PG));
  printf("mlock 2 pages (unaligned start): %s, resident %s\n", r, resident(p, 4));
  printf("munlock: %s\n", err(munlock(p, 4 * PG)));
  char *q = map(4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
  r = err(mlock2(q, 4 * PG, MLOCK_ONFAULT));
  printf("mlock2(ONFAULT): %s, resident %s\n", r, resident(q, 4));
  printf("mlock2 bad flags: %s\n", err(mlock2(q, PG, 2)));
  printf("mlockall(0): %s, (MCL_ONFAULT): %s\n", err(mlockall(0)), err(mlockall(MCL_ONFAULT)));
  printf("munlockall: %s\n", err(munlockall()));
  char *l = map(3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED);
  printf("MAP_LOCKED: %s, resident %s\n", merr(l), resident(l, 3));
  munmap(p + PG, PG);
  printf("mlock over a hole: %s\n", err(mlock(p, 4 * PG)));
}

/** An unprivileged process is held to RLIMIT_MEMLOCK (run as root, the child drops to uid 65534 first). */
static void check_mlock_limit(void) {
  pid_t pid = fork();
  if (pid == 0) {
    if (getuid() == 0 && setuid(65534) != 0) _exit(3);
    struct rlimit rl = { 16 * PG, 16 * PG };
    setrlimit(RLIMIT_MEMLOCK, &rl);
    char *b = map(32 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
    printf("unprivileged mlock within RLIMIT_MEMLOCK: %s\n", err(mlock(b, 8 * PG)));
    printf("unprivileged mlock again over the same pages: %s\n", err(mlock(b, 8 * PG)));
    printf("unprivileged mlock past RLIMIT_MEMLOCK: %s\n", err(mlock(b + 8 * PG, 16 * PG)));
    char *m = map(16 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED);
    printf("unprivileged MAP_LOCKED past RLIMIT_MEMLOCK: %s\n", merr(m));
    printf("unprivileged mlockall(MCL_CURRENT) past RLIMIT_MEMLOCK: %s\n", err(mlockall(MCL_CURRENT)));
    rl.rlim_cur = rl.rlim_max = 0;
    setrlimit(RLIMIT_MEMLOCK, &rl);
    printf("unprivileged mlock with RLIMIT_MEMLOCK 0: %s\n", err(mlock(b + 20 * PG, PG)));
    fflush(stdout);
    _exit(0);
  }
  printf("child exit %d\n", wait_child(pid));
}

static void check_mapflags(void) {
  char *p = map(4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE);
  printf("MAP_POPULATE private: %s, resident %s\n", merr(p), resident(p, 4));
  char *s = map(2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE);
  printf("MAP_POPULATE shared: %s, resident %s\n", merr(s), resident(s, 2));
  char *n = map(64 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE);
  printf("MAP_NORESERVE: %s, resident %s\n", merr(n), resident(n, 4));
  n[PG] = 7;
  printf("MAP_NORESERVE after a store: %d\n", n[PG]);
  void *r = mmap(p + PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  printf("MAP_FIXED_NOREPLACE over a mapping: %s\n", merr(r));
  munmap(p + 2 * PG, 2 * PG);
  r = mmap(p + 2 * PG, 2 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  printf("MAP_FIXED_NOREPLACE on a free range: %s, at the address: %s\n", merr(r), r == p + 2 * PG ? "yes" : "no");
  r = mmap(p + PG, 2 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_FIXED_NOREPLACE, -1, 0);
  printf("MAP_FIXED|MAP_FIXED_NOREPLACE over a mapping: %s\n", merr(r));
  r = map(PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | 0x200);
  printf("MAP_PRIVATE with an unknown flag: %s\n", merr(r));
  char path[64];
  snprintf(path, sizeof path, "/tmp/mm_advice_v.%d", (int)getpid());
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  if (ftruncate(fd, 2 * PG) != 0) return;
  r = mmap(NULL, PG, PROT_READ, MAP_SHARED_VALIDATE | 0x200, fd, 0);
  printf("MAP_SHARED_VALIDATE with an unknown flag: %s\n", merr(r));
  r = mmap(NULL, PG, PROT_READ, MAP_SHARED | 0x200, fd, 0);
  printf("MAP_SHARED with an unknown flag: %s\n", merr(r));
  char *f = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED_VALIDATE | MAP_POPULATE, fd, 0);
  printf("MAP_SHARED_VALIDATE|MAP_POPULATE file: %s, resident %s\n", merr(f), resident(f, 2));
  close(fd);
  unlink(path);
  r = map(PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_GROWSDOWN);
  printf("MAP_SHARED|MAP_GROWSDOWN anonymous: %s\n", merr(r));
  // A MAP_GROWSDOWN area grows down when a page below it is touched (far from other areas).
  char *g = mmap((void *)0x30100000, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN | MAP_FIXED_NOREPLACE, -1, 0);
  printf("MAP_GROWSDOWN: %s\n", merr(g));
  if (g != MAP_FAILED) {
    unsigned char v;
    printf("the page below before a touch: mincore %s\n", err(mincore(g - PG, PG, &v)));
    g[-100] = 5;
    printf("a store below the start: %d, the page below is now mapped: %s\n", g[-100], err(mincore(g - PG, PG, &v)));
  }
}

static void check_shm(void) {
  char name[64];
  snprintf(name, sizeof name, "/mm_advice.%d", (int)getpid());
  int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
  printf("shm_open: %s\n", err(fd));
  if (fd < 0) return;
  printf("ftruncate 2 pages: %s\n", err(ftruncate(fd, 2 * PG)));
  char *p = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  printf("mmap 3 pages: %s\n", merr(p));
  probe("page 2, past the end", p + 2 * PG);
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    int cfd = shm_open(name, O_RDWR, 0);
    char *c = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, cfd, 0);
    strcpy(c + PG, "written by the child through its own shm_open");
    _exit(0);
  }
  wait_child(pid);
  printf("parent reads: %s\n", p + PG);
  printf("ftruncate 3 pages: %s\n", err(ftruncate(fd, 3 * PG)));
  p[2 * PG] = 'z';
  printf("page 2 after growing: %c\n", p[2 * PG]);
  char buf[8] = {0};
  ssize_t got = pread(fd, buf, 1, 2 * PG);
  printf("pread of the store: %zd %c\n", got, buf[0]);
  printf("ftruncate 1 page: %s\n", err(ftruncate(fd, PG)));
  probe("page 1 after shrinking", p + PG);
  printf("shm_unlink: %s\n", err(shm_unlink(name)));
  printf("shm_open after unlink: %s\n", err(shm_open(name, O_RDWR, 0)));
  p[0] = 'k';
  printf("the mapping outlives the name: %c\n", p[0]);
}

static void check_overcommit(long mib) {
  void *p = malloc((size_t)mib << 20);
  printf("malloc(%ld MiB): %s\n", mib, p ? "ok" : "failed");
  if (p) {
    ((char *)p)[0] = 1;
    ((char *)p)[((size_t)mib << 20) - 1] = 2;
    printf("first and last byte: %d %d\n", ((char *)p)[0], ((char *)p)[((size_t)mib << 20) - 1]);
  }
  void *q = mmap(NULL, (size_t)mib << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  printf("mmap(%ld MiB, MAP_NORESERVE): %s\n", mib, merr(q));
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  const char *what = argc > 1 ? argv[1] : "";
  printf("== %s\n", what);
  if (!strcmp(what, "shared")) check_shared();
  else if (!strcmp(what, "dontneed")) check_dontneed();
  else if (!strcmp(what, "forkadvice")) check_fork_advice();
  else if (!strcmp(what, "mincore")) check_mincore();
  else if (!strcmp(what, "mincore_hole")) check_unmapped_mincore();
  else if (!strcmp(what, "mlock")) check_mlock();
  else if (!strcmp(what, "mlock_limit")) check_mlock_limit();
  else if (!strcmp(what, "mapflags")) check_mapflags();
  else if (!strcmp(what, "shm")) check_shm();
  else if (!strcmp(what, "overcommit") && argc > 2) check_overcommit(atol(argv[2]));
  else {
    fprintf(stderr, "usage: mm_advice shared|dontneed|forkadvice|mincore|mincore_hole|mlock|mlock_limit|mapflags|shm|overcommit MIB\n");
    return 2;
  }
  return 0;
}
