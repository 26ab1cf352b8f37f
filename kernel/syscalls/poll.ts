// poll, ppoll, select, _newselect and pselect6 (fs/select.c) over any open file: an inode with
// a poll() method reports its readiness (pipes), any other is always ready for reading and
// writing (regular files, the host's stdio, devices). Nothing ready and time left: the caller
// sleeps on every polled file's wait queue until one changes or the timeout passes; a signal
// handler ends the wait with EINTR (ERESTARTNOHAND).
import { EBADF, EINVAL } from '../errno.js';
import { POLLERR, POLLHUP, POLLIN, POLLNVAL, POLLOUT, POLLPRI, POLLRDNORM, POLLWRNORM } from '../fs/pipe.js';
import { copyFromUser, copyToUser } from '../mm/uaccess.js';
import type { WaitQueue } from '../proc/waitQueue.js';
import { UNBLOCKABLE } from '../signal/signal.js';
import { BLOCKED } from '../syscallEntry.js';
import { getTimespec } from './time.js';
import type { SyscallContext } from './types.js';

const NS = 1_000_000_000n;
const POLLRDBAND = 0x80, POLLWRBAND = 0x200;
const ALWAYS_READY = POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;

/** Readiness of fd (POLLNVAL when closed) and where to sleep for a change. */
function pollFd(c: SyscallContext, fd: number, queues: WaitQueue[], wait: boolean): number {
  const f = c.task.files.get(fd);
  if (f === undefined) return POLLNVAL;
  const q = f.inode.waitQueue;
  if (q !== undefined && !queues.includes(q)) queues.push(q);
  return f.inode.poll ? f.inode.poll(wait) : ALWAYS_READY;
}

/** The deadline for a timeout of ns (null: wait forever), kept across the call's re-runs. */
function deadlineFor(c: SyscallContext, ns: bigint | null): bigint {
  const r = c.task.restart;
  if (r !== null) return r.deadline;
  return ns === null ? -1n : c.now() + ns;
}

function expired(c: SyscallContext, deadline: bigint): boolean {
  return deadline >= 0n && c.now() >= deadline;
}

/** ppoll/pselect's temporary signal mask, restored when the call returns. */
function applySigmask(c: SyscallContext, mask: bigint | null): void {
  if (mask === null) return;
  const t = c.task;
  if (t.restart === null) t.savedSigmask = t.signal.blocked;
  t.signal.blocked = mask & ~UNBLOCKABLE;
}

function finish(c: SyscallContext, mask: bigint | null, ret: number): number {
  const t = c.task;
  if (mask !== null && t.savedSigmask !== null) {
    t.signal.blocked = t.savedSigmask;
    t.savedSigmask = null;
  }
  return ret;
}

type TimeLayout = 'timeval' | 'timespec' | 'timespec64';

/**
 * poll_select_finish: ppoll, pselect6 and select write the time left back into the caller's
 * timeout on every return (0 once it ran out; EINTR and errors too), unless the timeout was
 * zero. glibc's select() relies on it to update its timeval.
 */
function withTimeLeft(c: SyscallContext, ptr: number, layout: TimeLayout, ns: bigint | null, run: () => number): number {
  const r = c.task.restart;
  if (ptr === 0 || (r === null && ns === 0n)) return run();
  const deadline = r !== null ? r.deadline : ns === null ? -1n : c.now() + ns;
  const ret = run();
  if (deadline < 0n) return ret;
  const write = (): void => {
    const left = deadline > c.now() ? deadline - c.now() : 0n;
    const b = new Uint8Array(layout === 'timespec64' ? 16 : 8);
    const dv = new DataView(b.buffer);
    if (layout === 'timespec64') {
      dv.setBigInt64(0, left / NS, true);
      dv.setBigInt64(8, left % NS, true);
    } else {
      dv.setInt32(0, Number(left / NS), true);
      dv.setInt32(4, Number(layout === 'timeval' ? (left % NS) / 1000n : left % NS), true);
    }
    copyToUser(c.mm, ptr, b);
  };
  if (ret === BLOCKED) c.task.restart!.onInterrupt = write;
  else write();
  return ret;
}

