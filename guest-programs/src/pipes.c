/*
 * pipes.c — pipes within and between processes: 1 MiB through a pipe with a checksum, a
 * three-stage pipeline over dup2'd stdin/stdout, PIPE_BUF-sized writes from four writers
 * staying whole, SIGPIPE and EPIPE on a pipe without readers, poll and select, O_NONBLOCK
 * and the pipe's capacity, and fcntl's descriptor and status flags.
 *
 *   pipes CHECK     CHECK is one of: bulk, pipeline, atomic, sigpipe, epipe, poll, nonblock,
 *                   fcntl
 *   pipes all       every check in turn
 *
 * pipeline reads its input from stdin. Children report through pipes or exit statuses;
 * only the parent prints, after waiting, so the output does not depend on scheduling.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *what)
{
    printf("FAIL %s: %s\n", what, strerror(errno));
    exit(99);
}

static const char *errname(int e)
{
    switch (e) {
    case 0: return "0";
    case EAGAIN: return "EAGAIN";
    case EPIPE: return "EPIPE";
    case EBADF: return "EBADF";
    case EINVAL: return "EINVAL";
    case EINTR: return "EINTR";
    default: return strerror(e);
    }
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

static uint32_t fnv(uint32_t h, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static int write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* 1 MiB from a child to the parent in writes of changing sizes, read in reads of other
 * sizes; the writer sends its own checksum afterwards on a second pipe. */
static void check_bulk(void)
{
    enum { TOTAL = 1 << 20 };
    int data[2], sum[2];
    if (pipe(data) < 0 || pipe(sum) < 0)
        die("pipe");
    pid_t pid = xfork();
    if (pid == 0) {
        close(data[0]);
        close(sum[0]);
        static unsigned char buf[70000];
        uint32_t h = 2166136261u, x = 12345;
        size_t sent = 0;
        for (unsigned step = 0; sent < TOTAL; step++) {
            size_t n = (step * 7919u) % sizeof buf + 1;
            if (n > TOTAL - sent)
                n = TOTAL - sent;
            for (size_t i = 0; i < n; i++) {
                x = x * 1103515245u + 12345u;
                buf[i] = (unsigned char)(x >> 16);
            }
            h = fnv(h, buf, n);
            if (write_all(data[1], buf, n) < 0)
                _exit(1);
            sent += n;
        }
        close(data[1]);
        if (write_all(sum[1], &h, sizeof h) < 0)
            _exit(2);
        _exit(0);
    }
    close(data[1]);
    close(sum[1]);
    static unsigned char buf[9000];
    uint32_t h = 2166136261u;
    size_t got = 0, reads = 0;
    for (;;) {
        size_t want = 1 + (reads * 4099u) % sizeof buf;
        ssize_t n = read(data[0], buf, want);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            die("read");
        if (n == 0)
            break;
        h = fnv(h, buf, (size_t)n);
        got += (size_t)n;
        reads++;
    }
    uint32_t theirs = 0;
    if (read(sum[0], &theirs, sizeof theirs) != sizeof theirs)
        die("read checksum");
    describe_status("writer", wait_for(pid));
    printf("bytes read: %zu, checksum %08x, equal to the writer's: %s\n", got, h,
           h == theirs ? "yes" : "no");
    close(data[0]);
    close(sum[0]);
}

