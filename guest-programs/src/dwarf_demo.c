/* Source-level debugger exercise: globals, locals, arguments, arrays, structs, unions, enums,
   pointers, a typedef, recursion and a function returning a struct member's type (a double),
   built with -g at -O0 and -O2 so that gdb and i386emu's debugger can be compared. */
#include <stdio.h>
#include <string.h>

enum colour { RED, GREEN = 5, BLUE };
typedef unsigned int uint_t;

struct point {
  int x;
  int y;
};

struct shape {
  char name[8];
  struct point corner;
  struct point *origin;
  enum colour colour;
  short sides;
  double scale;
};

union word {
  unsigned int u;
  unsigned char bytes[4];
};

int counter = 7;
long long big = 1234567890123LL;
const char *greeting = "hi there";
int table[5] = {1, 2, 3, 5, 8};
struct point origin = {3, -4};
static uint_t hidden = 42;

__attribute__((noinline)) int square(int x) {
  int result = x * x;
  counter += result;
  return result;
}

__attribute__((noinline)) int factorial(int n) {
  if (n <= 1)
    return 1;
  return n * factorial(n - 1);
}

__attribute__((noinline)) double area(const struct shape *s, int scale) {
  double w = (double)(s->corner.x - s->origin->x);
  double h = (double)(s->corner.y - s->origin->y);
  return w * h * s->scale * scale;
}

__attribute__((noinline)) int sum(const int *v, int n) {
  int total = 0;
  for (int i = 0; i < n; i++) {
    int item = v[i];
    total += item;
  }
  return total;
}

int main(int argc, char **argv) {
  struct shape box;
  union word w;
  int local = argc + 41;
  char letter = 'A';
  memset(&box, 0, sizeof box);
  strcpy(box.name, "box");
  box.corner.x = 10;
  box.corner.y = 20;
  box.origin = &origin;
  box.colour = BLUE;
  box.sides = 4;
  box.scale = 0.5;
  w.u = 0x11223344u;
  int sq = square(local);
  int f = factorial(5);
  double a = area(&box, 2);
  int s = sum(table, 5);
  printf("%s %d %d %d %g %d %u %c %u %s\n", argv[0] ? "ok" : "?", sq, f, s, a, counter, hidden, letter, w.bytes[0], greeting);
  return (big > 0 && sq == 1764) ? 0 : 1;
}
