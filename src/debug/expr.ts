// gdb-style expressions for print, set, x, break ... if, watch: integers of C types (char to
// long long, signed or not), pointers with a pointee size, registers ($eax, $ax, $al, $eip,
// $pc, $sp, $fp, $eflags, ...), value history ($, $$, $N), symbols (a symbol stands for its
// address), casts, `*` and `&`, {type} addr, indexing, the C operators, and assignment.
// Arithmetic is done on bigints and wrapped to the result type; nothing here throws anything
// but ExprError (or MemoryError from a memory read).

import { type DType, declare, stripType, isSigned, isFloat, VOID } from './dwarf/types.js';

export class ExprError extends Error {}

export interface CType {
  size: number;
  signed: boolean;
  /** Pointer to this type, or null for an integer. */
  target: CType | null;
  name: string;
  /** A pointer to code (prints as a function pointer). */
  code?: boolean;
  /** The DWARF type, for values of program variables (structs, arrays, enums, floats...). */
  dw?: DType;
}

export type LValue = { kind: 'reg'; name: string } | { kind: 'mem'; addr: number; size: number };

export interface Value {
  /** The bits, as an unsigned number below 2^(8*size). */
  bits: bigint;
  type: CType;
  lval: LValue | null;
  /** The variable has no location here (gcc -O2): prints as <optimized out>. */
  optimizedOut?: boolean;
  /** Larger than max-value-size: not read (bits are 0); members and elements are read from lval. */
  tooLarge?: boolean;
}

export interface EvalContext {
  /** A register's value and type, or undefined when the name is not a register. */
  getReg(name: string): Value | undefined;
  setReg(name: string, v: bigint): void;
  readMem(addr: number, size: number): bigint;
  writeMem(addr: number, size: number, v: bigint): void;
  symbol(name: string): { addr: number; code: boolean } | undefined;
  history(index: number): Value | undefined;
  /** Convenience variables ($foo): get returns undefined when unset. */
  getVar(name: string): Value | undefined;
  setVar(name: string, v: Value): void;
  /** A program variable visible in the selected frame (DWARF), or undefined. */
  variable?(name: string): Value | undefined;
  /** A type the program declares ("struct point", "uint_t"), for casts. */
  typeNamed?(name: string): DType | undefined;
}

const t = (name: string, size: number, signed: boolean): CType => ({ name, size, signed, target: null });
export const T_CHAR = t('char', 1, true);
export const T_INT = t('int', 4, true);
export const T_UINT = t('unsigned int', 4, false);
export const T_LONGLONG = t('long long', 8, true);
export const T_VOID = t('void', 1, false);
export const T_DATA_PTR: CType = { name: 'void *', size: 4, signed: false, target: T_VOID };
export const T_CODE_PTR: CType = { name: 'void (*)()', size: 4, signed: false, target: T_VOID, code: true };

const BASE_TYPES: Record<string, CType> = {
  'char': T_CHAR, 'signed char': T_CHAR, 'unsigned char': t('unsigned char', 1, false),
  'short': t('short', 2, true), 'unsigned short': t('unsigned short', 2, false),
  'int': T_INT, 'signed': T_INT, 'unsigned': T_UINT, 'unsigned int': T_UINT,
  'long': t('long', 4, true), 'unsigned long': t('unsigned long', 4, false),
  'long long': T_LONGLONG, 'unsigned long long': t('unsigned long long', 8, false),
  'void': T_VOID,
  'float': { name: 'float', size: 4, signed: true, target: null, dw: { kind: 'base', name: 'float', size: 4, encoding: 4 } },
  'double': { name: 'double', size: 8, signed: true, target: null, dw: { kind: 'base', name: 'double', size: 8, encoding: 4 } },
  'int8_t': t('int8_t', 1, true), 'uint8_t': t('uint8_t', 1, false),
  'int16_t': t('int16_t', 2, true), 'uint16_t': t('uint16_t', 2, false),
  'int32_t': t('int32_t', 4, true), 'uint32_t': t('uint32_t', 4, false),
  'int64_t': t('int64_t', 8, true), 'uint64_t': t('uint64_t', 8, false),
  'size_t': t('size_t', 4, false), 'ssize_t': t('ssize_t', 4, true),
  'uintptr_t': t('uintptr_t', 4, false), 'intptr_t': t('intptr_t', 4, true),
};
const TYPE_WORDS = new Set(['char', 'short', 'int', 'long', 'signed', 'unsigned', 'void', ...Object.keys(BASE_TYPES)]);

