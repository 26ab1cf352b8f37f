// Sending and dequeuing signals (kernel/signal.c): send_signal with prepare_signal's job-control
// rules (a stop signal flushes SIGCONT and the reverse), sig_ignored, complete_signal (which
// thread takes a process-wide signal, and a fatal one taking the whole group down), force_sig
// for synchronous faults, and get_signal's dequeue and default actions. Delivery to a handler
// (the signal frame) happens at the kernel's one return-to-user point.
import { RLIMIT_CORE, type Task } from '../proc/task.js';
import { wakeUpTask } from '../proc/waitQueue.js';
import {
  defaultAction, makeSigInfo, type SigAction, SIG_DFL, SIG_IGN, SIGCONT, SIGKILL, SIGSTOP, sigbit,
  type SigInfo, SIGTSTP, SIGTTIN, SIGTTOU, UNBLOCKABLE, SIGBUS, SIGFPE, SIGILL, SIGSEGV, SIGTRAP, SIGSYS,
} from './signal.js';

const STOP_MASK = sigbit(SIGSTOP) | sigbit(SIGTSTP) | sigbit(SIGTTIN) | sigbit(SIGTTOU);
/** Dequeued before other signals (SYNCHRONOUS_MASK). */
const SYNCHRONOUS_MASK = sigbit(SIGSEGV) | sigbit(SIGBUS) | sigbit(SIGILL) | sigbit(SIGTRAP) | sigbit(SIGFPE) | sigbit(SIGSYS);

/** Hooks the signal code needs from the process side (exit and parent notification). */
export interface SignalHooks {
  /** Group stop took effect, or a stopped group continued: tell the parent (do_notify_parent_cldstop). */
  notifyParentCldStop(t: Task, why: 'stopped' | 'continued'): void;
}

/** A core-action signal dumps core (the wait status's 0x80 bit) only under a non-zero RLIMIT_CORE. */
function dumpsCore(t: Task): boolean {
  return t.group.rlimits[RLIMIT_CORE].cur > 0n;
}

function handlerIgnores(act: SigAction, sig: number): boolean {
  if (act.handler === SIG_IGN) return true;
  return act.handler === SIG_DFL && defaultAction(sig) === 'ignore';
}

/** sig_ignored: dropped at send time (a blocked signal is kept: the handler may change). */
function sigIgnored(t: Task, sig: number): boolean {
  if (sig === SIGKILL || sig === SIGSTOP) return false;
  if ((t.signal.blocked | (t.signal.realBlocked ?? 0n)) & sigbit(sig)) return false;
  return handlerIgnores(t.signal.actions[sig], sig);
}

/** The signal kills the group if delivered now (sig_fatal). */
function sigFatal(t: Task, sig: number): boolean {
  if (sig === SIGKILL) return true;
  const act = t.signal.actions[sig];
  if (act.handler !== SIG_DFL) return false;
  const d = defaultAction(sig);
  return d === 'term' || d === 'core';
}

/**
 * wants_signal: a stopped thread takes nothing but SIGKILL, so a fatal signal sent to a
 * stopped process stays pending (the process dies only once SIGCONT resumes it).
 */
function wantsSignal(t: Task, sig: number): boolean {
  if (t.exited) return false;
  if (sig === SIGKILL) return true;
  if (t.state === 'stopped') return false;
  return (t.signal.blocked & sigbit(sig)) === 0n;
}

/**
 * send_signal: queues info for target (group=true: process-wide) unless it is ignored, and
 * wakes a thread that can take it. Returns false when the signal was dropped.
 */
export function sendSignal(target: Task, info: SigInfo, group: boolean, hooks: SignalHooks): boolean {
  const g = target.group;
  const sig = info.signo;
  if (target.exited || g.groupExitCode !== null) return false;
  // prepare_signal: job control.
  if (STOP_MASK & sigbit(sig)) {
    g.sharedPending.flush(sigbit(SIGCONT));
    for (const t of g.threads) t.signal.pendingQ.flush(sigbit(SIGCONT));
  } else if (sig === SIGCONT) {
    g.sharedPending.flush(STOP_MASK);
    for (const t of g.threads) t.signal.pendingQ.flush(STOP_MASK);
    if (g.stopSignal !== 0) {
      g.stopSignal = 0;
      for (const t of g.threads) if (t.state === 'stopped') t.state = 'running';
      g.notifyContinued = true;
      g.notifyStopped = false;
      hooks.notifyParentCldStop(g.leader, 'continued');
    }
  }
  if (sigIgnored(target, sig)) return false;
  (group ? g.sharedPending : target.signal.pendingQ).add(info);
  completeSignal(target, sig, group);
  return true;
}

