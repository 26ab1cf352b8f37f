// fork, vfork, clone and clone3 (kernel/fork.c): argument decoding for i386 (clone's order is
// flags, newsp, parent_tidptr, tls, child_tidptr; the TLS is a struct user_desc) and struct
// clone_args for clone3; the work is copyProcess's.
import { GDT_ENTRY_TLS_ENTRIES, GDT_ENTRY_TLS_MIN } from '../../src/cpu/registers.js';
import { E2BIG, EINVAL, ESRCH } from '../errno.js';
import { copyFromUser, putUser32 } from '../mm/uaccess.js';
import {
  type CloneArgs, cloneFlagsError, CLONE_SETTLS, CLONE_THREAD, CLONE_VFORK, CLONE_VM,
} from '../proc/fork.js';
import { NSIG, SIGCHLD } from '../signal/signal.js';
import type { SyscallContext } from './types.js';

/** Reads the user_desc CLONE_SETTLS points at (set_thread_area's rules; -1 picks a free slot). */
function readTls(c: SyscallContext, ptr: number): CloneArgs['tls'] | number {
  const dv = new DataView(copyFromUser(c.mm, ptr, 16).buffer);
  let entry = dv.getInt32(0, true);
  if (entry === -1) {
    const free = c.cpu.tls.findIndex((d) => !d.present);
    if (free < 0) return -ESRCH;
    entry = GDT_ENTRY_TLS_MIN + free;
    putUser32(c.mm, ptr, entry);
  }
  if (entry < GDT_ENTRY_TLS_MIN || entry >= GDT_ENTRY_TLS_MIN + GDT_ENTRY_TLS_ENTRIES) return -EINVAL;
  return { entry, base: dv.getUint32(4, true), limit: dv.getUint32(8, true), flags: dv.getUint32(12, true) };
}

function kernelClone(c: SyscallContext, a: CloneArgs, tlsPtr: number): number {
  const err = cloneFlagsError(a.flags);
  if (err < 0) return err;
  if (a.exitSignal < 0 || a.exitSignal > NSIG) return -EINVAL;
  if (a.flags & CLONE_SETTLS) {
    const tls = readTls(c, tlsPtr);
    if (typeof tls === 'number') return tls;
    a.tls = tls;
  }
  c.straceNote = null;
  return c.fork(a);
}

export function sysFork(c: SyscallContext): number {
  return kernelClone(c, { flags: 0, exitSignal: SIGCHLD, stack: 0, parentTid: 0, childTid: 0, tls: null }, 0);
}

export function sysVfork(c: SyscallContext): number {
  return kernelClone(c, { flags: CLONE_VFORK | CLONE_VM, exitSignal: SIGCHLD, stack: 0, parentTid: 0, childTid: 0, tls: null }, 0);
}

export function sysClone(c: SyscallContext, flags: number, newsp: number, parentTid: number, tls: number, childTid: number): number {
  const exitSignal = flags & 0xff;
  const f = flags & ~0xff;
  return kernelClone(c, { flags: f, exitSignal: f & CLONE_THREAD ? 0 : exitSignal, stack: newsp >>> 0, parentTid, childTid, tls: null }, tls);
}

/** clone3(struct clone_args *, size): u64 fields; the stack is [stack, stack + stack_size). */
export function sysClone3(c: SyscallContext, uargs: number, size: number): number {
  if ((size >>> 0) < 64) return -EINVAL;
  if ((size >>> 0) > 4096) return -E2BIG;
  const dv = new DataView(copyFromUser(c.mm, uargs, 88 <= size ? 88 : 64).buffer);
  const u = (o: number) => Number(dv.getBigUint64(o, true) & 0xffffffffn);
  const flags = Number(dv.getBigUint64(0, true) & 0xffffffffn) | 0;
  if (dv.getBigUint64(0, true) > 0xffffffffn) return -EINVAL;
  const exitSignal = u(32), stack = u(40), stackSize = u(48), tls = u(56);
  if (dv.byteLength >= 80 && (dv.getBigUint64(64, true) !== 0n || dv.getBigUint64(72, true) !== 0n)) return -EINVAL; // set_tid
  if ((stack === 0) !== (stackSize === 0)) return -EINVAL;
  return kernelClone(c, {
    flags, exitSignal: flags & CLONE_THREAD ? 0 : exitSignal, stack: stack === 0 ? 0 : (stack + stackSize) >>> 0,
    parentTid: u(24), childTid: u(16), tls: null,
  }, tls);
}
