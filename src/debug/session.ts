// A debugging session as the REPL sees it: the program (symbols, line table, how to start it),
// the engine that runs it, breakpoints and watchpoints with gdb's numbering, the value history,
// and the text for every stop (where it stopped, in gdb's words, plus the next instruction).
import { readFileSync } from 'node:fs';
import { ESP, EBP, GS } from '../cpu/registers.js';
import { tlsVariableAddress } from './tls.js';
import { Engine, StopResult, Watch, WatchKind } from './engine.js';
import { DebugMemory } from './memory.js';
import { Evaluator, EvalContext, Value, ExprError, T_INT, ctypeOf } from './expr.js';
import { readReg, writeReg } from './regs.js';
import { SymbolTable } from './symbols.js';
import { loadVdso, sysinfoEhdr } from './vdsoModule.js';
import { SharedLibraries, linkMapNames, nameLibraries, cString } from './sharedLibs.js';
import { libraryEntryBreakAddr } from './solibBreak.js';
import type { ProgramIo } from './programArgs.js';
import { Frame, UnwindResult, lookupPc, unwind } from './frames.js';
import { readVariable, formatTyped, parameterEntryValue, type VarReader } from './sourceValues.js';
import type { DebugTarget } from './target.js';
import { disassemble, loadDisassembler, isDisassemblerLoaded } from './disassembler.js';
import { hex, hex8, formatValue } from './format.js';
import { Palette, PLAIN } from './colour.js';
import { SIGNAL_NAMES, SIGNAL_TEXT } from './signals.js';

export interface Breakpoint {
  id: number;
  kind: 'breakpoint' | 'watchpoint';
  addr: number;
  enabled: boolean;
  temp: boolean;
  cond: string | null;
  hits: number;
  ignore: number;
  /** What the user typed (shown in info breakpoints). */
  what: string;
  watch?: Watch;
  /** A function no loaded object defines yet (gdb's pending breakpoint): resolved as libraries load. */
  pending?: boolean;
  /** The shared library a pending breakpoint resolved in: pending again when it unloads. */
  solib?: string;
  /** Every address of a breakpoint with several locations (gdb's 1.1, 1.2...: inlined copies, a split line); addr is the first. */
  locs?: number[];
  /** Which location (1-based) the last hit was at. */
  hitLoc?: number;
  /** The function a `break FUNC` named (a stop there shows that function's frame, even inlined). */
  fn?: string;
}

export interface SessionOptions {
  /** Writes text; each call is whole lines ending in \n. */
  out: (s: string) => void;
  palette?: Palette;
  /**
   * Loads the program afresh (exec) and returns the stopped process at its entry point; io is the
   * command line and redirections of `run ARGS` / `set args` (opts.args when never set).
   */
  createTarget: (io?: ProgramIo) => DebugTarget;
  /** The program's ELF image, for symbols and line information. */
  image: Uint8Array | null;
  programPath: string;
  args: string[];
}

export class Session {
  readonly engine = new Engine();
  readonly symbols: SymbolTable;
  readonly mem: DebugMemory;
  readonly eval: Evaluator;
  readonly points: Breakpoint[] = [];
  readonly history: Value[] = [];
  readonly vars = new Map<string, Value>();
  readonly p: Palette;
  nextId = 1;
  lastX = { count: 1, fmt: 'x', size: 4 };
  nextXAddr: number | null = null;
  quitRequested = false;
  /** The frame `frame N`, `up` and `down` selected (0 after every stop). */
  frameLevel = 0;
  /** Innermost inlined calls at the pc not entered yet (gdb's skipped inline frames). */
  inlineSkip = 0;
  /** The program's arguments and redirections for the next run (set args, run ARGS). */
  programIo: ProgramIo;
  /** Where `list` continues (null: centre on the current line; reset by every stop); first: the first line it showed last. */
  listPos: { file: string; next: number; first: number } | null = null;
  /**
   * The command being run was typed at the terminal (gdb's from_tty): only then do `finish`
   * print "Run till exit from ..." and `display` show the new expression at once.
   */
  fromTty = false;
  private readonly sources = new Map<string, string[] | null>();

  constructor(readonly opts: SessionOptions) {
    this.p = opts.palette ?? PLAIN;
    this.programIo = { args: opts.args.slice() };
    this.symbols = opts.image ? SymbolTable.fromImage(opts.image) : new SymbolTable();
    this.mem = new DebugMemory(() => this.engine.target, this.symbols);
    this.eval = new Evaluator(this.evalContext());
    this.engine.bpCheck = (eip) => this.checkBreakpoint(eip);
  }

  get target(): DebugTarget | null {
    return this.engine.target;
  }

  out(s: string): void {
    this.opts.out(s.endsWith('\n') ? s : s + '\n');
  }

  error(msg: string): void {
    this.out(this.p.err(msg));
  }

