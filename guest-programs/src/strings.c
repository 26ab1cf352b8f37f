/*
 * strings.c — the string and memory routines of libc (many are hand-written SSE2/i686
 * assembly in glibc, chosen at start-up by CPU features): strlen, strcpy, strncpy, strcat,
 * strcmp, strncmp, memcpy, memmove, memset, memcmp, strchr, strrchr, strstr, sprintf,
 * snprintf, qsort, strtol, strtoul, atoi. Prints every result.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t hash_bytes(const void *p, size_t n)
{
    const unsigned char *b = p;
    uint32_t h = 2166136261u;
    size_t i;
    for (i = 0; i < n; i++) {
        h ^= b[i];
        h *= 16777619u;
    }
    return h;
}

static int sign(int v)
{
    return v < 0 ? -1 : v > 0 ? 1 : 0;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return x < y ? -1 : x > y;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
    static const char *const words[] = {
        "", "a", "ab", "abc", "hello", "Hello", "hello, world", "zebra", "apple", "banana",
        "the quick brown fox jumps over the lazy dog", "0123456789abcdef0123456789ABCDEF!",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab",
    };
    const unsigned nwords = sizeof words / sizeof words[0];
    static char buf[512], buf2[512];
    static unsigned char big[70000], big2[70000];
    unsigned i, j;

    /* strlen at every alignment and length */
    for (i = 0; i < nwords; i++)
        printf("strlen(\"%s\") = %zu\n", words[i], strlen(words[i]));
    {
        unsigned total = 0;
        for (i = 0; i < 64; i++) {
            for (j = 0; j < 100; j++)
                buf[i + j] = (char)('A' + j % 26);
            buf[i + 100] = 0;
            total += (unsigned)strlen(buf + i) * (i + 1);
        }
        printf("aligned strlen total = %u\n", total);
    }

    /* strcmp / strncmp signs over all pairs */
    for (i = 0; i < nwords; i++) {
        printf("cmp %2u:", i);
        for (j = 0; j < nwords; j++)
            printf(" %+d", sign(strcmp(words[i], words[j])));
        printf(" |");
        for (j = 0; j < nwords; j++)
            printf(" %+d", sign(strncmp(words[i], words[j], 3)));
        printf("\n");
    }

    /* strcpy / strncpy / strcat */
    strcpy(buf, "first");
    strcat(buf, ", second");
    strcat(buf, ", third");
    printf("strcat: \"%s\" (%zu)\n", buf, strlen(buf));
    memset(buf2, 'x', 20);
    strncpy(buf2, "abc", 10);
    printf("strncpy pad:");
    for (i = 0; i < 12; i++)
        printf(" %02x", (unsigned char)buf2[i]);
    printf("\n");
    strncpy(buf2, "truncated string", 9);
    buf2[9] = 0;
    printf("strncpy trunc: \"%s\"\n", buf2);

    /* strchr / strrchr / strstr */
    {
        const char *s = words[10];
        static const char needles[] = "qoxz!e ";
        for (i = 0; needles[i]; i++) {
            const char *a = strchr(s, needles[i]), *b = strrchr(s, needles[i]);
            printf("strchr '%c': %d, strrchr: %d\n", needles[i], a ? (int)(a - s) : -1,
                   b ? (int)(b - s) : -1);
        }
        printf("strchr NUL: %d\n", (int)(strchr(s, 0) - s));
        printf("strstr fox: %d, dog: %d, cat: %d, empty: %d\n", (int)(strstr(s, "fox") - s),
               (int)(strstr(s, "dog") - s), strstr(s, "cat") ? 1 : -1,
               (int)(strstr(s, "") - s));
    }

    /* memset / memcpy / memmove / memcmp on large and odd-sized, misaligned blocks */
    for (i = 0; i < sizeof big; i++)
        big[i] = (unsigned char)(i * 31 + (i >> 8));
    {
        static const size_t lens[] = { 0, 1, 3, 4, 15, 16, 17, 63, 64, 65, 255, 256, 4095,
                                       4096, 4097, 65536 };
        for (i = 0; i < sizeof lens / sizeof lens[0]; i++) {
            size_t n = lens[i];
            unsigned off = i % 7;
            memset(big2, 0, sizeof big2);
            memcpy(big2 + off, big + 3, n);
            printf("memcpy %5zu @%u: %08x cmp=%d\n", n, off, (unsigned)hash_bytes(big2, n + 8),
                   sign(memcmp(big2 + off, big + 3, n)));
            if (n <= sizeof big2 - 8)
                memset(big2 + off + 1, (int)(0x40 + i), n);
            printf("memset %5zu: %08x\n", n, (unsigned)hash_bytes(big2, n + 8));
        }
        memcpy(big2, big, 1000);
        memmove(big2 + 10, big2, 500);
        printf("memmove up: %08x\n", (unsigned)hash_bytes(big2, 1000));
        memmove(big2, big2 + 33, 700);
        printf("memmove down: %08x\n", (unsigned)hash_bytes(big2, 1000));
        memcpy(big2, big, 1000);
        big2[999] ^= 1;
        printf("memcmp diff at end: %d/%d, equal prefix: %d, diff at start: %d\n",
               sign(memcmp(big, big2, 1000)), sign(memcmp(big2, big, 1000)),
               sign(memcmp(big, big2, 999)), sign(memcmp(big + 1, big2, 1000)));
    }

    /* sprintf / snprintf */
    {
        int n = sprintf(buf, "%d|%5s|%-4x|%c|%lld", -12345, "ab", 0xfe, 'Z', -9000000000LL);
        printf("sprintf: \"%s\" (%d)\n", buf, n);
        volatile size_t small = 8; /* not a constant, so no truncation warning */
        n = snprintf(buf, small, "%s", "0123456789");
        printf("snprintf: \"%s\" (%d)\n", buf, n);
    }

    /* qsort of integers and of strings */
    {
        static int arr[1000];
        uint32_t x = 12345, h = 0;
        char *ws[sizeof words / sizeof words[0]];
        for (i = 0; i < 1000; i++) {
            x = x * 1664525u + 1013904223u;
            arr[i] = (int)(x >> 8) - (1 << 23);
        }
        qsort(arr, 1000, sizeof arr[0], cmp_int);
        for (i = 1; i < 1000; i++)
            if (arr[i - 1] > arr[i])
                printf("qsort: out of order at %u\n", i);
        for (i = 0; i < 1000; i++)
            h = h * 31 + (uint32_t)arr[i];
        printf("qsort ints: min %d max %d hash %08x\n", arr[0], arr[999], (unsigned)h);
        for (i = 0; i < nwords; i++)
            ws[i] = (char *)words[i];
        qsort(ws, nwords, sizeof ws[0], cmp_str);
        for (i = 0; i < nwords; i++)
            printf("sorted[%u] = \"%s\"\n", i, ws[i]);
    }

    /* strtol / strtoul / atoi */
    {
        static const char *const nums[] = {
            "0", "42", "-42", "  +17xyz", "0x1F", "0777", "2147483647", "2147483648",
            "-2147483648", "-2147483649", "4294967295", "zz", "1010", "-0",
        };
        static const int bases[] = { 10, 0, 16, 2, 36 };
        for (i = 0; i < sizeof nums / sizeof nums[0]; i++) {
            printf("\"%s\":", nums[i]);
            for (j = 0; j < sizeof bases / sizeof bases[0]; j++) {
                char *end;
                long v = strtol(nums[i], &end, bases[j]);
                unsigned long u = strtoul(nums[i], NULL, bases[j]);
                printf(" b%d=%ld/%lu+%d", bases[j], v, u, (int)(end - nums[i]));
            }
            printf(" atoi=%d\n", atoi(nums[i]));
        }
    }
    return 0;
}
