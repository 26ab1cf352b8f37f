// Run control shared by the REPL and the gdb stub: resumes the target under a Control (step N
// instructions, step over calls, finish, until, source-line steps, plain continue), stops at
// breakpoints (checked by the CPU's debugHook before each instruction) and watchpoints (the
// MMU's access hook on watched pages, checked after the instruction), records for reverse
// execution, and steps back. It never prints: callers turn a StopResult into text or packets.
import type { Cpu } from '../cpu/cpu.js';
import { Stop } from '../cpu/stop.js';
import { ESP } from '../cpu/registers.js';
import { HOOK_READ, HOOK_WRITE } from '../mmu/mmu.js';
import { inspectWalk } from '../mmu/paging.js';
import type { DebugTarget } from './target.js';
import { Recorder } from './record.js';
import { callLength, isRet } from './insnPeek.js';
import type { LineTable } from './dwarfLine.js';

export type StopResult =
  | { kind: 'done' }
  | { kind: 'breakpoint'; id: number }
  | { kind: 'watch'; id: number; access: 'read' | 'write'; addr: number; old: bigint; value: bigint }
  | { kind: 'signal'; signal: number; addr?: number }
  | { kind: 'exited'; code: number; signal: number }
  | { kind: 'interrupted' }
  | { kind: 'history-end' }
  | { kind: 'no-process' };

export type WatchKind = 'write' | 'read' | 'access';

export interface Watch {
  id: number;
  addr: number;
  len: number;
  kind: WatchKind;
  enabled: boolean;
  /** Value when last checked (little-endian, len bytes). */
  old: bigint;
}

/** Decides, before each instruction, whether to stop there. */
export interface Control {
  /** `first`: the instruction resume started at; `retry`: the previous attempt faulted. */
  before(c: Cpu, first: boolean, retry: boolean): boolean;
}

/** Instructions per target.resume() call; the event loop gets a turn every few slices. */
const SLICE = 100_000;
/** How often a program waiting for input checks for an interrupt nobody woke it for. */
const IDLE_POLL_MS = 100;

export class Engine {
  target: DebugTarget | null = null;
  recorder: Recorder | null = null;
  /** Breakpoint addresses; bpCheck decides (conditions, ignore counts) and returns an id. */
  readonly bpAddrs = new Set<number>();
  bpCheck: (eip: number) => number | null = () => null;
  watches: Watch[] = [];
  /** Set (for example by SIGINT or gdb's Ctrl-C) to stop at the end of the current slice. */
  interruptRequested = false;
  /** Told when the program starts and stops running (the REPL hands the terminal over). */
  terminal: { giveToProgram(): void; takeBack(): void } | null = null;
  /** Ends the wait of a program idle until input arrives (see wakeUp). */
  private wake: (() => void) | null = null;
  private ctl: Control | null = null;
  private first = true;
  private startEip = 0;
  private lastPf = 0;
  private result: StopResult | null = null;
  private pending: Array<{ w: Watch; write: boolean; addr: number }> = [];
  private readonly hookFn = (c: Cpu): boolean => this.hook(c);

  private peekVpn = -1;
  private peekCr3 = -1;
  private peekEpoch = -1;
  private peekPhys = 0;

  /**
   * Side-effect-free read of up to n bytes at addr (null when the page is absent). The result
   * may be a view of guest memory: read it at once, never keep or change it.
   */
  peek(addr: number, n = 16): Uint8Array | null {
    const t = this.target;
    if (!t) return null;
    const a0 = addr >>> 0;
    if ((a0 & 0xfff) + n <= 0x1000) {
      const m = t.mmu;
      // The last page looked up stays valid until the TLB is flushed or CR3 changes.
      if (a0 >>> 12 !== this.peekVpn || m.cr3 !== this.peekCr3 || m.epoch !== this.peekEpoch) {
        const w = inspectWalk(t.mem, m.cr3, a0);
        if (w.readFault !== null) return null;
        this.peekVpn = a0 >>> 12;
        this.peekCr3 = m.cr3;
        this.peekEpoch = m.epoch;
        this.peekPhys = w.physical - (a0 & 0xfff);
      }
      const p = this.peekPhys + (a0 & 0xfff);
      return t.mem.bytes.subarray(p, p + n);
    }
    const out = new Uint8Array(n);
    for (let i = 0; i < n;) {
      const a = (addr + i) >>> 0;
      const w = inspectWalk(t.mem, t.mmu.cr3, a);
      if (w.readFault !== null) return i === 0 ? null : out.subarray(0, i);
      const k = Math.min(n - i, 0x1000 - (a & 0xfff));
      out.set(t.mem.bytes.subarray(w.physical, w.physical + k), i);
      i += k;
    }
    return out;
  }

