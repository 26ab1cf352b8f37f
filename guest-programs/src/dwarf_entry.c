/* Entry values for the source-level debugger: functions that take their arguments in
   registers (regparm(3)) and clobber them, built at -O2, so that gcc describes the arguments
   with DW_OP_entry_value and the callers' DW_TAG_call_site parameters. gdb then shows
   `x=x@entry=5` in frames and can still print x after the register was reused. */
#include <stdio.h>

int sink;

__attribute__((noinline, regparm(3))) int clobber(int a, int b) {
  sink = a;
  __asm__ volatile("" ::: "eax", "edx", "ecx", "memory");
  return sink * 2 + b;
}

__attribute__((noinline, regparm(3))) int twice(int x, int y) {
  int r = clobber(x + 1, y);
  return r + sink;
}

__attribute__((noinline, regparm(3))) int changes(int n) {
  int k = twice(n, n * 3);
  n += k;
  return clobber(n, 2);
}

int main(int argc, char **argv) {
  (void)argv;
  int v = twice(5, argc + 6);
  int w = changes(argc + 1);
  printf("%d %d\n", v, w);
  return 0;
}
