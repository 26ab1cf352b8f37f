// File mappings and the page cache, in a file the program creates under /tmp (or argv[1]):
// a MAP_SHARED mapping written by a forked child and read by the parent (through the mapping
// and with pread), write() seen through an existing shared and private mapping, a private
// mapping's writes staying private, a store seen by read() in another process, msync,
// growing the file with ftruncate and mapping the new pages, shrinking it (the lost pages
// give SIGBUS, the partial page reads zeros past the end), and stores reaching the file
// after munmap, and an open with O_TRUNC under a mapping. Prints only host-independent facts. Removes its file at the end.
#define _GNU_SOURCE
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096

static sigjmp_buf jb;

static void on_bus(int sig) {
  siglongjmp(jb, sig);
}

/** Reads one byte at p; prints it, or the signal the access raised. */
static void probe(const char *what, volatile char *p) {
  int sig = sigsetjmp(jb, 1);
  if (sig == 0) printf("%s: '%c' (%d)\n", what, *p >= 32 ? *p : '.', *p);
  else printf("%s: signal %s\n", what, sig == SIGBUS ? "SIGBUS" : "other");
}

static void show_pread(int fd, off_t off, size_t n, const char *what) {
  char buf[64] = {0};
  ssize_t r = pread(fd, buf, n, off);
  printf("%s: pread %zd \"%.*s\"\n", what, r, (int)(r > 0 ? r : 0), buf);
}

int main(int argc, char **argv) {
  char path[256];
  snprintf(path, sizeof path, "%s/i386emu-mmap-shared-%d", argc > 1 ? argv[1] : "/tmp", (int)getpid());
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) {
    perror("open");
    return 1;
  }
  signal(SIGBUS, on_bus);
  char page[PG];
  for (int i = 0; i < 4; i++) {
    memset(page, 'a' + i, PG);
    write(fd, page, i == 3 ? 100 : PG);
  }
  printf("size %ld\n", (long)lseek(fd, 0, SEEK_END));

  char *sh = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  char *pr = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  if (sh == MAP_FAILED || pr == MAP_FAILED) {
    perror("mmap");
    return 1;
  }
  probe("shared page 0", sh);
  probe("private page 1", pr + PG);

  // A child stores through the inherited shared mapping; the parent sees it both ways.
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    memcpy(sh + 10, "child wrote", 11);
    memcpy(sh + 2 * PG, "CHILD", 5);
    _exit(0);
  }
  waitpid(pid, NULL, 0);
  printf("parent sees via mapping: \"%.11s\" \"%.5s\"\n", sh + 10, sh + 2 * PG);
  show_pread(fd, 10, 11, "parent sees via read");
  probe("private mapping of page 2 (not written by it)", pr + 2 * PG);

  // write() is seen through the existing mappings (the private one has not copied page 1).
  pwrite(fd, "via write", 9, PG + 5);
  printf("shared after pwrite: \"%.9s\"\n", sh + PG + 5);
  printf("private after pwrite: \"%.9s\"\n", pr + PG + 5);

  // A private store copies: neither the file nor the shared mapping sees it, and a later
  // write() no longer reaches the private copy.
  memcpy(pr + PG, "PRIVATE", 7);
  show_pread(fd, PG, 7, "file after private store");
  printf("shared after private store: \"%.7s\"\n", sh + PG);
  pwrite(fd, "later", 5, PG + 20);
  printf("private copy after a later write: \"%.5s\" shared: \"%.5s\"\n", pr + PG + 20, sh + PG + 20);

  // A store by the parent is seen by read() in another process, before any msync.
  memcpy(sh + 3 * PG, "parent store", 12);
  fflush(stdout);
  pid = fork();
  if (pid == 0) {
    int fd2 = open(path, O_RDONLY);
    show_pread(fd2, 3 * PG, 12, "child reads the parent's store");
    fflush(stdout);
    _exit(0);
  }
  waitpid(pid, NULL, 0);
  printf("msync: %d\n", msync(sh, 4 * PG, MS_SYNC));

  // Past the end of the file inside the mapping: the partial page reads zeros, the next
  // page is SIGBUS.
  probe("byte past EOF in the last page", sh + 3 * PG + 200);

  // Growing the file: a new mapping covers the new pages; stores there reach the file.
  printf("ftruncate grow: %d\n", ftruncate(fd, 6 * PG));
  char *big = mmap(NULL, 6 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  probe("new page 5 (zeros)", big + 5 * PG);
  memcpy(big + 5 * PG, "grown", 5);
  probe("old mapping, page 3 tail now inside the file", sh + 3 * PG + 200);
  munmap(big, 6 * PG);
  show_pread(fd, 5 * PG, 5, "file after munmap");

  // Shrinking: the lost pages are SIGBUS in every mapping, the partial page is cut.
  printf("ftruncate shrink: %d\n", ftruncate(fd, PG + 20));
  probe("shared page 2 after shrink", sh + 2 * PG);
  probe("shared page 1 past the new end", sh + PG + 30);
  probe("shared page 1 before the new end", sh + PG + 5);
  probe("private page 2 after shrink", pr + 2 * PG);
  memcpy(sh, "final", 5);
  munmap(sh, 4 * PG);
  munmap(pr, 4 * PG);
  show_pread(fd, 0, 5, "file after the last munmap");
  printf("size %ld\n", (long)lseek(fd, 0, SEEK_END));

  // An open with O_TRUNC empties the file under an existing mapping.
  char *last = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 0);
  probe("before O_TRUNC", last);
  int fd3 = open(path, O_RDWR | O_TRUNC);
  probe("after O_TRUNC", last);
  write(fd3, "new", 3);
  probe("after a write to the emptied file", last + 2);
  munmap(last, PG);
  close(fd3);
  close(fd);
  unlink(path);
  return 0;
}
