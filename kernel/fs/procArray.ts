// /proc/PID/status and /proc/PID/stat (Linux's fs/proc/array.c: proc_pid_status with
// task_state, task_mem, task_sig, task_cap, task_seccomp, ...; do_task_stat), every line and
// field in Linux 6.x's order. What the emulator has no notion of (namespaces, seccomp, NUMA)
// reads as a single-CPU, single-node, unconfined process would show it.
import { RLIMIT_RSS, RLIMIT_SIGPENDING, RLIM_INFINITY, type Task } from '../proc/task.js';
import { groupInstructions, nsToTicks } from '../proc/cputime.js';
import { NS_PER_INSN } from '../proc/sched.js';
import { SIG_DFL, SIG_IGN, NSIG, sigbit } from '../signal/signal.js';
import { mmCounters } from '../mm/mmCounters.js';
import { taskMem } from './procTaskMmu.js';

const STATE_NAME: Record<string, string> = {
  running: 'R (running)', sleeping: 'S (sleeping)', stopped: 'T (stopped)', zombie: 'Z (zombie)', dead: 'X (dead)',
};

/** The kernel's pointer size: 8 for a 32-bit process on a 64-bit kernel (also with a 3 GiB user space). */
function kernelLongBytes(t: Task): number {
  return t.mm.kernelPtrSize;
}

/** RLIM_INFINITY as the kernel's unsigned long prints it. */
function ulongMax(long: number): bigint {
  return long === 8 ? 0xffffffffffffffffn : 0xffffffffn;
}

/** render_sigset_t: 64 signals as 16 hex digits. */
function sigset(s: bigint): string {
  return BigInt.asUintN(64, s).toString(16).padStart(16, '0');
}

/** Signals ignored and caught (collect_sigign_sigcatch). */
function sigignSigcatch(t: Task): [bigint, bigint] {
  let ign = 0n, cgt = 0n;
  for (let sig = 1; sig <= NSIG; sig++) {
    const h = t.signal.actions[sig]?.handler;
    if (h === SIG_IGN) ign |= sigbit(sig);
    else if (h !== undefined && h !== SIG_DFL) cgt |= sigbit(sig);
  }
  return [ign, cgt];
}

/** struct files_struct's max_fds: BITS_PER_LONG at least, doubled as descriptors grow. */
function fdSize(t: Task, longBits: number): number {
  const fds = t.files.list();
  const highest = fds.length > 0 ? Math.max(...fds) : 0;
  let n = longBits;
  while (n <= highest) n *= 2;
  return n;
}

const FULL_CAPS = '000001ffffffffff'; // CAP_LAST_CAP = 40 (Linux 6.x)

