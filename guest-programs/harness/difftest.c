/*
 * difftest.c — native half of the random-sequence differential tester (npm run difftest;
 * the emulator half is test/difftest/). One process runs many cases read from stdin.
 *
 * Fixed address space shared with the emulator side (test/difftest/layout.ts):
 *
 *   0x0FFFF000  guard page (PROT_NONE)          unmapped in the emulator
 *   0x10000000  scratch, 16 KiB, read/write     data 0x10000000-0x10002FFF, stack above
 *   0x10004000  guard page (PROT_NONE)          unmapped in the emulator
 *   0x20000000  code page: the sequence, then the epilogue
 *   0x20001000  prologue page (native only)
 *
 * The scratch area starts every case as the same pseudo-random pattern (xorshift32 from
 * 0x2545F491, one byte per step: the low byte of the state), then the case's patches.
 *
 * Input, one case per line (all numbers hex; START is where execution begins in the code):
 *
 *   CODEHEX START EAX ECX EDX EBX ESP EBP ESI EDI EFLAGS PATCHES FX
 *
 * PATCHES is "-" or "OFF=BYTESHEX,OFF=BYTESHEX..." (offsets into scratch). FX is "-" (the
 * x87/SSE state is FNINIT + MXCSR 0x1F80 and is not reported) or 1024 hex digits: a 512-byte
 * FXSAVE image loaded with FXRSTOR before the sequence and reported after it.
 *
 * Output, one line per case:
 *
 *   SIG CODE ADDR EIP EAX ECX EDX EBX ESP EBP ESI EDI EFLAGS MEMDIFF FX
 *
 * SIG is 0 when the sequence ran off its end (EIP is then the end address), else the signal
 * with its si_code and si_addr and the registers at the fault from the signal context
 * (SIGALRM: the sequence ran for more than 0.5 s).
 * MEMDIFF lists the runs of scratch bytes that differ from the initial image ("-" if none).
 * FX is the FXSAVE image after the sequence (or at the fault), or "-".
 *
 * Build: gcc -m32 -O1 -static -o difftest difftest.c
 *
 * The same source also builds as an x86-64 program (gcc -O1 -static -no-pie) for hosts that
 * cannot run i386 code (no IA32 emulation, as in PVM guests): the sequence then runs in 64-bit
 * mode with the 32-bit register values zero-extended, and the generator emits only sequences
 * whose bytes mean the same there (test/difftest/longMode.ts). ESP is loaded into RSP, so the
 * addresses of the fixed layout stay below 4 GiB; the prologue and epilogue address the
 * harness's variables through the SIB form with no base, which is absolute in both modes.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <ucontext.h>

#define SCRATCH_ADDR 0x10000000u
#define SCRATCH_SIZE 0x4000u
#define CODE_ADDR 0x20000000u
#define PROLOGUE_ADDR 0x20001000u
#define MAX_CODE 3800u
#define PATTERN_SEED 0x2545F491u

enum { R_EAX, R_ECX, R_EDX, R_EBX, R_ESP, R_EBP, R_ESI, R_EDI, R_EFLAGS, R_COUNT };

static volatile uint32_t out[R_COUNT];
static volatile uint32_t saved_esp;
static unsigned char fx_in[512] __attribute__((aligned(16)));
static unsigned char fx_out[512] __attribute__((aligned(16)));
static unsigned char fx_default[512] __attribute__((aligned(16)));
static unsigned char pattern[SCRATCH_SIZE];
static unsigned char initial[SCRATCH_SIZE];
static sigjmp_buf fault_jmp;

static volatile int f_sig, f_code;
static volatile uint32_t f_addr, f_eip;
static int f_have_fx;

/* The signal context's register slots, in R_EAX..R_EDI order, for either build. */
#if defined(__x86_64__)
static const int greg_slot[8] = { REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI };
#define GREG_PC REG_RIP
#else
static const int greg_slot[8] = { REG_EAX, REG_ECX, REG_EDX, REG_EBX, REG_UESP, REG_EBP, REG_ESI, REG_EDI };
#define GREG_PC REG_EIP
#endif

