/*
 * threads.c — POSIX threads (clone with CLONE_VM|CLONE_THREAD|CLONE_SETTLS, futex waits and
 * wake-ups, set_robust_list, exit of a single thread): mutex-protected counters, a
 * condition-variable ping-pong, barriers, __thread variables, atomics under contention,
 * detached threads, join values and cancellation, thread ids, fork from a thread, and
 * exit() from a thread ending the whole process; the wait status of a process whose main thread
 * left with pthread_exit.
 *
 *   threads CHECK     CHECK is one of: mutex, condvar, barrier, tls, atomics, detach, join,
 *                     ids, fork, exit, leaderexit, deadlock
 *   threads all       every check but exit and deadlock, in turn
 *
 * Threads never print: they store results that the main thread prints after joining them.
 * exit ends the process with status 7 from a thread while the main thread is blocked.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

enum { NTHREADS = 4 };

static void check_rc(const char *what, int rc)
{
    if (rc != 0) {
        printf("FAIL %s: %s\n", what, strerror(rc));
        exit(99);
    }
}

static void start_all(pthread_t *t, int n, void *(*fn)(void *))
{
    for (int i = 0; i < n; i++)
        check_rc("pthread_create", pthread_create(&t[i], NULL, fn, (void *)(intptr_t)i));
}

static void join_all(pthread_t *t, int n)
{
    for (int i = 0; i < n; i++)
        check_rc("pthread_join", pthread_join(t[i], NULL));
}

/* ---- mutex: 4 threads x 100,000 increments of one counter under a mutex */
static pthread_mutex_t counter_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static long per_thread[NTHREADS];

static void *mutex_worker(void *arg)
{
    int id = (int)(intptr_t)arg;
    for (int i = 0; i < 100000; i++) {
        pthread_mutex_lock(&counter_lock);
        counter++;
        pthread_mutex_unlock(&counter_lock);
        per_thread[id]++;
    }
    return NULL;
}

static void check_mutex(void)
{
    pthread_t t[NTHREADS];
    counter = 0;
    start_all(t, NTHREADS, mutex_worker);
    join_all(t, NTHREADS);
    printf("counter after 4 x 100000 locked increments: %ld\n", counter);
    for (int i = 0; i < NTHREADS; i++)
        printf("thread %d did %ld\n", i, per_thread[i]);
    pthread_mutex_t m;
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
    pthread_mutex_init(&m, &a);
    pthread_mutex_lock(&m);
    int rc = pthread_mutex_lock(&m);
    printf("error-checking mutex locked twice: %s\n", rc == EDEADLK ? "EDEADLK" : strerror(rc));
    rc = pthread_mutex_trylock(&counter_lock);
    printf("trylock of a free mutex: %d\n", rc);
    pthread_mutex_unlock(&counter_lock);
}

/* ---- condvar: two threads hand a token back and forth N times */
enum { ROUNDS = 2000 };
static pthread_mutex_t pp_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t pp_cond = PTHREAD_COND_INITIALIZER;
static int pp_turn, pp_moves[2], pp_sequence_ok = 1, pp_last = -1;

static void *pingpong(void *arg)
{
    int me = (int)(intptr_t)arg;
    for (int r = 0; r < ROUNDS; r++) {
        pthread_mutex_lock(&pp_lock);
        while (pp_turn != me)
            pthread_cond_wait(&pp_cond, &pp_lock);
        if (pp_last == me)
            pp_sequence_ok = 0;
        pp_last = me;
        pp_moves[me]++;
        pp_turn = 1 - me;
        pthread_cond_broadcast(&pp_cond);
        pthread_mutex_unlock(&pp_lock);
    }
    return NULL;
}

