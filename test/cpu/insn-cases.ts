// Test data for the per-instruction differential tests (insn-native.test.ts): instruction
// encodings, how to generate their operands, and which EFLAGS bits the Intel SDM leaves
// undefined after each instruction (those are not compared).
//
// Each spec is one encoding, written by hand as hex, with the Intel-syntax assembly it stands
// for. insn-encodings.test.ts assembles every `asm` with GNU as and checks it yields `hex`.
// Placeholders: `{imm}` in asm and `{ib}` / `{iw}` / `{id}` in hex stand for the case's
// immediate (a byte, a little-endian word or dword). Registers in cases are in insnrun's
// order: eax ecx edx ebx ebp esi edi (see test/helpers/snippet.ts); ESP is never an operand.

export const CF = 0x001, PF = 0x004, AF = 0x010, ZF = 0x040, SF = 0x080, DF = 0x400, OF = 0x800;
export const ARITH = CF | PF | AF | ZF | SF | OF;
export const SCRATCH = 0x10000000;

// ---- undefined-flag table ----------------------------------------------------------------

/** Arithmetic flags the Intel SDM (vol. 2, "Flags Affected") leaves undefined, by family. */
export const UNDEFINED_FLAGS = {
  /** ADD ADC SUB SBB CMP NEG INC DEC XADD CMPXCHG, CMPS/SCAS: all six flags defined (INC/DEC keep CF). */
  arith: 0,
  /** AND OR XOR TEST: OF = CF = 0, SF ZF PF from the result; AF undefined. */
  logic: AF,
  /** MOV, XCHG, LEA, MOVZX/MOVSX, NOT, BSWAP, SETcc, CMOVcc, CBW..CDQ, string moves: flags unaffected. */
  none: 0,
  /** MUL and IMUL (all forms): CF = OF = "upper half significant"; SF ZF AF PF undefined. */
  mul: SF | ZF | AF | PF,
  /** DIV and IDIV: every arithmetic flag undefined. */
  div: ARITH,
  /** BSF/BSR with a non-zero source: ZF = 0; CF OF SF AF PF undefined. */
  bitScan: CF | OF | SF | AF | PF,
  /** BT BTS BTR BTC: CF = the selected bit; ZF unaffected; OF SF AF PF undefined. */
  bitTest: OF | SF | AF | PF,
  /** DAA DAS: CF and AF are the decimal carry/borrow, SF ZF PF from AL; OF undefined. */
  daa: OF,
  /** AAA AAS: AF = CF = decimal carry/borrow; OF SF ZF PF undefined. */
  aaa: OF | SF | ZF | PF,
  /** AAM AAD: SF ZF PF from AL; OF AF CF undefined. */
  aam: OF | AF | CF,
} as const;

export type ShiftOp = 'rol' | 'ror' | 'rcl' | 'rcr' | 'shl' | 'shr' | 'sar';

/**
 * Undefined flags after a shift or rotate of a `bits`-wide operand by `count` (the raw CL or
 * imm8). The CPU first masks the count to 5 bits, whatever the operand size.
 */
export function shiftUndefined(op: ShiftOp, bits: number, count: number): number {
  const n = count & 31;
  // Masked count 0: no flag is changed, so all of them are compared.
  if (n === 0) return 0;
  // OF is defined only for 1-bit shifts and rotates (masked count 1).
  let u = n === 1 ? 0 : OF;
  // SHL/SHR/SAR with a non-zero count: AF undefined (SF ZF PF from the result, CF last bit out).
  // ROL/ROR/RCL/RCR leave SF ZF AF PF alone and always define CF.
  if (op === 'shl' || op === 'shr' || op === 'sar') u |= AF;
  // SHL/SHR: CF undefined when the count is >= the operand width (only 8/16-bit forms can
  // reach that after masking). SAR defines CF (the sign bit) for every count.
  if ((op === 'shl' || op === 'shr') && n >= bits) u |= CF;
  return u;
}

/** SHLD/SHRD by `count`: 0 changes nothing; else AF undefined, and OF unless the count is 1. */
export function doubleShiftUndefined(count: number): number {
  const n = count & 31;
  if (n === 0) return 0;
  return AF | (n === 1 ? 0 : OF);
}

// ---- cases -------------------------------------------------------------------------------

/** A generated case: registers eax ecx edx ebx ebp esi edi, EFLAGS and the immediate. */
export interface GenCase {
  regs: number[];
  eflags: number;
  imm: number;
}

/** How an immediate placeholder is filled: random byte/word/dword, or a shift count. */
export type ImmKind = 'ib' | 'iw' | 'id' | 'count';

export interface InsnSpec {
  /** Family, used to group the tests. */
  group: string;
  /** Intel syntax as GNU as accepts it (`;` separates instructions). */
  asm: string;
  /** The encoding, hex, with at most one immediate placeholder. */
  hex: string;
  imm?: ImmKind;
  /** Flags not compared: a constant from UNDEFINED_FLAGS or a function of the case. */
  undef: number | ((c: GenCase) => number);
  /** Adjusts the random operands (constraints: memory bases, valid divisors, counts). */
  setup?: (c: GenCase, r: Rng) => void;
  /** Randomise DF too (string instructions, CLD/STD). Otherwise DF starts clear. */
  df?: boolean;
}

/** mulberry32: small, fast, seeded. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed | 0;
  }
  u32(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** Uniform integer in [0, n), n <= 2^32. */
  below(n: number): number {
    return Math.floor((this.u32() / 4294967296) * n);
  }
  /** Uniform integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.below(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.u32() / 4294967296 < p;
  }
  pick<T>(a: readonly T[]): T {
    return a[this.below(a.length)];
  }
}

export function seedOf(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

export const EDGE32 = [
  0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000,
  0x80000001, 0xfffffffe, 0xffffffff,
];
const EDGE16 = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0x8001, 0xfffe, 0xffff];
const EDGE8 = [0, 1, 0x7f, 0x80, 0x81, 0xfe, 0xff];

/** A register value: fully random, an edge value, or random with an edge in the low 8/16 bits. */
export function randomValue(r: Rng): number {
  const k = r.below(100);
  if (k < 40) return r.u32();
  if (k < 65) return r.pick(EDGE32);
  if (k < 85) return ((r.u32() & ~0xffff) | (r.pick(EDGE8) << 8 * r.below(2))) >>> 0;
  return ((r.u32() & ~0xffff) | r.pick(EDGE16)) >>> 0;
}

function randomImm(kind: ImmKind | undefined, r: Rng): number {
  switch (kind) {
    case undefined: return 0;
    case 'ib': return r.chance(0.3) ? r.pick(EDGE8) : r.below(256);
    case 'iw': return r.chance(0.3) ? r.pick(EDGE16) : r.below(65536);
    case 'id': return r.chance(0.3) ? r.pick(EDGE32) : r.u32();
    case 'count': return r.chance(0.85) ? r.below(34) : r.below(256);
  }
}

export function generateCase(spec: InsnSpec, r: Rng): GenCase {
  const regs: number[] = [];
  for (let k = 0; k < 7; k++) regs.push(randomValue(r));
  if (r.chance(0.15)) regs[r.below(7)] = regs[r.below(7)]; // equal operands: x-x, x^x, cmp x,x
  let eflags = r.u32() & ARITH;
  if (spec.df && r.chance(0.5)) eflags |= DF;
  const c: GenCase = { regs, eflags, imm: randomImm(spec.imm, r) };
  if (spec.setup) spec.setup(c, r);
  return c;
}

/** The case's code bytes: spec.hex with the immediate filled in. */
export function codeOf(spec: InsnSpec, imm: number): number[] {
  const le = (v: number, n: number): string => {
    let s = '';
    for (let i = 0; i < n; i++) s += ((v >>> (8 * i)) & 0xff).toString(16).padStart(2, '0');
    return s;
  };
  const h = spec.hex.replace('{ib}', le(imm, 1)).replace('{iw}', le(imm, 2)).replace('{id}', le(imm, 4));
  if (!/^([0-9a-f]{2})+$/.test(h)) throw new Error(`bad hex in spec "${spec.asm}": ${spec.hex}`);
  const out: number[] = [];
  for (let i = 0; i < h.length; i += 2) out.push(parseInt(h.substr(i, 2), 16));
  return out;
}

/** The assembly with the immediate filled in (for messages and for the encoding check). */
export function asmOf(spec: InsnSpec, imm: number): string {
  return spec.asm.replace('{imm}', '0x' + (imm >>> 0).toString(16));
}

/** A value whose encoding GNU as picks in the same form as spec.hex (for the encoding check). */
export function sampleImm(kind: ImmKind | undefined): number {
  switch (kind) {
    case 'ib': return 0x12;
    case 'iw': return 0x1234;
    case 'id': return 0x12345678;
    case 'count': return 5;
    default: return 0;
  }
}

