// Far transfers at CPL 3 in protected mode (Intel SDM vol. 2, CALL, JMP, RET and IRET, the
// protected-mode branches): CALL far (9A, FF /3), JMP far (EA, FF /5), RET far (CB, CA iw)
// and IRET (CF), each also in its 66-prefixed 16-bit form. Every check runs before anything
// changes, so a faulting transfer leaves EIP, ESP, CS and EFLAGS as they were. The code
// segments a Linux i386 process can reach are __USER_CS (flat, 32-bit, 4 GiB limit) and those
// of its LDT, which may be based, limited and 16-bit (Cpu.setCodeSegment): EIP is the offset
// in CS, and must lie within the new CS's limit (#GP(0)).
import type { Cpu } from '../cpu.js';
import type { Insn } from '../insn.js';
import { Stop } from '../stop.js';
import { CS, ESP, IF, IOPL, NT, POPF_USER_MASK, TF } from '../registers.js';
import {
  DESC_CODE, DESC_CONFORMING, DESC_DPL_SHIFT, DESC_P, DESC_S, descriptorAccess,
} from '../descriptorTable.js';

const CPL = 3;

/** #GP(selector): the error code is the selector with its RPL bits cleared (EXT = IDT = 0). */
function gpSel(c: Cpu, sel: number): never {
  return c.fault(Stop.GeneralProtection, 13, sel & 0xfffc);
}

/** Descriptor checks shared by every far transfer: null, table limit, code segment. */
function codeDescriptor(c: Cpu, sel: number): number {
  if ((sel & 0xfffc) === 0) c.fault(Stop.GeneralProtection, 13, 0);
  const acc = descriptorAccess(c, sel);
  if (acc < 0) gpSel(c, sel);
  // Call gates, task gates and TSSs are system descriptors; Linux's GDT has no gate and its
  // TSSs have DPL 0, which a CPL-3 CALL/JMP may not name (#GP(selector) either way).
  if ((acc & (DESC_S | DESC_CODE)) !== (DESC_S | DESC_CODE)) gpSel(c, sel);
  return acc;
}

/**
 * The SDM's last check before the transfer: "IF instruction pointer is not within code
 * segment limit THEN #GP(0)", against the new CS (GDT code segments are flat).
 */
function checkTargetLimit(c: Cpu, sel: number, eip: number): void {
  if ((sel & 4) !== 0 && (eip >>> 0) > c.ldt!.limit(sel >> 3)) c.fault(Stop.GeneralProtection, 13, 0);
}

/** CALL/JMP far: CONFORMING-CODE-SEGMENT / NONCONFORMING-CODE-SEGMENT checks. */
function checkBranchTarget(c: Cpu, sel: number, eip: number): void {
  const acc = codeDescriptor(c, sel);
  const dpl = (acc >> DESC_DPL_SHIFT) & 3;
  if (acc & DESC_CONFORMING) {
    if (dpl > CPL) gpSel(c, sel);
  } else if ((sel & 3) > CPL || dpl !== CPL) {
    gpSel(c, sel);
  }
  if ((acc & DESC_P) === 0) c.fault(Stop.SegmentNotPresent, 11, sel & 0xfffc);
  checkTargetLimit(c, sel, eip);
}

/**
 * RET far / IRET: the return code segment checks. RPL > CPL (a return to an outer level)
 * cannot pass them at CPL 3, so only the same-privilege return remains. Exported for
 * sigreturn, whose IRET to the restored CS makes the same checks.
 */
export function checkReturnTarget(c: Cpu, sel: number, eip: number): void {
  const acc = codeDescriptor(c, sel);
  const dpl = (acc >> DESC_DPL_SHIFT) & 3;
  const rpl = sel & 3;
  if (rpl < CPL) gpSel(c, sel);
  if (acc & DESC_CONFORMING) {
    if (dpl > rpl) gpSel(c, sel);
  } else if (dpl !== rpl) {
    gpSel(c, sel);
  }
  if ((acc & DESC_P) === 0) c.fault(Stop.SegmentNotPresent, 11, sel & 0xfffc);
  checkTargetLimit(c, sel, eip);
}

/**
 * Pushes the return address of a far CALL. In a 32-bit slot CS is zero-extended: Intel's
 * pseudo-code says "padded with 16 high-order bits" (its figure of the stack leaves them
 * undefined) and AMD's PUSH.v zero-extends; qemu writes zeros too.
 */