export function pointerTo(target: CType): CType {
  if (target.dw) return ctypeOf({ kind: 'pointer', name: '', size: 4, target: target.dw });
  return { name: target.name.endsWith('*') ? `${target.name}*` : `${target.name} *`, size: 4, signed: false, target };
}

/** The expression type of a DWARF type: pointers keep their pointee, everything keeps dw. */
export function ctypeOf(dt: DType): CType {
  const s = stripType(dt);
  if (s.kind === 'pointer') {
    const target = s.target ?? VOID;
    return { name: declare(dt), size: 4, signed: false, target: ctypeOf(target), dw: dt, code: stripType(target).kind === 'func' || undefined };
  }
  if (s.kind === 'void') return { ...T_VOID, dw: dt };
  return { name: declare(dt), size: s.kind === 'func' ? 1 : dt.size, signed: isSigned(dt), target: null, dw: dt };
}

/** gdb's max-value-size (64 KiB): larger objects are not read whole. */
export const MAX_VALUE_SIZE = 65536;

export function checkValueSize(size: number): void {
  if (size > MAX_VALUE_SIZE) throw new ExprError(`value requires ${size} bytes, which is more than max-value-size`);
}

/** Arrays of a DWARF type decay to a pointer to their first element. */
function decay(v: Value): Value {
  const s = v.type.dw ? stripType(v.type.dw) : null;
  if (!s || s.kind !== 'array' || v.lval?.kind !== 'mem') return v;
  const elem: DType = (s.dims ?? []).length > 1 ? { ...s, dims: s.dims!.slice(1), size: s.size / (s.dims![0] || 1) } : s.target ?? VOID;
  return { bits: BigInt(v.lval.addr), type: ctypeOf({ kind: 'pointer', name: '', size: 4, target: elem }), lval: null };
}

export function mask(v: bigint, size: number): bigint {
  return BigInt.asUintN(size * 8, v);
}

/** The value as a signed or unsigned bigint according to its type. */
export function numeric(v: Value): bigint {
  return v.type.signed && !v.type.target ? BigInt.asIntN(v.type.size * 8, v.bits) : v.bits;
}

export function intValue(n: bigint | number, type: CType = T_INT): Value {
  return { bits: mask(BigInt(n), type.size), type, lval: null };
}

type Tok = { k: 'num'; v: bigint } | { k: 'float'; v: number } | { k: 'id'; v: string } | { k: 'reg'; v: string } | { k: 'op'; v: string } | { k: 'end' };

const OPS = ['->', '<<=', '>>=', '==', '!=', '<=', '>=', '&&', '||', '<<', '>>', '+', '-', '*', '/', '%', '&', '|', '^',
  '!', '~', '<', '>', '(', ')', '[', ']', '{', '}', '=', ',', '@'];

