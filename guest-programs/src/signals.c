/*
 * signals.c — signal delivery as Linux does it: handlers run for raise, kill, tgkill and
 * sigqueue with the right siginfo; SIGSEGV, SIGFPE, SIGILL and SIGTRAP from faults with
 * si_code and si_addr; leaving a handler with siglongjmp or by editing the saved registers
 * in the ucontext; the x87/SSE state saved and restored around a handler; sigaltstack;
 * SIGCHLD; alarm and setitimer; blocking, pending and the order of delivery; SA_RESETHAND,
 * SA_NODEFER, SA_RESTART and EINTR; sigsuspend and sigtimedwait; EFLAGS.TF single-stepping;
 * job control (a stopped child keeps a fatal signal pending until SIGCONT); the time left that
 * select and ppoll write back; clock_nanosleep with TIMER_ABSTIME.
 *
 *   signals CHECK    CHECK is one of: raise, segv, faultregs, fpe, eip, fpstate, altstack,
 *                    sigchld, alarm, itimer, mask, order, resethand, nodefer, sigsuspend,
 *                    eintr, sigtimedwait, trapflag, trapcode, jobstop, timeleft
 *   signals all      every check in turn
 *
 * Handlers never print (printf is not async-signal-safe): they record what they saw and the
 * main line prints it. The program also builds as x86-64 (gcc without -m32), which lets the
 * host kernel vouch for the output where qemu-i386 7.2 is not a faithful reference
 * (faultregs, fpstate, trapcode, jobstop, timeleft).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#ifdef __SSE__
#define XMM_CLOBBERS "xmm1", "xmm7",
#else
#define XMM_CLOBBERS /* gcc -m32 without -msse never allocates them */
#endif

#ifdef __x86_64__
#define REG_PC REG_RIP
#define REG_ACC REG_RAX
#define REG_FLAGS REG_EFL
#else
#define REG_PC REG_EIP
#define REG_ACC REG_EAX
#define REG_FLAGS REG_EFL
#endif

static void die(const char *what)
{
    printf("FAIL %s: %s\n", what, strerror(errno));
    exit(99);
}

static const char *errname(int e)
{
    switch (e) {
    case 0: return "0";
    case EINTR: return "EINTR";
    case EAGAIN: return "EAGAIN";
    case EINVAL: return "EINVAL";
    case ESRCH: return "ESRCH";
    default: return strerror(e);
    }
}

static const char *codename(int sig, int code)
{
    static char buf[32];
    switch (code) {
    case SI_USER: return "SI_USER";
    case SI_QUEUE: return "SI_QUEUE";
    case SI_TKILL: return "SI_TKILL";
    case SI_TIMER: return "SI_TIMER";
    case SI_KERNEL: return "SI_KERNEL";
    }
    if (sig == SIGSEGV && code == SEGV_MAPERR) return "SEGV_MAPERR";
    if (sig == SIGSEGV && code == SEGV_ACCERR) return "SEGV_ACCERR";
    if (sig == SIGFPE && code == FPE_INTDIV) return "FPE_INTDIV";
    if (sig == SIGILL && code == ILL_ILLOPN) return "ILL_ILLOPN";
    if (sig == SIGTRAP && code == TRAP_BRKPT) return "TRAP_BRKPT";
    if (sig == SIGTRAP && code == TRAP_TRACE) return "TRAP_TRACE";
    if (sig == SIGCHLD && code == CLD_EXITED) return "CLD_EXITED";
    if (sig == SIGCHLD && code == CLD_KILLED) return "CLD_KILLED";
    snprintf(buf, sizeof buf, "code %d", code);
    return buf;
}

static void set_handler(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = fn;
    sa.sa_flags = SA_SIGINFO | flags;
    if (sigaction(sig, &sa, NULL) < 0)
        die("sigaction");
}

static void set_default(int sig)
{
    signal(sig, SIG_DFL);
}

/* What the last handler invocation saw. */
static volatile int seen_count, seen_sig, seen_code, seen_errno_kept;
static volatile pid_t seen_pid;
static volatile int seen_value;
static void *volatile seen_addr;
static volatile uintptr_t seen_pc;

static void recorder(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    seen_pc = (uintptr_t)uc->uc_mcontext.gregs[REG_PC];
    seen_count++;
    seen_sig = sig;
    seen_code = si->si_code;
    seen_pid = si->si_pid;
    seen_value = si->si_value.sival_int;
    seen_addr = si->si_addr;
}

static void reset_seen(void)
{
    seen_count = seen_sig = seen_code = seen_value = 0;
    seen_pid = 0;
    seen_addr = NULL;
}

/* ---- raise, kill, tgkill, sigqueue: the handler runs with the sender's siginfo */
static void check_raise(void)
{
    set_handler(SIGUSR1, recorder, 0);
    reset_seen();
    int rc = raise(SIGUSR1);
    printf("raise: %d, handler ran %d time(s), signal %d, %s\n", rc, seen_count, seen_sig,
           codename(seen_sig, seen_code));
    reset_seen();
    rc = kill(getpid(), SIGUSR1);
    printf("kill(getpid()): %d, handler ran %d time(s), %s, si_pid is ours %s\n", rc, seen_count,
           codename(seen_sig, seen_code), seen_pid == getpid() ? "yes" : "no");
    reset_seen();
    rc = (int)syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR1);
    printf("tgkill: %d, handler ran %d time(s), %s\n", rc, seen_count, codename(seen_sig, seen_code));
    reset_seen();
    union sigval v = { .sival_int = 4242 };
    rc = sigqueue(getpid(), SIGUSR1, v);
    printf("sigqueue: %d, handler ran %d time(s), %s, value %d\n", rc, seen_count,
           codename(seen_sig, seen_code), seen_value);
    errno = 0;
    rc = kill(getpid(), 0);
    printf("kill(getpid(), 0): %d %s\n", rc, errname(errno));
    errno = 0;
    rc = kill(getpid(), 999);
    printf("kill with signal 999: %d %s\n", rc, errname(errno));
    errno = 0;
    rc = kill(0x3ffffff0, SIGUSR1);
    printf("kill of a pid that cannot exist: %d %s\n", rc, errname(errno));
    errno = 0;
    rc = sigaction(SIGKILL, &(struct sigaction){ .sa_handler = SIG_IGN }, NULL);
    printf("sigaction(SIGKILL): %d %s\n", rc, errname(errno));
    set_default(SIGUSR1);
}

