// x87 FPU: register stack, control/status/tag words, and the D8..DF instructions.
//
// Extended precision: each physical register R0..R7 is three typed-array slots — `se`
// (sign << 15 | 15-bit biased exponent), `hi` and `lo` (the 64-bit significand with its
// explicit integer bit, as two uint32) — so an 80-bit `long double` round-trips exactly. All
// arithmetic is the soft-float in float80.ts: IEEE rounding in the four modes, precision
// control (24/53/64 bits, with the extended exponent range), denormals, pseudo-denormals and
// unsupported encodings, the x87 NaN rules, tininess after rounding, and the ±0x6000 exponent
// bias of unmasked overflow/underflow. The transcendentals (transcendental.ts) are computed in
// a BigInt floating point with ~128-bit significands, with the steps of the CPU's microcode
// that have been identified (67-bit chopped intermediates and constants, the 66-bit π of the
// argument reduction) reproduced exactly, and rounded once.
//
// Where results may differ from the host CPU — measured by test/cpu/fpu/*.test.ts, which run
// every case on the real CPU through native/fpuharness.c and compare the FNSAVE image, memory,
// EAX and EFLAGS bit for bit:
//   * Bit-exact on every sample (tens of thousands of random operands weighted toward ±0,
//     denormals, infinities, NaNs, extreme exponents, all rounding modes, precisions and
//     exception masks): loads/stores at 32/64/80 bits, FILD/FIST(P)/FISTTP 16/32/64, FBLD/FBSTP,
//     FADD/FSUB(R)/FMUL/FDIV(R) in every form, FSQRT, FPREM/FPREM1, FRNDINT, FSCALE, FXTRACT,
//     FCHS/FABS, the compares (FCOM*, FUCOM*, FICOM*, FCOMI*, FTST, FXAM), FCMOVcc, FXCH, the
//     constants in every rounding mode, FNSTENV/FLDENV/FNSAVE/FRSTOR/FXSAVE/FXRSTOR images,
//     FLDCW/FNSTSW/FNCLEX/FNINIT, stack overflow/underflow, unmasked exceptions and #MF, and
//     random multi-instruction sequences.
//   * Transcendentals: the hardware is not correctly rounded (Intel documents < 1 ulp); its
//     microcode works on 67-bit significands that it chops (truncates) after each step, with
//     tables for sin/cos and atan. What is reproduced exactly, and what is not, is listed
//     in transcendental.ts; where not, the result sometimes differs by one ulp, or only in C1 —
//     never more on in-domain operands. Bit-exact rates on this host (Intel family 6 model
//     167), 5000 operands each, 80% of them round-to-nearest: FPATAN 99.96%, FYL2XP1 99.8%,
//     F2XM1 99.6%, FYL2X 99.5%, FSIN 99.4%, FCOS 99.2%, FSINCOS 98.9%, FPTAN 98.8%;
//     bit-exact on every sample: F2XM1 |x| < 1/64, FSIN/FCOS/FSINCOS/FPTAN |x| < 1/8, FPATAN
//     with a ratio below 1/32, FYL2X of powers of two, FYL2XP1 |x| < 1/1024. The status word, stack and flags around
//     them (stack faults, unmasked exceptions, #MF) match. Tiny-argument shortcuts and
//     out-of-domain behaviour (F2XM1 with |x| > 1 and FYL2XP1 with x ≤ −1 return x with PE)
//     follow the host. FYL2XP1 with denormal or near-denormal x differs by more
//     than an ulp (the host is inaccurate there).
//
// Host facts this follows (checked with the harness): FCS and FDS read 0 (the CPU deprecates
// them); FOP and FDP are only recorded for an instruction that raises an unmasked exception
// (FIP is recorded for every non-control instruction); the reserved upper halves of the
// FNSTENV/FNSAVE words read 0xFFFF; FLDCW keeps bits 0-5 and 8-12 and reads bit 6 as 1; loading
// the control or status word (and FNSTENV's masking) re-derives ES and B; FXSAVE writes bytes
// 0..287 only. MMX registers alias R0..R7's significands (see getMmxLo/setMmx).
import type { Cpu } from '../cpu.js';
import { Stop } from '../stop.js';
import {
  add, BIAS, C_DENORMAL, C_INF, C_NORMAL, C_QNAN, C_SNAN, C_UNSUPPORTED, C_ZERO, classify, CMP_EQ,
  CMP_GT, CMP_LT, CMP_UN, compare, DE, div, F, fromF32, fromF64, fromInt32, fromInt64, IE,
  INDEF_HI, INDEF_LO, INDEF_SE, mul, pcBits, PE, roundInt, sqrt, toFloat, toInt, toNumber, UE, OE,
  unpackTo,
  ZE, SF,
} from './float80.js';
import * as T from './transcendental.js';
import { fprem, PREM_PARTIAL } from './remainder.js';
import { MXCSR_MASK, type Sse } from '../sse/sse.js';

/** FXSAVE in 32-bit mode writes bytes 0..287 (through XMM7). */
export const FXSAVE_WRITTEN = 288;
/** Size of the 32-bit FNSTENV environment that starts an FNSAVE image / fregs_state. */
const FNSAVE_ENV = 28;
/** sizeof(struct fregs_state): the FNSAVE image (108 bytes), status and magic. */
export const FREGS_STATE_SIZE = 112;
/** sizeof(struct fxregs_state). */
export const FXSAVE_SIZE = 512;

// Status word bits.
const SW_ES = 0x80, SW_C0 = 0x100, SW_C1 = 0x200, SW_C2 = 0x400, SW_C3 = 0x4000, SW_B = 0x8000;
const SW_CC = SW_C0 | SW_C1 | SW_C2 | SW_C3;
// EFLAGS bits used by FCOMI/FUCOMI.
const FL_CF = 0x1, FL_PF = 0x4, FL_AF = 0x10, FL_ZF = 0x40, FL_SF = 0x80, FL_OF = 0x800;

/** Constants loaded by FLD1..FLDZ (round-to-nearest values; see loadConstant for the others). */
const CONST_SE = [0x3fff, 0x4000, 0x3fff, 0x4000, 0x3ffd, 0x3ffe, 0];
const CONST_HI = [0x80000000, 0xd49a784b, 0xb8aa3b29, 0xc90fdaa2, 0x9a209a84, 0xb17217f7, 0];
const CONST_LO = [0, 0xcd1b8afe, 0x5c17f0bc, 0x2168c235, 0xfbcff799, 0xd1cf79ac, 0];
/**
 * For each constant: the rounding of the infinitely precise value decides whether RD/RZ (and
 * RU) give one ulp less: +1 means the stored nearest value was rounded up (so RD and RZ give
 * lo - 1), -1 means it was rounded down (RU gives lo + 1), 0 exact.
 */
const CONST_DIR = [0, -1, 1, 1, 1, 1, 0];

const UNPACKED = { s: 0, e: 0, h: 0, l: 0 };

/** Full state image for snapshot()/restore(). */
export interface FpuState {
  cw: number;
  sw: number;
  top: number;
  empty: number;
  se: number[];
  hi: number[];
  lo: number[];
  fip: number;
  fcs: number;
  fop: number;
  fdp: number;
  fds: number;
}

export interface FpuRegView {
  /** Approximate value as a JS number. */
  value: number;
  /** Raw 80-bit value: sign/exponent word, significand high and low dwords. */
  se: number;
  hi: number;
  lo: number;
  /** 'valid' | 'zero' | 'special' | 'empty' (the full tag). */
  tag: string;
}

/**
 * The environment/save image stores check their first field, then their last byte: an image
 * that runs into a bad page faults at its last byte, as the host reports.
 */
function probeImage(c: Cpu, ea: number, size: number, firstField: number): void {
  c.mmu.probeWrite(ea, firstField);
  c.mmu.probeWrite((ea + size - 1) | 0, 1);
  c.mmu.probeWrite(ea, size);
}

/**
 * Before an 8-byte store written as two dwords (or the first 8 bytes of a longer one): a store
 * that crosses into a bad page must fault before its first half is written. Within one page
 * the first write faults first anyway, so the probe (a full page walk) is only needed across
 * a page boundary, or when the debugger's access hook must see the whole store.
 */
function probe8(c: Cpu, ea: number): void {
  if ((ea & 0xfff) > 0xff8 || c.mmu.onAccess !== null) c.mmu.probeWrite(ea, 8);
}

// A normal float64 (exponent field 1..0x7FE) widens exactly and raises nothing, so the memory
// forms take its extended form directly instead of going through fromF64() and F: the sign,
// the exponent rebiased, and the 52-bit fraction under an explicit integer bit (int32 words).
function isNormalF64(hi: number): boolean {
  const e = (hi >>> 20) & 0x7ff;
  return e !== 0 && e !== 0x7ff;
}
function f64Se(hi: number): number {
  return ((hi >>> 16) & 0x8000) | (((hi >>> 20) & 0x7ff) + BIAS - 1023);
}
function f64Hi(hi: number, lo: number): number {
  return 0x80000000 | ((hi & 0xfffff) << 11) | (lo >>> 21);
}

