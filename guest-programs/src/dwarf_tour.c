/* A new user's first debugging session: the commands a gdb user reaches for first, tried on
   structs, arrays, pointers, a recursive function and a loop over argv, with input read from
   stdin and a result written to stdout (for run ARGS < FILE > FILE). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct point {
  int x;
  int y;
};

struct record {
  char name[16];
  struct point where;
  int scores[5];
  struct record *next;
};

static int depth_seen;

int fib(int n) {
  if (n < 2) {
    depth_seen++;
    return n;
  }
  int a = fib(n - 1);
  int b = fib(n - 2);
  return a + b;
}

int total_score(const struct record *r) {
  int sum = 0;
  for (int i = 0; i < 5; i++)
    sum += r->scores[i];
  return sum;
}

int main(int argc, char **argv) {
  struct record first = { "first", { 3, 4 }, { 1, 2, 3, 4, 5 }, NULL };
  struct record second = { "second", { -1, 7 }, { 10, 20, 30, 40, 50 }, &first };
  struct record *p = &second;
  int lengths[8] = { 0 };
  for (int i = 1; i < argc && i < 8; i++)
    lengths[i] = (int)strlen(argv[i]);
  char line[64] = "";
  if (fgets(line, sizeof line, stdin) == NULL)
    strcpy(line, "none\n");
  int f = fib(6);
  int t = total_score(p) + total_score(p->next);
  const char *who = getenv("TOUR_NAME");
  printf("fib %d total %d args %d first %d line %s", f, t, argc, lengths[1], line);
  printf("who %s depth %d\n", who ? who : "nobody", depth_seen);
  return 0;
}