static void check_condvar(void)
{
    pthread_t t[2];
    start_all(t, 2, pingpong);
    join_all(t, 2);
    printf("ping-pong: %d and %d moves, strictly alternating: %s\n", pp_moves[0], pp_moves[1],
           pp_sequence_ok ? "yes" : "no");
    /* A timed wait with nobody signalling times out. */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 20 * 1000000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&pp_lock);
    int rc = pthread_cond_timedwait(&pp_cond, &pp_lock, &ts);
    pthread_mutex_unlock(&pp_lock);
    printf("timed wait without a signal: %s\n", rc == ETIMEDOUT ? "ETIMEDOUT" : strerror(rc));
}

/* ---- barrier: 4 threads, 5 phases; in each phase every thread writes its slot, waits,
 * sums all slots, waits again. Exactly one thread per wait gets the serial value. */
enum { PHASES = 5 };
static pthread_barrier_t barrier;
static int slots[NTHREADS];
static int sums[NTHREADS][PHASES];
static int serial_count[2 * PHASES];

static void *barrier_worker(void *arg)
{
    int id = (int)(intptr_t)arg;
    for (int ph = 0; ph < PHASES; ph++) {
        slots[id] = (ph + 1) * 100 + id;
        if (pthread_barrier_wait(&barrier) == PTHREAD_BARRIER_SERIAL_THREAD)
            __atomic_fetch_add(&serial_count[2 * ph], 1, __ATOMIC_SEQ_CST);
        int s = 0;
        for (int i = 0; i < NTHREADS; i++)
            s += slots[i];
        sums[id][ph] = s;
        if (pthread_barrier_wait(&barrier) == PTHREAD_BARRIER_SERIAL_THREAD)
            __atomic_fetch_add(&serial_count[2 * ph + 1], 1, __ATOMIC_SEQ_CST);
    }
    return NULL;
}

static void check_barrier(void)
{
    pthread_barrier_init(&barrier, NULL, NTHREADS);
    pthread_t t[NTHREADS];
    start_all(t, NTHREADS, barrier_worker);
    join_all(t, NTHREADS);
    for (int id = 0; id < NTHREADS; id++) {
        printf("thread %d phase sums:", id);
        for (int ph = 0; ph < PHASES; ph++)
            printf(" %d", sums[id][ph]);
        printf("\n");
    }
    printf("serial threads per wait:");
    for (int i = 0; i < 2 * PHASES; i++)
        printf(" %d", serial_count[i]);
    printf("\n");
    pthread_barrier_destroy(&barrier);
}

/* ---- tls: __thread variables start from their initial image in every thread and stay
 * separate */
static __thread int tls_int = 7;
static __thread char tls_text[16] = "initial";
static __thread long tls_zero;
static int tls_seen_initial[NTHREADS], tls_kept[NTHREADS];
static uintptr_t tls_addr[NTHREADS];

static void *tls_worker(void *arg)
{
    int id = (int)(intptr_t)arg;
    tls_seen_initial[id] = tls_int == 7 && strcmp(tls_text, "initial") == 0 && tls_zero == 0;
    tls_int = 1000 + id;
    snprintf(tls_text, sizeof tls_text, "thread-%d", id);
    tls_zero = id * 3;
    tls_addr[id] = (uintptr_t)&tls_int;
    pthread_barrier_wait(&barrier); /* everybody has written their own copy */
    char want[16];
    snprintf(want, sizeof want, "thread-%d", id);
    tls_kept[id] = tls_int == 1000 + id && strcmp(tls_text, want) == 0 && tls_zero == id * 3;
    return NULL;
}

static void check_tls(void)
{
    tls_int = 42;
    strcpy(tls_text, "main");
    pthread_barrier_init(&barrier, NULL, NTHREADS);
    pthread_t t[NTHREADS];
    start_all(t, NTHREADS, tls_worker);
    join_all(t, NTHREADS);
    for (int i = 0; i < NTHREADS; i++)
        printf("thread %d: started with the initial values %s, kept its own %s\n", i,
               tls_seen_initial[i] ? "yes" : "no", tls_kept[i] ? "yes" : "no");
    int distinct = 1;
    for (int i = 0; i < NTHREADS; i++)
        for (int j = 0; j < i; j++)
            distinct &= tls_addr[i] != tls_addr[j];
    printf("distinct addresses of tls_int: %s\n", distinct ? "yes" : "no");
    printf("main thread still has: %d %s\n", tls_int, tls_text);
    pthread_barrier_destroy(&barrier);
}