/** Clears the soft-float's exception, denormal-operand and rounded-up scratch before an operation. */
function clearExc(): void {
  F.exc = 0;
  F.den = 0;
  F.up = 0;
}

/** The memory forms that store ST(0): FST/FSTP, FIST/FISTP/FISTTP, FSTP m80, FBSTP. */
function isStore(op: number, reg: number): boolean {
  switch (op) {
    case 0xd9: return reg === 2 || reg === 3;
    case 0xdb: return (reg >= 1 && reg <= 3) || reg === 7;
    case 0xdd: return reg >= 1 && reg <= 3;
    case 0xdf: return (reg >= 1 && reg <= 3) || reg >= 6;
    default: return false;
  }
}

/** False for the D8-DF encodings that raise #UD. */
function validEncoding(op: number, modrm: number): boolean {
  const reg = (modrm >> 3) & 7;
  if (modrm < 0xc0) {
    if (op === 0xd9) return reg !== 1;
    if (op === 0xdb) return reg !== 4 && reg !== 6;
    if (op === 0xdd) return reg !== 5;
    return true;
  }
  switch (op) {
    case 0xd9:
      if (modrm >= 0xd1 && modrm <= 0xd7) return false;
      return modrm !== 0xe2 && modrm !== 0xe3 && modrm !== 0xe6 && modrm !== 0xe7 && modrm !== 0xef;
    case 0xda:
      return modrm < 0xe0 || modrm === 0xe9;
    case 0xdb:
      if (modrm >= 0xe0 && modrm <= 0xe7) return modrm <= 0xe4;
      return modrm < 0xf8;
    case 0xdd:
      return modrm < 0xf0;
    case 0xde:
      return !(modrm >= 0xd8 && modrm < 0xe0) || modrm === 0xd9;
    case 0xdf:
      if (modrm >= 0xe0 && modrm < 0xe8) return modrm === 0xe0;
      return modrm < 0xf8;
    default:
      return true;
  }
}

/** D8/DC/DE register forms of FADD FMUL FSUB(R) FDIV(R) (and their popping forms). */
function isArithReg(op: number, reg: number): boolean {
  return (op === 0xd8 || op === 0xdc || op === 0xde) && reg !== 2 && reg !== 3;
}

// What exec() does with each escape byte (low 3 bits) and ModRM byte, decided once.
const FORM_INVALID = 0, FORM_NOWAIT = 1, FORM_STORE = 2, FORM_MEM = 3, FORM_REG = 4, FORM_ARITH = 5;
const FORMS = new Uint8Array(8 * 256);
for (let op = 0xd8; op <= 0xdf; op++) {
  for (let modrm = 0; modrm < 256; modrm++) {
    const reg = (modrm >> 3) & 7;
    let form: number;
    // Control instructions that do not wait for pending exceptions and do not record FIP.
    if (modrm < 0xc0 ? (op === 0xd9 || op === 0xdd) && reg >= 6 : (op === 0xdb && modrm >= 0xe0 && modrm <= 0xe4) || (op === 0xdf && modrm === 0xe0)) form = FORM_NOWAIT;
    else if (!validEncoding(op, modrm)) form = FORM_INVALID;
    else if (modrm >= 0xc0) form = isArithReg(op, reg) ? FORM_ARITH : FORM_REG;
    else form = isStore(op, reg) ? FORM_STORE : FORM_MEM;
    FORMS[((op & 7) << 8) | modrm] = form;
  }
}

export class Fpu {
  /** Control word (FNINIT: 0x037F). */
  cw = 0x037f;
  /** Status word without the TOP field (bits 11-13 always 0 here; see getSw()). */
  sw = 0;
  /** Stack top (physical register number of ST(0)). */
  top = 0;
  /** Bit i set: physical register i is empty. */
  empty = 0xff;
  readonly se = new Uint16Array(8);
  readonly hi = new Uint32Array(8);
  readonly lo = new Uint32Array(8);
  /** Last instruction pointer, opcode (11 bits) and data pointer. */
  /** Set by the decoder's hand-off for each instruction: a 0x66 prefix selects 16-bit images. */
  o16 = false;
  private readonly envWords = new Int32Array(6);
  private readonly rstorScratch = new Int32Array(24);
  /** FXSAVE/FXRSTOR stage the image here between the MMU and fxsaveTo/fxrstorFrom. */
  private readonly fxScratch = new DataView(new ArrayBuffer(512));
  fip = 0;
  fcs = 0;
  fop = 0;
  fdp = 0;
  fds = 0;

  reset(): void {
    this.cw = 0x037f;
    this.sw = 0;
    this.top = 0;
    this.empty = 0xff;
    this.fip = 0;
    this.fcs = 0;
    this.fop = 0;
    this.fdp = 0;
    this.fds = 0;
  }

  // ---- views for the debugger and the rest of the CPU --------------------------------------

  /** Status word including TOP. */
  getSw(): number {
    return (this.sw & ~0x3800) | (this.top << 11);
  }

  /** Full tag word (2 bits per physical register: 0 valid, 1 zero, 2 special, 3 empty). */
  getTagWord(): number {
    let t = 0;
    for (let i = 0; i < 8; i++) t |= this.tagOf(i) << (2 * i);
    return t;
  }

  private tagOf(p: number): number {
    if ((this.empty >> p) & 1) return 3;
    const c = classify(this.se[p], this.hi[p], this.lo[p]);
    return c === C_NORMAL ? 0 : c === C_ZERO ? 1 : 2;
  }

  /** ST(i) for display. */
  st(i: number): FpuRegView {
    const p = (this.top + i) & 7;
    return {
      value: (this.empty >> p) & 1 ? NaN : toNumber(this.se[p], this.hi[p], this.lo[p]),
      se: this.se[p],
      hi: this.hi[p],
      lo: this.lo[p],
      tag: ['valid', 'zero', 'special', 'empty'][this.tagOf(p)],
    };
  }

  /** ST(i) as a JS number (NaN when empty). */
  stValue(i: number): number {
    return this.st(i).value;
  }

  snapshot(): FpuState {
    return {
      cw: this.cw, sw: this.sw, top: this.top, empty: this.empty,
      se: Array.from(this.se), hi: Array.from(this.hi), lo: Array.from(this.lo),
      fip: this.fip, fcs: this.fcs, fop: this.fop, fdp: this.fdp, fds: this.fds,
    };
  }

  restore(s: FpuState): void {
    this.cw = s.cw;
    this.sw = s.sw;
    this.top = s.top;
    this.empty = s.empty;
    this.se.set(s.se);
    this.hi.set(s.hi);
    this.lo.set(s.lo);
    this.fip = s.fip;
    this.fcs = s.fcs;
    this.fop = s.fop;
    this.fdp = s.fdp;
    this.fds = s.fds;
  }

  // ---- MMX aliasing ---------------------------------------------------------------------

  /** An MMX instruction: TOP = 0 and every register tagged valid. */
  mmxEnter(): void {
    this.top = 0;
    this.empty = 0;
  }

  /** Low dword of MMn (physical register n). Counts as MMX use (TOP = 0, all tags valid). */
  getMmxLo(n: number): number {
    this.mmxEnter();
    return this.lo[n & 7] | 0;
  }

  getMmxHi(n: number): number {
    this.mmxEnter();
    return this.hi[n & 7] | 0;
  }

  /** Reads MMn without the MMX side effects (debugger). */
  peekMmx(n: number): { lo: number; hi: number } {
    return { lo: this.lo[n & 7] | 0, hi: this.hi[n & 7] | 0 };
  }

  setMmx(n: number, lo: number, hi: number): void {
    this.mmxEnter();
    n &= 7;
    this.lo[n] = lo >>> 0;
    this.hi[n] = hi >>> 0;
    this.se[n] = 0xffff;
  }

  /** EMMS: every tag empty, and TOP = 0 as the host shows. */
  emms(): void {
    this.empty = 0xff;
    this.top = 0;
  }

  /**
   * An MMX store sets TOP = 0 before its memory access (the tags change only once it has
   * written): a store that page-faults leaves TOP = 0 and the tags as they were, as on the host.
   */
  mmxStoreStart(): void {
    this.top = 0;
  }

  // ---- stack helpers ------------------------------------------------------------------------

  private phys(i: number): number {
    return (this.top + i) & 7;
  }

  private isEmpty(i: number): boolean {
    return ((this.empty >> ((this.top + i) & 7)) & 1) !== 0;
  }

  private setPhys(p: number, se: number, hi: number, lo: number): void {
    this.se[p] = se;
    this.hi[p] = hi;
    this.lo[p] = lo;
    this.empty &= ~(1 << p);
  }

  private setSt(i: number, se: number, hi: number, lo: number): void {
    this.setPhys((this.top + i) & 7, se, hi, lo);
  }

  private pop(): void {
    this.empty |= 1 << this.top;
    this.top = (this.top + 1) & 7;
  }

  private push(se: number, hi: number, lo: number): void {
    this.top = (this.top - 1) & 7;
    this.setPhys(this.top, se, hi, lo);
  }

