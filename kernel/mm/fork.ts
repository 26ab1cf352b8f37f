// fork's copy of an address space (kernel/fork.c dup_mm + mm/memory.c copy_page_range): the
// child gets its own page directory and a copy of every area; private writable pages become
// copy-on-write in both page tables (read-only, PTE_COW, one more reference on the frame), the
// rest are shared as they are; a swap entry is copied with one more count on its slot. The
// first write on either side copies (do_wp_page). A shared anonymous area maps a shmem object
// (shmem.ts) that the child's area points at too, so pages either side touches later are
// shared as well. MADV_DONTFORK areas are left out of the child, MADV_WIPEONFORK areas come
// without pages (zero-filled on touch), and memory locks are not inherited.
import { OutOfFramesError, PAGE_SHIFT, PAGE_SIZE } from '../../src/mmu/physicalMemory.js';
import { PTE_COW, PTE_FRAME, PTE_P, PTE_RW } from '../../src/mmu/paging.js';
import { Mm } from './mmStruct.js';
import { freeAddressSpace, pteSlot } from './pageTable.js';
import { swapAreaOf } from './swap.js';
import { VM_DONTCOPY, VM_LOCKED, VM_LOCKONFAULT, VM_SHARED, VM_WIPEONFORK, VM_WRITE } from './vma.js';

export interface ForkStats {
  /** Frames that gained a sharer. */
  framesShared: number;
}

/**
 * Returns the child's copy of mm (the parent's private writable PTEs turn copy-on-write), or
 * null when guest memory ran out (what was built is freed again; the parent keeps working).
 */
export function dupMm(mm: Mm, stats: ForkStats): Mm | null {
  let pgd: number;
  try {
    pgd = mm.mem.allocFrame(); // may reclaim: memory is only full if nothing can be freed
  } catch (e) {
    if (e instanceof OutOfFramesError) return null;
    throw e;
  }
  const child = new Mm(mm.mem, mm.mmu, pgd, mm.taskSize, mm.stats, mm.kernelPtrSize);
  child.ldt = mm.ldt === null ? null : mm.ldt.clone(); // ldt_dup_context
  try {
    copyPageRange(mm, child, stats);
  } catch (e) {
    if (!(e instanceof OutOfFramesError)) throw e;
    freeAddressSpace(child);
    return null;
  }
  return child;
}

function copyPageRange(mm: Mm, child: Mm, stats: ForkStats): void {
  for (const k of ['mmapBase', 'mmapLegacy', 'mmapLegacyBase', 'startCode', 'endCode', 'startData', 'endData', 'startBrk', 'brk', 'startStack',
    'argStart', 'argEnd', 'envStart', 'envEnd', 'stackRlimit', 'exePath', 'savedAuxv'] as const) {
    (child as unknown as Record<string, unknown>)[k] = mm[k];
  }
  const dv = mm.mem.dv;
  const swap = swapAreaOf(mm.mem);
  let parentChanged = false;
  for (const v of mm.vmas) {
    if (v.flags & VM_DONTCOPY) continue;
    const copy = v.clone();
    copy.flags &= ~(VM_LOCKED | VM_LOCKONFAULT);
    child.vmas.push(copy);
    v.file?.mapping.attach(child);
    if (v.flags & VM_WIPEONFORK) continue;
    const cow = (v.flags & (VM_SHARED | VM_WRITE)) === VM_WRITE;
    for (let a = v.start; a < v.end; a += PAGE_SIZE) {
      const src = pteSlot(mm, a, false);
      if (src < 0) {
        a = (Math.floor(a / 0x400000) + 1) * 0x400000 - PAGE_SIZE; // no page table here
        continue;
      }
      let pte = dv.getInt32(src, true);
      if (pte === 0) continue;
      if (!(pte & PTE_P)) {
        // A swapped-out page: the child's PTE names the same slot (swap_duplicate).
        swap?.swapDuplicate(pte);
        dv.setInt32(pteSlot(child, a, true), pte, true);
        continue;
      }
      if (cow && pte & PTE_RW) {
        pte = (pte & ~PTE_RW) | PTE_COW;
        dv.setInt32(src, pte, true);
        parentChanged = true;
      } else if (cow) {
        pte |= PTE_COW;
        dv.setInt32(src, pte, true);
      }
      mm.mem.getFrame((pte & PTE_FRAME) >>> PAGE_SHIFT);
      stats.framesShared++;
      dv.setInt32(pteSlot(child, a, true), pte, true);
      child.rss++;
    }
  }
  if (parentChanged && mm.active) mm.mmu.flushTlb();
}
