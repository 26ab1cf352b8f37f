/*
 * A libm/printf workout for the x87 (gcc -m32 keeps double and long double arithmetic on the
 * FPU and glibc's i386 libm uses FSIN, FPATAN, F2XM1, FYL2X, FSCALE, FPREM, FRNDINT...). The
 * FPU tests run it natively and under the emulator's kernel and compare the output.
 */
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
int main(void) {
  double s = 0;
  for (int i = 1; i <= 1000; i++) s += 1.0 / ((double)i * i);
  printf("basel %.17g pi^2/6 %.17g\n", s, M_PI * M_PI / 6);
  long double l = 1.0L;
  for (int i = 0; i < 50; i++) l = l * 1.1L + 0.3L / (i + 1);
  printf("ld %.21Lg %La\n", l, l);
  printf("sin %.17g cos %.17g tan %.17g atan2 %.17g\n", sin(1.234), cos(2.5), tan(0.7), atan2(3.0, -4.0));
  printf("exp %.17g log %.17g pow %.17g sqrt %.17g\n", exp(3.3), log(12345.678), pow(2.5, 7.25), sqrt(2.0));
  printf("sinl %.21Lg expl %.21Lg logl %.21Lg\n", sinl(0.5L), expl(1.0L), logl(10.0L));
  printf("fmod %.17g rint %.17g floor %.17g\n", fmod(100.5, 7.25), rint(2.5), floor(-3.5));
  printf("strtod %.17g %g %e\n", strtod("3.14159e10", 0), 1e-300 * 1e-10, 123456.789);
  float f = 0; for (int i = 0; i < 100; i++) f += 0.1f; printf("float %.9g\n", f);
  long long ll = (long long)(s * 1e15); printf("ll %lld\n", ll);
  double acc = 0.5;
  for (int i = 0; i < 2000; i++) {
    double x = i * 0.0137 - 13.0;
    acc += sin(x) * cos(x * 0.5) + atan(x) - tanh(x * 0.1) + log1p(fabs(x)) + exp(-x * x) + cbrt(x) + hypot(x, acc);
    acc = fmod(acc, 1000.0);
  }
  printf("acc %.17g\n", acc);
  long double la = 0.5L;
  for (int i = 1; i < 500; i++) la += sqrtl((long double)i) / (long double)(i + 3) - expm1l(-1.0L / i) + atan2l((long double)i, 7.0L);
  printf("la %.21Lg\n", la);
  for (int i = -5; i <= 5; i++) printf("%g %.3f %.0f %ld %ld | ", ldexp(1.5, i * 100), i / 3.0, i + 0.5, lrint(i + 0.5), lround(i - 0.5));
  printf("\n");
  return 0;
}
