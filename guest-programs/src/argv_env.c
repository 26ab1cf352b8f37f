/*
 * argv_env.c — prints argc, every argv[] string and every environment string, in order,
 * as the kernel laid them out on the initial stack. Tests run it with a controlled
 * environment (env -i A=1 B=two ...) so native and emulated output can be compared.
 */
#include <stdio.h>

extern char **environ;

int main(int argc, char **argv)
{
    char **e;
    int i, n = 0;

    printf("argc=%d\n", argc);
    for (i = 0; i < argc; i++)
        printf("argv[%d]=\"%s\"\n", i, argv[i]);
    if (argv[argc] != NULL)
        printf("argv[argc] is not NULL\n");
    for (e = environ; *e != NULL; e++, n++)
        printf("env[%d]=\"%s\"\n", n, *e);
    printf("envc=%d\n", n);
    return 0;
}
