// IEEE-754 single and double arithmetic with MXCSR semantics: rounding control, FTZ, DAZ and
// the six exception flags, exactly as the SSE unit computes them.
//
// How results are made exact without wider hardware:
//  - An operation is first done in JavaScript doubles (round-to-nearest-even, 53 bits).
//  - On the fast path (RC = nearest, PE already set and masked, the result normal and finite)
//    that is the answer: double rounding through 53 bits is innocuous for single-precision
//    + - * / sqrt (53 >= 2*24 + 2), and for doubles it is the answer itself.
//  - Otherwise the exact result is described as v * 2^k + tail, where v is a double and only
//    the sign of tail is known (|tail| < half an ulp of v). The sign comes from error-free
//    transformations: TwoSum for addition, Dekker's TwoProduct (Veltkamp splitting, no FMA)
//    for the product error and the remainders of division and square root. Operands are
//    scaled into [1, 2) first where the error terms could underflow or overflow. roundCore
//    then rounds that exact value to the target precision and exponent range in any mode,
//    detecting tininess after rounding (as x86 does), flushing to zero under FTZ, and setting
//    OE/UE/PE.
//
// Flags of one instruction accumulate in `pre` (IE DE ZE, detected on operands) and `post`
// (OE UE PE, detected on results) and are committed by fpEnd, which raises #XM when an
// unmasked exception occurred (MXCSR flags are still set; the destination is not written).
//
// Host behaviours this follows (measured with test/cpu/sse, which compares against the CPU):
//  - NaN operands: the first source's NaN (quieted) wins; MIN/MAX return the second operand
//    for any NaN and raise IE even for QNaN. A NaN beside a denormal raises no DE.
//  - x / 0 with a denormal x raises only ZE; sqrt of a negative denormal only IE.
//  - Tininess is detected after rounding; FTZ flushes exactly those results (UE and PE set,
//    even when the denormal would have been exact).
//  - Unmasked OE/UE: PE accompanies them only if rounding to full precision was inexact.
//  - An unmasked IE/DE/ZE in any lane suppresses the result flags of every lane.
import type { Cpu } from '../cpu.js';
import { Stop } from '../stop.js';
import { MX_DE, MX_IE, MX_OE, MX_PE, MX_UE, MX_ZE } from './sse.js';

export const RC_NEAR = 0, RC_DOWN = 1, RC_UP = 2, RC_ZERO = 3;
export const OP_ADD = 0, OP_SUB = 1, OP_MUL = 2, OP_DIV = 3, OP_MIN = 4, OP_MAX = 5, OP_SQRT = 6;

/** The indefinite QNaN results. */
export const QNAN32 = 0xffc00000 | 0;
export const QNAN64_HI = 0xfff80000 | 0;

const MIN32 = 1.1754943508222875e-38; // 2^-126
const MAX32 = 3.4028234663852886e38;
const MIN64 = 2.2250738585072014e-308; // 2^-1022
const MAX64 = Number.MAX_VALUE;
const TWO52 = 4503599627370496;
const TWO64 = 18446744073709551616;
const SPLIT = 134217729; // 2^27 + 1

/** P2[e + 1074] = 2^e for e in [-1074, 1023], built by exact doubling/halving. */
const P2 = new Float64Array(2098);
{
  P2[1074] = 1;
  for (let e = 1; e <= 1023; e++) P2[1074 + e] = P2[1074 + e - 1] * 2;
  for (let e = 1; e <= 1074; e++) P2[1074 - e] = P2[1074 - e + 1] / 2;
}
function pow2(e: number): number {
  return P2[e + 1074];
}

// Bit-cast scratch.
const cbuf = new ArrayBuffer(16);
const cI = new Int32Array(cbuf);
const cF = new Float32Array(cbuf);
const cD = new Float64Array(cbuf);

export function f32ToBits(v: number): number {
  cF[0] = v;
  return cI[0];
}
export function bitsToF32(b: number): number {
  cI[0] = b;
  return cF[0];
}

/**
 * Double operands and results: W32[0..1] = a (lo, hi), W32[2..3] = b, W32[4..5] = result.
 * Callers copy words in and out; WD views the same slots as doubles.
 */
