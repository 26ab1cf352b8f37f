// fork, vfork, clone and clone3 all come here (kernel/fork.c copy_process + kernel_clone): the
// new task starts as a copy of the caller's registers with EAX = 0, and shares or copies each
// resource as the CLONE_ flags say. The TLS descriptor (CLONE_SETTLS) is an i386 user_desc.
import { EAX, ESP } from '../../src/cpu/registers.js';
import { EAGAIN, EINVAL, ENOMEM } from '../errno.js';
import { dupMm, type ForkStats } from '../mm/fork.js';
import { putUser32 } from '../mm/uaccess.js';
import { SS_DISABLE } from '../signal/signal.js';
import type { Scheduler } from './sched.js';
import { RLIMIT_NPROC, Task, ThreadGroup } from './task.js';

/** The most tasks the emulator keeps at once (a fork bomb gets EAGAIN, as under RLIMIT_NPROC). */
const MAX_TASKS = 4096;

export const CLONE_VM = 0x100, CLONE_FS = 0x200, CLONE_FILES = 0x400, CLONE_SIGHAND = 0x800;
export const CLONE_PIDFD = 0x1000, CLONE_PTRACE = 0x2000, CLONE_VFORK = 0x4000, CLONE_PARENT = 0x8000;
export const CLONE_THREAD = 0x10000, CLONE_NEWNS = 0x20000, CLONE_SYSVSEM = 0x40000, CLONE_SETTLS = 0x80000;
export const CLONE_PARENT_SETTID = 0x100000, CLONE_CHILD_CLEARTID = 0x200000, CLONE_DETACHED = 0x400000;
export const CLONE_UNTRACED = 0x800000, CLONE_CHILD_SETTID = 0x1000000, CLONE_IO = 0x80000000 | 0;
/** Namespace and cgroup flags we do not model. */
const CLONE_UNSUPPORTED = 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000 | CLONE_NEWNS | CLONE_PIDFD;

export interface CloneArgs {
  flags: number;
  exitSignal: number;
  /** New stack pointer (0: the caller's). */
  stack: number;
  parentTid: number;
  childTid: number;
  /** CLONE_SETTLS: the new TLS descriptor, already read from the user_desc. */
  tls: { entry: number; base: number; limit: number; flags: number } | null;
}

/** Checks the flag combinations Linux refuses (copy_process's sanity checks). */
export function cloneFlagsError(flags: number): number {
  if ((flags & (CLONE_NEWNS | CLONE_FS)) === (CLONE_NEWNS | CLONE_FS)) return -EINVAL;
  if (flags & CLONE_THREAD && !(flags & CLONE_SIGHAND)) return -EINVAL;
  if (flags & CLONE_SIGHAND && !(flags & CLONE_VM)) return -EINVAL;
  if (flags & CLONE_UNSUPPORTED) return -EINVAL;
  return 0;
}

/**
 * copy_process: creates the child of the running task parent (whose registers are in its ctx,
 * synced by the caller) and adds it to the task list, runnable. Returns the child.
 */
export function copyProcess(sched: Scheduler, parent: Task, a: CloneArgs, stats: ForkStats): Task | number {
  const f = a.flags;
  // RLIMIT_NPROC, and a bound on the task list whatever the limit says.
  const nproc = parent.group.rlimits[RLIMIT_NPROC].cur;
  if (sched.tasks.size >= MAX_TASKS || BigInt(sched.tasks.size) >= nproc) return -EAGAIN;
  let mm = parent.mm;
  if (!(f & CLONE_VM)) {
    const copy = dupMm(parent.mm, stats);
    if (copy === null) return -ENOMEM;
    mm = copy;
  } else {
    mm.users++;
    mm.count++;
  }
  const tid = sched.allocPid();
  const thread = (f & CLONE_THREAD) !== 0;
  const group = thread ? parent.group : new ThreadGroup(parent.group.pgid, parent.group.sid);
  if (!thread) {
    group.rlimits = parent.group.rlimits.map((r) => ({ ...r }));
    group.personality = parent.group.personality;
  }
  let files = parent.files;
  if (f & CLONE_FILES) files.refs++;
  else files = files.clone();
  let fs = parent.fs;
  if (f & CLONE_FS) fs.refs++;
  else fs = fs.copy();
  let hand = parent.signal.hand;
  if (f & CLONE_SIGHAND) hand.refs++;
  else hand = hand.copy();
  const child = new Task(tid, group, mm, files, fs, hand, { ...parent.cred });
  if (!thread) group.leader = child;
  child.comm = parent.comm;
  child.ctx.copyFrom(parent.ctx);
  child.ctx.regs[EAX] = 0;
  if (a.stack !== 0) child.ctx.regs[ESP] = a.stack | 0;
  if (a.tls !== null) {
    const d = child.ctx.tls[a.tls.entry - 6];
    d.base = a.tls.base; d.limit = a.tls.limit; d.flags = a.tls.flags; d.present = true;
    // A segment register already holding this selector reloads its base (as the kernel's
    // return to user mode reloads %gs from the new GDT entry).
    for (let s = 0; s < 6; s++) if (child.ctx.segSel[s] >> 3 === a.tls.entry) child.ctx.segBase[s] = a.tls.base | 0;
  }
  child.signal.blocked = parent.signal.blocked;
  // A thread sharing the memory (not vfork) must not inherit the alternate stack.
  if ((f & (CLONE_VM | CLONE_VFORK)) === CLONE_VM) child.signal.altStack = { sp: 0, flags: SS_DISABLE, size: 0 };
  else child.signal.altStack = { ...parent.signal.altStack };
  if (thread || f & CLONE_PARENT) {
    child.parent = parent.group.leader.parent;
    child.exitSignal = thread ? 0 : parent.group.leader.exitSignal;
  } else {
    child.parent = parent;
    child.exitSignal = a.exitSignal;
  }
  if (!thread && child.parent !== null) child.parent.children.push(child);
  if (f & CLONE_CHILD_CLEARTID) child.clearChildTid = a.childTid >>> 0;
  if (f & CLONE_PARENT_SETTID) putUser32(parent.mm, a.parentTid, tid);
  if (f & CLONE_CHILD_SETTID) putUser32(mm, a.childTid, tid);
  child.instructions = 0;
  sched.add(child);
  sched.stats.forks++;
  return child;
}
