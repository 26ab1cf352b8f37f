// The REPL's commands: one table row per command with its gdb short forms, a one-line summary
// and a longer help text, and a handler. `help` is generated from this table. Handlers may
// throw; runCommand() turns any error into a message and the session goes on.
import { infoScopeText } from './infoScope.js';
import { Session } from './session.js';
import { ExprError, Value, mask, numeric, pointerTo, T_INT } from './expr.js';
import { StepControl, NextControl, FinishControl, AddressControl, LineControl, StopResult, WatchKind, type InlineAt } from './engine.js';
import { Recorder, DEFAULT_INSN_MAX } from './record.js';
import { GENERAL_REGS, X87_REGS, SSE_REGS, registerLine, readReg } from './regs.js';
import { parseFormat, formatDump, hex, hex8, cString } from './format.js';
import { disassemble, loadDisassembler } from './disassembler.js';
import { pagewalkText, tlbText, framesText, frameAtText, tasksText, statsText } from './inspect.js';
import { frameText } from './rmap.js';
import { MemoryError } from './memory.js';
import * as src from './sourceCommands.js';
import { lookupPc } from './frames.js';
import { parseProgramArgs, programArgsText } from './programArgs.js';
import { reverseLine } from './reverseLine.js';
import { infoSharedLibrary } from './solibCommands.js';
import { libraryEntryBreakAddr } from './solibBreak.js';

export interface Command {
  names: string[];
  summary: string;
  help: string;
  run: (s: Session, args: string, name: string) => Promise<void> | void;
}

const num = (s: Session, text: string, dflt: number): number => {
  if (text.trim() === '') return dflt;
  const v = s.eval.evaluateNumber(text);
  return v;
};

async function resumeAndReport(s: Session, r: Promise<StopResult>, how: 'step' | 'line' | 'cont'): Promise<void> {
  const res = await r;
  await s.report(res, how);
}

function needLines(s: Session): NonNullable<Session['symbols']['lines']> {
  const lines = s.symbols.lines;
  if (!lines || lines.rows.length === 0) {
    throw new ExprError('This program has no DWARF line information (.debug_line); build it with -g, or use stepi/nexti.');
  }
  return lines;
}

/** Resolves a location: *EXPR, FUNCTION, FILE:LINE, LINE, or an address. */
/** Where a breakpoint goes: addr, and locs when there are several (a function inlined in several places, a line split by -O2). */
export function resolveLocation(s: Session, loc: string): { addr: number; what: string; line?: number; locs?: number[]; fn?: string } {
  const text = loc.trim();
  if (text === '') {
    const t = s.live();
    return { addr: t.cpu.eip >>> 0, what: hex(t.cpu.eip) };
  }
  if (text.startsWith('*')) return { addr: s.eval.evaluateNumber(text.slice(1)), what: text };
  const fl = /^(?:(.+):)?(\d+)$/.exec(text);
  if (fl && s.symbols.lines && (fl[1] !== undefined || !/^0/.test(text))) {
    const lines = s.symbols.lines;
    const want = Number(fl[2]);
    // A line without code (blank, a comment, a declaration) means the next line that has some (gdb).
    const last = Math.max(0, ...lines.rows.map((r) => r.line));
    for (let line = want; line <= last; line++) {
      const addrs = lines.addressesFor(fl[1] ?? '', line);
      if (!addrs.length) continue;
      let addr = addrs[0];
      // The line of a function's opening: the breakpoint goes past the prologue, as for break FUNC.
      const fn = s.symbols.dwarf?.functionAt(addr);
      if (fn && s.symbols.dwarf!.entryOf(fn) === addr) {
        const end = Math.max(...fn.ranges.map((r) => r[1])) + s.symbols.dwarf!.bias;
        addr = lines.afterPrologue(addr, end);
      }
      const locs = addr === addrs[0] ? lineLocations(s, addrs) : [addr];
      return { addr: locs[0], what: text, line: addr === addrs[0] ? line : undefined, locs: locs.length > 1 ? locs : undefined };
    }
    throw new ExprError(fl[1] !== undefined ? `No line ${fl[2]} in file "${fl[1]}".` : `No line ${fl[2]} in the current file.`);
  }
  const inlined = s.symbols.dwarf?.inlinedEntries(text) ?? [];
  if (inlined.length > 0) {
    // gdb: one breakpoint with a location in each inlined copy (and the out-of-line one, if any).
    const fn = s.symbols.dwarf!.functionNamed(text);
    const out = fn && s.symbols.lines ? [s.symbols.lines.afterPrologue(s.symbols.dwarf!.entryOf(fn), Math.max(...fn.ranges.map((r) => r[1])) + s.symbols.dwarf!.bias)] : [];
    const locs = [...new Set([...inlined, ...out])].sort((a, b) => a - b);
    return { addr: locs[0], what: text, locs: locs.length > 1 ? locs : undefined, fn: text };
  }
  const sym = s.symbols.lookup(text);
  if (sym) {
    let addr = sym.addr;
    const lib = s.solibs.containing(sym.addr);
    if (sym.kind === 'func' && lib && !lib.debugInfo) addr = libraryEntryBreakAddr(sym.addr, (a, n) => s.mem.readSome(a, n));
    else if (sym.kind === 'func' && s.symbols.lines) addr = s.symbols.lines.afterPrologue(sym.addr, sym.addr + Math.max(sym.size, 1));
    return { addr, what: text, fn: sym.kind === 'func' ? text : undefined };
  }
  if (/^[A-Za-z_][\w.]*$/.test(text)) throw new ExprError(`Function "${text}" not defined.`);
  return { addr: s.eval.evaluateNumber(text), what: text };
}

/**
 * The statement addresses of one line that get a location each, as gdb's linespec keeps them:
 * of several addresses in the same innermost block, the next one after each is dropped.
 */
function lineLocations(s: Session, addrs: number[]): number[] {
  const dw = s.symbols.dwarf;
  if (!dw || addrs.length < 2) return addrs.slice(0, 1);
  const blocks = addrs.map((a) => dw.scopesAt(a)[0]);
  const keep = addrs.map(() => true);
  for (let i = 0; i < addrs.length; i++) {
    if (blocks[i] === undefined) continue;
    for (let j = i + 1; j < addrs.length; j++) {
      if (blocks[j] === blocks[i]) {
        keep[j] = false;
        break;
      }
    }
  }
  return addrs.filter((_, i) => keep[i]);
}

/** info scope LOCATION: the variables of the block there and where each lives. */
function infoScope(s: Session, args: string): void {
  const text = args.trim();
  if (!text) throw new ExprError('requires an argument (an expression or variable): foo, *0x1234, etc.');
  const dw = s.symbols.dwarf;
  if (!dw) throw new ExprError('No symbol table is loaded.  Use the "file" command.');
  s.out(infoScopeText(dw, resolveLocation(s, text).addr, text));
}

function splitCond(args: string): [string, string | null] {
  const m = /^(.*?)(?:\s+if\s+(.*)|^if\s+(.*))$/.exec(args.trim());
  if (!m) return [args.trim(), null];
  return [m[1].trim(), (m[2] ?? m[3] ?? '').trim() || null];
}

