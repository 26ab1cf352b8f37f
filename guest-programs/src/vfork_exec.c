/*
 * vfork_exec.c — starting other programs: vfork + execve with argv and envp, posix_spawn
 * with file actions, a "#!" script, execve's errors, close-on-exec descriptors, and signal
 * dispositions across execve (a handler becomes SIG_DFL, SIG_IGN and the blocked mask stay).
 *
 *   vfork_exec CHECK    CHECK is one of: vfork, vfork_shared, spawn, script, execfail,
 *                       cloexec, sigreset, exec, exec_script
 *   vfork_exec all      every check in turn but exec and exec_script, which replace this
 *                       program by argv_env (directly, and through a "#!" script)
 *
 * The programs it starts (argv_env, and itself with the hidden checks fdcheck and sigcheck)
 * are found next to it through argv[0], the "#!" scripts in guest-programs/scripts, so run it
 * as guest-programs/build/vfork_exec from the repository root (the scripts name their
 * interpreter relative to it). The environment handed to a
 * started program has one variable: qemu-user, one of the references, reverses its order.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[512]; /* the directory this program lives in, from argv[0] */
static char self[600];

static void die(const char *what)
{
    printf("FAIL %s: %s\n", what, strerror(errno));
    exit(99);
}

static const char *errname(int e)
{
    switch (e) {
    case 0: return "0";
    case ENOENT: return "ENOENT";
    case EACCES: return "EACCES";
    case ENOEXEC: return "ENOEXEC";
    case ENOTDIR: return "ENOTDIR";
    case EFAULT: return "EFAULT";
    case E2BIG: return "E2BIG";
    case EBADF: return "EBADF";
    case ESPIPE: return "ESPIPE";
    default: return strerror(e);
    }
}

