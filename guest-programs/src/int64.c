/*
 * int64.c — 64-bit integer arithmetic on a 32-bit CPU: add/sub with carry, multiply
 * (mul/imul sequences), division and modulo (libgcc's __divdi3, __udivdi3, __moddi3,
 * __umoddi3), shifts by variable counts (shld/shrd), comparisons, and a 64-bit PRNG.
 * Operands are routed through volatile variables so the compiler cannot fold them.
 */
#include <stdint.h>
#include <stdio.h>

static volatile int64_t vs[] = {
    0, 1, -1, 2, -2, 3, 7, -7, 10, 1000, -1000, 65535, 65536, 2147483647LL, -2147483648LL,
    2147483648LL, 4294967295LL, 4294967296LL, -4294967296LL, 1000000007LL, 999999999999LL,
    -999999999999LL, 0x123456789abcdefLL, (int64_t)0xfedcba9876543210ULL, INT64_MAX,
    INT64_MIN, INT64_MIN + 1, 0x7fffffff00000000LL, 0x00000000ffffffffLL,
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t next_rng(void)
{
    /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ULL;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v;
    h *= 0x100000001b3ULL;
    return h ^ (h >> 29);
}

int main(void)
{
    const unsigned n = sizeof vs / sizeof vs[0];
    unsigned i, j;
    volatile int sh;

    for (i = 0; i < n; i++) {
        int64_t a = vs[i];
        uint64_t ua = (uint64_t)a;
        printf("a=%lld: neg=%lld not=%llx sq=%lld usq=%llu\n", a, (int64_t)(0 - ua), ~ua,
               (int64_t)(ua * ua), ua * ua);
        for (sh = 0; sh < 64; sh += 9)
            printf("  <<%d=%llx >>%d=%lld >>>%d=%llx\n", sh, ua << sh, sh, a >> sh, sh,
                   ua >> sh);
    }

    for (i = 0; i < n; i++) {
        for (j = 0; j < n; j++) {
            int64_t a = vs[i], b = vs[j];
            uint64_t ua = (uint64_t)a, ub = (uint64_t)b;
            printf("%u,%u: + %llx - %llx * %llx", i, j, ua + ub, ua - ub, ua * ub);
            if (b != 0 && !(a == INT64_MIN && b == -1))
                printf(" / %lld %% %lld", a / b, a % b);
            if (ub != 0)
                printf(" u/ %llu u%% %llu", ua / ub, ua % ub);
            printf(" cmp %d%d%d%d\n", a < b, a == b, ua < ub, ua >= ub);
        }
    }

    {
        uint64_t h = 0, s = 0;
        uint64_t sdiv = 0;
        unsigned k;
        for (k = 0; k < 20000; k++) {
            uint64_t x = next_rng(), y = next_rng() >> (k % 61);
            h = mix(h, x * y);
            if (y)
                h = mix(h, x / y + x % y);
            if ((int64_t)y != 0 && !((int64_t)x == INT64_MIN && (int64_t)y == -1))
                sdiv += (uint64_t)((int64_t)x / (int64_t)y) +
                        (uint64_t)((int64_t)x % (int64_t)y);
            s += (x << (k & 63)) ^ (x >> ((k * 7) & 63));
        }
        printf("random: h=%016llx s=%016llx sdiv=%016llx\n", h, s, sdiv);
    }
    {
        /* 32x32->64 multiplies, the idiom behind many fixed-point routines */
        volatile uint32_t a = 0xfffffffbu, b = 0x87654321u;
        volatile int32_t c = -123456789, d = 987654321;
        printf("umul32 = %llx, smul32 = %lld\n", (uint64_t)a * b, (int64_t)c * d);
        printf("div by const: %llu %lld %llu\n", (uint64_t)vs[20] / 10, (int64_t)vs[21] / 7,
               (uint64_t)vs[23] % 1000000007ULL);
    }
    return 0;
}