/* ---- atomics: fetch_add, a compare-exchange maximum and an exchange spin lock */
static int atomic_counter;
static int atomic_max;
static int spin;
static long spin_protected;

static void *atomic_worker(void *arg)
{
    int id = (int)(intptr_t)arg;
    for (int i = 0; i < 100000; i++) {
        __atomic_fetch_add(&atomic_counter, 1, __ATOMIC_SEQ_CST);
        int v = id * 100000 + i, cur = __atomic_load_n(&atomic_max, __ATOMIC_RELAXED);
        while (v > cur && !__atomic_compare_exchange_n(&atomic_max, &cur, v, 1, __ATOMIC_SEQ_CST,
                                                       __ATOMIC_RELAXED)) {
        }
        if (i % 2 == 0) {
            while (__atomic_exchange_n(&spin, 1, __ATOMIC_ACQUIRE))
                while (__atomic_load_n(&spin, __ATOMIC_RELAXED))
                    sched_yield();
            spin_protected++;
            __atomic_store_n(&spin, 0, __ATOMIC_RELEASE);
        }
    }
    return NULL;
}

static void check_atomics(void)
{
    pthread_t t[NTHREADS];
    start_all(t, NTHREADS, atomic_worker);
    join_all(t, NTHREADS);
    printf("__atomic_fetch_add total: %d\n", atomic_counter);
    printf("compare-exchange maximum: %d\n", atomic_max);
    printf("spin-locked increments: %ld\n", spin_protected);
    long long wide = 0;
    __atomic_fetch_add(&wide, 0x100000001LL, __ATOMIC_SEQ_CST); /* cmpxchg8b on i386 */
    printf("64-bit atomic add: %llx\n", (unsigned long long)wide);
}

/* ---- detach: detached threads (by pthread_detach and by attribute) finish their work and
 * post a semaphore; nobody joins them */
static sem_t done;
static long detached_result[2];

static void *detached_worker(void *arg)
{
    int id = (int)(intptr_t)arg;
    long s = 0;
    for (int i = 1; i <= 1000 * (id + 1); i++)
        s += i;
    detached_result[id] = s;
    sem_post(&done);
    return NULL;
}

static void check_detach(void)
{
    sem_init(&done, 0, 0);
    pthread_t a, b;
    check_rc("pthread_create", pthread_create(&a, NULL, detached_worker, (void *)0));
    printf("pthread_detach: %d\n", pthread_detach(a));
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    check_rc("pthread_create", pthread_create(&b, &attr, detached_worker, (void *)1));
    int state = -1;
    pthread_attr_getdetachstate(&attr, &state);
    printf("created detached: %s\n", state == PTHREAD_CREATE_DETACHED ? "yes" : "no");
    sem_wait(&done);
    sem_wait(&done);
    printf("detached results: %ld %ld\n", detached_result[0], detached_result[1]);
    pthread_attr_destroy(&attr);
}

/* ---- join: return values through return and pthread_exit, a cancelled thread, joining
 * oneself */
static int cancel_pipe[2];

static void *returner(void *arg)
{
    int id = (int)(intptr_t)arg;
    if (id % 2)
        pthread_exit((void *)(intptr_t)(id * id + 1000));
    return (void *)(intptr_t)(id * id);
}

static void *blocked_reader(void *arg)
{
    (void)arg;
    char c;
    for (;;)
        if (read(cancel_pipe[0], &c, 1) <= 0) /* a cancellation point; nobody writes */
            return (void *)1;
}

