// Shared anonymous memory (mm/shmem.c shmem_zero_setup): MAP_SHARED|MAP_ANONYMOUS, and a
// MAP_SHARED mapping of /dev/zero, get an object of their own that the area's file points at,
// an AddressSpace with no file behind it: a hole reads as a fresh zeroed frame, the frames are
// the only copy of the data (swapBacked: writeback skips it, reclaim never drops its pages).
// With swap, reclaim unmaps them like file pages and writes a page nobody maps any more to a
// swap slot (shmemWriteout, Linux's shmem_writeout): the object remembers index → slot and the
// next lookup reads it back (pageCache.ts findOrReadPage); without swap they are unevictable.
// Faults go through the page-cache path (filemap.ts), so every mm whose area points at the
// object, a fork child's included, maps the same frame for a page, whoever touches it first.
// The object lives while some mm maps it; it is sized at mmap time, and a page past that size
// (after mremap grows the area) gets SIGBUS, as in Linux.
import type { PhysicalMemory } from '../../src/mmu/physicalMemory.js';
import { PAGE_SIZE } from '../../src/mmu/physicalMemory.js';
import type { Mm } from './mmStruct.js';
import { AddressSpace, PageCache, type FileBacking } from './pageCache.js';
import { zapRange } from './pageTable.js';
import type { SwapArea } from './swap.js';
import type { VmFile } from './vma.js';

/** The name /proc/PID/maps shows (the object is the unlinked file "/dev/zero" of the internal shm mount). */
export const SHMEM_ZERO_NAME = '/dev/zero (deleted)';
/** The internal shm mount's device, as Linux's maps show it (00:01). */
const SHM_DEV_MAJOR = 0, SHM_DEV_MINOR = 1;

/** Holes read as zeros; stores live in the frames only. */
class ShmemBacking implements FileBacking {
  private readonly bytes: number;

  constructor(bytes: number) {
    this.bytes = bytes;
  }

  readAt(): number {
    return 0; // the frame findOrReadPage allocated is already zeroed
  }

  writeAt(): void {}

  size(): number {
    return this.bytes;
  }

  close(): void {}
}

/**
 * The PageCache shmem objects are accounted to: one per guest memory (they are never in its
 * table, which only holds files; the object is reached through the areas mapping it).
 */
const caches = new WeakMap<PhysicalMemory, PageCache>();

function cacheFor(mm: Mm): PageCache {
  let c = caches.get(mm.mem);
  if (c === undefined) {
    c = new PageCache(mm.mem, mm.mmu);
    caches.set(mm.mem, c);
  }
  return c;
}

/** The live shmem objects of each guest memory (shmem_swaplist: what reclaim writes out). */
const objects = new WeakMap<PhysicalMemory, Set<AddressSpace>>();

/** The shmem objects of mem still mapped somewhere (released ones are forgotten here). */
export function shmemObjectsOf(mem: PhysicalMemory): AddressSpace[] {
  const set = objects.get(mem);
  if (set === undefined) return [];
  for (const as of set) if (as.released) set.delete(as);
  return [...set];
}

let nextIno = 1024;

/** shmem_zero_setup: a new zero-filled object of bytes bytes, as the file of a shared anonymous area. */
export function shmemZeroSetup(mm: Mm, bytes: number): VmFile {
  const as = new AddressSpace(cacheFor(mm), null, new ShmemBacking(bytes));
  as.swapBacked = true;
  let set = objects.get(mm.mem);
  if (set === undefined) objects.set(mm.mem, set = new Set());
  set.add(as);
  return { mapping: as, path: SHMEM_ZERO_NAME, devMajor: SHM_DEV_MAJOR, devMinor: SHM_DEV_MINOR, ino: nextIno++ };
}

/** Whether an area maps a shmem object (not a file, not private anonymous memory). */
export function isShmem(file: VmFile | null): boolean {
  return file !== null && file.mapping.swapBacked;
}

/**
 * shmem_writeout: page index of as, which no process maps (only the object's reference is
 * left), goes to a free swap slot and its frame is freed. Returns false (the page stays) when
 * it is mapped or swap is full.
 */
export function shmemWriteout(as: AddressSpace, index: number, swap: SwapArea): boolean {
  const pfn = as.pages.get(index);
  const mem = as.cache.mem;
  if (pfn === undefined || mem.refcount[pfn] !== 1 || as.released) return false;
  const slot = swap.allocSlot();
  if (slot < 0) return false;
  swap.writeSlot(slot, pfn);
  swap.swapDuplicate(swap.entryFor(slot)); // the object's reference to the slot
  as.swapped.set(index, slot);
  as.pages.delete(index);
  as.dirty.delete(index);
  if (mem.putFrame(pfn)) as.cache.mmu.invalidateCode(pfn);
  return true;
}

/**
 * shmem_fallocate(FALLOC_FL_PUNCH_HOLE) for MADV_REMOVE: pages [from, to) are unmapped from
 * every mm mapping the object and their frames (or swap slots) freed; they read as zeros again.
 */
export function shmemPunchHole(as: AddressSpace, from: number, to: number): void {
  for (const mm of as.mms) {
    for (const v of mm.vmas) {
      if (v.file === null || v.file.mapping !== as) continue;
      const lo = Math.max(v.start, v.start + (from - v.pgoff) * PAGE_SIZE);
      const hi = Math.min(v.end, v.start + (to - v.pgoff) * PAGE_SIZE);
      if (lo < hi) zapRange(mm, lo, hi);
    }
  }
  for (const [index, pfn] of [...as.pages]) {
    if (index < from || index >= to) continue;
    as.pages.delete(index);
    as.dirty.delete(index);
    if (as.cache.mem.putFrame(pfn)) as.cache.mmu.invalidateCode(pfn);
  }
  for (const index of [...as.swapped.keys()]) if (index >= from && index < to) as.freeSwapped(index);
}
