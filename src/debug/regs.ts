// Register access by name for the debugger: the general registers and their 16/8-bit parts,
// EIP ($pc), EFLAGS, segment selectors and the FS/GS bases, and the x87/SSE state, read and
// written on a Cpu. Also the `info registers` table in gdb's layout.
import type { Cpu } from '../cpu/cpu.js';
import { REG16_NAMES, REG32_NAMES, REG8_NAMES, SEG_NAMES, ESP, EBP, FS, GS, flagNames } from '../cpu/registers.js';
import { T_CODE_PTR, T_DATA_PTR, T_INT, T_UINT, Value, mask, CType } from './expr.js';

const T_SHORT: CType = { name: 'short', size: 2, signed: true, target: null };
const T_CHAR8: CType = { name: 'int8_t', size: 1, signed: true, target: null };
const T_EFLAGS: CType = { name: 'i386_eflags', size: 4, signed: false, target: null };
const T_LL: CType = { name: 'uint64_t', size: 8, signed: false, target: null };

/** gdb's order for `info registers`. */
export const GENERAL_REGS = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi', 'eip', 'eflags',
  'cs', 'ss', 'ds', 'es', 'fs', 'gs', 'fs_base', 'gs_base'];

export const ALL_REG_NAMES = [
  ...GENERAL_REGS, 'pc', 'sp', 'fp', ...REG16_NAMES, ...REG8_NAMES,
  'st0', 'st1', 'st2', 'st3', 'st4', 'st5', 'st6', 'st7', 'fctrl', 'fstat', 'ftag', 'fiseg', 'fioff', 'foseg', 'fooff', 'fop',
  'xmm0', 'xmm1', 'xmm2', 'xmm3', 'xmm4', 'xmm5', 'xmm6', 'xmm7', 'mxcsr',
];

/** A register's value as an expression value (undefined when the name is not a register). */
export function readReg(c: Cpu, name: string): Value | undefined {
  const v = (bits: number | bigint, type: CType): Value => ({ bits: mask(BigInt(bits), type.size), type, lval: { kind: 'reg', name } });
  // gdb's aliases first: $sp and $fp are ESP and EBP here, not the 16-bit SP and BP.
  if (name === 'sp') return v(c.regs[ESP] >>> 0, T_DATA_PTR);
  if (name === 'fp') return v(c.regs[EBP] >>> 0, T_DATA_PTR);
  let i = REG32_NAMES.indexOf(name);
  if (i >= 0) return v(c.regs[i] >>> 0, i === ESP || i === EBP ? T_DATA_PTR : T_INT);
  if ((i = REG16_NAMES.indexOf(name)) >= 0) return v(c.regs[i] & 0xffff, T_SHORT);
  if ((i = REG8_NAMES.indexOf(name)) >= 0) return v(c.getReg(0, i), T_CHAR8);
  if ((i = SEG_NAMES.indexOf(name)) >= 0) return v(c.segSel[i], T_INT);
  switch (name) {
    case 'eip': case 'pc': return v(c.eip >>> 0, T_CODE_PTR);
    case 'sp': return v(c.regs[ESP] >>> 0, T_DATA_PTR);
    case 'fp': return v(c.regs[EBP] >>> 0, T_DATA_PTR);
    case 'eflags': case 'ps': return v(c.getEflags() >>> 0, T_EFLAGS);
    case 'fs_base': return v(c.segBase[FS] >>> 0, T_UINT);
    case 'gs_base': return v(c.segBase[GS] >>> 0, T_UINT);
    case 'fctrl': return v(c.fpu.cw, T_INT);
    case 'fstat': return v(c.fpu.getSw(), T_INT);
    case 'ftag': return v(c.fpu.getTagWord(), T_INT);
    case 'fiseg': return v(c.fpu.fcs, T_INT);
    case 'fioff': return v(c.fpu.fip >>> 0, T_INT);
    case 'foseg': return v(c.fpu.fds, T_INT);
    case 'fooff': return v(c.fpu.fdp >>> 0, T_INT);
    case 'fop': return v(c.fpu.fop, T_INT);
    case 'mxcsr': return v(c.sse.mxcsr, T_INT);
  }
  let m = /^st([0-7])$/.exec(name);
  if (m) {
    const s = c.fpu.st(Number(m[1]));
    return v((BigInt(s.se) << 64n) | (BigInt(s.hi >>> 0) << 32n) | BigInt(s.lo >>> 0), { name: 'i387_ext', size: 10, signed: false, target: null });
  }
  m = /^xmm([0-7])$/.exec(name);
  if (m) {
    let b = 0n;
    for (let k = 3; k >= 0; k--) b = (b << 32n) | BigInt(c.sse.xmm[Number(m[1]) * 4 + k] >>> 0);
    return v(b, { name: 'vec128', size: 16, signed: false, target: null });
  }
  return undefined;
}