/* ---- SIGSEGV with SA_SIGINFO, left with siglongjmp */
static sigjmp_buf jump;
static volatile uintptr_t seen_err, seen_trapno;

static void segv_handler(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    recorder(sig, si, ucv);
    seen_err = (uintptr_t)uc->uc_mcontext.gregs[REG_ERR];
    seen_trapno = (uintptr_t)uc->uc_mcontext.gregs[REG_TRAPNO];
    siglongjmp(jump, 1);
}

static void check_segv(void)
{
    set_handler(SIGSEGV, segv_handler, 0);
    volatile int *volatile bad = (volatile int *)0x10;
    reset_seen();
    if (sigsetjmp(jump, 1) == 0) {
        (void)*bad;
        printf("read of 0x10 did not fault\n");
    }
    printf("read of an unmapped address: signal %d %s, si_addr is the address %s\n", seen_sig,
           codename(seen_sig, seen_code), seen_addr == (void *)bad ? "yes" : "no");

    char *page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED)
        die("mmap");
    volatile char *target = page + 100;
    (void)*target; /* present (the zero page), so the write is a protection fault */
    reset_seen();
    if (sigsetjmp(jump, 1) == 0) {
        *target = 1;
        printf("write to a read-only page did not fault\n");
    }
    printf("write to a read-only page: signal %d %s, si_addr is the address %s\n", seen_sig,
           codename(seen_sig, seen_code), seen_addr == (void *)target ? "yes" : "no");

    /* The handler ran with SIGSEGV blocked; siglongjmp(…, 1) restored the mask. */
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    printf("SIGSEGV blocked after siglongjmp: %s\n", sigismember(&now, SIGSEGV) ? "yes" : "no");
    munmap(page, 4096);

    /* A fault several times in a row, each caught. */
    volatile int caught = 0;
    for (volatile int i = 0; i < 5; i++)
        if (sigsetjmp(jump, 1) == 0)
            *bad = i;
        else
            caught++;
    printf("faults caught in a loop: %d\n", caught);
    set_default(SIGSEGV);
}

/* ---- the trap number and page-fault error code Linux stores in the signal frame's
 * sigcontext (trapno 14, err = the #PF error code: 4 = user read of a non-present page,
 * 7 = user write to a present read-only page). qemu-user 7.2 leaves trapno at -1. */
static void check_faultregs(void)
{
    set_handler(SIGSEGV, segv_handler, 0);
    volatile int *volatile bad = (volatile int *)0x10;
    if (sigsetjmp(jump, 1) == 0)
        (void)*bad;
    printf("read of an unmapped address: trapno %lu, err %lu\n", (unsigned long)seen_trapno,
           (unsigned long)seen_err);
    char *page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED)
        die("mmap");
    volatile char *target = page + 100;
    (void)*target;
    if (sigsetjmp(jump, 1) == 0)
        *target = 1;
    printf("write to a read-only page: trapno %lu, err %lu\n", (unsigned long)seen_trapno,
           (unsigned long)seen_err);
    munmap(page, 4096);
    set_default(SIGSEGV);
}

/* ---- SIGFPE from integer division: by zero and INT_MIN / -1 */
extern char fpe_insn[];

__attribute__((noinline, noclone)) static int divide(int a, int b)
{
    int q;
    __asm__ volatile("cltd\n"
                     ".globl fpe_insn\n"
                     "fpe_insn: idivl %2\n"
                     : "=a"(q)
                     : "a"(a), "r"(b)
                     : "edx", "cc");
    return q;
}

static void fpe_handler(int sig, siginfo_t *si, void *ucv)
{
    recorder(sig, si, ucv);
    siglongjmp(jump, 1);
}

static void check_fpe(void)
{
    set_handler(SIGFPE, fpe_handler, 0);
    static const int cases[][2] = { { 7, 0 }, { INT32_MIN, -1 }, { 100, 7 } };
    for (unsigned i = 0; i < 3; i++) {
        reset_seen();
        if (sigsetjmp(jump, 1) == 0) {
            int q = divide(cases[i][0], cases[i][1]);
            printf("%d / %d = %d, no signal\n", cases[i][0], cases[i][1], q);
        } else {
            printf("%d / %d: signal %d %s, si_addr is the idiv %s\n", cases[i][0], cases[i][1],
                   seen_sig, codename(seen_sig, seen_code), seen_addr == (void *)fpe_insn ? "yes" : "no");
        }
    }
    set_default(SIGFPE);
}

/* ---- a handler that edits the saved registers: skips a faulting load and a ud2 and sets
 * the accumulator the interrupted code then reads */
extern char fault_load[], fault_resume[], ill_insn[];

__attribute__((noinline, noclone)) static long faulting_load(void)
{
    long out;
    __asm__ volatile("xor %%eax, %%eax\n"
                     ".globl fault_load\n"
                     "fault_load: movl (%%eax), %%eax\n"
                     ".globl fault_resume\n"
                     "fault_resume:\n"
                     : "=a"(out)
                     :
                     : "memory");
    return out;
}