// ---- register access by machine register number ----------------------------------------

export const R32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
export const R16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'];
export const R8 = ['al', 'cl', 'dl', 'bl', 'ah', 'ch', 'dh', 'bh'];
export const EAX = 0, ECX = 1, EDX = 2, EBX = 3, EBP = 5, ESI = 6, EDI = 7;
/** Case slot of each machine register (ESP has none). */
const SLOT = [0, 1, 2, 3, -1, 4, 5, 6];

function slot(n: number): number {
  const s = SLOT[n];
  if (s < 0) throw new Error('ESP is not a case register');
  return s;
}
export function get32(c: GenCase, n: number): number {
  return c.regs[slot(n)] >>> 0;
}
export function set32(c: GenCase, n: number, v: number): void {
  c.regs[slot(n)] = v >>> 0;
}
export function get16(c: GenCase, n: number): number {
  return get32(c, n) & 0xffff;
}
export function set16(c: GenCase, n: number, v: number): void {
  set32(c, n, (get32(c, n) & ~0xffff) | (v & 0xffff));
}
export function get8(c: GenCase, n: number): number {
  return n < 4 ? get32(c, n) & 0xff : (get32(c, n - 4) >>> 8) & 0xff;
}
export function set8(c: GenCase, n: number, v: number): void {
  if (n < 4) set32(c, n, (get32(c, n) & ~0xff) | (v & 0xff));
  else set32(c, n - 4, (get32(c, n - 4) & ~0xff00) | ((v & 0xff) << 8));
}

/** The scratch page's initial contents, byte i = i*7+3, read little-endian. */
export function patternValue(offset: number, bytes: number): number {
  let v = 0;
  for (let i = bytes - 1; i >= 0; i--) v = v * 256 + (((offset + i) * 7 + 3) & 0xff);
  return v;
}

// ---- encoding helpers --------------------------------------------------------------------

const hx = (...b: number[]): string => b.map((x) => (x & 0xff).toString(16).padStart(2, '0')).join('');
const le32 = (v: number): string => hx(v, v >>> 8, v >>> 16, v >>> 24);
/** ModRM for a register-direct operand. */
const rr = (reg: number, rm: number): number => 0xc0 | (reg << 3) | rm;
/** ModRM for [base + disp8]. */
const m8 = (reg: number, base: number): number => 0x40 | (reg << 3) | base;

/** Memory operands are based on EBX pointing at the scratch page (+ offset). */
const ebxAt = (off = 0) => (c: GenCase): void => set32(c, EBX, SCRATCH + off);
const both = (...fs: Array<(c: GenCase, r: Rng) => void>) => (c: GenCase, r: Rng): void => {
  for (const f of fs) f(c, r);
};

// ---- the spec list -----------------------------------------------------------------------

export const SPECS: InsnSpec[] = [];
const add = (s: InsnSpec): void => {
  SPECS.push(s);
};

// ALU: ADD OR ADC SBB AND SUB XOR CMP in every form.
const ALU = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'];
for (let k = 0; k < 8; k++) {
  const op = ALU[k];
  const group = `alu-${op}`;
  const undef = op === 'and' || op === 'or' || op === 'xor' ? UNDEFINED_FLAGS.logic : UNDEFINED_FLAGS.arith;
  const b = k * 8;
  for (const [d, s] of [[EAX, ECX], [EDX, EBX], [ESI, EDI], [EBP, EAX], [ECX, ECX]]) {
    add({ group, asm: `${op} ${R32[d]}, ${R32[s]}`, hex: hx(b + 1, rr(s, d)), undef });
  }
  add({ group, asm: `{load} ${op} ${R32[EBX]}, ${R32[ESI]}`, hex: hx(b + 3, rr(EBX, ESI)), undef });
  for (const [d, s] of [[0, 1], [4, 3], [6, 7], [1, 5], [2, 2]]) {
    add({ group, asm: `${op} ${R8[d]}, ${R8[s]}`, hex: hx(b, rr(s, d)), undef });
  }
  add({ group, asm: `{load} ${op} ${R8[7]}, ${R8[0]}`, hex: hx(b + 2, rr(7, 0)), undef });
  for (const [d, s] of [[EAX, ECX], [ESI, EDI]]) {
    add({ group, asm: `${op} ${R16[d]}, ${R16[s]}`, hex: '66' + hx(b + 1, rr(s, d)), undef });
  }
  add({ group, asm: `${op} al, {imm}`, hex: hx(b + 4) + '{ib}', imm: 'ib', undef });
  add({ group, asm: `${op} eax, {imm}`, hex: hx(b + 5) + '{id}', imm: 'id', undef });
  add({ group, asm: `${op} ax, {imm}`, hex: '66' + hx(b + 5) + '{iw}', imm: 'iw', undef });
  add({ group, asm: `${op} dl, {imm}`, hex: hx(0x80, rr(k, 2)) + '{ib}', imm: 'ib', undef });
  add({ group, asm: `${op} bh, {imm}`, hex: hx(0x80, rr(k, 7)) + '{ib}', imm: 'ib', undef });
  add({ group, asm: `${op} ecx, {imm}`, hex: hx(0x81, rr(k, ECX)) + '{id}', imm: 'id', undef });
  // 83 /k: imm8 sign-extended to 32 bits
  add({ group, asm: `${op} edx, {imm}`, hex: hx(0x83, rr(k, EDX)) + '{ib}', imm: 'ib', undef });
  add({ group, asm: `${op} bx, {imm}`, hex: '66' + hx(0x81, rr(k, EBX)) + '{iw}', imm: 'iw', undef });
  add({ group, asm: `${op} si, {imm}`, hex: '66' + hx(0x83, rr(k, ESI)) + '{ib}', imm: 'ib', undef });
  // memory forms on the scratch page
  add({ group, asm: `${op} dword ptr [ebx+0x10], ecx`, hex: hx(b + 1, m8(ECX, EBX), 0x10), undef, setup: ebxAt() });
  add({ group, asm: `${op} edx, dword ptr [ebx+0x21]`, hex: hx(b + 3, m8(EDX, EBX), 0x21), undef, setup: ebxAt() });
  add({ group, asm: `${op} byte ptr [ebx+0x11], ah`, hex: hx(b, m8(4, EBX), 0x11), undef, setup: ebxAt() });
  add({ group, asm: `${op} word ptr [ebx+0x32], si`, hex: '66' + hx(b + 1, m8(ESI, EBX), 0x32), undef, setup: ebxAt() });
  add({ group, asm: `${op} byte ptr [ebx+0x15], {imm}`, hex: hx(0x80, m8(k, EBX), 0x15) + '{ib}', imm: 'ib', undef, setup: ebxAt() });
  add({ group, asm: `${op} word ptr [ebx+0x16], {imm}`, hex: '66' + hx(0x81, m8(k, EBX), 0x16) + '{iw}', imm: 'iw', undef, setup: ebxAt() });
  // 16-bit memory forms: 66 03 (register from memory) and 66 83 /k (imm8 sign-extended to 16 bits)
  add({ group, asm: `${op} di, word ptr [ebx+0x27]`, hex: '66' + hx(b + 3, m8(EDI, EBX), 0x27), undef, setup: ebxAt() });
  add({ group, asm: `${op} word ptr [ebx+0x26], {imm}`, hex: '66' + hx(0x83, m8(k, EBX), 0x26) + '{ib}', imm: 'ib', undef, setup: ebxAt() });
  add({
    group, asm: `${op} word ptr [0x10000046], {imm}`, hex: '66' + hx(0x83, (k << 3) | 5) + le32(SCRATCH + 0x46) + '{ib}',
    imm: 'ib', undef,
  });
  add({
    group, asm: `${op} dword ptr [0x10000040], {imm}`, hex: hx(0x83, (k << 3) | 5) + le32(SCRATCH + 0x40) + '{ib}',
    imm: 'ib', undef,
  });
}

// TEST
{
  const group = 'test';
  const undef = UNDEFINED_FLAGS.logic;
  add({ group, asm: 'test eax, ecx', hex: '85c8', undef });
  add({ group, asm: 'test esi, esi', hex: '85f6', undef });
  add({ group, asm: 'test cl, al', hex: '84c1', undef });
  add({ group, asm: 'test ah, bh', hex: '84fc', undef });
  add({ group, asm: 'test di, dx', hex: '6685d7', undef });
  add({ group, asm: 'test al, {imm}', hex: 'a8{ib}', imm: 'ib', undef });
  add({ group, asm: 'test eax, {imm}', hex: 'a9{id}', imm: 'id', undef });
  add({ group, asm: 'test ecx, {imm}', hex: 'f7c1{id}', imm: 'id', undef });
  add({ group, asm: 'test dh, {imm}', hex: 'f6c6{ib}', imm: 'ib', undef });
  add({ group, asm: 'test bx, {imm}', hex: '66f7c3{iw}', imm: 'iw', undef });
  add({ group, asm: 'test dword ptr [ebx+0x18], edx', hex: '855318', undef, setup: ebxAt() });
  add({ group, asm: 'test byte ptr [ebx+5], {imm}', hex: 'f64305{ib}', imm: 'ib', undef, setup: ebxAt() });
  add({ group, asm: 'test dword ptr [ebx+8], {imm}', hex: 'f74308{id}', imm: 'id', undef, setup: ebxAt() });
}