const wbuf = new ArrayBuffer(32);
export const W32 = new Int32Array(wbuf);
const WD = new Float64Array(wbuf);

// ---- per-instruction state --------------------------------------------------------------

let rc = 0;
let ftz = false;
let daz = false;
let unmasked = 0;
/** Round-to-nearest with PE already set and masked: inexactness need not be tracked. */
let fast = false;
let pre = 0;
let post = 0;

/** Reads the controls from MXCSR and clears the flag accumulators. */
export function fpBegin(mxcsr: number): void {
  rc = (mxcsr >> 13) & 3;
  ftz = (mxcsr & 0x8000) !== 0;
  daz = (mxcsr & 0x40) !== 0;
  unmasked = ~(mxcsr >> 7) & 0x3f;
  fast = (mxcsr & 0x7020) === 0x1020;
  pre = 0;
  post = 0;
}

/**
 * Commits the flags. Returns false (after raising #XM) when an unmasked exception occurred:
 * the caller must then leave the destination untouched. An unmasked operand exception
 * (IE DE ZE) stops before results are formed, so only those flags are recorded.
 */
export function fpEnd(c: Cpu): boolean {
  if ((pre & unmasked) !== 0) {
    c.sse.mxcsr |= pre;
    c.fault(Stop.FloatingPoint, 19);
    return false;
  }
  const all = pre | post;
  if ((all & unmasked) !== 0) {
    c.sse.mxcsr |= all;
    c.fault(Stop.FloatingPoint, 19);
    return false;
  }
  c.sse.mxcsr |= all;
  return true;
}

// ---- exact rounding ------------------------------------------------------------------------

let rExact = false;

/**
 * Rounds the integer M (< 2^53) plus a tail of sign tm (|tail| < 1) to a multiple of 2^d,
 * returning the multiple's index; rExact tells whether nothing was lost. s is the sign of the
 * value (M and tm are magnitudes) for the directed modes.
 */
function roundInt(M: number, d: number, tm: number, s: boolean): number {
  let q: number, rem: number, half: number;
  if (d === 0) {
    q = M; rem = 0; half = 0.5;
  } else if (d > 60) {
    q = 0; rem = M; half = 1152921504606846976;
  } else {
    const pd = pow2(d);
    q = Math.floor(M / pd);
    rem = M - q * pd;
    half = pd * 0.5;
  }
  if (rem === 0 && tm === 0) {
    rExact = true;
    return q;
  }
  rExact = false;
  const below = rem === 0 && tm < 0; // just below the grid point q
  const floorQ = below ? q - 1 : q;
  switch (rc) {
    case RC_NEAR:
      if (below || rem < half) return q;
      if (rem > half) return q + 1;
      if (tm !== 0) return tm > 0 ? q + 1 : q;
      return q % 2 === 1 ? q + 1 : q;
    case RC_ZERO: return floorQ;
    case RC_UP: return s ? floorQ : floorQ + 1;
    default: return s ? floorQ + 1 : floorQ;
  }
}

/**
 * Rounds the exact value (v + tail) * 2^k to precision p with normal exponents [emin, emax];
 * v is a finite non-zero normal double and t the sign (-1, 0, 1) of tail. Returns the result
 * as a double (±Infinity or ±MAX on overflow, ±0 when flushed) and records OE UE PE.
 */
