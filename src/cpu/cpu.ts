// The CPU: registers, lazily computed EFLAGS, segments (EIP is the offset in CS, fetched at
// CS.base + EIP with CS's default size), and the fetch–decode–execute loop
// over straight-line blocks of decoded instructions cached per physical frame. Faults leave the
// loop through one catch around the whole batch; the CPU stops with a reason and never decides
// what it means. A store into a frame holding decoded code takes effect before the next
// instruction, even inside the block that is executing (see dropCodePage).
import { Mmu, PAGE_FAULT } from '../mmu/mmu.js';
import { PAGE_MASK, PAGE_SHIFT } from '../mmu/physicalMemory.js';
import { Insn } from './insn.js';
import type { CpuContext } from './context.js';
import { Stop } from './stop.js';
import { CodeFrame, decodeAt, decodeBlock, type Block } from './decoder.js';
import {
  DESC_CODE, DESC_CONFORMING, DESC_DPL_SHIFT, DESC_EXPAND_DOWN, DESC_P, DESC_READABLE, DESC_S, DESC_WRITABLE, descriptorAccess,
} from './descriptorTable.js';
import { Fpu } from './fpu/fpu.js';
import { Sse } from './sse/sse.js';
import { DEFAULT_CPU_MODEL, type CpuModel } from './cpuid.js';
import { HwRng } from './hwRng.js';
import { DESC_HI_DB, type Ldt } from './ldt.js';
import { compileBlock, compileTrace, loopsToItself } from './jit/compileBlock.js';
import { jitThreshold, traceThreshold } from './jit/jitMode.js';
import {
  AF, ARITH_FLAGS, CF, ESP, GDT_ENTRY_TLS_ENTRIES, GDT_ENTRY_TLS_MIN, OF, PF,
  SF, TF, USER_CS, USER_DS, ZF, ZERO, CS, DS, ES, FS, GS, SS,
} from './registers.js';

// Lazy flag producers: which operation last set the arithmetic flags.
export const L_NONE = 0, L_ADD = 1, L_ADC = 2, L_SUB = 3, L_SBB = 4, L_LOGIC = 5, L_INC = 6, L_DEC = 7;

export const SZ_MASK = [0xff, 0xffff, -1];
export const SZ_SIGN = [0x80, 0x8000, 0x80000000 | 0];
export const SZ_BITS = [8, 16, 32];

/** PARITY[b] is PF (0x04) when b has an even number of set bits. */
export const PARITY = new Uint8Array(256);
for (let b = 0; b < 256; b++) {
  let n = 0;
  for (let k = 0; k < 8; k++) n += (b >> k) & 1;
  PARITY[b] = n & 1 ? 0 : PF;
}

/** Thrown by Cpu.fault(); caught by the run loop. */
class CpuFault {
  readonly kind = 'cpu-fault';
}
export const CPU_FAULT = new CpuFault();

/**
 * Thrown by an instruction of a block whose frame was written while the block ran: it did not
 * execute, EIP is set to it and the run loop decodes afresh from there. Not a fault.
 */
class CodeChanged {
  readonly kind = 'code-changed';
}
export const CODE_CHANGED = new CodeChanged();

/**
 * Whether the instruction that stopped the CPU for this reason retired (a trap: INT n,
 * SYSENTER, INT3, a trap-class stop); after any other stop (a fault) it did not.
 */
function stopRetires(reason: number): boolean {
  return reason === Stop.Interrupt || reason === Stop.Sysenter || reason === Stop.Breakpoint || reason === Stop.Trap;
}

/** The handler every instruction of an invalidated, still-running block is switched to. */
function codeChanged(_c: Cpu, _i: Insn): void {
  throw CODE_CHANGED;
}

export interface TlsDescriptor {
  base: number;
  limit: number;
  /** user_desc flags word as Linux stores them (seg_32bit, contents, read_exec_only, ...). */
  flags: number;
  present: boolean;
}

/** Frames per chunk of the decoded-code cache. */
/** The most blocks a trace may have (a longer cycle is not recorded). */
const MAX_TRACE_BLOCKS = 16;
const CODE_CHUNK_SHIFT = 8;
const CODE_CHUNK = 1 << CODE_CHUNK_SHIFT;

export class Cpu {
  readonly mmu: Mmu;
  /** EAX..EDI, then a slot that always holds 0. */
  readonly regs = new Int32Array(9);
  eip = 0;
  /** EFLAGS; the arithmetic bits are only meaningful while lazyOp is L_NONE. */
  flags = 0x202;
  lazyOp = L_NONE;
  lazyDst = 0;
  lazySrc = 0;
  lazyRes = 0;
  lazySz = 2;
  lazyCarry = 0;

  readonly segSel = new Uint16Array(6);
  /** Segment bases by register number, with a trailing 0 slot (non-zero for TLS and LDT segments only). */
  readonly segBase = new Int32Array(7);
  /** The three GDT TLS slots that set_thread_area fills (entries 6..8). */
  readonly tls: TlsDescriptor[] = [];
  /** LDTR: the running process's LDT (modify_ldt), null when it has none. */
  ldt: Ldt | null = null;
  /**
   * Bit n set: segment register n holds an LDT segment whose limit is checked, against the
   * valid offsets segLimitLo[n]..segLimitHi[n] (expand-down: limit + 1 up to 0xffff or
   * 0xffffffff). GDT segments have no limit checked (Linux's are flat; TLS limits go
   * unenforced), and a read-only one is checked with the full range (see segNoWrite).
   */
  segLimited = 0;
  readonly segLimitLo = new Uint32Array(6);
  readonly segLimitHi = new Uint32Array(6);
  /**
   * Bit n: segment register n holds a segment that may not be written (a data segment without W,
   * a code segment loaded into a data segment register). Only consulted with segLimited's bit n,
   * which such a segment sets even when its limit is flat.
   */
  segNoWrite = 0;
  /** Bit CS: CS is an execute-only code segment, so a CS-override read faults (with segLimited). */
  segNoRead = 0;
  /**
   * CS.D clear: a 16-bit code segment (16-bit default operand and address size, IP wrapping at
   * 64 KiB). EIP is always the offset in CS; the linear fetch address is segBase[CS] + EIP.
   */
  code16 = false;
  /**
   * The shape of the code segment CS holds as one small number: 0 for a flat 32-bit one (base 0,
   * D set, no limit), others interned by (base, D, limit). Decoded blocks remember the mode they
   * were decoded in, so the flat path pays one comparison per block lookup and nothing more.
   */
  csMode = 0;
  private readonly csModes = new Map<string, number>();

