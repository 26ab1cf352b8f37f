/* More C types for the source-level debugger, compared with gdb: bit-fields, a two-dimensional
   array, _Bool, float and long double, a function pointer, a struct holding a union and an
   array of structs, unsigned char and negative values, a string with repeated characters. */
#include <stdio.h>
#include <string.h>

struct flags {
  unsigned int ready : 1;
  unsigned int mode : 3;
  int delta : 5;
  unsigned char tag;
};

struct item {
  int id;
  float weight;
};

struct record {
  struct flags f;
  union {
    int i;
    float x;
  } u;
  struct item items[3];
  int (*op)(int, int);
  _Bool valid;
};

int grid[2][3] = {{1, 2, 3}, {4, 5, 6}};
long double ld = 2.5L;
unsigned char raw[4] = {0xff, 0x80, 0x7f, 0x00};
char banner[32] = "aaaaaaaaaaaaaaaaaaaab";
signed char neg = -5;
unsigned short port = 65535;

static int add(int a, int b) { return a + b; }

__attribute__((noinline)) int inspect(struct record *r, float scale) {
  int total = r->op(r->items[0].id, r->items[1].id);
  total += r->f.delta + (int)(scale * 2);
  return total;
}

int main(void) {
  struct record rec;
  memset(&rec, 0, sizeof rec);
  rec.f.ready = 1;
  rec.f.mode = 5;
  rec.f.delta = -3;
  rec.f.tag = 'T';
  rec.u.x = 1.5f;
  rec.items[0] = (struct item){7, 0.25f};
  rec.items[1] = (struct item){8, 3.0f};
  rec.op = add;
  rec.valid = 1;
  int t = inspect(&rec, 0.75f);
  printf("%d %d %Lg %s %d %u %u\n", t, grid[1][2], ld, banner, neg, port, raw[0]);
  return 0;
}
