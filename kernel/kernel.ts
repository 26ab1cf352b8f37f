// The mini kernel: owns guest physical memory, the MMU and the CPU, keeps the task list, and
// runs the scheduler loop: pick a task, switch to it, run its slice, turn why the CPU stopped
// into a system call or a signal (kernel/trap.ts), and deliver signals at the one return to
// user mode. The first process stands for the init of a PID namespace: its exit status is the
// emulator's, and when it exits the tasks still alive are killed.
import { hostRandomFill } from '../src/cpu/hostRandom.js';
import { fstatSync, openSync, readFileSync, statSync } from 'node:fs';
import { posix, resolve } from 'node:path';
import { Cpu } from '../src/cpu/cpu.js';
import type { CpuModel } from '../src/cpu/cpuid.js';
import { EAX, ESP } from '../src/cpu/registers.js';
import { Stop } from '../src/cpu/stop.js';
import { Mmu } from '../src/mmu/mmu.js';
import { PhysicalMemory } from '../src/mmu/physicalMemory.js';
import { PF_WRITE } from '../src/mmu/paging.js';
import { EACCES, EINTR, ENOENT } from './errno.js';
import { execBinary } from './exec/execve.js';
import { FdTable } from './fs/fdtable.js';
import type { Inode } from './fs/file.js';
import { HostFileInode, hostOpen } from './fs/hostfs.js';
import { PageCache, type PageCacheStats } from './mm/pageCache.js';
import { type SwapArea, type SwapStats, swapOn } from './mm/swap.js';
import { Reclaimer, type ReclaimStats } from './mm/vmscan.js';
import { setOutOfMemoryHandler } from './mm/oom.js';
import { MountTable, type Bind } from './fs/mount.js';
import { FileLocks } from './fs/locks.js';
import { formatVmaLine } from './fs/procfs.js';
import { decodeDev } from './fs/stat.js';
import { stdioFile, type StdioSource } from './fs/stdio.js';
import type { TerminalFeed } from './fs/terminalFeed.js';
import { AT_FDCWD, lookup, type VfsContext } from './fs/vfs.js';
import { S_IFMT, S_IFREG } from './fs/stat.js';
import { ADDR_COMPAT_LAYOUT, initialPersonaFlags, personalityForExec, type LayoutName, type Personality } from './mm/layout.js';
import { newFaultStats, type Mm } from './mm/mmStruct.js';
import { execRandomizes, KernelRandom } from './mm/randomize.js';
import { hiwaterRss } from './mm/rssStat.js';
import { vmaContaining, type VmFile } from './mm/vma.js';
import { copyProcess, type CloneArgs, CLONE_VFORK } from './proc/fork.js';
import { completeVforkDone, doExit, doGroupExit, type ExitHooks, mmput, notifyParentCldStop, releaseTask } from './proc/exit.js';
import { futexWake } from './proc/futex.js';
import { NS_PER_INSN, Scheduler } from './proc/sched.js';
import { defaultRlimits, FsInfo, RLIMIT_STACK, type RestartBlock, type Rlimit, Task, ThreadGroup } from './proc/task.js';
import { sleepOn, type WaitQueue } from './proc/waitQueue.js';
import { deliverable, getSignal, sendSignal } from './signal/deliver.js';
import { setupSignalFrame } from './signal/handle.js';
import {
  makeSigInfo, SA_RESTART, SIG_DFL, SIG_IGN, SIGALRM, SIGSEGV, type SigInfo, signalName, siCodeName, SigHand, SS_DISABLE,
} from './signal/signal.js';
import { hex } from './syscalls/strace.js';
import { BLOCKED, doSyscall, type SyscallTracer } from './syscallEntry.js';
import type { SyscallContext, Utsname } from './syscalls/types.js';
import { FaultsInPlace, handleTrap, outOfMemory } from './trap.js';
import { sysenterEntry } from './sysenterEntry.js';