// INC DEC NEG NOT
{
  const group = 'incdec';
  const undef = UNDEFINED_FLAGS.arith;
  for (const r of [EAX, EDI]) {
    add({ group, asm: `inc ${R32[r]}`, hex: hx(0x40 + r), undef });
    add({ group, asm: `dec ${R32[r]}`, hex: hx(0x48 + r), undef });
  }
  add({ group, asm: 'inc al', hex: 'fec0', undef });
  add({ group, asm: 'inc ah', hex: 'fec4', undef });
  add({ group, asm: 'dec bh', hex: 'fecf', undef });
  add({ group, asm: 'dec cl', hex: 'fec9', undef });
  add({ group, asm: 'inc ax', hex: '6640', undef });
  add({ group, asm: 'dec si', hex: '664e', undef });
  add({ group, asm: 'inc dword ptr [ebx+4]', hex: 'ff4304', undef, setup: ebxAt() });
  add({ group, asm: 'dec word ptr [ebx+0x7]', hex: '66ff4b07', undef, setup: ebxAt() });
  add({ group, asm: 'inc byte ptr [ebx+0x25]', hex: 'fe4325', undef, setup: ebxAt() });
}
{
  const group = 'negnot';
  add({ group, asm: 'neg eax', hex: 'f7d8', undef: UNDEFINED_FLAGS.arith });
  add({ group, asm: 'neg bl', hex: 'f6db', undef: UNDEFINED_FLAGS.arith });
  add({ group, asm: 'neg ch', hex: 'f6dd', undef: UNDEFINED_FLAGS.arith });
  add({ group, asm: 'neg si', hex: '66f7de', undef: UNDEFINED_FLAGS.arith });
  add({ group, asm: 'neg dword ptr [ebx+8]', hex: 'f75b08', undef: UNDEFINED_FLAGS.arith, setup: ebxAt() });
  add({ group, asm: 'not eax', hex: 'f7d0', undef: UNDEFINED_FLAGS.none });
  add({ group, asm: 'not ah', hex: 'f6d4', undef: UNDEFINED_FLAGS.none });
  add({ group, asm: 'not cx', hex: '66f7d1', undef: UNDEFINED_FLAGS.none });
  add({ group, asm: 'not byte ptr [ebx+9]', hex: 'f65309', undef: UNDEFINED_FLAGS.none, setup: ebxAt() });
}

// Shifts and rotates: by 1, by CL and by imm8, in 8, 16 and 32 bits, and on memory.
{
  const OPS: Array<[ShiftOp, number]> = [
    ['rol', 0], ['ror', 1], ['rcl', 2], ['rcr', 3], ['shl', 4], ['shr', 5], ['sar', 7],
  ];
  /** CL gets a count that is mostly 0..33 and sometimes any byte; upper ECX bits stay random. */
  const clCount = (c: GenCase, r: Rng): void => {
    set8(c, ECX, r.chance(0.85) ? r.below(34) : r.below(256));
  };
  for (const [op, ext] of OPS) {
    const group = `shift-${op}`;
    const targets: Array<[number, string, string, number]> = [
      // bits, prefix, register name, rm
      [32, '', 'edx', EDX], [16, '66', 'si', ESI], [8, '', 'bh', 7], [8, '', 'al', 0],
    ];
    for (const [bits, pfx, reg, rm] of targets) {
      const o1 = bits === 8 ? 0xd0 : 0xd1;
      const ocl = bits === 8 ? 0xd2 : 0xd3;
      const oimm = bits === 8 ? 0xc0 : 0xc1;
      add({ group, asm: `${op} ${reg}, 1`, hex: pfx + hx(o1, rr(ext, rm)), undef: shiftUndefined(op, bits, 1) });
      add({
        group, asm: `${op} ${reg}, cl`, hex: pfx + hx(ocl, rr(ext, rm)), setup: clCount,
        undef: (c) => shiftUndefined(op, bits, get8(c, ECX)),
      });
      add({
        group, asm: `${op} ${reg}, {imm}`, hex: pfx + hx(oimm, rr(ext, rm)) + '{ib}', imm: 'count',
        undef: (c) => shiftUndefined(op, bits, c.imm),
      });
    }
    add({
      group, asm: `${op} dword ptr [ebx+4], cl`, hex: hx(0xd3, m8(ext, EBX), 4), setup: both(ebxAt(), clCount),
      undef: (c) => shiftUndefined(op, 32, get8(c, ECX)),
    });
    add({
      group, asm: `${op} byte ptr [ebx+5], 1`, hex: hx(0xd0, m8(ext, EBX), 5), setup: ebxAt(),
      undef: shiftUndefined(op, 8, 1),
    });
    add({
      group, asm: `${op} word ptr [ebx+6], {imm}`, hex: '66' + hx(0xc1, m8(ext, EBX), 6) + '{ib}', imm: 'count',
      setup: ebxAt(), undef: (c) => shiftUndefined(op, 16, c.imm),
    });
  }
}

// SHLD / SHRD. 16-bit forms with a masked count above 16 have an undefined result: not generated.
{
  const group = 'shld-shrd';
  const clCount = (max: number) => (c: GenCase, r: Rng): void => {
    set8(c, ECX, r.chance(0.8) ? r.below(max + 1) : (r.below(256) & ~31) | r.below(Math.min(max, 31) + 1));
  };
  const immMax16 = (c: GenCase, r: Rng): void => {
    if ((c.imm & 31) > 16) c.imm = (c.imm & ~31) | r.below(17);
  };
  const byImm = (c: GenCase) => doubleShiftUndefined(c.imm);
  const byCl = (c: GenCase) => doubleShiftUndefined(get8(c, ECX));
  add({ group, asm: 'shld eax, edx, {imm}', hex: '0fa4d0{ib}', imm: 'count', undef: byImm });
  add({ group, asm: 'shld eax, edx, cl', hex: '0fa5d0', setup: clCount(33), undef: byCl });
  add({ group, asm: 'shrd ebx, esi, {imm}', hex: '0facf3{ib}', imm: 'count', undef: byImm });
  add({ group, asm: 'shrd ebx, esi, cl', hex: '0fadf3', setup: clCount(33), undef: byCl });
  add({ group, asm: 'shld si, di, {imm}', hex: '660fa4fe{ib}', imm: 'count', setup: immMax16, undef: byImm });
  add({ group, asm: 'shrd ax, dx, cl', hex: '660fadd0', setup: clCount(16), undef: byCl });
  add({ group, asm: 'shld dx, bx, cl', hex: '660fa5da', setup: clCount(16), undef: byCl });
  add({
    group, asm: 'shld dword ptr [ebx+8], ecx, cl', hex: '0fa54b08', setup: both(ebxAt(), clCount(33)),
    undef: byCl,
  });
  add({ group, asm: 'shrd dword ptr [ebx+0xc], edx, {imm}', hex: '0fac530c{ib}', imm: 'count', setup: ebxAt(), undef: byImm });
}

// MUL / IMUL
{
  const group = 'mul';
  const undef = UNDEFINED_FLAGS.mul;
  add({ group, asm: 'mul ecx', hex: 'f7e1', undef });
  add({ group, asm: 'mul bl', hex: 'f6e3', undef });
  add({ group, asm: 'mul bh', hex: 'f6e7', undef });
  add({ group, asm: 'mul si', hex: '66f7e6', undef });
  add({ group, asm: 'mul dword ptr [ebx+4]', hex: 'f76304', undef, setup: ebxAt() });
  add({ group, asm: 'mul eax', hex: 'f7e0', undef });
  add({ group, asm: 'imul ecx', hex: 'f7e9', undef });
  add({ group, asm: 'imul bh', hex: 'f6ef', undef });
  add({ group, asm: 'imul di', hex: '66f7ef', undef });
  add({ group, asm: 'imul byte ptr [ebx+0x12]', hex: 'f66b12', undef, setup: ebxAt() });
  add({ group, asm: 'imul eax, ecx', hex: '0fafc1', undef });
  add({ group, asm: 'imul esi, esi', hex: '0faff6', undef });
  add({ group, asm: 'imul edx, dword ptr [ebx+0xc]', hex: '0faf530c', undef, setup: ebxAt() });
  add({ group, asm: 'imul si, di', hex: '660faff7', undef });
  add({ group, asm: 'imul cx, word ptr [ebx+0x14]', hex: '660faf4b14', undef, setup: ebxAt() });
  add({ group, asm: 'imul eax, ecx, {imm}', hex: '69c1{id}', imm: 'id', undef });
  add({ group, asm: 'imul edx, ebx, {imm}', hex: '6bd3{ib}', imm: 'ib', undef });
  add({ group, asm: 'imul ax, cx, {imm}', hex: '6669c1{iw}', imm: 'iw', undef });
  add({ group, asm: 'imul bp, bx, {imm}', hex: '666beb{ib}', imm: 'ib', undef });
  add({ group, asm: 'imul esi, dword ptr [ebx+4], {imm}', hex: '6b7304{ib}', imm: 'ib', undef, setup: ebxAt() });
}

