// The x87's commonest arithmetic, FADD/FSUB/FMUL under Linux's default control word
// (precision 64 bits, round to nearest), on normal operands with a result in the normal range:
// the exact sum or product is formed on local int32 words and rounded once, straight into the
// destination register. It computes what float80.ts's add()/mul() compute in this case (same
// significand, C1 = "rounded up", PE = inexact) with none of their generality: no F object, no
// classification, no working significand, no other precision or rounding mode. Anything else
// (a zero, a denormal, NaN, infinity, alignment by 32 bits or more, a cancellation of 32 bits
// or more, a result that could leave the normal range) returns NOT_FAST before writing
// anything, and the caller takes the general path, which is exact for every case.
//
// Significand words arrive as int32 (`| 0`) and are made uint32 inside (see float80.ts, "the
// common case"). The result code is UP (bit 0: rounded up, the C1 bit) | INEXACT (bit 1).

export const NOT_FAST = -1;
export const UP = 1, INEXACT = 2;

/** Control words this path serves: PC = 64 bits, RC = nearest, PE masked (the rest is free). */
export function fastControl(cw: number): boolean {
  return (cw & 0xf20) === 0x320;
}

/**
 * The register destination of (−1)^as·A·2^ea + (−1)^bs·B·2^eb (bs already flipped for a
 * subtraction), for normal operands; NOT_FAST when this path does not apply.
 */
export function add64(
  se: Uint16Array, hi: Uint32Array, lo: Uint32Array, dst: number,
  as: number, ah: number, al: number, bs: number, bh: number, bl: number,
): number {
  let xE = as & 0x7fff, yE = bs & 0x7fff;
  let xH = ah >>> 0, xL = al >>> 0, yH = bh >>> 0, yL = bl >>> 0;
  // Normal (the explicit integer bit set) and an exponent below the largest, so that a carry
  // cannot overflow.
  if ((ah & bh) >= 0 || ((xE - 1) >>> 0) >= 0x7ffd || ((yE - 1) >>> 0) >= 0x7ffd) return NOT_FAST;
  let s = as >>> 15;
  const sameSign = s === bs >>> 15;
  // x: the operand of larger magnitude, whose sign the result takes.
  if (yE > xE || (yE === xE && (yH > xH || (yH === xH && yL > xL)))) {
    let t = xE; xE = yE; yE = t;
    t = xH; xH = yH; yH = t;
    t = xL; xL = yL; yL = t;
    s = bs >>> 15;
  }
  const d = xE - yE;
  if (d > 31) return NOT_FAST;
  // y aligned to x: yH:yL:yX, exactly (two shifts, so that d = 0 shifts nothing out).
  const yX = ((yL << (31 - d)) << 1) >>> 0;
  yL = ((yL >>> d) | ((yH << (31 - d)) << 1)) >>> 0;
  yH = yH >>> d;
  let e = xE, h: number, l: number, x: number;
  if (sameSign) {
    l = xL + yL;
    const c = (l * 2.3283064365386963e-10) | 0;
    l -= c * 4294967296;
    h = xH + yH + c;
    // A carry out of bit 63 (n = 1): one place right, the bit leaving x kept as sticky.
    const n = (h * 2.3283064365386963e-10) | 0;
    x = ((yX >>> n) | (yX & n) | ((l << 31) & -n)) >>> 0;
    l = ((l >>> n) | ((h << 31) & -n)) >>> 0;
    h = ((h >>> n) | (0x80000000 & -n)) >>> 0;
    e += n;
  } else {
    // x − y ≥ 0, with borrows.
    x = (0 - yX) >>> 0;
    l = xL - yL - (yX !== 0 ? 1 : 0);
    const b = l < 0 ? 1 : 0;
    l += b * 4294967296;
    h = xH - yH - b;
    if (h < 0x80000000) {
      // Cancellation. Several leading bits cancel only when d ≤ 1, and then the difference
      // is exact; otherwise one shift moves the sticky bit to bit 1, below every rounding
      // position. 32 cancelled bits or more (an exact zero too) go the general way.
      if (h === 0) return NOT_FAST;
      const z = Math.clz32(h);
      h = ((h << z) | ((l >>> (31 - z)) >>> 1)) >>> 0;
      l = ((l << z) | ((x >>> (31 - z)) >>> 1)) >>> 0;
      x = (x << z) >>> 0;
      e -= z;
      if (e < 1) return NOT_FAST;
    }
  }
  return round64(se, hi, lo, dst, s, e, h, l, x);
}

