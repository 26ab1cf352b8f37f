// Floating-point SSE/SSE2 instructions: arithmetic, comparisons, conversions, reciprocal
// approximations, logic, shuffles and sign-mask extraction. Handlers read every operand into
// scratch first, compute all lanes, and write the destination only when no unmasked
// exception occurred (fpEnd).
import type { Cpu } from '../cpu.js';
import type { Insn } from '../insn.js';
import { AF, CF, OF, PF, SF, ZF } from '../registers.js';
import {
  OP_ADD, OP_SQRT, OP_SUB, REL_EQ, REL_LT, REL_UN, W32, f32Binary, f32Rel, f32Sqrt, f32ToF64, f32ToI32,
  f64Binary, f64Rel, f64Sqrt, f64ToF32, f64ToI32, fpBegin, fpEnd, i32ToF32, predicate,
} from './fp.js';
import { mmxOf, x87Pending } from './mmx.js';
import { rcp32, rsqrt32 } from './rcp.js';
import {
  D32, R32, S32, loadM64, loadX128, loadX32, loadX64, rToXmm, xmmToD,
} from './operand.js';

// ---- arithmetic: ADD SUB MUL DIV MIN MAX SQRT (i.sub = OP_*) -----------------------------

export function arithPS(c: Cpu, i: Insn): void {
  if (!loadX128(c, i, false)) return;
  fpBegin(c.sse.mxcsr);
  const x = c.sse.xmm, o = i.reg << 2, op = i.sub;
  if (op === OP_SQRT) {
    for (let k = 0; k < 4; k++) R32[k] = f32Sqrt(S32[k]);
  } else {
    for (let k = 0; k < 4; k++) R32[k] = f32Binary(op, x[o + k], S32[k]);
  }
  if (!fpEnd(c)) return;
  rToXmm(c, i.reg);
}

export function arithSS(c: Cpu, i: Insn): void {
  loadX32(c, i);
  fpBegin(c.sse.mxcsr);
  const x = c.sse.xmm, o = i.reg << 2;
  const r = i.sub === OP_SQRT ? f32Sqrt(S32[0]) : f32Binary(i.sub, x[o], S32[0]);
  if (!fpEnd(c)) return;
  x[o] = r;
}

export function arithPD(c: Cpu, i: Insn): void {
  if (!loadX128(c, i, false)) return;
  fpBegin(c.sse.mxcsr);
  const x = c.sse.xmm, o = i.reg << 2, op = i.sub;
  for (let k = 0; k < 4; k += 2) {
    W32[0] = x[o + k]; W32[1] = x[o + k + 1];
    W32[2] = S32[k]; W32[3] = S32[k + 1];
    if (op === OP_SQRT) f64Sqrt(); else f64Binary(op);
    R32[k] = W32[4]; R32[k + 1] = W32[5];
  }
  if (!fpEnd(c)) return;
  rToXmm(c, i.reg);
}

export function arithSD(c: Cpu, i: Insn): void {
  loadX64(c, i);
  fpBegin(c.sse.mxcsr);
  const x = c.sse.xmm, o = i.reg << 2;
  W32[0] = x[o]; W32[1] = x[o + 1];
  W32[2] = S32[0]; W32[3] = S32[1];
  if (i.sub === OP_SQRT) f64Sqrt(); else f64Binary(i.sub);
  if (!fpEnd(c)) return;
  x[o] = W32[4]; x[o + 1] = W32[5];
}

// ---- SSE3: ADDSUB, horizontal add/subtract ---------------------------------------------------

/** ADDSUBPS (i.sub 0), HADDPS (1), HSUBPS (2). */
export function horizPS(c: Cpu, i: Insn): void {
  if (!loadX128(c, i, false)) return;
  xmmToD(c, i.reg);
  fpBegin(c.sse.mxcsr);
  switch (i.sub) {
    case 0:
      for (let k = 0; k < 4; k++) R32[k] = f32Binary(k & 1 ? OP_ADD : OP_SUB, D32[k], S32[k]);
      break;
    default: {
      const op = i.sub === 1 ? OP_ADD : OP_SUB;
      R32[0] = f32Binary(op, D32[0], D32[1]);
      R32[1] = f32Binary(op, D32[2], D32[3]);
      R32[2] = f32Binary(op, S32[0], S32[1]);
      R32[3] = f32Binary(op, S32[2], S32[3]);
    }
  }
  if (!fpEnd(c)) return;
  rToXmm(c, i.reg);
}