function breakCmd(temp: boolean) {
  return (s: Session, args: string): void => {
    const [loc, cond] = splitCond(args);
    const dynamic = s.symbols.sections.some((x) => x.name === '.interp');
    if (dynamic && /^[A-Za-z_][\w.]*$/.test(loc) && !s.symbols.lookup(loc)) {
      // A library not loaded yet may define it: pending until one does (gdb answering "y").
      const b = s.addPendingBreakpoint(loc, temp, cond);
      s.out(`Function "${loc}" not defined.\n${temp ? 'Temporary breakpoint' : 'Breakpoint'} ${b.id} (${loc}) pending.`);
      return;
    }
    const { addr, what, line, locs, fn } = resolveLocation(s, loc);
    const b = s.addBreakpoint(addr, what, temp, cond, locs);
    b.fn = fn;
    // A function in a library: pending again (and re-resolved) when the library goes, e.g. on rerun.
    if (!loc.startsWith('*')) b.solib = s.solibs.containing(addr)?.path;
    if (b.locs) {
      s.out(`${temp ? 'Temporary breakpoint' : 'Breakpoint'} ${b.id} at ${s.p.addr(hex(addr))}: ${loc}. (${b.locs.length} locations)`);
      return;
    }
    const row = s.symbols.lines?.rowFor(addr);
    s.out(`${temp ? 'Temporary breakpoint' : 'Breakpoint'} ${b.id} at ${s.p.addr(hex(addr))}` + (row ? `: file ${row.file}, line ${line ?? row.line}.` : s.describe(addr) ? ` <${s.describe(addr)}>` : ''));
  };
}

function watchCmd(kind: WatchKind) {
  return (s: Session, args: string): void => {
    let [expr, cond] = splitCond(args);
    expr = expr.replace(/^(-l|-location)\s+/, '');
    if (!expr) throw new ExprError('Argument required (expression to compute).');
    let addr: number;
    let len: number;
    const sym = s.symbols.lookup(expr);
    if (sym && sym.kind !== 'func') {
      addr = sym.addr;
      len = [1, 2, 4, 8].includes(sym.size) ? sym.size : 4;
    } else {
      s.localsUsed = null;
      const v = s.eval.evaluate(expr);
      if (!v.lval || v.lval.kind !== 'mem') throw new ExprError('Cannot watch constant value or register; watch a memory location such as *(int *)0x804c010 or a variable.');
      addr = v.lval.addr;
      len = v.lval.size;
    }
    if (![1, 2, 4, 8].includes(len)) throw new ExprError('Watchpoints cover 1, 2, 4 or 8 bytes.');
    const scopeFrame = s.localsUsed;
    s.localsUsed = null;
    // A local's watchpoint ends with its frame: where the caller resumes, above the frame's CFA.
    const caller = scopeFrame ? s.frames(scopeFrame.level + 2, true).frames[scopeFrame.level + 1] : undefined;
    const b = s.addWatch(addr, len, kind, expr, cond);
    if (scopeFrame && caller && scopeFrame.cfa !== undefined) {
      s.watchScopes.push({ id: b.id, pc: caller.pc, cfa: scopeFrame.cfa });
      s.syncBreakpoints();
    }
    const label = kind === 'read' ? 'Hardware read watchpoint' : kind === 'access' ? 'Hardware access (read/write) watchpoint' : 'Hardware watchpoint';
    s.out(`${label} ${b.id}: ${expr}`);
  };
}

function idList(s: Session, args: string): number[] {
  const out: number[] = [];
  for (const part of args.trim().split(/\s+/).filter(Boolean)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new ExprError(`Convenience variable must have integer value.\nBad breakpoint argument: '${part}'`);
    for (let k = Number(m[1]); k <= Number(m[2] ?? m[1]); k++) out.push(k);
  }
  return out;
}

function infoBreakpoints(s: Session): void {
  if (s.points.length === 0) {
    s.out('No breakpoints or watchpoints.');
    return;
  }
  const lines = ['Num     Type            Disp Enb Address    What'];
  for (const b of s.points) {
    const type = b.kind === 'breakpoint' ? 'breakpoint' : b.watch!.kind === 'read' ? 'read watchpoint' : b.watch!.kind === 'access' ? 'acc watchpoint' : 'hw watchpoint';
    if (b.pending) {
      lines.push(`${String(b.id).padEnd(8)}${'breakpoint'.padEnd(16)}${(b.temp ? 'del' : 'keep').padEnd(5)}${(b.enabled ? 'y' : 'n').padEnd(4)}${'<PENDING>'.padEnd(10)} ${b.what}`);
      if (b.cond) lines.push(`\tstop only if ${b.cond}`);
      continue;
    }
    if (b.locs) {
      // gdb's rows for a breakpoint with several locations: <MULTIPLE>, then N.1, N.2...
      lines.push(`${String(b.id).padEnd(8)}${type.padEnd(16)}${(b.temp ? 'del' : 'keep').padEnd(5)}${(b.enabled ? 'y' : 'n').padEnd(4)}<MULTIPLE> `);
      if (b.cond) lines.push(`\tstop only if ${b.cond}`);
      if (b.hits) lines.push(`\tbreakpoint already hit ${b.hits} time${b.hits === 1 ? '' : 's'}`);
      b.locs.forEach((a, k) => {
        const row = s.symbols.lines?.rowFor(a);
        lines.push(`${`${b.id}.${k + 1}`.padEnd(28)}${'y'.padEnd(4)}${hex8(a)} in ${s.p.sym(s.innermostFunction(a))}${row ? ` at ${row.file}:${row.line}` : ''}`);
      });
      continue;
    }
    const addr = b.kind === 'breakpoint' ? hex8(b.addr) : '          ';
    const what = b.kind === 'breakpoint' ? (s.describe(b.addr) ? `<${s.describe(b.addr)}>` : '') + (b.what.startsWith('*') || /^0x/.test(b.what) ? '' : ` (${b.what})`) : `${b.what} (${b.watch!.len} bytes at ${hex(b.addr)})`;
    lines.push(`${String(b.id).padEnd(8)}${type.padEnd(16)}${(b.temp ? 'del' : 'keep').padEnd(5)}${(b.enabled ? 'y' : 'n').padEnd(4)}${addr} ${what}`);
    if (b.cond) lines.push(`\tstop only if ${b.cond}`);
    if (b.hits) lines.push(`\tbreakpoint already hit ${b.hits} time${b.hits === 1 ? '' : 's'}`);
    if (b.ignore) lines.push(`\tWill ignore next ${b.ignore} crossings of breakpoint.`);
  }
  s.out(lines.join('\n'));
}

function infoRegisters(s: Session, args: string, all: boolean): void {
  const t = s.live('The program has no registers now.');
  const names = args.trim() ? args.trim().split(/\s+/).map((n) => n.replace(/^\$/, '').toLowerCase()) : all ? [...GENERAL_REGS, ...X87_REGS, ...SSE_REGS] : GENERAL_REGS;
  const out: string[] = [];
  for (const n of names) {
    const line = registerLine(t.cpu, n, s.describe);
    if (!line) throw new ExprError(`Invalid register \`${n}'`);
    out.push(line);
  }
  s.out(out.join('\n'));
}

async function printCmd(s: Session, args: string): Promise<void> {
  let fmt: string | null = null;
  let expr = args.trim();
  const m = /^\/(\w+)\s*(.*)$/.exec(expr);
  if (m) {
    fmt = m[1].replace(/[bhwg\d]/g, '') || 'x';
    expr = m[2];
  }
  const v: Value = expr === '' ? s.history[s.history.length - 1] : s.eval.evaluate(expr);
  if (!v) throw new ExprError('History is empty.');
  // Formatted first: a value that cannot be shown takes no history number (gdb).
  const text = s.formatValue(v, fmt);
  s.out(`$${s.recordValue(v)} = ${text}`);
}

function setCmd(s: Session, args: string): void {
  const text = args.trim();
  const sa = /^args(?:\s+(.*))?$/.exec(text);
  if (sa) { s.programIo = { ...parseProgramArgs(sa[1] ?? ''), env: s.programIo.env }; return; }
  const se = /^env(?:ironment)?\s+([A-Za-z_][\w]*)\s*(?:=\s*|\s+)?(.*)$/.exec(text);
  if (se) { (s.programIo.env ??= new Map()).set(se[1], se[2]); return; }
  let m = /^record\s+(?:full\s+)?insn-number-max\s+(\S+)$/.exec(text);
  if (m) {
    const n = m[1] === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(m[1]);
    if (!Number.isFinite(n) || n < 1) throw new ExprError('insn-number-max must be a positive number or "unlimited".');
    recordLimit = n;
    if (s.engine.recorder) s.engine.recorder.insnMax = n;
    return;
  }
  m = /^(?:var(?:iable)?\s+)?(.*)$/.exec(text);
  const expr = m![1];
  if (!expr.includes('=')) throw new ExprError(`A syntax error in expression: "set" needs an assignment such as set $eax = 1 or set *(int *)0x804c010 = 5.`);
  s.eval.evaluate(expr);
}

