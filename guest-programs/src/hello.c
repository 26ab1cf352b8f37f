/*
 * hello.c — the smallest guest: one puts() and one printf().
 * Exercises process start-up (libc init, TLS), write(2) through stdio, and exit.
 */
#include <stdio.h>

int main(void)
{
    puts("Hello, world!");
    printf("Hello, %s!\n", "world");
    return 0;
}
