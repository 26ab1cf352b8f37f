// FPREM and FPREM1: the x87 partial remainder, exact, by long division of the significands in
// 16-bit quotient digits on double-precision limbs (no BigInt, nothing allocated).
//
// With a = A·2^ea and b = B·2^eb (64-bit significands) and d = ea − eb, the CPU reduces in one
// instruction when d < 64: the remainder of A·2^d by B, with the low three quotient bits in
// C0 C3 C1. Otherwise it makes a partial reduction by n = 32 + ((d − 64) mod 32) bits, sets C2
// and leaves the rest for the next FPREM (the hardware's choice of n, measured on the host).
import {
  BIAS, C_DENORMAL, C_INF, C_UNSUPPORTED, C_ZERO, classify, DE, F, isNaNClass, PE, propagateNaN2,
  roundWork, setIndefinite, setResult, setWork, unpackTo,
} from './float80.js';

/** fprem()'s result for an incomplete reduction (C2 = 1). */
export const PREM_PARTIAL = 8;

const U = { s: 0, e: 0, h: 0, l: 0 };
const P16 = 65536, INV16 = 1 / 65536, P32 = 4294967296;

// The running remainder R < B in base-2^16 limbs (low first) and the low bits of the quotient.
let r0 = 0, r1 = 0, r2 = 0, r3 = 0, q3 = 0;
// The divisor B in the same limbs, its words, and 1/B.
let b0 = 0, b1 = 0, b2 = 0, b3 = 0, bH = 0, bL = 0, bInv = 0;

/** R ≥ B, the limbs compared as two 32-bit words. */
function remAtLeastB(): boolean {
  const rH = r3 * P16 + r2, rL = r1 * P16 + r0;
  return rH > bH || (rH === bH && rL >= bL);
}

/**
 * One digit: R ← (R·2^c) mod B and Q ← Q·2^c + floor(R·2^c / B), for 1 ≤ c ≤ 16. The digit is
 * estimated in double precision (within 2^-35 of the true quotient, which is below 2^16, so
 * at most one off) and settled on the exact limbs: every product is below 2^33.
 */
function digit(c: number): void {
  const m = 2 ** c;
  let q = Math.floor(((r3 * P16 + r2) * P32 + (r1 * P16 + r0)) * m * bInv);
  let t = r0 * m - q * b0, cy = Math.floor(t * INV16);
  r0 = t - cy * P16;
  t = r1 * m - q * b1 + cy; cy = Math.floor(t * INV16);
  r1 = t - cy * P16;
  t = r2 * m - q * b2 + cy; cy = Math.floor(t * INV16);
  r2 = t - cy * P16;
  t = r3 * m - q * b3 + cy; cy = Math.floor(t * INV16);
  r3 = t - cy * P16;
  // R is now top·2^64 + limbs; bring it into [0, B) one B at a time.
  let top = cy;
  while (top !== 0 || remAtLeastB()) {
    const k = top < 0 ? 1 : -1; // R += k·B
    q -= k;
    t = r0 + k * b0; cy = Math.floor(t * INV16); r0 = t - cy * P16;
    t = r1 + k * b1 + cy; cy = Math.floor(t * INV16); r1 = t - cy * P16;
    t = r2 + k * b2 + cy; cy = Math.floor(t * INV16); r2 = t - cy * P16;
    t = r3 + k * b3 + cy; cy = Math.floor(t * INV16); r3 = t - cy * P16;
    top += cy;
  }
  q3 = (q3 * m + q) & 7;
}

/** R = (A·2^k) mod B and q3 = floor(A·2^k / B) mod 8, for A and B normalised, 0 ≤ k ≤ 63. */
function remainder(aH: number, aL: number, k: number): void {
  r0 = aL & 0xffff; r1 = aL >>> 16; r2 = aH & 0xffff; r3 = aH >>> 16;
  q3 = 0;
  // A < 2B: the first quotient bit.
  if (remAtLeastB()) {
    let t = r0 - b0, cy = Math.floor(t * INV16); r0 = t - cy * P16;
    t = r1 - b1 + cy; cy = Math.floor(t * INV16); r1 = t - cy * P16;
    t = r2 - b2 + cy; cy = Math.floor(t * INV16); r2 = t - cy * P16;
    t = r3 - b3 + cy; cy = Math.floor(t * INV16); r3 = t - cy * P16;
    q3 = 1;
  }
  if (k & 15) digit(k & 15);
  for (let n = k >> 4; n > 0; n--) digit(16);
}

function loadDivisor(h: number, l: number): void {
  bH = h >>> 0; bL = l >>> 0;
  b0 = bL & 0xffff; b1 = bL >>> 16; b2 = bH & 0xffff; b3 = bH >>> 16;
  bInv = 1 / (bH * P32 + bL);
}

