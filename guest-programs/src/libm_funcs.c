/*
 * libm_funcs.c — a few libm functions (-lm) over a range of arguments, printed to the last
 * bit. As a dynamic program it runs libm.so.6's code (its IFUNC-selected variants).
 */
#include <math.h>
#include <stdio.h>

int main(void)
{
    for (int i = 1; i <= 12; i++) {
        double x = i * 0.37;
        printf("%2d sin %.17g exp %.17g log %.17g atan2 %.17g cbrt %.17g pow %.17g\n",
               i, sin(x), exp(x), log(x), atan2(x, 1.1), cbrt(x), pow(x, 2.7));
    }
    return 0;
}