  /** The running (not exited) process, or throws the message gdb gives. */
  /** The running program; without one, gdb's message for the command (`No stack.` for bt). */
  live(noProcess = 'The program is not being run.'): DebugTarget {
    const t = this.engine.target;
    if (!t || t.exit) throw new ExprError(noProcess);
    return t;
  }

  private evalContext(): EvalContext {
    return {
      getReg: (name) => {
        const t = this.engine.target;
        if (!t) {
          if (readRegNames.has(name)) throw new ExprError('No registers.');
          return undefined;
        }
        if (this.frameLevel > 0 && !t.exit) {
          const v = this.frameRegister(name);
          if (v) return v;
        }
        return readReg(t.cpu, name);
      },
      setReg: (name, v) => {
        const t = this.live();
        if (!writeReg(t.cpu, name, v)) throw new ExprError(`Cannot set register $${name}.`);
      },
      readMem: (addr, size) => this.mem.readUnsigned(addr, size),
      writeMem: (addr, size, v) => {
        this.live();
        this.mem.writeUnsigned(addr, size, v);
      },
      variable: (name) => this.variable(name),
      typeNamed: (name) => this.symbols.dwarf?.typeNamed(name),
      symbol: (name) => {
        const s = this.symbols.lookup(name);
        return s ? { addr: s.addr, code: s.kind === 'func' } : undefined;
      },
      history: (i) => {
        if (i <= 0) return this.history[this.history.length - 1 + i];
        return this.history[i - 1];
      },
      getVar: (name) => this.vars.get(name),
      setVar: (name, v) => { this.vars.set(name, v); },
    };
  }

  describe = (addr: number): string => this.symbols.describe(addr);

  // ---- source level: frames and variables -----------------------------------------------------

  /** The frames of the stopped program, unwound by CFI (or the EBP chain). */
  frames(max = 64, pastMain = false): UnwindResult {
    const t = this.live();
    const c = t.cpu;
    const regs: Array<number | undefined> = [];
    for (let i = 0; i < 8; i++) regs.push(c.regs[i] >>> 0);
    regs.push(c.eip >>> 0);
    const skip = this.inlineSkip;
    const r = unwind(this.symbols, regs, (a) => this.mem.readU32(a), max + skip, pastMain);
    if (skip === 0 || r.frames.length <= skip || r.frames[skip].pc !== r.frames[0].pc) return r;
    // Inlined calls not entered yet (see inlineSkipAtStop) are not frames.
    const frames = r.frames.slice(skip, skip + max);
    for (const f of frames) f.level -= skip;
    return { frames, stopped: r.stopped };
  }

  /**
   * gdb's skipped inline frames: at a stop on the first instruction of inlined calls, the
   * innermost of them are not shown yet (frame 0 is the call site); `step` enters them one at
   * a time. A breakpoint on an inlined function shows that function (and what it inlined
   * further stays hidden); one set by address or line shows every frame.
   */
  private inlineSkipAtStop(pc: number, r: StopResult): number {
    const dw = this.symbols.dwarf;
    if (!dw) return 0;
    const st = dw.inlineStateAt(pc);
    if (r.kind === 'breakpoint' && r.id > 0) {
      const b = this.points.find((x) => x.id === r.id);
      if (!b?.fn) return 0;
      const groups = dw.scopeGroupsAt(pc);
      for (let k = 0; k < st.entered; k++) if (dw.nameOf(groups[k][groups[k].length - 1]) === b.fn) return k;
    }
    return st.entered;
  }

  /** The selected frame (frame 0 when the selection no longer exists). */
  selectedFrame(): Frame {
    const { frames } = this.frames(this.frameLevel + 1);
    return frames[Math.min(this.frameLevel, frames.length - 1)];
  }

  readonly varReader: VarReader = {
    readMem: (addr: number, size: number) => this.mem.readUnsigned(addr, size),
    readU32: (addr: number) => this.mem.readU32(addr),
    // The first frame of the next function out (inlined frames share their real frame's caller).
    callerFrame: (f: Frame): Frame | undefined => {
      const { frames } = this.frames(f.level + 16);
      return frames.find((x) => x.level > f.level && !x.inlined && (x.fn ?? 0) === 0 && x.pc !== f.pc)
        ?? frames.find((x) => x.level > f.level && x.callLine === undefined);
    },
    // The current thread's copy (src/debug/tls.ts).
    tlsAddress: (offset: number): number => {
      const t = this.engine.target;
      const tls = this.symbols.tls;
      if (!t || t.exit || !tls) throw new ExprError('Cannot access thread-local variables without a running process.');
      const tp = t.cpu.segBase[GS] >>> 0;
      if (tp === 0) throw new ExprError('Cannot access thread-local variables: the thread has no TLS yet (GS base is 0).');
      return tlsVariableAddress(tp, tls, offset);
    },
  };