__attribute__((noinline, noclone)) static long illegal(void)
{
    long out;
    __asm__ volatile("mov $5, %%eax\n"
                     ".globl ill_insn\n"
                     "ill_insn: ud2\n"
                     "add $1, %%eax\n"
                     : "=a"(out)
                     :
                     : "cc");
    return out;
}

static volatile int pc_matched;

static void edit_handler(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    recorder(sig, si, ucv);
    greg_t pc = uc->uc_mcontext.gregs[REG_PC];
    if (sig == SIGSEGV) {
        pc_matched = pc == (greg_t)(uintptr_t)fault_load;
        uc->uc_mcontext.gregs[REG_PC] = (greg_t)(uintptr_t)fault_resume;
        uc->uc_mcontext.gregs[REG_ACC] = 0x1234;
    } else {
        pc_matched = pc == (greg_t)(uintptr_t)ill_insn;
        uc->uc_mcontext.gregs[REG_PC] = pc + 2; /* past the ud2 */
        uc->uc_mcontext.gregs[REG_ACC] = 40;
    }
}

static void check_eip(void)
{
    set_handler(SIGSEGV, edit_handler, 0);
    set_handler(SIGILL, edit_handler, 0);
    reset_seen();
    long v = faulting_load();
    printf("faulting load: handler saw the load's address in EIP %s, %s; value after resuming 0x%lx\n",
           pc_matched ? "yes" : "no", codename(seen_sig, seen_code), v);
    reset_seen();
    v = illegal();
    printf("ud2: signal %d %s, si_addr is the ud2 %s, EIP was the ud2 %s; value after resuming %ld\n",
           seen_sig, codename(seen_sig, seen_code), seen_addr == (void *)ill_insn ? "yes" : "no",
           pc_matched ? "yes" : "no", v);
    set_default(SIGSEGV);
    set_default(SIGILL);
}

/* ---- x87 and SSE state around a handler that changes all of it */
static void fp_trasher(int sig, siginfo_t *si, void *ucv)
{
    recorder(sig, si, ucv);
    unsigned int mx = 0x7f80; /* all exceptions masked, round toward zero, FZ off: not the default */
    unsigned short cw = 0x0c7f; /* round toward zero */
    static const float junk[4] = { -1, -2, -3, -4 };
    __asm__ volatile("fninit\n fldcw %0\n ldmxcsr %1\n fld1\n fldpi\n fldz\n"
                     "fstp %%st(0)\n fstp %%st(0)\n fstp %%st(0)\n"
                     "movups %2, %%xmm1\n movups %2, %%xmm7\n"
                     :
                     : "m"(cw), "m"(mx), "m"(junk)
                     : XMM_CLOBBERS "memory");
}

static void check_fpstate(void)
{
    set_handler(SIGUSR1, fp_trasher, 0);
    reset_seen();
    static const float in[4] = { 1.5f, 2.25f, -3.125f, 1e10f };
    float out1[4], out7[4];
    long double x87_in = 3.14159265358979323846L, x87_out = 0;
    unsigned int mx_in = 0x1fa0, mx_out = 0; /* exceptions masked, round down */
    unsigned short cw_in = 0x067f, cw_out = 0; /* round down, 64-bit precision */
    unsigned short cw_saved;
    unsigned int mx_saved;
    pid_t pid = getpid();
    __asm__ volatile("fnstcw %[cws]\n stmxcsr %[mxs]\n"
                     "fldcw %[cw]\n ldmxcsr %[mx]\n"
                     "movups %[in], %%xmm1\n movups %[in], %%xmm7\n"
                     "fldt %[xin]\n"
#ifdef __x86_64__
                     "mov %[pid], %%edi\n mov $10, %%esi\n mov $62, %%eax\n syscall\n"
#else
                     "push %%ebx\n mov %[pid], %%ebx\n mov $10, %%ecx\n mov $37, %%eax\n int $0x80\n pop %%ebx\n"
#endif
                     "fstpt %[xout]\n"
                     "movups %%xmm1, %[o1]\n movups %%xmm7, %[o7]\n"
                     "fnstcw %[cwo]\n stmxcsr %[mxo]\n"
                     "fldcw %[cws]\n ldmxcsr %[mxs]\n"
                     : [xout] "=m"(x87_out), [o1] "=m"(out1), [o7] "=m"(out7), [cwo] "=m"(cw_out),
                       [mxo] "=m"(mx_out), [cws] "=m"(cw_saved), [mxs] "=m"(mx_saved)
                     : [in] "m"(in), [xin] "m"(x87_in), [cw] "m"(cw_in), [mx] "m"(mx_in), [pid] "r"(pid)
#ifdef __x86_64__
                     : "rax", "rcx", "rdx", "rsi", "rdi", "r11", XMM_CLOBBERS "memory", "cc");
#else
                     : "eax", "ecx", XMM_CLOBBERS "memory", "cc");
#endif
    printf("handler ran: %d\n", seen_count);
    printf("x87 st(0) kept: %s\n", x87_out == x87_in ? "yes" : "no");
    printf("x87 control word kept: %04x\n", cw_out);
    printf("MXCSR kept: %04x\n", mx_out);
    printf("xmm1 kept: %s, xmm7 kept: %s\n", memcmp(out1, in, 16) == 0 ? "yes" : "no",
           memcmp(out7, in, 16) == 0 ? "yes" : "no");
    set_default(SIGUSR1);
}

/* ---- sigaltstack: a handler on the alternate stack, and a stack overflow caught there */
static char *alt_base;
static size_t alt_size;
static volatile int on_alt, altstack_flags;

