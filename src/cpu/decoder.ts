// The instruction decoder: prefixes, the one-byte and 0F opcode maps, ModRM/SIB addressing and
// immediates, producing an Insn whose handler is chosen once here (by operand size and by
// register-vs-memory form, with fast handlers for the common 32-bit register cases).
import type { Cpu } from './cpu.js';
import { newInsn, type Insn, type Handler } from './insn.js';
import { PAGE_FAULT } from '../mmu/mmu.js';
import { CS, DS, EBP, EBX, ECX, EDI, ES, ESI, ESP, FS, GS, SS, ZERO } from './registers.js';
import { operandWidth, storesToOperand } from './memoryOperand.js';
import { Stop } from './stop.js';
import * as alu from './ops/alu.js';
import * as mv from './ops/dataMove.js';
import * as st from './ops/stack.js';
import * as ctl from './ops/control.js';
import * as sh from './ops/shift.js';
import * as md from './ops/mulDiv.js';
import * as bit from './ops/bit.js';
import * as str from './ops/string.js';
import * as bcd from './ops/bcd.js';
import * as sys from './ops/system.js';
import * as misc from './ops/misc.js';
import * as far from './ops/farTransfer.js';
import { decodeSse } from './sse/decode.js';
import { fpuHandler } from './fpu/fpuHandlers.js';
import { decodeCountZeros, decodeRdrand, decodeVex } from './decodeScalarExt.js';

const MAX_LEN = 15;

/**
 * Decoding cursor, reused for every decode (decoding is not on the hot path). p is the offset
 * in CS; bytes are read at CS.base + p, and past CS's limit the instruction is #GP(0).
 */
export class Decoder {
  c!: Cpu;
  p = 0;
  start = 0;
  opsize16 = false;
  addr16 = false;
  seg = -1;
  rep = 0;
  /** CS's base, 0xffff in 16-bit code (IP wraps) else -1, and its limit when checked. */
  base = 0;
  ipMask = -1;
  limited = false;
  limit = 0;

  /** The linear address of the next byte, after the CS limit check. */
  private next(): number {
    const off = this.p & this.ipMask;
    if (this.limited && (off >>> 0) > this.limit) throw BEYOND_LIMIT;
    return (off + this.base) | 0;
  }
  fetch8(): number {
    if (this.p - this.start >= MAX_LEN) throw TOO_LONG;
    const v = this.c.mmu.read8(this.next());
    this.p = (this.p + 1) | 0;
    return v;
  }
  /** The next byte without consuming it. */
  peek8(): number {
    return this.c.mmu.read8(this.next());
  }
  fetch16(): number {
    const lo = this.fetch8();
    return lo | (this.fetch8() << 8);
  }
  fetch32(): number {
    const lo = this.fetch16();
    return lo | (this.fetch16() << 16);
  }
  /** Sign-extended 8-bit immediate. */
  fetchS8(): number {
    return (this.fetch8() << 24) >> 24;
  }
  /** Iz: a 16- or 32-bit immediate by operand size. */
  fetchIz(): number {
    return this.opsize16 ? this.fetch16() : this.fetch32();
  }

  /** Reads ModRM (and SIB/displacement) into i. */
  modrm(i: Insn): void {
    const b = this.fetch8();
    i.modrm = b;
    const mod = b >> 6;
    i.reg = (b >> 3) & 7;
    const rm = b & 7;
    if (mod === 3) {
      i.isMem = false;
      i.rm = rm;
      return;
    }
    i.isMem = true;
    let defSeg = DS;
    if (this.addr16) {
      i.a16 = true;
      const bases = [EBX, EBX, EBP, EBP, ESI, EDI, EBP, EBX];
      const idx = [ESI, EDI, ESI, EDI, ZERO, ZERO, ZERO, ZERO];
      i.base = bases[rm];
      i.index = idx[rm];
      if (rm === 2 || rm === 3 || rm === 6) defSeg = SS;
      if (mod === 0 && rm === 6) {
        i.base = ZERO;
        i.disp = this.fetch16();
        defSeg = DS;
      } else if (mod === 1) i.disp = this.fetchS8();
      else if (mod === 2) i.disp = this.fetch16();
    } else {
      if (rm === 4) {
        const sib = this.fetch8();
        const base = sib & 7;
        const index = (sib >> 3) & 7;
        i.scale = sib >> 6;
        i.index = index === 4 ? ZERO : index;
        if (base === 5 && mod === 0) {
          i.base = ZERO;
          i.disp = this.fetch32();
        } else {
          i.base = base;
          if (base === 4 || base === 5) defSeg = SS;
        }
      } else if (rm === 5 && mod === 0) {
        i.base = ZERO;
        i.disp = this.fetch32();
      } else {
        i.base = rm;
        if (rm === 5) defSeg = SS;
      }
      if (mod === 1) i.disp = this.fetchS8();
      else if (mod === 2) i.disp = this.fetch32();
    }
    i.seg = this.seg >= 0 ? this.seg : defSeg;
  }
}

