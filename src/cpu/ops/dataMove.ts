// Data movement: MOV forms, MOVZX/MOVSX, LEA, XCHG, XADD, CMPXCHG, CMPXCHG8B, BSWAP, CMOVcc,
// SETcc, CBW/CWDE/CWD/CDQ, XLAT, and the segment-register moves.
import type { Cpu } from '../cpu.js';
import { L_ADD, L_SUB } from '../cpu.js';
import type { Insn } from '../insn.js';
import { Stop } from '../stop.js';
import { EAX, EBX, ECX, EDX, SS, ZF } from '../registers.js';

export function movEG(c: Cpu, i: Insn): void {
  const v = c.getReg(i.sz, i.reg);
  if (i.isMem) c.writeMem(i.sz, c.ea(i), v);
  else c.setReg(i.sz, i.rm, v);
}
export function movGE(c: Cpu, i: Insn): void {
  c.setReg(i.sz, i.reg, c.readRm(i));
}
export function mov_r32_r32(c: Cpu, i: Insn): void {
  c.regs[i.rm] = c.regs[i.reg];
}
export function mov_m32_r32(c: Cpu, i: Insn): void {
  c.mmu.write32(c.ea(i), c.regs[i.reg]);
}
export function mov_r32_m32(c: Cpu, i: Insn): void {
  c.regs[i.reg] = c.mmu.read32(c.ea(i));
}
/** MOV Eb/Ev, imm and MOV reg, imm (B0-BF decode as rm = reg). */
export function movEI(c: Cpu, i: Insn): void {
  if (i.isMem) c.writeMem(i.sz, c.ea(i), i.imm);
  else c.setReg(i.sz, i.rm, i.imm);
}
export function mov_r32_imm(c: Cpu, i: Insn): void {
  c.regs[i.rm] = i.imm;
}
/** MOV AL/eAX, moffs (A0/A1): address in disp. */
export function movAO(c: Cpu, i: Insn): void {
  c.setReg(i.sz, EAX, c.readMem(i.sz, c.ea(i)));
}
export function movOA(c: Cpu, i: Insn): void {
  c.writeMem(i.sz, c.ea(i), c.getReg(i.sz, EAX));
}

/** MOVZX Gv, Eb (sub 0) / Ew (sub 1). i.sz is the destination size. */
export function movzx(c: Cpu, i: Insn): void {
  const v = i.isMem
    ? (i.sub === 0 ? c.mmu.read8(c.ea(i)) : c.mmu.read16(c.ea(i)))
    : c.getReg(i.sub, i.rm);
  c.setReg(i.sz, i.reg, v);
}
export function movsx(c: Cpu, i: Insn): void {
  let v = i.isMem
    ? (i.sub === 0 ? c.mmu.read8(c.ea(i)) : c.mmu.read16(c.ea(i)))
    : c.getReg(i.sub, i.rm);
  v = i.sub === 0 ? (v << 24) >> 24 : (v << 16) >> 16;
  c.setReg(i.sz, i.reg, v);
}

export function lea(c: Cpu, i: Insn): void {
  const r = c.regs;
  const a = i.a16 ? (r[i.base] + r[i.index] + i.disp) & 0xffff : (r[i.base] + (r[i.index] << i.scale) + i.disp) | 0;
  c.setReg(i.sz, i.reg, a);
}

export function xchgEG(c: Cpu, i: Insn): void {
  const sz = i.sz;
  const g = c.getReg(sz, i.reg);
  if (i.isMem) {
    const a = c.ea(i);
    const e = c.readMem(sz, a);
    c.writeMem(sz, a, g);
    c.setReg(sz, i.reg, e);
  } else {
    const e = c.getReg(sz, i.rm);
    c.setReg(sz, i.rm, g);
    c.setReg(sz, i.reg, e);
  }
}

export function xadd(c: Cpu, i: Insn): void {
  const sz = i.sz;
  const g = c.getReg(sz, i.reg);
  let e: number;
  if (i.isMem) {
    const a = c.ea(i);
    e = c.readMem(sz, a);
    c.writeMem(sz, a, (e + g) | 0);
    c.setReg(sz, i.reg, e);
  } else {
    e = c.getReg(sz, i.rm);
    c.setReg(sz, i.reg, e);
    c.setReg(sz, i.rm, (e + g) | 0);
  }
  c.setLazy(L_ADD, e, g, (e + g) | 0, sz);
}