function tokenize(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (/\s/.test(c)) { i++; continue; }
    const fm = /^(?:[0-9]+\.[0-9]*(?:[eE][+-]?[0-9]+)?|[0-9]+[eE][+-]?[0-9]+)[fFlL]?/.exec(s.slice(i));
    if (fm && /[0-9]/.test(c)) {
      out.push({ k: 'float', v: parseFloat(fm[0]) });
      i += fm[0].length;
      continue;
    }
    if (/[0-9]/.test(c)) {
      const m = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)[uUlL]*/.exec(s.slice(i));
      if (!m) throw new ExprError(`Invalid number "${s.slice(i).split(/\s/)[0]}".`);
      const txt = m[1];
      if (/^[0-9a-zA-Z_]/.test(s[i + m[0].length] ?? '')) throw new ExprError(`Invalid number "${s.slice(i).split(/[\s)]/)[0]}".`);
      out.push({ k: 'num', v: txt.length > 1 && txt[0] === '0' && !/[xX]/.test(txt) ? BigInt('0o' + txt.slice(1)) : BigInt(txt) });
      i += m[0].length;
      continue;
    }
    if (c === "'") {
      const m = /^'(\\[nt0\\']|[^'\\])'/.exec(s.slice(i));
      if (!m) throw new ExprError('Unmatched single quote.');
      const ch = m[1].length === 2 ? ({ n: 10, t: 9, '0': 0, '\\': 92, "'": 39 } as Record<string, number>)[m[1][1]] : m[1].charCodeAt(0);
      out.push({ k: 'num', v: BigInt(ch) });
      i += m[0].length;
      continue;
    }
    if (c === '$') {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*|[0-9]+|\$[0-9]*)?/.exec(s.slice(i))!;
      out.push({ k: 'reg', v: m[1] ?? '' });
      i += m[0].length;
      continue;
    }
    const prev = out[out.length - 1];
    if (c === '.' && prev && (prev.k === 'id' || prev.k === 'reg' || (prev.k === 'op' && (prev.v === ')' || prev.v === ']')))) {
      out.push({ k: 'op', v: '.' });
      i++;
      continue;
    }
    if (/[A-Za-z_.]/.test(c)) {
      // Symbols such as completed.0 keep their dot; a member access (s.x) does not.
      const m = /^[A-Za-z_.][A-Za-z0-9_]*(?:\.[0-9]+)*(?:@@?[A-Za-z_][A-Za-z0-9_.]*)?/.exec(s.slice(i))!;
      out.push({ k: 'id', v: m[0] });
      i += m[0].length;
      continue;
    }
    const op = OPS.find((o) => s.startsWith(o, i));
    if (!op) throw new ExprError(`Invalid character '${c}' in expression.`);
    out.push({ k: 'op', v: op });
    i += op.length;
  }
  out.push({ k: 'end' });
  return out;
}

export class Evaluator {
  private toks: Tok[] = [];
  private p = 0;

  constructor(private readonly ctx: EvalContext) {}

  evaluate(text: string): Value {
    if (text.trim() === '') throw new ExprError('Argument required (expression to compute).');
    this.toks = tokenize(text);
    this.p = 0;
    const v = this.assign();
    if (this.peek().k !== 'end') throw new ExprError(`A syntax error in expression, near \`${this.rest()}'.`);
    return v;
  }

  /** Evaluates an expression to an address or count (a plain number). */
  evaluateNumber(text: string): number {
    return Number(mask(numeric(this.evaluate(text)), 4));
  }

  private rest(): string {
    return this.toks.slice(this.p, -1).map((x) => ('v' in x ? (x.k === 'reg' ? '$' + x.v : String(x.v)) : '')).join(' ');
  }

  private peek(): Tok { return this.toks[this.p]; }
  private isOp(v: string): boolean { const x = this.peek(); return x.k === 'op' && x.v === v; }
  private eat(v: string): boolean { if (this.isOp(v)) { this.p++; return true; } return false; }
  private expect(v: string): void { if (!this.eat(v)) throw new ExprError(`A syntax error in expression, near \`${this.rest()}'.`); }

  private assign(): Value {
    const left = this.binary(0);
    if (this.eat('=')) {
      const right = this.assign();
      return this.store(left, right);
    }
    return left;
  }

  private store(left: Value, right: Value): Value {
    const bits = mask(numeric(right), left.type.size);
    const lv = left.lval;
    if (!lv) throw new ExprError('Left operand of assignment is not an lvalue.');
    if (lv.kind === 'reg') {
      if (lv.name.startsWith('var:')) {
        const v: Value = { bits: right.bits, type: right.type, lval: lv };
        this.ctx.setVar(lv.name.slice(4), v);
        return v;
      }
      this.ctx.setReg(lv.name, bits);
    } else {
      this.ctx.writeMem(lv.addr, lv.size, bits);
    }
    return { bits, type: left.type, lval: lv };
  }

  private static readonly LEVELS: string[][] = [
    ['||'], ['&&'], ['|'], ['^'], ['&'], ['==', '!='], ['<', '>', '<=', '>='], ['<<', '>>'], ['+', '-'], ['*', '/', '%'], ['@'],
  ];

