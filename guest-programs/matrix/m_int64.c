/* Compiler-matrix program: 64-bit integer arithmetic (libgcc division helpers, shifts,
   multiplies, comparisons) printed in decimal and hex. */
#include <stdio.h>
#include <stdint.h>
#include <inttypes.h>

static uint64_t s = 0x9E3779B97F4A7C15ull;
static uint64_t next(void) { s ^= s << 13; s ^= s >> 7; s ^= s << 17; return s; }

int main(void) {
  uint64_t h = 0;
  int64_t t = 0;
  for (int i = 0; i < 3000; i++) {
    uint64_t a = next(), b = next() | 1;
    int64_t x = (int64_t)a, y = (int64_t)(b >> (i % 40));
    if (y == 0) y = 3;
    h += a / b + a % b + (a >> (i & 63)) + (a << (i % 61)) + a * b;
    t += x / y + x % y + (x >> (i % 63)) + (x < y) - (x > y);
    h ^= (uint64_t)(a / 10) + a / 1000000007ull + (uint64_t)((int64_t)a / -77);
  }
  printf("h=%" PRIu64 " t=%" PRId64 " hx=%016" PRIx64 "\n", h, t, h);
  int64_t v = INT64_MIN;
  printf("%" PRId64 " %" PRId64 " %" PRIu64 "\n", v / 3, v % 1000, (uint64_t)v / 3);
  printf("%lld %llu %llx\n", 1234567890123456789LL * 3, 18446744073709551615ULL / 7, 0xdeadbeefcafebabeULL >> 4);
  return 0;
}