  private hook(c: Cpu): boolean {
    const t = this.target!;
    if (t.traced && !t.traced()) return false;
    const pf = t.mmu.pageFaults;
    const retry = pf !== this.lastPf;
    this.lastPf = pf;
    const first = this.first;
    const eip = c.eip >>> 0;
    if (!(first && eip === this.startEip) && this.bpAddrs.has(eip)) {
      const id = this.bpCheck(eip);
      if (id !== null) {
        this.result = { kind: 'breakpoint', id };
        return true;
      }
    }
    if (this.ctl && this.ctl.before(c, first, retry)) {
      this.result = { kind: 'done' };
      return true;
    }
    if (!retry) this.first = false;
    if (this.recorder) this.recorder.before(c, this.peek(eip), retry);
    return false;
  }

  private onAccess(lin: number, size: number, write: boolean): void {
    const t = this.target;
    if (t?.traced && !t.traced()) return;
    if (write && this.recorder) this.recorder.onWrite(lin, size);
    // The MMU passes linear addresses as int32: stack addresses (>= 0x80000000) arrive negative.
    lin >>>= 0;
    const end = lin + size;
    for (const w of this.watches) {
      if (!w.enabled || lin >= w.addr + w.len || end <= w.addr) continue;
      if ((w.kind === 'write' && !write) || (w.kind === 'read' && write)) continue;
      this.pending.push({ w, write, addr: lin });
      const c = this.target!.cpu;
      if (c.stopReason < 0) c.stopReason = Stop.Debug;
    }
  }

  /** Re-derives the MMU hooks from the watchpoints and the recorder. */
  syncHooks(): void {
    const t = this.target;
    if (!t) return;
    const m = t.mmu;
    const active = this.watches.filter((w) => w.enabled);
    if (active.length === 0 && !this.recorder) {
      m.onAccess = null;
      m.hookPages = null;
      m.hookWrites = false;
      m.flushTlb();
      return;
    }
    const pages = new Uint8Array(1 << 20);
    for (const w of active) {
      const bits = w.kind === 'write' ? HOOK_WRITE : HOOK_READ | HOOK_WRITE;
      for (let p = w.addr >>> 12; p <= ((w.addr + w.len - 1) >>> 12); p++) pages[p & 0xfffff] |= bits;
    }
    m.hookPages = pages;
    m.hookWrites = this.recorder !== null;
    m.onAccess = (lin, size, write) => this.onAccess(lin, size, write);
    m.flushTlb();
  }