/** ADDSUBPD (i.sub 0), HADDPD (1), HSUBPD (2). */
export function horizPD(c: Cpu, i: Insn): void {
  if (!loadX128(c, i, false)) return;
  xmmToD(c, i.reg);
  fpBegin(c.sse.mxcsr);
  if (i.sub === 0) {
    for (let k = 0; k < 4; k += 2) {
      W32[0] = D32[k]; W32[1] = D32[k + 1]; W32[2] = S32[k]; W32[3] = S32[k + 1];
      f64Binary(k === 0 ? OP_SUB : OP_ADD);
      R32[k] = W32[4]; R32[k + 1] = W32[5];
    }
  } else {
    const op = i.sub === 1 ? OP_ADD : OP_SUB;
    W32[0] = D32[0]; W32[1] = D32[1]; W32[2] = D32[2]; W32[3] = D32[3];
    f64Binary(op);
    R32[0] = W32[4]; R32[1] = W32[5];
    W32[0] = S32[0]; W32[1] = S32[1]; W32[2] = S32[2]; W32[3] = S32[3];
    f64Binary(op);
    R32[2] = W32[4]; R32[3] = W32[5];
  }
  if (!fpEnd(c)) return;
  rToXmm(c, i.reg);
}

// ---- RCP / RSQRT (i.sub: 0 = RCP, 1 = RSQRT) -----------------------------------------------

export function rcpPS(c: Cpu, i: Insn): void {
  if (!loadX128(c, i, false)) return;
  const x = c.sse.xmm, o = i.reg << 2;
  for (let k = 0; k < 4; k++) x[o + k] = i.sub === 0 ? rcp32(S32[k]) : rsqrt32(S32[k]);
}

export function rcpSS(c: Cpu, i: Insn): void {
  loadX32(c, i);
  c.sse.xmm[i.reg << 2] = i.sub === 0 ? rcp32(S32[0]) : rsqrt32(S32[0]);
}

// ---- comparisons (predicate in i.imm & 7) ----------------------------------------------------

function signalling(pred: number): boolean {
  return (pred & 3) === 1 || (pred & 3) === 2;
}

export function cmpPS(c: Cpu, i: Insn): void {
  if (!loadX128(c, i, false)) return;
  fpBegin(c.sse.mxcsr);
  const x = c.sse.xmm, o = i.reg << 2, pred = i.imm & 7, sig = signalling(pred);
  for (let k = 0; k < 4; k++) R32[k] = predicate(pred, f32Rel(x[o + k], S32[k], sig)) ? -1 : 0;
  if (!fpEnd(c)) return;
  rToXmm(c, i.reg);
}

export function cmpSS(c: Cpu, i: Insn): void {
  loadX32(c, i);
  fpBegin(c.sse.mxcsr);
  const x = c.sse.xmm, o = i.reg << 2, pred = i.imm & 7;
  const r = predicate(pred, f32Rel(x[o], S32[0], signalling(pred))) ? -1 : 0;
  if (!fpEnd(c)) return;
  x[o] = r;
}

export function cmpPD(c: Cpu, i: Insn): void {
  if (!loadX128(c, i, false)) return;
  fpBegin(c.sse.mxcsr);
  const x = c.sse.xmm, o = i.reg << 2, pred = i.imm & 7, sig = signalling(pred);
  for (let k = 0; k < 4; k += 2) {
    W32[0] = x[o + k]; W32[1] = x[o + k + 1];
    W32[2] = S32[k]; W32[3] = S32[k + 1];
    const r = predicate(pred, f64Rel(sig)) ? -1 : 0;
    R32[k] = r; R32[k + 1] = r;
  }
  if (!fpEnd(c)) return;
  rToXmm(c, i.reg);
}

