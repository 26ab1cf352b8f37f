// The mini kernel: owns guest physical memory, the MMU and the CPU, runs one process, and
// turns every way the CPU stops into what Linux would do: int 0x80 → the syscall table,
// #PF → handleMmFault (demand paging, stack growth, COW) or SIGSEGV/SIGBUS, #UD → SIGILL,
// #DE/#MF → SIGFPE, #GP → SIGSEGV, int3 → SIGTRAP.
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Cpu } from '../src/cpu/cpu.js';
import { cpuFeatures } from '../src/cpu/cpuid.js';
import { EAX, EBP, EBX, ECX, EDI, EDX, ESI, ESP } from '../src/cpu/registers.js';
import { Stop } from '../src/cpu/stop.js';
import { Mmu } from '../src/mmu/mmu.js';
import { PhysicalMemory } from '../src/mmu/physicalMemory.js';
import { ENOSYS } from './errno.js';
import { execBinary } from './exec/execve.js';
import { FdTable } from './fs/fdtable.js';
import { HostFs } from './fs/hostfs.js';
import { formatVmaLine } from './fs/procfs.js';
import { decodeDev } from './fs/stat.js';
import { stdioFile, type StdioSource } from './fs/stdio.js';
import type { VfsContext } from './fs/vfs.js';
import { handleMmFault } from './mm/fault.js';
import { personalityFor, type Personality } from './mm/layout.js';
import { newFaultStats, type FaultStats, type Mm } from './mm/mmStruct.js';
import { freeAddressSpace } from './mm/pageTable.js';
import { vmaContaining } from './mm/vma.js';
import { RLIMIT_STACK, Task } from './proc/task.js';
import { forceSigFault, recalcSigpending, sendSignal } from './signal/deliver.js';
import {
  BUS_ADRERR, fpuExceptionCode, FPE_INTDIV, ILL_ILLOPN, SEGV_ACCERR, SEGV_MAPERR, SI_KERNEL, SIG_IGN, SIGBUS, SIGFPE,
  SIGILL, SIGKILL, SIGSEGV, SIGTRAP, siCodeName, signalName, SS_DISABLE, TRAP_BRKPT,
} from './signal/signal.js';
import { formatInputs, formatSyscall, hex } from './syscalls/strace.js';
import { SYSCALL_TABLE } from './syscalls/table.js';
import { invokeSyscall } from './syscalls/dispatch.js';
import { syscallName } from './syscalls/names.js';
import type { SyscallContext, Utsname } from './syscalls/types.js';

export interface KernelOptions {
  /** Guest physical memory (default 512 MiB). */
  memoryBytes?: number;
  /** Host directory the guest sees as "/" (read-only sandbox; default: the current directory). */
  rootDir?: string;
  /** Receives one strace-style line per system call and signal. */
  strace?: (line: string) => void;
  /** Standard streams: a host fd (default 0/1/2), a buffer for stdin, a callback for output. */
  stdin?: number | Uint8Array;
  stdout?: number | ((data: Uint8Array) => void);
  stderr?: number | ((data: Uint8Array) => void);
  /** TASK_SIZE: 0xC0000000 (native i386 3G/1G, default) or 0xFFFFE000 (64-bit kernel). */
  taskSize?: number;
  uname?: Partial<Utsname>;
  /** The 16 AT_RANDOM bytes (random by default); fixed bytes make runs reproducible. */
  random?: Uint8Array;
  pid?: number;
  /** Instructions per CPU batch between checks (default 1,000,000). */
  budget?: number;
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
  faults: FaultStats;
  decodedInsns: number;
  codeInvalidations: number;
  framesInUse: number;
}

const DEFAULT_UTSNAME: Utsname = {
  sysname: 'Linux', nodename: 'i386emu', release: '6.1.0-i386emu',
  version: '#1 SMP PREEMPT_DYNAMIC i386emu', machine: 'i686', domainname: '(none)',
};

