// The register file gdb sees (the numbering of its i386 GNU/Linux target description): the
// g packet is every register in this order, little-endian, at its size. The target.xml sent
// through qXfer:features:read declares the same registers in the features gdb knows:
// org.gnu.gdb.i386.core (general, segment and x87 registers), .sse (XMM0-7, MXCSR), .linux
// (orig_eax) and .segments (fs_base, gs_base).
import type { Cpu } from '../../cpu/cpu.js';
import { readReg, writeReg } from '../regs.js';
import { leHex, parseLeHex } from './packets.js';

export interface GdbReg {
  name: string;
  size: number;
}

const r = (name: string, size: number): GdbReg => ({ name, size });

export const GDB_REGS: GdbReg[] = [
  ...['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi', 'eip', 'eflags', 'cs', 'ss', 'ds', 'es', 'fs', 'gs'].map((n) => r(n, 4)),
  ...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => r(`st${i}`, 10)),
  ...['fctrl', 'fstat', 'ftag', 'fiseg', 'fioff', 'foseg', 'fooff', 'fop'].map((n) => r(n, 4)),
  ...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => r(`xmm${i}`, 16)),
  r('mxcsr', 4),
  r('orig_eax', 4),
];

/** orig_eax: -1 unless the kernel says otherwise (it only matters for syscall restarts). */
export function regHex(c: Cpu, n: number, origEax = -1): string {
  const reg = GDB_REGS[n];
  if (!reg) return '';
  if (reg.name === 'orig_eax') return leHex(origEax, 4);
  const v = readReg(c, reg.name);
  return leHex(v ? v.bits : 0n, reg.size);
}

export function allRegsHex(c: Cpu, origEax = -1): string {
  let s = '';
  for (let n = 0; n < GDB_REGS.length; n++) s += regHex(c, n, origEax);
  return s;
}

/** Writes register n from little-endian hex; false when the number or size is wrong. */
export function setRegHex(c: Cpu, n: number, hex: string): boolean {
  const reg = GDB_REGS[n];
  if (!reg || hex.length !== reg.size * 2 || /[^0-9a-fA-F]/.test(hex)) return false;
  if (reg.name === 'orig_eax') return true;
  return writeReg(c, reg.name, parseLeHex(hex));
}

/** Applies a G packet (registers in order; a shorter packet sets a prefix). */
export function setAllRegsHex(c: Cpu, hex: string): boolean {
  let pos = 0;
  for (let n = 0; n < GDB_REGS.length && pos < hex.length; n++) {
    const len = GDB_REGS[n].size * 2;
    const part = hex.slice(pos, pos + len);
    if (part.length < len) return false;
    if (!/^x+$/.test(part)) setRegHex(c, n, part);
    pos += len;
  }
  return true;
}

const EFLAGS_FIELDS: Array<[number, string]> = [
  [0, 'CF'], [1, ''], [2, 'PF'], [4, 'AF'], [6, 'ZF'], [7, 'SF'], [8, 'TF'], [9, 'IF'], [10, 'DF'], [11, 'OF'],
  [14, 'NT'], [16, 'RF'], [17, 'VM'], [18, 'AC'], [19, 'VIF'], [20, 'VIP'], [21, 'ID'],
];
const MXCSR_FIELDS = ['IE', 'DE', 'ZE', 'OE', 'UE', 'PE', 'DAZ', 'IM', 'DM', 'ZM', 'OM', 'UM', 'PM', 'FZ'];

/** The target description, written out here field by field. */
export function targetXml(): string {
  const reg = (name: string, bits: number, type: string, regnum: number, group?: string) =>
    `    <reg name="${name}" bitsize="${bits}" type="${type}" regnum="${regnum}"${group ? ` group="${group}"` : ''}/>`;
  const core: string[] = [];
  core.push('    <flags id="i386_eflags" size="4">');
  for (const [bit, name] of EFLAGS_FIELDS) core.push(`      <field name="${name}" start="${bit}" end="${bit}"/>`);
  core.push('    </flags>');
  const gp: Array<[string, string]> = [['eax', 'int32'], ['ecx', 'int32'], ['edx', 'int32'], ['ebx', 'int32'], ['esp', 'data_ptr'],
    ['ebp', 'data_ptr'], ['esi', 'int32'], ['edi', 'int32'], ['eip', 'code_ptr'], ['eflags', 'i386_eflags'],
    ['cs', 'int32'], ['ss', 'int32'], ['ds', 'int32'], ['es', 'int32'], ['fs', 'int32'], ['gs', 'int32']];
  gp.forEach(([n, t], i) => core.push(reg(n, 32, t, i)));
  for (let i = 0; i < 8; i++) core.push(reg(`st${i}`, 80, 'i387_ext', 16 + i));
  ['fctrl', 'fstat', 'ftag', 'fiseg', 'fioff', 'foseg', 'fooff', 'fop'].forEach((n, i) => core.push(reg(n, 32, 'int', 24 + i, 'float')));
  const sse: string[] = [
    '    <vector id="v4f" type="ieee_single" count="4"/>',
    '    <vector id="v2d" type="ieee_double" count="2"/>',
    '    <vector id="v16i8" type="int8" count="16"/>',
    '    <vector id="v8i16" type="int16" count="8"/>',
    '    <vector id="v4i32" type="int32" count="4"/>',
    '    <vector id="v2i64" type="int64" count="2"/>',
    '    <union id="vec128">',
    '      <field name="v4_float" type="v4f"/>',
    '      <field name="v2_double" type="v2d"/>',
    '      <field name="v16_int8" type="v16i8"/>',
    '      <field name="v8_int16" type="v8i16"/>',
    '      <field name="v4_int32" type="v4i32"/>',
    '      <field name="v2_int64" type="v2i64"/>',
    '      <field name="uint128" type="uint128"/>',
    '    </union>',
    '    <flags id="i386_mxcsr" size="4">',
    ...MXCSR_FIELDS.map((n, i) => `      <field name="${n}" start="${i === 13 ? 15 : i}" end="${i === 13 ? 15 : i}"/>`),
    '    </flags>',
  ];
  for (let i = 0; i < 8; i++) sse.push(reg(`xmm${i}`, 128, 'vec128', 32 + i));
  sse.push(reg('mxcsr', 32, 'i386_mxcsr', 40, 'vector'));
  return [
    '<?xml version="1.0"?>',
    '<!DOCTYPE target SYSTEM "gdb-target.dtd">',
    '<target version="1.0">',
    '  <architecture>i386</architecture>',
    '  <osabi>GNU/Linux</osabi>',
    '  <feature name="org.gnu.gdb.i386.core">',
    ...core,
    '  </feature>',
    '  <feature name="org.gnu.gdb.i386.sse">',
    ...sse,
    '  </feature>',
    '  <feature name="org.gnu.gdb.i386.linux">',
    reg('orig_eax', 32, 'int', 41),
    '  </feature>',
    '</target>',
    '',
  ].join('\n');
}
