/*
 * fork_cow.c — fork and wait: copy-on-write isolation of globals, heap and stack between
 * parent and child (both directions), exit and signal statuses decoded with the wait macros,
 * 50 children reaped in order, WNOHANG, a zombie's state in /proc/PID/stat until it is
 * reaped, an orphan reparented away from its exited parent, and to a subreaper; the CPU time
 * of reaped children in wait4's rusage, getrusage(RUSAGE_CHILDREN) and times().
 *
 *   fork_cow CHECK      CHECK is one of: cow, bigcow, status, reap50, wnohang, zombie, orphan,
 *                       subreaper, rusage
 *   fork_cow all        every check in turn
 *
 * Children never print; they report through their exit status or a pipe, and the parent
 * prints one line per check, so the output does not depend on scheduling.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <unistd.h>

static int global_counter = 100;
static char global_text[32] = "parent-global";

static void die(const char *what)
{
    printf("FAIL %s: %s\n", what, strerror(errno));
    exit(99);
}

static pid_t xfork(void)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    return pid;
}

static void describe_status(const char *what, int status)
{
    if (WIFEXITED(status))
        printf("%s: exited %d\n", what, WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        printf("%s: killed by signal %d (%s), core dumped %d\n", what, WTERMSIG(status),
               strsignal(WTERMSIG(status)), WCOREDUMP(status) ? 1 : 0);
    else
        printf("%s: other status 0x%x\n", what, status);
}

static int wait_for(pid_t pid)
{
    int status;
    pid_t got = waitpid(pid, &status, 0);
    if (got != pid)
        die("waitpid");
    return status;
}

/* The child changes a global, a heap block and a stack array; the parent sees none of it.
 * Then the parent changes them and the child, released through a pipe, still sees the
 * values of the moment of the fork. */
