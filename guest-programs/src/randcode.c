/* Runs pseudo-random bytes as code: the emulator must end it with a signal or an exit, never
   crash itself. (Not run natively: random bytes may make arbitrary system calls.) */
#include <stdlib.h>
#include <sys/mman.h>
int main(int argc, char **argv) {
  unsigned seed = argc > 1 ? (unsigned)atoi(argv[1]) : 1u;
  unsigned char *p = mmap(0, 65536, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  for (int i = 0; i < 65536; i++) { seed = seed * 1103515245u + 12345u; p[i] = (unsigned char)(seed >> 16); }
  ((void (*)(void))(p + (seed % 4096)))();
  return 0;
}
