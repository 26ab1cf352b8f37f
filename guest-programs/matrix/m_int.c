/* Compiler-matrix program: 32-bit integer work (arithmetic, division by constants, bit tricks,
   switch tables, recursion) printed as decimal and hex. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned rng_state = 12345u;
static unsigned rng(void) { rng_state = rng_state * 1103515245u + 12345u; return rng_state; }

static int collatz(unsigned n) { int s = 0; while (n != 1) { n = (n & 1) ? 3 * n + 1 : n / 2; s++; } return s; }
static int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
static int classify(int x) {
  switch (x & 15) {
    case 0: return 7; case 1: return 3; case 2: return 11; case 3: return -4; case 4: return 9;
    case 5: return 2; case 6: return -8; case 7: return 5; case 8: return 1; case 9: return 13;
    default: return x % 7;
  }
}
static int popcount(unsigned v) { int c = 0; while (v) { v &= v - 1; c++; } return c; }
static int cmp_int(const void *a, const void *b) { int x = *(const int *)a, y = *(const int *)b; return (x > y) - (x < y); }

int main(void) {
  int acc = 0;
  unsigned uacc = 0;
  for (int i = 1; i < 2000; i++) {
    int a = (int)rng(), b = (int)(rng() | 1);
    acc += a / b + a % b + a / 7 + a % 13 + (a >> 3) + classify(a);
    uacc ^= (unsigned)a / 10u + (unsigned)a % 1000u + ((unsigned)a >> 5) + (unsigned)popcount((unsigned)a);
    uacc = (uacc << 7) | (uacc >> 25);
    acc += __builtin_clz((unsigned)b) + __builtin_ctz((unsigned)b) + __builtin_bswap32((unsigned)a) % 97;
    acc += (a < b) + (a == b) * 3 + ((unsigned)a < (unsigned)b) * 5;
    acc += a > 0 ? a % 100 : -(a % 100);
  }
  printf("acc=%d uacc=%u hex=%08x\n", acc, uacc, uacc);
  printf("collatz(27)=%d collatz(97)=%d fib(22)=%d\n", collatz(27), collatz(97), fib(22));
  int arr[300];
  for (int i = 0; i < 300; i++) arr[i] = (int)(rng() % 100000) - 50000;
  qsort(arr, 300, sizeof arr[0], cmp_int);
  long sum = 0;
  for (int i = 0; i < 300; i += 17) { printf("%d ", arr[i]); sum += arr[i] * i; }
  printf("\nsum=%ld\n", sum);
  short s = -12345; signed char c = -100; unsigned short us = 65000; unsigned char uc = 250;
  printf("%d %d %u %u %d\n", s * 3, c * c, us * 2u, uc + 10, (short)(s * 7));
  return acc & 0x7f;
}
