// mprotect (mm/mprotect.c) and madvise (mm/madvise.c): change the permissions of whole pages,
// splitting and re-merging areas and rewriting the present PTEs; MADV_DONTNEED drops pages so
// the next touch refills them (zero for anonymous memory, file bytes for file mappings).
import { PAGE_SIZE } from '../../src/mmu/physicalMemory.js';
import { EACCES, EINVAL, ENOMEM } from '../errno.js';
import type { Mm } from './mmStruct.js';
import { pageAlign, PROT_EXEC, PROT_GROWSDOWN, PROT_GROWSUP, PROT_READ, PROT_SEM, PROT_WRITE, vmFlagsFromProt } from './mmap.js';
import { changeProtection, zapRange } from './pageTable.js';
import {
  findVmaIndex, isolateRange, mergeAround, rangeFullyMapped, VM_ACCESS_FLAGS, VM_ACCOUNT, VM_NORESERVE, VM_SHARED, VM_WRITE,
} from './vma.js';

/** sys_mprotect: 0 or -EINVAL / -ENOMEM (a hole in the range) / -EACCES (beyond VM_MAY*). */
export function doMprotect(mm: Mm, start: number, length: number, prot: number): number {
  start >>>= 0;
  length >>>= 0;
  if (start % PAGE_SIZE !== 0) return -EINVAL;
  if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM | PROT_GROWSDOWN | PROT_GROWSUP)) return -EINVAL;
  if ((prot & PROT_GROWSDOWN) && (prot & PROT_GROWSUP)) return -EINVAL;
  const len = pageAlign(length);
  if (len === 0) return 0;
  const end = start + len;
  if (end > mm.taskSize) return -ENOMEM;
  if (!rangeFullyMapped(mm.vmas, start, end)) return -ENOMEM;
  const newProt = vmFlagsFromProt(prot);
  for (let i = findVmaIndex(mm.vmas, start); i < mm.vmas.length && mm.vmas[i].start < end; i++) {
    const v = mm.vmas[i];
    const next = (v.flags & ~VM_ACCESS_FLAGS) | newProt;
    if ((next & ~(next >> 4)) & VM_ACCESS_FLAGS) return -EACCES;
  }
  const [from, to] = isolateRange(mm.vmas, start, end);
  for (let i = from; i < to; i++) {
    const v = mm.vmas[i];
    // mprotect_fixup: a private area becoming writable for the first time is charged.
    if (newProt & VM_WRITE && !(v.flags & (VM_ACCOUNT | VM_WRITE | VM_SHARED | VM_NORESERVE))) v.flags |= VM_ACCOUNT;
    v.flags = (v.flags & ~VM_ACCESS_FLAGS) | newProt;
    changeProtection(mm, v.start, v.end, v.flags);
  }
  // Re-merge from the top so indices below stay valid.
  for (let i = to - 1; i >= from; i--) if (i < mm.vmas.length) mergeAround(mm.vmas, i);
  return 0;
}

export const MADV_NORMAL = 0, MADV_RANDOM = 1, MADV_SEQUENTIAL = 2, MADV_WILLNEED = 3;
export const MADV_DONTNEED = 4, MADV_FREE = 8, MADV_REMOVE = 9;
const MADV_KNOWN = new Set([0, 1, 2, 3, 4, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 25]);

/** sys_madvise: advice is accepted; DONTNEED/FREE drop private pages in the range. */
export function doMadvise(mm: Mm, start: number, length: number, advice: number): number {
  start >>>= 0;
  length >>>= 0;
  if (start % PAGE_SIZE !== 0 || !MADV_KNOWN.has(advice)) return -EINVAL;
  const len = pageAlign(length);
  if (len === 0) return 0;
  const end = start + len;
  if (end > mm.taskSize) return -ENOMEM;
  if (advice === MADV_DONTNEED || advice === MADV_FREE) {
    for (let i = findVmaIndex(mm.vmas, start); i < mm.vmas.length && mm.vmas[i].start < end; i++) {
      const v = mm.vmas[i];
      if (v.flags & VM_SHARED) continue;
      zapRange(mm, Math.max(v.start, start), Math.min(v.end, end));
    }
  }
  return rangeFullyMapped(mm.vmas, start, end) ? 0 : -ENOMEM;
}
