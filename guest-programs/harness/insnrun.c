/*
 * insnrun.c — native half of the per-instruction differential tests.
 *
 * Reads test cases from stdin, one per line:
 *
 *     CODEHEX EAX ECX EDX EBX EBP ESI EDI EFLAGS        (register values in hex)
 *
 * and runs each code snippet on the real CPU with exactly those registers and the
 * arithmetic flags (CF PF AF ZF SF OF) plus DF of EFLAGS. For each case it prints one line:
 *
 *     EAX ECX EDX EBX EBP ESI EDI EFLAGS PAGESUM SCRATCH
 *
 * all in hex (8 digits each), where PAGESUM is the FNV-1a hash of the 4 KiB scratch page and
 * SCRATCH is either "=" (the page still holds its initial pattern) or the first 256 bytes of
 * the page as 512 hex digits. A snippet that raises a signal prints "FAULT <signo>".
 *
 * The scratch page is mapped at the fixed address 0x10000000 and refilled with the pattern
 * byte[i] = i*7+3 before every case, so snippets may use [0x10000000] or [ebx] with
 * ebx = 0x10000000. ESP is the harness's own stack: snippets may push and pop only in
 * balanced pairs. Snippets must not depend on their own address (the code page is anywhere).
 *
 * How a case runs: a trampoline is assembled into an RWX page:
 *
 *     pushad; push FLAGS; popfd; mov eax..edi, imm32   (mov does not touch flags)
 *     <snippet>
 *     pushfd; mov [out.eax..out.edi], regs; pop [out.eflags]; cld; popad; ret
 *
 * Built as an x86-64 program (insnrun64) the same source replays snippets in 64-bit mode, for
 * hosts that cannot run 32-bit code at all. The caller must only send snippets whose bytes mean
 * the same there (test/helpers/x64Replay.ts decides and re-encodes). The trampoline becomes
 *
 *     push rbx; push rbp; push FLAGS; popfq; mov eax..edi, imm32   (zero-extends to 64 bits)
 *     <snippet>
 *     pushfq; mov [out.eax..out.edi], r32; pop rax; mov [out.eflags], eax; cld; pop rbp; pop rbx; ret
 *
 * with the code page and `out` below 2 GiB (MAP_32BIT), so that absolute disp32 addressing
 * reaches `out` and a code address fits in a 32-bit register as it does natively.
 *
 * Build: gcc -m32 -O1 -static -o insnrun insnrun.c      (i386)
 *        gcc -O1 -o insnrun64 insnrun.c                  (x86-64 replay)
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define SCRATCH_ADDR 0x10000000u
#define SCRATCH_SIZE 4096u
#define SCRATCH_SHOWN 256u
#define MAX_CODE 2048u
#define CODE_PAGE_SIZE 8192u

/* Arithmetic flags and DF: the only EFLAGS bits a case may set. */
#define LOADABLE_FLAGS 0x0cd5u

enum { R_EAX, R_ECX, R_EDX, R_EBX, R_EBP, R_ESI, R_EDI, R_EFLAGS, R_COUNT };

/* Machine register numbers (ModRM order) of the seven registers, in case-line order. */
static const unsigned char reg_num[7] = { 0, 1, 2, 3, 5, 6, 7 };

/* The trampoline stores the registers here (in x86-64 builds a page below 2 GiB). */
static volatile uint32_t *out;
#if !defined(__x86_64__)
static volatile uint32_t out_words[R_COUNT];
#endif
static unsigned char *code_page;
static sigjmp_buf fault_jmp;

static void on_fault(int sig)
{
    siglongjmp(fault_jmp, sig);
}

static void fill_scratch(unsigned char *p)
{
    unsigned i;
    for (i = 0; i < SCRATCH_SIZE; i++)
        p[i] = (unsigned char)(i * 7 + 3);
}