  /** C1 ← v (0 or 1), without a branch: after rounding it is the unpredictable "rounded up". */
  private setC1(v: number): void {
    this.sw = (this.sw & ~SW_C1) | ((v & 1) << 9);
  }

  private setCC(c3: number, c2: number, c1: number, c0: number): void {
    this.sw = (this.sw & ~SW_CC) | (c3 ? SW_C3 : 0) | (c2 ? SW_C2 : 0) | (c1 ? SW_C1 : 0) | (c0 ? SW_C0 : 0);
  }

  /**
   * Records exception flags; returns true when one of them is unmasked (ES and B are set, and
   * FOP/FDP are recorded as the CPU does only for such an instruction).
   */
  private raise(exc: number): boolean {
    if (exc === 0) return false;
    this.sw |= exc;
    if (exc & ~this.cw & 0x3f) {
      this.sw |= SW_ES | SW_B;
      this.fop = this.curOp;
      if (this.curMem) this.fdp = this.curEa;
      return true;
    }
    return false;
  }

  /** Re-derives ES and B from the flags and masks (after FLDCW, FLDENV, FRSTOR, FXRSTOR). */
  private updateEs(): void {
    if (this.sw & ~this.cw & 0x3f) this.sw |= SW_ES | SW_B;
    else this.sw &= ~(SW_ES | SW_B);
  }

  /** IE + SF for a stack fault; C1 = 1 for overflow, 0 for underflow. Returns true if unmasked. */
  private stackFault(overflow: boolean): boolean {
    this.setC1(overflow ? 1 : 0);
    return this.raise(IE | SF);
  }

  /** True when a result with these exception flags must not be stored (unmasked IE/ZE/DE). */
  private blocked(exc: number): boolean {
    return (exc & ~this.cw & (IE | ZE | DE)) !== 0;
  }

  // Current instruction (for FOP/FDP on unmasked exceptions).
  private curOp = 0;
  private curMem = false;
  private curEa = 0;

  /** FWAIT / a waiting instruction: #MF if an unmasked exception is pending. */
  fwait(c: Cpu): void {
    if (this.sw & SW_ES) c.fault(Stop.FloatingPoint, 16);
  }

  // ---- the instruction dispatcher ---------------------------------------------------------
  //
  // exec() gets no prefix information, so the operand-size (0x66) forms of FNSTENV, FLDENV,
  // FNSAVE and FRSTOR (14- and 94-byte images) are not distinguished: the 32-bit protected-mode
  // layout is always used (it is the only one 32-bit Linux code uses).

  exec(c: Cpu, op: number, modrm: number, ea: number): void {
    const form = FORMS[((op & 7) << 8) | modrm];
    const reg = (modrm >> 3) & 7;
    if (form === FORM_NOWAIT) {
      this.execNoWait(c, op, modrm < 0xc0 ? reg : modrm, ea);
      return;
    }
    if (form === FORM_INVALID) {
      c.fault(Stop.InvalidOpcode, 6);
      return;
    }
    if (this.sw & SW_ES) {
      c.fault(Stop.FloatingPoint, 16);
      return;
    }
    this.curOp = ((op & 7) << 8) | modrm;
    this.curMem = form === FORM_STORE || form === FORM_MEM;
    this.curEa = ea;
    if (form === FORM_ARITH) {
      // The commonest register forms, without going through execReg().
      this.fip = c.prevEip;
      this.arithRegForm(op, reg, modrm & 7);
    } else if (form === FORM_REG) this.execReg(c, op, modrm);
    else if (form === FORM_STORE) this.execStore(c, op, reg, ea);
    else this.execMem(c, op, reg, ea);
  }

  // ---- decoded entry points for the hottest forms ------------------------------------------
  //
  // fpuHandlers.ts picks these at decode time for the forms compilers emit in loops, so they
  // skip exec()'s table look-up and its per-escape switches. Each begins as exec() does (#MF
  // on a pending exception, the FOP/FDP bookkeeping of raise()) and then does the same
  // operation. `fop` is the 11-bit opcode ((escape & 7) << 8 | ModRM).

  private enter(c: Cpu, fop: number, mem: boolean, ea: number): void {
    if (this.sw & SW_ES) c.fault(Stop.FloatingPoint, 16);
    this.curOp = fop;
    this.curMem = mem;
    this.curEa = ea;
  }

  /** D8/DC/DE register arithmetic: ST(d) ← ST(d) op ST(s) (kind as in arith()), then pop. */
  decArithReg(c: Cpu, fop: number, kind: number, d: number, s: number, doPop: boolean): void {
    this.enter(c, fop, false, 0);
    this.fip = c.prevEip;
    this.arithReg(kind, d, s, doPop);
  }

  /** D9 C0+i FLD ST(i), D9 C8+i FXCH, DD D0+i/D8+i FST(P) ST(i) (which: 0, 1, 2, 3). */
  decStackReg(c: Cpu, fop: number, which: number, i: number): void {
    this.enter(c, fop, false, 0);
    this.fip = c.prevEip;
    if (which === 0) this.execD9(0xc0 | i, 0, i);
    else if (which === 1) this.fxch(i);
    else this.fstReg(i, which === 3);
  }

  /** DB E8+i/F0+i F(U)COMI, DF E8+i/F0+i F(U)COMIP. */
  decFcomi(c: Cpu, fop: number, i: number, quiet: boolean, doPop: boolean): void {
    this.enter(c, fop, false, 0);
    this.fip = c.prevEip;
    this.fcomi(c, i, quiet, doPop);
  }

  /** DD /0 FLD m64fp. */
  decFldM64(c: Cpu, fop: number, ea: number): void {
    this.enter(c, fop, true, ea);
    const lo = c.mmu.read32(ea), hi = c.mmu.read32((ea + 4) | 0);
    this.fip = c.prevEip;
    F.exc = 0;
    if (isNormalF64(hi)) {
      this.loadValue(f64Se(hi), f64Hi(hi, lo), lo << 11);
    } else {
      fromF64(hi, lo, false);
      this.loadResult();
    }
  }

  /** DC /kind arithmetic with m64fp (not the compares). */
  decArithM64(c: Cpu, fop: number, kind: number, ea: number): void {
    this.enter(c, fop, true, ea);
    const lo = c.mmu.read32(ea), hi = c.mmu.read32((ea + 4) | 0);
    this.fip = c.prevEip;
    F.exc = 0;
    F.den = 0;
    if (isNormalF64(hi)) {
      this.arithMem(kind, f64Se(hi), f64Hi(hi, lo), lo << 11);
    } else {
      fromF64(hi, lo, true);
      this.arithMem(kind, F.se, F.hi | 0, F.lo | 0);
    }
  }

  /** DD /2, /3 FST(P) m64fp (restartable as execStore()). */
  decFstM64(c: Cpu, fop: number, doPop: boolean, ea: number): void {
    this.enter(c, fop, true, ea);
    const fip = this.fip, fop0 = this.fop, fdp = this.fdp, sw = this.sw;
    try {
      this.storeFloat(c, ea, true, doPop);
    } catch (e) {
      this.fip = fip;
      this.fop = fop0;
      this.fdp = fdp;
      this.sw = sw;
      throw e;
    }
  }

  /**
   * A store whose write page-faults must leave the FPU as it was (the instruction restarts):
   * FIP, FOP, FDP and the status word are put back. Stores pop only after writing.
   */
  private execStore(c: Cpu, op: number, reg: number, ea: number): void {
    const fip = this.fip, fop = this.fop, fdp = this.fdp, sw = this.sw;
    try {
      this.execMem(c, op, reg, ea);
    } catch (e) {
      this.fip = fip;
      this.fop = fop;
      this.fdp = fdp;
      this.sw = sw;
      throw e;
    }
  }

  private execNoWait(c: Cpu, op: number, sel: number, ea: number): void {
    if (op === 0xd9) {
      if (sel === 6) this.fnstenv(c, ea);
      else c.mmu.write16(ea, this.cw);
    } else if (op === 0xdd) {
      if (sel === 6) this.fnsave(c, ea);
      else c.mmu.write16(ea, this.getSw());
    } else if (op === 0xdb) {
      if (sel === 0xe2) this.sw &= ~(0x3f | SF | SW_ES | SW_B); // FNCLEX
      else if (sel === 0xe3) this.reset(); // FNINIT
      // FNENI, FNDISI, FNSETPM: no-ops on a 387 and later
    } else {
      c.regs[0] = (c.regs[0] & ~0xffff) | this.getSw(); // FNSTSW AX
    }
  }

  // ---- memory forms ---------------------------------------------------------------------------

  /** FILD of a 16- or 32-bit integer (already read and sign-extended): exact, then pushed. */
  private fildInt(c: Cpu, v: number): void {
    this.fip = c.prevEip;
    F.exc = 0;
    fromInt32(v);
    this.loadResult();
  }

