/*
 * sseharness.c — native half of the MMX/SSE/SSE2 differential tests (gcc -m32 -msse2), or,
 * built as a 64-bit program, the x86-64 replay of them on hosts that cannot run i386 code:
 * the same snippet bytes run in 64-bit mode with the 32-bit register values zero-extended
 * (harness.ts passes only snippets that mean the same there, translated where needed).
 *
 * Reads one case per line on stdin:
 *
 *     CODEHEX STATEHEX
 *
 * where STATE is the byte image below (STATE_SIZE bytes, hex). Each case loads the state
 * (XMM0-7, MM0-7, MXCSR and the x87 tag byte through FXRSTOR; EAX..EDI; the arithmetic flags
 * and DF; a memory window), runs the snippet, and prints one line:
 *
 *     OK STATEHEX                        the snippet ran to its end
 *     FAULT SIGNO SICODE STATEHEX        it raised a signal; the state is the one at the fault
 *                                        (registers from the signal frame, memory as left)
 *
 * State image (little-endian):
 *     0    xmm[8][16]
 *     128  mm[8][8]
 *     192  gpr[8]    eax ecx edx ebx esp ebp esi edi (esp is ignored on input; on output it
 *                    holds the fault address of a page fault, else 0)
 *     224  eflags    (only CF PF AF ZF SF OF DF are loaded)
 *     228  mxcsr
 *     232  ftw       abridged x87 tag byte (FXSAVE format: bit i set = register i valid)
 *     233  pad[3]
 *     236  fsw       x87 status word (low 16 bits; TOP in bits 11-13). On input TOP and the
 *                    exception bits 0-7 are used: the exceptions are loaded unmasked in the
 *                    control word, so ES set means a pending #MF. mm[i] is always physical
 *                    register i, whatever TOP (FXSAVE slots are in stack order).
 *     240  mem[256]  the bytes at MEM_ADDR = 0x10001f00, the last 256 bytes of a two-page
 *                    window at 0x10000000 (the rest of which is zero); 0x10002000 is a
 *                    PROT_NONE guard page, so accesses that run past the window fault.
 *
 * Build: gcc -m32 -O1 -msse2 -o sseharness sseharness.c
 *        gcc -O1 -msse2 -o sseharness64 sseharness.c          (x86-64 replay)
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

#define WIN_ADDR 0x10000000u
#define WIN_SIZE 0x2000u
#define GUARD_ADDR 0x10002000u
#define MEM_ADDR 0x10001f00u
#define MEM_SIZE 256u
#define STATE_SIZE (240u + MEM_SIZE)
#define MAX_CODE 1024u
#define CODE_PAGE_SIZE 8192u
#define LOADABLE_FLAGS 0x0cd5u

struct state {
    uint8_t xmm[8][16];
    uint8_t mm[8][8];
    uint32_t gpr[8];
    uint32_t eflags;
    uint32_t mxcsr;
    uint8_t ftw;
    uint8_t pad[3];
    uint32_t fsw;
    uint8_t mem[MEM_SIZE];
};

static struct state in, out;
static uint8_t fx_in[512] __attribute__((aligned(16)));
static uint8_t fx_out[512] __attribute__((aligned(16)));
static uint32_t gpr_in[8], gpr_out[8];
static uintptr_t efl_in, efl_out; /* pushed and popped whole: 8 bytes in the 64-bit build */
static unsigned char *code_page;
static unsigned char *win;
static sigjmp_buf fault_jmp;
static volatile int fault_code;

static const unsigned char reg_order[7] = { 0, 1, 2, 3, 5, 6, 7 }; /* eax ecx edx ebx ebp esi edi */