static void alt_handler(int sig, siginfo_t *si, void *ucv)
{
    char local;
    recorder(sig, si, ucv);
    on_alt = &local >= alt_base && &local < alt_base + alt_size;
    stack_t now;
    sigaltstack(NULL, &now);
    altstack_flags = now.ss_flags;
    if (sig == SIGSEGV)
        siglongjmp(jump, 1);
}

static int depth;

__attribute__((noinline)) static int recurse(int n)
{
    volatile char pad[1024];
    pad[0] = (char)n;
    depth = n;
    if (n > 1 << 30) /* never: the stack runs out long before */
        return 0;
    return recurse(n + 1) + pad[0];
}

static void check_altstack(void)
{
    alt_size = 64 * 1024;
    alt_base = malloc(alt_size);
    stack_t ss = { .ss_sp = alt_base, .ss_size = alt_size, .ss_flags = 0 };
    if (sigaltstack(&ss, NULL) < 0)
        die("sigaltstack");
    stack_t got;
    sigaltstack(NULL, &got);
    printf("sigaltstack installed: flags %d, size %zu\n", got.ss_flags, got.ss_size);

    set_handler(SIGUSR1, alt_handler, SA_ONSTACK);
    raise(SIGUSR1);
    printf("SA_ONSTACK handler on the alternate stack: %s, ss_flags inside SS_ONSTACK: %s\n",
           on_alt ? "yes" : "no", altstack_flags == SS_ONSTACK ? "yes" : "no");
    set_handler(SIGUSR1, alt_handler, 0);
    raise(SIGUSR1);
    printf("handler without SA_ONSTACK on the alternate stack: %s\n", on_alt ? "yes" : "no");

    /* Overflow the main stack (limited to 2 MiB); the SIGSEGV handler needs the alt stack. */
    struct rlimit rl = { 2 << 20, 2 << 20 };
    setrlimit(RLIMIT_STACK, &rl);
    set_handler(SIGSEGV, alt_handler, SA_ONSTACK);
    reset_seen();
    if (sigsetjmp(jump, 1) == 0)
        recurse(0);
    printf("stack overflow: signal %d caught on the alternate stack: %s, recursion deeper than 500: %s\n",
           seen_sig, on_alt ? "yes" : "no", depth > 500 ? "yes" : "no");
    sigaltstack(NULL, &got);
    printf("after leaving the handler: ss_flags %d\n", got.ss_flags);
    ss.ss_flags = SS_DISABLE;
    sigaltstack(&ss, NULL);
    sigaltstack(NULL, &got);
    printf("disabled: ss_flags SS_DISABLE: %s\n", got.ss_flags == SS_DISABLE ? "yes" : "no");
    set_default(SIGSEGV);
    set_default(SIGUSR1);
}

/* ---- SIGCHLD on a child's exit and death, and with SIGCHLD ignored (no zombies) */
static volatile int chld_status;

static void chld_handler(int sig, siginfo_t *si, void *ucv)
{
    recorder(sig, si, ucv);
    chld_status = si->si_status;
}

static void check_sigchld(void)
{
    set_handler(SIGCHLD, chld_handler, 0);
    sigset_t block, empty;
    sigemptyset(&block);
    sigaddset(&block, SIGCHLD);
    sigemptyset(&empty);
    sigprocmask(SIG_BLOCK, &block, NULL);
    for (int round = 0; round < 2; round++) {
        reset_seen();
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            if (round == 1)
                raise(SIGKILL);
            _exit(5);
        }
        while (seen_count == 0)
            sigsuspend(&empty);
        printf("SIGCHLD: %s, status %d, si_pid is the child %s\n", codename(seen_sig, seen_code),
               chld_status, seen_pid == pid ? "yes" : "no");
        waitpid(pid, NULL, 0);
    }
    sigprocmask(SIG_UNBLOCK, &block, NULL);

    signal(SIGCHLD, SIG_IGN); /* children are reaped by the kernel */
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0)
        _exit(1);
    errno = 0;
    int rc = waitpid(pid, NULL, 0);
    printf("SIGCHLD ignored: waitpid %d %s\n", rc, errno == ECHILD ? "ECHILD" : strerror(errno));
    set_default(SIGCHLD);
}

/* ---- alarm and pause */
static void check_alarm(void)
{
    set_handler(SIGALRM, recorder, 0);
    reset_seen();
    alarm(1);
    errno = 0;
    int rc = pause();
    printf("pause: %d %s, SIGALRM handler ran %d time(s), %s\n", rc, errname(errno), seen_count,
           codename(seen_sig, seen_code));
    unsigned none = alarm(5);
    unsigned left = alarm(0);
    printf("alarm(5) returns %u (none pending), then alarm(0) returns %u\n", none, left);
    set_default(SIGALRM);
}

/* ---- setitimer(ITIMER_REAL): a 10 ms periodic timer fires 5 times, then is disarmed */
static void check_itimer(void)
{
    set_handler(SIGALRM, recorder, 0);
    sigset_t block, empty;
    sigemptyset(&block);
    sigaddset(&block, SIGALRM);
    sigemptyset(&empty);
    sigprocmask(SIG_BLOCK, &block, NULL);
    reset_seen();
    struct itimerval it = { { 0, 10000 }, { 0, 10000 } };
    if (setitimer(ITIMER_REAL, &it, NULL) < 0)
        die("setitimer");
    struct itimerval cur;
    getitimer(ITIMER_REAL, &cur);
    printf("getitimer: interval %ld us, value within it %s\n", (long)cur.it_interval.tv_usec,
           cur.it_value.tv_sec == 0 && cur.it_value.tv_usec <= 10000 ? "yes" : "no");
    while (seen_count < 5)
        sigsuspend(&empty);
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    setitimer(ITIMER_REAL, &off, &cur);
    printf("SIGALRM handled 5 times (%s); the old interval returned on disarming: %ld us\n",
           codename(seen_sig, seen_code), (long)cur.it_interval.tv_usec);
    sigprocmask(SIG_UNBLOCK, &block, NULL);
    getitimer(ITIMER_REAL, &cur);
    printf("disarmed: %ld %ld\n", (long)cur.it_value.tv_sec, (long)cur.it_value.tv_usec);
    set_default(SIGALRM);
}

