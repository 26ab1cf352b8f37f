// How tasks end and are reaped (kernel/exit.c): do_exit releases what the thread holds (the
// address space when it was the last user, with CLONE_CHILD_CLEARTID's write and futex wake;
// files; fs; handlers), then exit_notify reparents its children and either becomes a zombie
// for the parent's wait or, for threads and children of a parent ignoring SIGCHLD, is released
// at once. A group leader stays until its last thread is gone (delay_group_leader).
// do_group_exit takes every thread of the process down with one wait status.
import { freeAddressSpace } from '../mm/pageTable.js';
import { hiwaterRss } from '../mm/rssStat.js';
import { putUser32 } from '../mm/uaccess.js';
import {
  CLD_CONTINUED, CLD_DUMPED, CLD_EXITED, CLD_KILLED, CLD_STOPPED, makeSigInfo, SA_NOCLDSTOP, SA_NOCLDWAIT,
  SIG_IGN, SIGCHLD, SIGKILL,
} from '../signal/signal.js';
import { sendSignal, type SignalHooks } from '../signal/deliver.js';
import { nsToTicks, taskCpuNs } from './cputime.js';
import type { Scheduler } from './sched.js';
import type { Task } from './task.js';
import { wakeUpTask } from './waitQueue.js';

export interface ExitHooks extends SignalHooks {
  readonly sched: Scheduler;
  /** FUTEX_WAKE on addr in mm (CLONE_CHILD_CLEARTID). */
  futexWake(t: Task, addr: number, n: number): void;
  /** The first process: its exit status is the emulator's, so it stays a zombie to be read. */
  isInit(t: Task): boolean;
  /** The first process's address space as it ends, just before it is torn down (KernelOptions.atInitExit). */
  atInitExit?(t: Task): void;
}

/** The address space loses a user; the last one tears it down (mmput). */
export function mmput(t: Task): void {
  const mm = t.mm;
  if (mm.pgd === 0) return;
  if (--mm.users > 0) return;
  freeAddressSpace(mm);
}

/**
 * Wakes a vfork parent (complete_vfork_done): at the child's exec or exit. The child gives up
 * the rest of its time slice, so the parent runs next, as it does on Linux (on another CPU, or
 * by wake-up preemption: it has slept the whole time the child ran).
 */
export function completeVforkDone(sched: Scheduler, t: Task): void {
  if (t.vforkParent === null) return;
  t.vforkParent = null;
  t.vforkDone.wakeAll();
  if (sched.current === t) sched.sliceUsed = sched.quantum;
}

/** do_exit: the thread ends with wait status code. */
export function doExit(k: ExitHooks, t: Task, code: number): void {
  if (t.exited) return;
  t.exitCode = code;
  // mm_release: clear_child_tid is written and woken only if others still use the memory.
  if (t.clearChildTid !== 0 && t.mm.users > 1) {
    try {
      putUser32(t.mm, t.clearChildTid, 0);
      k.futexWake(t, t.clearChildTid, 1);
    } catch { /* an unmapped address: ignored, as Linux does */ }
    t.clearChildTid = 0;
  }
  completeVforkDone(k.sched, t);
  // ru_maxrss: the address space's peak resident set (setmax_mm_hiwater_rss), kept for the parent's wait.
  if (t.mm.pgd !== 0) t.group.maxrssKb = Math.max(t.group.maxrssKb, hiwaterRss(t.mm) * 4);
  for (const q of t.waitingOn) q.remove(t);
  t.waitingOn.length = 0;
  if (t.mm.pgd !== 0 && t.mm.users === 1 && k.isInit(t.group.leader)) k.atInitExit?.(t);
  mmput(t);
  if (--t.files.refs === 0) t.files.closeAll();
  t.fs.refs--;
  t.signal.hand.refs--;
  t.state = 'zombie';
  exitNotify(k, t);
}

/** do_group_exit: every thread of t's process exits with code (the first code wins). */
export function doGroupExit(k: ExitHooks, t: Task, code: number): void {
  const g = t.group;
  if (g.groupExitCode === null) g.groupExitCode = code;
  // The process's wait status is the group's exit code (SIGNAL_GROUP_EXIT), also when the
  // leader already left with pthread_exit and a thread calls exit or takes a fatal signal.
  if (g.leader.exited) g.leader.exitCode = g.groupExitCode;
  for (const x of g.threads) {
    if (x === t || x.exited) continue;
    // zap_other_threads: SIGKILL each; they die at their next return to user mode.
    x.signal.pendingQ.add(makeSigInfo(SIGKILL, 0));
    if (x.state === 'stopped') x.state = 'running';
    wakeUpTask(x);
  }
  doExit(k, t, g.groupExitCode);
}

