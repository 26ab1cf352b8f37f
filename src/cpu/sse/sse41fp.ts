// SSE4.1 floating point: ROUNDPS/PD/SS/SD (to an integral value by imm8[1:0] or MXCSR.RC when
// imm8[2] is set; imm8[3] suppresses the precision exception; only an SNaN raises IE, and
// denormal operands raise nothing, read as zero under DAZ) and DPPS/DPPD (products and sums
// rounded one by one, as the SDM's pseudo-code orders them).
import type { Cpu } from '../cpu.js';
import type { Insn } from '../insn.js';
import { Stop } from '../stop.js';
import { OP_ADD, OP_MUL, W32, bitsToF32, f32Binary, f32ToBits, f64Binary, fpBegin, fpEnd } from './fp.js';
import { D32, R32, S32, loadX128, loadX32, loadX64, rToXmm, xmmToD } from './operand.js';
import { MX_DAZ, MX_IE, MX_MASK_SHIFT, MX_PE } from './sse.js';

let flags = 0;
/** DPPS/DPPD products (words). */
const P = new Int32Array(4);
const cbuf = new ArrayBuffer(8);
const cI = new Int32Array(cbuf);
const cD = new Float64Array(cbuf);

function roundMode(c: Cpu, imm: number): number {
  return imm & 4 ? (c.sse.mxcsr >> 13) & 3 : imm & 3;
}

function roundValue(x: number, mode: number): number {
  switch (mode) {
    case 0:
      if (Math.abs(x - Math.trunc(x)) === 0.5) return 2 * Math.round(x / 2);
      return Math.round(x);
    case 1: return Math.floor(x);
    case 2: return Math.ceil(x);
    default: return Math.trunc(x);
  }
}

function round32(c: Cpu, b: number, mode: number, imm: number): number {
  if ((b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0) {
    if ((b & 0x400000) === 0) flags |= MX_IE;
    return b | 0x400000;
  }
  if ((b & 0x7f800000) === 0 && (c.sse.mxcsr & MX_DAZ)) return b & 0x80000000;
  const x = bitsToF32(b), r = roundValue(x, mode);
  if (r !== x && !(imm & 8)) flags |= MX_PE;
  return f32ToBits(r);
}

/** Rounds the double in cI[0..1] in place. */
function round64(c: Cpu, mode: number, imm: number): void {
  const hi = cI[1];
  if ((hi & 0x7ff00000) === 0x7ff00000 && ((hi & 0xfffff) !== 0 || cI[0] !== 0)) {
    if ((hi & 0x80000) === 0) flags |= MX_IE;
    cI[1] = hi | 0x80000;
    return;
  }
  if ((hi & 0x7ff00000) === 0 && (c.sse.mxcsr & MX_DAZ)) { cI[0] = 0; cI[1] = hi & 0x80000000; return; }
  const x = cD[0], r = roundValue(x, mode);
  if (r !== x && !(imm & 8)) flags |= MX_PE;
  cD[0] = r;
}

/**
 * Commits flags; false (after #XM) when one is unmasked. An unmasked IE (an SNaN operand, seen
 * before any result is formed) is recorded alone, without the other lanes' PE.
 */
function commit(c: Cpu): boolean {
  const unmasked = ~(c.sse.mxcsr >> MX_MASK_SHIFT) & 0x3f;
  if (flags & unmasked & MX_IE) flags = MX_IE;
  c.sse.mxcsr |= flags;
  if (flags & unmasked) {
    c.fault(Stop.FloatingPoint, 19);
    return false;
  }
  return true;
}

/** ROUNDPS (sub 8), ROUNDPD (9), ROUNDSS (0A), ROUNDSD (0B) xmm, xmm/m, imm8. */
export function roundOp(c: Cpu, i: Insn): void {
  const op = i.sub, mode = roundMode(c, i.imm);
  if (op === 0x0a) loadX32(c, i);
  else if (op === 0x0b) loadX64(c, i);
  else if (!loadX128(c, i, false)) return;
  flags = 0;
  xmmToD(c, i.reg);
  R32.set(D32);
  if (op === 0x08 || op === 0x0a) {
    for (let k = 0; k < (op === 0x08 ? 4 : 1); k++) R32[k] = round32(c, S32[k], mode, i.imm);
  } else {
    for (let k = 0; k < (op === 0x09 ? 4 : 2); k += 2) {
      cI[0] = S32[k]; cI[1] = S32[k + 1];
      round64(c, mode, i.imm);
      R32[k] = cI[0]; R32[k + 1] = cI[1];
    }
  }
  if (!commit(c)) return;
  rToXmm(c, i.reg);
}

/**
 * Ends one stage of DPPS/DPPD and begins the next: its flags go into MXCSR, and an unmasked one
 * raises #XM there, before the later stages run (false then).
 */
function dpStage(c: Cpu): boolean {
  if (!fpEnd(c)) return false;
  fpBegin(c.sse.mxcsr);
  return true;
}

/**
 * DPPS (sub 0x40) / DPPD (0x41) xmm, xmm/m128, imm8. Which MXCSR flags an edge case sets is the
 * SDM's: every product and sum is a separately rounded operation, and "exceptions are
 * determined separately for each add and multiply operation, in the order of their execution";
 * an unmasked one leaves the destination unchanged. The stages are those of Bochs' model of
 * the Intel hardware: the products, the pair sums (DPPS), the final sum, each checked before
 * the next runs, so an unmasked exception of the products reports only their flags. (The AMD
 * host of the difftest fuses some of these steps and reports other flags for tiny, huge or
 * inexact intermediates, so DPPS/DPPD are compared on their results only; see
 * test/cpu/sse/dotProductFlags.test.ts.)
 */
export function dotProduct(c: Cpu, i: Insn): void {
  if (!loadX128(c, i, false)) return;
  xmmToD(c, i.reg);
  fpBegin(c.sse.mxcsr);
  const m = i.imm;
  if (i.sub === 0x40) {
    for (let k = 0; k < 4; k++) P[k] = (m >> (4 + k)) & 1 ? f32Binary(OP_MUL, D32[k], S32[k]) : 0;
    if (!dpStage(c)) return;
    const lo = f32Binary(OP_ADD, P[0], P[1]), hi = f32Binary(OP_ADD, P[2], P[3]);
    if (!dpStage(c)) return;
    const t = f32Binary(OP_ADD, lo, hi);
    for (let k = 0; k < 4; k++) R32[k] = (m >> k) & 1 ? t : 0;
  } else {
    P.fill(0);
    for (let k = 0; k < 2; k++) {
      if ((m >> (4 + k)) & 1) {
        W32[0] = D32[2 * k]; W32[1] = D32[2 * k + 1]; W32[2] = S32[2 * k]; W32[3] = S32[2 * k + 1];
        f64Binary(OP_MUL);
        P[2 * k] = W32[4]; P[2 * k + 1] = W32[5];
      }
    }
    if (!dpStage(c)) return;
    W32[0] = P[0]; W32[1] = P[1]; W32[2] = P[2]; W32[3] = P[3];
    f64Binary(OP_ADD);
    for (let k = 0; k < 2; k++) {
      R32[2 * k] = (m >> k) & 1 ? W32[4] : 0; R32[2 * k + 1] = (m >> k) & 1 ? W32[5] : 0;
    }
  }
  if (!fpEnd(c)) return;
  rToXmm(c, i.reg);
}
