// Deciding what a signal does to the task (kernel/signal.c: send_signal, force_sig_fault,
// get_signal's default actions). Until signal frames exist, a signal whose action is a user
// handler ends the process too, with a note saying so; ignored signals are dropped; blocked
// ones wait in the pending set until the mask opens.
import type { DeathInfo, Task } from '../proc/task.js';
import {
  defaultAction, SIG_DFL, SIG_IGN, SIGKILL, SIGSTOP, sigbit, UNBLOCKABLE,
} from './signal.js';

export type SignalOutcome = 'ignored' | 'pending' | 'fatal';

/** What happens now to an unblocked signal under the task's current action. */
function dispose(task: Task, sig: number, code: number, faultAddr: number | null, eip: number): SignalOutcome {
  const act = task.signal.actions[sig];
  if (sig !== SIGKILL && sig !== SIGSTOP && act.handler === SIG_IGN) return 'ignored';
  let note: string | undefined;
  if (act.handler === SIG_DFL || sig === SIGKILL || sig === SIGSTOP) {
    const d = defaultAction(sig);
    if (d === 'ignore' || d === 'cont') return 'ignored';
    if (d === 'stop') return 'ignored'; // no job control: nothing could ever continue the task
  } else {
    note = `the guest's handler at 0x${act.handler.toString(16)} was not run: signal delivery to handlers is not implemented yet`;
  }
  kill(task, { signal: sig, code, faultAddr, eip, note });
  return 'fatal';
}

export function kill(task: Task, death: DeathInfo): void {
  if (task.state === 'exited') return;
  task.state = 'exited';
  task.termSignal = death.signal;
  task.death = death;
}

/** send_signal to the task from itself or the kernel (kill, tgkill, SIGPIPE). */
export function sendSignal(task: Task, sig: number, code: number, eip: number): SignalOutcome {
  const s = task.signal;
  if (s.blocked & sigbit(sig) & ~UNBLOCKABLE) {
    if (s.actions[sig].handler === SIG_IGN) return 'ignored';
    s.pending |= sigbit(sig);
    s.pendingCodes[sig] = code;
    return 'pending';
  }
  return dispose(task, sig, code, null, eip);
}

/**
 * force_sig_fault: a synchronous fault (SIGSEGV, SIGILL, ...). Blocking or ignoring it does
 * not help: Linux resets the action to the default and kills.
 */
export function forceSigFault(task: Task, sig: number, code: number, faultAddr: number | null, eip: number, note?: string): void {
  const act = task.signal.actions[sig];
  if (act.handler === SIG_IGN || task.signal.blocked & sigbit(sig)) {
    act.handler = SIG_DFL;
    task.signal.blocked &= ~sigbit(sig);
  }
  if (act.handler === SIG_DFL) {
    kill(task, { signal: sig, code, faultAddr, eip, note });
    return;
  }
  dispose(task, sig, code, faultAddr, eip);
}

/** Delivers pending signals the mask no longer blocks (after sigprocmask). */
export function recalcSigpending(task: Task, eip: number): void {
  const s = task.signal;
  let ready = s.pending & ~s.blocked;
  for (let sig = 1; ready !== 0n && task.state === 'running'; sig++, ready >>= 1n) {
    if (ready & 1n) {
      s.pending &= ~sigbit(sig);
      dispose(task, sig, s.pendingCodes[sig] ?? 0, null, eip);
    }
  }
}