  readWatchValue(w: Watch): bigint {
    const b = this.peek(w.addr, w.len);
    if (!b || b.length < w.len) return -1n;
    let v = 0n;
    for (let i = w.len - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
    return v;
  }

  private evalWatches(): StopResult | null {
    const pend = this.pending;
    this.pending = [];
    let hit: StopResult | null = null;
    for (const p of pend) {
      const v = this.readWatchValue(p.w);
      const old = p.w.old;
      p.w.old = v;
      if (hit) continue;
      if (p.w.kind === 'write' && v === old) continue;
      hit = { kind: 'watch', id: p.w.id, access: p.write ? 'write' : 'read', addr: p.addr, old, value: v };
    }
    return hit;
  }

  /** Input arrived or an interrupt was asked for: a program waiting for input runs on at once. */
  wakeUp(): void {
    this.wake?.();
  }

  /** Runs the target under ctl (null: until a breakpoint, watchpoint, signal or exit). */
  async resume(ctl: Control | null, yieldEvery = 8): Promise<StopResult> {
    const t = this.target;
    if (!t) return { kind: 'no-process' };
    if (t.exit) return { kind: 'exited', ...t.exit };
    this.ctl = ctl;
    this.first = true;
    this.startEip = t.cpu.eip >>> 0;
    this.lastPf = t.mmu.pageFaults;
    this.result = null;
    this.pending = [];
    this.interruptRequested = false;
    const needHook = ctl !== null || this.bpAddrs.size > 0 || this.recorder !== null;
    t.cpu.debugHook = needHook ? this.hookFn : null;
    this.terminal?.giveToProgram();
    try {
      for (let slice = 1; ; slice++) {
        const r = t.resume(SLICE);
        if (r.kind === 'budget') {
          if (slice % yieldEvery === 0) await new Promise<void>((res) => setImmediate(res));
          if (this.interruptRequested) {
            this.interruptRequested = false;
            return { kind: 'interrupted' };
          }
          continue;
        }
        if (r.kind === 'idle') {
          // The program waits for typed input: wait for it (or Ctrl-C) without spinning.
          await new Promise<void>((res) => {
            const timer = setTimeout(() => { this.wake = null; res(); }, IDLE_POLL_MS);
            this.wake = () => { clearTimeout(timer); this.wake = null; res(); };
          });
          if (this.interruptRequested) {
            this.interruptRequested = false;
            return { kind: 'interrupted' };
          }
          continue;
        }
        if (r.kind === 'hook') {
          if (this.pending.length) {
            const hit = this.evalWatches();
            if (hit) return hit;
          }
          const res = this.takeResult();
          if (res) return res;
          continue;
        }
        if (this.recorder) this.recorder.cancelCurrent();
        return r;
      }
    } finally {
      this.terminal?.takeBack();
      t.cpu.debugHook = null;
      this.ctl = null;
    }
  }

  private takeResult(): StopResult | null {
    const r = this.result;
    this.result = null;
    return r;
  }

  // ---- reverse execution -------------------------------------------------------------------

  /** Undoes one recorded instruction (reverse execution by source line builds on this). */
  backOne(): { ok: boolean; syscall: boolean; lost: number } {
    return this.recorder!.stepBack(this.target!.cpu);
  }

  /** Undoes up to n instructions; stops early at the start of the log. */
  reverseStep(n: number): { result: StopResult; steps: number; syscalls: number; lost: number } {
    let steps = 0, syscalls = 0, lost = 0;
    while (steps < n) {
      const r = this.backOne();
      if (!r.ok) return { result: { kind: 'history-end' }, steps, syscalls, lost };
      steps++;
      if (r.syscall) syscalls++;
      lost += r.lost;
    }
    return { result: { kind: 'done' }, steps, syscalls, lost };
  }

  /** Steps back until a breakpoint address or a write to a watched range, or the log's start. */
  reverseContinue(): { result: StopResult; steps: number; syscalls: number; lost: number } {
    let steps = 0, syscalls = 0, lost = 0;
    const rec = this.recorder!;
    for (;;) {
      const writes = rec.peekWrites();
      const before = this.watches.filter((w) => w.enabled && w.kind !== 'read').map((w) => [w, this.readWatchValue(w)] as const);
      const r = this.backOne();
      if (!r.ok) return { result: { kind: 'history-end' }, steps, syscalls, lost };
      steps++;
      if (r.syscall) syscalls++;
      lost += r.lost;
      for (const [w, newer] of before) {
        if (writes.some((a) => a >= w.addr && a < w.addr + w.len)) {
          const older = this.readWatchValue(w);
          w.old = older;
          if (older !== newer || w.kind === 'access') return { result: { kind: 'watch', id: w.id, access: 'write', addr: w.addr, old: newer, value: older }, steps, syscalls, lost };
        }
      }
      const eip = this.target!.cpu.eip >>> 0;
      if (this.bpAddrs.has(eip)) {
        const id = this.bpCheck(eip);
        if (id !== null) return { result: { kind: 'breakpoint', id }, steps, syscalls, lost };
      }
    }
  }

  /** Steps back to the CALL that entered the current function. */
  reverseFinish(): { result: StopResult; steps: number; syscalls: number; lost: number } {
    let steps = 0, syscalls = 0, lost = 0;
    let depth = 0;
    for (;;) {
      const r = this.backOne();
      if (!r.ok) return { result: { kind: 'history-end' }, steps, syscalls, lost };
      steps++;
      if (r.syscall) syscalls++;
      lost += r.lost;
      const code = this.peek(this.target!.cpu.eip >>> 0);
      if (!code) continue;
      if (isRet(code)) depth++;
      else if (callLength(code) > 0) {
        if (depth === 0) return { result: { kind: 'done' }, steps, syscalls, lost };
        depth--;
      }
    }
  }
}

// ---- controls ------------------------------------------------------------------------------

/** stepi N: stop after N instructions. */
export class StepControl implements Control {
  private done = 0;
  constructor(private readonly n: number) {}
  before(_c: Cpu, first: boolean, retry: boolean): boolean {
    if (!first && !retry) this.done++;
    return this.done >= this.n;
  }
}

/** nexti N: like stepi, but a CALL counts as one instruction together with its callee. */
export class NextControl implements Control {
  private done = 0;
  private skip: { ret: number; esp: number } | null = null;
  constructor(private readonly engine: Engine, private readonly n: number) {}
  before(c: Cpu, first: boolean, retry: boolean): boolean {
    const eip = c.eip >>> 0;
    if (!first && !retry && !this.skip) this.done++;
    if (this.skip) {
      if (eip !== this.skip.ret || (c.regs[ESP] >>> 0) < this.skip.esp) return false;
      this.skip = null;
      this.done++;
    }
    if (this.done >= this.n) return true;
    const code = this.engine.peek(eip);
    const len = code ? callLength(code) : 0;
    if (len) this.skip = { ret: (eip + len) >>> 0, esp: c.regs[ESP] >>> 0 };
    return false;
  }
}

/** finish: stop just after the RET that leaves the current function. */
export class FinishControl implements Control {
  private prevRet = false;
  private readonly esp0: number;
  constructor(private readonly engine: Engine, c: Cpu, private readonly until: number | null = null) {
    this.esp0 = c.regs[ESP] >>> 0;
  }
  before(c: Cpu, first: boolean, retry: boolean): boolean {
    const eip = c.eip >>> 0;
    if (!first && !retry && this.prevRet && (c.regs[ESP] >>> 0) > this.esp0) return true;
    if (!first && this.until !== null && eip === this.until) return true;
    const code = this.engine.peek(eip);
    this.prevRet = code !== null && isRet(code);
    return false;
  }
}

/** advance/until ADDR without the frame check. */
export class AddressControl implements Control {
  constructor(private readonly addr: number) {}
  before(c: Cpu, first: boolean): boolean {
    return !first && (c.eip >>> 0) === this.addr;
  }
}

/**
 * step/next by source line: run until the first instruction of a statement on another line;
 * `over` steps over calls (next); step leaves functions without line information by running
 * to their return.
 */
/** The inlined calls at a pc, for stepping through them as gdb does (Session.inlineState). */
export interface InlineAt {
  (pc: number): {
    /** The real (out-of-line) function's entry, to tell calls into other functions apart. */
    real: number;
    /** Inlined-call frames shown at pc: those active minus the ones just entered. */
    visible: number;
    /** Innermost inlined calls starting exactly at pc (not entered yet). */
    entered: number;
    /** The call line of the outermost of those. */
    callLine: number;
    /** Which frame is innermost at pc when `skip` inlined calls are not entered (default: entered). */
    key(skip?: number): string;
  };
}

export class LineControl implements Control {
  /** For an inline-aware step: how many inlined calls to leave hidden where it stopped. */
  inlineSkip: number | undefined;
  private skip: { ret: number; esp: number } | null = null;
  private prevCall = false;
  private prevRet = false;
  private runTo = -1;
  private line: number;
  private file: string;
  private readonly startReal: number;
  private readonly startVisible: number;
  /** The frame being stepped (gdb's step_frame_id): moved on where the step enters another frame mid-line. */
  stepFrame: string;
  /** The step went into a called function (a new frame even when it is the same function: recursion). */
  enteredCall = false;
  /**
   * inlineAt and shown (the frame the step starts from: its line, the call site's for an
   * inlined call not entered yet, and how many inlined frames are visible) make the step
   * stop where gdb's does around inlined calls.
   */
  constructor(private readonly engine: Engine, private readonly lines: LineTable, c: Cpu, private readonly over: boolean,
    private readonly functionAt: (addr: number) => { start: number; end: number } | null = () => null,
    private readonly inlineAt: InlineAt | null = null, shown?: { line: number; visible: number; skip: number }) {
    const row = lines.rowFor(c.eip);
    this.line = shown?.line ?? row?.line ?? -1;
    this.file = row?.file ?? '';
    const st = inlineAt ? inlineAt(c.eip >>> 0) : null;
    this.startReal = st ? st.real : 0;
    this.startVisible = shown?.visible ?? 0;
    this.stepFrame = st ? st.key(shown?.skip) : '';
  }