  private execMem(c: Cpu, op: number, reg: number, ea: number): void {
    const m = c.mmu;
    switch (op) {
      case 0xd8: { // arithmetic with m32fp
        const v = m.read32(ea);
        this.fip = c.prevEip;
        F.exc = 0;
        F.den = 0;
        fromF32(v, true);
        this.arithMem(reg, F.se, F.hi | 0, F.lo | 0);
        return;
      }
      case 0xdc: {
        const lo = m.read32(ea), hi = m.read32((ea + 4) | 0);
        this.fip = c.prevEip;
        F.exc = 0;
        F.den = 0;
        if (isNormalF64(hi)) {
          this.arithMem(reg, f64Se(hi), f64Hi(hi, lo), lo << 11);
        } else {
          fromF64(hi, lo, true);
          this.arithMem(reg, F.se, F.hi | 0, F.lo | 0);
        }
        return;
      }
      case 0xda: {
        const v = m.read32(ea);
        this.fip = c.prevEip;
        F.exc = 0;
        F.den = 0;
        fromInt32(v);
        this.arithMem(reg, F.se, F.hi | 0, F.lo | 0);
        return;
      }
      case 0xde: {
        const v = (m.read16(ea) << 16) >> 16;
        this.fip = c.prevEip;
        F.exc = 0;
        F.den = 0;
        fromInt32(v);
        this.arithMem(reg, F.se, F.hi | 0, F.lo | 0);
        return;
      }
      case 0xd9:
        switch (reg) {
          case 0: { // FLD m32fp
            const v = m.read32(ea);
            this.fip = c.prevEip;
            F.exc = 0;
            fromF32(v, false);
            this.loadResult();
            return;
          }
          case 2: case 3: this.storeFloat(c, ea, false, reg === 3); return;
          case 4: this.fldenv(c, ea); return;
          case 5: { // FLDCW
            const v = m.read16(ea);
            this.cw = (v & 0x1f3f) | 0x40;
            this.updateEs();
            return;
          }
        }
        return;
      case 0xdd:
        switch (reg) {
          case 0: { // FLD m64fp
            const lo = m.read32(ea), hi = m.read32((ea + 4) | 0);
            this.fip = c.prevEip;
            F.exc = 0;
            if (isNormalF64(hi)) {
              this.loadValue(f64Se(hi), f64Hi(hi, lo), lo << 11);
            } else {
              fromF64(hi, lo, false);
              this.loadResult();
            }
            return;
          }
          case 1: this.storeInt(c, ea, 64, true, true); return; // FISTTP m64
          case 2: case 3: this.storeFloat(c, ea, true, reg === 3); return;
          case 4: this.frstor(c, ea); return;
        }
        return;
      case 0xdb:
        switch (reg) {
          case 0: this.fildInt(c, m.read32(ea)); return; // FILD m32int
          case 1: this.storeInt(c, ea, 32, true, true); return;
          case 2: this.storeInt(c, ea, 32, false, false); return;
          case 3: this.storeInt(c, ea, 32, false, true); return;
          case 5: { // FLD m80
            const lo = m.read32(ea), hi = m.read32((ea + 4) | 0), se = m.read16((ea + 8) | 0);
            this.fip = c.prevEip;
            F.exc = 0;
            F.se = se;
            F.hi = hi >>> 0;
            F.lo = lo >>> 0;
            this.loadResult();
            return;
          }
          case 7: this.storeExt(c, ea); return;
        }
        return;
      case 0xdf:
        switch (reg) {
          case 0: this.fildInt(c, (m.read16(ea) << 16) >> 16); return; // FILD m16int
          case 1: this.storeInt(c, ea, 16, true, true); return;
          case 2: this.storeInt(c, ea, 16, false, false); return;
          case 3: this.storeInt(c, ea, 16, false, true); return;
          case 4: this.fbld(c, ea); return;
          case 5: { // FILD m64int
            const lo = m.read32(ea), hi = m.read32((ea + 4) | 0);
            this.fip = c.prevEip;
            F.exc = 0;
            fromInt64(hi, lo);
            this.loadResult();
            return;
          }
          case 6: this.fbstp(c, ea); return;
          case 7: this.storeInt(c, ea, 64, false, true); return;
        }
        return;
    }
  }

  /** Pushes F (a loaded value) with the exceptions in F.exc, handling stack overflow. */
  private loadResult(): void {
    this.loadValue(F.se, F.hi | 0, F.lo | 0);
  }

  /** Pushes a loaded value with the exceptions in F.exc, handling stack overflow. */
  private loadValue(se: number, hi: number, lo: number): void {
    if (!this.isEmpty(7)) {
      if (this.stackFault(true)) return;
      this.push(INDEF_SE, INDEF_HI, INDEF_LO);
      return;
    }
    // A denormal source with DE unmasked is still loaded; only an unmasked IE (SNaN) blocks,
    // and C1 is cleared even then.
    this.setC1(0);
    if (this.raise(F.exc) && (F.exc & ~this.cw & IE)) return;
    this.push(se, hi, lo);
  }

  /** Arithmetic ST(0) op b, b being the memory operand (words as int32). */
  private arithMem(kind: number, bse: number, bhi: number, blo: number): void {
    if (this.isEmpty(0)) {
      if (kind === 2 || kind === 3) {
        const unmasked = this.stackFault(false);
        this.setCC(1, 1, 0, 1);
        if (kind === 3 && !unmasked) this.pop();
      } else {
        if (this.stackFault(false)) return;
        this.setSt(0, INDEF_SE, INDEF_HI, INDEF_LO);
      }
      return;
    }
    const p = this.top;
    if (kind === 2 || kind === 3) {
      this.compareOp(this.se[p], this.hi[p] | 0, this.lo[p] | 0, bse, bhi, blo, false);
      if (kind === 3 && !this.blocked(F.exc)) this.pop();
      return;
    }
    this.arith(kind, p, this.se[p], this.hi[p] | 0, this.lo[p] | 0, bse, bhi, blo);
  }

  /**
   * dst = a op b for kind 0 add, 1 mul, 4 sub (a - b), 5 subr (b - a), 6 div (a / b),
   * 7 divr (b / a). F.exc/F.den already hold the exceptions of loading the operands.
   * Significand words are passed as int32 (`| 0`; see float80.ts, "the common case").
   */
  private arith(kind: number, dst: number, ase: number, ahi: number, alo: number, bse: number, bhi: number, blo: number): boolean {
    const cw = this.cw;
    const prec = pcBits(cw);
    F.up = 0;
    switch (kind) {
      case 0: add(ase, ahi, alo, bse, bhi, blo, false, cw, prec); break;
      case 1: mul(ase, ahi, alo, bse, bhi, blo, cw, prec); break;
      case 4: add(ase, ahi, alo, bse, bhi, blo, true, cw, prec); break;
      case 5: add(bse, bhi, blo, ase, ahi, alo, true, cw, prec); break;
      case 6: div(ase, ahi, alo, bse, bhi, blo, cw, prec); break;
      default: div(bse, bhi, blo, ase, ahi, alo, cw, prec); break;
    }
    return this.storeResult(dst);
  }

  /** Stores F into physical register dst unless an unmasked IE/ZE/DE blocks it. Returns false if blocked. */
  private storeResult(dst: number): boolean {
    const exc = F.exc;
    if (exc & ~this.cw & (IE | ZE | DE)) {
      this.setC1(0);
      this.raise(exc & (IE | ZE | DE | SF));
      return false;
    }
    this.setC1(F.up);
    this.raise(exc);
    this.setPhys(dst, F.se, F.hi | 0, F.lo | 0);
    return true;
  }

  /** FCOM family on two values: sets C3 C2 C0 (C1 = 0). */
  private compareOp(ase: number, ahi: number, alo: number, bse: number, bhi: number, blo: number, quiet: boolean): void {
    const r = compare(ase, ahi, alo, bse, bhi, blo, quiet);
    // The condition codes are set (unordered) even when the IE is unmasked; only the pop is
    // suppressed (by the callers).
    this.raise(F.exc);
    switch (r) {
      case CMP_GT: this.setCC(0, 0, 0, 0); break;
      case CMP_LT: this.setCC(0, 0, 0, 1); break;
      case CMP_EQ: this.setCC(1, 0, 0, 0); break;
      default: this.setCC(1, 1, 0, 1);
    }
  }

  private storeFloat(c: Cpu, ea: number, dbl: boolean, doPop: boolean): void {
    this.fip = c.prevEip;
    F.exc = 0;
    if (this.isEmpty(0)) {
      this.setC1(0);
      if (this.stackFault(false)) return;
      if (dbl) {
        probe8(c, ea);
        c.mmu.write32(ea, 0);
        c.mmu.write32((ea + 4) | 0, 0xfff80000 | 0);
      } else {
        c.mmu.write32(ea, 0xffc00000 | 0);
      }
      if (doPop) this.pop();
      return;
    }
    const p = this.top;
    toFloat(this.se[p], this.hi[p] | 0, this.lo[p] | 0, dbl, this.cw);
    const exc = F.exc;
    const unm = exc & ~this.cw;
    if (unm & (IE | OE | UE)) {
      // Unmasked: memory is left alone and the stack is not popped.
      this.setC1(0);
      this.raise(exc & (IE | OE | UE));
      return;
    }
    if (dbl) {
      probe8(c, ea);
      c.mmu.write32(ea, F.i0);
      c.mmu.write32((ea + 4) | 0, F.i1);
    } else {
      c.mmu.write32(ea, F.i0);
    }
    this.setC1(F.up);
    this.raise(exc);
    if (doPop) this.pop();
  }

