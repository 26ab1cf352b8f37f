// Soft-float for the x87 80-bit extended format, bit-exact with the hardware.
//
// A value is three numbers: `se` (sign << 15 | 15-bit biased exponent), `hi` and `lo` (the
// 64-bit significand with its explicit integer bit as bit 31 of hi; as uint32, or as int32 on
// the hot paths, see "the common case"). Operations take operands as such triples and leave
// the result in the shared object `F` (se/hi/lo), OR-ing x87 exception bits into F.exc and
// setting F.up when the result was rounded up in magnitude (that is the C1 bit). Nothing is
// allocated on the paths of the loads, stores, conversions, FADD/FSUB/FMUL/FDIV/FSQRT and
// compares: products are built from 32×32-bit halves (Math.imul for the low word, a double
// product for the high one), quotients and square roots from double-precision estimates
// corrected with exact limb arithmetic. Only FBLD/FBSTP and the transcendentals use BigInt. Normal
// operands with an in-range result take a fast path that never classifies, unpacks or goes
// through the working significand below.
//
// Internally a finite non-zero operand is unpacked into a sign, an unbounded biased exponent
// and a normalised significand (denormals are normalised, so their exponent can go below 1);
// results are formed in a 96-bit working significand (W[WH]:W[WL]:W[WX]) whose lowest bit is
// sticky, and roundPack() rounds it to 24, 53 or 64 bits within the exponent range of the destination
// format. Facts measured on the host CPU and followed here: tininess is detected after
// rounding; with underflow/overflow unmasked the register result keeps the normalised
// significand with the exponent biased by ∓0x6000; NaN operands propagate as Intel's table says
// (the larger significand wins when both are NaN, ties go to the positive one).

export const IE = 0x01, DE = 0x02, ZE = 0x04, OE = 0x08, UE = 0x10, PE = 0x20, SF = 0x40;

/** Classes returned by classify(). */
export const C_ZERO = 0, C_NORMAL = 1, C_DENORMAL = 2, C_INF = 3, C_QNAN = 4, C_SNAN = 5, C_UNSUPPORTED = 6;

export const BIAS = 16383;
/** Exponent range (extended biasing) of the memory formats: smallest normal, largest finite. */
export const EXT_MIN = 1, EXT_MAX = 0x7ffe;
export const DBL_MIN = BIAS - 1022, DBL_MAX = BIAS + 1023;
export const SGL_MIN = BIAS - 126, SGL_MAX = BIAS + 127;

/** Result of the last operation. i1/i0: integer or memory-format result (high, low dword). */
export const F = { se: 0, hi: 0, lo: 0, exc: 0, up: 0, i1: 0, i0: 0, den: 0 };
// F.den: set by the caller when an operand came from a denormal float32/float64 in memory (it
// is normal once widened, but the operation must still raise DE at the right precedence).

/** The indefinite QNaN (what a masked invalid operation produces). */
export const INDEF_SE = 0xffff, INDEF_HI = 0xc0000000, INDEF_LO = 0;

export function classify(se: number, hi: number, lo: number): number {
  const e = se & 0x7fff;
  if (e === 0) return (hi | lo) === 0 ? C_ZERO : C_DENORMAL;
  if ((hi & 0x80000000) === 0) return C_UNSUPPORTED; // unnormal, pseudo-NaN, pseudo-infinity
  if (e === 0x7fff) {
    if ((hi & 0x7fffffff) === 0 && lo === 0) return C_INF;
    return hi & 0x40000000 ? C_QNAN : C_SNAN;
  }
  return C_NORMAL;
}

export function isNaNClass(c: number): boolean {
  return c === C_QNAN || c === C_SNAN;
}

export function setIndefinite(): void {
  F.se = INDEF_SE;
  F.hi = INDEF_HI;
  F.lo = INDEF_LO;
  F.exc |= IE;
}

export function setResult(se: number, hi: number, lo: number): void {
  F.se = se;
  F.hi = hi >>> 0;
  F.lo = lo >>> 0;
}

/** Result is `se` with a quieted copy of the NaN significand. */
function setQuiet(se: number, hi: number, lo: number): void {
  F.se = se;
  F.hi = (hi | 0x40000000) >>> 0;
  F.lo = lo >>> 0;
}

/**
 * x87 NaN propagation for two operands (at least one is a NaN): an SNaN raises IE; SNaN with
 * QNaN gives the QNaN; two of a kind give the larger significand (the positive one on a tie).
 */
export function propagateNaN2(ac: number, as: number, ah: number, al: number, bc: number, bs: number, bh: number, bl: number): void {
  const aN = ac === C_QNAN || ac === C_SNAN;
  const bN = bc === C_QNAN || bc === C_SNAN;
  if (ac === C_SNAN || bc === C_SNAN) F.exc |= IE;
  if (aN && bN) {
    if (ac === C_SNAN && bc === C_QNAN) { setQuiet(bs, bh, bl); return; }
    if (bc === C_SNAN && ac === C_QNAN) { setQuiet(as, ah, al); return; }
    const ahq = (ah | 0x40000000) >>> 0, bhq = (bh | 0x40000000) >>> 0;
    if (ahq > bhq || (ahq === bhq && al > bl)) { setQuiet(as, ah, al); return; }
    if (bhq > ahq || (ahq === bhq && bl > al)) { setQuiet(bs, bh, bl); return; }
    if (as <= bs) setQuiet(as, ah, al); else setQuiet(bs, bh, bl);
    return;
  }
  if (aN) setQuiet(as, ah, al);
  else setQuiet(bs, bh, bl);
}

// ---- unpacking ------------------------------------------------------------------------------

// Unpacked operand: sign (0/1), unbounded biased exponent, normalised significand.
let uS = 0, uE = 0;

/** Unpacks a finite non-zero value (normal or denormal) into uS/uE/W[UH]/W[UL]. */
function unpack(se: number, hi: number, lo: number): void {
  uS = se >>> 15;
  let e = se & 0x7fff;
  hi >>>= 0;
  lo >>>= 0;
  if (e === 0) {
    e = 1;
    if (hi === 0) {
      const z = Math.clz32(lo);
      hi = (lo << z) >>> 0;
      lo = 0;
      e -= 32 + z;
    } else {
      const z = Math.clz32(hi);
      if (z > 0) {
        hi = ((hi << z) | (lo >>> (32 - z))) >>> 0;
        lo = (lo << z) >>> 0;
        e -= z;
      }
    }
  }
  uE = e;
  W[UH] = hi;
  W[UL] = lo;
}

// ---- the working significand and rounding ---------------------------------------------------

let wS = 0, wE = 0;
// The significand words live in a Uint32Array: module-level `let`s holding values ≥ 2^30 would
// be boxed on every store. W[WH]:W[WL]:W[WX] is the working significand, W[UH]:W[UL] the unpacked
// operand.
const W = new Uint32Array(5);
const WH = 0, WL = 1, WX = 2, UH = 3, UL = 4;

/** Shifts W[WH]:W[WL]:W[WX] right by n, OR-ing everything shifted out into bit 0 of W[WX]. */
function shr96(n: number): void {
  if (n <= 0) return;
  if (n >= 96) {
    W[WX] = (W[WH] | W[WL] | W[WX]) !== 0 ? 1 : 0;
    W[WH] = 0;
    W[WL] = 0;
    return;
  }
  let sticky = 0;
  if (n >= 64) {
    sticky = (W[WL] | W[WX]) !== 0 ? 1 : 0;
    W[WX] = W[WH];
    W[WL] = 0;
    W[WH] = 0;
    n -= 64;
  } else if (n >= 32) {
    sticky = W[WX] !== 0 ? 1 : 0;
    W[WX] = W[WL];
    W[WL] = W[WH];
    W[WH] = 0;
    n -= 32;
  }
  if (n > 0) {
    if ((W[WX] << (32 - n)) !== 0) sticky = 1;
    W[WX] = ((W[WX] >>> n) | (W[WL] << (32 - n))) >>> 0;
    W[WL] = ((W[WL] >>> n) | (W[WH] << (32 - n))) >>> 0;
    W[WH] = W[WH] >>> n;
  }
  W[WX] = (W[WX] | sticky) >>> 0;
}

