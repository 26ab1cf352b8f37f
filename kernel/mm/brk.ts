// sys_brk (mm/mmap.c): the program break moves within [start_brk, ...). Growing extends the
// "[heap]" area (or creates it), refusing to run into the next mapping or its stack guard
// gap, or to commit more than RAM plus swap at once (overcommit.ts); under
// mlockall(MCL_FUTURE) the new pages are locked and faulted in. Shrinking unmaps whole pages.
// Returns the new break, or the old one on failure.
import { PAGE_SIZE } from '../../src/mmu/physicalMemory.js';
import { Mm, STACK_GUARD_GAP } from './mmStruct.js';
import { pageAlign, unmapRange } from './mmap.js';
import { vmEnoughMemory } from './overcommit.js';
import { populateRange } from './populate.js';
import {
  findVma, findVmaIndex, insertVma, VM_ACCOUNT, VM_LOCKED, VM_LOCKONFAULT, VM_MAY_ALL, VM_READ, VM_WRITE, VmArea, vmStartGap,
} from './vma.js';

export const HEAP_NAME = '[heap]';
export const HEAP_FLAGS = VM_READ | VM_WRITE | VM_MAY_ALL | VM_ACCOUNT;

export function doBrk(mm: Mm, requested: number): number {
  const brk = requested >>> 0;
  if (brk < mm.startBrk || brk > mm.taskSize) return mm.brk;
  const newbrk = pageAlign(brk);
  const oldbrk = pageAlign(mm.brk);
  if (newbrk === oldbrk) {
    mm.brk = brk;
    return brk;
  }
  if (brk <= mm.brk) {
    unmapRange(mm, newbrk, oldbrk);
    mm.brk = brk;
    return brk;
  }
  const next = findVma(mm.vmas, oldbrk);
  if (next !== undefined && newbrk + PAGE_SIZE > vmStartGap(next, STACK_GUARD_GAP)) return mm.brk;
  if (!vmEnoughMemory(mm, (newbrk - oldbrk) / PAGE_SIZE)) return mm.brk;
  if (!extendHeap(mm, oldbrk, newbrk)) return mm.brk;
  mm.brk = brk;
  if ((mm.defFlags & (VM_LOCKED | VM_LOCKONFAULT)) === VM_LOCKED) populateRange(mm, oldbrk, newbrk);
  return brk;
}

/** do_brk_flags: grows the heap area ending at oldbrk, or starts one there. */
function extendHeap(mm: Mm, oldbrk: number, newbrk: number): boolean {
  const i = findVmaIndex(mm.vmas, oldbrk);
  const prev = i > 0 ? mm.vmas[i - 1] : undefined;
  const flags = HEAP_FLAGS | mm.defFlags;
  if (prev !== undefined && prev.end === oldbrk && prev.name === HEAP_NAME && prev.file === null && prev.flags === flags) {
    prev.end = newbrk;
    return true;
  }
  insertVma(mm.vmas, new VmArea(oldbrk, newbrk, flags, null, 0, HEAP_NAME));
  return true;
}
