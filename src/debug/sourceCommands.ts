// The source-level commands (DWARF): bt with arguments, frame/up/down, info frame, info
// locals/args, ptype/whatis, list, info source, and the value finish prints by the function's
// return type. Output follows gdb's wording so that sessions can be compared with real gdb.
import type { Session } from './session.js';
import type { Control } from './engine.js';
import type { Cpu } from '../cpu/cpu.js';
import { ExprError, Value, ctypeOf, T_INT } from './expr.js';
import { Frame, lookupPc } from './frames.js';
import { readVariable } from './sourceValues.js';
import { declare, ptypeText, stripType, isFloat, DType } from './dwarf/types.js';
import { DW_AT } from './dwarf/constants.js';
import { hex } from './format.js';
import { readReg } from './regs.js';
import { f80ToNumber } from './format.js';
import { I386_REG_NAMES } from './dwarf/constants.js';

function needDwarf(s: Session) {
  const dw = s.symbols.dwarf;
  if (!dw || !dw.hasInfo) throw new ExprError('No symbol table is loaded.  Use the "file" command (build the program with -g for source-level debugging).');
  return dw;
}

export function btCmd(s: Session, args: string): void {
  let text = args.trim();
  const full = /(^|\s)-?full(\s|$)/.test(text);
  text = text.replace(/(^|\s)-?full(\s|$)/, ' ').trim();
  const max = text ? s.eval.evaluateNumber(text) : 64;
  const { frames, stopped } = s.frames(max);
  const out: string[] = [];
  for (const f of frames) {
    out.push(s.frameLine(f));
    if (full) out.push(...localsLines(s, f).map((l) => `        ${l}`));
  }
  if (stopped) out.push(`Backtrace stopped: ${stopped}`);
  s.out(out.join('\n'));
}

/** The frame line and its source line, as frame/up/down print them. */
function printFrame(s: Session, f: Frame): void {
  const row = s.frameRow(f);
  const src = row ? s.sourceLine(row.file, row.line) : null;
  s.out(s.frameLine(f) + (row ? `\n${row.line}\t${src ?? ''}` : ''));
}

export function frameCmd(s: Session, args: string, move: 0 | 1 | -1): void {
  // gdb's words: selecting a frame by number looks for registers first.
  s.live(move === 0 && args.trim() ? 'No registers.' : 'No stack.');
  const a = args.trim();
  const { frames } = s.frames(64);
  let level = s.frameLevel;
  if (move === 0) {
    const fn = /^function\s+(\S+)$/.exec(a);
    if (fn) {
      const f = frames.find((x) => s.frameFunction(x) === fn[1]);
      if (!f) throw new ExprError(`No frame for function "${fn[1]}".`);
      level = f.level;
    } else if (a !== '') level = s.eval.evaluateNumber(a.replace(/^level\s+/, ''));
    if (level >= frames.length) throw new ExprError('No frame at level ' + a + '.');
  } else {
    const n = a ? s.eval.evaluateNumber(a) : 1;
    level += move * n;
    if (level >= frames.length) { if (s.frameLevel === frames.length - 1) throw new ExprError('Initial frame selected; you cannot go up.'); level = frames.length - 1; }
    if (level < 0) { if (s.frameLevel === 0) throw new ExprError('Bottom (innermost) frame selected; you cannot go down.'); level = 0; }
  }
  s.frameLevel = level;
  printFrame(s, frames[level]);
}

