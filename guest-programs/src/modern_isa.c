/* Intrinsics of the post-Core-2 extensions the default CPU model implements: CRC32 (SSE4.2),
 * an AES round sequence, a carry-less multiply, PDEP/PEXT, MULX, an ADCX/ADOX chain, LZCNT/TZCNT,
 * POPCNT, BMI1, MOVBE, RORX, a PCMPISTRI string search, ROUNDPS, PMINSD/PMULLD/PTEST/PINSRD/PEXTRB.
 * Built with -msse4.2 -maes -mpclmul -mbmi -mbmi2 -madx -mlzcnt -mmovbe -mpopcnt; each line of
 * output is compared with the same program built for x86-64 and run natively (tests/guest).
 * Inputs go through a volatile buffer so that nothing is folded at compile time. */
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static volatile uint32_t seedv[16] = {
  0x12345678, 0x9abcdef0, 0x0f1e2d3c, 0x4b5a6978, 0xdeadbeef, 0x00000000, 0x80000000, 0xffffffff,
  0x00010000, 0x7fffffff, 0x00f000f0, 0x13579bdf, 0x2468ace0, 0x00000001, 0xcafef00d, 0x55aa55aa,
};

static uint32_t in(int k) { return seedv[k & 15]; }

static void print128(const char *name, __m128i v) {
  uint32_t w[4];
  memcpy(w, &v, 16);
  printf("%s %08x %08x %08x %08x\n", name, w[3], w[2], w[1], w[0]);
}

int main(void) {
  /* CRC32-C over a buffer, bytes then dwords. */
  static volatile unsigned char buf[64];
  for (int k = 0; k < 64; k++) buf[k] = (unsigned char)(in(k) >> (k & 24)) ^ (unsigned char)k;
  uint32_t crc = ~0u;
  for (int k = 0; k < 64; k++) crc = _mm_crc32_u8(crc, buf[k]);
  printf("crc32 bytes %08x\n", ~crc);
  crc = ~0u;
  for (int k = 0; k < 16; k++) crc = _mm_crc32_u32(crc, in(k));
  crc = _mm_crc32_u16(crc, (uint16_t)in(3));
  printf("crc32 dwords %08x\n", ~crc);

  /* AES: 9 full rounds, a last round, and back again with the inverse key schedule. */
  __m128i key = _mm_set_epi32((int)in(0), (int)in(1), (int)in(2), (int)in(3));
  __m128i keys[11];
  keys[0] = key;
#define EXPAND(i, rcon) do { \
    __m128i t = _mm_aeskeygenassist_si128(keys[i - 1], rcon); \
    __m128i k = keys[i - 1]; \
    t = _mm_shuffle_epi32(t, 0xff); \
    k = _mm_xor_si128(k, _mm_slli_si128(k, 4)); \
    k = _mm_xor_si128(k, _mm_slli_si128(k, 4)); \
    k = _mm_xor_si128(k, _mm_slli_si128(k, 4)); \
    keys[i] = _mm_xor_si128(k, t); } while (0)
  EXPAND(1, 0x01); EXPAND(2, 0x02); EXPAND(3, 0x04); EXPAND(4, 0x08); EXPAND(5, 0x10);
  EXPAND(6, 0x20); EXPAND(7, 0x40); EXPAND(8, 0x80); EXPAND(9, 0x1b); EXPAND(10, 0x36);
  __m128i block = _mm_set_epi32((int)in(4), (int)in(5), (int)in(6), (int)in(7));
  __m128i s = _mm_xor_si128(block, keys[0]);
  for (int r = 1; r < 10; r++) s = _mm_aesenc_si128(s, keys[r]);
  s = _mm_aesenclast_si128(s, keys[10]);
  print128("aes128 encrypt", s);
  __m128i d = _mm_xor_si128(s, keys[10]);
  for (int r = 9; r > 0; r--) d = _mm_aesdec_si128(d, _mm_aesimc_si128(keys[r]));
  d = _mm_aesdeclast_si128(d, keys[0]);
  print128("aes128 decrypt", d);

  /* Carry-less multiply, all four qword selections. */
  __m128i a = _mm_set_epi32((int)in(8), (int)in(9), (int)in(10), (int)in(11));
  __m128i b = _mm_set_epi32((int)in(12), (int)in(13), (int)in(14), (int)in(15));
  print128("pclmul 00", _mm_clmulepi64_si128(a, b, 0x00));
  print128("pclmul 01", _mm_clmulepi64_si128(a, b, 0x01));
  print128("pclmul 10", _mm_clmulepi64_si128(a, b, 0x10));
  print128("pclmul 11", _mm_clmulepi64_si128(a, b, 0x11));

  /* BMI2 */
  printf("pdep %08x pext %08x\n", _pdep_u32(in(0), in(10)), _pext_u32(in(4), in(15)));
  unsigned int hi;
#ifdef __x86_64__ /* the reference build: _mulx_u32 exists only for i386 */
  unsigned long long p = (unsigned long long)in(4) * in(14);
  unsigned int lo = (unsigned int)p;
  hi = (unsigned int)(p >> 32);
#else
  unsigned int lo = _mulx_u32(in(4), in(14), &hi);