/** Writes a register; returns false when the name is unknown or read-only. */
export function writeReg(c: Cpu, name: string, bits: bigint): boolean {
  const n = Number(BigInt.asUintN(32, bits)) | 0;
  if (name === 'sp') { c.regs[ESP] = n; return true; }
  if (name === 'fp') { c.regs[EBP] = n; return true; }
  let i = REG32_NAMES.indexOf(name);
  if (i >= 0) { c.regs[i] = n; return true; }
  if ((i = REG16_NAMES.indexOf(name)) >= 0) { c.setReg(1, i, n); return true; }
  if ((i = REG8_NAMES.indexOf(name)) >= 0) { c.setReg(0, i, n); return true; }
  if ((i = SEG_NAMES.indexOf(name)) >= 0) { c.segSel[i] = n & 0xffff; return true; }
  switch (name) {
    case 'eip': case 'pc': c.eip = n; return true;
    case 'sp': c.regs[ESP] = n; return true;
    case 'fp': c.regs[EBP] = n; return true;
    case 'eflags': case 'ps': c.setEflags(n); return true;
    case 'fs_base': c.segBase[FS] = n; return true;
    case 'gs_base': c.segBase[GS] = n; return true;
    case 'fctrl': c.fpu.cw = n & 0xffff; return true;
    case 'fstat': c.fpu.sw = n & 0xc7ff; c.fpu.top = (n >> 11) & 7; return true;
    case 'fop': c.fpu.fop = n & 0x7ff; return true;
    case 'fioff': c.fpu.fip = n; return true;
    case 'fooff': c.fpu.fdp = n; return true;
    case 'fiseg': c.fpu.fcs = n & 0xffff; return true;
    case 'foseg': c.fpu.fds = n & 0xffff; return true;
    case 'ftag': {
      let e = 0;
      for (let p = 0; p < 8; p++) if (((n >> (2 * p)) & 3) === 3) e |= 1 << p;
      c.fpu.empty = e;
      return true;
    }
    case 'mxcsr': c.sse.mxcsr = n; return true;
  }
  let m = /^st([0-7])$/.exec(name);
  if (m) {
    const p = (c.fpu.top + Number(m[1])) & 7;
    c.fpu.lo[p] = Number(bits & 0xffffffffn);
    c.fpu.hi[p] = Number((bits >> 32n) & 0xffffffffn);
    c.fpu.se[p] = Number((bits >> 64n) & 0xffffn);
    c.fpu.empty &= ~(1 << p);
    return true;
  }
  m = /^xmm([0-7])$/.exec(name);
  if (m) {
    for (let k = 0; k < 4; k++) c.sse.xmm[Number(m[1]) * 4 + k] = Number((bits >> BigInt(32 * k)) & 0xffffffffn) | 0;
    return true;
  }
  return false;
}

/** EFLAGS as gdb shows it: [ CF PF ZF IF ]. */
export function eflagsText(v: number): string {
  return `[ ${flagNames(v)} ]`;
}

/** One `info registers` line: name, hex, natural. */
export function registerLine(c: Cpu, name: string, describe: (addr: number) => string): string | undefined {
  const v = readReg(c, name);
  if (!v) return undefined;
  const hex = '0x' + v.bits.toString(16);
  let natural: string;
  if (name === 'eflags') natural = eflagsText(Number(v.bits));
  else if (name === 'eip' || name === 'pc') { const s = describe(Number(v.bits)); natural = s ? `0x${v.bits.toString(16)} <${s}>` : hex; }
  else if (v.type === T_DATA_PTR) natural = hex;
  else if (/^st[0-7]$/.test(name)) natural = String(c.fpu.st(Number(name[2])).value);
  else if (/^xmm/.test(name)) natural = xmmText(v.bits);
  else if (v.type.size === 8) natural = BigInt.asIntN(64, v.bits).toString();
  else natural = String(Number(BigInt.asIntN(v.type.size * 8, v.bits)));
  return `${name.padEnd(15)}${hex.padEnd(20)}${natural}`;
}

function xmmText(b: bigint): string {
  const w: string[] = [];
  for (let k = 0; k < 4; k++) w.push('0x' + ((b >> BigInt(32 * k)) & 0xffffffffn).toString(16));
  return `{v4_int32 = {${w.join(', ')}}}`;
}

export const X87_REGS = ['st0', 'st1', 'st2', 'st3', 'st4', 'st5', 'st6', 'st7', 'fctrl', 'fstat', 'ftag', 'fiseg', 'fioff', 'foseg', 'fooff', 'fop'];
export const SSE_REGS = ['xmm0', 'xmm1', 'xmm2', 'xmm3', 'xmm4', 'xmm5', 'xmm6', 'xmm7', 'mxcsr'];
export { T_LL };