export function infoFrame(s: Session): void {
  s.live('No stack.');
  // Past main too: gdb shows main's saved eip (libc's caller) but no "called by" for it.
  const { frames } = s.frames(Math.max(64, s.frameLevel + 2), true);
  const f = frames[Math.min(s.frameLevel, frames.length - 1)];
  const isMain = s.frameFunction(f) === 'main';
  const callerFrame = frames[f.level + 1];
  const caller = isMain ? undefined : callerFrame;
  const callee = f.level > 0 ? frames[f.level - 1] : undefined;
  const row = s.frameRow(f);
  const lines = [`Stack level ${f.level}, frame at ${f.cfa !== undefined ? hex(f.cfa) : '<unknown>'}:`];
  lines.push(` eip = ${hex(f.pc)} in ${s.frameFunction(f)}${row ? ` (${row.file}:${row.line})` : ''}; saved eip = ${callerFrame ? hex(callerFrame.pc) : '<not saved>'}`);
  const rel: string[] = [];
  if (caller) rel.push(`called by frame at ${caller.cfa !== undefined ? hex(caller.cfa) : '<unknown>'}`);
  if (callee) rel.push(`caller of frame at ${callee.cfa !== undefined ? hex(callee.cfa) : '<unknown>'}`);
  if (rel.length) lines.push(` ${rel.join(', ')}`);
  if (s.symbols.dwarf?.functionAt(lookupPc(f))) lines.push(' source language c.');
  const base = f.regs[5] !== undefined ? hex(f.regs[5]!) : '<unknown>';
  lines.push(` Arglist at ${base}, args: ${s.argsText(f)}`);
  lines.push(` Locals at ${base}, Previous frame's sp is ${f.cfa !== undefined ? hex(f.cfa) : '<unknown>'}`);
  const saved = [...f.saved.entries()].sort((a, b) => a[0] - b[0]).map(([r, at]) => `${I386_REG_NAMES[r]} at ${hex(at)}`);
  if (saved.length) lines.push(` Saved registers:\n  ${saved.join(', ')}`);
  s.out(lines.join('\n'));
}

/** "name = value" for each local (or argument) of a frame, as info locals/args and bt full list them. */
function localsLines(s: Session, f: Frame, which: 'locals' | 'args' = 'locals'): string[] {
  const dw = s.symbols.dwarf;
  const pc = lookupPc(f);
  if (!dw || !dw.functionAt(pc)) return ['No symbol table info available.'];
  const dies = which === 'args' ? dw.paramsAt(pc, f.fn) : dw.localsAt(pc, f.fn);
  if (dies.length === 0) return [which === 'args' ? 'No arguments.' : 'No locals.'];
  return dies.map((d) => {
    let text: string;
    try { text = s.formatValue(readVariable(dw, d, f, s.varReader), null, false); }
    catch (e) { text = `<error: ${(e as Error).message}>`; }
    return `${dw.nameOf(d)} = ${text}`;
  });
}

function variablesText(s: Session, which: 'locals' | 'args'): void {
  const dw = needDwarf(s);
  s.live('No frame selected.');
  const f = s.selectedFrame();
  if (!dw.functionAt(lookupPc(f))) throw new ExprError('No symbol table info available.');
  s.out(localsLines(s, f, which).join('\n'));
}

export const infoLocals = (s: Session): void => variablesText(s, 'locals');
export const infoArgs = (s: Session): void => variablesText(s, 'args');

/** The DWARF type of an expression or a type name (for ptype and whatis). */
function typeOfText(s: Session, text: string): { dt: DType | null; v: Value | null } {
  const t = text.trim();
  if (!t) throw new ExprError('Argument required (one or more choice items).');
  const dw = s.symbols.dwarf;
  const named = dw?.typeNamed(t.replace(/\s+/g, ' '));
  if (named) return { dt: named, v: null };
  const fn = dw?.functionNamed(t);
  if (fn && !s.variable(t)) return { dt: dw!.types.build(fn.die), v: null };
  const v = s.eval.evaluate(t);
  return { dt: v.type.dw ?? null, v };
}

export function whatisCmd(s: Session, args: string): void {
  const { dt, v } = typeOfText(s, args);
  if (dt) {
    // whatis on a typedef name shows one level down; on an expression, the declared type.
    const named = s.symbols.dwarf?.typeNamed(args.trim());
    s.out(`type = ${declare(named && named.kind === 'typedef' && named.target ? named.target : dt)}`);
  } else {
    s.out(`type = ${v?.type.name ?? 'int'}`);
  }
}

export function ptypeCmd(s: Session, args: string): void {
  const { dt, v } = typeOfText(s, args);
  s.out(`type = ${dt ? ptypeText(dt) : v?.type.name ?? 'int'}`);
}

