/*
 * Prints long double values computed by ordinary compiled C (gcc -m32 uses the x87 for
 * long double, and so does x86-64, where this is built when the host cannot run i386 code),
 * one per line: the 10 raw bytes of the value, then the bytes of (double)v,
 * (float)v and llrintl(v) in round-to-nearest, and the text printf("%.21Lg") shows.
 * The FPU tests load each value into the emulator and check the same conversions.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static void hexout(const void *p, int n) {
  const unsigned char *b = p;
  for (int i = 0; i < n; i++) printf("%02x", b[i]);
  putchar(' ');
}

static void emit(long double v) {
  double d = (double)v;
  float f = (float)v;
  long long i = (fabsl(v) < 9.2e18L) ? llrintl(v) : 0;
  hexout(&v, 10);
  hexout(&d, 8);
  hexout(&f, 4);
  hexout(&i, 8);
  printf("%.21Lg\n", v);
}

int main(void) {
  volatile long double x = 1.0L;
  emit(0.0L);
  emit(-0.0L);
  emit(1.0L / 3.0L);
  emit(2.0L / 3.0L);
  emit(sqrtl(2.0L));
  emit(3.14159265358979323846264338327950288L);
  emit(1e4000L);
  emit(-1e-4000L);
  emit(1.0L / 0.0L);
  emit(0x1p-16445L);
  emit(0x1.fffffffffffffffep16383L);
  for (int k = 1; k < 400; k++) {
    x = x * 1.0123456789L + 1.0L / (long double)k;
    emit(x);
    emit(-x / 7.0L);
    emit(x * 1e-3000L);
    emit((long double)k * 0.1L);
    emit(sqrtl(x + k));
  }
  return 0;
}
