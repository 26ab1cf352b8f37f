// The x87's non-basic operations: FSCALE and the transcendentals
// (FSIN, FCOS, FSINCOS, FPTAN, FPATAN, F2XM1, FYL2X, FYL2XP1), computed in BigInt fixed point
// with far more bits than the result needs and rounded once into the extended format.
import {
  BIAS, C_DENORMAL, C_INF, C_QNAN, C_SNAN, C_UNSUPPORTED, C_ZERO, classify, DE, F, IE,
  INDEF_HI, INDEF_LO, INDEF_SE, isNaNClass, propagateNaN2, roundBig, roundWork, setIndefinite,
  setResult, setWork, unpackTo, ZE, PE, UE,
} from './float80.js';

/** Second result (FSINCOS, FPTAN) and the C1 "rounded up" bits of both. */
export const R = { se1: 0, hi1: 0, lo1: 0, up1: 0, se2: 0, hi2: 0, lo2: 0, up2: 0 };
export const TRIG_OK = 0, TRIG_OUT_OF_RANGE = 1;

const U = { s: 0, e: 0, h: 0, l: 0 };

const setF = setResult;
const indefinite = setIndefinite;

/** x87 NaN propagation for two operands; returns false when neither is a NaN. */
function nan2(ac: number, as: number, ah: number, al: number, bc: number, bs: number, bh: number, bl: number): boolean {
  if (!isNaNClass(ac) && !isNaNClass(bc)) return false;
  propagateNaN2(ac, as, ah, al, bc, bs, bh, bl);
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

// ---- a small BigInt floating point for the transcendentals -----------------------------------
//
// A value is m·2^e with m a signed BigInt of at most PREC bits (truncated toward zero, with
// discarded bits jammed into the lowest one). Series are summed until the terms fall below
// 2^-(PREC+8) of the sum, so values carry ~120 correct bits: far more than the 67-bit
// intermediate steps and the final 64-bit rounding need (a 67×67-bit product is exact up to
// its jammed sticky bit). Cost: 15-25 µs per instruction, all in BigInt arithmetic.

const PREC = 128;

interface BF { m: bigint; e: number }

const F64 = new Float64Array(1), F64W = new Uint32Array(F64.buffer);

/** Number of bits of |m|, read off the exponent of Number(|m|) (exact up to 2^53; above that a
 * value rounded up to a power of two is checked). */
function bitLen(m: bigint): number {
  if (m < 0n) m = -m;
  if (m === 0n) return 0;
  F64[0] = Number(m);
  const hi = F64W[1];
  let n = ((hi >>> 20) & 0x7ff) - 1022;
  if (n > 53 && (hi & 0xfffff) === 0 && F64W[0] === 0 && m < (1n << BigInt(n - 1))) n--;
  return n;
}

/**
 * Normalises to at most PREC bits, truncating the magnitude and "jamming" any discarded bits
 * into the lowest bit, so that an inexact value never looks exact (and the final rounding sees
 * on which side of a representable value it lies).
 */
function bf(m: bigint, e: number): BF {
  const n = bitLen(m);
  if (n > PREC) {
    const sh = BigInt(n - PREC);
    const neg = m < 0n;
    let a = neg ? -m : m;
    const lost = (a & ((1n << sh) - 1n)) !== 0n;
    a >>= sh;
    if (lost) a |= 1n;
    m = neg ? -a : a;
    e += n - PREC;
  }
  return { m, e };
}

function jam(q: bigint, inexact: boolean): bigint {
  if (!inexact) return q;
  return q < 0n ? -((-q) | 1n) : q | 1n;
}

/** Exponent of the top bit (value magnitude ≈ 2^top). */
function top(a: BF): number {
  return a.m === 0n ? -Infinity : a.e + bitLen(a.m);
}

function add(a: BF, b: BF): BF {
  if (a.m === 0n) return b;
  if (b.m === 0n) return a;
  const ta = top(a), tb = top(b);
  // A negligible addend still leaves a mark below the larger one, on its side.
  if (ta - tb > PREC + 16) return { m: (a.m << 4n) + (b.m > 0n ? 1n : -1n), e: a.e - 4 };
  if (tb - ta > PREC + 16) return { m: (b.m << 4n) + (a.m > 0n ? 1n : -1n), e: b.e - 4 };
  if (a.e >= b.e) return bf((a.m << BigInt(a.e - b.e)) + b.m, b.e);
  return bf(a.m + (b.m << BigInt(b.e - a.e)), a.e);
}

/** Truncates the magnitude to `bits` significant bits. */
function truncBits(v: BF, bits: number): BF {
  const n = bitLen(v.m) - bits;
  if (n <= 0) return v;
  const sh = BigInt(n);
  const m = v.m < 0n ? -((-v.m) >> sh) : v.m >> sh;
  return { m, e: v.e + n };
}

function neg(a: BF): BF {
  return { m: -a.m, e: a.e };
}

function sub(a: BF, b: BF): BF {
  return add(a, neg(b));
}

function mul(a: BF, b: BF): BF {
  return bf(a.m * b.m, a.e + b.e);
}

function div(a: BF, b: BF): BF {
  const s = PREC + bitLen(b.m) - bitLen(a.m) + 2;
  const sh = s > 0 ? s : 0;
  const n = a.m << BigInt(sh);
  const q = n / b.m;
  return bf(jam(q, q * b.m !== n), a.e - b.e - sh);
}

function divInt(a: BF, k: number): BF {
  return div(a, { m: BigInt(k), e: 0 });
}

function bfSqrt(a: BF): BF {
  // a > 0
  let s = 2 * PREC - bitLen(a.m);
  if (s < 0) s = 0;
  if (((a.e - s) & 1) !== 0) s++;
  const n = a.m << BigInt(s);
  let x = 1n << BigInt((bitLen(n) + 1) >> 1);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) break;
    x = y;
  }
  return bf(jam(x, x * x !== n), (a.e - s) / 2);
}