// DIV / IDIV, with dividends chosen so the quotient fits (no #DE).
{
  const group = 'div';
  const undef = UNDEFINED_FLAGS.div;
  type Divisor = { bits: 8 | 16 | 32; get: (c: GenCase) => number; set?: (c: GenCase, v: number) => void };
  const rnd = (r: Rng, bits: number): bigint =>
    bits === 32 ? BigInt(r.u32()) : BigInt(r.below(2 ** bits));
  const below = (r: Rng, n: bigint): bigint => {
    // uniform enough for n < 2^64
    const x = (BigInt(r.u32()) << 32n) | BigInt(r.u32());
    return x % n;
  };
  const writeDividend = (c: GenCase, bits: number, v: bigint): void => {
    const mask = (1n << BigInt(2 * bits)) - 1n;
    const u = v & mask;
    if (bits === 8) set16(c, EAX, Number(u));
    else if (bits === 16) {
      set16(c, EAX, Number(u & 0xffffn));
      set16(c, EDX, Number(u >> 16n));
    } else {
      set32(c, EAX, Number(u & 0xffffffffn));
      set32(c, EDX, Number(u >> 32n));
    }
  };
  const divSetup = (d: Divisor, signed: boolean) => (c: GenCase, r: Rng): void => {
    const bits = d.bits;
    const B = BigInt(bits);
    let dv = d.get(c);
    if (dv === 0) {
      if (!d.set) throw new Error('fixed divisor is zero');
      dv = 1 + r.below(2 ** bits - 1);
      d.set(c, dv);
    }
    if (!signed) {
      const hi = below(r, BigInt(dv));
      writeDividend(c, bits, (hi << B) | rnd(r, bits));
      return;
    }
    const sd = BigInt.asIntN(bits, BigInt(dv));
    const qmax = (1n << (B - 1n)) - 1n, qmin = -(1n << (B - 1n));
    let q: bigint;
    const k = r.below(10);
    if (k === 0) q = qmax;
    else if (k === 1) q = qmin;
    else if (k < 5) q = BigInt(r.range(-300, 300));
    else q = BigInt.asIntN(bits, rnd(r, bits));
    if (q < qmin) q = qmin;
    if (q > qmax) q = qmax;
    const ad = sd < 0n ? -sd : sd;
    let rem = below(r, ad);
    const prod = q * sd;
    if (prod < 0n || (prod === 0n && r.chance(0.5))) rem = -rem;
    writeDividend(c, bits, prod + rem);
  };
  const reg = (bits: 8 | 16 | 32, n: number): Divisor => ({
    bits,
    get: (c) => (bits === 8 ? get8(c, n) : bits === 16 ? get16(c, n) : get32(c, n)),
    set: (c, v) => (bits === 8 ? set8(c, n, v) : bits === 16 ? set16(c, n, v) : set32(c, n, v)),
  });
  const mem = (bits: 8 | 16 | 32, off: number): Divisor => ({ bits, get: () => patternValue(off, bits / 8) });
  const memAt = (d: Divisor, signed: boolean) => both(ebxAt(), divSetup(d, signed));
  add({ group, asm: 'div ecx', hex: 'f7f1', undef, setup: divSetup(reg(32, ECX), false) });
  add({ group, asm: 'div esi', hex: 'f7f6', undef, setup: divSetup(reg(32, ESI), false) });
  add({ group, asm: 'div bl', hex: 'f6f3', undef, setup: divSetup(reg(8, 3), false) });
  add({ group, asm: 'div bh', hex: 'f6f7', undef, setup: divSetup(reg(8, 7), false) });
  add({ group, asm: 'div si', hex: '66f7f6', undef, setup: divSetup(reg(16, ESI), false) });
  add({ group, asm: 'div dword ptr [ebx+8]', hex: 'f77308', undef, setup: memAt(mem(32, 8), false) });
  add({ group, asm: 'div byte ptr [ebx+0x13]', hex: 'f67313', undef, setup: memAt(mem(8, 0x13), false) });
  add({ group, asm: 'idiv ecx', hex: 'f7f9', undef, setup: divSetup(reg(32, ECX), true) });
  add({ group, asm: 'idiv edi', hex: 'f7ff', undef, setup: divSetup(reg(32, EDI), true) });
  add({ group, asm: 'idiv bl', hex: 'f6fb', undef, setup: divSetup(reg(8, 3), true) });
  add({ group, asm: 'idiv bh', hex: 'f6ff', undef, setup: divSetup(reg(8, 7), true) });
  add({ group, asm: 'idiv di', hex: '66f7ff', undef, setup: divSetup(reg(16, EDI), true) });
  add({ group, asm: 'idiv dword ptr [ebx+0x10]', hex: 'f77b10', undef, setup: memAt(mem(32, 0x10), true) });
  add({ group, asm: 'idiv word ptr [ebx+0x1e]', hex: '66f77b1e', undef, setup: memAt(mem(16, 0x1e), true) });
  add({ group, asm: 'idiv byte ptr [ebx+0x12]', hex: 'f67b12', undef, setup: memAt(mem(8, 0x12), true) });
}

// BT BTS BTR BTC, BSF BSR
{
  const group = 'bit';
  const undef = UNDEFINED_FLAGS.bitTest;
  /** Register bit offsets for memory forms stay within the shown scratch bytes around ebx. */
  const memBitOffset = (c: GenCase, r: Rng): void => {
    set32(c, EBX, SCRATCH + 0x80);
    set32(c, ECX, r.range(-1024, 1023));
  };
  const memBitOffset16 = (c: GenCase, r: Rng): void => {
    set32(c, EBX, SCRATCH + 0x80);
    set16(c, ECX, r.range(-1024, 1023));
  };
  const NAMES = ['bt', 'bts', 'btr', 'btc'];
  const RMOP = [0xa3, 0xab, 0xb3, 0xbb];
  for (let k = 0; k < 4; k++) {
    const op = NAMES[k];
    add({ group, asm: `${op} eax, ecx`, hex: hx(0x0f, RMOP[k], rr(ECX, EAX)), undef });
    add({ group, asm: `${op} edi, edx`, hex: hx(0x0f, RMOP[k], rr(EDX, EDI)), undef });
    add({ group, asm: `${op} si, bx`, hex: '66' + hx(0x0f, RMOP[k], rr(EBX, ESI)), undef });
    add({ group, asm: `${op} edx, {imm}`, hex: hx(0x0f, 0xba, rr(4 + k, EDX)) + '{ib}', imm: 'ib', undef });
    add({ group, asm: `${op} ax, {imm}`, hex: '66' + hx(0x0f, 0xba, rr(4 + k, EAX)) + '{ib}', imm: 'ib', undef });
    add({ group, asm: `${op} dword ptr [ebx], ecx`, hex: hx(0x0f, RMOP[k], 0x0b), undef, setup: memBitOffset });
    add({ group, asm: `${op} word ptr [ebx], cx`, hex: '66' + hx(0x0f, RMOP[k], 0x0b), undef, setup: memBitOffset16 });
    add({
      group, asm: `${op} dword ptr [ebx+4], {imm}`, hex: hx(0x0f, 0xba, m8(4 + k, EBX), 4) + '{ib}', imm: 'ib',
      undef, setup: ebxAt(),
    });
  }
  const nonzero32 = (n: number) => (c: GenCase, r: Rng): void => {
    if (get32(c, n) === 0) set32(c, n, 1 << r.below(32));
  };
  const nonzero16 = (n: number) => (c: GenCase, r: Rng): void => {
    if (get16(c, n) === 0) set16(c, n, 1 << r.below(16));
  };
  const u = UNDEFINED_FLAGS.bitScan;
  add({ group, asm: 'bsf eax, ecx', hex: '0fbcc1', undef: u, setup: nonzero32(ECX) });
  add({ group, asm: 'bsr edx, ebx', hex: '0fbdd3', undef: u, setup: nonzero32(EBX) });
  add({ group, asm: 'bsf si, di', hex: '660fbcf7', undef: u, setup: nonzero16(EDI) });
  add({ group, asm: 'bsr ax, cx', hex: '660fbdc1', undef: u, setup: nonzero16(ECX) });
  add({ group, asm: 'bsf ecx, dword ptr [ebx+0x40]', hex: '0fbc4b40', undef: u, setup: ebxAt() });
  add({ group, asm: 'bsr edi, dword ptr [ebx+0x44]', hex: '0fbd7b44', undef: u, setup: ebxAt() });
}