  /** gdb's stepping through inlined calls: true to stop, false to keep going, null: not decided here. */
  private inlineStep(eip: number): boolean | null {
    if (!this.inlineAt) return null;
    const st = this.inlineAt(eip);
    if (st.real !== this.startReal) return null;
    if (st.visible > this.startVisible) {
      // Inside a call inlined into the line being stepped: next goes through it, step stops.
      if (this.over) return false;
      this.inlineSkip = st.entered;
      return true;
    }
    if (st.visible === this.startVisible && st.entered > 0) {
      // At the start of inlined calls: from their call site's line, step enters one.
      if (st.callLine === this.line) {
        if (this.over) return false;
        this.inlineSkip = st.entered - 1;
        return true;
      }
      this.inlineSkip = st.entered;
      return true;
    }
    return null;
  }
  before(c: Cpu, first: boolean, retry: boolean): boolean {
    const eip = c.eip >>> 0;
    const esp = c.regs[ESP] >>> 0;
    if (this.skip) {
      if (eip !== this.skip.ret || esp < this.skip.esp) return false;
      this.skip = null;
      // Back from the call stepped over: not a function entered.
      this.prevCall = false;
    }
    if (this.runTo >= 0) {
      if (eip !== this.runTo) return false;
      return true;
    }
    const inline = !first && !retry && !this.prevCall ? this.inlineStep(eip) : null;
    if (inline === true) return true;
    if (!first && !retry && inline === null) {
      const stmt = this.lines.stmtAt(eip);
      if (stmt && this.prevCall) {
        this.enteredCall = true;
        // Stepped into a function with line information: stop after its prologue, as gdb does.
        const fn = this.functionAt(eip);
        if (fn && fn.start === eip) {
          const body = this.lines.afterPrologue(fn.start, fn.end);
          if (body !== eip) {
            this.runTo = body;
            return false;
          }
        }
      }
      if (this.prevRet && !stmt) {
        // Returned into the middle of the caller's line: finish that line, as gdb does. At the
        // start of a row of another line that is not a statement (-O2), gdb forgets the line
        // (set_step_info with line 0) so as not to skip a statement of that same line next.
        const row = this.lines.rowFor(eip);
        if (row) { this.line = row.addr === eip && row.line !== this.line ? -1 : row.line; this.file = row.file; }
        if (this.inlineAt) this.stepFrame = this.inlineAt(eip).key();
        this.enteredCall = false;
      } else if (!stmt && this.inlineAt) {
        // Mid-line at the start of another line's code in another frame (out of an inlined
        // call): gdb steps on from there as if the step had started there (set_step_info).
        const row = this.lines.rowFor(eip);
        if (row && row.addr === eip && row.line !== this.line) {
          const key = this.inlineAt(eip).key();
          if (key !== this.stepFrame) {
            this.stepFrame = key;
            this.line = row.line;
            this.file = row.file;
          }
        }
      }
      if (stmt && (stmt.line !== this.line || stmt.file !== this.file)) return true;
      if (!this.lines.rowFor(eip)) {
        if (this.prevCall) {
          // Entered a function without line information: run to its return.
          const ret = this.engine.peek(esp, 4);
          if (ret && ret.length === 4) {
            this.skip = { ret: (ret[0] | (ret[1] << 8) | (ret[2] << 16) | (ret[3] << 24)) >>> 0, esp: (esp + 4) >>> 0 };
            this.prevCall = false;
            return false;
          }
        }
        return true; // returned into code without line information
      }
    }
    const code = this.engine.peek(eip);
    const len = code ? callLength(code) : 0;
    this.prevCall = len > 0;
    this.prevRet = code !== null && code.length > 0 && (code[0] === 0xc3 || code[0] === 0xc2);
    if (len && this.over) this.skip = { ret: (eip + len) >>> 0, esp };
    return false;
  }
}
