// mprotect (mm/mprotect.c): change the permissions of whole pages, splitting and re-merging
// areas and rewriting the present PTEs. madvise is madvise.ts.
import { PAGE_SIZE } from '../../src/mmu/physicalMemory.js';
import { EACCES, EINVAL, ENOMEM } from '../errno.js';
import type { Mm } from './mmStruct.js';
import { pageAlign, PROT_EXEC, PROT_GROWSDOWN, PROT_GROWSUP, PROT_READ, PROT_SEM, PROT_WRITE, vmFlagsFromProt } from './mmap.js';
import { vmEnoughMemory } from './overcommit.js';
import { changeProtection } from './pageTable.js';
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
    // mprotect_fixup: a private area becoming writable for the first time is charged.
    if (newProt & VM_WRITE && !(v.flags & (VM_ACCOUNT | VM_WRITE | VM_SHARED | VM_NORESERVE))) {
      if (!vmEnoughMemory(mm, (Math.min(end, v.end) - Math.max(start, v.start)) / PAGE_SIZE)) return -ENOMEM;
    }
  }
  const [from, to] = isolateRange(mm.vmas, start, end);
  for (let i = from; i < to; i++) {
    const v = mm.vmas[i];
    if (newProt & VM_WRITE && !(v.flags & (VM_ACCOUNT | VM_WRITE | VM_SHARED | VM_NORESERVE))) v.flags |= VM_ACCOUNT;
    v.flags = (v.flags & ~VM_ACCESS_FLAGS) | newProt;
    changeProtection(mm, v.start, v.end, v.flags);
  }
  // Re-merge from the top so indices below stay valid.
  for (let i = to - 1; i >= from; i--) if (i < mm.vmas.length) mergeAround(mm.vmas, i);
  return 0;
}
