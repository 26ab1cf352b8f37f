// Per-process x86 page tables in guest physical memory (Linux's pgd_alloc, set_pte,
// zap_page_range, change_protection, free_pgtables). Two-level non-PAE format: the PDE grants
// P|RW|US and the PTE carries the real permissions, so the CPU's CR3 walk enforces them.
// Every present PTE holds one reference on its frame; a not-present non-zero PTE is a swap
// entry holding one count on its swap slot (swap.ts).
import type { Mmu } from '../../src/mmu/mmu.js';
import type { PhysicalMemory } from '../../src/mmu/physicalMemory.js';
import { PAGE_SHIFT, PAGE_SIZE } from '../../src/mmu/physicalMemory.js';
import { PTE_A, PTE_COW, PTE_D, PTE_FRAME, PTE_P, PTE_RW, PTE_US } from '../../src/mmu/paging.js';
import { isSwapPte } from '../../src/mmu/swapEntry.js';
import { fileAreasUnmapping } from './filemap.js';
import { FaultStats, Mm } from './mmStruct.js';
import { updateHiwaterRss } from './rssStat.js';
import { swapAreaOf } from './swap.js';
import { VM_EXEC, VM_READ, VM_SHARED, VM_WRITE } from './vma.js';

const PDE_USER = PTE_P | PTE_RW | PTE_US;
/** Above this many pages a range flush drops the whole TLB instead of page by page. */
const FLUSH_ALL_THRESHOLD = 64;

/** Allocates an empty page directory and the Mm around it (pgd_alloc + mm_alloc). */
export function createMm(mem: PhysicalMemory, mmu: Mmu, taskSize: number, stats: FaultStats, kernelPtrSize: 4 | 8 = 4): Mm {
  return new Mm(mem, mmu, mem.allocFrame(), taskSize, stats, kernelPtrSize);
}

/** The PTE bits for a page of an area with these VM_ flags (COW pages stay read-only). */
export function ptePermFor(vmFlags: number): number {
  if (!(vmFlags & (VM_READ | VM_WRITE | VM_EXEC))) return PTE_P; // PROT_NONE: supervisor-only
  return PTE_P | PTE_US | (vmFlags & VM_WRITE ? PTE_RW : 0);
}

/** Physical address of the PDE for addr. */
function pdeAddr(mm: Mm, addr: number): number {
  return mm.pgd * PAGE_SIZE + (addr >>> 22) * 4;
}

/** Physical address of addr's PTE slot, or -1 when there is no page table (alloc=false). */
export function pteSlot(mm: Mm, addr: number, alloc: boolean): number {
  const dv = mm.mem.dv;
  const pa = pdeAddr(mm, addr);
  let pde = dv.getInt32(pa, true);
  if (!(pde & PTE_P)) {
    if (!alloc) return -1;
    const pt = mm.mem.allocFrame();
    pde = (pt * PAGE_SIZE) | PDE_USER;
    dv.setInt32(pa, pde, true);
  }
  return ((pde & PTE_FRAME) >>> 0) + ((addr >>> PAGE_SHIFT) & 0x3ff) * 4;
}

/** The PTE for addr (0 when none). */
export function getPte(mm: Mm, addr: number): number {
  const slot = pteSlot(mm, addr, false);
  return slot < 0 ? 0 : mm.mem.dv.getInt32(slot, true);
}

/** Writes addr's PTE (allocating the page table) and drops any stale TLB entry. */
export function setPte(mm: Mm, addr: number, pte: number): void {
  mm.mem.dv.setInt32(pteSlot(mm, addr, true), pte, true);
  if (mm.active) mm.mmu.invlpg(addr);
}

/**
 * Maps frame pfn at addr with the permissions of an area with vmFlags, taking over the
 * caller's reference to the frame. An existing mapping (or swap entry) there is released first.
 */
export function mapPage(mm: Mm, addr: number, pfn: number, vmFlags: number, extra = 0): void {
  const slot = pteSlot(mm, addr, true);
  const old = mm.mem.dv.getInt32(slot, true);
  if (old & PTE_P) releaseFrame(mm, (old & PTE_FRAME) >>> PAGE_SHIFT);
  else {
    mm.rss++;
    if (old !== 0) swapAreaOf(mm.mem)?.swapFree(old);
  }
  let pte = (pfn * PAGE_SIZE) | ptePermFor(vmFlags) | extra;
  if (extra & PTE_COW) pte &= ~PTE_RW;
  mm.mem.dv.setInt32(slot, pte, true);
  if (mm.active) mm.mmu.invlpg(addr);
}

