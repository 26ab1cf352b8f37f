// Integer arithmetic and logic: ADD OR ADC SBB AND SUB XOR CMP (the "group 1" operations),
// TEST, INC, DEC, NEG, NOT. Results are written before flags are set, so a faulting write
// leaves the flags as they were and the instruction can restart.
import type { Cpu } from '../cpu.js';
import { L_ADC, L_ADD, L_DEC, L_INC, L_LOGIC, L_SBB, L_SUB } from '../cpu.js';
import type { Insn } from '../insn.js';

export const ALU_ADD = 0, ALU_OR = 1, ALU_ADC = 2, ALU_SBB = 3, ALU_AND = 4, ALU_SUB = 5, ALU_XOR = 6, ALU_CMP = 7;

/** The result of group-1 operation `op` (no side effects; ADC/SBB read CF). */
export function aluResult(c: Cpu, op: number, x: number, y: number): number {
  switch (op) {
    case ALU_ADD: return (x + y) | 0;
    case ALU_OR: return x | y;
    case ALU_ADC: return (x + y + c.getCF()) | 0;
    case ALU_SBB: return (x - y - c.getCF()) | 0;
    case ALU_AND: return x & y;
    case ALU_XOR: return x ^ y;
    default: return (x - y) | 0; // SUB, CMP
  }
}

/** Records the lazy flags of group-1 operation `op` that produced r from x and y. */
export function aluFlags(c: Cpu, op: number, x: number, y: number, r: number, sz: number): void {
  switch (op) {
    case ALU_ADD: c.setLazy(L_ADD, x, y, r, sz); return;
    case ALU_ADC: c.lazyCarry = (r - x - y) & 1; c.setLazy(L_ADC, x, y, r, sz); return;
    case ALU_SBB: c.lazyCarry = (x - y - r) & 1; c.setLazy(L_SBB, x, y, r, sz); return;
    case ALU_SUB: case ALU_CMP: c.setLazy(L_SUB, x, y, r, sz); return;
    default: c.setLazy(L_LOGIC, 0, 0, r, sz);
  }
}

/** Group-1 operation with the E operand as destination and y as source. */
function aluE(c: Cpu, i: Insn, y: number): void {
  const sz = i.sz;
  if (i.isMem) {
    const a = c.ea(i);
    const x = c.readMem(sz, a);
    const r = aluResult(c, i.sub, x, y);
    if (i.sub !== ALU_CMP) c.writeMem(sz, a, r);
    aluFlags(c, i.sub, x, y, r, sz);
  } else {
    const x = c.getReg(sz, i.rm);
    const r = aluResult(c, i.sub, x, y);
    if (i.sub !== ALU_CMP) c.setReg(sz, i.rm, r);
    aluFlags(c, i.sub, x, y, r, sz);
  }
}

/** op Eb/Ev, Gb/Gv */
export function aluEG(c: Cpu, i: Insn): void {
  aluE(c, i, c.getReg(i.sz, i.reg));
}

/** op Gb/Gv, Eb/Ev */
export function aluGE(c: Cpu, i: Insn): void {
  const sz = i.sz;
  const y = c.readRm(i);
  const x = c.getReg(sz, i.reg);
  const r = aluResult(c, i.sub, x, y);
  if (i.sub !== ALU_CMP) c.setReg(sz, i.reg, r);
  aluFlags(c, i.sub, x, y, r, sz);
}

/** op AL/eAX, imm */
export function aluAI(c: Cpu, i: Insn): void {
  const sz = i.sz;
  const x = c.getReg(sz, 0);
  const r = aluResult(c, i.sub, x, i.imm);
  if (i.sub !== ALU_CMP) c.setReg(sz, 0, r);
  aluFlags(c, i.sub, x, i.imm, r, sz);
}

/** Group 1: op Eb/Ev, imm (80, 81, 83) */
export function aluEI(c: Cpu, i: Insn): void {
  aluE(c, i, i.imm);
}