export function cmpxchg(c: Cpu, i: Insn): void {
  const sz = i.sz;
  const acc = c.getReg(sz, EAX);
  const src = c.getReg(sz, i.reg);
  let dest: number;
  if (i.isMem) {
    const a = c.ea(i);
    dest = c.readMem(sz, a);
    // The processor always writes the destination (the old value when the compare fails).
    c.writeMem(sz, a, acc === dest ? src : dest);
  } else {
    dest = c.getReg(sz, i.rm);
    if (acc === dest) c.setReg(sz, i.rm, src);
  }
  if (acc !== dest) c.setReg(sz, EAX, dest);
  c.setLazy(L_SUB, acc, dest, (acc - dest) | 0, sz);
}

export function cmpxchg8b(c: Cpu, i: Insn): void {
  if (!i.isMem) { c.fault(Stop.InvalidOpcode, 6); return; }
  const a = c.ea(i);
  const lo = c.mmu.read32(a);
  const hi = c.mmu.read32((a + 4) | 0);
  const r = c.regs;
  c.materializeFlags();
  if (lo === r[EAX] && hi === r[EDX]) {
    c.mmu.probeWrite(a, 8);
    c.mmu.write32(a, r[EBX]);
    c.mmu.write32((a + 4) | 0, r[ECX]);
    c.flags |= ZF;
  } else {
    c.mmu.probeWrite(a, 8);
    c.mmu.write32(a, lo);
    c.mmu.write32((a + 4) | 0, hi);
    r[EAX] = lo;
    r[EDX] = hi;
    c.flags &= ~ZF;
  }
}

export function bswap(c: Cpu, i: Insn): void {
  const v = c.regs[i.rm];
  if (i.sz === 1) { c.setReg(1, i.rm, 0); return; } // 16-bit BSWAP: undefined; Intel gives 0
  c.regs[i.rm] = ((v >>> 24) | ((v >> 8) & 0xff00) | ((v & 0xff00) << 8) | (v << 24)) | 0;
}

export function cmovcc(c: Cpu, i: Insn): void {
  // The source is read (and may fault) even when the condition is false.
  const v = c.readRm(i);
  if (c.cond(i.sub)) c.setReg(i.sz, i.reg, v);
  else if (i.sz === 2) c.regs[i.reg] = c.regs[i.reg]; // 32-bit form: upper bits stay (no-op)
}

export function setcc(c: Cpu, i: Insn): void {
  const v = c.cond(i.sub) ? 1 : 0;
  if (i.isMem) c.mmu.write8(c.ea(i), v);
  else c.setReg(0, i.rm, v);
}

/** CBW (16) / CWDE (32) */
export function cbw(c: Cpu, i: Insn): void {
  const r = c.regs;
  if (i.sz === 1) r[EAX] = (r[EAX] & ~0xffff) | (((r[EAX] << 24) >> 24) & 0xffff);
  else r[EAX] = (r[EAX] << 16) >> 16;
}
/** CWD (16) / CDQ (32) */
export function cwd(c: Cpu, i: Insn): void {
  const r = c.regs;
  if (i.sz === 1) r[EDX] = (r[EDX] & ~0xffff) | ((r[EAX] << 16) >> 31 & 0xffff);
  else r[EDX] = r[EAX] >> 31;
}

/** XLAT: the byte at [(E)BX + AL] (BX and a 16-bit sum with a 16-bit address size). */
export function xlat(c: Cpu, i: Insn): void {
  const r = c.regs;
  const off = i.a16 ? (r[EBX] + (r[EAX] & 0xff)) & 0xffff : (r[EBX] + (r[EAX] & 0xff)) | 0;
  if ((c.segLimited & (1 << i.seg)) !== 0) c.checkSegLimit(i.seg, off);
  c.setReg(0, EAX, c.mmu.read8((off + c.segBase[i.seg]) | 0));
}

/** MOV Ew/Rv, Sreg (8C) */
export function movESreg(c: Cpu, i: Insn): void {
  if (i.reg > 5) { c.fault(Stop.InvalidOpcode, 6); return; }
  const v = c.segSel[i.reg];
  if (i.isMem) c.mmu.write16(c.ea(i), v);
  else c.setReg(i.sz === 1 ? 1 : 2, i.rm, v);
}
/** MOV Sreg, Ew (8E) */
export function movSregE(c: Cpu, i: Insn): void {
  if (i.reg > 5) { c.fault(Stop.InvalidOpcode, 6); return; }
  const v = i.isMem ? c.mmu.read16(c.ea(i)) : c.regs[i.rm] & 0xffff;
  if (c.loadSegment(i.reg, v) && i.reg === SS) c.ssShadow = true;
}
