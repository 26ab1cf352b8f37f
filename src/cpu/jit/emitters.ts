// The block compiler's templates: per interpreter handler, the JavaScript source that does what
// the handler does for one decoded instruction, with the instruction's fields (registers, sizes,
// displacement, immediate, addresses) folded in as constants. A template must leave exactly the
// state the handler leaves, in the same order of effects: memory is read and written before any
// register or flag changes, so a fault in the middle leaves what the interpreter leaves. A
// handler without a template is called directly (emitCall), so every instruction compiles.
import { L_ADC, L_ADD, L_DEC, L_INC, L_LOGIC, L_NONE, L_SBB, L_SUB } from '../cpu.js';
import type { Handler, Insn } from '../insn.js';
import { ARITH_FLAGS, CF, ESP, OF, SF, ZERO, ZF } from '../registers.js';
import { PTE_FRAME } from '../../mmu/paging.js';
import * as alu from '../ops/alu.js';
import * as mv from '../ops/dataMove.js';
import * as st from '../ops/stack.js';
import * as ctl from '../ops/control.js';
import * as sh from '../ops/shift.js';
import * as md from '../ops/mulDiv.js';

/** What the compiler knows statically about the lazy flags after an instruction. */
export interface KnownFlags {
  op: number;
  sz: number;
  /** JavaScript locals holding lazyDst, lazySrc, lazyRes (32-bit forms only are fused). */
  x: string;
  y: string;
  r: string;
}

/**
 * Source under construction for one block. The generated function's locals: c (the Cpu),
 * r (c.regs), m (c.mmu), sb (c.segBase), k (index of the instruction running, for the catch),
 * iN / fN (instruction N and its handler, bound by the factory), P (the PARITY table).
 * The guest state the templates work on lives in locals while the function runs (compileBlock
 * loads them on entry and stores them back wherever the state can be seen: a return, a throw,
 * a handler call): R0..R7 the registers, and the lazy flags fo fd fs fr fz fc (lazyOp, lazyDst,
 * lazySrc, lazyRes, lazySz, lazyCarry) with ff (EFLAGS), and SL (segLimited); the EIP a block
 * leaves goes to ne (its last instruction's address to pe), stored to the Cpu at the exits.
 */
export class BlockSource {
  readonly out: string[] = [];
  /** Index of the instruction being emitted in its block (what the catch reports as jitK). */
  j = 0;
  /** Index of the instruction in the whole function (a trace has several blocks): names its locals. */
  id = 0;
  last = false;
  /** Flags as the previous instructions left them, when a template knows; null otherwise. */
  flags: KnownFlags | null = null;
  /**
   * Registers (and whether the flag locals) written since the last handler call, whose locals
   * must go back to the Cpu before the next one; null: not known (at a block's start, which a
   * loop or another block may reach), so all that the function writes.
   */
  dirty: Set<number> | null = null;
  flagsDirty = true;
  /** Instructions that got a template / were called through their handler. */
  templated = 0;
  called = 0;
  /** The instruction being emitted may fault or run other code (set by mayThrow). */
  throws = false;
  /**
   * The lazy flags the instruction being emitted produces are overwritten later in the block
   * before anything can read them or a fault can expose them (flagsDeadAfter): not stored.
   */
  deadFlags = false;

  emit(s: string): void {
    this.out.push(s);
  }
  /** The instruction being emitted and its handler, as bound by the factory. */
  get insn(): string {
    return `i${this.id}`;
  }
  get handler(): string {
    return `f${this.id}`;
  }
  /** A local name unique in the function. */
  v(name: string): string {
    return `${name}${this.id}`;
  }
  /** Marks the instruction as one that may throw (fault): the catch must know its index. */
  mayThrow(): void {
    if (!this.throws) this.emit(`k = ${this.j};`);
    this.throws = true;
  }
}

/** The flag locals back to the Cpu. */
export const FLAGS_OUT = 'c.lazyOp = fo; c.lazyDst = fd; c.lazySrc = fs; c.lazyRes = fr; c.lazySz = fz; c.lazyCarry = fc; c.flags = ff;';

/** Placeholders compileBlock fills with the stores of the locals to the Cpu / the loads back. */
export const SYNC_OUT = '/*out*/', SYNC_IN = '/*in*/';
/** Placeholder for the stores at an exit of the function: the locals and EIP/prevEip (ne, pe). */
export const SYNC_EXIT = '/*exit*/';
/** Placeholder for the stores of the locals at an exit before an instruction (EIP set apart). */
export const SYNC_EXIT_AT = '/*exitAt*/';

/** A number as a JavaScript literal (negative int32 values stay negative). */
export const hex = (n: number): string => (n < 0 ? `-0x${(-n).toString(16)}` : `0x${n.toString(16)}`);

