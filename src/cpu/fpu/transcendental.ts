// The x87's non-basic operations: FSCALE, FPREM/FPREM1 (exact), and the transcendentals
// (FSIN, FCOS, FSINCOS, FPTAN, FPATAN, F2XM1, FYL2X, FYL2XP1), computed in BigInt fixed point
// with far more bits than the result needs and rounded once into the extended format.
import {
  BIAS, C_DENORMAL, C_INF, C_QNAN, C_SNAN, C_UNSUPPORTED, C_ZERO, classify, DE, F, IE,
  INDEF_HI, INDEF_LO, INDEF_SE, roundBig, roundWork, setWork, unpackTo, ZE, PE,
} from './float80.js';

/** Second result (FSINCOS, FPTAN) and the C1 "rounded up" bits of both. */
export const R = { se1: 0, hi1: 0, lo1: 0, up1: 0, se2: 0, hi2: 0, lo2: 0, up2: 0 };
export const TRIG_OK = 0, TRIG_OUT_OF_RANGE = 1;
export const PREM_PARTIAL = 8;

const U = { s: 0, e: 0, h: 0, l: 0 };

function setF(se: number, hi: number, lo: number): void {
  F.se = se;
  F.hi = hi >>> 0;
  F.lo = lo >>> 0;
}

function indefinite(): void {
  F.exc |= IE;
  setF(INDEF_SE, INDEF_HI, INDEF_LO);
}

/** NaN propagation for two operands (x87 rules); returns false when neither is a NaN. */
function nan2(ac: number, as: number, ah: number, al: number, bc: number, bs: number, bh: number, bl: number): boolean {
  const aN = ac === C_QNAN || ac === C_SNAN, bN = bc === C_QNAN || bc === C_SNAN;
  if (!aN && !bN) return false;
  if (ac === C_SNAN || bc === C_SNAN) F.exc |= IE;
  let pickA: boolean;
  if (aN && bN) {
    if (ac === C_SNAN && bc === C_QNAN) pickA = false;
    else if (bc === C_SNAN && ac === C_QNAN) pickA = true;
    else {
      const ahq = (ah | 0x40000000) >>> 0, bhq = (bh | 0x40000000) >>> 0;
      if (ahq !== bhq) pickA = ahq > bhq;
      else if (al !== bl) pickA = (al >>> 0) > (bl >>> 0);
      else pickA = as <= bs;
    }
  } else {
    pickA = aN;
  }
  if (pickA) setF(as, (ah | 0x40000000) >>> 0, al);
  else setF(bs, (bh | 0x40000000) >>> 0, bl);
  return true;
}

// ---- FSCALE -----------------------------------------------------------------------------------

/** ST(0) · 2^trunc(ST(1)); a = ST(0), b = ST(1). Result in F. */
export function fscale(as: number, ah: number, al: number, bs: number, bh: number, bl: number, cw: number): void {
  const ac = classify(as, ah, al), bc = classify(bs, bh, bl);
  if (ac === C_UNSUPPORTED || bc === C_UNSUPPORTED) { indefinite(); return; }
  if (nan2(ac, as, ah, al, bc, bs, bh, bl)) return;
  if (ac === C_DENORMAL || bc === C_DENORMAL) F.exc |= DE;
  const bneg = (bs & 0x8000) !== 0;
  if (bc === C_INF) {
    if (bneg) {
      if (ac === C_INF) { indefinite(); return; }
      setF(as & 0x8000, 0, 0);
      return;
    }
    if (ac === C_ZERO) { indefinite(); return; }
    setF(as | 0x7fff, 0x80000000, 0);
    return;
  }
  if (ac === C_ZERO || ac === C_INF) { setF(as, ah, al); return; }
  // n = trunc(ST(1)), clamped far beyond any exponent that matters.
  let n = 0;
  if (bc !== C_ZERO) {
    unpackTo(bs, bh, bl, U);
    const ue = U.e - BIAS;
    if (ue >= 20) n = 1 << 20;
    else if (ue >= 0) n = Math.floor((U.h >>> 0) / 2 ** (31 - ue));
    if (bneg) n = -n;
  }
  unpackTo(as, ah, al, U);
  setWork(U.s, U.e + n, U.h, U.l);
  roundWork(cw, 64);
}

// ---- FPREM / FPREM1 ---------------------------------------------------------------------------