static void on_fault(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    greg_t *g = uc->uc_mcontext.gregs;
    int r;
    f_sig = sig;
    f_code = si->si_code;
    f_addr = (uint32_t)(uintptr_t)si->si_addr;
    f_eip = (uint32_t)g[GREG_PC];
    for (r = 0; r < 8; r++)
        out[r] = (uint32_t)g[greg_slot[r]];
    out[R_EFLAGS] = (uint32_t)g[REG_EFL];
    f_have_fx = 0;
    if (uc->uc_mcontext.fpregs) {
#if defined(__x86_64__)
        /* The 64-bit frame holds the FXSAVE image itself. */
        memcpy(fx_out, uc->uc_mcontext.fpregs, 512);
        f_have_fx = 1;
#else
        /* struct _fpstate_32: 112 bytes of FSAVE-format state, then the FXSAVE image. */
        unsigned char *fp = (unsigned char *)uc->uc_mcontext.fpregs;
        uint16_t magic;
        memcpy(&magic, fp + 110, 2);
        if (magic != 0xffff) {
            memcpy(fx_out, fp + 112, 512);
            f_have_fx = 1;
        }
#endif
    }
    siglongjmp(fault_jmp, 1);
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static void emit8(unsigned char **p, unsigned v) { *(*p)++ = (unsigned char)v; }
static void emit32(unsigned char **p, uint32_t v) { memcpy(*p, &v, 4); *p += 4; }

/* ModRM (and SIB) for the absolute address addr with register field r. ModRM 05 is [disp32]
 * in 32-bit mode but RIP-relative in 64-bit mode, where the SIB form with no base and no index
 * is the absolute one. */
static void abs_operand(unsigned char **p, int r, volatile void *addr)
{
#if defined(__x86_64__)
    emit8(p, 0x04 | r << 3);
    emit8(p, 0x25);
#else
    emit8(p, 0x05 | r << 3);
#endif
    emit32(p, (uint32_t)(uintptr_t)addr);
}

/* The end of the prologue, the same bytes in both modes: EFLAGS through push imm32 + POPF, the
 * eight registers (mov r32, imm32; zero-extending in 64-bit mode), a jump to the sequence. */
static void enter_case(unsigned char *p, const uint32_t *in, unsigned start)
{
    int r;
    emit8(&p, 0x68);                                   /* push imm32; popf */
    emit32(&p, in[R_EFLAGS]);
    emit8(&p, 0x9d);
    for (r = 0; r < 8; r++) {                          /* mov r32, imm32 */
        emit8(&p, 0xb8 + r);
        emit32(&p, in[r]);
    }
    emit8(&p, 0xe9);                                   /* jmp CODE_ADDR + start */
    emit32(&p, CODE_ADDR + start - ((uint32_t)(uintptr_t)p + 4));
}

/* Copies the sequence to CODE_ADDR and stores the eight registers after it; returns where the
 * rest of the epilogue goes. */
static unsigned char *place_sequence(const unsigned char *code, unsigned len)
{
    unsigned char *p = (unsigned char *)CODE_ADDR;
    int r;
    memcpy(p, code, len);
    p += len;
    for (r = 0; r < 8; r++) {                          /* mov [out + 4*r], r32 */
        emit8(&p, 0x89);
        abs_operand(&p, r, &out[r]);
    }
    return p;
}

#if defined(__x86_64__)
static volatile uint64_t saved_rsp, rflags_out;

static void build(const unsigned char *code, unsigned len, unsigned start, const uint32_t *in, int use_fx)
{
    unsigned char *p = (unsigned char *)PROLOGUE_ADDR;

    /* prologue: save the harness's callee-saved registers and RSP, load the case */
    emit8(&p, 0x53); emit8(&p, 0x55);                  /* push rbx; push rbp */
    emit8(&p, 0x41); emit8(&p, 0x54);                  /* push r12 .. r15 */
    emit8(&p, 0x41); emit8(&p, 0x55);
    emit8(&p, 0x41); emit8(&p, 0x56);
    emit8(&p, 0x41); emit8(&p, 0x57);
    emit8(&p, 0x9c);                                   /* pushfq */
    emit8(&p, 0x48); emit8(&p, 0x89);                  /* mov [saved_rsp], rsp */
    abs_operand(&p, 4, &saved_rsp);
    emit8(&p, 0x0f); emit8(&p, 0xae);                  /* fxrstor [fx] (32-bit format) */
    abs_operand(&p, 1, use_fx ? fx_in : fx_default);
    enter_case(p, in, start);

    /* the sequence, then the epilogue */
    p = place_sequence(code, len);
    emit8(&p, 0x48); emit8(&p, 0x8b);                  /* mov rsp, [saved_rsp] */
    abs_operand(&p, 4, &saved_rsp);
    emit8(&p, 0x9c);                                   /* pushfq */
    emit8(&p, 0x8f);                                   /* pop qword [rflags_out] */
    abs_operand(&p, 0, &rflags_out);
    emit8(&p, 0x0f); emit8(&p, 0xae);                  /* fxsave [fx_out] */
    abs_operand(&p, 0, fx_out);
    emit8(&p, 0xdb); emit8(&p, 0xe3);                  /* fninit */
    emit8(&p, 0x9d);                                   /* popfq */
    emit8(&p, 0x41); emit8(&p, 0x5f);                  /* pop r15 .. r12 */
    emit8(&p, 0x41); emit8(&p, 0x5e);
    emit8(&p, 0x41); emit8(&p, 0x5d);
    emit8(&p, 0x41); emit8(&p, 0x5c);
    emit8(&p, 0x5d); emit8(&p, 0x5b);                  /* pop rbp; pop rbx */
    emit8(&p, 0xc3);                                   /* ret */
}
#else
static void build(const unsigned char *code, unsigned len, unsigned start, const uint32_t *in, int use_fx)
{
    unsigned char *p = (unsigned char *)PROLOGUE_ADDR;

    /* prologue: save the harness, load the case */
    emit8(&p, 0x60);                                   /* pushad */
    emit8(&p, 0x9c);                                   /* pushfd */
    emit8(&p, 0x89);                                   /* mov [saved_esp], esp */
    abs_operand(&p, 4, &saved_esp);
    emit8(&p, 0x0f); emit8(&p, 0xae);                  /* fxrstor [fx] */
    abs_operand(&p, 1, use_fx ? fx_in : fx_default);
    emit8(&p, 0x31); emit8(&p, 0xc0);                  /* xor eax, eax; mov fs, eax */
    emit8(&p, 0x8e); emit8(&p, 0xe0);                  /* (a case may have loaded FS) */
    enter_case(p, in, start);

    /* the sequence, then the epilogue */
    p = place_sequence(code, len);
    emit8(&p, 0x8b);                                   /* mov esp, [saved_esp] */
    abs_operand(&p, 4, &saved_esp);
    emit8(&p, 0x9c);                                   /* pushfd */
    emit8(&p, 0x8f);                                   /* pop dword [out.eflags] */
    abs_operand(&p, 0, &out[R_EFLAGS]);
    emit8(&p, 0x0f); emit8(&p, 0xae);                  /* fxsave [fx_out] */
    abs_operand(&p, 0, fx_out);
    emit8(&p, 0xdb); emit8(&p, 0xe3);                  /* fninit */
    emit8(&p, 0x9d);                                   /* popfd */
    emit8(&p, 0x61);                                   /* popad */
    emit8(&p, 0xc3);                                   /* ret */
}
#endif

static char *parse_hex_bytes(char *s, unsigned char *dst, unsigned max, unsigned *n)
{
    unsigned k = 0;
    while (hexval(s[0]) >= 0 && hexval(s[1]) >= 0 && k < max) {
        dst[k++] = (unsigned char)(hexval(s[0]) << 4 | hexval(s[1]));
        s += 2;
    }
    *n = k;
    return s;
}

static void print_hex(const unsigned char *p, unsigned n)
{
    static const char digits[] = "0123456789abcdef";
    unsigned i;
    for (i = 0; i < n; i++) {
        putchar(digits[p[i] >> 4]);
        putchar(digits[p[i] & 15]);
    }
}

int main(void)
{
    static char line[2 * MAX_CODE + 2 * SCRATCH_SIZE + 4096];
    static unsigned char code[MAX_CODE];
    unsigned char *scratch, *m;
    struct sigaction sa;
    stack_t ss;
    static unsigned long lineno;
    static const int sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGALRM };
    struct itimerval arm = { { 0, 0 }, { 0, 500000 } }, disarm = { { 0, 0 }, { 0, 0 } };
    uint32_t x = PATTERN_SEED;
    unsigned i;

    for (i = 0; i < SCRATCH_SIZE; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        pattern[i] = (unsigned char)x;
    }

    m = mmap((void *)(SCRATCH_ADDR - 0x1000), SCRATCH_SIZE + 0x2000, PROT_NONE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (m != (void *)(SCRATCH_ADDR - 0x1000)) {
        perror("difftest: mmap scratch");
        return 2;
    }
    scratch = (unsigned char *)SCRATCH_ADDR;
    if (mprotect(scratch, SCRATCH_SIZE, PROT_READ | PROT_WRITE) != 0) {
        perror("difftest: mprotect scratch");
        return 2;
    }
    m = mmap((void *)CODE_ADDR, 0x2000, PROT_READ | PROT_WRITE | PROT_EXEC,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (m != (void *)CODE_ADDR) {
        perror("difftest: mmap code");
        return 2;
    }

    ss.ss_sp = malloc(1 << 16);
    ss.ss_size = 1 << 16;
    ss.ss_flags = 0;
    sigaltstack(&ss, NULL);
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &sa, NULL);

    __asm__ volatile("fninit; fxsave %0" : "=m"(fx_default));
    {
        uint32_t mx = 0x1f80;
        memcpy(fx_default + 24, &mx, 4);
    }

    while (fgets(line, sizeof line, stdin)) {
        uint32_t in[R_COUNT];
        unsigned len = 0, k, n, start;
        char *s = line, *end;
        volatile int use_fx = 0;
        int bad = 0;

        lineno++;
        if (*s == '\n' || *s == '\0' || *s == '#')
            continue;
        s = parse_hex_bytes(s, code, MAX_CODE, &len);
        start = (unsigned)strtoul(s, &end, 16);
        if (end == s || start > len) bad = 1;
        s = end;
        for (k = 0; k < R_COUNT; k++) {
            in[k] = (uint32_t)strtoul(s, &end, 16);
            if (end == s) bad = 1;
            s = end;
        }
        while (*s == ' ') s++;
        memcpy(initial, pattern, SCRATCH_SIZE);
        if (*s == '-') {
            s++;
        } else {
            while (hexval(*s) >= 0) {
                unsigned off = (unsigned)strtoul(s, &end, 16);
                if (*end != '=' || off >= SCRATCH_SIZE) { bad = 1; break; }
                s = parse_hex_bytes(end + 1, initial + off, SCRATCH_SIZE - off, &n);
                if (*s == ',') s++;
            }
        }
        while (*s == ' ') s++;
        if (*s == '-') {
            s++;
        } else {
            s = parse_hex_bytes(s, fx_in, 512, &n);
            if (n != 512) bad = 1;
            use_fx = 1;
        }
        if (bad) {
            fprintf(stderr, "difftest: line %lu: cannot parse\n", lineno);
            return 2;
        }
        build(code, len, start, in, use_fx);
        memcpy(scratch, initial, SCRATCH_SIZE);

        f_sig = 0;
        f_code = 0;
        f_addr = 0;
        f_eip = CODE_ADDR + len;
        f_have_fx = 1;
        if (sigsetjmp(fault_jmp, 1) == 0) {
            setitimer(ITIMER_REAL, &arm, NULL);      /* a runaway sequence ends as SIGALRM */
            ((void (*)(void))PROLOGUE_ADDR)();
            setitimer(ITIMER_REAL, &disarm, NULL);
#if defined(__x86_64__)
            out[R_EFLAGS] = (uint32_t)rflags_out;
#endif
        } else {
            setitimer(ITIMER_REAL, &disarm, NULL);
            /* The signal interrupted the sequence: make the x87 state sane again. */
            __asm__ volatile("fninit; cld");
        }

        printf("%x %x %x %x", f_sig, f_code, (unsigned)f_addr, (unsigned)f_eip);
        for (k = 0; k < R_COUNT; k++)
            printf(" %x", (unsigned)out[k]);
        putchar(' ');
        {
            int any = 0;
            k = 0;
            while (k < SCRATCH_SIZE) {
                unsigned j;
                if (scratch[k] == initial[k]) { k++; continue; }
                j = k;
                while (j < SCRATCH_SIZE && scratch[j] != initial[j]) j++;
                if (any) putchar(',');
                printf("%x=", k);
                print_hex(scratch + k, j - k);
                any = 1;
                k = j;
            }
            if (!any) putchar('-');
        }
        putchar(' ');
        if (use_fx && f_have_fx) print_hex(fx_out, 512);
        else putchar('-');
        putchar('\n');
    }
    return 0;
}
