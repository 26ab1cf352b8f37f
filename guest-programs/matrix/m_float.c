/* Compiler-matrix program: float and double arithmetic, conversions, comparisons and printf
   formatting (%f %e %g %a) of the results. */
#include <stdio.h>
#include <float.h>

static unsigned st = 7u;
static float frand(void) { st = st * 1664525u + 1013904223u; return (float)(st >> 8) / 16777216.0f; }

int main(void) {
  float fa = 0.0f, fm = 1.0f;
  double da = 0.0, dm = 1.0;
  for (int i = 1; i <= 500; i++) {
    float x = frand() * 200.0f - 100.0f, y = frand() * 3.0f + 0.5f;
    fa += x / y - x * 0.125f;
    fm *= (y > 1.0f) ? 1.0001f : 0.9999f;
    double dx = (double)x * 1.000000001, dy = (double)y;
    da += dx / dy + dx * dx * 1e-3 - (double)i;
    dm = dm * 1.00001 + 1e-9;
    if (i % 100 == 0) printf("i=%d fa=%.9g fm=%.9g da=%.17g dm=%.17g\n", i, fa, fm, da, dm);
  }
  printf("conv: %d %d %u %lld %d\n", (int)fa, (int)-2.75f, (unsigned)3.99e9, (long long)-1.5e15, (int)(da / 7.0));
  printf("cmp: %d %d %d %d\n", fa < da, fm == 1.0f, da >= -1e300, 0.1f + 0.2f == 0.3f);
  printf("%f %e %g %a\n", 1.0 / 3.0, 6.02214076e23, 1e-7, 0.1);
  printf("%.3f %.10e %g %g\n", (double)FLT_MAX, DBL_MIN, 1.0 / 0.0, -0.0);
  volatile double z = 0.0;
  printf("nan: %g %d\n", z / z, (z / z) == (z / z));
  return 0;
}
