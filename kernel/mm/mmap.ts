// mmap and munmap (mm/mmap.c, arch/x86/mm/mmap.c): the top-down allocator below mmap_base
// (TASK_SIZE minus the stack gap, as Linux's default layout), mmap_region (replace, insert,
// merge) and do_munmap. Pages are populated here only for MAP_POPULATE and locked areas;
// otherwise the fault handler fills them.
import { PAGE_SIZE } from '../../src/mmu/physicalMemory.js';
import { EACCES, EAGAIN, EEXIST, EINVAL, ENOMEM, EOPNOTSUPP, EOVERFLOW, EPERM } from '../errno.js';
import { DEFAULT_STACK_RLIMIT, Mm, MMAP_MIN_ADDR, STACK_GUARD_GAP } from './mmStruct.js';
import { fileAreasGone, fileAreasUnmapping } from './filemap.js';
import type { AddressSpace } from './pageCache.js';
import { canDoMlock, mlockFutureOk, UNLIMITED_LOCK, type LockLimit } from './mlock.js';
import { vmEnoughMemory } from './overcommit.js';
import { zapRange } from './pageTable.js';
import { updateHiwaterVm } from './rssStat.js';
import { populateRange } from './populate.js';
import { shmemZeroSetup } from './shmem.js';
import {
  insertVma, mergeAround, rangeOverlaps, removeRange, VM_ACCOUNT, VM_EXEC, VM_GROWSDOWN, VM_LOCKED, VM_LOCKONFAULT, VM_MAY_ALL,
  VM_MAYSHARE, VM_MAYWRITE, VM_NORESERVE, VM_READ, VM_SHARED, VM_WRITE, VmArea, VmFile, vmStartGap, findVma, findVmaIndex,
} from './vma.js';

export const PROT_NONE = 0, PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4, PROT_SEM = 8;
export const PROT_GROWSDOWN = 0x01000000, PROT_GROWSUP = 0x02000000;
export const MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_SHARED_VALIDATE = 0x03, MAP_TYPE = 0x0f;
export const MAP_FIXED = 0x10, MAP_ANONYMOUS = 0x20, MAP_GROWSDOWN = 0x100, MAP_DENYWRITE = 0x800;
export const MAP_EXECUTABLE = 0x1000, MAP_LOCKED = 0x2000, MAP_NORESERVE = 0x4000;
export const MAP_POPULATE = 0x8000, MAP_NONBLOCK = 0x10000, MAP_STACK = 0x20000;
export const MAP_HUGETLB = 0x40000, MAP_SYNC = 0x80000, MAP_FIXED_NOREPLACE = 0x100000;
export const MAP_UNINITIALIZED = 0x4000000;

const SIZE_128M = 128 * 1024 * 1024;

export function pageAlign(n: number): number {
  return Math.ceil(n / PAGE_SIZE) * PAGE_SIZE;
}

export function pageDown(n: number): number {
  return Math.floor(n / PAGE_SIZE) * PAGE_SIZE;
}

/** calc_vm_prot_bits: PROT_READ/WRITE/EXEC have the VM_ bit values. */
export function vmFlagsFromProt(prot: number): number {
  return prot & (VM_READ | VM_WRITE | VM_EXEC);
}

/**
 * Linux's mmap_base() for the top-down layout: TASK_SIZE minus a gap of RLIMIT_STACK plus the
 * stack guard gap (plus stackRandom, stack_maxrandom_size, under randomization), clamped to
 * [128 MiB, 5/6 of TASK_SIZE], then rnd (arch_mmap_rnd) lower.
 */
export function computeMmapBase(taskSize: number, stackRlimit = DEFAULT_STACK_RLIMIT, rnd = 0, stackRandom = 0): number {
  let gap = stackRlimit + stackRandom + STACK_GUARD_GAP;
  const gapMax = Math.floor(taskSize / 6) * 5;
  if (gap < SIZE_128M) gap = SIZE_128M;
  else if (gap > gapMax) gap = gapMax;
  return pageAlign(taskSize - gap - rnd);
}

/** TASK_UNMAPPED_BASE: where the legacy layout's mmap area starts. */
export function taskUnmappedBase(taskSize: number): number {
  return pageAlign(Math.floor(taskSize / 3));
}

/** Highest free gap of len bytes in [low, high), honouring stack guard gaps; -1 if none. */
function unmappedAreaTopDown(mm: Mm, len: number, low: number, high: number): number {
  const v = mm.vmas;
  for (let k = v.length; k >= 0; k--) {
    let gapEnd = k < v.length ? vmStartGap(v[k], STACK_GUARD_GAP) : mm.taskSize;
    let gapStart = k > 0 ? v[k - 1].end : 0;
    if (gapStart >= high) continue;
    gapEnd = Math.min(gapEnd, high);
    gapStart = Math.max(gapStart, low);
    if (gapEnd - gapStart >= len) return pageDown(gapEnd - len);
  }
  return -1;
}