function roundCore(v: number, t: number, k: number, p: number, emin: number, emax: number): number {
  const s = v < 0;
  let m = s ? -v : v;
  const tm = s ? -t : t;
  cD[0] = m;
  if ((cI[1] & 0x7ff00000) === 0) {
    m *= TWO64;
    k -= 64;
    cD[0] = m;
  }
  const E = ((cI[1] >>> 20) & 0x7ff) - 1023;
  const TE = E + k;
  const M = m * pow2(-E) * TWO52;
  let d = 53 - p;
  if (TE < emin) d += emin - TE;
  let res = roundInt(M, d, tm, s);
  const exact = rExact;
  let ue = TE - 52 + d;
  if (TE > emin && res < pow2(p - 1)) {
    // Rounded down across a power of two into the finer grid of the binade below.
    res = 2 * res + 1;
    ue -= 1;
  }
  const sh = emax + 1 - ue;
  if (sh <= 0 || (sh <= 60 && res >= pow2(sh))) {
    // An unmasked overflow reports PE only when the rounded significand is inexact.
    post |= (unmasked & MX_OE) !== 0 && exact ? MX_OE : MX_OE | MX_PE;
    const big = p === 24 ? MAX32 : MAX64;
    let r: number;
    switch (rc) {
      case RC_NEAR: r = Infinity; break;
      case RC_ZERO: r = big; break;
      case RC_UP: r = s ? big : Infinity; break;
      default: r = s ? Infinity : big; break;
    }
    return s ? -r : r;
  }
  let tiny = false;
  if (TE < emin - 1) tiny = true;
  else if (TE === emin) tiny = res < pow2(p - 1);
  else if (TE === emin - 1) tiny = roundInt(M, 53 - p, tm, s) < pow2(p);
  if (tiny) {
    if ((unmasked & MX_UE) !== 0) {
      // Unmasked: PE only when rounding to full precision (unbounded exponent) is inexact.
      roundInt(M, 53 - p, tm, s);
      post |= rExact ? MX_UE : MX_UE | MX_PE;
      return 0;
    }
    if (ftz) {
      post |= MX_UE | MX_PE;
      return s ? -0 : 0;
    }
    if (!exact) post |= MX_UE | MX_PE;
  } else if (!exact) {
    post |= MX_PE;
  }
  const val = res * pow2(ue);
  return s ? -val : val;
}

function round32(v: number, t: number, k: number): number {
  return f32ToBits(roundCore(v, t, k, 24, -126, 127));
}
function round64(v: number, t: number, k: number): number {
  return roundCore(v, t, k, 53, -1022, 1023);
}

/** Exponent of a finite non-zero double (subnormals normalised). */
function expOf(v: number): number {
  cD[0] = v;
  let e = (cI[1] >>> 20) & 0x7ff;
  if (e === 0) {
    cD[0] = v * TWO64;
    e = ((cI[1] >>> 20) & 0x7ff) - 64;
  }
  return e - 1023;
}
/** |v| * 2^-e, exact (e from expOf or an even number below it). */
function scaleDown(v: number, e: number): number {
  const m = v < 0 ? -v : v;
  if (e < -1000) return m * TWO64 * pow2(-e - 64);
  return m * pow2(-e);
}

/** Error of the product p = fl(a*b): a*b = p + err exactly (Dekker; moderate exponents). */
function productError(a: number, b: number, p: number): number {
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return ((ah * bh - p) + ah * bl + al * bh) + al * bl;
}

function sgn(x: number): number {
  return x > 0 ? 1 : x < 0 ? -1 : 0;
}

// ---- single precision ---------------------------------------------------------------------

function nan32(b: number): boolean {
  return (b & 0x7fffffff) > 0x7f800000;
}
function snan32(b: number): boolean {
  return (b & 0x7fffffff) > 0x7f800000 && (b & 0x400000) === 0;
}

/** DAZ / DE for one single operand: returns the bits to use. */
function denorm32(b: number): number {
  if ((b & 0x7f800000) === 0 && (b & 0x7fffff) !== 0) {
    if (daz) return b & 0x80000000;
    pre |= MX_DE;
  }
  return b;
}

