/*
 * setarch.c — setarch(8) inside the guest: `setarch [-R] [-L] PROG [ARGS...]` adds
 * ADDR_NO_RANDOMIZE (-R: no address randomization, even under --aslr) and ADDR_COMPAT_LAYOUT
 * (-L: the legacy bottom-up mmap layout) to the personality and execs PROG.
 * `setarch --show` prints the personality(2) value and /proc/sys/kernel/randomize_va_space.
 */
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <unistd.h>

static int show(void)
{
    char sysctl[16] = "?";
    FILE *f = fopen("/proc/sys/kernel/randomize_va_space", "r");
    if (f != NULL) {
        if (fgets(sysctl, sizeof sysctl, f) == NULL)
            strcpy(sysctl, "?");
        fclose(f);
    }
    sysctl[strcspn(sysctl, "\n")] = '\0';
    printf("personality 0x%x\nrandomize_va_space %s\n", personality(0xffffffff), sysctl);
    return 0;
}

int main(int argc, char **argv)
{
    int add = 0, k = 1;
    if (argc == 2 && strcmp(argv[1], "--show") == 0)
        return show();
    for (; k < argc && argv[k][0] == '-'; k++) {
        if (strcmp(argv[k], "-R") == 0)
            add |= ADDR_NO_RANDOMIZE;
        else if (strcmp(argv[k], "-L") == 0)
            add |= ADDR_COMPAT_LAYOUT;
        else
            break;
    }
    if (k >= argc) {
        fputs("usage: setarch --show | setarch [-R] [-L] PROG [ARGS...]\n", stderr);
        return 2;
    }
    if (personality(personality(0xffffffff) | add) < 0) {
        perror("personality");
        return 1;
    }
    execv(argv[k], argv + k);
    perror("execv");
    return 127;
}