const ONE: BF = { m: 1n, e: 0 };

function fromInt(k: number): BF {
  return { m: BigInt(k), e: 0 };
}

/** Terms below this many bits under the running sum's top stop a series. */
function small(term: BF, sum: BF): boolean {
  return term.m === 0n || top(term) < top(sum) - PREC - 8;
}

/** atan(z) for |z| ≤ ~0.2 by its Taylor series. */
function atanSeries(z: BF): BF {
  const z2 = mul(z, z);
  let p = z, sum = z;
  for (let k = 1; k < 400; k++) {
    p = mul(p, z2);
    const t = divInt(p, 2 * k + 1);
    sum = k & 1 ? sub(sum, t) : add(sum, t);
    if (small(t, sum)) break;
  }
  return sum;
}

/** atanh(z) for |z| ≤ ~0.2. */
function atanhSeries(z: BF): BF {
  const z2 = mul(z, z);
  let p = z, sum = z;
  for (let k = 1; k < 400; k++) {
    p = mul(p, z2);
    const t = divInt(p, 2 * k + 1);
    sum = add(sum, t);
    if (small(t, sum)) break;
  }
  return sum;
}

/** e^t - 1 for |t| ≤ ~0.7. */
function expm1Series(t: BF): BF {
  let term = t, sum = t;
  for (let k = 2; k < 400; k++) {
    term = divInt(mul(term, t), k);
    sum = add(sum, term);
    if (small(term, sum)) break;
  }
  return sum;
}

/** sin(r) and cos(r) for |r| ≤ ~0.8. */
function sinSeries(r: BF): BF {
  const r2 = mul(r, r);
  let term = r, sum = r;
  for (let k = 1; k < 400; k++) {
    term = neg(divInt(mul(term, r2), (2 * k) * (2 * k + 1)));
    sum = add(sum, term);
    if (small(term, sum)) break;
  }
  return sum;
}

function cosSeries(r: BF): BF {
  const r2 = mul(r, r);
  let term: BF = ONE, sum: BF = ONE;
  for (let k = 1; k < 400; k++) {
    term = neg(divInt(mul(term, r2), (2 * k - 1) * (2 * k)));
    sum = add(sum, term);
    if (small(term, sum)) break;
  }
  return sum;
}

// Constants at working precision.
const PI: BF = (() => {
  // Machin: π = 16·atan(1/5) − 4·atan(1/239)
  const a = atanSeries(div(ONE, fromInt(5)));
  const b = atanSeries(div(ONE, fromInt(239)));
  return sub(mul(fromInt(16), a), mul(fromInt(4), b));
})();
const LN2: BF = mul(fromInt(2), atanhSeries(div(ONE, fromInt(3))));
/** The x87's 66-bit approximation of π (0xC90FDAA22168C234C × 2^-66), used for argument reduction. */
const PI66: BF = { m: 0xc90fdaa22168c234cn, e: -66 };
const HALF_PI66: BF = { m: PI66.m, e: PI66.e - 1 };

/** ln(x) for x > 0. */
function ln(x: BF): BF {
  // x = m·2^k with m in [√½, √2)
  let k = top(x) - 1; // x in [2^k, 2^(k+1))
  let m: BF = { m: x.m, e: x.e - k }; // [1, 2)
  if (m.m * m.m > (2n << BigInt(-2 * m.e))) {
    // m > √2: use m/2 and k + 1 so that |z| below stays ≤ 0.172
    m = { m: m.m, e: m.e - 1 };
    k += 1;
  }
  const z = div(sub(m, ONE), add(m, ONE));
  const lnm = mul(fromInt(2), atanhSeries(z));
  return k === 0 ? lnm : add(mul(fromInt(k), LN2), lnm);
}

