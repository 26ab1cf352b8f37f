// What the debugger needs from a running program, whoever runs it: the kernel (KernelTarget in
// kernelTarget.ts) or, for tests and bare snippets, a CPU and MMU set up by hand (BareTarget).
// The debugger only ever reads the machine through these fields and steers it through resume().
import type { Cpu } from '../cpu/cpu.js';
import type { CpuContext } from '../cpu/context.js';
import type { Mmu } from '../mmu/mmu.js';
import type { PhysicalMemory } from '../mmu/physicalMemory.js';
import { Stop } from '../cpu/stop.js';
import { EAX, EBX, ECX, EDX } from '../cpu/registers.js';

/** Why resume() returned. */
export type TargetStop =
  /** The budget ran out; the program is still running. */
  | { kind: 'budget' }
  /** Every task sleeps until the host feeds it input (a read of the terminal the debugger owns). */
  | { kind: 'idle' }
  /** The CPU's debugHook (or the MMU access hook) asked to stop. */
  | { kind: 'hook' }
  /** The program is about to receive a signal (SIGTRAP for INT3, SIGSEGV, ...). */
  | { kind: 'signal'; signal: number; addr?: number }
  /** The program ended (code, or the signal that killed it). */
  | { kind: 'exited'; code: number; signal: number };

export interface TargetTask {
  pid: number;
  tid: number;
  ppid: number;
  state: string;
  name: string;
  /** Which address space (for example "mm#1 cr3=0x00123000"). */
  mm: string;
  current: boolean;
}

/** An address space whose page tables `info frames` walks. */
export interface AddressSpace {
  label: string;
  cr3: number;
  /** The tasks (thread ids) using it: threads, or a vfork child borrowing it. */
  tids?: number[];
  /** The area holding addr: its permissions ("r-xp") and name (a file path, [stack]...), if any. */
  areaAt?(addr: number): { perms: string; name: string | null } | null;
}

export interface DebugTarget {
  readonly cpu: Cpu;
  readonly mmu: Mmu;
  readonly mem: PhysicalMemory;
  /** Process and thread id of the current task. */
  readonly pid: number;
  readonly tid: number;
  /** The program file as given to exec. */
  readonly exePath: string;
  /** Non-null once the program has ended. */
  readonly exit: { code: number; signal: number } | null;
  /**
   * Runs up to `budget` instructions (the caller has set cpu.debugHook as it needs) through
   * system calls, faults and signals, until something the debugger cares about happens.
   */
  resume(budget: number): TargetStop;
  /** Makes addr present (demand paging, copy-on-write for write) as a ptrace access would. */
  faultIn?(addr: number, write: boolean): boolean;
  /** /proc/PID/maps text of the current process, or of process pid (null: no such process). */
  maps?(pid?: number): string | null;
  /** One line describing the area containing addr, or null when no area does. */
  vmaAt?(addr: number, pid?: number): string | null;
  /** CR3 of process pid's address space, or null when there is no such process. */
  cr3Of?(pid: number): number | null;
  tasks?(): TargetTask[];
  addressSpaces?(): AddressSpace[];
  /** The auxiliary vector as the process received it (Elf32_auxv_t pairs). */
  auxv?(): Uint8Array;
  /** A regular file of the target's file system by absolute path (gdb's vFile:open), or null. */
  readFile?(path: string): Uint8Array | null;
  /** Registers of another thread (the current one is in cpu). */
  threadState?(tid: number): CpuContext | null;
  /** Makes thread tid the current one (its registers are loaded into cpu). */
  selectThread?(tid: number): boolean;
  /**
   * False while a task of another process (a forked child) is on the CPU: breakpoints,
   * watchpoints and stepping belong to the debugged process, as with gdb's detach-on-fork.
   */
  traced?(): boolean;
  /** The frames the page cache holds, each with where ("FILE page N"). */
  pageCacheFrames?(): Map<number, string>;
  /**
   * What the kernel knows of slot offset of swap area type (whether the page is in the swap
   * cache, and at which frame), or null when it has nothing to say. Only the PTE format is
   * decoded without it.
   */
  swapSlotInfo?(type: number, offset: number): string | null;
  /** Kernel counters for `stats` (lines of text). */
  statsText?(): string;
  /** `pmap -x` lines of the current process or of process pid (null: no such process). */
  pmap?(pid?: number): string | null;
  /** The address-space picture for `layout`. */
  layout?(): string;
}

export const SIGTRAP = 5, SIGSEGV = 11, SIGILL = 4, SIGFPE = 8, SIGBUS = 7, SIGINT = 2, SIGKILL = 9;

/** The signal a CPU stop reason turns into. */
export function signalForStop(s: Stop): number {
  switch (s) {
    case Stop.Breakpoint: case Stop.Trap: case Stop.SingleStep: return SIGTRAP;
    case Stop.InvalidOpcode: return SIGILL;
    case Stop.DivideError: case Stop.FloatingPoint: return SIGFPE;
    case Stop.SegmentNotPresent: case Stop.StackSegment: return SIGBUS;
    default: return SIGSEGV;
  }
}

/**
 * A hand-built machine with a toy system call layer: exit (1, 252) ends it, write (4) appends
 * to `output`, anything else returns -ENOSYS. Faults and INT3 stop as signals.
 */
export class BareTarget implements DebugTarget {
  readonly cpu: Cpu;
  readonly mmu: Mmu;
  readonly mem: PhysicalMemory;
  readonly pid = 1;
  readonly tid = 1;
  readonly exePath: string;
  exit: { code: number; signal: number } | null = null;
  output = '';

  constructor(cpu: Cpu, exePath = 'bare') {
    this.cpu = cpu;
    this.mmu = cpu.mmu;
    this.mem = cpu.mmu.mem;
    this.exePath = exePath;
  }

  resume(budget: number): TargetStop {
    if (this.exit) return { kind: 'exited', ...this.exit };
    const s = this.cpu.run(budget);
    switch (s) {
      case Stop.Budget: return { kind: 'budget' };
      case Stop.Debug: return { kind: 'hook' };
      case Stop.Interrupt: case Stop.Sysenter: return this.syscall();
      case Stop.PageFault: return { kind: 'signal', signal: SIGSEGV, addr: this.mmu.cr2 >>> 0 };
      default: return { kind: 'signal', signal: signalForStop(s) };
    }
  }

  private syscall(): TargetStop {
    const r = this.cpu.regs;
    const nr = r[EAX];
    if (nr === 1 || nr === 252) {
      this.exit = { code: r[EBX] & 0xff, signal: 0 };
      return { kind: 'exited', ...this.exit };
    }
    if (nr === 4) {
      let s = '';
      for (let k = 0; k < r[EDX]; k++) s += String.fromCharCode(this.mmu.read8((r[ECX] + k) | 0));
      this.output += s;
      r[EAX] = r[EDX];
    } else {
      r[EAX] = -38;
    }
    return { kind: 'budget' };
  }
}
