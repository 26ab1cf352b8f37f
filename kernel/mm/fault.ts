// The page-fault path (arch/x86/mm/fault.c + mm/memory.c): find_vma → expand_stack →
// access_error → handle_mm_fault, which fills a not-present page (zeroed anonymous frame, or a
// page of the file from the page cache (filemap.ts): demand paging), swaps a page back in
// (do_swap_page) or resolves a write to a copy-on-write page. Any allocation here may run
// direct reclaim, which can unmap other pages of this very mm: a frame read across an
// allocation is pinned with a reference, and a PTE read before one is checked again after it
// (Linux's pte_same), the fault simply being retried when it changed.
import { OutOfFramesError, PAGE_SIZE } from '../../src/mmu/physicalMemory.js';
import { PF_PROT, PF_WRITE, PTE_COW, PTE_FRAME, PTE_P, PTE_RW, PTE_US } from '../../src/mmu/paging.js';
import { swpOffset } from '../../src/mmu/swapEntry.js';
import { Mm, MMAP_MIN_ADDR, STACK_GUARD_GAP } from './mmStruct.js';
import { filemapFault } from './filemap.js';
import { mapPage, pteSlot, ptePermFor, releaseFrame } from './pageTable.js';
import { swapAreaOf } from './swap.js';
import { findVmaIndex, VM_EXEC, VM_GROWSDOWN, VM_READ, VM_SHARED, VM_WRITE, VmArea } from './vma.js';

export type FaultResult = 'ok' | 'segv-maperr' | 'segv-accerr' | 'sigbus' | 'oom';

/**
 * Resolves a fault at address with an x86 #PF error code (PF_WRITE, PF_PROT). Returns 'ok'
 * when the access can be retried, or why it cannot: SIGSEGV (no area / wrong permissions),
 * SIGBUS (file page beyond end of file), or out of memory.
 */
export function handleMmFault(mm: Mm, address: number, errorCode: number): FaultResult {
  const addr = address >>> 0;
  const write = (errorCode & PF_WRITE) !== 0;
  if (addr >= mm.taskSize) return segv(mm, 'segv-maperr');
  const i = findVmaIndex(mm.vmas, addr);
  const vma = mm.vmas[i];
  if (vma === undefined) return segv(mm, 'segv-maperr');
  if (vma.start > addr) {
    if (!(vma.flags & VM_GROWSDOWN) || !expandStack(mm, i, addr)) return segv(mm, 'segv-maperr');
  }
  if (accessError(vma, errorCode, write)) return segv(mm, 'segv-accerr');
  try {
    const majorBefore = mm.stats.major;
    const r = handlePteFault(mm, vma, addr, write);
    if (r === 'ok' && mm.stats.major === majorBefore) mm.stats.minor++;
    return r;
  } catch (e) {
    if (e instanceof OutOfFramesError) return 'oom';
    throw e;
  }
}

function segv(mm: Mm, r: FaultResult): FaultResult {
  mm.stats.segv++;
  return r;
}

/** Linux's access_error(): may an access of this kind touch this area at all? */
function accessError(vma: VmArea, errorCode: number, write: boolean): boolean {
  if (write) return !(vma.flags & VM_WRITE);
  if (errorCode & PF_PROT) return !(vma.flags & (VM_READ | VM_EXEC));
  return !(vma.flags & (VM_READ | VM_WRITE | VM_EXEC));
}

/**
 * Grows the stack area vmas[index] down to cover addr (expand_downwards): within
 * RLIMIT_STACK, above mmap_min_addr, and keeping the guard gap to the area below.
 */
export function expandStack(mm: Mm, index: number, addr: number): boolean {
  if (stackGrowthRefusal(mm, index, addr) !== null) return false;
  mm.vmas[index].start = Math.floor(addr / PAGE_SIZE) * PAGE_SIZE;
  mm.stats.stackGrowth++;
  return true;
}

/**
 * Why the stack area vmas[index] may not grow down to addr (acct_stack_growth's and
 * expand_downwards' checks: the size is measured from the area's end and may reach the limit
 * exactly), or null when it may.
 */
export function stackGrowthRefusal(mm: Mm, index: number, addr: number): string | null {
  const vma = mm.vmas[index];
  const start = Math.floor(addr / PAGE_SIZE) * PAGE_SIZE;
  if (start < MMAP_MIN_ADDR) return 'below mmap_min_addr';
  const prev = index > 0 ? mm.vmas[index - 1] : undefined;
  if (prev !== undefined && start < prev.end) return 'into the mapping below';
  if (prev !== undefined && !(prev.flags & VM_GROWSDOWN) && prev.flags & (VM_READ | VM_WRITE | VM_EXEC)
    && start - prev.end < STACK_GUARD_GAP) return 'into the stack guard gap above the mapping below';
  if (vma.end - start > mm.stackRlimit) return `past RLIMIT_STACK (${Math.floor(mm.stackRlimit / 1024)} KiB)`;
  return null;
}

/** For the diagnostic of a SIGSEGV at addr: "stack overflow: ..." when addr is below a stack area. */
export function stackOverflowNote(mm: Mm, addr: number): string | undefined {
  const i = findVmaIndex(mm.vmas, addr >>> 0);
  const vma = mm.vmas[i];
  if (vma === undefined || vma.start <= addr >>> 0 || !(vma.flags & VM_GROWSDOWN)) return undefined;
  const why = stackGrowthRefusal(mm, i, addr >>> 0);
  return why === null ? undefined : `stack overflow: the stack may not grow ${why}`;
}