  /** $pc, $sp, $fp and the general registers as the unwinder recovered them for the selected frame. */
  private frameRegister(name: string): Value | undefined {
    const alias: Record<string, number> = { pc: 8, eip: 8, sp: 4, esp: 4, fp: 5, ebp: 5, eax: 0, ecx: 1, edx: 2, ebx: 3, esi: 6, edi: 7 };
    const n = alias[name];
    if (n === undefined) return undefined;
    const f = this.selectedFrame();
    const r = f.regs[n];
    const base = readReg(this.live().cpu, name);
    if (!base) return undefined;
    if (r === undefined) return { ...base, bits: 0n, lval: null, optimizedOut: true };
    // Outer frames' registers are read-only here (gdb would write them to where they were saved).
    return { ...base, bits: BigInt(r >>> 0), lval: null };
  }

  /** Set when an evaluation reads a local variable: the frame it came from (watch scope). */
  localsUsed: Frame | null = null;

  /**
   * Watchpoints on locals, with where their frame returns to: gdb deletes such a watchpoint
   * when the program leaves the frame (at the caller's resume address, with the stack above the CFA).
   */
  readonly watchScopes: Array<{ id: number; pc: number; cfa: number }> = [];

  /** The scope watch a stop at eip ends (its id), or null. */
  private scopeEnd(eip: number): number | null {
    const t = this.engine.target;
    if (!t) return null;
    const esp = t.cpu.regs[ESP] >>> 0;
    const k = this.watchScopes.findIndex((w) => w.pc === eip && esp >= w.cfa);
    if (k < 0) return null;
    const id = this.watchScopes[k].id;
    this.watchScopes.splice(k, 1);
    this.deletePoint(id);
    return id;
  }

  /** A program variable visible in the selected frame (globals before the program runs). */
  variable(name: string): Value | undefined {
    const dw = this.symbols.dwarf;
    if (!dw || !dw.hasInfo) return undefined;
    const t = this.engine.target;
    const f = t && !t.exit ? this.selectedFrame() : null;
    const die = dw.lookupVariable(name, f ? lookupPc(f) : null, f?.fn);
    if (die && f && die.parent?.tag !== 0x11) this.localsUsed = f;
    if (!die) {
      const fn = dw.functionNamed(name);
      if (fn) return { bits: BigInt(dw.entryOf(fn)), type: ctypeOf(dw.types.build(fn.die)), lval: null };
      const en = dw.enumerators.get(name);
      if (!en) return undefined;
      const type = ctypeOf(dw.types.build(en.type));
      return { bits: BigInt.asUintN(8 * Math.max(1, type.size), en.value), type, lval: null };
    }
    return readVariable(dw, die, die.parent?.tag === 0x11 ? null : f, this.varReader);
  }

  /** Variable and function names from DWARF visible now (for tab completion). */
  sourceNames(): string[] {
    const dw = this.symbols.dwarf;
    if (!dw || !dw.hasInfo) return [];
    const out = [...dw.globals.keys(), ...dw.functions.map((f) => f.name)];
    const t = this.engine.target;
    if (t && !t.exit) {
      try {
        const f = this.selectedFrame();
        const pc = lookupPc(f);
        for (const d of [...dw.paramsAt(pc, f.fn), ...dw.localsAt(pc, f.fn)]) out.push(dw.nameOf(d));
      } catch {
        // no frame: globals only
      }
    }
    return out.filter((n) => n !== '');
  }

  /** "x=42, p=0x..." for a frame's function arguments (gdb's frame line). */
  argsText(f: Frame): string {
    const dw = this.symbols.dwarf;
    if (!dw) return '';
    return dw.paramsAt(lookupPc(f), f.fn).map((d) => {
      const name = dw.nameOf(d);
      let text: string;
      let v: Value | null = null;
      try {
        v = readVariable(dw, d, f, this.varReader);
        text = this.formatValue(v, null, false);
      } catch (e) {
        text = `<error: ${(e as Error).message}>`;
      }
      // gdb's `print entry-values default`: the value at entry too, when the call site tells it.
      let entry: Value | null = null;
      try { entry = parameterEntryValue(dw, d, f, this.varReader); } catch { entry = null; }
      if (!entry) return `${name}=${text}`;
      const entryText = this.formatValue(entry, null, false);
      if (v && !v.optimizedOut && entryText === text) return `${name}=${name}@entry=${text}`;
      return `${name}=${text}, ${name}@entry=${entryText}`;
    }).join(', ');
  }

  /** The innermost function at a run-time address: an inlined call's, else the DWARF or ELF one. */
  innermostFunction(addr: number): string {
    const dw = this.symbols.dwarf;
    const groups = dw ? dw.scopeGroupsAt(addr) : [];
    if (groups.length > 1) return dw!.nameOf(groups[0][groups[0].length - 1]);
    return dw?.functionAt(addr)?.name ?? this.symbols.symbolFor(addr)?.name ?? '??';
  }