/** atan(r) for r ≥ 0, any size. */
function atan(r: BF): BF {
  let inv = false;
  if (top(r) >= 1) {
    // r ≥ 1: atan(r) = π/2 − atan(1/r)
    r = div(ONE, r);
    inv = true;
  }
  // Halve the angle until r < 1/8: atan(r) = 2·atan(r / (1 + √(1 + r²)))
  let halvings = 0;
  while (top(r) > -3) {
    r = div(r, add(ONE, bfSqrt(add(ONE, mul(r, r)))));
    halvings++;
  }
  let a = atanSeries(r);
  if (halvings) a = { m: a.m, e: a.e + halvings };
  return inv ? sub({ m: PI.m, e: PI.e - 1 }, a) : a;
}

// ---- conversions between registers and BF ---------------------------------------------------

function toBF(se: number, hi: number, lo: number): BF {
  let e = se & 0x7fff;
  if (e === 0) e = 1;
  const m = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
  return { m: se & 0x8000 ? -m : m, e: e - BIAS - 63 };
}

/**
 * The microcode behind the transcendentals works on 67-bit significands and chops (truncates
 * toward zero) its intermediate results; only its last operation rounds to the destination
 * under RC. What has been identified on the host (Intel family 6 model 167; found by scanning
 * ST(1) in FYL2X/FYL2XP1, whose result is RN(y·L) for one 67-bit L per x, by C1, and by
 * fitting models to near-midpoint operands):
 * - the constants are ln 2 and log2(e) to 67 bits (LN2_67, LOG2E_67) and the 66-bit π;
 * - F2XM1(x): x·LN2_67 rounded once for |x| < 2^-68; for |x| < 1/4 the Taylor series of
 *   e^u − 1 at u = chop(x·LN2_67), by Horner with fused chopped steps, the correction
 *   u²·P(u) rounded to 64 bits before it is added to u (bit-exact for |x| < 1/64, about
 *   98% on near-midpoint operands above); for 1/4 ≤ |x| < 1 a table of 2^c − 1 rounded to
 *   67 bits at the centres c of 16 intervals per binade, plus 2^c times the series at x − c;
 * - FYL2X(x) and FYL2XP1(f) multiply y by one 67-bit L that they share: FYL2X(1 + f) equals
 *   FYL2XP1(f) bit for bit. L = chop(f·LOG2E_67) for |f| < 2^-66; for 2^-66 ≤ |f| < 1/8 the
 *   atanh series from chopped f·2·log2(e) and 2 + f (log2p1Series); for |f| ≥ 1/8 a scheme
 *   not identified (the exact value chopped matches 99-100%). FYL2X forms chop(k + L(m − 1))
 *   for x = m·2^k, m in [1, 2) above 2 and in [0.5, 1) below 0.5;
 * - FPATAN: q = chop(min/max of |x|, |y|); atan q correctly rounded for q < 1/32 (q itself
 *   below 2^-40); above, a table of atan(j/32) rounded to 67 bits at the nearest j/32 plus
 *   the chopped atan of a chopped quotient (atanTable); in the other octants chopped again
 *   and placed with the 66-bit π (99.96% bit-exact);
 * - FSIN/FCOS: for a reduced argument |r| < 1/4 (r exact, from the 66-bit π/2) the host is
 *   nearly correctly rounded and so is this model: they differ for about 0.02% of operands
 *   near 2^-8, 0.6% in [1/16, 1/8) and 1.7% in [1/8, 1/4) (FCOS; FSIN a third of that), the
 *   host's error growing as r²; above, a table of sin and cos rounded to 67 bits at the
 *   centres of intervals of 1/16 (1/8 above 1/2), combined with sin b rounded to 64 bits and
 *   a four-term minimax cos b − 1, products and their sum chopped (tableSinCos). FPTAN
 *   divides the sine and cosine chopped to 67 bits (bit-exact for |r| < 1/8), with no
 *   shortcut above 2^-68.
 * Not identified, so a result sometimes differs from the host's by one ulp (or only in C1):
 * the evaluation for |r| < 1/4 (the host's error looks like noise of about 2^-69 at 1/4 that
 * grows as r², relative 2^-63 on the r²/2 and r³/6 terms, and FCOS's cos differs from
 * FSINCOS's; it is not a single rounding of r², cos r − 1, sin²(r/2), tan(r/2) or the sum), the
 * last ~0.05% of the table path, the last ~2% of F2XM1's series for 1/64 ≤ |x| < 1/4
 * (neither another rounding of u, u² or the sum nor a change of the series' coefficients
 * explains it), and its log2(1 + f) for |f| ≥ 1/8.
 */
const X87_BITS = 67;
const LN2_67: BF = { m: 0xb17217f7d1cf79abcn, e: -68 };
const LOG2E_67: BF = { m: 0x5c551d94ae0bf85den, e: -66 };

/** Truncates toward zero to the microcode's 67 bits. */
function chop(v: BF): BF {
  return truncBits(v, X87_BITS);
}

