// CPU time (kernel/sched/cputime.c, thread_group_cputime): a task's user time is the guest
// instructions it ran at the virtual clock's 10 ns each, so getrusage, times, wait4's rusage,
// SIGCHLD's si_utime and the CPU-time clocks agree with one another and with the clock sleeps
// run on, and do not depend on the host. System time is zero: the kernel runs outside the
// guest's clock.
import { NS_PER_INSN } from './sched.js';
import type { Task, ThreadGroup } from './task.js';

/** Instructions run by every thread of the process, the exited ones included. */
export function groupInstructions(g: ThreadGroup): number {
  let n = g.exitedInstructions;
  for (const t of g.threads) n += t.instructions;
  return n;
}

/** User time in ns of one thread, of its process, or of the process's reaped children. */
export function taskCpuNs(t: Task, who: 'thread' | 'self' | 'children'): bigint {
  const n = who === 'thread' ? t.instructions : who === 'self' ? groupInstructions(t.group) : t.group.childInstructions;
  return BigInt(n) * NS_PER_INSN;
}

/** ns as clock ticks (USER_HZ = 100), the unit of times() and si_utime. */
export function nsToTicks(ns: bigint): number {
  return Number(ns / 10_000_000n);
}

/**
 * Writes a struct rusage (i386: two timevals, then 14 longs): user time, and ru_maxrss in KiB.
 * Everything else (faults, context switches) reads zero.
 */
export function rusageBytes(userNs: bigint, maxrssKb: number): Uint8Array {
  const b = new Uint8Array(72);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, Number(userNs / 1_000_000_000n), true);
  dv.setUint32(4, Number((userNs % 1_000_000_000n) / 1000n), true);
  dv.setUint32(16, maxrssKb, true);
  return b;
}
