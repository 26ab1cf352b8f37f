// Prefaulting a range (mm/gup.c __mm_populate and populate_vma_page_range): for mlock,
// MAP_POPULATE, MAP_LOCKED and MADV_POPULATE_READ/WRITE. Each page not yet mapped as needed is
// faulted in as the first access would: a write fault in a private writable area (which also
// breaks copy-on-write, as FOLL_WRITE does), a read fault elsewhere, so a MAP_SHARED file page
// is mapped from the page cache and a private file page shows the file until written.
import { PAGE_SIZE } from '../../src/mmu/physicalMemory.js';
import { PF_PROT, PF_WRITE, PTE_P, PTE_RW } from '../../src/mmu/paging.js';
import { EFAULT, ENOMEM } from '../errno.js';
import { handleMmFault } from './fault.js';
import type { Mm } from './mmStruct.js';
import { getPte } from './pageTable.js';
import { findVmaIndex, VM_ACCESS_FLAGS, VM_LOCKONFAULT, VM_SHARED, VM_WRITE, type VmArea } from './vma.js';

export interface PopulateOptions {
  /** Fault for writing wherever the area allows it (MADV_POPULATE_WRITE) rather than by Linux's rule. */
  write?: boolean;
  /** Skip areas that are VM_LOCKONFAULT (mlock populates only areas locked at once). */
  skipOnFault?: boolean;
  /** Go on with the next area after one fails (mlockall's mm_populate). */
  ignoreErrors?: boolean;
}

/**
 * Faults in every page of the areas in [start, end). Returns 0, -ENOMEM when memory ran out,
 * or -EFAULT when a page cannot be mapped (a file page past the end: SIGBUS for a real access).
 * PROT_NONE areas are skipped, as Linux's populate does.
 */
export function populateRange(mm: Mm, start: number, end: number, o: PopulateOptions = {}): number {
  for (let i = findVmaIndex(mm.vmas, start); i < mm.vmas.length && mm.vmas[i].start < end; i++) {
    const v = mm.vmas[i];
    if (!(v.flags & VM_ACCESS_FLAGS) || (o.skipOnFault && v.flags & VM_LOCKONFAULT)) continue;
    const r = populateVma(mm, v, Math.max(start, v.start), Math.min(end, v.end), o.write === true);
    if (r < 0 && !o.ignoreErrors) return r;
  }
  return 0;
}

function populateVma(mm: Mm, v: VmArea, start: number, end: number, forceWrite: boolean): number {
  const write = forceWrite || (v.flags & (VM_WRITE | VM_SHARED)) === VM_WRITE;
  for (let a = start; a < end; a += PAGE_SIZE) {
    const pte = getPte(mm, a);
    if (pte & PTE_P && (!write || pte & PTE_RW)) continue;
    const r = handleMmFault(mm, a, (pte & PTE_P ? PF_PROT : 0) | (write ? PF_WRITE : 0));
    if (r === 'oom') return -ENOMEM;
    if (r !== 'ok') return -EFAULT;
  }
  return 0;
}