#if defined(__x86_64__)
/* uc_mcontext.fpregs points straight at the FXSAVE image. */
#define FXSAVE_IN_FRAME 0
static const int greg_index[8] = { REG_RAX, REG_RCX, REG_RDX, REG_RBX, -1, REG_RBP, REG_RSI, REG_RDI };
#else
/* struct _fpstate_32: the FXSAVE image starts at offset 112 (magic 0 at 110). */
#define FXSAVE_IN_FRAME 112
static const int greg_index[8] = { REG_EAX, REG_ECX, REG_EDX, REG_EBX, -1, REG_EBP, REG_ESI, REG_EDI };
#endif

static void on_fault(int sig, siginfo_t *si, void *ctx)
{
    ucontext_t *uc = ctx;
    const uint8_t *fp = (const uint8_t *)uc->uc_mcontext.fpregs;
    unsigned k;
    fault_code = si->si_code;
    for (k = 0; k < 7; k++)
        out.gpr[reg_order[k]] = (uint32_t)uc->uc_mcontext.gregs[greg_index[reg_order[k]]];
    out.gpr[4] = sig == SIGSEGV && (si->si_code == SEGV_MAPERR || si->si_code == SEGV_ACCERR)
        ? (uint32_t)(uintptr_t)si->si_addr : 0;
    out.eflags = (uint32_t)uc->uc_mcontext.gregs[REG_EFL];
    if (fp) {
        const uint8_t *fx = fp + FXSAVE_IN_FRAME;
        unsigned top;
        memcpy(&out.mxcsr, fx + 24, 4);
        out.ftw = fx[4];
        out.fsw = fx[2] | fx[3] << 8;
        top = (out.fsw >> 11) & 7;
        for (k = 0; k < 8; k++) {
            memcpy(out.xmm[k], fx + 160 + 16 * k, 16);
            memcpy(out.mm[(top + k) & 7], fx + 32 + 16 * k, 8);
        }
    }
    siglongjmp(fault_jmp, sig);
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static void emit8(unsigned char **p, unsigned v) { *(*p)++ = (unsigned char)v; }

#if defined(__x86_64__)
static void emit64(unsigned char **p, uint64_t v) { memcpy(*p, &v, 8); *p += 8; }
static void movabs(unsigned char **p, unsigned rex, unsigned op, const void *addr)
{
    emit8(p, rex); emit8(p, op); emit64(p, (uint64_t)(uintptr_t)addr);
}

/*
 * No PUSHAD/POPAD in 64-bit mode: the snippet (no REX prefixes) can only change RAX..RDI, of
 * which RBX and RBP are callee-saved; the trampoline itself uses RAX and R11 (caller-saved).
 * 32-bit MOVs into the registers zero-extend them.
 */
static int build(const unsigned char *code, unsigned len)
{
    unsigned char *p = code_page;
    unsigned k;
    emit8(&p, 0x53);                                   /* push rbx */
    emit8(&p, 0x55);                                   /* push rbp */
    movabs(&p, 0x48, 0xb8, fx_in);                     /* mov rax, fx_in */
    emit8(&p, 0x0f); emit8(&p, 0xae); emit8(&p, 0x08); /* fxrstor [rax] */
    movabs(&p, 0x48, 0xb8, &efl_in);                   /* mov rax, &efl_in */
    emit8(&p, 0xff); emit8(&p, 0x30);                  /* push qword [rax] */
    emit8(&p, 0x9d);                                   /* popfq */
    movabs(&p, 0x49, 0xbb, gpr_in);                    /* mov r11, gpr_in */
    for (k = 0; k < 7; k++) {                          /* mov r32, [r11 + 4*r] */
        emit8(&p, 0x41); emit8(&p, 0x8b);
        emit8(&p, 0x43 | reg_order[k] << 3); emit8(&p, 4 * reg_order[k]);
    }
    memcpy(p, code, len);
    p += len;
    emit8(&p, 0x9c);                                   /* pushfq */
    movabs(&p, 0x49, 0xbb, gpr_out);                   /* mov r11, gpr_out */
    for (k = 0; k < 7; k++) {                          /* mov [r11 + 4*r], r32 */
        emit8(&p, 0x41); emit8(&p, 0x89);
        emit8(&p, 0x43 | reg_order[k] << 3); emit8(&p, 4 * reg_order[k]);
    }
    movabs(&p, 0x48, 0xb8, &efl_out);                  /* mov rax, &efl_out */
    emit8(&p, 0x8f); emit8(&p, 0x00);                  /* pop qword [rax] */
    movabs(&p, 0x48, 0xb8, fx_out);                    /* mov rax, fx_out */
    emit8(&p, 0x0f); emit8(&p, 0xae); emit8(&p, 0x00); /* fxsave [rax] */
    emit8(&p, 0xfc);                                   /* cld */
    emit8(&p, 0x5d);                                   /* pop rbp */
    emit8(&p, 0x5b);                                   /* pop rbx */
    emit8(&p, 0xc3);                                   /* ret */
    return p > code_page + CODE_PAGE_SIZE ? -1 : 0;
}
#else
static void emit32(unsigned char **p, uint32_t v) { memcpy(*p, &v, 4); *p += 4; }

static int build(const unsigned char *code, unsigned len)
{
    unsigned char *p = code_page;
    unsigned k;
    emit8(&p, 0x60);                                   /* pushad */
    emit8(&p, 0xb8); emit32(&p, (uint32_t)(uintptr_t)fx_in); /* mov eax, fx_in */
    emit8(&p, 0x0f); emit8(&p, 0xae); emit8(&p, 0x08); /* fxrstor [eax] */
    emit8(&p, 0xff); emit8(&p, 0x35); emit32(&p, (uint32_t)(uintptr_t)&efl_in); /* push [efl_in] */
    emit8(&p, 0x9d);                                   /* popfd */
    for (k = 0; k < 7; k++) {                          /* mov r32, [gpr_in + 4*r] */
        emit8(&p, 0x8b);
        emit8(&p, 0x05 | reg_order[k] << 3);
        emit32(&p, (uint32_t)(uintptr_t)&gpr_in[reg_order[k]]);
    }
    memcpy(p, code, len);
    p += len;
    emit8(&p, 0x9c);                                   /* pushfd */
    for (k = 0; k < 7; k++) {                          /* mov [gpr_out + 4*r], r32 */
        emit8(&p, 0x89);
        emit8(&p, 0x05 | reg_order[k] << 3);
        emit32(&p, (uint32_t)(uintptr_t)&gpr_out[reg_order[k]]);
    }
    emit8(&p, 0x8f); emit8(&p, 0x05); emit32(&p, (uint32_t)(uintptr_t)&efl_out); /* pop [efl_out] */
    emit8(&p, 0xb8); emit32(&p, (uint32_t)(uintptr_t)fx_out); /* mov eax, fx_out */
    emit8(&p, 0x0f); emit8(&p, 0xae); emit8(&p, 0x00); /* fxsave [eax] */
    emit8(&p, 0xfc);                                   /* cld */
    emit8(&p, 0x61);                                   /* popad */
    emit8(&p, 0xc3);                                   /* ret */
    return p > code_page + CODE_PAGE_SIZE ? -1 : 0;
}
#endif

static void print_state(const struct state *s)
{
    const uint8_t *b = (const uint8_t *)s;
    static const char hx[] = "0123456789abcdef";
    static char buf[2 * STATE_SIZE + 1];
    unsigned k;
    for (k = 0; k < STATE_SIZE; k++) {
        buf[2 * k] = hx[b[k] >> 4];
        buf[2 * k + 1] = hx[b[k] & 15];
    }
    buf[2 * STATE_SIZE] = 0;
    fputs(buf, stdout);
    fputc('\n', stdout);
}

int main(void)
{
    static char line[2 * MAX_CODE + 2 * STATE_SIZE + 64];
    static unsigned char code[MAX_CODE];
    struct sigaction sa;
    static const int sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP };
    unsigned long lineno = 0;
    unsigned k;

    code_page = mmap(NULL, CODE_PAGE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    win = mmap((void *)WIN_ADDR, WIN_SIZE, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (code_page == MAP_FAILED || win != (void *)WIN_ADDR) {
        perror("sseharness: mmap");
        return 2;
    }
    if (mmap((void *)GUARD_ADDR, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0)
        != (void *)GUARD_ADDR) {
        perror("sseharness: mmap guard");
        return 2;
    }
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    for (k = 0; k < sizeof sigs / sizeof sigs[0]; k++)
        sigaction(sigs[k], &sa, NULL);
    setvbuf(stdout, NULL, _IOFBF, 1 << 16);

    while (fgets(line, sizeof line, stdin)) {
        unsigned len = 0, n = 0;
        char *s = line;
        int sig;
        uint8_t *ib = (uint8_t *)&in;

        lineno++;
        while (*s == ' ')
            s++;
        if (*s == '\n' || *s == 0 || *s == '#')
            continue;
        while (hexval(s[0]) >= 0 && hexval(s[1]) >= 0 && len < MAX_CODE) {
            code[len++] = (unsigned char)(hexval(s[0]) << 4 | hexval(s[1]));
            s += 2;
        }
        while (*s == ' ')
            s++;
        while (hexval(s[0]) >= 0 && hexval(s[1]) >= 0 && n < STATE_SIZE) {
            ib[n++] = (uint8_t)(hexval(s[0]) << 4 | hexval(s[1]));
            s += 2;
        }
        if (n != STATE_SIZE || build(code, len) != 0) {
            fprintf(stderr, "sseharness: line %lu: bad case (%u state bytes)\n", lineno, n);
            return 2;
        }
        memset(fx_in, 0, sizeof fx_in);
        fx_in[0] = (unsigned char)(0x7f & ~(in.fsw & 0x3f)); fx_in[1] = 0x03; /* FCW */
        fx_in[2] = (unsigned char)(in.fsw & 0xff);     /* FSW exception bits */
        fx_in[3] = (unsigned char)((in.fsw >> 8) & 0x38); /* TOP */
        fx_in[4] = in.ftw;
        memcpy(fx_in + 24, &in.mxcsr, 4);
        for (k = 0; k < 8; k++) {
            memcpy(fx_in + 32 + 16 * k, in.mm[(((in.fsw >> 11) & 7) + k) & 7], 8);
            fx_in[32 + 16 * k + 8] = 0xff;
            fx_in[32 + 16 * k + 9] = 0xff;
            memcpy(fx_in + 160 + 16 * k, in.xmm[k], 16);
        }
        memcpy(gpr_in, in.gpr, sizeof gpr_in);
        efl_in = (in.eflags & LOADABLE_FLAGS) | 2;
        memset(win, 0, WIN_SIZE);
        memcpy(win + (MEM_ADDR - WIN_ADDR), in.mem, MEM_SIZE);
        memset(&out, 0, sizeof out);

        sig = sigsetjmp(fault_jmp, 1);
        if (sig == 0) {
            unsigned top;
            ((void (*)(void))code_page)();
            memcpy(&out.mxcsr, fx_out + 24, 4);
            out.ftw = fx_out[4];
            out.fsw = fx_out[2] | fx_out[3] << 8;
            top = (out.fsw >> 11) & 7;
            for (k = 0; k < 8; k++) {
                memcpy(out.xmm[k], fx_out + 160 + 16 * k, 16);
                memcpy(out.mm[(top + k) & 7], fx_out + 32 + 16 * k, 8);
            }
            memcpy(out.gpr, gpr_out, sizeof gpr_out);
            out.gpr[4] = 0;
            out.eflags = (uint32_t)efl_out;
            memcpy(out.mem, win + (MEM_ADDR - WIN_ADDR), MEM_SIZE);
            fputs("OK ", stdout);
            print_state(&out);
        } else {
            memcpy(out.mem, win + (MEM_ADDR - WIN_ADDR), MEM_SIZE);
            printf("FAULT %d %d ", sig, fault_code);
            print_state(&out);
        }
    }
    fflush(stdout);
    return 0;
}