  private binary(level: number): Value {
    if (level >= Evaluator.LEVELS.length) return this.unary();
    let left = this.binary(level + 1);
    for (;;) {
      const x = this.peek();
      if (x.k !== 'op' || !Evaluator.LEVELS[level].includes(x.v)) return left;
      this.p++;
      const right = this.binary(level + 1);
      left = x.v === '@' ? this.artificialArray(left, right) : binop(x.v, decay(left), decay(right));
    }
  }

  private parseType(): CType | null {
    const save = this.p;
    const words: string[] = [];
    while (this.peek().k === 'id' && TYPE_WORDS.has((this.peek() as { v: string }).v)) {
      words.push((this.peek() as { v: string }).v);
      this.p++;
    }
    if (words.length === 0) {
      const named = this.programType();
      if (!named) { this.p = save; return null; }
      let pty = named;
      while (this.eat('*')) pty = pointerTo(pty);
      return pty;
    }
    let name = words.join(' ').replace(/\bint$/, (m) => (words.length > 1 && words[0] !== 'int' ? '' : m)).trim();
    if (name === 'signed') name = 'int';
    if (name === 'short int' || name === 'short') name = 'short';
    let ty = BASE_TYPES[name] ?? BASE_TYPES[words.join(' ')];
    if (!ty) { this.p = save; return null; }
    while (this.eat('*')) ty = pointerTo(ty);
    return ty;
  }

  /** struct/union/enum TAG or a typedef name the program declares. */
  private programType(): CType | null {
    const x = this.peek();
    if (x.k !== 'id' || !this.ctx.typeNamed) return null;
    let name = x.v;
    if (['struct', 'union', 'enum'].includes(name)) {
      const y = this.toks[this.p + 1];
      if (!y || y.k !== 'id') return null;
      name = `${name} ${y.v}`;
      const t = this.ctx.typeNamed(name);
      if (!t) throw new ExprError(`No ${name}.`);
      this.p += 2;
      return ctypeOf(t);
    }
    const t = this.ctx.typeNamed(name);
    if (!t || this.ctx.variable?.(name)) return null;
    this.p++;
    return ctypeOf(t);
  }

  private unary(): Value {
    if (this.eat('-')) {
      const v = this.unary();
      if (isFloatValue(v)) return floatValue(-toNumber(v), v.type.dw!);
      return arith(intValue(0, resultType(v, v)), v, (a, b) => a - b);
    }
    if (this.eat('+')) return this.unary();
    if (this.eat('!')) return intValue(numeric(this.unary()) === 0n ? 1 : 0);
    if (this.eat('~')) { const v = this.unary(); return { bits: mask(~v.bits, v.type.size), type: v.type, lval: null }; }
    if (this.eat('*')) return this.deref(decay(this.unary()));
    if (this.eat('&')) {
      const v = this.unary();
      if (v.lval?.kind === 'mem') return { bits: BigInt(v.lval.addr >>> 0), type: pointerTo(v.type), lval: null };
      if (v.type.code || (v.lval === null && v.type === T_UINT)) return v; // &symbol
      throw new ExprError('Attempt to take address of value not located in memory.');
    }
    if (this.isOp('(')) {
      const save = this.p;
      this.p++;
      const ty = this.parseType();
      if (ty && this.eat(')')) {
        const v = this.unary();
        if (ty.dw && isFloat(ty.dw)) return floatValue(isFloatValue(v) ? toNumber(v) : Number(numeric(v)), ty.dw);
        if (isFloatValue(v) && !ty.target) return { bits: mask(BigInt(Math.trunc(toNumber(v))), ty.size), type: ty, lval: null };
        return { bits: mask(ty.target ? v.bits : numeric(v), ty.size), type: ty, lval: null };
      }
      this.p = save;
    }
    if (this.isOp('{')) {
      this.p++;
      const ty = this.parseType();
      if (!ty) throw new ExprError('A syntax error in expression: expected a type after {.');
      this.expect('}');
      const addr = this.unary();
      return this.load(Number(mask(addr.bits, 4)), ty);
    }
    if (this.peek().k === 'id' && (this.peek() as { v: string }).v === 'sizeof') {
      this.p++;
      this.expect('(');
      const ty = this.parseType();
      let size: number;
      if (ty) size = ty.size;
      else size = this.assign().type.size;
      this.expect(')');
      return intValue(size, T_UINT);
    }
    return this.postfix(this.primary());
  }