class TooLong {}
const TOO_LONG = new TooLong();
/** An instruction byte beyond CS's limit: the instruction is #GP(0) (SDM vol. 3, 6.3.3). */
class BeyondLimit {}
const BEYOND_LIMIT = new BeyondLimit();
const d = new Decoder();

const invalid = ctl.invalidOpcode;
const gp = ctl.generalProtection;

const STRING_OPS = new Set<Handler>([str.movs, str.cmps, str.stos, str.lods, str.scas]);

function nullSegmentChecked(c: Cpu, i: Insn): void {
  if ((c.segSel[i.seg] & 0xfffc) === 0) c.fault(Stop.GeneralProtection, 13);
  i.inner(c, i);
}

/** A near CALL through an FS/GS memory operand under a limited CS: #GP(0) for a null selector first. */
function callLimitCheckedNullSeg(c: Cpu, i: Insn): void {
  if ((c.segSel[i.seg] & 0xfffc) === 0) c.fault(Stop.GeneralProtection, 13);
  ctl.callLimitChecked(c, i);
}

/** The same for a near JMP through an FS/GS memory operand. */
function branchLimitCheckedNullSeg(c: Cpu, i: Insn): void {
  if ((c.segSel[i.seg] & 0xfffc) === 0) c.fault(Stop.GeneralProtection, 13);
  branchLimitChecked(c, i);
}

/** Whether the instruction stores to its ModRM memory operand. */
function writesMemory(i: Insn): boolean {
  switch (i.inner) {
    case alu.aluEG: case alu.aluEI: return i.sub !== alu.ALU_CMP;
    case bit.btEG: case bit.btEI: return i.sub !== 0;
    case alu.incDec: case alu.notE: case alu.negE: case mv.movEG: case mv.movEI: case mv.mov_m32_r32:
    case mv.movOA: case mv.setcc: case mv.xchgEG: case mv.xadd: case mv.cmpxchg: case mv.cmpxchg8b:
    case st.popE: case sh.shiftEI: case sh.shiftECL: case sh.shldShrd: case mv.movESreg: case misc.arpl:
      return true;
    default: return false;
  }
}

/** Handlers whose memory-destination forms accept LOCK (anything else with LOCK is #UD). */
const LOCKABLE = new Set<Handler>([
  alu.aluEG, alu.aluEI, alu.incDec, alu.notE, alu.negE, mv.xchgEG, mv.xadd, mv.cmpxchg,
  mv.cmpxchg8b, bit.btEG, bit.btEI,
]);

/** Refines LOCKABLE: CMP and BT read only, and group 3 allows only NOT/NEG. */
function lockableForm(i: Insn): boolean {
  switch (i.fn) {
    case alu.aluEG: case alu.aluEI: return i.sub !== alu.ALU_CMP;
    case bit.btEG: case bit.btEI: return i.sub !== 0;
    default: return true;
  }
}

/**
 * Decodes the instruction at offset eip in CS (may throw PAGE_FAULT while fetching), with CS's
 * default operand and address size (0x66 and 0x67 select the other one).
 */
