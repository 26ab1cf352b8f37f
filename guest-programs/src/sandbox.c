// Tries to reach a host file outside the emulator's --root. Run as
//   i386emu run --root ROOT -- /sandbox SECRET OUTSIDE_DIR OUTSIDE_PROG
// with host paths: SECRET a file outside ROOT, OUTSIDE_DIR its directory, OUTSIDE_PROG an
// executable there. ROOT holds: inside.txt, sub/, abs_link -> SECRET (absolute host path),
// rel_link -> ../outside/secret.txt, dir_link -> OUTSIDE_DIR, up_link -> ../../../../../..
// (see test/guest/sandbox.test.ts). Each attempt prints the errno it got or what it read;
// none may print the secret. Nothing printed depends on the host's paths.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *en(int e) {
  const char *n = strerrorname_np(e);
  return n ? n : "?";
}

static void report_fd(const char *label, int fd) {
  if (fd < 0) {
    printf("%s: %s\n", label, en(errno));
    return;
  }
  char buf[64] = {0};
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n > 0 && buf[n - 1] == '\n') buf[n - 1] = 0;
  printf("%s: read [%s]\n", label, n < 0 ? en(errno) : buf);
}

static void try_open(const char *label, const char *path) {
  report_fd(label, open(path, O_RDONLY));
}

static void result(const char *label, long r) {
  if (r < 0) printf("%s: %s\n", label, en(errno));
  else printf("%s: ok\n", label);
}

static char *cat3(const char *a, const char *b, const char *c) {
  char *s = malloc(strlen(a) + strlen(b) + strlen(c) + 1);
  strcpy(s, a);
  strcat(s, b);
  strcat(s, c);
  return s;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: sandbox SECRET OUTSIDE_DIR OUTSIDE_PROG\n");
    return 2;
  }
  const char *secret = argv[1], *outside = argv[2], *prog = argv[3];
  const char *up = "../../../../../../../../../../../../../../../..";
  setvbuf(stdout, NULL, _IONBF, 0);

  try_open("inside file", "/inside.txt");
  try_open("absolute host path", secret);
  try_open("../ chain + host path", cat3("/sub/", up, secret));
  try_open("relative ../ chain", cat3(up, secret, ""));
  try_open("absolute symlink out", "/abs_link");
  try_open("relative symlink out", "/rel_link");
  try_open("symlink to outside dir", "/dir_link/secret.txt");
  try_open("symlink of ../ chain", cat3("/up_link", secret, ""));
  try_open("/proc/self/root", cat3("/proc/self/root", secret, ""));
  char buf[256] = {0};
  readlink("/proc/self/root", buf, sizeof buf);
  printf("readlink /proc/self/root: [%s]\n", buf);
  try_open("/proc/self/cwd/..", cat3("/proc/self/cwd/", up, secret));

  int dfd = open("/sub", O_RDONLY | O_DIRECTORY);
  report_fd("openat(dirfd, ../ chain)", openat(dfd, cat3(up, secret, ""), O_RDONLY));
  report_fd("openat(dirfd, host path)", openat(dfd, secret, O_RDONLY));
  report_fd("openat(dirfd, ../rel_link)", openat(dfd, "../rel_link", O_RDONLY));
  char fdpath[64];
  snprintf(fdpath, sizeof fdpath, "/proc/self/fd/%d/", dfd);
  try_open("/proc/self/fd/N of a directory", cat3(fdpath, up, secret));
  snprintf(fdpath, sizeof fdpath, "/dev/fd/%d/", dfd);
  try_open("/dev/fd/N of a directory", cat3(fdpath, up, secret));

  chdir("/sub");
  for (int i = 0; i < 20; i++) chdir("..");
  getcwd(buf, sizeof buf);
  printf("cwd after chdir(\"..\") x20: [%s]\n", buf);
  try_open("relative after chdir ..", secret + 1);
  struct stat a, b;
  stat("/", &a);
  stat("/..", &b);
  printf("/.. is /: %d\n", a.st_ino == b.st_ino && a.st_dev == b.st_dev);

  // Changing names outside.
  result("rename into outside dir", rename("/inside.txt", cat3(outside, "/moved", "")));
  result("rename through dir_link", rename("/inside.txt", "/dir_link/moved"));
  result("link into outside dir", link("/inside.txt", cat3(outside, "/hard", "")));
  result("link of outside file", link(secret, "/hard"));
  result("symlink to host path", symlink(secret, "/mylink"));
  try_open("open the new symlink", "/mylink");
  result("mkdir outside", mkdir(cat3(outside, "/newdir", ""), 0777));
  report_fd("O_CREAT outside", open(cat3(outside, "/created", ""), O_CREAT | O_WRONLY, 0644));
  report_fd("O_TRUNC through abs_link", open("/abs_link", O_WRONLY | O_TRUNC));
  result("truncate host path", truncate(secret, 0));
  result("chmod host path", chmod(secret, 0777));
  result("unlink host path", unlink(secret));
  result("unlink through dir_link", unlink("/dir_link/secret.txt"));
  result("rename host path away", rename(secret, "/stolen"));

  // Running a program outside.
  pid_t p = fork();
  if (p == 0) {
    char *args[] = {(char *)prog, NULL};
    execv(prog, args);
    printf("execve outside program: %s\n", en(errno));
    execv("/dir_link/hello", args);
    printf("execve through dir_link: %s\n", en(errno));
    _exit(0);
  }
  int st;
  waitpid(p, &st, 0);
  printf("done\n");
  return 0;
}