function callFar(c: Cpu, i: Insn, offset: number, sel: number): void {
  sel &= 0xffff;
  checkBranchTarget(c, sel, i.sz === 2 ? offset : offset & 0xffff);
  const sp = c.regs[ESP];
  const mmu = c.mmu;
  if (i.sz === 2) {
    mmu.write32((sp - 4) | 0, c.segSel[CS]);
    mmu.write32((sp - 8) | 0, c.eip);
    c.regs[ESP] = (sp - 8) | 0;
    c.eip = offset | 0;
  } else {
    mmu.write16((sp - 2) | 0, c.segSel[CS]);
    mmu.write16((sp - 4) | 0, c.eip);
    c.regs[ESP] = (sp - 4) | 0;
    c.eip = offset & 0xffff;
  }
  c.setCodeSegment((sel & 0xfffc) | CPL);
}

function jmpFar(c: Cpu, i: Insn, offset: number, sel: number): void {
  sel &= 0xffff;
  const eip = i.sz === 2 ? offset | 0 : offset & 0xffff;
  checkBranchTarget(c, sel, eip);
  c.eip = eip;
  c.setCodeSegment((sel & 0xfffc) | CPL);
}

/** CALL ptr16:32 / ptr16:16 (9A): offset in imm, selector in imm2. */
export function callFarPtr(c: Cpu, i: Insn): void {
  callFar(c, i, i.imm, i.imm2);
}
/** CALL m16:32 / m16:16 (FF /3): the offset, then the selector, from memory. */
export function callFarMem(c: Cpu, i: Insn): void {
  const a = c.ea(i);
  if (i.sz === 2) callFar(c, i, c.mmu.read32(a), c.mmu.read16((a + 4) | 0));
  else callFar(c, i, c.mmu.read16(a), c.mmu.read16((a + 2) | 0));
}
/** JMP ptr16:32 / ptr16:16 (EA). */
export function jmpFarPtr(c: Cpu, i: Insn): void {
  jmpFar(c, i, i.imm, i.imm2);
}
/** JMP m16:32 / m16:16 (FF /5). */
export function jmpFarMem(c: Cpu, i: Insn): void {
  const a = c.ea(i);
  if (i.sz === 2) jmpFar(c, i, c.mmu.read32(a), c.mmu.read16((a + 4) | 0));
  else jmpFar(c, i, c.mmu.read16(a), c.mmu.read16((a + 2) | 0));
}

/**
 * RET far (CB) and RET far imm16 (CA): EIP, then CS from a slot of the operand size (the
 * upper half of a 32-bit slot is ignored); the immediate is released after both.
 */
export function retFar(c: Cpu, i: Insn): void {
  const sp = c.regs[ESP];
  const mmu = c.mmu;
  let eip: number, sel: number, size: number;
  if (i.sz === 2) {
    eip = mmu.read32(sp);
    sel = mmu.read32((sp + 4) | 0) & 0xffff;
    size = 8;
  } else {
    eip = mmu.read16(sp);
    sel = mmu.read16((sp + 2) | 0);
    size = 4;
  }
  checkReturnTarget(c, sel, eip);
  c.eip = eip;
  c.setCodeSegment(sel);
  c.regs[ESP] = (sp + size + i.imm) | 0;
}

/**
 * IRET (CF) at CPL 3 with EFLAGS.VM clear: with NT set it is a task return, which finds a
 * null back link in Linux's TSS (#TS); otherwise EIP, CS and EFLAGS come off the stack and
 * the return is to the same level. Of EFLAGS, CPL 3 may change what POPF may; IF only when
 * IOPL is 3; IOPL, VM, VIF and VIP never. RF is not modelled (it would clear after the next
 * instruction). An IRET that sets TF traps after the instruction it returns to, like POPF.
 */
export function iret(c: Cpu, i: Insn): void {
  const cur = c.getEflags();
  if (cur & NT) c.fault(Stop.InvalidTss, 10, 0);
  const sp = c.regs[ESP];
  const mmu = c.mmu;
  let eip: number, sel: number, fl: number, size: number;
  if (i.sz === 2) {
    eip = mmu.read32(sp);
    sel = mmu.read32((sp + 4) | 0) & 0xffff;
    fl = mmu.read32((sp + 8) | 0);
    size = 12;
  } else {
    eip = mmu.read16(sp);
    sel = mmu.read16((sp + 2) | 0);
    fl = mmu.read16((sp + 4) | 0);
    size = 6;
  }
  checkReturnTarget(c, sel, eip);
  let mask = POPF_USER_MASK | ((cur & IOPL) === IOPL ? IF : 0);
  if (i.sz !== 2) mask &= 0xffff;
  c.eip = eip;
  c.setCodeSegment(sel);
  c.regs[ESP] = (sp + size) | 0;
  c.setEflags((fl & mask) | (cur & ~mask));
  if ((c.flags & TF) !== 0 && (cur & TF) === 0) c.traceStarted();
}
