// Signal system calls (kernel/signal.c, arch/x86/kernel/signal.c): rt_sigaction and the old
// sigaction/signal, rt_sigprocmask/sigprocmask, rt_sigpending, sigaltstack, kill/tkill/tgkill.
// Handlers are stored; delivering to a user handler needs signal frames (a later step), so
// for now a signal whose action is a handler terminates the process with a note.
import { EINVAL, ENOMEM, ESRCH } from '../errno.js';
import { copyFromUser, copyToUser, getUser32, putUser32 } from '../mm/uaccess.js';
import {
  MINSIGSTKSZ, NSIG, SA_NODEFER, SA_RESETHAND, SI_TKILL, SI_USER, SIG_BLOCK, SIG_IGN, SIG_SETMASK, SIG_UNBLOCK,
  SIGKILL, SIGSTOP, sigbit, SS_DISABLE, SS_ONSTACK, UNBLOCKABLE, type SigAction,
} from '../signal/signal.js';
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
    if (act.handler === SIG_IGN) s.pending &= ~sigbit(sig);
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
  c.recalcSigpending();
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
  new DataView(b.buffer).setBigUint64(0, s.pending & s.blocked, true);
  copyToUser(c.mm, setp, b.subarray(0, sigsetsize));
  return 0;
}

export function sysSigaltstack(c: SyscallContext, ssp: number, ossp: number): number {
  const alt = c.task.signal.altStack;
  let next: typeof alt | null = null;
  if (ssp !== 0) {
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
    dv.setInt32(4, alt.flags, true);
    dv.setUint32(8, alt.size, true);
    copyToUser(c.mm, ossp, b);
  }
  if (next !== null) c.task.signal.altStack = next;
  return 0;
}

function sendToSelf(c: SyscallContext, sig: number, code: number): number {
  if (sig < 0 || sig > NSIG) return -EINVAL;
  if (sig !== 0) c.sendSignal(sig, code);
  return 0;
}

export function sysKill(c: SyscallContext, pid: number, sig: number): number {
  const t = c.task;
  if (pid > 0 && pid !== t.pid) return -ESRCH;
  if (pid < -1 && -pid !== t.pgid) return -ESRCH;
  return sendToSelf(c, sig, SI_USER);
}

export function sysTkill(c: SyscallContext, tid: number, sig: number): number {
  if (tid <= 0) return -EINVAL;
  if (tid !== c.task.tid) return -ESRCH;
  return sendToSelf(c, sig, SI_TKILL);
}

export function sysTgkill(c: SyscallContext, tgid: number, tid: number, sig: number): number {
  if (tgid <= 0 || tid <= 0) return -EINVAL;
  if (tgid !== c.task.pid || tid !== c.task.tid) return -ESRCH;
  return sendToSelf(c, sig, SI_TKILL);
}