/** Normalises W[WH]:W[WL]:W[WX] (non-zero) so that bit 31 of W[WH] is set, adjusting wE. */
function normalize96(): void {
  if (W[WH] === 0) {
    if (W[WL] === 0) {
      W[WH] = W[WX];
      W[WL] = 0;
      W[WX] = 0;
      wE -= 64;
    } else {
      W[WH] = W[WL];
      W[WL] = W[WX];
      W[WX] = 0;
      wE -= 32;
    }
  }
  if (W[WH] === 0) {
    // Only possible when the value came from W[WX] alone and moved two words up.
    W[WH] = W[WL];
    W[WL] = 0;
    wE -= 32;
  }
  const z = Math.clz32(W[WH]);
  if (z > 0) {
    W[WH] = ((W[WH] << z) | (W[WL] >>> (32 - z))) >>> 0;
    W[WL] = ((W[WL] << z) | (W[WX] >>> (32 - z))) >>> 0;
    W[WX] = (W[WX] << z) >>> 0;
    wE -= z;
  }
}

/**
 * Rounds W[WH]:W[WL]:W[WX] at `prec` significant bits (64, 53 or 24) in rounding mode rc, in place.
 * Returns 1 when the discarded part was non-zero. Sets rUp when the significand was
 * incremented; a carry out of bit 63 leaves W[WH]:W[WL] = 0 and rCarry = 1.
 */
let rUp = 0, rCarry = 0;
function roundSig(prec: number, rc: number): number {
  let half: number, rest: boolean, lsb: number;
  if (prec === 64) {
    half = W[WX] >>> 31;
    rest = (W[WX] & 0x7fffffff) !== 0;
    lsb = W[WL] & 1;
  } else if (prec === 53) {
    half = (W[WL] >>> 10) & 1;
    rest = (W[WL] & 0x3ff) !== 0 || W[WX] !== 0;
    lsb = (W[WL] >>> 11) & 1;
  } else {
    half = (W[WH] >>> 7) & 1;
    rest = (W[WH] & 0x7f) !== 0 || W[WL] !== 0 || W[WX] !== 0;
    lsb = (W[WH] >>> 8) & 1;
  }
  rUp = 0;
  rCarry = 0;
  const inexact = half !== 0 || rest;
  if (!inexact) {
    W[WX] = 0;
    return 0;
  }
  let inc: boolean;
  switch (rc) {
    case 0: inc = half !== 0 && (rest || lsb !== 0); break;
    case 1: inc = wS !== 0; break;
    case 2: inc = wS === 0; break;
    default: inc = false;
  }
  W[WX] = 0;
  if (prec === 53) W[WL] = (W[WL] & ~0x7ff) >>> 0;
  else if (prec === 24) { W[WL] = 0; W[WH] = (W[WH] & ~0xff) >>> 0; }
  if (inc) {
    rUp = 1;
    if (prec === 24) {
      const h = W[WH] + 0x100;
      if (h > 0xffffffff) { W[WH] = 0; rCarry = 1; } else W[WH] = h;
    } else {
      const l = W[WL] + (prec === 64 ? 1 : 0x800);
      if (l > 0xffffffff) {
        W[WL] = 0;
        const h = W[WH] + 1;
        if (h > 0xffffffff) { W[WH] = 0; rCarry = 1; } else W[WH] = h;
      } else {
        W[WL] = l;
      }
    }
  }
  return 1;
}

/**
 * Rounds the working value (normalised, non-zero; sign wS, unbounded biased exponent wE) to
 * `prec` bits in the exponent range [minE, maxE] of the destination, and leaves it in F in
 * extended layout: a result with bit 63 clear is a denormal of the destination format (its
 * exponent field is then 0 for the extended format). trapUnder/trapOver: the exception is
 * unmasked, so the result keeps full range with the exponent biased by ∓0x6000 (meaningful for
 * register destinations; memory stores are suppressed by the caller).
 */
function roundPack(prec: number, minE: number, maxE: number, rc: number, trapUnder: boolean, trapOver: boolean): void {
  F.up = 0;
  // With underflow unmasked the exponent is biased by +0x6000 instead; a value too small even
  // for that (FSCALE) becomes a signed zero.
  const deepUnder = trapUnder && wE + 0x6000 < minE;
  if (deepUnder) {
    F.exc |= UE | PE;
    F.se = wS << 15;
    F.hi = 0;
    F.lo = 0;
    return;
  }
  if (wE < minE && !trapUnder) {
    // Tininess after rounding: would the value rounded with an unbounded exponent be below
    // the smallest normal? Only wE == minE - 1 with a carry out can escape.
    let tiny = true;
    if (wE === minE - 1) {
      const h = W[WH], l = W[WL], x = W[WX];
      roundSig(prec, rc);
      if (rCarry) tiny = false;
      W[WH] = h; W[WL] = l; W[WX] = x;
    }
    shr96(minE - wE);
    wE = minE;
    const inexact = roundSig(prec, rc);
    if (rCarry) { W[WH] = 0x80000000; } // cannot happen from a denormalised value, kept for safety
    if (inexact) {
      F.exc |= PE;
      if (tiny) F.exc |= UE;
    }
    F.up = rUp;
    F.se = (wS << 15) | ((W[WH] & 0x80000000) !== 0 ? (minE === EXT_MIN ? 1 : wE) : (minE === EXT_MIN ? 0 : wE));
    F.hi = W[WH] >>> 0;
    F.lo = W[WL] >>> 0;
    return;
  }
  let tiny = false;
  if (wE < minE) {
    let t = true;
    if (wE === minE - 1) {
      const h = W[WH], l = W[WL], x = W[WX];
      roundSig(prec, rc);
      if (rCarry) t = false;
      W[WH] = h; W[WL] = l; W[WX] = x;
    }
    tiny = t;
  }
  const inexact = roundSig(prec, rc);
  if (rCarry) {
    W[WH] = 0x80000000;
    wE++;
  }
  if (inexact) F.exc |= PE;
  F.up = rUp;
  if (wE > maxE) {
    F.exc |= OE;
    if (trapOver && wE - 0x6000 <= maxE) {
      wE -= 0x6000;
    } else if (trapOver) {
      // Too large even for the biased exponent (FSCALE): infinity.
      F.exc |= PE;
      F.se = (wS << 15) | 0x7fff;
      F.hi = 0x80000000;
      F.lo = 0;
      F.up = 1;
      return;
    } else {
      F.exc |= PE;
      // Masked overflow: infinity, or the largest finite value when rounding toward zero or
      // away from this sign.
      const toInf = rc === 0 || (rc === 1 && wS !== 0) || (rc === 2 && wS === 0);
      if (toInf) {
        F.se = (wS << 15) | (maxE === EXT_MAX ? 0x7fff : maxE + 1);
        F.hi = 0x80000000;
        F.lo = 0;
        F.up = 1;
      } else {
        F.se = (wS << 15) | maxE;
        F.hi = prec === 24 ? 0xffffff00 : 0xffffffff;
        F.lo = prec === 64 ? 0xffffffff : prec === 53 ? 0xfffff800 : 0;
        F.up = 0;
      }
      return;
    }
  } else if (tiny) {
    F.exc |= UE;
    wE += 0x6000;
  }
  F.se = (wS << 15) | (wE & 0x7fff);
  F.hi = W[WH] >>> 0;
  F.lo = W[WL] >>> 0;
}

/** Precision-control bits of the control word → significand bits. */
export function pcBits(cw: number): number {
  const pc = (cw >> 8) & 3;
  return pc === 0 ? 24 : pc === 2 ? 53 : 64;
}

/** Rounds the working value into an extended register under the control word's PC and RC. */
function roundExt(cw: number, prec: number): void {
  roundPack(prec, EXT_MIN, EXT_MAX, (cw >> 10) & 3, (cw & UE) === 0, (cw & OE) === 0);
}

