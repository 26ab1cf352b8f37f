/*
 * malloc_free.c — heap traffic: malloc/calloc/realloc/free of many sizes, from one byte to
 * 1 MiB. Sizes above 128 KiB (the mmap threshold, fixed with mallopt) make glibc use mmap and
 * mremap instead of brk. Each block is filled with a pattern and checksummed; the checksums
 * are printed.
 */
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t fill(unsigned char *p, size_t n, uint32_t seed)
{
    uint32_t x = seed, sum = 0;
    size_t i;
    for (i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        p[i] = (unsigned char)(x >> 16);
    }
    for (i = 0; i < n; i++)
        sum = (sum << 5 | sum >> 27) ^ p[i];
    return sum;
}

static uint32_t checksum(const unsigned char *p, size_t n)
{
    uint32_t sum = 0;
    size_t i;
    for (i = 0; i < n; i++)
        sum = (sum << 5 | sum >> 27) ^ p[i];
    return sum;
}

#define NSLOTS 64

int main(void)
{
    static const size_t sizes[] = {
        1, 2, 3, 7, 8, 15, 16, 24, 31, 32, 63, 64, 100, 127, 128, 255, 256, 500, 1000, 1024,
        4095, 4096, 4097, 10000, 65535, 65536, 100000, 131071, 131072, 131073, 200000,
        262144, 500000, 1048576,
    };
    const unsigned nsizes = sizeof sizes / sizeof sizes[0];
    unsigned char *slots[NSLOTS];
    size_t slot_size[NSLOTS];
    uint32_t total = 0;
    unsigned i, round;

#ifdef M_MMAP_THRESHOLD
    /* A fixed threshold: glibc otherwise raises it after the first mmapped block is freed. */
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#endif

    /* 1. Allocate every size once, fill, verify, free. */
    for (i = 0; i < nsizes; i++) {
        unsigned char *p = malloc(sizes[i]);
        uint32_t a, b;
        if (!p) {
            printf("malloc(%zu) failed\n", sizes[i]);
            return 1;
        }
        a = fill(p, sizes[i], i + 1);
        b = checksum(p, sizes[i]);
        printf("malloc %7zu: sum %08x %s\n", sizes[i], (unsigned)a, a == b ? "ok" : "BAD");
        total ^= a;
        free(p);
    }

    /* 2. Interleaved allocation and freeing in a slot table. */
    memset(slots, 0, sizeof slots);
    for (round = 0; round < 2000; round++) {
        unsigned k = (round * 2654435761u) >> 26; /* 0..63 */
        size_t sz = sizes[(round * 7 + k) % nsizes];
        if (sz > 300000)
            sz = 1000 + round;
        else if (sz > 16384 && round % 16 != 0)
            sz = sz % 16384 + 1; /* big blocks only now and then: keeps the run short */
        if (slots[k]) {
            total += checksum(slots[k], slot_size[k]);
            free(slots[k]);
            slots[k] = NULL;
        } else {
            slots[k] = malloc(sz);
            if (!slots[k]) {
                printf("malloc(%zu) failed in round %u\n", sz, round);
                return 1;
            }
            slot_size[k] = sz;
            total += fill(slots[k], sz, round);
        }
    }
    for (i = 0; i < NSLOTS; i++) {
        if (slots[i]) {
            total += checksum(slots[i], slot_size[i]);
            free(slots[i]);
        }
    }
    printf("slot rounds: total %08x\n", (unsigned)total);

    /* 3. realloc growth (crossing the mmap threshold) and shrinking keeps the prefix. */
    {
        size_t sz = 16;
        unsigned char *p = malloc(sz);
        uint32_t ok = 1;
        fill(p, sz, 99);
        while (sz < 300000) { /* ends above the 128 KiB mmap threshold */
            size_t nsz = sz * 3;
            unsigned char *q;
            uint32_t before = checksum(p, sz);
            q = realloc(p, nsz);
            if (!q) {
                printf("realloc(%zu) failed\n", nsz);
                return 1;
            }
            p = q;
            if (checksum(p, sz) != before)
                ok = 0;
            memset(p + sz, (int)(nsz & 0xff), nsz - sz);
            printf("realloc up %7zu -> %7zu: prefix %s, sum %08x\n", sz, nsz,
                   ok ? "kept" : "LOST", (unsigned)checksum(p, nsz));
            sz = nsz;
        }
        while (sz > 16) {
            size_t nsz = sz / 5;
            uint32_t before = checksum(p, nsz);
            p = realloc(p, nsz);
            if (!p) {
                printf("realloc down failed\n");
                return 1;
            }
            printf("realloc down %7zu -> %7zu: prefix %s\n", sz, nsz,
                   checksum(p, nsz) == before ? "kept" : "LOST");
            sz = nsz;
        }
        free(p);
    }

    /* 4. calloc must return zeroed memory, even when recycling freed blocks. */
    {
        unsigned char *p = malloc(50000);
        unsigned nonzero = 0;
        size_t j;
        memset(p, 0xa5, 50000);
        free(p);
        p = calloc(1000, 50);
        for (j = 0; j < 50000; j++)
            nonzero += p[j] != 0;
        printf("calloc 50000: %u nonzero bytes\n", nonzero);
        free(p);
        p = calloc(1, 600000);
        nonzero = 0;
        for (j = 0; j < 600000; j++)
            nonzero += p[j] != 0;
        printf("calloc 600000: %u nonzero bytes\n", nonzero);
        free(p);
    }

    /* 5. Many small blocks live at once, freed in reverse and in strided order. */
    {
        static unsigned char *many[4000];
        uint32_t sum = 0;
        for (i = 0; i < 4000; i++) {
            many[i] = malloc(8 + i % 200);
            memset(many[i], (int)i, 8 + i % 200);
        }
        for (i = 0; i < 4000; i += 3) {
            sum += checksum(many[i], 8 + i % 200);
            free(many[i]);
            many[i] = NULL;
        }
        for (i = 4000; i-- > 0;) {
            if (many[i]) {
                sum += checksum(many[i], 8 + i % 200);
                free(many[i]);
            }
        }
        printf("many small blocks: sum %08x\n", (unsigned)sum);
    }

    printf("total %08x\n", (unsigned)total);
    return 0;
}