  /** The function name of a frame (DWARF, else the ELF symbol). */
  frameFunction(f: Frame): string {
    const pc = lookupPc(f);
    if (f.inlined && this.symbols.dwarf) return this.symbols.dwarf.nameOf(f.inlined);
    return this.symbols.dwarf?.functionAt(pc)?.name ?? this.symbols.symbolFor(pc)?.name ?? '??';
  }

  /** gdb's frame line: "#1  0x08049873 in main (argc=1, argv=0xffffd5a4) at f.c:80". */
  frameLine(f: Frame, withLevel = true): string {
    const level = withLevel ? `#${String(f.level).padEnd(3)}` : '';
    if (f.sigtramp) return `${level}<signal handler called>`;
    const pc = lookupPc(f);
    const row = this.frameRow(f);
    // A frame an inlined call was made from shows the call's line and no address (gdb).
    const atStmt = f.callLine !== undefined || (!f.caller && this.symbols.lines?.stmtAt(f.pc) !== undefined);
    const addr = atStmt ? '' : `${this.p.addr(hex8(f.pc))} in `;
    const hasDw = this.symbols.dwarf?.functionAt(pc) !== undefined;
    const args = hasDw ? this.argsText(f) : '';
    return `${level}${addr}${this.p.sym(this.frameFunction(f))} (${args})${row ? ` at ${row.file}:${row.line}` : this.fromLibrary(pc)}`;
  }

  /** The source position of a frame: its pc's line, or for a frame that made an inlined call, the call's line. */
  frameRow(f: Frame): { file: string; line: number } | undefined {
    const row = this.symbols.lines?.rowFor(lookupPc(f));
    if (!row || f.callLine === undefined) return row;
    return { file: row.file, line: f.callLine };
  }

  /** "<main+4>" or '' */
  angle(addr: number): string {
    const s = this.describe(addr);
    return s ? ` <${this.p.sym(s)}>` : '';
  }

  // ---- breakpoints --------------------------------------------------------------------------

  private checkBreakpoint(eip: number): number | null {
    const ended = this.scopeEnd(eip);
    if (ended !== null) return -ended;
    if (eip === this.shlibEvent && this.engine.target) {
      // The dynamic linker's r_brk: the library set changed. Only the addresses are updated
      // here (inside the CPU hook), not the memory hooks syncBreakpoints would rebuild.
      this.refreshLibraries(this.engine.target);
      this.engine.bpAddrs.clear();
      this.addBreakAddrs();
    }
    for (const b of this.points) {
      if (b.kind !== 'breakpoint' || !b.enabled) continue;
      const at = b.locs ? b.locs.indexOf(eip) : b.addr === eip ? 0 : -1;
      if (at < 0) continue;
      if (b.cond !== null) {
        let ok = false;
        try {
          const v = this.eval.evaluate(b.cond);
          ok = v.bits !== 0n;
        } catch (e) {
          this.error(`Error in testing condition for breakpoint ${b.id}:\n${(e as Error).message}`);
          ok = true;
        }
        if (!ok) continue;
      }
      if (b.ignore > 0) {
        b.ignore--;
        b.hits++;
        continue;
      }
      b.hits++;
      b.hitLoc = b.locs ? at + 1 : undefined;
      return b.id;
    }
    return null;
  }

  syncBreakpoints(): void {
    this.engine.bpAddrs.clear();
    this.addBreakAddrs();
    this.engine.watches = this.points.filter((b) => b.watch).map((b) => b.watch!);
    this.engine.syncHooks();
  }

  private addBreakAddrs(): void {
    for (const b of this.points) {
      if (b.kind === 'breakpoint' && b.enabled && !b.pending) for (const a of b.locs ?? [b.addr]) this.engine.bpAddrs.add(a);
    }
    for (const w of this.watchScopes) this.engine.bpAddrs.add(w.pc);
    if (this.shlibEvent !== null && this.points.some((b) => b.pending)) this.engine.bpAddrs.add(this.shlibEvent);
  }

  /** A breakpoint on a function no loaded object defines yet; it resolves when a library does. */
  addPendingBreakpoint(what: string, temp: boolean, cond: string | null): Breakpoint {
    const b: Breakpoint = { id: this.nextId++, kind: 'breakpoint', addr: 0, enabled: true, temp, cond, hits: 0, ignore: 0, what, pending: true };
    this.points.push(b);
    this.syncBreakpoints();
    return b;
  }

  addBreakpoint(addr: number, what: string, temp: boolean, cond: string | null, locs?: number[]): Breakpoint {
    const b: Breakpoint = { id: this.nextId++, kind: 'breakpoint', addr: addr >>> 0, enabled: true, temp, cond, hits: 0, ignore: 0, what };
    if (locs && locs.length > 1) b.locs = locs.map((a) => a >>> 0);
    this.points.push(b);
    this.syncBreakpoints();
    return b;
  }