// ---- operands ---------------------------------------------------------------------------

/** The local holding 32-bit register n (ZERO, the absent base or index, is 0). */
export function reg(n: number): string {
  return n === ZERO ? '0' : `R${n}`;
}

export function getReg(sz: number, n: number): string {
  if (sz === 2) return reg(n);
  if (sz === 1) return `(R${n} & 0xffff)`;
  return n < 4 ? `(R${n} & 0xff)` : `((R${n - 4} >> 8) & 0xff)`;
}

export function setReg(sz: number, n: number, v: string): string {
  if (sz === 2) return `R${n} = ${v};`;
  if (sz === 1) return `R${n} = (R${n} & ~0xffff) | ((${v}) & 0xffff);`;
  if (n < 4) return `R${n} = (R${n} & ~0xff) | ((${v}) & 0xff);`;
  return `R${n - 4} = (R${n - 4} & ~0xff00) | (((${v}) & 0xff) << 8);`;
}

/** Offsets in a page from which an access of each size runs into the next page. */
const OFF_PAGE = ['', ' || (A & 0xfff) > 0xffe', ' || (A & 0xfff) > 0xffc'];
const LOAD = ['mb[P]', 'dv.getUint16(P, true)', 'dv.getInt32(P, true)'];
const STORE = ['mb[P] = V', 'dv.setUint16(P, V, true)', 'dv.setInt32(P, V, true)'];

/**
 * The way out of compiled code before instruction s.j when its access cannot take the TLB fast
 * path (a miss, an access across a page end, a page written for the first time or holding
 * code): the instruction has changed nothing yet, so the run loop simply carries on from it,
 * and the interpreter does the access the slow way (walk, fault, write protection of code).
 * So compiled code never calls the Mmu: no store of it can change code or mappings.
 */
function missExit(s: BlockSource, i: Insn): string {
  return `{ ${SYNC_EXIT_AT} c.eip = c.prevEip = ${hex(i.eip)}; c.curBlock = null; return done + ${s.j}; }`;
}

/**
 * A read of guest memory at linear address a (a local) through the TLB (as Mmu.read*'s fast
 * path; the frame's physical address is below 2^31, so no unsigned conversion): emits the
 * check, leaving the entry in tq, and returns the load. Compiled code's TLB hits are not
 * counted (the Mmu's tlbHits counts the interpreter's): a counter costs loops measurably.
 */
export function readMem(s: BlockSource, i: Insn, sz: number, a: string): string {
  s.emit(`if ((tq = tlbR[${a} >>> 12]) === 0${OFF_PAGE[sz].replace('A', a)}) ${missExit(s, i)}`);
  return LOAD[sz].replace('P', `(tq & ${PTE_FRAME}) | (${a} & 0xfff)`);
}

/** A write of v to guest memory at linear address a, as readMem does reads (Mmu.tlbW). */
export function writeMem(s: BlockSource, i: Insn, sz: number, a: string, v: string): string {
  s.emit(`if ((tq = tlbW[${a} >>> 12]) === 0${OFF_PAGE[sz].replace('A', a)}) ${missExit(s, i)}`);
  return `${STORE[sz].replace('P', `(tq & ${PTE_FRAME}) | (${a} & 0xfff)`).split('V').join(v)};`;
}

/** The segment-relative offset of a 32-bit-addressed memory operand, constants folded. */
function offsetExpr(i: Insn): string {
  if (i.a16) return `((${reg(i.base)} + ${reg(i.index)} + ${hex(i.disp)}) & 0xffff)`;
  const parts: string[] = [];
  if (i.base !== ZERO) parts.push(reg(i.base));
  if (i.index !== ZERO) parts.push(i.scale === 0 ? reg(i.index) : `(${reg(i.index)} << ${i.scale})`);
  if (i.disp !== 0 || parts.length === 0) parts.push(hex(i.disp));
  return parts.length === 1 && parts[0].startsWith('R') ? parts[0] : `((${parts.join(' + ')}) | 0)`;
}

/**
 * Emits the linear address of i's memory operand into a local and returns its name. Limited
 * (LDT) segments go through Cpu.eaOf, which checks the offset against the limit.
 */
export function ea(s: BlockSource, i: Insn): string {
  const a = s.v('a');
  const o = s.v('o');
  s.emit(`const ${o} = ${offsetExpr(i)};`);
  s.emit(`const ${a} = SL === 0 ? (${o} + sb[${i.seg}]) | 0 : c.eaOf(${s.insn}, ${o});`);
  return a;
}

/** The LEA value (no segment). */
function leaExpr(i: Insn): string {
  return offsetExpr(i);
}