  private storeExt(c: Cpu, ea: number): void {
    this.fip = c.prevEip;
    let se: number, hi: number, lo: number;
    if (this.isEmpty(0)) {
      if (this.stackFault(false)) return;
      se = INDEF_SE; hi = INDEF_HI; lo = INDEF_LO;
    } else {
      const p = this.top;
      se = this.se[p]; hi = this.hi[p]; lo = this.lo[p];
      this.setC1(0);
    }
    // The significand's 8 bytes are written before the sign/exponent word: a fault on the
    // latter (crossing into a bad page) leaves the former in memory, as on the hardware.
    probe8(c, ea);
    c.mmu.write32(ea, lo | 0);
    c.mmu.write32((ea + 4) | 0, hi | 0);
    c.mmu.write16((ea + 8) | 0, se);
    this.pop();
  }

  /** FIST/FISTP/FISTTP to a 16/32/64-bit integer. */
  private storeInt(c: Cpu, ea: number, bits: number, trunc: boolean, doPop: boolean): void {
    this.fip = c.prevEip;
    F.exc = 0;
    let i1: number, i0: number;
    if (this.isEmpty(0)) {
      if (this.stackFault(false)) return;
      i1 = bits === 64 ? 0x80000000 | 0 : 0;
      i0 = bits === 64 ? 0 : bits === 32 ? 0x80000000 | 0 : 0x8000;
    } else {
      const p = this.top;
      toInt(this.se[p], this.hi[p], this.lo[p], bits, trunc ? 3 : (this.cw >> 10) & 3);
      if (this.blocked(F.exc)) {
        this.setC1(0);
        this.raise(F.exc & (IE | DE));
        return;
      }
      i1 = F.i1; i0 = F.i0;
      this.setC1(F.up);
      this.raise(F.exc);
    }
    if (bits === 16) {
      c.mmu.write16(ea, i0);
    } else if (bits === 32) {
      c.mmu.write32(ea, i0);
    } else {
      probe8(c, ea);
      c.mmu.write32(ea, i0);
      c.mmu.write32((ea + 4) | 0, i1);
    }
    if (doPop) this.pop();
  }

  private fbld(c: Cpu, ea: number): void {
    const b: number[] = [];
    for (let i = 0; i < 10; i++) b.push(c.mmu.read8((ea + i) | 0));
    this.fip = c.prevEip;
    let v = 0n;
    for (let i = 8; i >= 0; i--) v = v * 100n + BigInt((b[i] >> 4) * 10 + (b[i] & 15));
    const neg = (b[9] & 0x80) !== 0;
    F.exc = 0;
    fromInt64(Number(v >> 32n) | 0, Number(v & 0xffffffffn) | 0);
    if (neg) F.se |= 0x8000;
    this.loadResult();
  }

  private fbstp(c: Cpu, ea: number): void {
    this.fip = c.prevEip;
    F.exc = 0;
    F.up = 0;
    const out = new Array<number>(10).fill(0);
    let ok = false;
    if (this.isEmpty(0)) {
      if (this.stackFault(false)) return;
    } else {
      // Round to an integer as FIST does (no DE for a denormal), then require 18 digits.
      const p = this.top;
      toInt(this.se[p], this.hi[p], this.lo[p], 64, (this.cw >> 10) & 3);
      let mag = BigInt.asIntN(64, (BigInt(F.i1 >>> 0) << 32n) | BigInt(F.i0 >>> 0));
      if (mag < 0n) mag = -mag;
      if (!(F.exc & IE) && mag <= 999999999999999999n) {
        for (let i = 0; i < 9; i++) {
          const d = Number(mag % 100n);
          mag /= 100n;
          out[i] = (Math.floor(d / 10) << 4) | (d % 10);
        }
        out[9] = this.se[p] & 0x8000 ? 0x80 : 0;
        ok = true;
      } else {
        F.exc = (F.exc & ~PE) | IE;
        F.up = 0;
      }
      if (this.blocked(F.exc)) {
        this.setC1(0);
        this.raise(F.exc & (IE | DE));
        return;
      }
    }
    if (!ok) {
      // the packed-BCD indefinite
      out[7] = 0xc0;
      out[8] = 0xff;
      out[9] = 0xff;
    }
    // As FSTP m80: the first 8 bytes are stored before the last 2, which are one 16-bit store
    // (a fault on it leaves the 8 in memory and neither of the 2).
    probe8(c, ea);
    for (let i = 0; i < 8; i++) c.mmu.write8((ea + i) | 0, out[i]);
    c.mmu.write16((ea + 8) | 0, out[8] | (out[9] << 8));
    this.setC1(F.up);
    this.raise(F.exc);
    this.pop();
  }

  // ---- register forms -------------------------------------------------------------------------

  private execReg(c: Cpu, op: number, modrm: number): void {
    const reg = (modrm >> 3) & 7;
    const i = modrm & 7;
    this.fip = c.prevEip;
    switch (op) {
      case 0xd8: case 0xdc:
        if (reg === 2 || reg === 3) this.fcomReg(i, false, reg === 3 ? 1 : 0);
        else this.arithRegForm(op, reg, i);
        return;
      case 0xde:
        if (reg === 2) this.fcomReg(i, false, 1);
        else if (reg === 3) this.fcomReg(1, false, 2); // FCOMPP (DE D9)
        else this.arithRegForm(op, reg, i);
        return;
      case 0xd9: this.execD9(modrm, reg, i); return;
      case 0xda:
        if (modrm === 0xe9) { this.fcomReg(1, true, 2); return; } // FUCOMPP
        this.fcmov(c, reg, i, false);
        return;
      case 0xdb:
        if (reg < 4) { this.fcmov(c, reg, i, true); return; }
        if (reg === 4) return; // FENI, FDISI, FSETPM: no-ops
        this.fcomi(c, i, reg === 5, false);
        return;
      case 0xdd:
        switch (reg) {
          case 0: // FFREE
            this.empty |= 1 << this.phys(i);
            this.setC1(0);
            return;
          case 1: this.fxch(i); return;
          case 2: case 3: this.fstReg(i, reg === 3); return;
          case 4: this.fcomReg(i, true, 0); return;
          case 5: this.fcomReg(i, true, 1); return;
        }
        return;
      case 0xdf:
        switch (reg) {
          case 0: // FFREEP
            this.empty |= 1 << this.phys(i);
            this.setC1(0);
            this.pop();
            return;
          case 1: this.fxch(i); return;
          case 2: case 3: this.fstReg(i, true); return;
          case 5: this.fcomi(c, i, true, true); return;
          case 6: this.fcomi(c, i, false, true); return;
        }
        return;
    }
  }

  /**
   * D8 /reg: ST(0) ← ST(0) op ST(i); DC /reg: ST(i) ← ST(i) op ST(0), where the reversed
   * subtract and divide swap places (reg ^ 1); DE: as DC, then pop.
   */
  private arithRegForm(op: number, reg: number, i: number): void {
    if (op === 0xd8) this.arithReg(reg, 0, i, false);
    else this.arithReg(reg >= 4 ? reg ^ 1 : reg, i, 0, op === 0xde);
  }

  /** dst = dst op src for registers ST(d) and ST(s) (kind as in arith; a = ST(d), b = ST(s)). */
  private arithReg(kind: number, d: number, s: number, doPop: boolean): void {
    if (this.isEmpty(d) || this.isEmpty(s)) {
      if (this.stackFault(false)) return;
      this.setSt(d, INDEF_SE, INDEF_HI, INDEF_LO);
      if (doPop) this.pop();
      return;
    }
    const pd = this.phys(d), ps = this.phys(s);
    F.exc = 0;
    F.den = 0;
    if (this.arith(kind, pd, this.se[pd], this.hi[pd] | 0, this.lo[pd] | 0, this.se[ps], this.hi[ps] | 0, this.lo[ps] | 0) && doPop) this.pop();
  }

  /** FCOM/FUCOM ST(0), ST(i); pops = 0, 1 or 2. */
  private fcomReg(i: number, quiet: boolean, pops: number): void {
    if (this.isEmpty(0) || this.isEmpty(i)) {
      // Unordered is reported even when the stack fault is unmasked (then nothing is popped).
      const unmasked = this.stackFault(false);
      this.setCC(1, 1, 0, 1);
      if (unmasked) return;
    } else {
      const a = this.top, b = this.phys(i);
      F.exc = 0;
      F.den = 0;
      this.compareOp(this.se[a], this.hi[a] | 0, this.lo[a] | 0, this.se[b], this.hi[b] | 0, this.lo[b] | 0, quiet);
      if (this.blocked(F.exc)) return;
    }
    for (let k = 0; k < pops; k++) this.pop();
  }

