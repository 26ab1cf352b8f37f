// Virtual memory areas (Linux's struct vm_area_struct and mm/vma.c): a sorted array of
// non-overlapping page-aligned ranges with their permissions and backing. The functions here
// only edit the array; page tables are the caller's business (see pageTable.ts, mmap.ts).
import { PAGE_SIZE } from '../../src/mmu/physicalMemory.js';
import type { AddressSpace } from './pageCache.js';

export const VM_READ = 0x1;
export const VM_WRITE = 0x2;
export const VM_EXEC = 0x4;
export const VM_SHARED = 0x8;
export const VM_MAYREAD = 0x10;
export const VM_MAYWRITE = 0x20;
export const VM_MAYEXEC = 0x40;
export const VM_MAYSHARE = 0x80;
export const VM_GROWSDOWN = 0x100;
/** The ELF loader's mappings (the "denywrite" executable image). */
export const VM_EXECUTABLE = 0x1000;
/** mlock/mlockall/MAP_LOCKED: pages stay resident (reclaim skips them); VmLck counts them. */
export const VM_LOCKED = 0x2000;
/** madvise(MADV_SEQUENTIAL / MADV_RANDOM) read-ahead hints. */
export const VM_SEQ_READ = 0x8000;
export const VM_RAND_READ = 0x10000;
/** madvise(MADV_DONTFORK): the area is not copied into a fork child. */
export const VM_DONTCOPY = 0x20000;
/** MLOCK_ONFAULT: locked, but populated only as touched. */
export const VM_LOCKONFAULT = 0x80000;
/**
 * Committed memory is charged for this area (private and writable, now or once): set by mmap,
 * brk, exec and by the first mprotect that makes a private area writable, and kept when write
 * permission goes. Areas differing in it do not merge, which is why a library's RELRO pages,
 * made read-only after relocation, stay an area of their own next to its other read-only pages.
 */
export const VM_ACCOUNT = 0x00100000;
/** MAP_NORESERVE (under the default heuristic overcommit): never charged. */
export const VM_NORESERVE = 0x00200000;
/** madvise(MADV_WIPEONFORK): a fork child sees the area zero-filled. */
export const VM_WIPEONFORK = 0x02000000;
/** madvise(MADV_DONTDUMP). */
export const VM_DONTDUMP = 0x04000000;

export const VM_ACCESS_FLAGS = VM_READ | VM_WRITE | VM_EXEC;
export const VM_MAY_ALL = VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;

/**
 * What a file-backed area maps: the file's page cache and its identity as one open of it saw
 * it (areas mapping the same VmFile at consecutive offsets merge).
 */
export interface VmFile {
  readonly mapping: AddressSpace;
  /** Path shown in /proc/PID/maps. */
  readonly path: string;
  readonly devMajor: number;
  readonly devMinor: number;
  readonly ino: number;
}

export class VmArea {
  /** [start, end) as unsigned numbers, both page-aligned. */
  start: number;
  end: number;
  flags: number;
  /** Offset of `start` in the file, in pages (0 for anonymous areas). */
  pgoff: number;
  file: VmFile | null;
  /**
   * Linear address from which a file-backed area reads zeros instead of file bytes (the ELF
   * loader's partial BSS page); Infinity when the whole area shows the file.
   */
  fileEnd: number;
  /** Name for anonymous areas: "[stack]", "[heap]", or null. */
  name: string | null;

  constructor(start: number, end: number, flags: number, file: VmFile | null = null, pgoff = 0,
    name: string | null = null, fileEnd = Infinity) {
    this.start = start;
    this.end = end;
    this.flags = flags;
    this.pgoff = pgoff;
    this.file = file;
    this.fileEnd = fileEnd;
    this.name = name;
  }

  get pages(): number {
    return (this.end - this.start) / PAGE_SIZE;
  }

  contains(addr: number): boolean {
    return addr >= this.start && addr < this.end;
  }

  clone(): VmArea {
    return new VmArea(this.start, this.end, this.flags, this.file, this.pgoff, this.name, this.fileEnd);
  }
}