// ---- list ----------------------------------------------------------------------------------


export function listCmd(s: Session, args: string): void {
  const a = args.trim();
  const lines = s.symbols.lines;
  if (!lines || lines.rows.length === 0) throw new ExprError('No symbol table is loaded.  Use the "file" command.');
  const st = s.listPos;
  let first: number;
  let last: number | null = null;
  let file: string;
  if (a === '') {
    if (st) { file = st.file; first = st.next; }
    else {
      const center = defaultCenter(s);
      file = center.file;
      first = center.first ?? Math.max(1, center.line - 5);
    }
  } else if (/^(?:.+:)?\d+\s*,\s*\d+$/.test(a)) {
    // list FIRST,LAST: exactly those lines.
    const [, f, from, to] = /^(?:(.+):)?(\d+)\s*,\s*(\d+)$/.exec(a)!;
    const found = f ? lines.rows.find((r) => r.file === f || r.file.endsWith('/' + f))?.file : (st?.file ?? defaultCenter(s).file);
    if (!found) throw new ExprError(`No source file named ${f}.`);
    file = found;
    first = Number(from);
    last = Number(to);
  } else {
    const m = /^(?:(.+):)?(\d+)$/.exec(a);
    let center: { file: string; line: number };
    if (m) {
      const f = m[1] ? lines.rows.find((r) => r.file === m[1] || r.file.endsWith('/' + m[1]))?.file : (st?.file ?? defaultCenter(s).file);
      if (!f) throw new ExprError(`No source file named ${m[1]}.`);
      center = { file: f, line: Number(m[2]) };
    } else {
      const dw = s.symbols.dwarf;
      const fn = dw?.functionNamed(a.replace(/^(.+):/, ''));
      if (!fn) throw new ExprError(`Function "${a}" not defined.`);
      // gdb centres on the line of the function's entry address (its opening line at -O0).
      const row = lines.rowFor(dw!.entryOf(fn));
      if (!row) throw new ExprError(`No line number known for ${a}.`);
      center = { file: row.file, line: row.line };
    }
    file = center.file;
    first = Math.max(1, center.line - 5);
  }
  const out: string[] = [];
  let n = first;
  for (; n < (last === null ? first + 10 : last + 1); n++) {
    const text = s.sourceLine(file, n);
    if (text === null) break;
    if (n === s.sourceLineCount(file) + 1) break;
    out.push(`${n}\t${text}`);
  }
  if (out.length === 0) throw new ExprError(`Line number ${first} out of range; "${file}" has ${s.sourceLineCount(file)} lines.`);
  s.listPos = { file, next: n, first };
  s.out(out.join('\n'));
}

function defaultCenter(s: Session): { file: string; line: number; first?: number } {
  const lines = s.symbols.lines!;
  const t = s.target;
  if (t && !t.exit) {
    const row = s.frameRow(s.selectedFrame());
    if (row) return { file: row.file, line: row.line };
  }
  const dw = s.symbols.dwarf;
  const main = dw?.functionNamed('main');
  if (main) {
    // Before the program runs gdb's current line is nine above main's first statement, and the
    // first list centres on it.
    const entry = dw!.entryOf(main);
    const end = Math.max(...main.ranges.map((r) => r[1])) + dw!.bias;
    const row = lines.rowFor(lines.afterPrologue(entry, end));
    if (row) return { file: row.file, line: row.line, first: Math.max(1, Math.max(1, row.line - 9) - 5) };
  }
  return { file: lines.rows[0].file, line: 1 };
}

export function infoSource(s: Session): void {
  const dw = s.symbols.dwarf;
  const lines = s.symbols.lines;
  if (!dw || !lines) { s.out('No current source file.'); return; }
  const t = s.target;
  const pc = t && !t.exit ? lookupPc(s.selectedFrame()) : null;
  const fn = pc !== null ? dw.functionAt(pc) : dw.functionNamed('main');
  const row = pc !== null ? lines.rowFor(pc) : fn ? lines.rowFor(dw.entryOf(fn)) : undefined;
  if (!fn || !row) { s.out('No current source file.'); return; }
  const u = fn.die.unit;
  const producer = u.die.str(0x25) ?? '';
  s.out([
    `Current source file is ${u.name || row.file}`,
    `Compilation directory is ${u.compDir}`,
    `Located in ${row.file}`,
    `Contains ${s.sourceLineCount(row.file)} lines.`,
    'Source language is c.',
    `Producer is ${producer}.`,
    `Compiled with DWARF ${u.version} debugging format.`,
    'Does not include preprocessor macro info.',
  ].join('\n'));
}