  private fcomi(c: Cpu, i: number, quiet: boolean, doPop: boolean): void {
    let r = CMP_UN;
    c.materializeFlags();
    // EFLAGS are set even when the exception is unmasked; only the pop is suppressed.
    let blocked: boolean;
    if (this.isEmpty(0) || this.isEmpty(i)) {
      blocked = this.stackFault(false);
    } else {
      const a = this.top, b = this.phys(i);
      F.exc = 0;
      F.den = 0;
      r = compare(this.se[a], this.hi[a] | 0, this.lo[a] | 0, this.se[b], this.hi[b] | 0, this.lo[b] | 0, quiet);
      // C1 is left alone (as the CPU does).
      this.raise(F.exc);
      blocked = this.blocked(F.exc);
    }
    let f = c.flags & ~(FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF);
    if (r === CMP_LT) f |= FL_CF;
    else if (r === CMP_EQ) f |= FL_ZF;
    else if (r === CMP_UN) f |= FL_ZF | FL_PF | FL_CF;
    c.flags = f;
    if (doPop && !blocked) this.pop();
  }

  private fcmov(c: Cpu, cond: number, i: number, negate: boolean): void {
    let t: boolean;
    switch (cond) {
      case 0: t = c.getCF() !== 0; break;
      case 1: t = c.getZF(); break;
      case 2: t = c.getCF() !== 0 || c.getZF(); break;
      default: t = c.getPF();
    }
    if (negate) t = !t;
    if (this.isEmpty(0) || this.isEmpty(i)) {
      if (this.stackFault(false)) return;
      this.setSt(0, INDEF_SE, INDEF_HI, INDEF_LO);
      return;
    }
    if (t) {
      const p = this.phys(i);
      this.setSt(0, this.se[p], this.hi[p], this.lo[p]);
    }
  }

  private fxch(i: number): void {
    if (this.isEmpty(0) || this.isEmpty(i)) {
      if (this.stackFault(false)) return;
      if (this.isEmpty(0)) this.setSt(0, INDEF_SE, INDEF_HI, INDEF_LO);
      if (this.isEmpty(i)) this.setSt(i, INDEF_SE, INDEF_HI, INDEF_LO);
    } else {
      this.setC1(0);
    }
    const a = this.top, b = this.phys(i);
    const se = this.se[a], hi = this.hi[a], lo = this.lo[a];
    this.se[a] = this.se[b]; this.hi[a] = this.hi[b]; this.lo[a] = this.lo[b];
    this.se[b] = se; this.hi[b] = hi; this.lo[b] = lo;
  }

  private fstReg(i: number, doPop: boolean): void {
    if (this.isEmpty(0)) {
      if (this.stackFault(false)) return;
      this.setSt(i, INDEF_SE, INDEF_HI, INDEF_LO);
    } else {
      this.setC1(0);
      const p = this.top;
      this.setSt(i, this.se[p], this.hi[p], this.lo[p]);
    }
    if (doPop) this.pop();
  }

  private execD9(modrm: number, reg: number, i: number): void {
    switch (reg) {
      case 0: { // FLD ST(i)
        if (this.isEmpty(i)) {
          // An empty source is a stack underflow (C1 = 0) even when the push would also
          // overflow; the indefinite is pushed all the same.
          if (this.stackFault(false)) return;
          this.push(INDEF_SE, INDEF_HI, INDEF_LO);
          return;
        }
        const p = this.phys(i);
        F.exc = 0;
        F.se = this.se[p]; F.hi = this.hi[p]; F.lo = this.lo[p];
        this.loadResult();
        return;
      }
      case 1: this.fxch(i); return;
      case 2: return; // FNOP
      case 3: // FSTP1 (alias of FSTP ST(i)), except that an empty ST(0) is just popped
        if (this.isEmpty(0)) { this.setC1(0); this.pop(); return; }
        this.fstReg(i, true);
        return;
    }
    switch (modrm) {
      case 0xe0: case 0xe1: { // FCHS, FABS
        if (this.isEmpty(0)) {
          if (this.stackFault(false)) return;
          this.setSt(0, INDEF_SE, INDEF_HI, INDEF_LO);
          return;
        }
        this.setC1(0);
        const p = this.top;
        this.se[p] = modrm === 0xe0 ? this.se[p] ^ 0x8000 : this.se[p] & 0x7fff;
        return;
      }
      case 0xe4: { // FTST
        if (this.isEmpty(0)) {
          this.stackFault(false);
          this.setCC(1, 1, 0, 1);
          return;
        }
        const p = this.top;
        F.exc = 0;
        F.den = 0;
        this.compareOp(this.se[p], this.hi[p], this.lo[p], 0, 0, 0, false);
        return;
      }
      case 0xe5: this.fxam(); return;
      case 0xe8: case 0xe9: case 0xea: case 0xeb: case 0xec: case 0xed: case 0xee:
        this.loadConstant(modrm - 0xe8);
        return;
      case 0xf6: // FDECSTP
        this.setC1(0);
        this.top = (this.top - 1) & 7;
        return;
      case 0xf7: // FINCSTP
        this.setC1(0);
        this.top = (this.top + 1) & 7;
        return;
      case 0xfa: this.unary(0); return; // FSQRT
      case 0xfc: this.unary(1); return; // FRNDINT
      case 0xf4: this.fxtract(); return;
      case 0xfd: this.fscale(); return;
      case 0xf8: this.fprem(false); return;
      case 0xf5: this.fprem(true); return;
      case 0xf0: this.unary(2); return; // F2XM1
      case 0xfe: this.trig(0); return; // FSIN
      case 0xff: this.trig(1); return; // FCOS
      case 0xfb: this.trig(2); return; // FSINCOS
      case 0xf2: this.trig(3); return; // FPTAN
      case 0xf1: this.binaryPop(0); return; // FYL2X
      case 0xf3: this.binaryPop(1); return; // FPATAN
      case 0xf9: this.binaryPop(2); return; // FYL2XP1
    }
  }

  private loadConstant(k: number): void {
    let lo = CONST_LO[k];
    const rc = (this.cw >> 10) & 3;
    const dir = CONST_DIR[k];
    if (dir > 0 && (rc === 1 || rc === 3)) lo = (lo - 1) >>> 0;
    else if (dir < 0 && rc === 2) lo = (lo + 1) >>> 0;
    F.exc = 0;
    F.se = CONST_SE[k];
    F.hi = CONST_HI[k] >>> 0;
    F.lo = lo;
    this.loadResult();
  }

  private fxam(): void {
    const p = this.top;
    const sign = (this.se[p] >> 15) & 1;
    if (this.isEmpty(0)) { this.setCC(1, 0, sign, 1); return; }
    switch (classify(this.se[p], this.hi[p], this.lo[p])) {
      case C_UNSUPPORTED: this.setCC(0, 0, sign, 0); break;
      case C_QNAN: case C_SNAN: this.setCC(0, 0, sign, 1); break;
      case C_NORMAL: this.setCC(0, 1, sign, 0); break;
      case C_INF: this.setCC(0, 1, sign, 1); break;
      case C_ZERO: this.setCC(1, 0, sign, 0); break;
      default: this.setCC(1, 1, sign, 0); break; // denormal
    }
  }

  /** One-operand ST(0) ← f(ST(0)): 0 FSQRT, 1 FRNDINT, 2 F2XM1. */
  private unary(kind: number): void {
    if (this.isEmpty(0)) {
      if (this.stackFault(false)) return;
      this.setSt(0, INDEF_SE, INDEF_HI, INDEF_LO);
      return;
    }
    const p = this.top;
    clearExc();
    const se = this.se[p], hi = this.hi[p], lo = this.lo[p];
    if (kind === 0) sqrt(se, hi | 0, lo | 0, this.cw, pcBits(this.cw));
    else if (kind === 1) roundInt(se, hi, lo, (this.cw >> 10) & 3);
    else T.f2xm1(se, hi, lo, this.cw);
    this.storeResult(p);
  }

  /** FYL2X (0), FPATAN (1), FYL2XP1 (2): ST(1) ← f(ST(1), ST(0)), pop. */
  private binaryPop(kind: number): void {
    if (this.isEmpty(0) || this.isEmpty(1)) {
      if (this.stackFault(false)) return;
      this.setSt(1, INDEF_SE, INDEF_HI, INDEF_LO);
      this.pop();
      return;
    }
    const a = this.top, b = this.phys(1);
    clearExc();
    if (kind === 0) T.fyl2x(this.se[a], this.hi[a], this.lo[a], this.se[b], this.hi[b], this.lo[b], this.cw);
    else if (kind === 1) T.fpatan(this.se[a], this.hi[a], this.lo[a], this.se[b], this.hi[b], this.lo[b], this.cw);
    else T.fyl2xp1(this.se[a], this.hi[a], this.lo[a], this.se[b], this.hi[b], this.lo[b], this.cw);
    if (this.storeResult(b)) this.pop();
  }

