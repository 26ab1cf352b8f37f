// handle_signal: runs a handler for a dequeued signal on the task on the CPU. Chooses the rt
// frame (SA_SIGINFO) or the old one as Linux does, then does signal_delivered's part: the
// handler's mask (and the signal itself unless SA_NODEFER) is blocked while it runs, and
// SA_RESETHAND puts the default action back. A mask saved by sigsuspend is what the frame
// restores.
import type { Kernel } from '../kernel.js';
import type { Task } from '../proc/task.js';
import { setupFrame, setupRtFrame, type SigInfo as FrameSigInfo } from './frame.js';
import {
  SA_NODEFER, SA_RESETHAND, SA_SIGINFO, SIG_DFL, SIGBUS, SIGCHLD, SIGFPE, SIGILL, SIGSEGV, SIGTRAP, type SigAction,
  sigbit, type SigInfo, SI_QUEUE, SI_TIMER, siCodeName, signalName, UNBLOCKABLE,
} from './signal.js';

const FAULT_SIGNALS = [SIGILL, SIGTRAP, SIGBUS, SIGFPE, SIGSEGV];

/** The union member of siginfo_t that the signal and si_code select. */
export function frameSigInfo(i: SigInfo): FrameSigInfo {
  const base = { signo: i.signo, errno: i.errno, code: i.code };
  if (i.code > 0 && i.code < 0x80 && FAULT_SIGNALS.includes(i.signo)) return { ...base, kind: 'fault', addr: i.addr };
  if (i.signo === SIGCHLD && i.code > 0 && i.code < 0x80) {
    return { ...base, kind: 'chld', pid: i.pid, uid: i.uid, status: i.status, utime: i.utime, stime: i.stime };
  }
  if (i.code === SI_TIMER) return { ...base, kind: 'timer', tid: i.tid, overrun: i.overrun, value: i.value };
  if (i.code === SI_QUEUE || i.code < 0) return { ...base, kind: 'rt', pid: i.pid, uid: i.uid, value: i.value };
  return { ...base, kind: 'kill', pid: i.pid, uid: i.uid };
}

/** Builds the frame and enters the handler; false when the frame could not be written. */
export function setupSignalFrame(k: Kernel, t: Task, info: SigInfo, act: SigAction): boolean {
  const s = t.signal;
  const oldMask = t.savedSigmask ?? s.blocked;
  const trap = { trapno: t.trapno, err: t.trapErr, cr2: t.trapCr2 };
  const ok = act.flags & SA_SIGINFO
    ? setupRtFrame(k.cpu, t.mm, info.signo, frameSigInfo(info), act, oldMask, s.altStack, trap)
    : setupFrame(k.cpu, t.mm, info.signo, act, oldMask, s.altStack, trap);
  if (!ok) return false;
  t.savedSigmask = null;
  let blocked = s.blocked | act.mask;
  if (!(act.flags & SA_NODEFER)) blocked |= sigbit(info.signo);
  s.blocked = blocked & ~UNBLOCKABLE;
  // SA_RESETHAND (SA_ONESHOT): only the handler goes back to SIG_DFL; flags and mask stay.
  if (act.flags & SA_RESETHAND) s.actions[info.signo].handler = SIG_DFL;
  const tr = k.tracer;
  if (tr.write !== null) tr.write(`${k.tracePrefix(t)}--- ${signalLine(info)} ---`);
  return true;
}

/** strace's "SIGUSR1 {si_signo=SIGUSR1, si_code=SI_USER, si_pid=1000, si_uid=0}". */
export function signalLine(i: SigInfo): string {
  const name = signalName(i.signo);
  const f = frameSigInfo(i);
  let rest = '';
  if (f.kind === 'fault') rest = `, si_addr=${f.addr === 0 ? 'NULL' : '0x' + (f.addr >>> 0).toString(16)}`;
  else if (f.kind === 'chld') rest = `, si_pid=${f.pid}, si_uid=${f.uid}, si_status=${f.status}, si_utime=${f.utime}, si_stime=${f.stime}`;
  else if (f.kind === 'kill' || f.kind === 'rt') rest = `, si_pid=${f.pid}, si_uid=${f.uid}`;
  return `${name} {si_signo=${name}, si_code=${siCodeName(i.signo, i.code)}${rest}}`;
}
