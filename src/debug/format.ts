// Text formats shared by the REPL and the gdb stub's monitor commands: hex, gdb's print
// formats (/x /d /u /o /t /c /a), the x/Nfu memory dump, and C string escaping.
import { CType, Value, numeric } from './expr.js';
import { eflagsText } from './regs.js';

export const hex = (n: number): string => '0x' + (n >>> 0).toString(16);
export const hex8 = (n: number): string => '0x' + (n >>> 0).toString(16).padStart(8, '0');

export interface XSpec {
  count: number;
  fmt: string;
  size: number;
}

const SIZE_LETTERS: Record<string, number> = { b: 1, h: 2, w: 4, g: 8 };

/**
 * Parses the "/Nfu" suffix of x or print (without the slash). Missing parts come from `last`.
 * Throws Error with gdb's message on a bad letter.
 */
export function parseFormat(spec: string, last: XSpec): XSpec {
  const m = /^(-?\d*)([a-z]*)$/.exec(spec);
  if (!m) throw new Error(`Invalid number "${spec}".`);
  const r: XSpec = { count: m[1] === '' || m[1] === '-' ? 1 : Number(m[1]), fmt: last.fmt, size: last.size };
  let sizeGiven = false;
  for (const ch of m[2]) {
    if (ch in SIZE_LETTERS) { r.size = SIZE_LETTERS[ch]; sizeGiven = true; }
    else if ('xduotacfsiz'.includes(ch)) r.fmt = ch;
    else throw new Error(`Undefined output format "${ch}".`);
  }
  if (r.fmt === 'c' && !sizeGiven) r.size = 1;
  if (r.fmt === 'a' && !sizeGiven) r.size = 4;
  if (r.count < 0) throw new Error('Negative repeat counts are not supported.');
  return r;
}

const ESC: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 27: '\\033', 34: '\\"', 92: '\\\\' };

export function escapeChar(b: number, quote = '"'): string {
  if (b === 39 && quote === "'") return "\\'";
  if (b === 34 && quote === "'") return '"';
  if (ESC[b]) return ESC[b];
  if (b >= 32 && b < 127) return String.fromCharCode(b);
  return '\\' + b.toString(8).padStart(3, '0');
}

export function cString(text: string): string {
  let s = '';
  for (let i = 0; i < text.length; i++) s += escapeChar(text.charCodeAt(i) & 0xff);
  return `"${s}"`;
}

/** One scalar in a print/x format. `bits` is unsigned below 2^(8*size). */
export function formatScalar(bits: bigint, size: number, fmt: string, signedDefault: boolean, describe: (a: number) => string, padHex = false): string {
  const signed = BigInt.asIntN(size * 8, bits);
  switch (fmt) {
    case 'x': return '0x' + (padHex ? bits.toString(16).padStart(size * 2, '0') : bits.toString(16));
    case 'z': return '0x' + bits.toString(16).padStart(size * 2, '0');
    case 'o': return bits === 0n ? '0' : '0' + bits.toString(8);
    case 't': return bits.toString(2).padStart(padHex ? size * 8 : 1, '0');
    case 'd': return signed.toString();
    case 'u': return bits.toString();
    case 'c': {
      const c = Number(BigInt.asIntN(8, bits & 0xffn));
      return `${c} '${escapeChar(c & 0xff, "'")}'`;
    }
    case 'a': {
      const s = describe(Number(bits & 0xffffffffn));
      return '0x' + bits.toString(16) + (s ? ` <${s}>` : '');
    }
    case 'f': return signedDefault ? signed.toString() : bits.toString();
    default: return signedDefault ? signed.toString() : bits.toString();
  }
}

/** A value as `print` shows it after "$N = ". */
export function formatValue(v: Value, fmt: string | null, describe: (a: number) => string): string {
  const ty: CType = v.type;
  if (fmt && fmt !== 's' && fmt !== 'i') {
    if (ty.size > 8) return '0x' + v.bits.toString(16);
    return formatScalar(v.bits, ty.size, fmt, ty.signed, describe);
  }
  if (ty.name === 'i386_eflags') return eflagsText(Number(v.bits));
  if (ty.name === 'i387_ext') return f80ToNumber(v.bits).toString();
  if (ty.name === 'vec128') {
    const w: string[] = [];
    for (let k = 0; k < 4; k++) w.push('0x' + ((v.bits >> BigInt(32 * k)) & 0xffffffffn).toString(16));
    return `{v4_int32 = {${w.join(', ')}}, uint128 = 0x${v.bits.toString(16)}}`;
  }
  if (ty.target) {
    const s = describe(Number(v.bits));
    const name = ty.code ? 'void (*)()' : ty.name;
    return `(${name}) 0x${v.bits.toString(16)}${s ? ` <${s}>` : ''}`;
  }
  if (ty.size === 1) return formatScalar(v.bits, 1, 'c', true, describe);
  return numeric(v).toString();
}

/** An 80-bit extended float (se:16 | significand:64) as a JS number. */
export function f80ToNumber(bits: bigint): number {
  const se = Number((bits >> 64n) & 0xffffn);
  const sig = bits & 0xffffffffffffffffn;
  const sign = se & 0x8000 ? -1 : 1;
  const exp = se & 0x7fff;
  if (exp === 0 && sig === 0n) return sign * 0;
  if (exp === 0x7fff) return (sig & 0x7fffffffffffffffn) === 0n ? sign * Infinity : NaN;
  return sign * Number(sig) * 2 ** (exp - 16383 - 63);
}

/** The x command's dump of scalar units (every format except s and i). */
export function formatDump(addr: number, bytes: Uint8Array, spec: XSpec, describe: (a: number) => string): string[] {
  const perLine = spec.fmt === 'c' ? 8 : spec.size === 8 ? 2 : spec.size === 4 ? 4 : 8;
  const lines: string[] = [];
  let cur = '';
  for (let k = 0; k * spec.size < bytes.length; k++) {
    const a = (addr + k * spec.size) >>> 0;
    if (k % perLine === 0) {
      if (cur) lines.push(cur);
      const s = describe(a);
      cur = `${hex(a)}${s ? ` <${s}>` : ''}:`;
    }
    let bits = 0n;
    for (let i = spec.size - 1; i >= 0; i--) bits = (bits << 8n) | BigInt(bytes[k * spec.size + i]);
    cur += '\t' + formatScalar(bits, spec.size, spec.fmt === 'f' ? 'd' : spec.fmt, true, describe, spec.fmt === 'x');
  }
  if (cur) lines.push(cur);
  return lines;
}
