/*
 * far_smc.c — far transfers within the user code segment and self-modifying code, the way
 * code without glibc's help uses them: a far return to the same CS after "push %cs; call"
 * (with and without an immediate), lcall and ljmp through a far pointer built at run time
 * from the CS register and with the selector in the instruction, iret to the same CS with an
 * EFLAGS image (CPL 3 may not change IF or IOPL), and far transfers to selectors a CPL-3
 * program may not use, caught as SIGSEGV (si_code SI_KERNEL, si_addr 0). Then stores that
 * patch an instruction a few bytes ahead of themselves, in a writable and executable section
 * and in an mmap(PROT_EXEC) buffer, in loops: the patched instruction must run as stored.
 * The user CS is read at run time (Linux i386 gives 0x73; a 64-bit kernel, and qemu-i386,
 * 0x23): the direct lcall/ljmp get it patched into their selector field before they run.
 *
 *   far_smc            everything qemu-i386 reproduces (the default)
 *   far_smc faultregs  the trap number and error code Linux puts in the sigcontext of each
 *                      bad-selector SIGSEGV (trapno 13, err = selector & ~3, 0 for a null
 *                      selector), and IRET with EFLAGS.NT set (#TS, trapno 10); qemu-user
 *                      leaves trapno at -1 and has no TSS, so tests state these
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

/* far_inc: eax + 1, returned with a far return. far_add: the sum of the two dword arguments
 * above the far return address, which "lret $8" releases. iret_ret: a constant, returned
 * with iret to a caller that pushed EFLAGS and CS before its near call. */
asm(".text\n"
    "far_inc:\n"
    "  incl %eax\n"
    "  lret\n"
    "far_add:\n"
    "  movl 8(%esp), %eax\n"
    "  addl 12(%esp), %eax\n"
    "  lret $8\n"
    "iret_ret:\n" /* called after "pushf; push %cs": returns with iret */
    "  movl $0xabcd4321, %eax\n"
    "  iret\n");

/* A writable and executable section: smc_set stores its argument into the immediate of the
 * mov two instructions further on, inside the same straight-line run of code. */
asm(".pushsection .smc_text,\"awx\",@progbits\n"
    "smc_set:\n"
    "  movl 4(%esp), %eax\n"
    "  movl %eax, smc_set_imm + 1\n"
    "  nop\n"
    "smc_set_imm:\n"
    "  movl $0, %eax\n"
    "  ret\n"
    /* lcall ptr16:32 and ljmp ptr16:32 whose selector (bytes 5-6) is patched in at run time */
    "far_direct:\n"
    "  lcall $0, $far_inc\n"
    "  ret\n"
    "jmp_direct:\n"
    "  ljmp $0, $1f\n"
    "  movl $0, %eax\n"
    "1:\n"
    "  ret\n"
    ".popsection\n");

int smc_set(int v);
extern unsigned char far_direct[], jmp_direct[];

static unsigned cs(void)
{
    unsigned short v;
    asm volatile("mov %%cs, %0" : "=r"(v));
    return v;
}

static void far_returns(void)
{
    unsigned r;
    asm volatile("push %%cs\n\tcall far_inc" : "=a"(r) : "a"(41) : "memory", "cc");
    printf("push cs; call; lret: %u\n", r);

    unsigned sp0, sp1;
    asm volatile("movl %%esp, %1\n\t"
                 "pushl $30\n\tpushl $12\n\tpush %%cs\n\tcall far_add\n\t"
                 "movl %%esp, %2"
                 : "=a"(r), "=&r"(sp0), "=&r"(sp1) : : "memory", "cc");
    printf("lret $8: %u, esp restored %s\n", r, sp0 == sp1 ? "yes" : "no");
}

