/*
 * bench.c — a CPU-bound integer benchmark for the emulator: each iteration runs a sieve of
 * Eratosthenes, an insertion sort and a quicksort of pseudo-random integers, FNV-1a and
 * CRC-32 hash loops, and a small integer matrix multiply. Prints one checksum line.
 *
 *   bench [ITERATIONS]
 *
 * The default, DEFAULT_ITERS = 1400, takes about 0.3 s natively (gcc -m32 -O2 -static on an
 * Intel Xeon) and prints checksum a4c86a02.
 *
 * No floating point, no system calls inside the timed work.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef DEFAULT_ITERS
#define DEFAULT_ITERS 1400
#endif

#define SIEVE_N 65536
#define SORT_N 1024
#define INS_N 256
#define HASH_N 16384
#define MAT_N 24

static uint32_t rng = 2463534242u;

static uint32_t xorshift32(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng;
}

static uint32_t sieve(void)
{
    static unsigned char composite[SIEVE_N];
    uint32_t count = 0, sum = 0, i, j;
    memset(composite, 0, sizeof composite);
    for (i = 2; i < SIEVE_N; i++) {
        if (composite[i])
            continue;
        count++;
        sum += i;
        for (j = i * i; j < SIEVE_N && i < 256; j += i)
            composite[j] = 1;
    }
    return count * 31 + sum;
}

static void insertion_sort(int32_t *a, int n)
{
    int i, j;
    for (i = 1; i < n; i++) {
        int32_t v = a[i];
        for (j = i - 1; j >= 0 && a[j] > v; j--)
            a[j + 1] = a[j];
        a[j + 1] = v;
    }
}

static void quick_sort(int32_t *a, int lo, int hi)
{
    while (hi - lo > 16) {
        int32_t pivot = a[lo + (hi - lo) / 2];
        int i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot)
                i++;
            while (a[j] > pivot)
                j--;
            if (i <= j) {
                int32_t t = a[i];
                a[i] = a[j];
                a[j] = t;
                i++;
                j--;
            }
        }
        /* recurse into the smaller half, loop on the larger */
        if (j - lo < hi - i) {
            quick_sort(a, lo, j);
            lo = i;
        } else {
            quick_sort(a, i, hi);
            hi = j;
        }
    }
    insertion_sort(a + lo, hi - lo + 1);
}

static uint32_t sorts(void)
{
    static int32_t a[SORT_N], b[INS_N];
    uint32_t h = 0;
    int i;
    for (i = 0; i < SORT_N; i++)
        a[i] = (int32_t)xorshift32();
    for (i = 0; i < INS_N; i++)
        b[i] = (int32_t)(xorshift32() % 100000) - 50000;
    quick_sort(a, 0, SORT_N - 1);
    insertion_sort(b, INS_N);
    for (i = 1; i < SORT_N; i++)
        if (a[i - 1] > a[i])
            return 0xbad;
    for (i = 0; i < SORT_N; i += 17)
        h = h * 33 + (uint32_t)a[i];
    for (i = 0; i < INS_N; i += 5)
        h = h * 33 + (uint32_t)b[i];
    return h;
}

static uint32_t crc_table[256];

static void crc_init(void)
{
    uint32_t i, k, c;
    for (i = 0; i < 256; i++) {
        c = i;
        for (k = 0; k < 8; k++)
            c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
}

static uint32_t hashes(void)
{
    static unsigned char data[HASH_N];
    uint32_t fnv = 2166136261u, crc = 0xffffffffu;
    int i;
    for (i = 0; i < HASH_N; i += 4) {
        uint32_t r = xorshift32();
        data[i] = (unsigned char)r;
        data[i + 1] = (unsigned char)(r >> 8);
        data[i + 2] = (unsigned char)(r >> 16);
        data[i + 3] = (unsigned char)(r >> 24);
    }
    for (i = 0; i < HASH_N; i++) {
        fnv = (fnv ^ data[i]) * 16777619u;
        crc = crc_table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
    }
    return fnv ^ ~crc;
}

static uint32_t matmul(void)
{
    static int32_t x[MAT_N][MAT_N], y[MAT_N][MAT_N], z[MAT_N][MAT_N];
    uint32_t h = 0;
    int i, j, k;
    for (i = 0; i < MAT_N; i++)
        for (j = 0; j < MAT_N; j++) {
            x[i][j] = (int32_t)(xorshift32() % 2001) - 1000;
            y[i][j] = (int32_t)(xorshift32() % 2001) - 1000;
        }
    for (i = 0; i < MAT_N; i++)
        for (j = 0; j < MAT_N; j++) {
            int32_t s = 0;
            for (k = 0; k < MAT_N; k++)
                s += x[i][k] * y[k][j];
            z[i][j] = s;
        }
    for (i = 0; i < MAT_N; i++)
        for (j = 0; j < MAT_N; j++)
            h = (h << 3 | h >> 29) ^ (uint32_t)z[i][j];
    return h;
}

int main(int argc, char **argv)
{
    long iters = argc > 1 ? strtol(argv[1], NULL, 10) : DEFAULT_ITERS;
    uint32_t check = 0;
    long it;

    crc_init();
    for (it = 0; it < iters; it++) {
        check = (check << 7 | check >> 25) ^ sieve();
        check = (check << 7 | check >> 25) ^ sorts();
        check = (check << 7 | check >> 25) ^ hashes();
        check = (check << 7 | check >> 25) ^ matmul();
    }
    printf("bench: %ld iterations, checksum %08x\n", iters, (unsigned)check);
    return 0;
}