/** /proc/PID/status. */
export function formatStatus(t: Task): string {
  const long = kernelLongBytes(t);
  const { uid, euid, gid, egid } = t.cred;
  const live = t.group.threads.filter((x) => !x.exited);
  const [ign, cgt] = sigignSigcatch(t);
  const queued = t.signal.pendingQ.queue.length + t.group.sharedPending.queue.length;
  const sigpendingMax = t.rlimits[RLIMIT_SIGPENDING].cur;
  const caps = euid === 0 ? FULL_CAPS : '0'.repeat(16);
  // proc_task_name escapes a newline and a backslash in the name.
  const lines = [
    `Name:\t${t.comm.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `Umask:\t${t.umask.toString(8).padStart(4, '0')}`, `State:\t${STATE_NAME[t.state]}`,
    `Tgid:\t${t.pid}`, 'Ngid:\t0', `Pid:\t${t.tid}`, `PPid:\t${t.ppid}`, 'TracerPid:\t0',
    `Uid:\t${uid}\t${euid}\t${euid}\t${euid}`, `Gid:\t${gid}\t${egid}\t${egid}\t${egid}`,
    `FDSize:\t${fdSize(t, long * 8)}`, 'Groups:\t ', `NStgid:\t${t.pid}`, `NSpid:\t${t.tid}`, `NSpgid:\t${t.pgid}`,
    `NSsid:\t${t.sid}`, 'Kthread:\t0', '',
  ].join('\n');
  const mem = t.mm.pgd === 0 ? '' : taskMem(t.mm) + 'CoreDumping:\t0\nTHP_enabled:\t1\n'
    + `untag_mask:\t0x${'f'.repeat(long * 2)}\n`;
  const mems = long === 8 ? Array(31).fill('00000000').join(',') + ',00000001' : '1';
  const rest = [
    `Threads:\t${live.length}`,
    `SigQ:\t${queued}/${sigpendingMax === RLIM_INFINITY ? ulongMax(long) : sigpendingMax}`,
    `SigPnd:\t${sigset(t.signal.pending)}`, `ShdPnd:\t${sigset(t.group.sharedPending.set)}`,
    `SigBlk:\t${sigset(t.signal.blocked)}`, `SigIgn:\t${sigset(ign)}`, `SigCgt:\t${sigset(cgt)}`,
    'CapInh:\t0000000000000000', `CapPrm:\t${caps}`, `CapEff:\t${caps}`, `CapBnd:\t${FULL_CAPS}`, 'CapAmb:\t0000000000000000',
    'NoNewPrivs:\t0', 'Seccomp:\t0', 'Seccomp_filters:\t0',
    // The emulated CPU does not speculate (PR_SPEC_NOT_AFFECTED).
    'Speculation_Store_Bypass:\tnot vulnerable', 'SpeculationIndirectBranch:\tnot affected',
    'Cpus_allowed:\t1', 'Cpus_allowed_list:\t0', `Mems_allowed:\t${mems}`, 'Mems_allowed_list:\t0',
    'voluntary_ctxt_switches:\t0', 'nonvoluntary_ctxt_switches:\t0', '',
  ].join('\n');
  return lines + mem + rest;
}

/** /proc/PID/stat: do_task_stat's 52 fields (the legacy signal masks are the low 31 bits). */
export function formatStat(t: Task): string {
  const mm = t.mm;
  const hasMm = mm.pgd !== 0;
  const c = hasMm ? mmCounters(mm) : null;
  const long = kernelLongBytes(t);
  const rsslim = t.rlimits[RLIMIT_RSS].cur === RLIM_INFINITY ? ulongMax(long) : t.rlimits[RLIMIT_RSS].cur;
  const low31 = (s: bigint) => Number(s & 0x7fffffffn);
  const [ign, cgt] = sigignSigcatch(t);
  const utime = nsToTicks(BigInt(t.isLeader ? groupInstructions(t.group) : t.instructions) * NS_PER_INSN);
  const m = (n: number) => (hasMm ? n >>> 0 : 0);
  const f: Array<string | number | bigint> = [
    t.pid, `(${t.comm})`, STATE_NAME[t.state][0], t.ppid, t.pgid, t.sid, 0, -1, 0x400000, 0, 0, 0, 0,
    utime, 0, nsToTicks(BigInt(t.group.childInstructions) * NS_PER_INSN), 0, 20, 0,
    t.group.threads.filter((x) => !x.exited).length, 0, 0,
    c === null ? 0 : c.totalVm * 4096, c === null ? 0 : c.anon + c.file + c.shmem, rsslim,
    m(mm.startCode), m(mm.endCode), m(mm.startStack), 0, 0,
    low31(t.signal.pending), low31(t.signal.blocked), low31(ign), low31(cgt),
    t.state === 'running' ? 0 : 1, 0, 0, t.exitSignal, 0, 0, 0, 0, 0, 0,
    m(mm.startData), m(mm.endData), m(mm.startBrk), m(mm.argStart), m(mm.argEnd), m(mm.envStart), m(mm.envEnd),
    t.exitCode,
  ];
  return f.join(' ') + '\n';
}