  addWatch(addr: number, len: number, kind: WatchKind, what: string, cond: string | null): Breakpoint {
    const w: Watch = { id: this.nextId, addr: addr >>> 0, len, kind, enabled: true, old: 0n };
    const b: Breakpoint = { id: this.nextId++, kind: 'watchpoint', addr: addr >>> 0, enabled: true, temp: false, cond, hits: 0, ignore: 0, what, watch: w };
    this.points.push(b);
    if (this.engine.target) w.old = this.engine.readWatchValue(w);
    this.syncBreakpoints();
    return b;
  }

  // ---- program lifecycle ----------------------------------------------------------------------

  /** Starts the program afresh (run/start/starti). */
  startProgram(): DebugTarget {
    const t = this.opts.createTarget(this.programIo);
    this.engine.target = t;
    this.frameLevel = 0;
    this.inlineSkip = 0;
    this.listPos = null;
    // Watchpoints on locals of the previous run have no frame any more.
    for (const w of this.watchScopes.splice(0)) this.deletePoint(w.id);
    this.relocateToLoadBias(t);
    this.solibs.clear();
    this.loadVdso(t);
    this.engine.recorder = null;
    for (const b of this.points) if (b.watch) b.watch.old = this.engine.readWatchValue(b.watch);
    this.syncBreakpoints();
    return t;
  }

  /**
   * A PIE is where exec put it, not at its link addresses: the bias is AT_ENTRY (auxv type 9)
   * minus the ELF entry point. Symbols, lines and the breakpoints set before `run` move with it.
   */
  private relocateToLoadBias(t: DebugTarget): void {
    const s = this.symbols;
    if (!s.relocatable || !t.auxv) return;
    const auxv = t.auxv();
    const dv = new DataView(auxv.buffer, auxv.byteOffset, auxv.byteLength);
    for (let off = 0; off + 8 <= auxv.length; off += 8) {
      if (dv.getUint32(off, true) !== 9) continue;
      const delta = s.relocate((dv.getUint32(off + 4, true) - (s.entry - s.bias)) | 0);
      if (delta !== 0) {
        for (const b of this.points) {
          if (b.kind !== 'breakpoint') continue;
          b.addr = (b.addr + delta) >>> 0;
          if (b.locs) b.locs = b.locs.map((a) => (a + delta) >>> 0);
        }
      }
      return;
    }
  }

  /** The vDSO's names and CFI (gdb loads it the same way), so bt goes through system calls and signal frames. */
  private loadVdso(t: DebugTarget): void {
    const base = t.auxv ? sysinfoEhdr(t.auxv()) : null;
    this.vdso = base === null ? null : loadVdso(base, (a, n) => this.mem.read(a, n));
    this.symbols.setModules(this.vdso ? [this.vdso] : []);
    this.refreshLibraries(t);
  }

  /** The shared objects the process has mapped now (see sharedLibs.ts). */
  readonly solibs = new SharedLibraries();
  private vdso: SymbolTable | null = null;
  /** The dynamic linker's _dl_debug_state (r_brk), where it reports library loads; null without one. */
  private shlibEvent: number | null = null;

  /**
   * Re-reads the library set (cheap when the maps did not change); new libraries' symbols and
   * CFI join the table and pending breakpoints that now resolve get their addresses.
   */
  refreshLibraries(t: DebugTarget): boolean {
    if (!t.maps || !t.readFile || t.exit) return false;
    const maps = t.maps();
    if (maps === null) return false;
    const programBase = ((this.symbols.segments[0]?.vaddr ?? 0) & ~0xfff) >>> 0;
    let changed: boolean;
    try {
      changed = this.solibs.refresh(maps, programBase, (p) => t.readFile!(p));
      if (this.solibs.list.length) this.nameLibraries(t);
    } catch {
      return false;
    }
    if (!changed) return false;
    this.symbols.setModules([...(this.vdso ? [this.vdso] : []), ...this.solibs.list.map((l) => l.symbols)]);
    this.shlibEvent = null;
    for (const l of this.solibs.list) {
      const ev = l.symbols.lookup('_dl_debug_state');
      if (ev && ev.kind === 'func') this.shlibEvent = ev.addr;
    }
    for (const b of this.points) {
      if (b.solib !== undefined && !b.pending && !this.solibs.list.some((l) => l.path === b.solib && this.solibs.containing(b.addr) === l)) {
        b.pending = true;
        b.solib = undefined;
      }
      if (!b.pending) continue;
      const sym = this.symbols.lookup(b.what);
      if (!sym || sym.kind !== 'func') continue;
      b.addr = libraryEntryBreakAddr(sym.addr, (a, n) => this.mem.readSome(a, n));
      b.pending = false;
      b.solib = this.solibs.containing(b.addr)?.path;
    }
    return true;
  }

