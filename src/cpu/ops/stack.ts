// Stack instructions: PUSH/POP of registers, memory, immediates and segment registers,
// PUSHA/POPA, PUSHF/POPF, ENTER/LEAVE.
import type { Cpu } from '../cpu.js';
import type { Insn } from '../insn.js';
import { EBP, ESP, POPF_USER_MASK, RF, SS, TF, VM } from '../registers.js';

export function push_r32(c: Cpu, i: Insn): void {
  c.push32(c.regs[i.rm]);
}
export function pop_r32(c: Cpu, i: Insn): void {
  const v = c.pop32();
  c.regs[i.rm] = v;
}
export function push_r16(c: Cpu, i: Insn): void {
  c.push16(c.regs[i.rm]);
}
export function pop_r16(c: Cpu, i: Insn): void {
  const v = c.pop16();
  c.setReg(1, i.rm, v);
}
export function pushImm(c: Cpu, i: Insn): void {
  if (i.sz === 1) c.push16(i.imm);
  else c.push32(i.imm);
}
/** PUSH Ev (FF /6): the operand is read before ESP moves. */
export function pushE(c: Cpu, i: Insn): void {
  const v = c.readRm(i);
  if (i.sz === 1) c.push16(v);
  else c.push32(v);
}
/** POP Ev (8F /0): an ESP-based address is computed after ESP is incremented. */
export function popE(c: Cpu, i: Insn): void {
  const r = c.regs;
  const sp = r[ESP];
  const size = i.sz === 1 ? 2 : 4;
  const v = i.sz === 1 ? c.mmu.read16(sp) : c.mmu.read32(sp);
  if (i.isMem) {
    r[ESP] = (sp + size) | 0;
    const a = c.ea(i);
    r[ESP] = sp;
    c.writeMem(i.sz, a, v);
    r[ESP] = (sp + size) | 0;
  } else {
    r[ESP] = (sp + size) | 0;
    c.setReg(i.sz, i.rm, v);
  }
}
export function pushSeg(c: Cpu, i: Insn): void {
  const v = c.segSel[i.sub];
  if (i.sz === 1) c.push16(v);
  else {
    // A 32-bit push of a segment register writes only the low 16 bits on current processors.
    const sp = (c.regs[ESP] - 4) | 0;
    c.mmu.write16(sp, v);
    c.regs[ESP] = sp;
  }
}
export function popSeg(c: Cpu, i: Insn): void {
  const sp = c.regs[ESP];
  const v = c.mmu.read16(sp);
  if (c.loadSegment(i.sub, v)) {
    c.regs[ESP] = (sp + (i.sz === 1 ? 2 : 4)) | 0;
    if (i.sub === SS) c.ssShadow = true;
  }
}

export function pusha(c: Cpu, i: Insn): void {
  const r = c.regs;
  const size = i.sz === 1 ? 2 : 4;
  const sp = r[ESP];
  c.mmu.probeWrite((sp - 8 * size) | 0, 8 * size);
  let p = sp;
  for (let n = 0; n < 8; n++) {
    p = (p - size) | 0;
    const v = n === ESP ? sp : r[n];
    if (size === 2) c.mmu.write16(p, v);
    else c.mmu.write32(p, v);
  }
  r[ESP] = p;
}
export function popa(c: Cpu, i: Insn): void {
  const r = c.regs;
  const size = i.sz === 1 ? 2 : 4;
  let p = r[ESP];
  const vals = c.popaScratch;
  for (let n = 7; n >= 0; n--) {
    vals[n] = size === 2 ? c.mmu.read16(p) : c.mmu.read32(p);
    p = (p + size) | 0;
  }
  for (let n = 0; n < 8; n++) if (n !== ESP) c.setReg(i.sz, n, vals[n]);
  r[ESP] = p;
}

export function pushf(c: Cpu, i: Insn): void {
  const f = c.getEflags() & ~(VM | RF);
  if (i.sz === 1) c.push16(f);
  else c.push32(f);
}
export function popf(c: Cpu, i: Insn): void {
  const v = i.sz === 1 ? (c.pop16() | (c.getEflags() & 0xffff0000)) : c.pop32();
  const keep = c.getEflags() & ~POPF_USER_MASK;
  const was = c.flags & TF;
  c.setEflags((v & POPF_USER_MASK) | keep);
  if ((c.flags & TF) !== 0 && was === 0) c.traceStarted();
}

export function enter(c: Cpu, i: Insn): void {
  const r = c.regs;
  const size = i.sz === 1 ? 2 : 4;
  const level = i.imm2 & 31;
  let sp = r[ESP];
  let bp = r[EBP];
  sp = (sp - size) | 0;
  if (size === 4) c.mmu.write32(sp, bp); else c.mmu.write16(sp, bp);
  const frame = sp;
  if (level > 0) {
    for (let n = 1; n < level; n++) {
      bp = (bp - size) | 0;
      const v = size === 4 ? c.mmu.read32(bp) : c.mmu.read16(bp);
      sp = (sp - size) | 0;
      if (size === 4) c.mmu.write32(sp, v); else c.mmu.write16(sp, v);
    }
    sp = (sp - size) | 0;
    if (size === 4) c.mmu.write32(sp, frame); else c.mmu.write16(sp, frame);
  }
  sp = (sp - i.imm) | 0;
  if (size === 4) r[EBP] = frame; else c.setReg(1, EBP, frame);
  r[ESP] = sp;
}

export function leave(c: Cpu, i: Insn): void {
  const r = c.regs;
  const bp = r[EBP];
  if (i.sz === 1) {
    const v = c.mmu.read16(bp);
    r[ESP] = (bp + 2) | 0;
    c.setReg(1, EBP, v);
  } else {
    const v = c.mmu.read32(bp);
    r[ESP] = (bp + 4) | 0;
    r[EBP] = v;
  }
}