#endif
  printf("mulx %08x:%08x\n", hi, lo);
  printf("bzhi %08x shlx %08x sarx %08x shrx %08x rorx %08x\n", _bzhi_u32(in(4), in(13) + 11),
    in(4) << (in(1) & 31), (uint32_t)((int32_t)in(6) >> (in(2) & 31)), in(7) >> (in(3) & 31),
    (in(0) >> 13) | (in(0) << 19));

  /* ADX: a 256-bit add through ADCX and an ADOX chain. */
  unsigned int sum[8];
  unsigned char c = 0;
  for (int k = 0; k < 8; k++) c = _addcarryx_u32(c, in(k), in(k + 7), &sum[k]);
  printf("adcx");
  for (int k = 7; k >= 0; k--) printf(" %08x", sum[k]);
  printf(" carry %u\n", c);

  /* gcc picks ADC, BSWAP and ROR for the intrinsics above; these forms by hand (the same
   * 32-bit instructions in the x86-64 reference build). */
  {
    uint32_t x1 = in(7), x2 = in(9), s1 = in(14), s2 = in(15);
    unsigned char cf, of;
    __asm__("xorl %%ecx, %%ecx\n\tstc\n\tadcx %4, %0\n\tadox %5, %1\n\tadcx %4, %0\n\tadox %5, %1\n\tsetc %2\n\tseto %3"
            : "+r"(x1), "+r"(x2), "=q"(cf), "=q"(of) : "r"(s1), "r"(s2) : "ecx", "cc");
    printf("adcx/adox %08x %08x cf %u of %u\n", x1, x2, cf, of);
    static volatile uint32_t mem32 = 0x11223344;
    static volatile uint16_t mem16 = 0xa1b2;
    uint32_t v32, v16 = in(2);
    __asm__("movbe %1, %0" : "=r"(v32) : "m"(mem32));
    __asm__("movbe %1, %w0" : "+r"(v16) : "m"(mem16));
    __asm__("movbe %1, %0" : "=m"(mem32) : "r"(in(3)));
    uint32_t r13;
    __asm__("rorx $13, %1, %0" : "=r"(r13) : "rm"(in(0)));
    printf("movbe %08x %08x %08x rorx %08x\n", v32, v16, (uint32_t)mem32, r13);
  }

  /* LZCNT, TZCNT, POPCNT, BMI1 */
  printf("lzcnt %u %u %u tzcnt %u %u %u popcnt %u %u\n", _lzcnt_u32(in(5)), _lzcnt_u32(in(8)),
    _lzcnt_u32(in(13)), _tzcnt_u32(in(5)), _tzcnt_u32(in(8)), _tzcnt_u32(in(12)),
    _mm_popcnt_u32(in(4)), _mm_popcnt_u32(in(7)));
  printf("andn %08x bextr %08x blsi %08x blsmsk %08x blsr %08x\n", _andn_u32(in(0), in(1)),
    _bextr_u32(in(4), 4, 12), _blsi_u32(in(12)), _blsmsk_u32(in(12)), _blsr_u32(in(12)));

  /* MOVBE (gcc uses it for a byte-swapped load or store with -mmovbe). */
  static volatile uint32_t be;
  be = __builtin_bswap32(in(0));
  uint32_t rd = __builtin_bswap32(be);
  printf("movbe %08x %08x\n", (uint32_t)be, rd);

  /* PCMPISTRI: find "needle" in a haystack, 16 bytes at a time. */
  static const char hay[] __attribute__((aligned(16))) = "a haystack with a needle somewhere in the middle....";
  static const char pat[16] __attribute__((aligned(16))) = "needle";
  __m128i needle = _mm_load_si128((const __m128i *)pat);
  int found = -1;
  for (int off = 0; off + 16 <= (int)sizeof hay; off += 8) {
    __m128i h = _mm_loadu_si128((const __m128i *)(hay + off));
    int at = _mm_cmpistri(needle, h, _SIDD_UBYTE_OPS | _SIDD_CMP_EQUAL_ORDERED | _SIDD_LEAST_SIGNIFICANT);
    if (at < 16 && off + at + 6 <= (int)sizeof hay && memcmp(hay + off + at, "needle", 6) == 0) { found = off + at; break; }
  }
  int any = _mm_cmpistri(_mm_loadu_si128((const __m128i *)"aeiou\0\0\0\0\0\0\0\0\0\0\0"),
    _mm_loadu_si128((const __m128i *)"xyz bcd efg hij."), _SIDD_UBYTE_OPS | _SIDD_CMP_EQUAL_ANY);
  printf("pcmpistri needle at %d, first vowel at %d\n", found, any);

  /* ROUNDPS in all four modes, and a few more SSE4.1 integer forms. */
  volatile float fv[4] = { 2.5f, -3.5f, 1.25f, -0.75f };
  __m128 f = _mm_set_ps(fv[3], fv[2], fv[1], fv[0]);
  const int modes[4] = { _MM_FROUND_TO_NEAREST_INT, _MM_FROUND_TO_NEG_INF, _MM_FROUND_TO_POS_INF, _MM_FROUND_TO_ZERO };
  for (int m = 0; m < 4; m++) {
    __m128 r;
    switch (m) {
      case 0: r = _mm_round_ps(f, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); break;
      case 1: r = _mm_round_ps(f, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC); break;
      case 2: r = _mm_round_ps(f, _MM_FROUND_TO_POS_INF | _MM_FROUND_NO_EXC); break;
      default: r = _mm_round_ps(f, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC); break;
    }
    float o[4];
    _mm_storeu_ps(o, r);
    printf("roundps mode %d: %g %g %g %g\n", modes[m] & 3, o[0], o[1], o[2], o[3]);
  }
  __m128i x = _mm_set_epi32((int)in(4), (int)in(6), (int)in(9), (int)in(11));
  __m128i y = _mm_set_epi32((int)in(0), (int)in(7), (int)in(13), (int)in(2));
  print128("pminsd", _mm_min_epi32(x, y));
  print128("pmulld", _mm_mullo_epi32(x, y));
  print128("pinsrd", _mm_insert_epi32(x, (int)in(14), 2));
  printf("pextrb %d ptest %d %d\n", _mm_extract_epi8(y, 5), _mm_testz_si128(x, y), _mm_testc_si128(x, x));
  return 0;
}
