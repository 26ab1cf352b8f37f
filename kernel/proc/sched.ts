// The task list and a deterministic round-robin scheduler (kernel/sched, kernel/pid.c): pids
// handed out in increasing order, a quantum counted in guest instructions, a virtual clock that
// advances with the instructions run (so interleavings never depend on host timing), sleepers
// with deadlines on that clock, and context_switch, which reloads CR3 only when the address
// space changes.
import type { Cpu } from '../../src/cpu/cpu.js';
import type { Mmu } from '../../src/mmu/mmu.js';
import { PAGE_SIZE } from '../../src/mmu/physicalMemory.js';
import type { Task } from './task.js';
import { wakeUpTask } from './waitQueue.js';

/** Virtual nanoseconds per guest instruction (a nominal 100 MIPS). */
export const NS_PER_INSN = 10n;

export interface SchedStats {
  contextSwitches: number;
  forks: number;
}

export class Scheduler {
  /** Every task not yet reaped, by tid. */
  readonly tasks = new Map<number, Task>();
  /** Round-robin order: creation order. */
  readonly order: Task[] = [];
  current: Task | null = null;
  /** The virtual clock (ns since boot). */
  clock = 0n;
  /** Instructions per quantum when more than one task can run. */
  quantum: number;
  readonly stats: SchedStats = { contextSwitches: 0, forks: 0 };
  private nextPid: number;
  private readonly cpu: Cpu;
  private readonly mmu: Mmu;
  /** Instructions the current task has run in its present time slice. */
  sliceUsed = 0;
  /** Called when a group's ITIMER_REAL expires (sends SIGALRM). */
  onRealTimer: ((t: Task) => void) | null = null;

  constructor(cpu: Cpu, mmu: Mmu, firstPid: number, quantum: number) {
    this.cpu = cpu;
    this.mmu = mmu;
    this.nextPid = firstPid;
    this.quantum = quantum;
  }

  allocPid(): number {
    while (this.tasks.has(this.nextPid)) this.nextPid++;
    return this.nextPid++;
  }

  add(t: Task): void {
    this.tasks.set(t.tid, t);
    this.order.push(t);
  }

  /** Forgets a reaped task (release_task). */
  remove(t: Task): void {
    this.tasks.delete(t.tid);
    const i = this.order.indexOf(t);
    if (i >= 0) this.order.splice(i, 1);
    if (this.current === t) this.current = null;
  }

  find(tid: number): Task | undefined {
    return this.tasks.get(tid);
  }

  /** Thread group leaders, in pid order. */
  processes(): Task[] {
    return this.order.filter((t) => t.isLeader);
  }

  /** Saves the running task's registers and loads t's (switch_to), reloading CR3 if needed. */
  switchTo(t: Task): void {
    const prev = this.current;
    if (prev === t) return;
    if (prev !== null && !prev.exited) this.cpu.saveContext(prev.ctx);
    this.cpu.loadContext(t.ctx);
    this.cpu.ldt = t.mm.ldt; // switch_mm → load_mm_ldt
    const cr3 = t.mm.pgd * PAGE_SIZE;
    if ((this.mmu.cr3 >>> 0) !== cr3) this.mmu.setCr3(cr3);
    this.current = t;
    this.sliceUsed = 0;
    this.stats.contextSwitches++;
  }

  /** Makes the registers of the task on the CPU visible in its context (before fork, /proc). */
  syncCurrent(): void {
    if (this.current !== null && !this.current.exited) this.cpu.saveContext(this.current.ctx);
  }

  /**
   * The next task to run after the current one, round robin; null when none is runnable.
   * Wakes sleepers and fires timers whose deadline has passed first.
   */
  pickNext(): Task | null {
    this.expireTimers();
    const n = this.order.length;
    if (n === 0) return null;
    const cur = this.current;
    const start = cur === null ? 0 : this.order.indexOf(cur) + 1;
    for (let k = 0; k < n; k++) {
      const t = this.order[(start + k) % n];
      if (t.state === 'running') return t;
    }
    return null;
  }

  /** True when another task besides t could run now. */
  othersRunnable(t: Task): boolean {
    for (const o of this.order) if (o !== t && o.state === 'running') return true;
    return false;
  }

  /** The earliest deadline of a sleeper or a real-time timer, or -1 when none. */
  nextDeadline(): bigint {
    let d = -1n;
    for (const t of this.order) {
      if (t.state === 'sleeping' && t.wakeDeadline >= 0n && (d < 0n || t.wakeDeadline < d)) d = t.wakeDeadline;
      const rt = t.isLeader && !t.exited ? t.group.realTimer : null;
      if (rt !== null && (d < 0n || rt.deadline < d)) d = rt.deadline;
    }
    return d;
  }

  /** Wakes sleepers whose deadline passed and fires expired ITIMER_REAL timers. */
  expireTimers(): void {
    for (const t of this.order) {
      if (t.state === 'sleeping' && t.wakeDeadline >= 0n && t.wakeDeadline <= this.clock) wakeUpTask(t);
      if (t.isLeader && !t.exited) {
        const rt = t.group.realTimer;
        if (rt !== null && rt.deadline <= this.clock) {
          t.group.realTimer = rt.interval > 0n ? { deadline: rt.deadline + rt.interval, interval: rt.interval } : null;
          this.onRealTimer?.(t);
        }
      }
    }
  }

  /**
   * The current task keeps the CPU until it has used its quantum (however the caller chops
   * the run into batches, so a debugger's single step stays in the stepped thread).
   */
  keepsCpu(t: Task): boolean {
    return t === this.current && t.state === 'running' && (this.sliceUsed < this.quantum || !this.othersRunnable(t));
  }

  /** Instructions the next batch of t may run: the rest of its quantum, cut at the next deadline. */
  sliceFor(t: Task, budget: number): number {
    if (!this.othersRunnable(t)) this.sliceUsed = 0;
    let n = this.othersRunnable(t) ? Math.min(budget, Math.max(1, this.quantum - this.sliceUsed)) : budget;
    const d = this.nextDeadline();
    if (d >= 0n) {
      const left = (d - this.clock + NS_PER_INSN - 1n) / NS_PER_INSN;
      if (left < BigInt(n)) n = Math.max(1, Number(left));
    }
    return n;
  }

  /** Accounts instructions run by t to it and to the clock. */
  account(t: Task, instructions: number): void {
    t.instructions += instructions;
    this.sliceUsed += instructions;
    this.clock += BigInt(instructions) * NS_PER_INSN;
  }
}
