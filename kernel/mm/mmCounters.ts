// The counters Linux keeps in an mm (rss_stat by page kind, swap entries, total_vm, data_vm,
// stack_vm, exec_vm, locked_vm, page-table bytes), recomputed from the areas and the page tables
// in guest memory, with the per-page walk they share: /proc's status, statm and smaps, and the
// OOM killer's badness and kill line all read them. A present page's mapcount is its frame's
// refcount, less the page cache's own reference when the frame is the file's cached page.
import { PAGE_SIZE } from '../../src/mmu/physicalMemory.js';
import { PTE_D, PTE_FRAME, PTE_P } from '../../src/mmu/paging.js';
import { isSwapPte } from '../../src/mmu/swapEntry.js';
import type { Mm } from './mmStruct.js';
import { totalVm } from './rssStat.js';
import { VM_EXEC, VM_GROWSDOWN, VM_LOCKED, VM_SHARED, VM_WRITE, type VmArea } from './vma.js';

/**
 * Whether an area's pages are shmem (swap-backed but not anonymous): a shmem object (shared
 * anonymous memory, MAP_SHARED of /dev/zero) or a /dev/shm file (a host file standing in for tmpfs).
 */
export function isShmemArea(v: VmArea): boolean {
  if (v.file === null) return (v.flags & VM_SHARED) !== 0;
  return v.file.mapping.swapBacked || v.file.path.startsWith('/dev/shm/');
}

/** What one mapped page is, as smaps_account sees it. */
export type PageKind = 'anon' | 'file' | 'shmem';

/**
 * Visits the non-empty PTEs of an area (present pages and swap entries), skipping 4 MiB at
 * a time where there is no page table: fn(pte, addr).
 */
function walkAreaPtes(mm: Mm, v: VmArea, fn: (pte: number, addr: number) => void): void {
  const dv = mm.mem.dv;
  let addr = v.start;
  while (addr < v.end) {
    const tableEnd = Math.min(v.end, (Math.floor(addr / 0x400000) + 1) * 0x400000);
    const pde = dv.getInt32(mm.pgd * PAGE_SIZE + (addr >>> 22) * 4, true);
    if (pde & PTE_P) {
      const base = (pde & PTE_FRAME) >>> 0;
      for (let a = addr; a < tableEnd; a += PAGE_SIZE) {
        const pte = dv.getInt32(base + ((a >>> 12) & 0x3ff) * 4, true);
        if (pte !== 0) fn(pte, a);
      }
    }
    addr = tableEnd;
  }
}

/**
 * Visits every page of an area that is resident or in swap: fn(kind, mapcount, pte, dirty).
 * For swap entries kind is the area's and mapcount 1.
 */
export function walkAreaPages(mm: Mm, v: VmArea, fn: (kind: PageKind, mapcount: number, pte: number, dirty: boolean) => void): void {
  const shmem = isShmemArea(v);
  const mapping = v.file?.mapping;
  walkAreaPtes(mm, v, (pte, addr) => {
    if (!(pte & PTE_P)) {
      if (isSwapPte(pte)) fn(shmem ? 'shmem' : 'anon', 1, pte, false);
      return;
    }
    const pfn = (pte & PTE_FRAME) >>> 12;
    let cached = false;
    let dirty = (pte & PTE_D) !== 0;
    if (mapping !== undefined) {
      const index = v.pgoff + (addr - v.start) / PAGE_SIZE;
      cached = mapping.findGetPage(index) === pfn;
      if (cached && mapping.dirty.has(index)) dirty = true;
    }
    const mapcount = Math.max(1, mm.mem.refcount[pfn] - (cached ? 1 : 0));
    fn(shmem ? 'shmem' : cached ? 'file' : 'anon', mapcount, pte, dirty);
  });
}

/** The mm counters task_mem and task_statm print, in pages. */
export interface MmCounters {
  totalVm: number;
  hiwaterVm: number;
  anon: number;
  file: number;
  shmem: number;
  swap: number;
  hiwaterRss: number;
  lockedVm: number;
  dataVm: number;
  stackVm: number;
  execVm: number;
  /** PAGE_ALIGN(end_code) - (start_code & PAGE_MASK), in bytes. */
  textBytes: number;
  pgtableBytes: number;
}

/**
 * The counters Linux keeps in the mm (rss_stat, total_vm, data_vm, ...) recomputed from the
 * areas and page tables: RSS split by page kind per present PTE, the *_vm sums by
 * vm_stat_account's classes (exec: executable and neither writable nor stack; stack; data:
 * private writable).
 */
export function mmCounters(mm: Mm): MmCounters {
  const c: MmCounters = {
    totalVm: totalVm(mm), hiwaterVm: 0, anon: 0, file: 0, shmem: 0, swap: 0, hiwaterRss: 0, lockedVm: 0, dataVm: 0,
    stackVm: 0, execVm: 0, textBytes: 0, pgtableBytes: 0,
  };
  if (mm.pgd !== 0) {
    for (const v of mm.vmas) {
      const pages = (v.end - v.start) / PAGE_SIZE;
      if ((v.flags & (VM_EXEC | VM_WRITE | VM_GROWSDOWN)) === VM_EXEC) c.execVm += pages;
      else if (v.flags & VM_GROWSDOWN) c.stackVm += pages;
      else if ((v.flags & (VM_WRITE | VM_SHARED | VM_GROWSDOWN)) === VM_WRITE) c.dataVm += pages;
      if (v.flags & VM_LOCKED) c.lockedVm += pages;
      walkAreaPages(mm, v, (kind, _mapcount, pte) => {
        if (!(pte & PTE_P)) c.swap++;
        else c[kind]++;
      });
    }
    // Page tables of the user half (the page directory itself is not counted on i386).
    const dv = mm.mem.dv;
    for (let i = 0; i < (mm.taskSize >>> 22); i++) if (dv.getInt32(mm.pgd * PAGE_SIZE + i * 4, true) & PTE_P) c.pgtableBytes += PAGE_SIZE;
  }
  c.hiwaterVm = Math.max(mm.hiwaterVm, c.totalVm);
  c.hiwaterRss = Math.max(mm.hiwaterRss, c.anon + c.file + c.shmem);
  const pageAlign = (n: number) => Math.ceil(n / PAGE_SIZE) * PAGE_SIZE;
  c.textBytes = mm.endCode > mm.startCode ? pageAlign(mm.endCode) - (mm.startCode - (mm.startCode % PAGE_SIZE)) : 0;
  return c;
}
