// The x87 rows of the opcode table (D8-DF, FWAIT, FXSAVE/FXRSTOR), with their FPU status
// word condition-code rules next to them: `fsw` lists the C0-C3 bits the Intel SDM ("FPU
// Flags Affected") leaves undefined (u) or defines (d), and the instructions that read them
// (r: FNSTSW, FNSTENV, FNSAVE, FXSAVE store the status word). EFLAGS rules (FCOMI, FCMOVcc) are
// in `fl` as for the integer rows. Every sequence that uses a row from here starts from a random
// x87 state (an FXSAVE image loaded with FXRSTOR on both sides) and compares the FXSAVE image
// after it.
import { type Enc, type FswSpec, type Gen, type Size, type Spec, fl, NO_FLAGS } from './gen.js';
import { CF, PF, ZF } from './layout.js';

export const C0 = 0x100, C1 = 0x200, C2 = 0x400, C3 = 0x4000;
export const CC_ALL = C0 | C1 | C2 | C3;

export type { FswSpec };

// Common condition-code rules.
/** Arithmetic, loads, stores, FSQRT, FSCALE, ...: C1 defined (round-up / stack fault), C0 C2 C3 undefined. */
const ARITH_CC: FswSpec = { r: 0, d: C1, u: C0 | C2 | C3 };
/** Compares, FTST, FXAM, FPREM: all four defined. */
const CMP_CC: FswSpec = { r: 0, d: CC_ALL, u: 0 };
/** FCOMI family: C1 defined (0 or stack fault), C0 C2 C3 unchanged. */
const COMI_CC: FswSpec = { r: 0, d: C1, u: 0 };
/** FPTAN FSIN FCOS FSINCOS: C1 and C2 (argument out of range) defined, C0 C3 undefined. */
const TRIG_CC: FswSpec = { r: 0, d: C1 | C2, u: C0 | C3 };
/** FNSTCW, FNCLEX, FNOP, FFREE, FWAIT, FLDCW: all four undefined. */
const UNDEF_CC: FswSpec = { r: 0, d: 0, u: CC_ALL };
/** Stores of the status word: read all four (then all four are undefined, FNSTSW says). */
const READ_CC: FswSpec = { r: CC_ALL, d: 0, u: CC_ALL };
/** FLDENV, FRSTOR, FNINIT, FXRSTOR: the status word is loaded or reset. */
const LOAD_CC: FswSpec = { r: 0, d: CC_ALL, u: 0 };

export const X87_ROWS: Spec[] = [];
const add = (s: Spec) => X87_ROWS.push({ weight: 0.25, ...s, group: s.group || 'x87' });

/** A memory-operand row: op /digit with `bytes` at the address. */
function mem(name: string, op: number, digit: number, bytes: number | ((sz: Size) => number), fsw: FswSpec, extra: Partial<Spec> = {}): void {
  add({
    name, group: 'x87', op: [op], size: 'n', modrm: { reg: digit, rm: 'M' }, mem: typeof bytes === 'number' ? () => bytes : bytes,
    fl: NO_FLAGS, fsw, post: fpValuePost(typeof bytes === 'number' ? bytes : 0, name), ...extra,
  } as Spec);
}

/** A register-form row: bytes op, base + i (i = 0..7 when `indexed`). */
function reg(name: string, op: number, base: number, indexed: boolean, fsw: FswSpec, extra: Partial<Spec> = {}): void {
  add({
    name, group: 'x87', fl: NO_FLAGS, fsw, ...extra,
    emit: (g: Gen) => {
      const s = g.spec(name);
      const flr = typeof s.fl.r === 'number' ? s.fl.r : 0;
      if (flr & g.undef) g.defineFlags();
      if (s.fsw && (s.fsw.r & g.fswUndef)) g.defineFsw();
      g.raw(s, [op, base + (indexed ? g.rng.int(8) : 0)]);
    },
  } as Spec);
}

/**
 * Before a load from memory: often store an interesting value of the operand's type at the
 * address (through a MOV from a register, so it holds whatever earlier instructions wrote).
 */
function fpValuePost(bytes: number, name: string) {
  return (g: Gen, e: Enc): void => {
    if (!/^(fld|fild|fbld|fadd|fmul|fcom|fsub|fdiv|fiadd|fimul|ficom|fisub|fidiv) /.test(name)) return;
    if (!g.rng.chance(0.6) || bytes > 10) return;
    g.patch(e.addr, fpBytes(g, bytes, name));
  };
}

