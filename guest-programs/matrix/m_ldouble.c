/* Compiler-matrix program: long double (x87 80-bit) arithmetic and round trips through
   printf/strtold, which must be exact. */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  long double a = 1.0L, s = 0.0L;
  for (int i = 1; i <= 60; i++) {
    a = a * 3.0L / 2.0L + 1.0L / (long double)i;
    s += a / (long double)(i * i);
  }
  printf("a=%.21Lg s=%.21Lg\n", a, s);
  printf("%La %La\n", a, s);
  const char *texts[] = { "0.1", "3.14159265358979323846264338327950288", "1e4000", "1.18973149535723176502e+4932",
                          "3.6451995318824746025e-4951", "-2.5e-300", "123456789012345678901234567890" };
  for (unsigned k = 0; k < sizeof texts / sizeof texts[0]; k++) {
    long double v = strtold(texts[k], 0);
    char buf[64];
    snprintf(buf, sizeof buf, "%.21Lg", v);
    long double back = strtold(buf, 0);
    printf("%s -> %s roundtrip=%d\n", texts[k], buf, back == v);
  }
  long double x = 2.0L;
  for (int i = 0; i < 6; i++) x = (x + 2.0L / x) / 2.0L;
  printf("sqrt2=%.21Lg\n", x);
  printf("conv: %lld %d\n", (long long)(a / 1e10L), (int)(s * 1000.0L));
  return 0;
}