/** Round-to-nearest-even to `bits` significant bits (for the microcode's constants). */
function roundBits(v: BF, bits: number): BF {
  const n = bitLen(v.m) - bits;
  if (n <= 0) return v;
  const neg = v.m < 0n;
  const a = neg ? -v.m : v.m;
  const sh = BigInt(n);
  let q = a >> sh;
  const rem = a - (q << sh), half = 1n << (sh - 1n);
  if (rem > half || (rem === half && (q & 1n) === 1n)) q += 1n;
  return { m: neg ? -q : q, e: v.e + n };
}

/** 1/k! to 67 bits, k = 0..EXP_TERMS: the coefficients of the F2XM1 series. */
const EXP_TERMS = 24;
const EXP_COEF: BF[] = (() => {
  const c: BF[] = [ONE];
  let f = 1n;
  for (let k = 1; k <= EXP_TERMS; k++) {
    f *= BigInt(k);
    c.push(roundBits(div(ONE, { m: f, e: 0 }), X87_BITS));
  }
  return c;
})();

/**
 * Rounds a non-zero BF into F under the control word's rounding (64-bit precision). Inexact
 * values carry non-zero bits below the 64 kept (see bf()), so exact results stay exact.
 */
function roundOut(v: BF, cw: number): void {
  const s = v.m < 0n ? 1 : 0;
  const m = v.m < 0n ? -v.m : v.m;
  roundBig(s, m, false, v.e, (cw >> 10) & 3, 64, (cw & 0x10) === 0, (cw & 0x08) === 0);
}

/**
 * roundOut for a result the CPU reports inexact (PE) even when it is exact; a tiny (denormal)
 * result is then also an underflow (UE) under a masked #U, as the host reports for y·1 with y
 * denormal in FYL2X/FYL2XP1.
 */
function roundOutInexact(v: BF, cw: number): void {
  roundOut(v, cw);
  F.exc |= PE;
  if ((F.se & 0x7fff) === 0 && (F.hi | F.lo) !== 0 && (cw & UE) !== 0) F.exc |= UE;
}

function saveR1(): void {
  R.se1 = F.se; R.hi1 = F.hi; R.lo1 = F.lo; R.up1 = F.up;
}

function saveR2(): void {
  R.se2 = F.se; R.hi2 = F.hi; R.lo2 = F.lo; R.up2 = F.up;
}


// ---- the instructions -------------------------------------------------------------------------

/** F2XM1: 2^x − 1 (the result for |x| > 1 is undefined on the CPU; we compute it anyway). */
export function f2xm1(as: number, ah: number, al: number, cw: number): void {
  const ac = classify(as, ah, al);
  F.up = 0;
  if (ac === C_UNSUPPORTED) { indefinite(); return; }
  if (isNaNClass(ac)) { nan2(ac, as, ah, al, C_ZERO, 0, 0, 0); return; }
  if (ac === C_ZERO) { setF(as, ah, al); return; }
  if (ac === C_INF) { if (as & 0x8000) setF(0xbfff, 0x80000000, 0); else setF(as, ah, al); return; }
  if (ac === C_DENORMAL) F.exc |= DE;
  if ((as & 0x7fff) >= 0x3fff && !((as & 0x7fff) === 0x3fff && ah === 0x80000000 && al === 0)) {
    // |x| > 1 (undefined by Intel): the CPU leaves x and reports PE.
    setF(as, ah, al);
    F.exc |= PE;
    return;
  }
  const x = toBF(as, ah, al);
  // exact cases: x = 1 → 1, x = −1 → −½ (still with PE, as the CPU reports)
  if (x.m === 1n << 63n && x.e === -63) { setF(0x3fff, 0x80000000, 0); F.exc |= PE; return; }
  if (x.m === -(1n << 63n) && x.e === -63) { setF(0xbffe, 0x80000000, 0); F.exc |= PE; return; }
  const ex = as & 0x7fff;
  if (ex < BIAS - 68) { roundOutInexact(mul(x, LN2_67), cw); return; }
  if (ex < BIAS - 2) {
    // |x| < 1/4: the series of e^u − 1 at u = chop(x·ln 2), as the CPU does it.
    // PE even when u + the rounded correction lands on a 64-bit value
    roundOutInexact(expm1Chopped(chop(mul(x, LN2_67))), cw);
    return;
  }
  // 1/4 ≤ |x| < 1: 2^c − 1 from the CPU's table at the centre c of x's interval (16 intervals
  // per binade), then 2^x − 1 = (2^c − 1) + 2^c·(2^(x−c) − 1).
  const k = ex === BIAS - 1 ? 5 : 6; // 2^k intervals per unit: 32 in [1/2, 1), 64 in [1/4, 1/2)
  const j = Number(x.m >> BigInt(-(x.e + k))); // ⌊x·2^k⌋ (BigInt >> floors negatives too)
  const c: BF = { m: BigInt(2 * j + 1), e: -(k + 1) };
  const key = k * 1024 + j;
  let tm1 = EXP2_TAB.get(key);
  if (!tm1) EXP2_TAB.set(key, tm1 = roundBits(expm1Series(mul(c, LN2)), X87_BITS));
  const e = expm1Chopped(chop(mul(sub(x, c), LN2_67)));
  roundOutInexact(add(tm1, mul(add(ONE, tm1), e)), cw);
}