/** ADD SUB MUL DIV MIN MAX on single-precision bit patterns; returns the result bits. */
export function f32Binary(op: number, a: number, b: number): number {
  if (nan32(a) || nan32(b)) {
    if (snan32(a) || snan32(b)) pre |= MX_IE;
    if (op >= OP_MIN) {
      pre |= MX_IE;
      return daz && (b & 0x7f800000) === 0 ? b & 0x80000000 : b;
    }
    return nan32(a) ? a | 0x400000 : b | 0x400000;
  }
  // Denormal operands: zero under DAZ, else DE (except x / 0, which is only ZE).
  let de = false;
  if ((a & 0x7f800000) === 0 && (a & 0x7fffff) !== 0) {
    if (daz) a &= 0x80000000; else de = true;
  }
  if ((b & 0x7f800000) === 0 && (b & 0x7fffff) !== 0) {
    if (daz) b &= 0x80000000; else de = true;
  }
  if (de) {
    if (op === OP_DIV && (b & 0x7fffffff) === 0) {
      pre |= MX_ZE;
      return ((a ^ b) & 0x80000000) | 0x7f800000;
    }
    pre |= MX_DE;
  }
  if (op === OP_MIN || op === OP_MAX) {
    const va = bitsToF32(a), vb = bitsToF32(b);
    if (op === OP_MIN) return va < vb ? a : b;
    return va > vb ? a : b;
  }
  if (op === OP_SUB) {
    op = OP_ADD;
    b ^= 0x80000000;
  }
  const aInf = (a & 0x7fffffff) === 0x7f800000, bInf = (b & 0x7fffffff) === 0x7f800000;
  const aZero = (a & 0x7fffffff) === 0, bZero = (b & 0x7fffffff) === 0;
  const sx = (a ^ b) & 0x80000000;
  switch (op) {
    case OP_ADD: {
      if (aInf || bInf) {
        if (aInf && bInf && a !== b) { pre |= MX_IE; return QNAN32; }
        return aInf ? a : b;
      }
      const va = bitsToF32(a), vb = bitsToF32(b);
      const r = va + vb;
      if (r === 0) {
        if (aZero && bZero && a === b) return a;
        return rc === RC_DOWN ? 0x80000000 | 0 : 0;
      }
      const ar = r < 0 ? -r : r;
      if (fast && ar >= MIN32) {
        const f = Math.fround(r);
        if (f !== Infinity && f !== -Infinity) return f32ToBits(f);
      }
      const bv = r - va;
      const e = (va - (r - bv)) + (vb - bv);
      return round32(r, sgn(e), 0);
    }
    case OP_MUL: {
      if (aInf || bInf) {
        if (aZero || bZero) { pre |= MX_IE; return QNAN32; }
        return sx | 0x7f800000;
      }
      if (aZero || bZero) return sx;
      const r = bitsToF32(a) * bitsToF32(b);
      const ar = r < 0 ? -r : r;
      if (fast && ar >= MIN32) {
        const f = Math.fround(r);
        if (f !== Infinity && f !== -Infinity) return f32ToBits(f);
      }
      return round32(r, 0, 0);
    }
    default: { // OP_DIV
      if (aInf) {
        if (bInf) { pre |= MX_IE; return QNAN32; }
        return sx | 0x7f800000;
      }
      if (bInf) return sx;
      if (bZero) {
        if (aZero) { pre |= MX_IE; return QNAN32; }
        pre |= MX_ZE;
        return sx | 0x7f800000;
      }
      if (aZero) return sx;
      const va = bitsToF32(a), vb = bitsToF32(b);
      const r = va / vb;
      const ar = r < 0 ? -r : r;
      if (fast && ar >= MIN32) {
        const f = Math.fround(r);
        if (f !== Infinity && f !== -Infinity) return f32ToBits(f);
      }
      // Only when r is a 25-bit number (a single or a midpoint) does the remainder decide.
      cD[0] = r;
      let t = 1;
      if ((cI[0] & 0x07ffffff) === 0) {
        const rem = va - r * vb;
        t = rem === 0 ? 0 : (rem > 0) === (vb > 0) ? 1 : -1;
      }
      return round32(r, t, 0);
    }
  }
}

export function f32Sqrt(b: number): number {
  if (nan32(b)) {
    if (snan32(b)) pre |= MX_IE;
    return b | 0x400000;
  }
  if ((b & 0x7f800000) === 0 && (b & 0x7fffff) !== 0) {
    if (daz) b &= 0x80000000;
    else if (b >= 0) pre |= MX_DE;
  }
  if ((b & 0x7fffffff) === 0) return b;
  if (b < 0) { pre |= MX_IE; return QNAN32; }
  if (b === 0x7f800000) return b;
  const vb = bitsToF32(b);
  const r = Math.sqrt(vb);
  if (fast) return f32ToBits(Math.fround(r));
  cD[0] = r;
  let t = 1;
  if ((cI[0] & 0x07ffffff) === 0) {
    const rem = vb - r * r;
    t = sgn(rem);
  }
  return round32(r, t, 0);
}