/** Drops one reference; a frame that became free loses its decoded code. */
export function releaseFrame(mm: Mm, pfn: number): void {
  if (mm.mem.putFrame(pfn)) mm.mmu.invalidateCode(pfn);
}

/** Visits every present PTE in [start, end): fn(slot physical address, pte, linear addr). */
export function forEachPte(mm: Mm, start: number, end: number, fn: (slot: number, pte: number, addr: number) => void): void {
  forEachEntry(mm, start, end, true, fn);
}

/** Visits every non-zero PTE in [start, end) (present or a swap entry), or only the present ones. */
export function forEachEntry(mm: Mm, start: number, end: number, presentOnly: boolean,
  fn: (slot: number, pte: number, addr: number) => void): void {
  const dv = mm.mem.dv;
  let addr = start;
  while (addr < end) {
    const pde = dv.getInt32(pdeAddr(mm, addr), true);
    const tableEnd = Math.min(end, (Math.floor(addr / 0x400000) + 1) * 0x400000);
    if (pde & PTE_P) {
      const base = (pde & PTE_FRAME) >>> 0;
      for (let a = addr; a < tableEnd; a += PAGE_SIZE) {
        const slot = base + ((a >>> PAGE_SHIFT) & 0x3ff) * 4;
        const pte = dv.getInt32(slot, true);
        if (presentOnly ? pte & PTE_P : pte !== 0) fn(slot, pte, a);
      }
    }
    addr = tableEnd;
  }
}

/** Drops TLB entries for [start, end) if this address space is live. */
export function flushRange(mm: Mm, start: number, end: number): void {
  if (!mm.active) return;
  const pages = (end - start) / PAGE_SIZE;
  if (pages > FLUSH_ALL_THRESHOLD) {
    mm.mmu.flushTlb();
    return;
  }
  for (let a = start; a < end; a += PAGE_SIZE) mm.mmu.invlpg(a);
}

/**
 * Unmaps [start, end): clears the PTEs, releases their frames and swap slots, flushes the TLB
 * and frees page tables left empty (zap_page_range + free_pgtables). Returns the number of
 * present pages unmapped.
 */
export function zapRange(mm: Mm, start: number, end: number): number {
  const dv = mm.mem.dv;
  const swap = swapAreaOf(mm.mem);
  let n = 0;
  updateHiwaterRss(mm);
  forEachEntry(mm, start, end, false, (slot, pte) => {
    dv.setInt32(slot, 0, true);
    if (isSwapPte(pte)) {
      swap?.swapFree(pte);
      return;
    }
    releaseFrame(mm, (pte & PTE_FRAME) >>> PAGE_SHIFT);
    n++;
  });
  mm.rss -= n;
  flushRange(mm, start, end);
  freeEmptyTables(mm, start, end);
  return n;
}

/** Frees the page tables covering [start, end) that no longer hold any entry. */
function freeEmptyTables(mm: Mm, start: number, end: number): void {
  const dv = mm.mem.dv;
  const first = Math.floor(start / 0x400000);
  const last = Math.floor((end - 1) / 0x400000);
  for (let i = first; i <= last; i++) {
    const pa = mm.pgd * PAGE_SIZE + i * 4;
    const pde = dv.getInt32(pa, true);
    if (!(pde & PTE_P)) continue;
    const base = (pde & PTE_FRAME) >>> 0;
    let empty = true;
    for (let k = 0; k < 1024; k++) {
      if (dv.getInt32(base + k * 4, true) !== 0) {
        empty = false;
        break;
      }
    }
    if (empty) {
      dv.setInt32(pa, 0, true);
      mm.mem.putFrame(base >>> PAGE_SHIFT);
    }
  }
}

/**
 * Rewrites the permission bits of the present PTEs in [start, end) for an area now carrying
 * vmFlags (mprotect). Write permission is granted only to pages that are not copy-on-write
 * and, for private areas, not shared with another mapper; those get it on their next fault.
 */