export interface KernelOptions {
  /** Guest physical memory (default 512 MiB). */
  memoryBytes?: number;
  /** The swap area kept in host memory (default 0: no swap). */
  swapBytes?: number;
  /** Receives the kernel's own log lines (the OOM killer's); default: stderr, "i386emu: kernel: " first. */
  kernelLog?: (line: string) => void;
  /**
   * Host directory the guest sees as "/" (--root: the guest cannot reach a host file outside
   * it and the binds); default: the host's "/", the view of a native process.
   */
  rootDir?: string;
  /** --bind HOST:GUEST mounts inside the guest's tree. */
  binds?: readonly Bind[];
  /**
   * A host directory searched first for the interpreter and shared libraries (qemu's -L); the
   * host's own library directories come after it (fs/libraryMounts.ts).
   */
  sysroot?: string;
  /** Receives one strace-style line per system call and signal. */
  strace?: (line: string) => void;
  /**
   * Called once with the first process's last thread in do_exit, its address space still
   * whole (`compare` and `--pmap-at-exit` read the maps at exit here).
   */
  atInitExit?: (task: Task) => void;
  /** Standard streams: a host fd (default 0/1/2), a buffer or typed input (TerminalFeed) for stdin, a callback for output. */
  stdin?: number | Uint8Array | TerminalFeed;
  stdout?: number | ((data: Uint8Array) => void);
  stderr?: number | ((data: Uint8Array) => void);
  /**
   * The address-space layout (--layout): 'compat' (default: a 64-bit kernel, TASK_SIZE
   * 0xFFFFE000, as `setarch -R`), '3gb' (the first process starts with ADDR_LIMIT_3GB, TASK_SIZE
   * 0xC0000000, as `setarch -R --3gb`), 'i386' (a native 32-bit kernel's 3G/1G layout).
   */
  layout?: LayoutName;
  /** The first process's RLIMIT_STACK soft limit (default 8 MiB; RLIM_INFINITY: unlimited). */
  rlimitStack?: bigint;
  uname?: Partial<Utsname>;
  /** The 16 AT_RANDOM bytes (random by default); fixed bytes make runs reproducible. */
  random?: Uint8Array;
  pid?: number;
  /** Instructions per CPU batch between checks (default 1,000,000). */
  budget?: number;
  /** Instructions per scheduling quantum when several tasks can run (default 100,000). */
  quantum?: number;
  /** Sleep the host for the virtual time an idle guest waits (default true: sleep 1 takes 1 s). */
  realTimeSleep?: boolean;
  /**
   * Resource limits the first process starts with instead of the defaults, by RLIMIT_ number
   * (the CLI passes the host's RLIMIT_STACK, as a shell's `ulimit -s` reaches a native program).
   */
  rlimits?: Readonly<Record<number, Rlimit>>;
  /** The CPU model (--cpu; default the modern one): CPUID, AT_HWCAP and the instructions decoded. */
  cpuModel?: CpuModel;
  /**
   * Seeds RDRAND/RDSEED and the kernel's random choices (AT_RANDOM, getrandom, /dev/urandom,
   * the layout under --aslr) (--seed): the same seed gives the same numbers; default: host entropy.
   */
  cpuSeed?: number;
  /**
   * --aslr: randomize_va_space 2 and a first process without ADDR_NO_RANDOMIZE, so every exec
   * randomizes its layout as Linux does; without cpuSeed a seed is picked (randomSeed).
   */
  aslr?: boolean;
}

export interface FatalDiagnostic {
  /** "SIGSEGV" */
  signal: string;
  /** "SEGV_MAPERR" */
  code: string;
  faultAddr: number | null;
  /** The /proc/PID/maps line of the area holding faultAddr, or null when none does. */
  vma: string | null;
  eip: number;
  note?: string;
  /** Up to 15 bytes of code at eip, read when the fault happened. */
  codeBytes?: Uint8Array;
  /** The default action dumped core. */
  core?: boolean;
}

export interface ExitResult {
  /** exit status, or 128 + signal when a signal killed the process. */
  exitCode: number;
  /** The fatal signal, or 0. */
  signal: number;
  diagnostic?: FatalDiagnostic;
}

export interface KernelStats {
  instructions: number;
  syscalls: number;
  tlbHits: number;
  tlbMisses: number;
  tlbFlushes: number;
  /** Page faults the CPU raised (all kinds). */
  pageFaults: number;
  faults: ReturnType<typeof newFaultStats>;
  decodedInsns: number;
  codeInvalidations: number;
  framesInUse: number;
  /** The most frames in use at once. */
  peakFrames: number;
  contextSwitches: number;
  forks: number;
  framesShared: number;
  /** Page-cache lookups and writebacks, and the files cached now. */
  pageCache: PageCacheStats & { files: number };
  tasksCreated: number;
  /** Swap traffic and reclaim. */
  swap: SwapStats & { totalPages: number; usedPages: number };
  reclaim: ReclaimStats;
  oomKills: number;
}

const DEFAULT_UTSNAME: Utsname = {
  sysname: 'Linux', nodename: 'i386emu', release: '6.1.0-i386emu',
  version: '#1 SMP PREEMPT_DYNAMIC i386emu', machine: 'i686', domainname: '(none)',
};

/** A fatal signal's details, kept for the diagnostic line (the memory is gone by then). */
interface FaultRecord {
  sig: number;
  code: number;
  addr: number | null;
  eip: number;
  note?: string;
  vma: string | null;
  codeBytes: Uint8Array;
}

export class Kernel implements SyscallContext, ExitHooks {
  readonly mem: PhysicalMemory;
  readonly mmu: Mmu;
  readonly cpu: Cpu;
  /** The guest's mount table: its root, procfs, devfs, the library overlay, binds. */
  readonly mounts: MountTable;
  /** The page cache: every mapped file's pages, shared by all processes. */
  readonly pageCache: PageCache;
  /** The swap area (--swap), or null. */
  readonly swap: SwapArea | null;
  /** Direct reclaim, run by the frame allocator when no frame is free. */
  readonly reclaimer: Reclaimer;
  /** Processes the OOM killer killed. */
  oomKills = 0;
  /** Files exec opened (the interpreter), closed once the new image maps them or exec failed. */
  private readonly execOpens: Inode[] = [];
  readonly fileLocks = new FileLocks();
  readonly layout: LayoutName;
  /** The sysctl kernel.randomize_va_space: 2 under --aslr, else 0 (nothing is randomized). */
  readonly randomizeVaSpace: 0 | 2;
  /** The kernel's random source (get_random_*), seeded from randomSeed when there is one. */
  readonly random: KernelRandom;
  /** The seed of this run's random numbers (--seed, or the one --aslr picked), or null. */
  readonly randomSeed: number | null;
  readonly utsname: Utsname;
  readonly memoryBytes: number;
  readonly sched: Scheduler;
  /** The first process (its exit is the emulator's). */
  initTask: Task | null = null;
  straceNote: string | null = null;
  private readonly opts: KernelOptions;
  private readonly faultStats = newFaultStats();
  private readonly forkStats = { framesShared: 0 };
  readonly tracer: SyscallTracer;
  private readonly budget: number;
  private readonly realTimeSleep: boolean;
  syscallCount = 0;
  /** The last synchronous fault forced on each task (tid → record), for the diagnostic. */
  private readonly faults = new Map<number, FaultRecord>();
  private readonly hrBase = process.hrtime.bigint();
  private readonly realBase = BigInt(Date.now()) * 1_000_000n;
  private finished: ExitResult | null = null;
  /** The syscall number being serviced (restart bookkeeping). */
  currentNr = -1;
  /**
   * A debugger is attached: a synchronous fault stops step() with 'signal' before the signal
   * is delivered (ptrace's signal-delivery-stop), so the faulting state can be inspected.
   */
  traceSignals = false;
  /** The fault that made step() return 'signal'. */
  signalStop: { signal: number; addr: number | null } | null = null;
  /** Page faults resolved while the CPU runs, without a trap round trip. */
  readonly faultsInPlace = new FaultsInPlace(this);

