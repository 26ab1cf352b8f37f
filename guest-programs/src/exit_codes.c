/*
 * exit_codes.c — process exit status.
 *   exit_codes N          calls exit(atoi(N))
 *   exit_codes return N   returns atoi(N) from main
 *   exit_codes _exit N    calls _exit(atoi(N)) without printing (nothing to flush)
 *   exit_codes            returns 0
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "return") == 0) {
        printf("returning %d from main\n", atoi(argv[2]));
        return atoi(argv[2]);
    }
    if (argc >= 3 && strcmp(argv[1], "_exit") == 0)
        _exit(atoi(argv[2]));
    if (argc >= 2) {
        printf("exit(%d)\n", atoi(argv[1]));
        exit(atoi(argv[1]));
    }
    printf("no arguments: returning 0\n");
    return 0;
}
