// Program variables as debugger values: a DWARF variable's location evaluated in a frame
// (memory, a register, a computed value, pieces, or optimized out) read into an expression
// Value, and values of DWARF types printed as gdb prints them: `{x = 1, y = 2}`,
// `{1, 2, 3}`, `"box\000\000"`, `(int *) 0x804c030 <counter>`, `0x80bb008 "hi there"`, enums
// by name, floats with %g's 17 significant digits, `<optimized out>`.
import type { DebugInfo } from './dwarf/debugInfo.js';
import type { Die } from './dwarf/info.js';
import { DW_AT } from './dwarf/constants.js';
import { DwarfLocation, ExprContext, OptimizedOut, evalAddress, evalLocation } from './dwarf/expression.js';
import { locationAt } from './dwarf/locations.js';
import { DType, declare, isCharType, isFloat, isSigned, stripType } from './dwarf/types.js';
import { I386_REG_NAMES } from './dwarf/constants.js';
import { Value, MAX_VALUE_SIZE, checkValueSize, ctypeOf, mask } from './expr.js';
import { escapeChar, formatScalar } from './format.js';
import { Frame, lookupPc } from './frames.js';

export interface VarReader {
  readMem(addr: number, size: number): bigint;
  readU32(addr: number): number;
  /** Thread-local variable offset → address in the current thread (absent: no process or no TLS). */
  tlsAddress?(offset: number): number;
  /** The frame that called f's function (for DW_OP_entry_value), if known. */
  callerFrame?(f: Frame): Frame | undefined;
}

/** The expression context of a frame: its registers, its CFA and its function's frame base. */
export function frameContext(dw: DebugInfo, f: Frame, mem: VarReader, die: Die | null): ExprContext {
  const ctx: ExprContext = {
    reg: (n) => f.regs[n],
    readU32: (a) => mem.readU32(a),
    relocate: dw.relocate,
    cfa: () => { if (f.cfa === undefined) throw new OptimizedOut('no CFA for this frame'); return f.cfa; },
    addrIndex: die ? (i) => dw.addrIndex(die.unit, i) : undefined,
    tlsAddress: mem.tlsAddress,
    entryValue: (expr) => entryValueOf(dw, f, mem, expr),
  };
  const fn = dw.functionAt(lookupPc(f));
  if (fn) {
    ctx.frameBase = () => {
      const fbDie = dw.origin(fn.die, DW_AT.frame_base) ?? fn.die;
      const expr = locationAt(fbDie, DW_AT.frame_base, (lookupPc(f) - dw.bias) >>> 0, dw.secs);
      if (!expr) throw new OptimizedOut('no frame base');
      return evalAddress(expr, ctx);
    };
  }
  return ctx;
}

/**
 * What location expr (a register) held when f's function was entered: the value the caller's
 * call site says it passed there (DW_AT_call_value, evaluated in the caller's frame, which
 * may itself go one caller further up).
 */
export function entryValueOf(dw: DebugInfo, f: Frame, mem: VarReader, expr: Uint8Array): number {
  const caller = mem.callerFrame?.(f);
  if (!caller || !caller.caller) throw new OptimizedOut('no caller to find the entry value in');
  const callee = dw.functionAt(lookupPc(f));
  if (!callee) throw new OptimizedOut('no function');
  const cv = dw.callSiteValue(caller.pc, expr, callee.name);
  if (!cv) throw new OptimizedOut('the call site does not say what it passed');
  const loc = evalLocation(cv, frameContext(dw, caller, mem, null));
  switch (loc.kind) {
    case 'mem': return loc.addr >>> 0;
    case 'value': return Number(BigInt.asUintN(32, loc.value));
    case 'reg': {
      const v = caller.regs[loc.reg];
      if (v === undefined) throw new OptimizedOut('register not known in the caller');
      return v >>> 0;
    }
    default: throw new OptimizedOut('entry value not known');
  }
}

/**
 * A parameter's value at its function's entry when gdb would show it (`x=x@entry=5`): its
 * location at the entry is one register and the caller's call site gives the value passed.
 * null when that is not known.
 */