/** Interesting bytes for an FP or integer memory operand of `n` bytes. */
export function fpBytes(g: Gen, n: number, name: string): number[] {
  const r = g.rng;
  const isInt = name.startsWith('fi');
  const isBcd = name.startsWith('fbld');
  const out = new Array<number>(n).fill(0);
  const dv = new DataView(new ArrayBuffer(16));
  if (isBcd) {
    for (let k = 0; k < 9; k++) out[k] = (r.int(10) << 4) | r.int(10);
    out[9] = r.chance(0.5) ? 0x80 : 0;
    if (r.chance(0.1)) out[r.int(9)] = r.u32() & 0xff; // invalid digit
    return out;
  }
  if (isInt) {
    const v = r.value(32);
    for (let k = 0; k < n; k++) out[k] = k < 4 ? (v >>> (8 * k)) & 0xff : (v & 0x80000000 ? 0xff : 0);
    if (n === 8 && r.chance(0.3)) for (let k = 4; k < 8; k++) out[k] = r.u32() & 0xff;
    return out;
  }
  const d = fpNumber(g);
  if (n === 4) {
    dv.setFloat32(0, d, true);
    if (r.chance(0.1)) dv.setUint32(0, r.pick([0x7f800001, 0xffc00000, 0x00000001, 0x807fffff, 0x7f7fffff]), true);
  } else if (n === 8) {
    dv.setFloat64(0, d, true);
    if (r.chance(0.1)) dv.setUint32(4, r.pick([0x7ff00000, 0xfff80000, 0x00000000, 0x800fffff]), true);
  } else {
    const [se, hi, lo] = fp80(g);
    dv.setUint32(0, lo, true); dv.setUint32(4, hi, true); dv.setUint16(8, se, true);
  }
  for (let k = 0; k < n; k++) out[k] = dv.getUint8(k);
  return out;
}

/** A double worth computing with. */
export function fpNumber(g: Gen): number {
  const r = g.rng;
  switch (r.int(8)) {
    case 0: return r.pick([0, -0, 1, -1, 0.5, 2, 3, 10, Infinity, -Infinity, NaN, Math.PI, 1e-310, -5e-324, 1.7976931348623157e308]);
    case 1: return r.range(-1000, 1000);
    case 2: return (r.u32() - 0x80000000) * 65536;
    case 3: return (r.u32() / 0x100000000) * Math.pow(2, r.range(-1100, 1100));
    default: return (r.u32() / 0x100000000 - 0.5) * Math.pow(2, r.range(-60, 64));
  }
}

/** A random 80-bit register value: sign/exponent, significand high, low. */
export function fp80(g: Gen): [number, number, number] {
  const r = g.rng;
  const sign = r.chance(0.5) ? 0x8000 : 0;
  switch (r.int(10)) {
    case 0: return [sign, 0, 0]; // zero
    case 1: return [sign | 0x7fff, 0x80000000, 0]; // infinity
    case 2: return [sign | 0x7fff, 0xc0000000 | (r.u32() >>> 2), r.u32()]; // QNaN
    case 3: return [sign | 0x7fff, 0x80000000 | (r.u32() >>> 2) | 1, r.u32()]; // SNaN
    case 4: return [sign, r.u32() >>> 1, r.u32()]; // denormal
    case 5: return [sign | r.range(1, 0x7ffe), r.u32() >>> 1, r.u32()]; // unnormal (invalid operand)
    default: {
      const e = r.chance(0.7) ? 0x3fff + r.range(-70, 70) : r.range(1, 0x7ffe);
      const hi = (0x80000000 | r.u32()) >>> 0;
      const lo = r.chance(0.4) ? 0 : r.u32();
      return [sign | e, hi, lo];
    }
  }
}

/** A random x87 state as a 512-byte FXSAVE image (MXCSR 0x1F80, XMM zero). */
export function randomFxImage(g: Gen): Uint8Array {
  const r = g.rng;
  const img = new Uint8Array(512);
  const dv = new DataView(img.buffer);
  let cw = 0x0040 | (r.int(4) << 10) | (r.pick([0, 2, 3]) << 8) | 0x3f;
  if (r.chance(0.1)) cw &= ~(1 << r.int(6)); // one unmasked exception
  if (r.chance(0.1)) cw |= 0x1000; // the infinity-control bit (ignored since the 387)
  const top = r.int(8);
  const depth = r.chance(0.1) ? r.int(9) : r.range(0, 8);
  let sw = (top << 11) | (r.u32() & CC_ALL);
  if (r.chance(0.2)) sw |= r.u32() & (cw & 0x3f) & 0x3f; // only masked exception flags
  dv.setUint16(0, cw, true);
  dv.setUint16(2, sw, true);
  let ftw = 0;
  for (let i = 0; i < 8; i++) {
    // ST(i) lives in physical register (top + i) & 7; the abridged tag word is by physical register.
    const valid = r.chance(0.05) ? r.chance(0.5) : i < depth;
    if (valid) ftw |= 1 << ((top + i) & 7);
    const [se, hi, lo] = fp80(g);
    dv.setUint32(32 + 16 * i, lo, true);
    dv.setUint32(36 + 16 * i, hi, true);
    dv.setUint16(40 + 16 * i, se, true);
  }
  dv.setUint8(4, ftw);
  dv.setUint32(24, 0x1f80, true);
  return img;
}