/** Lowest free gap of len bytes at or above low; -1 if none. */
function unmappedAreaBottomUp(mm: Mm, len: number, low: number): number {
  const v = mm.vmas;
  for (let k = findVmaIndex(v, low); k <= v.length; k++) {
    const gapStart = Math.max(k > 0 ? v[k - 1].end : 0, low);
    const gapEnd = k < v.length ? vmStartGap(v[k], STACK_GUARD_GAP) : mm.taskSize;
    if (gapEnd > gapStart && gapEnd - gapStart >= len) return gapStart;
  }
  return -1;
}

/**
 * arch_get_unmapped_area_topdown: the hint if that range is free, else the highest gap below
 * mmap_base, else the lowest gap above mmap_legacy_base. Returns -ENOMEM when full. In the
 * legacy layout (arch_get_unmapped_area): the lowest gap above mmap_base.
 */
export function getUnmappedArea(mm: Mm, hint: number, len: number): number {
  if (len > mm.taskSize) return -ENOMEM;
  if (hint !== 0) {
    const addr = pageAlign(hint);
    if (addr >= MMAP_MIN_ADDR && addr <= mm.taskSize - len) {
      const next = findVma(mm.vmas, addr);
      const i = findVmaIndex(mm.vmas, addr);
      const prev = i > 0 ? mm.vmas[i - 1] : undefined;
      if ((next === undefined || addr + len <= vmStartGap(next, STACK_GUARD_GAP))
        && (prev === undefined || prev.end <= addr)) return addr;
    }
  }
  if (mm.mmapLegacy) {
    const a = unmappedAreaBottomUp(mm, len, mm.mmapBase);
    return a < 0 ? -ENOMEM : a;
  }
  let addr = unmappedAreaTopDown(mm, len, Math.max(PAGE_SIZE, MMAP_MIN_ADDR), mm.mmapBase);
  if (addr < 0) addr = unmappedAreaBottomUp(mm, len, mm.mmapLegacyBase || taskUnmappedBase(mm.taskSize));
  return addr < 0 ? -ENOMEM : addr;
}

/**
 * mmap_region: maps [addr, addr+len) as a new area, replacing whatever was there, merging
 * with compatible neighbours. Returns the area now covering addr.
 */
export function mmapRegion(mm: Mm, addr: number, len: number, vmFlags: number, file: VmFile | null,
  pgoff: number, name: string | null = null, fileEnd = Infinity): VmArea {
  const files = unmapAreas(mm, addr, addr + len);
  const vma = new VmArea(addr, addr + len, vmFlags, file, file !== null ? pgoff : 0, name, fileEnd);
  const i = insertVma(mm.vmas, vma);
  file?.mapping.attach(mm);
  // Only now, with the new area in place, may a file the old ones mapped let go of mm.
  if (files !== null) fileAreasGone(mm, files);
  return mm.vmas[mergeAround(mm.vmas, i)];
}

/** Removes the areas and page mappings in [start, end) (the core of do_munmap). */
export function unmapRange(mm: Mm, start: number, end: number): void {
  const files = unmapAreas(mm, start, end);
  if (files !== null) fileAreasGone(mm, files);
}

/** unmapRange without letting go of the files; returns those the removed areas mapped. */
function unmapAreas(mm: Mm, start: number, end: number): Set<AddressSpace> | null {
  if (!rangeOverlaps(mm.vmas, start, end)) return null;
  updateHiwaterVm(mm);
  const pieces = removeRange(mm.vmas, start, end);
  const files = fileAreasUnmapping(mm, pieces);
  for (const piece of pieces) zapRange(mm, piece.start, piece.end);
  return files.size > 0 ? files : null;
}

/** A file to map: its page cache and identity, and whether the descriptor was opened for writing. */
export interface MmapFile {
  file: VmFile;
  writable: boolean;
}

/** The flags mmap has always accepted (LEGACY_MAP_MASK); MAP_SHARED_VALIDATE refuses others. */
const LEGACY_MAP_MASK = MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_DENYWRITE | MAP_EXECUTABLE
  | MAP_UNINITIALIZED | MAP_GROWSDOWN | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB;