  // ---- stop reports -------------------------------------------------------------------------

  sourceLine(file: string, line: number): string | null {
    let lines = this.sources.get(file);
    if (lines === undefined) {
      try {
        lines = readFileSync(file, 'utf8').split('\n');
      } catch {
        lines = null;
      }
      this.sources.set(file, lines);
    }
    return lines && line >= 1 && line <= lines.length ? lines[line - 1] : null;
  }

  /** How many lines a source file has (0 when it cannot be read). */
  sourceLineCount(file: string): number {
    this.sourceLine(file, 1);
    const lines = this.sources.get(file);
    if (!lines) return 0;
    return lines.length && lines[lines.length - 1] === '' ? lines.length - 1 : lines.length;
  }

  /** "main () at f.c:9" or "0x08049716 in main ()" (and the source line when known). */
  whereText(eip: number, withAddrAlways = false): string {
    const sym = this.symbols.symbolFor(eip);
    let fn = this.p.sym(this.symbols.dwarf?.functionAt(eip)?.name ?? sym?.name ?? '??');
    let row = this.symbols.lines?.rowFor(eip);
    if (row) {
      let atStart = this.symbols.lines!.stmtAt(eip) !== undefined;
      let args = '';
      const t = this.engine.target;
      if (this.symbols.dwarf?.functionAt(eip) && t && !t.exit && (t.cpu.eip >>> 0) === (eip >>> 0)) {
        try {
          // Frame 0: the innermost inlined call entered, with its line (a call site's for one not entered yet).
          const f0 = this.frames(1).frames[0];
          fn = this.p.sym(this.frameFunction(f0));
          args = this.argsText(f0);
          const r0 = this.frameRow(f0);
          if (r0 && f0.callLine !== undefined) {
            row = { ...row, line: r0.line };
            atStart = true;
          }
        } catch { args = ''; }
      }
      const src = this.sourceLine(row.file, row.line);
      const head = atStart && !withAddrAlways ? `${fn} (${args}) at ${row.file}:${row.line}` : `${this.p.addr(hex8(eip))} in ${fn} (${args}) at ${row.file}:${row.line}`;
      return `${head}\n${row.line}\t${src ?? ''}`;
    }
    return `${this.p.addr(hex8(eip))} in ${fn} ()${this.fromLibrary(eip)}`;
  }

  /** Names and orders the libraries by the dynamic linker's link_map (PT_INTERP for ld.so before it has one). */
  private nameLibraries(t: DebugTarget): void {
    const read = (a: number, n: number) => this.mem.readSome(a, n);
    const dyn = this.symbols.sections.find((x) => x.name === '.dynamic');
    const interpSec = this.symbols.sections.find((x) => x.name === '.interp');
    let atBase: number | null = null;
    if (t.auxv) {
      const auxv = t.auxv();
      const dv = new DataView(auxv.buffer, auxv.byteOffset, auxv.byteLength);
      for (let off = 0; off + 8 <= auxv.length && dv.getUint32(off, true) !== 0; off += 8) if (dv.getUint32(off, true) === 7) atBase = dv.getUint32(off + 4, true);
    }
    const interp = interpSec && atBase ? { base: atBase, name: cString(interpSec.addr, read) } : null;
    this.solibs.list = nameLibraries(this.solibs.list, dyn ? linkMapNames(dyn.addr, read) : [], interp);
  }

  /** gdb's " from /lib32/libc.so.6" after a frame in a shared library without line information. */
  fromLibrary(pc: number): string {
    const lib = this.solibs.containing(pc);
    return lib ? ` from ${lib.name}` : '';
  }

  /** The "=> 0x... <sym+off>:\tinsn" line for the current EIP. */
  async currentInsnLine(): Promise<string> {
    const t = this.engine.target;
    if (!t || t.exit) return '';
    const eip = t.cpu.eip >>> 0;
    const text = await this.insnText(eip);
    return `=> ${this.p.addr(hex(eip))}${this.angle(eip)}:\t${text}`;
  }

  async insnText(addr: number): Promise<string> {
    try {
      if (!isDisassemblerLoaded()) await loadDisassembler();
    } catch {
      return '(disassembler unavailable)';
    }
    const bytes = this.mem.readSome(addr, 16);
    if (bytes.length === 0) return `Cannot access memory at address ${hex(addr)}`;
    const d = disassemble(bytes, addr, 1);
    return d.length ? d[0].text : '(bad)';
  }

