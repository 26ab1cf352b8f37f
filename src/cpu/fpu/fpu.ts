// The x87 instructions (escapes D8-DF) on the soft-float of float80.ts: exec() dispatches on
// the table of fpuForms.ts (fpuHandlers.ts gives the hot forms decode-time entries of their
// own), and this file holds the loads and stores, arithmetic, compares, FCMOVcc, constants and
// the other register operations. The state and its helpers are in fpuRegs.ts, the save images
// in fpuImages.ts, FPREM in remainder.ts, the transcendentals in transcendental.ts, and the
// common case of FADD/FSUB/FMUL (default control word, normal operands) in nearest64.ts, which
// the decoded entry points try first.
//
// Everything is bit-exact with the CPU (results, C0-C3, exception flags, #MF, stack faults, the
// pointer fields) except the last bit of some transcendentals: test/cpu/fpu/*.test.ts and
// `npm run difftest` check it against the host; BENCHMARKS.md lists the measured rates. Host
// facts this follows: FCS and FDS read 0; FOP and FDP are only recorded for an instruction
// that raises an unmasked exception (FIP for every non-control instruction); FLDCW keeps bits
// 0-5 and 8-12 and reads bit 6 as 1; loading the control or status word re-derives ES and B.
import { L_NONE, type Cpu } from '../cpu.js';
import { Stop } from '../stop.js';
import {
  add, BIAS, C_DENORMAL, C_INF, C_NORMAL, C_QNAN, C_SNAN, C_UNSUPPORTED, C_ZERO, classify, CMP_EQ,
  CMP_GT, CMP_LT, CMP_UN, compare, DE, div, F, fromF32, fromF64, fromInt32, fromInt64, IE,
  INDEF_HI, INDEF_LO, INDEF_SE, mul, pcBits, PE, roundInt, sqrt, toFloat, toInt, UE, OE,
  unpackTo,
  ZE, SF,
} from './float80.js';
import * as T from './transcendental.js';
import { fprem, PREM_PARTIAL } from './remainder.js';
import { FORM_ARITH, FORM_INVALID, FORM_MEM, FORM_NOWAIT, FORM_REG, FORM_STORE, FORMS } from './fpuForms.js';
import { FpuImages } from './fpuImages.js';
import { add64, fastControl, INEXACT, mul64, NOT_FAST, UP } from './nearest64.js';
import { SW_B, SW_C1, SW_C2, SW_ES } from './fpuRegs.js';

export { FREGS_STATE_SIZE, FXSAVE_SIZE, FXSAVE_WRITTEN } from './fpuImages.js';
export type { FpuRegView, FpuState } from './fpuRegs.js';

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

export class Fpu extends FpuImages {
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

  /**
   * FADD, FMUL, FSUB, FSUBR (kind 0, 1, 4, 5) of physical register dst with b under the
   * default control word, on nearest64.ts's path: true when done (result, C1 and PE stored),
   * false for the general path (nothing changed). Only a masked PE can arise there, so FOP and
   * FDP, recorded for unmasked exceptions only, are not involved.
   */
  private fastArith(kind: number, dst: number, bse: number, bh: number, bl: number): boolean {
    if (!fastControl(this.cw)) return false;
    const rs = this.se, rh = this.hi, rl = this.lo;
    const ase = rs[dst], ah = rh[dst] | 0, al = rl[dst] | 0;
    const r = kind === 1 ? mul64(rs, rh, rl, dst, ase, ah, al, bse, bh, bl)
      : kind === 5 ? add64(rs, rh, rl, dst, ase ^ 0x8000, ah, al, bse, bh, bl)
      : add64(rs, rh, rl, dst, ase, ah, al, kind === 4 ? bse ^ 0x8000 : bse, bh, bl);
    if (r === NOT_FAST) return false;
    this.sw = (this.sw & ~SW_C1) | ((r & UP) << 9) | ((r & INEXACT) << 4);
    return true;
  }