// ---- the common case --------------------------------------------------------------------------
//
// Finite normal operands whose result stays inside the destination's normal exponent range
// are handled on local variables: no classify(), no unpack(), no trip through W. Only values
// near the range limits go through roundPack(). Significand words cross function boundaries as
// int32 (`| 0`) and are made uint32 (`>>> 0`) inside: V8 passes an int32 as a small integer,
// but boxes a uint32 ≥ 2^31 into a new heap number whenever the callee is not inlined.

const P32 = 4294967296, INV32 = 1 / 4294967296;

/** True for a normal value: exponent 1..0x7FFE with the explicit integer bit set. */
function isNormal(se: number, hi: number): boolean {
  return (((se & 0x7fff) - 1) >>> 0) < 0x7ffe && (hi & 0x80000000) !== 0;
}

/**
 * Rounds s·(h:l:x)·2^(e − BIAS − 63) into F (extended layout) at `prec` bits under the control
 * word, for a destination whose biased exponent range is [minE, maxE]. h:l:x is a 96-bit
 * significand with bit 31 of h set; bit 0 of x is sticky. Same results as roundPack(). This
 * is the usual case (to nearest at 64 bits, Linux's default, or at 53 bits, as stores to
 * float64 do) and is kept small enough for V8 to inline; the rest goes to roundOther().
 */
function roundTo(s: number, e: number, h: number, l: number, x: number, prec: number, cw: number, minE: number, maxE: number): void {
  if (prec === 24 || (cw & 0xc00) !== 0 || e < minE || e >= maxE) {
    roundOther(s, e, h, l, x, prec, cw, minE, maxE);
    return;
  }
  h >>>= 0;
  l >>>= 0;
  x >>>= 0;
  // Ties go to even. Whether to round up is computed without a branch (a coin toss the CPU
  // cannot predict): for 0 ≤ r < 2^31, (r + 0x7FFFFFFF) >>> 31 is 1 exactly when r ≠ 0.
  let up: number, unit: number;
  if (prec === 64) {
    // All of x is discarded; its top bit is the half.
    if (x !== 0) F.exc |= PE;
    up = (x >>> 31) & ((((x & 0x7fffffff) + 0x7fffffff) >>> 31) | l);
    unit = 1;
  } else {
    // 53 bits: the low 11 bits of l and all of x are discarded; bit 10 of l is the half.
    const d = l & 0x7ff;
    if ((d | x) !== 0) F.exc |= PE;
    up = (d >>> 10) & ((((d & 0x3ff) | (x >>> 1) | (x & 1)) + 0x7fffffff) >>> 31 | (l >>> 11)) & 1;
    l -= d;
    unit = 0x800;
  }
  F.up = up;
  l += up * unit;
  if (l > 0xffffffff) {
    // A carry out of bit 63 leaves 1.000…0 with the next exponent (at most maxE here).
    l = 0;
    if (++h > 0xffffffff) { h = 0x80000000; e++; }
  }
  F.se = (s << 15) | e;
  F.hi = h;
  F.lo = l;
}

/** roundTo() for the other precisions and rounding modes, and near the range limits. */
function roundOther(s: number, e: number, h: number, l: number, x: number, prec: number, cw: number, minE: number, maxE: number): void {
  h >>>= 0;
  l >>>= 0;
  x >>>= 0;
  const rc = (cw >> 10) & 3;
  if (e < minE || e >= maxE) {
    // Tiny, or it could overflow once rounded.
    wS = s; wE = e; W[WH] = h; W[WL] = l; W[WX] = x;
    roundPack(prec, minE, maxE, rc, (cw & UE) === 0, (cw & OE) === 0);
    return;
  }
  // half: the first discarded bit; rest: whether any discarded bit below it is set.
  let half: number, rest: number, lsb: number;
  if (prec === 64) {
    half = x >>> 31;
    rest = x & 0x7fffffff;
    lsb = l & 1;
  } else if (prec === 53) {
    half = (l >>> 10) & 1;
    rest = (l & 0x3ff) | x;
    lsb = (l >>> 11) & 1;
    if ((half | rest) !== 0) l = (l & 0xfffff800) >>> 0;
  } else {
    half = (h >>> 7) & 1;
    rest = (h & 0x7f) | l | x;
    lsb = (h >>> 8) & 1;
    if ((half | rest) !== 0) { h = (h & 0xffffff00) >>> 0; l = 0; }
  }
  F.up = 0;
  if ((half | rest) !== 0) {
    F.exc |= PE;
    if (rc === 0 ? half !== 0 && (rest | lsb) !== 0 : rc === 1 ? s !== 0 : rc === 2 && s === 0) {
      F.up = 1;
      if (prec === 24) h += 0x100;
      else {
        l += prec === 64 ? 1 : 0x800;
        if (l > 0xffffffff) { l = 0; h += 1; }
      }
      // A carry out of bit 63 leaves 1.000…0 with the next exponent (at most maxE here).
      if (h > 0xffffffff) { h = 0x80000000; e++; }
    }
  }
  F.se = (s << 15) | e;
  F.hi = h;
  F.lo = l;
}

// ---- add / subtract -------------------------------------------------------------------------

/**
 * a + b (or a - b when sub) rounded under control word cw with `prec` significand bits.
 */
export function add(as: number, ah: number, al: number, bs: number, bh: number, bl: number, sub: boolean, cw: number, prec: number): void {
  const asign = (as >>> 15) & 1, bsign = ((bs >>> 15) ^ (sub ? 1 : 0)) & 1;
  if (isNormal(as, ah) && isNormal(bs, bh)) {
    if (F.den !== 0) F.exc |= DE;
    addSig(asign, as & 0x7fff, ah | 0, al | 0, bsign, bs & 0x7fff, bh | 0, bl | 0, cw, prec);
    return;
  }
  ah >>>= 0; al >>>= 0; bh >>>= 0; bl >>>= 0;
  const ac = classify(as, ah, al), bc = classify(bs, bh, bl);
  if (ac === C_UNSUPPORTED || bc === C_UNSUPPORTED) { setIndefinite(); return; }
  if (ac >= C_QNAN || bc >= C_QNAN) { propagateNaN2(ac, as, ah, al, bc, bs, bh, bl); return; }
  if (ac === C_DENORMAL || bc === C_DENORMAL || F.den) F.exc |= DE;
  if (ac === C_INF) {
    if (bc === C_INF && asign !== bsign) { setIndefinite(); return; }
    setResult(as & 0xffff, 0x80000000, 0);
    return;
  }
  if (bc === C_INF) { setResult((bsign << 15) | 0x7fff, 0x80000000, 0); return; }
  if (ac === C_ZERO && bc === C_ZERO) {
    const s = asign === bsign ? asign : ((cw >> 10) & 3) === 1 ? 1 : 0;
    setResult(s << 15, 0, 0);
    return;
  }
  if (bc === C_ZERO) {
    unpack(as, ah, al);
    roundTo(asign, uE, W[UH] | 0, W[UL] | 0, 0, prec, cw, EXT_MIN, EXT_MAX);
    return;
  }
  if (ac === C_ZERO) {
    unpack(bs, bh, bl);
    roundTo(bsign, uE, W[UH] | 0, W[UL] | 0, 0, prec, cw, EXT_MIN, EXT_MAX);
    return;
  }
  // Finite, non-zero, at least one denormal.
  unpack(as, ah, al);
  const xE = uE, xH = W[UH] | 0, xL = W[UL] | 0;
  unpack(bs, bh, bl);
  addSig(asign, xE, xH, xL, bsign, uE, W[UH] | 0, W[UL] | 0, cw, prec);
}

/**
 * Rounds (−1)^xS·X·2^xE + (−1)^yS·Y·2^yE into F, for normalised significands X and Y (bit 31
 * of the high word set) and unbounded biased exponents.
 */