export class Kernel implements SyscallContext {
  readonly mem: PhysicalMemory;
  readonly mmu: Mmu;
  readonly cpu: Cpu;
  readonly hostfs: HostFs;
  readonly personality: Personality;
  readonly utsname: Utsname;
  readonly memoryBytes: number;
  currentTask: Task | null = null;
  straceNote: string | null = null;
  private readonly opts: KernelOptions;
  private readonly faultStats = newFaultStats();
  private readonly strace: ((line: string) => void) | null;
  private readonly budget: number;
  private syscallCount = 0;
  /** The fatal signal's "--- SIG... ---" line has been traced. */
  private faultTraced = false;
  private readonly hrBase = process.hrtime.bigint();
  private readonly realBase = BigInt(Date.now()) * 1_000_000n;

  constructor(options: KernelOptions = {}) {
    this.opts = options;
    this.memoryBytes = options.memoryBytes ?? 512 * 1024 * 1024;
    this.mem = new PhysicalMemory(this.memoryBytes);
    this.mmu = new Mmu(this.mem);
    this.cpu = new Cpu(this.mmu);
    this.hostfs = new HostFs(options.rootDir ?? process.cwd());
    this.personality = personalityFor(options.taskSize ?? 0xc0000000);
    this.utsname = { ...DEFAULT_UTSNAME, ...options.uname };
    this.strace = options.strace ?? null;
    this.budget = options.budget ?? 1_000_000;
  }

  // ---- SyscallContext --------------------------------------------------------------------

  get task(): Task {
    if (this.currentTask === null) throw new Error('no process: call execve first');
    return this.currentTask;
  }

  get mm(): Mm {
    return this.task.mm;
  }

  get vfs(): VfsContext {
    return { hostfs: this.hostfs, task: this.task };
  }

  exitTask(status: number): void {
    const t = this.task;
    t.state = 'exited';
    t.exitStatus = status & 0xff;
  }

  sendSignal(sig: number, code: number): void {
    sendSignal(this.task, sig, code, this.cpu.prevEip);
  }

  recalcSigpending(): void {
    recalcSigpending(this.task, this.cpu.prevEip);
  }

  monotonicNs(): bigint {
    return process.hrtime.bigint();
  }

  realtimeNs(): bigint {
    return this.realBase + (process.hrtime.bigint() - this.hrBase);
  }

  // ---- exec -----------------------------------------------------------------------------

  /**
   * Loads a static i386 ELF and makes it the running process (a fresh one the first time).
   * image defaults to the file's bytes. Throws ElfError for files that cannot run.
   */
  execve(hostPath: string, argv: string[], envp: string[], image?: Uint8Array): void {
    const bytes = image ?? readFileSync(hostPath);
    const exePath = this.hostfs.guestPathOf(hostPath) ?? resolve(hostPath);
    this.execImage(hostPath, exePath, hostPath, argv, envp, bytes);
    if (this.strace) this.strace(`execve(${JSON.stringify(hostPath)}, ${JSON.stringify(argv)}, ${hex(envp.length)} /* ${envp.length} vars */) = 0`);
  }

  /**
   * The point of no return of exec: builds the new image (ElfError leaves everything as it
   * was), then replaces the current process's memory, resets what exec resets and loads the
   * CPU. execfn is the name the caller used (AT_EXECFN); exePath what /proc/self/exe shows.
   */
  execImage(hostPath: string, exePath: string, execfn: string, argv: readonly string[], envp: readonly string[], bytes: Uint8Array): void {
    let dev: [number, number] = [0, 0];
    let ino = 0;
    try {
      const st = statSync(hostPath, { bigint: true });
      dev = decodeDev(st.dev);
      ino = Number(st.ino);
    } catch { /* an image without a file */ }
    const uid = process.getuid?.() ?? 0;
    const gid = process.getgid?.() ?? 0;
    const old = this.currentTask;
    const stackRlimit = old ? Number(old.rlimits[RLIMIT_STACK].cur > 0xffffffffn ? 0xffffffffn : old.rlimits[RLIMIT_STACK].cur) : 8 * 1024 * 1024;
    const r = execBinary(this.mem, this.mmu, this.faultStats, this.personality, {
      image: bytes, exePath, devMajor: dev[0], devMinor: dev[1], ino, argv, envp, execfn,
      hwcap: cpuFeatures.edx, uid, gid, stackRlimit, random: this.opts.random,
    });

    let task: Task;
    if (old === null) {
      const pid = this.opts.pid ?? 1000;
      const files = new FdTable();
      const sources: StdioSource[] = [this.opts.stdin ?? 0, this.opts.stdout ?? 1, this.opts.stderr ?? 2];
      sources.forEach((src, fd) => files.installAt(fd, stdioFile(fd, src, pid), false));
      task = new Task(pid, r.mm, files, { uid, euid: uid, gid, egid: gid });
      const host = this.hostfs.guestPathOf(process.cwd());
      task.cwd = host ?? '/';
      this.currentTask = task;
    } else {
      task = old;
      freeAddressSpace(old.mm);
      task.mm = r.mm;
      task.files.closeOnExec();
      for (const a of task.signal.actions) {
        if (a.handler !== SIG_IGN) a.handler = 0;
        a.flags = 0;
        a.restorer = 0;
        a.mask = 0n;
      }
      task.signal.altStack = { sp: 0, flags: SS_DISABLE, size: 0 };
      task.clearChildTid = 0;
      task.robustListHead = 0;
    }
    task.exePath = exePath;
    task.comm = r.comm;
    for (let i = 0; i < task.tls.length; i++) task.tls[i] = { base: 0, limit: 0, flags: 0, present: false };
    this.resetCpu(r.entry, r.sp);
    this.mmu.setCr3(r.mm.pgd * 4096);
  }