/**
 * Rounds sign·H:L·2^(e − BIAS − 63) (exact, H:L ≠ 0 and not necessarily normalised) into F.
 * A remainder is exact, so only a denormal result can be inexact, and PE is not reported.
 */
function finish(sign: number, h: number, l: number, e: number, cw: number): void {
  h >>>= 0; l >>>= 0;
  if (h === 0) { h = l; l = 0; e -= 32; }
  const z = Math.clz32(h);
  if (z > 0) { h = ((h << z) | (l >>> (32 - z))) >>> 0; l = (l << z) >>> 0; e -= z; }
  const exc = F.exc;
  setWork(sign, e, h, l);
  roundWork(cw, 64);
  F.exc = exc | (F.exc & ~PE);
}

/** The remainder limbs as the words H:L, normalised and rounded into F (or a zero). */
function finishLimbs(sign: number, zeroSign: number, e: number, cw: number): void {
  const h = r3 * P16 + r2, l = r1 * P16 + r0;
  if (h === 0 && l === 0) { setResult(zeroSign << 15, 0, 0); return; }
  finish(sign, h, l, e, cw);
}

/**
 * Partial remainder of a = ST(0) by b = ST(1) (FPREM1 when ieee: the quotient rounded to
 * nearest). Result in F; returns the low three quotient bits (0..7), PREM_PARTIAL when the
 * reduction is incomplete (C2 = 1), or -1 for a NaN or invalid result.
 */
export function fprem(as: number, ah: number, al: number, bs: number, bh: number, bl: number, ieee: boolean, cw: number): number {
  const ac = classify(as, ah, al), bc = classify(bs, bh, bl);
  if (ac === C_UNSUPPORTED || bc === C_UNSUPPORTED) { setIndefinite(); return -1; }
  if (isNaNClass(ac) || isNaNClass(bc)) { propagateNaN2(ac, as, ah, al, bc, bs, bh, bl); return -1; }
  if (ac === C_INF || bc === C_ZERO) { setIndefinite(); return -1; }
  if (ac === C_DENORMAL || bc === C_DENORMAL) {
    F.exc |= DE;
    if ((cw & DE) === 0) return -1; // unmasked: not performed
  }
  if (ac === C_ZERO) { setResult(as, ah, al); return 0; }
  unpackTo(as, ah, al, U);
  const sa = U.s, ea = U.e, aH = U.h, aL = U.l;
  if (bc === C_INF) {
    // ST(0) unchanged in value (a pseudo-denormal comes back normalised). The host raises no
    // underflow here even when #U is unmasked and ST(0) is denormal: the result is exact.
    finish(sa, aH, aL, ea, cw | 0x10);
    return 0;
  }
  unpackTo(bs, bh, bl, U);
  const eb = U.e;
  loadDivisor(U.h, U.l);
  const d = ea - eb;
  if (d >= 64) {
    const n = 32 + ((d - 64) & 31);
    remainder(aH, aL, n);
    finishLimbs(sa, sa, ea - n, cw);
    return PREM_PARTIAL;
  }
  if (d < (ieee ? -1 : 0)) {
    // |a| < |b| (or < |b|/2): the remainder is a itself.
    finish(sa, aH, aL, ea, cw);
    return 0;
  }
  if (d === -1) {
    // FPREM1 with |b|/2 ≤ |a| < |b|: the quotient rounds to 1 when A > B (a tie, A = B, goes
    // to the even 0), leaving a − b = −(2B − A)·2^(eb−1), and 2B − A = B − (A − B) < B.
    const aU = aH >>> 0, aLU = aL >>> 0;
    if (aU > bH || (aU === bH && aLU > bL)) {
      let l = aLU - bL, h = aU - bH;
      if (l < 0) { l += P32; h -= 1; }
      let l2 = bL - l, h2 = bH - h;
      if (l2 < 0) { l2 += P32; h2 -= 1; }
      finish(sa ^ 1, h2, l2, eb - 1, cw);
      return 1;
    }
    finish(sa, aH, aL, ea, cw);
    return 0;
  }
  remainder(aH, aL, d);
  let sign = sa;
  if (ieee) {
    // Round the quotient to nearest: when 2R > B, or 2R = B with Q odd, Q + 1 and B − R.
    const rH = r3 * P16 + r2, rL = r1 * P16 + r0;
    const tH = rH * 2 + Math.floor(rL / 2147483648), tL = (rL * 2) % P32;
    if (tH > bH || (tH === bH && (tL > bL || (tL === bL && (q3 & 1) === 1)))) {
      q3 = (q3 + 1) & 7;
      let l = bL - rL, h = bH - rH;
      if (l < 0) { l += P32; h -= 1; }
      r0 = l & 0xffff; r1 = l >>> 16; r2 = h & 0xffff; r3 = h >>> 16;
      sign ^= 1;
    }
  }
  finishLimbs(sign, sa, eb, cw);
  return q3;
}
