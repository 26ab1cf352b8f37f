// Signal system calls (kernel/signal.c, arch/x86/kernel/signal.c): rt_sigaction and the old
// sigaction/signal, rt_sigprocmask/sigprocmask, rt_sigpending, sigaltstack, kill/tkill/tgkill.
// rt_sigqueueinfo, sigsuspend and rt_sigtimedwait.
import { EAGAIN, EINVAL, ENOMEM, EPERM, ESRCH } from '../errno.js';
import type { Task } from '../proc/task.js';
import { dequeueSignal } from '../signal/deliver.js';
import { frameSigInfo } from '../signal/handle.js';
import { SIGINFO_SIZE, writeSiginfo } from '../signal/siginfo.js';
import { onSigStack, sasSsFlags } from '../signal/altstack.js';
import { ESP } from '../../src/cpu/registers.js';
import { copyFromUser, copyToUser, getUser32, putUser32 } from '../mm/uaccess.js';
import {
  defaultAction, makeSigInfo, MINSIGSTKSZ, NSIG, SA_NODEFER, SIG_DFL, type SigInfo, SA_RESETHAND, SI_TKILL, SI_USER, SIG_BLOCK, SIG_IGN, SIG_SETMASK, SIG_UNBLOCK,
  SIGKILL, SIGSTOP, sigbit, SS_DISABLE, SS_ONSTACK, UNBLOCKABLE, type SigAction,
} from '../signal/signal.js';
import { getTimespec } from './time.js';
import type { SyscallContext } from './types.js';

const SS_AUTODISARM = 0x80000000 | 0;

function validSig(sig: number): boolean {
  return sig >= 1 && sig <= NSIG;
}

/** do_sigaction: stores the new action, returns the old one. */
function doSigaction(c: SyscallContext, sig: number, act: SigAction | null): SigAction | number {
  if (!validSig(sig) || (act !== null && (sig === SIGKILL || sig === SIGSTOP))) return -EINVAL;
  const s = c.task.signal;
  const old = { ...s.actions[sig] };
  if (act !== null) {
    s.actions[sig] = { ...act, mask: act.mask & ~UNBLOCKABLE };
    // Setting a signal to be ignored discards it wherever it is pending in the process.
    if (act.handler === SIG_IGN || (act.handler === SIG_DFL && defaultAction(sig) === 'ignore')) {
      c.task.group.sharedPending.flush(sigbit(sig));
      for (const t of c.task.group.threads) t.signal.pendingQ.flush(sigbit(sig));
    }
  }
  return old;
}

export function sysRtSigaction(c: SyscallContext, sig: number, actp: number, oactp: number, sigsetsize: number): number {
  if (sigsetsize !== 8) return -EINVAL;
  let act: SigAction | null = null;
  if (actp !== 0) {
    const dv = new DataView(copyFromUser(c.mm, actp, 20).buffer);
    act = { handler: dv.getUint32(0, true), flags: dv.getInt32(4, true), restorer: dv.getUint32(8, true), mask: dv.getBigUint64(12, true) };
  }
  const old = doSigaction(c, sig, act);
  if (typeof old === 'number') return old;
  if (oactp !== 0) {
    const b = new Uint8Array(20);
    const dv = new DataView(b.buffer);
    dv.setUint32(0, old.handler, true);
    dv.setInt32(4, old.flags, true);
    dv.setUint32(8, old.restorer, true);
    dv.setBigUint64(12, old.mask, true);
    copyToUser(c.mm, oactp, b);
  }
  return 0;
}

/** The old sigaction: struct old_sigaction {handler, mask (32 bits), flags, restorer}. */
export function sysSigaction(c: SyscallContext, sig: number, actp: number, oactp: number): number {
  let act: SigAction | null = null;
  if (actp !== 0) {
    const dv = new DataView(copyFromUser(c.mm, actp, 16).buffer);
    act = { handler: dv.getUint32(0, true), mask: BigInt(dv.getUint32(4, true)), flags: dv.getInt32(8, true), restorer: dv.getUint32(12, true) };
  }
  const old = doSigaction(c, sig, act);
  if (typeof old === 'number') return old;
  if (oactp !== 0) {
    const b = new Uint8Array(16);
    const dv = new DataView(b.buffer);
    dv.setUint32(0, old.handler, true);
    dv.setUint32(4, Number(old.mask & 0xffffffffn), true);
    dv.setInt32(8, old.flags, true);
    dv.setUint32(12, old.restorer, true);
    copyToUser(c.mm, oactp, b);
  }
  return 0;
}

/** signal(2): SysV semantics (one-shot, not masked while running). */
export function sysSignal(c: SyscallContext, sig: number, handler: number): number {
  const old = doSigaction(c, sig, { handler: handler >>> 0, flags: SA_RESETHAND | SA_NODEFER, restorer: 0, mask: 0n });
  return typeof old === 'number' ? old : old.handler;
}