  private resetCpu(entry: number, sp: number): void {
    const c = this.cpu;
    c.regs.fill(0);
    c.regs[ESP] = sp | 0;
    c.eip = entry | 0;
    c.setEflags(0x202);
    c.resetSegments();
    for (let i = 0; i < c.tls.length; i++) c.tls[i] = { base: 0, limit: 0, flags: 0, present: false };
    c.fpu.reset();
    c.sse.xmm.fill(0);
    c.sse.mxcsr = 0x1f80;
    c.flushCodeCache();
  }

  // ---- running --------------------------------------------------------------------------

  /** Runs the process until it exits or is killed. */
  run(): ExitResult {
    for (;;) {
      const r = this.step(this.budget);
      if (r === 'debug') throw new Error('a debugger hook stopped the CPU inside Kernel.run(); drive it with step()');
      if (r !== null) return r;
    }
  }

  /**
   * Runs one batch of at most budget instructions and handles why the CPU stopped. Returns
   * the result once the process has ended, 'debug' when a debugger hook stopped the CPU, or
   * null to continue.
   */
  step(budget: number): ExitResult | 'debug' | null {
    const task = this.task;
    if (task.state === 'running') {
      const stop = this.cpu.run(budget);
      if (stop === Stop.Debug) return 'debug';
      this.handleStop(stop);
    }
    return task.state === 'running' ? null : this.result();
  }

  private handleStop(stop: Stop): void {
    const cpu = this.cpu;
    const task = this.task;
    switch (stop) {
      case Stop.Budget:
        return;
      case Stop.Interrupt:
        if (cpu.trapVector === 0x80) this.syscall();
        else this.fault(SIGSEGV, SI_KERNEL, null, cpu.prevEip, `int 0x${cpu.trapVector.toString(16)}: no such interrupt gate for user mode`);
        return;
      case Stop.Sysenter:
        this.fault(SIGSEGV, SI_KERNEL, null, cpu.prevEip, 'sysenter outside the vDSO (no vDSO is mapped; use int 0x80)');
        return;
      case Stop.PageFault: {
        const addr = this.mmu.cr2 >>> 0;
        const r = handleMmFault(task.mm, addr, this.mmu.faultCode);
        if (r === 'ok') return;
        if (r === 'sigbus') this.fault(SIGBUS, BUS_ADRERR, addr, cpu.eip, 'access beyond the end of a mapped file');
        else if (r === 'oom') this.fault(SIGKILL, SI_KERNEL, addr, cpu.eip, 'out of guest physical memory');
        else this.fault(SIGSEGV, r === 'segv-maperr' ? SEGV_MAPERR : SEGV_ACCERR, addr, cpu.eip);
        return;
      }
      case Stop.InvalidOpcode:
        this.fault(SIGILL, ILL_ILLOPN, cpu.eip, cpu.eip, this.describeOpcode(cpu.eip));
        return;
      case Stop.DivideError:
        this.fault(SIGFPE, FPE_INTDIV, cpu.eip, cpu.eip);
        return;
      case Stop.FloatingPoint:
        this.fault(SIGFPE, fpuExceptionCode(cpu.trapVector, cpu.fpu.cw, cpu.fpu.getSw(), cpu.sse.mxcsr), cpu.eip, cpu.eip);
        return;
      case Stop.GeneralProtection:
        this.fault(SIGSEGV, SI_KERNEL, 0, cpu.eip, 'general protection fault');
        return;
      case Stop.Breakpoint:
        this.fault(SIGTRAP, TRAP_BRKPT, null, cpu.prevEip, 'int3 breakpoint');
        return;
      case Stop.Trap:
        this.fault(SIGSEGV, SI_KERNEL, null, cpu.prevEip, cpu.trapVector === 4 ? 'INTO overflow trap' : 'BOUND range exceeded');
        return;
      default:
        return;
    }
  }

