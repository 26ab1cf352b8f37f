// A thread (Linux's task_struct) and what threads share with each other, split as Linux splits
// it: the thread group (signal_struct: ids, limits, shared pending signals, group exit, the
// children's wait queue), the signal handlers (sighand_struct, shared by CLONE_SIGHAND), the
// open files (files_struct, CLONE_FILES), cwd and umask (fs_struct, CLONE_FS) and the address
// space (mm_struct, CLONE_VM). Each thread has its own registers (a preallocated CpuContext),
// blocked mask, pending set, alternate stack and state.
import { CpuContext } from '../../src/cpu/context.js';
import type { Mm } from '../mm/mmStruct.js';
import { DEFAULT_STACK_RLIMIT } from '../mm/mmStruct.js';
import { FdTable } from '../fs/fdtable.js';
import { SigHand, SignalState, SigPending } from '../signal/signal.js';
import { WaitQueue } from './waitQueue.js';

export { Mm } from '../mm/mmStruct.js';

export const RLIM_INFINITY = 0xffffffffffffffffn;
export const RLIMIT_CPU = 0, RLIMIT_FSIZE = 1, RLIMIT_DATA = 2, RLIMIT_STACK = 3, RLIMIT_CORE = 4;
export const RLIMIT_RSS = 5, RLIMIT_NPROC = 6, RLIMIT_NOFILE = 7, RLIMIT_MEMLOCK = 8, RLIMIT_AS = 9;
export const RLIMIT_LOCKS = 10, RLIMIT_SIGPENDING = 11, RLIMIT_MSGQUEUE = 12, RLIMIT_NICE = 13;
export const RLIMIT_RTPRIO = 14, RLIMIT_RTTIME = 15, RLIM_NLIMITS = 16;
export const RLIMIT_NAMES = ['RLIMIT_CPU', 'RLIMIT_FSIZE', 'RLIMIT_DATA', 'RLIMIT_STACK', 'RLIMIT_CORE',
  'RLIMIT_RSS', 'RLIMIT_NPROC', 'RLIMIT_NOFILE', 'RLIMIT_MEMLOCK', 'RLIMIT_AS', 'RLIMIT_LOCKS',
  'RLIMIT_SIGPENDING', 'RLIMIT_MSGQUEUE', 'RLIMIT_NICE', 'RLIMIT_RTPRIO', 'RLIMIT_RTTIME'];

export interface Rlimit {
  cur: bigint;
  max: bigint;
}

export function defaultRlimits(): Rlimit[] {
  const inf = { cur: RLIM_INFINITY, max: RLIM_INFINITY };
  const r: Rlimit[] = [];
  for (let i = 0; i < RLIM_NLIMITS; i++) r.push({ ...inf });
  r[RLIMIT_STACK] = { cur: BigInt(DEFAULT_STACK_RLIMIT), max: RLIM_INFINITY };
  r[RLIMIT_CORE] = { cur: 0n, max: RLIM_INFINITY };
  r[RLIMIT_NPROC] = { cur: 63432n, max: 63432n };
  r[RLIMIT_NOFILE] = { cur: 1024n, max: 1048576n };
  r[RLIMIT_MEMLOCK] = { cur: 8388608n, max: 8388608n };
  r[RLIMIT_SIGPENDING] = { cur: 63432n, max: 63432n };
  r[RLIMIT_MSGQUEUE] = { cur: 819200n, max: 819200n };
  r[RLIMIT_NICE] = { cur: 0n, max: 0n };
  r[RLIMIT_RTPRIO] = { cur: 0n, max: 0n };
  return r;
}

export interface Credentials {
  uid: number;
  euid: number;
  gid: number;
  egid: number;
}

/** A fatal signal's details, for the one-line diagnostic. */
export interface DeathInfo {
  signal: number;
  code: number;
  faultAddr: number | null;
  eip: number;
  note?: string;
  /** The default action dumps core (the wait status's 0x80 bit). */
  core: boolean;
}

/** cwd and umask (fs_struct), shared by CLONE_FS. */
export class FsInfo {
  cwd = '/';
  umask = 0o022;
  refs = 1;

  copy(): FsInfo {
    const f = new FsInfo();
    f.cwd = this.cwd;
    f.umask = this.umask;
    return f;
  }
}

/** ITIMER_REAL / alarm: the next expiry and the reload interval on the virtual clock (ns). */
export interface RealTimer {
  deadline: bigint;
  interval: bigint;
}

/** What threads of one process share (signal_struct). */
export class ThreadGroup {
  /** The thread whose tid is the process id. */
  leader!: Task;
  readonly threads: Task[] = [];
  pgid: number;
  sid: number;
  rlimits: Rlimit[] = defaultRlimits();
  readonly sharedPending = new SigPending();
  /** Set once exit_group (or a fatal signal) has begun: the wait status every thread exits with. */
  groupExitCode: number | null = null;
  /** A stop signal stopped the group (job control); the wait status for WUNTRACED. */
  stopSignal = 0;
  /** Stopped/continued events not yet reported to the parent's wait. */
  notifyStopped = false;
  notifyContinued = false;
  /** Parents sleep here in wait4 (signal->wait_chldexit). */
  readonly childWait = new WaitQueue();
  realTimer: RealTimer | null = null;
  /** personality(2) value (PER_LINUX = 0). */
  personality = 0;
  /**
   * Shared objects the program's loader looked for since the last exec: basename → found.
   * A name never found explains an exit of 127 (ld.so's "error while loading shared libraries").
   */
  readonly libraryLookups = new Map<string, boolean>();
  /** PR_SET_CHILD_SUBREAPER: orphaned descendants are reparented here instead of to init. */
  childSubreaper = false;
  /** Accumulated instructions of reaped children and their reaped children (cutime). */
  childInstructions = 0;
  /** Instructions of the threads that have exited and left the group (the rest are in threads). */
  exitedInstructions = 0;
  /** ru_maxrss (KiB) as the process exited, and the largest of its reaped children's. */
  maxrssKb = 0;
  childMaxrssKb = 0;

