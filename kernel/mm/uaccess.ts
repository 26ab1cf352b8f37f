// Kernel access to user memory (Linux's copy_from_user, copy_to_user, strncpy_from_user,
// get_user, put_user). Each page is found by a software walk of the process's page tables; a
// missing or read-only page goes through handleMmFault like a real access would (demand
// paging, stack growth, copy-on-write). An unresolvable address throws USER_FAULT, which the
// syscall dispatcher turns into -EFAULT. Writes drop decoded code from the frames they touch.
import { PAGE_SIZE } from '../../src/mmu/physicalMemory.js';
import { PF_PROT, PF_WRITE, PTE_P } from '../../src/mmu/paging.js';
import { handleMmFault } from './fault.js';
import { outOfMemoryHandler } from './oom.js';
import type { Mm } from './mmStruct.js';
import { followPage, getPte, peekPhys } from './pageTable.js';

/** Thrown by the helpers below for a bad user address (one preallocated object). */
export class UserFault {
  readonly kind = 'user-fault';
  /** The address that could not be accessed (for diagnostics). */
  addr = 0;
}
export const USER_FAULT = new UserFault();

/** Thrown for an unterminated string longer than the limit (-ENAMETOOLONG / -E2BIG). */
export class UserStringTooLong {
  readonly kind = 'user-string-too-long';
}
export const USER_STRING_TOO_LONG = new UserStringTooLong();

function fail(addr: number): never {
  USER_FAULT.addr = addr >>> 0;
  throw USER_FAULT;
}

/** Physical address of user byte addr for a read or write, faulting the page in if needed. */
export function userPhys(mm: Mm, address: number, write: boolean): number {
  const addr = address >>> 0;
  if (addr >= mm.taskSize) fail(addr);
  let p = followPage(mm, addr, write);
  // A fault may take more than one round, as an instruction re-faults: a write to a page just
  // swapped in still shared copy-on-write, or a fault that reclaim raced and asked to retry.
  for (let round = 0; p < 0 && round < FAULT_ROUNDS; round++) {
    const code = (getPte(mm, addr) & PTE_P ? PF_PROT : 0) | (write ? PF_WRITE : 0);
    const r = handleMmFault(mm, addr, code);
    // Out of memory: the OOM killer runs as for a fault in user mode; if it killed another
    // process the access is tried again, if it chose this one the call fails on its way out.
    if (r === 'oom' && outOfMemoryHandler(mm.mem)?.(addr, write) === true) {
      round--;
      continue;
    }
    if (r !== 'ok') fail(addr);
    p = followPage(mm, addr, write);
  }
  if (p < 0) fail(addr);
  return p;
}

/** Fault rounds a kernel access gives one page before it is -EFAULT. */
const FAULT_ROUNDS = 4;

function writablePhys(mm: Mm, addr: number): number {
  const p = userPhys(mm, addr, true);
  mm.mmu.invalidateCode(Math.floor(p / PAGE_SIZE));
  return p;
}

/** Copies len bytes from user memory (throws USER_FAULT). */
export function copyFromUser(mm: Mm, address: number, len: number): Uint8Array {
  const out = new Uint8Array(len);
  let addr = address >>> 0;
  let done = 0;
  while (done < len) {
    const n = Math.min(len - done, PAGE_SIZE - (addr % PAGE_SIZE));
    const p = userPhys(mm, addr, false);
    out.set(mm.mem.bytes.subarray(p, p + n), done);
    done += n;
    addr = (addr + n) >>> 0;
  }
  return out;
}

/** Copies data into user memory (throws USER_FAULT; bytes before the bad page are written). */
export function copyToUser(mm: Mm, address: number, data: Uint8Array): void {
  let addr = address >>> 0;
  let done = 0;
  while (done < data.length) {
    const n = Math.min(data.length - done, PAGE_SIZE - (addr % PAGE_SIZE));
    const p = writablePhys(mm, addr);
    // A debugger's access hook (watchpoints, reverse-execution recording) sees kernel writes
    // to user memory too, before they happen.
    if (mm.mmu.onAccess !== null) mm.mmu.onAccess(addr | 0, n, true);
    mm.mem.bytes.set(data.subarray(done, done + n), p);
    done += n;
    addr = (addr + n) >>> 0;
  }
}

/** Zeroes len bytes of user memory (clear_user). */
export function clearUser(mm: Mm, address: number, len: number): void {
  let addr = address >>> 0;
  let done = 0;
  while (done < len) {
    const n = Math.min(len - done, PAGE_SIZE - (addr % PAGE_SIZE));
    const p = writablePhys(mm, addr);
    if (mm.mmu.onAccess !== null) mm.mmu.onAccess(addr | 0, n, true);
    mm.mem.bytes.fill(0, p, p + n);
    done += n;
    addr = (addr + n) >>> 0;
  }
}