// ---- flags ------------------------------------------------------------------------------

function setLazy(s: BlockSource, op: number, x: string, y: string, r: string, sz: number): void {
  if (!s.deadFlags) s.emit(`fo = ${op}; fd = ${x}; fs = ${y}; fr = ${r}; fz = ${sz};`);
  s.flags = { op, sz, x, y, r };
}

function setCarry(s: BlockSource, v: string): void {
  if (!s.deadFlags) s.emit(`fc = ${v};`);
}

/** EFLAGS' arithmetic bits set eagerly (shifts, multiplies): f is an expression of the new bits. */
function setEagerFlags(s: BlockSource, f: string): void {
  if (!s.deadFlags) s.emit(`ff = (ff & ${hex(~ARITH_FLAGS)}) | ${f}; fo = ${L_NONE};`);
}

/** The lazy-flag locals as arguments (for the Cpu's flag functions, through GF and CD). */
const FLAG_ARGS = 'fo, fd, fs, fr, fz, fc, ff';

/** SF ZF PF of a 32-bit result held in local r. */
function szp32(r: string): string {
  return `P[${r} & 0xff] | (${r} === 0 ? ${ZF} : 0) | (${r} < 0 ? ${SF} : 0)`;
}

/** CF as 0/1 from what is known, else through the Cpu. */
function cfExpr(s: BlockSource): string {
  const f = s.flags;
  if (f !== null) {
    const { x, y, r } = f;
    if (f.sz === 2) {
      if (f.op === L_SUB) return `((${x} >>> 0) < (${y} >>> 0) ? 1 : 0)`;
      if (f.op === L_ADD) return `((${r} >>> 0) < (${x} >>> 0) ? 1 : 0)`;
    } else {
      const m = f.sz === 0 ? '0xff' : '0xffff';
      if (f.op === L_SUB) return `((${x} & ${m}) < (${y} & ${m}) ? 1 : 0)`;
      if (f.op === L_ADD) return `((${r} & ${m}) < (${x} & ${m}) ? 1 : 0)`;
    }
    if (f.op === L_LOGIC) return '0';
  }
  return `GF(c, ${FLAG_ARGS})`;
}

/**
 * Condition code cc (the Jcc encoding) from flags known statically (op and size; operands and
 * result in locals), as a boolean expression; null when not known. The operands of an 8- or
 * 16-bit operation may carry bits above its size (a sign-extended immediate): only the low bits
 * count, as the Cpu's masks make them.
 */
function knownCond(f: KnownFlags, c2: number): string | null {
  const { x, y, r } = f;
  if (c2 === 5) return `P[${r} & 0xff] !== 0`;
  if (f.sz === 2) {
    if (c2 === 2) return `${r} === 0`;
    if (c2 === 4) return `${r} < 0`;
    if (f.op === L_SUB) {
      switch (c2) {
        case 0: return `((${x} ^ ${y}) & (${x} ^ ${r})) < 0`;
        case 1: return `(${x} >>> 0) < (${y} >>> 0)`;
        case 3: return `(${x} >>> 0) <= (${y} >>> 0)`;
        case 6: return `${x} < ${y}`;
        case 7: return `${x} <= ${y}`;
      }
    } else if (f.op === L_LOGIC) {
      switch (c2) {
        case 0: case 1: return 'false';
        case 3: return `${r} === 0`;
        case 6: return `${r} < 0`;
        case 7: return `${r} <= 0`;
      }
    } else if (f.op === L_ADD) {
      if (c2 === 1) return `(${r} >>> 0) < (${x} >>> 0)`;
      if (c2 === 3) return `((${r} >>> 0) < (${x} >>> 0) || ${r} === 0)`;
    }
    return null;
  }
  const m = f.sz === 0 ? '0xff' : '0xffff';
  const sign = f.sz === 0 ? '0x80' : '0x8000';
  const sh = f.sz === 0 ? 24 : 16;
  if (c2 === 2) return `(${r} & ${m}) === 0`;
  if (c2 === 4) return `(${r} & ${sign}) !== 0`;
  if (f.op === L_SUB) {
    switch (c2) {
      case 0: return `((${x} ^ ${y}) & (${x} ^ ${r}) & ${sign}) !== 0`;
      case 1: return `(${x} & ${m}) < (${y} & ${m})`;
      case 3: return `(${x} & ${m}) <= (${y} & ${m})`;
      case 6: return `((${x} << ${sh}) >> ${sh}) < ((${y} << ${sh}) >> ${sh})`;
      case 7: return `((${x} << ${sh}) >> ${sh}) <= ((${y} << ${sh}) >> ${sh})`;
    }
  } else if (f.op === L_LOGIC) {
    switch (c2) {
      case 0: case 1: return 'false';
      case 3: return `(${r} & ${m}) === 0`;
      case 6: return `(${r} & ${sign}) !== 0`;
      case 7: return `((${r} & ${m}) === 0 || (${r} & ${sign}) !== 0)`;
    }
  } else if (f.op === L_ADD) {
    if (c2 === 1) return `(${r} & ${m}) < (${x} & ${m})`;
    if (c2 === 3) return `((${r} & ${m}) < (${x} & ${m}) || (${r} & ${m}) === 0)`;
  }
  return null;
}