/* ---- blocking: a blocked signal stays pending and is delivered when unblocked; standard
 * signals coalesce, real-time signals queue with their values */
static int log_sigs[32], log_vals[32];
static volatile int log_n;

static void logger(int sig, siginfo_t *si, void *ucv)
{
    (void)ucv;
    if (log_n < 32) {
        log_sigs[log_n] = sig;
        log_vals[log_n] = si->si_code == SI_QUEUE ? si->si_value.sival_int : -1;
        log_n++;
    }
}

static void print_log(const char *what)
{
    printf("%s:", what);
    for (int i = 0; i < log_n; i++)
        printf(log_vals[i] >= 0 ? " %d(%d)" : " %d", log_sigs[i], log_vals[i]);
    printf("\n");
    log_n = 0;
}

static void check_mask(void)
{
    set_handler(SIGUSR1, logger, 0);
    set_handler(SIGRTMIN, logger, 0);
    sigset_t set, pending;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGRTMIN);
    sigprocmask(SIG_BLOCK, &set, NULL);
    raise(SIGUSR1);
    raise(SIGUSR1);
    raise(SIGUSR1);
    for (int i = 0; i < 3; i++)
        sigqueue(getpid(), SIGRTMIN, (union sigval){ .sival_int = 10 + i });
    sigpending(&pending);
    printf("while blocked: handler ran %d time(s); pending SIGUSR1 %d, SIGRTMIN %d, SIGUSR2 %d\n", log_n,
           sigismember(&pending, SIGUSR1), sigismember(&pending, SIGRTMIN), sigismember(&pending, SIGUSR2));
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, SIGUSR1);
    sigprocmask(SIG_UNBLOCK, &one, NULL);
    print_log("unblocking SIGUSR1 delivers (3 raised)");
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    print_log("unblocking SIGRTMIN delivers (3 queued)");
    sigpending(&pending);
    printf("pending afterwards: %d\n", sigismember(&pending, SIGRTMIN) || sigismember(&pending, SIGUSR1));

    sigprocmask(SIG_BLOCK, &one, NULL);
    sigset_t old;
    sigprocmask(SIG_SETMASK, NULL, &old);
    printf("SIG_SETMASK with NULL reports SIGUSR1 blocked: %d\n", sigismember(&old, SIGUSR1));
    sigset_t kill_stop;
    sigemptyset(&kill_stop);
    sigaddset(&kill_stop, SIGKILL);
    sigaddset(&kill_stop, SIGSTOP);
    sigprocmask(SIG_BLOCK, &kill_stop, NULL);
    sigprocmask(SIG_BLOCK, NULL, &old);
    printf("SIGKILL and SIGSTOP cannot be blocked: %d %d\n", sigismember(&old, SIGKILL), sigismember(&old, SIGSTOP));
    sigprocmask(SIG_UNBLOCK, &one, NULL);
    set_default(SIGUSR1);
    set_default(SIGRTMIN);
}

/* ---- several signals pending at once, unblocked together: Linux sets up a frame for each
 * before returning to user mode, lowest number first, so the handlers run in the opposite
 * order (each new frame interrupts the previous handler before its first instruction) */
static void check_order(void)
{
    const int sigs[] = { SIGTERM, SIGUSR2, SIGHUP, SIGUSR1, SIGRTMIN + 1, SIGRTMIN };
    sigset_t set;
    sigemptyset(&set);
    for (unsigned i = 0; i < 6; i++) {
        set_handler(sigs[i], logger, 0);
        sigaddset(&set, sigs[i]);
    }
    sigprocmask(SIG_BLOCK, &set, NULL);
    for (unsigned i = 0; i < 6; i++)
        raise(sigs[i]);
    log_n = 0;
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    print_log("handlers ran in the order");

    /* With each handler's sa_mask blocking all the others, one runs at a time instead,
     * lowest number first. */
    for (unsigned i = 0; i < 6; i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = logger;
        sa.sa_flags = SA_SIGINFO;
        sa.sa_mask = set;
        sigaction(sigs[i], &sa, NULL);
    }
    sigprocmask(SIG_BLOCK, &set, NULL);
    for (unsigned i = 0; i < 6; i++)
        raise(sigs[i]);
    log_n = 0;
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    print_log("with sa_mask blocking the others");
    for (unsigned i = 0; i < 6; i++)
        set_default(sigs[i]);
}

/* ---- SA_RESETHAND: the handler runs once, the disposition is SIG_DFL afterwards */
static volatile int blocked_inside;

static void mask_probe(int sig, siginfo_t *si, void *ucv)
{
    recorder(sig, si, ucv);
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    blocked_inside = sigismember(&now, sig);
}