// ---- the rows --------------------------------------------------------------------------------

const ARITH_NAMES = ['fadd', 'fmul', 'fcom', 'fcomp', 'fsub', 'fsubr', 'fdiv', 'fdivr'];
for (let k = 0; k < 8; k++) {
  const cmp = k === 2 || k === 3;
  const cc = cmp ? CMP_CC : ARITH_CC;
  const n = ARITH_NAMES[k];
  mem(`${n} m32fp`, 0xd8, k, 4, cc);
  mem(`${n} m64fp`, 0xdc, k, 8, cc);
  mem(`${n.replace('f', 'fi')} m32int`, 0xda, k, 4, cc);
  mem(`${n.replace('f', 'fi')} m16int`, 0xde, k, 2, cc);
  reg(`${n} ST,ST(i)`, 0xd8, 0xc0 + 8 * k, true, cc);
}
// DC C0+i: FADD FMUL (FCOM2 FCOMP3) FSUBR FSUB FDIVR FDIV ST(i),ST; DE: the popping forms.
const DC_NAMES = ['fadd', 'fmul', 'fcom2', 'fcomp3', 'fsubr', 'fsub', 'fdivr', 'fdiv'];
for (let k = 0; k < 8; k++) {
  const cmp = k === 2 || k === 3;
  reg(`${DC_NAMES[k]} ST(i),ST (DC)`, 0xdc, 0xc0 + 8 * k, true, cmp ? CMP_CC : ARITH_CC, cmp ? { weight: 0.05 } : {});
  if (k === 3) continue;
  const dn = k === 2 ? 'fcomp5' : `${DC_NAMES[k]}p`;
  reg(`${dn} ST(i),ST (DE)`, 0xde, 0xc0 + 8 * k, true, k === 2 ? CMP_CC : ARITH_CC, k === 2 ? { weight: 0.05 } : {});
}
reg('fcompp', 0xde, 0xd9, false, CMP_CC);