export function decodeAt(c: Cpu, eip: number): Insn {
  const i = newInsn(invalid);
  i.eip = eip;
  const code16 = c.code16;
  d.c = c;
  d.p = eip;
  d.start = eip;
  d.opsize16 = code16;
  d.addr16 = code16;
  d.seg = -1;
  d.rep = 0;
  d.base = c.segBase[CS];
  d.ipMask = code16 ? 0xffff : -1;
  d.limited = (c.segLimited & (1 << CS)) !== 0;
  d.limit = c.segLimitHi[CS];
  let pfx = 0;
  try {
    let op: number;
    for (;;) {
      op = d.fetch8();
      switch (op) {
        case 0x66: d.opsize16 = !code16; pfx = pfx === 0 ? 1 : pfx; continue;
        case 0x67: d.addr16 = !code16; continue;
        case 0xf0: i.lock = true; continue;
        case 0xf2: d.rep = 2; pfx = 3; continue;
        case 0xf3: d.rep = 1; pfx = 2; continue;
        case 0x26: d.seg = ES; continue;
        case 0x2e: d.seg = CS; continue;
        case 0x36: d.seg = SS; continue;
        case 0x3e: d.seg = DS; continue;
        case 0x64: d.seg = FS; continue;
        case 0x65: d.seg = GS; continue;
      }
      break;
    }
    i.rep = d.rep;
    i.pfx = pfx;
    i.seg = d.seg >= 0 ? d.seg : DS;
    i.a16 = d.addr16;
    i.sz = d.opsize16 ? 1 : 2;
    i.op = op;
    i.fn = op === 0x0f ? decode0F(i) : decodeOne(i, op);
    if (i.lock && !(i.isMem && LOCKABLE.has(i.fn) && lockableForm(i))) i.fn = invalid;
    i.inner = i.fn;
    if (i.isMem) {
      i.width = operandWidth(i) - 1;
      i.writes = writesMemory(i) || storesToOperand(i);
    }
    if (d.seg === FS || d.seg === GS) {
      // FS and GS may hold a null selector (FS does at start-up): using it must raise #GP.
      if (i.isMem || STRING_OPS.has(i.fn)) i.fn = nullSegmentChecked;
    } else if (d.seg === CS && i.writes) {
      i.fn = gp; // code segments are not writable
    }
    // Under a limited CS the limit check wraps the branch, keeping an FS/GS operand's null check.
    const nullChecked = i.fn === nullSegmentChecked;
    if (d.limited && NEAR_CALLS.has(i.inner)) i.fn = nullChecked ? callLimitCheckedNullSeg : ctl.callLimitChecked;
    else if (d.limited && NEAR_BRANCHES.has(i.inner)) i.fn = nullChecked ? branchLimitCheckedNullSeg : branchLimitChecked;
  } catch (e) {
    if (e !== TOO_LONG && e !== BEYOND_LIMIT) throw e;
    i.fn = gp;
  }
  i.len = (d.p - eip) | 0;
  i.nextEip = d.p & d.ipMask;
  return i;
}

/** Near branches: their target must lie within CS's limit (calls check it before the push). */
const NEAR_CALLS = new Set<Handler>([ctl.callRel, ctl.callRel16, ctl.callE]);
const NEAR_BRANCHES = new Set<Handler>([
  ctl.jmpRel, ctl.jmpRel16, ctl.jcc, ctl.jcc16, ctl.jmpE, ctl.ret, ctl.ret32, ctl.loop,
]);

/**
 * A near branch in a code segment with a limit (decoded so only there): a target beyond the
 * limit is #GP(0) at the branch with nothing changed (SDM, JMP/RET: "IF tempEIP is not
 * within code segment limit THEN #GP(0)"); ESP and ECX are put back as they were.
 */
function branchLimitChecked(c: Cpu, i: Insn): void {
  const sp = c.regs[ESP], cx = c.regs[ECX];
  i.inner(c, i);
  if ((c.eip >>> 0) > c.segLimitHi[CS]) {
    c.regs[ESP] = sp;
    c.regs[ECX] = cx;
    c.fault(Stop.GeneralProtection, 13, 0);
  }
}

/** A straight-line run of decoded instructions; only the last may branch, trap or repeat. */
/**
 * The decoded blocks of one physical frame, by page offset. dead once the frame was written
 * (or changed meaning) or the code cache was flushed: a block reached through a chain link
 * (Block.next0/next1) runs only while its frame is alive.
 */
export class CodeFrame {
  dead = false;
  readonly blocks: Block[] = new Array<Block>(4096);
}

/** The frame of blocks that are never cached (and so never chained to). */
export const UNCACHED = new CodeFrame();
UNCACHED.dead = true;