static void check_resethand(void)
{
    set_handler(SIGUSR1, mask_probe, SA_RESETHAND);
    reset_seen();
    raise(SIGUSR1);
    struct sigaction now;
    sigaction(SIGUSR1, NULL, &now);
    printf("SA_RESETHAND: handler ran %d time(s), signal blocked inside %d, disposition now %s, SA_SIGINFO kept %d\n",
           seen_count, blocked_inside, now.sa_handler == SIG_DFL ? "SIG_DFL" : "still the handler",
           (now.sa_flags & SA_SIGINFO) != 0);
    fflush(stdout);
    pid_t pid = fork(); /* a second SIGUSR1 now kills */
    if (pid == 0) {
        set_handler(SIGUSR1, mask_probe, SA_RESETHAND);
        raise(SIGUSR1);
        raise(SIGUSR1);
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    printf("a child raising it twice: %s %d\n", WIFSIGNALED(status) ? "killed by signal" : "exited",
           WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
    set_default(SIGUSR1);
}

/* ---- SA_NODEFER: the handler is re-entered when it raises its own signal */
static char events[64];
static volatile int nev, nest;

static void nesting(int sig, siginfo_t *si, void *ucv)
{
    (void)si;
    (void)ucv;
    int me = ++nest;
    events[nev++] = (char)('0' + me);
    if (me == 1)
        raise(sig);
    events[nev++] = (char)('a' + me - 1);
}

static void check_nodefer(void)
{
    for (int round = 0; round < 2; round++) {
        set_handler(SIGUSR2, nesting, round == 0 ? SA_NODEFER : 0);
        nev = nest = 0;
        memset(events, 0, sizeof events);
        raise(SIGUSR2);
        printf("%s: entries and exits %s (digit = enter #n, letter = leave #n)\n",
               round == 0 ? "SA_NODEFER" : "without SA_NODEFER", events);
    }
    set_default(SIGUSR2);
}

/* ---- sigsuspend: waits with a temporary mask and restores the old one */
static void check_sigsuspend(void)
{
    set_handler(SIGUSR1, recorder, 0);
    sigset_t block, wait_mask, after;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, NULL);
    reset_seen();
    raise(SIGUSR1);
    printf("raised while blocked: handler ran %d time(s)\n", seen_count);
    sigemptyset(&wait_mask);
    sigaddset(&wait_mask, SIGUSR2);
    errno = 0;
    int rc = sigsuspend(&wait_mask);
    sigprocmask(SIG_BLOCK, NULL, &after);
    printf("sigsuspend: %d %s, handler ran %d time(s); mask restored: SIGUSR1 blocked %d, SIGUSR2 blocked %d\n",
           rc, errname(errno), seen_count, sigismember(&after, SIGUSR1), sigismember(&after, SIGUSR2));

    /* A signal from another process wakes it. */
    reset_seen();
    fflush(stdout);
    pid_t parent = getpid(), pid = fork();
    if (pid == 0) {
        usleep(30000);
        kill(parent, SIGUSR1);
        _exit(0);
    }
    sigemptyset(&wait_mask);
    rc = sigsuspend(&wait_mask);
    printf("woken by a child's kill: %d, %s, from the child %s\n", rc, codename(seen_sig, seen_code),
           seen_pid == pid ? "yes" : "no");
    waitpid(pid, NULL, 0);
    sigprocmask(SIG_UNBLOCK, &block, NULL);
    set_default(SIGUSR1);
}

/* ---- EINTR and SA_RESTART: a read on an empty pipe interrupted by a timer signal. The timer
 * repeats every 20 ms until the call returns, so a slow start cannot make the first signal
 * arrive before the read and leave it blocked for ever. */
static int restart_pipe[2];
static volatile int feed_pipe;

static void alarm_writer(int sig, siginfo_t *si, void *ucv)
{
    recorder(sig, si, ucv);
    if (feed_pipe && write(restart_pipe[1], "r", 1) != 1)
        _exit(98);
}

static void arm_repeating(long usec)
{
    struct itimerval it = { { 0, usec }, { 0, usec } };
    setitimer(ITIMER_REAL, &it, NULL);
}

static void disarm_and_drain(void)
{
    arm_repeating(0);
    int fl = fcntl(restart_pipe[0], F_GETFL);
    fcntl(restart_pipe[0], F_SETFL, fl | O_NONBLOCK);
    char buf[64];
    while (read(restart_pipe[0], buf, sizeof buf) > 0) {
    }
    fcntl(restart_pipe[0], F_SETFL, fl);
}

static void check_eintr(void)
{
    if (pipe(restart_pipe) < 0)
        die("pipe");
    char c;

    set_handler(SIGALRM, alarm_writer, 0);
    feed_pipe = 0;
    reset_seen();
    arm_repeating(20000);
    errno = 0;
    ssize_t n = read(restart_pipe[0], &c, 1);
    int e = errno;
    disarm_and_drain();
    printf("read without SA_RESTART: %zd %s, handler ran: %s\n", n, errname(e), seen_count > 0 ? "yes" : "no");

    set_handler(SIGALRM, alarm_writer, SA_RESTART);
    feed_pipe = 1;
    reset_seen();
    arm_repeating(20000);
    errno = 0;
    n = read(restart_pipe[0], &c, 1);
    e = errno;
    disarm_and_drain();
    printf("read with SA_RESTART: %zd %s, got '%c', handler ran: %s\n", n, errname(e), n > 0 ? c : '-',
           seen_count > 0 ? "yes" : "no");

    /* poll and nanosleep are not restarted, SA_RESTART or not */
    feed_pipe = 0;
    arm_repeating(20000);
    struct pollfd pfd = { restart_pipe[0], POLLIN, 0 };
    errno = 0;
    int rc = poll(&pfd, 1, 5000);
    e = errno;
    disarm_and_drain();
    printf("poll with SA_RESTART: %d %s\n", rc, errname(e));
    arm_repeating(20000);
    struct timespec ts = { 5, 0 }, rem = { 0, 0 };
    errno = 0;
    rc = nanosleep(&ts, &rem);
    e = errno;
    disarm_and_drain();
    printf("nanosleep with SA_RESTART: %d %s, remaining time between 4 and 5 s: %s\n", rc, errname(e),
           rem.tv_sec == 4 ? "yes" : "no");

    /* An ignored signal does not interrupt the read. */
    signal(SIGALRM, SIG_IGN);
    arm_repeating(20000);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        usleep(100000);
        _exit(write(restart_pipe[1], "i", 1) == 1 ? 0 : 1);
    }
    errno = 0;
    n = read(restart_pipe[0], &c, 1);
    e = errno;
    disarm_and_drain();
    printf("read while ignored SIGALRMs arrive: %zd %s, got '%c'\n", n, errname(e), n > 0 ? c : '-');
    waitpid(pid, NULL, 0);
    set_default(SIGALRM);
    close(restart_pipe[0]);
    close(restart_pipe[1]);
}