/** Condition code cc (the Jcc encoding) as a boolean expression. */
export function condExpr(s: BlockSource, cc: number): string {
  const e = s.flags === null ? null : knownCond(s.flags, cc >> 1);
  if (e === null) return `CD(c, ${cc}, ${FLAG_ARGS})`;
  return (cc & 1) === 0 ? `(${e})` : `!(${e})`;
}

// ---- group-1 ALU ------------------------------------------------------------------------

function aluResult(s: BlockSource, op: number, x: string, y: string): string {
  switch (op) {
    case alu.ALU_ADD: return `(${x} + ${y}) | 0`;
    case alu.ALU_OR: return `${x} | ${y}`;
    case alu.ALU_ADC: return `(${x} + ${y} + ${cfExpr(s)}) | 0`;
    case alu.ALU_SBB: return `(${x} - ${y} - ${cfExpr(s)}) | 0`;
    case alu.ALU_AND: return `${x} & ${y}`;
    case alu.ALU_XOR: return `${x} ^ ${y}`;
    default: return `(${x} - ${y}) | 0`;
  }
}

function aluFlags(s: BlockSource, op: number, x: string, y: string, r: string, sz: number): void {
  switch (op) {
    case alu.ALU_ADD: setLazy(s, L_ADD, x, y, r, sz); return;
    case alu.ALU_ADC: setCarry(s, `(${r} - ${x} - ${y}) & 1`); setLazy(s, L_ADC, x, y, r, sz); return;
    case alu.ALU_SBB: setCarry(s, `(${x} - ${y} - ${r}) & 1`); setLazy(s, L_SBB, x, y, r, sz); return;
    case alu.ALU_SUB: case alu.ALU_CMP: setLazy(s, L_SUB, x, y, r, sz); return;
    default: setLazy(s, L_LOGIC, '0', '0', r, sz);
  }
}

/** Where a group-1 operation's destination (x) and source (y) come from. */
const enum Opnd { E, G, A, I }

function aluOp(s: BlockSource, i: Insn, op: number, sz: number, dst: Opnd, src: Opnd): void {
  const x = s.v('x'), y = s.v('y'), r = s.v('r');
  let a = '';
  const memDst = dst === Opnd.E && i.isMem;
  if (i.isMem && (dst === Opnd.E || src === Opnd.E)) {
    s.mayThrow();
    a = ea(s, i);
  }
  const operand = (o: Opnd): string => {
    switch (o) {
      case Opnd.E: return i.isMem ? readMem(s, i, sz, a) : getReg(sz, i.rm);
      case Opnd.G: return getReg(sz, i.reg);
      case Opnd.A: return getReg(sz, 0);
      default: return hex(i.imm);
    }
  };
  // The interpreter reads a register source before a memory destination and a memory source
  // before a register destination; either way only the memory read can fault.
  if (memDst) {
    s.emit(`const ${y} = ${operand(src)};`);
    s.emit(`const ${x} = ${operand(dst)};`);
  } else {
    s.emit(`const ${x} = ${operand(dst)};`);
    s.emit(`const ${y} = ${operand(src)};`);
  }
  s.emit(`const ${r} = ${aluResult(s, op, x, y)};`);
  if (op !== alu.ALU_CMP) {
    if (memDst) s.emit(writeMem(s, i, sz, a, r));
    else s.emit(setReg(sz, dst === Opnd.G ? i.reg : dst === Opnd.A ? 0 : i.rm, r));
  }
  aluFlags(s, op, x, y, r, sz);
}

function testOp(s: BlockSource, i: Insn, sz: number, src: Opnd): void {
  let e: string;
  if (i.isMem) {
    s.mayThrow();
    e = readMem(s, i, sz, ea(s, i));
  } else {
    e = getReg(sz, i.rm);
  }
  const r = s.v('r');
  s.emit(`const ${r} = ${e} & ${src === Opnd.G ? getReg(sz, i.reg) : hex(i.imm)};`);
  setLazy(s, L_LOGIC, '0', '0', r, sz);
}

