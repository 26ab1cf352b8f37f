// The debugger's view of a process run by the mini kernel: Kernel.step() drives it (system
// calls, page faults and signals are handled inside; a debugger hook stop comes back as
// 'debug'), and the kernel's structures answer maps, areas, tasks, auxv and the counters.
import { Kernel, type KernelOptions } from '../../kernel/kernel.js';
import { formatMaps } from '../../kernel/fs/procfs.js';
import { handleMmFault } from '../../kernel/mm/fault.js';
import { getPte } from '../../kernel/mm/pageTable.js';
import { PF_PROT, PF_USER, PF_WRITE, PTE_P } from '../mmu/paging.js';
import { PAGE_SIZE } from '../mmu/physicalMemory.js';
import { ESP } from '../cpu/registers.js';
import type { AddressSpace, DebugTarget, TargetStop, TargetTask } from './target.js';
import { hex8 } from './format.js';

export class KernelTarget implements DebugTarget {
  exit: { code: number; signal: number } | null = null;
  private readonly auxvBytes: Uint8Array;

  constructor(readonly kernel: Kernel, readonly exePath: string) {
    this.auxvBytes = this.readAuxv();
  }

  get cpu() { return this.kernel.cpu; }
  get mmu() { return this.kernel.mmu; }
  get mem() { return this.kernel.mem; }
  get pid(): number { return this.kernel.task.pid; }
  get tid(): number { return this.kernel.task.tid; }

  resume(budget: number): TargetStop {
    if (this.exit) return { kind: 'exited', ...this.exit };
    const r = this.kernel.step(budget);
    if (r === 'debug') return { kind: 'hook' };
    if (r === null) return { kind: 'budget' };
    if (r === 'signal') {
      // Like ptrace's signal-delivery-stop: the fault is queued but not yet delivered, so the
      // faulting instruction's state can be inspected; resuming delivers it.
      const s = this.kernel.signalStop!;
      this.kernel.signalStop = null;
      return { kind: 'signal', signal: s.signal, addr: s.addr ?? undefined };
    }
    this.exit = r.signal ? { code: 0, signal: r.signal } : { code: r.exitCode, signal: 0 };
    return { kind: 'exited', ...this.exit };
  }

  faultIn(addr: number, write: boolean): boolean {
    if (this.exit) return false;
    const mm = this.kernel.task.mm;
    const code = PF_USER | (getPte(mm, addr) & PTE_P ? PF_PROT : 0) | (write ? PF_WRITE : 0);
    return handleMmFault(mm, addr >>> 0, code) === 'ok';
  }

  maps(): string {
    return formatMaps(this.kernel.task);
  }

  vmaAt(addr: number): string | null {
    return this.kernel.describeAddress(addr);
  }

  tasks(): TargetTask[] {
    const t = this.kernel.task;
    return [{
      pid: t.pid, tid: t.tid, ppid: t.ppid, state: this.exit ? 'exited' : 'stopped', name: t.comm,
      mm: `pgd=${hex8(t.mm.pgd * PAGE_SIZE)} ${t.mm.vmas.length} areas`, current: true,
    }];
  }

  addressSpaces(): AddressSpace[] {
    const t = this.kernel.task;
    return [{ label: `pid ${t.pid}`, cr3: t.mm.pgd * PAGE_SIZE }];
  }

  auxv(): Uint8Array {
    return this.auxvBytes;
  }

  /** The auxiliary vector as exec left it above argv and envp on the new stack. */
  private readAuxv(): Uint8Array {
    const m = this.kernel.mmu;
    const out: number[] = [];
    try {
      let p = this.kernel.cpu.regs[ESP] >>> 0;
      const argc = m.read32(p);
      p += 4 * (argc + 2);
      while (m.read32(p) !== 0) p += 4;
      p += 4;
      for (let k = 0; k < 64; k++) {
        const type = m.read32(p) >>> 0, val = m.read32(p + 4) >>> 0;
        for (const w of [type, val]) out.push(w & 0xff, (w >>> 8) & 0xff, (w >>> 16) & 0xff, w >>> 24);
        p += 8;
        if (type === 0) break;
      }
    } catch {
      // an unreadable stack: no auxv
    }
    return Uint8Array.from(out);
  }

  statsText(): string {
    const s = this.kernel.stats();
    const f = s.faults;
    return `system calls ${s.syscalls}\nfaults handled: anonymous ${f.anon}, file ${f.file}, copy-on-write ${f.cow}, stack growth ${f.stackGrowth}, spurious ${f.spurious}, SIGSEGV ${f.segv}, SIGBUS ${f.sigbus}`;
  }
}

export interface LaunchOptions extends KernelOptions {
  program: string;
  args: string[];
  envp: string[];
  image: Uint8Array;
}

/** exec's the program in a fresh kernel and returns it stopped at its first instruction. */
export function launch(o: LaunchOptions): KernelTarget {
  const kernel = new Kernel(o);
  kernel.traceSignals = true;
  kernel.execve(o.program, [o.program, ...o.args], o.envp, o.image);
  return new KernelTarget(kernel, kernel.task.exePath);
}
