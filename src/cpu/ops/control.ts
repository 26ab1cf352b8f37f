// Control transfer: JMP, Jcc, CALL, RET, LOOP/LOOPE/LOOPNE, JECXZ, INT n, INT3, INTO, and the
// instructions that end in a trap for the kernel. Relative targets are stored as displacements
// (never absolute addresses) because decoded code is shared by every mapping of a frame.
import type { Cpu } from '../cpu.js';
import type { Insn } from '../insn.js';
import { Stop } from '../stop.js';
import { CS, ECX, ESP } from '../registers.js';

export function jmpRel(c: Cpu, i: Insn): void {
  c.eip = (c.eip + i.imm) | 0;
}
export function jmpRel16(c: Cpu, i: Insn): void {
  c.eip = (c.eip + i.imm) & 0xffff;
}
export function jcc(c: Cpu, i: Insn): void {
  if (c.cond(i.sub)) c.eip = (c.eip + i.imm) | 0;
}
export function jcc16(c: Cpu, i: Insn): void {
  if (c.cond(i.sub)) c.eip = (c.eip + i.imm) & 0xffff;
}
export function callRel(c: Cpu, i: Insn): void {
  c.push32(c.eip);
  c.eip = (c.eip + i.imm) | 0;
}
export function callRel16(c: Cpu, i: Insn): void {
  c.push16(c.eip);
  c.eip = (c.eip + i.imm) & 0xffff;
}
/** CALL Ev (FF /2): the target is read before the return address is pushed. */
export function callE(c: Cpu, i: Insn): void {
  const t = c.readRm(i);
  if (i.sz === 1) {
    c.push16(c.eip);
    c.eip = t & 0xffff;
  } else {
    c.push32(c.eip);
    c.eip = t;
  }
}
/**
 * CALL rel16/rel32/Ev (i.inner) in a code segment with a limit (decoded so only there): the
 * target is checked before the return address is pushed (SDM CALL, near: "IF tempEIP is not
 * within code segment limit THEN #GP(0)" precedes "Push(EIP)"), so a refused call leaves the
 * stack's bytes, ESP and EIP as they were.
 */
export function callLimitChecked(c: Cpu, i: Insn): void {
  let t: number;
  if (i.inner === callE) t = i.sz === 1 ? c.readRm(i) & 0xffff : c.readRm(i);
  else t = i.sz === 1 ? (c.eip + i.imm) & 0xffff : (c.eip + i.imm) | 0;
  if ((t >>> 0) > c.segLimitHi[CS]) c.fault(Stop.GeneralProtection, 13, 0);
  if (i.sz === 1) c.push16(c.eip);
  else c.push32(c.eip);
  c.eip = t;
}
export function jmpE(c: Cpu, i: Insn): void {
  const t = c.readRm(i);
  c.eip = i.sz === 1 ? t & 0xffff : t;
}
export function ret(c: Cpu, i: Insn): void {
  if (i.sz === 1) {
    c.eip = c.pop16();
  } else {
    c.eip = c.pop32();
  }
  if (i.imm !== 0) c.regs[ESP] = (c.regs[ESP] + i.imm) | 0;
}
export function ret32(c: Cpu, _i: Insn): void {
  const sp = c.regs[ESP];
  c.eip = c.mmu.read32(sp);
  c.regs[ESP] = (sp + 4) | 0;
}

/** LOOP (sub 2), LOOPE (sub 1), LOOPNE (sub 0), JECXZ (sub 3); i.a16 selects CX. */
export function loop(c: Cpu, i: Insn): void {
  const r = c.regs;
  let take: boolean;
  if (i.sub === 3) {
    take = i.a16 ? (r[ECX] & 0xffff) === 0 : r[ECX] === 0;
  } else {
    let cnt: number;
    if (i.a16) {
      cnt = (r[ECX] - 1) & 0xffff;
      r[ECX] = (r[ECX] & ~0xffff) | cnt;
    } else {
      cnt = (r[ECX] - 1) | 0;
      r[ECX] = cnt;
    }
    take = cnt !== 0;
    if (i.sub === 1) take = take && c.getZF();
    else if (i.sub === 0) take = take && !c.getZF();
  }
  if (take) c.eip = i.sz === 1 ? (c.eip + i.imm) & 0xffff : (c.eip + i.imm) | 0;
}

export function intN(c: Cpu, i: Insn): void {
  c.trap(Stop.Interrupt, i.imm);
}
export function int3(c: Cpu, _i: Insn): void {
  c.trap(Stop.Breakpoint, 3);
}
export function int1(c: Cpu, _i: Insn): void {
  c.trap(Stop.Trap, 1);
}
export function into(c: Cpu, _i: Insn): void {
  if (c.getOF()) c.trap(Stop.Trap, 4);
}
export function sysenter(c: Cpu, _i: Insn): void {
  c.trap(Stop.Sysenter, 0);
}
export function invalidOpcode(c: Cpu, _i: Insn): void {
  c.fault(Stop.InvalidOpcode, 6);
}
/** Privileged or I/O instruction at CPL 3. */
export function generalProtection(c: Cpu, _i: Insn): void {
  c.fault(Stop.GeneralProtection, 13);
}
export function nop(_c: Cpu, _i: Insn): void {}