  private postfix(v: Value): Value {
    for (;;) {
      if (this.eat('[')) {
        const idx = this.assign();
        this.expect(']');
        v = this.deref(binop('+', decay(v), idx));
      } else if (this.eat('.')) {
        v = this.member(v, this.memberName());
      } else if (this.eat('->')) {
        if (!v.type.target) throw new ExprError(`The -> operator needs a pointer to a struct or union.`);
        v = this.member(this.deref(v), this.memberName());
      } else {
        return v;
      }
    }
  }

  /** gdb's VALUE@N: N objects in memory starting at VALUE, as an array. */
  private artificialArray(left: Value, right: Value): Value {
    if (left.lval?.kind !== 'mem') throw new ExprError("Only values in memory can be extended with '@'.");
    const n = Number(numeric(right));
    if (!Number.isInteger(n) || n <= 0) throw new ExprError(`Invalid number ${n} of repetitions.`);
    const elem: DType = left.type.dw ?? { kind: 'base', name: left.type.name, size: left.type.size, encoding: left.type.signed ? 5 : 7 };
    const size = elem.size * n;
    checkValueSize(size);
    const dt: DType = { kind: 'array', name: '', size, target: elem, dims: [n] };
    return { bits: this.ctx.readMem(left.lval.addr, size), type: ctypeOf(dt), lval: { kind: 'mem', addr: left.lval.addr, size } };
  }

  private memberName(): string {
    const x = this.peek();
    if (x.k !== 'id') throw new ExprError(`A syntax error in expression, near \`${this.rest()}'.`);
    this.p++;
    return x.v;
  }

  /** s.field: the member's bytes from the struct's value, addressed when the struct is. */
  private member(v: Value, name: string): Value {
    const s = v.type.dw ? stripType(v.type.dw) : null;
    if (!s || (s.kind !== 'struct' && s.kind !== 'union')) throw new ExprError(`Attempt to extract a component of a value that is not a structure.`);
    const m = (s.members ?? []).find((x) => x.name === name);
    if (!m) throw new ExprError(`There is no member named ${name}.`);
    const type = ctypeOf(m.type);
    if (v.optimizedOut) return { bits: 0n, type, lval: null, optimizedOut: true };
    if (v.tooLarge && v.lval?.kind === 'mem' && m.bitSize === undefined) return this.load(v.lval.addr + m.offset, type);
    let bits = mask(v.bits >> BigInt(8 * m.offset), m.type.size);
    if (m.bitSize !== undefined) {
      bits = mask(v.bits >> BigInt(8 * m.offset + (m.bitOffset ?? 0)), 8) & ((1n << BigInt(m.bitSize)) - 1n);
      if (type.signed && bits & (1n << BigInt(m.bitSize - 1))) bits = mask(bits - (1n << BigInt(m.bitSize)), type.size);
      return { bits, type, lval: null };
    }
    const lval: LValue | null = v.lval?.kind === 'mem' ? { kind: 'mem', addr: (v.lval.addr + m.offset) >>> 0, size: m.type.size } : null;
    return { bits, type, lval };
  }

  private load(addr: number, ty: CType): Value {
    if (ty.dw && stripType(ty.dw).kind === 'func') return { bits: BigInt(addr >>> 0), type: ty, lval: null };
    checkValueSize(ty.size);
    if (ty === T_VOID || (ty.dw && stripType(ty.dw).kind === 'void')) throw new ExprError('Attempt to take contents of a non-pointer value.');
    const bits = this.ctx.readMem(addr >>> 0, ty.size);
    return { bits, type: ty, lval: { kind: 'mem', addr: addr >>> 0, size: ty.size } };
  }

  private deref(v: Value): Value {
    const target = v.type.target ?? T_INT;
    if (target === T_VOID && !v.type.code) return this.load(Number(mask(v.bits, 4)), T_INT);
    if (v.type.code) return this.load(Number(mask(v.bits, 4)), T_INT);
    return this.load(Number(mask(v.bits, 4)), target);
  }