function addSig(xS: number, xE: number, xH: number, xL: number, yS: number, yE: number, yH: number, yL: number, cw: number, prec: number): void {
  xH >>>= 0; xL >>>= 0; yH >>>= 0; yL >>>= 0;
  // Make x the operand of larger magnitude.
  if (yE > xE || (yE === xE && (yH > xH || (yH === xH && yL > xL)))) {
    let t = xE; xE = yE; yE = t;
    t = xH; xH = yH; yH = t;
    t = xL; xL = yL; yL = t;
    t = xS; xS = yS; yS = t;
  }
  // Align y to x's exponent in yH:yL:yX; anything shifted out of yX becomes its sticky bit 0.
  const d = xE - yE;
  let yX = 0;
  if (d >= 96) {
    yH = 0; yL = 0; yX = 1; // (y is not zero)
  } else if (d >= 64) {
    const n = d - 64;
    yX = (yH >>> n) | (yL !== 0 || (n > 0 && (yH << (32 - n)) !== 0) ? 1 : 0);
    yH = 0; yL = 0;
  } else if (d >= 32) {
    const n = d - 32;
    yX = n === 0 ? yL : (yL >>> n) | (yH << (32 - n)) | ((yL << (32 - n)) !== 0 ? 1 : 0);
    yL = yH >>> n;
    yH = 0;
  } else if (d > 0) {
    yX = yL << (32 - d);
    yL = (yL >>> d) | (yH << (32 - d));
    yH >>>= d;
  }
  yX >>>= 0;
  yL >>>= 0;
  let e = xE, h: number, l: number, x: number;
  // Carries and borrows are taken as floor(word sum · 2^-32) rather than by branching on
  // them: they are coin tosses the CPU cannot predict.
  if (xS === yS) {
    l = xL + yL;
    const c = Math.floor(l * INV32);
    l -= c * P32;
    h = xH + yH + c;
    // n = 1 on a carry out of bit 63: shift right by one, keeping the bit that leaves x as
    // sticky (h >>> n drops bit 32 of h, which comes back as the integer bit).
    const n = Math.floor(h * INV32);
    x = (yX >>> n) | ((l << 31) & -n) | (yX & n);
    l = (l >>> n) | ((h << 31) & -n);
    h = (h >>> n) | (0x80000000 & -n);
    e += n;
  } else {
    // x − y with borrows (x ≥ y, so no borrow out of h).
    x = -yX;
    let br = -Math.floor(x * INV32);
    x += br * P32;
    l = xL - yL - br;
    br = -Math.floor(l * INV32);
    l += br * P32;
    h = xH - yH - br;
    if ((h | l | x) === 0) {
      // Exact cancellation: +0, or −0 when rounding down.
      setResult(((cw >> 10) & 3) === 1 ? 0x8000 : 0, 0, 0);
      return;
    }
    if (h < 0x80000000) {
      // Cancellation: normalise. Several leading bits cancel only when d ≤ 1, and then the
      // difference is exact; otherwise one shift moves the sticky bit to bit 1, still below
      // every rounding position. A high word that is still non-zero is the usual case.
      if (h !== 0) {
        const z = Math.clz32(h);
        h = (h << z) | (l >>> (32 - z));
        l = (l << z) | (x >>> (32 - z));
        x <<= z;
        e -= z;
      } else {
        wE = e; W[WH] = h; W[WL] = l; W[WX] = x;
        normalize96();
        e = wE; h = W[WH]; l = W[WL]; x = W[WX];
      }
    }
  }
  roundTo(xS, e, h | 0, l | 0, x | 0, prec, cw, EXT_MIN, EXT_MAX);
}

// ---- multiply -------------------------------------------------------------------------------

/** The full 128-bit product of two 64-bit values as four words, low first, in PROD. */
const PROD = new Uint32Array(4);

/**
 * PROD = xH:xL · yH:yL from four 32×32-bit products. For each, Math.imul gives the low word
 * exactly and the double product is within 2^10 of the exact value (below 2^64, its ulp is at
 * most 2^11), so (product − low word)/2^32, off by at most 2^-21, rounds to the exact high
 * word. The column sums stay below 2^35 and are exact.
 */
function mulFull(xH: number, xL: number, yH: number, yL: number): void {
  xH >>>= 0; xL >>>= 0; yH >>>= 0; yL >>>= 0;
  const ll = Math.imul(xL, yL) >>> 0, llH = Math.floor((xL * yL - ll) * INV32 + 0.5);
  const lh = Math.imul(xL, yH) >>> 0, lhH = Math.floor((xL * yH - lh) * INV32 + 0.5);
  const hl = Math.imul(xH, yL) >>> 0, hlH = Math.floor((xH * yL - hl) * INV32 + 0.5);
  const hh = Math.imul(xH, yH) >>> 0, hhH = Math.floor((xH * yH - hh) * INV32 + 0.5);
  let t = llH + lh + hl;
  const w1 = t >>> 0; // (>>> takes the sum modulo 2^32)
  t = lhH + hlH + hh + (t - w1) * INV32;
  const w2 = t >>> 0;
  PROD[0] = ll;
  PROD[1] = w1;
  PROD[2] = w2;
  PROD[3] = hhH + (t - w2) * INV32;
}

export function mul(as: number, ah: number, al: number, bs: number, bh: number, bl: number, cw: number, prec: number): void {
  const s = ((as ^ bs) >>> 15) & 1;
  if (isNormal(as, ah) && isNormal(bs, bh)) {
    if (F.den !== 0) F.exc |= DE;
    mulSig(s, (as & 0x7fff) + (bs & 0x7fff) - BIAS, ah | 0, al | 0, bh | 0, bl | 0, cw, prec);
    return;
  }
  ah >>>= 0; al >>>= 0; bh >>>= 0; bl >>>= 0;
  const ac = classify(as, ah, al), bc = classify(bs, bh, bl);
  if (ac === C_UNSUPPORTED || bc === C_UNSUPPORTED) { setIndefinite(); return; }
  if (ac >= C_QNAN || bc >= C_QNAN) { propagateNaN2(ac, as, ah, al, bc, bs, bh, bl); return; }
  if (ac === C_INF || bc === C_INF) {
    if (ac === C_ZERO || bc === C_ZERO) { setIndefinite(); return; }
    if (ac === C_DENORMAL || bc === C_DENORMAL || F.den) F.exc |= DE;
    setResult((s << 15) | 0x7fff, 0x80000000, 0);
    return;
  }
  if (ac === C_DENORMAL || bc === C_DENORMAL || F.den) F.exc |= DE;
  if (ac === C_ZERO || bc === C_ZERO) { setResult(s << 15, 0, 0); return; }
  unpack(as, ah, al);
  const xE = uE, xH = W[UH] | 0, xL = W[UL] | 0;
  unpack(bs, bh, bl);
  mulSig(s, xE + uE - BIAS, xH, xL, W[UH] | 0, W[UL] | 0, cw, prec);
}

/**
 * Rounds (−1)^s·X·Y·2^(e − BIAS) into F for normalised significands X and Y (value in [1, 2)
 * each, so e is the biased exponent of a product below 2).
 */
function mulSig(s: number, e: number, xH: number, xL: number, yH: number, yL: number, cw: number, prec: number): void {
  // mulFull() on locals (the words never go through PROD).
  xH >>>= 0; xL >>>= 0; yH >>>= 0; yL >>>= 0;
  const ll = Math.imul(xL, yL) >>> 0, llH = Math.floor((xL * yL - ll) * INV32 + 0.5);
  const lh = Math.imul(xL, yH) >>> 0, lhH = Math.floor((xL * yH - lh) * INV32 + 0.5);
  const hl = Math.imul(xH, yL) >>> 0, hlH = Math.floor((xH * yL - hl) * INV32 + 0.5);
  const hh = Math.imul(xH, yH) >>> 0, hhH = Math.floor((xH * yH - hh) * INV32 + 0.5);
  let t = llH + lh + hl;
  const w1 = t >>> 0;
  t = lhH + hlH + hh + (t - w1) * INV32;
  const w2 = t >>> 0;
  const w3 = hhH + (t - w2) * INV32;
  const sticky = ll !== 0 ? 1 : 0;
  // The product is in [1, 2) (n = 1: shift left by one) or in [2, 4) (n = 0); no branch, the
  // two are about equally likely.
  const n = 1 - (w3 >>> 31);
  roundTo(s, e + 1 - n, (w3 << n) | ((w2 >>> 31) & n), (w2 << n) | ((w1 >>> 31) & n), (w1 << n) | sticky, prec, cw, EXT_MIN, EXT_MAX);
}