function incDecOp(s: BlockSource, i: Insn, dec: boolean): void {
  const sz = i.sz;
  const cf = s.v('cf'), x = s.v('x'), r = s.v('r');
  s.emit(`const ${cf} = ${cfExpr(s)};`);
  if (i.isMem) {
    s.mayThrow();
    const a = ea(s, i);
    s.emit(`const ${x} = ${readMem(s, i, sz, a)};`);
    s.emit(`const ${r} = (${x} ${dec ? '-' : '+'} 1) | 0;`);
    s.emit(writeMem(s, i, sz, a, r));
  } else {
    s.emit(`const ${x} = ${getReg(sz, i.rm)};`);
    s.emit(`const ${r} = (${x} ${dec ? '-' : '+'} 1) | 0;`);
    s.emit(setReg(sz, i.rm, r));
  }
  setCarry(s, cf);
  setLazy(s, dec ? L_DEC : L_INC, x, '1', r, sz);
}

// ---- moves ------------------------------------------------------------------------------

function movToE(s: BlockSource, i: Insn, v: string): void {
  if (i.isMem) {
    s.mayThrow();
    const val = s.v('v');
    s.emit(`const ${val} = ${v};`);
    s.emit(writeMem(s, i, i.sz, ea(s, i), val));
  } else {
    s.emit(setReg(i.sz, i.rm, v));
  }
}

function readE(s: BlockSource, i: Insn, sz: number): string {
  if (!i.isMem) return getReg(sz, i.rm);
  s.mayThrow();
  return readMem(s, i, sz, ea(s, i));
}

function pushValue(s: BlockSource, i: Insn, v: string): void {
  const sp = s.v('sp');
  s.mayThrow();
  s.emit(`const ${sp} = (R${ESP} - 4) | 0;`);
  s.emit(writeMem(s, i, 2, sp, v));
  s.emit(`R${ESP} = ${sp};`);
}

/**
 * IMUL Gv, Ev[, imm] with a 32-bit operand: x (a register) or y (the immediate) given, the
 * other is E. The product overflows exactly when the double product differs from the int32
 * one (a product that fits is exact as a double; one that does not stays outside int32).
 */
function imul32(s: BlockSource, i: Insn, x: string | null, y: string | null): boolean {
  if (i.sz !== 2) return false;
  const a = s.v('x'), b = s.v('y'), lo = s.v('r');
  if (x !== null) s.emit(`const ${a} = ${x};`);
  const e = readE(s, i, 2);
  if (x === null) s.emit(`const ${a} = ${e};`);
  s.emit(`const ${b} = ${y ?? e};`);
  s.emit(`const ${lo} = Math.imul(${a}, ${b}); R${i.reg} = ${lo};`);
  setEagerFlags(s, `${szp32(lo)} | (${a} * ${b} !== ${lo} ? ${CF | OF} : 0)`);
  return true;
}

/**
 * ROL/ROR of a 32-bit register by an immediate: CF and OF from the result, the other flags as
 * they were (materialized by the Cpu through MF, unless dead). A count of 0 changes nothing.
 */
function rotate32(s: BlockSource, i: Insn): boolean {
  if (i.sz !== 2 || i.isMem || (i.sub !== 0 && i.sub !== 1)) return false;
  const n = i.imm & 31;
  if (n === 0) return true;
  const x = s.v('x'), r = s.v('r'), cf = s.v('cf'), of = s.v('of');
  if (i.sub === 0) {
    s.emit(`const ${x} = R${i.rm}; const ${r} = (${x} << ${n}) | (${x} >>> ${32 - n}); R${i.rm} = ${r};`);
    s.emit(`const ${cf} = ${r} & 1; const ${of} = ((${r} >>> 31) & 1) ^ ${cf};`);
  } else {
    s.emit(`const ${x} = R${i.rm}; const ${r} = (${x} >>> ${n}) | (${x} << ${32 - n}); R${i.rm} = ${r};`);
    s.emit(`const ${cf} = (${r} >>> 31) & 1; const ${of} = ${cf} ^ ((${r} >>> 30) & 1);`);
  }
  if (!s.deadFlags) {
    s.emit(`ff = (MF(c, ${FLAG_ARGS}) & ${hex(~(CF | OF))}) | ${cf} | (${of} << 11); fo = ${L_NONE};`);
  }
  return true;
}

// ---- the table ----------------------------------------------------------------------------

/**
 * A template: emits the instruction; returns false to fall back to a call of its handler.
 * Templates for block-ending instructions run after the loop's EIP update (see compileBlock).
 */
type Template = (s: BlockSource, i: Insn) => boolean;