export function cmpSD(c: Cpu, i: Insn): void {
  loadX64(c, i);
  fpBegin(c.sse.mxcsr);
  const x = c.sse.xmm, o = i.reg << 2, pred = i.imm & 7;
  W32[0] = x[o]; W32[1] = x[o + 1];
  W32[2] = S32[0]; W32[3] = S32[1];
  const r = predicate(pred, f64Rel(signalling(pred))) ? -1 : 0;
  if (!fpEnd(c)) return;
  x[o] = r; x[o + 1] = r;
}

function setComiFlags(c: Cpu, rel: number): void {
  c.materializeFlags();
  let f = c.flags & ~(ZF | PF | CF | OF | SF | AF);
  if (rel === REL_UN) f |= ZF | PF | CF;
  else if (rel === REL_LT) f |= CF;
  else if (rel === REL_EQ) f |= ZF;
  c.flags = f;
}

/** COMISS (i.sub = 1: any NaN raises IE) and UCOMISS (i.sub = 0: only SNaN). */
export function comiss(c: Cpu, i: Insn): void {
  loadX32(c, i);
  fpBegin(c.sse.mxcsr);
  const rel = f32Rel(c.sse.xmm[i.reg << 2], S32[0], i.sub === 1);
  if (!fpEnd(c)) return;
  setComiFlags(c, rel);
}

export function comisd(c: Cpu, i: Insn): void {
  loadX64(c, i);
  fpBegin(c.sse.mxcsr);
  const x = c.sse.xmm, o = i.reg << 2;
  W32[0] = x[o]; W32[1] = x[o + 1];
  W32[2] = S32[0]; W32[3] = S32[1];
  const rel = f64Rel(i.sub === 1);
  if (!fpEnd(c)) return;
  setComiFlags(c, rel);
}

// ---- conversions ------------------------------------------------------------------------------

/** CVTSI2SS xmm, r/m32 */
export function cvtsi2ss(c: Cpu, i: Insn): void {
  const n = i.isMem ? c.mmu.read32(c.eaSpan(i, 4)) : c.regs[i.rm];
  fpBegin(c.sse.mxcsr);
  const r = i32ToF32(n);
  if (!fpEnd(c)) return;
  c.sse.xmm[i.reg << 2] = r;
}

/** CVTSI2SD xmm, r/m32 (exact) */
export function cvtsi2sd(c: Cpu, i: Insn): void {
  const n = i.isMem ? c.mmu.read32(c.eaSpan(i, 4)) : c.regs[i.rm];
  const o = i.reg << 1;
  c.sse.f64[o] = n;
}

/** CVT(T)SS2SI r32, xmm/m32 (i.sub = 1: truncate) */
export function cvtss2si(c: Cpu, i: Insn): void {
  loadX32(c, i);
  fpBegin(c.sse.mxcsr);
  const r = f32ToI32(S32[0], i.sub === 1);
  if (!fpEnd(c)) return;
  c.regs[i.reg] = r;
}

/** CVT(T)SD2SI r32, xmm/m64 */
export function cvtsd2si(c: Cpu, i: Insn): void {
  loadX64(c, i);
  fpBegin(c.sse.mxcsr);
  W32[2] = S32[0]; W32[3] = S32[1];
  const r = f64ToI32(i.sub === 1);
  if (!fpEnd(c)) return;
  c.regs[i.reg] = r;
}

/** CVTSS2SD xmm, xmm/m32 */
export function cvtss2sd(c: Cpu, i: Insn): void {
  loadX32(c, i);
  fpBegin(c.sse.mxcsr);
  f32ToF64(S32[0]);
  if (!fpEnd(c)) return;
  const x = c.sse.xmm, o = i.reg << 2;
  x[o] = W32[4]; x[o + 1] = W32[5];
}

/** CVTSD2SS xmm, xmm/m64 */
export function cvtsd2ss(c: Cpu, i: Insn): void {
  loadX64(c, i);
  fpBegin(c.sse.mxcsr);
  W32[2] = S32[0]; W32[3] = S32[1];
  const r = f64ToF32();
  if (!fpEnd(c)) return;
  c.sse.xmm[i.reg << 2] = r;
}