static void check_cow(void)
{
    char stack_text[32] = "parent-stack";
    char *heap = malloc(64);
    int ready[2], report[2];
    strcpy(heap, "parent-heap");
    if (pipe(ready) < 0 || pipe(report) < 0)
        die("pipe");

    pid_t pid = xfork();
    if (pid == 0) {
        close(ready[1]);
        close(report[0]);
        global_counter = 200;
        strcpy(global_text, "child-global");
        strcpy(heap, "child-heap");
        strcpy(stack_text, "child-stack");
        char byte;
        if (read(ready[0], &byte, 1) != 1) /* the parent has written its own values now */
            _exit(98);
        char line[160];
        int n = snprintf(line, sizeof line, "child sees: %d %s %s %s\n", global_counter,
                         global_text, heap, stack_text);
        if (write(report[1], line, n) != n)
            _exit(97);
        _exit(0);
    }
    close(ready[0]);
    close(report[1]);
    usleep(20000); /* give the child time to write first (the outcome does not depend on it) */
    printf("parent sees after child wrote: %d %s %s %s\n", global_counter, global_text, heap,
           stack_text);
    global_counter = 300;
    strcpy(global_text, "parent-changed");
    strcpy(heap, "parent-heap2");
    strcpy(stack_text, "parent-stack2");
    if (write(ready[1], "x", 1) != 1)
        die("write");
    char buf[200];
    ssize_t n = read(report[0], buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = 0;
    fputs(buf, stdout);
    describe_status("cow child", wait_for(pid));
    printf("parent sees at end: %d %s %s %s\n", global_counter, global_text, heap, stack_text);
    close(ready[1]);
    close(report[0]);
    free(heap);
}

/* A 4 MiB heap block, filled before the fork: the child rewrites every page, the parent
 * rewrites every other page; each side's checksum covers only its own writes. */
static uint32_t checksum(const unsigned char *p, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i += 97)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static void check_bigcow(void)
{
    const size_t size = 4u << 20;
    unsigned char *block = malloc(size);
    for (size_t i = 0; i < size; i++)
        block[i] = (unsigned char)(i * 7);
    uint32_t before = checksum(block, size);
    printf("block checksum before fork: %08x\n", before);

    int report[2];
    if (pipe(report) < 0)
        die("pipe");
    pid_t pid = xfork();
    if (pid == 0) {
        close(report[0]);
        for (size_t i = 0; i < size; i += 4096)
            block[i] ^= 0xff;
        uint32_t sum = checksum(block, size);
        if (write(report[1], &sum, sizeof sum) != sizeof sum)
            _exit(97);
        _exit(0);
    }
    close(report[1]);
    for (size_t i = 0; i < size; i += 8192)
        block[i + 1] ^= 0x55;
    uint32_t child_sum = 0;
    if (read(report[0], &child_sum, sizeof child_sum) != sizeof child_sum)
        die("read");
    describe_status("bigcow child", wait_for(pid));
    printf("child's checksum after its writes: %08x\n", child_sum);
    printf("parent's checksum after its writes: %08x\n", checksum(block, size));
    for (size_t i = 0; i < size; i += 8192)
        block[i + 1] ^= 0x55;
    printf("parent's block restored equals the original: %s\n",
           checksum(block, size) == before ? "yes" : "no");
    close(report[0]);
    free(block);
}

/* Exit statuses and deaths by signal as waitpid reports them. Children that die of a
 * core-dumping signal first make themselves non-dumpable (and RLIMIT_CORE 0), so that no
 * core is written whatever the host's core_pattern says and WCOREDUMP is 0 everywhere. */
static void no_core(void)
{
    struct rlimit rl = { 0, 0 };
    setrlimit(RLIMIT_CORE, &rl);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

static void check_status(void)
{
    static const int codes[] = { 0, 1, 42, 255, 256, 257, -1 };
    for (unsigned i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        pid_t pid = xfork();
        if (pid == 0)
            _exit(codes[i]);
        char what[40];
        snprintf(what, sizeof what, "_exit(%d)", codes[i]);
        describe_status(what, wait_for(pid));
    }
    pid_t pid = xfork();
    if (pid == 0)
        exit(7); /* through atexit and stdio */
    describe_status("exit(7)", wait_for(pid));

    static const int sigs[] = { SIGKILL, SIGTERM, SIGUSR1, SIGINT, SIGHUP, SIGALRM };
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        pid = xfork();
        if (pid == 0) {
            kill(getpid(), sigs[i]);
            _exit(50); /* not reached */
        }
        char what[40];
        snprintf(what, sizeof what, "kill(self, %d)", sigs[i]);
        describe_status(what, wait_for(pid));
    }

    /* The parent kills a child blocked in pause(). */
    pid = xfork();
    if (pid == 0) {
        for (;;)
            pause();
    }
    kill(pid, SIGTERM);
    describe_status("parent sent SIGTERM", wait_for(pid));

    pid = xfork();
    if (pid == 0) {
        no_core();
        volatile int *volatile bad = (volatile int *)16;
        *bad = 1;
        _exit(51);
    }
    describe_status("null write", wait_for(pid));

    pid = xfork();
    if (pid == 0) {
        no_core();
        abort();
    }
    describe_status("abort()", wait_for(pid));

    pid = xfork();
    if (pid == 0) {
        no_core();
        volatile int zero = 0;
        _exit(10 / zero);
    }
    describe_status("divide by zero", wait_for(pid));
}

/* 50 children exit with 0..49; reaped in the order they were made, by pid. */
static void check_reap50(void)
{
    enum { N = 50 };
    pid_t pids[N];
    for (int i = 0; i < N; i++) {
        pids[i] = xfork();
        if (pids[i] == 0)
            _exit(i);
    }
    int distinct = 1;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < i; j++)
            if (pids[i] == pids[j])
                distinct = 0;
    printf("50 distinct child pids: %s\n", distinct ? "yes" : "no");
    for (int i = 0; i < N; i++) {
        int status = wait_for(pids[i]);
        printf("child %d exited %d\n", i, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    }
    errno = 0;
    pid_t none = wait(NULL);
    printf("wait with no children: %d %s\n", (int)none, errno == ECHILD ? "ECHILD" : strerror(errno));

    /* Again, reaped with wait() in whatever order; the statuses sum the same. */
    for (int i = 0; i < N; i++) {
        pid_t pid = xfork();
        if (pid == 0)
            _exit(i + 1);
    }
    int sum = 0, count = 0, status;
    while (wait(&status) > 0) {
        sum += WEXITSTATUS(status);
        count++;
    }
    printf("wait() reaped %d children, statuses sum to %d\n", count, sum);
}

/* WNOHANG answers 0 while the child runs, then its pid once it has exited. */
static void check_wnohang(void)
{
    int gate[2];
    if (pipe(gate) < 0)
        die("pipe");
    pid_t pid = xfork();
    if (pid == 0) {
        close(gate[1]);
        char byte;
        _exit(read(gate[0], &byte, 1) == 0 ? 23 : 24); /* EOF when the parent closes */
    }
    close(gate[0]);
    int status = -1;
    pid_t got = waitpid(pid, &status, WNOHANG);
    printf("WNOHANG while the child runs: %d\n", (int)got);
    got = waitpid(-1, &status, WNOHANG);
    printf("WNOHANG on any child while it runs: %d\n", (int)got);
    close(gate[1]);
    for (int tries = 0; tries < 10000; tries++) {
        got = waitpid(pid, &status, WNOHANG);
        if (got != 0)
            break;
        usleep(1000);
    }
    printf("WNOHANG after the child exits returns its pid: %s\n", got == pid ? "yes" : "no");
    describe_status("wnohang child", status);
    errno = 0;
    got = waitpid(pid, &status, WNOHANG);
    printf("WNOHANG once reaped: %d %s\n", (int)got, errno == ECHILD ? "ECHILD" : strerror(errno));
}

/* The state letter of /proc/PID/stat (after the command name in parentheses), or '-'. */
static char proc_state(pid_t pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return '-';
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *paren = strrchr(buf, ')');
    return paren && paren[1] == ' ' ? paren[2] : '?';
}

static void check_zombie(void)
{
    int gate[2];
    if (pipe(gate) < 0)
        die("pipe");
    pid_t pid = xfork();
    if (pid == 0) {
        close(gate[1]);
        char byte;
        ssize_t r = read(gate[0], &byte, 1);
        _exit(r == 0 ? 5 : 6);
    }
    close(gate[0]);
    /* Blocked in read: sleeping. Give it time to get there. */
    char state = '?';
    for (int tries = 0; tries < 2500 && state != 'S'; tries++) {
        usleep(2000);
        state = proc_state(pid);
    }
    printf("running child blocked in read: state %c\n", state);
    close(gate[1]);
    siginfo_t info;
    memset(&info, 0, sizeof info);
    if (waitid(P_PID, pid, &info, WEXITED | WNOWAIT) < 0) /* wait for the exit, do not reap */
        die("waitid");
    printf("waitid WNOWAIT: code %s status %d\n", info.si_code == CLD_EXITED ? "CLD_EXITED" : "?",
           info.si_status);
    printf("exited, not reaped: state %c\n", proc_state(pid));
    printf("still exited, not reaped: state %c\n", proc_state(pid));
    describe_status("zombie child", wait_for(pid));
    printf("after reaping: /proc/PID/stat %s\n", proc_state(pid) == '-' ? "gone" : "still there");
}

/* A child exits leaving a grandchild: the grandchild is reparented away from it (to init or
 * to a subreaper further up, which one depends on the host, so only the change is checked)
 * and reports through a pipe, since we cannot reap it. */
static void check_orphan(void)
{
    int gate[2], report[2];
    if (pipe(gate) < 0 || pipe(report) < 0)
        die("pipe");
    pid_t self = getpid();
    pid_t child = xfork();
    if (child == 0) {
        close(report[0]);
        pid_t middle = getpid();
        int ack[2];
        if (pipe(ack) < 0)
            _exit(5);
        pid_t grandchild = fork();
        if (grandchild == 0) {
            close(gate[1]);
            close(ack[0]);
            char line[128], byte;
            int before = getppid() == middle;
            if (write(ack[1], "k", 1) != 1) /* the middle process may exit now */
                _exit(91);
            /* EOF once the middle process (the only writer left) has exited */
            ssize_t r = read(gate[0], &byte, 1);
            /* reparenting may lag the EOF by a moment */
            for (int tries = 0; tries < 5000 && getppid() == middle; tries++)
                usleep(1000);
            int n = snprintf(line, sizeof line,
                             "grandchild: EOF %s, parent was the middle child %s, now %s, not us %s\n",
                             r == 0 ? "yes" : r < 0 ? strerror(errno) : "data", before ? "yes" : "no",
                             getppid() != middle ? "changed" : "unchanged",
                             getppid() != self ? "yes" : "no");
            if (write(report[1], line, n) != n)
                _exit(1);
            _exit(0);
        }
        close(gate[0]);
        close(ack[1]);
        char byte;
        if (grandchild < 0 || read(ack[0], &byte, 1) != 1)
            _exit(4);
        _exit(3);
    }
    close(gate[1]);
    close(gate[0]);
    close(report[1]);
    describe_status("middle child", wait_for(child));
    char buf[200];
    ssize_t n, total = 0;
    while ((n = read(report[0], buf + total, sizeof buf - 1 - total)) > 0)
        total += n; /* until EOF: the grandchild has exited */
    buf[total] = 0;
    fputs(buf, stdout);
    errno = 0;
    pid_t got = waitpid(-1, NULL, WNOHANG);
    printf("the grandchild is not ours to reap: %d %s\n", (int)got, errno == ECHILD ? "ECHILD" : strerror(errno));
    close(report[0]);
}

/* The same with this process a child subreaper (prctl PR_SET_CHILD_SUBREAPER): the orphan
 * becomes our child and we reap it. */
static void check_subreaper(void)
{
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
        die("PR_SET_CHILD_SUBREAPER");
    int subreaper = 0;
    prctl(PR_GET_CHILD_SUBREAPER, &subreaper, 0, 0, 0);
    printf("PR_GET_CHILD_SUBREAPER: %d\n", subreaper);
    pid_t self = getpid();
    int gate[2];
    if (pipe(gate) < 0)
        die("pipe");
    pid_t child = xfork();
    if (child == 0) {
        pid_t middle = getpid();
        int ack[2];
        if (pipe(ack) < 0)
            _exit(5);
        pid_t grandchild = fork();
        if (grandchild == 0) {
            close(gate[1]);
            close(ack[0]);
            int before = getppid() == middle;
            if (write(ack[1], "k", 1) != 1)
                _exit(91);
            char byte;
            if (read(gate[0], &byte, 1) != 0)
                _exit(90);
            for (int tries = 0; tries < 5000 && getppid() == middle; tries++)
                usleep(1000);
            _exit((before ? 10 : 0) + (getppid() == self ? 1 : 0));
        }
        close(gate[0]);
        close(ack[1]);
        char byte;
        if (grandchild < 0 || read(ack[0], &byte, 1) != 1)
            _exit(4);
        _exit(3);
    }
    close(gate[1]);
    close(gate[0]);
    describe_status("middle child", wait_for(child));
    int status = 0;
    pid_t got = wait(&status);
    printf("reaped the orphaned grandchild: %s\n", got > 0 && got != child ? "yes" : "no");
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    printf("grandchild's parent was the middle child: %s\n", code >= 10 ? "yes" : "no");
    printf("grandchild's parent then became the subreaper: %s\n", code % 10 == 1 ? "yes" : "no");
    prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
}

/* ---- CPU time of children: wait4's rusage, getrusage(RUSAGE_CHILDREN) and times() count a
 * reaped child's time (its threads' and its own reaped children's too) */
static int tv_positive(struct timeval tv)
{
    return tv.tv_sec > 0 || tv.tv_usec > 0;
}

static void spin(long n)
{
    volatile long x = 0;
    for (long i = 0; i < n; i++)
        x += i;
}

static void check_rusage(void)
{
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        pid_t grandchild = fork(); /* its time reaches the parent through the child's wait */
        if (grandchild == 0) {
            spin(3000000);
            _exit(0);
        }
        waitpid(grandchild, NULL, 0);
        spin(3000000);
        _exit(0);
    }
    int status;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    if (wait4(pid, &status, 0, &ru) != pid)
        die("wait4");
    printf("wait4 rusage: user time > 0: %s, ru_maxrss > 0: %s\n", tv_positive(ru.ru_utime) ? "yes" : "no",
           ru.ru_maxrss > 0 ? "yes" : "no");
    struct rusage ch;
    if (getrusage(RUSAGE_CHILDREN, &ch) < 0)
        die("getrusage");
    long long wait_us = ru.ru_utime.tv_sec * 1000000LL + ru.ru_utime.tv_usec;
    long long ch_us = ch.ru_utime.tv_sec * 1000000LL + ch.ru_utime.tv_usec;
    printf("RUSAGE_CHILDREN: user time > 0: %s, at least wait4's: %s, ru_maxrss > 0: %s\n",
           ch_us > 0 ? "yes" : "no", ch_us >= wait_us ? "yes" : "no", ch.ru_maxrss > 0 ? "yes" : "no");
    struct tms t;
    printf("times: %s\n", times(&t) != (clock_t)-1 ? "ok" : strerror(errno));
}

static const struct {
    const char *name;
    void (*run)(void);
} checks[] = {
    { "cow", check_cow },         { "bigcow", check_bigcow }, { "status", check_status },
    { "reap50", check_reap50 },   { "wnohang", check_wnohang }, { "zombie", check_zombie },
    { "orphan", check_orphan },   { "subreaper", check_subreaper }, { "rusage", check_rusage },
};

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *which = argc > 1 ? argv[1] : "";
    int ran = 0;
    for (unsigned i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        if (strcmp(which, "all") == 0 || strcmp(which, checks[i].name) == 0) {
            printf("== %s\n", checks[i].name);
            checks[i].run();
            ran++;
        }
    }
    if (!ran) {
        fprintf(stderr, "usage: %s all|cow|bigcow|status|reap50|wnohang|zombie|orphan|subreaper|rusage\n", argv[0]);
        return 2;
    }
    return 0;
}
