// madvise (mm/madvise.c): advice about a range, applied area by area over the mapped parts of
// it (a hole makes the call return ENOMEM after the rest was advised). Advice that changes an
// area's flags splits it at the range's ends and re-merges afterwards, as mprotect does.
// MADV_DONTNEED/MADV_FREE drop the pages: the next touch reads zeros in a private anonymous
// area, the file in a private file mapping, the shared object's contents in a shared one.
// MADV_REMOVE punches a hole in a shmem object (or zeroes that part of a shared host file).
import { PAGE_SIZE } from '../../src/mmu/physicalMemory.js';
import { EACCES, EINVAL, ENOMEM, errnoFromHost } from '../errno.js';
import { fileAreasUnmapping, vmaPageIndex } from './filemap.js';
import type { Mm } from './mmStruct.js';
import { pageAlign } from './mmap.js';
import { zapRange } from './pageTable.js';
import { populateRange } from './populate.js';
import { isShmem, shmemPunchHole } from './shmem.js';
import {
  findVmaIndex, isolateRange, mergeAround, VM_DONTCOPY, VM_DONTDUMP, VM_LOCKED, VM_MAYSHARE, VM_MAYWRITE, VM_RAND_READ,
  VM_SEQ_READ, VM_SHARED, VM_WIPEONFORK, VM_WRITE, VmArea,
} from './vma.js';

export const MADV_NORMAL = 0, MADV_RANDOM = 1, MADV_SEQUENTIAL = 2, MADV_WILLNEED = 3, MADV_DONTNEED = 4;
export const MADV_FREE = 8, MADV_REMOVE = 9, MADV_DONTFORK = 10, MADV_DOFORK = 11;
export const MADV_MERGEABLE = 12, MADV_UNMERGEABLE = 13, MADV_HUGEPAGE = 14, MADV_NOHUGEPAGE = 15;
export const MADV_DONTDUMP = 16, MADV_DODUMP = 17, MADV_WIPEONFORK = 18, MADV_KEEPONFORK = 19;
export const MADV_COLD = 20, MADV_PAGEOUT = 21, MADV_POPULATE_READ = 22, MADV_POPULATE_WRITE = 23;
export const MADV_DONTNEED_LOCKED = 24, MADV_COLLAPSE = 25;

/** Advice that only sets or clears area flags: [bits to set, bits to clear]. */
const FLAG_ADVICE = new Map<number, [number, number]>([
  [MADV_NORMAL, [0, VM_SEQ_READ | VM_RAND_READ]],
  [MADV_RANDOM, [VM_RAND_READ, VM_SEQ_READ]],
  [MADV_SEQUENTIAL, [VM_SEQ_READ, VM_RAND_READ]],
  [MADV_DONTFORK, [VM_DONTCOPY, 0]],
  [MADV_DOFORK, [0, VM_DONTCOPY]],
  [MADV_WIPEONFORK, [VM_WIPEONFORK, 0]],
  [MADV_KEEPONFORK, [0, VM_WIPEONFORK]],
  [MADV_DONTDUMP, [VM_DONTDUMP, 0]],
  [MADV_DODUMP, [0, VM_DONTDUMP]],
]);

/** Accepted and without effect here: KSM, transparent huge pages, reclaim hints. */
const NO_OP_ADVICE = new Set([MADV_MERGEABLE, MADV_UNMERGEABLE, MADV_HUGEPAGE, MADV_NOHUGEPAGE, MADV_COLD, MADV_PAGEOUT,
  MADV_COLLAPSE]);

function adviceValid(advice: number): boolean {
  return FLAG_ADVICE.has(advice) || NO_OP_ADVICE.has(advice) || [MADV_WILLNEED, MADV_DONTNEED, MADV_FREE, MADV_REMOVE,
    MADV_POPULATE_READ, MADV_POPULATE_WRITE, MADV_DONTNEED_LOCKED].includes(advice);
}

/** do_madvise: 0, or -EINVAL (unaligned start, unknown advice, advice the area refuses), -ENOMEM (a hole). */
export function doMadvise(mm: Mm, start: number, length: number, advice: number): number {
  start >>>= 0;
  length >>>= 0;
  if (!adviceValid(advice) || start % PAGE_SIZE !== 0) return -EINVAL;
  const len = pageAlign(length);
  if (length !== 0 && len === 0) return -EINVAL;
  const end = start + len;
  if (end > 0x100000000) return -EINVAL;
  if (end === start) return 0;
  if (advice === MADV_POPULATE_READ || advice === MADV_POPULATE_WRITE) return madvisePopulate(mm, start, end, advice);
  // madvise_walk_vmas: visit the mapped pieces, remember a hole for the return value.
  let unmapped = 0;
  let addr = start;
  while (addr < end) {
    const i = findVmaIndex(mm.vmas, addr);
    const v = mm.vmas[i];
    if (v === undefined || v.start >= end) return -ENOMEM;
    if (v.start > addr) {
      unmapped = -ENOMEM;
      addr = v.start;
    }
    const pieceEnd = Math.min(end, v.end);
    const r = adviseVma(mm, v, addr, pieceEnd, advice);
    if (r < 0) return r;
    addr = pieceEnd;
  }
  return unmapped;
}