  constructor(pgid: number, sid: number) {
    this.pgid = pgid;
    this.sid = sid;
  }
}

/**
 * TASK_RUNNING (runnable or on the CPU), TASK_INTERRUPTIBLE, TASK_STOPPED, EXIT_ZOMBIE, and
 * EXIT_DEAD once reaped (or auto-reaped).
 */
export type TaskState = 'running' | 'sleeping' | 'stopped' | 'zombie' | 'dead';

/** A system call put to sleep, re-run from the start when the task wakes (orig_eax kept). */
export interface RestartBlock {
  nr: number;
  /** Absolute virtual-clock deadline (ns), or -1 for none. */
  deadline: bigint;
  /** Progress a handler keeps across re-runs (bytes written so far, a saved mask, ...). */
  progress: number;
  savedMask: bigint | null;
  /** A FUTEX_WAKE (or the event a call waits for) happened: the re-run returns instead of sleeping. */
  woken: boolean;
  /** Run when a handler interrupts the call (nanosleep writes the time left). */
  onInterrupt?: () => void;
  /**
   * What a signal with a handler does to the call: 'restartsys' (SA_RESTART restarts, else
   * EINTR), 'nohand' (always EINTR), or a value to return instead (a partial count).
   */
  onSignal: 'restartsys' | 'nohand';
}

export class Task {
  tid: number;
  group: ThreadGroup;
  /** The process that fork()ed this one (real_parent); for threads, the group's parent. */
  parent: Task | null = null;
  /** Processes (thread group leaders) whose parent is this task. */
  readonly children: Task[] = [];
  cred: Credentials;
  mm: Mm;
  files: FdTable;
  fs: FsInfo;
  readonly signal: SignalState;
  /** User registers while off the CPU. */
  readonly ctx = new CpuContext();
  clearChildTid = 0;
  robustListHead = 0;
  robustListLen = 0;
  comm = '';
  state: TaskState = 'running';
  /** Signal sent to the parent when this process exits (SIGCHLD; 0 for threads). */
  exitSignal = 17;
  /** wait status once exited: (code << 8) or the signal (| 0x80 with a core dump). */
  exitCode = 0;
  death: DeathInfo | null = null;
  /** The wait queues this task sleeps on, and its timeout on the virtual clock (-1: none). */
  readonly waitingOn: WaitQueue[] = [];
  wakeDeadline = -1n;
  /** Set when a sleeping system call must be re-run or interrupted. */
  restart: RestartBlock | null = null;
  /** A vfork parent sleeping until this child execs or exits. */
  vforkParent: Task | null = null;
  readonly vforkDone = new WaitQueue();
  /** Why the last trap happened, for the sigcontext (trapno, error code, cr2). */
  trapno = 0;
  trapErr = 0;
  trapCr2 = 0;
  /** Instructions this task has run (utime). */
  instructions = 0;
  /** sigsuspend/ppoll's mask to restore after the handler runs (TIF_RESTORE_SIGMASK). */
  savedSigmask: bigint | null = null;

  constructor(tid: number, group: ThreadGroup, mm: Mm, files: FdTable, fs: FsInfo, sighand: SigHand, cred: Credentials) {
    this.tid = tid;
    this.group = group;
    this.mm = mm;
    this.files = files;
    this.fs = fs;
    this.cred = cred;
    this.signal = new SignalState(sighand);
    group.threads.push(this);
  }

  /** getpid(): the thread group id. */
  get pid(): number {
    return this.group.leader.tid;
  }

  get ppid(): number {
    const p = this.group.leader.parent;
    return p === null ? 0 : p.pid;
  }

  get isLeader(): boolean {
    return this.group.leader === this;
  }

  get pgid(): number { return this.group.pgid; }
  set pgid(v: number) { this.group.pgid = v; }
  get sid(): number { return this.group.sid; }
  get rlimits(): Rlimit[] { return this.group.rlimits; }
  set rlimits(r: Rlimit[]) { this.group.rlimits = r; }
  get personality(): number { return this.group.personality; }
  set personality(v: number) { this.group.personality = v; }
  get cwd(): string { return this.fs.cwd; }
  set cwd(v: string) { this.fs.cwd = v; }
  get umask(): number { return this.fs.umask; }
  set umask(v: number) { this.fs.umask = v; }
  /** The executable (/proc/PID/exe; mm->exe_file). */
  get exePath(): string { return this.mm.exePath; }

  /** Ended: a zombie or reaped. */
  get exited(): boolean {
    return this.state === 'zombie' || this.state === 'dead';
  }

  /** The signal that killed it (from the wait status), or 0. */
  get termSignal(): number {
    return this.exited ? this.exitCode & 0x7f : 0;
  }
}

export type { FdTable };