  /** D8/DC/DE register arithmetic: ST(d) ← ST(d) op ST(s) (kind as in arith()), then pop. */
  decArithReg(c: Cpu, fop: number, kind: number, d: number, s: number, doPop: boolean): void {
    this.enter(c, fop, false, 0);
    this.fip = c.prevEip;
    const top = this.top, pd = (top + d) & 7, ps = (top + s) & 7;
    if ((((this.empty >> pd) | (this.empty >> ps)) & 1) !== 0) {
      this.arithReg(kind, d, s, doPop); // a stack fault
      return;
    }
    if (kind < 6 && this.fastArith(kind, pd, this.se[ps], this.hi[ps] | 0, this.lo[ps] | 0)) {
      if (doPop) {
        this.empty |= 1 << top;
        this.top = (top + 1) & 7;
      }
      return;
    }
    F.exc = 0;
    F.den = 0;
    const cw = this.cw;
    this.arith1(kind, cw, this.se[pd], this.hi[pd] | 0, this.lo[pd] | 0, this.se[ps], this.hi[ps] | 0, this.lo[ps] | 0);
    const exc = F.exc;
    if ((exc & ~cw & 0x3f) !== 0) {
      // Something unmasked: storeResult() decides whether the result is written.
      if (this.storeResult(pd) && doPop) this.pop();
      return;
    }
    // storeResult() when every flag raised is masked: C1 = rounded up, flags, the result.
    this.sw = (this.sw & ~SW_C1) | (F.up << 9) | exc;
    this.se[pd] = F.se;
    this.hi[pd] = F.hi;
    this.lo[pd] = F.lo;
    if (doPop) {
      this.empty |= 1 << top;
      this.top = (top + 1) & 7;
    }
  }

  /** D9 C0+i FLD ST(i), D9 C8+i FXCH, DD D0+i/D8+i FST(P) ST(i) (which: 0, 1, 2, 3). */
  decStackReg(c: Cpu, fop: number, which: number, i: number): void {
    this.enter(c, fop, false, 0);
    this.fip = c.prevEip;
    // Without a stack fault each of these only moves registers and clears C1.
    const top = this.top, e = this.empty, p = (top + i) & 7;
    if (which === 0) {
      const n = (top - 1) & 7;
      if (((e >> p) & 1) === 0 && ((e >> n) & 1) !== 0) {
        this.sw &= ~SW_C1;
        this.se[n] = this.se[p]; this.hi[n] = this.hi[p]; this.lo[n] = this.lo[p];
        this.empty = e & ~(1 << n);
        this.top = n;
      } else {
        this.execD9(0xc0 | i, 0, i);
      }
    } else if (which === 1) {
      if ((((e >> top) | (e >> p)) & 1) === 0) {
        this.sw &= ~SW_C1;
        const se = this.se[top], hi = this.hi[top], lo = this.lo[top];
        this.se[top] = this.se[p]; this.hi[top] = this.hi[p]; this.lo[top] = this.lo[p];
        this.se[p] = se; this.hi[p] = hi; this.lo[p] = lo;
      } else {
        this.fxch(i);
      }
    } else if (((e >> top) & 1) === 0) {
      this.sw &= ~SW_C1;
      this.se[p] = this.se[top]; this.hi[p] = this.hi[top]; this.lo[p] = this.lo[top];
      this.empty = e & ~(1 << p);
      if (which === 3) {
        this.empty |= 1 << top;
        this.top = (top + 1) & 7;
      }
    } else {
      this.fstReg(i, which === 3);
    }
  }

  /** D9 /0 FLD m32fp. */
  decFldM32(c: Cpu, fop: number, ea: number): void {
    this.enter(c, fop, true, ea);
    const v = c.mmu.read32(ea);
    this.fip = c.prevEip;
    const e = (v >>> 23) & 0xff;
    if (((e - 1) >>> 0) < 0xfe && ((this.empty >> ((this.top - 1) & 7)) & 1) !== 0) {
      // A normal float32 widens exactly and raises nothing.
      this.pushQuiet(((v >>> 16) & 0x8000) | (e + BIAS - 127), 0x80000000 | (v << 8), 0);
      return;
    }
    F.exc = 0;
    fromF32(v, false);
    this.loadResult();
  }