  /** Prints why the program stopped. `how` is the command kind (for the location style). */
  async report(r: StopResult, how: 'step' | 'line' | 'cont' | 'finish' = 'cont', inlineSkip?: number): Promise<void> {
    const t = this.engine.target;
    this.frameLevel = 0;
    this.listPos = null;
    this.inlineSkip = t && !t.exit ? inlineSkip ?? this.inlineSkipAtStop(t.cpu.eip >>> 0, r) : 0;
    const pid = t?.pid ?? 0;
    if (t && !t.exit && this.refreshLibraries(t)) this.syncBreakpoints();
    switch (r.kind) {
      case 'no-process': this.error('The program is not being run.'); return;
      case 'exited':
        this.engine.recorder = null;
        if (r.signal) this.out(`\nProgram terminated with signal ${SIGNAL_NAMES[r.signal] ?? r.signal}, ${SIGNAL_TEXT[r.signal] ?? 'Unknown signal'}.\nThe program no longer exists.`);
        else if (r.code === 0) this.out(`[Inferior 1 (process ${pid}) exited normally]`);
        else this.out(`[Inferior 1 (process ${pid}) exited with code ${r.code.toString(8).padStart(2, '0')}]`);
        return;
      case 'history-end':
        this.out('\nNo more reverse-execution history.');
        break;
      case 'interrupted':
        this.out('\nProgram received signal SIGINT, Interrupt.');
        break;
      case 'signal':
        this.out(`\nProgram received signal ${SIGNAL_NAMES[r.signal] ?? r.signal}, ${SIGNAL_TEXT[r.signal] ?? 'Unknown signal'}.` + (r.addr !== undefined && r.signal === 11 ? ` (fault address ${hex(r.addr)})` : ''));
        break;
      case 'breakpoint': {
        if (r.id < 0) {
          this.out(`\nWatchpoint ${-r.id} deleted because the program has left the block in\nwhich its expression is valid.`);
          break;
        }
        const b = this.points.find((x) => x.id === r.id);
        this.out(`\n${b?.temp ? 'Temporary breakpoint' : 'Breakpoint'} ${r.id}${b?.hitLoc ? `.${b.hitLoc}` : ''}, ${this.whereText(t!.cpu.eip >>> 0)}`);
        if (b?.temp) this.deletePoint(b.id);
        await this.printInsn();
        this.showDisplays();
        return;
      }
      case 'watch': {
        const b = this.points.find((x) => x.id === r.id);
        if (b) b.hits++;
        const label = b?.watch?.kind === 'read' ? 'Hardware read watchpoint' : b?.watch?.kind === 'access' ? 'Hardware access (read/write) watchpoint' : 'Hardware watchpoint';
        const fmt = (v: bigint) => (v < 0n ? '<unreadable>' : this.watchValueText(b, v));
        let text = `\n${label} ${r.id}: ${b?.what ?? hex(r.addr)}\n\n`;
        if (r.access === 'write' || b?.watch?.kind === 'write') text += `Old value = ${fmt(r.old)}\nNew value = ${fmt(r.value)}`;
        else text += `Value = ${fmt(r.value)}`;
        this.out(text);
        break;
      }
      case 'done':
        break;
    }
    if (!t || t.exit) return;
    const eip = t.cpu.eip >>> 0;
    const lines = this.symbols.lines;
    if (how === 'line' && lines?.rowFor(eip)) {
      let row: { file: string; line: number } = lines.rowFor(eip)!;
      // Stopped at an inlined call not entered yet: its call site's line.
      if (this.inlineSkip > 0) row = safeRow(() => this.frameRow(this.frames(1).frames[0])) ?? row;
      const src = this.sourceLine(row.file, row.line);
      this.out(this.fnChanged ? `${this.whereText(eip)}` : `${row.line}\t${src ?? ''}`);
    } else {
      // After a watchpoint gdb shows the address only in the middle of a line.
      // (After finish too: a caller resumed at a statement's start shows no address.)
      const midLineOnly = r.kind === 'watch' || (r.kind === 'breakpoint' && r.id < 0) || (how === 'finish' && r.kind === 'done');
      this.out(this.whereText(eip, !midLineOnly));
    }
    await this.printInsn();
    this.showDisplays();
  }

  /** Expressions `display` shows after every stop (gdb's numbering). */
  readonly displays: Array<{ id: number; expr: string; fmt: string | null }> = [];
  nextDisplay = 1;

  /** "1: x = 42" for one display; null when it cannot be evaluated here (outside its scope). */
  displayText(d: { id: number; expr: string; fmt: string | null }): string | null {
    try {
      const v = this.eval.evaluate(d.expr);
      return `${d.id}: ${d.fmt ? `/${d.fmt} ` : ''}${d.expr} = ${this.formatValue(v, d.fmt)}`;
    } catch {
      return null;
    }
  }

  showDisplays(): void {
    const t = this.engine.target;
    if (!t || t.exit) return;
    for (const d of this.displays) {
      const text = this.displayText(d);
      if (text !== null) this.out(text);
    }
  }