/**
 * Reads a NUL-terminated string of at most max bytes (NUL excluded) as raw bytes. Throws
 * USER_FAULT, or USER_STRING_TOO_LONG when no NUL comes within max bytes.
 */
export function strncpyFromUserBytes(mm: Mm, address: number, max: number): Uint8Array {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let addr = address >>> 0;
  for (;;) {
    const p = userPhys(mm, addr, false);
    const n = PAGE_SIZE - (addr % PAGE_SIZE);
    const page = mm.mem.bytes.subarray(p, p + n);
    const z = page.indexOf(0);
    const take = z < 0 ? n : z;
    if (total + take > max) throw USER_STRING_TOO_LONG;
    chunks.push(page.slice(0, take));
    total += take;
    if (z >= 0) break;
    addr = (addr + n) >>> 0;
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/** Reads a NUL-terminated string (UTF-8 decoded, as Node paths are) of at most max bytes. */
export function strncpyFromUser(mm: Mm, address: number, max: number): string {
  return Buffer.from(strncpyFromUserBytes(mm, address, max)).toString('utf8');
}

export function getUser8(mm: Mm, addr: number): number {
  return mm.mem.bytes[userPhys(mm, addr, false)];
}

export function getUser16(mm: Mm, addr: number): number {
  if (addr % PAGE_SIZE <= PAGE_SIZE - 2) return mm.mem.dv.getUint16(userPhys(mm, addr, false), true);
  const b = copyFromUser(mm, addr, 2);
  return b[0] | (b[1] << 8);
}

/** A 32-bit user word as a signed int32. */
export function getUser32(mm: Mm, addr: number): number {
  if (addr % PAGE_SIZE <= PAGE_SIZE - 4) return mm.mem.dv.getInt32(userPhys(mm, addr, false), true);
  const b = copyFromUser(mm, addr, 4);
  return b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24);
}

export function getUser64(mm: Mm, addr: number): bigint {
  const lo = BigInt(getUser32(mm, addr) >>> 0);
  const hi = BigInt(getUser32(mm, (addr + 4) >>> 0));
  return (hi << 32n) | lo;
}

export function putUser8(mm: Mm, addr: number, v: number): void {
  mm.mem.bytes[writablePhys(mm, addr)] = v;
}

export function putUser16(mm: Mm, addr: number, v: number): void {
  copyToUser(mm, addr, new Uint8Array([v & 0xff, (v >> 8) & 0xff]));
}

export function putUser32(mm: Mm, addr: number, v: number): void {
  if (addr % PAGE_SIZE <= PAGE_SIZE - 4) {
    mm.mem.dv.setInt32(writablePhys(mm, addr), v, true);
    return;
  }
  copyToUser(mm, addr, new Uint8Array([v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff]));
}

export function putUser64(mm: Mm, addr: number, v: bigint): void {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, v), true);
  copyToUser(mm, addr, b);
}

/**
 * Reads user memory only where it is already mapped, never faulting or setting A/D bits
 * (strace's view of buffers, the debugger). Returns null when any byte is not present.
 */
export function peekUser(mm: Mm, address: number, len: number): Uint8Array | null {
  const out = new Uint8Array(len);
  let addr = address >>> 0;
  let done = 0;
  while (done < len) {
    const n = Math.min(len - done, PAGE_SIZE - (addr % PAGE_SIZE));
    if (addr >= mm.taskSize) return null;
    const p = peekPhys(mm, addr);
    if (p < 0) return null;
    out.set(mm.mem.bytes.subarray(p, p + n), done);
    done += n;
    addr = (addr + n) >>> 0;
  }
  return out;
}

/** Reads a NUL-terminated string without faulting; null if unmapped. `truncated` past max. */
export function peekString(mm: Mm, address: number, max: number): { bytes: Uint8Array; truncated: boolean } | null {
  const parts: number[] = [];
  let addr = address >>> 0;
  while (parts.length < max) {
    if (addr >= mm.taskSize) return null;
    const p = peekPhys(mm, addr);
    if (p < 0) return parts.length === 0 ? null : { bytes: Uint8Array.from(parts), truncated: true };
    const b = mm.mem.bytes[p];
    if (b === 0) return { bytes: Uint8Array.from(parts), truncated: false };
    parts.push(b);
    addr = (addr + 1) >>> 0;
  }
  return { bytes: Uint8Array.from(parts), truncated: true };
}
