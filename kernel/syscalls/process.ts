// Process system calls (kernel/exit.c, kernel/sys.c, kernel/fork.c, kernel/sched/core.c,
// kernel/futex): exit/exit_group, the id getters, set_tid_address, robust lists, uname,
// resource limits, umask, personality, prctl names, CPU affinity, sysinfo, getrusage, times,
// futex for a single thread, getrandom.
import { hostRandomFill } from '../../src/cpu/hostRandom.js';
import { EINVAL, ENOSYS, EPERM, ESRCH } from '../errno.js';
import { hiwaterRss } from '../mm/rssStat.js';
import { copyFromUser, copyToUser, getUser32, putUser32, strncpyFromUserBytes } from '../mm/uaccess.js';
import { nsToTicks, rusageBytes, taskCpuNs } from '../proc/cputime.js';
import { swapAreaOf } from '../mm/swap.js';
import { RLIM_INFINITY, RLIM_NLIMITS, RLIMIT_NOFILE, RLIMIT_STACK, type Rlimit, type Task } from '../proc/task.js';
import type { SyscallContext } from './types.js';

/** exit: only the calling thread ends (the process when it was the last one). */
export function sysExit(c: SyscallContext, status: number): number {
  c.exitTask(status & 0xff);
  return 0;
}

export function sysExitGroup(c: SyscallContext, status: number): number {
  c.exitGroup(status & 0xff);
  return 0;
}

/** sched_yield: the rest of the caller's time slice goes to the next runnable task. */
export function sysSchedYield(c: SyscallContext): number {
  c.sched.sliceUsed = c.sched.quantum;
  return 0;
}

/** The process a pid argument names (0: the caller), or null. */
function processOf(c: SyscallContext, pid: number): Task | null {
  if (pid === 0) return c.task;
  const t = c.sched.find(pid);
  return t !== undefined && !t.exited && t.isLeader ? t : null;
}

export function sysGetpid(c: SyscallContext): number { return c.task.pid; }
export function sysGettid(c: SyscallContext): number { return c.task.tid; }
export function sysGetppid(c: SyscallContext): number { return c.task.ppid; }
export function sysGetpgrp(c: SyscallContext): number { return c.task.pgid; }

export function sysGetpgid(c: SyscallContext, pid: number): number {
  const t = processOf(c, pid);
  return t === null ? -ESRCH : t.pgid;
}

export function sysGetsid(c: SyscallContext, pid: number): number {
  const t = processOf(c, pid);
  return t === null ? -ESRCH : t.sid;
}

/** setpgid: the caller or one of its children, into a group of the same session. */
export function sysSetpgid(c: SyscallContext, pid: number, pgid: number): number {
  if (pgid < 0) return -EINVAL;
  const me = c.task.group.leader;
  const t = pid === 0 ? me : processOf(c, pid);
  if (t === null || (t !== me && t.parent?.group !== me.group)) return -ESRCH;
  if (t.sid !== me.sid) return -EPERM;
  if (t.pid === t.sid) return -EPERM; // a session leader
  const target = pgid === 0 ? t.pid : pgid;
  if (target !== t.pid && !c.sched.processes().some((p) => p.pgid === target && p.sid === me.sid && !p.exited)) return -EPERM;
  t.pgid = target;
  return 0;
}

export function sysSetsid(c: SyscallContext): number {
  const t = c.task;
  if (c.sched.processes().some((p) => p.pgid === t.pid && !p.exited)) return -EPERM;
  t.group.pgid = t.pid;
  t.group.sid = t.pid;
  return t.pid;
}

const overflow16 = (id: number) => (id > 0xffff ? 65534 : id);
export function sysGetuid(c: SyscallContext): number { return c.task.cred.uid; }
export function sysGeteuid(c: SyscallContext): number { return c.task.cred.euid; }
export function sysGetgid(c: SyscallContext): number { return c.task.cred.gid; }
export function sysGetegid(c: SyscallContext): number { return c.task.cred.egid; }
export function sysGetuid16(c: SyscallContext): number { return overflow16(c.task.cred.uid); }
export function sysGeteuid16(c: SyscallContext): number { return overflow16(c.task.cred.euid); }
export function sysGetgid16(c: SyscallContext): number { return overflow16(c.task.cred.gid); }
export function sysGetegid16(c: SyscallContext): number { return overflow16(c.task.cred.egid); }

export function sysGetresuid32(c: SyscallContext, r: number, e: number, s: number): number {
  putUser32(c.mm, r, c.task.cred.uid);
  putUser32(c.mm, e, c.task.cred.euid);
  putUser32(c.mm, s, c.task.cred.euid);
  return 0;
}

export function sysGetresgid32(c: SyscallContext, r: number, e: number, s: number): number {
  putUser32(c.mm, r, c.task.cred.gid);
  putUser32(c.mm, e, c.task.cred.egid);
  putUser32(c.mm, s, c.task.cred.egid);
  return 0;
}

export function sysGetgroups(c: SyscallContext, size: number): number {
  return size < 0 ? -EINVAL : 0;
}

