/* Compiler-matrix program: libm functions over a grid of arguments, printed to 15 significant
   digits (the last bits of a transcendental may differ across x87 implementations). */
#include <stdio.h>
#include <math.h>

int main(void) {
  double xs[] = { -7.5, -2.0, -0.75, -0.1, 0.0, 0.2, 0.5, 1.0, 1.5, 2.0, 3.0, 10.0, 123.456 };
  for (unsigned i = 0; i < sizeof xs / sizeof xs[0]; i++) {
    double x = xs[i];
    printf("x=%g sin=%.15g cos=%.15g tan=%.15g atan=%.15g exp=%.15g\n", x, sin(x), cos(x), tan(x), atan(x), exp(x));
    printf("  sqrt=%.15g log=%.15g pow=%.15g cbrt=%.15g fabs=%g floor=%g ceil=%g round=%g trunc=%g\n",
           sqrt(fabs(x)), log(fabs(x) + 1.0), pow(fabs(x) + 0.5, 1.7), cbrt(x), fabs(x), floor(x), ceil(x), round(x), trunc(x));
    printf("  atan2=%.15g fmod=%.15g hypot=%.15g lrint=%ld sinf=%.7g expf=%.7g\n",
           atan2(x, 1.5), fmod(x, 0.7), hypot(x, 2.5), lrint(x * 3.3), (double)sinf((float)x), (double)expf((float)x / 4));
  }
  printf("pi=%.17g e=%.17g\n", 4 * atan(1.0), exp(1.0));
  return 0;
}
