// File system calls in a temporary directory the program creates under /tmp (or argv[1]):
// create, write, pread/pwrite, lseek, O_EXCL/O_APPEND/O_TRUNC, truncate, rename, link,
// symlink, readlink, mkdir/rmdir, unlink, a sorted directory listing, stat fields,
// utimensat, chmod, umask, access, flock, fcntl record locks across fork, a write shared by
// parent and child through one inherited descriptor, statfs, sendfile, readv/writev,
// O_TMPFILE. Everything printed is independent of the host (no inode numbers, pids or
// clock times), so the output can be compared with a native or qemu run. Removes its
// directory at the end.
#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *en(int e) {
  const char *n = strerrorname_np(e);
  return n ? n : "?";
}

/** Prints "what: ok" or "what: ERRNO" for a call's result. */
static long show(const char *what, long r) {
  if (r < 0) printf("%s: %s\n", what, en(errno));
  else printf("%s: ok\n", what);
  return r;
}

static void expect_err(const char *what, long r) {
  if (r >= 0) printf("%s: succeeded (%ld)\n", what, r);
  else printf("%s: %s\n", what, en(errno));
}

static void cat(const char *path) {
  char buf[256];
  int fd = open(path, O_RDONLY);
  if (fd < 0) {
    printf("cat %s: %s\n", path, en(errno));
    return;
  }
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  buf[n < 0 ? 0 : n] = 0;
  printf("cat %s: [%s] (%zd bytes)\n", path, buf, n);
}

static void stat_line(const char *path, int follow) {
  struct stat st;
  int r = follow ? stat(path, &st) : lstat(path, &st);
  if (r < 0) {
    printf("stat %s: %s\n", path, en(errno));
    return;
  }
  const char *type = S_ISREG(st.st_mode) ? "reg" : S_ISDIR(st.st_mode) ? "dir" : S_ISLNK(st.st_mode) ? "lnk" : "other";
  printf("stat %s: %s mode=%04o nlink=%lu size=%lld uid_is_me=%d\n", path, type, (unsigned)(st.st_mode & 07777),
         (unsigned long)st.st_nlink, (long long)st.st_size, st.st_uid == getuid());
}

static int cmp(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) {
    printf("ls %s: %s\n", dir, en(errno));
    return;
  }
  char *names[64];
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) != NULL && n < 64) names[n++] = strdup(e->d_name);
  closedir(d);
  qsort(names, n, sizeof names[0], cmp);
  printf("ls %s:", dir);
  for (int i = 0; i < n; i++) {
    printf(" %s", names[i]);
    free(names[i]);
  }
  printf("\n");
}