  constructor(options: KernelOptions = {}) {
    this.opts = options;
    this.memoryBytes = options.memoryBytes ?? 512 * 1024 * 1024;
    this.mem = new PhysicalMemory(this.memoryBytes);
    this.mmu = new Mmu(this.mem);
    this.cpu = new Cpu(this.mmu);
    if (options.cpuModel) this.cpu.model = options.cpuModel;
    this.randomizeVaSpace = options.aslr === true ? 2 : 0;
    // An --aslr run without --seed still has one, so --stats can say how to repeat it.
    this.randomSeed = options.cpuSeed ?? (options.aslr === true ? new DataView(hostRandomFill(new Uint8Array(4)).buffer).getUint32(0, true) : null);
    if (this.randomSeed !== null) this.cpu.rng.seed(this.randomSeed);
    this.random = new KernelRandom(this.randomSeed ?? undefined);
    this.mounts = new MountTable({ root: options.rootDir, binds: options.binds, sysroot: options.sysroot ?? null });
    this.pageCache = new PageCache(this.mem, this.mmu);
    this.mounts.pageCache = this.pageCache;
    this.mounts.sysctl.randomizeVaSpace = this.randomizeVaSpace;
    this.mounts.random = this.random;
    this.swap = swapOn(this.mem, this.mmu, options.swapBytes ?? 0);
    this.reclaimer = new Reclaimer({ mem: this.mem, pageCache: this.pageCache, swap: this.swap, mms: () => this.liveMms() });
    this.mem.reclaim = (want) => this.reclaimer.shrink(want);
    setOutOfMemoryHandler(this.mem, (addr, write) => outOfMemory(this, this.task, addr, write ? PF_WRITE : 0));
    this.layout = options.layout ?? 'compat';
    this.utsname = { ...DEFAULT_UTSNAME, ...options.uname };
    this.tracer = { write: options.strace ?? null, multi: false, faultTraced: false };
    this.budget = options.budget ?? 1_000_000;
    this.realTimeSleep = options.realTimeSleep ?? true;
    this.sched = new Scheduler(this.cpu, this.mmu, options.pid ?? 1000, options.quantum ?? 100_000);
    this.fileLocks.alive = (pid) => {
      const t = this.sched.find(pid);
      return t !== undefined && t.group.threads.some((x) => !x.exited);
    };
    this.sched.onRealTimer = (t) => this.signalTask(t, makeSigInfo(SIGALRM, 0x80), true);
  }

  // ---- SyscallContext --------------------------------------------------------------------

  get task(): Task {
    const t = this.sched.current;
    if (t === null) throw new Error('no process: call execve first');
    return t;
  }

  /** The task on the CPU, or the first process (for inspection after the end). */
  get currentTask(): Task | null {
    return this.sched.current ?? this.initTask;
  }

  get mm(): Mm {
    return this.task.mm;
  }

  /** The layout the current task's next exec gets (its personality(2) flags on this kernel). */
  get personality(): Personality {
    return personalityForExec(this.layout, this.sched.current?.personality ?? initialPersonaFlags(this.layout, this.randomizeVaSpace !== 0));
  }

  get vfs(): VfsContext {
    return { mounts: this.mounts, task: this.task, findTask: (pid: number) => this.sched.find(pid) };
  }

  exitTask(status: number): void {
    doExit(this, this.task, (status & 0xff) << 8);
  }

  exitGroup(status: number): void {
    doGroupExit(this, this.task, (status & 0xff) << 8);
  }

  sendSignal(sig: number, code: number): void {
    this.signalTask(this.task, makeSigInfo(sig, code, { pid: this.task.pid, uid: this.task.cred.uid }), false);
  }

  signalTask(target: Task, info: SigInfo, group: boolean): boolean {
    return sendSignal(target, info, group, this);
  }

  notifyParentCldStop(t: Task, why: 'stopped' | 'continued'): void {
    notifyParentCldStop(this, t, why);
  }

  futexWake(t: Task, addr: number, n: number): void {
    // mm_release's wake is a shared futex operation (no FUTEX_PRIVATE_FLAG), as glibc's join waits.
    futexWake(t.mm, addr, n, -1, true);
  }

  isInit(t: Task): boolean {
    return t === this.initTask;
  }

  atInitExit(t: Task): void {
    this.opts.atInitExit?.(t);
  }

  monotonicNs(): bigint {
    return process.hrtime.bigint();
  }

  realtimeNs(): bigint {
    return this.realBase + (process.hrtime.bigint() - this.hrBase);
  }

  /** The virtual clock timeouts and timers run on. */
  now(): bigint {
    return this.sched.clock + BigInt(this.cpu.instructions - this.sliceStart) * NS_PER_INSN;
  }