/** 2^c − 1 rounded to 67 bits at the table's interval centres, by k·1024 + j. */
const EXP2_TAB = new Map<number, BF>();

/**
 * e^u − 1 = u + u²·(1/2 + u·(1/6 + …)): Horner with fused chopped steps, and the correction
 * u²·P(u) rounded to 64 bits before it meets u (u ≠ 0).
 */
function expm1Chopped(u: BF): BF {
  if (u.m === 0n) return u;
  let p = EXP_COEF[EXP_TERMS];
  for (let k = EXP_TERMS - 1; k >= 2; k--) p = chop(add(EXP_COEF[k], mul(u, p)));
  return add(u, roundBits(mul(mul(u, u), p), 64));
}

/**
 * The 67-bit L ≈ log2(1 + f) that both FYL2XP1(f) and FYL2X(1 + f) multiply by y (the two
 * instructions give identical results there): f·LOG2E_67 chopped for |f| < 2^-66, exact when
 * 1 + f is a power of two, else the chopped exact value after the fitted pull toward zero for
 * 2^-36 ≤ |f| < 1/8 (see the note on X87_BITS). f > −1.
 */
function log2p1Core(f: BF): BF {
  if (f.m === 0n) return f;
  const t = top(f); // |f| in [2^(t-1), 2^t)
  if (t <= -66) return chop(mul(f, LOG2E_67));
  const fp1 = add(f, ONE);
  if ((fp1.m & (fp1.m - 1n)) === 0n) {
    // 1 + f a power of two: exact above 1; below 1 the CPU's value is one 67-bit unit short
    // of the integer (measured with directed rounding: y·L is then never exact under RZ/RU).
    const k = fromInt(top(fp1) - 1);
    return k.m > 0n ? k : add(k, { m: 1n, e: top(k) - X87_BITS });
  }
  if (t <= -3) return log2p1Series(f);
  // |f| ≥ 1/8: another scheme, not identified; the exact value chopped matches 99-100%.
  return chop(div(ln(fp1), LN2));
}

/** 1/(2k+1) to 67 bits, k = 0..LOG_TERMS: the coefficients of the atanh series. */
const LOG_TERMS = 20;
const LOG_COEF: BF[] = Array.from({ length: LOG_TERMS + 1 }, (_, k) => roundBits(div(ONE, fromInt(2 * k + 1)), X87_BITS));
const TWO_LOG2E_67: BF = { m: LOG2E_67.m, e: LOG2E_67.e + 1 };

/**
 * log2(1 + f) for 2^-66 ≤ |f| < 1/8 as the microcode computes it (bit-exact on the samples
 * measured): w = 2·log2(e)·s with s = f/(2 + f), from the chopped f·2·log2(e) over the chopped
 * 2 + f, then w·(1 + s²/3 + s⁴/5 + …) by fused chopped Horner steps in s² — every step chopped.
 */
function log2p1Series(f: BF): BF {
  const den = chop(add(fromInt(2), f));
  const w = chop(div(chop(mul(f, TWO_LOG2E_67)), den));
  const s = chop(div(f, den));
  const s2 = chop(mul(s, s));
  let p = LOG_COEF[LOG_TERMS];
  for (let k = LOG_TERMS - 1; k >= 1; k--) p = chop(add(LOG_COEF[k], mul(s2, p)));
  return chop(add(w, chop(mul(w, chop(mul(s2, p))))));
}

