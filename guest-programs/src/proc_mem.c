/*
 * proc_mem.c — checks /proc/self against the memory it touched: anonymous private pages, a
 * file mapped shared and privately (one page copied on write), and pages shared with a forked
 * child. Then /proc/self/{smaps,smaps_rollup,status,statm} must agree (the sum of smaps' Rss =
 * rollup's Rss = VmRSS = statm's resident * 4), Pss <= Rss everywhere and exactly half of Rss
 * for the fork-shared area, VmHWM stays after an munmap; /proc/self/exe is the program's real
 * path, /proc/self/fd lists 0, 1, 2 and an open file, and /proc/self/auxv holds AT_PAGESZ 4096
 * and the AT_ENTRY the process got. Prints one line per check ("ok" or what differed); exits 0
 * when all pass. Portable C: it also builds as an x86-64 program, to check it against the host.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096
#define BUFSZ (1 << 20)

static int failures;

/* Buffers the /proc files are read into: touched before any counting, so reads add no pages. */
static char smaps[BUFSZ], rollup[8192], status[8192], statm[256];

static void check(const char *what, int ok, const char *detail)
{
    if (ok)
        printf("%s: ok\n", what);
    else {
        printf("%s: FAIL %s\n", what, detail);
        failures++;
    }
}

static long read_file(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    size_t n = 0;
    for (;;) {
        ssize_t r = read(fd, buf + n, size - 1 - n);
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    close(fd);
    buf[n] = '\0';
    return (long)n;
}

/* The value of "Name:   N kB" in text, or -1. */
static long field_kb(const char *text, const char *name)
{
    const char *p = text;
    size_t len = strlen(name);
    while ((p = strstr(p, name)) != NULL) {
        if ((p == text || p[-1] == '\n') && p[len] == ':')
            return strtol(p + len + 1, NULL, 10);
        p += len;
    }
    return -1;
}

/* Sum of field over every area of smaps. */
static long smaps_sum(const char *name)
{
    long sum = 0;
    char key[64];
    snprintf(key, sizeof key, "\n%s:", name);
    for (const char *p = smaps; (p = strstr(p, key)) != NULL; p += strlen(key))
        sum += strtol(p + strlen(key), NULL, 10);
    return sum;
}

/* The block of smaps describing the area starting at addr (its header line onwards). */
static const char *smaps_area(void *addr)
{
    char head[32];
    snprintf(head, sizeof head, "%08lx-", (unsigned long)addr);
    for (const char *p = smaps; p != NULL && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        if (strncmp(p, head, strlen(head)) == 0)
            return p;
    }
    return NULL;
}

/* A private anonymous read-write area of n pages that merges with no neighbour (PROT_NONE pages on both sides). */
static char *separate_area(int n)
{
    char *p = mmap(NULL, (size_t)(n + 2) * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED || mprotect(p + PAGE, (size_t)n * PAGE, PROT_READ | PROT_WRITE) != 0)
        exit(2);
    return p + PAGE;
}

/* Size of the [vsyscall] area (x86-64 only): in smaps, but not in VmSize. */
static long vsyscall_kb(void)
{
    const char *p = strstr(smaps, "[vsyscall]\n");
    return p ? field_kb(p, "Size") : 0;
}

static void read_all(void)
{
    read_file("/proc/self/smaps", smaps, sizeof smaps);
    read_file("/proc/self/smaps_rollup", rollup, sizeof rollup);
    read_file("/proc/self/status", status, sizeof status);
    read_file("/proc/self/statm", statm, sizeof statm);
}

int main(int argc, char **argv)
{
    (void)argc;
    char detail[2 * PATH_MAX + 64];
    memset(smaps, 1, sizeof smaps);
    memset(rollup, 1, sizeof rollup);
    memset(status, 1, sizeof status);
    memset(statm, 1, sizeof statm);

    /* Anonymous private memory: 16 pages, written after the fork below. */
    char *anon = separate_area(16);

    /* A file of 4 pages, mapped shared (2 pages read, 1 written) and privately (1 read, 1 copied). */
    char path[] = "/tmp/proc_mem.XXXXXX";
    int fd = mkstemp(path);
    static char page[PAGE];
    for (int i = 0; i < 4; i++) {
        memset(page, 'a' + i, sizeof page);
        if (write(fd, page, sizeof page) != PAGE)
            return 2;
    }
    volatile char *shared = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    volatile char *priv = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    char sink = shared[0];
    shared[PAGE] = 'S';
    sink += priv[2 * PAGE];
    priv[3 * PAGE] = 'P';

    /* Eight pages a forked child shares (it waits on a pipe, touching nothing). */
    char *forked = separate_area(8);
    for (int i = 0; i < 8; i++)
        forked[i * PAGE] = 1;
    int p[2];
    if (pipe(p) != 0)
        return 2;
    pid_t child = fork();
    if (child == 0) {
        char c;
        close(p[1]);
        while (read(p[0], &c, 1) > 0) {}
        _exit(sink == 0);
    }
    close(p[0]);
    for (int i = 0; i < 16; i++)
        anon[i * PAGE] = (char)i;

    /* A warm-up pass faults in whatever reading and parsing touch; the second pass counts. */
    read_all();
    (void)smaps_sum("Rss");
    (void)smaps_area(forked);
    read_all();

    long sum_rss = smaps_sum("Rss"), sum_pss = smaps_sum("Pss"), sum_size = smaps_sum("Size");
    long roll_rss = field_kb(rollup, "Rss"), vmrss = field_kb(status, "VmRSS"), vmsize = field_kb(status, "VmSize");
    long st_size = 0, st_res = 0;
    sscanf(statm, "%ld %ld", &st_size, &st_res);
    snprintf(detail, sizeof detail, "smaps %ld rollup %ld VmRSS %ld statm %ld", sum_rss, roll_rss, vmrss, st_res * (PAGE / 1024));
    check("rss totals agree", sum_rss > 0 && sum_rss == roll_rss && roll_rss == vmrss && vmrss == st_res * (PAGE / 1024), detail);
    snprintf(detail, sizeof detail, "smaps %ld VmSize %ld statm %ld", sum_size, vmsize, st_size * (PAGE / 1024));
    sum_size -= vsyscall_kb();
    check("sizes agree", sum_size == vmsize && vmsize == st_size * (PAGE / 1024), detail);
    snprintf(detail, sizeof detail, "Pss %ld Rss %ld rollup Pss %ld", sum_pss, sum_rss, field_kb(rollup, "Pss"));
    check("pss below rss", sum_pss <= sum_rss && field_kb(rollup, "Pss") <= roll_rss, detail);
    long anon_kb = field_kb(status, "RssAnon"), file_kb = field_kb(status, "RssFile"), shmem_kb = field_kb(status, "RssShmem");
    snprintf(detail, sizeof detail, "RssAnon %ld RssFile %ld RssShmem %ld VmRSS %ld Anonymous %ld", anon_kb, file_kb, shmem_kb, vmrss,
        field_kb(rollup, "Anonymous"));
    check("rss split", anon_kb + file_kb + shmem_kb == vmrss && anon_kb == field_kb(rollup, "Anonymous"), detail);

    const char *a = smaps_area(forked);
    long f_rss = a ? field_kb(a, "Rss") : -1, f_pss = a ? field_kb(a, "Pss") : -1, f_sd = a ? field_kb(a, "Shared_Dirty") : -1;
    snprintf(detail, sizeof detail, "Rss %ld Pss %ld Shared_Dirty %ld", f_rss, f_pss, f_sd);
    check("fork-shared pss is half", f_rss == 32 && f_pss == 16 && f_sd == 32, detail);
    a = smaps_area(anon);
    long a_rss = a ? field_kb(a, "Rss") : -1, a_pd = a ? field_kb(a, "Private_Dirty") : -1, a_an = a ? field_kb(a, "Anonymous") : -1;
    snprintf(detail, sizeof detail, "Rss %ld Private_Dirty %ld Anonymous %ld", a_rss, a_pd, a_an);
    check("anonymous private", a_rss == 64 && a_pd == 64 && a_an == 64, detail);
    /* Linux may map cached neighbours of a faulting file page too (fault-around): Rss is at least what was touched. */
    a = smaps_area((void *)shared);
    long s_rss = a ? field_kb(a, "Rss") : -1, s_an = a ? field_kb(a, "Anonymous") : -1;
    long s_dirty = a ? field_kb(a, "Private_Dirty") + field_kb(a, "Shared_Dirty") : -1;
    snprintf(detail, sizeof detail, "Rss %ld Anonymous %ld dirty %ld", s_rss, s_an, s_dirty);
    check("file shared", s_rss >= 8 && s_rss <= 16 && s_an == 0 && s_dirty >= 4, detail);
    a = smaps_area((void *)priv);
    long p_rss = a ? field_kb(a, "Rss") : -1, p_an = a ? field_kb(a, "Anonymous") : -1;
    snprintf(detail, sizeof detail, "Rss %ld Anonymous %ld", p_rss, p_an);
    check("file private", p_rss >= 8 && p_rss <= 16 && p_an == 4, detail);

    close(p[1]);
    int ws;
    waitpid(child, &ws, 0);

    /*
     * The high-water marks survive an munmap of 512 touched pages. Linux's RSS counters are
     * per-CPU and folded lazily, so its VmHWM may lag by a batch of pages per CPU: 256 kB of slack.
     */
    char *big = mmap(NULL, 512 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int i = 0; i < 512; i++)
        big[i * PAGE] = 1;
    read_file("/proc/self/status", status, sizeof status);
    long hwm_full = field_kb(status, "VmHWM"), rss_full = field_kb(status, "VmRSS"), peak_full = field_kb(status, "VmPeak");
    munmap(big, 512 * PAGE);
    read_file("/proc/self/status", status, sizeof status);
    long hwm = field_kb(status, "VmHWM"), rss = field_kb(status, "VmRSS"), peak = field_kb(status, "VmPeak");
    snprintf(detail, sizeof detail, "before: HWM %ld RSS %ld Peak %ld; after: HWM %ld RSS %ld Peak %ld", hwm_full, rss_full, peak_full, hwm, rss,
        peak);
    check("high-water marks", hwm_full >= rss_full && hwm >= rss_full - 256 && rss <= rss_full - 2048 && peak >= peak_full
        && peak >= field_kb(status, "VmSize") + 2048, detail);

    /* /proc/self/exe is the real path of the program. */
    char exe[PATH_MAX], real[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n < 0 ? 0 : n] = '\0';
    if (realpath(argv[0], real) == NULL)
        strcpy(real, "?");
    snprintf(detail, sizeof detail, "%s != %s", exe, real);
    check("exe", strcmp(exe, real) == 0, detail);

    /* /proc/self/fd: 0, 1, 2 and the temporary file, whose link is its path. */
    int seen = 0;
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL) {
        int k = atoi(e->d_name);
        if (e->d_name[0] >= '0' && e->d_name[0] <= '9' && k <= 2)
            seen |= 1 << k;
        if (e->d_name[0] >= '0' && e->d_name[0] <= '9' && k == fd)
            seen |= 8;
    }
    if (d != NULL)
        closedir(d);
    char link[64], target[PATH_MAX];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    n = readlink(link, target, sizeof target - 1);
    target[n < 0 ? 0 : n] = '\0';
    snprintf(detail, sizeof detail, "seen %#x, fd %d -> %s", seen, fd, target);
    check("fd", seen == 15 && strcmp(target, path) == 0, detail);

    /* /proc/self/auxv: the vector the process started with (native word size entries). */
    static unsigned long auxv[256];
    long len = read_file("/proc/self/auxv", (char *)auxv, sizeof auxv);
    unsigned long pagesz = 0, entry = 0, last = 1;
    for (long i = 0; i + 1 < len / (long)sizeof(unsigned long); i += 2) {
        if (auxv[i] == AT_PAGESZ)
            pagesz = auxv[i + 1];
        if (auxv[i] == AT_ENTRY)
            entry = auxv[i + 1];
        last = auxv[i];
    }
    snprintf(detail, sizeof detail, "AT_PAGESZ %lu AT_ENTRY %#lx (getauxval %#lx) last %lu", pagesz, entry, getauxval(AT_ENTRY), last);
    check("auxv", pagesz == 4096 && entry == getauxval(AT_ENTRY) && entry != 0 && last == AT_NULL, detail);

    unlink(path);
    return failures == 0 ? 0 : 1;
}