function doPoll(c: SyscallContext, ufds: number, nfds: number, timeoutNs: bigint | null, mask: bigint | null): number {
  if (nfds < 0 || nfds > c.task.files.maxFds) return -EINVAL;
  const deadline = deadlineFor(c, timeoutNs);
  applySigmask(c, mask);
  const raw = copyFromUser(c.mm, ufds, nfds * 8);
  const dv = new DataView(raw.buffer);
  const queues: WaitQueue[] = [];
  let ready = 0;
  for (let i = 0; i < nfds; i++) {
    const fd = dv.getInt32(i * 8, true);
    const events = dv.getInt16(i * 8 + 4, true);
    let rev = 0;
    if (fd >= 0) {
      const m = pollFd(c, fd, queues, timeoutNs !== 0n);
      rev = m & (events | POLLERR | POLLHUP | POLLNVAL);
    }
    dv.setInt16(i * 8 + 6, rev, true);
    if (rev !== 0) ready++;
  }
  if (ready > 0 || timeoutNs === 0n || expired(c, deadline)) {
    copyToUser(c.mm, ufds, raw);
    return finish(c, mask, ready);
  }
  const ret = c.block(queues, deadline, 'nohand');
  if (mask !== null) c.task.restart!.savedMask = c.task.savedSigmask;
  return ret;
}

export function sysPoll(c: SyscallContext, ufds: number, nfds: number, timeoutMs: number): number {
  return doPoll(c, ufds, nfds >>> 0, timeoutMs < 0 ? null : BigInt(timeoutMs) * 1_000_000n, null);
}

/** The timeout a timespec pointer gives (null: none), or -EINVAL. */
function readTimespec(c: SyscallContext, ptr: number, wide: boolean): bigint | number | null {
  if (ptr === 0) return null;
  return getTimespec(c, ptr, wide) ?? -EINVAL;
}

function readSigmask(c: SyscallContext, ptr: number, size: number): bigint | number | null {
  if (ptr === 0) return null;
  if (size !== 8) return -EINVAL;
  return new DataView(copyFromUser(c.mm, ptr, 8).buffer).getBigUint64(0, true);
}

function ppoll(c: SyscallContext, ufds: number, nfds: number, tsp: number, sigmask: number, size: number, wide: boolean): number {
  const t = c.task.restart === null ? readTimespec(c, tsp, wide) : null;
  if (typeof t === 'number') return t;
  const m = readSigmask(c, sigmask, size);
  if (typeof m === 'number') return m;
  const layout = wide ? 'timespec64' : 'timespec';
  return withTimeLeft(c, tsp, layout, t, () => doPoll(c, ufds, nfds >>> 0, tsp === 0 ? null : t, m));
}

export function sysPpoll(c: SyscallContext, ufds: number, nfds: number, tsp: number, sigmask: number, size: number): number {
  return ppoll(c, ufds, nfds, tsp, sigmask, size, false);
}

export function sysPpollTime64(c: SyscallContext, ufds: number, nfds: number, tsp: number, sigmask: number, size: number): number {
  return ppoll(c, ufds, nfds, tsp, sigmask, size, true);
}

// ---- select -------------------------------------------------------------------------------

const SEL_IN = POLLIN | POLLRDNORM | POLLRDBAND | POLLHUP | POLLERR;
const SEL_OUT = POLLOUT | POLLWRNORM | POLLWRBAND | POLLERR;
const SEL_EX = POLLPRI;

function readFdSet(c: SyscallContext, ptr: number, bytes: number): Uint8Array | null {
  return ptr === 0 ? null : copyFromUser(c.mm, ptr, bytes);
}