// Post-Core-2 scalar extensions (the default CPU model has them): BMI1, BMI2, LZCNT, ADX,
// MOVBE, CRC32. Flags per the SDM's "Flags Affected" of each.
{
  const group = 'modern';
  const none = UNDEFINED_FLAGS.none;
  const logicU = AF | PF; // ANDN BLSI BLSMSK BLSR BZHI: AF PF undefined
  const cntU = OF | SF | AF | PF; // LZCNT TZCNT
  add({ group, asm: 'andn eax, ecx, edx', hex: 'c4e270f2c2', undef: logicU });
  add({ group, asm: 'andn esi, edi, dword ptr [ebx+0x10]', hex: 'c4e240f27310', undef: logicU, setup: ebxAt() });
  // Half the cases with a start and length near the operand width (the interesting range).
  add({
    group, asm: 'bextr eax, ecx, edx', hex: 'c4e268f7c1', undef: AF | SF | PF,
    setup: (c, r) => { if (r.below(2)) set32(c, EDX, r.below(40) | (r.below(40) << 8)); },
  });
  add({ group, asm: 'blsr ecx, edx', hex: 'c4e270f3ca', undef: logicU });
  add({ group, asm: 'blsmsk esi, eax', hex: 'c4e248f3d0', undef: logicU });
  add({ group, asm: 'blsi edi, dword ptr [ebx]', hex: 'c4e240f31b', undef: logicU, setup: ebxAt() });
  add({
    group, asm: 'bzhi eax, ecx, edx', hex: 'c4e268f5c1', undef: logicU,
    setup: (c, r) => { if (r.below(2)) set32(c, EDX, (r.below(0x1000000) << 8) | r.below(40)); },
  });
  add({ group, asm: 'pdep eax, ecx, edx', hex: 'c4e273f5c2', undef: none });
  add({ group, asm: 'pext esi, edi, ebx', hex: 'c4e242f5f3', undef: none });
  add({ group, asm: 'mulx ebx, esi, ecx', hex: 'c4e24bf6d9', undef: none });
  add({ group, asm: 'mulx eax, eax, edx', hex: 'c4e27bf6c2', undef: none });
  add({ group, asm: 'rorx eax, ecx, {imm}', hex: 'c4e37bf0c1{ib}', imm: 'ib', undef: none });
  add({ group, asm: 'sarx eax, ecx, edx', hex: 'c4e26af7c1', undef: none });
  add({ group, asm: 'shlx eax, ecx, edx', hex: 'c4e269f7c1', undef: none });
  add({ group, asm: 'shrx eax, ecx, edx', hex: 'c4e26bf7c1', undef: none });
  add({ group, asm: 'shlx esi, dword ptr [ebx+4], edi', hex: 'c4e241f77304', undef: none, setup: ebxAt() });
  add({ group, asm: 'lzcnt eax, ecx', hex: 'f30fbdc1', undef: cntU });
  add({ group, asm: 'lzcnt si, di', hex: '66f30fbdf7', undef: cntU });
  add({ group, asm: 'tzcnt edx, ebx', hex: 'f30fbcd3', undef: cntU });
  add({ group, asm: 'tzcnt ax, cx', hex: '66f30fbcc1', undef: cntU });
  add({ group, asm: 'tzcnt ecx, dword ptr [ebx+0x40]', hex: 'f30fbc4b40', undef: cntU, setup: ebxAt() });
  add({ group, asm: 'adcx eax, ecx', hex: '660f38f6c1', undef: none });
  add({ group, asm: 'adox edx, esi', hex: 'f30f38f6d6', undef: none });
  add({ group, asm: 'adcx edi, dword ptr [ebx+8]', hex: '660f38f67b08', undef: none, setup: ebxAt() });
  add({ group, asm: 'movbe eax, dword ptr [ebx+0x10]', hex: '0f38f04310', undef: none, setup: ebxAt() });
  add({ group, asm: 'movbe cx, word ptr [ebx+7]', hex: '660f38f04b07', undef: none, setup: ebxAt() });
  add({ group, asm: 'movbe dword ptr [ebx+3], edx', hex: '0f38f15303', undef: none, setup: ebxAt() });
  add({ group, asm: 'movbe word ptr [ebx+0x20], si', hex: '660f38f17320', undef: none, setup: ebxAt() });
  add({ group, asm: 'crc32 eax, cl', hex: 'f20f38f0c1', undef: none });
  add({ group, asm: 'crc32 edx, si', hex: '66f20f38f1d6', undef: none });
  add({ group, asm: 'crc32 esi, edi', hex: 'f20f38f1f7', undef: none });
  add({ group, asm: 'crc32 ecx, dword ptr [ebx+4]', hex: 'f20f38f14b04', undef: none, setup: ebxAt() });
  add({ group, asm: 'crc32 eax, byte ptr [ebx+1]', hex: 'f20f38f04301', undef: none, setup: ebxAt() });
}

