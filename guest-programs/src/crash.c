/*
 * crash.c — a process that ends by a signal, or that needs a given amount of memory, for the
 * tests of `i386emu run`'s exit status (128 + signal, one diagnostic line) and of --mem.
 *   crash segv        stores to address 0x10, where nothing is mapped (SIGSEGV, SEGV_MAPERR)
 *   crash div0        divides by zero (SIGFPE, FPE_INTDIV)
 *   crash touch MIB   writes one byte in every page of MIB MiB, then prints "touched MIB MiB"
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "segv") == 0) {
        int *volatile bad = (int *)0x10;
        *bad = 42;
        return 0;
    }
    if (argc >= 2 && strcmp(argv[1], "div0") == 0) {
        volatile int zero = 0;
        return 100 / zero;
    }
    if (argc >= 3 && strcmp(argv[1], "touch") == 0) {
        size_t mib = (size_t)atoi(argv[2]);
        volatile char *p = malloc(mib << 20);
        size_t i;
        if (p == NULL) {
            puts("malloc failed");
            return 1;
        }
        for (i = 0; i < mib << 20; i += 4096)
            p[i] = 1;
        printf("touched %u MiB\n", (unsigned)mib);
        return 0;
    }
    fputs("usage: crash segv | div0 | touch MIB\n", stderr);
    return 2;
}