  readonly fpu: Fpu;
  readonly sse: Sse;
  /** What CPUID reports and which extensions decode (set before the first instruction). */
  model: CpuModel = DEFAULT_CPU_MODEL;
  /** RDRAND/RDSEED's source. */
  readonly rng = new HwRng();

  /** Scratch for POPA (read all eight values before writing any register). */
  readonly popaScratch = new Int32Array(8);

  /** Set by a handler that ends the batch (trap, interrupt, fault). -1 while running. */
  stopReason = -1;
  /** Vector of the last INT n / trap. */
  trapVector = 0;
  /** Error code of the last fault that has one (#GP(selector): the selector with RPL cleared). */
  errorCode = 0;
  /** EIP of the instruction being executed (for restarts after faults). */
  prevEip = 0;
  /** Instructions retired since reset. */
  instructions = 0;
  /**
   * Set by MOV SS and POP SS: they inhibit debug exceptions until after the next instruction
   * (SDM vol. 3, "Masking Exceptions and Interrupts When Switching Stacks"), so the
   * single-step trap after them is dropped and the next instruction's trap is the first one.
   */
  ssShadow = false;
  /**
   * Decoded-instruction cache: per physical frame, an array indexed by page offset. Two
   * levels (CODE_CHUNK frames per chunk, chunks made on first use), every array created at its
   * full length: a plain array indexed by frame number becomes a V8 dictionary when a frame
   * number jumps ahead, and one of 128 K entries filled up front costs start-up milliseconds.
   */
  private readonly codeChunks: Array<Array<CodeFrame | undefined> | undefined>;
  decodedInsns = 0;
  codeInvalidations = 0;
  /**
   * The block the run loop is executing (for dropCodePage, which clears it when that block's
   * frame is written: compiled blocks check it after each instruction that may store).
   */
  curBlock: Block | null = null;
  /** Block compiler: a block is compiled on this run (0: never; jit/jitMode.ts). */
  jitThreshold = jitThreshold();
  /** A compiled block records the trace it heads on this run (0: never; jit/jitMode.ts). */
  traceThreshold = traceThreshold();
  /** The blocks of the trace being recorded (its head first), or null. */
  private traceRec: Block[] | null = null;
  /**
   * Set by a compiled block that throws: the index of the instruction that did not complete,
   * and the instructions retired by the block's earlier rounds (a block that loops to itself).
   */
  jitK = 0;
  jitDone = 0;
  jitInsns: Insn[] = [];
  /** Optional per-instruction hook for the debugger; when set, run() checks it before each insn. */
  debugHook: ((c: Cpu) => boolean) | null = null;

  constructor(mmu: Mmu) {
    this.mmu = mmu;
    for (let i = 0; i < GDT_ENTRY_TLS_ENTRIES; i++) this.tls.push({ base: 0, limit: 0, flags: 0, present: false });
    this.fpu = new Fpu();
    this.sse = new Sse();
    this.codeChunks = new Array<Array<CodeFrame | undefined> | undefined>(Math.ceil(mmu.mem.frameCount / CODE_CHUNK)).fill(undefined);
    mmu.onCodeInvalidate = (pfn) => this.dropCodePage(pfn);
    mmu.onFaultResolved = (lin) => this.faultResolvedIn(lin);
    this.resetSegments();
  }

  resetSegments(): void {
    this.segSel[CS] = USER_CS;
    this.segSel[SS] = USER_DS;
    this.segSel[DS] = USER_DS;
    this.segSel[ES] = USER_DS;
    this.segSel[FS] = 0;
    this.segSel[GS] = 0;
    this.segBase.fill(0);
    this.segLimited = 0;
    this.segNoWrite = 0;
    this.segNoRead = 0;
    this.code16 = false;
    this.csMode = 0;
  }

  /** seg holds a flat segment again (the kernel reset it to __USER_DS / __USER_CS). */
  clearSegLimit(seg: number): void {
    this.segLimited &= ~(1 << seg);
    this.segNoWrite &= ~(1 << seg);
    this.segNoRead &= ~(1 << seg);
  }

  // ---- per-thread state -------------------------------------------------------------

  /** Stores the running thread's user state into ctx (a context switch away from it). */
  saveContext(ctx: CpuContext): void {
    ctx.regs.set(this.regs.subarray(0, 8));
    ctx.eip = this.eip;
    ctx.eflags = this.getEflags();
    ctx.segSel.set(this.segSel);
    ctx.segBase.set(this.segBase);
    ctx.segLimited = this.segLimited;
    ctx.segLimitLo.set(this.segLimitLo);
    ctx.segLimitHi.set(this.segLimitHi);
    ctx.segNoWrite = this.segNoWrite;
    ctx.segNoRead = this.segNoRead;
    ctx.code16 = this.code16;
    for (let k = 0; k < this.tls.length; k++) Object.assign(ctx.tls[k], this.tls[k]);
    const f = this.fpu;
    ctx.fcw = f.cw; ctx.fsw = f.sw; ctx.ftop = f.top; ctx.fempty = f.empty;
    ctx.fse.set(f.se); ctx.fhi.set(f.hi); ctx.flo.set(f.lo);
    ctx.fip = f.fip; ctx.fcs = f.fcs; ctx.fop = f.fop; ctx.fdp = f.fdp; ctx.fds = f.fds;
    ctx.xmm.set(this.sse.xmm);
    ctx.mxcsr = this.sse.mxcsr;
  }