// Data movement: MOV XCHG XADD CMPXCHG BSWAP MOVZX MOVSX LEA CBW.. XLAT, PUSH/POP pairs
{
  const group = 'move';
  const none = UNDEFINED_FLAGS.none;
  add({ group, asm: 'mov eax, dword ptr [0x10000010]', hex: 'a1' + le32(SCRATCH + 0x10), undef: none });
  add({ group, asm: 'mov al, byte ptr [0x10000011]', hex: 'a0' + le32(SCRATCH + 0x11), undef: none });
  add({ group, asm: 'mov byte ptr [0x10000020], al', hex: 'a2' + le32(SCRATCH + 0x20), undef: none });
  add({ group, asm: 'mov dword ptr [0x10000023], eax', hex: 'a3' + le32(SCRATCH + 0x23), undef: none });
  add({ group, asm: 'mov word ptr [ebx+0x22], si', hex: '66897322', undef: none, setup: ebxAt() });
  add({ group, asm: 'mov ch, byte ptr [ebx+0x33]', hex: '8a6b33', undef: none, setup: ebxAt() });
  add({ group, asm: 'mov dword ptr [ebx+0x44], {imm}', hex: 'c74344{id}', imm: 'id', undef: none, setup: ebxAt() });
  add({ group, asm: 'mov byte ptr [ebx+0x45], {imm}', hex: 'c64345{ib}', imm: 'ib', undef: none, setup: ebxAt() });
  add({ group, asm: 'mov word ptr [ebx+0x47], {imm}', hex: '66c74347{iw}', imm: 'iw', undef: none, setup: ebxAt() });
  add({ group, asm: 'mov dh, {imm}', hex: 'b6{ib}', imm: 'ib', undef: none });
  add({ group, asm: 'mov edi, {imm}', hex: 'bf{id}', imm: 'id', undef: none });
  add({ group, asm: 'mov si, {imm}', hex: '66be{iw}', imm: 'iw', undef: none });
  add({ group, asm: 'mov ah, bl', hex: '88dc', undef: none });
  add({ group, asm: 'mov ebp, edx', hex: '89d5', undef: none });
  add({ group, asm: 'mov dword ptr [ebx+ecx*4+0x10], edx', hex: '89548b10', undef: none,
    setup: (c, r) => { set32(c, EBX, SCRATCH); set32(c, ECX, r.below(50)); } });
  add({ group, asm: 'mov eax, dword ptr [esi+edi*2-0x10]', hex: '8b447ef0', undef: none,
    setup: (c, r) => { set32(c, ESI, SCRATCH + 0x10 + r.below(100)); set32(c, EDI, r.below(60)); } });
  add({ group, asm: 'xchg ecx, eax', hex: '91', undef: none });
  add({ group, asm: 'xchg edx, esi', hex: '87f2', undef: none });
  add({ group, asm: 'xchg al, ah', hex: '86e0', undef: none });
  add({ group, asm: 'xchg bx, bp', hex: '6687eb', undef: none });
  add({ group, asm: 'xchg dword ptr [ebx+4], edx', hex: '875304', undef: none, setup: ebxAt() });
  add({ group, asm: 'bswap eax', hex: '0fc8', undef: none });
  add({ group, asm: 'bswap esi', hex: '0fce', undef: none });
  add({ group, asm: 'movzx eax, cl', hex: '0fb6c1', undef: none });
  add({ group, asm: 'movzx edx, bh', hex: '0fb6d7', undef: none });
  add({ group, asm: 'movzx eax, cx', hex: '0fb7c1', undef: none });
  add({ group, asm: 'movzx ax, bl', hex: '660fb6c3', undef: none });
  add({ group, asm: 'movsx eax, cl', hex: '0fbec1', undef: none });
  add({ group, asm: 'movsx edx, ah', hex: '0fbed4', undef: none });
  add({ group, asm: 'movsx esi, di', hex: '0fbff7', undef: none });
  add({ group, asm: 'movsx ax, bl', hex: '660fbec3', undef: none });
  add({ group, asm: 'movsx ecx, byte ptr [ebx+0x12]', hex: '0fbe4b12', undef: none, setup: ebxAt() });
  add({ group, asm: 'movsx edx, word ptr [ebx+0x13]', hex: '0fbf5313', undef: none, setup: ebxAt() });
  add({ group, asm: 'movzx edi, word ptr [ebx+0x13]', hex: '0fb77b13', undef: none, setup: ebxAt() });
  add({ group, asm: 'movzx cx, byte ptr [ebx+0x12]', hex: '660fb64b12', undef: none, setup: ebxAt() });
  add({ group, asm: 'cbw', hex: '6698', undef: none });
  add({ group, asm: 'cwde', hex: '98', undef: none });
  add({ group, asm: 'cwd', hex: '6699', undef: none });
  add({ group, asm: 'cdq', hex: '99', undef: none });
  add({ group, asm: 'xlatb', hex: 'd7', undef: none, setup: ebxAt() });
  add({ group, asm: '{disp8} nop dword ptr [eax+eax*1+0]', hex: '0f1f440000', undef: none });
  add({ group, asm: 'nop', hex: '90', undef: none });
}
{
  const group = 'xadd-cmpxchg';
  const undef = UNDEFINED_FLAGS.arith;
  add({ group, asm: 'xadd eax, ecx', hex: '0fc1c8', undef });
  add({ group, asm: 'xadd al, bl', hex: '0fc0d8', undef });
  add({ group, asm: 'xadd si, di', hex: '660fc1fe', undef });
  add({ group, asm: 'xadd dword ptr [ebx+8], edx', hex: '0fc15308', undef, setup: ebxAt() });
  add({ group, asm: 'lock xadd dword ptr [ebx+8], edx', hex: 'f00fc15308', undef, setup: ebxAt() });
  add({ group, asm: 'xadd byte ptr [ebx+0x30], dl', hex: '0fc05330', undef, setup: ebxAt() });
  /** Half the time the accumulator equals the destination, so the exchange happens. */
  const accEq = (get: (c: GenCase) => number, set: (c: GenCase, v: number) => void) => (c: GenCase, r: Rng): void => {
    if (r.chance(0.5)) set(c, get(c));
  };
  add({ group, asm: 'cmpxchg ecx, edx', hex: '0fb1d1', undef, setup: accEq((c) => get32(c, ECX), (c, v) => set32(c, EAX, v)) });
  add({ group, asm: 'cmpxchg bl, dh', hex: '0fb0f3', undef, setup: accEq((c) => get8(c, 3), (c, v) => set8(c, 0, v)) });
  add({ group, asm: 'cmpxchg di, si', hex: '660fb1f7', undef, setup: accEq((c) => get16(c, EDI), (c, v) => set16(c, EAX, v)) });
  add({
    group, asm: 'cmpxchg dword ptr [ebx+4], esi', hex: '0fb17304', undef,
    setup: both(ebxAt(), accEq(() => patternValue(4, 4), (c, v) => set32(c, EAX, v))),
  });
  add({
    group, asm: 'lock cmpxchg byte ptr [ebx+0x21], cl', hex: 'f00fb04b21', undef,
    setup: both(ebxAt(), accEq(() => patternValue(0x21, 1), (c, v) => set8(c, 0, v))),
  });
  add({
    group, asm: 'cmpxchg8b qword ptr [ebx]', hex: '0fc70b', undef,
    setup: (c, r) => {
      set32(c, EBX, SCRATCH + 0x10);
      if (r.chance(0.5)) {
        set32(c, EAX, patternValue(0x10, 4));
        set32(c, EDX, patternValue(0x14, 4));
      }
    },
  });
}
{
  const group = 'lea';
  const none = UNDEFINED_FLAGS.none;
  add({ group, asm: 'lea eax, [ebx+ecx*4+0x12345678]', hex: '8d848b78563412', undef: none });
  add({ group, asm: 'lea edx, [esi*8]', hex: '8d14f500000000', undef: none });
  add({ group, asm: 'lea ecx, [ebp+edi*2-8]', hex: '8d4c7df8', undef: none });
  add({ group, asm: 'lea esi, [eax+eax*1]', hex: '8d3400', undef: none });
  add({ group, asm: 'lea edi, [ebx+0x7f]', hex: '8d7b7f', undef: none });
  add({ group, asm: 'lea eax, [ecx+edx]', hex: '8d0411', undef: none });
  add({ group, asm: 'lea ebx, [ebx+ebx*2]', hex: '8d1c5b', undef: none });
  add({ group, asm: 'lea edi, [edx+ebp*8+0x1000]', hex: '8dbcea00100000', undef: none });
  add({ group, asm: 'lea ecx, [ebp]', hex: '8d4d00', undef: none });
  add({ group, asm: 'lea edx, [0x12345678]', hex: '8d1578563412', undef: none });
  add({ group, asm: 'lea ax, [ebx+ecx*2+5]', hex: '668d444b05', undef: none });
  add({ group, asm: 'lea eax, [bx+si+0x1234]', hex: '678d803412', undef: none });
  add({ group, asm: 'lea edx, [bp+di]', hex: '678d13', undef: none });
  add({ group, asm: 'lea eax, [bx+si-1]', hex: '678d40ff', undef: none });
}

// Conditions: SETcc, CMOVcc, Jcc (short and near), JECXZ, LOOP
{
  const CC = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];
  const none = UNDEFINED_FLAGS.none;
  for (let cc = 0; cc < 16; cc++) {
    const n = CC[cc];
    add({ group: 'setcc', asm: `set${n} al`, hex: hx(0x0f, 0x90 + cc, 0xc0), undef: none });
    add({ group: 'setcc', asm: `set${n} ch`, hex: hx(0x0f, 0x90 + cc, 0xc5), undef: none });
    add({ group: 'setcc', asm: `set${n} byte ptr [ebx+3]`, hex: hx(0x0f, 0x90 + cc, 0x43, 3), undef: none, setup: ebxAt() });
    add({ group: 'cmovcc', asm: `cmov${n} eax, ecx`, hex: hx(0x0f, 0x40 + cc, 0xc1), undef: none });
    add({ group: 'cmovcc', asm: `cmov${n} si, di`, hex: '66' + hx(0x0f, 0x40 + cc, 0xf7), undef: none });
    add({ group: 'cmovcc', asm: `cmov${n} edx, dword ptr [ebx+8]`, hex: hx(0x0f, 0x40 + cc, 0x53, 8), undef: none, setup: ebxAt() });
    // INC ECX is skipped when the jump is taken; INC's own flags are all defined.
    add({ group: 'jcc', asm: `j${n} 1f; inc ecx; 1:`, hex: hx(0x70 + cc, 1, 0x41), undef: none });
    add({ group: 'jcc', asm: `{disp32} j${n} 1f; inc ecx; 1:`, hex: hx(0x0f, 0x80 + cc) + le32(1) + '41', undef: none });
  }
  const smallEcx = (c: GenCase, r: Rng): void => {
    if (r.chance(0.5)) set32(c, ECX, r.below(3));
  };
  add({ group: 'jcc', asm: 'jecxz 1f; inc eax; 1:', hex: 'e30140', undef: none, setup: smallEcx });
  add({ group: 'jcc', asm: 'jcxz 1f; inc eax; 1:', hex: '67e30140', undef: none,
    setup: (c, r) => { if (r.chance(0.5)) set16(c, ECX, r.below(2)); } });
  add({ group: 'jcc', asm: 'loop 1f; inc eax; 1:', hex: 'e20140', undef: none, setup: smallEcx });
  add({ group: 'jcc', asm: 'loope 1f; inc eax; 1:', hex: 'e10140', undef: none, setup: smallEcx });
  add({ group: 'jcc', asm: 'loopne 1f; inc eax; 1:', hex: 'e00140', undef: none, setup: smallEcx });
}

