// Page reclaim (Linux's mm/vmscan.c, with the victim choice of 2.4's swap_out): direct
// reclaim when an allocation finds no free frame. Cheapest first: swap-cache frames and
// page-cache pages nobody maps (shrinkPageList; a dirty one is written back before it goes).
// Then a clock over the processes' page tables, an LRU approximation driven by the accessed
// bits the page walker sets: a PTE with A set was used since the hand last passed, so A is
// cleared (and the TLB entry dropped, so the next use sets it again) and the page spared; a
// PTE with A clear is unmapped (try_to_unmap): a page-cache page just loses the mapping (its D
// bit becomes page dirtiness) and is dropped once nobody maps it, an anonymous page goes to
// swap (add_to_swap, written once; every mapper's PTE becomes the swap entry as the hand
// reaches it). A shmem page (shared anonymous memory) is unmapped like a file page and, once
// nobody maps it, written to a swap slot the object remembers (shmem.ts shmemWriteout); the
// same happens to shmem pages nobody maps found after the page cache. Skipped: VM_LOCKED
// areas, files without a host file (an exec image held in memory), and anonymous and shmem
// pages when there is no swap or it is full.
import type { PhysicalMemory } from '../../src/mmu/physicalMemory.js';
import { PAGE_SHIFT, PAGE_SIZE } from '../../src/mmu/physicalMemory.js';
import { PTE_A, PTE_D, PTE_FRAME, PTE_P } from '../../src/mmu/paging.js';
import { vmaPageIndex } from './filemap.js';
import type { Mm } from './mmStruct.js';
import { updateHiwaterRss } from './rssStat.js';
import type { PageCache } from './pageCache.js';
import { pteSlot, releaseFrame } from './pageTable.js';
import { shmemObjectsOf, shmemWriteout } from './shmem.js';
import type { SwapArea } from './swap.js';
import { VM_LOCKED, VM_SHARED, type VmArea } from './vma.js';

export interface ReclaimStats {
  /** PTEs the clock hand looked at. */
  scanned: number;
  /** Of them, recently used (A set): spared, A cleared. */
  referenced: number;
  /** Mappings removed (the page went to swap, or stays in the page cache). */
  unmapped: number;
  /** Frames freed by reclaim. */
  freed: number;
  /** Direct reclaim runs, and those that freed nothing. */
  runs: number;
  failed: number;
}

export interface ReclaimContext {
  mem: PhysicalMemory;
  pageCache: PageCache;
  swap: SwapArea | null;
  /** The address spaces of the live processes, each once. */
  mms: () => Mm[];
}

export class Reclaimer {
  private readonly ctx: ReclaimContext;
  readonly stats: ReclaimStats = { scanned: 0, referenced: 0, unmapped: 0, freed: 0, runs: 0, failed: 0 };
  /** Where the clock hand stands in each address space. */
  private readonly hand = new WeakMap<Mm, number>();
  /** Which address space the next scan starts with. */
  private nextMm = 0;

  constructor(ctx: ReclaimContext) {
    this.ctx = ctx;
  }

  /** try_to_free_pages: frees up to want frames; returns how many were freed. */
  shrink(want: number): number {
    const mem = this.ctx.mem;
    const before = mem.framesInUse;
    const freedSoFar = () => before - mem.framesInUse;
    this.stats.runs++;
    this.ctx.swap?.shrinkCache(want);
    if (freedSoFar() < want) this.shrinkPageList(want - freedSoFar());
    // Two turns of the clock at most: the first clears the A bits the second finds clear.
    const mms = this.ctx.mms().filter((m) => m.pgd !== 0);
    for (let turn = 0; turn < 2 && freedSoFar() < want && mms.length > 0; turn++) {
      for (let k = 0; k < mms.length && freedSoFar() < want; k++) {
        const mm = mms[(this.nextMm + k) % mms.length];
        this.swapOutMm(mm, want - freedSoFar());
      }
      this.nextMm = (this.nextMm + 1) % mms.length;
      if (freedSoFar() < want) this.shrinkPageList(want - freedSoFar());
    }
    const freed = freedSoFar();
    this.stats.freed += Math.max(0, freed);
    if (freed <= 0) this.stats.failed++;
    return freed;
  }

  /** shrink_page_list for the page cache: drops the pages no process maps (dirty ones written back). */
  private shrinkPageList(want: number): void {
    const mem = this.ctx.mem;
    let freed = 0;
    for (const as of this.ctx.pageCache.table.values()) {
      if (!as.reclaimable) continue;
      // Deleting the entry being visited is safe in a Map's iteration.
      for (const [index, pfn] of as.pages) {
        if (freed >= want) return;
        if (mem.refcount[pfn] === 1 && as.dropPage(index)) freed++;
      }
    }
    // Then shmem pages nobody maps: to swap (their only copy is the frame).
    const swap = this.ctx.swap;
    if (swap === null) return;
    for (const as of shmemObjectsOf(mem)) {
      for (const [index, pfn] of as.pages) {
        if (freed >= want || swap.freePages === 0) return;
        if (mem.refcount[pfn] === 1 && shmemWriteout(as, index, swap)) freed++;
      }
    }
  }

