// MUL, IMUL (one-, two- and three-operand forms), DIV and IDIV. 32x32→64 products are built from
// 16-bit pieces and 64/32 divisions from 16-bit digits, so every intermediate is exact in a double.
import type { Cpu } from '../cpu.js';
import { L_NONE, PARITY, SZ_MASK } from '../cpu.js';
import type { Insn } from '../insn.js';
import { Stop } from '../stop.js';
import { ARITH_FLAGS, CF, EAX, EDX, OF, SF, ZF } from '../registers.js';

/** High 32 bits of the unsigned product of two uint32 values (as int32). */
export function mulHiU32(a: number, b: number): number {
  const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16;
  const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return (p11 + (p01 >>> 16) + (p10 >>> 16) + Math.floor(mid / 65536)) | 0;
}

/** High 32 bits of the signed product of two int32 values. */
export function mulHiS32(a: number, b: number): number {
  let hi = mulHiU32(a >>> 0, b >>> 0);
  if (a < 0) hi = (hi - b) | 0;
  if (b < 0) hi = (hi - a) | 0;
  return hi;
}

/** Flags after a multiply: CF = OF = overflow; SF ZF PF from the low half (AF cleared). */
function mulFlags(c: Cpu, overflow: boolean, lo: number, sz: number): void {
  const m = SZ_MASK[sz];
  let f = PARITY[lo & 0xff];
  if ((lo & m) === 0) f |= ZF;
  if (lo & ((m >>> 1) + 1)) f |= SF;
  if (overflow) f |= CF | OF;
  c.flags = (c.flags & ~ARITH_FLAGS) | f;
  c.lazyOp = L_NONE;
}

/** Group 3 MUL (sub 4) / IMUL (sub 5) with the accumulator. */
export function mulAcc(c: Cpu, i: Insn): void {
  const v = c.readRm(i);
  const r = c.regs;
  const signed = i.sub === 5;
  if (i.sz === 0) {
    const p = signed ? ((r[EAX] << 24) >> 24) * ((v << 24) >> 24) : (r[EAX] & 0xff) * v;
    r[EAX] = (r[EAX] & ~0xffff) | (p & 0xffff);
    const ovf = signed ? p !== ((p << 24) >> 24) : (p & 0xff00) !== 0;
    mulFlags(c, ovf, p, 0);
  } else if (i.sz === 1) {
    const p = signed ? ((r[EAX] << 16) >> 16) * ((v << 16) >> 16) : (r[EAX] & 0xffff) * v;
    r[EAX] = (r[EAX] & ~0xffff) | (p & 0xffff);
    r[EDX] = (r[EDX] & ~0xffff) | ((p >> 16) & 0xffff);
    const ovf = signed ? p !== ((p << 16) >> 16) : (p >>> 16) !== 0;
    mulFlags(c, ovf, p, 1);
  } else {
    const a = r[EAX];
    const lo = Math.imul(a, v);
    const hi = signed ? mulHiS32(a, v) : mulHiU32(a >>> 0, v >>> 0);
    r[EAX] = lo;
    r[EDX] = hi;
    mulFlags(c, signed ? hi !== (lo >> 31) : hi !== 0, lo, 2);
  }
}

function imulTrunc(c: Cpu, i: Insn, x: number, y: number): void {
  if (i.sz === 1) {
    const p = ((x << 16) >> 16) * ((y << 16) >> 16);
    c.setReg(1, i.reg, p);
    mulFlags(c, p !== ((p << 16) >> 16), p, 1);
  } else {
    const lo = Math.imul(x, y);
    const hi = mulHiS32(x, y);
    c.regs[i.reg] = lo;
    mulFlags(c, hi !== (lo >> 31), lo, 2);
  }
}

/** IMUL Gv, Ev (0F AF) */
export function imulGE(c: Cpu, i: Insn): void {
  imulTrunc(c, i, c.getReg(i.sz, i.reg), c.readRm(i));
}
/** IMUL Gv, Ev, imm (69, 6B) */
export function imulGEI(c: Cpu, i: Insn): void {
  imulTrunc(c, i, c.readRm(i), i.imm);
}

/** Unsigned (hi:lo) / d for hi < d (all uint32); returns the quotient, remainder in divRem. */
let divRem = 0;
function udiv64(hi: number, lo: number, d: number): number {
  if (hi === 0) {
    divRem = lo % d;
    return Math.floor(lo / d);
  }
  let cur = hi * 65536 + (lo >>> 16);
  const q1 = Math.floor(cur / d);
  cur = (cur - q1 * d) * 65536 + (lo & 0xffff);
  const q0 = Math.floor(cur / d);
  divRem = cur - q0 * d;
  return q1 * 65536 + q0;
}

/** Group 3 DIV (sub 6) / IDIV (sub 7). */
export function divAcc(c: Cpu, i: Insn): void {
  const v = c.readRm(i);
  const r = c.regs;
  const signed = i.sub === 7;
  if (i.sz === 0) {
    const n = signed ? (r[EAX] << 16) >> 16 : r[EAX] & 0xffff;
    const d = signed ? (v << 24) >> 24 : v & 0xff;
    if (d === 0) return c.fault(Stop.DivideError, 0);
    const q = Math.trunc(n / d);
    if (signed ? q > 127 || q < -128 : q > 0xff) return c.fault(Stop.DivideError, 0);
    const rem = n - q * d;
    r[EAX] = (r[EAX] & ~0xffff) | ((rem & 0xff) << 8) | (q & 0xff);
  } else if (i.sz === 1) {
    const n = signed ? ((r[EDX] << 16) | (r[EAX] & 0xffff)) : (((r[EDX] & 0xffff) << 16) | (r[EAX] & 0xffff)) >>> 0;
    const d = signed ? (v << 16) >> 16 : v & 0xffff;
    if (d === 0) return c.fault(Stop.DivideError, 0);
    const q = Math.trunc(n / d);
    if (signed ? q > 32767 || q < -32768 : q > 0xffff) return c.fault(Stop.DivideError, 0);
    const rem = n - q * d;
    r[EAX] = (r[EAX] & ~0xffff) | (q & 0xffff);
    r[EDX] = (r[EDX] & ~0xffff) | (rem & 0xffff);
  } else if (!signed) {
    const d = v >>> 0;
    const hi = r[EDX] >>> 0;
    if (d === 0 || hi >= d) return c.fault(Stop.DivideError, 0);
    const q = udiv64(hi, r[EAX] >>> 0, d);
    r[EAX] = q | 0;
    r[EDX] = divRem | 0;
  } else {
    let hi = r[EDX], lo = r[EAX];
    const neg = hi < 0;
    if (neg) { // negate the 64-bit dividend
      lo = -lo | 0;
      hi = (~hi + (lo === 0 ? 1 : 0)) | 0;
    }
    const d = v < 0 ? -v >>> 0 : v >>> 0;
    if (d === 0 || (hi >>> 0) >= d) return c.fault(Stop.DivideError, 0);
    const q = udiv64(hi >>> 0, lo >>> 0, d);
    const qneg = neg !== (v < 0);
    if (qneg ? q > 0x80000000 : q > 0x7fffffff) return c.fault(Stop.DivideError, 0);
    r[EAX] = qneg ? -q | 0 : q | 0;
    r[EDX] = neg ? -divRem | 0 : divRem | 0;
  }
}