/* ---- sigtimedwait and sigwaitinfo take blocked signals synchronously */
static void check_sigtimedwait(void)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGRTMIN);
    sigprocmask(SIG_BLOCK, &set, NULL);
    siginfo_t si;
    struct timespec zero = { 0, 0 }, short_wait = { 0, 20 * 1000 * 1000 };
    errno = 0;
    int rc = sigtimedwait(&set, &si, &zero);
    printf("nothing pending, zero timeout: %d %s\n", rc, errname(errno));
    errno = 0;
    rc = sigtimedwait(&set, &si, &short_wait);
    printf("nothing pending, 20 ms timeout: %d %s\n", rc, errname(errno));
    raise(SIGUSR1);
    rc = sigtimedwait(&set, &si, &zero);
    printf("SIGUSR1 pending: returns %d, si_signo %d, %s\n", rc, si.si_signo, codename(si.si_signo, si.si_code));
    sigqueue(getpid(), SIGRTMIN, (union sigval){ .sival_int = 77 });
    sigqueue(getpid(), SIGRTMIN, (union sigval){ .sival_int = 78 });
    rc = sigwaitinfo(&set, &si);
    int v1 = si.si_value.sival_int;
    int rc2 = sigwaitinfo(&set, &si);
    printf("sigwaitinfo twice: %s %s, values %d %d\n", rc == SIGRTMIN ? "SIGRTMIN" : "?",
           rc2 == SIGRTMIN ? "SIGRTMIN" : "?", v1, si.si_value.sival_int);

    fflush(stdout);
    pid_t parent = getpid(), pid = fork();
    if (pid == 0) {
        usleep(30000);
        kill(parent, SIGUSR1);
        _exit(0);
    }
    struct timespec long_wait = { 10, 0 };
    rc = sigtimedwait(&set, &si, &long_wait);
    printf("a child's kill ends the wait: %d, %s, from the child %s\n", rc, codename(si.si_signo, si.si_code),
           si.si_pid == pid ? "yes" : "no");
    waitpid(pid, NULL, 0);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
}

/* ---- EFLAGS.TF: set with popf, a SIGTRAP after each instruction until popf clears it */
static volatile int traps, trap_code, tf_in_handler, tf_in_saved;

static void trap_handler(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    (void)sig;
    traps++;
    trap_code = si->si_code;
#ifdef __x86_64__
    unsigned long fl;
    __asm__ volatile("pushfq\n pop %0" : "=r"(fl));
#else
    unsigned long fl;
    __asm__ volatile("pushfl\n pop %0" : "=r"(fl));
#endif
    tf_in_handler |= (fl & 0x100) != 0;
    tf_in_saved += (uc->uc_mcontext.gregs[REG_FLAGS] & 0x100) != 0;
}

static void single_step_loop(void)
{
    /* Traps follow: mov, 10 x (dec, jnz), pushf, and, popf = 24 instructions that start with
     * TF set (not the popf that sets it: the trap comes after the instruction that follows). */
    __asm__ volatile(
#ifdef __x86_64__
        "pushfq\n orq $0x100, (%%rsp)\n popfq\n"
        "mov $10, %%ecx\n"
        "1: dec %%ecx\n jnz 1b\n"
        "pushfq\n andq $~0x100, (%%rsp)\n popfq\n"
#else
        "pushfl\n orl $0x100, (%%esp)\n popfl\n"
        "mov $10, %%ecx\n"
        "1: dec %%ecx\n jnz 1b\n"
        "pushfl\n andl $~0x100, (%%esp)\n popfl\n"
#endif
        :
        :
        : "ecx", "cc", "memory");
}

static void check_trapflag(void)
{
    set_handler(SIGTRAP, trap_handler, 0);
    traps = tf_in_handler = tf_in_saved = 0;
    single_step_loop();
    int n = traps;
    printf("SIGTRAPs over the stepped loop: %d\n", n);
    /* every trap but the last, which follows the popf that cleared TF */
    printf("TF clear inside the handler: %s; TF set in the saved EFLAGS of %d traps\n",
           tf_in_handler ? "no" : "yes", tf_in_saved);
    traps = 0;
    for (volatile int i = 0; i < 100; i++) {
    }
    printf("SIGTRAPs once TF is clear again: %d\n", traps);
    set_default(SIGTRAP);
}

/* The si_code of single-step and int3 traps. qemu-user reports TRAP_BRKPT for both; Linux
 * reports TRAP_TRACE for a single step (exc_debug_user: get_si_code(dr6) with DR_STEP) and
 * SI_KERNEL for int3 (do_int3_user -> do_trap without siginfo). */
extern char after_int3[];

static void check_trapcode(void)
{
    set_handler(SIGTRAP, trap_handler, 0);
    traps = 0;
    single_step_loop();
    printf("single-step SIGTRAP: %s\n", codename(SIGTRAP, trap_code));
    set_handler(SIGTRAP, recorder, 0);
    reset_seen();
    __asm__ volatile("int3\n.globl after_int3\nafter_int3:\n");
    printf("int3: %d SIGTRAP, %s, saved EIP after the int3 %s\n", seen_count, codename(SIGTRAP, seen_code),
           seen_pc == (uintptr_t)after_int3 ? "yes" : "no");
    set_default(SIGTRAP);
}