export class Block {
  /** The physical frame the block was decoded from (set by the CPU's code cache). */
  pfn = -1;
  frame: CodeFrame = UNCACHED;
  /**
   * Chain links: the last two blocks that ran after this one, by their EIP (a fall-through, a
   * branch target, the last return address). The run loop follows one while its frame is alive,
   * CS's mode is the block's, and the TLB still maps its linear page to its frame.
   */
  next0Eip = 0;
  next0: Block | null = null;
  next1Eip = 0;
  next1: Block | null = null;
  /**
   * Times the run loop entered it (counted up to the trace threshold), what the loop calls for
   * it once hot (src/cpu/jit: its own compiled function, or later the trace it heads), and its
   * own compiled function.
   */
  runs = 0;
  jit: ((c: Cpu, left: number) => number) | null = null;
  ownJit: ((c: Cpu, left: number) => number) | null = null;
  constructor(
    readonly insns: Insn[],
    /** The linear page the block was decoded at (its absolute addresses hold only there). */
    readonly linPage: number,
    /** False for a lone instruction that runs into the next page. */
    readonly cacheable: boolean,
    /** Cpu.csMode when decoded: CS's base, default size and limit the instructions assume. */
    readonly mode: number,
  ) {}
}

const MAX_BLOCK = 64;

/** Handlers after which execution may not simply fall through to the next instruction. */
const ENDS_BLOCK = new Set<Handler>([
  ctl.jmpRel, ctl.jmpRel16, ctl.jcc, ctl.jcc16, ctl.callRel, ctl.callRel16, ctl.callE, ctl.jmpE,
  ctl.ret, ctl.ret32, ctl.loop, ctl.intN, ctl.int3, ctl.int1, ctl.into, ctl.sysenter,
  ctl.invalidOpcode, ctl.generalProtection, str.movs, str.stos, str.lods, str.cmps, str.scas,
  st.popf, misc.bound, mv.movSregE, st.popSeg, misc.loadFarPointer,
  far.callFarPtr, far.callFarMem, far.jmpFarPtr, far.jmpFarMem, far.retFar, far.iret,
]);

/**
 * Whether decoding must stop after i: a control transfer, the end of the linear page (at
 * lin + len), or 16-bit IP wrapping at 64 KiB.
 */
function endsAfter(i: Insn, lin: number): boolean {
  return ENDS_BLOCK.has(i.inner) || ((lin + i.len) & 0xfff) === 0 || i.nextEip !== ((i.eip + i.len) | 0);
}

/**
 * Decodes instructions from offset eip in CS up to a control transfer, the page end, or
 * MAX_BLOCK. Pages are linear: with a based CS they need not start at a round offset.
 */
export function decodeBlock(c: Cpu, eip: number): Block {
  const base = c.segBase[CS];
  const mode = c.csMode;
  const lin = (eip + base) | 0;
  const linPage = lin & ~0xfff;
  const first = decodeAt(c, eip);
  // Runs into the next page: a block of its own.
  if ((lin & 0xfff) + first.len > 0x1000) return new Block([first], linPage, false, mode);
  const insns: Insn[] = [first];
  let p = first.nextEip;
  if (endsAfter(first, lin)) return new Block(insns, linPage, true, mode);
  // Decoding ahead must not fault: the bytes may run into an unmapped page that the program
  // never executes. Stop the block there instead, and keep the kernel's in-place fault handler
  // out of it (it would map that page).
  const hook = c.mmu.faultHook;
  c.mmu.faultHook = null;
  try {
    while (insns.length < MAX_BLOCK) {
      let i: Insn;
      try {
        i = decodeAt(c, p);
      } catch (e) {
        if (e !== PAGE_FAULT) throw e;
        c.mmu.pageFaults--;
        break;
      }
      // Runs into the next page: it starts the next block.
      const at = (p + base) | 0;
      if ((at & 0xfff) + i.len > 0x1000) break;
      insns.push(i);
      p = i.nextEip;
      if (endsAfter(i, at)) break;
    }
  } finally {
    c.mmu.faultHook = hook;
  }
  return new Block(insns, linPage, true, mode);
}