  private primary(): Value {
    const x = this.peek();
    this.p++;
    switch (x.k) {
      case 'num': return intValue(x.v, x.v > 0x7fffffffn ? (x.v > 0xffffffffn ? T_LONGLONG : T_UINT) : T_INT);
      case 'float': return floatValue(x.v, DW_DOUBLE);
      case 'reg': {
        const name = x.v;
        if (name === '' || name.startsWith('$') || /^[0-9]+$/.test(name)) {
          const idx = name === '' ? 0 : name === '$' ? -1 : name.startsWith('$') ? -Number(name.slice(1)) : Number(name);
          const h = this.ctx.history(idx);
          if (!h) throw new ExprError(name === '' ? 'History is empty.' : `History has not yet reached $${name}.`);
          return { ...h, lval: null };
        }
        const r = this.ctx.getReg(name.toLowerCase());
        if (r) return r;
        const cv = this.ctx.getVar(name);
        const lval: LValue = { kind: 'reg', name: 'var:' + name };
        if (cv) return { ...cv, lval };
        // An unset convenience variable is void in gdb; here it reads as 0 and can be assigned.
        return { bits: 0n, type: T_INT, lval };
      }
      case 'id': {
        const dv = this.ctx.variable?.(x.v);
        if (dv) return dv;
        const s = this.ctx.symbol(x.v);
        if (!s) throw new ExprError(`No symbol "${x.v}" in current context.`);
        return { bits: BigInt(s.addr >>> 0), type: s.code ? T_CODE_PTR : T_UINT, lval: null };
      }
      case 'op':
        if (x.v === '(') {
          const v = this.assign();
          this.expect(')');
          return v;
        }
        throw new ExprError(`A syntax error in expression, near \`${x.v} ${this.rest()}'.`);
      default:
        throw new ExprError('A syntax error in expression, near `\'.');
    }
  }
}

function resultType(a: Value, b: Value): CType {
  if (a.type.target) return a.type;
  if (b.type.target) return b.type;
  const size = Math.max(a.type.size, b.type.size, 4);
  if (size === 8) return a.type.size === 8 && !a.type.signed || b.type.size === 8 && !b.type.signed ? BASE_TYPES['unsigned long long'] : T_LONGLONG;
  const unsigned = (a.type.size === 4 && !a.type.signed) || (b.type.size === 4 && !b.type.signed);
  return unsigned ? T_UINT : T_INT;
}

function arith(a: Value, b: Value, f: (x: bigint, y: bigint) => bigint): Value {
  const ty = resultType(a, b);
  return { bits: mask(f(numeric(a), numeric(b)), ty.size), type: ty, lval: null };
}

const DW_FLOAT: DType = { kind: 'base', name: 'float', size: 4, encoding: 4 };
const DW_DOUBLE: DType = { kind: 'base', name: 'double', size: 8, encoding: 4 };

function isFloatValue(v: Value): boolean {
  return !!v.type.dw && isFloat(v.type.dw);
}

/** A float, double or long double value as a JS number (integers converted). */
function toNumber(v: Value): number {
  if (!isFloatValue(v)) return Number(numeric(v));
  const size = v.type.size;
  const dv = new DataView(new ArrayBuffer(8));
  if (size === 4) { dv.setUint32(0, Number(v.bits & 0xffffffffn), true); return dv.getFloat32(0, true); }
  if (size === 8) { dv.setBigUint64(0, v.bits, true); return dv.getFloat64(0, true); }
  const se = Number((v.bits >> 64n) & 0xffffn);
  const sig = v.bits & 0xffffffffffffffffn;
  const exp = se & 0x7fff;
  if (exp === 0 && sig === 0n) return 0;
  return (se & 0x8000 ? -1 : 1) * Number(sig) * 2 ** (exp - 16383 - 63);
}

function floatValue(x: number, dt: DType): Value {
  const s = stripType(dt);
  const target = s.size === 4 ? DW_FLOAT : s.size === 8 ? DW_DOUBLE : DW_DOUBLE;
  const dv = new DataView(new ArrayBuffer(8));
  let bits: bigint;
  if (target.size === 4) { dv.setFloat32(0, x, true); bits = BigInt(dv.getUint32(0, true)); }
  else { dv.setFloat64(0, x, true); bits = dv.getBigUint64(0, true); }
  return { bits, type: ctypeOf(s.size === target.size ? dt : target), lval: null };
}

