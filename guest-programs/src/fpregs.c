/*
 * fpregs.c — leaves known values in the x87 and SSE registers at a labelled instruction, so a
 * debugger can check what it reads there: at regs_demo_done, st0 = 1 + pi (FLD1, FLDPI, FADDP:
 * two pushes and a pop, so TOP = 7) and xmm0 = {3, 5, -1.5, 2} as four floats (MULPS of
 * {1.5, 2.5, -3, 8} by {2, 2, 0.5, 0.25}).
 */
#include <stdio.h>

void regs_demo(void);

__asm__(
    ".text\n"
    ".globl regs_demo\n"
    ".type regs_demo, @function\n"
    "regs_demo:\n"
    "  fld1\n"
    "  fldpi\n"
    "  faddp\n"
    "  movups regs_demo_a, %xmm0\n"
    "  movups regs_demo_b, %xmm1\n"
    "  mulps %xmm1, %xmm0\n"
    ".globl regs_demo_done\n"
    "regs_demo_done:\n"
    "  fstp %st(0)\n"
    "  ret\n"
    ".size regs_demo, . - regs_demo\n"
    ".section .rodata\n"
    ".balign 16\n"
    "regs_demo_a: .float 1.5, 2.5, -3.0, 8.0\n"
    "regs_demo_b: .float 2.0, 2.0, 0.5, 0.25\n"
    ".text\n");

int main(void)
{
    regs_demo();
    puts("regs_demo done");
    return 0;
}
