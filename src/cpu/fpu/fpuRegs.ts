// The x87 register file and status: the eight 80-bit registers as typed arrays (`se` = sign
// << 15 | biased exponent, `hi`:`lo` = the 64-bit significand with its explicit integer bit),
// TOP and the empty bits (the tag word is derived from the contents), the control and status
// words, the last-instruction pointers; the stack helpers and exception recording that every
// x87 operation shares; views for the debugger and snapshots; and the MMX aliasing of the
// registers' significands.
import { C_NORMAL, C_ZERO, classify, DE, IE, SF, toNumber, ZE } from './float80.js';

// Status word bits.
export const SW_ES = 0x80, SW_C0 = 0x100, SW_C1 = 0x200, SW_C2 = 0x400, SW_C3 = 0x4000, SW_B = 0x8000;
export const SW_CC = SW_C0 | SW_C1 | SW_C2 | SW_C3;

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

export class FpuRegs {
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
  /** Set by the decoder's hand-off for each instruction: a 0x66 prefix selects 16-bit images. */
  o16 = false;
  /** Last instruction pointer, code and data selectors, opcode (11 bits) and data pointer. */
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

  protected tagOf(p: number): number {
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

  protected phys(i: number): number {
    return (this.top + i) & 7;
  }

  protected isEmpty(i: number): boolean {
    return ((this.empty >> ((this.top + i) & 7)) & 1) !== 0;
  }

  protected setPhys(p: number, se: number, hi: number, lo: number): void {
    this.se[p] = se;
    this.hi[p] = hi;
    this.lo[p] = lo;
    this.empty &= ~(1 << p);
  }

  protected setSt(i: number, se: number, hi: number, lo: number): void {
    this.setPhys((this.top + i) & 7, se, hi, lo);
  }

  protected pop(): void {
    this.empty |= 1 << this.top;
    this.top = (this.top + 1) & 7;
  }

  protected push(se: number, hi: number, lo: number): void {
    this.top = (this.top - 1) & 7;
    this.setPhys(this.top, se, hi, lo);
  }

  /** C1 ← v (0 or 1), without a branch: after rounding it is the unpredictable "rounded up". */
  protected setC1(v: number): void {
    this.sw = (this.sw & ~SW_C1) | ((v & 1) << 9);
  }

  protected setCC(c3: number, c2: number, c1: number, c0: number): void {
    this.sw = (this.sw & ~SW_CC) | (c3 ? SW_C3 : 0) | (c2 ? SW_C2 : 0) | (c1 ? SW_C1 : 0) | (c0 ? SW_C0 : 0);
  }

  /**
   * Records exception flags; returns true when one of them is unmasked (ES and B are set, and
   * FOP/FDP are recorded as the CPU does only for such an instruction).
   */
  protected raise(exc: number): boolean {
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
  protected updateEs(): void {
    if (this.sw & ~this.cw & 0x3f) this.sw |= SW_ES | SW_B;
    else this.sw &= ~(SW_ES | SW_B);
  }

  /** IE + SF for a stack fault; C1 = 1 for overflow, 0 for underflow. Returns true if unmasked. */
  protected stackFault(overflow: boolean): boolean {
    this.setC1(overflow ? 1 : 0);
    return this.raise(IE | SF);
  }

  /** True when a result with these exception flags must not be stored (unmasked IE/ZE/DE). */
  protected blocked(exc: number): boolean {
    return (exc & ~this.cw & (IE | ZE | DE)) !== 0;
  }

  // Current instruction (for FOP/FDP on unmasked exceptions).
  protected curOp = 0;
  protected curMem = false;
  protected curEa = 0;
}
