/*
 * maps_self.c — prints /proc/self/maps, then the addresses of main, of printf and of a
 * malloc'ed block. Built only as dynamic programs (build/maps_self-dyn, -pie): the layout
 * tests read where exec put the program, the interpreter and the libraries.
 */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    void *p = malloc(64);
    FILE *f = fopen("/proc/self/maps", "r");
    if (f == NULL)
        return 1;
    char line[512];
    while (fgets(line, sizeof line, f) != NULL)
        fputs(line, stdout);
    fclose(f);
    printf("main %p\nprintf %p\nmalloc %p\n", (void *)main, (void *)printf, p);
    free(p);
    return 0;
}
