// mremap (mm/mremap.c): shrink in place, grow in place when the pages above are free, or
// (MREMAP_MAYMOVE) move the area and its page-table entries to a new range, frames and all.
import { PAGE_SIZE } from '../../src/mmu/physicalMemory.js';
import { EFAULT, EINVAL, ENOMEM } from '../errno.js';
import type { Mm } from './mmStruct.js';
import { getUnmappedArea, pageAlign, unmapRange } from './mmap.js';
import { MMAP_MIN_ADDR, STACK_GUARD_GAP } from './mmStruct.js';
import { vmEnoughMemory } from './overcommit.js';
import { movePtes } from './pageTable.js';
import {
  findVma, findVmaIndex, insertVma, isolateRange, mergeAround, removeRange, VM_ACCOUNT, vmaContaining, vmStartGap,
} from './vma.js';

export const MREMAP_MAYMOVE = 1, MREMAP_FIXED = 2, MREMAP_DONTUNMAP = 4;

export function doMremap(mm: Mm, oldAddr: number, oldLen: number, newLen: number, flags: number, newAddr: number): number {
  oldAddr >>>= 0;
  newAddr >>>= 0;
  if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP)) return -EINVAL;
  if (flags & MREMAP_FIXED && !(flags & MREMAP_MAYMOVE)) return -EINVAL;
  if (flags & MREMAP_DONTUNMAP) return -EINVAL;
  if (oldAddr % PAGE_SIZE !== 0) return -EINVAL;
  const oldSize = pageAlign(oldLen >>> 0);
  const newSize = pageAlign(newLen >>> 0);
  if (newSize === 0 || oldSize === 0) return -EINVAL;
  const vma = vmaContaining(mm.vmas, oldAddr);
  if (vma === undefined || oldAddr + oldSize > vma.end) return -EFAULT;
  // vma_to_resize: growing an accounted area charges the difference.
  if (newSize > oldSize && vma.flags & VM_ACCOUNT && !vmEnoughMemory(mm, (newSize - oldSize) / PAGE_SIZE)) return -ENOMEM;

  if (flags & MREMAP_FIXED) {
    if (newAddr % PAGE_SIZE !== 0 || newAddr < MMAP_MIN_ADDR || newAddr + newSize > mm.taskSize) return -EINVAL;
    if (newAddr < oldAddr + oldSize && oldAddr < newAddr + newSize) return -EINVAL;
    unmapRange(mm, newAddr, newAddr + newSize);
    if (newSize < oldSize) {
      unmapRange(mm, oldAddr + newSize, oldAddr + oldSize);
      return moveArea(mm, oldAddr, newSize, newAddr, newSize);
    }
    return moveArea(mm, oldAddr, oldSize, newAddr, newSize);
  }
  if (newSize <= oldSize) {
    if (newSize < oldSize) unmapRange(mm, oldAddr + newSize, oldAddr + oldSize);
    return oldAddr;
  }
  // Grow in place when the area ends here and nothing (with its guard gap) is above.
  if (oldAddr + oldSize === vma.end) {
    const next = findVma(mm.vmas, vma.end);
    const limit = next === undefined ? mm.taskSize : vmStartGap(next, STACK_GUARD_GAP);
    if (oldAddr + newSize <= limit) {
      vma.end = oldAddr + newSize;
      mergeAround(mm.vmas, findVmaIndex(mm.vmas, oldAddr));
      return oldAddr;
    }
  }
  if (!(flags & MREMAP_MAYMOVE)) return -ENOMEM;
  const dest = getUnmappedArea(mm, 0, newSize);
  if (dest < 0) return dest;
  return moveArea(mm, oldAddr, oldSize, dest, newSize);
}

/** Moves [oldAddr, oldAddr+oldSize) to a free range at dest, sized newSize (>= oldSize). */
function moveArea(mm: Mm, oldAddr: number, oldSize: number, dest: number, newSize: number): number {
  isolateRange(mm.vmas, oldAddr, oldAddr + oldSize);
  const [piece] = removeRange(mm.vmas, oldAddr, oldAddr + oldSize);
  movePtes(mm, oldAddr, dest, oldSize);
  piece.start = dest;
  piece.end = dest + newSize;
  if (piece.file !== null && piece.fileEnd !== Infinity) piece.fileEnd = piece.fileEnd - oldAddr + dest;
  const i = insertVma(mm.vmas, piece);
  mergeAround(mm.vmas, i);
  return dest;
}