  private sliceStart = 0;

  /**
   * Puts the current task to sleep on queues until a wake-up or the deadline (-1: none); the
   * system call re-runs from the start then. The handler returns what this returns.
   */
  block(queues: readonly WaitQueue[], deadline: bigint, onSignal: RestartBlock['onSignal'] = 'restartsys'): number {
    const t = this.task;
    if (t.restart === null || t.restart.nr !== this.currentNr) {
      t.restart = { nr: this.currentNr, deadline, progress: 0, savedMask: null, woken: false, onSignal };
    } else {
      t.restart.deadline = deadline;
      t.restart.onSignal = onSignal;
    }
    // A signal that can be taken already interrupts the sleep before it starts.
    if (deliverable(t) !== 0n || t.group.groupExitCode !== null) return BLOCKED;
    sleepOn(t, queues, deadline);
    return BLOCKED;
  }

  /** fork/vfork/clone: creates the child; a vfork parent sleeps until the child execs or exits. */
  fork(a: CloneArgs): number {
    const parent = this.task;
    this.sched.syncCurrent();
    // The child returns from the same int 0x80 with EAX = 0.
    const child = copyProcess(this.sched, parent, a, this.forkStats);
    if (typeof child === 'number') return child;
    if (this.tracer.write !== null) this.tracer.multi = true;
    if (a.flags & CLONE_VFORK) {
      child.vforkParent = parent;
      parent.state = 'sleeping';
      parent.waitingOn.push(child.vforkDone);
      child.vforkDone.add(parent);
    }
    return child.tid;
  }

  // ---- exec -----------------------------------------------------------------------------

  /**
   * Loads an i386 ELF as the first process. image defaults to the file's bytes; fileHostPath
   * (default: hostPath unless an image is given) is the file whose page cache the image's
   * pages come from, as an execve's do. Throws ElfError for files that cannot run.
   */
  execve(hostPath: string, argv: string[], envp: string[], image?: Uint8Array, fileHostPath?: string): void {
    const exePath = this.mounts.guestPathOf(hostPath) ?? resolve(hostPath);
    const path = fileHostPath ?? (image === undefined ? hostPath : null);
    let inode: HostFileInode | null = null;
    if (path !== null) {
      const fd = openSync(path, 'r');
      const st = fstatSync(fd, { bigint: true });
      inode = new HostFileInode(fd, exePath, this.pageCache, `${st.dev}:${st.ino}`);
    }
    try {
      const file = inode === null ? -1 : inode.mapping();
      const vmFile = typeof file === 'number' ? undefined : file;
      const bytes = image ?? vmFile?.mapping.readAll() ?? readFileSync(hostPath);
      this.execImage(hostPath, exePath, hostPath, argv, envp, bytes, vmFile);
    } finally {
      inode?.release();
    }
    this.tracer.write?.(`execve(${JSON.stringify(hostPath)}, ${JSON.stringify(argv)}, ${hex(envp.length)} /* ${envp.length} vars */) = 0`);
  }

  /** The limits of the first process: the defaults with options.rlimits over them. */
  private initialRlimits(): Rlimit[] {
    const r = defaultRlimits();
    for (const [k, v] of Object.entries(this.opts.rlimits ?? {})) r[Number(k)] = { ...v };
    if (this.opts.rlimitStack !== undefined) r[RLIMIT_STACK] = { ...r[RLIMIT_STACK], cur: this.opts.rlimitStack };
    return r;
  }

  /** The first process: pid, stdio, cwd; its memory comes from the first exec. */
  private createInitTask(mm: Mm): Task {
    const uid = process.getuid?.() ?? 0;
    const gid = process.getgid?.() ?? 0;
    const pid = this.sched.allocPid();
    const files = new FdTable();
    const sources: StdioSource[] = [this.opts.stdin ?? 0, this.opts.stdout ?? 1, this.opts.stderr ?? 2];
    sources.forEach((src, fd) => files.installAt(fd, stdioFile(fd, src, pid), false));
    const group = new ThreadGroup(pid, pid);
    const fs = new FsInfo();
    fs.cwd = this.mounts.guestPathOf(process.cwd()) ?? '/';
    group.rlimits = this.initialRlimits();
    const t = new Task(pid, group, mm, files, fs, new SigHand(), { uid, euid: uid, gid, egid: gid });
    t.personality = initialPersonaFlags(this.layout, this.randomizeVaSpace !== 0);
    group.leader = t;
    this.sched.add(t);
    this.initTask = t;
    return t;
  }