// ---- finish ----------------------------------------------------------------------------------

/** Runs until the code returns to pc with the stack above cfa (finish out of an outer frame). */
export function returnTo(pc: number, cfa: number): Control {
  return {
    before: (c: Cpu, first: boolean) => !first && (c.eip >>> 0) === pc && (c.regs[4] >>> 0) >= cfa,
  };
}

/** The return type of the function the pc is in (null: void or unknown). */
export function returnTypeAt(s: Session, pc: number): DType | null {
  const dw = s.symbols.dwarf;
  const fn = dw?.functionAt(pc);
  if (!fn) return null;
  const d = dw!.origin(fn.die, DW_AT.type);
  if (!d) return null;
  return dw!.types.typeOf(d);
}

/** The value a function just returned, from EAX (EDX:EAX, ST0, or the struct EAX points to). */
export function returnValue(s: Session, dt: DType | null): Value {
  const c = s.live().cpu;
  if (!dt) return { bits: BigInt(c.regs[0] >>> 0), type: T_INT, lval: null };
  const st = stripType(dt);
  const type = ctypeOf(dt);
  if (isFloat(st)) {
    const st0 = readReg(c, 'st0');
    const x = st0 ? f80ToNumber(st0.bits) : 0;
    const b = new DataView(new ArrayBuffer(8));
    if (st.size === 4) { b.setFloat32(0, x, true); return { bits: BigInt(b.getUint32(0, true)), type, lval: null }; }
    b.setFloat64(0, x, true);
    return { bits: b.getBigUint64(0, true), type, lval: null };
  }
  if (st.kind === 'struct' || st.kind === 'union' || st.kind === 'array') {
    const addr = c.regs[0] >>> 0;
    return { bits: s.mem.readUnsigned(addr, st.size), type, lval: { kind: 'mem', addr, size: st.size } };
  }
  const lo = BigInt(c.regs[0] >>> 0);
  const bits = st.size > 4 ? (BigInt(c.regs[2] >>> 0) << 32n) | lo : lo;
  return { bits: bits & ((1n << BigInt(8 * Math.max(1, st.size))) - 1n), type, lval: null };
}

// ---- display -----------------------------------------------------------------------------------

export function displayCmd(s: Session, args: string): void {
  const m = /^\/(\w+)\s*(.*)$/.exec(args.trim());
  const fmt = m ? m[1].replace(/[bhwg\d]/g, '') || 'x' : null;
  const expr = (m ? m[2] : args).trim();
  if (!expr) { s.showDisplays(); return; }
  const d = { id: s.nextDisplay++, expr, fmt };
  s.displays.push(d);
  const t = s.target;
  if (t && !t.exit) {
    const text = s.displayText(d);
    if (text === null) s.eval.evaluate(expr); // throws gdb's message
    else if (s.fromTty) s.out(text);
  }
}

export function undisplayCmd(s: Session, args: string): void {
  const a = args.trim();
  if (!a) { s.displays.splice(0); return; }
  for (const part of a.split(/[\s,]+/)) {
    const i = s.displays.findIndex((d) => d.id === Number(part));
    if (i < 0) s.error(`No display number ${part}.`);
    else s.displays.splice(i, 1);
  }
}

export function infoDisplay(s: Session): void {
  if (s.displays.length === 0) { s.out('There are no auto-display expressions now.'); return; }
  const lines = ['Auto-display expressions now in effect:', 'Num Enb Expression'];
  for (const d of s.displays) lines.push(`${d.id}:   y  ${d.fmt ? `/${d.fmt} ` : ''}${d.expr}`);
  s.out(lines.join('\n'));
}