export function changeProtection(mm: Mm, start: number, end: number, vmFlags: number): void {
  const dv = mm.mem.dv;
  const perm = ptePermFor(vmFlags);
  forEachPte(mm, start, end, (slot, pte) => {
    const pfn = (pte & PTE_FRAME) >>> PAGE_SHIFT;
    let p = perm;
    if (p & PTE_RW) {
      const shared = !(vmFlags & VM_SHARED) && mm.mem.refcount[pfn] > 1;
      if (pte & PTE_COW || shared) p &= ~PTE_RW;
    }
    const next = (pte & (PTE_FRAME | PTE_A | PTE_D | PTE_COW)) | p;
    if (next !== pte) dv.setInt32(slot, next, true);
  });
  flushRange(mm, start, end);
}

/**
 * Software page walk for kernel accesses to user memory (copy_to_user and friends): returns
 * the physical address, setting A (and D on write) like the hardware, or -1 when the access
 * would fault. Does not touch the TLB.
 */
export function followPage(mm: Mm, addr: number, write: boolean): number {
  const dv = mm.mem.dv;
  const pa = pdeAddr(mm, addr);
  const pde = dv.getInt32(pa, true);
  if (!(pde & PTE_P)) return -1;
  const slot = ((pde & PTE_FRAME) >>> 0) + ((addr >>> PAGE_SHIFT) & 0x3ff) * 4;
  const pte = dv.getInt32(slot, true);
  if (!(pte & PTE_P) || !(pte & PTE_US)) return -1;
  if (write && !(pte & PTE_RW)) return -1;
  const next = pte | PTE_A | (write ? PTE_D : 0);
  if (next !== pte) dv.setInt32(slot, next, true);
  return ((pte & PTE_FRAME) >>> 0) + (addr & 0xfff);
}

/** Like followPage for reads, but without setting any bit (strace, debugger peeks). */
export function peekPhys(mm: Mm, addr: number): number {
  const slot = pteSlot(mm, addr, false);
  if (slot < 0) return -1;
  const pte = mm.mem.dv.getInt32(slot, true);
  if (!(pte & PTE_P) || !(pte & PTE_US)) return -1;
  return ((pte & PTE_FRAME) >>> 0) + (addr & 0xfff);
}

/** Tears down every user mapping, the page tables and the page directory (exit_mmap). */
export function freeAddressSpace(mm: Mm): void {
  const files = fileAreasUnmapping(mm, mm.vmas);
  for (const v of mm.vmas) zapRange(mm, v.start, v.end);
  // Page tables left by stray mappings outside any area.
  const dv = mm.mem.dv;
  for (let i = 0; i < 1024; i++) {
    const pa = mm.pgd * PAGE_SIZE + i * 4;
    const pde = dv.getInt32(pa, true);
    if (pde & PTE_P) {
      zapRange(mm, i * 0x400000, (i + 1) * 0x400000);
      if (dv.getInt32(pa, true) & PTE_P) {
        dv.setInt32(pa, 0, true);
        mm.mem.putFrame((pde & PTE_FRAME) >>> PAGE_SHIFT);
      }
    }
  }
  mm.vmas = [];
  mm.mem.putFrame(mm.pgd);
  mm.pgd = 0;
  // The last mm mapping a file writes its dirty pages back and frees them.
  for (const as of files) as.detach(mm);
}

/**
 * Moves the PTEs of [from, from+len) to [to, to+len) with their frame references and swap
 * entries (mremap's move_page_tables). The destination must be empty.
 */
export function movePtes(mm: Mm, from: number, to: number, len: number): void {
  const dv = mm.mem.dv;
  const moves: Array<[number, number]> = [];
  forEachEntry(mm, from, from + len, false, (slot, pte, addr) => {
    dv.setInt32(slot, 0, true);
    moves.push([addr - from + to, pte]);
  });
  for (const [addr, pte] of moves) dv.setInt32(pteSlot(mm, addr, true), pte, true);
  flushRange(mm, from, from + len);
  flushRange(mm, to, to + len);
  freeEmptyTables(mm, from, from + len);
}