  /** Loads a thread's user state from ctx (a context switch to it). */
  loadContext(ctx: CpuContext): void {
    this.regs.set(ctx.regs);
    this.regs[ZERO] = 0;
    this.eip = ctx.eip;
    this.setEflags(ctx.eflags);
    this.segSel.set(ctx.segSel);
    this.segBase.set(ctx.segBase);
    this.segLimited = ctx.segLimited;
    this.segLimitLo.set(ctx.segLimitLo);
    this.segLimitHi.set(ctx.segLimitHi);
    this.segNoWrite = ctx.segNoWrite;
    this.segNoRead = ctx.segNoRead;
    this.code16 = ctx.code16;
    this.refreshCsMode();
    for (let k = 0; k < this.tls.length; k++) Object.assign(this.tls[k], ctx.tls[k]);
    const f = this.fpu;
    f.cw = ctx.fcw; f.sw = ctx.fsw; f.top = ctx.ftop; f.empty = ctx.fempty;
    f.se.set(ctx.fse); f.hi.set(ctx.fhi); f.lo.set(ctx.flo);
    f.fip = ctx.fip; f.fcs = ctx.fcs; f.fop = ctx.fop; f.fdp = ctx.fdp; f.fds = ctx.fds;
    this.sse.xmm.set(ctx.xmm);
    this.sse.mxcsr = ctx.mxcsr;
  }

  // ---- EFLAGS ----------------------------------------------------------------------------

  setLazy(op: number, dst: number, src: number, res: number, sz: number): void {
    this.lazyOp = op;
    this.lazyDst = dst;
    this.lazySrc = src;
    this.lazyRes = res;
    this.lazySz = sz;
  }

  getCF(): number {
    const m = SZ_MASK[this.lazySz];
    switch (this.lazyOp) {
      case L_NONE: return this.flags & CF;
      case L_ADD: return ((this.lazyRes & m) >>> 0) < ((this.lazyDst & m) >>> 0) ? 1 : 0;
      case L_ADC: return this.lazyCarry
        ? (((this.lazyRes & m) >>> 0) <= ((this.lazyDst & m) >>> 0) ? 1 : 0)
        : (((this.lazyRes & m) >>> 0) < ((this.lazyDst & m) >>> 0) ? 1 : 0);
      case L_SUB: return ((this.lazyDst & m) >>> 0) < ((this.lazySrc & m) >>> 0) ? 1 : 0;
      case L_SBB: return this.lazyCarry
        ? (((this.lazyDst & m) >>> 0) <= ((this.lazySrc & m) >>> 0) ? 1 : 0)
        : (((this.lazyDst & m) >>> 0) < ((this.lazySrc & m) >>> 0) ? 1 : 0);
      case L_LOGIC: return 0;
      default: return this.lazyCarry; // INC/DEC keep CF
    }
  }

  getZF(): boolean {
    if (this.lazyOp === L_NONE) return (this.flags & ZF) !== 0;
    return (this.lazyRes & SZ_MASK[this.lazySz]) === 0;
  }

  getSF(): boolean {
    if (this.lazyOp === L_NONE) return (this.flags & SF) !== 0;
    return (this.lazyRes & SZ_SIGN[this.lazySz]) !== 0;
  }

  getPF(): boolean {
    if (this.lazyOp === L_NONE) return (this.flags & PF) !== 0;
    return PARITY[this.lazyRes & 0xff] !== 0;
  }

  getAF(): boolean {
    if (this.lazyOp === L_NONE) return (this.flags & AF) !== 0;
    if (this.lazyOp === L_LOGIC) return false;
    return ((this.lazyDst ^ this.lazySrc ^ this.lazyRes) & 0x10) !== 0;
  }

  getOF(): boolean {
    const s = SZ_SIGN[this.lazySz];
    switch (this.lazyOp) {
      case L_NONE: return (this.flags & OF) !== 0;
      case L_ADD: case L_ADC: case L_INC:
        return ((this.lazyDst ^ this.lazyRes) & (this.lazySrc ^ this.lazyRes) & s) !== 0;
      case L_SUB: case L_SBB: case L_DEC:
        return ((this.lazyDst ^ this.lazySrc) & (this.lazyDst ^ this.lazyRes) & s) !== 0;
      default: return false;
    }
  }

  /** The architectural EFLAGS value. */
  getEflags(): number {
    if (this.lazyOp === L_NONE) return this.flags;
    let f = this.flags & ~ARITH_FLAGS;
    if (this.getCF()) f |= CF;
    if (this.getPF()) f |= PF;
    if (this.getAF()) f |= AF;
    if (this.getZF()) f |= ZF;
    if (this.getSF()) f |= SF;
    if (this.getOF()) f |= OF;
    return f;
  }

  /** Sets EFLAGS wholesale (bit 1 always reads 1). */
  setEflags(v: number): void {
    this.flags = (v | 2) & ~0x28;
    this.lazyOp = L_NONE;
  }

  /** Materialises the lazy flags into `flags` so individual bits can be edited. */
  materializeFlags(): void {
    if (this.lazyOp !== L_NONE) {
      this.flags = this.getEflags();
      this.lazyOp = L_NONE;
    }
  }

