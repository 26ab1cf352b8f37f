// x86 two-level (non-PAE) paging structures: the PDE/PTE bits, the page-fault error code bits,
// and a side-effect-free decoder of a walk for the debugger.
import { PhysicalMemory } from './physicalMemory.js';

export const PTE_P = 0x001; // present
export const PTE_RW = 0x002; // writable
export const PTE_US = 0x004; // user accessible
export const PTE_PWT = 0x008;
export const PTE_PCD = 0x010;
export const PTE_A = 0x020; // accessed, set by the walker
export const PTE_D = 0x040; // dirty, set by the walker on write (PTE only)
export const PTE_PS = 0x080; // 4 MiB page (PDE only; the kernel never sets it for user pages)
export const PTE_G = 0x100;
/** Software bit (one of the three the CPU ignores): the page is copy-on-write. */
export const PTE_COW = 0x200;
export const PTE_FRAME = 0xfffff000 | 0;

// Page-fault error code bits (Intel SDM vol. 3, 4.7).
export const PF_PROT = 0x1; // 0: not present, 1: protection violation
export const PF_WRITE = 0x2;
export const PF_USER = 0x4;
export const PF_RSVD = 0x8;
export const PF_INSTR = 0x10;

export function pteFlagNames(e: number): string {
  const names: string[] = [];
  if (e & PTE_P) names.push('P');
  names.push(e & PTE_RW ? 'RW' : 'RO');
  names.push(e & PTE_US ? 'U' : 'S');
  if (e & PTE_PWT) names.push('PWT');
  if (e & PTE_PCD) names.push('PCD');
  if (e & PTE_A) names.push('A');
  if (e & PTE_D) names.push('D');
  if (e & PTE_PS) names.push('PS');
  if (e & PTE_G) names.push('G');
  if (e & PTE_COW) names.push('COW');
  return names.join(' ');
}

export interface WalkReport {
  cr3: number;
  linear: number;
  pdeIndex: number;
  pdeAddr: number;
  pde: number;
  pteIndex: number;
  pteAddr: number;
  pte: number;
  /** Physical address, or -1 when the walk stops at a non-present entry. */
  physical: number;
  /** Why a user-mode access of each kind would fault, or null if it would succeed. */
  readFault: string | null;
  writeFault: string | null;
}

/** Walks without setting A/D bits: what the debugger's `pagewalk` shows. */
export function inspectWalk(mem: PhysicalMemory, cr3: number, linear: number): WalkReport {
  const lin = linear >>> 0;
  const pdeIndex = lin >>> 22;
  const pteIndex = (lin >>> 12) & 0x3ff;
  const pdeAddr = ((cr3 & PTE_FRAME) >>> 0) + pdeIndex * 4;
  const pde = mem.dv.getInt32(pdeAddr, true);
  const r: WalkReport = {
    cr3: cr3 >>> 0, linear: lin, pdeIndex, pdeAddr, pde, pteIndex, pteAddr: -1, pte: 0,
    physical: -1, readFault: null, writeFault: null,
  };
  if (!(pde & PTE_P)) {
    r.readFault = r.writeFault = 'page directory entry not present';
    return r;
  }
  r.pteAddr = ((pde & PTE_FRAME) >>> 0) + pteIndex * 4;
  r.pte = mem.dv.getInt32(r.pteAddr, true);
  if (!(r.pte & PTE_P)) {
    r.readFault = r.writeFault = 'page table entry not present';
    return r;
  }
  r.physical = (((r.pte & PTE_FRAME) >>> 0) | (lin & 0xfff)) >>> 0;
  if (!(pde & PTE_US) || !(r.pte & PTE_US)) {
    r.readFault = r.writeFault = 'supervisor page (U/S clear)';
  } else if (!(pde & PTE_RW) || !(r.pte & PTE_RW)) {
    r.writeFault = r.pte & PTE_COW ? 'read-only (copy-on-write)' : 'read-only page (R/W clear)';
  }
  return r;
}