// Flags and stack
{
  const group = 'flags-stack';
  const none = UNDEFINED_FLAGS.none;
  add({ group, asm: 'lahf', hex: '9f', undef: none });
  add({ group, asm: 'sahf', hex: '9e', undef: none });
  add({ group, asm: 'clc', hex: 'f8', undef: none });
  add({ group, asm: 'stc', hex: 'f9', undef: none });
  add({ group, asm: 'cmc', hex: 'f5', undef: none });
  add({ group, asm: 'cld', hex: 'fc', undef: none, df: true });
  add({ group, asm: 'std', hex: 'fd', undef: none, df: true });
  add({ group, asm: 'pushfd; pop eax', hex: '9c58', undef: none, df: true });
  /** POPFD may only load the arithmetic flags and DF (a TF or AC bit would trap natively). */
  const flagsInEcx = (c: GenCase): void => set32(c, ECX, (get32(c, ECX) & (ARITH | DF)) | 2);
  add({ group, asm: 'push ecx; popfd', hex: '519d', undef: none, setup: flagsInEcx });
  add({ group, asm: 'push ecx; popfd; pushfd; pop eax', hex: '519d9c58', undef: none, setup: flagsInEcx });
  add({ group, asm: 'push eax; pop ecx', hex: '5059', undef: none });
  add({ group, asm: 'push {imm}; pop edx', hex: '6a{ib}5a', imm: 'ib', undef: none });
  add({ group, asm: 'push {imm}; pop esi', hex: '68{id}5e', imm: 'id', undef: none });
  add({ group, asm: 'push ax; pop cx', hex: '66506659', undef: none });
  add({ group, asm: 'pushad; xor eax, eax; xor ebp, ebp; popad', hex: '6031c031ed61', undef: UNDEFINED_FLAGS.logic });
  add({ group, asm: 'push dword ptr [ebx+4]; pop dword ptr [ebx+0x40]', hex: 'ff73048f4340', undef: none, setup: ebxAt() });
  add({ group, asm: 'push edi; push esi; pop edi; pop esi', hex: '57565f5e', undef: none });
  add({ group, asm: 'pushfw; pop ax', hex: '669c6658', undef: none });
  add({ group, asm: 'pushw {imm}; pop dx', hex: '6668{iw}665a', imm: 'iw', undef: none });
  add({ group, asm: 'pushaw; xor eax, eax; popaw', hex: '666031c06661', undef: UNDEFINED_FLAGS.logic });
  add({ group, asm: 'call 1f; jmp 2f; 1: ret; 2:', hex: 'e802000000eb01c3', undef: none });
  add({ group, asm: 'push ecx; call 1f; jmp 2f; 1: ret 4; 2:', hex: '51e802000000eb03c20400', undef: none });
  add({ group, asm: 'enter 0x10, 0; leave', hex: 'c8100000c9', undef: none });
  add({ group, asm: 'enter 8, 1; leave', hex: 'c8080001c9', undef: none });
  // ENTER with nesting level 3 copies two frame pointers from [ebp-4] and [ebp-8]: read them back
  add({
    group, asm: 'enter 4, 3; mov eax, [esp+8]; mov edx, [esp+12]; mov ecx, [esp+16]; leave',
    hex: 'c80400038b4424088b54240c8b4c2410c9', undef: none,
    setup: (c) => set32(c, EBP, SCRATCH + 0x80),
  });
}

// Prefixes: lock, segment overrides (all flat at CPL 3 except FS/GS), redundant operand size
{
  const group = 'prefix';
  const arith = UNDEFINED_FLAGS.arith;
  const memBitOffset = (c: GenCase, r: Rng): void => {
    set32(c, EBX, SCRATCH + 0x80);
    set32(c, ECX, r.range(-1024, 1023));
  };
  add({ group, asm: 'lock add dword ptr [ebx+0x10], ecx', hex: 'f0014b10', undef: arith, setup: ebxAt() });
  add({ group, asm: 'lock sbb byte ptr [ebx+0x11], ah', hex: 'f0186311', undef: arith, setup: ebxAt() });
  add({ group, asm: 'lock inc dword ptr [ebx+4]', hex: 'f0ff4304', undef: arith, setup: ebxAt() });
  add({ group, asm: 'lock neg word ptr [ebx+6]', hex: '66f0f75b06', undef: arith, setup: ebxAt() });
  add({ group, asm: 'lock not dword ptr [ebx+0x12]', hex: 'f0f75312', undef: UNDEFINED_FLAGS.none, setup: ebxAt() });
  add({ group, asm: 'lock or dword ptr [ebx+0x20], {imm}', hex: 'f0814b20{id}', imm: 'id', undef: UNDEFINED_FLAGS.logic, setup: ebxAt() });
  add({ group, asm: 'lock bts dword ptr [ebx], ecx', hex: 'f00fab0b', undef: UNDEFINED_FLAGS.bitTest, setup: memBitOffset });
  add({ group, asm: 'lock btc dword ptr [ebx+4], {imm}', hex: 'f00fba7b04{ib}', imm: 'ib', undef: UNDEFINED_FLAGS.bitTest, setup: ebxAt() });
  add({ group, asm: 'lock xchg dword ptr [ebx+8], esi', hex: 'f0877308', undef: UNDEFINED_FLAGS.none, setup: ebxAt() });
  add({ group, asm: 'mov eax, dword ptr ss:[ebx+4]', hex: '368b4304', undef: UNDEFINED_FLAGS.none, setup: ebxAt() });
  add({ group, asm: 'add dword ptr es:[ebx+0x10], ecx', hex: '26014b10', undef: arith, setup: ebxAt() });
  add({ group, asm: 'mov al, byte ptr cs:[ebx+5]', hex: '2e8a4305', undef: UNDEFINED_FLAGS.none, setup: ebxAt() });
  add({ group, asm: '.byte 0x3e; sub ecx, dword ptr [ebx+9]', hex: '3e2b4b09', undef: arith, setup: ebxAt() });
  add({ group, asm: '.byte 0x66; add ax, cx', hex: '666601c8', undef: arith });
  add({ group, asm: 'pause', hex: 'f390', undef: UNDEFINED_FLAGS.none });
}

// Self-modifying code: the loop's second pass must run the rewritten instruction (INC EDX
// becomes INC EBX), so a decoded-instruction cache has to notice the store.
{
  add({
    group: 'smc',
    asm: 'mov ecx, 2; call 1f; 1: pop eax; 2: inc edx; mov byte ptr [eax+1], 0x43; loop 2b; xor eax, eax',
    hex: 'b902000000e8000000005842c6400143e2f931c0', undef: UNDEFINED_FLAGS.logic,
  });
}

// String instructions on the scratch page, with and without REP, in both directions.
{
  const group = 'string';
  /**
   * ESI and EDI start at scratch+0x70..0x8f (overlapping ranges); ECX is a count of elements
   * that keeps every access within the first 256 bytes whichever way DF points.
   */
  const strSetup = (elem: number, rep: boolean) => (c: GenCase, r: Rng): void => {
    set32(c, ESI, SCRATCH + r.range(0x70, 0x8f));
    set32(c, EDI, SCRATCH + r.range(0x70, 0x8f));
    if (rep) set32(c, ECX, r.chance(0.1) ? 0 : r.range(0, Math.floor(100 / elem)));
  };
  /** Half the time ESI = EDI, so REPE CMPS runs to the end of the count. */
  const sameSometimes = (c: GenCase, r: Rng): void => {
    if (r.chance(0.4)) set32(c, EDI, get32(c, ESI));
  };
  /** AL/EAX often holds a byte that occurs near EDI, so REPNE SCAS finds it. */
  const scanTarget = (c: GenCase, r: Rng): void => {
    if (r.chance(0.6)) {
      const off = Math.max(0, Math.min(255, get32(c, EDI) - SCRATCH + r.range(-40, 40)));
      set8(c, 0, patternValue(off, 1));
    }
  };
  const arith = UNDEFINED_FLAGS.arith;
  const none = UNDEFINED_FLAGS.none;
  const S = (asm: string, hex: string, elem: number, rep: boolean, undef: number, extra?: (c: GenCase, r: Rng) => void): void => {
    add({ group, asm, hex, undef, df: true, setup: extra ? both(strSetup(elem, rep), extra) : strSetup(elem, rep) });
  };
  S('movsb', 'a4', 1, false, none);
  S('movsd', 'a5', 4, false, none);
  S('movsw', '66a5', 2, false, none);
  S('rep movsb', 'f3a4', 1, true, none);
  S('rep movsd', 'f3a5', 4, true, none);
  S('rep movsw', '66f3a5', 2, true, none);
  S('stosb', 'aa', 1, false, none);
  S('stosd', 'ab', 4, false, none);
  S('rep stosb', 'f3aa', 1, true, none);
  S('rep stosd', 'f3ab', 4, true, none);
  S('rep stosw', '66f3ab', 2, true, none);
  S('lodsb', 'ac', 1, false, none);
  S('lodsd', 'ad', 4, false, none);
  S('lodsw', '66ad', 2, false, none);
  S('rep lodsb', 'f3ac', 1, true, none);
  S('cmpsb', 'a6', 1, false, arith, sameSometimes);
  S('cmpsd', 'a7', 4, false, arith, sameSometimes);
  S('cmpsw', '66a7', 2, false, arith, sameSometimes);
  S('repe cmpsb', 'f3a6', 1, true, arith, sameSometimes);
  S('repne cmpsb', 'f2a6', 1, true, arith, sameSometimes);
  S('repe cmpsd', 'f3a7', 4, true, arith, sameSometimes);
  S('scasb', 'ae', 1, false, arith, scanTarget);
  S('scasd', 'af', 4, false, arith);
  S('repne scasb', 'f2ae', 1, true, arith, scanTarget);
  S('repe scasb', 'f3ae', 1, true, arith, scanTarget);
  S('repne scasd', 'f2af', 4, true, arith);
  // copy a block, change one byte of the copy, then compare: REPE CMPSB stops at the change
  S('push edi; push esi; push ecx; rep movsb; pop ecx; pop esi; pop edi; inc byte ptr [edi+7]; repe cmpsb',
    '575651f3a4595e5ffe4707f3a6', 1, true, arith);
}