  /** Evaluates condition code cc (0..15, the Jcc/SETcc/CMOVcc encoding). */
  cond(cc: number): boolean {
    let r: boolean;
    const op = this.lazyOp;
    if (op === L_NONE) {
      r = this.condSlow(cc >> 1);
    } else {
      const sz = this.lazySz;
      switch (cc >> 1) {
        case 2: r = (this.lazyRes & SZ_MASK[sz]) === 0; break;
        case 4: r = (this.lazyRes & SZ_SIGN[sz]) !== 0; break;
        case 1:
          if (op === L_SUB) r = ((this.lazyDst & SZ_MASK[sz]) >>> 0) < ((this.lazySrc & SZ_MASK[sz]) >>> 0);
          else r = this.getCF() !== 0;
          break;
        case 3:
          if (op === L_SUB) r = ((this.lazyDst & SZ_MASK[sz]) >>> 0) <= ((this.lazySrc & SZ_MASK[sz]) >>> 0);
          else r = this.getCF() !== 0 || (this.lazyRes & SZ_MASK[sz]) === 0;
          break;
        case 6:
          if (op === L_SUB) {
            const sh = 32 - SZ_BITS[sz];
            r = (this.lazyDst << sh) < (this.lazySrc << sh);
          } else if (op === L_LOGIC) {
            r = (this.lazyRes & SZ_SIGN[sz]) !== 0;
          } else {
            r = this.condSlow(6);
          }
          break;
        case 7:
          if (op === L_SUB) {
            const sh = 32 - SZ_BITS[sz];
            r = (this.lazyDst << sh) <= (this.lazySrc << sh);
          } else if (op === L_LOGIC) {
            r = (this.lazyRes & SZ_MASK[sz]) === 0 || (this.lazyRes & SZ_SIGN[sz]) !== 0;
          } else {
            r = this.condSlow(7);
          }
          break;
        default: r = this.condSlow(cc >> 1);
      }
    }
    return (cc & 1) === 0 ? r : !r;
  }

  private condSlow(c: number): boolean {
    switch (c) {
      case 0: return this.getOF();
      case 1: return this.getCF() !== 0;
      case 2: return this.getZF();
      case 3: return this.getCF() !== 0 || this.getZF();
      case 4: return this.getSF();
      case 5: return this.getPF();
      case 6: return this.getSF() !== this.getOF();
      default: return this.getZF() || this.getSF() !== this.getOF();
    }
  }

  // ---- operands ----------------------------------------------------------------------------

  /** Effective linear address of a memory operand. */
  ea(i: Insn): number {
    const r = this.regs;
    const off = i.a16 ? (r[i.base] + r[i.index] + i.disp) & 0xffff : (r[i.base] + (r[i.index] << i.scale) + i.disp) | 0;
    if (this.segLimited !== 0 && (this.segLimited & (1 << i.seg)) !== 0) this.checkSegLimit(i.seg, off, i.width, i.writes);
    return (off + this.segBase[i.seg]) | 0;
  }

  /** ea(i) for an offset computed already (compiled code, whose registers are in locals). */
  eaOf(i: Insn, off: number): number {
    if ((this.segLimited & (1 << i.seg)) !== 0) this.checkSegLimit(i.seg, off, i.width, i.writes);
    return (off + this.segBase[i.seg]) | 0;
  }

  /** ea(i) for an operand of `bytes` bytes whose size the decoder left open (SSE and MMX forms). */
  eaSpan(i: Insn, bytes: number): number {
    const r = this.regs;
    const off = i.a16 ? (r[i.base] + r[i.index] + i.disp) & 0xffff : (r[i.base] + (r[i.index] << i.scale) + i.disp) | 0;
    if (this.segLimited !== 0 && (this.segLimited & (1 << i.seg)) !== 0) this.checkSegLimit(i.seg, off, bytes - 1, i.writes);
    return (off + this.segBase[i.seg]) | 0;
  }

  /**
   * ea(i) moved by delta bytes, for an operand of `bytes` bytes (BT* with a register bit offset,
   * which reaches beyond its operand): the offset wraps at 64 KiB with 16-bit addressing, and
   * the limit is checked where the access lands, not at the ModRM address.
   */
  eaShifted(i: Insn, delta: number, bytes: number): number {
    const r = this.regs;
    const off = i.a16 ? (r[i.base] + r[i.index] + i.disp + delta) & 0xffff : (r[i.base] + (r[i.index] << i.scale) + i.disp + delta) | 0;
    if (this.segLimited !== 0 && (this.segLimited & (1 << i.seg)) !== 0) this.checkSegLimit(i.seg, off, bytes - 1, i.writes);
    return (off + this.segBase[i.seg]) | 0;
  }

  /**
   * The checks of a segment with segLimited's bit set, over an operand's bytes off..off + width
   * (width: its size less one): #GP(0), or #SS(0) for a stack segment, when any byte lies outside
   * the segment; #GP(0) for a write to a read-only segment or a read through execute-only CS.
   */
  checkSegLimit(seg: number, off: number, width = 0, write = false): void {
    const o = off >>> 0;
    const bit = 1 << seg;
    if (o >= this.segLimitLo[seg] && o + width <= this.segLimitHi[seg] &&
      ((this.segNoWrite & bit) === 0 || !write) && (this.segNoRead & bit) === 0) return;
    if (seg === SS) this.fault(Stop.StackSegment, 12, 0);
    this.fault(Stop.GeneralProtection, 13, 0);
  }

  getReg(sz: number, n: number): number {
    if (sz === 2) return this.regs[n];
    if (sz === 1) return this.regs[n] & 0xffff;
    return n < 4 ? this.regs[n] & 0xff : (this.regs[n - 4] >> 8) & 0xff;
  }