// D9
mem('fld m32fp', 0xd9, 0, 4, ARITH_CC);
mem('fst m32fp', 0xd9, 2, 4, ARITH_CC);
mem('fstp m32fp', 0xd9, 3, 4, ARITH_CC);
mem('fldenv m28', 0xd9, 4, 28, LOAD_CC, { weight: 0.05, post: loadableImage('env32') });
mem('fldenv m14 (o16)', 0xd9, 4, 14, LOAD_CC, { size: 'w', weight: 0.03, post: loadableImage('env16') });
mem('fldcw m16', 0xd9, 5, 2, UNDEF_CC, { weight: 0.1, post: (g: Gen, e: Enc) => {
  // A control word with all exceptions masked most of the time (else #MF soon after).
  const cw = (g.rng.int(4) << 10) | (g.rng.pick([0, 2, 3]) << 8) | (g.rng.chance(0.9) ? 0x3f : g.rng.int(64)) | (g.rng.chance(0.1) ? g.rng.u32() & 0xe0c0 : 0);
  g.patch(e.addr, [cw & 0xff, cw >> 8]);
} });
mem('fnstenv m28', 0xd9, 6, 28, READ_CC, { weight: 0.1 });
mem('fnstenv m14 (o16)', 0xd9, 6, 14, READ_CC, { size: 'w', weight: 0.03 });
mem('fnstcw m16', 0xd9, 7, 2, UNDEF_CC, { weight: 0.1 });
reg('fld ST(i)', 0xd9, 0xc0, true, ARITH_CC);
reg('fxch ST(i)', 0xd9, 0xc8, true, { r: 0, d: C1, u: C0 | C2 | C3 });
reg('fnop', 0xd9, 0xd0, false, UNDEF_CC, { weight: 0.05 });
reg('fstp1 ST(i) (D9 D8+i)', 0xd9, 0xd8, true, ARITH_CC, { weight: 0.05 });
reg('fchs', 0xd9, 0xe0, false, { r: 0, d: C1, u: C0 | C2 | C3 });
reg('fabs', 0xd9, 0xe1, false, { r: 0, d: C1, u: C0 | C2 | C3 });
reg('ftst', 0xd9, 0xe4, false, CMP_CC);
reg('fxam', 0xd9, 0xe5, false, CMP_CC);
const CONSTS = ['fld1', 'fldl2t', 'fldl2e', 'fldpi', 'fldlg2', 'fldln2', 'fldz'];
CONSTS.forEach((n, k) => reg(n, 0xd9, 0xe8 + k, false, ARITH_CC, { weight: 0.1 }));
reg('f2xm1', 0xd9, 0xf0, false, ARITH_CC, { group: 'x87-transcendental' });
reg('fyl2x', 0xd9, 0xf1, false, ARITH_CC, { group: 'x87-transcendental' });
reg('fptan', 0xd9, 0xf2, false, TRIG_CC, { group: 'x87-transcendental' });
reg('fpatan', 0xd9, 0xf3, false, ARITH_CC, { group: 'x87-transcendental' });
reg('fxtract', 0xd9, 0xf4, false, ARITH_CC);
reg('fprem1', 0xd9, 0xf5, false, CMP_CC);
reg('fdecstp', 0xd9, 0xf6, false, { r: 0, d: C1, u: C0 | C2 | C3 });
reg('fincstp', 0xd9, 0xf7, false, { r: 0, d: C1, u: C0 | C2 | C3 });
reg('fprem', 0xd9, 0xf8, false, CMP_CC);
reg('fyl2xp1', 0xd9, 0xf9, false, ARITH_CC, { group: 'x87-transcendental' });
reg('fsqrt', 0xd9, 0xfa, false, ARITH_CC);
reg('fsincos', 0xd9, 0xfb, false, TRIG_CC, { group: 'x87-transcendental' });
reg('frndint', 0xd9, 0xfc, false, ARITH_CC);
reg('fscale', 0xd9, 0xfd, false, ARITH_CC);
reg('fsin', 0xd9, 0xfe, false, TRIG_CC, { group: 'x87-transcendental' });
reg('fcos', 0xd9, 0xff, false, TRIG_CC, { group: 'x87-transcendental' });

// DA / DB register forms: FCMOVcc, FUCOMPP, FCOMI, FUCOMI, FNCLEX, FNINIT.
const FCMOV = [['fcmovb', 0xda, 0xc0, CF], ['fcmove', 0xda, 0xc8, ZF], ['fcmovbe', 0xda, 0xd0, CF | ZF], ['fcmovu', 0xda, 0xd8, PF],
  ['fcmovnb', 0xdb, 0xc0, CF], ['fcmovne', 0xdb, 0xc8, ZF], ['fcmovnbe', 0xdb, 0xd0, CF | ZF], ['fcmovnu', 0xdb, 0xd8, PF]] as const;
for (const [n, op, base, reads] of FCMOV) reg(`${n} ST,ST(i)`, op, base, true, { r: 0, d: C1, u: C0 | C2 | C3 }, { fl: { r: reads, d: 0, u: 0 } });
reg('fucompp', 0xda, 0xe9, false, CMP_CC);
reg('fucomi ST,ST(i)', 0xdb, 0xe8, true, COMI_CC, { fl: fl('d=OSZAPC') });
reg('fcomi ST,ST(i)', 0xdb, 0xf0, true, COMI_CC, { fl: fl('d=OSZAPC') });
reg('fnclex', 0xdb, 0xe2, false, UNDEF_CC, { weight: 0.05 });
reg('fninit', 0xdb, 0xe3, false, LOAD_CC, { weight: 0.05 });
reg('fneni/fndisi/fnsetpm (387: no-ops)', 0xdb, 0xe0, false, NO_CC(), { weight: 0.03 });
mem('fild m32int', 0xdb, 0, 4, ARITH_CC);
mem('fisttp m32int', 0xdb, 1, 4, ARITH_CC);
mem('fist m32int', 0xdb, 2, 4, ARITH_CC);
mem('fistp m32int', 0xdb, 3, 4, ARITH_CC);
mem('fld m80fp', 0xdb, 5, 10, ARITH_CC);
mem('fstp m80fp', 0xdb, 7, 10, ARITH_CC);