function applyMask(c: SyscallContext, how: number, set: bigint): number {
  const s = c.task.signal;
  switch (how) {
    case SIG_BLOCK: s.blocked |= set; break;
    case SIG_UNBLOCK: s.blocked &= ~set; break;
    case SIG_SETMASK: s.blocked = set; break;
    default: return -EINVAL;
  }
  s.blocked &= ~UNBLOCKABLE;
  return 0;
}

export function sysRtSigprocmask(c: SyscallContext, how: number, setp: number, osetp: number, sigsetsize: number): number {
  if (sigsetsize !== 8) return -EINVAL;
  const old = c.task.signal.blocked;
  let set: bigint | null = null;
  if (setp !== 0) {
    set = new DataView(copyFromUser(c.mm, setp, 8).buffer).getBigUint64(0, true);
    if (how !== SIG_BLOCK && how !== SIG_UNBLOCK && how !== SIG_SETMASK) return -EINVAL;
  }
  if (osetp !== 0) {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, old, true);
    copyToUser(c.mm, osetp, b);
  }
  return set === null ? 0 : applyMask(c, how, set);
}

export function sysSigprocmask(c: SyscallContext, how: number, setp: number, osetp: number): number {
  const old = c.task.signal.blocked;
  let set: bigint | null = null;
  if (setp !== 0) {
    set = BigInt(getUser32(c.mm, setp) >>> 0);
    if (how !== SIG_BLOCK && how !== SIG_UNBLOCK && how !== SIG_SETMASK) return -EINVAL;
  }
  if (osetp !== 0) putUser32(c.mm, osetp, Number(old & 0xffffffffn));
  if (set === null) return 0;
  if (how === SIG_SETMASK) set |= old & ~0xffffffffn;
  return applyMask(c, how, set);
}

export function sysRtSigpending(c: SyscallContext, setp: number, sigsetsize: number): number {
  if (sigsetsize > 8) return -EINVAL;
  const s = c.task.signal;
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, (s.pending | c.task.group.sharedPending.set) & s.blocked, true);
  copyToUser(c.mm, setp, b.subarray(0, sigsetsize));
  return 0;
}

export function sysSigaltstack(c: SyscallContext, ssp: number, ossp: number): number {
  const alt = c.task.signal.altStack;
  const esp = c.cpu.regs[ESP];
  let next: typeof alt | null = null;
  if (ssp !== 0) {
    if (onSigStack(alt, esp)) return -EPERM; // not while running on it
    const dv = new DataView(copyFromUser(c.mm, ssp, 12).buffer);
    const sp = dv.getUint32(0, true), flags = dv.getInt32(4, true), size = dv.getUint32(8, true);
    const mode = flags & ~SS_AUTODISARM;
    if (mode !== 0 && mode !== SS_DISABLE && mode !== SS_ONSTACK) return -EINVAL;
    if (mode === SS_DISABLE) next = { sp: 0, flags: SS_DISABLE, size: 0 };
    else {
      if (size < MINSIGSTKSZ) return -ENOMEM;
      next = { sp, flags: flags & SS_AUTODISARM, size };
    }
  }
  if (ossp !== 0) {
    const b = new Uint8Array(12);
    const dv = new DataView(b.buffer);
    dv.setUint32(0, alt.sp, true);
    // sas_ss_flags: SS_ONSTACK while the caller runs on it, SS_DISABLE without one.
    dv.setInt32(4, sasSsFlags(alt, esp) | (alt.flags & SS_AUTODISARM), true);
    dv.setUint32(8, alt.size, true);
    copyToUser(c.mm, ossp, b);
  }
  if (next !== null) c.task.signal.altStack = next;
  return 0;
}

function validSignal(sig: number): boolean {
  return sig >= 0 && sig <= NSIG;
}

function infoFrom(c: SyscallContext, sig: number, code: number): SigInfo {
  return makeSigInfo(sig, code, { pid: c.task.pid, uid: c.task.cred.uid });
}

/** kill(2): one process, the caller's group (0), a group (-pgid) or everyone it may signal (-1). */
export function sysKill(c: SyscallContext, pid: number, sig: number): number {
  if (!validSignal(sig)) return -EINVAL;
  let targets: Task[];
  if (pid > 0) {
    const t = c.sched.find(pid);
    const leader = t?.group.leader;
    if (leader === undefined || (leader.exited && !leader.group.threads.some((x) => !x.exited))) return -ESRCH;
    targets = [leader];
  } else {
    const pgid = pid === 0 ? c.task.pgid : -pid;
    targets = c.sched.processes().filter((p) => !p.exited && (pid === -1 ? p.group !== c.task.group : p.pgid === pgid));
    if (pid === -1) targets.push(c.task.group.leader);
    if (targets.length === 0) return -ESRCH;
  }
  if (sig === 0) return 0;
  for (const t of targets) c.signalTask(t, infoFrom(c, sig, SI_USER), true);
  return 0;
}

function threadSignal(c: SyscallContext, tgid: number, tid: number, sig: number): number {
  if (!validSignal(sig)) return -EINVAL;
  const t = c.sched.find(tid);
  if (t === undefined || t.exited || (tgid > 0 && t.pid !== tgid)) return -ESRCH;
  if (sig !== 0) c.signalTask(t, infoFrom(c, sig, SI_TKILL), false);
  return 0;
}

