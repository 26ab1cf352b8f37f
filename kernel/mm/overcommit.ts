// Committed memory under Linux's default overcommit policy (mm/util.c __vm_enough_memory,
// OVERCOMMIT_GUESS): one request for private writable memory (a VM_ACCOUNT area from mmap,
// brk, mremap growth or mprotect, or a shared anonymous object) fails with ENOMEM only when it
// could never fit, being larger than RAM plus swap; anything smaller succeeds and costs no
// frame until touched. Committed_AS (/proc/meminfo) is the sum of what is charged.
import { PAGE_SIZE } from '../../src/mmu/physicalMemory.js';
import type { PhysicalMemory } from '../../src/mmu/physicalMemory.js';
import { liveMms, type Mm } from './mmStruct.js';
import { VM_ACCOUNT, VM_NORESERVE } from './vma.js';

/**
 * __vm_enough_memory under OVERCOMMIT_GUESS: may pages more be committed? RAM is totalram_pages,
 * what /proc/meminfo's MemTotal shows: every frame but the reserved frame 0.
 */
export function vmEnoughMemory(mm: Mm, pages: number): boolean {
  return pages <= mm.mem.frameCount - 1 + mm.mem.totalSwapPages;
}

/** vmEnoughMemory for a byte count (rounded up to pages). */
export function vmEnoughMemoryBytes(mm: Mm, bytes: number): boolean {
  return vmEnoughMemory(mm, Math.ceil(bytes / PAGE_SIZE));
}

/**
 * Committed_AS in pages over the given address spaces: their VM_ACCOUNT areas plus each shared
 * anonymous object (charged once however many processes map it) that is not MAP_NORESERVE.
 */
export function committedAsPages(mms: Iterable<Mm>): number {
  let pages = 0;
  const objects = new Set<unknown>();
  for (const mm of new Set(mms)) {
    for (const v of mm.vmas) {
      if (v.flags & VM_ACCOUNT) pages += v.pages;
      else if (v.file !== null && v.file.mapping.swapBacked && !(v.flags & VM_NORESERVE) && !objects.has(v.file.mapping)) {
        objects.add(v.file.mapping);
        pages += Math.ceil(v.file.mapping.size / PAGE_SIZE);
      }
    }
  }
  return pages;
}

/** Committed_AS of /proc/meminfo in pages: the charges of every live address space on mem. */
export function committedAs(mem: PhysicalMemory): number {
  return committedAsPages(liveMms(mem));
}

/** CommitLimit of /proc/meminfo in pages: half of RAM (vm.overcommit_ratio 50) plus swap. */
export function commitLimit(mem: PhysicalMemory): number {
  return Math.floor((mem.frameCount - 1) / 2) + mem.totalSwapPages;
}
