/*
 * dlopen_libm.c — run-time linking: dlopen("libm.so.6"), dlsym(cos/pow), a failing dlopen
 * and dlclose. Built only as dynamic programs (build/dlopen_libm-dyn, -pie).
 * Exercises ld.so's search path and mmap/mprotect of a library after start-up.
 */
#include <dlfcn.h>
#include <stdio.h>

int main(void)
{
    void *h = dlopen("libm.so.6", RTLD_NOW);
    if (h == NULL) {
        printf("dlopen: %s\n", dlerror());
        return 1;
    }
    double (*c)(double) = (double (*)(double))dlsym(h, "cos");
    double (*p)(double, double) = (double (*)(double, double))dlsym(h, "pow");
    if (c == NULL || p == NULL) {
        printf("dlsym: %s\n", dlerror());
        return 1;
    }
    for (int i = -3; i <= 3; i++)
        printf("cos(%d/2) = %.17g  pow(1.5, %d) = %.17g\n", i, c(i / 2.0), i, p(1.5, i));
    void *none = dlopen("libdoes-not-exist.so.7", RTLD_NOW);
    printf("missing library: %s\n", none == NULL ? dlerror() : "loaded?");
    printf("dlclose: %d\n", dlclose(h));
    return 0;
}