/** complete_signal: picks the thread that takes sig and wakes it; a fatal signal kills the group. */
function completeSignal(target: Task, sig: number, group: boolean): void {
  const g = target.group;
  let t: Task | undefined = wantsSignal(target, sig) ? target : undefined;
  if (t === undefined && group) t = g.threads.find((x) => wantsSignal(x, sig));
  if (t === undefined) return;
  if (sigFatal(t, sig) && !((t.signal.realBlocked ?? t.signal.blocked) & sigbit(sig) & ~UNBLOCKABLE)) {
    // The whole group dies: every thread wakes and exits at its return to user mode.
    const core = sig !== SIGKILL && defaultAction(sig) === 'core' && dumpsCore(t);
    g.groupExitCode = sig | (core ? 0x80 : 0);
    for (const x of g.threads) {
      if (x.state === 'stopped') x.state = 'running';
      wakeUpTask(x);
    }
    return;
  }
  if (sig === SIGKILL || sig === SIGCONT) for (const x of g.threads) if (x.state === 'stopped') x.state = 'running';
  wakeUpTask(t);
}

/**
 * force_sig_fault: a synchronous fault. Blocking or ignoring it does not help: the action is
 * reset to the default and the signal unblocked.
 */
export function forceSig(t: Task, info: SigInfo, hooks: SignalHooks): void {
  const sig = info.signo;
  const act = t.signal.actions[sig];
  const blocked = (t.signal.blocked & sigbit(sig)) !== 0n;
  if (act.handler === SIG_IGN || blocked) {
    act.handler = SIG_DFL;
    t.signal.blocked &= ~sigbit(sig);
  }
  sendSignal(t, info, false, hooks);
}

/** Pending signals t can take now (thread-private and process-wide). */
export function deliverable(t: Task): bigint {
  return (t.signal.pendingQ.set | t.group.sharedPending.set) & ~t.signal.blocked;
}

/** dequeue_signal: synchronous faults first, then the lowest number; private before shared. */
export function dequeueSignal(t: Task, mask: bigint): SigInfo | null {
  const priv = t.signal.pendingQ.set & mask;
  const shared = t.group.sharedPending.set & mask;
  const pick = (set: bigint): number => {
    const sync = set & SYNCHRONOUS_MASK;
    const s = sync !== 0n ? sync : set;
    for (let sig = 1; sig <= 64; sig++) if (s & sigbit(sig)) return sig;
    return 0;
  };
  let sig = pick(priv);
  if (sig !== 0) return t.signal.pendingQ.take(sig) ?? makeSigInfo(sig, 0);
  sig = pick(shared);
  if (sig !== 0) return t.group.sharedPending.take(sig) ?? makeSigInfo(sig, 0);
  return null;
}

export type SignalDecision =
  | { kind: 'none' }
  | { kind: 'handler'; info: SigInfo; action: SigAction }
  | { kind: 'stop' }
  | { kind: 'exit'; code: number; info: SigInfo };

/**
 * get_signal: dequeues until a signal needs something done: a handler to run, a group stop,
 * or a fatal default action (the wait status to exit with). Ignored signals are consumed.
 */
export function getSignal(t: Task, hooks: SignalHooks): SignalDecision {
  const g = t.group;
  for (;;) {
    if (g.groupExitCode !== null) return { kind: 'exit', code: g.groupExitCode, info: makeSigInfo(g.groupExitCode & 0x7f, 0) };
    const info = dequeueSignal(t, ~t.signal.blocked);
    if (info === null) return { kind: 'none' };
    const sig = info.signo;
    const act = t.signal.actions[sig];
    if (sig !== SIGKILL && sig !== SIGSTOP && act.handler === SIG_IGN) continue;
    if (sig !== SIGKILL && sig !== SIGSTOP && act.handler !== SIG_DFL) return { kind: 'handler', info, action: { ...act } };
    const d = sig === SIGKILL ? 'term' : sig === SIGSTOP ? 'stop' : defaultAction(sig);
    if (d === 'ignore' || d === 'cont') continue;
    if (d === 'stop') {
      g.stopSignal = sig;
      g.notifyStopped = true;
      g.notifyContinued = false;
      for (const x of g.threads) if (!x.exited) x.state = 'stopped';
      hooks.notifyParentCldStop(g.leader, 'stopped');
      return { kind: 'stop' };
    }
    const code = sig | (d === 'core' && dumpsCore(t) ? 0x80 : 0);
    g.groupExitCode = code;
    return { kind: 'exit', code, info };
  }
}
