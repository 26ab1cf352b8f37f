// The debugger's view of a process run by the mini kernel: Kernel.step() drives it (system
// calls, page faults and signals are handled inside; a debugger hook stop comes back as
// 'debug'), and the kernel's structures answer maps, areas, tasks, auxv and the counters.
import { Kernel, type KernelOptions } from '../../kernel/kernel.js';
import { formatMaps, formatVmaLine, vmaDisplayName } from '../../kernel/fs/procfs.js';
import { vmaContaining, vmaPermString } from '../../kernel/mm/vma.js';
import type { Task } from '../../kernel/proc/task.js';
import type { CpuContext } from '../cpu/context.js';
import { handleMmFault } from '../../kernel/mm/fault.js';
import { getPte } from '../../kernel/mm/pageTable.js';
import { swapAreaOf } from '../../kernel/mm/swap.js';
import type { AddressSpace as PageCacheSpace } from '../../kernel/mm/pageCache.js';
import { PF_PROT, PF_USER, PF_WRITE, PTE_P } from '../mmu/paging.js';
import { PAGE_SIZE } from '../mmu/physicalMemory.js';
import { ESP } from '../cpu/registers.js';
import type { AddressSpace, DebugTarget, TargetStop, TargetTask } from './target.js';
import { hex8 } from './format.js';
import { layoutOfMm, layoutText } from './layoutDiagram.js';
import { formatPmapX } from './pmapView.js';

export class KernelTarget implements DebugTarget {
  exit: { code: number; signal: number } | null = null;
  private readonly auxvBytes: Uint8Array;

  constructor(readonly kernel: Kernel, readonly exePath: string) {
    this.auxvBytes = this.readAuxv();
  }

  get cpu() { return this.kernel.cpu; }
  get mmu() { return this.kernel.mmu; }
  get mem() { return this.kernel.mem; }
  get pid(): number { return this.kernel.currentTask!.pid; }
  get tid(): number { return this.kernel.currentTask!.tid; }

