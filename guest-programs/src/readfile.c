// Prints the files named on the command line (a minimal cat) and "NAME: strerror" for those
// it cannot open; exits 1 if any failed.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
  int status = 0;
  for (int i = 1; i < argc; i++) {
    int fd = open(argv[i], O_RDONLY);
    if (fd < 0) {
      fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
      status = 1;
      continue;
    }
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) write(1, buf, n);
    close(fd);
  }
  return status;
}