function handlePteFault(mm: Mm, vma: VmArea, addr: number, write: boolean): FaultResult {
  const page = addr - (addr % PAGE_SIZE);
  const slot = pteSlot(mm, page, true);
  const pte = mm.mem.dv.getInt32(slot, true);
  if (pte !== 0 && !(pte & PTE_P)) return doSwapPage(mm, vma, page, slot, pte);
  if (!(pte & PTE_P)) return vma.file !== null ? doFilePage(mm, vma, page, write) : doAnonymousPage(mm, vma, page);
  if (write && !(pte & PTE_RW)) return doWpPage(mm, vma, page, slot, pte);
  // The PTE already allows the access: a stale TLB entry, or permissions to refresh.
  const perm = ptePermFor(vma.flags);
  if ((pte & PTE_US) !== (perm & PTE_US)) mm.mem.dv.setInt32(slot, (pte & ~PTE_US) | (perm & PTE_US), true);
  if (mm.active) mm.mmu.invlpg(page);
  mm.stats.spurious++;
  return 'ok';
}

/** do_anonymous_page: a fresh zeroed frame. */
function doAnonymousPage(mm: Mm, vma: VmArea, page: number): FaultResult {
  const pfn = mm.mem.allocFrame();
  mapPage(mm, page, pfn, vma.flags);
  mm.stats.anon++;
  return 'ok';
}

/**
 * do_swap_page: the PTE is a swap entry. The swap cache is looked up first (another process
 * sharing the slot may have read it in: the frame stays shared); otherwise the slot is read
 * into a new frame, which joins the swap cache while other PTEs still name the slot. While the
 * frame is shared a private writable page is mapped copy-on-write, so the cached copy is never
 * written; the last user takes it over writable and the slot is freed.
 */
function doSwapPage(mm: Mm, vma: VmArea, page: number, slot: number, entry: number): FaultResult {
  const swap = swapAreaOf(mm.mem);
  if (swap === null) return 'sigbus'; // a swap entry without swap: cannot happen
  const dv = mm.mem.dv;
  let pfn = swap.lookup(entry);
  if (pfn >= 0) {
    mm.mem.getFrame(pfn);
    swap.stats.cacheHits++;
  } else {
    const fresh = mm.mem.allocFrame();
    if (dv.getInt32(slot, true) !== entry) {
      releaseFrame(mm, fresh); // reclaim or another path changed the PTE meanwhile: retry
      return 'ok';
    }
    pfn = swap.lookup(entry);
    if (pfn >= 0) {
      releaseFrame(mm, fresh);
      mm.mem.getFrame(pfn);
    } else {
      pfn = fresh;
      swap.readSlot(swpOffset(entry), pfn);
      mm.stats.major++;
      if (swap.count(entry) > 1) swap.addToSwapCache(swpOffset(entry), pfn);
    }
  }
  // This PTE lets go of the slot (the cache too, with no PTE left), then maps the frame.
  dv.setInt32(slot, 0, true);
  swap.swapFree(entry);
  const privateWrite = (vma.flags & (VM_SHARED | VM_WRITE)) === VM_WRITE;
  const shared = mm.mem.refcount[pfn] > 1;
  mapPage(mm, page, pfn, vma.flags, privateWrite && shared ? PTE_COW : 0);
  mm.stats.swapIn++;
  return 'ok';
}

/** do_read_fault / do_cow_fault / do_shared_fault: the page from the page cache. */
function doFilePage(mm: Mm, vma: VmArea, page: number, write: boolean): FaultResult {
  const cacheStats = vma.file!.mapping.cache.stats;
  const readBefore = cacheStats.pagesRead;
  // A shmem page may come back from swap (its object's slot), which is a major fault too.
  const swapStats = swapAreaOf(mm.mem)?.stats;
  const swapInsBefore = swapStats?.swapIns ?? 0;
  if (filemapFault(mm, vma, page, write) === 'sigbus') {
    mm.stats.sigbus++;
    return 'sigbus';
  }
  const swappedIn = swapStats !== undefined && swapStats.swapIns !== swapInsBefore;
  if (swappedIn) mm.stats.swapIn++;
  if (cacheStats.pagesRead !== readBefore || swappedIn) mm.stats.major++;
  mm.stats.file++;
  return 'ok';
}

/** do_wp_page: a write to a read-only PTE in a writable area (copy-on-write). */
function doWpPage(mm: Mm, vma: VmArea, page: number, slot: number, pte: number): FaultResult {
  const pfn = (pte & PTE_FRAME) >>> 12;
  mm.stats.cow++;
  if (vma.flags & VM_SHARED || mm.mem.refcount[pfn] <= 1) {
    // Sole owner (or a shared mapping): just make it writable.
    mm.mem.dv.setInt32(slot, (pte | PTE_RW) & ~PTE_COW, true);
    if (mm.active) mm.mmu.invlpg(page);
    return 'ok';
  }
  mm.mem.getFrame(pfn); // pinned: reclaim during the allocation must not free it
  let copy: number;
  try {
    copy = mm.mem.allocFrame();
  } finally {
    releaseFrame(mm, pfn);
  }
  if (mm.mem.dv.getInt32(slot, true) !== pte) {
    // Reclaim unmapped the page while we allocated (pte_same failed): retry the fault.
    releaseFrame(mm, copy);
    return 'ok';
  }
  mm.mem.bytes.copyWithin(copy * PAGE_SIZE, pfn * PAGE_SIZE, (pfn + 1) * PAGE_SIZE);
  mapPage(mm, page, copy, vma.flags);
  return 'ok';
}
