// fork's copy of an address space (kernel/fork.c dup_mm + mm/memory.c copy_page_range): the
// child gets its own page directory and a copy of every area; private writable pages become
// copy-on-write in both page tables (read-only, PTE_COW, one more reference on the frame), the
// rest are shared as they are. The first write on either side copies (do_wp_page).
import { OutOfFramesError, PAGE_SHIFT, PAGE_SIZE } from '../../src/mmu/physicalMemory.js';
import { PTE_COW, PTE_FRAME, PTE_P, PTE_RW } from '../../src/mmu/paging.js';
import { handleMmFault } from './fault.js';
import { Mm } from './mmStruct.js';
import { freeAddressSpace, pteSlot } from './pageTable.js';
import { VM_SHARED, VM_WRITE } from './vma.js';

export interface ForkStats {
  /** Frames that gained a sharer. */
  framesShared: number;
}

/**
 * Returns the child's copy of mm (the parent's private writable PTEs turn copy-on-write), or
 * null when guest memory ran out (what was built is freed again; the parent keeps working).
 */
export function dupMm(mm: Mm, stats: ForkStats): Mm | null {
  if (mm.mem.framesInUse + 2 > mm.mem.frameCount) return null;
  const child = new Mm(mm.mem, mm.mmu, mm.mem.allocFrame(), mm.taskSize, mm.stats, mm.kernelPtrSize);
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
  for (const k of ['mmapBase', 'mmapLegacy', 'startCode', 'endCode', 'startData', 'endData', 'startBrk', 'brk', 'startStack',
    'argStart', 'argEnd', 'envStart', 'envEnd', 'stackRlimit', 'exePath', 'savedAuxv'] as const) {
    (child as unknown as Record<string, unknown>)[k] = mm[k];
  }
  const dv = mm.mem.dv;
  let parentChanged = false;
  for (const v of mm.vmas) {
    child.vmas.push(v.clone());
    v.file?.mapping.attach(child);
    const cow = (v.flags & (VM_SHARED | VM_WRITE)) === VM_WRITE;
    // A shared anonymous area has no object behind it yet: fault every page in now so that
    // both processes map the same frames (a shmem object is the memory manager's issue).
    if (v.flags & VM_SHARED && v.file === null) {
      for (let a = v.start; a < v.end; a += PAGE_SIZE) {
        if (!(dv.getInt32(pteSlot(mm, a, true), true) & PTE_P)) handleMmFault(mm, a, 0);
      }
    }
    for (let a = v.start; a < v.end; a += PAGE_SIZE) {
      const src = pteSlot(mm, a, false);
      if (src < 0) {
        a = (Math.floor(a / 0x400000) + 1) * 0x400000 - PAGE_SIZE; // no page table here
        continue;
      }
      let pte = dv.getInt32(src, true);
      if (!(pte & PTE_P)) continue;
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
