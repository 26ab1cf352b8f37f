/*
 * rcptab.c — dumps the host CPU's RCPSS and RSQRTSS approximation tables, from which
 * src/cpu/sse/rcpTable.ts is generated (scripts: see the comment there).
 *
 * RCPSS depends only on the top 11 mantissa bits (the exponent just shifts the result) and
 * RSQRTSS on the exponent's parity and the top 10 mantissa bits; each result has 12
 * significant bits. This prints 2048 entries per table, each (result >> 11) - 0x7E000 as
 * a 16-bit hex number, for inputs in [1, 2) (RCP) and [0.5, 2) (RSQRT).
 *
 * With the argument "sweep" it instead prints, for each sign and exponent (512 groups of
 * 2^14 inputs whose low 9 mantissa bits vary with the upper ones), an FNV-1a hash of the
 * RCPSS results and one of the RSQRTSS results, for checking rcp.ts over every table class.
 * With "values" it writes the results for the same inputs themselves, as binary little-endian
 * words (RCPSS, RSQRTSS per input), for hosts whose tables are not Intel's.
 *
 * Build: gcc -m32 -O1 -msse2 -o rcptab rcptab.c   (or without -m32 for the x86-64 replay)
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <xmmintrin.h>

static uint32_t rcp(uint32_t x) { float f; uint32_t o; memcpy(&f, &x, 4); f = _mm_cvtss_f32(_mm_rcp_ss(_mm_set_ss(f))); memcpy(&o, &f, 4); return o; }
static uint32_t rsq(uint32_t x) { float f; uint32_t o; memcpy(&f, &x, 4); f = _mm_cvtss_f32(_mm_rsqrt_ss(_mm_set_ss(f))); memcpy(&o, &f, 4); return o; }

static uint32_t sweep_input(unsigned g, unsigned k) { return (g << 23) | (k << 9) | ((k * 0x9e37u) & 0x1ff); }

static void values(void)
{
    unsigned g, k;
    for (g = 0; g < 512; g++) {
        for (k = 0; k < (1u << 14); k++) {
            uint32_t x = sweep_input(g, k), r[2];
            r[0] = rcp(x);
            r[1] = rsq(x);
            fwrite(r, 4, 2, stdout);
        }
    }
}

static void sweep(void)
{
    unsigned g, k;
    for (g = 0; g < 512; g++) {
        uint32_t h1 = 2166136261u, h2 = 2166136261u;
        for (k = 0; k < (1u << 14); k++) {
            uint32_t x = sweep_input(g, k), r1 = rcp(x), r2 = rsq(x);
            unsigned b;
            for (b = 0; b < 4; b++) {
                h1 = (h1 ^ ((r1 >> (8 * b)) & 0xff)) * 16777619u;
                h2 = (h2 ^ ((r2 >> (8 * b)) & 0xff)) * 16777619u;
            }
        }
        printf("%u %08x %08x\n", g, h1, h2);
    }
}

int main(int argc, char **argv)
{
    unsigned j;
    if (argc > 1 && strcmp(argv[1], "sweep") == 0) {
        sweep();
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "values") == 0) {
        values();
        return 0;
    }
    printf("rcp");
    for (j = 0; j < 2048; j++) printf(" %04x", (rcp(0x3f800000u | j << 12) >> 11) - 0x7e000u);
    printf("\nrsqrt");
    for (j = 0; j < 2048; j++) printf(" %04x", (rsq(0x3f000000u + (j << 13)) >> 11) - 0x7e000u);
    printf("\n");
    return 0;
}
