// The shape of a system call row and what its handler can see of the kernel. Handlers take
// the six raw argument registers (EBX, ECX, EDX, ESI, EDI, EBP as int32) and return a value
// or -errno; bad user pointers throw USER_FAULT from uaccess, which the dispatcher turns
// into -EFAULT.
import type { Cpu } from '../../src/cpu/cpu.js';
import type { FileLocks } from '../fs/locks.js';
import type { VfsContext } from '../fs/vfs.js';
import type { Personality } from '../mm/layout.js';
import type { Mm } from '../mm/mmStruct.js';
import type { KernelRandom } from '../mm/randomize.js';
import type { CloneArgs } from '../proc/fork.js';
import type { Scheduler } from '../proc/sched.js';
import type { RestartBlock, Task } from '../proc/task.js';
import type { WaitQueue } from '../proc/waitQueue.js';
import type { SigInfo } from '../signal/signal.js';

export interface Utsname {
  sysname: string;
  nodename: string;
  release: string;
  version: string;
  machine: string;
  domainname: string;
}

export interface SyscallContext {
  readonly task: Task;
  readonly mm: Mm;
  readonly cpu: Cpu;
  readonly vfs: VfsContext;
  /** flock and fcntl locks between the guest's processes. */
  readonly fileLocks: FileLocks;
  readonly personality: Personality;
  readonly utsname: Utsname;
  /** Total guest physical memory, for sysinfo. */
  readonly memoryBytes: number;
  /** The task list and the scheduler. */
  readonly sched: Scheduler;
  /** The kernel's random source (getrandom; fixed by --seed); absent: the host's entropy. */
  readonly random?: KernelRandom;
  /** Ends the calling thread with status & 0xff (exit). */
  exitTask(status: number): void;
  /** Ends the whole process with status & 0xff (exit_group). */
  exitGroup(status: number): void;
  /** Sends a signal to the current task (SIGPIPE, raise through tkill, ...). */
  sendSignal(sig: number, code: number): void;
  /** send_signal to any task (group: process-wide); false when it was dropped. */
  signalTask(target: Task, info: SigInfo, group: boolean): boolean;
  /** fork/vfork/clone: returns the child's tid. */
  fork(args: CloneArgs): number;
  /**
   * Puts the caller to sleep on the queues until a wake-up or the virtual-clock deadline (-1n:
   * none). The handler returns the value this returns; the call re-runs when the task wakes,
   * with c.task.restart holding what it kept.
   */
  block(queues: readonly WaitQueue[], deadline: bigint, onSignal?: RestartBlock['onSignal']): number;
  /** The virtual clock (ns) sleeps and timers run on. */
  now(): bigint;
  /** Nanoseconds since an arbitrary point (CLOCK_MONOTONIC). */
  monotonicNs(): bigint;
  /** Nanoseconds since the epoch (CLOCK_REALTIME). */
  realtimeNs(): bigint;
  /** Replaces the process image (execve); throws ElfError when the file cannot run. */
  execImage(hostPath: string, exePath: string, execfn: string, argv: readonly string[], envp: readonly string[], bytes: Uint8Array,
    file?: import('../mm/vma.js').VmFile): void;
  /** Text strace appends after the return value, e.g. " (entry_number=6)". */
  straceNote: string | null;
}

export type SyscallHandler = (c: SyscallContext, a0: number, a1: number, a2: number, a3: number, a4: number, a5: number) => number;

/**
 * How strace shows an argument. Buffers take their length from another argument or from the
 * return value; flag sets print by name.
 */
export type ArgFormat =
  | 'int' | 'uint' | 'hex' | 'ptr' | 'fd' | 'dirfd' | 'path' | 'size' | 'octal'
  | 'buf' /* input bytes, length = next argument */
  | 'obuf' /* output bytes, length = return value */
  | 'ostr' /* output string, length = return value (readlink) */
  | 'iovec' /* input iovec array, count = next argument */
  | 'oiovec' /* output iovec array, bytes = return value */
  | 'oflags' | 'prot' | 'mapflags' | 'madvice' | 'signal' | 'sighow' | 'clock' | 'whence' | 'ioctl'
  | 'fcntl' | 'rlimit' | 'atflags' | 'futexop' | 'statxmask' | 'accessmode' | 'grndflags'
  | 'sigset' /* pointer to a 64-bit set, printed before the call */
  | 'osigset' /* pointer to a 64-bit set filled by the call */
  | 'timespec' | 'timespec64' | 'otimespec' | 'otimespec64' | 'rlim64' | 'orlim64' | 'orlim'
  | 'userdesc' | 'utsname' | 'stat' | 'statx'
  | 'omode' /* open's mode: shown only with O_CREAT or O_TMPFILE in the previous argument */
  | 'pgoff' /* mmap2's offset in pages, shown as the byte offset */
  | 'statxflags' | 'mremapflags' | 'cloneflags'
  | 'argv' /* NULL-terminated string pointer array, shown before the call */
  | 'envp' /* the same, shown as a count */
  | 'epath' /* a path shown before the call (execve replaces the memory) */
  | 'llhi' /* _llseek: high word; prints the whole 64-bit offset with the next argument */ | 'omitted' | 'oloff';

export interface SyscallRow {
  nr: number;
  name: string;
  handler: SyscallHandler;
  args: readonly ArgFormat[];
  /** How the return value prints: decimal (default), hex (addresses), or '?' (never returns). */
  ret?: 'int' | 'hex' | 'none';
}
