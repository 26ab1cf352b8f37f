/* Source-level debugger exercise for the terminal and for inlined code: reads a line from
   stdin and echoes it with its length (the debugger hands the terminal to the program while
   it runs), and computes with small functions that -O2 inlines (square at three call sites,
   two of them inside sum_squares, itself inlined into main), so that frames, steps and
   breakpoints on inlined functions can be compared with gdb. */
#include <stdio.h>
#include <string.h>

static inline int square(int x) {
  int r = x * x;
  return r;
}

static inline int sum_squares(int a, int b) {
  int s = square(a);
  s += square(b);
  return s;
}

int main(void) {
  char line[128];
  printf("type a line: ");
  fflush(stdout);
  if (fgets(line, sizeof line, stdin) == NULL) {
    puts("no input");
    return 1;
  }
  int n = (int)strlen(line);
  printf("read %d bytes: %s", n, line);
  int s = sum_squares(n, n + 1);
  int q = square(s % 100);
  printf("sums %d %d\n", s, q);
  return 0;
}