  /**
   * The point of no return of exec: builds the new image (ElfError leaves everything as it
   * was), then replaces the current process's memory, resets what exec resets and loads the
   * CPU. execfn is the name the caller used (AT_EXECFN); exePath what /proc/self/exe shows.
   */
  execImage(hostPath: string, exePath: string, execfn: string, argv: readonly string[], envp: readonly string[], bytes: Uint8Array,
    file?: VmFile): void {
    let dev: [number, number] = [0, 0];
    let ino = 0;
    try {
      const st = statSync(hostPath, { bigint: true });
      dev = decodeDev(st.dev);
      ino = Number(st.ino);
    } catch { /* an image without a file */ }
    const old = this.sched.current;
    const uid = old?.cred.uid ?? process.getuid?.() ?? 0;
    const gid = old?.cred.gid ?? process.getgid?.() ?? 0;
    const stackLimit = (old ? old.rlimits : this.initialRlimits())[RLIMIT_STACK].cur;
    const stackRlimit = Number(stackLimit > 0xffffffffn ? 0xffffffffn : stackLimit);
    let r: ReturnType<typeof execBinary>;
    const persona = old?.personality ?? initialPersonaFlags(this.layout, this.randomizeVaSpace !== 0);
    try {
      // The personality flags (ADDR_LIMIT_3GB) pick the layout per exec, as set_personality_ia32.
      r = execBinary(this.mem, this.mmu, this.faultStats, this.personality, {
        image: bytes, exePath, devMajor: dev[0], devMinor: dev[1], ino, argv, envp, execfn,
        hwcap: this.cpu.model.edx1, uid, gid, stackRlimit, random: this.opts.random,
        legacyMmap: (persona & ADDR_COMPAT_LAYOUT) !== 0,
        rng: this.random, randomize: execRandomizes(this.randomizeVaSpace, persona),
        openInterp: (path) => this.openInterp(path), file,
      });
    } finally {
      for (const inode of this.execOpens.splice(0)) inode.release?.();
    }
    r.mm.exePath = exePath;
    let task: Task;
    if (old === null) {
      task = this.createInitTask(r.mm);
      this.sched.current = task;
    } else {
      task = old;
      this.deThread(task);
      // The old image's peak resident set stays in ru_maxrss (exec_mmap's setmax_mm_hiwater_rss).
      if (task.mm.pgd !== 0) task.group.maxrssKb = Math.max(task.group.maxrssKb, hiwaterRss(task.mm) * 4);
      mmput(task);
      task.mm.count--;
      task.mm = r.mm;
      completeVforkDone(this.sched, task);
      // unshare_files: a table shared with another process is copied before close-on-exec.
      if (task.files.refs > 1) {
        task.files.refs--;
        task.files = task.files.clone();
      }
      task.files.closeOnExec();
      if (task.signal.hand.refs > 1) {
        task.signal.hand.refs--;
        task.signal.hand = task.signal.hand.copy();
      }
      // flush_signal_handlers: caught signals go back to the default; ignored stay ignored.
      for (const a of task.signal.actions) {
        if (a.handler !== SIG_IGN) a.handler = SIG_DFL;
        a.flags = 0;
        a.restorer = 0;
        a.mask = 0n;
      }
      task.signal.altStack = { sp: 0, flags: SS_DISABLE, size: 0 };
      task.clearChildTid = 0;
      task.robustListHead = 0;
    }
    task.comm = r.comm;
    task.group.libraryLookups.clear();
    this.resetCpu(r.entry, r.sp);
    this.mmu.setCr3(r.mm.pgd * 4096);
  }

  /**
   * open_exec of a PT_INTERP path in the exec'ing task's view (a snapshot of the file, named by
   * its canonical guest path), or -errno. The first exec has no task yet: a relative path then
   * starts at the initial working directory, and /proc and /dev are not searched.
   */
  private openInterp(path: string): VmFile | number {
    const task = this.sched.current;
    let p = path;
    if (task === null) {
      if (!p.startsWith('/')) p = posix.join(this.mounts.guestPathOf(process.cwd()) ?? '/', p);
      if (/^\/(proc|dev)(\/|$)/.test(posix.normalize(p))) return -ENOENT;
    }
    // lookup consults the task only for relative paths and /proc, excluded above without one.
    const ctx: VfsContext = { mounts: this.mounts, task: task as Task, findTask: (pid) => this.sched.find(pid) };
    const l = lookup(ctx, AT_FDCWD, p, true);
    if (typeof l === 'number') return l;
    if (l.kind !== 'host' || l.st === null) return -EACCES;
    if ((Number(l.st.mode) & S_IFMT) !== S_IFREG) return -EACCES;
    const inode = hostOpen({
      hostPath: l.hostPath, guestPath: l.guestPath, flags: 0, mode: 0, check: { expect: l.st, confine: l.confine },
      cache: this.pageCache,
    });
    if (typeof inode === 'number') return inode;
    const file = inode instanceof HostFileInode ? inode.mapping() : -EACCES;
    // Closed when execBinary is done: an unmapped page cache goes with the last open.
    this.execOpens.push(inode);
    return file;
  }

  /**
   * The contents of a regular file at an absolute guest path as the initial process sees the
   * file system (mounts, --root confinement), or -errno: what a debugger reads of the target's
   * files (gdb's vFile, for shared libraries' symbols).
   */
  readGuestFile(path: string): Uint8Array | number {
    if (!path.startsWith('/')) return -ENOENT;
    const task = this.initTask ?? this.sched.current;
    if (task === null) return -ENOENT;
    const ctx: VfsContext = { mounts: this.mounts, task, findTask: (pid) => this.sched.find(pid) };
    const l = lookup(ctx, AT_FDCWD, path, true);
    if (typeof l === 'number') return l;
    if (l.kind !== 'host' || l.st === null || (Number(l.st.mode) & S_IFMT) !== S_IFREG) return -EACCES;
    try {
      return readFileSync(l.hostPath);
    } catch {
      return -EACCES;
    }
  }