  setReg(sz: number, n: number, v: number): void {
    const r = this.regs;
    if (sz === 2) r[n] = v;
    else if (sz === 1) r[n] = (r[n] & ~0xffff) | (v & 0xffff);
    else if (n < 4) r[n] = (r[n] & ~0xff) | (v & 0xff);
    else r[n - 4] = (r[n - 4] & ~0xff00) | ((v & 0xff) << 8);
  }

  readMem(sz: number, a: number): number {
    if (sz === 2) return this.mmu.read32(a);
    if (sz === 1) return this.mmu.read16(a);
    return this.mmu.read8(a);
  }

  writeMem(sz: number, a: number, v: number): void {
    if (sz === 2) this.mmu.write32(a, v);
    else if (sz === 1) this.mmu.write16(a, v);
    else this.mmu.write8(a, v);
  }

  readRm(i: Insn): number {
    return i.isMem ? this.readMem(i.sz, this.ea(i)) : this.getReg(i.sz, i.rm);
  }

  writeRm(i: Insn, v: number): void {
    if (i.isMem) this.writeMem(i.sz, this.ea(i), v);
    else this.setReg(i.sz, i.rm, v);
  }

  push32(v: number): void {
    const sp = (this.regs[ESP] - 4) | 0;
    this.mmu.write32(sp, v);
    this.regs[ESP] = sp;
  }

  pop32(): number {
    const sp = this.regs[ESP];
    const v = this.mmu.read32(sp);
    this.regs[ESP] = (sp + 4) | 0;
    return v;
  }

  push16(v: number): void {
    const sp = (this.regs[ESP] - 2) | 0;
    this.mmu.write16(sp, v);
    this.regs[ESP] = sp;
  }

  pop16(): number {
    const sp = this.regs[ESP];
    const v = this.mmu.read16(sp);
    this.regs[ESP] = (sp + 2) | 0;
    return v;
  }

  // ---- traps -----------------------------------------------------------------------------

  /**
   * Fault: the instruction does not retire and EIP points at it. Thrown (one preallocated
   * object) so that nothing after it in the handler or the block runs.
   */
  fault(reason: Stop, vector = 0, errorCode = 0): never {
    this.trapVector = vector;
    this.errorCode = errorCode;
    this.stopReason = reason;
    throw CPU_FAULT;
  }

  /** Trap: the instruction retired and EIP points after it. */
  trap(reason: Stop, vector: number): void {
    this.trapVector = vector;
    this.stopReason = reason;
  }

  // ---- segments --------------------------------------------------------------------------

  /**
   * MOV/POP/LDS... to a segment register at CPL 3 with the SDM's checks (MOV, "IF SS is
   * loaded" / "IF DS, ES, FS, or GS is loaded with non-NULL selector"), against Linux i386's
   * GDT and the process's LDT (descriptorTable.ts). Returns false after raising #GP(selector),
   * #GP(0) for a null SS, #NP(selector) for a not-present data segment, #SS(selector) for a
   * not-present stack segment (only an LDT descriptor can be not present).
   */
  loadSegment(seg: number, sel: number): boolean {
    sel &= 0xffff;
    if (seg === CS) {
      this.fault(Stop.InvalidOpcode);
      return false;
    }
    if ((sel & 0xfffc) === 0) {
      if (seg === SS) { this.fault(Stop.GeneralProtection, 13, 0); return false; }
      this.segSel[seg] = sel;
      this.segBase[seg] = 0;
      this.clearSegLimit(seg);
      return true;
    }
    const acc = descriptorAccess(this, sel);
    const dpl = (acc >> DESC_DPL_SHIFT) & 3;
    const rpl = sel & 3;
    let ok: boolean;
    if (acc < 0 || (acc & DESC_S) === 0) {
      ok = false;
    } else if (seg === SS) {
      // A writable data segment with RPL = DPL = CPL.
      ok = (acc & (DESC_CODE | DESC_WRITABLE)) === DESC_WRITABLE && rpl === 3 && dpl === 3;
    } else if (acc & DESC_CODE) {
      // Readable code; unless conforming, RPL and CPL must not exceed DPL.
      ok = (acc & DESC_READABLE) !== 0 && ((acc & DESC_CONFORMING) !== 0 || (rpl <= dpl && dpl === 3));
    } else {
      ok = rpl <= dpl && dpl === 3;
    }
    if (!ok) { this.fault(Stop.GeneralProtection, 13, sel & 0xfffc); return false; }
    if ((acc & DESC_P) === 0) {
      if (seg === SS) this.fault(Stop.StackSegment, 12, sel & 0xfffc);
      else this.fault(Stop.SegmentNotPresent, 11, sel & 0xfffc);
      return false;
    }
    const index = sel >> 3;
    // A code segment (readable, as checked) or a data segment without W: reads only.
    const noWrite = (acc & DESC_CODE) !== 0 || (acc & DESC_WRITABLE) === 0;
    if (noWrite) this.segNoWrite |= 1 << seg;
    else this.segNoWrite &= ~(1 << seg);
    this.segNoRead &= ~(1 << seg);
    this.segLimitLo[seg] = 0;
    this.segLimitHi[seg] = 0xffffffff;
    if ((sel & 4) !== 0) {
      const ldt = this.ldt!;
      const limit = ldt.limit(index);
      const expandDown = (acc & (DESC_CODE | DESC_EXPAND_DOWN)) === DESC_EXPAND_DOWN;
      const lo = expandDown ? limit + 1 : 0;
      const hi = expandDown ? ((ldt.hi(index) & DESC_HI_DB) !== 0 ? 0xffffffff : 0xffff) : limit;
      // PUSH/POP/CALL/RET use ESP as the linear address: SS takes a flat 32-bit (B set) LDT
      // segment only. A based, limited or 16-bit stack (SP) is refused with #GP(selector),
      // which Linux delivers as SIGSEGV where the hardware would load it (not modelled).
      if (seg === SS && (ldt.base(index) !== 0 || lo !== 0 || hi !== 0xffffffff || (ldt.hi(index) & DESC_HI_DB) === 0)) {
        this.fault(Stop.GeneralProtection, 13, sel & 0xfffc);
        return false;
      }
      this.segSel[seg] = sel;
      this.segBase[seg] = ldt.base(index);
      this.segLimitLo[seg] = lo;
      this.segLimitHi[seg] = hi;
      if (lo === 0 && hi === 0xffffffff && !noWrite) this.segLimited &= ~(1 << seg);
      else this.segLimited |= 1 << seg;
    } else {
      this.segSel[seg] = sel;
      // GDT segments are flat: only a read-only one (a TLS slot with read_exec_only, __USER_CS
      // loaded into a data register) needs the slow path.
      if (noWrite) this.segLimited |= 1 << seg;
      else this.segLimited &= ~(1 << seg);
      const tls = index >= GDT_ENTRY_TLS_MIN && index < GDT_ENTRY_TLS_MIN + GDT_ENTRY_TLS_ENTRIES;
      this.segBase[seg] = tls ? this.tls[index - GDT_ENTRY_TLS_MIN].base | 0 : 0;
    }
    return true;
  }