// ---- double precision ----------------------------------------------------------------------

function nan64(hi: number, lo: number): boolean {
  const a = hi & 0x7fffffff;
  return a > 0x7ff00000 || (a === 0x7ff00000 && lo !== 0);
}

/** DAZ for the double in W32[j..j+1]: zeroes a denormal under DAZ, else returns 1 for DE. */
function denorm64(j: number): number {
  const hi = W32[j + 1];
  if ((hi & 0x7ff00000) === 0 && ((hi & 0xfffff) | W32[j]) !== 0) {
    if (daz) {
      W32[j + 1] = hi & 0x80000000;
      W32[j] = 0;
      return 0;
    }
    return 1;
  }
  return 0;
}

function setNaN64(hi: number, lo: number): void {
  W32[4] = lo;
  W32[5] = hi | 0x80000;
}
function setR64Bits(hi: number, lo: number): void {
  W32[4] = lo;
  W32[5] = hi;
}

/** ADD SUB MUL DIV MIN MAX on the doubles in W32[0..3]; the result goes to W32[4..5]. */
export function f64Binary(op: number): void {
  const aNaN = nan64(W32[1], W32[0]), bNaN = nan64(W32[3], W32[2]);
  if (aNaN || bNaN) {
    if ((aNaN && (W32[1] & 0x80000) === 0) || (bNaN && (W32[3] & 0x80000) === 0)) pre |= MX_IE;
    if (op >= OP_MIN) {
      pre |= MX_IE;
      if (daz && (W32[3] & 0x7ff00000) === 0) setR64Bits(W32[3] & 0x80000000, 0);
      else setR64Bits(W32[3], W32[2]);
      return;
    }
    if (aNaN) setNaN64(W32[1], W32[0]);
    else setNaN64(W32[3], W32[2]);
    return;
  }
  const de = denorm64(0) | denorm64(2);
  if (de !== 0) {
    if (op === OP_DIV && ((W32[3] & 0x7fffffff) | W32[2]) === 0) {
      pre |= MX_ZE;
      setR64Bits(((W32[1] ^ W32[3]) & 0x80000000) | 0x7ff00000, 0);
      return;
    }
    pre |= MX_DE;
  }
  if (op === OP_MIN || op === OP_MAX) {
    const va = WD[0], vb = WD[1];
    const pickA = op === OP_MIN ? va < vb : va > vb;
    if (pickA) setR64Bits(W32[1], W32[0]);
    else setR64Bits(W32[3], W32[2]);
    return;
  }
  if (op === OP_SUB) {
    op = OP_ADD;
    W32[3] ^= 0x80000000;
  }
  const ahi = W32[1], bhi = W32[3];
  const va = WD[0], vb = WD[1];
  const aInf = va === Infinity || va === -Infinity, bInf = vb === Infinity || vb === -Infinity;
  const aZero = va === 0, bZero = vb === 0;
  const sx = (ahi ^ bhi) & 0x80000000;
  switch (op) {
    case OP_ADD: {
      if (aInf || bInf) {
        if (aInf && bInf && va !== vb) { pre |= MX_IE; setR64Bits(QNAN64_HI, 0); return; }
        WD[2] = aInf ? va : vb;
        return;
      }
      const r = va + vb;
      if (r === 0) {
        if (aZero && bZero && ahi === bhi) WD[2] = va;
        else WD[2] = rc === RC_DOWN ? -0 : 0;
        return;
      }
      const ar = r < 0 ? -r : r;
      if (fast && ar >= MIN64 && ar <= MAX64) { WD[2] = r; return; }
      if (ar > MAX64) {
        const ha = va * 0.5, hb = vb * 0.5;
        const h = ha + hb;
        const bv = h - ha;
        WD[2] = round64(h, sgn((ha - (h - bv)) + (hb - bv)), 1);
        return;
      }
      const bv = r - va;
      WD[2] = round64(r, sgn((va - (r - bv)) + (vb - bv)), 0);
      return;
    }
    case OP_MUL: {
      if (aInf || bInf) {
        if (aZero || bZero) { pre |= MX_IE; setR64Bits(QNAN64_HI, 0); return; }
        setR64Bits(sx | 0x7ff00000, 0);
        return;
      }
      if (aZero || bZero) { setR64Bits(sx, 0); return; }
      const r = va * vb;
      const ar = r < 0 ? -r : r;
      if (fast && ar >= MIN64 && ar <= MAX64) { WD[2] = r; return; }
      const ea = expOf(va), eb = expOf(vb);
      const ma = scaleDown(va, ea), mb = scaleDown(vb, eb);
      const p = ma * mb;
      const t = sgn(productError(ma, mb, p));
      WD[2] = round64(sx ? -p : p, sx ? -t : t, ea + eb);
      return;
    }
    default: { // OP_DIV
      if (aInf) {
        if (bInf) { pre |= MX_IE; setR64Bits(QNAN64_HI, 0); return; }
        setR64Bits(sx | 0x7ff00000, 0);
        return;
      }
      if (bInf) { setR64Bits(sx, 0); return; }
      if (bZero) {
        if (aZero) { pre |= MX_IE; setR64Bits(QNAN64_HI, 0); return; }
        pre |= MX_ZE;
        setR64Bits(sx | 0x7ff00000, 0);
        return;
      }
      if (aZero) { setR64Bits(sx, 0); return; }
      const r = va / vb;
      const ar = r < 0 ? -r : r;
      if (fast && ar >= MIN64 && ar <= MAX64) { WD[2] = r; return; }
      const ea = expOf(va), eb = expOf(vb);
      const ma = scaleDown(va, ea), mb = scaleDown(vb, eb);
      const q = ma / mb;
      const p = q * mb;
      const rem = (ma - p) - productError(q, mb, p);
      const t = sgn(rem);
      WD[2] = round64(sx ? -q : q, sx ? -t : t, ea - eb);
      return;
    }
  }
}