  /** FSIN (0), FCOS (1), FSINCOS (2), FPTAN (3). */
  private trig(kind: number): void {
    const pushes = kind >= 2;
    this.sw &= ~SW_C2; // C2 reports an out-of-range argument, also cleared on stack faults
    if (this.isEmpty(0)) {
      if (this.stackFault(false)) return;
      this.setSt(0, INDEF_SE, INDEF_HI, INDEF_LO);
      if (pushes) this.push(INDEF_SE, INDEF_HI, INDEF_LO);
      return;
    }
    if (pushes && !this.isEmpty(7)) {
      if (this.stackFault(true)) return;
      this.setSt(0, INDEF_SE, INDEF_HI, INDEF_LO);
      this.push(INDEF_SE, INDEF_HI, INDEF_LO);
      return;
    }
    const p = this.top;
    clearExc();
    const r = T.trig(kind, this.se[p], this.hi[p], this.lo[p], this.cw);
    if (r === T.TRIG_OUT_OF_RANGE) {
      // |x| ≥ 2^63: C2 = 1 and ST(0) unchanged.
      this.sw |= SW_C2;
      this.setC1(0);
      return;
    }
    const exc = F.exc;
    if (exc & ~this.cw & (IE | DE)) {
      this.setC1(0);
      this.raise(exc & (IE | DE));
      return;
    }
    this.sw &= ~SW_C2;
    // C1 follows the value left in ST(0) (for FSINCOS that is the cosine).
    this.setC1(kind === 2 ? T.R.up2 : T.R.up1);
    this.raise(exc);
    if (kind === 0 || kind === 1) {
      this.setPhys(p, T.R.se1, T.R.hi1, T.R.lo1);
    } else {
      this.setPhys(p, T.R.se1, T.R.hi1, T.R.lo1);
      this.push(T.R.se2, T.R.hi2, T.R.lo2);
    }
  }

  private fxtract(): void {
    if (this.isEmpty(0)) {
      if (this.stackFault(false)) return;
      this.setSt(0, INDEF_SE, INDEF_HI, INDEF_LO);
      this.push(INDEF_SE, INDEF_HI, INDEF_LO);
      return;
    }
    if (!this.isEmpty(7)) {
      if (this.stackFault(true)) return;
      this.setSt(0, INDEF_SE, INDEF_HI, INDEF_LO);
      this.push(INDEF_SE, INDEF_HI, INDEF_LO);
      return;
    }
    const p = this.top;
    const se = this.se[p], hi = this.hi[p], lo = this.lo[p];
    const cl = classify(se, hi, lo);
    let exc = 0;
    let eSe = 0, eHi = 0, eLo = 0, sSe = 0, sHi = 0, sLo = 0;
    switch (cl) {
      case C_UNSUPPORTED:
        exc = IE;
        eSe = sSe = INDEF_SE; eHi = sHi = INDEF_HI; eLo = sLo = INDEF_LO;
        break;
      case C_SNAN: case C_QNAN:
        if (cl === C_SNAN) exc = IE;
        eSe = sSe = se; eHi = sHi = (hi | 0x40000000) >>> 0; eLo = sLo = lo;
        break;
      case C_ZERO:
        exc = ZE;
        eSe = 0xffff; eHi = 0x80000000; eLo = 0;
        sSe = se; sHi = 0; sLo = 0;
        break;
      case C_INF:
        eSe = 0x7fff; eHi = 0x80000000; eLo = 0;
        sSe = se; sHi = hi; sLo = lo;
        break;
      default: {
        if (cl === C_DENORMAL) exc = DE;
        unpackTo(se, hi, lo, UNPACKED); // normalises denormals
        sSe = (se & 0x8000) | BIAS; sHi = UNPACKED.h; sLo = UNPACKED.l;
        F.exc = 0;
        fromInt32(UNPACKED.e - BIAS);
        eSe = F.se; eHi = F.hi; eLo = F.lo;
      }
    }
    if (exc & ~this.cw & (IE | ZE | DE)) {
      this.setC1(0);
      this.raise(exc);
      return;
    }
    this.setC1(0);
    this.raise(exc);
    this.setPhys(p, eSe, eHi, eLo);
    this.push(sSe, sHi, sLo);
  }

  private fscale(): void {
    if (this.isEmpty(0) || this.isEmpty(1)) {
      if (this.stackFault(false)) return;
      this.setSt(0, INDEF_SE, INDEF_HI, INDEF_LO);
      return;
    }
    const a = this.top, b = this.phys(1);
    clearExc();
    T.fscale(this.se[a], this.hi[a], this.lo[a], this.se[b], this.hi[b], this.lo[b], this.cw);
    this.storeResult(a);
  }

  private fprem(ieee: boolean): void {
    if (this.isEmpty(0) || this.isEmpty(1)) {
      this.sw &= ~SW_C2;
      if (this.stackFault(false)) return;
      this.setSt(0, INDEF_SE, INDEF_HI, INDEF_LO);
      return;
    }
    const a = this.top, b = this.phys(1);
    clearExc();
    const q = fprem(this.se[a], this.hi[a], this.lo[a], this.se[b], this.hi[b], this.lo[b], ieee, this.cw);
    const exc = F.exc;
    if (this.blocked(exc)) {
      // An unmasked exception ends it with no partial result: C2 (incomplete) reads clear.
      this.sw &= ~SW_C2;
      this.setC1(0);
      this.raise(exc & (IE | DE | ZE | SF));
      return;
    }
    this.raise(exc);
    if (q < 0) {
      // Invalid or NaN: condition codes C0 C1 C3 undefined; hardware clears C2 and C1.
      this.sw &= ~(SW_C2 | SW_C1);
    } else if (q === PREM_PARTIAL) {
      this.setCC(0, 1, 0, 0);
    } else {
      this.setCC((q >> 1) & 1, 0, q & 1, (q >> 2) & 1);
    }
    this.setPhys(a, F.se, F.hi, F.lo);
  }

  // ---- environment and state images --------------------------------------------------------

  /** Size of the environment image: 28 bytes, or 14 with a 0x66 prefix (16-bit format). */
  private envSize(): number {
    return this.o16 ? 14 : 28;
  }

  /** Writes the protected-mode environment image (32-bit format, or 16-bit under 0x66). */
  private writeEnv(c: Cpu, ea: number): void {
    const m = c.mmu;
    probeImage(c, ea, this.envSize(), this.o16 ? 2 : 4);
    if (this.o16) {
      m.write16(ea, this.cw);
      m.write16((ea + 2) | 0, this.getSw());
      m.write16((ea + 4) | 0, this.getTagWord());
      m.write16((ea + 6) | 0, this.fip);
      m.write16((ea + 8) | 0, this.fcs);
      m.write16((ea + 10) | 0, this.fdp);
      m.write16((ea + 12) | 0, this.fds);
      return;
    }
    m.write32(ea, this.cw | 0xffff0000);
    m.write32((ea + 4) | 0, this.getSw() | 0xffff0000);
    m.write32((ea + 8) | 0, this.getTagWord() | 0xffff0000);
    m.write32((ea + 12) | 0, this.fip);
    m.write32((ea + 16) | 0, (this.fcs & 0xffff) | ((this.fop & 0x7ff) << 16));
    m.write32((ea + 20) | 0, this.fdp);
    m.write32((ea + 24) | 0, (this.fds & 0xffff) | 0xffff0000);
  }

  /** Reads the environment image into envWords (cw, sw, tw, fip, fop, fdp) without applying it. */
  private readEnv(c: Cpu, ea: number): void {
    const m = c.mmu;
    const w = this.envWords;
    if (this.o16) {
      w[0] = m.read16(ea); w[1] = m.read16((ea + 2) | 0); w[2] = m.read16((ea + 4) | 0);
      w[3] = m.read16((ea + 6) | 0); w[4] = 0; w[5] = m.read16((ea + 10) | 0);
      return;
    }
    w[0] = m.read32(ea); w[1] = m.read32((ea + 4) | 0); w[2] = m.read32((ea + 8) | 0);
    w[3] = m.read32((ea + 12) | 0); w[4] = (m.read32((ea + 16) | 0) >>> 16) & 0x7ff; w[5] = m.read32((ea + 20) | 0);
  }

  private applyEnv(): void {
    const [cw, sw, tw, fip, fop, fdp] = this.envWords;
    this.cw = (cw & 0x1f3f) | 0x40;
    this.sw = sw & 0xffff & ~0x3800;
    this.top = (sw >> 11) & 7;
    let e = 0;
    for (let i = 0; i < 8; i++) if (((tw >> (2 * i)) & 3) === 3) e |= 1 << i;
    this.empty = e;
    this.fip = fip;
    this.fcs = 0; // FCS and FDS read as 0 on this CPU generation whatever was loaded
    this.fop = fop;
    this.fdp = fdp;
    this.fds = 0;
    this.updateEs();
  }

  fnstenv(c: Cpu, ea: number): void {
    this.writeEnv(c, ea);
    this.cw |= 0x3f; // masks everything, which also clears ES and B
    this.updateEs();
  }

  fldenv(c: Cpu, ea: number): void {
    // The host reads the image's first field, then checks its last byte (as FNSTENV does).
    if (this.o16) c.mmu.read16(ea); else c.mmu.read32(ea);
    c.mmu.read8((ea + this.envSize() - 1) | 0);
    this.readEnv(c, ea);
    this.applyEnv();
  }

