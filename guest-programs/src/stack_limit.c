/*
 * stack_limit.c — the stack grows on demand up to RLIMIT_STACK and no further; beyond it the
 * program gets SIGSEGV (SEGV_MAPERR), which only a handler on an alternate stack can catch.
 *   stack_limit catch KIB        lowers RLIMIT_STACK to KIB KiB, recurses until SIGSEGV, catches
 *                                it on a sigaltstack, siglongjmps out and reports; exit 0
 *   stack_limit inherited        the same under the limit the program started with (ulimit -s)
 *   stack_limit exit KIB         as catch, but the handler itself prints (write) and _exit(0)s
 *   stack_limit nocatch KIB      lowers the limit and recurses with no handler: killed by SIGSEGV
 *   stack_limit noaltstack KIB   a SIGSEGV handler but no alternate stack: the signal cannot be
 *                                delivered on the exhausted stack, so the process is killed
 *   stack_limit regrow KIB       catch at KIB KiB, then raise the limit to 2*KIB and recurse
 *                                deeper: a lowered limit stops growth but never shrinks the stack
 *   stack_limit vfork KIB        lowers the limit to KIB KiB; a vfork child lowers its own to a
 *                                quarter and exits; the parent's stack still grows to KIB KiB
 * Each recursion frame holds a FRAME-byte volatile array it writes from the top down, so the
 * pages are touched in order, as a real deep recursion touches them.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define FRAME 1000

static sigjmp_buf back;
static volatile unsigned depth, max_depth;
static volatile uintptr_t lowest;
static volatile uintptr_t fault_addr;
static volatile int fault_code, on_altstack;
static char altstack[64 * 1024];

static void say(const char *s)
{
    fputs(s, stdout);
    fflush(stdout);
}

static void show_limit(const char *what)
{
    struct rlimit r;
    char max[32];
    getrlimit(RLIMIT_STACK, &r);
    if (r.rlim_max == RLIM_INFINITY)
        strcpy(max, "unlimited");
    else
        snprintf(max, sizeof max, "%lu", (unsigned long)r.rlim_max);
    if (r.rlim_cur == RLIM_INFINITY)
        printf("%s RLIMIT_STACK cur=unlimited max=%s\n", what, max);
    else
        printf("%s RLIMIT_STACK cur=%lu max=%s\n", what, (unsigned long)r.rlim_cur, max);
    fflush(stdout);
}

static void set_limit(unsigned long bytes)
{
    struct rlimit r;
    getrlimit(RLIMIT_STACK, &r);
    r.rlim_cur = bytes;
    if (setrlimit(RLIMIT_STACK, &r) != 0) {
        perror("setrlimit");
        exit(1);
    }
    show_limit("now");
}

/* The end of the [stack] area in /proc/self/maps: where the size of the stack is measured from. */
static uintptr_t stack_end(void)
{
    char line[256];
    unsigned long lo = 0, hi = 0;
    FILE *f = fopen("/proc/self/maps", "r");
    if (f == NULL)
        return 0;
    while (fgets(line, sizeof line, f) != NULL)
        if (strstr(line, "[stack]") != NULL)
            sscanf(line, "%lx-%lx", &lo, &hi);
    fclose(f);
    return hi;
}

static void on_segv(int sig, siginfo_t *si, void *uc)
{
    stack_t ss;
    (void)sig;
    (void)uc;
    fault_addr = (uintptr_t)si->si_addr;
    fault_code = si->si_code;
    on_altstack = sigaltstack(NULL, &ss) == 0 && (ss.ss_flags & SS_ONSTACK) != 0;
    max_depth = depth;
    siglongjmp(back, 1);
}

static uintptr_t exit_end;

/* The handler of `exit` mode: reports from the alternate stack and ends the process there. */
static void on_segv_exit(int sig, siginfo_t *si, void *uc)
{
    char msg[160];
    stack_t ss;
    int n, alt = sigaltstack(NULL, &ss) == 0 && (ss.ss_flags & SS_ONSTACK) != 0;
    (void)sig;
    (void)uc;
    n = snprintf(msg, sizeof msg, "handler: SIGSEGV si_code=%d on_altstack=%d, fault address %lu bytes below the stack end\n",
                 si->si_code, alt, (unsigned long)(exit_end - (uintptr_t)si->si_addr));
    write(1, msg, (size_t)n);
    _exit(0);
}