/** C arithmetic when an operand is floating: the wider float type (double for long double here). */
function floatBinop(op: string, a: Value, b: Value): Value | null {
  if (!isFloatValue(a) && !isFloatValue(b)) return null;
  if (a.type.target || b.type.target) return null;
  const x = toNumber(a), y = toNumber(b);
  const wide = Math.max(isFloatValue(a) ? a.type.size : 0, isFloatValue(b) ? b.type.size : 0);
  const dt = wide === 4 ? DW_FLOAT : DW_DOUBLE;
  const bool = (c: boolean) => intValue(c ? 1 : 0);
  switch (op) {
    case '+': return floatValue(x + y, dt);
    case '-': return floatValue(x - y, dt);
    case '*': return floatValue(x * y, dt);
    case '/': return floatValue(x / y, dt);
    case '==': return bool(x === y);
    case '!=': return bool(x !== y);
    case '<': return bool(x < y);
    case '>': return bool(x > y);
    case '<=': return bool(x <= y);
    case '>=': return bool(x >= y);
    case '&&': return bool(x !== 0 && y !== 0);
    case '||': return bool(x !== 0 || y !== 0);
    default: throw new ExprError('Integer only operation.');
  }
}

function binop(op: string, a: Value, b: Value): Value {
  const fl = floatBinop(op, a, b);
  if (fl) return fl;
  const bool = (c: boolean) => intValue(c ? 1 : 0);
  const ptrScale = (p: Value) => BigInt(p.type.target && p.type.target !== T_VOID ? p.type.target.size : 1);
  switch (op) {
    case '+':
      if (a.type.target && !b.type.target) return { bits: mask(a.bits + numeric(b) * ptrScale(a), 4), type: a.type, lval: null };
      if (b.type.target && !a.type.target) return { bits: mask(b.bits + numeric(a) * ptrScale(b), 4), type: b.type, lval: null };
      return arith(a, b, (x, y) => x + y);
    case '-':
      if (a.type.target && b.type.target) return intValue((a.bits - b.bits) / ptrScale(a));
      if (a.type.target) return { bits: mask(a.bits - numeric(b) * ptrScale(a), 4), type: a.type, lval: null };
      return arith(a, b, (x, y) => x - y);
    case '*': return arith(a, b, (x, y) => x * y);
    case '/': case '%': {
      if (numeric(b) === 0n) throw new ExprError('Division by zero');
      return arith(a, b, op === '/' ? (x, y) => x / y : (x, y) => x % y);
    }
    case '&': return arith(a, b, (x, y) => x & y);
    case '|': return arith(a, b, (x, y) => x | y);
    case '^': return arith(a, b, (x, y) => x ^ y);
    case '<<': return arith(a, b, (x, y) => x << (y & 63n));
    case '>>': return arith(a, b, (x, y) => x >> (y & 63n));
    case '==': return bool(cmpVal(a, b) === 0);
    case '!=': return bool(cmpVal(a, b) !== 0);
    case '<': return bool(cmpVal(a, b) < 0);
    case '>': return bool(cmpVal(a, b) > 0);
    case '<=': return bool(cmpVal(a, b) <= 0);
    case '>=': return bool(cmpVal(a, b) >= 0);
    case '&&': return bool(numeric(a) !== 0n && numeric(b) !== 0n);
    case '||': return bool(numeric(a) !== 0n || numeric(b) !== 0n);
    default: throw new ExprError(`Unknown operator ${op}`);
  }
}

function cmpVal(a: Value, b: Value): number {
  const ty = resultType(a, b);
  const x = ty.signed ? BigInt.asIntN(ty.size * 8, numeric(a)) : mask(numeric(a), ty.size);
  const y = ty.signed ? BigInt.asIntN(ty.size * 8, numeric(b)) : mask(numeric(b), ty.size);
  return x < y ? -1 : x > y ? 1 : 0;
}