/**
 * do_mmap + ksys_mmap_pgoff. file is null for MAP_ANONYMOUS; the caller resolved the fd.
 * Shared anonymous memory gets a shmem object of its own (shmem.ts). Unknown flags are
 * ignored, except under MAP_SHARED_VALIDATE (EOPNOTSUPP). A private writable mapping larger
 * than RAM plus swap fails with ENOMEM (overcommit.ts); MAP_POPULATE and MAP_LOCKED prefault.
 * Returns the mapped address (unsigned) or -errno.
 */
export function doMmap(mm: Mm, addr: number, length: number, prot: number, flags: number,
  file: MmapFile | null, pgoff: number, lock: LockLimit = UNLIMITED_LOCK): number {
  addr >>>= 0;
  length >>>= 0;
  if (length === 0) return -EINVAL;
  const len = pageAlign(length);
  if (len > mm.taskSize) return -ENOMEM;
  if (pgoff + len / PAGE_SIZE > 0x100000000) return -EOVERFLOW;
  const type = flags & MAP_TYPE;
  if (type !== MAP_SHARED && type !== MAP_PRIVATE && type !== MAP_SHARED_VALIDATE) return -EINVAL;
  if (flags & MAP_HUGETLB) return -EINVAL;
  const shared = type !== MAP_PRIVATE;
  if (flags & MAP_FIXED_NOREPLACE) flags |= MAP_FIXED;
  const fixed = (flags & MAP_FIXED) !== 0;

  let vmFlags = vmFlagsFromProt(prot) | VM_MAY_ALL | mm.defFlags;
  if (flags & MAP_GROWSDOWN) vmFlags |= VM_GROWSDOWN;
  if (flags & MAP_LOCKED) {
    if (!canDoMlock(lock)) return -EPERM;
    vmFlags |= VM_LOCKED;
  }
  if (!mlockFutureOk(mm, vmFlags, len, lock)) return -EAGAIN;
  if (file !== null) {
    if (type === MAP_SHARED_VALIDATE && flags & ~LEGACY_MAP_MASK) return -EOPNOTSUPP;
    if (shared) {
      if (prot & PROT_WRITE && !file.writable) return -EACCES;
      vmFlags |= VM_SHARED | VM_MAYSHARE;
      if (!file.writable) vmFlags &= ~(VM_MAYWRITE | VM_SHARED);
    }
  } else if (shared) {
    // Anonymous memory knows MAP_SHARED and MAP_PRIVATE only, and cannot be shared and grow.
    if (type !== MAP_SHARED || vmFlags & VM_GROWSDOWN) return -EINVAL;
    vmFlags |= VM_SHARED | VM_MAYSHARE;
    pgoff = 0;
  }
  if (flags & MAP_NORESERVE) vmFlags |= VM_NORESERVE;

  // accountable_mapping: private and writable, not MAP_NORESERVE; shmem_acct_size for a shared
  // anonymous object.
  if ((vmFlags & (VM_NORESERVE | VM_SHARED | VM_WRITE)) === VM_WRITE) vmFlags |= VM_ACCOUNT;
  const charged = vmFlags & VM_ACCOUNT || (file === null && shared && !(vmFlags & VM_NORESERVE));

  let start: number;
  if (fixed) {
    if (addr % PAGE_SIZE !== 0) return -EINVAL;
    if (addr + len > mm.taskSize) return -ENOMEM;
    if (addr < MMAP_MIN_ADDR) return -EPERM;
    if (flags & MAP_FIXED_NOREPLACE && rangeOverlaps(mm.vmas, addr, addr + len)) return -EEXIST;
    start = addr;
  } else {
    start = getUnmappedArea(mm, addr, len);
    if (start < 0) return start;
  }
  if (charged && !vmEnoughMemory(mm, len / PAGE_SIZE)) return -ENOMEM;
  const vmFile = file !== null ? file.file : shared ? shmemZeroSetup(mm, len) : null;
  mmapRegion(mm, start, len, vmFlags, vmFile, pgoff);
  // mm_populate ignores errors: the pages it could not map fault later as usual.
  if ((vmFlags & (VM_LOCKED | VM_LOCKONFAULT)) === VM_LOCKED || (flags & (MAP_POPULATE | MAP_NONBLOCK)) === MAP_POPULATE) {
    populateRange(mm, start, start + len);
  }
  return start;
}

/** do_munmap: 0 or -EINVAL (unaligned, empty or out-of-range). Holes are fine. */
export function doMunmap(mm: Mm, addr: number, length: number): number {
  addr >>>= 0;
  length >>>= 0;
  if (addr % PAGE_SIZE !== 0 || length === 0) return -EINVAL;
  const len = pageAlign(length);
  if (addr > mm.taskSize || len > mm.taskSize - addr) return -EINVAL;
  unmapRange(mm, addr, addr + len);
  return 0;
}