/** CVTPS2PD xmm, xmm/m64 */
export function cvtps2pd(c: Cpu, i: Insn): void {
  loadX64(c, i);
  fpBegin(c.sse.mxcsr);
  f32ToF64(S32[0]);
  R32[0] = W32[4]; R32[1] = W32[5];
  f32ToF64(S32[1]);
  R32[2] = W32[4]; R32[3] = W32[5];
  if (!fpEnd(c)) return;
  rToXmm(c, i.reg);
}

/** CVTPD2PS xmm, xmm/m128 (upper half zeroed) */
export function cvtpd2ps(c: Cpu, i: Insn): void {
  if (!loadX128(c, i, false)) return;
  fpBegin(c.sse.mxcsr);
  W32[2] = S32[0]; W32[3] = S32[1];
  R32[0] = f64ToF32();
  W32[2] = S32[2]; W32[3] = S32[3];
  R32[1] = f64ToF32();
  R32[2] = 0; R32[3] = 0;
  if (!fpEnd(c)) return;
  rToXmm(c, i.reg);
}

/** CVTDQ2PS xmm, xmm/m128 */
export function cvtdq2ps(c: Cpu, i: Insn): void {
  if (!loadX128(c, i, false)) return;
  fpBegin(c.sse.mxcsr);
  for (let k = 0; k < 4; k++) R32[k] = i32ToF32(S32[k]);
  if (!fpEnd(c)) return;
  rToXmm(c, i.reg);
}

/** CVT(T)PS2DQ xmm, xmm/m128 (i.sub = 1: truncate) */
export function cvtps2dq(c: Cpu, i: Insn): void {
  if (!loadX128(c, i, false)) return;
  fpBegin(c.sse.mxcsr);
  for (let k = 0; k < 4; k++) R32[k] = f32ToI32(S32[k], i.sub === 1);
  if (!fpEnd(c)) return;
  rToXmm(c, i.reg);
}

/** CVTDQ2PD xmm, xmm/m64 (exact) */
export function cvtdq2pd(c: Cpu, i: Insn): void {
  loadX64(c, i);
  const f = c.sse.f64, o = i.reg << 1;
  f[o] = S32[0];
  f[o + 1] = S32[1];
}

/** CVT(T)PD2DQ xmm, xmm/m128 (upper half zeroed; i.sub = 1: truncate) */
export function cvtpd2dq(c: Cpu, i: Insn): void {
  if (!loadX128(c, i, false)) return;
  fpBegin(c.sse.mxcsr);
  W32[2] = S32[0]; W32[3] = S32[1];
  R32[0] = f64ToI32(i.sub === 1);
  W32[2] = S32[2]; W32[3] = S32[3];
  R32[1] = f64ToI32(i.sub === 1);
  R32[2] = 0; R32[3] = 0;
  if (!fpEnd(c)) return;
  rToXmm(c, i.reg);
}

/** CVTPI2PS xmm, mm/m64 (upper half kept) */
export function cvtpi2ps(c: Cpu, i: Insn): void {
  if (!i.isMem && x87Pending(c)) return;
  loadM64(c, i);
  fpBegin(c.sse.mxcsr);
  const r0 = i32ToF32(S32[0]), r1 = i32ToF32(S32[1]);
  if (!fpEnd(c)) return;
  const x = c.sse.xmm, o = i.reg << 2;
  x[o] = r0; x[o + 1] = r1;
}

/** CVTPI2PD xmm, mm/m64 (exact) */
export function cvtpi2pd(c: Cpu, i: Insn): void {
  if (!i.isMem && x87Pending(c)) return;
  loadM64(c, i);
  const f = c.sse.f64, o = i.reg << 1;
  f[o] = S32[0];
  f[o + 1] = S32[1];
}

/** CVT(T)PS2PI mm, xmm/m64 (i.sub = 1: truncate) */
export function cvtps2pi(c: Cpu, i: Insn): void {
  if (x87Pending(c)) return;
  loadX64(c, i);
  fpBegin(c.sse.mxcsr);
  const r0 = f32ToI32(S32[0], i.sub === 1), r1 = f32ToI32(S32[1], i.sub === 1);
  enterMmx(c);
  if (!fpEnd(c)) return;
  mmxOf(c).setMmx(i.reg, r0, r1);
}