/** Templates that leave the arithmetic flags alone (the known flags stay known). */
const KEEPS_FLAGS = new Set<Handler>([
  mv.movEG, mv.movGE, mv.mov_r32_r32, mv.mov_m32_r32, mv.mov_r32_m32, mv.movEI, mv.mov_r32_imm,
  mv.movAO, mv.movOA, mv.movzx, mv.movsx, mv.lea, st.push_r32, st.pop_r32, st.pushImm, ctl.nop,
  mv.setcc, mv.cmovcc, ctl.jcc, ctl.jmpRel, ctl.callRel, ctl.ret32,
]);

const TEMPLATES = new Map<Handler, Template>([
  // group 1
  [alu.aluEG, (s, i) => { aluOp(s, i, i.sub, i.sz, Opnd.E, Opnd.G); return true; }],
  [alu.aluGE, (s, i) => { aluOp(s, i, i.sub, i.sz, Opnd.G, Opnd.E); return true; }],
  [alu.aluAI, (s, i) => { aluOp(s, i, i.sub, i.sz, Opnd.A, Opnd.I); return true; }],
  [alu.aluEI, (s, i) => { aluOp(s, i, i.sub, i.sz, Opnd.E, Opnd.I); return true; }],
  [alu.add_r32_r32, (s, i) => { aluOp(s, i, alu.ALU_ADD, 2, Opnd.E, Opnd.G); return true; }],
  [alu.sub_r32_r32, (s, i) => { aluOp(s, i, alu.ALU_SUB, 2, Opnd.E, Opnd.G); return true; }],
  [alu.cmp_r32_r32, (s, i) => { aluOp(s, i, alu.ALU_CMP, 2, Opnd.E, Opnd.G); return true; }],
  [alu.xor_r32_r32, (s, i) => { aluOp(s, i, alu.ALU_XOR, 2, Opnd.E, Opnd.G); return true; }],
  [alu.cmp_r32_m32, (s, i) => { aluOp(s, i, alu.ALU_CMP, 2, Opnd.G, Opnd.E); return true; }],
  [alu.cmp_m32_r32, (s, i) => { aluOp(s, i, alu.ALU_CMP, 2, Opnd.E, Opnd.G); return true; }],
  [alu.add_r32_imm, (s, i) => { aluOp(s, i, alu.ALU_ADD, 2, Opnd.E, Opnd.I); return true; }],
  [alu.sub_r32_imm, (s, i) => { aluOp(s, i, alu.ALU_SUB, 2, Opnd.E, Opnd.I); return true; }],
  [alu.cmp_r32_imm, (s, i) => { aluOp(s, i, alu.ALU_CMP, 2, Opnd.E, Opnd.I); return true; }],
  [alu.cmp_m32_imm, (s, i) => { aluOp(s, i, alu.ALU_CMP, 2, Opnd.E, Opnd.I); return true; }],
  [alu.and_r32_imm, (s, i) => { aluOp(s, i, alu.ALU_AND, 2, Opnd.E, Opnd.I); return true; }],
  [alu.test_r32_r32, (s, i) => { testOp(s, i, 2, Opnd.G); return true; }],
  [alu.testEG, (s, i) => { testOp(s, i, i.sz, Opnd.G); return true; }],
  [alu.testEI, (s, i) => { testOp(s, i, i.sz, Opnd.I); return true; }],
  [alu.inc_r32, (s, i) => { incDecOp(s, i, false); return true; }],
  [alu.dec_r32, (s, i) => { incDecOp(s, i, true); return true; }],
  [alu.incDec, (s, i) => { incDecOp(s, i, i.sub !== 0); return true; }],
  // moves
  [mv.mov_r32_r32, (s, i) => { s.emit(`R${i.rm} = R${i.reg};`); return true; }],
  [mv.mov_r32_imm, (s, i) => { s.emit(`R${i.rm} = ${hex(i.imm)};`); return true; }],
  [mv.mov_r32_m32, (s, i) => {
    s.mayThrow();
    const a = ea(s, i);
    s.emit(`R${i.reg} = ${readMem(s, i, 2, a)};`);
    return true;
  }],
  [mv.mov_m32_r32, (s, i) => {
    s.mayThrow();
    const a = ea(s, i);
    s.emit(writeMem(s, i, 2, a, `R${i.reg}`));
    return true;
  }],
  [mv.movEG, (s, i) => { movToE(s, i, getReg(i.sz, i.reg)); return true; }],
  [mv.movEI, (s, i) => { movToE(s, i, hex(i.imm)); return true; }],
  [mv.movGE, (s, i) => {
    const v = s.v('v');
    s.emit(`const ${v} = ${readE(s, i, i.sz)};`);
    s.emit(setReg(i.sz, i.reg, v));
    return true;
  }],
  [mv.movzx, (s, i) => {
    const v = s.v('v');
    s.emit(`const ${v} = ${readE(s, i, i.sub)};`);
    s.emit(setReg(i.sz, i.reg, v));
    return true;
  }],
  [mv.movsx, (s, i) => {
    const v = s.v('v');
    const sh = i.sub === 0 ? 24 : 16;
    s.emit(`const ${v} = (${readE(s, i, i.sub)} << ${sh}) >> ${sh};`);
    s.emit(setReg(i.sz, i.reg, v));
    return true;
  }],
  [mv.lea, (s, i) => { s.emit(setReg(i.sz, i.reg, leaExpr(i))); return true; }],
  [mv.setcc, (s, i) => {
    const v = s.v('v');
    s.emit(`const ${v} = ${condExpr(s, i.sub)} ? 1 : 0;`);
    if (i.isMem) {
      s.mayThrow();
      s.emit(writeMem(s, i, 0, ea(s, i), v));
    } else {
      s.emit(setReg(0, i.rm, v));
    }
    return true;
  }],
  [mv.cmovcc, (s, i) => {
    // The source is read (and may fault) even when the condition is false.
    const v = s.v('v');
    s.emit(`const ${v} = ${readE(s, i, i.sz)};`);
    s.emit(`if (${condExpr(s, i.sub)}) ${setReg(i.sz, i.reg, v)}`);
    return true;
  }],
  // stack
  [st.push_r32, (s, i) => { pushValue(s, i, `R${i.rm}`); return true; }],
  [st.pushImm, (s, i) => {
    if (i.sz !== 2) return false;
    pushValue(s, i, hex(i.imm));
    return true;
  }],
  [st.pop_r32, (s, i) => {
    const sp = s.v('sp'), v = s.v('v');
    s.mayThrow();
    s.emit(`const ${sp} = R${ESP};`);
    s.emit(`const ${v} = ${readMem(s, i, 2, sp)};`);
    s.emit(`R${ESP} = (${sp} + 4) | 0;`);
    s.emit(`R${i.rm} = ${v};`);
    return true;
  }],
  [ctl.nop, () => true],
  // shifts by an immediate and IMUL, 32-bit registers (flags eager, as the handlers set them)
  [sh.shl_r32_imm, (s, i) => {
    const cnt = i.imm & 31;
    if (cnt === 0) return true;
    const x = s.v('x'), r = s.v('r'), cf = s.v('cf');
    s.emit(`const ${x} = R${i.rm}; const ${r} = ${x} << ${cnt}; R${i.rm} = ${r};`);
    s.emit(`const ${cf} = (${x} >>> ${32 - cnt}) & 1;`);
    setEagerFlags(s, `${szp32(r)} | ${cf} | (((${r} >>> 31) ^ ${cf}) !== 0 ? ${OF} : 0)`);
    return true;
  }],
  [sh.shr_r32_imm, (s, i) => {
    const cnt = i.imm & 31;
    if (cnt === 0) return true;
    const x = s.v('x'), r = s.v('r');
    s.emit(`const ${x} = R${i.rm}; const ${r} = (${x} >>> ${cnt}) | 0; R${i.rm} = ${r};`);
    setEagerFlags(s, `${szp32(r)} | ((${x} >>> ${cnt - 1}) & 1) | (${x} < 0 ? ${OF} : 0)`);
    return true;
  }],
  [sh.sar_r32_imm, (s, i) => {
    const cnt = i.imm & 31;
    if (cnt === 0) return true;
    const x = s.v('x'), r = s.v('r');
    s.emit(`const ${x} = R${i.rm}; const ${r} = ${x} >> ${cnt}; R${i.rm} = ${r};`);
    setEagerFlags(s, `${szp32(r)} | ((${x} >> ${cnt - 1}) & 1)`);
    return true;
  }],
  [sh.shiftEI, (s, i) => rotate32(s, i)],
  [md.imulGE, (s, i) => imul32(s, i, getReg(2, i.reg), null)],
  [md.imulGEI, (s, i) => imul32(s, i, null, hex(i.imm))],
  // control transfer (block end): the EIP that follows goes to the local ne
  [ctl.jcc, (s, i) => {
    s.emit(`ne = ${condExpr(s, i.sub)} ? ${hex((i.nextEip + i.imm) | 0)} : ${hex(i.nextEip)};`);
    return true;
  }],
  [ctl.jmpRel, (s, i) => { s.emit(`ne = ${hex((i.nextEip + i.imm) | 0)};`); return true; }],
  [ctl.callRel, (s, i) => {
    pushValue(s, i, hex(i.nextEip));
    s.emit(`ne = ${hex((i.nextEip + i.imm) | 0)};`);
    return true;
  }],
  [ctl.ret32, (s, i) => {
    const sp = s.v('sp');
    s.mayThrow();
    s.emit(`const ${sp} = R${ESP};`);
    s.emit(`ne = ${readMem(s, i, 2, sp)};`);
    s.emit(`R${ESP} = (${sp} + 4) | 0;`);
    return true;
  }],
]);