/** set*id to the current ids succeeds; anything else needs privileges we do not model. */
export function sysSetid(c: SyscallContext, id: number): number {
  const cr = c.task.cred;
  return id === -1 || id === cr.uid || id === cr.gid || id === cr.euid || id === cr.egid ? 0 : -EPERM;
}

export function sysSetTidAddress(c: SyscallContext, tidptr: number): number {
  c.task.clearChildTid = tidptr >>> 0;
  return c.task.tid;
}

export function sysSetRobustList(c: SyscallContext, head: number, len: number): number {
  if (len !== 12) return -EINVAL;
  c.task.robustListHead = head >>> 0;
  c.task.robustListLen = len;
  return 0;
}

export function sysGetRobustList(c: SyscallContext, pid: number, headPtr: number, lenPtr: number): number {
  if (pid !== 0 && pid !== c.task.pid) return -ESRCH;
  putUser32(c.mm, headPtr, c.task.robustListHead);
  putUser32(c.mm, lenPtr, 12);
  return 0;
}

/** rseq registration is optional for glibc; decline it like a kernel without CONFIG_RSEQ. */
export function sysRseq(): number {
  return -ENOSYS;
}

export function sysUname(c: SyscallContext, buf: number): number {
  const u = c.utsname;
  const out = new Uint8Array(65 * 6);
  [u.sysname, u.nodename, u.release, u.version, u.machine, u.domainname].forEach((s, i) => {
    out.set(Buffer.from(s, 'utf8').subarray(0, 64), i * 65);
  });
  copyToUser(c.mm, buf, out);
  return 0;
}

export function sysUmask(c: SyscallContext, mask: number): number {
  const old = c.task.umask;
  c.task.umask = mask & 0o777;
  return old;
}

export function sysPersonality(c: SyscallContext, p: number): number {
  const old = c.task.personality;
  if ((p >>> 0) !== 0xffffffff) c.task.personality = p >>> 0;
  return old;
}

const PR_SET_NAME = 15, PR_GET_NAME = 16, PR_SET_CHILD_SUBREAPER = 36, PR_GET_CHILD_SUBREAPER = 37;
export function sysPrctl(c: SyscallContext, option: number, arg2: number): number {
  if (option === PR_SET_CHILD_SUBREAPER) {
    c.task.group.childSubreaper = arg2 !== 0;
    return 0;
  }
  if (option === PR_GET_CHILD_SUBREAPER) {
    putUser32(c.mm, arg2, c.task.group.childSubreaper ? 1 : 0);
    return 0;
  }
  if (option === PR_SET_NAME) {
    const b = strncpyFromUserBytes(c.mm, arg2, 1 << 20).subarray(0, 15);
    c.task.comm = Buffer.from(b).toString('latin1');
    return 0;
  }
  if (option === PR_GET_NAME) {
    const out = new Uint8Array(16);
    out.set(Buffer.from(c.task.comm, 'latin1').subarray(0, 15));
    copyToUser(c.mm, arg2, out);
    return 0;
  }
  return -EINVAL;
}

// ---- resource limits -------------------------------------------------------------------

/**
 * do_prlimit: soft at most hard, and only root (CAP_SYS_RESOURCE) raises a hard limit. A new
 * RLIMIT_STACK takes effect at the next stack growth; the area already there is kept.
 */
function setRlimit(c: SyscallContext, resource: number, r: Rlimit): number {
  if (r.cur > r.max) return -EINVAL;
  if (r.max > c.task.rlimits[resource].max && c.task.cred.euid !== 0) return -EPERM;
  c.task.rlimits[resource] = r;
  // The growth limit lives in the mm; a vfork child borrowing its parent's keeps it to itself
  // (its exec applies it), or the parent would come back with the child's limit.
  if (resource === RLIMIT_STACK && c.task.vforkParent === null) c.mm.stackRlimit = r.cur >= 0xffffffffn ? 0xffffffff : Number(r.cur);
  if (resource === RLIMIT_NOFILE) c.task.files.maxFds = r.cur > 65536n ? 65536 : Number(r.cur);
  return 0;
}

export function sysPrlimit64(c: SyscallContext, pid: number, resource: number, newp: number, oldp: number): number {
  if (pid !== 0 && pid !== c.task.pid) return -ESRCH;
  if (resource < 0 || resource >= RLIM_NLIMITS) return -EINVAL;
  let next: Rlimit | null = null;
  if (newp !== 0) {
    const dv = new DataView(copyFromUser(c.mm, newp, 16).buffer);
    next = { cur: dv.getBigUint64(0, true), max: dv.getBigUint64(8, true) };
    if (next.cur > next.max) return -EINVAL;
  }
  if (oldp !== 0) {
    const cur = c.task.rlimits[resource];
    const b = new Uint8Array(16);
    const dv = new DataView(b.buffer);
    dv.setBigUint64(0, cur.cur, true);
    dv.setBigUint64(8, cur.max, true);
    copyToUser(c.mm, oldp, b);
  }
  return next ? setRlimit(c, resource, next) : 0;
}