/** SQRT of the double in W32[2..3]; the result goes to W32[4..5]. */
export function f64Sqrt(): void {
  const hi = W32[3];
  if (nan64(hi, W32[2])) {
    if ((hi & 0x80000) === 0) pre |= MX_IE;
    setNaN64(hi, W32[2]);
    return;
  }
  if (denorm64(2) !== 0 && hi >= 0) pre |= MX_DE;
  const v = WD[1];
  if (v === 0) { setR64Bits(W32[3], W32[2]); return; }
  if (v < 0) { pre |= MX_IE; setR64Bits(QNAN64_HI, 0); return; }
  if (v === Infinity) { WD[2] = v; return; }
  const r = Math.sqrt(v);
  if (fast) { WD[2] = r; return; }
  const e = expOf(v);
  const j = Math.floor(e / 2);
  const m = scaleDown(v, 2 * j);
  const q = Math.sqrt(m);
  const p = q * q;
  const rem = (m - p) - productError(q, q, p);
  WD[2] = round64(q, sgn(rem), j);
}

// ---- conversions ---------------------------------------------------------------------------

/** CVTSD2SS / CVTPD2PS: the double in W32[2..3] to single bits. */
export function f64ToF32(): number {
  const hi = W32[3], lo = W32[2];
  const ah = hi & 0x7fffffff;
  if (nan64(hi, lo)) {
    if ((hi & 0x80000) === 0) pre |= MX_IE;
    return (hi & 0x80000000) | 0x7fc00000 | ((hi & 0xfffff) << 3) | (lo >>> 29);
  }
  if (ah === 0x7ff00000) return (hi & 0x80000000) | 0x7f800000;
  if (denorm64(2) !== 0) pre |= MX_DE;
  const v = WD[1];
  if (v === 0) return W32[3] & 0x80000000;
  if (ah < 0x100000) return round32(v * TWO64, 0, -64);
  const av = v < 0 ? -v : v;
  if (fast && av >= MIN32) {
    const f = Math.fround(v);
    if (f !== Infinity && f !== -Infinity) return f32ToBits(f);
  }
  return round32(v, 0, 0);
}

/** CVTSS2SD / CVTPS2PD: single bits to the double in W32[4..5] (exact). */
export function f32ToF64(b: number): void {
  if (nan32(b)) {
    if ((b & 0x400000) === 0) pre |= MX_IE;
    setR64Bits((b & 0x80000000) | 0x7ff80000 | ((b & 0x7fffff) >>> 3), (b & 7) << 29);
    return;
  }
  b = denorm32(b);
  WD[2] = bitsToF32(b);
}

