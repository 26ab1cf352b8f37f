// A small seeded PRNG (sfc32) and the value distributions the generator draws from.

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed | 0;
    for (let i = 0; i < 16; i++) this.u32();
  }

  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor((this.u32() / 0x100000000) * n);
  }

  /** Integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.u32() / 0x100000000 < p;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }

  /** An interesting 32-bit value: edge cases, small numbers, sign boundaries or random bits. */
  value(bits = 32): number {
    const mask = bits === 32 ? 0xffffffff : (1 << bits) - 1;
    const sign = bits === 32 ? 0x80000000 : 1 << (bits - 1);
    let v: number;
    switch (this.int(10)) {
      case 0: v = this.pick([0, 1, 2, mask, mask - 1, sign, sign - 1, sign + 1]); break;
      case 1: v = this.range(0, 16); break;
      case 2: v = -this.range(1, 16); break;
      case 3: v = this.pick([0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0x0f, 0x10, 0x09, 0x99, 0x9a]); break;
      case 4: v = this.u32() & this.u32(); break;
      case 5: v = this.u32() | this.u32(); break;
      default: v = this.u32();
    }
    return (v & mask) >>> 0;
  }
}
