/*
 * mem_pressure.c — touches more memory than the emulated RAM holds, for the tests of reclaim,
 * swap and the OOM killer (i386emu run --mem 16M --swap 64M).
 *   mem_pressure MIB         three passes over MIB MiB of anonymous memory: each pass checks
 *                            the words the previous pass wrote (every page, so a swapped-out
 *                            page is faulted back in), writes new ones, and prints a checksum
 *   mem_pressure MIB fork    pass 1 before fork(), then passes 2 and 3 in the parent and the
 *                            child at once, each with its own pattern, over the buffer they
 *                            share copy-on-write; the child prints first, then the parent
 *   mem_pressure MIB shared  the buffer is MAP_SHARED|MAP_ANONYMOUS (a shmem object): pass 1
 *                            before fork(), pass 2 in the child (checking pass 1 through
 *                            its own mapping), then passes 3 and 4 in the parent after the
 *                            child exited, checking what the child wrote
 *   mem_pressure MIB oom-child  a child touches MIB MiB and waits; then the parent touches MIB
 *                            MiB too: with room for only one of them, the OOM killer must pick
 *                            the child (the bigger) and the parent's access goes on
 *   mem_pressure 0 livelock  fills memory with copies made by one rep movsb each from
 *                            read-only data: at the end, the instruction's own text and
 *                            source pages take turns being reclaimed for each other (without
 *                            swap), a livelock the OOM killer must end
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static uint32_t pattern(uint32_t i, uint32_t pass, uint32_t seed)
{
    uint32_t x = i * 2654435761u ^ (pass + 1) * 0x9e3779b9u ^ seed;
    x ^= x >> 15;
    return x * 0x85ebca6bu;
}

static char report[512];

/* Three pages and a half of read-only data (in the file image, so reclaim can drop them). */
static const char rodata[14336] = { 1, 2, 3 };

/* Passes first..last (0-based); pass 0's pattern is common, later ones use seed. */
static int passes(const char *who, uint32_t *p, size_t words, uint32_t first, uint32_t last, uint32_t seed)
{
    for (uint32_t pass = first; pass <= last; pass++) {
        uint32_t sum = 0;
        size_t bad = 0;
        uint32_t s = pass == 0 ? 0 : seed, prev = pass <= 1 ? 0 : seed;
        for (size_t i = 0; i < words; i++) {
            if (pass > 0 && p[i] != pattern(i, pass - 1, prev))
                bad++;
            p[i] = pattern(i, pass, s);
            sum = sum * 31 + p[i];
        }
        size_t n = strlen(report);
        snprintf(report + n, sizeof report - n, "%s: pass %u: %zu MiB, checksum %08x, %zu words wrong\n",
                 who, pass + 1, (words * sizeof(uint32_t)) >> 20, sum, bad);
        if (bad != 0)
            return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: mem_pressure MIB [fork|shared|oom-child|livelock]\n");
        return 2;
    }
    size_t words = ((size_t)atoi(argv[1]) << 20) / sizeof(uint32_t);
    /* MAP_NORESERVE: Linux's heuristic overcommit refuses a single allocation bigger than RAM
     * plus swap (a malloc of 48 MiB under --mem 16M without swap), but charges this one nothing,
     * so the pressure comes when the pages are touched, which is what the tests are about. */
    int shared = argc >= 3 && strcmp(argv[2], "shared") == 0;
    uint32_t *p = words == 0 ? NULL : mmap(NULL, words * sizeof(uint32_t), PROT_READ | PROT_WRITE,
                                           (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) {
        puts("mmap failed");
        return 1;
    }
    if (argc >= 3 && strcmp(argv[2], "livelock") == 0) {
        for (unsigned i = 0;; i++) {
            char *q = malloc(16384);
            if (q == NULL)
                return 1;
            const char *from = rodata + (i % 3) * 4096;
            size_t n = 10240;
            __asm__ volatile("rep movsb" : "+S"(from), "+D"(q), "+c"(n) : : "memory");
        }
    }
    if (argc >= 3 && strcmp(argv[2], "oom-child") == 0) {
        int fds[2];
        if (pipe(fds) != 0) {
            perror("pipe");
            return 1;
        }
        pid_t pid = fork();
        if (pid == 0) {
            memset(p, 1, words * sizeof(uint32_t));
            if (write(fds[1], "r", 1) != 1)
                return 1;
            for (;;)
                pause();
        }
        char c;
        if (read(fds[0], &c, 1) != 1) {
            puts("child never got ready");
            return 1;
        }
        memset(p, 2, words * sizeof(uint32_t));
        size_t bad = 0;
        for (size_t i = 0; i < words; i++)
            bad += p[i] != 0x02020202u;
        int status = 0;
        kill(pid, SIGTERM); /* the child is gone already when the OOM killer took it */
        waitpid(pid, &status, 0);
        printf("parent touched %zu MiB, %zu words wrong; child %s %d\n", (words * sizeof(uint32_t)) >> 20, bad,
               WIFSIGNALED(status) ? "killed by signal" : "exited", WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
        return 0;
    }
    if (argc >= 3 && strcmp(argv[2], "fork") == 0) {
        int rc = passes("both", p, words, 0, 0, 0);
        fputs(report, stdout);
        fflush(stdout);
        report[0] = 0;
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            return 1;
        }
        if (pid == 0) {
            rc |= passes("child", p, words, 1, 2, 0x5eed0001u);
            fputs(report, stdout);
            return rc;
        }
        rc |= passes("parent", p, words, 1, 2, 0x5eed0002u);
        int status = 0;
        waitpid(pid, &status, 0);
        fputs(report, stdout);
        printf("child exit %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
        return rc;
    }
    if (shared) {
        int rc = passes("parent", p, words, 0, 0, 0);
        fputs(report, stdout);
        fflush(stdout);
        report[0] = 0;
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            return 1;
        }
        if (pid == 0) {
            rc |= passes("child", p, words, 1, 1, 0x5eed0003u);
            fputs(report, stdout);
            return rc;
        }
        int status = 0;
        waitpid(pid, &status, 0);
        printf("child exit %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
        rc |= passes("parent", p, words, 2, 3, 0x5eed0003u);
        fputs(report, stdout);
        return rc;
    }
    int rc = passes("main", p, words, 0, 2, 0);
    fputs(report, stdout);
    if (p != NULL)
        munmap(p, words * sizeof(uint32_t));
    return rc;
}
