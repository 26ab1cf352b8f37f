// The rest of the integer map: the x87 escape and FWAIT hand-off, BOUND, ARPL, LDS/LES, and the
// system groups 0F 00, 0F 01, 0F AE as far as CPL 3 may use them.
import type { Cpu } from '../cpu.js';
import type { Handler, Insn } from '../insn.js';
import { Stop } from '../stop.js';
import { ZF } from '../registers.js';
import { generalProtection, invalidOpcode, nop } from './control.js';
import {
  DESC_CODE, DESC_CONFORMING, DESC_DPL_SHIFT, DESC_READABLE, DESC_S, DESC_WRITABLE, descriptorAccess,
} from '../descriptorTable.js';

/** D8-DF: the FPU executes with the ModRM byte and, for memory forms, the linear address. */
export function fpuOp(c: Cpu, i: Insn): void {
  c.prevEip = i.eip; // the FPU records it as the last instruction pointer
  c.fpu.o16 = i.sz === 1; // a 0x66 prefix selects the 16-bit environment and save images
  c.fpu.exec(c, i.op, i.modrm, i.isMem ? c.ea(i) : 0);
}
export function fwait(c: Cpu, i: Insn): void {
  c.prevEip = i.eip;
  c.fpu.fwait(c);
}

/** BOUND Gv, Ma: #BR (a fault) when the signed index is outside [lower, upper]. */
export function bound(c: Cpu, i: Insn): void {
  const a = c.ea(i);
  const idx = i.sz === 1 ? (c.regs[i.reg] << 16) >> 16 : c.regs[i.reg];
  // The lower bound is checked before the upper one is read (the host raises #BR even when
  // the upper bound lies in a page that would fault).
  const lo = i.sz === 1 ? (c.mmu.read16(a) << 16) >> 16 : c.mmu.read32(a);
  if (idx < lo) c.fault(Stop.Trap, 5);
  const hi = i.sz === 1 ? (c.mmu.read16((a + 2) | 0) << 16) >> 16 : c.mmu.read32((a + 4) | 0);
  if (idx > hi) c.fault(Stop.Trap, 5);
}

/** ARPL Ew, Gw: raise the destination selector's RPL to the source's. */
export function arpl(c: Cpu, i: Insn): void {
  const dst = c.readRm(i);
  const src = c.getReg(1, i.reg);
  c.materializeFlags();
  if ((dst & 3) < (src & 3)) {
    c.writeRm(i, (dst & ~3) | (src & 3));
    c.flags |= ZF;
  } else {
    c.flags &= ~ZF;
  }
}

/** LES/LDS Gv, Mp: offset into the register, selector into the segment register (i.sub). */
export function loadFarPointer(c: Cpu, i: Insn): void {
  const a = c.ea(i);
  const off = i.sz === 1 ? c.mmu.read16(a) : c.mmu.read32(a);
  const sel = c.mmu.read16((a + (i.sz === 1 ? 2 : 4)) | 0);
  if (c.loadSegment(i.sub, sel)) c.setReg(i.sz, i.reg, off);
}

/** Linux's TSS selector (GDT_ENTRY_TSS = 16), as STR shows it at CPL 3. */
const TSS_SELECTOR = 16 << 3;

function sldt(c: Cpu, i: Insn): void {
  if (i.isMem) c.mmu.write16(c.ea(i), 0);
  else c.setReg(i.sz === 1 ? 1 : 2, i.rm, 0);
}
function str(c: Cpu, i: Insn): void {
  if (i.isMem) c.mmu.write16(c.ea(i), TSS_SELECTOR);
  else c.setReg(i.sz === 1 ? 1 : 2, i.rm, TSS_SELECTOR);
}
/**
 * VERR/VERW: ZF = the selector names a segment readable (VERW: a data segment writable) at
 * CPL 3 with its RPL: DPL >= CPL and DPL >= RPL unless it is conforming code (VERR only).
 */
function verrw(c: Cpu, i: Insn): void {
  const sel = i.isMem ? c.mmu.read16(c.ea(i)) : c.regs[i.rm] & 0xffff;
  const write = i.reg === 5;
  const acc = (sel & 0xfffc) === 0 ? -1 : descriptorAccess(c, sel);
  let ok = acc >= 0 && (acc & DESC_S) !== 0;
  if (ok) {
    const code = (acc & DESC_CODE) !== 0;
    const dpl = (acc >> DESC_DPL_SHIFT) & 3;
    if (write) ok = !code && (acc & DESC_WRITABLE) !== 0;
    else ok = !code || (acc & DESC_READABLE) !== 0;
    if (!(code && !write && (acc & DESC_CONFORMING) !== 0)) ok = ok && dpl === 3 && (sel & 3) <= dpl;
  }
  c.materializeFlags();
  c.flags = ok ? c.flags | ZF : c.flags & ~ZF;
}

export function group6(i: Insn): Handler {
  switch (i.reg) {
    case 0: return sldt;
    case 1: return str;
    case 2: case 3: return generalProtection;
    case 4: case 5: return verrw;
    default: return invalidOpcode;
  }
}

function smsw(c: Cpu, i: Insn): void {
  const cr0 = 0x80050033; // PG WP NE ET MP PE, as Linux runs
  if (i.isMem) c.mmu.write16(c.ea(i), cr0 & 0xffff);
  else c.setReg(i.sz, i.rm, cr0 | 0);
}

export function group7(i: Insn): Handler {
  if (!i.isMem) {
    // 0F 01 C0-FF: VMX, MONITOR/MWAIT, XGETBV, RDTSCP, ... none is implemented or allowed.
    if (i.reg === 4) return smsw;
    if (i.reg === 6 || i.reg === 7 || i.reg === 0 || i.reg === 1) return invalidOpcode;
    return invalidOpcode;
  }
  switch (i.reg) {
    case 4: return smsw;
    case 0: case 1: return invalidOpcode; // SGDT/SIDT: reported as #UD until the descriptor tables exist
    default: return generalProtection; // LGDT LIDT LMSW INVLPG
  }
}

function fxsave(c: Cpu, i: Insn): void { c.fpu.fxsave(c, c.ea(i)); }
function fxrstor(c: Cpu, i: Insn): void { c.fpu.fxrstor(c, c.ea(i)); }
function ldmxcsr(c: Cpu, i: Insn): void { c.sse.ldmxcsr(c, c.mmu.read32(c.ea(i))); }
function stmxcsr(c: Cpu, i: Insn): void { c.mmu.write32(c.ea(i), c.sse.mxcsr); }

/** CLFLUSH: no cache to flush, but the address must translate (it faults like a read). */
function clflush(c: Cpu, i: Insn): void {
  c.mmu.translateForRead(c.ea(i), 1);
}

export function group15(i: Insn): Handler {
  if (!i.isMem) return i.reg >= 5 ? nop : invalidOpcode; // LFENCE MFENCE SFENCE
  switch (i.reg) {
    case 0: return fxsave;
    case 1: return fxrstor;
    case 2: return ldmxcsr;
    case 3: return stmxcsr;
    case 7: return clflush;
    default: return invalidOpcode;
  }
}