function decodeOne(i: Insn, op: number): Handler {
  const os: number = d.opsize16 ? 1 : 2;
  // Group-1 ALU block 00-3F: ADD OR ADC SBB AND SUB XOR CMP in six forms each.
  if (op < 0x40 && (op & 7) < 6) {
    const form = op & 7;
    i.sub = op >> 3;
    switch (form) {
      case 0: i.sz = 0; d.modrm(i); return alu.aluEG;
      case 1: d.modrm(i); return os === 2 ? fastAluEG(i) : alu.aluEG;
      case 2: i.sz = 0; d.modrm(i); return alu.aluGE;
      case 3:
        d.modrm(i);
        if (os === 2 && !i.isMem) { swapRegRm(i); return fastAluEG(i); }
        if (os === 2 && i.sub === alu.ALU_CMP) return alu.cmp_r32_m32;
        return alu.aluGE;
      case 4: i.sz = 0; i.imm = d.fetch8(); return alu.aluAI;
      default: i.imm = d.fetchIz(); return alu.aluAI;
    }
  }
  if (op >= 0x40 && op <= 0x4f) {
    i.rm = op & 7;
    i.sub = op < 0x48 ? 0 : 1;
    if (os === 2) return op < 0x48 ? alu.inc_r32 : alu.dec_r32;
    return alu.incDec;
  }
  if (op >= 0x50 && op <= 0x57) { i.rm = op & 7; return os === 2 ? st.push_r32 : st.push_r16; }
  if (op >= 0x58 && op <= 0x5f) { i.rm = op & 7; return os === 2 ? st.pop_r32 : st.pop_r16; }
  if (op >= 0x70 && op <= 0x7f) { i.sub = op & 0xf; i.imm = d.fetchS8(); return os === 2 ? ctl.jcc : ctl.jcc16; }
  if (op >= 0x91 && op <= 0x97) { i.rm = op & 7; i.reg = 0; i.isMem = false; return mv.xchgEG; }
  if (op >= 0xb0 && op <= 0xb7) { i.sz = 0; i.rm = op & 7; i.imm = d.fetch8(); return mv.movEI; }
  if (op >= 0xb8 && op <= 0xbf) { i.rm = op & 7; i.imm = d.fetchIz(); return os === 2 ? mv.mov_r32_imm : mv.movEI; }
  if (op >= 0xd8 && op <= 0xdf) { d.modrm(i); return fpuHandler(i) ?? misc.fpuOp; }
  switch (op) {
    case 0x06: i.sub = ES; return st.pushSeg;
    case 0x07: i.sub = ES; return st.popSeg;
    case 0x0e: i.sub = CS; return st.pushSeg;
    case 0x16: i.sub = SS; return st.pushSeg;
    case 0x17: i.sub = SS; return st.popSeg;
    case 0x1e: i.sub = DS; return st.pushSeg;
    case 0x1f: i.sub = DS; return st.popSeg;
    case 0x27: return bcd.daa;
    case 0x2f: return bcd.das;
    case 0x37: i.sub = 0; return bcd.aaa;
    case 0x3f: i.sub = 1; return bcd.aaa;
    case 0x60: return st.pusha;
    case 0x61: return st.popa;
    case 0x62: d.modrm(i); return i.isMem ? misc.bound : invalid;
    case 0x63: i.sz = 1; d.modrm(i); return misc.arpl;
    case 0x68: i.imm = d.fetchIz(); return st.pushImm;
    case 0x69: d.modrm(i); i.imm = d.fetchIz(); return md.imulGEI;
    case 0x6a: i.imm = d.fetchS8(); return st.pushImm;
    case 0x6b: d.modrm(i); i.imm = d.fetchS8(); return md.imulGEI;
    case 0x6c: case 0x6d: case 0x6e: case 0x6f: return gp;
    case 0x80: case 0x82: i.sz = 0; d.modrm(i); i.sub = i.reg; i.imm = d.fetch8(); return alu.aluEI;
    case 0x81: d.modrm(i); i.sub = i.reg; i.imm = d.fetchIz(); return fastAluEI(i);
    case 0x83: d.modrm(i); i.sub = i.reg; i.imm = d.fetchS8(); return fastAluEI(i);
    case 0x84: i.sz = 0; d.modrm(i); return alu.testEG;
    case 0x85: d.modrm(i); return os === 2 && !i.isMem ? alu.test_r32_r32 : alu.testEG;
    case 0x86: i.sz = 0; d.modrm(i); return mv.xchgEG;
    case 0x87: d.modrm(i); return mv.xchgEG;
    case 0x88: i.sz = 0; d.modrm(i); return mv.movEG;
    case 0x89: d.modrm(i); return os === 2 ? (i.isMem ? mv.mov_m32_r32 : mv.mov_r32_r32) : mv.movEG;
    case 0x8a: i.sz = 0; d.modrm(i); return mv.movGE;
    case 0x8b:
      d.modrm(i);
      if (os !== 2) return mv.movGE;
      if (i.isMem) return mv.mov_r32_m32;
      swapRegRm(i);
      return mv.mov_r32_r32;
    case 0x8c: d.modrm(i); return mv.movESreg;
    case 0x8d: d.modrm(i); return i.isMem ? mv.lea : invalid;
    case 0x8e: d.modrm(i); return mv.movSregE;
    case 0x8f: d.modrm(i); return i.reg === 0 ? st.popE : invalid;
    case 0x90: return ctl.nop; // NOP, PAUSE (F3 90), XCHG AX,AX
    case 0x98: return mv.cbw;
    case 0x99: return mv.cwd;
    case 0x9a: i.imm = d.fetchIz(); i.imm2 = d.fetch16(); return far.callFarPtr;
    case 0x9b: return misc.fwait;
    case 0x9c: return st.pushf;
    case 0x9d: return st.popf;
    case 0x9e: return sys.sahf;
    case 0x9f: return sys.lahf;
    case 0xa0: case 0xa1: case 0xa2: case 0xa3:
      if (!(op & 1)) i.sz = 0;
      i.isMem = true;
      i.base = ZERO;
      i.disp = d.addr16 ? d.fetch16() : d.fetch32();
      return op < 0xa2 ? mv.movAO : mv.movOA;
    case 0xa4: case 0xa5: if (op === 0xa4) i.sz = 0; return str.movs;
    case 0xa6: case 0xa7: if (op === 0xa6) i.sz = 0; return str.cmps;
    case 0xa8: i.sz = 0; i.rm = 0; i.isMem = false; i.imm = d.fetch8(); return alu.testEI;
    case 0xa9: i.rm = 0; i.isMem = false; i.imm = d.fetchIz(); return alu.testEI;
    case 0xaa: case 0xab: if (op === 0xaa) i.sz = 0; return str.stos;
    case 0xac: case 0xad: if (op === 0xac) i.sz = 0; return str.lods;
    case 0xae: case 0xaf: if (op === 0xae) i.sz = 0; return str.scas;
    case 0xc0: case 0xc1: case 0xd0: case 0xd1: case 0xd2: case 0xd3: {
      if (!(op & 1)) i.sz = 0;
      d.modrm(i);
      i.sub = i.reg;
      if (op >= 0xd2) return sh.shiftECL;
      i.imm = op <= 0xc1 ? d.fetch8() : 1;
      if (i.sz === 2 && !i.isMem) {
        if (i.sub === 4 || i.sub === 6) return sh.shl_r32_imm;
        if (i.sub === 5) return sh.shr_r32_imm;
        if (i.sub === 7) return sh.sar_r32_imm;
      }
      return sh.shiftEI;
    }
    case 0xc2: i.imm = d.fetch16(); return ctl.ret;
    case 0xc3: return os === 2 ? ctl.ret32 : ctl.ret;
    case 0xc4: case 0xc5:
      // VEX when the next byte would be a register ModRM (LES/LDS need memory); no prefix may precede it
      if ((d.peek8() & 0xc0) === 0xc0) return i.pfx !== 0 || i.lock ? invalid : decodeVex(d, i, op) ?? invalid;
      d.modrm(i); i.sub = op === 0xc4 ? ES : DS; return i.isMem ? misc.loadFarPointer : invalid;
    case 0xc6: i.sz = 0; d.modrm(i); if (i.reg !== 0) return invalid; i.imm = d.fetch8(); return mv.movEI;
    case 0xc7: d.modrm(i); if (i.reg !== 0) return invalid; i.imm = d.fetchIz(); return mv.movEI;
    case 0xc8: i.imm = d.fetch16(); i.imm2 = d.fetch8(); return st.enter;
    case 0xc9: return st.leave;
    case 0xca: i.imm = d.fetch16(); return far.retFar;
    case 0xcb: return far.retFar;
    case 0xcf: return far.iret;
    case 0xcc: return ctl.int3;
    case 0xcd: i.imm = d.fetch8(); return ctl.intN;
    case 0xce: return ctl.into;
    case 0xd4: i.imm = d.fetch8(); return bcd.aam;
    case 0xd5: i.imm = d.fetch8(); return bcd.aad;
    case 0xd6: return sys.salc;
    case 0xd7: return mv.xlat;
    case 0xe0: case 0xe1: case 0xe2: case 0xe3:
      i.sub = op & 3;
      i.imm = d.fetchS8();
      return ctl.loop;
    case 0xe4: case 0xe5: case 0xe6: case 0xe7: d.fetch8(); return gp;
    case 0xe8: i.imm = d.fetchIz(); if (os === 1) i.imm = (i.imm << 16) >> 16; return os === 2 ? ctl.callRel : ctl.callRel16;
    case 0xe9: i.imm = d.fetchIz(); if (os === 1) i.imm = (i.imm << 16) >> 16; return os === 2 ? ctl.jmpRel : ctl.jmpRel16;
    case 0xea: i.imm = d.fetchIz(); i.imm2 = d.fetch16(); return far.jmpFarPtr;
    case 0xeb: i.imm = d.fetchS8(); return os === 2 ? ctl.jmpRel : ctl.jmpRel16;
    case 0xec: case 0xed: case 0xee: case 0xef: return gp;
    case 0xf1: return ctl.int1;
    case 0xf4: return gp; // HLT
    case 0xf5: return sys.cmc;
    case 0xf6: case 0xf7: {
      if (op === 0xf6) i.sz = 0;
      d.modrm(i);
      i.sub = i.reg;
      switch (i.reg) {
        case 0: case 1: i.imm = op === 0xf6 ? d.fetch8() : d.fetchIz(); return alu.testEI;
        case 2: return alu.notE;
        case 3: return alu.negE;
        case 4: case 5: return md.mulAcc;
        default: return md.divAcc;
      }
    }
    case 0xf8: return sys.clc;
    case 0xf9: return sys.stc;
    case 0xfa: case 0xfb: return gp; // CLI/STI with IOPL 0
    case 0xfc: return sys.cld;
    case 0xfd: return sys.std;
    case 0xfe: i.sz = 0; d.modrm(i); i.sub = i.reg; return i.reg < 2 ? alu.incDec : invalid;
    case 0xff:
      d.modrm(i);
      i.sub = i.reg;
      switch (i.reg) {
        case 0: case 1: return alu.incDec;
        case 2: return ctl.callE;
        case 4: return ctl.jmpE;
        case 6: return st.pushE;
        case 3: return i.isMem ? far.callFarMem : invalid;
        case 5: return i.isMem ? far.jmpFarMem : invalid;
        default: return invalid;
      }
  }
  return invalid;
}