/** FYL2X: ST(1)·log2(ST(0)); a = ST(0) = x, b = ST(1) = y. */
export function fyl2x(as: number, ah: number, al: number, bs: number, bh: number, bl: number, cw: number): void {
  const ac = classify(as, ah, al), bc = classify(bs, bh, bl);
  F.up = 0;
  if (ac === C_UNSUPPORTED || bc === C_UNSUPPORTED) { indefinite(); return; }
  if (nan2(ac, as, ah, al, bc, bs, bh, bl)) return;
  const xneg = (as & 0x8000) !== 0 && ac !== C_ZERO;
  if (xneg) { indefinite(); return; }
  // An invalid operation or a division by zero (x = ±0) is reported without DE.
  if ((ac === C_DENORMAL || bc === C_DENORMAL) && ac !== C_ZERO) F.exc |= DE;
  const ys = bs & 0x8000;
  if (ac === C_ZERO) {
    if (bc === C_ZERO) { indefinite(); return; }
    if (bc !== C_INF) F.exc |= ZE;
    setF((ys ^ 0x8000) | 0x7fff, 0x80000000, 0);
    return;
  }
  if (ac === C_INF) {
    if (bc === C_ZERO) { indefinite(); return; }
    setF(ys | 0x7fff, 0x80000000, 0);
    return;
  }
  const x = toBF(as, ah, al);
  const isOne = x.m === 1n << 63n && x.e === -63;
  if (bc === C_INF) {
    if (isOne) { indefinite(); return; }
    const below = top(x) <= 0; // x < 1
    setF((below ? ys ^ 0x8000 : ys) | 0x7fff, 0x80000000, 0);
    return;
  }
  if (isOne || bc === C_ZERO) {
    // ±0 with the sign of y·log2(x)
    const below = top(x) <= 0 && !isOne;
    setF(below ? ys ^ 0x8000 : ys, 0, 0);
    return;
  }
  // log2 of an exact power of two is an integer: y·k is one rounding.
  const y = toBF(bs, bh, bl);
  // x = m·2^k with m in [1, 2) above 2 and in [0.5, 1) below 0.5 (which is why log2 of a
  // power of two below 1 is one unit short, as in log2p1Core).
  let k = top(x) - 1;
  if (k < -1) k++;
  let l: BF;
  if (k === 0 || k === -1) l = log2p1Core(sub(x, ONE));
  else {
    const lm = log2p1Core(sub({ m: x.m, e: x.e - k }, ONE));
    l = lm.m === 0n ? fromInt(k) : chop(add(fromInt(k), lm));
  }
  // The CPU reports PE even when y·log2(x) is exact (x a power of two).
  roundOutInexact(mul(y, l), cw);
}

/** FYL2XP1: ST(1)·log2(ST(0) + 1). */
export function fyl2xp1(as: number, ah: number, al: number, bs: number, bh: number, bl: number, cw: number): void {
  const ac = classify(as, ah, al), bc = classify(bs, bh, bl);
  F.up = 0;
  if (ac === C_UNSUPPORTED || bc === C_UNSUPPORTED) { indefinite(); return; }
  if (nan2(ac, as, ah, al, bc, bs, bh, bl)) return;
  const xs = as & 0x8000, ys = bs & 0x8000;
  // x = −∞ is invalid, which the CPU reports without DE.
  if ((ac === C_DENORMAL || bc === C_DENORMAL) && !(ac === C_INF && xs)) F.exc |= DE;
  if (ac === C_INF) {
    if (xs || bc === C_ZERO) { indefinite(); return; }
    setF(ys | 0x7fff, 0x80000000, 0);
    return;
  }
  if (ac === C_ZERO) {
    if (bc === C_INF) { indefinite(); return; }
    setF(xs ^ ys, 0, 0);
    return;
  }
  if (bc === C_INF) { setF((xs ^ ys) | 0x7fff, 0x80000000, 0); return; }
  if (bc === C_ZERO) { setF(xs ^ ys, 0, 0); return; }
  const x = toBF(as, ah, al);
  const xp1 = add(x, ONE);
  if (xp1.m <= 0n) {
    // x ≤ −1 (undefined by Intel): the CPU leaves x and reports PE (after the ±0 and ±∞ y
    // cases above, which it answers as for any x).
    setF(as, ah, al);
    F.exc |= PE;
    return;
  }
  const y = toBF(bs, bh, bl);
  const l = log2p1Core(x);
  roundOutInexact(mul(y, l), cw); // as FYL2X: PE even when y·L happens to be exact
}

/**
 * atan(lo/hi) for 1/32 ≤ q = chop(lo/hi) ≤ 1 as the CPU forms it: atan c from a table of
 * atan(j/32) rounded to 67 bits (c = j/32 nearest to q), plus atan t chopped, for the
 * chopped t = (lo − c·hi)/(hi + c·lo). Bit-exact in 99.9% of the cases measured. (Measured: the host's error is that table entry's rounding
 * error, constant over each interval.)
 */
const ATAN_TAB: BF[] = [];
function atanTable(q: BF, lo: BF, hi: BF): BF {
  const j = Number(((q.m << 6n) >> BigInt(-q.e)) + 1n >> 1n); // round(q·32) = ⌊(⌊64q⌋ + 1)/2⌋
  const c: BF = { m: BigInt(j), e: -5 };
  const aj = ATAN_TAB[j] ?? (ATAN_TAB[j] = roundBits(atan(c), X87_BITS));
  const t = chop(div(sub(lo, mul(c, hi)), add(hi, mul(c, lo))));
  return t.m === 0n ? aj : add(aj, chop(atanSeries(t))); // the remainder is chopped before the sum
}