/** The parent's SIGCHLD action makes its children auto-reap (SIG_IGN or SA_NOCLDWAIT). */
function parentIgnoresChildren(p: Task): boolean {
  const act = p.signal.actions[SIGCHLD];
  return act.handler === SIG_IGN || (act.flags & SA_NOCLDWAIT) !== 0;
}

/**
 * find_new_reaper: another live thread of the group, else the nearest living ancestor that
 * is a child subreaper, else the emulated init (null), which reaps at once.
 */
function findNewReaper(t: Task): Task | null {
  const thread = t.group.threads.find((x) => x !== t && !x.exited);
  if (thread !== undefined) return thread;
  for (let p = t.group.leader.parent; p !== null; p = p.group.leader.parent) {
    if (p.group.childSubreaper) {
      const live = p.group.threads.find((x) => !x.exited);
      if (live !== undefined) return live;
    }
  }
  return null;
}

/** Children of an exiting process go to the new reaper; zombies among them are reported again. */
function forgetParent(k: ExitHooks, t: Task): void {
  if (t.children.length === 0) return;
  const heir = findNewReaper(t);
  for (const c of [...t.children]) {
    c.parent = heir;
    t.children.splice(t.children.indexOf(c), 1);
    const dead = c.state === 'zombie' && !c.group.threads.some((x) => !x.exited);
    if (heir !== null) {
      heir.children.push(c);
      if (dead && heir.group !== t.group) notifyParentOfExit(k, c);
    } else if (dead) releaseTask(k.sched, c);
  }
}

/** exit_notify: reparent the children, then tell the parent or release the task. */
function exitNotify(k: ExitHooks, t: Task): void {
  forgetParent(k, t);
  const g = t.group;
  if (!t.isLeader) {
    // A thread is never waited for; its leader may now be the last one left.
    releaseTask(k.sched, t);
    const leader = g.leader;
    if (leader.state === 'zombie' && g.threads.length === 1) notifyParentOfExit(k, leader);
    return;
  }
  if (g.threads.some((x) => x !== t && !x.exited)) return; // delay_group_leader
  notifyParentOfExit(k, t);
}

/** do_notify_parent: SIGCHLD with the exit details, or auto-reap. */
function notifyParentOfExit(k: ExitHooks, leader: Task): void {
  const p = leader.parent;
  if (p === null || p.exited) {
    if (p !== null) p.children.splice(p.children.indexOf(leader), 1);
    leader.parent = null;
    if (!k.isInit(leader)) releaseTask(k.sched, leader);
    return;
  }
  const code = leader.exitCode;
  const killed = (code & 0x7f) !== 0;
  const info = makeSigInfo(SIGCHLD, killed ? (code & 0x80 ? CLD_DUMPED : CLD_KILLED) : CLD_EXITED, {
    pid: leader.pid, uid: leader.cred.uid, status: killed ? code & 0x7f : (code >> 8) & 0xff,
    utime: nsToTicks(taskCpuNs(leader, 'self')),
  });
  const autoreap = parentIgnoresChildren(p);
  if (leader.exitSignal !== 0) sendSignal(p, { ...info, signo: leader.exitSignal }, true, k);
  p.group.childWait.wakeAll();
  if (autoreap) {
    p.children.splice(p.children.indexOf(leader), 1);
    releaseTask(k.sched, leader);
  }
}

/** do_notify_parent_cldstop: the parent hears that the child stopped or continued. */
export function notifyParentCldStop(k: ExitHooks, leader: Task, why: 'stopped' | 'continued'): void {
  const p = leader.parent;
  if (p === null || p.exited) return;
  p.group.childWait.wakeAll();
  if (why === 'stopped' && p.signal.actions[SIGCHLD].flags & SA_NOCLDSTOP) return;
  const g = leader.group;
  const info = makeSigInfo(SIGCHLD, why === 'stopped' ? CLD_STOPPED : CLD_CONTINUED, {
    pid: leader.pid, uid: leader.cred.uid, status: why === 'stopped' ? g.stopSignal : 18,
  });
  sendSignal(p, info, true, k);
}

/** release_task: the task leaves the task list for good (EXIT_DEAD). */
export function releaseTask(sched: Scheduler, t: Task): void {
  if (t.state !== 'dead') t.mm.count--;
  t.state = 'dead';
  const g = t.group;
  const i = g.threads.indexOf(t);
  if (i >= 0 && !t.isLeader) {
    g.threads.splice(i, 1);
    g.exitedInstructions += t.instructions;
  }
  sched.remove(t);
}