function doSelect(c: SyscallContext, n: number, inp: number, outp: number, exp: number, timeoutNs: bigint | null, mask: bigint | null): number {
  if (n < 0) return -EINVAL;
  n = Math.min(n, c.task.files.maxFds);
  const bytes = Math.ceil(n / 32) * 4;
  const deadline = deadlineFor(c, timeoutNs);
  applySigmask(c, mask);
  const sets = [readFdSet(c, inp, bytes), readFdSet(c, outp, bytes), readFdSet(c, exp, bytes)];
  const outs = sets.map((s) => (s === null ? null : new Uint8Array(s.length)));
  const queues: WaitQueue[] = [];
  let ready = 0;
  for (let fd = 0; fd < n; fd++) {
    const bit = 1 << (fd & 7), byte = fd >> 3;
    const wanted = sets.map((s) => s !== null && (s[byte] & bit) !== 0);
    if (!wanted.some((w) => w)) continue;
    const m = pollFd(c, fd, queues, timeoutNs !== 0n);
    if (m === POLLNVAL) return finish(c, mask, -EBADF);
    const hits = [m & SEL_IN, m & SEL_OUT, m & SEL_EX];
    for (let k = 0; k < 3; k++) {
      if (wanted[k] && hits[k]) {
        outs[k]![byte] |= bit;
        ready++;
      }
    }
  }
  if (ready > 0 || timeoutNs === 0n || expired(c, deadline)) {
    const ptrs = [inp, outp, exp];
    for (let k = 0; k < 3; k++) if (outs[k] !== null) copyToUser(c.mm, ptrs[k], outs[k]!);
    return finish(c, mask, ready);
  }
  const ret = c.block(queues, deadline, 'nohand');
  if (mask !== null) c.task.restart!.savedMask = c.task.savedSigmask;
  return ret;
}

/** _newselect: the timeval is updated with the time left, as Linux does. */
export function sysNewselect(c: SyscallContext, n: number, inp: number, outp: number, exp: number, tvp: number): number {
  let ns: bigint | null = null;
  if (tvp !== 0 && c.task.restart === null) {
    const dv = new DataView(copyFromUser(c.mm, tvp, 8).buffer);
    const sec = dv.getInt32(0, true), usec = dv.getInt32(4, true);
    if (sec < 0 || usec < 0 || usec >= 1e6) return -EINVAL;
    ns = BigInt(sec) * NS + BigInt(usec) * 1000n;
  }
  return withTimeLeft(c, tvp, 'timeval', ns, () => doSelect(c, n, inp, outp, exp, tvp === 0 ? null : ns, null));
}

/** The old select(struct sel_arg_struct *). */
export function sysOldSelect(c: SyscallContext, argp: number): number {
  const dv = new DataView(copyFromUser(c.mm, argp, 20).buffer);
  return sysNewselect(c, dv.getInt32(0, true), dv.getInt32(4, true), dv.getInt32(8, true), dv.getInt32(12, true), dv.getInt32(16, true));
}

function pselect(c: SyscallContext, n: number, inp: number, outp: number, exp: number, tsp: number, sig: number, wide: boolean): number {
  const t = c.task.restart === null ? readTimespec(c, tsp, wide) : null;
  if (typeof t === 'number') return t;
  let mask: bigint | null = null;
  if (sig !== 0) {
    // The sixth argument points at {const sigset_t *ss; size_t ss_len}.
    const dv = new DataView(copyFromUser(c.mm, sig, 8).buffer);
    const m = readSigmask(c, dv.getUint32(0, true), dv.getUint32(4, true));
    if (typeof m === 'number') return m;
    mask = m;
  }
  const layout = wide ? 'timespec64' : 'timespec';
  return withTimeLeft(c, tsp, layout, t, () => doSelect(c, n, inp, outp, exp, tsp === 0 ? null : t, mask));
}

export function sysPselect6(c: SyscallContext, n: number, inp: number, outp: number, exp: number, tsp: number, sig: number): number {
  return pselect(c, n, inp, outp, exp, tsp, sig, false);
}

export function sysPselect6Time64(c: SyscallContext, n: number, inp: number, outp: number, exp: number, tsp: number, sig: number): number {
  return pselect(c, n, inp, outp, exp, tsp, sig, true);
}