/**
 * Partial remainder of a = ST(0) by b = ST(1). Result in F; returns the low three quotient
 * bits (0..7), PREM_PARTIAL when the reduction is incomplete (C2 = 1), or -1 for a NaN or
 * invalid result.
 */
export function fprem(as: number, ah: number, al: number, bs: number, bh: number, bl: number, ieee: boolean, cw: number): number {
  const ac = classify(as, ah, al), bc = classify(bs, bh, bl);
  if (ac === C_UNSUPPORTED || bc === C_UNSUPPORTED) { indefinite(); return -1; }
  if (nan2(ac, as, ah, al, bc, bs, bh, bl)) return -1;
  if (ac === C_INF || bc === C_ZERO) { indefinite(); return -1; }
  if (ac === C_DENORMAL || bc === C_DENORMAL) {
    F.exc |= DE;
    if ((cw & DE) === 0) return -1; // unmasked: not performed
  }
  if (ac === C_ZERO) { setF(as, ah, al); return 0; }
  unpackTo(as, ah, al, U);
  if (bc === C_INF) {
    // ST(0) unchanged in value (a pseudo-denormal comes back normalised).
    finishRem(U.s, (BigInt(U.h) << 32n) | BigInt(U.l), U.e, cw);
    return 0;
  }
  const sa = U.s, ea = U.e, A = (BigInt(U.h) << 32n) | BigInt(U.l);
  unpackTo(bs, bh, bl, U);
  const eb = U.e, B = (BigInt(U.h) << 32n) | BigInt(U.l);
  const d = ea - eb;
  if (d >= 64) {
    const n = 32 + ((d - 64) & 31);
    const num = A << BigInt(n);
    const q = num / B;
    const r = num - q * B;
    finishRem(sa, r, ea - n, cw);
    return PREM_PARTIAL;
  }
  if (d < (ieee ? -1 : 0)) {
    // |a| < |b| (or < |b|/2): the remainder is a itself.
    unpackTo(as, ah, al, U);
    finishRem(sa, A, ea, cw);
    return 0;
  }
  const s = d < 0 ? d : 0;
  const num = A << BigInt(d - s), den = B << BigInt(-s);
  let q = num / den;
  let r = num - q * den;
  let sign = sa;
  if (ieee) {
    const twice = r << 1n;
    if (twice > den || (twice === den && (q & 1n) === 1n)) {
      q += 1n;
      r = den - r;
      sign ^= 1;
    }
  }
  if (r === 0n) sign = sa;
  finishRem(sign, r, eb + s, cw);
  return Number(q & 7n);
}

/** Stores r·2^(e - BIAS - 63) (exact) with the given sign. */
function finishRem(sign: number, r: bigint, e: number, cw: number): void {
  if (r === 0n) { setF(sign << 15, 0, 0); return; }
  const exc = F.exc;
  roundBig(sign, r, false, e - BIAS - 63, (cw >> 10) & 3, 64, (cw & 0x10) === 0, (cw & 0x08) === 0);
  F.exc = exc | (F.exc & ~PE);
}

// ---- transcendentals (filled in below) ---------------------------------------------------------

export function f2xm1(as: number, ah: number, al: number, cw: number): void {
  void cw;
  const ac = classify(as, ah, al);
  if (ac === C_SNAN || ac === C_QNAN) { nan2(ac, as, ah, al, C_ZERO, 0, 0, 0); return; }
  indefinite();
}

export function fyl2x(as: number, ah: number, al: number, bs: number, bh: number, bl: number, cw: number): void {
  void cw; void as; void ah; void al; void bs; void bh; void bl;
  indefinite();
}

export function fyl2xp1(as: number, ah: number, al: number, bs: number, bh: number, bl: number, cw: number): void {
  void cw; void as; void ah; void al; void bs; void bh; void bl;
  indefinite();
}

export function fpatan(as: number, ah: number, al: number, bs: number, bh: number, bl: number, cw: number): void {
  void cw; void as; void ah; void al; void bs; void bh; void bl;
  indefinite();
}

export function trig(kind: number, as: number, ah: number, al: number, cw: number): number {
  void kind; void as; void ah; void al; void cw;
  F.exc |= IE;
  R.se1 = R.se2 = INDEF_SE;
  R.hi1 = R.hi2 = INDEF_HI;
  R.lo1 = R.lo2 = INDEF_LO;
  R.up1 = R.up2 = 0;
  return TRIG_OK;
}

export { ZE };
