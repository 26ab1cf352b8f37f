/*
 * bench_x87.c — an x87 floating-point benchmark for the emulator (`npm run bench -- --prog
 * guest-programs/build/bench_x87 --iters N`): each iteration runs a double-precision dot
 * product and matrix-vector product (FLD/FMUL m64, FADDP), a Mandelbrot tile (FMUL/FADD/FSUB
 * and FUCOMIP compares), Newton square roots and reciprocals (FDIV), a long double Horner
 * polynomial, FSQRT, float <-> double <-> int conversions (FILD, FISTP under FLDCW, FLD/FST
 * m32) and an FPREM range reduction. Prints checksums as exact integers and hex.
 *
 *   bench_x87 [ITERATIONS]
 *
 * Scalars are long double and arrays double, so every rounding happens at an explicit store
 * to a double in memory: an x86-64 build with -mfpmath=387 computes the same bits (the bench's
 * native row), whatever either compiler keeps in registers.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef DEFAULT_ITERS
#define DEFAULT_ITERS 40
#endif

#define VEC_N 1024
#define MAT_N 48
#define MANDEL_W 48
#define MANDEL_H 32
#define MANDEL_MAX 64

static double va[VEC_N], vb[VEC_N], vc[VEC_N];
static double mat[MAT_N * MAT_N], vx[MAT_N], vy[MAT_N];
static float fl[VEC_N];
static int iv[VEC_N];
static uint32_t rng = 2463534242u;

static uint32_t xorshift32(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static uint64_t fold(uint64_t h, long double x)
{
    double d = (double)x;
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    return (h ^ bits) * 0x100000001b3ull;
}

static long double dot(void)
{
    long double s = 0;
    for (int i = 0; i < VEC_N; i++) s += va[i] * vb[i];
    return s;
}

static long double matvec(void)
{
    long double t = 0;
    for (int r = 0; r < MAT_N; r++) {
        long double s = 0;
        for (int c = 0; c < MAT_N; c++) s += mat[r * MAT_N + c] * vx[c];
        vy[r] = (double)s;
    }
    for (int r = 0; r < MAT_N; r++) t += vy[r];
    return t;
}

static long double mandel(void)
{
    long count = 0;
    for (int y = 0; y < MANDEL_H; y++) {
        long double ci = -1.0L + 2.0L * y / MANDEL_H;
        for (int x = 0; x < MANDEL_W; x++) {
            long double cr = -2.0L + 2.5L * x / MANDEL_W;
            long double zr = 0, zi = 0;
            int k = 0;
            while (k < MANDEL_MAX && zr * zr + zi * zi < 4.0L) {
                long double t = zr * zr - zi * zi + cr;
                zi = 2.0L * zr * zi + ci;
                zr = t;
                k++;
            }
            count += k;
        }
    }
    return (long double)count;
}

static long double newton(void)
{
    long double s = 0;
    for (int i = 0; i < VEC_N; i += 4) {
        long double a = va[i] + 2.0L;
        long double r = a;
        for (int k = 0; k < 5; k++) r = 0.5L * (r + a / r);
        long double q = 1.0L / a;
        s += r + q;
        vc[i] = (double)r;
    }
    return s;
}

static long double horner(void)
{
    static const long double p[8] = { 1.0L, 0.5L, 0.1666666666666666666667L, 0.04166666666666666667L,
                                       0.0083333333333333333L, 0.0013888888888888889L,
                                       0.000198412698412698413L, 0.0000248015873015873016L };
    long double s = 0;
    for (int i = 0; i < VEC_N; i += 2) {
        long double x = vb[i];
        long double y = p[7];
        for (int k = 6; k >= 0; k--) y = y * x + p[k];
        s += y;
    }
    return s;
}

static long double roots(void)
{
    long double s = 0;
    for (int i = 0; i < VEC_N; i += 2) {
        long double x = va[i] * va[i] + 1.0L, r;
        __asm__("fsqrt" : "=t"(r) : "0"(x));
        s += r;
    }
    return s;
}

static long double convert(void)
{
    long double s = 0;
    long isum = 0;
    for (int i = 0; i < VEC_N; i++) {
        fl[i] = (float)(va[i] * 3.0L);
        iv[i] = (int)(vb[i] * 1000.0L);
    }
    for (int i = 0; i < VEC_N; i++) {
        s += fl[i];
        s += (long double)iv[i] * 0.001L;
        isum += iv[i];
    }
    return s + (long double)isum;
}

static long double reduce(void)
{
    static const long double twopi = 6.283185307179586476925286766559L;
    long double s = 0;
    for (int i = 0; i < VEC_N; i += 8) {
        long double x = va[i] * 1000.0L, r;
        __asm__("1: fprem\n\tfnstsw %%ax\n\ttestb $4, %%ah\n\tjnz 1b" : "=t"(r) : "0"(x), "u"(twopi) : "ax", "cc");
        s += r;
    }
    return s;
}

int main(int argc, char **argv)
{
    int iters = argc > 1 ? atoi(argv[1]) : DEFAULT_ITERS;
    for (int i = 0; i < VEC_N; i++) {
        va[i] = (double)(xorshift32() % 100000) / 997.0;
        vb[i] = (double)(xorshift32() % 20000) / 10007.0 - 1.0;
    }
    for (int i = 0; i < MAT_N * MAT_N; i++) mat[i] = (double)((int)(xorshift32() % 2001) - 1000) / 313.0;
    for (int i = 0; i < MAT_N; i++) vx[i] = (double)(xorshift32() % 1000) / 71.0;

    uint64_t h = 0xcbf29ce484222325ull;
    long double total = 0;
    for (int it = 0; it < iters; it++) {
        long double parts[8] = { dot(), matvec(), mandel(), newton(), horner(), roots(), convert(), reduce() };
        for (int k = 0; k < 8; k++) {
            h = fold(h, parts[k]);
            total += parts[k];
        }
        va[it % VEC_N] += 0.25;
        vx[it % MAT_N] -= 0.125;
    }
    printf("x87 checksum %016llx total %.6Le\n", (unsigned long long)h, total);
    return 0;
}