/** The register destination of (−1)^(as⊕bs)·A·B for normal operands; NOT_FAST otherwise. */
export function mul64(
  se: Uint16Array, hi: Uint32Array, lo: Uint32Array, dst: number,
  as: number, ah: number, al: number, bs: number, bh: number, bl: number,
): number {
  // The product of significands in [1, 2) is in [1, 4): the result's exponent is e or e + 1,
  // and one more for a carry when rounding.
  const e = (as & 0x7fff) + (bs & 0x7fff) - 16383;
  if ((ah & bh) >= 0 || ((e - 1) >>> 0) >= 0x7ffc || ((as & 0x7fff) - 1 >>> 0) >= 0x7ffe || ((bs & 0x7fff) - 1 >>> 0) >= 0x7ffe) return NOT_FAST;
  const xH = ah >>> 0, xL = al >>> 0, yH = bh >>> 0, yL = bl >>> 0;
  // The 128-bit product from four 32×32-bit products: Math.imul gives each low word exactly
  // and the double product is within 2^11 of the exact value, so (product − low word)/2^32
  // rounds to the exact high word (as float80.ts's mulFull()).
  const ll = Math.imul(xL, yL) >>> 0, llH = Math.floor((xL * yL - ll) * 2.3283064365386963e-10 + 0.5);
  const lh = Math.imul(xL, yH) >>> 0, lhH = Math.floor((xL * yH - lh) * 2.3283064365386963e-10 + 0.5);
  const hl = Math.imul(xH, yL) >>> 0, hlH = Math.floor((xH * yL - hl) * 2.3283064365386963e-10 + 0.5);
  const hh = Math.imul(xH, yH) >>> 0, hhH = Math.floor((xH * yH - hh) * 2.3283064365386963e-10 + 0.5);
  let t = llH + lh + hl;
  const w1 = t >>> 0;
  t = lhH + hlH + hh + (t - w1) * 2.3283064365386963e-10;
  const w2 = t >>> 0;
  const w3 = hhH + (t - w2) * 2.3283064365386963e-10;
  // In [1, 2): n = 1, one place left.
  const n = 1 - (w3 >>> 31);
  return round64(se, hi, lo, dst, ((as ^ bs) >>> 15) & 1, e + 1 - n,
    ((w3 << n) | ((w2 >>> 31) & n)) >>> 0, ((w2 << n) | ((w1 >>> 31) & n)) >>> 0, ((w1 << n) | (ll !== 0 ? 1 : 0)) >>> 0);
}

/**
 * Rounds s·h:l:x (bit 31 of h set; x the discarded bits, bit 0 sticky) to nearest-even at 64
 * bits into the register; e + 1 must still be a normal exponent.
 */
function round64(se: Uint16Array, hi: Uint32Array, lo: Uint32Array, dst: number, s: number, e: number, h: number, l: number, x: number): number {
  // Up when the half bit is set and anything below it or the last kept bit is: no branch.
  const up = (x >>> 31) & ((((x & 0x7fffffff) + 0x7fffffff) >>> 31) | l) & 1;
  l += up;
  if (l > 0xffffffff) {
    l = 0;
    if (++h > 0xffffffff) { h = 0x80000000; e++; }
  }
  se[dst] = (s << 15) | e;
  hi[dst] = h;
  lo[dst] = l;
  return up | (x !== 0 ? INEXACT : 0);
}