// Fast 32-bit register forms of the hottest operations.
export function add_r32_r32(c: Cpu, i: Insn): void {
  const x = c.regs[i.rm], y = c.regs[i.reg];
  const r = (x + y) | 0;
  c.regs[i.rm] = r;
  c.setLazy(L_ADD, x, y, r, 2);
}
export function sub_r32_r32(c: Cpu, i: Insn): void {
  const x = c.regs[i.rm], y = c.regs[i.reg];
  const r = (x - y) | 0;
  c.regs[i.rm] = r;
  c.setLazy(L_SUB, x, y, r, 2);
}
export function cmp_r32_r32(c: Cpu, i: Insn): void {
  const x = c.regs[i.rm], y = c.regs[i.reg];
  c.setLazy(L_SUB, x, y, (x - y) | 0, 2);
}
export function xor_r32_r32(c: Cpu, i: Insn): void {
  const r = c.regs[i.rm] ^ c.regs[i.reg];
  c.regs[i.rm] = r;
  c.setLazy(L_LOGIC, 0, 0, r, 2);
}
export function cmp_r32_m32(c: Cpu, i: Insn): void {
  const x = c.regs[i.reg], y = c.mmu.read32(c.ea(i));
  c.setLazy(L_SUB, x, y, (x - y) | 0, 2);
}
export function cmp_m32_r32(c: Cpu, i: Insn): void {
  const x = c.mmu.read32(c.ea(i)), y = c.regs[i.reg];
  c.setLazy(L_SUB, x, y, (x - y) | 0, 2);
}
export function add_r32_imm(c: Cpu, i: Insn): void {
  const x = c.regs[i.rm];
  const r = (x + i.imm) | 0;
  c.regs[i.rm] = r;
  c.setLazy(L_ADD, x, i.imm, r, 2);
}
export function sub_r32_imm(c: Cpu, i: Insn): void {
  const x = c.regs[i.rm];
  const r = (x - i.imm) | 0;
  c.regs[i.rm] = r;
  c.setLazy(L_SUB, x, i.imm, r, 2);
}
export function cmp_r32_imm(c: Cpu, i: Insn): void {
  const x = c.regs[i.rm];
  c.setLazy(L_SUB, x, i.imm, (x - i.imm) | 0, 2);
}
export function cmp_m32_imm(c: Cpu, i: Insn): void {
  const x = c.mmu.read32(c.ea(i));
  c.setLazy(L_SUB, x, i.imm, (x - i.imm) | 0, 2);
}
export function and_r32_imm(c: Cpu, i: Insn): void {
  const r = c.regs[i.rm] & i.imm;
  c.regs[i.rm] = r;
  c.setLazy(L_LOGIC, 0, 0, r, 2);
}
export function test_r32_r32(c: Cpu, i: Insn): void {
  c.setLazy(L_LOGIC, 0, 0, c.regs[i.rm] & c.regs[i.reg], 2);
}

/** TEST Eb/Ev, Gb/Gv */
export function testEG(c: Cpu, i: Insn): void {
  c.setLazy(L_LOGIC, 0, 0, c.readRm(i) & c.getReg(i.sz, i.reg), i.sz);
}

/** TEST Eb/Ev, imm (F6/F7 /0) and TEST AL/eAX, imm (A8/A9, decoded as rm = eAX) */
export function testEI(c: Cpu, i: Insn): void {
  c.setLazy(L_LOGIC, 0, 0, c.readRm(i) & i.imm, i.sz);
}

/** INC (sub 0) / DEC (sub 1) of Eb/Ev or a register (40+r, 48+r decode as rm = r). */
export function incDec(c: Cpu, i: Insn): void {
  const sz = i.sz;
  const cf = c.getCF();
  let x: number, r: number;
  if (i.isMem) {
    const a = c.ea(i);
    x = c.readMem(sz, a);
    r = i.sub === 0 ? (x + 1) | 0 : (x - 1) | 0;
    c.writeMem(sz, a, r);
  } else {
    x = c.getReg(sz, i.rm);
    r = i.sub === 0 ? (x + 1) | 0 : (x - 1) | 0;
    c.setReg(sz, i.rm, r);
  }
  c.lazyCarry = cf;
  c.setLazy(i.sub === 0 ? L_INC : L_DEC, x, 1, r, sz);
}

export function inc_r32(c: Cpu, i: Insn): void {
  const cf = c.getCF();
  const x = c.regs[i.rm];
  const r = (x + 1) | 0;
  c.regs[i.rm] = r;
  c.lazyCarry = cf;
  c.setLazy(L_INC, x, 1, r, 2);
}

export function dec_r32(c: Cpu, i: Insn): void {
  const cf = c.getCF();
  const x = c.regs[i.rm];
  const r = (x - 1) | 0;
  c.regs[i.rm] = r;
  c.lazyCarry = cf;
  c.setLazy(L_DEC, x, 1, r, 2);
}

/** NOT Eb/Ev (no flags) */
export function notE(c: Cpu, i: Insn): void {
  if (i.isMem) {
    const a = c.ea(i);
    c.writeMem(i.sz, a, ~c.readMem(i.sz, a));
  } else {
    c.setReg(i.sz, i.rm, ~c.getReg(i.sz, i.rm));
  }
}

/** NEG Eb/Ev: flags as 0 - x */
export function negE(c: Cpu, i: Insn): void {
  let x: number;
  const sz = i.sz;
  if (i.isMem) {
    const a = c.ea(i);
    x = c.readMem(sz, a);
    c.writeMem(sz, a, -x | 0);
  } else {
    x = c.getReg(sz, i.rm);
    c.setReg(sz, i.rm, -x | 0);
  }
  c.setLazy(L_SUB, 0, x, -x | 0, sz);
}