// ---- divide ----------------------------------------------------------------------------------

export function div(as: number, ah: number, al: number, bs: number, bh: number, bl: number, cw: number, prec: number): void {
  const s = ((as ^ bs) >>> 15) & 1;
  if (isNormal(as, ah) && isNormal(bs, bh)) {
    if (F.den !== 0) F.exc |= DE;
    divSig(s, (as & 0x7fff) - (bs & 0x7fff) + BIAS, ah | 0, al | 0, bh | 0, bl | 0, cw, prec);
    return;
  }
  ah >>>= 0; al >>>= 0; bh >>>= 0; bl >>>= 0;
  const ac = classify(as, ah, al), bc = classify(bs, bh, bl);
  if (ac === C_UNSUPPORTED || bc === C_UNSUPPORTED) { setIndefinite(); return; }
  if (ac >= C_QNAN || bc >= C_QNAN) { propagateNaN2(ac, as, ah, al, bc, bs, bh, bl); return; }
  if (ac === C_INF) {
    if (bc === C_INF) { setIndefinite(); return; }
    if (bc === C_DENORMAL || F.den) F.exc |= DE;
    setResult((s << 15) | 0x7fff, 0x80000000, 0);
    return;
  }
  if (bc === C_INF) {
    if (ac === C_DENORMAL || F.den) F.exc |= DE;
    setResult(s << 15, 0, 0);
    return;
  }
  if (bc === C_ZERO) {
    if (ac === C_ZERO) { setIndefinite(); return; }
    F.exc |= ZE; // (a denormal dividend raises no DE here: ZE takes precedence)
    setResult((s << 15) | 0x7fff, 0x80000000, 0);
    return;
  }
  if (ac === C_DENORMAL || bc === C_DENORMAL || F.den) F.exc |= DE;
  if (ac === C_ZERO) { setResult(s << 15, 0, 0); return; }
  unpack(as, ah, al);
  const xE = uE, xH = W[UH] | 0, xL = W[UL] | 0;
  unpack(bs, bh, bl);
  divSig(s, xE - uE + BIAS, xH, xL, W[UH] | 0, W[UL] | 0, cw, prec);
}

const P16 = 65536, INV16 = 1 / 65536, INV64 = INV32 * INV32;

/**
 * Rounds (−1)^s·(A/B)·2^(e − BIAS) into F for normalised 64-bit significands A and B.
 *
 * With A' = A or 2A so that B ≤ A' < 2B, the 65-bit Q = floor(A'·2^64 / B) holds the 64
 * result bits and one more, and the remainder tells whether anything non-zero lies below. Q
 * is found as two digits, q1 = floor(A'·2^32 / B) (33 bits) and q2 = floor(R1·2^32 / B) (32
 * bits), each estimated in double precision and made exact with the remainder
 * R ← R·2^32 − q·B in base-2^16 limbs (all products are below 2^49, so every step is exact).
 * An estimate suffers four roundings of relative error 2^-53 on a value below 2^33: it is
 * within 2^-18 of the true quotient, so its floor is off by at most one, which the sign and
 * size of the remainder reveal. The second remainder is only needed when the estimate lies
 * that close to an integer.
 */
function divSig(s: number, e: number, aH: number, aL: number, bH: number, bL: number, cw: number, prec: number): void {
  aH >>>= 0; aL >>>= 0; bH >>>= 0; bL >>>= 0;
  // A' = nH·2^32 + nL = A·2^n, n = 1 when A < B (nH then has 33 bits). A − B is only
  // rounded in the double below, never changes sign, and |A − B| < 2^64: the floor of
  // (A − B)·2^-64 is −1 exactly when A < B. No branch: A < B is a coin toss.
  const n = -Math.floor(((aH - bH) * P32 + (aL - bL)) * INV64);
  const nH = aH * (1 + n) + (aL >>> 31) * n, nL = (aL << n) >>> 0;
  e -= n;
  const b0 = bL & 0xffff, b1 = bL >>> 16, b2 = bH & 0xffff, b3 = bH >>> 16;
  const inv = P32 / (bH * P32 + bL);
  // R1 = A'·2^32 − q1·B: limbs r0..r3 of weight 2^0..2^48, and the rest (a small signed
  // number) in top.
  let q1 = Math.floor((nH * P32 + nL) * inv);
  let t = -q1 * b0, c = Math.floor(t * INV16);
  let r0 = t - c * P16;
  t = c - q1 * b1; c = Math.floor(t * INV16);
  let r1 = t - c * P16;
  t = (nL & 0xffff) - q1 * b2 + c; c = Math.floor(t * INV16);
  let r2 = t - c * P16;
  t = (nL >>> 16) - q1 * b3 + c; c = Math.floor(t * INV16);
  let r3 = t - c * P16;
  let top = nH + c;
  // Step q1 until 0 ≤ R1 < B (at most once). R1 can reach 2^64 (top = 1) when q1 is one
  // short and B is close to 2^64.
  if (top !== 0 || limbsAtLeast(r3, r2, r1, r0, bH, bL)) {
    REM[0] = r0; REM[1] = r1; REM[2] = r2; REM[3] = r3; REM[4] = top;
    q1 = settleDigit(q1, b0, b1, b2, b3, bH, bL);
    r0 = REM[0]; r1 = REM[1]; r2 = REM[2]; r3 = REM[3];
  }
  // Second digit. Its estimate is within 2^-19 of R1·2^32/B (< 2^32): when its fraction is
  // at least 2^-18 away from an integer, its floor is exact and the division is inexact.
  // Otherwise R2 = R1·2^32 − q2·B settles both (the limbs of R1·2^32 are r0, r1 at weights
  // 2^32, 2^48 and above).
  const rH = r3 * P16 + r2, rL = r1 * P16 + r0;
  const est = (rH * P32 + rL) * inv;
  let q2 = Math.floor(est), sticky = 1;
  if (est - q2 < 1 / 262144 || est - q2 > 1 - 1 / 262144) {
    t = -q2 * b0; c = Math.floor(t * INV16);
    const u0 = t - c * P16;
    t = c - q2 * b1; c = Math.floor(t * INV16);
    const u1 = t - c * P16;
    t = r0 - q2 * b2 + c; c = Math.floor(t * INV16);
    r2 = t - c * P16;
    t = r1 - q2 * b3 + c; c = Math.floor(t * INV16);
    r3 = t - c * P16;
    r0 = u0;
    r1 = u1;
    top = rH + c;
    if (top !== 0 || limbsAtLeast(r3, r2, r1, r0, bH, bL)) {
      REM[0] = r0; REM[1] = r1; REM[2] = r2; REM[3] = r3; REM[4] = top;
      q2 = settleDigit(q2, b0, b1, b2, b3, bH, bL);
      r0 = REM[0]; r1 = REM[1]; r2 = REM[2]; r3 = REM[3];
    }
    sticky = (r0 + r1 + r2 + r3) !== 0 ? 1 : 0;
  }
  // Q = 2^64 + (q1 − 2^32)·2^32 + q2: the significand is Q >> 1, then comes the last bit of
  // Q and a sticky bit for a non-zero remainder.
  const q1l = q1 - P32;
  const h = 0x80000000 | (q1l >>> 1);
  const l = ((q1l & 1) << 31) | (q2 >>> 1);
  const x = ((q2 & 1) << 31) | sticky;
  roundTo(s, e, h, l, x, prec, cw, EXT_MIN, EXT_MAX);
}

/** A remainder in divSig's base-2^16 limbs r0..r3, with the signed rest above them last. */
const REM = new Float64Array(5);

/**
 * Steps the quotient digit q until the remainder in REM lies in [0, B) (B = bH:bL, limbs
 * b3..b0), adding or subtracting B each step; returns the corrected digit. Only called when a
 * correction is needed, which is rare, so the common case never touches REM.
 */