/** CVT(T)PD2PI mm, xmm/m128 (i.sub = 1: truncate) */
export function cvtpd2pi(c: Cpu, i: Insn): void {
  if (x87Pending(c)) return;
  if (!loadX128(c, i, false)) return;
  fpBegin(c.sse.mxcsr);
  W32[2] = S32[0]; W32[3] = S32[1];
  const r0 = f64ToI32(i.sub === 1);
  W32[2] = S32[2]; W32[3] = S32[3];
  const r1 = f64ToI32(i.sub === 1);
  enterMmx(c);
  if (!fpEnd(c)) return;
  mmxOf(c).setMmx(i.reg, r0, r1);
}

/** The x87 unit enters MMX mode at the start of an instruction with an MMX destination. */
function enterMmx(c: Cpu): void {
  mmxOf(c).getMmxLo(0);
}

// ---- logic, shuffles, unpacks, sign masks ---------------------------------------------------

/** ANDPS ANDNPS ORPS XORPS (and the PD forms): i.sub = 0 and, 1 andn, 2 or, 3 xor. */
export function logicPS(c: Cpu, i: Insn): void {
  if (!loadX128(c, i, false)) return;
  const x = c.sse.xmm, o = i.reg << 2;
  switch (i.sub) {
    case 0: for (let k = 0; k < 4; k++) x[o + k] &= S32[k]; break;
    case 1: for (let k = 0; k < 4; k++) x[o + k] = ~x[o + k] & S32[k]; break;
    case 2: for (let k = 0; k < 4; k++) x[o + k] |= S32[k]; break;
    default: for (let k = 0; k < 4; k++) x[o + k] ^= S32[k]; break;
  }
}

export function shufps(c: Cpu, i: Insn): void {
  if (!loadX128(c, i, false)) return;
  xmmToD(c, i.reg);
  const m = i.imm;
  R32[0] = D32[m & 3];
  R32[1] = D32[(m >> 2) & 3];
  R32[2] = S32[(m >> 4) & 3];
  R32[3] = S32[(m >> 6) & 3];
  rToXmm(c, i.reg);
}

export function shufpd(c: Cpu, i: Insn): void {
  if (!loadX128(c, i, false)) return;
  xmmToD(c, i.reg);
  const a = (i.imm & 1) << 1, b = i.imm & 2;
  R32[0] = D32[a]; R32[1] = D32[a + 1];
  R32[2] = S32[b]; R32[3] = S32[b + 1];
  rToXmm(c, i.reg);
}

/** UNPCKLPS (i.sub 0), UNPCKHPS (1), UNPCKLPD (2), UNPCKHPD (3). */
export function unpckps(c: Cpu, i: Insn): void {
  if (!loadX128(c, i, false)) return;
  xmmToD(c, i.reg);
  switch (i.sub) {
    case 0: R32[0] = D32[0]; R32[1] = S32[0]; R32[2] = D32[1]; R32[3] = S32[1]; break;
    case 1: R32[0] = D32[2]; R32[1] = S32[2]; R32[2] = D32[3]; R32[3] = S32[3]; break;
    case 2: R32[0] = D32[0]; R32[1] = D32[1]; R32[2] = S32[0]; R32[3] = S32[1]; break;
    default: R32[0] = D32[2]; R32[1] = D32[3]; R32[2] = S32[2]; R32[3] = S32[3]; break;
  }
  rToXmm(c, i.reg);
}

export function movmskps(c: Cpu, i: Insn): void {
  const x = c.sse.xmm, o = i.rm << 2;
  c.regs[i.reg] = (x[o] >>> 31) | ((x[o + 1] >>> 31) << 1) | ((x[o + 2] >>> 31) << 2) | ((x[o + 3] >>> 31) << 3);
}

export function movmskpd(c: Cpu, i: Insn): void {
  const x = c.sse.xmm, o = i.rm << 2;
  c.regs[i.reg] = (x[o + 1] >>> 31) | ((x[o + 3] >>> 31) << 1);
}