  /** de_thread: exec in a multi-threaded process ends the other threads first. */
  private deThread(t: Task): void {
    const g = t.group;
    for (const x of [...g.threads]) {
      if (x === t || x.exited) continue;
      x.state = 'zombie';
      for (const q of x.waitingOn) q.remove(x);
      x.waitingOn.length = 0;
      x.mm.users--;
      x.files.refs--;
      x.fs.refs--;
      x.signal.hand.refs--;
      releaseTask(this.sched, x);
    }
    if (!t.isLeader) {
      // The exec'ing thread takes over the leader's pid and place.
      const leader = g.leader;
      this.sched.remove(leader);
      this.sched.tasks.delete(t.tid);
      t.tid = leader.tid;
      this.sched.tasks.set(t.tid, t);
      t.parent = leader.parent;
      t.exitSignal = leader.exitSignal;
      if (leader.parent !== null) {
        const ch = leader.parent.children;
        ch[ch.indexOf(leader)] = t;
      }
      for (const c of leader.children) { c.parent = t; t.children.push(c); }
      g.threads.splice(g.threads.indexOf(leader), 1);
      leader.state = 'dead';
      g.leader = t;
    }
    g.threads.length = 0;
    g.threads.push(t);
  }

  private resetCpu(entry: number, sp: number): void {
    const c = this.cpu;
    c.regs.fill(0);
    c.regs[ESP] = sp | 0;
    c.eip = entry | 0;
    c.setEflags(0x202);
    c.resetSegments();
    for (let i = 0; i < c.tls.length; i++) c.tls[i] = { base: 0, limit: 0, flags: 0, present: false };
    c.ldt = null; // the new mm has no LDT
    c.fpu.reset();
    c.sse.xmm.fill(0);
    c.sse.mxcsr = 0x1f80;
  }

  // ---- running --------------------------------------------------------------------------

  /**
   * Set by a caller that runs the kernel from an event loop (the CLI): instead of blocking the
   * host while every task sleeps, step() returns and leaves the idle time in idleDebtNs for the
   * caller to wait out asynchronously.
   */
  deferIdle = false;
  idleDebtNs = 0n;
  /** Nothing can run until a signal comes from the host (a stopped job waits for SIGCONT). */
  waitingForHost = false;

  /** The first process is stopped (Ctrl-Z): the emulator itself should stop, as a job would. */
  get initStopped(): boolean {
    const init = this.initTask;
    return init !== null && init.group.stopSignal !== 0 && init.group.threads.every((x) => x.exited || x.state === 'stopped');
  }

  /** Instructions per step() for a caller that drives the kernel itself. */
  get batchBudget(): number {
    return this.budget;
  }

  /**
   * A signal the host process received (Ctrl-C at the terminal, kill of the emulator): sent to
   * the guest's foreground process group, as the terminal driver or a kill would.
   */
  hostSignal(sig: number): void {
    const init = this.initTask;
    if (init === null) return;
    const pgrp = this.foregroundPgrp();
    const targets = this.sched.processes().filter((p) => p.pgid === pgrp && p.group.threads.some((x) => !x.exited));
    if (targets.length === 0 && init.group.threads.some((x) => !x.exited)) targets.push(init);
    for (const p of targets) this.signalTask(p, makeSigInfo(sig, 0x80), true);
  }

  /** The terminal's foreground process group (TIOCSPGRP), or the first process's group. */
  private foregroundPgrp(): number {
    const init = this.initTask!;
    for (let fd = 0; fd < 3; fd++) {
      const tty = (init.files.get(fd)?.inode as { tty?: { pgrp: number } | null } | undefined)?.tty;
      if (tty) return tty.pgrp;
    }
    return init.pgid;
  }

  /** Runs until the first process exits or is killed. */
  run(): ExitResult {
    for (;;) {
      const r = this.step(this.budget);
      if (r === 'debug' || r === 'signal') throw new Error('a debugger stop inside Kernel.run(); drive it with step()');
      if (r !== null) return r;
    }
  }

  /**
   * Runs one slice of at most budget instructions of the next runnable task and handles why
   * the CPU stopped. Returns the result once the first process has ended, 'debug' when a
   * debugger hook stopped the CPU, or null to continue.
   */
  step(budget: number): ExitResult | 'debug' | 'signal' | null {
    if (this.finished !== null) return this.finished;
    const t = this.scheduleNext();
    if (t === 'idle') return null;
    if (t === null) return this.finish();
    const n = this.sched.sliceFor(t, budget);
    const before = this.cpu.instructions;
    this.sliceStart = before;
    this.faultsInPlace.arm(t);
    const stop = this.cpu.run(n);
    this.faultsInPlace.disarm();
    const ran = this.cpu.instructions - before;
    this.sched.account(t, ran);
    this.sliceStart = this.cpu.instructions;
    if (stop === Stop.Debug) return 'debug';
    if (stop !== Stop.Budget) {
      const entry = stop === Stop.Sysenter ? sysenterEntry(this, t) : null;
      if ((stop === Stop.Interrupt && this.cpu.trapVector === 0x80) || entry === 'syscall') doSyscall(this, t);
      else if (entry !== 'efault') {
        handleTrap(this, t, stop);
        if (this.signalStop !== null) return 'signal';
      }
    }
    if (!t.exited) this.exitToUserMode(t);
    const init = this.initTask;
    if (init !== null && init.exited && !init.group.threads.some((x) => !x.exited)) return this.finish();
    return null;
  }