static void describe_status(const char *what, int status)
{
    if (WIFEXITED(status))
        printf("%s: exited %d\n", what, WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        printf("%s: killed by signal %d\n", what, WTERMSIG(status));
    else
        printf("%s: other status 0x%x\n", what, status);
}

static int wait_for(pid_t pid)
{
    int status;
    if (waitpid(pid, &status, 0) != pid)
        die("waitpid");
    return status;
}

static void path_of(char *out, size_t size, const char *name)
{
    snprintf(out, size, "%s/%s", dir, name);
}

/* guest-programs/scripts/NAME, next to the build directory this program is in */
static void script_path(char *out, size_t size, const char *name)
{
    char parent[512];
    snprintf(parent, sizeof parent, "%s", dir);
    char *slash = strrchr(parent, '/');
    if (slash)
        *slash = 0;
    else
        strcpy(parent, "..");
    snprintf(out, size, "%s/scripts/%s", parent, name);
}

/* vfork + execve: the child's output comes first because the parent waits for it. A failed
 * execve in the child is reported through its exit status (the errno). */
static void check_vfork(void)
{
    char prog[600];
    path_of(prog, sizeof prog, "argv_env");
    char *argv[] = { "argv_env-as-argv0", "first", "two words", "", NULL };
    char *envp[] = { "GREETING=hello from vfork", NULL };
    fflush(stdout);
    pid_t pid = vfork();
    if (pid < 0)
        die("vfork");
    if (pid == 0) {
        execve(prog, argv, envp);
        _exit(100 + errno);
    }
    describe_status("vfork+execve argv_env", wait_for(pid));

    char *noenv[] = { NULL };
    char *argv2[] = { "argv_env", NULL };
    pid = vfork();
    if (pid == 0) {
        execve(prog, argv2, noenv);
        _exit(100 + errno);
    }
    describe_status("vfork+execve with an empty environment", wait_for(pid));

    pid = vfork();
    if (pid == 0) {
        execve("no/such/program", argv2, noenv);
        _exit(100 + errno);
    }
    int status = wait_for(pid);
    printf("vfork+execve of a missing file: child exited 100+%s\n",
           WIFEXITED(status) ? errname(WEXITSTATUS(status) - 100) : "?");

    pid = vfork();
    if (pid == 0)
        _exit(3);
    describe_status("vfork+_exit(3)", wait_for(pid));
}

/* Linux suspends the parent until the vfork child execs or exits, and the child runs in the
 * parent's memory, so its stores are seen by the parent. */
static void check_vfork_shared(void)
{
    static volatile int shared;
    volatile int on_stack = 1;
    shared = 0;
    fflush(stdout);
    pid_t pid = vfork();
    if (pid < 0)
        die("vfork");
    if (pid == 0) {
        shared = 42;
        on_stack = 2;
        _exit(0);
    }
    printf("the child ran to _exit before vfork returned in the parent: %s\n",
           shared == 42 ? "yes" : "no");
    printf("global written by the vfork child: %d\n", shared);
    printf("stack variable written by the vfork child: %d\n", on_stack);
    describe_status("vfork child", wait_for(pid));
}

/* posix_spawn with the child's stdout dup2'd onto a pipe and the read end closed in it. */
static void check_spawn(void)
{
    char prog[600];
    path_of(prog, sizeof prog, "argv_env");
    int out[2];
    if (pipe(out) < 0)
        die("pipe");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    posix_spawn_file_actions_addclose(&fa, out[1]);
    char *argv[] = { "spawned", "--x=1", "y", NULL };
    char *envp[] = { "SPAWNED=yes", NULL };
    pid_t pid;
    int rc = posix_spawn(&pid, prog, &fa, NULL, argv, envp);
    printf("posix_spawn: %s\n", errname(rc));
    close(out[1]);
    char buf[4096];
    ssize_t n, total = 0;
    while ((n = read(out[0], buf + total, sizeof buf - 1 - total)) > 0)
        total += n;
    buf[total] = 0;
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
        printf("| %s\n", line);
    describe_status("spawned argv_env", wait_for(pid));
    close(out[0]);
    posix_spawn_file_actions_destroy(&fa);

    /* The spawned program gets the signal mask and dispositions the attributes ask for. */
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    posix_spawnattr_setsigmask(&attr, &mask);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
    char *argv2[] = { self, "sigcheck", NULL };
    fflush(stdout);
    rc = posix_spawn(&pid, self, NULL, &attr, argv2, envp);
    printf("posix_spawn with a signal mask: %s\n", errname(rc));
    describe_status("spawned sigcheck", wait_for(pid));
    posix_spawnattr_destroy(&attr);
}

static void run_and_wait(const char *what, const char *path, char **argv)
{
    char *envp[] = { "FROM=script", NULL };
    fflush(stdout);
    pid_t pid = vfork();
    if (pid < 0)
        die("vfork");
    if (pid == 0) {
        execve(path, argv, envp);
        _exit(100 + errno);
    }
    int status = wait_for(pid);
    if (WIFEXITED(status) && WEXITSTATUS(status) >= 100)
        printf("%s: execve failed with %s\n", what, errname(WEXITSTATUS(status) - 100));
    else
        describe_status(what, status);
}

/* execve of the "#!" scripts in guest-programs/scripts (see its README), whose interpreter is
 * argv_env: the kernel runs the interpreter with its optional argument and the script's path
 * in front of the original arguments (argv[0] is dropped). */
static void check_script(void)
{
    char script[600];
    char *argv1[] = { "script-argv0", "a1", "a 2", NULL };
    script_path(script, sizeof script, "shebang-plain");
    run_and_wait("script without an interpreter argument", script, argv1);

    /* Blanks around the interpreter and its argument; the argument is everything up to the
     * end of the line, trailing blanks removed. */
    char *argv2[] = { "ignored-argv0", "b1", NULL };
    script_path(script, sizeof script, "shebang-arg");
    run_and_wait("script with an interpreter argument", script, argv2);

    script_path(script, sizeof script, "shebang-missing");
    run_and_wait("script with a missing interpreter", script, argv2);
    script_path(script, sizeof script, "not-elf");
    run_and_wait("executable text without #!", script, argv2);
    script_path(script, sizeof script, "not-executable");
    run_and_wait("script without execute permission", script, argv2);
}

/* execve in this very process (no fork): the new image's output follows ours, and its exit
 * status is the process's. exec_script's image is a "#!" script run by argv_env. */
static void exec_here(const char *prog)
{
    char *argv[] = { "replaced", "--arg", NULL };
    char *envp[] = { "EXECED=1", NULL };
    printf("before execve (this line is flushed first)\n");
    fflush(stdout);
    execve(prog, argv, envp);
    printf("execve failed: %s\n", errname(errno));
    exit(1);
}

static void check_exec(void)
{
    char prog[600];
    path_of(prog, sizeof prog, "argv_env");
    exec_here(prog);
}

static void check_exec_script(void)
{
    char prog[600];
    script_path(prog, sizeof prog, "shebang-exec");
    exec_here(prog);
}

/* execve failures need no second process: the call returns in this one. */
static void check_execfail(void)
{
    char *argv[] = { "x", NULL };
    char *envp[] = { NULL };
    static const char *const paths[] = { "no/such/file", "README.md", "guest-programs",
                                         "README.md/x", "" };
    for (unsigned i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        errno = 0;
        int rc = execve(paths[i], argv, envp);
        printf("execve(\"%s\"): %d %s\n", paths[i], rc, errname(errno));
    }
    const char *volatile null_path = NULL; /* hidden from the compiler's nonnull check */
    errno = 0;
    int rc = execve(null_path, argv, envp);
    printf("execve(NULL): %d %s\n", rc, errname(errno));
}

/* Descriptors with FD_CLOEXEC are gone in the new image, the others stay open with their
 * file offsets. */
static void check_cloexec(void)
{
    int a = open("README.md", O_RDONLY | O_CLOEXEC);
    int b = open("README.md", O_RDONLY);
    int c = dup(a);                      /* dup clears FD_CLOEXEC */
    int d = fcntl(b, F_DUPFD_CLOEXEC, 0);
    int p[2];
    if (a < 0 || b < 0 || c < 0 || d < 0 || pipe2(p, O_CLOEXEC) < 0)
        die("open");
    int e = 20;
    if (dup2(p[0], e) != e)
        die("dup2");
    fcntl(p[1], F_SETFD, 0); /* the write end survives */
    char buf[10];
    if (read(b, buf, sizeof buf) != sizeof buf || lseek(c, 25, SEEK_SET) != 25)
        die("read");
    printf("before execve: FD_CLOEXEC on fds a..e: %d %d %d %d %d\n", fcntl(a, F_GETFD),
           fcntl(b, F_GETFD), fcntl(c, F_GETFD), fcntl(d, F_GETFD), fcntl(e, F_GETFD));
    char fds[5][12];
    int nums[5] = { a, b, c, d, e };
    char *argv[9] = { self, "fdcheck" };
    for (int i = 0; i < 5; i++) {
        snprintf(fds[i], sizeof fds[i], "%d", nums[i]);
        argv[2 + i] = fds[i];
    }
    argv[7] = NULL;
    char *envp[] = { NULL };
    fflush(stdout);
    pid_t pid = vfork();
    if (pid == 0) {
        execve(self, argv, envp);
        _exit(100 + errno);
    }
    describe_status("fdcheck", wait_for(pid));
}

/* Run in the new image: which of the descriptors named in argv are open, and where. */
static int fdcheck(int argc, char **argv)
{
    for (int i = 2; i < argc; i++) {
        int fd = atoi(argv[i]);
        int flags = fcntl(fd, F_GETFD);
        if (flags < 0) {
            printf("fd %c: closed (%s)\n", 'a' + i - 2, errname(errno));
            continue;
        }
        off_t pos = lseek(fd, 0, SEEK_CUR);
        printf("fd %c: open, FD_CLOEXEC %d, offset %ld (%s)\n", 'a' + i - 2, flags,
               pos < 0 ? -1L : (long)pos, pos < 0 ? errname(errno) : "seekable");
    }
    return 0;
}

static void on_signal(int sig)
{
    (void)sig;
}

/* Before execve: a handler for SIGUSR1 and SIGTERM, SIGUSR2 and SIGHUP ignored, SIGINT and
 * SIGUSR2 blocked. The new image finds the handled signals at SIG_DFL, the ignored ones
 * still ignored and the mask unchanged. */
static void check_sigreset(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGUSR2, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigset_t mask, old;
    sigemptyset(&mask);
    sigaddset(&mask, SIGINT);
    sigaddset(&mask, SIGUSR2);
    sigprocmask(SIG_BLOCK, &mask, &old);
    char *argv[] = { self, "sigcheck", NULL };
    char *envp[] = { NULL };
    fflush(stdout);
    pid_t pid = vfork();
    if (pid == 0) {
        execve(self, argv, envp);
        _exit(100 + errno);
    }
    describe_status("sigcheck", wait_for(pid));
    sigprocmask(SIG_SETMASK, &old, NULL);
    sa.sa_handler = SIG_DFL;
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGUSR2, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

/* Run in the new image: the disposition and blocked state of a few signals. */
static int sigcheck(void)
{
    static const int sigs[] = { SIGHUP, SIGINT, SIGUSR1, SIGUSR2, SIGTERM, SIGCHLD };
    sigset_t mask;
    sigprocmask(SIG_BLOCK, NULL, &mask);
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction sa;
        sigaction(sigs[i], NULL, &sa);
        printf("signal %d: %s, %s\n", sigs[i],
               sa.sa_handler == SIG_DFL ? "SIG_DFL" : sa.sa_handler == SIG_IGN ? "SIG_IGN" : "a handler",
               sigismember(&mask, sigs[i]) ? "blocked" : "not blocked");
    }
    return 0;
}

static const struct {
    const char *name;
    void (*run)(void);
} checks[] = {
    { "vfork", check_vfork },     { "vfork_shared", check_vfork_shared },
    { "spawn", check_spawn },     { "script", check_script },
    { "execfail", check_execfail }, { "cloexec", check_cloexec },
    { "sigreset", check_sigreset }, { "exec", check_exec },
    { "exec_script", check_exec_script },
};

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    snprintf(self, sizeof self, "%s", argv[0]);
    snprintf(dir, sizeof dir, "%s", argv[0]);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = 0;
    else
        strcpy(dir, ".");
    const char *which = argc > 1 ? argv[1] : "";
    if (strcmp(which, "fdcheck") == 0)
        return fdcheck(argc, argv);
    if (strcmp(which, "sigcheck") == 0)
        return sigcheck();
    int ran = 0;
    for (unsigned i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        int all = strcmp(which, "all") == 0 && strcmp(checks[i].name, "exec") != 0
                  && strcmp(checks[i].name, "exec_script") != 0;
        if (all || strcmp(which, checks[i].name) == 0) {
            printf("== %s\n", checks[i].name);
            checks[i].run();
            ran++;
        }
    }
    if (!ran) {
        fprintf(stderr, "usage: %s all|vfork|vfork_shared|spawn|script|execfail|cloexec|sigreset|exec|exec_script\n",
                argv[0]);
        return 2;
    }
    return 0;
}