let recordLimit = DEFAULT_INSN_MAX;

async function xCmd(s: Session, args: string): Promise<void> {
  let text = args.trim();
  let spec = s.lastX;
  const m = /^\/(\S*)\s*(.*)$/.exec(text);
  if (m) {
    spec = parseFormat(m[1], s.lastX);
    text = m[2];
  } else {
    spec = { ...s.lastX, count: 1 };
  }
  let addr: number;
  if (text === '') {
    if (s.nextXAddr === null) throw new ExprError('Argument required (starting display address).');
    addr = s.nextXAddr;
  } else {
    const v = s.eval.evaluate(text);
    addr = Number(mask(v.lval?.kind === 'mem' && !v.type.target && v.type.size > 4 ? BigInt(v.lval.addr) : numeric(v), 4));
  }
  s.lastX = { count: 1, fmt: spec.fmt, size: spec.size };
  if (spec.fmt === 's') {
    const out: string[] = [];
    let a = addr;
    for (let k = 0; k < spec.count; k++) {
      const r = s.mem.readCString(a, 200);
      out.push(`${s.p.addr(hex(a))}${s.angle(a)}:\t${cString(r.text)}${r.complete ? '' : '...'}`);
      a = (a + r.text.length + 1) >>> 0;
    }
    s.nextXAddr = a;
    s.out(out.join('\n'));
    return;
  }
  if (spec.fmt === 'i') {
    await loadDisassembler();
    const out: string[] = [];
    let a = addr;
    const eip = s.target && !s.target.exit ? s.target.cpu.eip >>> 0 : -1;
    for (let k = 0; k < spec.count; k++) {
      const bytes = s.mem.readSome(a, 16);
      if (bytes.length === 0) { if (k === 0) throw new MemoryError(a); break; }
      const d = disassemble(bytes, a, 1)[0];
      if (!d) { out.push(`   ${hex(a)}:\t(bad)`); a = (a + 1) >>> 0; continue; }
      out.push(`${a === eip ? '=> ' : '   '}${s.p.addr(hex(a))}${s.angle(a)}:\t${d.text}`);
      a = (a + d.size) >>> 0;
    }
    s.nextXAddr = a;
    s.out(out.join('\n'));
    return;
  }
  const bytes = s.mem.read(addr, spec.count * spec.size);
  s.nextXAddr = (addr + bytes.length) >>> 0;
  s.out(formatDump(addr, bytes, spec, s.describe).join('\n'));
}

async function disassembleCmd(s: Session, args: string): Promise<void> {
  await loadDisassembler();
  let text = args.trim();
  const raw = /^\/r\s*/.test(text);
  text = text.replace(/^\/\w+\s*/, '');
  let start: number, end: number | null = null, count: number | null = null, title: string;
  const eip = s.target && !s.target.exit ? s.target.cpu.eip >>> 0 : -1;
  const range = /^(.+?)\s*,\s*(\+?)(.+)$/.exec(text);
  if (range) {
    start = s.eval.evaluateNumber(range[1]);
    const e = s.eval.evaluateNumber(range[3]);
    end = range[2] ? (start + e) >>> 0 : e;
    title = `Dump of assembler code from ${hex(start)} to ${hex(end)}:`;
  } else {
    const parts = text.split(/\s+/).filter(Boolean);
    const at = parts.length ? resolveExprOrSymbol(s, parts[0]) : eip;
    if (at < 0) throw new ExprError('No frame selected.');
    if (parts.length > 1) {
      start = at;
      count = s.eval.evaluateNumber(parts[1]);
      title = `Dump of assembler code from ${hex(start)} (${count} instructions):`;
    } else {
      const sym = s.symbols.symbolFor(at);
      if (sym && sym.size > 0) {
        start = sym.addr;
        end = sym.addr + sym.size;
        title = `Dump of assembler code for function ${sym.name}:`;
      } else {
        start = at;
        count = 16;
        title = `Dump of assembler code from ${hex(start)} (no function covers it; 16 instructions):`;
      }
    }
  }
  const out = [title];
  let a = start;
  const sym = s.symbols.symbolFor(start);
  for (let k = 0; k < 5000 && (count === null ? a < end! : k < count); k++) {
    const bytes = s.mem.readSome(a, 16);
    if (bytes.length === 0) { out.push(`Cannot access memory at address ${hex(a)}`); break; }
    const d = disassemble(bytes, a, 1)[0];
    const rel = sym && a >= sym.addr && (sym.size === 0 || a < sym.addr + sym.size) ? ` <+${a - sym.addr}>` : s.angle(a);
    if (!d) { out.push(`   ${hex8(a)}${rel}:\t(bad)`); a = (a + 1) >>> 0; continue; }
    const bytesText = raw ? Array.from(d.bytes, (b) => b.toString(16).padStart(2, '0')).join(' ') + '\t' : '';
    out.push(`${a === eip ? '=> ' : '   '}${s.p.addr(hex8(a))}${rel}:\t${bytesText}${d.text}`);
    a = (a + d.size) >>> 0;
  }
  out.push('End of assembler dump.');
  s.out(out.join('\n'));
}

function resolveExprOrSymbol(s: Session, text: string): number {
  const sym = s.symbols.lookup(text);
  if (sym) return sym.addr;
  return s.eval.evaluateNumber(text.replace(/^\*/, ''));
}

function btCmd(s: Session, args: string): void {
  s.live('No stack.');
  if (s.symbols.dwarf) { src.btCmd(s, args); return; }
  const max = num(s, args, 64);
  const { frames, stopped } = s.backtrace(max);
  const out: string[] = [];
  frames.forEach((f, i) => {
    const sym = s.symbols.symbolFor(i === 0 ? f.pc : f.pc - 1);
    const row = s.symbols.lines?.rowFor(i === 0 ? f.pc : f.pc - 1);
    const where = row ? ` at ${row.file}:${row.line}` : '';
    out.push(`#${i}  ${i === 0 && !row ? `${s.p.addr(hex8(f.pc))} in ` : i > 0 ? `${s.p.addr(hex8(f.pc))} in ` : ''}${s.p.sym(sym?.name ?? '??')} ()${where}`);
  });
  if (stopped) out.push(`Backtrace stopped: ${stopped}`);
  s.out(out.join('\n'));
}

function infoSymbol(s: Session, args: string): void {
  const a = s.eval.evaluateNumber(args);
  const sym = s.symbols.symbolFor(a);
  if (!sym) { s.out(`No symbol matches ${args.trim()}.`); return; }
  const off = (a >>> 0) - sym.addr;
  const lib = s.solibs.containing(a);
  const sec = lib ? lib.symbols.sectionFor(a) : s.symbols.sectionFor(a);
  s.out(`${sym.name}${off ? ` + ${off}` : ''}${sec ? ` in section ${sec}` : ''}${sec && lib ? ` of ${lib.name}` : ''}`);
}

function infoAddress(s: Session, args: string): void {
  const name = args.trim();
  if (!name) throw new ExprError('Argument required.');
  if (name.startsWith('$')) {
    if (!readReg(s.live().cpu, name.slice(1))) throw new ExprError(`No symbol "${name}" in current context.`);
    s.out(`Symbol "${name}" is a variable in register $${name.slice(1)}.`);
    return;
  }
  const sym = s.symbols.lookup(name);
  if (!sym) throw new ExprError(`No symbol "${name}" in current context.`);
  const row = s.symbols.lines?.rowFor(sym.addr);
  s.out(`Symbol "${name}" is ${sym.kind === 'func' ? 'a function' : sym.kind === 'object' ? 'static storage' : 'a label'} at address ${hex(sym.addr)}` +
    `${sym.size ? ` (${sym.size} bytes)` : ''}${row ? `, line ${row.line} of ${row.file}` : s.symbols.lines ? '' : ' in a file compiled without debugging'}.`);
}

