// mlock, mlock2, munlock, mlockall, munlockall (mm/mlock.c) as accounting: an area locked
// carries VM_LOCKED (and VM_LOCKONFAULT for MLOCK_ONFAULT / MCL_ONFAULT), its pages are faulted
// in at once unless on-fault, and reclaim leaves them resident. The locked size (mm->locked_vm,
// /proc's VmLck) is the sum of the locked areas. Unprivileged callers are held to
// RLIMIT_MEMLOCK (ENOMEM over it, EPERM when it is 0); CAP_IPC_LOCK (uid 0 here) has no limit.
import { PAGE_SIZE } from '../../src/mmu/physicalMemory.js';
import { EAGAIN, EINVAL, ENOMEM, EPERM } from '../errno.js';
import type { Mm } from './mmStruct.js';
import { populateRange } from './populate.js';
import { findVmaIndex, isolateRange, mergeAround, rangeFullyMapped, VM_LOCKED, VM_LOCKONFAULT } from './vma.js';

export const MLOCK_ONFAULT = 1;
export const MCL_CURRENT = 1, MCL_FUTURE = 2, MCL_ONFAULT = 4;
const VM_LOCKED_MASK = VM_LOCKED | VM_LOCKONFAULT;

/** What the caller may lock: RLIMIT_MEMLOCK's soft limit in bytes, and CAP_IPC_LOCK. */
export interface LockLimit {
  limitBytes: number;
  capIpcLock: boolean;
}

export const UNLIMITED_LOCK: LockLimit = { limitBytes: Infinity, capIpcLock: true };

/** mm->locked_vm in pages: the size of the VM_LOCKED areas. */
export function lockedVmPages(mm: Mm): number {
  let n = 0;
  for (const v of mm.vmas) if (v.flags & VM_LOCKED) n += v.pages;
  return n;
}

/** can_do_mlock: a non-zero RLIMIT_MEMLOCK or CAP_IPC_LOCK. */
export function canDoMlock(lim: LockLimit): boolean {
  return lim.limitBytes !== 0 || lim.capIpcLock;
}

/** mlock_future_ok: may bytes more become locked (MAP_LOCKED, brk under MCL_FUTURE)? */
export function mlockFutureOk(mm: Mm, vmFlags: number, bytes: number, lim: LockLimit): boolean {
  if (!(vmFlags & VM_LOCKED) || lim.capIpcLock) return true;
  return lockedVmPages(mm) + bytes / PAGE_SIZE <= Math.floor(lim.limitBytes / PAGE_SIZE);
}

/** Locked pages inside [start, end) (count_mm_mlocked_page_nr). */
function lockedPagesIn(mm: Mm, start: number, end: number): number {
  let n = 0;
  for (let i = findVmaIndex(mm.vmas, start); i < mm.vmas.length && mm.vmas[i].start < end; i++) {
    const v = mm.vmas[i];
    if (v.flags & VM_LOCKED) n += (Math.min(end, v.end) - Math.max(start, v.start)) / PAGE_SIZE;
  }
  return n;
}

/** Sets the lock bits of every area in [start, end) to lockBits, splitting and re-merging. */
function applyLockFlags(mm: Mm, start: number, end: number, lockBits: number): void {
  const [from, to] = isolateRange(mm.vmas, start, end);
  for (let i = from; i < to; i++) mm.vmas[i].flags = (mm.vmas[i].flags & ~VM_LOCKED_MASK) | lockBits;
  for (let i = to - 1; i >= from; i--) if (i < mm.vmas.length) mergeAround(mm.vmas, i);
}

/** The page-aligned range of mlock(addr, len): start rounded down, len grown to match. */
function lockRange(addr: number, len: number): [number, number] {
  const start = Math.floor((addr >>> 0) / PAGE_SIZE) * PAGE_SIZE;
  const bytes = Math.ceil(((len >>> 0) + ((addr >>> 0) - start)) / PAGE_SIZE) * PAGE_SIZE;
  return [start, start + bytes];
}

/** do_mlock: mlock (flags 0) and mlock2. */
export function doMlock(mm: Mm, addr: number, len: number, flags: number, lim: LockLimit): number {
  if (flags & ~MLOCK_ONFAULT) return -EINVAL;
  if (!canDoMlock(lim)) return -EPERM;
  const [start, end] = lockRange(addr, len);
  if (end > mm.taskSize) return -ENOMEM;
  if (end === start) return 0;
  const limit = Math.floor(lim.limitBytes / PAGE_SIZE);
  let locked = (end - start) / PAGE_SIZE + lockedVmPages(mm);
  if (locked > limit && !lim.capIpcLock) locked -= lockedPagesIn(mm, start, end);
  if (locked > limit && !lim.capIpcLock) return -ENOMEM;
  // Linux locks the areas up to the first hole before failing; here nothing changes then.
  if (!rangeFullyMapped(mm.vmas, start, end)) return -ENOMEM;
  const onFault = (flags & MLOCK_ONFAULT) !== 0;
  applyLockFlags(mm, start, end, VM_LOCKED | (onFault ? VM_LOCKONFAULT : 0));
  if (onFault) return 0;
  // __mlock_posix_error_return: a page that cannot be mapped is ENOMEM, no memory EAGAIN.
  const r = populateRange(mm, start, end, { skipOnFault: true });
  return r === -ENOMEM ? -EAGAIN : r < 0 ? -ENOMEM : 0;
}

/** munlock: the areas in the range are no longer locked (ENOMEM for a hole). */
export function doMunlock(mm: Mm, addr: number, len: number): number {
  const [start, end] = lockRange(addr, len);
  if (end > mm.taskSize) return -ENOMEM;
  if (end === start) return 0;
  if (!rangeFullyMapped(mm.vmas, start, end)) return -ENOMEM;
  applyLockFlags(mm, start, end, 0);
  return 0;
}

/** mlockall: lock every area now (MCL_CURRENT) and/or every future one (MCL_FUTURE: mm.defFlags). */
export function doMlockall(mm: Mm, flags: number, lim: LockLimit): number {
  if (flags === 0 || flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) || flags === MCL_ONFAULT) return -EINVAL;
  if (!canDoMlock(lim)) return -EPERM;
  let total = 0;
  for (const v of mm.vmas) total += v.pages;
  if (flags & MCL_CURRENT && total > Math.floor(lim.limitBytes / PAGE_SIZE) && !lim.capIpcLock) return -ENOMEM;
  const bits = VM_LOCKED | (flags & MCL_ONFAULT ? VM_LOCKONFAULT : 0);
  mm.defFlags = (mm.defFlags & ~VM_LOCKED_MASK) | (flags & MCL_FUTURE ? bits : 0);
  if (flags & MCL_CURRENT) {
    for (const v of mm.vmas) v.flags = (v.flags & ~VM_LOCKED_MASK) | bits;
    for (let i = mm.vmas.length - 1; i >= 0; i--) if (i < mm.vmas.length) mergeAround(mm.vmas, i);
    if (!(flags & MCL_ONFAULT)) populateRange(mm, 0, mm.taskSize, { skipOnFault: true, ignoreErrors: true });
  }
  return 0;
}

/** munlockall: nothing locked, now or in future. */
export function doMunlockall(mm: Mm): number {
  mm.defFlags &= ~VM_LOCKED_MASK;
  for (const v of mm.vmas) v.flags &= ~VM_LOCKED_MASK;
  for (let i = mm.vmas.length - 1; i >= 0; i--) if (i < mm.vmas.length) mergeAround(mm.vmas, i);
  return 0;
}