/** Templates that set ne, the EIP after the block (they end blocks). */
const TRANSFERS = new Set<Handler>([ctl.jcc, ctl.jmpRel, ctl.callRel, ctl.ret32]);

/** Register forms that overwrite every arithmetic flag and can neither fault nor read flags. */
const FLAG_WRITERS = new Set<Handler>([
  alu.add_r32_r32, alu.sub_r32_r32, alu.cmp_r32_r32, alu.xor_r32_r32, alu.add_r32_imm, alu.sub_r32_imm,
  alu.cmp_r32_imm, alu.and_r32_imm, alu.test_r32_r32, alu.aluEG, alu.aluGE, alu.aluAI, alu.aluEI,
  alu.testEG, alu.testEI, md.imulGE, md.imulGEI,
]);
/** Register forms that neither touch the flags nor can fault. */
const FLAG_NEUTRAL = new Set<Handler>([
  mv.mov_r32_r32, mv.mov_r32_imm, mv.lea, mv.movEI, mv.movEG, mv.movGE, mv.movzx, mv.movsx, ctl.nop,
]);

/**
 * How instruction i relates to the lazy flags, for dead-flag elimination: 'write' overwrites
 * them all without reading them and cannot fault, 'none' leaves them alone and cannot fault,
 * 'other' may read them or fault (and so expose them).
 */