static uint32_t fnv1a(const unsigned char *p, unsigned n)
{
    uint32_t h = 2166136261u;
    unsigned i;
    for (i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
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

static void emit8(unsigned char **p, unsigned v)
{
    *(*p)++ = (unsigned char)v;
}

static void emit32(unsigned char **p, uint32_t v)
{
    memcpy(*p, &v, 4);
    *p += 4;
}

#if defined(__x86_64__)
/* mov [disp32], r32 in the SIB no-base no-index form: absolute (mod=00 rm=101 is RIP-relative). */
static void emit_store_abs(unsigned char **p, unsigned reg, volatile uint32_t *dst)
{
    emit8(p, 0x89);
    emit8(p, 0x04 | reg << 3);
    emit8(p, 0x25);
    emit32(p, (uint32_t)(uintptr_t)dst);
}

/* Assembles the 64-bit trampoline around the snippet; returns 0 on success. */
static int build(const unsigned char *code, unsigned len, const uint32_t *in)
{
    unsigned char *p = code_page;
    unsigned i;

    emit8(&p, 0x53);                                   /* push rbx */
    emit8(&p, 0x55);                                   /* push rbp */
    emit8(&p, 0x68);                                   /* push imm32 (sign-extended) */
    emit32(&p, (in[R_EFLAGS] & LOADABLE_FLAGS) | 0x2);
    emit8(&p, 0x9d);                                   /* popfq */
    for (i = 0; i < 7; i++) {
        emit8(&p, 0xb8 + reg_num[i]);                  /* mov r32, imm32 */
        emit32(&p, in[i]);
    }
    memcpy(p, code, len);
    p += len;
    emit8(&p, 0x9c);                                   /* pushfq */
    for (i = 0; i < 7; i++)
        emit_store_abs(&p, reg_num[i], &out[i]);
    emit8(&p, 0x58);                                   /* pop rax */
    emit_store_abs(&p, 0, &out[R_EFLAGS]);
    emit8(&p, 0xfc);                                   /* cld */
    emit8(&p, 0x5d);                                   /* pop rbp */
    emit8(&p, 0x5b);                                   /* pop rbx */
    emit8(&p, 0xc3);                                   /* ret */
    return p > code_page + CODE_PAGE_SIZE ? -1 : 0;
}
#else
/* Assembles the trampoline around the snippet; returns 0 on success. */
static int build(const unsigned char *code, unsigned len, const uint32_t *in)
{
    unsigned char *p = code_page;
    unsigned i;

    emit8(&p, 0x60);                                   /* pushad */
    emit8(&p, 0x68);                                   /* push imm32 */
    emit32(&p, (in[R_EFLAGS] & LOADABLE_FLAGS) | 0x2);
    emit8(&p, 0x9d);                                   /* popfd */
    for (i = 0; i < 7; i++) {
        emit8(&p, 0xb8 + reg_num[i]);                  /* mov r32, imm32 */
        emit32(&p, in[i]);
    }
    memcpy(p, code, len);
    p += len;
    emit8(&p, 0x9c);                                   /* pushfd */
    for (i = 0; i < 7; i++) {
        emit8(&p, 0x89);                               /* mov [disp32], r32 */
        emit8(&p, 0x05 | reg_num[i] << 3);
        emit32(&p, (uint32_t)(uintptr_t)&out[i]);
    }
    emit8(&p, 0x8f);                                   /* pop dword [disp32] */
    emit8(&p, 0x05);
    emit32(&p, (uint32_t)(uintptr_t)&out[R_EFLAGS]);
    emit8(&p, 0xfc);                                   /* cld */
    emit8(&p, 0x61);                                   /* popad */
    emit8(&p, 0xc3);                                   /* ret */
    return p > code_page + CODE_PAGE_SIZE ? -1 : 0;
}
#endif

int main(void)
{
    static char line[2 * MAX_CODE + 256];
    static unsigned char code[MAX_CODE];
    unsigned char *scratch;
    struct sigaction sa;
    static unsigned long lineno;
    static const int sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP };
    unsigned i;

#if defined(__x86_64__)
    code_page = mmap(NULL, CODE_PAGE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    out = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    if (code_page == MAP_FAILED || out == MAP_FAILED) {
        perror("insnrun: mmap code below 2 GiB");
        return 2;
    }
#else
    out = out_words;
    code_page = mmap(NULL, CODE_PAGE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code_page == MAP_FAILED) {
        perror("insnrun: mmap code");
        return 2;
    }
#endif
#ifdef MAP_FIXED_NOREPLACE
    scratch = mmap((void *)SCRATCH_ADDR, SCRATCH_SIZE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
#else
    scratch = mmap((void *)SCRATCH_ADDR, SCRATCH_SIZE, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
#endif
    if (scratch != (void *)SCRATCH_ADDR) {
        perror("insnrun: mmap scratch at 0x10000000");
        return 2;
    }

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_fault;
    sa.sa_flags = SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &sa, NULL);

    while (fgets(line, sizeof line, stdin)) {
        uint32_t in[R_COUNT];
        unsigned len = 0, k;
        char *s = line, *end;
        int sig, bad = 0;

        lineno++;
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s == '\n' || *s == '\0' || *s == '#')
            continue;
        while (hexval(s[0]) >= 0 && hexval(s[1]) >= 0 && len < MAX_CODE) {
            code[len++] = (unsigned char)(hexval(s[0]) << 4 | hexval(s[1]));
            s += 2;
        }
        for (k = 0; k < R_COUNT; k++) {
            in[k] = (uint32_t)strtoul(s, &end, 16);
            if (end == s)
                bad = 1;
            s = end;
        }
        if (bad) {
            fprintf(stderr, "insnrun: line %lu: expected CODEHEX and 8 hex words\n", lineno);
            return 2;
        }
        if (build(code, len, in) != 0) {
            fprintf(stderr, "insnrun: line %lu: code too long\n", lineno);
            return 2;
        }
        fill_scratch(scratch);

        sig = sigsetjmp(fault_jmp, 1);
        if (sig == 0) {
            ((void (*)(void))code_page)();
        } else {
            printf("FAULT %d\n", sig);
            continue;
        }

        for (k = 0; k < R_COUNT; k++)
            printf("%08x ", (unsigned)out[k]);
        printf("%08x ", (unsigned)fnv1a(scratch, SCRATCH_SIZE));
        {
            int changed = 0;
            for (k = 0; k < SCRATCH_SIZE && !changed; k++)
                changed = scratch[k] != (unsigned char)(k * 7 + 3);
            if (!changed) {
                printf("=\n");
            } else {
                for (k = 0; k < SCRATCH_SHOWN; k++)
                    printf("%02x", scratch[k]);
                printf("\n");
            }
        }
    }
    return 0;
}