  /** DB E8+i/F0+i F(U)COMI, DF E8+i/F0+i F(U)COMIP. */
  decFcomi(c: Cpu, fop: number, i: number, quiet: boolean, doPop: boolean): void {
    this.enter(c, fop, false, 0);
    this.fip = c.prevEip;
    const a = this.top, b = (a + i) & 7;
    const ase = this.se[a], bse = this.se[b], ah = this.hi[a] | 0, bh = this.hi[b] | 0;
    if ((((this.empty >> a) | (this.empty >> b)) & 1) === 0 && (ah & bh) < 0 &&
      (((ase & 0x7fff) - 1) >>> 0) < 0x7ffe && (((bse & 0x7fff) - 1) >>> 0) < 0x7ffe) {
      // Two normals (compare()'s first case): nothing raised; by sign, then by magnitude,
      // the difference of the words weighed in one double (its sign is exact).
      const sa = ase >>> 15;
      const m = sa !== bse >>> 15 ? 1 - 2 * sa
        : (1 - 2 * sa) * (((ase & 0x7fff) - (bse & 0x7fff)) * 18446744073709551616 + ((ah >>> 0) - (bh >>> 0)) * 4294967296 + ((this.lo[a] >>> 0) - (this.lo[b] >>> 0)));
      c.lazyOp = L_NONE;
      c.flags = (c.flags & ~(FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF)) | (m < 0 ? FL_CF : m === 0 ? FL_ZF : 0);
      if (doPop) {
        this.empty |= 1 << a;
        this.top = (a + 1) & 7;
      }
      return;
    }
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

  /** D8 /kind arithmetic with m32fp (not the compares). */
  decArithM32(c: Cpu, fop: number, kind: number, ea: number): void {
    this.enter(c, fop, true, ea);
    const v = c.mmu.read32(ea);
    this.fip = c.prevEip;
    const e = (v >>> 23) & 0xff;
    // A normal float32 widens exactly (see isNormalF64).
    if (kind < 6 && ((e - 1) >>> 0) < 0xfe && ((this.empty >> this.top) & 1) === 0 &&
      this.fastArith(kind, this.top, ((v >>> 16) & 0x8000) | (e + BIAS - 127), 0x80000000 | (v << 8), 0)) return;
    F.exc = 0;
    F.den = 0;
    fromF32(v, true);
    this.arithMem(kind, F.se, F.hi | 0, F.lo | 0);
  }

  /** DB /0 FILD m32int. */
  decFildM32(c: Cpu, fop: number, ea: number): void {
    this.enter(c, fop, true, ea);
    this.fildInt(c, c.mmu.read32(ea));
  }

  /** DB /5 FLD m80. */
  decFldM80(c: Cpu, fop: number, ea: number): void {
    this.enter(c, fop, true, ea);
    this.execMem(c, 0xdb, 5, ea);
  }

  /** A load that raised nothing, onto an empty ST(7): C1 = 0 and the value pushed. */
  private pushQuiet(se: number, hi: number, lo: number): void {
    const n = (this.top - 1) & 7;
    this.sw &= ~SW_C1;
    this.se[n] = se;
    this.hi[n] = hi;
    this.lo[n] = lo;
    this.empty &= ~(1 << n);
    this.top = n;
  }

  /** D9 /2, /3 FST(P) m32fp, DD /2, /3 FST(P) m64fp, DB /7 FSTP m80: restartable as execStore(). */
  decStore(c: Cpu, fop: number, kind: number, ea: number): void {
    this.enter(c, fop, true, ea);
    const fip = this.fip, fop0 = this.fop, fdp = this.fdp, sw = this.sw;
    try {
      if (kind === 4) this.storeExt(c, ea);
      else this.storeFloat(c, ea, kind >= 2, (kind & 1) !== 0);
    } catch (e) {
      this.fip = fip;
      this.fop = fop0;
      this.fdp = fdp;
      this.sw = sw;
      throw e;
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
      const bse = f64Se(hi), bh = f64Hi(hi, lo), bl = lo << 11;
      if (kind < 6 && ((this.empty >> this.top) & 1) === 0 && this.fastArith(kind, this.top, bse, bh, bl)) return;
      this.arithMem(kind, bse, bh, bl);
    } else {
      fromF64(hi, lo, true);
      this.arithMem(kind, F.se, F.hi | 0, F.lo | 0);
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
    this.arith1(kind, this.cw, ase, ahi, alo, bse, bhi, blo);
    return this.storeResult(dst);
  }

  /** a op b into F (kind as in arith()). */
  private arith1(kind: number, cw: number, ase: number, ahi: number, alo: number, bse: number, bhi: number, blo: number): void {
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
    // All six arithmetic flags are written below: the lazy ones need not be worked out first
    // (the other EFLAGS bits in c.flags are current either way).
    c.lazyOp = L_NONE;
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
}