  resume(budget: number): TargetStop {
    if (this.exit) return { kind: 'exited', ...this.exit };
    const r = this.kernel.step(budget);
    if (r === 'debug') return { kind: 'hook' };
    if (r === null) {
      if (!this.kernel.waitingForHost) return { kind: 'budget' };
      this.kernel.waitingForHost = false;
      return { kind: 'idle' };
    }
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

  /** The task of process pid (its leader), or the current task. */
  private taskOf(pid?: number): Task | null {
    if (pid === undefined) return this.kernel.currentTask;
    const t = this.kernel.sched.find(pid);
    return t === undefined ? null : t.group.leader;
  }

  maps(pid?: number): string | null {
    const t = this.taskOf(pid);
    return t === null ? null : formatMaps(t);
  }

  pmap(pid?: number): string | null {
    const t = this.taskOf(pid);
    return t === null || t.mm.pgd === 0 ? null : formatPmapX(t.mm, t.pid, t.mm.exePath);
  }

  layout(): string {
    const t = this.kernel.task;
    return t.mm.pgd === 0 ? 'layout: the process has no address space' : layoutText(layoutOfMm(t.mm)).trimEnd();
  }

  vmaAt(addr: number, pid?: number): string | null {
    const t = this.taskOf(pid);
    if (t === null || t.mm.pgd === 0) return null;
    const v = vmaContaining(t.mm.vmas, addr >>> 0);
    return v ? formatVmaLine(t.mm, v) : null;
  }

  cr3Of(pid: number): number | null {
    const t = this.taskOf(pid);
    return t === null || t.mm.pgd === 0 ? null : t.mm.pgd * PAGE_SIZE;
  }

  /** Every task, zombies included, with the address space it uses (mm#N, users). */
  tasks(): TargetTask[] {
    const cur = this.kernel.currentTask;
    return this.kernel.sched.order.map((t) => ({
      pid: t.pid, tid: t.tid, ppid: t.ppid, state: t.state, name: t.comm, current: t === cur,
      mm: t.mm.pgd === 0 ? `mm#${t.mm.id} (freed)` : `mm#${t.mm.id} users=${t.mm.users} count=${t.mm.count} cr3=${hex8(t.mm.pgd * PAGE_SIZE)}`,
    }));
  }

  traced(): boolean {
    const cur = this.kernel.sched.current;
    return cur === null || cur.group === this.kernel.initTask?.group;
  }

  /** Registers of thread tid (the current one's are synced from the CPU first). */
  threadState(tid: number): CpuContext | null {
    const t = this.kernel.sched.find(tid);
    if (t === undefined || t.exited) return null;
    if (t === this.kernel.currentTask) this.kernel.sched.syncCurrent();
    return t.ctx;
  }

  /** Puts thread tid of the current process on the CPU (gdb's Hg, the REPL's thread N). */
  selectThread(tid: number): boolean {
    const cur = this.kernel.currentTask;
    const t = this.kernel.sched.find(tid);
    if (cur === null || t === undefined || t.exited || t.group !== cur.group) return false;
    this.kernel.sched.switchTo(t);
    return true;
  }

  addressSpaces(): AddressSpace[] {
    const byMm = new Map<number, AddressSpace>();
    for (const t of this.kernel.sched.order) {
      if (t.mm.pgd === 0 || t.exited) continue;
      const known = byMm.get(t.mm.id);
      if (known !== undefined) {
        known.tids!.push(t.tid);
        continue;
      }
      const mm = t.mm;
      byMm.set(mm.id, {
        label: `pid ${t.pid}`, cr3: mm.pgd * PAGE_SIZE, tids: [t.tid],
        areaAt: (addr) => {
          const v = vmaContaining(mm.vmas, addr >>> 0);
          return v ? { perms: vmaPermString(v.flags), name: vmaDisplayName(mm, v) } : null;
        },
      });
    }
    return [...byMm.values()];
  }

  /**
   * Every frame the page cache holds, as "FILE page N": the kernel-wide table, and the caches
   * outside it that areas map (an exec image read without a file).
   */
  readFile(path: string): Uint8Array | null {
    const r = this.kernel.readGuestFile(path);
    return typeof r === 'number' ? null : r;
  }

  swapSlotInfo(type: number, offset: number): string | null {
    const swap = swapAreaOf(this.kernel.mem);
    if (swap === null || type !== 0 || offset >= swap.totalPages + 1) return swap === null ? 'no swap area: a bad entry' : 'outside the swap area';
    const entry = swap.entryFor(offset);
    const users = swap.count(entry);
    const pfn = swap.lookup(entry);
    return `slot ${offset} of ${swap.totalPages}, named by ${users} PTE${users === 1 ? '' : 's'}` +
      (pfn >= 0 ? `; in the swap cache at frame ${hex8(pfn * PAGE_SIZE)}` : '; on the swap device only');
  }

  pageCacheFrames(): Map<number, string> {
    const paths = new Map<PageCacheSpace, string>();
    for (const t of this.kernel.sched.order) {
      for (const v of t.mm.vmas) if (v.file && !paths.has(v.file.mapping)) paths.set(v.file.mapping, v.file.path);
    }
    for (const as of this.kernel.pageCache.table.values()) if (!paths.has(as)) paths.set(as, as.key ?? '?');
    const out = new Map<number, string>();
    for (const [as, path] of paths) {
      for (const [index, pfn] of as.pages) out.set(pfn, `${path} page ${index}${as.dirty.has(index) ? ' (dirty)' : ''}`);
    }
    return out;
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
    return [
      `system calls ${s.syscalls}`,
      `faults handled: anonymous ${f.anon}, file ${f.file}, copy-on-write ${f.cow}, stack growth ${f.stackGrowth}, ` +
        `spurious ${f.spurious}, SIGSEGV ${f.segv}, SIGBUS ${f.sigbus}; major ${f.major}, minor ${f.minor}`,
      `swap: ${s.swap.swapOuts} out, ${s.swap.swapIns} in (${s.swap.cacheHits} from the swap cache), ` +
        `${s.swap.usedPages} of ${s.swap.totalPages} slots used`,
      `reclaim: ${s.reclaim.runs} runs, ${s.reclaim.scanned} pages scanned, ${s.reclaim.referenced} spared as referenced ` +
        `(accessed bit cleared), ${s.reclaim.freed} frames freed; OOM kills ${s.oomKills}`,
    ].join('\n');
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