  /** FNSAVE: the environment then ST(0)..ST(7) as 10-byte values; then FNINIT. */
  fnsave(c: Cpu, ea: number): void {
    const m = c.mmu;
    const env = this.envSize();
    probeImage(c, ea, env + 80, this.o16 ? 2 : 4);
    this.writeEnv(c, ea);
    for (let i = 0; i < 8; i++) {
      const p = this.phys(i);
      const a = (ea + env + 10 * i) | 0;
      m.write32(a, this.lo[p] | 0);
      m.write32((a + 4) | 0, this.hi[p] | 0);
      m.write16((a + 8) | 0, this.se[p]);
    }
    this.reset();
  }

  /** FRSTOR: reads the environment first (a fault reports its address), then the registers. */
  frstor(c: Cpu, ea: number): void {
    const m = c.mmu;
    const env = this.envSize();
    if (this.o16) m.read16(ea); else m.read32(ea); // the first field, then the last byte
    m.read8((ea + env + 80 - 1) | 0);
    this.readEnv(c, ea);
    const r = this.rstorScratch;
    for (let i = 0; i < 8; i++) {
      const a = (ea + env + 10 * i) | 0;
      r[3 * i] = m.read32(a);
      r[3 * i + 1] = m.read32((a + 4) | 0);
      r[3 * i + 2] = m.read16((a + 8) | 0);
    }
    this.applyEnv();
    for (let i = 0; i < 8; i++) {
      const p = this.phys(i);
      this.lo[p] = r[3 * i] >>> 0;
      this.hi[p] = r[3 * i + 1] >>> 0;
      this.se[p] = r[3 * i + 2];
    }
  }

  /** FXSAVE: the 512-byte image (bytes 288..511 are left untouched, as the CPU does). */
  fxsave(c: Cpu, ea: number): void {
    if (ea & 15) c.fault(Stop.GeneralProtection, 13); // the image must be 16-byte aligned
    const m = c.mmu;
    m.probeWrite((ea + 511) | 0, 1); // the host touches the image's last byte first
    m.probeWrite(ea, 288);
    const s = this.fxScratch;
    this.fxsaveTo(s, 0, c.sse.mxcsr, c.sse.xmm);
    for (let k = 0; k < FXSAVE_WRITTEN; k += 4) m.write32((ea + k) | 0, s.getInt32(k, true));
  }

  fxrstor(c: Cpu, ea: number): void {
    if (ea & 15) c.fault(Stop.GeneralProtection, 13);
    const m = c.mmu;
    m.read8((ea + 511) | 0); // the host touches the image's last byte first
    const s = this.fxScratch;
    for (let k = 0; k < FXSAVE_WRITTEN; k += 4) s.setInt32(k, m.read32((ea + k) | 0), true);
    if (!this.fxrstorFrom(s, 0, c.sse)) c.fault(Stop.GeneralProtection, 13);
  }

  // ---- images in a caller's buffer (the kernel's signal frames) ---------------------------

  /**
   * Writes the FXSAVE image at dv[off..]: bytes 0..287 as FXSAVE stores them in 32-bit mode
   * (abridged tag byte, registers in ST order in 16-byte slots, XMM0-7); 288..511 untouched.
   */
  fxsaveTo(dv: DataView, off: number, mxcsr: number, xmm: Int32Array): void {
    let ftw = 0;
    for (let i = 0; i < 8; i++) if (!((this.empty >> i) & 1)) ftw |= 1 << i;
    dv.setUint16(off, this.cw, true);
    dv.setUint16(off + 2, this.getSw(), true);
    dv.setUint16(off + 4, ftw, true);
    dv.setUint16(off + 6, this.fop & 0x7ff, true);
    dv.setInt32(off + 8, this.fip, true);
    dv.setInt32(off + 12, this.fcs & 0xffff, true);
    dv.setInt32(off + 16, this.fdp, true);
    dv.setInt32(off + 20, this.fds & 0xffff, true);
    dv.setInt32(off + 24, mxcsr, true);
    dv.setInt32(off + 28, MXCSR_MASK, true);
    for (let i = 0; i < 8; i++) {
      const p = this.phys(i);
      const a = off + 32 + 16 * i;
      dv.setUint32(a, this.lo[p], true);
      dv.setUint32(a + 4, this.hi[p], true);
      dv.setInt32(a + 8, this.se[p], true);
      dv.setInt32(a + 12, 0, true);
    }
    for (let i = 0; i < 32; i++) dv.setInt32(off + 160 + 4 * i, xmm[i], true);
  }

  /**
   * Loads an FXSAVE image from dv[off..] into the x87 state and sse (MXCSR, XMM0-7). Returns
   * false, changing nothing, when MXCSR has reserved bits set (FXRSTOR's #GP; the kernel
   * rejects such a signal frame).
   */
  fxrstorFrom(dv: DataView, off: number, sse: Sse): boolean {
    const mxcsr = dv.getInt32(off + 24, true);
    if (mxcsr & ~MXCSR_MASK) return false;
    const sw = dv.getUint16(off + 2, true);
    this.cw = (dv.getUint16(off, true) & 0x1f3f) | 0x40;
    this.sw = sw & ~0x3800;
    this.top = (sw >> 11) & 7;
    this.empty = ~dv.getUint8(off + 4) & 0xff;
    this.fop = dv.getUint16(off + 6, true) & 0x7ff;
    this.fip = dv.getInt32(off + 8, true);
    this.fcs = 0; // FCS and FDS read as 0 on this CPU generation whatever was loaded
    this.fdp = dv.getInt32(off + 16, true);
    this.fds = 0;
    for (let i = 0; i < 8; i++) {
      const p = this.phys(i);
      const a = off + 32 + 16 * i;
      this.lo[p] = dv.getUint32(a, true);
      this.hi[p] = dv.getUint32(a + 4, true);
      this.se[p] = dv.getUint16(a + 8, true);
    }
    sse.mxcsr = mxcsr;
    for (let i = 0; i < 32; i++) sse.xmm[i] = dv.getInt32(off + 160 + 4 * i, true);
    this.updateEs();
    return true;
  }

  /**
   * The 112-byte struct fregs_state an i386 signal frame carries in front of the FXSAVE image,
   * filled as Linux's save_fsave_header does from FXSAVE data (convert_from_fxsr): cw, sw and
   * the full tag word with 0xFFFF upper halves, FIP, FCS | FOP << 16, FDP, FDS, ST(0)..ST(7)
   * as 10-byte values, then the status word and magic 0 (X86_FXSR_MAGIC: FXSAVE data follows).
   */
  fsaveHeaderTo(dv: DataView, off: number): void {
    dv.setInt32(off, this.cw | 0xffff0000, true);
    dv.setInt32(off + 4, this.getSw() | 0xffff0000, true);
    dv.setInt32(off + 8, this.getTagWord() | 0xffff0000, true);
    dv.setInt32(off + 12, this.fip, true);
    dv.setInt32(off + 16, (this.fcs & 0xffff) | ((this.fop & 0x7ff) << 16), true);
    dv.setInt32(off + 20, this.fdp, true);
    dv.setInt32(off + 24, this.fds & 0xffff, true);
    for (let i = 0; i < 8; i++) {
      const p = this.phys(i);
      const a = off + FNSAVE_ENV + 10 * i;
      dv.setUint32(a, this.lo[p], true);
      dv.setUint32(a + 4, this.hi[p], true);
      dv.setUint16(a + 8, this.se[p], true);
    }
    dv.setUint16(off + 108, this.getSw(), true);
    dv.setUint16(off + 110, 0, true);
  }

  /**
   * Folds a fregs_state header into the state as Linux's convert_to_fxsr does on sigreturn
   * (after the FXSAVE image was loaded, the header's x87 part wins): cw, sw, tags (empty where
   * the 2-bit tag is 3), FIP, FOP from FCS's upper half, FDP and the eight registers.
   */
  fsaveHeaderFrom(dv: DataView, off: number): void {
    const sw = dv.getUint16(off + 4, true);
    const tw = dv.getUint16(off + 8, true);
    this.cw = (dv.getUint16(off, true) & 0x1f3f) | 0x40;
    this.sw = sw & ~0x3800;
    this.top = (sw >> 11) & 7;
    let e = 0;
    for (let i = 0; i < 8; i++) if (((tw >> (2 * i)) & 3) === 3) e |= 1 << i;
    this.empty = e;
    this.fip = dv.getInt32(off + 12, true);
    this.fop = dv.getUint16(off + 18, true) & 0x7ff;
    this.fdp = dv.getInt32(off + 20, true);
    this.fcs = 0;
    this.fds = 0;
    for (let i = 0; i < 8; i++) {
      const p = this.phys(i);
      const a = off + FNSAVE_ENV + 10 * i;
      this.lo[p] = dv.getUint32(a, true);
      this.hi[p] = dv.getUint32(a + 4, true);
      this.se[p] = dv.getUint16(a + 8, true);
    }
    this.updateEs();
  }
}