function infoLine(s: Session, args: string): void {
  const lines = needLines(s);
  // A function name means its first line (gdb), not the breakpoint address past the prologue.
  const fn = args.trim() ? s.symbols.dwarf?.functionNamed(args.trim()) : undefined;
  // No argument after a list: the first line it showed (gdb's last listed line), else the pc's.
  const listed = !args.trim() && s.listPos ? lines.rows.filter((r) => r.file === s.listPos!.file && r.line === s.listPos!.first && r.isStmt && !r.end).sort((a, b) => a.addr - b.addr)[0] : undefined;
  const addr = listed ? listed.addr : fn ? s.symbols.dwarf!.entryOf(fn) : args.trim() ? resolveLocation(s, args).addr : s.symbols.dwarf && s.target && !s.target.exit ? lookupPc(s.selectedFrame()) : s.live().cpu.eip >>> 0;
  const row = lines.rowFor(addr);
  if (!row) { s.out(`No line number information available for address ${hex(addr)}${s.angle(addr)}`); return; }
  const start = row.addr;
  const end = lines.rows.find((r) => r.addr > start)?.addr;
  s.out(`Line ${row.line} of "${row.file}" starts at address ${hex(start)}${s.angle(start)}${end !== undefined ? ` and ends at ${hex(end)}${s.angle(end)}` : ''}.`);
}

function mapsCmd(s: Session, args = ''): void {
  const t = s.live();
  if (!t.maps) throw new ExprError('This target has no memory areas (no kernel): use pagewalk ADDR.');
  const a = args.trim();
  const pid = a === '' ? undefined : Number(a);
  if (pid !== undefined && !Number.isInteger(pid)) throw new ExprError(`maps [PID]: "${a}" is not a process id`);
  const text = t.maps(pid);
  if (text === null) throw new ExprError(`No process ${pid}.`);
  s.out(`process ${pid ?? t.pid}\n${text.replace(/\n$/, '')}`);
}

function pmapCmd(s: Session, args = ''): void {
  const t = s.live();
  if (!t.pmap) throw new ExprError('This target has no memory areas (no kernel): use pagewalk ADDR.');
  const a = args.trim().replace(/^pid\s+/, '');
  const pid = a === '' ? undefined : Number(a);
  if (pid !== undefined && !Number.isInteger(pid)) throw new ExprError(`pmap [pid N]: "${a}" is not a process id`);
  const text = t.pmap(pid);
  if (text === null) throw new ExprError(`No process ${pid}.`);
  s.out(text.replace(/\n$/, ''));
}

function threadCmd(s: Session, args: string): void {
  const t = s.live();
  const a = args.trim();
  if (a === '') {
    s.out(`[Current thread is ${t.tid} (process ${t.pid})]`);
    return;
  }
  const tid = Number(a);
  if (!Number.isInteger(tid) || !t.selectThread || !t.selectThread(tid)) throw new ExprError(`Invalid thread ID: ${a}`);
  s.out(`[Switching to thread ${tid} (process ${t.pid})]`);
}

/** info frames [PHYS | at ADDR [pid N]]: all frames, or one frame's reverse map. */
function framesCmd(s: Session, args: string): void {
  const a = args.trim();
  const t = s.live();
  if (a === '') { s.out(framesText(t)); return; }
  const at = /^at\s+(.*?)(?:\s+pid\s+(\d+))?\s*$/.exec(a);
  if (at) s.out(frameAtText(t, s.eval.evaluateNumber(at[1]), at[2] !== undefined ? Number(at[2]) : undefined));
  else s.out(frameText(t, s.eval.evaluateNumber(a)));
}

/** pagewalk ADDR [pid N]: the walk in the current address space or in process N's. */
function pagewalkCmd(s: Session, args: string): void {
  const m = /^(.*?)\s+pid\s+(\d+)\s*$/.exec(args);
  const expr = m ? m[1] : args;
  s.out(pagewalkText(s.live(), s.eval.evaluateNumber(expr), m ? Number(m[2]) : undefined));
}

async function recordCmd(s: Session, args: string): Promise<void> {
  const a = args.trim();
  if (a === 'stop') {
    if (!s.engine.recorder) throw new ExprError('No record target is currently active.');
    s.engine.recorder = null;
    s.engine.syncHooks();
    s.out('Process record is stopped and all execution logs are deleted.');
    return;
  }
  if (a !== '' && a !== 'full') throw new ExprError(`Undefined record command: "${a}".  Try "help record".`);
  const t = s.live();
  if (s.engine.recorder) throw new ExprError('The process is already being recorded.  Use "record stop" to stop recording first.');
  const r = new Recorder(t);
  r.insnMax = recordLimit;
  s.engine.recorder = r;
  s.engine.syncHooks();
  s.out(`Recording: registers and memory writes of the last ${recordLimit === Number.MAX_SAFE_INTEGER ? 'unlimited' : recordLimit} instructions are kept (set record full insn-number-max N to change).`);
}