static void far_calls_and_jumps(void)
{
    struct __attribute__((packed)) { uint32_t off; uint16_t sel; } fp;
    unsigned r;

    fp.off = 0;
    fp.sel = cs();
    asm volatile("movl $far_inc, %1\n\tlcall *%1" : "=a"(r), "+m"(fp) : "a"(99) : "memory", "cc");
    printf("lcall *mem (selector from %%cs): %u\n", r);

    unsigned short sel = cs();
    memcpy(far_direct + 5, &sel, 2);
    memcpy(jmp_direct + 5, &sel, 2);
    asm volatile("call far_direct" : "=a"(r) : "a"(6) : "memory", "cc");
    printf("lcall $cs, $far_inc: %u\n", r);

    /* The return-address slots a far call leaves: EIP, then CS in the low half of a dword. */
    unsigned short slot_cs;
    unsigned slot_eip, here;
    fp.off = 0;
    asm volatile("movl $1f, %2\n\t"
                 "movl $2f, %3\n\t"
                 "lcall *%3\n"
                 "1:\n\t"
                 "jmp 3f\n"
                 "2:\n\t"
                 "movl (%%esp), %0\n\t"
                 "movw 4(%%esp), %1\n\t"
                 "lret\n"
                 "3:"
                 : "=&r"(slot_eip), "=&r"(slot_cs), "=&r"(here), "+m"(fp) : : "memory", "cc");
    printf("far call frame: eip is the return address %s, cs is %%cs %s\n", slot_eip == here ? "yes" : "no",
           slot_cs == cs() ? "yes" : "no");

    int skipped;
    asm volatile("call jmp_direct" : "=a"(skipped) : "a"(1) : "memory", "cc");
    printf("ljmp $cs: skipped %d\n", skipped);

    skipped = 1;
    asm volatile("movl $1f, %1\n\tljmp *%1\n\tmovl $0, %0\n1:" : "+r"(skipped), "+m"(fp) : : "memory");
    printf("ljmp *mem: skipped %d\n", skipped);
}

static void iret_same_level(void)
{
    int reached = 0;
    asm volatile("pushf\n\tpush %%cs\n\tpush $1f\n\tiret\n\tjmp 2f\n1:\n\tmovl $1, %0\n2:"
                 : "+r"(reached) : : "memory", "cc");
    printf("iret to the same cs: reached %d\n", reached);

    unsigned r;
    asm volatile("pushf\n\tpush %%cs\n\tcall iret_ret" : "=a"(r) : : "memory", "cc");
    printf("pushf; push cs; call; iret: 0x%x\n", r);

    /* An EFLAGS image with CF ZF DF OF set, IF clear and IOPL 3: CPL 3 gets the first four. */
    unsigned f;
    asm volatile("pushf\n\t"
                 "orl $0x3c41, (%%esp)\n\t"
                 "andl $~0x200, (%%esp)\n\t"
                 "push %%cs\n\tpush $1f\n\tiret\n"
                 "1:\n\t"
                 "pushf\n\tpop %0\n\tcld"
                 : "=r"(f) : : "memory", "cc");
    printf("iret flags: CF %u ZF %u DF %u OF %u IF %u IOPL %u\n", f & 1, (f >> 6) & 1, (f >> 10) & 1,
           (f >> 11) & 1, (f >> 9) & 1, (f >> 12) & 3);
}

/* ---- bad selectors */
static sigjmp_buf jump;
static volatile int seen_sig, seen_code;
static volatile uintptr_t seen_addr, seen_trapno, seen_err;

static void segv_handler(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    seen_sig = sig;
    seen_code = si->si_code;
    seen_addr = (uintptr_t)si->si_addr;
    seen_trapno = (uintptr_t)uc->uc_mcontext.gregs[REG_TRAPNO];
    seen_err = (uintptr_t)uc->uc_mcontext.gregs[REG_ERR];
    siglongjmp(jump, 1);
}

enum { LRET, LCALL, LJMP, IRET };
static const char *const KIND[] = { "lret", "lcall", "ljmp", "iret" };