  /**
   * swap_out_mm: one pass of the clock hand over mm's pages, from where it stopped last, until `want`
   * frames were freed or it comes round again. Returns the frames freed.
   */
  swapOutMm(mm: Mm, want: number): number {
    const mem = this.ctx.mem;
    const before = mem.framesInUse;
    const vmas = mm.vmas;
    if (vmas.length === 0) return 0;
    const start = this.hand.get(mm) ?? vmas[0].start;
    // The areas in clock order: from the one holding the hand round to the one before it.
    let first = vmas.findIndex((v) => v.end > start);
    if (first < 0) first = 0;
    for (let k = 0; k <= vmas.length; k++) {
      const v = vmas[(first + k) % vmas.length];
      if (!this.scannable(v)) continue;
      // The first area is entered at the hand; after a full turn only its part below the hand.
      const from = k === 0 ? Math.max(v.start, start) : v.start;
      const to = k === vmas.length ? Math.min(v.end, start) : v.end;
      for (let a = from; a < to; a += PAGE_SIZE) {
        if (before - mem.framesInUse >= want) {
          this.hand.set(mm, a);
          return before - mem.framesInUse;
        }
        const slot = pteSlot(mm, a, false);
        if (slot < 0) {
          a = (Math.floor(a / 0x400000) + 1) * 0x400000 - PAGE_SIZE; // no page table here
          continue;
        }
        const pte = mem.dv.getInt32(slot, true);
        if (!(pte & PTE_P)) continue;
        this.stats.scanned++;
        if (pte & PTE_A) {
          // Used since the hand last passed: spared, and it must prove itself again.
          mem.dv.setInt32(slot, pte & ~PTE_A, true);
          if (mm.active) mm.mmu.invlpg(a);
          this.stats.referenced++;
          continue;
        }
        this.tryToUnmap(mm, v, slot, pte, a);
      }
    }
    this.hand.set(mm, start);
    return before - mem.framesInUse;
  }

  private scannable(v: VmArea): boolean {
    if (v.flags & VM_LOCKED) return false;
    if (v.file === null) return !(v.flags & VM_SHARED) && this.swapHasRoom();
    if (v.file.mapping.swapBacked) return !v.file.mapping.released && (this.ctx.swap?.freePages ?? 0) > 0;
    return v.file.mapping.reclaimable || (!(v.flags & VM_SHARED) && this.swapHasRoom());
  }

  private swapHasRoom(): boolean {
    const swap = this.ctx.swap;
    return swap !== null && (swap.freePages > 0 || swap.cache.size > 0);
  }

  /** Unmaps one page not recently used, if it can go anywhere. */
  private tryToUnmap(mm: Mm, v: VmArea, slot: number, pte: number, addr: number): void {
    const mem = this.ctx.mem;
    const pfn = (pte & PTE_FRAME) >>> PAGE_SHIFT;
    if (v.file !== null) {
      const as = v.file.mapping;
      const index = vmaPageIndex(v, addr);
      if (as.pages.get(index) === pfn) {
        if (!as.reclaimable && !as.swapBacked) return;
        // The mapping goes; a store through it makes a file's cached page dirty (zap_pte_range).
        // A shmem page has no file to write back to: D means nothing, its copy goes to swap.
        if (v.flags & VM_SHARED && pte & PTE_D && !as.swapBacked) as.setPageDirty(index);
        updateHiwaterRss(mm);
        mem.dv.setInt32(slot, 0, true);
        mm.rss--;
        if (mm.active) mm.mmu.invlpg(addr);
        releaseFrame(mm, pfn);
        this.stats.unmapped++;
        if (mem.refcount[pfn] === 1) {
          if (as.swapBacked) shmemWriteout(as, index, this.ctx.swap!);
          else as.dropPage(index);
        }
        return;
      }
      if (v.flags & VM_SHARED) return; // cannot happen: a shared area maps the cached frame
    }
    // An anonymous page (or a private copy of a file page): to swap.
    const swap = this.ctx.swap;
    if (swap === null) return;
    let s = swap.frameSlot.get(pfn);
    if (s === undefined) {
      s = swap.allocSlot();
      if (s < 0) return;
      swap.writeSlot(s, pfn);
      swap.addToSwapCache(s, pfn);
    }
    const entry = swap.entryFor(s);
    swap.swapDuplicate(entry);
    updateHiwaterRss(mm);
    mem.dv.setInt32(slot, entry, true);
    mm.rss--;
    if (mm.active) mm.mmu.invlpg(addr);
    releaseFrame(mm, pfn);
    this.stats.unmapped++;
    // The last mapper gone, the frame is free (its contents live in the slot).
    if (mem.refcount[pfn] === 1) swap.deleteFromSwapCache(s);
  }
}