  /** Set by line steps when the function changed (gdb then prints the frame line). */
  fnChanged = false;

  private async printInsn(): Promise<void> {
    const line = await this.currentInsnLine();
    if (line) this.out(line);
  }

  private watchValueText(b: Breakpoint | undefined, v: bigint): string {
    const len = b?.watch?.len ?? 4;
    const signed = BigInt.asIntN(len * 8, v);
    return len === 1 ? `${signed} '${String.fromCharCode(Number(v))}'`.replace(/'[\x00-\x1f\x7f-\xff]'/, `'\\${Number(v).toString(8).padStart(3, '0')}'`) : signed.toString();
  }

  deletePoint(id: number): boolean {
    const i = this.points.findIndex((b) => b.id === id);
    if (i < 0) return false;
    this.points.splice(i, 1);
    const k = this.watchScopes.findIndex((w) => w.id === id);
    if (k >= 0) this.watchScopes.splice(k, 1);
    this.syncBreakpoints();
    return true;
  }

  recordValue(v: Value): number {
    this.history.push(v);
    return this.history.length;
  }

  formatValue(v: Value, fmt: string | null, top = true): string {
    if (v.type.dw) {
      return formatTyped(v, v.type.dw, fmt, {
        describe: this.describeData,
        readString: (a, max) => { try { return this.mem.readCString(a, max); } catch { return null; } },
      }, top);
    }
    return formatValue(v, fmt, this.describe);
  }

  /** gdb names a pointer's target only when a symbol's extent covers it. */
  private describeData = (addr: number): string => {
    const sym = this.symbols.symbolFor(addr);
    if (!sym || (sym.size === 0 && addr !== sym.addr)) return '';
    const off = (addr >>> 0) - sym.addr;
    return off ? `${sym.name}+${off}` : sym.name;
  };

  // ---- backtrace ------------------------------------------------------------------------------

  /** Frames from the frame-pointer chain, and why unwinding stopped (null when it ran out cleanly). */
  backtrace(max = 64): { frames: Array<{ pc: number; fp: number }>; stopped: string | null } {
    const t = this.live();
    const c = t.cpu;
    const frames: Array<{ pc: number; fp: number }> = [];
    const eip = c.eip >>> 0;
    let ebp = c.regs[EBP] >>> 0;
    const esp = c.regs[ESP] >>> 0;
    frames.push({ pc: eip, fp: ebp });
    // In a prologue the return address is still on top of the stack (or just under the saved EBP).
    const sym = this.symbols.symbolFor(eip);
    const code = this.engine.peek(sym ? sym.addr : eip, 3);
    const pushesEbp = code !== null && code[0] === 0x55;
    if (sym && eip === sym.addr) {
      try { frames.push({ pc: this.mem.readU32(esp), fp: ebp }); } catch { return { frames, stopped: `cannot read the return address at ${hex(esp)}` }; }
    } else if (sym && pushesEbp && eip === sym.addr + 1) {
      try { frames.push({ pc: this.mem.readU32((esp + 4) >>> 0), fp: ebp }); } catch { return { frames, stopped: 'cannot read the stack' }; }
    }
    if (sym && !pushesEbp && frames.length === 1) {
      return { frames, stopped: `${sym.name} does not keep a frame pointer (built without -fno-omit-frame-pointer?): cannot unwind further` };
    }
    for (let depth = 0; frames.length < max; depth++) {
      if (ebp === 0) return { frames, stopped: null };
      if (ebp < esp || (ebp & 3) !== 0) return { frames, stopped: `frame pointer ${hex(ebp)} does not point into the stack above ESP: cannot unwind further` };
      let next: number, ret: number;
      try {
        next = this.mem.readU32(ebp);
        ret = this.mem.readU32((ebp + 4) >>> 0);
      } catch {
        return { frames, stopped: `cannot read the frame at ${hex(ebp)}` };
      }
      if (ret === 0) return { frames, stopped: null };
      if (!this.symbols.symbolFor(ret) && this.symbols.symbols.length) return { frames, stopped: `return address ${hex(ret)} is not in any function: frame pointer chain is broken` };
      frames.push({ pc: ret, fp: next });
      if (next !== 0 && next <= ebp) {
        const caller = this.symbols.symbolFor(ret)?.name ?? hex(ret);
        return { frames, stopped: `${caller} does not keep a frame pointer (saved EBP ${hex(next)} is not above ${hex(ebp)}): cannot unwind past it` };
      }
      ebp = next;
    }
    return { frames, stopped: null };
  }
}

const readRegNames = new Set(['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi', 'eip', 'pc', 'sp', 'fp', 'eflags']);
export { T_INT };

function safeRow(f: () => { file: string; line: number } | undefined): { file: string; line: number } | undefined {
  try { return f(); } catch { return undefined; }
}
