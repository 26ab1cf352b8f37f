// Bit instructions: BT/BTS/BTR/BTC (register and immediate offsets), BSF/BSR, POPCNT.
import type { Cpu } from '../cpu.js';
import { L_NONE } from '../cpu.js';
import type { Insn } from '../insn.js';
import { ARITH_FLAGS, CF, ZF } from '../registers.js';

function btOp(c: Cpu, i: Insn, offset: number, fromReg: boolean): void {
  const sz = i.sz;
  const bits = sz === 1 ? 16 : 32;
  let v: number, bit: number, a = 0;
  if (i.isMem) {
    // A register bit offset addresses memory beyond the operand (signed); an immediate is masked.
    if (fromReg) {
      const off = sz === 1 ? (offset << 16) >> 16 : offset;
      a = c.eaShifted(i, bits === 16 ? (off >> 4) * 2 : (off >> 5) * 4, bits >> 3);
    } else {
      a = c.ea(i);
    }
    bit = offset & (bits - 1);
    v = c.readMem(sz, a);
  } else {
    bit = offset & (bits - 1);
    v = c.getReg(sz, i.rm);
  }
  const cf = (v >>> bit) & 1;
  let nv = v;
  switch (i.sub) {
    case 1: nv = v | (1 << bit); break;
    case 2: nv = v & ~(1 << bit); break;
    case 3: nv = v ^ (1 << bit); break;
  }
  if (i.sub !== 0) {
    if (i.isMem) c.writeMem(sz, a, nv);
    else c.setReg(sz, i.rm, nv);
  }
  c.materializeFlags();
  c.flags = (c.flags & ~CF) | cf;
}

/** BT/BTS/BTR/BTC Ev, Gv (sub 0..3) */
export function btEG(c: Cpu, i: Insn): void {
  btOp(c, i, c.getReg(i.sz, i.reg), true);
}
/** Group 8: BT/BTS/BTR/BTC Ev, imm8 (sub 0..3) */
export function btEI(c: Cpu, i: Insn): void {
  btOp(c, i, i.imm, false);
}

/** BSF (sub 0) / BSR (sub 1): a zero source sets ZF and leaves the destination unchanged. */
export function bsfBsr(c: Cpu, i: Insn): void {
  const v = c.readRm(i) & (i.sz === 1 ? 0xffff : -1);
  c.materializeFlags();
  if (v === 0) {
    c.flags |= ZF;
    return;
  }
  const r = i.sub === 0 ? 31 - Math.clz32(v & -v) : 31 - Math.clz32(v);
  c.setReg(i.sz, i.reg, r);
  c.flags &= ~ZF;
}

/** POPCNT Gv, Ev (F3 0F B8) */
export function popcnt(c: Cpu, i: Insn): void {
  let v = c.readRm(i) & (i.sz === 1 ? 0xffff : -1);
  v = v - ((v >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  const n = (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24);
  c.setReg(i.sz, i.reg, n);
  c.flags = (c.flags & ~ARITH_FLAGS) | (n === 0 ? ZF : 0);
  c.lazyOp = L_NONE;
}