/** Index of the first area whose end is above addr (Linux find_vma), or vmas.length. */
export function findVmaIndex(vmas: readonly VmArea[], addr: number): number {
  let lo = 0;
  let hi = vmas.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (vmas[mid].end > addr) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The first area with end > addr (it may start above addr), like Linux's find_vma. */
export function findVma(vmas: readonly VmArea[], addr: number): VmArea | undefined {
  return vmas[findVmaIndex(vmas, addr)];
}

/** The area containing addr, if any. */
export function vmaContaining(vmas: readonly VmArea[], addr: number): VmArea | undefined {
  const v = findVma(vmas, addr);
  return v !== undefined && v.start <= addr ? v : undefined;
}

/** True when some area intersects [start, end). */
export function rangeOverlaps(vmas: readonly VmArea[], start: number, end: number): boolean {
  const v = findVma(vmas, start);
  return v !== undefined && v.start < end;
}

/** True when every page of [start, end) lies in some area (no holes). */
export function rangeFullyMapped(vmas: readonly VmArea[], start: number, end: number): boolean {
  let addr = start;
  let i = findVmaIndex(vmas, start);
  while (addr < end) {
    const v = vmas[i];
    if (v === undefined || v.start > addr) return false;
    addr = v.end;
    i++;
  }
  return true;
}

/** Inserts an area; overlapping an existing one is a kernel bug and throws. Returns its index. */
export function insertVma(vmas: VmArea[], vma: VmArea): number {
  if (vma.start >= vma.end || vma.start % PAGE_SIZE !== 0 || vma.end % PAGE_SIZE !== 0) {
    throw new Error(`insertVma: bad range ${hex(vma.start)}-${hex(vma.end)}`);
  }
  const i = findVmaIndex(vmas, vma.start);
  if (i < vmas.length && vmas[i].start < vma.end) {
    throw new Error(`insertVma: ${hex(vma.start)}-${hex(vma.end)} overlaps ${hex(vmas[i].start)}-${hex(vmas[i].end)}`);
  }
  vmas.splice(i, 0, vma);
  return i;
}

/**
 * Splits vmas[index] at addr (strictly inside it). The lower part keeps the object; the upper
 * part is a new area inserted after it, whose index is returned.
 */
export function splitVma(vmas: VmArea[], index: number, addr: number): number {
  const v = vmas[index];
  if (addr <= v.start || addr >= v.end || addr % PAGE_SIZE !== 0) {
    throw new Error(`splitVma: ${hex(addr)} not inside ${hex(v.start)}-${hex(v.end)}`);
  }
  const hi = v.clone();
  hi.start = addr;
  if (v.file !== null) hi.pgoff = v.pgoff + (addr - v.start) / PAGE_SIZE;
  v.end = addr;
  vmas.splice(index + 1, 0, hi);
  return index + 1;
}

/** Whether b can be folded into a (adjacent, same permissions and backing). */
export function canMerge(a: VmArea, b: VmArea): boolean {
  if (a.end !== b.start || a.flags !== b.flags || a.file !== b.file || a.name !== b.name) return false;
  if (a.file === null) return true;
  return a.fileEnd === b.fileEnd && a.pgoff + a.pages === b.pgoff;
}

/** Merges vmas[index] with its neighbours where possible; returns the index of the result. */
export function mergeAround(vmas: VmArea[], index: number): number {
  let i = index;
  if (i + 1 < vmas.length && canMerge(vmas[i], vmas[i + 1])) {
    vmas[i].end = vmas[i + 1].end;
    vmas.splice(i + 1, 1);
  }
  if (i > 0 && canMerge(vmas[i - 1], vmas[i])) {
    vmas[i - 1].end = vmas[i].end;
    vmas.splice(i, 1);
    i--;
  }
  return i;
}

/**
 * Carves [start, end) out of the areas (splitting the ones that straddle a boundary) and
 * returns the removed pieces, lowest first.
 */
export function removeRange(vmas: VmArea[], start: number, end: number): VmArea[] {
  isolateRange(vmas, start, end);
  const first = findVmaIndex(vmas, start);
  let last = first;
  while (last < vmas.length && vmas[last].end <= end) last++;
  return vmas.splice(first, last - first);
}

/**
 * Splits areas so that no area straddles start or end. Returns the index range [from, to) of
 * the areas now lying inside [start, end).
 */
export function isolateRange(vmas: VmArea[], start: number, end: number): [number, number] {
  let i = findVmaIndex(vmas, start);
  if (i < vmas.length && vmas[i].start < start && vmas[i].end > start) i = splitVma(vmas, i, start);
  const from = i;
  while (i < vmas.length && vmas[i].start < end) {
    if (vmas[i].end > end) splitVma(vmas, i, end);
    i++;
  }
  return [from, i];
}

/** Start of an area including the guard gap a downward-growing stack keeps below itself. */
export function vmStartGap(v: VmArea, stackGuardGap: number): number {
  if (v.flags & VM_GROWSDOWN) return v.start > stackGuardGap ? v.start - stackGuardGap : 0;
  return v.start;
}

/** The rwxp/rwxs permission string of /proc/PID/maps. */
export function vmaPermString(flags: number): string {
  return (flags & VM_READ ? 'r' : '-') + (flags & VM_WRITE ? 'w' : '-') + (flags & VM_EXEC ? 'x' : '-')
    + (flags & VM_MAYSHARE ? 's' : 'p');
}

function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16);
}