  /**
   * Chooses the task for the next slice and puts it on the CPU, going through its return to
   * user mode (a woken task may have a signal to take). Advances the virtual clock over idle
   * time. null: nothing can ever run again.
   */
  private scheduleNext(): Task | null | 'idle' {
    for (;;) {
      const cur = this.sched.current;
      let t: Task | null = cur !== null && this.sched.keepsCpu(cur) ? cur : null;
      if (t === null) t = this.sched.pickNext();
      if (t === null) {
        const init = this.initTask;
        if (init === null || (init.exited && !init.group.threads.some((x) => !x.exited))) return null;
        const d = this.sched.nextDeadline();
        if (d < 0n && this.deferIdle && this.sched.order.some((x) => x.state === 'stopped')) {
          // A stopped job waits for a SIGCONT, which only the host can send now.
          this.waitingForHost = true;
          return 'idle';
        }
        if (d < 0n && this.sched.order.some((x) => x.state === 'sleeping' && x.waitingOn.some((q) => q.fromHost))) {
          // Waiting for typed input that the embedder reads (kernel/fs/terminalFeed.ts).
          this.waitingForHost = true;
          return 'idle';
        }
        if (d < 0n) return null; // every task sleeps with nothing to wake it
        if (this.deferIdle) {
          // The caller waits on the host (asynchronously, so host signals still arrive).
          this.idleDebtNs += d - this.sched.clock;
          this.sched.clock = d;
          return 'idle';
        }
        this.idleUntil(d);
        continue;
      }
      this.sched.switchTo(t);
      // A task woken inside a system call re-runs it first (it may consume what woke it, as
      // sigtimedwait does); signals are delivered on the way out of that call.
      if (t.restart === null) this.exitToUserMode(t);
      if (t.state === 'running') return t;
    }
  }

  /** Idle: the virtual clock jumps to the deadline (and the host waits that long, by default). */
  private idleUntil(deadline: bigint): void {
    const delta = deadline - this.sched.clock;
    if (delta <= 0n) return;
    if (this.realTimeSleep) {
      // The whole delta, not whole milliseconds: a guest that sleeps until an absolute
      // CLOCK_MONOTONIC time (the host's clock) must not read an earlier time when it wakes.
      // Atomics.wait may return a little early, hence the loop.
      const until = process.hrtime.bigint() + (delta < 60_000_000_000n ? delta : 60_000_000_000n);
      const cell = new Int32Array(new SharedArrayBuffer(4));
      for (let left = until - process.hrtime.bigint(); left > 0n; left = until - process.hrtime.bigint()) {
        Atomics.wait(cell, 0, 0, Number(left) / 1e6);
      }
    }
    this.sched.clock = deadline;
  }

  /**
   * The return to user mode (exit_to_user_mode_loop): a dying group's thread exits, a pending
   * signal runs its handler (after deciding what an interrupted system call returns), stops
   * the group, or kills it.
   */
  exitToUserMode(t: Task): void {
    for (let guard = 0; guard < 64 && t.state === 'running'; guard++) {
      if (t.group.groupExitCode === null && deliverable(t) === 0n) return;
      const d = getSignal(t, this);
      if (d.kind === 'none') return;
      if (d.kind === 'stop') return;
      if (d.kind === 'exit') {
        this.recordDeath(t, d.info);
        doGroupExit(this, t, d.code);
        return;
      }
      this.interruptSyscall(t, d.action.flags);
      if (!setupSignalFrame(this, t, d.info, d.action)) {
        // The frame could not be written: SIGSEGV, which cannot be caught now (force_sigsegv).
        const act = t.signal.actions[SIGSEGV];
        act.handler = SIG_DFL;
        this.signalTask(t, makeSigInfo(SIGSEGV, 0x80), false);
      }
    }
  }

  /** A system call was asleep (EIP rewound onto int 0x80) when a handler is about to run. */
  private interruptSyscall(t: Task, actFlags: number): void {
    const r = t.restart;
    if (r === null) return;
    t.restart = null;
    if (r.onSignal === 'restartsys' && actFlags & SA_RESTART && r.progress === 0) return; // re-run after the handler
    const c = this.cpu;
    r.onInterrupt?.();
    c.regs[EAX] = r.progress > 0 ? r.progress : -EINTR;
    c.eip = (c.eip + 2) | 0;
    if (r.savedMask !== null) t.savedSigmask = r.savedMask;
  }

  /** Keeps what the diagnostic line needs about a task a signal is about to kill. */
  private recordDeath(t: Task, info: SigInfo): void {
    const init = this.initTask;
    if (init === null || t.group !== init.group) return;
    // Kept on the first process whichever thread took the signal; the other threads then die
    // of the same signal without the details, and must not overwrite them.
    const f = this.faults.get(t.tid);
    const sig = info.signo;
    if (init.death !== null && (f === undefined || f.sig !== sig)) return;
    if (f !== undefined && f.sig === sig) {
      init.death = { signal: sig, code: f.code, faultAddr: f.addr, eip: f.eip, note: f.note, core: false };
      this.lastFault = f;
    } else {
      init.death = { signal: sig, code: info.code, faultAddr: null, eip: this.cpu.eip >>> 0, core: false };
      this.lastFault = null;
    }
  }

  private lastFault: FaultRecord | null = null;

  /** A synchronous fault is being forced on t: remember where, for the diagnostic. */
  noteFault(t: Task, sig: number, code: number, addr: number | null, eip: number, note?: string): void {
    const vma = addr !== null ? this.describeAddress(addr) : null;
    const bytes: number[] = [];
    for (let k = 0; k < 15; k++) {
      const p = this.mmu.walk((this.cpu.codeLinear(eip) + k) | 0, false); // eip: the offset in CS
      if (p < 0) break;
      bytes.push(this.mem.bytes[p]);
    }
    this.faults.set(t.tid, { sig, code, addr, eip: eip >>> 0, note, vma, codeBytes: Uint8Array.from(bytes) });
    if (this.traceSignals) this.signalStop = { signal: sig, addr };
    if (this.tracer.write !== null) {
      this.tracer.faultTraced = true;
      const where = addr !== null ? `, si_addr=${addr === 0 ? 'NULL' : hex(addr)}` : '';
      this.tracer.write(`${this.tracePrefix(t)}--- ${signalName(sig)} {si_signo=${signalName(sig)}, si_code=${siCodeName(sig, code)}${where}} ---`);
    }
  }