// BCD adjustments
{
  const group = 'bcd';
  const nonzeroImm = (c: GenCase, r: Rng): void => {
    if (c.imm === 0) c.imm = 1 + r.below(255);
  };
  add({ group, asm: 'daa', hex: '27', undef: UNDEFINED_FLAGS.daa });
  add({ group, asm: 'das', hex: '2f', undef: UNDEFINED_FLAGS.daa });
  add({ group, asm: 'aaa', hex: '37', undef: UNDEFINED_FLAGS.aaa });
  add({ group, asm: 'aas', hex: '3f', undef: UNDEFINED_FLAGS.aaa });
  add({ group, asm: 'aam', hex: 'd40a', undef: UNDEFINED_FLAGS.aam });
  add({ group, asm: 'aam {imm}', hex: 'd4{ib}', imm: 'ib', undef: UNDEFINED_FLAGS.aam, setup: nonzeroImm });
  add({ group, asm: 'aad', hex: 'd50a', undef: UNDEFINED_FLAGS.aam });
  add({ group, asm: 'aad {imm}', hex: 'd5{ib}', imm: 'ib', undef: UNDEFINED_FLAGS.aam });
  // add then adjust, the way BCD code uses them
  add({ group, asm: 'add al, bl; daa', hex: '00d827', undef: UNDEFINED_FLAGS.daa });
  add({ group, asm: 'sub al, bl; das', hex: '28d82f', undef: UNDEFINED_FLAGS.daa });
}

// Operand-overlap corner cases
{
  const group = 'overlap';
  add({ group, asm: 'xadd eax, eax', hex: '0fc1c0', undef: UNDEFINED_FLAGS.arith });
  add({ group, asm: 'xchg ecx, ecx', hex: '87c9', undef: UNDEFINED_FLAGS.none });
  add({ group, asm: 'cmpxchg eax, ecx', hex: '0fb1c8', undef: UNDEFINED_FLAGS.arith });
  add({ group, asm: 'cmpxchg ah, ch', hex: '0fb0ec', undef: UNDEFINED_FLAGS.arith });
  add({ group, asm: 'mul edx', hex: 'f7e2', undef: UNDEFINED_FLAGS.mul });
  add({ group, asm: 'imul eax', hex: 'f7e8', undef: UNDEFINED_FLAGS.mul });
  add({ group, asm: 'mul al', hex: 'f6e0', undef: UNDEFINED_FLAGS.mul });
  add({ group, asm: 'lea ax, [bx+si]', hex: '67668d00', undef: UNDEFINED_FLAGS.none });
  add({ group, asm: 'movzx eax, ah', hex: '0fb6c4', undef: UNDEFINED_FLAGS.none });
  add({ group, asm: 'shl cl, cl', hex: 'd2e1', undef: (c) => shiftUndefined('shl', 8, get8(c, ECX)) });
  add({ group, asm: 'rol ch, cl', hex: 'd2c5', undef: (c) => shiftUndefined('rol', 8, get8(c, ECX)) });
  add({ group, asm: 'shrd ecx, ecx, cl', hex: '0fadc9', undef: (c) => doubleShiftUndefined(get8(c, ECX)) });
  add({ group, asm: 'bswap ebp', hex: '0fcd', undef: UNDEFINED_FLAGS.none });
}

// Flag chains: one instruction's flags consumed by the next. These catch lazy-flag
// bookkeeping errors: INC/DEC keep CF, BT keeps ZF, rotates keep SF ZF AF PF, count-0
// shifts keep everything.
{
  const group = 'flag-chain';
  add({ group, asm: 'add eax, ecx; adc edx, ebx', hex: '01c811da', undef: 0 });
  add({ group, asm: 'sub eax, ecx; sbb edx, ebx', hex: '29c819da', undef: 0 });
  add({ group, asm: 'add eax, ecx; inc edx; adc esi, edi', hex: '01c84211fe', undef: 0 });
  add({ group, asm: 'sub eax, ecx; dec edx; sbb esi, edi', hex: '29c84a19fe', undef: 0 });
  add({
    group, asm: 'add eax, ecx; shl edx, cl; adc esi, edi', hex: '01c8d3e211fe', undef: 0,
    setup: (c, r) => set8(c, ECX, r.chance(0.4) ? 0 : r.below(40)),
  });
  add({ group, asm: 'cmp eax, ecx; bt edx, esi; sete al; setb ah', hex: '39c80fa3f20f94c00f92c4', undef: UNDEFINED_FLAGS.bitTest,
    setup: (c, r) => { if (r.chance(0.4)) set32(c, ECX, get32(c, EAX)); } });
  add({ group, asm: 'sub eax, ecx; rol edx, 3; lahf', hex: '29c8c1c2039f', undef: OF });
  add({ group, asm: 'sub eax, ecx; rcr edx, 1; lahf', hex: '29c8d1da9f', undef: 0 });
  add({ group, asm: 'xor eax, ecx; rcl edx, 1', hex: '31c8d1d2', undef: AF });
  add({
    group, asm: 'add eax, ecx; shld edx, esi, cl; setc bl; seto bh', hex: '01c80fa5f20f92c30f90c7',
    setup: (c, r) => set8(c, ECX, r.pick([0, 1, 32, 33])),
    undef: (c) => doubleShiftUndefined(get8(c, ECX)),
  });
  add({ group, asm: 'test eax, eax; cmovs ecx, edx; cmove esi, edi; cmovp ebp, ebx', hex: '85c00f48ca0f44f70f4aeb', undef: AF });
  add({ group, asm: 'neg eax; sbb eax, eax', hex: 'f7d819c0', undef: 0 });
  add({ group, asm: 'inc eax; lahf; dec ecx; pushfd; pop edx', hex: '409f499c5a', undef: 0 });
  add({ group, asm: 'imul eax, ecx; seto dl; setc dh', hex: '0fafc10f90c20f92c6', undef: UNDEFINED_FLAGS.mul });
  add({ group, asm: 'mul ecx; adc edx, 0', hex: 'f7e183d200', undef: 0 });
  add({
    group, asm: 'bsf eax, ecx; cmove eax, edx', hex: '0fbcc10f44c2', undef: UNDEFINED_FLAGS.bitScan,
    setup: (c, r) => { if (r.chance(0.3)) set32(c, ECX, 0); },
  });
  add({ group, asm: 'sahf; adc eax, ecx', hex: '9e11c8', undef: 0 });
  add({ group, asm: 'sub eax, ecx; cmc; sbb edx, edx', hex: '29c8f519d2', undef: 0 });
  add({ group, asm: 'add al, cl; daa; adc ah, 0', hex: '00c82780d400', undef: 0 });
  add({
    group, asm: 'stc; rcr eax, cl', hex: 'f9d3d8',
    setup: (c, r) => set8(c, ECX, r.below(40)), undef: (c) => shiftUndefined('rcr', 32, get8(c, ECX)),
  });
  add({ group, asm: 'xadd eax, ecx; setc dl; seto dh; sets bl; sete bh', hex: '0fc1c80f92c20f90c60f98c30f94c7', undef: 0 });
  add({
    group, asm: 'cmpxchg ecx, edx; sete al', hex: '0fb1d10f94c0', undef: 0,
    setup: (c, r) => { if (r.chance(0.5)) set32(c, EAX, get32(c, ECX)); },
  });
  add({
    // (not LAHF: it would copy the undefined AF into AH)
    group, asm: 'add eax, ecx; shl edx, cl; setc bl; sets bh; setp al', hex: '01c8d3e20f92c30f98c70f9ac0',
    setup: (c, r) => set8(c, ECX, r.chance(0.5) ? 0 : r.below(40)),
    undef: (c) => shiftUndefined('shl', 32, get8(c, ECX)),
  });
}