  /** Re-reads FS/GS bases (and writability) after the kernel changed a TLS descriptor (set_thread_area). */
  reloadTlsSegments(): void {
    for (const seg of [FS, GS]) {
      const index = this.segSel[seg] >> 3;
      if ((this.segSel[seg] & 4) === 0 && index >= GDT_ENTRY_TLS_MIN && index < GDT_ENTRY_TLS_MIN + GDT_ENTRY_TLS_ENTRIES) {
        this.segBase[seg] = this.tls[index - GDT_ENTRY_TLS_MIN].base | 0;
        const acc = descriptorAccess(this, this.segSel[seg]);
        if ((acc & DESC_S) !== 0 && (acc & DESC_WRITABLE) === 0) {
          this.segNoWrite |= 1 << seg;
          this.segLimitLo[seg] = 0;
          this.segLimitHi[seg] = 0xffffffff;
          this.segLimited |= 1 << seg;
        } else {
          this.clearSegLimit(seg);
        }
      }
    }
  }

  /**
   * CS := sel after a far transfer's (or sigreturn's) checks passed: the base, default size and
   * limit of its descriptor (Linux's GDT code segments are flat and 32-bit; an LDT one may be
   * based, 16-bit or limited).
   */
  setCodeSegment(sel: number): void {
    this.segSel[CS] = sel;
    let base = 0, limit = 0xffffffff, code16 = false, execOnly = false;
    if ((sel & 4) !== 0 && this.ldt !== null) {
      const index = sel >> 3;
      base = this.ldt.base(index);
      limit = this.ldt.limit(index);
      code16 = (this.ldt.hi(index) & DESC_HI_DB) === 0;
      execOnly = (this.ldt.access(index) & DESC_READABLE) === 0;
    }
    this.segBase[CS] = base;
    this.code16 = code16;
    this.segLimitLo[CS] = 0;
    this.segLimitHi[CS] = limit;
    this.segNoWrite |= 1 << CS;
    if (execOnly) this.segNoRead |= 1 << CS;
    else this.segNoRead &= ~(1 << CS);
    if (limit === 0xffffffff && !execOnly) this.segLimited &= ~(1 << CS);
    else this.segLimited |= 1 << CS;
    this.refreshCsMode();
  }

  /** Recomputes csMode from CS's base, size and limit (after they were set wholesale). */
  refreshCsMode(): void {
    const limited = (this.segLimited & (1 << CS)) !== 0;
    if (!this.code16 && this.segBase[CS] === 0 && !limited) {
      this.csMode = 0;
      return;
    }
    const key = `${this.segBase[CS]},${this.code16 ? 16 : 32},${limited ? this.segLimitHi[CS] : -1}`;
    let m = this.csModes.get(key);
    if (m === undefined) {
      m = this.csModes.size + 1;
      this.csModes.set(key, m);
    }
    this.csMode = m;
  }

  /** The linear address of offset eip in CS. */
  codeLinear(eip: number): number {
    return (eip + this.segBase[CS]) | 0;
  }

  // ---- code cache ----------------------------------------------------------------------

  /**
   * Frame pfn was written (or changed meaning): its decoded blocks are dropped. When the block
   * that is executing came from it, the block's instructions are switched to codeChanged: the
   * run loop calls no per-instruction check, so the next one of them to run ends the block and
   * execution resumes at it, decoded afresh from the new bytes. The block is unreachable from
   * the cache already, so nothing else runs those instructions again.
   */
  private dropCodePage(pfn: number): void {
    const chunk = this.codeChunks[pfn >>> CODE_CHUNK_SHIFT];
    if (chunk !== undefined) {
      const f = chunk[pfn & (CODE_CHUNK - 1)];
      if (f !== undefined) f.dead = true;
      chunk[pfn & (CODE_CHUNK - 1)] = undefined;
    }
    this.codeInvalidations++;
    const b = this.curBlock;
    if (b !== null && b.pfn === pfn) {
      const insns = b.insns;
      for (let k = 0; k < insns.length; k++) insns[k].fn = codeChanged;
      this.curBlock = null;
    }
  }

  /**
   * The kernel resolved a fault at lin in place (Mmu.faultHook) and the instruction carries
   * on. When the running block was decoded from that linear page, the page may now map another
   * frame (a copy-on-write copy), which no store would ever match against the block: its frame's
   * decoded code is dropped, so the block ends after this instruction, as a restart would.
   */
  private faultResolvedIn(lin: number): void {
    const b = this.curBlock;
    if (b !== null && b.pfn >= 0 && b.linPage === (lin & PAGE_MASK)) this.mmu.invalidateCode(b.pfn);
  }