/** FPATAN: atan(ST(1) / ST(0)) with the quadrant from both signs; a = ST(0) = x, b = ST(1) = y. */
export function fpatan(as: number, ah: number, al: number, bs: number, bh: number, bl: number, cw: number): void {
  const ac = classify(as, ah, al), bc = classify(bs, bh, bl);
  F.up = 0;
  if (ac === C_UNSUPPORTED || bc === C_UNSUPPORTED) { indefinite(); return; }
  if (nan2(ac, as, ah, al, bc, bs, bh, bl)) return;
  if (ac === C_DENORMAL || bc === C_DENORMAL) F.exc |= DE;
  const xneg = (as & 0x8000) !== 0, ys = bs & 0x8000;
  const pi: BF = PI, half: BF = { m: PI.m, e: PI.e - 1 }, quarter: BF = { m: PI.m, e: PI.e - 2 };
  let r: BF;
  let inexact = false;
  if (bc === C_ZERO) {
    if (!xneg) { setF(ys, 0, 0); return; }
    r = pi;
  } else if (bc === C_INF) {
    if (ac === C_INF) r = xneg ? add(half, quarter) : quarter;
    else r = half;
  } else if (ac === C_INF) {
    if (!xneg) { setF(ys, 0, 0); return; }
    r = pi;
  } else if (ac === C_ZERO) {
    r = half;
  } else {
    // The CPU divides the smaller magnitude by the larger, chops the quotient to 67 bits, and
    // places atan(q) with its 66-bit π: atan q itself below 1/32 (q below 2^-40: the series'
    // correction is dropped), from its table above (atanTable). In the other octants the
    // atan is chopped before it meets π or π/2.
    const x = toBF(as & 0x7fff, ah, al), y = toBF(bs & 0x7fff, bh, bl);
    const swap = sub(y, x).m > 0n;
    const lo = swap ? x : y, hi = swap ? y : x;
    const q = chop(div(lo, hi));
    const a = top(q) <= -40 ? q : top(q) <= -5 ? atan(q) : atanTable(q, lo, hi);
    const placed = swap || xneg ? chop(a) : a;
    inexact = true; // PE even when the returned quotient happens to fit 64 bits
    if (!swap) r = xneg ? sub(PI66, placed) : a;
    else r = xneg ? add(HALF_PI66, placed) : sub(HALF_PI66, placed);
  }
  if (ys) r = neg(r);
  roundOut(r, cw);
  if (inexact) F.exc |= PE;
}

/**
 * sin and cos of a reduced argument 1/4 ≤ |r| ≤ π/4 as the CPU forms them: from a table of
 * sin a and cos a rounded to 67 bits at the centres a of eight intervals — width 1/16 below
 * 1/2, 1/8 above — as S + chop(chop(S·(cos b − 1)) + chop(C·sin b)) and
 * C + chop(chop(C·(cos b − 1)) − chop(S·sin b)), b = |r| − a. sin b is rounded to 64 bits (a
 * multiplier operand), and cos b − 1 comes from a four-term polynomial in b² that is not
 * Taylor's: its error equioscillates over |b| ≤ 1/16 at about 2^-70.5 (measured on
 * near-midpoint operands; COS_B_COEF is the minimax fit that matches the host).
 */
const SINCOS_TAB: [BF, BF][] = [];
/** cos b − 1 ≈ b²·(c1 + b²·(c2 + b²·(c3 + b²·c4))): the absolute minimax over |b| ≤ 0.0635. */
const COS_B_COEF: BF[] = [
  { m: -0x7fffffffffffffa24n, e: -68 },
  { m: 0x555555555539c0067n, e: -71 },
  { m: -0x5b05b050ef4a2c677n, e: -76 },
  { m: 0x68039800848fe4b28n, e: -82 },
];
function cosBMinus1(b: BF): BF {
  const u = mul(b, b);
  let p = COS_B_COEF[3];
  for (let k = 2; k >= 0; k--) p = add(COS_B_COEF[k], mul(u, p));
  return mul(u, p);
}
function tableSinCos(r: BF): [BF, BF] {
  const mag = r.m < 0n ? neg(r) : r;
  const wide = top(mag) >= 0; // |r| ≥ 1/2: intervals of 1/8
  const k = wide ? 3 : 4; // 2^k intervals per unit
  const j = Number(mag.e + k >= 0 ? mag.m << BigInt(mag.e + k) : mag.m >> BigInt(-(mag.e + k)));
  const slot = wide ? 8 + j : j;
  const a: BF = { m: BigInt(2 * j + 1), e: -(k + 1) }; // the interval's centre
  const [S, C] = SINCOS_TAB[slot] ??= [roundBits(sinSeries(a), X87_BITS), roundBits(cosSeries(a), X87_BITS)];
  const b = sub(mag, a);
  if (b.m === 0n) return [r.m < 0n ? neg(S) : S, C];
  const sb = roundBits(sinSeries(b), 64), cm = cosBMinus1(b);
  const sinMag = add(S, chop(add(chop(mul(S, cm)), chop(mul(C, sb)))));
  const cosV = add(C, chop(sub(chop(mul(C, cm)), chop(mul(S, sb)))));
  return [r.m < 0n ? neg(sinMag) : sinMag, cosV];
}

/**
 * FSIN (0), FCOS (1), FSINCOS (2: R1 = sin, R2 = cos), FPTAN (3: R1 = tan, R2 = 1). Returns
 * TRIG_OUT_OF_RANGE for |x| ≥ 2^63 (C2 = 1, ST(0) unchanged).
 */