  private describeOpcode(eip: number): string {
    const bytes: string[] = [];
    for (let i = 0; i < 8; i++) {
      try {
        bytes.push(this.mmu.read8((eip + i) | 0).toString(16).padStart(2, '0'));
      } catch {
        break;
      }
    }
    return `invalid or unimplemented instruction (bytes ${bytes.join(' ')})`;
  }

  private fault(sig: number, code: number, addr: number | null, eip: number, note?: string): void {
    const task = this.task;
    forceSigFault(task, sig, code, addr, eip >>> 0, note);
    if (this.strace) {
      this.faultTraced = true;
      const where = addr !== null ? `, si_addr=${addr === 0 ? 'NULL' : hex(addr)}` : '';
      this.strace(`--- ${signalName(sig)} {si_signo=${signalName(sig)}, si_code=${siCodeName(sig, code)}${where}} ---`);
    }
  }

  private syscall(): void {
    const cpu = this.cpu;
    const r = cpu.regs;
    const task = this.task;
    const nr = r[EAX];
    const a0 = r[EBX], a1 = r[ECX], a2 = r[EDX], a3 = r[ESI], a4 = r[EDI], a5 = r[EBP];
    const row = nr >= 0 ? SYSCALL_TABLE[nr] : undefined;
    const name = row?.name ?? syscallName(nr);
    this.syscallCount++;
    this.straceNote = null;
    const before = this.strace ? formatInputs(task.mm, row, [a0, a1, a2, a3, a4, a5]) : null;
    const ret = row === undefined ? -ENOSYS : invokeSyscall(row.handler, this, name, a0, a1, a2, a3, a4, a5);
    const exited = task.state !== 'running';
    if (!exited) r[EAX] = ret | 0;
    if (this.strace) {
      this.strace(formatSyscall({
        // A call that raised a fatal signal returned before the signal was delivered (like strace shows).
        mm: task.mm, row, name, args: [a0, a1, a2, a3, a4, a5], ret: ret | 0, before: before!, note: this.straceNote,
        exited: exited && task.termSignal === 0,
      }));
    }
  }

  private result(): ExitResult {
    const t = this.task;
    t.files.closeAll(); // exit_files: release host descriptors (idempotent)
    if (t.termSignal === 0) {
      if (this.strace) this.strace(`+++ exited with ${t.exitStatus} +++`);
      return { exitCode: t.exitStatus, signal: 0 };
    }
    const d = t.death!;
    if (this.strace) {
      if (!this.faultTraced) {
        const name = signalName(d.signal);
        this.strace(`--- ${name} {si_signo=${name}, si_code=${siCodeName(d.signal, d.code)}, si_pid=${t.pid}, si_uid=${t.cred.uid}} ---`);
        this.faultTraced = true;
      }
      this.strace(`+++ killed by ${signalName(d.signal)} +++`);
    }
    const vma = d.faultAddr !== null ? this.describeAddress(d.faultAddr) : null;
    return {
      exitCode: 128 + d.signal,
      signal: d.signal,
      diagnostic: {
        signal: signalName(d.signal), code: siCodeName(d.signal, d.code), faultAddr: d.faultAddr, vma,
        eip: d.eip >>> 0, note: d.note,
      },
    };
  }

  // ---- inspection -------------------------------------------------------------------------

  /** The /proc/PID/maps line of the area containing addr, or null. */
  describeAddress(addr: number): string | null {
    const t = this.currentTask;
    if (t === null) return null;
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
    };
  }
}
