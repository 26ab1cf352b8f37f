// Futex wait queues (kernel/futex): a private futex is keyed by (mm, address) so that a
// copy-on-write break between wait and wake cannot lose the wake-up; a shared one by the
// physical address of its word. Waiters carry their FUTEX_BITSET mask; a wake marks the
// sleeper's restart block so its re-run returns 0 instead of waiting again.
import type { Mm } from '../mm/mmStruct.js';
import { userPhys } from '../mm/uaccess.js';
import type { Task } from './task.js';
import { WaitQueue, wakeUpTask } from './waitQueue.js';

export class FutexQueue extends WaitQueue {
  readonly bitsets = new Map<Task, number>();
}

const privateQueues = new WeakMap<Mm, Map<number, FutexQueue>>();
const sharedQueues = new Map<number, FutexQueue>();

/** The queue for the futex word at addr (created when create is true). */
export function futexQueue(mm: Mm, addr: number, shared: boolean, create: boolean): FutexQueue | null {
  let table: Map<number, FutexQueue>;
  let key: number;
  if (shared) {
    table = sharedQueues;
    key = userPhys(mm, addr, false);
  } else {
    let t = privateQueues.get(mm);
    if (t === undefined) {
      if (!create) return null;
      t = new Map();
      privateQueues.set(mm, t);
    }
    table = t;
    key = addr >>> 0;
  }
  let q = table.get(key);
  if (q === undefined && create) {
    q = new FutexQueue();
    table.set(key, q);
  }
  return q ?? null;
}

/** Wakes up to n waiters whose bitset meets bitset (-1: any); returns how many woke. */
export function futexWakeQueue(q: FutexQueue | null, n: number, bitset: number): number {
  if (q === null) return 0;
  let woke = 0;
  for (const t of [...q.sleepers]) {
    if (woke >= n) break;
    if (((q.bitsets.get(t) ?? -1) & bitset) === 0) continue;
    q.bitsets.delete(t);
    if (t.restart !== null) t.restart.woken = true;
    wakeUpTask(t);
    woke++;
  }
  return woke;
}

export function futexWake(mm: Mm, addr: number, n: number, bitset: number, shared = false): number {
  return futexWakeQueue(futexQueue(mm, addr, shared, false), n, bitset);
}

/** Moves up to n waiters from q to q2 (FUTEX_REQUEUE); returns how many moved. */
export function futexRequeue(q: FutexQueue | null, q2: FutexQueue, n: number): number {
  if (q === null) return 0;
  let moved = 0;
  for (const t of [...q.sleepers]) {
    if (moved >= n) break;
    q.remove(t);
    const bs = q.bitsets.get(t) ?? -1;
    q.bitsets.delete(t);
    const i = t.waitingOn.indexOf(q);
    if (i >= 0) t.waitingOn[i] = q2;
    q2.add(t);
    q2.bitsets.set(t, bs);
    moved++;
  }
  return moved;
}