function settleDigit(q: number, b0: number, b1: number, b2: number, b3: number, bH: number, bL: number): number {
  let r0 = REM[0], r1 = REM[1], r2 = REM[2], r3 = REM[3], top = REM[4], t: number, c: number;
  while (top !== 0 || limbsAtLeast(r3, r2, r1, r0, bH, bL)) {
    const k = top < 0 ? 1 : -1; // R += k·B
    q -= k;
    t = r0 + k * b0; c = Math.floor(t * INV16); r0 = t - c * P16;
    t = r1 + k * b1 + c; c = Math.floor(t * INV16); r1 = t - c * P16;
    t = r2 + k * b2 + c; c = Math.floor(t * INV16); r2 = t - c * P16;
    t = r3 + k * b3 + c; c = Math.floor(t * INV16); r3 = t - c * P16;
    top += c;
  }
  REM[0] = r0; REM[1] = r1; REM[2] = r2; REM[3] = r3; REM[4] = top;
  return q;
}

/** The base-2^16 limbs r3:r2:r1:r0 are at least bH:bL. */
function limbsAtLeast(r3: number, r2: number, r1: number, r0: number, bH: number, bL: number): boolean {
  const rH = r3 * P16 + r2, rL = r1 * P16 + r0;
  return rH > bH || (rH === bH && rL >= bL);
}

// ---- square root ------------------------------------------------------------------------------

/**
 * W[WH]:W[WL] = S = floor(√M) for M = m3:m2:m1:0 (128 bits, top word ≥ 2^30, so S has 64
 * bits); W[WX] encodes the rest for rounding: 0 when exact, else 0x40000000 or 0xC0000000 for a
 * fraction below or above one half (√ of an integer is never exactly S + ½). The estimate comes
 * from Math.sqrt and is corrected with exact 128-bit remainders M − S².
 */
function isqrt128(m3: number, m2: number, m1: number): void {
  let s = Math.floor(Math.sqrt(m3 * 79228162514264337593543950336 + m2 * 18446744073709551616 + m1 * 4294967296));
  if (s > 18446744073709549568) s = 18446744073709549568; // largest double below 2^64
  let sH = Math.floor(s / 4294967296), sL = s - sH * 4294967296;
  let r3 = 0, r2 = 0, r1 = 0, r0 = 0, neg = false;
  for (let iter = 0; iter < 8; iter++) {
    // R = M − S² (as a sign and a 128-bit magnitude)
    mulFull(sH, sL, sH, sL);
    let t = 0 - PROD[0], b = 0;
    if (t < 0) { t += 4294967296; b = 1; }
    r0 = t;
    t = m1 - PROD[1] - b; b = 0;
    if (t < 0) { t += 4294967296; b = 1; }
    r1 = t;
    t = m2 - PROD[2] - b; b = 0;
    if (t < 0) { t += 4294967296; b = 1; }
    r2 = t;
    t = m3 - PROD[3] - b; b = 0;
    if (t < 0) { t += 4294967296; b = 1; }
    r3 = t;
    neg = b !== 0;
    if (neg) {
      // magnitude = 2^128 − R = ~R + 1
      let v = 4294967295 - r0 + 1, c = v >= 4294967296 ? 1 : 0;
      r0 = v - c * 4294967296;
      v = 4294967295 - r1 + c; c = v >= 4294967296 ? 1 : 0;
      r1 = v - c * 4294967296;
      v = 4294967295 - r2 + c; c = v >= 4294967296 ? 1 : 0;
      r2 = v - c * 4294967296;
      r3 = (4294967295 - r3 + c) % 4294967296;
    }
    const rd = ((r3 * 4294967296 + r2) * 4294967296 + r1) * 4294967296 + r0;
    const sd = sH * 4294967296 + sL;
    if (neg) {
      // S too large: step down by ⌈R / 2S⌉ (at least 1)
      const d = Math.max(1, Math.ceil(rd / (2 * sd)));
      sL -= d;
      while (sL < 0) { sL += 4294967296; sH -= 1; }
      continue;
    }
    // R ≤ 2S means S is the floor: compare R with 2S = (sH:sL) << 1
    const tH = sH * 2 + (sL >= 2147483648 ? 1 : 0), tL = (sL * 2) % 4294967296;
    const over = r3 !== 0 || r2 > (tH >= 4294967296 ? 1 : 0) ||
      (r2 === (tH >= 4294967296 ? 1 : 0) && (r1 > tH % 4294967296 || (r1 === tH % 4294967296 && r0 > tL)));
    if (!over) break;
    const d = Math.max(1, Math.floor(rd / (2 * sd + 1)));
    sL += d;
    while (sL >= 4294967296) { sL -= 4294967296; sH += 1; }
  }
  W[WH] = sH;
  W[WL] = sL;
  if ((r3 | r2 | r1 | r0) === 0) W[WX] = 0;
  else {
    // fraction above ½ ⇔ R > S
    const above = r3 !== 0 || r2 !== 0 || r1 > sH || (r1 === sH && r0 > sL);
    W[WX] = above ? 0xc0000000 : 0x40000000;
  }
}

export function sqrt(as: number, ah: number, al: number, cw: number, prec: number): void {
  const ac = classify(as, ah, al);
  if (ac === C_UNSUPPORTED) { setIndefinite(); return; }
  if (ac === C_SNAN) { F.exc |= IE; setQuiet(as, ah, al); return; }
  if (ac === C_QNAN) { setQuiet(as, ah, al); return; }
  if (ac === C_ZERO) { setResult(as, 0, 0); return; }
  if (as & 0x8000) { setIndefinite(); return; }
  if (ac === C_INF) { setResult(as, ah, al); return; }
  if (ac === C_DENORMAL || F.den) F.exc |= DE;
  unpack(as, ah, al);
  const aH = W[UH], aL = W[UL];
  const e = uE - BIAS - 63; // value = A·2^e
  // M = A·2^64 (e even) or A·2^63 (e odd), so that S = floor(√M) has exactly 64 bits and
  // √value = (S + frac)·2^((e − 64)/2 or (e − 63)/2).
  const odd = (e & 1) !== 0;
  const m3 = odd ? aH >>> 1 : aH;
  const m2 = odd ? ((aH << 31) | (aL >>> 1)) >>> 0 : aL;
  const m1 = odd ? (aL << 31) >>> 0 : 0;
  isqrt128(m3, m2, m1);
  wE = BIAS + 63 + (odd ? (e - 63) / 2 : (e - 64) / 2);
  wS = 0;
  roundExt(cw, prec);
}

// ---- compare --------------------------------------------------------------------------------

/** Compare results. */
export const CMP_LT = 0, CMP_EQ = 1, CMP_GT = 2, CMP_UN = 3;

/**
 * Compares a with b. quiet: only SNaN operands raise IE (FUCOM); otherwise any NaN does.
 * Unsupported formats raise IE and compare unordered. Denormal operands raise DE.
 */
export function compare(as: number, ah: number, al: number, bs: number, bh: number, bl: number, quiet: boolean): number {
  ah >>>= 0; al >>>= 0; bh >>>= 0; bl >>>= 0;
  if (isNormal(as, ah) && isNormal(bs, bh)) {
    // Two normals: by sign, then by the magnitude's words (exponent first).
    if (F.den !== 0) F.exc |= DE;
    const sa = (as >>> 15) & 1;
    if (sa !== ((bs >>> 15) & 1)) return sa ? CMP_LT : CMP_GT;
    const ea = as & 0x7fff, eb = bs & 0x7fff;
    if (ea === eb && ah === bh && al === bl) return CMP_EQ;
    const aBigger = ea !== eb ? ea > eb : ah !== bh ? ah > bh : al > bl;
    return aBigger !== (sa === 1) ? CMP_GT : CMP_LT;
  }
  const ac = classify(as, ah, al), bc = classify(bs, bh, bl);
  if (ac === C_UNSUPPORTED || bc === C_UNSUPPORTED) { F.exc |= IE; return CMP_UN; }
  if (ac >= C_QNAN || bc >= C_QNAN) {
    if (!quiet || ac === C_SNAN || bc === C_SNAN) F.exc |= IE;
    return CMP_UN;
  }
  if (ac === C_DENORMAL || bc === C_DENORMAL || F.den) F.exc |= DE;
  return compareFinite(as, ah, al, ac, bs, bh, bl, bc);
}