async function reverseCmd(s: Session, kind: 'stepi' | 'continue' | 'finish', args: string): Promise<void> {
  s.live();
  if (!s.engine.recorder) throw new ExprError('Target native does not support this command. (Start recording with "record" first.)');
  // As finish's "Run till exit from", for a command typed at the terminal only (gdb's from_tty).
  if (kind === 'finish' && s.fromTty) {
    const t = s.live();
    const frame = s.symbols.dwarf ? s.selectedFrame() : null;
    s.out(`Run back to call of ${frame && s.symbols.dwarf!.functionAt(lookupPc(frame)) ? s.frameLine(frame) : `#0  ${hex8(t.cpu.eip)} in ${s.symbols.symbolFor(t.cpu.eip)?.name ?? '??'} ()`}`);
  }
  const r = kind === 'stepi' ? s.engine.reverseStep(num(s, args, 1)) : kind === 'continue' ? s.engine.reverseContinue() : s.engine.reverseFinish();
  if (r.syscalls) s.out(`(stepped back over ${r.syscalls} system call${r.syscalls > 1 ? 's' : ''}: registers and the user memory it wrote are restored; effects outside the process, such as input read or output written, are not undone)`);
  if (r.lost) s.out(`(${r.lost} saved bytes could not be restored: their pages are no longer mapped)`);
  await s.report(r.result, 'step');
}

async function reverseLineCmd(s: Session, over: boolean, args: string): Promise<void> {
  s.live();
  if (!s.engine.recorder) throw new ExprError('Target native does not support this command. (Start recording with "record" first.)');
  const lines = needLines(s);
  const n = num(s, args, 1);
  const fnAt = (addr: number) => s.symbols.symbolFor(addr)?.addr ?? null;
  const before = fnAt(s.live().cpu.eip >>> 0);
  let r = reverseLine(s.engine, lines, over, fnAt);
  for (let k = 1; k < n && r.result.kind === 'done'; k++) r = reverseLine(s.engine, lines, over, fnAt);
  if (r.syscalls) s.out(`(stepped back over ${r.syscalls} system call${r.syscalls > 1 ? 's' : ''}: registers and the user memory it wrote are restored; effects outside the process, such as input read or output written, are not undone)`);
  // gdb names the frame only when the step ends in a callee (or in another function at the
  // same level): back in a caller it has already made the caller the stepping frame.
  s.fnChanged = r.depth > 0 || (r.depth === 0 && fnAt(s.live().cpu.eip >>> 0) !== before);
  await s.report(r.result, 'line');
  s.fnChanged = false;
}

async function runCmd(s: Session, mode: 'run' | 'start' | 'starti', args = ''): Promise<void> {
  // run ARGS replaces the arguments for this and later runs; run alone reuses the last ones (gdb).
  if (args.trim()) s.programIo = { ...parseProgramArgs(args), env: s.programIo.env };
  // start: the temporary breakpoint on main comes first, as gdb prints it.
  const main = mode === 'start' ? s.symbols.lookup('main') : undefined;
  if (main) breakCmd(true)(s, 'main');
  const t = s.startProgram();
  const cmdline = programArgsText(s.programIo);
  s.out(`Starting program: ${s.opts.programPath}${cmdline ? ' ' + cmdline : ''}`);
  if (mode === 'starti') {
    s.out(`\nProgram stopped.`);
    s.out(s.whereText(t.cpu.eip >>> 0, true));
    s.out(await s.currentInsnLine());
    return;
  }
  if (mode === 'start' && !main) {
    s.out('No symbol "main": stopping at the entry point.');
    s.out(s.whereText(t.cpu.eip >>> 0, true));
    s.out(await s.currentInsnLine());
    return;
  }
  await resumeAndReport(s, s.engine.resume(null), 'cont');
}

/** step/next by source lines; from (finish of an inlined call): step as the frame `outOf` levels out, from that line. */
async function lineStep(s: Session, over: boolean, args: string, from?: { line: number; outOf: number }): Promise<void> {
  const t = s.live();
  const lines = needLines(s);
  const n = num(s, args, 1);
  for (let k = 0; k < n; k++) {
    if (!lines.rowFor(t.cpu.eip)) {
      // gdb runs a function without line information to its return.
      const fn = s.symbols.symbolFor(t.cpu.eip);
      s.out(`Single stepping until exit from function ${fn?.name ?? hex(t.cpu.eip)},\nwhich has no line number information.`);
      const r = await s.engine.resume(new FinishControl(s.engine, t.cpu));
      await s.report(r, 'step');
      return;
    }
    if (!over && s.inlineSkip > 0) {
      // gdb: step at the start of an inlined call enters it without running (like down).
      s.fnChanged = true;
      await s.report({ kind: 'done' }, 'line', s.inlineSkip - 1);
      s.fnChanged = false;
      continue;
    }
    const shown = s.frames(1).frames[0];
    const before = s.frameFunction(shown);
    const fnAt = (addr: number) => {
      const f = s.symbols.symbolFor(addr);
      return f && f.kind === 'func' ? { start: f.addr, end: f.addr + Math.max(1, f.size) } : null;
    };
    const dw = s.symbols.dwarf;
    const inlineAt: InlineAt | null = dw ? (pc) => {
      const st = dw.inlineStateAt(pc);
      const fn = dw.functionAt(pc);
      const real = fn ? dw.entryOf(fn) : -1;
      const key = (skip = st.entered) => `${real}:${st.depth - skip}:${st.calls[skip]?.offset ?? ''}`;
      return { real, visible: st.depth - st.entered, entered: st.entered, callLine: st.entered > 0 ? st.callLines[st.entered - 1] : 0, key };
    } : null;
    const out = from?.outOf ?? 0;
    const visible = dw ? dw.inlineDepth(t.cpu.eip >>> 0) - s.inlineSkip - out : 0;
    const startReal = inlineAt?.(t.cpu.eip >>> 0).real;
    const ctl = new LineControl(s.engine, lines, t.cpu, over, fnAt, inlineAt, { line: from ? from.line : s.frameRow(shown)?.line ?? -1, visible, skip: s.inlineSkip + out });
    const r = await s.engine.resume(ctl);
    const skip = r.kind === 'done' ? ctl.inlineSkip : undefined;
    if (t.exit) s.fnChanged = false;
    else {
      s.inlineSkip = skip ?? (dw ? dw.inlineStateAt(t.cpu.eip >>> 0).entered : 0);
      // gdb prints the location when the frame is not the one stepped (as moved on mid-line) or
      // the real function is another.
      const now = inlineAt ? inlineAt(t.cpu.eip >>> 0) : null;
      s.fnChanged = from !== undefined || (now && startReal !== undefined ? now.key(s.inlineSkip) !== ctl.stepFrame || now.real !== startReal || ctl.enteredCall : s.frameFunction(s.frames(1).frames[0]) !== before);
    }
    if (r.kind !== 'done' || k === n - 1) {
      await s.report(r, 'line', skip);
      s.fnChanged = false;
      return;
    }
  }
}

function infoCmd(s: Session, args: string): Promise<void> | void {
  const [sub, ...restParts] = args.trim().split(/\s+/);
  const rest = restParts.join(' ');
  const subs: Record<string, () => Promise<void> | void> = {
    breakpoints: () => infoBreakpoints(s), watchpoints: () => infoBreakpoints(s),
    registers: () => infoRegisters(s, rest, rest === 'all' ? (() => { return true; })() : false), 'all-registers': () => infoRegisters(s, rest, true),
    scope: () => infoScope(s, rest), frame: () => src.infoFrame(s), display: () => src.infoDisplay(s), locals: () => src.infoLocals(s), args: () => src.infoArgs(s), source: () => src.infoSource(s),
    symbol: () => infoSymbol(s, rest), address: () => infoAddress(s, rest), line: () => infoLine(s, rest),
    proc: () => mapsCmd(s), maps: () => mapsCmd(s), mappings: () => mapsCmd(s),
    tlb: () => s.out(tlbText(s.live())), frames: () => framesCmd(s, rest), tasks: () => s.out(tasksText(s.live())),
    threads: () => s.out(tasksText(s.live())),
    record: () => s.out(s.engine.recorder ? s.engine.recorder.info() : 'No record target is currently active.'),
    sharedlibrary: () => infoSharedLibrary(s), dll: () => infoSharedLibrary(s),
    program: () => { const t = s.live(); s.out(`\tUsing the running image of child process ${t.pid}.\nProgram stopped at ${hex(t.cpu.eip)}.`); },
  };
  if (!sub) { s.out(`"info" must be followed by one of: ${Object.keys(subs).join(', ')}.`); return; }
  const key = Object.keys(subs).find((k) => k === sub) ?? Object.keys(subs).find((k) => k.startsWith(sub) && sub.length >= 1);
  const alias: Record<string, string> = { b: 'breakpoints', r: 'registers', reg: 'registers', all: 'all-registers' };
  const k = alias[sub] ?? key;
  if (!k) throw new ExprError(`Undefined info command: "${sub}".  Try "help info".`);
  if (k === 'registers' && rest === 'all') return infoRegisters(s, '', true);
  return subs[k]();
}

export const COMMANDS: Command[] = [
  { names: ['run', 'r'], summary: 'start the program from the beginning and run it', help: 'run [ARGS] [< IN] [> OUT | >> OUT]: load the program afresh with these arguments (or the last ones, or set args) and redirections (host files), and run until a breakpoint, watchpoint, signal or exit.', run: (s, a) => runCmd(s, 'run', a) },
  { names: ['start'], summary: 'start the program and stop at main (or the entry point)', help: 'start: like run with a temporary breakpoint on main; without a main symbol it stops at the ELF entry point.', run: (s, a) => runCmd(s, 'start', a) },
  { names: ['starti'], summary: 'start the program and stop at its first instruction', help: 'starti: load the program and stop before its first instruction (the ELF entry point).', run: (s) => runCmd(s, 'starti') },
  { names: ['stepi', 'si'], summary: 'execute N instructions (default 1)', help: 'stepi [N]: execute N machine instructions, stepping into calls; a system call counts as one instruction.', run: (s, a) => { s.live(); return resumeAndReport(s, s.engine.resume(new StepControl(num(s, a, 1))), 'step'); } },
  { names: ['nexti', 'ni'], summary: 'execute N instructions, stepping over calls', help: 'nexti [N]: like stepi, but a CALL runs until it returns (breakpoints inside still stop).', run: (s, a) => { s.live(); return resumeAndReport(s, s.engine.resume(new NextControl(s.engine, num(s, a, 1))), 'step'); } },
  { names: ['step', 's'], summary: 'run to the next source line, entering calls', help: 'step [N]: run until a different source line begins (DWARF .debug_line); functions without line information are run to their return. Programs without -g have no line information: use stepi.', run: (s, a) => lineStep(s, false, a) },
  { names: ['next', 'n'], summary: 'run to the next source line, stepping over calls', help: 'next [N]: like step, but calls run to completion.', run: (s, a) => lineStep(s, true, a) },
  { names: ['continue', 'c', 'cont'], summary: 'continue running (N: ignore the current breakpoint N-1 more times)', help: 'continue [N]: resume until a breakpoint, watchpoint, signal or exit. With N, the breakpoint just hit is ignored N-1 more times.', run: (s, a) => {
    const t = s.live();
    if (a.trim()) { const b = s.points.find((x) => x.kind === 'breakpoint' && x.addr === (t.cpu.eip >>> 0)); if (b) { b.ignore = Math.max(0, num(s, a, 1) - 1); s.out(`Will ignore next ${b.ignore} crossings of breakpoint ${b.id}.  Continuing.`); } }
    return resumeAndReport(s, s.engine.resume(null), 'cont');
  } },
  { names: ['finish', 'fin'], summary: 'run until the selected frame\'s function returns', help: 'finish: run until the function of the selected frame (up/frame N) returns and show the value returned, by its DWARF type (EAX, EDX:EAX, ST0, or the struct EAX points to); without DWARF, EAX.', run: async (s) => {
    const t = s.live();
    const sym = s.symbols.symbolFor(t.cpu.eip);
    // finish leaves the selected frame (up first to finish a caller), as in gdb.
    const frame = s.symbols.dwarf ? s.selectedFrame() : null;
    if (frame?.inlined && frame.level === 0) {
      // gdb: finishing an inlined call is a `next` in the frame that made it, from no line,
      // so it stops at the first statement there (or further out); no value is known.
      if (s.fromTty) s.out(`Run till exit from ${s.frameLine(frame)}`);
      await lineStep(s, true, '', { line: -1, outOf: 1 });
      return;
    }
    const caller = frame && frame.level > 0 ? s.frames(frame.level + 2, true).frames[frame.level + 1] : undefined;
    if (frame && frame.level > 0 && !caller) throw new ExprError('"finish" not meaningful in the outermost frame.');
    // The outermost frame gdb shows (main: backtrace past-main is off) has no caller to return to.
    if (frame && frame.level === 0 && s.frames(2).frames.length === 1 && s.frameFunction(frame) === 'main') throw new ExprError('"finish" not meaningful in the outermost frame.');
    const pc = frame ? lookupPc(frame) : t.cpu.eip >>> 0;
    const dw = s.symbols.dwarf?.functionAt(pc);
    if (s.fromTty) s.out(`Run till exit from ${dw && frame ? s.frameLine(frame) : `#0  ${hex8(t.cpu.eip)} in ${sym?.name ?? '??'} ()${s.fromLibrary(t.cpu.eip)}`}`);
    const retType = dw ? src.returnTypeAt(s, pc) : null;
    const r = await s.engine.resume(caller && frame?.cfa !== undefined ? src.returnTo(caller.pc, frame.cfa) : new FinishControl(s.engine, t.cpu));
    await s.report(r, 'finish');
    if (r.kind === 'done' && (!dw || retType)) {
      const v: Value = dw ? src.returnValue(s, retType) : { bits: BigInt(t.cpu.regs[0] >>> 0), type: T_INT, lval: null };
      s.out(`Value returned is $${s.recordValue(v)} = ${s.formatValue(v, null)}`);
    }
  } },
  { names: ['until', 'u'], summary: 'run until ADDR, or until the current function returns', help: 'until [LOCATION]: without argument, like next; with a location, run until it is reached or the current function returns.', run: (s, a) => {
    const t = s.live();
    if (!a.trim()) return s.symbols.lines?.rowFor(t.cpu.eip) ? lineStep(s, true, '') : resumeAndReport(s, s.engine.resume(new NextControl(s.engine, 1)), 'step');
    const { addr } = resolveLocation(s, a);
    return resumeAndReport(s, s.engine.resume(new FinishControl(s.engine, t.cpu, addr)), 'step');
  } },
  { names: ['advance'], summary: 'run until LOCATION', help: 'advance LOCATION: run until LOCATION is reached (or something else stops the program).', run: (s, a) => { s.live(); return resumeAndReport(s, s.engine.resume(new AddressControl(resolveLocation(s, a).addr)), 'step'); } },
  { names: ['break', 'b', 'br'], summary: 'set a breakpoint: break ADDR|SYMBOL|*EXPR|FILE:LINE [if COND]', help: 'break LOCATION [if COND]: LOCATION is a function name, *EXPR (an address), FILE:LINE or LINE (with -g), or 0xADDR. With "if", the program stops only when COND is non-zero, e.g. break f if $eax == 3.', run: breakCmd(false) },
  { names: ['tbreak', 'tb'], summary: 'set a breakpoint that is deleted when hit', help: 'tbreak LOCATION [if COND]: a breakpoint that deletes itself the first time it stops the program.', run: breakCmd(true) },
  { names: ['watch'], summary: 'stop when a memory location changes', help: 'watch EXPR: EXPR names 1, 2, 4 or 8 bytes of memory (a data symbol, *(int *)ADDR, *(char *)ADDR, *(short *)ADDR, *(long long *)ADDR). The program stops after an instruction changes it. Watchpoints are on virtual addresses and keep working when the page is remapped, copied on write or swapped.', run: watchCmd('write') },
  { names: ['rwatch'], summary: 'stop when a memory location is read', help: 'rwatch EXPR: stop after an instruction reads the location.', run: watchCmd('read') },
  { names: ['awatch'], summary: 'stop when a memory location is read or written', help: 'awatch EXPR: stop after an instruction reads or writes the location.', run: watchCmd('access') },
  { names: ['delete', 'd'], summary: 'delete breakpoints/watchpoints (all without arguments)', help: 'delete [N...]: delete the numbered breakpoints and watchpoints, or all of them.', run: (s, a) => {
    if (!a.trim()) { s.points.splice(0); s.syncBreakpoints(); return; }
    for (const id of idList(s, a)) if (!s.deletePoint(id)) s.error(`No breakpoint number ${id}.`);
  } },
  { names: ['disable'], summary: 'disable breakpoints (all without arguments)', help: 'disable [N...]: keep the breakpoints but stop ignoring... (disabled ones never stop the program).', run: (s, a) => setEnabled(s, a, false) },
  { names: ['enable'], summary: 'enable breakpoints (all without arguments)', help: 'enable [N...]: re-enable disabled breakpoints and watchpoints.', run: (s, a) => setEnabled(s, a, true) },
  { names: ['condition'], summary: 'condition N [EXPR]: set or remove a breakpoint condition', help: 'condition N EXPR: breakpoint N stops only when EXPR is non-zero; condition N removes it.', run: (s, a) => {
    const m = /^(\d+)\s*(.*)$/.exec(a.trim());
    if (!m) throw new ExprError('Argument required (breakpoint number).');
    const b = s.points.find((x) => x.id === Number(m[1]));
    if (!b) throw new ExprError(`No breakpoint number ${m[1]}.`);
    b.cond = m[2] || null;
    if (!b.cond) s.out(`Breakpoint ${b.id} now unconditional.`);
  } },
  { names: ['info', 'i'], summary: 'info locals|args|frame|source|display|breakpoints|registers|all-registers|symbol|address|line|proc mappings|maps|sharedlibrary|tlb|frames|tasks|record', help: 'info SUBCOMMAND: locals, args, frame (the selected frame: CFA, saved registers), source, display, breakpoints (b), registers (r) [REG...], all-registers (x87 and SSE too), symbol ADDR, address SYM, line [LOC], proc mappings / maps (the areas as /proc/PID/maps), tlb (cached translations, hits, misses), frames [PHYS | at ADDR] (physical frames: owners, refcount, shared/COW/page cache; one frame: every task and area mapping it), tasks (PID, TID, state, parent, mm), record.', run: infoCmd },
  { names: ['print', 'p', 'inspect', 'call'], summary: 'print[/FMT] EXPR: evaluate and show an expression', help: 'print[/x|d|u|o|t|c|a] EXPR: program variables with -g (locals and arguments of the selected frame, globals; s.f, p->f, a[i], *p, &x, v@N, casts to program types), registers ($eax, $ax, $al, $eip, $sp, $eflags, $st0, $xmm0...), symbols (a symbol stands for its address), casts such as *(int *)ADDR, C operators, $N history, and assignment (p $eax = 3).', run: printCmd },
  { names: ['show'], summary: 'show args | show environment [NAME]', help: 'show args: the arguments (and redirections) run will give the program; set args ARGS changes them. show environment [NAME]: the changes set environment / unset environment make to the inherited environment.', run: (s, a) => {
    const what = a.trim();
    if (what === 'args') { s.out(`Argument list to give program being debugged when it is started is "${programArgsText(s.programIo)}".`); return; }
    const m = /^env(?:ironment)?(?:\s+(\S+))?$/.exec(what);
    if (!m) throw new ExprError(`Undefined show command: "${what}".  Try "help show".`);
    const env = s.programIo.env ?? new Map<string, string | null>();
    if (m[1]) {
      const v = env.get(m[1]);
      s.out(v === undefined ? `Environment variable "${m[1]}" is inherited.` : v === null ? `Environment variable "${m[1]}" not defined.` : `${m[1]} = ${v}`);
      return;
    }
    s.out([...env].map(([k, v]) => (v === null ? `(unset ${k})` : `${k}=${v}`)).join('\n') || '(the inherited environment, unchanged)');
  } },
  { names: ['unset'], summary: 'unset environment NAME', help: 'unset environment NAME: the program starts without NAME in its environment.', run: (s, a) => {
    const m = /^env(?:ironment)?\s+(\S+)$/.exec(a.trim());
    if (!m) throw new ExprError('Argument required (environment variable name); unset environment NAME.');
    (s.programIo.env ??= new Map()).set(m[1], null);
  } },
  { names: ['output'], summary: 'output EXPR: like print without history', help: 'output EXPR: print the value only.', run: (s, a) => { s.out(s.formatValue(s.eval.evaluate(a), null)); } },
  { names: ['set'], summary: 'set $reg = EXPR, set *(int *)ADDR = EXPR, set var ...', help: 'set EXPR-WITH-ASSIGNMENT: change a register (set $eax = 5, set $eflags = $eflags | 1), memory (set *(int *)0x804c010 = 7, set {char}ADDR = 65) or a convenience variable ($x = 1). set record full insn-number-max N changes the record limit.', run: setCmd },
  { names: ['x'], summary: 'x/NFU ADDR: examine memory', help: 'x/NFU ADDR: N units of size U (b=1, h=2, w=4, g=8 bytes) in format F: x hex, d signed, u unsigned, o octal, t binary, c char, a address, s string, i instruction. Format and size are remembered; x alone continues.', run: xCmd },
  { names: ['disassemble', 'disas'], summary: 'disassemble [/r] [ADDR [N] | START,END | START,+LEN]', help: 'disassemble: the function around EIP (or ADDR), or N instructions from ADDR, or a range; "=>" marks EIP. /r adds the raw bytes. Intel syntax (capstone).', run: disassembleCmd },
  { names: ['backtrace', 'bt', 'where'], summary: 'show the call stack with arguments and source lines', help: 'backtrace [N]: the frames, unwound by the call frame information (.eh_frame/.debug_frame; code without frame pointers and signal handlers too), with the arguments (DWARF) and file:line; it stops at main as gdb does. Without CFI, by following EBP (saved EBP at [EBP], return address at [EBP+4]), saying where and why it cannot unwind.', run: btCmd },
  { names: ['frame', 'f'], summary: 'frame [N]: select and show stack frame N', help: 'frame [N | level N | function NAME]: show the selected frame, or select frame N (0 is the innermost) or the innermost frame of function NAME, for print, info locals, info args, list, finish and info frame.', run: (s, a) => src.frameCmd(s, a, 0) },
  { names: ['up'], summary: 'up [N]: select the frame N levels outward', help: 'up [N]: select the caller\'s frame (N levels up).', run: (s, a) => src.frameCmd(s, a, 1) },
  { names: ['down', 'do'], summary: 'down [N]: select the frame N levels inward', help: 'down [N]: select the frame called by this one.', run: (s, a) => src.frameCmd(s, a, -1) },
  { names: ['ptype'], summary: 'ptype EXPR|TYPE: the type, with struct and enum bodies', help: 'ptype EXPR or ptype TYPE (struct point, a typedef): the type of a variable or expression with struct/union/enum members spelled out (DWARF).', run: (s, a) => src.ptypeCmd(s, a) },
  { names: ['whatis'], summary: 'whatis EXPR|TYPE: the declared type', help: 'whatis EXPR: the type of a variable or expression as declared (typedef names kept).', run: (s, a) => src.whatisCmd(s, a) },
  { names: ['display', 'disp'], summary: 'display[/FMT] EXPR: print EXPR after every stop', help: 'display[/FMT] EXPR: show EXPR now and each time the program stops (skipped where it cannot be evaluated, such as outside its function); display alone shows them all; undisplay N removes one.', run: (s, a) => src.displayCmd(s, a) },
  { names: ['undisplay'], summary: 'undisplay [N...]: stop displaying expressions', help: 'undisplay [N...]: remove the numbered auto-display expressions, or all of them.', run: (s, a) => src.undisplayCmd(s, a) },
  { names: ['list', 'l'], summary: 'list [LINE | FUNC | FILE:LINE]: show source lines', help: 'list: ten source lines around the current line (or main before the program runs); list again continues; list N, list FUNC, list FILE:N centre on that place.', run: (s, a) => src.listCmd(s, a) },
  { names: ['pmap'], summary: 'pmap [pid N]: pmap -x of the process', help: 'pmap [pid N]: per area Address, Kbytes, RSS, Dirty, Mode and Mapping as `pmap -x` prints them, and the totals (those of /proc/PID/smaps), for the current process or process N.', run: (s, a) => pmapCmd(s, a) },
  { names: ['maps'], summary: 'maps [PID]: the memory areas as /proc/PID/maps', help: 'maps [PID]: the areas of the current process (same as info proc mappings), or of process PID.', run: (s, a) => mapsCmd(s, a) },
  { names: ['pagewalk', 'translate'], summary: 'pagewalk ADDR [pid N]: CR3 → PDE → PTE → physical, and why a fault would happen', help: 'pagewalk ADDR [pid N] (or translate ADDR): in the current address space or process N\'s: the two-level walk for a linear address: CR3, the PDE index and entry with its flag bits (P RW/RO U/S A D ...), the PTE index and entry, the physical address, and whether a user read or write would fault and why (not present: never touched, or a swap entry with its type and offset; read-only, supervisor (PROT_NONE), copy-on-write). Nothing is changed (no A/D bits, no TLB fill).', run: (s, a) => pagewalkCmd(s, a) },
  { names: ['tlb'], summary: 'same as info tlb', help: 'tlb: the TLB entries now cached and the hit/miss counters.', run: (s) => { s.out(tlbText(s.live())); } },
  { names: ['frames'], summary: 'same as info frames', help: 'frames [PHYS | at ADDR [pid N]]: the physical frames reachable from the page tables, with refcount, flags (shared, COW, cache) and owners; with an argument, one frame (by physical address, or the one mapped at linear ADDR) and every task and area that maps it, its PTE flags, refcount and page-cache page.', run: (s, a) => framesCmd(s, a) },
  { names: ['tasks'], summary: 'same as info tasks', help: 'tasks: the task list.', run: (s) => { s.out(tasksText(s.live())); } },
  { names: ['thread'], summary: 'thread [TID]: show or switch the current thread', help: 'thread: the current thread; thread TID: make thread TID of this process the current one (registers, stepping).', run: (s, a) => threadCmd(s, a) },
  { names: ['layout'], summary: 'the address-space picture', help: 'layout: a picture of the address space from 0xffffffff down to 0: kernel space, stack, mmap area, heap, bss, data, text, with addresses, sizes and the unmapped gaps.', run: (s) => { const t = s.live(); s.out(t.layout ? t.layout() : 'layout: this target has no address-space view; use maps.'); } },
  { names: ['stats'], summary: 'instruction, TLB, page-fault and frame counters', help: 'stats: counters from the CPU, the MMU and the kernel.', run: (s) => { s.out(statsText(s.live())); } },
  { names: ['record', 'rec'], summary: 'record [full] | record stop: record execution for reverse stepping', help: `record: from now on save registers and overwritten memory before each instruction, so reverse-stepi, reverse-continue and reverse-finish can go back. By default the last ${DEFAULT_INSN_MAX} instructions are kept (set record full insn-number-max N). record stop discards the log.`, run: recordCmd },
  { names: ['reverse-stepi', 'rsi'], summary: 'step back N instructions (needs record)', help: 'reverse-stepi [N]: undo N instructions: registers and memory are restored exactly.', run: (s, a) => reverseCmd(s, 'stepi', a) },
  { names: ['reverse-step', 'rs'], summary: 'step back to the beginning of the previous source line (needs record)', help: 'reverse-step: undo instructions back to the start of the line executed before this one, entering calls it made (the last line they ran).', run: (s, a) => reverseLineCmd(s, false, a) },
  { names: ['reverse-next', 'rn'], summary: 'step back one source line, over calls (needs record)', help: 'reverse-next: undo instructions back to the start of the previous line of this function; calls it made are undone whole.', run: (s, a) => reverseLineCmd(s, true, a) },
  { names: ['reverse-continue', 'rc'], summary: 'run backwards to a breakpoint, watchpoint or the start of the log', help: 'reverse-continue: undo instructions until a breakpoint address, a change of a watched location, or the oldest recorded instruction.', run: (s) => reverseCmd(s, 'continue', '') },
  { names: ['reverse-finish'], summary: 'run backwards to the call of the current function', help: 'reverse-finish: undo instructions back to the CALL that entered the current function.', run: (s) => reverseCmd(s, 'finish', '') },
  { names: ['kill', 'k'], summary: 'kill the program', help: 'kill: end the program being debugged (run starts it again).', run: (s) => { if (!s.target || s.target.exit) throw new ExprError('The program is not being run.'); const pid = s.target.pid; s.engine.target = null; s.out(`[Inferior 1 (process ${pid}) killed]`); } },
  { names: ['echo'], summary: 'echo TEXT: print text (\\n for newline)', help: 'echo TEXT: print TEXT; C escapes such as \\n are understood.', run: (s, a) => { s.opts.out(a.replace(/\\n/g, '\n').replace(/\\t/g, '\t').replace(/\\(.)/g, '$1')); } },
  { names: ['help', 'h'], summary: 'help [COMMAND]: list commands or explain one', help: 'help: list the commands; help COMMAND explains one.', run: helpCmd },
  { names: ['quit', 'q', 'exit'], summary: 'leave the debugger', help: 'quit: end the session (and the program).', run: (s) => { s.quitRequested = true; } },
];

function setEnabled(s: Session, a: string, on: boolean): void {
  const ids = a.trim() ? idList(s, a) : s.points.map((b) => b.id);
  for (const id of ids) {
    const b = s.points.find((x) => x.id === id);
    if (!b) { s.error(`No breakpoint number ${id}.`); continue; }
    b.enabled = on;
    if (b.watch) { b.watch.enabled = on; if (on) b.watch.old = s.engine.readWatchValue(b.watch); }
  }
  s.syncBreakpoints();
}

function helpCmd(s: Session, a: string): void {
  const name = a.trim();
  if (name) {
    const c = findCommand(name);
    if (!c) throw new ExprError(`Undefined command: "${name}".  Try "help".`);
    s.out(`${c.help}\nNames: ${c.names.join(', ')}`);
    return;
  }
  const lines = ['Commands (gdb short forms in parentheses):'];
  for (const c of COMMANDS) {
    const alias = c.names.length > 1 ? ` (${c.names.slice(1).join(', ')})` : '';
    lines.push(`  ${(c.names[0] + alias).padEnd(28)} ${c.summary}`);
  }
  lines.push('Expressions: numbers (0x1f, 10), $registers, symbols (their address), *(type *)ADDR, {type}ADDR, C operators.');
  lines.push('Scripts: i386emu debug -x FILE PROG, or pipe commands on stdin. Errors print a message and the session goes on.');
  s.out(lines.join('\n'));
}

export function findCommand(name: string): Command | undefined {
  const exact = COMMANDS.find((c) => c.names.includes(name));
  if (exact) return exact;
  const pre = COMMANDS.filter((c) => c.names[0].startsWith(name));
  return pre.length === 1 ? pre[0] : undefined;
}

/** Runs one command line; never throws. */
export async function runCommand(s: Session, line: string): Promise<void> {
  const text = line.trim();
  if (text === '' || text.startsWith('#')) return;
  let name: string, args: string;
  const m = /^([A-Za-z][\w-]*)(.*)$/.exec(text);
  if (m) {
    name = m[1];
    args = m[2];
    const fmt = /^(x|p|print|output|disassemble|disas|display)(\/.*)$/.exec(text.split(/\s/)[0]);
    if (fmt) { name = fmt[1]; args = text.slice(fmt[1].length); }
  } else {
    s.error(`Undefined command: "${text}".  Try "help".`);
    return;
  }
  const cmd = findCommand(name);
  if (!cmd) {
    s.error(`Undefined command: "${name}".  Try "help".`);
    return;
  }
  try {
    await cmd.run(s, args.trim(), name);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    s.error(msg || 'error');
  }
}

/** Completions for a partial line: command names, then symbols and $registers. */
export function complete(s: Session, line: string): string[] {
  const words = line.split(/\s+/);
  if (words.length <= 1) return COMMANDS.flatMap((c) => c.names).filter((n) => n.startsWith(line)).sort();
  const last = words[words.length - 1];
  if (words[0] === 'info' || words[0] === 'i') {
    if (words.length === 2) return ['locals', 'args', 'frame', 'scope', 'source', 'display', 'breakpoints', 'registers', 'all-registers', 'symbol', 'address', 'line', 'proc', 'maps', 'tlb', 'frames', 'tasks', 'record'].filter((n) => n.startsWith(last));
  }
  if (words[0] === 'help') return COMMANDS.map((c) => c.names[0]).filter((n) => n.startsWith(last));
  const m = /^(.*?[*&(]?)([$A-Za-z_][\w.]*)$/.exec(last);
  if (!m) return [];
  const [, lead, word] = m;
  if (word.startsWith('$')) {
    return ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi', 'eip', 'pc', 'sp', 'fp', 'eflags', 'ax', 'al', 'st0', 'xmm0', 'mxcsr']
      .map((r) => '$' + r).filter((r) => r.startsWith(word)).map((r) => lead + r);
  }
  const names = new Set(s.symbols.complete(word, 100));
  for (const n of s.sourceNames()) if (n.startsWith(word)) names.add(n);
  return [...names].sort().slice(0, 200).map((n) => lead + n);
}

export { pointerTo };