function decode0F(i: Insn): Handler {
  const op = d.fetch8();
  i.op = 0x0f00 | op;
  const os: number = d.opsize16 ? 1 : 2;
  if (op >= 0x40 && op <= 0x4f) { d.modrm(i); i.sub = op & 0xf; return mv.cmovcc; }
  if (op >= 0x80 && op <= 0x8f) {
    i.sub = op & 0xf;
    i.imm = d.fetchIz();
    if (os === 1) i.imm = (i.imm << 16) >> 16;
    return os === 2 ? ctl.jcc : ctl.jcc16;
  }
  if (op >= 0x90 && op <= 0x9f) { i.sz = 0; d.modrm(i); i.sub = op & 0xf; return mv.setcc; }
  if (op >= 0xc8 && op <= 0xcf) { i.rm = op & 7; return mv.bswap; }
  switch (op) {
    case 0x00: d.modrm(i); return misc.group6(i);
    case 0x01: d.modrm(i); return misc.group7(i);
    case 0x05: case 0x07: return invalid; // SYSCALL/SYSRET: #UD on Intel in 32-bit mode
    case 0x06: case 0x08: case 0x09: case 0x30: case 0x32: case 0x33: case 0x35: return gp;
    case 0x0b: case 0xb9: case 0xff: return invalid; // UD2, UD1, UD0
    case 0x0d: d.modrm(i); return i.isMem ? ctl.nop : invalid; // PREFETCHW
    case 0x18: case 0x19: case 0x1a: case 0x1b: case 0x1c: case 0x1d: case 0x1e: case 0x1f:
      d.modrm(i); return ctl.nop; // hint NOPs, NOP Ev
    case 0x20: case 0x21: case 0x22: case 0x23: d.modrm(i); return gp;
    case 0x31: return sys.rdtsc;
    case 0x34: return ctl.sysenter;
    case 0xa0: i.sub = FS; return st.pushSeg;
    case 0xa1: i.sub = FS; return st.popSeg;
    case 0xa8: i.sub = GS; return st.pushSeg;
    case 0xa9: i.sub = GS; return st.popSeg;
    case 0xa2: return sys.cpuid;
    case 0xa3: d.modrm(i); i.sub = 0; return bit.btEG;
    case 0xab: d.modrm(i); i.sub = 1; return bit.btEG;
    case 0xb3: d.modrm(i); i.sub = 2; return bit.btEG;
    case 0xbb: d.modrm(i); i.sub = 3; return bit.btEG;
    case 0xba: d.modrm(i); i.imm = d.fetch8(); if (i.reg < 4) return invalid; i.sub = i.reg - 4; return bit.btEI;
    case 0xa4: d.modrm(i); i.sub = 0; i.imm = d.fetch8(); return sh.shldShrd;
    case 0xa5: d.modrm(i); i.sub = 0; i.imm2 = 1; return sh.shldShrd;
    case 0xac: d.modrm(i); i.sub = 1; i.imm = d.fetch8(); return sh.shldShrd;
    case 0xad: d.modrm(i); i.sub = 1; i.imm2 = 1; return sh.shldShrd;
    case 0xaf: d.modrm(i); return md.imulGE;
    case 0xb0: i.sz = 0; d.modrm(i); return mv.cmpxchg;
    case 0xb1: d.modrm(i); return mv.cmpxchg;
    case 0xb6: d.modrm(i); i.sub = 0; return mv.movzx;
    case 0xb7: d.modrm(i); i.sub = 1; return mv.movzx;
    case 0xbe: d.modrm(i); i.sub = 0; return mv.movsx;
    case 0xbf: d.modrm(i); i.sub = 1; return mv.movsx;
    case 0xb8: d.modrm(i); return d.rep === 1 ? bit.popcnt : invalid;
    case 0xbc: case 0xbd: {
      // F3: TZCNT/LZCNT on a model that has them; BSF/BSR (prefix ignored) otherwise
      const h = d.rep === 1 ? decodeCountZeros(d, i, op) : null;
      if (h) return h;
      d.modrm(i); i.sub = op === 0xbd ? 1 : 0; return bit.bsfBsr;
    }
    case 0xc0: i.sz = 0; d.modrm(i); return mv.xadd;
    case 0xc1: d.modrm(i); return mv.xadd;
    case 0xc7: d.modrm(i); return i.reg === 1 ? mv.cmpxchg8b : decodeRdrand(d, i) ?? invalid;
    case 0xae: d.modrm(i); return misc.group15(i);
  }
  const h = decodeSse(d, i, op);
  return h ?? invalid;
}