/* parent (stdin) -> child 1 (upper-cases) -> child 2 (numbers lines) -> stdout */
static void upcase_filter(void)
{
    char buf[512];
    ssize_t n;
    while ((n = read(0, buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n; i++)
            if (buf[i] >= 'a' && buf[i] <= 'z')
                buf[i] -= 32;
        if (write_all(1, buf, (size_t)n) < 0)
            _exit(1);
    }
    _exit(n == 0 ? 0 : 2);
}

static void number_filter(void)
{
    FILE *in = fdopen(0, "r");
    char line[1024];
    int n = 0;
    while (fgets(line, sizeof line, in))
        printf("%3d  %s", ++n, line);
    printf("(%d lines)\n", n);
    fflush(stdout);
    _exit(0);
}

static void check_pipeline(void)
{
    int a[2], b[2];
    if (pipe(a) < 0 || pipe(b) < 0)
        die("pipe");
    pid_t up = xfork();
    if (up == 0) {
        dup2(a[0], 0);
        dup2(b[1], 1);
        close(a[0]); close(a[1]); close(b[0]); close(b[1]);
        upcase_filter();
    }
    pid_t num = xfork();
    if (num == 0) {
        dup2(b[0], 0);
        close(a[0]); close(a[1]); close(b[0]); close(b[1]);
        number_filter();
    }
    close(a[0]);
    close(b[0]);
    close(b[1]);
    char buf[4096];
    ssize_t n;
    size_t total = 0;
    while ((n = read(0, buf, sizeof buf)) > 0) {
        if (write_all(a[1], buf, (size_t)n) < 0)
            die("write");
        total += (size_t)n;
    }
    close(a[1]); /* EOF for the first filter, which then closes the second's input */
    int s1 = wait_for(up), s2 = wait_for(num);
    printf("fed %zu bytes\n", total);
    describe_status("upcase", s1);
    describe_status("number", s2);
}

/* Four writers, 1000 records each of 128 bytes (at most PIPE_BUF, so each write is atomic),
 * one reader: every record arrives whole and each writer's records arrive in order. */
static void check_atomic(void)
{
    enum { WRITERS = 4, RECORDS = 1000, SIZE = 128 };
    int p[2];
    if (pipe(p) < 0)
        die("pipe");
    pid_t pids[WRITERS];
    for (int w = 0; w < WRITERS; w++) {
        pids[w] = xfork();
        if (pids[w] == 0) {
            close(p[0]);
            char rec[SIZE];
            for (int r = 0; r < RECORDS; r++) {
                memset(rec, 'A' + w, SIZE);
                snprintf(rec, SIZE, "%d:%04d:", w, r);
                rec[strlen(rec)] = 'A' + w;
                if (write(p[1], rec, SIZE) != SIZE)
                    _exit(1);
            }
            _exit(0);
        }
    }
    close(p[1]);
    int next[WRITERS] = { 0 }, whole = 0, torn = 0, disordered = 0;
    char rec[SIZE];
    size_t have = 0;
    ssize_t n;
    while ((n = read(p[0], rec + have, SIZE - have)) > 0) {
        have += (size_t)n;
        if (have < SIZE)
            continue;
        have = 0;
        int w = rec[0] - '0', r = atoi(rec + 2);
        int ok = w >= 0 && w < WRITERS && rec[1] == ':';
        for (int i = 8; ok && i < SIZE; i++)
            ok = rec[i] == 'A' + w;
        if (!ok) {
            torn++;
            continue;
        }
        whole++;
        if (r != next[w])
            disordered++;
        next[w] = r + 1;
    }
    int exited = 0;
    for (int w = 0; w < WRITERS; w++) {
        int s = wait_for(pids[w]);
        exited += WIFEXITED(s) && WEXITSTATUS(s) == 0;
    }
    close(p[0]);
    printf("writers exited 0: %d of %d\n", exited, WRITERS);
    printf("records whole %d, torn %d, out of order %d\n", whole, torn, disordered);
}

static volatile sig_atomic_t sigpipes;

static void on_sigpipe(int sig)
{
    (void)sig;
    sigpipes++;
}

/* A writer whose pipe has no reader left dies of SIGPIPE; with a handler the handler runs
 * and write fails with EPIPE. */
static void check_sigpipe(void)
{
    int p[2];
    if (pipe(p) < 0)
        die("pipe");
    close(p[0]);
    pid_t pid = xfork();
    if (pid == 0) {
        ssize_t r = write(p[1], "x", 1);
        _exit(r < 0 ? 1 : 2); /* not reached: SIGPIPE kills */
    }
    describe_status("writer to a pipe without readers", wait_for(pid));

    /* The reader goes away while the writer is blocked on a full pipe. */
    int q[2];
    if (pipe(q) < 0)
        die("pipe");
    pid = xfork();
    if (pid == 0) {
        close(q[0]);
        static char big[1 << 17];
        for (;;)
            if (write(q[1], big, sizeof big) < 0)
                _exit(3);
    }
    close(q[1]);
    char buf[1000];
    if (read(q[0], buf, sizeof buf) != sizeof buf) /* the writer is running */
        die("read");
    close(q[0]);
    describe_status("blocked writer when the reader closes", wait_for(pid));

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigpipe;
    sigaction(SIGPIPE, &sa, NULL);
    errno = 0;
    ssize_t r = write(p[1], "x", 1);
    printf("with a handler: write %zd %s, handler ran %d time(s)\n", r, errname(errno), (int)sigpipes);
    sa.sa_handler = SIG_DFL;
    sigaction(SIGPIPE, &sa, NULL);
    close(p[1]);
}

/* SIGPIPE ignored: write to a pipe without readers fails with EPIPE, no fork needed. */
static void check_epipe(void)
{
    signal(SIGPIPE, SIG_IGN);
    int p[2];
    if (pipe(p) < 0)
        die("pipe");
    close(p[0]);
    errno = 0;
    ssize_t r = write(p[1], "hello", 5);
    printf("write to a pipe without readers: %zd %s\n", r, errname(errno));
    struct iovec iov = { "abc", 3 };
    errno = 0;
    r = writev(p[1], &iov, 1);
    printf("writev: %zd %s\n", r, errname(errno));
    close(p[1]);
    signal(SIGPIPE, SIG_DFL);

    /* The other way round: readers see EOF once every writer is closed. */
    if (pipe(p) < 0)
        die("pipe");
    if (write(p[1], "data", 4) != 4)
        die("write");
    close(p[1]);
    char buf[16];
    ssize_t a = read(p[0], buf, sizeof buf), b = read(p[0], buf, sizeof buf);
    printf("read after the writer closed: %zd then %zd\n", a, b);
    close(p[0]);
}

static const char *revents(short r)
{
    static char s[64];
    s[0] = 0;
    if (r & POLLIN) strcat(s, "IN ");
    if (r & POLLOUT) strcat(s, "OUT ");
    if (r & POLLHUP) strcat(s, "HUP ");
    if (r & POLLERR) strcat(s, "ERR ");
    if (r & POLLNVAL) strcat(s, "NVAL ");
    if (!s[0]) strcpy(s, "none ");
    s[strlen(s) - 1] = 0;
    return s;
}

static void show_poll(const char *what, int rfd, int wfd)
{
    struct pollfd fds[2] = { { rfd, POLLIN | POLLOUT, 0 }, { wfd, POLLIN | POLLOUT, 0 } };
    int n = poll(fds, 2, 0);
    printf("poll %s: %d ready; read end %s", what, n, revents(fds[0].revents));
    printf("; write end %s\n", revents(fds[1].revents));
}

/* poll and select on an empty, a non-empty, a full, a widowed and an orphaned pipe, and a
 * poll that waits for a child to write. */
static void check_poll(void)
{
    int p[2];
    if (pipe(p) < 0)
        die("pipe");
    show_poll("empty", p[0], p[1]);
    if (write(p[1], "x", 1) != 1)
        die("write");
    show_poll("with data", p[0], p[1]);

    fd_set r, w;
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_SET(p[0], &r);
    FD_SET(p[1], &w);
    struct timeval tv = { 0, 0 };
    int n = select(p[1] + 1, &r, &w, NULL, &tv);
    printf("select with data: %d ready, readable %d, writable %d\n", n, FD_ISSET(p[0], &r) != 0,
           FD_ISSET(p[1], &w) != 0);

    fcntl(p[1], F_SETFL, O_NONBLOCK);
    static char chunk[4096];
    while (write(p[1], chunk, sizeof chunk) > 0) {
    }
    show_poll("full", p[0], p[1]);
    FD_ZERO(&w);
    FD_SET(p[1], &w);
    n = select(p[1] + 1, NULL, &w, NULL, &tv);
    printf("select full for writing: %d ready\n", n);

    close(p[1]);
    struct pollfd one = { p[0], POLLIN, 0 };
    n = poll(&one, 1, 0);
    printf("poll read end, writer closed, data left: %d %s\n", n, revents(one.revents));
    char buf[4096];
    while (read(p[0], buf, sizeof buf) > 0) {
    }
    n = poll(&one, 1, 0);
    printf("poll read end, writer closed, drained: %d %s\n", n, revents(one.revents));
    close(p[0]);

    if (pipe(p) < 0)
        die("pipe");
    close(p[0]);
    one.fd = p[1];
    one.events = POLLOUT;
    n = poll(&one, 1, 0);
    printf("poll write end, reader closed: %d %s\n", n, revents(one.revents));
    close(p[1]);
    one.fd = p[1];
    n = poll(&one, 1, 0);
    printf("poll on a closed fd: %d %s\n", n, revents(one.revents));

    /* A blocking poll woken by another process's write; the writer stays until the parent
     * closes the gate, so the poll cannot also see the hang-up. */
    int gate[2];
    if (pipe(p) < 0 || pipe(gate) < 0)
        die("pipe");
    pid_t pid = xfork();
    if (pid == 0) {
        close(p[0]);
        close(gate[1]);
        usleep(50000);
        if (write(p[1], "late", 4) != 4)
            _exit(1);
        _exit(read(gate[0], buf, 1) == 0 ? 0 : 2);
    }
    close(p[1]);
    close(gate[0]);
    one.fd = p[0];
    one.events = POLLIN;
    n = poll(&one, 1, 10000);
    ssize_t got = read(p[0], buf, sizeof buf);
    printf("blocking poll woken by a child's write: %d %s, read %zd\n", n, revents(one.revents), got);
    close(gate[1]);
    describe_status("late writer", wait_for(pid));
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    tv.tv_sec = 10;
    n = select(p[0] + 1, &r, NULL, NULL, &tv);
    printf("select after the writer exited: %d ready, readable %d\n", n, FD_ISSET(p[0], &r) != 0);
    close(p[0]);
}

/* O_NONBLOCK: reads of an empty pipe and writes to a full one fail with EAGAIN; the
 * capacity is what F_GETPIPE_SZ says. */
static void check_nonblock(void)
{
    int p[2];
    if (pipe2(p, O_NONBLOCK) < 0)
        die("pipe2");
    char buf[4096];
    errno = 0;
    ssize_t n = read(p[0], buf, sizeof buf);
    printf("read of an empty non-blocking pipe: %zd %s\n", n, errname(errno));
    printf("F_GETPIPE_SZ: %d\n", fcntl(p[1], F_GETPIPE_SZ));
    size_t total = 0;
    int writes = 0;
    memset(buf, 'z', sizeof buf);
    for (;;) {
        n = write(p[1], buf, sizeof buf);
        if (n < 0)
            break;
        total += (size_t)n;
        writes++;
    }
    printf("filled with %d writes of 4096: %zu bytes, then %s\n", writes, total, errname(errno));
    errno = 0;
    n = write(p[1], buf, 1);
    printf("one more byte: %zd %s\n", n, errname(errno));
    n = read(p[0], buf, sizeof buf);
    errno = 0;
    ssize_t m = write(p[1], buf, sizeof buf);
    printf("after reading %zd bytes: a write of 4096 gives %zd %s\n", n, m, errname(errno));
    size_t drained = 0;
    while ((n = read(p[0], buf, sizeof buf)) > 0)
        drained += (size_t)n;
    printf("drained %zu bytes, then %s\n", drained, errname(errno));
    close(p[1]);
    n = read(p[0], buf, sizeof buf);
    printf("read once the writer is closed: %zd\n", n);
    close(p[0]);
}

static const char *accmode(int fl)
{
    switch (fl & O_ACCMODE) {
    case O_RDONLY: return "O_RDONLY";
    case O_WRONLY: return "O_WRONLY";
    default: return "O_RDWR";
    }
}

/* fcntl on pipe descriptors: F_DUPFD(_CLOEXEC) with a minimum, F_GETFD/F_SETFD, F_GETFL and
 * F_SETFL (O_NONBLOCK changes, the access mode does not). */
static void check_fcntl(void)
{
    int p[2];
    if (pipe(p) < 0)
        die("pipe");
    /* (descriptor numbers are not printed: the caller may have left some open) */
    int d = fcntl(p[0], F_DUPFD_CLOEXEC, 10);
    printf("F_DUPFD_CLOEXEC min 10: at least 10 %d, F_GETFD %d\n", d >= 10, fcntl(d, F_GETFD));
    int e = fcntl(p[0], F_DUPFD, 10);
    printf("F_DUPFD min 10: above the first %d, F_GETFD %d\n", e > d, fcntl(e, F_GETFD));
    printf("F_GETFD on the original: %d\n", fcntl(p[0], F_GETFD));
    fcntl(p[0], F_SETFD, FD_CLOEXEC);
    printf("after F_SETFD FD_CLOEXEC: %d, the dup's: %d\n", fcntl(p[0], F_GETFD), fcntl(e, F_GETFD));
    int fl0 = fcntl(p[0], F_GETFL), fl1 = fcntl(p[1], F_GETFL);
    printf("F_GETFL: read end %s%s, write end %s%s\n", accmode(fl0), fl0 & O_NONBLOCK ? "|O_NONBLOCK" : "",
           accmode(fl1), fl1 & O_NONBLOCK ? "|O_NONBLOCK" : "");
    fcntl(p[0], F_SETFL, O_NONBLOCK | O_WRONLY);
    fl0 = fcntl(p[0], F_GETFL);
    int fle = fcntl(e, F_GETFL);
    printf("after F_SETFL O_NONBLOCK|O_WRONLY: read end %s%s; the dup (same open file) %s%s\n",
           accmode(fl0), fl0 & O_NONBLOCK ? "|O_NONBLOCK" : "", accmode(fle),
           fle & O_NONBLOCK ? "|O_NONBLOCK" : "");
    char c;
    errno = 0;
    ssize_t n = read(e, &c, 1);
    printf("read through the dup: %zd %s\n", n, errname(errno));
    fcntl(p[0], F_SETFL, 0);
    errno = 0;
    int rc = fcntl(99, F_GETFD);
    printf("F_GETFD on a closed fd: %d %s\n", rc, errname(errno));
    errno = 0;
    rc = fcntl(p[0], F_DUPFD, -1);
    printf("F_DUPFD with a negative minimum: %d %s\n", rc, errname(errno));
    int q[2];
    if (pipe2(q, O_CLOEXEC | O_NONBLOCK) < 0)
        die("pipe2");
    printf("pipe2(O_CLOEXEC|O_NONBLOCK): F_GETFD %d %d, O_NONBLOCK %d %d\n", fcntl(q[0], F_GETFD),
           fcntl(q[1], F_GETFD), (fcntl(q[0], F_GETFL) & O_NONBLOCK) != 0,
           (fcntl(q[1], F_GETFL) & O_NONBLOCK) != 0);
    int r = dup3(q[0], 30, O_CLOEXEC);
    printf("dup3 O_CLOEXEC: %s, F_GETFD %d; dup2: F_GETFD %d\n", r == 30 ? "fd 30" : "?", fcntl(r, F_GETFD),
           fcntl(dup2(q[0], 31), F_GETFD));
    close(p[0]); close(p[1]); close(d); close(e); close(q[0]); close(q[1]); close(30); close(31);
}

static const struct {
    const char *name;
    void (*run)(void);
} checks[] = {
    { "bulk", check_bulk },       { "pipeline", check_pipeline }, { "atomic", check_atomic },
    { "sigpipe", check_sigpipe }, { "epipe", check_epipe },       { "poll", check_poll },
    { "nonblock", check_nonblock }, { "fcntl", check_fcntl },
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
        fprintf(stderr, "usage: %s all|bulk|pipeline|atomic|sigpipe|epipe|poll|nonblock|fcntl\n", argv[0]);
        return 2;
    }
    return 0;
}
