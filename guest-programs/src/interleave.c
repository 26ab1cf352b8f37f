/*
 * interleave.c — how the scheduler interleaves two threads that never synchronise: each
 * appends its letter to a shared log between bursts of arithmetic, and the program prints the
 * log as runs ("A12 B7 A3 ..."). On a real machine the output differs from run to run; under
 * the emulator it is the same every time for a given --quantum, and another quantum gives
 * another interleaving.
 */
#include <pthread.h>
#include <stdio.h>

#define STEPS 400
static volatile char order[2 * STEPS + 1];
static volatile int pos;
static volatile unsigned sink;

static void *worker(void *arg) {
    char letter = *(const char *)arg;
    for (int i = 0; i < STEPS; i++) {
        unsigned x = (unsigned)i;
        for (int k = 0; k < 500; k++) x = x * 1103515245u + 12345u;
        sink += x;
        order[__atomic_fetch_add(&pos, 1, __ATOMIC_SEQ_CST)] = letter;
    }
    return NULL;
}

int main(void) {
    static const char a = 'A', b = 'B';
    pthread_t ta, tb;
    pthread_create(&ta, NULL, worker, (void *)&a);
    pthread_create(&tb, NULL, worker, (void *)&b);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    int run = 1;
    for (int i = 1; i <= pos; i++) {
        if (i < pos && order[i] == order[i - 1]) { run++; continue; }
        printf("%c%d ", order[i - 1], run);
        run = 1;
    }
    printf("\n");
    return 0;
}