export function parameterEntryValue(dw: DebugInfo, die: Die, f: Frame, mem: VarReader): Value | null {
  const fn = dw.functionAt(lookupPc(f));
  const locDie = die.has(DW_AT.location) ? die : null;
  if (!fn || !locDie || f.inlined) return null;
  const dt = dw.typeOfDie(die);
  if (dt.size > 4) return null;
  const at = locationAt(locDie, DW_AT.location, fn.low, dw.secs);
  if (!at || at.length !== 1 || at[0] < 0x50 || at[0] > 0x6f) return null;
  try {
    const v = entryValueOf(dw, f, mem, at);
    return { bits: mask(BigInt(v), Math.max(1, dt.size)), type: ctypeOf(dt), lval: null };
  } catch (e) {
    if (e instanceof OptimizedOut) return null;
    throw e;
  }
}

/** A variable's value in frame f (frame null: a global, no registers). */
export function readVariable(dw: DebugInfo, die: Die, f: Frame | null, mem: VarReader): Value {
  const dt = dw.typeOfDie(die);
  const type = ctypeOf(dt);
  const out = (): Value => ({ bits: 0n, type, lval: null, optimizedOut: true });
  const locDie = dw.origin(die, DW_AT.location) === die ? die : die.has(DW_AT.location) ? die : null;
  if (!locDie) {
    const cv = (dw.origin(die, DW_AT.const_value) ?? die).get(DW_AT.const_value);
    if (typeof cv === 'number' || typeof cv === 'bigint') return { bits: mask(BigInt(cv), Math.max(1, type.size)), type, lval: null };
    if (cv instanceof Uint8Array) return { bits: bytesToBits(cv), type, lval: null };
    return out();
  }
  const pc = f ? (lookupPc(f) - dw.bias) >>> 0 : 0;
  const expr = locationAt(locDie, DW_AT.location, pc, dw.secs);
  if (!expr) return out();
  const ctx: ExprContext = f ? frameContext(dw, f, mem, die) : { reg: () => undefined, readU32: (a) => mem.readU32(a), relocate: dw.relocate, addrIndex: (i) => dw.addrIndex(die.unit, i), tlsAddress: mem.tlsAddress };
  let loc: DwarfLocation;
  try {
    loc = evalLocation(expr, ctx);
  } catch (e) {
    if (e instanceof OptimizedOut) return out();
    throw e;
  }
  return valueAt(loc, dt, f, mem) ?? out();
}

function bytesToBits(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  return v;
}

function valueAt(loc: DwarfLocation, dt: DType, f: Frame | null, mem: VarReader): Value | null {
  const type = ctypeOf(dt);
  const size = Math.max(1, dt.size);
  switch (loc.kind) {
    case 'mem':
      // Too large to read whole (gdb's max-value-size): elements and members are still reachable.
      if (size > MAX_VALUE_SIZE) return { bits: 0n, type, lval: { kind: 'mem', addr: loc.addr, size }, tooLarge: true };
      return { bits: mem.readMem(loc.addr, size), type, lval: { kind: 'mem', addr: loc.addr, size } };
    case 'reg': {
      const v = f?.regs[loc.reg];
      if (v === undefined) return null;
      // Only the innermost frame's registers are the CPU's own: outer ones are read-only copies.
      const lval = f!.level === 0 && loc.reg < 8 ? { kind: 'reg' as const, name: I386_REG_NAMES[loc.reg] } : null;
      return { bits: mask(BigInt(v >>> 0), Math.min(size, 4)), type, lval };
    }
    case 'value': return { bits: mask(loc.value, size), type, lval: null };
    case 'bytes': return { bits: mask(bytesToBits(loc.bytes), size), type, lval: null };
    case 'pieces': {
      let bits = 0n;
      let shift = 0n;
      for (const p of loc.pieces) {
        const part = valueAt(p.loc, { kind: 'base', name: '', size: p.size }, f, mem);
        if (!part) return null;
        bits |= mask(part.bits, p.size) << shift;
        shift += BigInt(8 * p.size);
      }
      return { bits: mask(bits, size), type, lval: null };
    }
    case 'optimized': return null;
  }
}