function getRlimit32(c: SyscallContext, resource: number, buf: number, infinity: number): number {
  if (resource < 0 || resource >= RLIM_NLIMITS) return -EINVAL;
  const r = c.task.rlimits[resource];
  const clamp = (v: bigint) => (v > BigInt(infinity) ? infinity : Number(v));
  putUser32(c.mm, buf, clamp(r.cur));
  putUser32(c.mm, buf + 4, clamp(r.max));
  return 0;
}

export function sysUgetrlimit(c: SyscallContext, resource: number, buf: number): number {
  return getRlimit32(c, resource, buf, 0xffffffff);
}

export function sysOldGetrlimit(c: SyscallContext, resource: number, buf: number): number {
  return getRlimit32(c, resource, buf, 0x7fffffff);
}

export function sysSetrlimit(c: SyscallContext, resource: number, buf: number): number {
  if (resource < 0 || resource >= RLIM_NLIMITS) return -EINVAL;
  const conv = (v: number) => ((v >>> 0) === 0xffffffff ? RLIM_INFINITY : BigInt(v >>> 0));
  return setRlimit(c, resource, { cur: conv(getUser32(c.mm, buf)), max: conv(getUser32(c.mm, buf + 4)) });
}

// ---- scheduling and system information ------------------------------------------------

export function sysSchedGetaffinity(c: SyscallContext, pid: number, len: number, mask: number): number {
  if (pid !== 0 && pid !== c.task.pid) return -ESRCH;
  if ((len >>> 0) < 4 || (len & 3)) return -EINVAL;
  putUser32(c.mm, mask, 1);
  return 4;
}

export function sysSchedGetparam(c: SyscallContext, pid: number, param: number): number {
  if (pid !== 0 && pid !== c.task.pid) return -ESRCH;
  putUser32(c.mm, param, 0);
  return 0;
}

export function sysGetcpu(c: SyscallContext, cpu: number, node: number): number {
  if (cpu !== 0) putUser32(c.mm, cpu, 0);
  if (node !== 0) putUser32(c.mm, node, 0);
  return 0;
}

export function sysSysinfo(c: SyscallContext, info: number): number {
  const b = new Uint8Array(64);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, Number(c.monotonicNs() / 1_000_000_000n), true);
  dv.setUint32(16, c.memoryBytes, true); // totalram
  dv.setUint32(20, Math.max(0, c.memoryBytes - c.mm.mem.framesInUse * 4096), true); // freeram
  const swap = swapAreaOf(c.mm.mem);
  dv.setUint32(32, (swap?.totalPages ?? 0) * 4096, true); // totalswap
  dv.setUint32(36, (swap?.freePages ?? 0) * 4096, true); // freeswap
  dv.setUint16(40, c.sched.tasks.size, true); // procs
  dv.setUint32(52, 1, true); // mem_unit
  copyToUser(c.mm, info, b);
  return 0;
}

const RUSAGE_SELF = 0, RUSAGE_CHILDREN = -1, RUSAGE_THREAD = 1;

export function sysGetrusage(c: SyscallContext, who: number, ru: number): number {
  if (who !== RUSAGE_SELF && who !== RUSAGE_CHILDREN && who !== RUSAGE_THREAD) return -EINVAL;
  const t = c.task;
  const ns = taskCpuNs(t, who === RUSAGE_CHILDREN ? 'children' : who === RUSAGE_THREAD ? 'thread' : 'self');
  // ru_maxrss in KiB: the peak resident set (VmHWM); the children's is the largest seen at their exit.
  const maxrss = who === RUSAGE_CHILDREN ? t.group.childMaxrssKb : Math.max(t.group.maxrssKb, hiwaterRss(c.mm) * 4);
  copyToUser(c.mm, ru, rusageBytes(ns, maxrss));
  return 0;
}

export function sysTimes(c: SyscallContext, buf: number): number {
  if (buf !== 0) {
    const b = new Uint8Array(16);
    const dv = new DataView(b.buffer);
    dv.setUint32(0, nsToTicks(taskCpuNs(c.task, 'self')), true); // tms_utime
    dv.setUint32(8, nsToTicks(taskCpuNs(c.task, 'children')), true); // tms_cutime
    copyToUser(c.mm, buf, b);
  }
  return Number((c.monotonicNs() / 10_000_000n) & 0x7fffffffn);
}

// ---- getrandom ------------------------------------------------------------------------

const GRND_NONBLOCK = 1, GRND_RANDOM = 2, GRND_INSECURE = 4;
export function sysGetrandom(c: SyscallContext, buf: number, len: number, flags: number): number {
  if (flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)) return -EINVAL;
  if ((flags & (GRND_INSECURE | GRND_RANDOM)) === (GRND_INSECURE | GRND_RANDOM)) return -EINVAL;
  const n = Math.min(len >>> 0, 33554431);
  const b = c.random !== undefined ? c.random.bytes(n) : hostRandomFill(new Uint8Array(n));
  copyToUser(c.mm, buf, b);
  return n;
}

