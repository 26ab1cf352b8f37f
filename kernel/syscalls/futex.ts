// futex(2) and futex_time64 (kernel/futex/syscalls.c): WAIT/WAKE with their _BITSET forms,
// REQUEUE/CMP_REQUEUE and WAKE_OP, private or shared. WAIT's timeout is relative (an absolute
// CLOCK_MONOTONIC/REALTIME time for WAIT_BITSET) and is turned into a virtual-clock deadline
// the first time the call runs; the re-runs keep it.
import { EAGAIN, EINVAL, ENOSYS, ETIMEDOUT } from '../errno.js';
import { getUser32, putUser32 } from '../mm/uaccess.js';
import { futexQueue, futexRequeue, futexWakeQueue } from '../proc/futex.js';
import { getTimespec } from './time.js';
import type { SyscallContext } from './types.js';

const FUTEX_WAIT = 0, FUTEX_WAKE = 1, FUTEX_REQUEUE = 3, FUTEX_CMP_REQUEUE = 4, FUTEX_WAKE_OP = 5;
const FUTEX_WAIT_BITSET = 9, FUTEX_WAKE_BITSET = 10;
const FUTEX_PRIVATE_FLAG = 128, FUTEX_CLOCK_REALTIME = 256;

/** Nanoseconds of a timespec (32-bit or 64-bit seconds), or -EINVAL. */
function readTimespec(c: SyscallContext, ptr: number, time64: boolean): bigint | number {
  return getTimespec(c, ptr, time64) ?? -EINVAL;
}

function futexWait(c: SyscallContext, uaddr: number, val: number, timeout: number, bitset: number, op: number, time64: boolean): number {
  const shared = (op & FUTEX_PRIVATE_FLAG) === 0;
  const r = c.task.restart;
  if (r !== null) {
    if (r.woken) return 0;
    if (r.deadline >= 0n && c.now() >= r.deadline) return -ETIMEDOUT;
  }
  if (bitset === 0) return -EINVAL;
  let deadline = r?.deadline ?? -1n;
  if (r === null && timeout !== 0) {
    const ns = readTimespec(c, timeout, time64);
    if (typeof ns === 'number') return ns;
    if ((op & 127) === FUTEX_WAIT_BITSET) {
      const host = op & FUTEX_CLOCK_REALTIME ? c.realtimeNs() : c.monotonicNs();
      deadline = c.now() + (ns > host ? ns - host : 0n);
    } else deadline = c.now() + ns;
  }
  if (getUser32(c.mm, uaddr) !== val) return -EAGAIN;
  if (deadline >= 0n && c.now() >= deadline) return -ETIMEDOUT;
  const q = futexQueue(c.mm, uaddr, shared, true)!;
  const ret = c.block([q], deadline);
  q.bitsets.set(c.task, bitset);
  return ret;
}

/** FUTEX_WAKE_OP's encoded operation on *uaddr2; returns the old value's comparison. */
function wakeOp(c: SyscallContext, uaddr2: number, encoded: number): boolean {
  const op = (encoded >>> 28) & 7, cmp = (encoded >>> 24) & 15;
  let oparg = (encoded << 8) >> 20;
  const cmparg = (encoded << 20) >> 20;
  if (encoded & (8 << 28)) oparg = 1 << (oparg & 31);
  const old = getUser32(c.mm, uaddr2);
  let next: number;
  switch (op) {
    case 0: next = oparg; break;
    case 1: next = old + oparg; break;
    case 2: next = old | oparg; break;
    case 3: next = old & ~oparg; break;
    case 4: next = old ^ oparg; break;
    default: throw new RangeError('bad op');
  }
  putUser32(c.mm, uaddr2, next | 0);
  switch (cmp) {
    case 0: return old === cmparg;
    case 1: return old !== cmparg;
    case 2: return old < cmparg;
    case 3: return old <= cmparg;
    case 4: return old > cmparg;
    case 5: return old >= cmparg;
    default: throw new RangeError('bad cmp');
  }
}

function doFutex(c: SyscallContext, uaddr: number, op: number, val: number, timeout: number, uaddr2: number, val3: number, time64: boolean): number {
  const cmd = op & 127;
  const shared = (op & FUTEX_PRIVATE_FLAG) === 0;
  if (op & FUTEX_CLOCK_REALTIME && cmd !== FUTEX_WAIT_BITSET && cmd !== FUTEX_WAIT) return -ENOSYS;
  if (uaddr & 3) return -EINVAL;
  switch (cmd) {
    case FUTEX_WAIT: return futexWait(c, uaddr, val, timeout, -1, op, time64);
    case FUTEX_WAIT_BITSET: return futexWait(c, uaddr, val, timeout, val3, op, time64);
    case FUTEX_WAKE: case FUTEX_WAKE_BITSET: {
      const bitset = cmd === FUTEX_WAKE ? -1 : val3;
      if (bitset === 0) return -EINVAL;
      getUser32(c.mm, uaddr);
      return futexWakeQueue(futexQueue(c.mm, uaddr, shared, false), val >>> 0, bitset);
    }
    case FUTEX_REQUEUE: case FUTEX_CMP_REQUEUE: {
      // val2 (how many to requeue) travels in the timeout argument.
      if (uaddr2 & 3) return -EINVAL;
      if (cmd === FUTEX_CMP_REQUEUE && getUser32(c.mm, uaddr) !== val3) return -EAGAIN;
      const q = futexQueue(c.mm, uaddr, shared, false);
      const woke = futexWakeQueue(q, val >>> 0, -1);
      const moved = futexRequeue(q, futexQueue(c.mm, uaddr2, shared, true)!, timeout >>> 0);
      return woke + (cmd === FUTEX_CMP_REQUEUE ? moved : 0);
    }
    case FUTEX_WAKE_OP: {
      if (uaddr2 & 3) return -EINVAL;
      let hit: boolean;
      try {
        hit = wakeOp(c, uaddr2, val3);
      } catch (e) {
        if (e instanceof RangeError) return -ENOSYS;
        throw e;
      }
      let n = futexWakeQueue(futexQueue(c.mm, uaddr, shared, false), val >>> 0, -1);
      if (hit) n += futexWakeQueue(futexQueue(c.mm, uaddr2, shared, false), timeout >>> 0, -1);
      return n;
    }
    default:
      return -ENOSYS;
  }
}

export function sysFutex(c: SyscallContext, uaddr: number, op: number, val: number, timeout: number, uaddr2: number, val3: number): number {
  return doFutex(c, uaddr, op, val, timeout, uaddr2, val3, false);
}

export function sysFutexTime64(c: SyscallContext, uaddr: number, op: number, val: number, timeout: number, uaddr2: number, val3: number): number {
  return doFutex(c, uaddr, op, val, timeout, uaddr2, val3, true);
}