export function sysTkill(c: SyscallContext, tid: number, sig: number): number {
  if (tid <= 0) return -EINVAL;
  return threadSignal(c, -1, tid, sig);
}

export function sysTgkill(c: SyscallContext, tgid: number, tid: number, sig: number): number {
  if (tgid <= 0 || tid <= 0) return -EINVAL;
  return threadSignal(c, tgid, tid, sig);
}

/** rt_sigqueueinfo / rt_tgsigqueueinfo: the caller's siginfo (si_code must be negative). */
function queueInfo(c: SyscallContext, tgid: number, tid: number, sig: number, uinfo: number): number {
  if (!validSignal(sig)) return -EINVAL;
  const dv = new DataView(copyFromUser(c.mm, uinfo, 128).buffer);
  const code = dv.getInt32(8, true);
  const target = c.sched.find(tid);
  if ((code >= 0 || code === SI_TKILL) && target?.group !== c.task.group) return -EPERM;
  if (target === undefined || target.exited || (tgid > 0 && target.pid !== tgid)) return -ESRCH;
  if (sig === 0) return 0;
  const info = makeSigInfo(sig, code, { pid: dv.getInt32(12, true), uid: dv.getInt32(16, true), value: dv.getInt32(20, true) });
  c.signalTask(tgid > 0 ? target : target.group.leader, info, tgid <= 0);
  return 0;
}

export function sysRtSigqueueinfo(c: SyscallContext, pid: number, sig: number, uinfo: number): number {
  return queueInfo(c, -1, pid, sig, uinfo);
}

export function sysRtTgsigqueueinfo(c: SyscallContext, tgid: number, tid: number, sig: number, uinfo: number): number {
  return queueInfo(c, tgid, tid, sig, uinfo);
}

/** sigsuspend: waits with a temporary mask until a handler runs; the old mask returns after it. */
function suspend(c: SyscallContext, mask: bigint): number {
  const t = c.task;
  const r = t.restart;
  if (r === null) {
    const old = t.signal.blocked;
    t.signal.blocked = mask & ~UNBLOCKABLE;
    const ret = c.block([], -1n, 'nohand');
    t.restart!.savedMask = old;
    return ret;
  }
  return c.block([], -1n, 'nohand');
}

export function sysRtSigsuspend(c: SyscallContext, maskp: number, sigsetsize: number): number {
  if (sigsetsize !== 8) return -EINVAL;
  if (c.task.restart !== null) return suspend(c, 0n);
  return suspend(c, new DataView(copyFromUser(c.mm, maskp, 8).buffer).getBigUint64(0, true));
}

/** The old sigsuspend(int, int, old_sigset_t mask): the mask is the third argument. */
export function sysSigsuspend(c: SyscallContext, _a: number, _b: number, mask: number): number {
  return suspend(c, (c.task.signal.blocked & ~0xffffffffn) | BigInt(mask >>> 0));
}

/** rt_sigtimedwait: takes a pending signal of the set synchronously, or waits for one. */
function timedwait(c: SyscallContext, setp: number, infop: number, timeout: number, sigsetsize: number, wide: boolean): number {
  if (sigsetsize !== 8) return -EINVAL;
  const t = c.task;
  const set = new DataView(copyFromUser(c.mm, setp, 8).buffer).getBigUint64(0, true) & ~UNBLOCKABLE;
  const r = t.restart;
  const info = dequeueSignal(t, set);
  if (info !== null) {
    if (r?.savedMask != null) t.signal.blocked = r.savedMask;
    t.signal.realBlocked = null;
    if (infop !== 0) {
      const b = new Uint8Array(SIGINFO_SIZE);
      writeSiginfo(b, frameSigInfo(info));
      copyToUser(c.mm, infop, b);
    }
    return info.signo;
  }
  let deadline = r?.deadline ?? -1n;
  if (r === null && timeout !== 0) {
    const ns = getTimespec(c, timeout, wide);
    if (ns === null) return -EINVAL;
    deadline = c.now() + ns;
  }
  if (deadline >= 0n && c.now() >= deadline) {
    if (r?.savedMask != null) t.signal.blocked = r.savedMask;
    t.signal.realBlocked = null;
    return -EAGAIN;
  }
  // While waiting, the set is unblocked so that its signals wake the task (and are taken here).
  const saved = r?.savedMask ?? t.signal.blocked;
  t.signal.realBlocked = saved;
  t.signal.blocked = saved & ~set;
  const ret = c.block([], deadline, 'nohand');
  t.restart!.savedMask = saved;
  return ret;
}

export function sysRtSigtimedwait(c: SyscallContext, setp: number, infop: number, timeout: number, sigsetsize: number): number {
  return timedwait(c, setp, infop, timeout, sigsetsize, false);
}

export function sysRtSigtimedwaitTime64(c: SyscallContext, setp: number, infop: number, timeout: number, sigsetsize: number): number {
  return timedwait(c, setp, infop, timeout, sigsetsize, true);
}
