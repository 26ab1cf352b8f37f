/*
 * bench_faults.c — a page-fault and TLB benchmark for the emulator: each round maps 16 MiB of
 * anonymous memory, touches every page (demand-zero faults), then forks a child that writes
 * every page again (copy-on-write faults) and reads them back with a stride that visits a new
 * page on every load (TLB refills), and unmaps it all. Prints one checksum line.
 *
 *   bench_faults [ROUNDS]
 *
 * The default, 4 rounds, takes 32,768 page faults in all (4,096 demand-zero and 4,096
 * copy-on-write per round); it prints "faults 32768 sum ..." natively and under qemu-i386.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define AREA (16u << 20)
#define PAGE 4096u
#define PAGES (AREA / PAGE)

static uint32_t read_back(volatile uint32_t *p, int passes)
{
    uint32_t sum = 0;
    for (int k = 0; k < passes; k++)
        for (uint32_t i = 0; i < PAGES; i++)
            sum += p[i * (PAGE / 4) + (k & 31)];
    return sum;
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 4;
    uint32_t total = 0;
    long faults = 0;
    for (int r = 0; r < rounds; r++) {
        volatile uint32_t *p = mmap(NULL, AREA, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            perror("mmap");
            return 1;
        }
        for (uint32_t i = 0; i < PAGES; i++)
            p[i * (PAGE / 4)] = i + (uint32_t)r;
        faults += PAGES;
        int fds[2];
        if (pipe(fds) != 0) {
            perror("pipe");
            return 1;
        }
        pid_t pid = fork();
        if (pid == 0) {
            for (uint32_t i = 0; i < PAGES; i++)
                p[i * (PAGE / 4) + 1] = i * 3u;
            uint32_t s = read_back(p, 8);
            if (write(fds[1], &s, sizeof s) != sizeof s)
                _exit(2);
            _exit(0);
        }
        uint32_t s = 0;
        if (pid < 0 || read(fds[0], &s, sizeof s) != sizeof s) {
            perror("fork/read");
            return 1;
        }
        int status;
        waitpid(pid, &status, 0);
        close(fds[0]);
        close(fds[1]);
        faults += PAGES;
        total += s + read_back(p, 4);
        munmap((void *)p, AREA);
    }
    printf("faults %ld sum %08x\n", faults, total);
    return 0;
}