/* ---- job control: a stopped child takes nothing but SIGKILL and SIGCONT; a fatal signal
 * sent to it stays pending and kills it once SIGCONT resumes it (wants_signal) */
static void check_jobstop(void)
{
    int status;
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0) {
        raise(SIGSTOP);
        _exit(5); /* resumed: SIGTERM, still pending, kills the child first */
    }
    pid_t w = waitpid(pid, &status, WUNTRACED);
    printf("child stopped itself: %s, by %s\n", w == pid && WIFSTOPPED(status) ? "yes" : "no",
           WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP ? "SIGSTOP" : "?");
    kill(pid, SIGTERM);
    struct timespec pause_ts = { 0, 50 * 1000 * 1000 };
    nanosleep(&pause_ts, NULL);
    w = waitpid(pid, &status, WNOHANG);
    printf("SIGTERM to the stopped child: %s\n", w == 0 ? "pending, child still stopped" : "child gone");
    kill(pid, SIGCONT);
    w = waitpid(pid, &status, 0);
    printf("after SIGCONT: %s\n", w == pid && WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM
               ? "killed by the pending SIGTERM" : "not killed by SIGTERM");
}

/* ---- select, pselect6 and ppoll write the time left back (also when a handler interrupts
 * them); clock_nanosleep(TIMER_ABSTIME) returns no earlier than the deadline */
static void noop_handler(int sig, siginfo_t *si, void *ucv)
{
    (void)sig, (void)si, (void)ucv;
}

static void arm_once(long usec)
{
    struct itimerval it = { { 0, 0 }, { 0, usec } };
    if (setitimer(ITIMER_REAL, &it, NULL) < 0)
        die("setitimer");
}

static void check_timeleft(void)
{
    int p[2];
    if (pipe(p) < 0)
        die("pipe");
    set_handler(SIGALRM, noop_handler, 0);
    fd_set r;
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    struct timeval tv = { 0, 100 * 1000 };
    int n = select(p[0] + 1, &r, NULL, NULL, &tv);
    printf("select timed out: %d, timeval now %ld.%06ld\n", n, (long)tv.tv_sec, (long)tv.tv_usec);
    arm_once(300 * 1000);
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    tv.tv_sec = 2;
    tv.tv_usec = 0;
    n = select(p[0] + 1, &r, NULL, NULL, &tv);
    int e = errno;
    printf("select interrupted: %d %s, time left between 1.5 and 1.8 s: %s\n", n, errname(e),
           tv.tv_sec == 1 && tv.tv_usec >= 500000 && tv.tv_usec <= 800000 ? "yes" : "no");
    arm_once(300 * 1000);
    struct pollfd pf = { p[0], POLLIN, 0 };
    struct timespec ts = { 2, 0 };
    n = syscall(SYS_ppoll, &pf, 1, &ts, NULL, 8);
    e = errno;
    printf("ppoll interrupted: %d %s, time left between 1.5 and 1.8 s: %s\n", n, errname(e),
           ts.tv_sec == 1 && ts.tv_nsec >= 500000000 && ts.tv_nsec <= 800000000 ? "yes" : "no");
    if (write(p[1], "x", 1) != 1)
        die("write");
    ts.tv_sec = 3;
    ts.tv_nsec = 0;
    n = syscall(SYS_ppoll, &pf, 1, &ts, NULL, 8);
    printf("ppoll ready at once: %d, time left above 2.9 s: %s\n", n,
           ts.tv_sec == 2 && ts.tv_nsec > 900000000 ? "yes" : ts.tv_sec == 3 && ts.tv_nsec == 0 ? "yes" : "no");
    set_default(SIGALRM);
    for (int i = 0; i < 5; i++) {
        struct timespec now, deadline, after;
        clock_gettime(CLOCK_MONOTONIC, &now);
        deadline = now;
        deadline.tv_nsec += (i + 1) * 7300000L;
        if (deadline.tv_nsec >= 1000000000L) {
            deadline.tv_sec++;
            deadline.tv_nsec -= 1000000000L;
        }
        int rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, NULL);
        clock_gettime(CLOCK_MONOTONIC, &after);
        int reached = after.tv_sec > deadline.tv_sec || (after.tv_sec == deadline.tv_sec && after.tv_nsec >= deadline.tv_nsec);
        printf("clock_nanosleep TIMER_ABSTIME +%.1f ms: %d, woke at or after the deadline: %s\n",
               (i + 1) * 7.3, rc, reached ? "yes" : "no");
    }
    close(p[0]);
    close(p[1]);
}

static const struct {
    const char *name;
    void (*run)(void);
} checks[] = {
    { "raise", check_raise },         { "segv", check_segv },
    { "faultregs", check_faultregs }, { "fpe", check_fpe },
    { "eip", check_eip },
    { "fpstate", check_fpstate },     { "altstack", check_altstack },
    { "sigchld", check_sigchld },     { "alarm", check_alarm },
    { "itimer", check_itimer },       { "mask", check_mask },
    { "order", check_order },         { "resethand", check_resethand },
    { "nodefer", check_nodefer },     { "sigsuspend", check_sigsuspend },
    { "eintr", check_eintr },         { "sigtimedwait", check_sigtimedwait },
    { "trapflag", check_trapflag },   { "trapcode", check_trapcode },
    { "jobstop", check_jobstop },     { "timeleft", check_timeleft },
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
        fprintf(stderr, "usage: %s all|CHECK (see the header of signals.c)\n", argv[0]);
        return 2;
    }
    return 0;
}