/** CVTSI2SS / CVTDQ2PS / CVTPI2PS: a signed 32-bit integer to single bits. */
export function i32ToF32(n: number): number {
  if (n === 0) return 0;
  if (n < 16777216 && n > -16777216) return f32ToBits(n);
  return round32(n, 0, 0);
}

/** Rounds a finite double to an integer in the given mode. */
function roundToInteger(v: number, mode: number): number {
  switch (mode) {
    case RC_NEAR: {
      let f = Math.floor(v);
      const diff = v - f;
      if (diff > 0.5 || (diff === 0.5 && f % 2 !== 0)) f += 1;
      return f;
    }
    case RC_DOWN: return Math.floor(v);
    case RC_UP: return Math.ceil(v);
    default: return Math.trunc(v);
  }
}

function toI32(v: number, trunc: boolean): number {
  const r = roundToInteger(v, trunc ? RC_ZERO : rc);
  if (r < -2147483648 || r > 2147483647) {
    pre |= MX_IE;
    return 0x80000000 | 0;
  }
  if (r !== v) post |= MX_PE;
  return r | 0;
}

/** CVT(T)SS2SI / CVT(T)PS2DQ / CVT(T)PS2PI: single bits to int32 (0x80000000 if invalid). */
export function f32ToI32(b: number, trunc: boolean): number {
  if ((b & 0x7f800000) === 0x7f800000) {
    pre |= MX_IE;
    return 0x80000000 | 0;
  }
  if (daz && (b & 0x7f800000) === 0) return 0;
  return toI32(bitsToF32(b), trunc);
}

/** CVT(T)SD2SI / CVT(T)PD2DQ / CVT(T)PD2PI: the double in W32[2..3] to int32. */
export function f64ToI32(trunc: boolean): number {
  const hi = W32[3];
  if ((hi & 0x7ff00000) === 0x7ff00000) {
    pre |= MX_IE;
    return 0x80000000 | 0;
  }
  if (daz && (hi & 0x7ff00000) === 0) return 0;
  return toI32(WD[1], trunc);
}

// ---- comparisons -------------------------------------------------------------------------

export const REL_LT = 0, REL_EQ = 1, REL_GT = 2, REL_UN = 3;

/** Relation of two singles; sigQ: a QNaN operand also raises IE (signalling predicates). */
export function f32Rel(a: number, b: number, sigQ: boolean): number {
  if (nan32(a) || nan32(b)) {
    if (sigQ || snan32(a) || snan32(b)) pre |= MX_IE;
    return REL_UN;
  }
  a = denorm32(a);
  b = denorm32(b);
  const va = bitsToF32(a), vb = bitsToF32(b);
  return va < vb ? REL_LT : va > vb ? REL_GT : REL_EQ;
}

/** Relation of the doubles in W32[0..1] and W32[2..3]. */
export function f64Rel(sigQ: boolean): number {
  const aNaN = nan64(W32[1], W32[0]), bNaN = nan64(W32[3], W32[2]);
  if (aNaN || bNaN) {
    if (sigQ || (aNaN && (W32[1] & 0x80000) === 0) || (bNaN && (W32[3] & 0x80000) === 0)) pre |= MX_IE;
    return REL_UN;
  }
  if ((denorm64(0) | denorm64(2)) !== 0) pre |= MX_DE;
  const va = WD[0], vb = WD[1];
  return va < vb ? REL_LT : va > vb ? REL_GT : REL_EQ;
}

/** CMPPS/CMPSS predicate (imm8 & 7) applied to a relation. */
export function predicate(pred: number, rel: number): boolean {
  switch (pred) {
    case 0: return rel === REL_EQ;
    case 1: return rel === REL_LT;
    case 2: return rel === REL_LT || rel === REL_EQ;
    case 3: return rel === REL_UN;
    case 4: return rel !== REL_EQ;
    case 5: return rel !== REL_LT;
    case 6: return rel === REL_GT || rel === REL_UN;
    default: return rel !== REL_UN;
  }
}