int main(int argc, char **argv) {
  char tmpl[256];
  snprintf(tmpl, sizeof tmpl, "%s/i386emu-files-XXXXXX", argc > 1 ? argv[1] : "/tmp");
  setvbuf(stdout, NULL, _IONBF, 0);
  umask(022);
  if (!mkdtemp(tmpl)) {
    printf("mkdtemp: %s\n", en(errno));
    return 1;
  }
  show("chdir", chdir(tmpl));
  char cwd[512];
  printf("getcwd is the directory: %d\n", getcwd(cwd, sizeof cwd) != NULL && strcmp(cwd, tmpl) == 0);

  // create, O_EXCL, write, stat
  int fd = show("open a O_CREAT|O_EXCL", open("a", O_CREAT | O_EXCL | O_WRONLY, 0666));
  expect_err("open a O_CREAT|O_EXCL again", open("a", O_CREAT | O_EXCL | O_WRONLY, 0666));
  printf("write: %zd\n", write(fd, "hello world\n", 12));
  stat_line("a", 1);
  close(fd);

  // pread/pwrite and lseek
  fd = open("a", O_RDWR);
  printf("pwrite: %zd\n", pwrite(fd, "WORLD", 5, 6));
  char buf[64] = {0};
  printf("pread: %zd [%.12s]\n", pread(fd, buf, 12, 0), buf);
  printf("lseek cur after pread/pwrite: %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
  printf("lseek end: %lld\n", (long long)lseek(fd, 0, SEEK_END));
  printf("lseek set 6: %lld\n", (long long)lseek(fd, 6, SEEK_SET));
  memset(buf, 0, sizeof buf);
  printf("read: %zd [%s]\n", read(fd, buf, 63), buf);
  expect_err("lseek negative", lseek(fd, -100, SEEK_SET));
  close(fd);

  // O_APPEND: every write at the end, whatever the position
  fd = open("a", O_WRONLY | O_APPEND);
  lseek(fd, 0, SEEK_SET);
  ssize_t w = write(fd, "++", 2);
  printf("append write: %zd, position after: %lld\n", w, (long long)lseek(fd, 0, SEEK_CUR));
  close(fd);
  cat("a");

  // readv/writev
  fd = open("v", O_CREAT | O_RDWR | O_TRUNC, 0600);
  struct iovec iov[3] = {{"one ", 4}, {"two ", 4}, {"three", 5}};
  printf("writev: %zd\n", writev(fd, iov, 3));
  lseek(fd, 0, SEEK_SET);
  char r1[5] = {0}, r2[9] = {0};
  struct iovec riov[2] = {{r1, 4}, {r2, 8}};
  printf("readv: %zd [%s|%s]\n", readv(fd, riov, 2), r1, r2);
  close(fd);

  // O_TRUNC, ftruncate, truncate
  fd = open("a", O_RDWR | O_TRUNC);
  stat_line("a", 1);
  write(fd, "0123456789", 10);
  show("ftruncate 4", ftruncate(fd, 4));
  show("truncate 20", truncate("a", 20));
  stat_line("a", 1);
  expect_err("ftruncate read-only fd", ftruncate(open("a", O_RDONLY), 1));
  show("fsync", fsync(fd));
  show("fdatasync", fdatasync(fd));
  close(fd);
  show("truncate 4", truncate("a", 4));

  // rename, link, symlink, readlink
  show("rename a b", rename("a", "b"));
  stat_line("a", 1);
  show("link b c", link("b", "c"));
  stat_line("b", 1);
  show("symlink b s", symlink("b", "s"));
  stat_line("s", 0);
  stat_line("s", 1);
  memset(buf, 0, sizeof buf);
  printf("readlink s: %zd [%s]\n", readlink("s", buf, sizeof buf), buf);
  expect_err("readlink b (not a link)", readlink("b", buf, sizeof buf));
  expect_err("open s O_NOFOLLOW", open("s", O_RDONLY | O_NOFOLLOW));
  expect_err("open b O_DIRECTORY", open("b", O_RDONLY | O_DIRECTORY));
  expect_err("open b/ (trailing slash)", open("b/", O_RDONLY));
  expect_err("symlink over existing", symlink("x", "c"));
  expect_err("link over existing", link("b", "c"));
  show("symlink dangling", symlink("nowhere", "dangling"));
  expect_err("stat dangling", open("dangling", O_RDONLY));
  fd = show("O_CREAT through dangling link", open("dangling", O_CREAT | O_WRONLY, 0644));
  close(fd);
  stat_line("nowhere", 1);
  show("rename c over b", rename("c", "b"));
  stat_line("b", 1);
  expect_err("renameat2 NOREPLACE", renameat2(AT_FDCWD, "s", AT_FDCWD, "b", RENAME_NOREPLACE));

  // directories
  show("mkdir d", mkdir("d", 0777));
  expect_err("mkdir d again", mkdir("d", 0777));
  stat_line("d", 1);
  close(open("d/x", O_CREAT | O_WRONLY, 0644));
  expect_err("rmdir non-empty", rmdir("d"));
  expect_err("unlink a directory", unlink("d"));
  expect_err("rmdir a file", rmdir("d/x"));
  expect_err("rmdir .", rmdir("d/."));
  show("mkdirat d/e", mkdirat(AT_FDCWD, "d/e", 0700));
  int dfd = open("d", O_RDONLY | O_DIRECTORY);
  show("openat dirfd x", close(openat(dfd, "x", O_RDONLY)));
  show("unlinkat dirfd e AT_REMOVEDIR", unlinkat(dfd, "e", AT_REMOVEDIR));
  show("fchdir d", fchdir(dfd));
  printf("getcwd ends with /d: %d\n", getcwd(cwd, sizeof cwd) && strcmp(cwd + strlen(cwd) - 2, "/d") == 0);
  show("chdir ..", chdir(".."));
  close(dfd);
  list(".");
  list("d");

  // attributes: chmod, fchmod, umask, utimensat, access
  show("chmod b 0600", chmod("b", 0600));
  stat_line("b", 1);
  fd = open("b", O_RDONLY);
  show("fchmod 0640", fchmod(fd, 0640));
  stat_line("b", 1);
  close(fd);
  umask(077);
  close(open("m", O_CREAT | O_WRONLY, 0666));
  mkdir("md", 0777);
  stat_line("m", 1);
  stat_line("md", 1);
  umask(022);
  struct timespec ts[2] = {{1000000000, 0}, {1234567890, 0}};
  show("utimensat", utimensat(AT_FDCWD, "b", ts, 0));
  struct stat st;
  stat("b", &st);
  printf("atime %lld mtime %lld\n", (long long)st.st_atim.tv_sec, (long long)st.st_mtim.tv_sec);
  struct timespec omit[2] = {{0, UTIME_OMIT}, {999, 0}};
  show("utimensat omit atime", utimensat(AT_FDCWD, "b", omit, 0));
  stat("b", &st);
  printf("atime %lld mtime %lld\n", (long long)st.st_atim.tv_sec, (long long)st.st_mtim.tv_sec);
  show("access b R_OK|W_OK", access("b", R_OK | W_OK));
  expect_err("access b X_OK", access("b", X_OK));
  expect_err("access missing", access("missing", F_OK));
  show("faccessat d X_OK", faccessat(AT_FDCWD, "d", X_OK, 0));
  struct stat lst;
  show("fstatat s NOFOLLOW", fstatat(AT_FDCWD, "s", &lst, AT_SYMLINK_NOFOLLOW));
  printf("fstatat s is a link: %d\n", S_ISLNK(lst.st_mode));

  // flock: two open files of one file conflict
  int f1 = open("b", O_RDWR), f2 = open("b", O_RDWR);
  show("flock f1 LOCK_EX", flock(f1, LOCK_EX));
  expect_err("flock f2 LOCK_EX|LOCK_NB", flock(f2, LOCK_EX | LOCK_NB));
  expect_err("flock f2 LOCK_SH|LOCK_NB", flock(f2, LOCK_SH | LOCK_NB));
  show("flock f1 LOCK_UN", flock(f1, LOCK_UN));
  show("flock f2 LOCK_SH|LOCK_NB", flock(f2, LOCK_SH | LOCK_NB));
  show("flock f1 LOCK_SH|LOCK_NB", flock(f1, LOCK_SH | LOCK_NB));
  close(f2);

  // fcntl record locks: the parent's lock is seen by a child process
  struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10};
  show("F_SETLK write 0..9", fcntl(f1, F_SETLK, &fl));
  pid_t parent = getpid();
  pid_t child = fork();
  if (child == 0) {
    int cf = open("b", O_RDWR);
    struct flock c = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 5, .l_len = 2};
    expect_err("child F_SETLK write 5..6", fcntl(cf, F_SETLK, &c));
    struct flock g = {.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    fcntl(cf, F_GETLK, &g);
    printf("child F_GETLK: type=%s start=%lld len=%lld pid_is_parent=%d\n", g.l_type == F_WRLCK ? "F_WRLCK" : g.l_type == F_UNLCK ? "F_UNLCK" : "F_RDLCK",
           (long long)g.l_start, (long long)g.l_len, g.l_pid == parent);
    struct flock ok = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 10, .l_len = 5};
    show("child F_SETLK write 10..14", fcntl(cf, F_SETLK, &ok));
    _exit(0);
  }
  int status;
  waitpid(child, &status, 0);
  fl.l_type = F_UNLCK;
  show("F_SETLK unlock", fcntl(f1, F_SETLK, &fl));
  close(f1);

  // one open file shared by parent and child: the offset is shared
  fd = open("shared", O_CREAT | O_RDWR | O_TRUNC, 0644);
  write(fd, "start\n", 6);
  child = fork();
  if (child == 0) {
    write(fd, "child\n", 6);
    _exit(0);
  }
  waitpid(child, &status, 0);
  write(fd, "parent\n", 7);
  printf("shared offset after both: %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
  close(fd);
  cat("shared");

  // statfs, sendfile
  struct statfs sf;
  show("statfs", statfs(".", &sf));
  struct statfs sf2;
  fd = open("shared", O_RDONLY);
  show("fstatfs", fstatfs(fd, &sf2));
  printf("statfs agrees with fstatfs: %d, bsize>0: %d\n", sf.f_type == sf2.f_type && sf.f_bsize == sf2.f_bsize, sf.f_bsize > 0);
  int out = open("copy", O_CREAT | O_WRONLY | O_TRUNC, 0644);
  off_t off = 6;
  ssize_t sent = sendfile(out, fd, &off, 100);
  printf("sendfile: %zd, offset now %lld, input position %lld\n", sent, (long long)off, (long long)lseek(fd, 0, SEEK_CUR));
  printf("sendfile at position: %zd\n", sendfile(out, fd, NULL, 5));
  close(out);
  close(fd);
  cat("copy");

  // O_TMPFILE (where the host's file system has it)
  fd = open(".", O_TMPFILE | O_RDWR, 0600);
  if (fd >= 0) {
    printf("O_TMPFILE: write %zd\n", write(fd, "tmp", 3));
    close(fd);
  } else {
    printf("O_TMPFILE: %s\n", en(errno));
  }
  list(".");

  // clean up
  const char *files[] = {"b", "c", "s", "v", "d/x", "dangling", "nowhere", "m", "shared", "copy"};
  for (unsigned i = 0; i < sizeof files / sizeof files[0]; i++)
    if (unlink(files[i]) < 0) printf("unlink %s: %s\n", files[i], en(errno));
  show("rmdir d", rmdir("d"));
  show("rmdir md", rmdir("md"));
  show("chdir /", chdir("/"));
  show("rmdir tmp", rmdir(tmpl));
  printf("done\n");
  return 0;
}