static void check_join(void)
{
    pthread_t t[6];
    start_all(t, 6, returner);
    for (int i = 0; i < 6; i++) {
        void *ret;
        check_rc("pthread_join", pthread_join(t[i], &ret));
        printf("thread %d returned %ld\n", i, (long)(intptr_t)ret);
    }
    if (pipe(cancel_pipe) < 0) {
        printf("FAIL pipe\n");
        exit(99);
    }
    pthread_t c;
    check_rc("pthread_create", pthread_create(&c, NULL, blocked_reader, NULL));
    usleep(20000);
    printf("pthread_cancel: %d\n", pthread_cancel(c));
    void *ret;
    check_rc("pthread_join", pthread_join(c, &ret));
    printf("cancelled thread returned PTHREAD_CANCELED: %s\n", ret == PTHREAD_CANCELED ? "yes" : "no");
    int rc = pthread_join(pthread_self(), &ret);
    printf("joining oneself: %s\n", rc == EDEADLK ? "EDEADLK" : strerror(rc));
    close(cancel_pipe[0]);
    close(cancel_pipe[1]);
}

/* ---- ids: one pid, a tid per thread, the main thread's tid is the pid */
static pid_t thread_pid[NTHREADS], thread_tid[NTHREADS];

static void *id_worker(void *arg)
{
    int id = (int)(intptr_t)arg;
    thread_pid[id] = getpid();
    thread_tid[id] = (pid_t)syscall(SYS_gettid);
    pthread_barrier_wait(&barrier); /* all alive at once, so tids cannot be reused */
    return NULL;
}

static void check_ids(void)
{
    pid_t pid = getpid();
    printf("main thread: gettid() == getpid(): %s\n", syscall(SYS_gettid) == pid ? "yes" : "no");
    pthread_barrier_init(&barrier, NULL, NTHREADS);
    pthread_t t[NTHREADS];
    start_all(t, NTHREADS, id_worker);
    join_all(t, NTHREADS);
    int same_pid = 1, distinct = 1;
    for (int i = 0; i < NTHREADS; i++) {
        same_pid &= thread_pid[i] == pid;
        distinct &= thread_tid[i] != pid;
        for (int j = 0; j < i; j++)
            distinct &= thread_tid[i] != thread_tid[j];
    }
    printf("threads: getpid() is the process's: %s; gettid() distinct: %s\n", same_pid ? "yes" : "no",
           distinct ? "yes" : "no");
    printf("pthread_equal(self, self): %d, (self, a thread): %d\n", pthread_equal(pthread_self(), pthread_self()) != 0,
           pthread_equal(pthread_self(), t[0]) != 0);
    pthread_barrier_destroy(&barrier);
}

/* ---- fork from a thread: the child has a copy of memory and only the forking thread */
static int fork_data[3] = { 1, 2, 3 };
static int fork_status = -1;

static void *forker(void *arg)
{
    (void)arg;
    fork_data[1] = 20;
    pid_t pid = fork();
    if (pid == 0) {
        pthread_mutex_lock(&counter_lock); /* usable in the child */
        int v = fork_data[0] + fork_data[1] + fork_data[2];
        pthread_mutex_unlock(&counter_lock);
        _exit(v);
    }
    waitpid(pid, &fork_status, 0);
    return NULL;
}