export interface FormatEnv {
  describe(addr: number): string;
  /** A C string at addr (null when unreadable) for char pointers. */
  readString(addr: number, max: number): { text: string; complete: boolean } | null;
}

const REPEAT_THRESHOLD = 10;
const PRINT_MAX = 200;

/** gdb's %g with `prec` significant digits. */
export function formatFloat(x: number, prec: number): string {
  if (Number.isNaN(x)) return 'nan(0x8000000000000)';
  if (!Number.isFinite(x)) return x < 0 ? '-inf' : 'inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const [mant, expText] = x.toExponential(prec - 1).split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= prec) {
    const m = mant.replace(/\.?0+$/, '');
    return `${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return x.toFixed(Math.max(0, prec - 1 - exp)).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
}

/** A value of a DWARF type as print shows it (top: the outermost value, which adds `(T *)` to pointers). */
export function formatTyped(v: Value, dt: DType, fmt: string | null, env: FormatEnv, top = true): string {
  if (v.optimizedOut) return '<optimized out>';
  if (v.tooLarge) checkValueSize(dt.size);
  const s = stripType(dt);
  const size = Math.max(1, s.size);
  const bits = mask(v.bits, size);
  switch (s.kind) {
    case 'struct': case 'union': {
      const parts = (s.members ?? []).map((m) => {
        let mb = mask(bits >> BigInt(8 * m.offset), Math.max(1, m.type.size));
        if (m.bitSize !== undefined) {
          mb = (bits >> BigInt(8 * m.offset + (m.bitOffset ?? 0))) & ((1n << BigInt(m.bitSize)) - 1n);
          if (isSigned(m.type) && mb & (1n << BigInt(m.bitSize - 1))) mb = mask(mb - (1n << BigInt(m.bitSize)), Math.max(1, m.type.size));
        }
        const text = formatTyped({ bits: mb, type: ctypeOf(m.type), lval: null }, m.type, fmt, env, false);
        return m.name ? `${m.name} = ${text}` : text;
      });
      return `{${parts.join(', ')}}`;
    }
    case 'array': {
      const dims = s.dims ?? [0];
      const elem: DType = dims.length > 1 ? { ...s, dims: dims.slice(1), size: s.size / (dims[0] || 1) } : s.target!;
      const n = dims[0];
      const es = Math.max(1, elem.size);
      if (isCharType(elem) && dims.length === 1 && (fmt === null || fmt === 's')) return charArray(bits, n);
      const items: string[] = [];
      let i = 0;
      while (i < n && i < PRINT_MAX) {
        const eb = mask(bits >> BigInt(8 * es * i), es);
        let j = i + 1;
        while (j < n && mask(bits >> BigInt(8 * es * j), es) === eb) j++;
        const text = formatTyped({ bits: eb, type: ctypeOf(elem), lval: null }, elem, fmt, env, false);
        if (j - i > REPEAT_THRESHOLD) { items.push(`${text} <repeats ${j - i} times>`); i = j; }
        else { items.push(text); i++; }
      }
      return `{${items.join(', ')}${n > PRINT_MAX ? '...' : ''}}`;
    }
    case 'pointer': {
      const addr = Number(bits & 0xffffffffn);
      const target = stripType(s.target ?? { kind: 'void', name: 'void', size: 1 });
      const sym = env.describe(addr);
      const hex = '0x' + addr.toString(16);
      if (fmt && fmt !== 'a' && fmt !== 's') return formatScalar(bits, 4, fmt, false, env.describe);
      if (target.kind === 'func') return `${top ? `(${declare(dt)}) ` : ''}${hex}${sym ? ` <${sym}>` : ''}`;
      if (isCharType(target) && addr !== 0) {
        const str = env.readString(addr, PRINT_MAX);
        const tail = str === null ? ` <error: Cannot access memory at address ${hex}>` : ` ${quote(str.text)}${str.complete ? '' : '...'}`;
        return `${hex}${tail}`;
      }
      return `${top ? `(${declare(dt)}) ` : ''}${hex}${sym ? ` <${sym}>` : ''}`;
    }
    case 'enum': {
      if (fmt) return formatScalar(bits, size, fmt, v.type.signed, env.describe);
      const val = v.type.signed ? BigInt.asIntN(size * 8, bits) : bits;
      const e = (s.enumerators ?? []).find(([, x]) => x === val);
      return e ? e[0] : val.toString();
    }
    case 'func': return `{${declare(dt)}} 0x${(v.bits & 0xffffffffn).toString(16)}${env.describe(Number(v.bits & 0xffffffffn)) ? ` <${env.describe(Number(v.bits & 0xffffffffn))}>` : ''}`;
    case 'base': {
      if (fmt && fmt !== 'f') return formatScalar(bits, size, fmt, v.type.signed, env.describe);
      if (isFloat(s)) {
        if (size === 4) { const b = new DataView(new ArrayBuffer(4)); b.setUint32(0, Number(bits), true); return formatFloat(b.getFloat32(0, true), 9); }
        if (size === 8) { const b = new DataView(new ArrayBuffer(8)); b.setBigUint64(0, bits, true); return formatFloat(b.getFloat64(0, true), 17); }
        return formatFloat(f80(bits), 18);
      }
      if (s.encoding === 0x2) return bits === 0n ? 'false' : bits === 1n ? 'true' : bits.toString();
      if (isCharType(s)) return formatScalar(bits, 1, 'c', true, env.describe).replace(/^-?\d+/, (n) => (v.type.signed ? n : String(Number(bits))));
      return (v.type.signed ? BigInt.asIntN(size * 8, bits) : bits).toString();
    }
    default: return formatScalar(bits, size, fmt ?? 'd', v.type.signed, env.describe);
  }
}

function f80(bits: bigint): number {
  const se = Number((bits >> 64n) & 0xffffn);
  const sig = bits & 0xffffffffffffffffn;
  const exp = se & 0x7fff;
  if (exp === 0 && sig === 0n) return 0;
  return (se & 0x8000 ? -1 : 1) * Number(sig) * 2 ** (exp - 16383 - 63);
}

function quote(text: string): string {
  let s = '';
  for (let i = 0; i < text.length; i++) s += escapeChar(text.charCodeAt(i) & 0xff);
  return `"${s}"`;
}

/** A char array as gdb prints it: runs of more than 10 equal bytes as <repeats>, the last NUL dropped. */
function charArray(bits: bigint, n: number): string {
  const hex = bits.toString(16).padStart(2 * n, '0');
  const bytes: number[] = [];
  for (let i = 0; i < n; i++) bytes.push(parseInt(hex.slice(hex.length - 2 * (i + 1), hex.length - 2 * i), 16));
  let len = n;
  // The array's last NUL is the string's terminator, not printed.
  if (len > 0 && bytes[len - 1] === 0) len--;
  // gdb's print elements limit (200): a repeat block counts as REPEAT_THRESHOLD characters.
  const segs: string[] = [];
  let cur = '';
  let i = 0;
  let printed = 0;
  while (i < len && printed < PRINT_MAX) {
    let j = i + 1;
    while (j < len && bytes[j] === bytes[i]) j++;
    if (j - i > REPEAT_THRESHOLD) {
      if (cur) { segs.push(`"${cur}"`); cur = ''; }
      segs.push(`'${escapeChar(bytes[i], "'")}' <repeats ${j - i} times>`);
      printed += REPEAT_THRESHOLD;
      i = j;
    } else {
      for (; i < j && printed < PRINT_MAX; i++, printed++) cur += escapeChar(bytes[i]);
    }
  }
  if (cur || segs.length === 0) segs.push(`"${cur}"`);
  return segs.join(', ') + (i < len ? '...' : '');
}
