// mincore (mm/mincore.c): one byte per page of the range, bit 0 set when the page is resident.
// A present PTE is resident; a page without one is resident in a file-backed (or shmem) area
// when the page cache holds it, since a read would find it there, and never in a private
// anonymous area. A swap entry (a non-zero not-present PTE) is a page out on swap: not
// resident, and neither is a shmem page its object put out on swap (no longer in `pages`).
// The walk stops at the first hole with ENOMEM, the bytes before it already written.
import { PAGE_SIZE } from '../../src/mmu/physicalMemory.js';
import { PTE_P } from '../../src/mmu/paging.js';
import { EFAULT, EINVAL, ENOMEM } from '../errno.js';
import { vmaPageIndex } from './filemap.js';
import type { Mm } from './mmStruct.js';
import { getPte } from './pageTable.js';
import { copyToUser, USER_FAULT } from './uaccess.js';
import { vmaContaining, type VmArea } from './vma.js';

/** The residency bytes of [start, end) inside area v. */
export function mincoreVma(mm: Mm, v: VmArea, start: number, end: number): Uint8Array {
  const out = new Uint8Array((end - start) / PAGE_SIZE);
  for (let a = start, k = 0; a < end; a += PAGE_SIZE, k++) {
    const pte = getPte(mm, a);
    if (pte & PTE_P) out[k] = 1;
    else if (pte === 0 && v.file !== null && v.file.mapping.findGetPage(vmaPageIndex(v, a)) >= 0) out[k] = 1;
  }
  return out;
}

/** sys_mincore: 0, -EINVAL (unaligned start), -ENOMEM (outside the user range or a hole), -EFAULT (vec). */
export function doMincore(mm: Mm, start: number, length: number, vec: number): number {
  start >>>= 0;
  length >>>= 0;
  vec >>>= 0;
  if (start % PAGE_SIZE !== 0) return -EINVAL;
  if (start + length > mm.taskSize) return -ENOMEM;
  const pages = Math.ceil(length / PAGE_SIZE);
  if (vec + pages > mm.taskSize) return -EFAULT;
  const end = start + pages * PAGE_SIZE;
  let addr = start;
  while (addr < end) {
    const v = vmaContaining(mm.vmas, addr);
    if (v === undefined) return -ENOMEM;
    const chunkEnd = Math.min(end, v.end);
    try {
      copyToUser(mm, vec + (addr - start) / PAGE_SIZE, mincoreVma(mm, v, addr, chunkEnd));
    } catch (e) {
      if (e === USER_FAULT) return -EFAULT;
      throw e;
    }
    addr = chunkEnd;
  }
  return 0;
}