static void check_fork(void)
{
    pthread_t t;
    check_rc("pthread_create", pthread_create(&t, NULL, forker, NULL));
    join_all(&t, 1);
    printf("child forked from a thread exited %d\n", WIFEXITED(fork_status) ? WEXITSTATUS(fork_status) : -1);
    pid_t pid = fork(); /* and from the main thread after threads have run */
    if (pid == 0)
        _exit(fork_data[1] + 1);
    int status;
    waitpid(pid, &status, 0);
    printf("child forked from the main thread exited %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

/* ---- exit: exit(7) in a thread ends the process while main waits for another thread */
static void *sleeper(void *arg)
{
    (void)arg;
    for (;;)
        pause();
    return NULL;
}

static void *exiter(void *arg)
{
    (void)arg;
    usleep(20000);
    fflush(stdout);
    exit(7);
}

static void check_exit(void)
{
    pthread_t a, b;
    printf("main thread joins a thread that never ends\n");
    check_rc("pthread_create", pthread_create(&a, NULL, sleeper, NULL));
    check_rc("pthread_create", pthread_create(&b, NULL, exiter, NULL));
    pthread_join(a, NULL);
    printf("not reached\n");
}

/* ---- leaderexit: the main thread leaves with pthread_exit; the process lives on in its other
 * thread, and its wait status is what that thread ends it with (exit, a fatal signal) */
static void *late_ender(void *arg)
{
    usleep(10000);
    switch ((int)(intptr_t)arg) {
    case 0: return NULL; /* the last thread returns: status 0 */
    case 1: exit(5);
    case 2: raise(SIGTERM); break;
    case 3: *(volatile int *)0 = 1; break; /* SIGSEGV */
    }
    return NULL;
}

static void check_leaderexit(void)
{
    static const char *what[] = { "last thread returns", "thread calls exit(5)", "thread raises SIGTERM", "thread faults" };
    for (int i = 0; i < 4; i++) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid < 0) {
            perror("fork");
            exit(99);
        }
        if (pid == 0) {
            signal(SIGSEGV, SIG_DFL);
            struct rlimit no_core = { 0, 0 };
            setrlimit(RLIMIT_CORE, &no_core);
            pthread_t t;
            check_rc("pthread_create", pthread_create(&t, NULL, late_ender, (void *)(intptr_t)i));
            pthread_exit(NULL);
        }
        int status;
        if (waitpid(pid, &status, 0) != pid) {
            perror("waitpid");
            exit(99);
        }
        if (WIFEXITED(status))
            printf("%s: exited %d\n", what[i], WEXITSTATUS(status));
        else
            printf("%s: killed by signal %d\n", what[i], WIFSIGNALED(status) ? WTERMSIG(status) : -1);
    }
}

/* ---- deadlock: the main thread leaves with pthread_exit while the only other thread waits
 * for a condition nobody will signal. Linux would wait forever; the emulator reports the
 * deadlock (exit 137). Not part of "all". */
static void *forever_waiter(void *arg)
{
    (void)arg;
    static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    static pthread_cond_t c = PTHREAD_COND_INITIALIZER;
    pthread_mutex_lock(&m);
    for (;;)
        pthread_cond_wait(&c, &m);
    return NULL;
}

static void check_deadlock(void)
{
    pthread_t t;
    check_rc("pthread_create", pthread_create(&t, NULL, forever_waiter, NULL));
    printf("main thread leaves\n");
    pthread_exit(NULL);
}

static const struct {
    const char *name;
    void (*run)(void);
} checks[] = {
    { "mutex", check_mutex }, { "condvar", check_condvar }, { "barrier", check_barrier },
    { "tls", check_tls },     { "atomics", check_atomics }, { "detach", check_detach },
    { "join", check_join },   { "ids", check_ids },         { "fork", check_fork },
    { "exit", check_exit },   { "leaderexit", check_leaderexit },
    { "deadlock", check_deadlock },
};

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *which = argc > 1 ? argv[1] : "";
    int ran = 0;
    for (unsigned i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        int all = strcmp(which, "all") == 0 && strcmp(checks[i].name, "exit") != 0 && strcmp(checks[i].name, "deadlock") != 0;
        if (all || strcmp(which, checks[i].name) == 0) {
            printf("== %s\n", checks[i].name);
            checks[i].run();
            ran++;
        }
    }
    if (!ran) {
        fprintf(stderr, "usage: %s all|mutex|condvar|barrier|tls|atomics|detach|join|ids|fork|exit|leaderexit|deadlock\n", argv[0]);
        return 2;
    }
    return 0;
}