  /** The address spaces of the processes alive, each once (what reclaim scans). */
  liveMms(): Mm[] {
    const mms = new Set<Mm>();
    for (const t of this.sched.tasks.values()) if (!t.exited && t.mm.pgd !== 0) mms.add(t.mm);
    return [...mms];
  }

  /** One line of the kernel's log (printk). */
  kernelLog(line: string): void {
    if (this.opts.kernelLog !== undefined) this.opts.kernelLog(line);
    else process.stderr.write(`i386emu: kernel: ${line}\n`);
  }

  tracePrefix(t: Task): string {
    return this.tracer.multi ? `[pid ${t.tid}] ` : '';
  }

  /** Shared objects the first process's loader looked for and never found (since its last exec). */
  missingLibraries(): string[] {
    const init = this.initTask;
    if (init === null) return [];
    return [...init.group.libraryLookups].filter(([, found]) => !found).map(([name]) => name);
  }

  /** Kills what is left once the first process is gone and builds the result. */
  private finish(): ExitResult {
    if (this.finished !== null) return this.finished;
    const t = this.initTask!;
    const g = t.group;
    for (const x of [...this.sched.order]) {
      if (x.exited || x.group === g) continue;
      x.group.groupExitCode ??= 9;
      doExit(this, x, 9);
    }
    // A thread of the first process still lives (the main thread may have left with
    // pthread_exit): every task sleeps and nothing can wake one, the guest deadlocked itself.
    const live = g.threads.filter((x) => !x.exited);
    if (live.length > 0) {
      process.stderr.write('i386emu: every task is asleep and nothing can wake one (deadlock); killing the guest\n');
      this.sched.switchTo(live[0]); // the diagnostic shows where a sleeper sleeps, not an exited thread
      t.death = { signal: 9, code: 0x80, faultAddr: null, eip: this.cpu.eip >>> 0, note: 'deadlock: every task asleep', core: false };
      doGroupExit(this, live[0], 9);
      for (const x of live) doExit(this, x, 9);
    }
    // The emulator exits with the first process: processes still alive keep their mappings,
    // whose stores reach the files now.
    try {
      this.pageCache.syncAll();
    } catch { /* a file that cannot be written back loses the stores, as after an EIO */ }
    this.finished = this.result(t);
    return this.finished;
  }

  private result(t: Task): ExitResult {
    const w = this.tracer.write;
    const sig = t.exitCode & 0x7f;
    if (sig === 0) {
      const code = (t.exitCode >> 8) & 0xff;
      w?.(`${this.tracePrefix(t)}+++ exited with ${code} +++`);
      return { exitCode: code, signal: 0 };
    }
    const d = t.death ?? { signal: sig, code: 0, faultAddr: null, eip: this.cpu.eip >>> 0, core: false };
    if (w !== null) {
      if (!this.tracer.faultTraced) {
        const name = signalName(sig);
        w(`${this.tracePrefix(t)}--- ${name} {si_signo=${name}, si_code=${siCodeName(sig, d.code)}, si_pid=${t.pid}, si_uid=${t.cred.uid}} ---`);
        this.tracer.faultTraced = true;
      }
      w(`${this.tracePrefix(t)}+++ killed by ${signalName(sig)}${t.exitCode & 0x80 ? ' (core dumped)' : ''} +++`);
    }
    const f = this.lastFault;
    return {
      exitCode: 128 + sig,
      signal: sig,
      diagnostic: {
        signal: signalName(sig), code: siCodeName(sig, d.code), faultAddr: d.faultAddr, vma: f?.vma ?? null,
        eip: d.eip >>> 0, note: d.note, codeBytes: f?.codeBytes, core: (t.exitCode & 0x80) !== 0,
      },
    };
  }

  // ---- inspection -------------------------------------------------------------------------

  /** The /proc/PID/maps line of the area containing addr, or null. */
  describeAddress(addr: number): string | null {
    const t = this.currentTask;
    if (t === null || t.mm.pgd === 0) return null;
    const v = vmaContaining(t.mm.vmas, addr >>> 0);
    return v ? formatVmaLine(t.mm, v) : null;
  }

  stats(): KernelStats {
    return {
      instructions: this.cpu.instructions,
      syscalls: this.syscallCount,
      tlbHits: this.mmu.tlbHits,
      tlbMisses: this.mmu.tlbMisses,
      tlbFlushes: this.mmu.tlbFlushes,
      pageFaults: this.mmu.pageFaults,
      faults: { ...this.faultStats },
      decodedInsns: this.cpu.decodedInsns,
      codeInvalidations: this.cpu.codeInvalidations,
      framesInUse: this.mem.framesInUse,
      peakFrames: this.mem.peakFramesInUse,
      contextSwitches: this.sched.stats.contextSwitches,
      forks: this.sched.stats.forks,
      framesShared: this.forkStats.framesShared,
      pageCache: { ...this.pageCache.stats, files: this.pageCache.table.size },
      tasksCreated: this.sched.stats.forks + 1,
      swap: {
        ...(this.swap?.stats ?? { swapOuts: 0, swapIns: 0, cacheHits: 0 }),
        totalPages: this.swap?.totalPages ?? 0, usedPages: this.swap?.inuse ?? 0,
      },
      reclaim: { ...this.reclaimer.stats },
      oomKills: this.oomKills,
    };
  }
}