function compareFinite(as: number, ah: number, al: number, ac: number, bs: number, bh: number, bl: number, bc: number): number {
  if (ac === C_ZERO && bc === C_ZERO) return CMP_EQ;
  const sa = ac === C_ZERO ? 0 : as >>> 15, sb = bc === C_ZERO ? 0 : bs >>> 15;
  if (ac === C_ZERO) return sb ? CMP_GT : CMP_LT;
  if (bc === C_ZERO) return sa ? CMP_LT : CMP_GT;
  if (sa !== sb) return sa ? CMP_LT : CMP_GT;
  // Same sign: compare magnitudes (pseudo-denormals compare by value).
  let ea = as & 0x7fff, eb = bs & 0x7fff;
  if (ea === 0) ea = 1;
  if (eb === 0) eb = 1;
  let m: number;
  if (ea !== eb) m = ea > eb ? 1 : -1;
  else if (ah !== bh) m = (ah >>> 0) > (bh >>> 0) ? 1 : -1;
  else if (al !== bl) m = (al >>> 0) > (bl >>> 0) ? 1 : -1;
  else return CMP_EQ;
  if (sa) m = -m;
  return m > 0 ? CMP_GT : CMP_LT;
}

// ---- conversions from memory formats --------------------------------------------------------

/**
 * float64 (as two dwords) → extended. For FLD (raw false) a denormal source raises DE and an
 * SNaN raises IE and is quieted; for an arithmetic operand (raw true) the SNaN stays signalling
 * and a denormal only sets F.den, so that the operation applies the x87 precedence rules.
 */
export function fromF64(hi: number, lo: number, raw: boolean): void {
  const s = (hi >>> 31) << 15;
  const e = (hi >>> 20) & 0x7ff;
  const fh = hi & 0xfffff;
  lo >>>= 0;
  if (e === 0x7ff) {
    const h = (0x80000000 | (fh << 11) | (lo >>> 21)) >>> 0;
    const l = (lo << 11) >>> 0;
    if (fh === 0 && lo === 0) { setResult(s | 0x7fff, 0x80000000, 0); return; }
    if ((fh & 0x80000) === 0 && !raw) { F.exc |= IE; setQuiet(s | 0x7fff, h, l); return; }
    setResult(s | 0x7fff, h, l);
    return;
  }
  if (e === 0) {
    if (fh === 0 && lo === 0) { setResult(s, 0, 0); return; }
    if (raw) F.den = 1; else F.exc |= DE;
    // Normalise: value = f·2^(-1074).
    let h = fh, l = lo, ex = BIAS - 1022;
    // shift so that bit 52 (integer position) is set
    while ((h & 0x100000) === 0) {
      h = ((h << 1) | (l >>> 31)) & 0x1fffff;
      l = (l << 1) >>> 0;
      ex--;
    }
    setResult(s | ex, ((h << 11) | (l >>> 21)) | 0x80000000, l << 11);
    return;
  }
  setResult(s | (e + BIAS - 1023), 0x80000000 | (fh << 11) | (lo >>> 21), lo << 11);
}

export function fromF32(v: number, raw: boolean): void {
  const s = (v >>> 31) << 15;
  const e = (v >>> 23) & 0xff;
  const f = v & 0x7fffff;
  if (e === 0xff) {
    if (f === 0) { setResult(s | 0x7fff, 0x80000000, 0); return; }
    const h = (0x80000000 | (f << 8)) >>> 0;
    if ((f & 0x400000) === 0 && !raw) { F.exc |= IE; setQuiet(s | 0x7fff, h, 0); return; }
    setResult(s | 0x7fff, h, 0);
    return;
  }
  if (e === 0) {
    if (f === 0) { setResult(s, 0, 0); return; }
    if (raw) F.den = 1; else F.exc |= DE;
    const z = Math.clz32(f) - 8; // f has its top bit at 22 - (z - 1)
    setResult(s | (BIAS - 126 - z), (f << (8 + z)) >>> 0, 0);
    return;
  }
  setResult(s | (e + BIAS - 127), 0x80000000 | (f << 8), 0);
}

/** Signed 64-bit integer (two dwords) → extended (exact). */
export function fromInt64(hi: number, lo: number): void {
  let s = 0;
  hi >>>= 0;
  lo >>>= 0;
  if (hi & 0x80000000) {
    s = 0x8000;
    lo = (~lo + 1) >>> 0;
    hi = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
  }
  if (hi === 0 && lo === 0) { setResult(0, 0, 0); return; }
  let e = BIAS + 63;
  if (hi === 0) { hi = lo; lo = 0; e -= 32; }
  const z = Math.clz32(hi);
  if (z > 0) {
    hi = ((hi << z) | (lo >>> (32 - z))) >>> 0;
    lo = (lo << z) >>> 0;
    e -= z;
  }
  setResult(s | e, hi, lo);
}

export function fromInt32(v: number): void {
  fromInt64(v < 0 ? 0xffffffff : 0, v >>> 0);
}

// ---- conversions to memory formats ----------------------------------------------------------

/**
 * Rounds a register value for a store to float64 (prec 53) or float32 (prec 24) under rc;
 * leaves the memory image in F.i1:F.i0 (float32 in F.i0). Exceptions as FST: IE for SNaN
 * (quieted) and unsupported formats (indefinite), DE not raised, OE/UE/PE as rounding says.
 */
export function toFloat(se: number, hi: number, lo: number, dbl: boolean, cw: number): void {
  const s = (se >>> 15) & 1;
  if (isNormal(se, hi)) {
    if (dbl) roundTo(s, se & 0x7fff, hi | 0, lo | 0, 0, 53, cw, DBL_MIN, DBL_MAX);
    else roundTo(s, se & 0x7fff, hi | 0, lo | 0, 0, 24, cw, SGL_MIN, SGL_MAX);
    packFloat(s, F.se & 0x7fff, F.hi | 0, F.lo | 0, dbl);
    return;
  }
  const c = classify(se, hi, lo);
  F.up = 0;
  if (c === C_ZERO) { packFloat(s, 0, 0, 0, dbl); return; }
  if (c === C_INF) { packFloat(s, 0x7fff, 0x80000000, 0, dbl); return; }
  if (c === C_UNSUPPORTED) { F.exc |= IE; packFloat(1, 0x7fff, INDEF_HI, 0, dbl); return; }
  if (c === C_QNAN || c === C_SNAN) {
    if (c === C_SNAN) F.exc |= IE;
    packFloat(s, 0x7fff, (hi | 0x40000000) >>> 0, lo, dbl);
    return;
  }
  unpack(se, hi, lo);
  wS = uS; wE = uE; W[WH] = W[UH]; W[WL] = W[UL]; W[WX] = 0;
  const rc = (cw >> 10) & 3;
  if (dbl) roundPack(53, DBL_MIN, DBL_MAX, rc, (cw & UE) === 0, (cw & OE) === 0);
  else roundPack(24, SGL_MIN, SGL_MAX, rc, (cw & UE) === 0, (cw & OE) === 0);
  packFloat(F.se >>> 15, F.se & 0x7fff, F.hi, F.lo, dbl);
}

/** Packs an extended-layout value already rounded for the format into F.i1:F.i0. */
function packFloat(s: number, e: number, hi: number, lo: number, dbl: boolean): void {
  hi >>>= 0;
  lo >>>= 0;
  if (dbl) {
    let ef: number;
    if (e === 0x7fff) ef = 0x7ff;
    else if ((hi & 0x80000000) === 0) ef = 0; // zero or denormal
    else ef = e - BIAS + 1023;
    F.i1 = ((s << 31) | (ef << 20) | ((hi >>> 11) & 0xfffff)) | 0;
    F.i0 = ((hi << 21) | (lo >>> 11)) | 0;
  } else {
    let ef: number;
    if (e === 0x7fff) ef = 0xff;
    else if ((hi & 0x80000000) === 0) ef = 0;
    else ef = e - BIAS + 127;
    F.i0 = ((s << 31) | (ef << 23) | ((hi >>> 8) & 0x7fffff)) | 0;
    F.i1 = 0;
  }
}