static void far_to(int kind, unsigned sel)
{
    struct __attribute__((packed)) { uint32_t off; uint16_t sel; } fp = { 0, (uint16_t)sel };
    switch (kind) {
    case LRET:
        asm volatile("push %0\n\tpush $1f\n\tlret\n1:" : : "r"(sel) : "memory");
        break;
    case LCALL:
        asm volatile("movl $1f, %0\n\tlcall *%0\n\tjmp 2f\n1:\n\tlret\n2:" : "+m"(fp) : : "memory");
        break;
    case LJMP:
        asm volatile("movl $1f, %0\n\tljmp *%0\n1:" : "+m"(fp) : : "memory");
        break;
    default:
        asm volatile("pushf\n\tpush %0\n\tpush $1f\n\tiret\n1:" : : "r"(sel) : "memory");
    }
}

static unsigned seg_ds(void)
{
    unsigned short v;
    asm volatile("mov %%ds, %0" : "=r"(v));
    return v;
}

static unsigned seg_gs(void)
{
    unsigned short v;
    asm volatile("mov %%gs, %0" : "=r"(v));
    return v;
}

/* The selectors are named, not shown, where they depend on the kernel's GDT layout. A far
 * CALL or JMP may name the user CS with RPL 0: RPL <= CPL passes and CS gets RPL 3. */
static void bad_selectors(int regs)
{
    const struct { const char *name; unsigned sel; } sels[] = {
        { "null", 0x0000 },
        { "null with RPL 3", 0x0003 },
        { "the user DS (data, not code)", seg_ds() },
        { "the user CS with RPL 0", cs() & ~3u },
        { "the user CS with RPL 1", (cs() & ~3u) | 1 },
        { "0x60 (Linux i386's kernel CS, DPL 0)", 0x0060 },
        { "0x63 (the same with RPL 3)", 0x0063 },
        { "%gs (a TLS data segment)", seg_gs() },
        { "0x83 (Linux i386's TSS)", 0x0083 },
        { "0x0f (an LDT selector, no LDT)", 0x000f },
        { "0x1003 (beyond the GDT)", 0x1003 },
    };
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = segv_handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    static volatile int kind;
    static volatile unsigned k;
    for (kind = LRET; kind <= IRET; kind++) {
        for (k = 0; k < sizeof sels / sizeof sels[0]; k++) {
            seen_sig = 0;
            if (sigsetjmp(jump, 1) == 0) {
                far_to(kind, sels[k].sel);
                if (regs)
                    printf("%s to 0x%04x: no fault\n", KIND[kind], sels[k].sel);
                else
                    printf("%s to %s: no fault\n", KIND[kind], sels[k].name);
                continue;
            }
            if (regs)
                printf("%s to 0x%04x: trapno %ld err 0x%lx\n", KIND[kind], sels[k].sel,
                       (long)seen_trapno, (unsigned long)seen_err);
            else
                printf("%s to %s: signal %d si_code 0x%x si_addr 0x%lx\n", KIND[kind], sels[k].name,
                       seen_sig, seen_code, (unsigned long)seen_addr);
        }
    }
    signal(SIGSEGV, SIG_DFL);
}

/* IRET with EFLAGS.NT set is a task return: Linux's TSS has a null back link, so #TS(0),
 * which Linux delivers as SIGSEGV (SI_KERNEL, trapno 10). NT is cleared again afterwards. */
static void iret_nested_task(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = segv_handler;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    seen_sig = 0;
    if (sigsetjmp(jump, 1) == 0) {
        asm volatile("pushf\n\torl $0x4000, (%%esp)\n\tpopf\n\t"
                     "pushf\n\tpush %%cs\n\tpush $1f\n\tiret\n1:" : : : "memory", "cc");
        printf("iret with NT: no fault\n");
    } else {
        printf("iret with NT: signal %d si_code 0x%x trapno %ld err 0x%lx\n", seen_sig, seen_code,
               (long)seen_trapno, (unsigned long)seen_err);
    }
    asm volatile("pushf\n\tandl $~0x4000, (%%esp)\n\tpopf" : : : "cc");
    signal(SIGSEGV, SIG_DFL);
}

