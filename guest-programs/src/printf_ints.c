/*
 * printf_ints.c — integer formatting through printf: %d %u %x %X %o %ld %lld %hhd %hd,
 * signs, limits, widths, padding, precision and flags, plus computed values (factorials,
 * Fibonacci numbers, powers of two and three). No floating point.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>

static void show_int(int v)
{
    printf("d=%d u=%u x=%x X=%X o=%o hhd=%hhd hd=%hd\n",
           v, (unsigned)v, (unsigned)v, (unsigned)v, (unsigned)v, (signed char)v, (short)v);
}

static void show_ll(long long v)
{
    printf("lld=%lld llu=%llu llx=%llx llo=%llo\n",
           v, (unsigned long long)v, (unsigned long long)v, (unsigned long long)v);
}

int main(void)
{
    static const int ints[] = {
        0, 1, -1, 7, -7, 42, -42, 127, 128, -128, -129, 255, 256, 32767, 32768, -32768,
        65535, 65536, 100000, -100000, 123456789, -987654321, INT_MAX, INT_MIN, INT_MAX - 1,
        INT_MIN + 1, 0x55aa55aa, (int)0xdeadbeef,
    };
    static const long long lls[] = {
        0LL, 1LL, -1LL, 4294967295LL, 4294967296LL, -4294967296LL, 1000000000000LL,
        -1000000000000LL, 9223372036854775807LL, -9223372036854775807LL - 1,
        0x123456789abcdefLL, (long long)0xfedcba9876543210ULL,
    };
    unsigned i;

    for (i = 0; i < sizeof ints / sizeof ints[0]; i++)
        show_int(ints[i]);
    for (i = 0; i < sizeof lls / sizeof lls[0]; i++)
        show_ll(lls[i]);

    printf("ld=%ld lu=%lu lx=%lx\n", LONG_MIN, ULONG_MAX, (unsigned long)LONG_MAX);
    printf("hhd: %hhd %hhd %hhd %hhu\n", (signed char)127, (signed char)-128, (signed char)-1,
           (unsigned char)200);

    /* widths, padding, precision, flags */
    printf("[%5d] [%-5d] [%05d] [%+d] [% d] [%+d]\n", 42, 42, 42, 42, 42, -42);
    printf("[%10u] [%-10x] [%#x] [%#o] [%08X] [%#010x]\n", 3000000000u, 0xabcu, 0xabcu, 8u,
           0xbeefu, 0x1234u);
    printf("[%.3d] [%8.3d] [%-8.3d] [%.0d] [%*d] [%-*d]\n", 7, -7, 7, 0, 6, 99, 6, 99);
    printf("[%20lld] [%-20lld] [%020llx]\n", -1234567890123LL, 1234567890123LL,
           0xabcdef0123ULL);
    printf("[%c%c%c] [%s] [%10s] [%-10s] [%.3s] [%%]\n", 'a', 'b', 'c', "str", "right",
           "left", "truncate");

    /* computed values */
    {
        unsigned long long f = 1;
        unsigned n;
        for (n = 1; n <= 20; n++) {
            f *= n;
            printf("%u! = %llu\n", n, f);
        }
    }
    {
        unsigned long long a = 0, b = 1, t;
        unsigned n;
        for (n = 0; n <= 90; n += 1) {
            if (n % 10 == 0 || n > 85)
                printf("fib(%u) = %llu\n", n, a);
            t = a + b;
            a = b;
            b = t;
        }
    }
    {
        int n;
        long long p3 = 1;
        for (n = 0; n < 64; n += 7)
            printf("2^%d = %llu (0x%llx)\n", n, 1ULL << n, 1ULL << n);
        for (n = 0; n < 39; n++) {
            if (n % 5 == 0)
                printf("3^%d = %lld, -3^%d = %lld\n", n, p3, n, -p3);
            p3 *= 3;
        }
    }
    {
        int sum = 0, k;
        for (k = -1000; k <= 1000; k += 37)
            sum += k * k * (k & 1 ? -1 : 1);
        printf("alternating square sum = %d\n", sum);
    }
    return 0;
}
