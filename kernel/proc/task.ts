// A process (Linux's task_struct, for now one thread per process): ids, credentials, its
// address space, open files, cwd/umask, signal state, TLS descriptors, resource limits and
// how it ended. The CPU registers live in the Cpu while the task runs; `saved` holds them
// when it does not (ready for fork/clone and a scheduler later).
import type { TlsDescriptor } from '../../src/cpu/cpu.js';
import type { Mm } from '../mm/mmStruct.js';
import { DEFAULT_STACK_RLIMIT } from '../mm/mmStruct.js';
import { FdTable } from '../fs/fdtable.js';
import { SignalState } from '../signal/signal.js';

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

/** Register state of a task that is not on the CPU. */
export interface SavedRegs {
  regs: Int32Array;
  eip: number;
  eflags: number;
}

/** A fatal signal's details, for the one-line diagnostic. */
export interface DeathInfo {
  signal: number;
  code: number;
  faultAddr: number | null;
  eip: number;
  note?: string;
}

export class Task {
  readonly pid: number;
  readonly tid: number;
  ppid: number;
  pgid: number;
  sid: number;
  cred: Credentials;
  mm: Mm;
  files: FdTable;
  cwd = '/';
  umask = 0o022;
  /** personality(2) value (PER_LINUX = 0). */
  personality = 0;
  readonly signal = new SignalState();
  /** GDT TLS entries 6..8 as set_thread_area left them (copied into the Cpu while running). */
  readonly tls: TlsDescriptor[] = [];
  clearChildTid = 0;
  robustListHead = 0;
  robustListLen = 0;
  rlimits: Rlimit[] = defaultRlimits();
  /** The executable: the path shown by /proc/self/exe and in maps, and the host file. */
  exePath = '';
  comm = '';
  saved: SavedRegs | null = null;
  state: 'running' | 'exited' = 'running';
  /** exit()'s status (0..255) once exited normally. */
  exitStatus = 0;
  /** The signal that killed it, or 0. */
  termSignal = 0;
  death: DeathInfo | null = null;

  constructor(pid: number, mm: Mm, files: FdTable, cred: Credentials) {
    this.pid = pid;
    this.tid = pid;
    this.ppid = 1;
    this.pgid = pid;
    this.sid = pid;
    this.mm = mm;
    this.files = files;
    this.cred = cred;
    for (let i = 0; i < 3; i++) this.tls.push({ base: 0, limit: 0, flags: 0, present: false });
  }
}