/* ---- self-modifying code */
static void smc(void)
{
    for (int v = 1; v <= 4; v++)
        printf("smc_set(%d) = %d\n", v, smc_set(v));
    int sum = 0;
    for (int v = 0; v < 1000; v++)
        sum += smc_set(v) == v;
    printf("smc_set in a loop: %d of 1000 as stored\n", sum);

    unsigned char *buf = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                              MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buf == MAP_FAILED) {
        perror("mmap");
        return;
    }
    /* patch: mov %ecx, imm(%rip-less absolute) of the mov three bytes after the store; ret */
    unsigned char *p = buf;
    uint32_t imm_addr = (uint32_t)(uintptr_t)(buf + 6 + 1);
    *p++ = 0x89; *p++ = 0x0d; memcpy(p, &imm_addr, 4); p += 4; /* mov %ecx, imm_addr */
    *p++ = 0xb8; memset(p, 0, 4); p += 4;                     /* mov $0, %eax */
    *p++ = 0xc3;                                             /* ret */
    int ok = 0;
    for (unsigned v = 0; v < 3000; v++) {
        unsigned r;
        asm volatile("call *%1" : "=a"(r) : "r"(buf), "c"(v) : "memory", "cc");
        ok += r == v;
    }
    printf("mmap buffer, store 6 bytes ahead: %d of 3000 as stored\n", ok);

    /* A loop that patches its own first instruction each time round:
     *   xor %edx,%edx; L: mov $0,%eax; add %eax,%edx; inc %eax; mov %eax,L+1; dec %ecx; jnz L;
     *   mov %edx,%eax; ret   — the sum 0 + 1 + ... + (n - 1) when every patch is seen. */
    unsigned char *q = buf + 64;
    unsigned char *loop_at = q + 2;
    uint32_t loop_imm = (uint32_t)(uintptr_t)(loop_at + 1);
    *q++ = 0x31; *q++ = 0xd2;
    *q++ = 0xb8; memset(q, 0, 4); q += 4;
    *q++ = 0x01; *q++ = 0xc2;
    *q++ = 0x40;
    *q++ = 0xa3; memcpy(q, &loop_imm, 4); q += 4;
    *q++ = 0x49;
    *q++ = 0x75; *q = (unsigned char)(loop_at - (q + 1)); q++;
    *q++ = 0x89; *q++ = 0xd0;
    *q++ = 0xc3;
    unsigned r;
    asm volatile("call *%1" : "=a"(r) : "r"(buf + 64), "c"(100) : "edx", "memory", "cc");
    printf("self-patching loop: %u (want %u)\n", r, 100u * 99u / 2u);

    /* A patch of the next instruction's opcode: inc %eax becomes dec %eax before it runs. */
    unsigned char *s = buf + 128;
    uint32_t op_addr = (uint32_t)(uintptr_t)(s + 7);
    *s++ = 0xc6; *s++ = 0x05; memcpy(s, &op_addr, 4); s += 4; *s++ = 0x48; /* movb $0x48, next */
    *s++ = 0x40;                                                             /* inc %eax */
    *s++ = 0xc3;
    asm volatile("call *%1" : "=a"(r) : "r"(buf + 128), "a"(10) : "memory", "cc");
    printf("opcode patched just ahead: %u\n", r);
    munmap(buf, 4096);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc > 1 && strcmp(argv[1], "faultregs") == 0) {
        bad_selectors(1);
        iret_nested_task();
        return 0;
    }
    far_returns();
    far_calls_and_jumps();
    iret_same_level();
    bad_selectors(0);
    smc();
    return 0;
}