export function flagEffect(i: Insn): 'write' | 'none' | 'other' {
  const f = i.fn;
  if (i.isMem) return 'other';
  if (FLAG_NEUTRAL.has(f)) return 'none';
  if (f === sh.shl_r32_imm || f === sh.shr_r32_imm || f === sh.sar_r32_imm) return (i.imm & 31) !== 0 ? 'write' : 'none';
  if (!FLAG_WRITERS.has(f)) return 'other';
  if ((f === md.imulGE || f === md.imulGEI) && i.sz !== 2) return 'other';
  // ADC and SBB read CF.
  if ((f === alu.aluEG || f === alu.aluGE || f === alu.aluAI || f === alu.aluEI) && (i.sub === alu.ALU_ADC || i.sub === alu.ALU_SBB)) return 'other';
  return 'write';
}

/**
 * Emits instruction i (index s.j) from its template, or as a direct call of its handler.
 * Returns whether the instruction may have touched memory or run foreign code (a store into
 * the running block's frame, or the in-place fault handler, can end the block after it).
 */
export function emitInsn(s: BlockSource, i: Insn): { called: boolean } {
  const t = TEMPLATES.get(i.fn);
  const before = s.out.length;
  const known = s.flags;
  s.throws = false;
  if (t !== undefined && t(s, i)) {
    s.templated++;
    if (s.dirty !== null) {
      for (let k = before; k < s.out.length; k++) {
        for (const w of s.out[k].matchAll(/\bR(\d) = /g)) s.dirty.add(Number(w[1]));
        if (/\b(fo|fc|ff) = /.test(s.out[k])) s.flagsDirty = true;
      }
    }
    if (KEEPS_FLAGS.has(i.fn)) s.flags = known;
    else if (s.flags === known) s.flags = null;
    // A block ended by the page's end or its length: execution goes on after it.
    if (s.last && !TRANSFERS.has(i.fn)) s.emit(`ne = ${hex(i.nextEip)};`);
    return { called: false };
  }
  s.out.length = before;
  s.flags = null;
  s.throws = false;
  s.called++;
  s.mayThrow();
  // The handler works on the Cpu: the locals go back before it and are read again after it;
  // h tells the catch that a fault in it left the Cpu's state, not the locals', current. A
  // block's last instruction sees EIP and prevEip as the run loop sets them, and leaves EIP.
  if (s.last) s.emit(`c.prevEip = ${hex(i.eip)}; c.eip = ${hex(i.nextEip)};`);
  const out = s.dirty === null ? SYNC_OUT : `${[...s.dirty].map((n) => `r[${n}] = R${n};`).join(' ')}${s.flagsDirty ? ` ${FLAGS_OUT}` : ''}`;
  s.emit(`${out} h = 1; ${s.handler}(c, ${s.insn}); h = 0; ${SYNC_IN}`);
  s.dirty = new Set();
  s.flagsDirty = false;
  if (s.last) s.emit('ne = c.eip;');
  return { called: true };
}
