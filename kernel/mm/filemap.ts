// File-backed areas and the page cache (mm/filemap.c filemap_fault, mm/rmap.c page_mkclean,
// mm/truncate.c unmap_mapping_range). A read fault maps the cached frame itself (read-only in
// a private area: the cache's own reference keeps its refcount above 1, so the first write
// copies in do_wp_page); a write fault in a
// private area copies at once (do_cow_fault); a MAP_SHARED area maps the cached frame with the
// area's permissions. Dirtiness comes from the PTE dirty bit the MMU sets on a store: writeback
// and every unmap first move the D bits of the cached frames into the AddressSpace's dirty set
// and clear them (with a TLB flush, so the next store sets D again), as Linux's zap_pte_range
// and page_mkclean do. That catches every store, including through PTEs made writable by
// mprotect or inherited over fork, without a write-protect fault per writeback.
import { PAGE_SHIFT, PAGE_SIZE } from '../../src/mmu/physicalMemory.js';
import { PTE_COW, PTE_D, PTE_FRAME } from '../../src/mmu/paging.js';
import type { Mm } from './mmStruct.js';
import { AddressSpace } from './pageCache.js';
import { forEachPte, mapPage, zapRange } from './pageTable.js';
import { VM_SHARED, VM_WRITE, type VmArea } from './vma.js';

export type FilemapResult = 'ok' | 'sigbus';

/** The page index of linear address page in a file-backed area. */
export function vmaPageIndex(vma: VmArea, page: number): number {
  return vma.pgoff + (page - vma.start) / PAGE_SIZE;
}

/** filemap_fault + finish_fault for a not-present page of a file-backed area. */
export function filemapFault(mm: Mm, vma: VmArea, page: number, write: boolean): FilemapResult {
  const as = vma.file!.mapping;
  const index = vmaPageIndex(vma, page);
  if (index * PAGE_SIZE >= as.size) return 'sigbus';
  const pfn = as.findOrReadPage(index);
  const shared = (vma.flags & VM_SHARED) !== 0;
  // The ELF loader's partial BSS page shows zeros past p_filesz: always a private copy.
  const partial = vma.fileEnd < page + PAGE_SIZE;
  if (partial || (write && !shared)) {
    // Pinned across the allocation: reclaim may drop cached pages nobody maps.
    mm.mem.getFrame(pfn);
    let copy: number;
    try {
      copy = mm.mem.allocFrame();
      const n = partial ? Math.max(0, Math.min(PAGE_SIZE, vma.fileEnd - page)) : PAGE_SIZE;
      mm.mem.bytes.copyWithin(copy << PAGE_SHIFT, pfn << PAGE_SHIFT, (pfn << PAGE_SHIFT) + n);
    } finally {
      if (mm.mem.putFrame(pfn)) mm.mmu.invalidateCode(pfn);
    }
    mapPage(mm, page, copy, vma.flags);
    return 'ok';
  }
  mm.mem.getFrame(pfn);
  // A private writable area's page is copy-on-write (PTE_COW keeps mprotect from making it
  // writable); in a read-only one it is just a shared read-only page.
  mapPage(mm, page, pfn, vma.flags, !shared && vma.flags & VM_WRITE ? PTE_COW : 0);
  if (write) as.setPageDirty(index);
  return 'ok';
}

/** Moves the D bits of as's cached frames mapped in [start, end) of vma into its dirty set. */
function harvestVma(mm: Mm, vma: VmArea, start: number, end: number): void {
  const as = vma.file!.mapping;
  const dv = mm.mem.dv;
  forEachPte(mm, start, end, (slot, pte, addr) => {
    if (!(pte & PTE_D)) return;
    const index = vmaPageIndex(vma, addr);
    if (as.pages.get(index) !== (pte & PTE_FRAME) >>> PAGE_SHIFT) return; // a private copy
    as.setPageDirty(index);
    dv.setInt32(slot, pte & ~PTE_D, true);
    if (mm.active) mm.mmu.invlpg(addr);
  });
}

/** page_mkclean over every mm mapping as (AddressSpace.harvest). */
function harvestAll(as: AddressSpace): void {
  for (const mm of as.mms) {
    for (const v of mm.vmas) {
      if (v.file !== null && v.file.mapping === as && v.flags & VM_SHARED) harvestVma(mm, v, v.start, v.end);
    }
  }
}

/** unmap_mapping_range for truncate: every page at or above index, private copies too. */
function unmapFrom(as: AddressSpace, index: number): void {
  for (const mm of as.mms) {
    for (const v of mm.vmas) {
      if (v.file === null || v.file.mapping !== as) continue;
      const first = Math.max(v.start, v.start + (index - v.pgoff) * PAGE_SIZE);
      if (first < v.end) zapRange(mm, first, v.end);
    }
  }
}

AddressSpace.harvest = harvestAll;
AddressSpace.unmapFrom = unmapFrom;

/**
 * Before areas of mm in [start, end) are unmapped: the D bits of their shared file pages
 * become page dirtiness (zap_pte_range's set_page_dirty). Returns the files they map, for
 * fileAreasGone once the areas are removed.
 */
export function fileAreasUnmapping(mm: Mm, pieces: readonly VmArea[]): Set<AddressSpace> {
  const files = new Set<AddressSpace>();
  for (const v of pieces) {
    if (v.file === null) continue;
    files.add(v.file.mapping);
    if (v.flags & VM_SHARED) harvestVma(mm, v, v.start, v.end);
  }
  return files;
}

/** After an unmap: each file mm maps no more lets go of mm (the last user writes back). */
export function fileAreasGone(mm: Mm, files: Set<AddressSpace>): void {
  for (const as of files) {
    if (!mm.vmas.some((v) => v.file !== null && v.file.mapping === as)) as.detach(mm);
  }
}

/** msync/fsync: writes back the files mapped in [start, end) of mm. Throws on host errors. */
export function msyncRange(mm: Mm, start: number, end: number): void {
  const files = new Set<AddressSpace>();
  for (const v of mm.vmas) {
    if (v.file !== null && v.start < end && v.end > start && v.flags & VM_SHARED) files.add(v.file.mapping);
  }
  for (const as of files) as.writeback();
}
