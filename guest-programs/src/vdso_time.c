/* The clock functions glibc routes through the vDSO (clock_gettime, gettimeofday, time,
 * clock_getres), checked against each other, and whether a vDSO is there at all: prints
 * results that do not depend on the time of day, so a run compares with a reference. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <sys/auxv.h>
#include <sys/time.h>
#include <time.h>

int main(void) {
  const unsigned char *ehdr = (const unsigned char *)getauxval(AT_SYSINFO_EHDR);
  printf("vdso %s\n", ehdr != NULL && memcmp(ehdr, "\177ELF", 4) == 0 ? "present" : "absent");

  struct timespec m0, m1, rt, res;
  int r0 = clock_gettime(CLOCK_MONOTONIC, &m0);
  int r1 = clock_gettime(CLOCK_MONOTONIC, &m1);
  int later = m1.tv_sec > m0.tv_sec || (m1.tv_sec == m0.tv_sec && m1.tv_nsec >= m0.tv_nsec);
  printf("monotonic %d %d, never backwards %d, nsec in range %d\n", r0, r1, later, m0.tv_nsec >= 0 && m0.tv_nsec < 1000000000);

  int r2 = clock_gettime(CLOCK_REALTIME, &rt);
  struct timeval tv;
  int r3 = gettimeofday(&tv, NULL);
  time_t t = time(NULL);
  long d1 = (long)(tv.tv_sec - rt.tv_sec), d2 = (long)(t - tv.tv_sec);
  printf("realtime %d, gettimeofday %d, agree within 2s %d %d, after 2020 %d\n", r2, r3, d1 >= 0 && d1 <= 2,
         d2 >= 0 && d2 <= 2, rt.tv_sec > 1577836800);

  int r4 = clock_getres(CLOCK_MONOTONIC, &res);
  printf("getres %d, resolution at most 1ms %d\n", r4, res.tv_sec == 0 && res.tv_nsec > 0 && res.tv_nsec <= 1000000);

  struct timespec bad;
  int r5 = clock_gettime((clockid_t)12345, &bad);
  printf("bad clock %d\n", r5);

  /* mmap2's sixth argument (the page offset) travels in EBP through __kernel_vsyscall. */
  int fd = open("/proc/self/exe", O_RDONLY);
  unsigned char page[4096];
  const unsigned char *m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 4096);
  int same = m != MAP_FAILED && pread(fd, page, sizeof page, 4096) == (ssize_t)sizeof page
             && memcmp(m, page, sizeof page) == 0;
  printf("six-argument call %s\n", same ? "ok" : "wrong");
  return 0;
}