// DD
mem('fld m64fp', 0xdd, 0, 8, ARITH_CC);
mem('fisttp m64int', 0xdd, 1, 8, ARITH_CC);
mem('fst m64fp', 0xdd, 2, 8, ARITH_CC);
mem('fstp m64fp', 0xdd, 3, 8, ARITH_CC);
mem('frstor m108', 0xdd, 4, 108, LOAD_CC, { weight: 0.05, post: loadableImage('env32') });
mem('frstor m94 (o16)', 0xdd, 4, 94, LOAD_CC, { size: 'w', weight: 0.03, post: loadableImage('env16') });
mem('fnsave m108', 0xdd, 6, 108, { r: CC_ALL, d: CC_ALL, u: 0 }, { weight: 0.05 });
mem('fnsave m94 (o16)', 0xdd, 6, 94, { r: CC_ALL, d: CC_ALL, u: 0 }, { size: 'w', weight: 0.03 });
mem('fnstsw m16', 0xdd, 7, 2, READ_CC, { weight: 0.1 });
reg('ffree ST(i)', 0xdd, 0xc0, true, UNDEF_CC, { weight: 0.1 });
reg('fxch4 ST(i) (DD C8+i)', 0xdd, 0xc8, true, { r: 0, d: C1, u: C0 | C2 | C3 }, { weight: 0.05 });
reg('fst ST(i)', 0xdd, 0xd0, true, ARITH_CC);
reg('fstp ST(i)', 0xdd, 0xd8, true, ARITH_CC);
reg('fucom ST(i)', 0xdd, 0xe0, true, CMP_CC);
reg('fucomp ST(i)', 0xdd, 0xe8, true, CMP_CC);

// DF
mem('fild m16int', 0xdf, 0, 2, ARITH_CC);
mem('fisttp m16int', 0xdf, 1, 2, ARITH_CC);
mem('fist m16int', 0xdf, 2, 2, ARITH_CC);
mem('fistp m16int', 0xdf, 3, 2, ARITH_CC);
mem('fbld m80bcd', 0xdf, 4, 10, ARITH_CC);
mem('fild m64int', 0xdf, 5, 8, ARITH_CC);
mem('fbstp m80bcd', 0xdf, 6, 10, ARITH_CC);
mem('fistp m64int', 0xdf, 7, 8, ARITH_CC);
reg('ffreep ST(i) (DF C0+i)', 0xdf, 0xc0, true, UNDEF_CC, { weight: 0.05 });
reg('fnstsw AX', 0xdf, 0xe0, false, READ_CC, { iw: 1 });
reg('fucomip ST,ST(i)', 0xdf, 0xe8, true, COMI_CC, { fl: fl('d=OSZAPC') });
reg('fcomip ST,ST(i)', 0xdf, 0xf0, true, COMI_CC, { fl: fl('d=OSZAPC') });

add({ name: 'fwait', group: 'x87', op: [0x9b], fl: NO_FLAGS, fsw: UNDEF_CC, weight: 0.1 });
// The image must be 16-byte aligned (else #GP): aligned 97% of the time.
add({ name: 'fxsave M512', group: 'x87', op: [0x0f, 0xae], size: 'n', modrm: { reg: 0, rm: 'M' }, mem: () => 512, align: 16, fl: NO_FLAGS, fsw: { r: CC_ALL, d: 0, u: 0 }, weight: 0.05 });
add({ name: 'fxrstor M512', group: 'x87', op: [0x0f, 0xae], size: 'n', modrm: { reg: 1, rm: 'M' }, mem: () => 512, align: 16, readOnly: true, fl: NO_FLAGS, fsw: LOAD_CC, weight: 0.05, post: (g: Gen, e: Enc) => {
  loadableImage('fx')(g, e);
  // A valid MXCSR (reserved bits clear), else FXRSTOR raises #GP.
  if (g.rng.chance(0.9)) g.patch(e.addr + 24, [0x80, 0x1f, 0, 0]);
} });

/**
 * Before FLDENV, FRSTOR and FXRSTOR: most of the time the image's control word masks every
 * exception and its status word has a random TOP and condition codes, so that the loaded
 * state is used by what follows instead of raising #MF at the next instruction. The pointer
 * fields keep the scratch pattern (loaded and checked like any other state).
 */
function loadableImage(fmt: 'env32' | 'env16' | 'fx') {
  return (g: Gen, e: Enc): void => {
    const r = g.rng;
    if (!r.chance(0.9)) return;
    const cw = 0x0040 | (r.int(4) << 10) | (r.pick([0, 2, 3]) << 8) | 0x3f;
    const sw = r.u32() & (CC_ALL | 0x3800 | 0x3f);
    g.patch(e.addr, [cw & 0xff, cw >> 8]);
    g.patch(e.addr + (fmt === 'env32' ? 4 : 2), [sw & 0xff, sw >> 8]);
  };
}

function NO_CC(): FswSpec {
  return { r: 0, d: 0, u: 0 };
}