/* One frame per call (noinline: gcc would otherwise fold several calls into one frame). */
static __attribute__((noinline)) unsigned recurse(unsigned n)
{
    volatile char buf[FRAME];
    int i;
    for (i = FRAME - 1; i >= 0; i--)
        buf[i] = (char)n;
    depth = n;
    lowest = (uintptr_t)buf;
    if (n == 0)
        return 0;
    return recurse(n + 1) + buf[n % FRAME];
}

static void install_handler(int with_altstack, void (*handler)(int, siginfo_t *, void *))
{
    struct sigaction sa;
    if (with_altstack) {
        stack_t ss;
        ss.ss_sp = altstack;
        ss.ss_size = sizeof altstack;
        ss.ss_flags = 0;
        if (sigaltstack(&ss, NULL) != 0) {
            perror("sigaltstack");
            exit(1);
        }
    }
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO | (with_altstack ? SA_ONSTACK : 0);
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
}

static void install(int with_altstack)
{
    install_handler(with_altstack, on_segv);
}

/* Recurses until SIGSEGV; reports what the handler saw. */
static void overflow(uintptr_t end)
{
    if (sigsetjmp(back, 1) == 0) {
        recurse(1);
        say("recursion returned?\n");
        exit(1);
    }
    printf("caught SIGSEGV si_code=%d%s on_altstack=%d\n", fault_code,
           fault_code == SEGV_MAPERR ? " (SEGV_MAPERR)" : "", on_altstack);
    printf("depth %u frames of %d bytes; deepest frame %lu bytes below the stack end\n",
           max_depth, FRAME, (unsigned long)(end - lowest));
    printf("fault address %lu bytes below the stack end\n", (unsigned long)(end - fault_addr));
    fflush(stdout);
}

int main(int argc, char **argv)
{
    const char *mode = argc >= 2 ? argv[1] : "";
    unsigned long kib = argc >= 3 ? strtoul(argv[2], NULL, 10) : 0;
    uintptr_t end = stack_end();

    show_limit("start");
    if (strcmp(mode, "inherited") == 0) {
        install(1);
        overflow(end);
        return 0;
    }
    if (kib == 0) {
        fputs("usage: stack_limit catch|exit|nocatch|noaltstack|regrow KIB | inherited\n", stderr);
        return 2;
    }
    set_limit(kib * 1024);
    if (strcmp(mode, "catch") == 0) {
        install(1);
        overflow(end);
        return 0;
    }
    if (strcmp(mode, "exit") == 0) {
        exit_end = end;
        install_handler(1, on_segv_exit);
        recurse(1);
        return 1;
    }
    if (strcmp(mode, "vfork") == 0) {
        struct rlimit r = { kib * 256, RLIM_INFINITY };
        int status = 0;
        pid_t pid = vfork();
        if (pid == 0) {
            setrlimit(RLIMIT_STACK, &r);
            _exit(0);
        }
        waitpid(pid, &status, 0);
        show_limit("after vfork child");
        install(1);
        overflow(end);
        return 0;
    }
    if (strcmp(mode, "regrow") == 0) {
        unsigned first;
        install(1);
        overflow(end);
        first = max_depth;
        set_limit(2 * kib * 1024);
        overflow(end);
        printf("second recursion %s deeper\n", max_depth > first ? "went" : "did not go");
        return 0;
    }
    if (strcmp(mode, "noaltstack") == 0) {
        install(0);
        say("recursing with a handler but no alternate stack\n");
        recurse(1);
        return 1;
    }
    if (strcmp(mode, "nocatch") == 0) {
        say("recursing with no handler\n");
        recurse(1);
        return 1;
    }
    fputs("unknown mode\n", stderr);
    return 2;
}