function swapRegRm(i: Insn): void {
  const t = i.reg;
  i.reg = i.rm;
  i.rm = t;
}

/** Group-1 "Ev, Gv" with a 32-bit operand: a dedicated handler where one exists. */
function fastAluEG(i: Insn): Handler {
  if (i.isMem) return i.sub === alu.ALU_CMP ? alu.cmp_m32_r32 : alu.aluEG;
  switch (i.sub) {
    case alu.ALU_ADD: return alu.add_r32_r32;
    case alu.ALU_SUB: return alu.sub_r32_r32;
    case alu.ALU_CMP: return alu.cmp_r32_r32;
    case alu.ALU_XOR: return alu.xor_r32_r32;
    default: return alu.aluEG;
  }
}

function fastAluEI(i: Insn): Handler {
  if (i.sz !== 2) return alu.aluEI;
  if (i.isMem) return i.sub === alu.ALU_CMP ? alu.cmp_m32_imm : alu.aluEI;
  switch (i.sub) {
    case alu.ALU_ADD: return alu.add_r32_imm;
    case alu.ALU_SUB: return alu.sub_r32_imm;
    case alu.ALU_CMP: return alu.cmp_r32_imm;
    case alu.ALU_AND: return alu.and_r32_imm;
    default: return alu.aluEI;
  }
}
