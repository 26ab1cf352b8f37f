// Wait queues (Linux's wait_queue_head_t): tasks sleep on one or more of them and a wake-up
// makes every sleeper runnable again; the woken system call re-runs and re-checks its
// condition, so a spurious wake-up is harmless.
import type { Task } from './task.js';

export class WaitQueue {
  readonly sleepers: Task[] = [];

  /** fromHost: only the embedder wakes it (typed input), so a sleeper here waits for the host. */
  constructor(readonly fromHost = false) {}

  add(t: Task): void {
    if (!this.sleepers.includes(t)) this.sleepers.push(t);
  }

  remove(t: Task): void {
    const i = this.sleepers.indexOf(t);
    if (i >= 0) this.sleepers.splice(i, 1);
  }

  /** Wakes every sleeper (wake_up_all); returns how many. */
  wakeAll(): number {
    const n = this.sleepers.length;
    while (this.sleepers.length > 0) wakeUpTask(this.sleepers[0]);
    return n;
  }

  /** Wakes at most n sleepers in the order they went to sleep (futex wake). */
  wake(n: number): number {
    let k = 0;
    while (k < n && this.sleepers.length > 0) {
      wakeUpTask(this.sleepers[0]);
      k++;
    }
    return k;
  }
}

/** Makes a sleeping task runnable and takes it off every queue (try_to_wake_up). */
export function wakeUpTask(t: Task): boolean {
  for (const q of t.waitingOn) q.remove(t);
  t.waitingOn.length = 0;
  t.wakeDeadline = -1n;
  if (t.state !== 'sleeping') return false;
  t.state = 'running';
  return true;
}

/** Puts t to sleep on the given queues, until a wake-up or the virtual-clock deadline. */
export function sleepOn(t: Task, queues: readonly WaitQueue[], deadline: bigint): void {
  t.state = 'sleeping';
  for (const q of queues) {
    q.add(t);
    t.waitingOn.push(q);
  }
  t.wakeDeadline = deadline;
}