  /** Forgets every decoded instruction (after a breakpoint insertion or an exec). */
  flushCodeCache(): void {
    for (let c = 0; c < this.codeChunks.length; c++) {
      const chunk = this.codeChunks[c];
      if (chunk === undefined) continue;
      for (let k = 0; k < CODE_CHUNK; k++) {
        const f = chunk[k];
        if (f !== undefined) {
          f.dead = true;
          chunk[k] = undefined;
          this.mmu.hasCode[c * CODE_CHUNK + k] = 0;
        }
      }
    }
  }

  /**
   * The decoded block starting at offset eip in CS. Blocks are cached per physical frame by
   * page offset and remember the linear page and the CS mode they were decoded for, so the
   * absolute addresses they hold stay right and code decoded as 32-bit never runs as 16-bit;
   * another mapping of the same frame decodes afresh.
   */
  private blockAt(eip: number): Block {
    const mmu = this.mmu;
    const lin = (eip + this.segBase[CS]) | 0;
    const e = mmu.tlbR[lin >>> PAGE_SHIFT];
    const phys = e !== 0 ? (e & PAGE_MASK) >>> 0 : (mmu.translate(lin, false) & PAGE_MASK) >>> 0;
    const pfn = phys >>> PAGE_SHIFT;
    let chunk = this.codeChunks[pfn >>> CODE_CHUNK_SHIFT];
    if (chunk === undefined) {
      chunk = new Array<CodeFrame | undefined>(CODE_CHUNK).fill(undefined);
      this.codeChunks[pfn >>> CODE_CHUNK_SHIFT] = chunk;
    }
    let frame = chunk[pfn & (CODE_CHUNK - 1)];
    if (frame === undefined) {
      frame = new CodeFrame();
      chunk[pfn & (CODE_CHUNK - 1)] = frame;
      mmu.protectCodeFrame(pfn);
    }
    const page = frame.blocks;
    const b = page[lin & 0xfff];
    if (b !== undefined && b.linPage === (lin & PAGE_MASK) && b.mode === this.csMode) return (this.curBlock = b);
    const nb = decodeBlock(this, eip);
    nb.pfn = pfn;
    this.decodedInsns += nb.insns.length;
    // A block whose only instruction runs into the next page is decoded afresh each time:
    // caching it would miss writes to (or remapping of) that second page.
    if (nb.cacheable) {
      page[lin & 0xfff] = nb;
      nb.frame = frame;
    }
    return (this.curBlock = nb);
  }

  /**
   * The block at offset eip in CS, which runs after prev: prev's chain link to it while that is
   * still what blockAt would return (its frame's code alive, CS in the block's mode, the TLB
   * mapping its linear page to its frame), else blockAt's, remembered as a link of prev.
   */
  private blockAfter(prev: Block, eip: number): Block {
    let s = prev.next0Eip === eip ? prev.next0 : prev.next1Eip === eip ? prev.next1 : null;
    if (s !== null && !s.frame.dead && s.mode === this.csMode) {
      const lin = (eip + this.segBase[CS]) | 0;
      const e = this.mmu.tlbR[lin >>> PAGE_SHIFT];
      if (e !== 0 && e >>> PAGE_SHIFT === s.pfn && s.linPage === (lin & PAGE_MASK)) return (this.curBlock = s);
    }
    s = this.blockAt(eip);
    if (prev.next0 === null || prev.next0Eip === eip) {
      prev.next0Eip = eip;
      prev.next0 = s;
    } else {
      prev.next1Eip = eip;
      prev.next1 = s;
    }
    return s;
  }

  /** Decodes the instruction at offset eip in CS without executing it (debugger). */
  decodeOnly(eip: number): Insn {
    return decodeAt(this, eip);
  }

  // ---- the loop ----------------------------------------------------------------------------

  /**
   * Runs about `budget` instructions (whole blocks; a small budget, a debugger hook or an MMU
   * access hook selects the exact one-instruction-at-a-time loop); returns why it stopped.
   */
  run(budget: number): Stop {
    this.stopReason = -1;
    // EFLAGS.TF is checked here, once per batch, not per instruction: whatever sets it between
    // batches (a context switch, sigreturn, a debugger) is seen now, and POPF setting it inside
    // a batch ends the batch (traceStarted) so the rest runs one instruction at a time.
    if (this.debugHook !== null || this.mmu.onAccess !== null || budget < 256 || (this.flags & TF) !== 0) {
      return this.runPrecise(budget);
    }
    let n = 0;
    let k = 0;
    let cur: Insn | null = null;
    const countTo = this.jitThreshold === 0 ? 0 : Math.max(this.jitThreshold, this.traceThreshold);
    // A compiled block is running (the catch then reads jitInsns/jitK/jitDone).
    let compiled = false;
    // The block that ran last (its chain links lead to the next one).
    let prev: Block | null = null;
    for (;;) {
      try {
        while (n < budget) {
          cur = null;
          k = 0;
          const b: Block = prev === null ? this.blockAt(this.eip) : this.blockAfter(prev, this.eip);
          if (this.traceRec !== null) this.recordTrace(this.traceRec, b);
          prev = b;
          const insns = b.insns;
          // The budget is exact (the scheduler's quantum must not depend on block shapes): a
          // block longer than what is left runs one instruction at a time below.
          if (insns.length > budget - n) break;
          if (b.runs < countTo) this.countRun(b);
          let ran = 0;
          if (b.jit !== null) {
            compiled = true;
            ran = b.jit(this, budget - n);
            compiled = false;
            n += ran;
            // The block that ran last (a trace's last member), or null after a TLB miss exit.
            prev = this.curBlock;
          }
          // Compiled code leaves an instruction whose access misses the TLB to the interpreter
          // (emitters.ts); when that is its first, the block runs interpreted this time.
          if (ran === 0) {
            prev = this.curBlock = b;
            const last = insns.length - 1;
            for (; k < last; k++) {
              cur = insns[k];
              cur.fn(this, cur);
            }
            cur = insns[last];
            // Only the block's last instruction can transfer control or trap, so only it needs
            // EIP (and the kernel's prevEip) to be exact while it runs.
            this.prevEip = cur.eip;
            this.eip = cur.nextEip;
            cur.fn(this, cur);
            n += insns.length;
          }
          if (this.stopReason >= 0) {
            if (this.stopReason !== Stop.Budget && !stopRetires(this.stopReason)) n--;
            break;
          }
        }
      } catch (e) {
        prev = null;
        if (compiled) {
          k = this.jitK;
          n += this.jitDone;
          cur = this.jitInsns[k];
          compiled = false;
        }
        n += k;
        if (e === CODE_CHANGED) {
          // A store rewrote the running block: carry on from the first instruction not run.
          this.eip = (cur as Insn).eip;
          continue;
        }
        this.catchFault(e, cur);
      }
      break;
    }
    this.instructions += n;
    this.traceRec = null;
    if (this.stopReason === Stop.Budget) {
      // traceStarted(): the rest of the budget one instruction at a time, checking TF.
      this.stopReason = -1;
      return n < budget ? this.runPrecise(budget - n) : Stop.Budget;
    }
    if (this.stopReason < 0 && n < budget) return this.runPrecise(budget - n);
    return this.stopReason < 0 ? Stop.Budget : this.stopReason;
  }