function adviseVma(mm: Mm, v: VmArea, start: number, end: number, advice: number): number {
  const flagChange = FLAG_ADVICE.get(advice);
  if (flagChange !== undefined) {
    // WIPEONFORK only makes sense for private anonymous memory.
    if (advice === MADV_WIPEONFORK && (v.file !== null || v.flags & VM_SHARED)) return -EINVAL;
    const [set, clear] = flagChange;
    const next = (v.flags & ~clear) | set;
    if (next !== v.flags) updateFlags(mm, start, end, next);
    return 0;
  }
  switch (advice) {
    case MADV_DONTNEED:
    case MADV_DONTNEED_LOCKED:
      if (advice === MADV_DONTNEED && v.flags & VM_LOCKED) return -EINVAL;
      zapPieces(mm, v, start, end);
      return 0;
    case MADV_FREE:
      // Lazy freeing is for anonymous memory only; dropping at once is one of its outcomes.
      if (v.file !== null || v.flags & VM_LOCKED) return -EINVAL;
      zapPieces(mm, v, start, end);
      return 0;
    case MADV_WILLNEED:
      if (v.file !== null && !isShmem(v.file)) willneed(v, start, end);
      return 0;
    case MADV_REMOVE:
      return madviseRemove(mm, v, start, end);
    default:
      return 0; // NO_OP_ADVICE
  }
}

/** madvise_update_vma: the area pieces inside [start, end) get flags. */
function updateFlags(mm: Mm, start: number, end: number, flags: number): void {
  const [from, to] = isolateRange(mm.vmas, start, end);
  for (let i = from; i < to; i++) mm.vmas[i].flags = flags;
  for (let i = to - 1; i >= from; i--) if (i < mm.vmas.length) mergeAround(mm.vmas, i);
}

/** zap_page_range for [start, end) of v, moving shared pages' dirty bits to their object first. */
function zapPieces(mm: Mm, v: VmArea, start: number, end: number): void {
  if (v.file !== null && v.flags & VM_SHARED) {
    const piece = v.clone();
    piece.start = start;
    piece.end = end;
    fileAreasUnmapping(mm, [piece]);
  }
  zapRange(mm, start, end);
}

/** Reads the file pages of [start, end) into the page cache (force_page_cache_readahead), within the file. */
function willneed(v: VmArea, start: number, end: number): void {
  const as = v.file!.mapping;
  const last = Math.ceil(as.size / PAGE_SIZE);
  for (let index = vmaPageIndex(v, start); index < Math.min(vmaPageIndex(v, end), last); index++) {
    try {
      as.findOrReadPage(index);
    } catch {
      return; // out of frames or a host read error: read-ahead is only a hint
    }
  }
}

/** madvise_remove: punch a hole in the shared object behind [start, end). */
function madviseRemove(mm: Mm, v: VmArea, start: number, end: number): number {
  if (v.flags & VM_LOCKED || v.file === null) return -EINVAL;
  if ((v.flags & (VM_SHARED | VM_MAYSHARE | VM_MAYWRITE)) !== (VM_MAYSHARE | VM_MAYWRITE | VM_SHARED)) return -EACCES;
  const as = v.file.mapping;
  const from = vmaPageIndex(v, start);
  const to = vmaPageIndex(v, end);
  if (isShmem(v.file)) {
    shmemPunchHole(as, from, to);
    return 0;
  }
  // A host file: the hole reads as zeros, through every mapping and read(2) (written through).
  const first = from * PAGE_SIZE;
  const bytes = Math.max(0, Math.min(to * PAGE_SIZE, as.size) - first);
  try {
    if (bytes > 0) as.write(first, new Uint8Array(bytes));
  } catch (e) {
    return -errnoFromHost(e);
  }
  return 0;
}

/** MADV_POPULATE_READ / WRITE: fault the range in; ENOMEM for a hole, EINVAL where the access is not allowed. */
function madvisePopulate(mm: Mm, start: number, end: number, advice: number): number {
  const write = advice === MADV_POPULATE_WRITE;
  let addr = start;
  for (let i = findVmaIndex(mm.vmas, start); addr < end; i++) {
    const v = mm.vmas[i];
    if (v === undefined || v.start > addr) return -ENOMEM;
    if (write && !(v.flags & VM_WRITE)) return -EINVAL;
    addr = v.end;
  }
  return populateRange(mm, start, end, { write });
}