/**
 * Converts to a signed integer of `bits` (16, 32, 64) rounding with rc (3 = truncate, for
 * FISTTP). Result in F.i1:F.i0; out of range, NaN and infinity raise IE and give the integer
 * indefinite (the most negative value). F.up is set when the magnitude was rounded up.
 */
export function toInt(se: number, hi: number, lo: number, bits: number, rc: number): void {
  const c = classify(se, hi, lo);
  F.up = 0;
  if (c === C_ZERO) { F.i1 = 0; F.i0 = 0; return; }
  if (c === C_INF || c === C_QNAN || c === C_SNAN || c === C_UNSUPPORTED) { intIndefinite(bits); return; }
  unpack(se, hi, lo);
  const s = uS;
  // Integer part: significand shifted right by 63 - (uE - BIAS).
  const sh = 63 - (uE - BIAS);
  if (sh < 0) { intIndefinite(bits); return; } // ≥ 2^64
  wS = s; W[WH] = W[UH]; W[WL] = W[UL]; W[WX] = 0;
  shr96(sh);
  // W[WH]:W[WL] is the integer part, W[WX] the fraction (with sticky).
  const half = W[WX] >>> 31, rest = (W[WX] & 0x7fffffff) !== 0;
  const inexact = half !== 0 || rest;
  if (inexact) {
    F.exc |= PE;
    let inc: boolean;
    switch (rc) {
      case 0: inc = half !== 0 && (rest || (W[WL] & 1) !== 0); break;
      case 1: inc = s !== 0; break;
      case 2: inc = s === 0; break;
      default: inc = false;
    }
    if (inc) {
      F.up = 1;
      const l = W[WL] + 1;
      if (l > 0xffffffff) {
        const h = W[WH] + 1;
        if (h > 0xffffffff) { intIndefinite(bits); return; }
        W[WL] = 0;
        W[WH] = h;
      } else {
        W[WL] = l;
      }
    }
  }
  // Range check on the magnitude.
  let ok: boolean;
  if (bits === 64) ok = W[WH] < 0x80000000 || (s === 1 && W[WH] === 0x80000000 && W[WL] === 0);
  else if (bits === 32) ok = W[WH] === 0 && (W[WL] < 0x80000000 || (s === 1 && W[WL] === 0x80000000));
  else ok = W[WH] === 0 && (W[WL] < 0x8000 || (s === 1 && W[WL] === 0x8000));
  if (!ok) { F.exc &= ~PE; F.up = 0; intIndefinite(bits); return; }
  let h = W[WH] >>> 0, l = W[WL] >>> 0;
  if (s) {
    l = (~l + 1) >>> 0;
    h = (~h + (l === 0 ? 1 : 0)) >>> 0;
  }
  F.i1 = h | 0;
  F.i0 = bits === 16 ? l & 0xffff : l | 0;
}

function intIndefinite(bits: number): void {
  F.exc |= IE;
  F.up = 0;
  if (bits === 64) { F.i1 = 0x80000000 | 0; F.i0 = 0; }
  else if (bits === 32) { F.i1 = 0; F.i0 = 0x80000000 | 0; }
  else { F.i1 = 0; F.i0 = 0x8000; }
}

/** FRNDINT: rounds to an integer with rc. */
export function roundInt(se: number, hi: number, lo: number, rc: number): void {
  const c = classify(se, hi, lo);
  F.up = 0;
  if (c === C_UNSUPPORTED) { setIndefinite(); return; }
  if (c === C_SNAN) { F.exc |= IE; setQuiet(se, hi, lo); return; }
  if (c === C_QNAN || c === C_ZERO || c === C_INF) { setResult(se, hi, lo); return; }
  if (c === C_DENORMAL) F.exc |= DE;
  unpack(se, hi, lo);
  const ue = uE - BIAS;
  if (ue >= 63) { setResult(se, hi, lo); return; }
  wS = uS; W[WH] = W[UH]; W[WL] = W[UL]; W[WX] = 0;
  const sh = 63 - ue;
  shr96(sh);
  const half = W[WX] >>> 31, rest = (W[WX] & 0x7fffffff) !== 0;
  if (half === 0 && !rest) { setResult(se, hi, lo); return; }
  F.exc |= PE;
  let inc: boolean;
  switch (rc) {
    case 0: inc = half !== 0 && (rest || (W[WL] & 1) !== 0); break;
    case 1: inc = wS !== 0; break;
    case 2: inc = wS === 0; break;
    default: inc = false;
  }
  W[WX] = 0;
  if (inc) {
    // (the integer part is below 2^63 here, so this cannot carry out of 64 bits)
    F.up = 1;
    const l = W[WL] + 1;
    if (l > 0xffffffff) { W[WL] = 0; W[WH] = W[WH] + 1; } else W[WL] = l;
  }
  if (W[WH] === 0 && W[WL] === 0) { setResult(wS << 15, 0, 0); return; }
  wE = BIAS + 63;
  normalize96();
  setResult((wS << 15) | wE, W[WH], W[WL]);
}

// ---- BigInt hand-off (FBLD/FBSTP, the transcendentals) --------------------------------------

function big64(h: number, l: number): bigint {
  return (BigInt(h) << 32n) | BigInt(l);
}

/** Loads q (≥ 1) with a sticky flag into the working significand; value = q·2^c (c unbiased). */
function loadBig(q: bigint, sticky: boolean, c: number): void {
  let t = 0;
  let v = q;
  while (v >= 0x100000000n) { v >>= 32n; t += 32; }
  t += 31 - Math.clz32(Number(v));
  // t is the index of the top bit.
  let frame: bigint;
  if (t > 95) {
    const drop = BigInt(t - 95);
    if ((q & ((1n << drop) - 1n)) !== 0n) sticky = true;
    frame = q >> drop;
  } else {
    frame = q << BigInt(95 - t);
  }
  W[WH] = Number(frame >> 64n) >>> 0;
  W[WL] = Number((frame >> 32n) & 0xffffffffn) >>> 0;
  W[WX] = (Number(frame & 0xffffffffn) | (sticky ? 1 : 0)) >>> 0;
  wE = BIAS + t + c;
}

// ---- other operations -----------------------------------------------------------------------

/** Value of an extended triple as a JavaScript number (nearest; for display only). */
export function toNumber(se: number, hi: number, lo: number): number {
  const c = classify(se, hi, lo);
  const sgn = se & 0x8000 ? -1 : 1;
  if (c === C_ZERO) return sgn * 0;
  if (c === C_INF) return sgn * Infinity;
  if (c === C_QNAN || c === C_SNAN || c === C_UNSUPPORTED) return NaN;
  let e = se & 0x7fff;
  if (e === 0) e = 1;
  return sgn * ((hi >>> 0) * 2 ** 32 + (lo >>> 0)) * 2 ** (e - BIAS - 63);
}

/** Unpacks a finite non-zero value for callers that need the normalised form. */
export function unpackTo(se: number, hi: number, lo: number, out: { s: number; e: number; h: number; l: number }): void {
  unpack(se, hi, lo);
  out.s = uS;
  out.e = uE;
  out.h = W[UH];
  out.l = W[UL];
}

/**
 * Rounds an exact value given as a BigInt significand (q ≥ 1, sticky when there are more
 * non-zero bits below) times 2^c, with sign s, into F under rc with `prec` bits (extended range).
 */
export function roundBig(s: number, q: bigint, sticky: boolean, c: number, rc: number, prec: number, trapUnder: boolean, trapOver: boolean): void {
  loadBig(q, sticky, c);
  wS = s;
  roundPack(prec, EXT_MIN, EXT_MAX, rc, trapUnder, trapOver);
}

/** Significand of an extended triple as a BigInt (no normalisation). */
export function sigBig(hi: number, lo: number): bigint {
  return big64(hi >>> 0, lo >>> 0);
}

/** Rounds the working value set with setWork() into F (extended range), for fpu.ts's FSCALE. */
export function setWork(s: number, e: number, hi: number, lo: number): void {
  wS = s; wE = e; W[WH] = hi >>> 0; W[WL] = lo >>> 0; W[WX] = 0;
}

export function roundWork(cw: number, prec: number): void {
  roundExt(cw, prec);
}