export function trig(kind: number, as: number, ah: number, al: number, cw: number): number {
  const ac = classify(as, ah, al);
  F.up = 0;
  R.up1 = R.up2 = 0;
  if (ac === C_UNSUPPORTED || ac === C_INF) {
    indefinite();
    saveR1();
    saveR2();
    return TRIG_OK;
  }
  if (isNaNClass(ac)) {
    nan2(ac, as, ah, al, C_ZERO, 0, 0, 0);
    saveR1();
    saveR2();
    return TRIG_OK;
  }
  if ((as & 0x7fff) >= BIAS + 63) return TRIG_OUT_OF_RANGE;
  if (ac === C_DENORMAL) F.exc |= DE;
  if (ac === C_ZERO) {
    if (kind === 1) setF(0x3fff, 0x80000000, 0); else setF(as, 0, 0);
    saveR1();
    if (kind === 2) { setF(0x3fff, 0x80000000, 0); saveR2(); }
    if (kind === 3) { setF(0x3fff, 0x80000000, 0); saveR2(); }
    return TRIG_OK;
  }
  if ((as & 0x7fff) < BIAS - 68) {
    // |x| < 2^-68: the CPU returns sin x = tan x = x and cos x = 1 (PE, and UE when x is
    // denormal) whatever the rounding mode; above that it rounds a computed value.
    F.exc |= PE;
    if (kind === 1) {
      setF(0x3fff, 0x80000000, 0);
    } else if (ac === C_DENORMAL && (ah & 0x80000000) !== 0) {
      setF(as | 1, ah, al); // a pseudo-denormal comes back normalised
    } else if (ac === C_DENORMAL && (cw & 0x10) === 0) {
      // tiny and inexact with #U unmasked: x comes back scaled by 2^24576, as any unmasked
      // underflow (UE raised by the rounding of the exact, too tiny value)
      unpackTo(as, ah, al, U);
      setWork(U.s, U.e, U.h, U.l);
      roundWork(cw, 64);
    } else {
      if (ac === C_DENORMAL) F.exc |= 0x10; // tiny and inexact: UE
      setF(as, ah, al);
    }
    F.up = 0;
    saveR1();
    setF(0x3fff, 0x80000000, 0);
    saveR2();
    return TRIG_OK;
  }
  // Reduce by the CPU's π/2: r = x − k·(π66/2), k = nearest integer.
  const x = toBF(as, ah, al);
  let k = 0n;
  let r = x;
  if (top(x) > -1) {
    // exact: x = xm·2^xe, π66/2 = pm·2^pe with pe < xe or not
    const e0 = Math.min(x.e, HALF_PI66.e);
    const xm = x.m << BigInt(x.e - e0), pm = HALF_PI66.m << BigInt(HALF_PI66.e - e0);
    k = (2n * xm + (xm < 0n ? -pm : pm)) / (2n * pm);
    const rem = xm - k * pm;
    r = bf(rem, e0);
  }
  const q = Number(((k % 4n) + 4n) % 4n);
  let s: BF | null = null, c: BF | null = null;
  const needSin = kind === 0 || kind === 2 || kind === 3;
  const needCos = kind === 1 || kind === 2 || kind === 3;
  if (r.m === 0n) {
    s = { m: 0n, e: 0 };
    c = ONE;
  } else if (top(r) >= -1) {
    // |r| ≥ 1/4: the CPU's table (see tableSinCos).
    [s, c] = tableSinCos(r);
  } else {
    if (needSin || (needCos && q & 1)) s = sinSeries(r);
    if (needCos || (needSin && q & 1)) c = cosSeries(r);
  }
  // sin(x) and cos(x) from the quadrant
  const sinX = (): BF => (q === 0 ? s! : q === 1 ? c! : q === 2 ? neg(s!) : neg(c!));
  const cosX = (): BF => (q === 0 ? c! : q === 1 ? neg(s!) : q === 2 ? neg(c!) : s!);
  // PE always: the table path can land on a 64-bit value, which the CPU still reports inexact.
  const out = (v: BF): void => {
    if (v.m !== 0n) roundOutInexact(v, cw);
    else { setF(0, 0, 0); F.exc |= PE; }
  };
  if (kind === 0) { out(sinX()); saveR1(); }
  else if (kind === 1) { out(cosX()); saveR1(); }
  else if (kind === 2) {
    const exc = F.exc;
    out(sinX()); saveR1();
    out(cosX()); saveR2();
    F.exc |= exc;
  } else {
    // FPTAN divides the sine and cosine chopped to 67 bits, as the microcode does.
    out(div(chop(sinX()), chop(cosX())));
    saveR1();
    setF(0x3fff, 0x80000000, 0);
    F.up = 0;
    saveR2();
  }
  return TRIG_OK;
}

export { ZE };
