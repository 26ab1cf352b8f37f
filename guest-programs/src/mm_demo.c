/*
 * mm_demo.c — a small program to watch the memory manager in the debugger (README, "Seeing the
 * memory manager at work"; test/debug/mmViews.test.ts):
 *   - an anonymous mmap of 4 pages that nothing touches until touch() stores to the first one
 *     (demand paging: the PTE is empty before, present after);
 *   - a fork whose child waits on a pipe in the read() before writing shared_counter, so at
 *     after_fork() parent and child map the same frames (copy-on-write), and the program's
 *     text is one page-cache frame mapped by both;
 *   - after_child() runs once the child wrote its copy and exited.
 * The functions are noinline so that `break touch` and the like stop in them.
 */
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

int shared_counter = 42;

__attribute__((noinline)) void touch(volatile char *p) { p[0] = 1; }
__attribute__((noinline)) void after_fork(int child) { __asm__ volatile("" : : "r"(child)); }
__attribute__((noinline)) void after_child(int status) { __asm__ volatile("" : : "r"(status)); }

int main(void)
{
    int fds[2], status = 0;
    char go = 0;
    char *area = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (area == MAP_FAILED || pipe(fds) != 0)
        return 1;
    printf("area %p, shared_counter at %p\n", (void *)area, (void *)&shared_counter);
    fflush(stdout);
    touch(area);
    pid_t pid = fork();
    if (pid == 0) {
        if (read(fds[0], &go, 1) != 1)
            _exit(2);
        shared_counter++;
        _exit(shared_counter == 43 ? 0 : 3);
    }
    after_fork(pid);
    if (write(fds[1], &go, 1) != 1 || waitpid(pid, &status, 0) != pid)
        return 1;
    after_child(status);
    printf("child exited %d; parent's shared_counter still %d; area[0] = %d\n", WEXITSTATUS(status), shared_counter, area[0]);
    return 0;
}
