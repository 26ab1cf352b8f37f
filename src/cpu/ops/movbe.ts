// MOVBE: a load or store with the bytes reversed (memory operand only), 16 or 32 bits.
import type { Cpu } from '../cpu.js';
import type { Insn } from '../insn.js';

function swap(v: number, sz: number): number {
  if (sz === 1) return ((v & 0xff) << 8) | ((v >> 8) & 0xff);
  return ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
}

/** MOVBE Gv, Mv (0F 38 F0) */
export function movbeLoad(c: Cpu, i: Insn): void {
  c.setReg(i.sz, i.reg, swap(c.readMem(i.sz, c.ea(i)), i.sz));
}

/** MOVBE Mv, Gv (0F 38 F1) */
export function movbeStore(c: Cpu, i: Insn): void {
  c.writeMem(i.sz, c.ea(i), swap(c.getReg(i.sz, i.reg), i.sz));
}