  /**
   * Counts a run of b: at jitThreshold runs it is compiled (only flat 32-bit code, csMode 0:
   * 16-bit and limited code segments keep the interpreter's IP wrap and limit checks); at
   * traceThreshold, if compiled, the blocks that run from it are recorded (recordTrace).
   */
  private countRun(b: Block): void {
    const runs = ++b.runs;
    if (runs === this.jitThreshold) {
      if (b.cacheable && b.mode === 0) compileBlock(b);
    } else if (runs === this.traceThreshold && b.jit !== null && this.traceRec === null) {
      this.traceRec = [b];
    }
  }

  /**
   * Trace recording: b is the next block to run after the ones in rec. Back at the head, the
   * cycle becomes a trace (jit/compileBlock.ts); a block that loops to itself is one member.
   * Recording gives up on a block seen before (the cycle does not pass through the head), a
   * block that cannot compile or already heads a trace, or a cycle too long.
   */
  private recordTrace(rec: Block[], b: Block): void {
    if (b === rec[0]) {
      this.traceRec = null;
      if (rec.length > 1) compileTrace(rec);
      return;
    }
    if (b === rec[rec.length - 1] && loopsToItself(b.insns)) return;
    if (rec.length === MAX_TRACE_BLOCKS || !b.cacheable || b.mode !== 0 || b.jit !== b.ownJit || rec.includes(b)) {
      this.traceRec = null;
      return;
    }
    rec.push(b);
  }

  /**
   * POPF set EFLAGS.TF: ends run()'s block loop (it is the last instruction of its block) so
   * that the following instructions run in runPrecise, which traps after each one.
   */
  traceStarted(): void {
    if (this.stopReason < 0) this.stopReason = Stop.Budget;
  }

  /**
   * One instruction at a time, consulting the debugger hook before each, and raising the
   * single-step trap after each instruction that started with TF set. Intel SDM vol. 3B,
   * "Single-Step Exception Condition": the trap follows an instruction that began with
   * TF = 1 (a trap-class #DB, EIP after the instruction), so the POPF that sets
   * TF is not trapped but the instruction after it is, and a POPF that clears TF still is.
   * An instruction that stops for another reason (a fault, INT n, INT3, INTO, which clear TF
   * for their handler) reports that reason instead.
   */
  private runPrecise(budget: number): Stop {
    let n = 0;
    let cur: Insn | null = null;
    try {
      while (n < budget) {
        if (this.debugHook !== null && this.debugHook(this)) {
          this.stopReason = Stop.Debug;
          break;
        }
        cur = null;
        cur = this.blockAt(this.eip).insns[0];
        const tracing = this.flags & TF;
        this.prevEip = cur.eip;
        this.eip = cur.nextEip;
        this.ssShadow = false;
        cur.fn(this, cur);
        if (this.stopReason >= 0) {
          if (this.stopReason === Stop.Budget) {
            this.stopReason = -1; // traceStarted(): already one at a time here
          } else {
            if (stopRetires(this.stopReason)) n++;
            break;
          }
        }
        n++;
        if (tracing !== 0 && !this.ssShadow) {
          this.trap(Stop.SingleStep, 1);
          break;
        }
      }
    } catch (e) {
      this.catchFault(e, cur);
    }
    this.instructions += n;
    return this.stopReason < 0 ? Stop.Budget : this.stopReason;
  }

  /** A fault thrown out of an instruction: EIP back at that instruction; the reason is kept. */
  private catchFault(e: unknown, cur: Insn | null): void {
    if (e === CODE_CHANGED) {
      // Not a fault: the instruction did not run and is decoded afresh by the next batch.
      if (cur !== null) this.eip = cur.eip;
      this.prevEip = this.eip;
      return;
    }
    if (e === PAGE_FAULT) {
      this.stopReason = Stop.PageFault;
      this.trapVector = 14;
    } else if (e !== CPU_FAULT) {
      throw e;
    }
    // cur is null when the fault came from fetching the block itself; EIP is already there.
    if (cur !== null) this.eip = cur.eip;
    this.prevEip = this.eip;
  }
}

