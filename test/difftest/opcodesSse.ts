// The MMX/SSE/SSE2/SSE3/SSSE3 rows of the opcode table (group 'sse'): every encoding that
// src/cpu/sse/decode.ts implements (plus LDMXCSR/STMXCSR of 0F AE), register and memory forms.
//
// Operand letters follow the Intel opcode map: V/W/U = XMM reg / XMM-or-mem / XMM reg only,
// P/Q/N = MMX reg / MMX-or-mem / MMX reg only, G/E/R = GPR / GPR-or-mem / GPR only, M = mem only.
//
// State: every sequence that uses one of these rows starts from a random FXSAVE image (see
// randomSseState: the x87 part of randomFxImage, MMX-style integer significands, random XMM
// lanes drawn from interesting float/integer values, and a random MXCSR with every rounding mode,
// FTZ/DAZ, and sometimes unmasked exceptions, which then raise #XM: SIGFPE natively,
// Stop.FloatingPoint in the emulator). The FXSAVE image after the sequence is compared whole
// (x87 control/status/tag, ST/MM registers, MXCSR, XMM0-7); Intel documents no undefined bits
// in any of them for these instructions, so nothing is masked. COMISS/UCOMISS/COMISD/UCOMISD
// define all six arithmetic flags.
//
// Memory: m128 operands of the aligned forms are 16-byte aligned 97% of the time (misaligned:
// #GP, SIGSEGV SI_KERNEL, the other 3%); all rows get the generator's faulting and page-crossing
// operands at a raised rate; loads usually find interesting values of the operand's type at the address.
//
// Also the SSE4.1/SSE4.2/AES-NI/PCLMULQDQ rows of the default CPU model (66 0F 38, 66 0F 3A).
// Not generated: DPPS/DPPD (see their note below); MOVNTI/MOVNT* weak ordering is invisible here.
import { type Enc, type Gen, type Spec, fl, NO_FLAGS } from './gen.js';
import { fp80 } from './opcodesX87.js';
import { EDI, GUARD_ABOVE, SCRATCH_ADDR } from './layout.js';

export const SSE_ROWS: Spec[] = [];
/** SSE rows leave the x87 condition codes alone; the fsw rule also marks the sequence as using the FPU/SSE state. */
const NO_CC = { r: 0, d: 0, u: 0 };
const WEIGHT = 0.3;
const FAULT_RATE = 0.01;

type RegKind = 'V' | 'P' | 'G';
type RmKind = 'W' | 'U' | 'Q' | 'N' | 'E' | 'R' | 'M';
/** What a memory operand holds (for the values patched in before a load). */
type Vals = 'ps' | 'pd' | 'ss' | 'sd' | 'i' | 'cnt' | 'mxcsr';

interface RowOpts {
  /** Memory operand bytes (0: no memory form). */
  mem?: number;
  /** m128 must be 16-byte aligned (#GP otherwise). */
  a16?: boolean;
  imm?: boolean;
  /** Immediate chooser (default: any byte). */
  immPick?: (g: Gen) => number;
  vals?: Vals;
  /** The memory operand is written (a store), not read. */
  store?: boolean;
  /** The GPR in ModRM.reg (G) / ModRM.rm (E, R) is written. */
  wrG?: boolean;
  wrE?: boolean;
  /** Fixed ModRM.reg digit (group opcodes 71-73, 0F AE). */
  digit?: number;
  flags?: ReturnType<typeof fl>;
  weight?: number;
}

const PFX: Record<string, number[]> = { '': [], '66': [0x66], F3: [0xf3], F2: [0xf2] };

/** One row: `op` is the bytes after 0F (0F is added). */
function row(name: string, pfx: '' | '66' | 'F3' | 'F2', op: number[], regK: RegKind | null, rmK: RmKind, o: RowOpts = {}): void {
  const memForm = rmK === 'W' || rmK === 'Q' || rmK === 'E' || rmK === 'M';
  const rm: 'E' | 'M' | 'R' = rmK === 'M' ? 'M' : memForm ? 'E' : 'R';
  const bytes = o.mem ?? 0;
  let wr = '';
  if (o.wrG) wr += 'G';
  if (o.wrE) wr += 'E';
  const s: Spec = {
    name, group: 'sse', op: [0x0f, ...op], pfx: PFX[pfx], size: 'n',
    modrm: { reg: o.digit !== undefined ? o.digit : 'G', rm },
    fl: o.flags ?? NO_FLAGS, fsw: NO_CC, weight: o.weight ?? WEIGHT, faultRate: FAULT_RATE,
  };
  void regK;
  if (wr) s.wr = wr;
  if (memForm) {
    s.mem = () => bytes;
    if (!o.store) s.readOnly = true;
    if (o.a16) s.align = 16;
    else if (bytes > 1) s.align = 0;
  }
  if (o.imm) {
    s.imm = 'b';
    if (o.immPick) { const p = o.immPick; s.pre = (g: Gen, e: Enc) => { e.imm = p(g); }; }
  }
  if (memForm && !o.store && o.vals) {
    const vals = o.vals;
    s.post = (g: Gen, e: Enc) => {
      if (!e.isMem || !g.rng.chance(0.75)) return;
      g.patch(e.addr, memValues(g, vals, bytes));
    };
  }
  SSE_ROWS.push(s);
}

// ---- interesting values -------------------------------------------------------------------

/** An interesting float32 bit pattern. */
export function f32Bits(g: Gen): number {
  const r = g.rng;
  const sign = r.chance(0.5) ? 0x80000000 : 0;
  const mant = () => r.chance(0.3) ? (r.u32() & 0x7fffff) & ~((1 << r.int(23)) - 1) : r.u32() & 0x7fffff;
  let v: number;
  switch (r.int(16)) {
    case 0: v = 0; break;
    case 1: v = r.chance(0.3) ? r.pick([1, 0x7fffff, 0x400000, 0x000001]) : (r.u32() & 0x7fffff) || 1; break; // denormal
    case 2: v = 0x7f800000; break; // infinity
    case 3: v = 0x7fc00000 | (r.chance(0.3) ? 0 : r.u32() & 0x3fffff); break; // QNaN (payload)
    case 4: v = 0x7f800000 | ((r.u32() & 0x3fffff) || 1); break; // SNaN (payload)
    case 5: v = r.pick([0x00800000, 0x00800001, 0x007fffff, 0x7f7fffff, 0x7f7ffffe, 0x3f800000, 0x3f800001, 0x3f7fffff, 0x4f000000, 0x4effffff, 0x4f000001, 0x3f000000, 0x3fc00000, 0x40200000]); break;
    case 6: { // near integer conversion boundaries: k + {0, 0.5, ...}, around 2^31
      const d = r.chance(0.5) ? r.int(20) + r.pick([0, 0.25, 0.5, 0.75]) : r.pick([2147483648, 2147483520, 2147483776, 4294967296, 8388608.5, 16777217, 32768, 65535.5]);
      v = (new Float32Array([d]))[0] === 0 && d !== 0 ? 0 : f32of(d);
      break;
    }
    case 7: v = ((r.range(1, 26) << 23) | mant()) >>> 0; break; // tiny: underflow in products
    case 8: v = ((r.range(0xe0, 0xfe) << 23) | mant()) >>> 0; break; // huge: overflow
    case 9: v = r.u32() & 0x7fffffff; break; // any bits
    default: v = ((r.range(0x70, 0x8f) << 23) | mant()) >>> 0;
  }
  return (v | sign) >>> 0;
}

const cvt = new DataView(new ArrayBuffer(8));
function f32of(d: number): number {
  cvt.setFloat32(0, d, true);
  return cvt.getUint32(0, true);
}

/** An interesting float64 as [lo, hi]. */
export function f64Bits(g: Gen): [number, number] {
  const r = g.rng;
  const sign = r.chance(0.5) ? 0x80000000 : 0;
  const mhi = () => r.u32() & 0xfffff;
  const mlo = () => r.chance(0.3) ? 0 : r.chance(0.2) ? r.pick([0x10000000, 0x20000000, 0x0fffffff, 0x30000000, 0xe0000000]) : r.u32();
  let lo: number, hi: number;
  switch (r.int(17)) {
    case 0: lo = 0; hi = 0; break;
    case 1: lo = r.u32(); hi = r.u32() & 0xfffff; if (!lo && !hi) lo = 1; break; // denormal
    case 2: lo = 0; hi = 0x7ff00000; break;
    case 3: lo = r.chance(0.3) ? 0 : r.u32(); hi = 0x7ff80000 | (r.u32() & 0x7ffff); break; // QNaN
    case 4: lo = r.u32() | 1; hi = 0x7ff00000 | (r.u32() & 0x7ffff); break; // SNaN
    case 5: [lo, hi] = r.pick([[0, 0x00100000], [0xffffffff, 0x7fefffff], [0, 0x3ff00000], [1, 0x3ff00000], [0xffffffff, 0x3fefffff],
      [0, 0x41e00000], [0xffc00000, 0x41dfffff], [0x00200000, 0x41e00000], [0, 0xc1e00000], [0x00100000, 0xc1e00000],
      [0xe0000000, 0x47efffff], [0xf0000000, 0x47efffff], [0x10000000, 0x47efffff], [0, 0x47f00000], [0, 0x36a00000], [0, 0x38100000], [0xf0000000, 0x380fffff]] as Array<[number, number]>); break;
    case 6: { // near integer conversion boundaries
      const d = r.chance(0.5) ? r.int(20) + r.pick([0, 0.25, 0.5, 0.75]) : r.pick([2147483647.5, 2147483648, 2147483647, 2147483646.5, -2147483648.5, -2147483649, 4294967296.5, 4503599627370496.5]);
      cvt.setFloat64(0, d, true);
      lo = cvt.getUint32(0, true); hi = cvt.getUint32(4, true) & 0x7fffffff;
      break;
    }
    case 7: lo = mlo(); hi = (r.range(0x380 - 30, 0x381) << 20) | mhi(); break; // near float underflow
    case 8: lo = mlo(); hi = (r.range(0x47d, 0x480) << 20) | mhi(); break; // near float overflow
    case 9: lo = mlo(); hi = (r.range(1, 60) << 20) | mhi(); break; // double underflow
    case 10: lo = mlo(); hi = (r.range(0x7c0, 0x7fe) << 20) | mhi(); break; // double overflow
    case 11: lo = r.u32(); hi = r.u32() & 0x7fffffff; break;
    default: lo = mlo(); hi = (r.range(0x3c0, 0x43f) << 20) | mhi();
  }
  return [lo >>> 0, (hi | sign) >>> 0];
}

/** An interesting 32-bit integer lane (small shift counts included). */
function i32(g: Gen): number {
  const r = g.rng;
  if (r.chance(0.15)) return r.int(70);
  if (r.chance(0.15)) { // word pairs / byte quads of edge values
    const w = () => r.pick([0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x0080, 0xff80, 0x00ff]);
    return ((w() << 16) | w()) >>> 0;
  }
  return r.value(32);
}

/** 16 bytes of XMM contents: float, double, integer or mixed lanes. */
function xmmBytes(g: Gen): number[] {
  const r = g.rng;
  const d: number[] = [];
  const kind = r.int(5);
  for (let k = 0; k < 4; k++) {
    const lane = kind === 4 ? r.int(3) : kind === 3 ? 2 : kind;
    if (lane === 1 && k % 2 === 0) { const [lo, hi] = f64Bits(g); d.push(lo, hi); k++; continue; }
    d.push(lane === 0 ? f32Bits(g) : lane === 1 ? f32Bits(g) : i32(g));
  }
  const out: number[] = [];
  for (const v of d) out.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24);
  return out;
}

function memValues(g: Gen, vals: Vals, n: number): number[] {
  const r = g.rng;
  const words: number[] = [];
  switch (vals) {
    case 'ps': case 'ss': while (words.length * 4 < n) words.push(f32Bits(g)); break;
    case 'pd': case 'sd': while (words.length * 4 < n) words.push(...f64Bits(g)); break;
    case 'cnt': words.push(r.chance(0.7) ? r.int(70) : r.value(32), r.chance(0.8) ? 0 : r.value(32), r.u32(), r.u32()); break;
    case 'mxcsr': words.push(randomMxcsr(g, true)); break;
    default: while (words.length * 4 < n) words.push(i32(g));
  }
  const out: number[] = [];
  for (const v of words) out.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24);
  return out.slice(0, n);
}

/** A random MXCSR: any rounding mode, FTZ/DAZ, mostly masked, sometimes flags set; `load` may add reserved bits (#GP). */
export function randomMxcsr(g: Gen, load = false): number {
  const r = g.rng;
  let m = r.int(4) << 13;
  if (r.chance(0.25)) m |= 0x8000; // FTZ
  if (r.chance(0.25)) m |= 0x40; // DAZ
  let masks = 0x1f80;
  if (r.chance(0.15)) masks &= ~(0x80 << r.int(6)); // one unmasked exception
  if (r.chance(0.03)) masks = r.u32() & 0x1f80;
  m |= masks;
  if (r.chance(0.3)) m |= r.u32() & 0x3f; // sticky flags (set and unmasked: no exception by itself)
  if (load && r.chance(0.05)) m |= (1 << r.range(16, 31)) >>> 0; // reserved bit: #GP
  return m >>> 0;
}

/**
 * Fills the SSE part of an FXSAVE image (and MMX-style integer significands in the x87 part):
 * random XMM registers, a random MXCSR, sometimes the x87 unit in MMX state (TOP 0, all
 * valid) and, for the '#MF' row, a pending unmasked x87 exception.
 */
export function randomSseState(g: Gen, img: Uint8Array): void {
  const r = g.rng;
  const dv = new DataView(img.buffer, img.byteOffset, img.byteLength);
  for (let i = 0; i < 8; i++) {
    const b = r.chance(0.1) && i > 0 ? Array.from(img.subarray(160 + 16 * (i - 1), 176 + 16 * (i - 1))) : xmmBytes(g);
    img.set(b, 160 + 16 * i);
  }
  dv.setUint32(24, randomMxcsr(g), true);
  for (let i = 0; i < 8; i++) {
    if (!r.chance(0.6)) continue;
    dv.setUint32(32 + 16 * i, i32(g), true);
    dv.setUint32(36 + 16 * i, i32(g), true);
    if (r.chance(0.5)) dv.setUint16(40 + 16 * i, 0xffff, true);
    else { const [se] = fp80(g); dv.setUint16(40 + 16 * i, se, true); }
  }
  if (r.chance(0.25)) { // as left by an MMX instruction: TOP 0, all registers valid
    dv.setUint16(2, dv.getUint16(2, true) & ~0x3800, true);
    img[4] = 0xff;
  }
  if (PENDING_MF.has(g)) { // a pending unmasked x87 exception (ES and B set): see the '#MF' row
    const bit = r.int(6);
    dv.setUint16(0, dv.getUint16(0, true) & ~(1 << bit), true);
    dv.setUint16(2, dv.getUint16(2, true) | (1 << bit) | 0x8080, true);
  }
}

// ---- the rows --------------------------------------------------------------------------------

type P4 = '' | '66' | 'F3' | 'F2';
const FP = [
  ['add', 0x58], ['mul', 0x59], ['sub', 0x5c], ['min', 0x5d], ['div', 0x5e], ['max', 0x5f], ['sqrt', 0x51],
] as const;
for (const [n, op] of FP) {
  row(`${n}ps Vps,Wps`, '', [op], 'V', 'W', { mem: 16, a16: true, vals: 'ps' });
  row(`${n}pd Vpd,Wpd`, '66', [op], 'V', 'W', { mem: 16, a16: true, vals: 'pd' });
  row(`${n}ss Vss,Wss`, 'F3', [op], 'V', 'W', { mem: 4, vals: 'ss' });
  row(`${n}sd Vsd,Wsd`, 'F2', [op], 'V', 'W', { mem: 8, vals: 'sd' });
}
row('rsqrtps Vps,Wps', '', [0x52], 'V', 'W', { mem: 16, a16: true, vals: 'ps' });
row('rsqrtss Vss,Wss', 'F3', [0x52], 'V', 'W', { mem: 4, vals: 'ss' });
row('rcpps Vps,Wps', '', [0x53], 'V', 'W', { mem: 16, a16: true, vals: 'ps' });
row('rcpss Vss,Wss', 'F3', [0x53], 'V', 'W', { mem: 4, vals: 'ss' });
(['and', 'andn', 'or', 'xor'] as const).forEach((n, k) => {
  row(`${n}ps Vps,Wps`, '', [0x54 + k], 'V', 'W', { mem: 16, a16: true, vals: 'ps' });
  row(`${n}pd Vpd,Wpd`, '66', [0x54 + k], 'V', 'W', { mem: 16, a16: true, vals: 'pd' });
});
/** CMPccPS predicate: 0-7, sometimes with the reserved bits 3-7 set. */
const cmpImm = (g: Gen) => g.rng.chance(0.9) ? g.rng.int(8) : g.rng.int(256);
row('cmpps Vps,Wps,Ib', '', [0xc2], 'V', 'W', { mem: 16, a16: true, vals: 'ps', imm: true, immPick: cmpImm });
row('cmppd Vpd,Wpd,Ib', '66', [0xc2], 'V', 'W', { mem: 16, a16: true, vals: 'pd', imm: true, immPick: cmpImm });
row('cmpss Vss,Wss,Ib', 'F3', [0xc2], 'V', 'W', { mem: 4, vals: 'ss', imm: true, immPick: cmpImm });
row('cmpsd Vsd,Wsd,Ib', 'F2', [0xc2], 'V', 'W', { mem: 8, vals: 'sd', imm: true, immPick: cmpImm });
const COMI = fl('d=OSZAPC');
row('ucomiss Vss,Wss', '', [0x2e], 'V', 'W', { mem: 4, vals: 'ss', flags: COMI });
row('comiss Vss,Wss', '', [0x2f], 'V', 'W', { mem: 4, vals: 'ss', flags: COMI });
row('ucomisd Vsd,Wsd', '66', [0x2e], 'V', 'W', { mem: 8, vals: 'sd', flags: COMI });
row('comisd Vsd,Wsd', '66', [0x2f], 'V', 'W', { mem: 8, vals: 'sd', flags: COMI });
row('unpcklps Vps,Wps', '', [0x14], 'V', 'W', { mem: 16, a16: true, vals: 'ps' });
row('unpckhps Vps,Wps', '', [0x15], 'V', 'W', { mem: 16, a16: true, vals: 'ps' });
row('unpcklpd Vpd,Wpd', '66', [0x14], 'V', 'W', { mem: 16, a16: true, vals: 'pd' });
row('unpckhpd Vpd,Wpd', '66', [0x15], 'V', 'W', { mem: 16, a16: true, vals: 'pd' });
row('shufps Vps,Wps,Ib', '', [0xc6], 'V', 'W', { mem: 16, a16: true, vals: 'ps', imm: true });
row('shufpd Vpd,Wpd,Ib', '66', [0xc6], 'V', 'W', { mem: 16, a16: true, vals: 'pd', imm: true });
row('movmskps Gd,Ups', '', [0x50], 'G', 'U', { wrG: true });
row('movmskpd Gd,Upd', '66', [0x50], 'G', 'U', { wrG: true });

// SSE3
row('addsubpd Vpd,Wpd', '66', [0xd0], 'V', 'W', { mem: 16, a16: true, vals: 'pd' });
row('addsubps Vps,Wps', 'F2', [0xd0], 'V', 'W', { mem: 16, a16: true, vals: 'ps' });
row('haddpd Vpd,Wpd', '66', [0x7c], 'V', 'W', { mem: 16, a16: true, vals: 'pd' });
row('haddps Vps,Wps', 'F2', [0x7c], 'V', 'W', { mem: 16, a16: true, vals: 'ps' });
row('hsubpd Vpd,Wpd', '66', [0x7d], 'V', 'W', { mem: 16, a16: true, vals: 'pd' });
row('hsubps Vps,Wps', 'F2', [0x7d], 'V', 'W', { mem: 16, a16: true, vals: 'ps' });
row('movsldup Vps,Wps', 'F3', [0x12], 'V', 'W', { mem: 16, a16: true, vals: 'ps' });
row('movshdup Vps,Wps', 'F3', [0x16], 'V', 'W', { mem: 16, a16: true, vals: 'ps' });
row('movddup Vpd,Wsd', 'F2', [0x12], 'V', 'W', { mem: 8, vals: 'sd' });
row('lddqu Vdq,Mdq', 'F2', [0xf0], 'V', 'M', { mem: 16, vals: 'i' });

// Moves
row('movups Vps,Wps', '', [0x10], 'V', 'W', { mem: 16, vals: 'ps' });
row('movupd Vpd,Wpd', '66', [0x10], 'V', 'W', { mem: 16, vals: 'pd' });
row('movss Vss,Wss', 'F3', [0x10], 'V', 'W', { mem: 4, vals: 'ss' });
row('movsd Vsd,Wsd', 'F2', [0x10], 'V', 'W', { mem: 8, vals: 'sd' });
row('movups Wps,Vps', '', [0x11], 'V', 'W', { mem: 16, store: true });
row('movupd Wpd,Vpd', '66', [0x11], 'V', 'W', { mem: 16, store: true });
row('movss Wss,Vss', 'F3', [0x11], 'V', 'W', { mem: 4, store: true });
row('movsd Wsd,Vsd', 'F2', [0x11], 'V', 'W', { mem: 8, store: true });
row('movlps Vq,Mq', '', [0x12], 'V', 'M', { mem: 8, vals: 'ps' });
row('movhlps Vq,Uq', '', [0x12], 'V', 'U');
row('movlpd Vq,Mq', '66', [0x12], 'V', 'M', { mem: 8, vals: 'sd' });
row('movlps Mq,Vq', '', [0x13], 'V', 'M', { mem: 8, store: true });
row('movlpd Mq,Vq', '66', [0x13], 'V', 'M', { mem: 8, store: true });
row('movhps Vq,Mq', '', [0x16], 'V', 'M', { mem: 8, vals: 'ps' });
row('movlhps Vq,Uq', '', [0x16], 'V', 'U');
row('movhpd Vq,Mq', '66', [0x16], 'V', 'M', { mem: 8, vals: 'sd' });
row('movhps Mq,Vq', '', [0x17], 'V', 'M', { mem: 8, store: true });
row('movhpd Mq,Vq', '66', [0x17], 'V', 'M', { mem: 8, store: true });
row('movaps Vps,Wps', '', [0x28], 'V', 'W', { mem: 16, a16: true, vals: 'ps' });
row('movapd Vpd,Wpd', '66', [0x28], 'V', 'W', { mem: 16, a16: true, vals: 'pd' });
row('movaps Wps,Vps', '', [0x29], 'V', 'W', { mem: 16, a16: true, store: true });
row('movapd Wpd,Vpd', '66', [0x29], 'V', 'W', { mem: 16, a16: true, store: true });
row('movntps Mps,Vps', '', [0x2b], 'V', 'M', { mem: 16, a16: true, store: true });
row('movntpd Mpd,Vpd', '66', [0x2b], 'V', 'M', { mem: 16, a16: true, store: true });
row('movd Pq,Ed', '', [0x6e], 'P', 'E', { mem: 4, vals: 'i' });
row('movd Vdq,Ed', '66', [0x6e], 'V', 'E', { mem: 4, vals: 'i' });
row('movq Pq,Qq', '', [0x6f], 'P', 'Q', { mem: 8, vals: 'i' });
row('movdqa Vdq,Wdq', '66', [0x6f], 'V', 'W', { mem: 16, a16: true, vals: 'i' });
row('movdqu Vdq,Wdq', 'F3', [0x6f], 'V', 'W', { mem: 16, vals: 'i' });
row('movd Ed,Pq', '', [0x7e], 'P', 'E', { mem: 4, store: true, wrE: true });
row('movd Ed,Vdq', '66', [0x7e], 'V', 'E', { mem: 4, store: true, wrE: true });
row('movq Vq,Wq', 'F3', [0x7e], 'V', 'W', { mem: 8, vals: 'i' });
row('movq Qq,Pq', '', [0x7f], 'P', 'Q', { mem: 8, store: true });
row('movdqa Wdq,Vdq', '66', [0x7f], 'V', 'W', { mem: 16, a16: true, store: true });
row('movdqu Wdq,Vdq', 'F3', [0x7f], 'V', 'W', { mem: 16, store: true });
row('movq Wq,Vq', '66', [0xd6], 'V', 'W', { mem: 8, store: true });
row('movq2dq Vdq,Nq', 'F3', [0xd6], 'V', 'N');
row('movdq2q Pq,Uq', 'F2', [0xd6], 'P', 'U');
row('movnti Md,Gd', '', [0xc3], 'G', 'M', { mem: 4, store: true });
row('movntq Mq,Pq', '', [0xe7], 'P', 'M', { mem: 8, store: true });
row('movntdq Mdq,Vdq', '66', [0xe7], 'V', 'M', { mem: 16, a16: true, store: true });

// Conversions
row('cvtpi2ps Vps,Qpi', '', [0x2a], 'V', 'Q', { mem: 8, vals: 'i' });
row('cvtpi2pd Vpd,Qpi', '66', [0x2a], 'V', 'Q', { mem: 8, vals: 'i' });
row('cvtsi2ss Vss,Ed', 'F3', [0x2a], 'V', 'E', { mem: 4, vals: 'i' });
row('cvtsi2sd Vsd,Ed', 'F2', [0x2a], 'V', 'E', { mem: 4, vals: 'i' });
row('cvttps2pi Ppi,Wps', '', [0x2c], 'P', 'W', { mem: 8, vals: 'ps' });
row('cvtps2pi Ppi,Wps', '', [0x2d], 'P', 'W', { mem: 8, vals: 'ps' });
row('cvttpd2pi Ppi,Wpd', '66', [0x2c], 'P', 'W', { mem: 16, a16: true, vals: 'pd' });
row('cvtpd2pi Ppi,Wpd', '66', [0x2d], 'P', 'W', { mem: 16, a16: true, vals: 'pd' });
row('cvttss2si Gd,Wss', 'F3', [0x2c], 'G', 'W', { mem: 4, vals: 'ss', wrG: true });
row('cvtss2si Gd,Wss', 'F3', [0x2d], 'G', 'W', { mem: 4, vals: 'ss', wrG: true });
row('cvttsd2si Gd,Wsd', 'F2', [0x2c], 'G', 'W', { mem: 8, vals: 'sd', wrG: true });
row('cvtsd2si Gd,Wsd', 'F2', [0x2d], 'G', 'W', { mem: 8, vals: 'sd', wrG: true });
row('cvtps2pd Vpd,Wps', '', [0x5a], 'V', 'W', { mem: 8, vals: 'ps' });
row('cvtpd2ps Vps,Wpd', '66', [0x5a], 'V', 'W', { mem: 16, a16: true, vals: 'pd' });
row('cvtss2sd Vsd,Wss', 'F3', [0x5a], 'V', 'W', { mem: 4, vals: 'ss' });
row('cvtsd2ss Vss,Wsd', 'F2', [0x5a], 'V', 'W', { mem: 8, vals: 'sd' });
row('cvtdq2ps Vps,Wdq', '', [0x5b], 'V', 'W', { mem: 16, a16: true, vals: 'i' });
row('cvtps2dq Vdq,Wps', '66', [0x5b], 'V', 'W', { mem: 16, a16: true, vals: 'ps' });
row('cvttps2dq Vdq,Wps', 'F3', [0x5b], 'V', 'W', { mem: 16, a16: true, vals: 'ps' });
row('cvttpd2dq Vdq,Wpd', '66', [0xe6], 'V', 'W', { mem: 16, a16: true, vals: 'pd' });
row('cvtpd2dq Vdq,Wpd', 'F2', [0xe6], 'V', 'W', { mem: 16, a16: true, vals: 'pd' });
row('cvtdq2pd Vpd,Wq', 'F3', [0xe6], 'V', 'W', { mem: 8, vals: 'i' });

// Integer SIMD: MMX (no prefix, m64; PUNPCKL* m32) and XMM (66, m128 aligned).
const INT: Array<[string, number]> = [
  ['punpcklbw', 0x60], ['punpcklwd', 0x61], ['punpckldq', 0x62], ['packsswb', 0x63], ['pcmpgtb', 0x64], ['pcmpgtw', 0x65],
  ['pcmpgtd', 0x66], ['packuswb', 0x67], ['punpckhbw', 0x68], ['punpckhwd', 0x69], ['punpckhdq', 0x6a], ['packssdw', 0x6b],
  ['pcmpeqb', 0x74], ['pcmpeqw', 0x75], ['pcmpeqd', 0x76], ['psrlw', 0xd1], ['psrld', 0xd2], ['psrlq', 0xd3], ['paddq', 0xd4],
  ['pmullw', 0xd5], ['psubusb', 0xd8], ['psubusw', 0xd9], ['pminub', 0xda], ['pand', 0xdb], ['paddusb', 0xdc], ['paddusw', 0xdd],
  ['pmaxub', 0xde], ['pandn', 0xdf], ['pavgb', 0xe0], ['psraw', 0xe1], ['psrad', 0xe2], ['pavgw', 0xe3], ['pmulhuw', 0xe4],
  ['pmulhw', 0xe5], ['psubsb', 0xe8], ['psubsw', 0xe9], ['pminsw', 0xea], ['por', 0xeb], ['paddsb', 0xec], ['paddsw', 0xed],
  ['pmaxsw', 0xee], ['pxor', 0xef], ['psllw', 0xf1], ['pslld', 0xf2], ['psllq', 0xf3], ['pmuludq', 0xf4], ['pmaddwd', 0xf5],
  ['psadbw', 0xf6], ['psubb', 0xf8], ['psubw', 0xf9], ['psubd', 0xfa], ['psubq', 0xfb], ['paddb', 0xfc], ['paddw', 0xfd], ['paddd', 0xfe],
];
for (const [n, op] of INT) {
  const vals: Vals = /^ps[rl]/.test(n) ? 'cnt' : 'i';
  row(`${n} Pq,Q${op <= 0x62 ? 'd' : 'q'}`, '', [op], 'P', 'Q', { mem: op <= 0x62 ? 4 : 8, vals });
  row(`${n} Vdq,Wdq`, '66', [op], 'V', 'W', { mem: 16, a16: true, vals });
}
row('punpcklqdq Vdq,Wdq', '66', [0x6c], 'V', 'W', { mem: 16, a16: true, vals: 'i' });
row('punpckhqdq Vdq,Wdq', '66', [0x6d], 'V', 'W', { mem: 16, a16: true, vals: 'i' });
row('pshufw Pq,Qq,Ib', '', [0x70], 'P', 'Q', { mem: 8, vals: 'i', imm: true });
row('pshufd Vdq,Wdq,Ib', '66', [0x70], 'V', 'W', { mem: 16, a16: true, vals: 'i', imm: true });
row('pshufhw Vdq,Wdq,Ib', 'F3', [0x70], 'V', 'W', { mem: 16, a16: true, vals: 'i', imm: true });
row('pshuflw Vdq,Wdq,Ib', 'F2', [0x70], 'V', 'W', { mem: 16, a16: true, vals: 'i', imm: true });
/** Shift counts by immediate: mostly in range, sometimes past the lane width. */
const cntImm = (g: Gen) => g.rng.chance(0.7) ? g.rng.int(66) : g.rng.int(256);
const SHIFT_IMM: Array<[string, number, number]> = [
  ['psrlw', 0x71, 2], ['psraw', 0x71, 4], ['psllw', 0x71, 6], ['psrld', 0x72, 2], ['psrad', 0x72, 4], ['pslld', 0x72, 6],
  ['psrlq', 0x73, 2], ['psllq', 0x73, 6],
];
for (const [n, op, digit] of SHIFT_IMM) {
  row(`${n} Nq,Ib`, '', [op], null, 'N', { digit, imm: true, immPick: cntImm });
  row(`${n} Udq,Ib`, '66', [op], null, 'U', { digit, imm: true, immPick: cntImm });
}
row('psrldq Udq,Ib', '66', [0x73], null, 'U', { digit: 3, imm: true, immPick: cntImm });
row('pslldq Udq,Ib', '66', [0x73], null, 'U', { digit: 7, imm: true, immPick: cntImm });
row('pinsrw Pq,Ed,Ib', '', [0xc4], 'P', 'E', { mem: 2, vals: 'i', imm: true });
row('pinsrw Vdq,Ed,Ib', '66', [0xc4], 'V', 'E', { mem: 2, vals: 'i', imm: true });
row('pextrw Gd,Nq,Ib', '', [0xc5], 'G', 'N', { imm: true, wrG: true });
row('pextrw Gd,Udq,Ib', '66', [0xc5], 'G', 'U', { imm: true, wrG: true });
row('pmovmskb Gd,Nq', '', [0xd7], 'G', 'N', { wrG: true });
row('pmovmskb Gd,Udq', '66', [0xd7], 'G', 'U', { wrG: true });

// SSSE3 (0F 38 xx, 0F 3A 0F)
const SSSE3: Array<[string, number]> = [
  ['pshufb', 0x00], ['phaddw', 0x01], ['phaddd', 0x02], ['phaddsw', 0x03], ['pmaddubsw', 0x04], ['phsubw', 0x05], ['phsubd', 0x06],
  ['phsubsw', 0x07], ['psignb', 0x08], ['psignw', 0x09], ['psignd', 0x0a], ['pmulhrsw', 0x0b], ['pabsb', 0x1c], ['pabsw', 0x1d], ['pabsd', 0x1e],
];
for (const [n, op] of SSSE3) {
  row(`${n} Pq,Qq`, '', [0x38, op], 'P', 'Q', { mem: 8, vals: 'i' });
  row(`${n} Vdq,Wdq`, '66', [0x38, op], 'V', 'W', { mem: 16, a16: true, vals: 'i' });
}
const alignImm = (g: Gen) => g.rng.chance(0.8) ? g.rng.int(33) : g.rng.int(256);
row('palignr Pq,Qq,Ib', '', [0x3a, 0x0f], 'P', 'Q', { mem: 8, vals: 'i', imm: true, immPick: alignImm });
row('palignr Vdq,Wdq,Ib', '66', [0x3a, 0x0f], 'V', 'W', { mem: 16, a16: true, vals: 'i', imm: true, immPick: alignImm });

// MXCSR
row('ldmxcsr Md', '', [0xae], null, 'M', { digit: 2, mem: 4, vals: 'mxcsr', weight: 0.1 });
row('stmxcsr Md', '', [0xae], null, 'M', { digit: 3, mem: 4, store: true, weight: 0.1 });

// EMMS (the x87 tag word to all empty).
SSE_ROWS.push({ name: 'emms', group: 'sse', op: [0x0f, 0x77], size: 'n', fl: NO_FLAGS, fsw: NO_CC, weight: 0.1 });

// MASKMOVQ / MASKMOVDQU: byte stores through the mask to DS:[EDI] (EDI set up just before).
function maskmov(name: string, pfx: number[]): void {
  SSE_ROWS.push({
    name, group: 'sse', fl: NO_FLAGS, fsw: NO_CC, weight: WEIGHT, iw: 1 << EDI,
    emit: (g: Gen) => {
      const r = g.rng;
      let addr: number;
      if (!g.noFault.has(name) && r.chance(FAULT_RATE * 2)) addr = r.pick([GUARD_ABOVE - r.range(1, 15), GUARD_ABOVE + r.int(64), SCRATCH_ADDR - 16, 0]);
      else addr = g.dataAddr(16);
      if (pfx.length === 0) fnclexAfterX87(g);
      g.movImm(EDI, addr);
      if (r.chance(0.5)) g.patch(addr, memValues(g, 'i', 16));
      const seg = r.chance(0.15) ? [r.pick([0x26, 0x36, 0x3e])] : [];
      g.raw(g.spec(name), [...seg, ...pfx, 0x0f, 0xf7, 0xc0 | (r.int(8) << 3) | r.int(8)]);
    },
  });
}
maskmov('maskmovq Pq,Nq', []);
maskmov('maskmovdqu Vdq,Udq', [0x66]);

// SSE4.1, SSE4.2, AES-NI, PCLMULQDQ (66 0F 38 / 66 0F 3A). DPPS/DPPD are left out: the
// host (AMD) reports MXCSR flags for tiny, huge or inexact intermediate products that do not
// follow the SDM's pseudo-code, which the emulator implements (see test/cpu/sse/sse4.test.ts).
for (const [n, op] of [['pblendvb', 0x10], ['blendvps', 0x14], ['blendvpd', 0x15], ['pmuldq', 0x28], ['pcmpeqq', 0x29],
  ['packusdw', 0x2b], ['pcmpgtq', 0x37], ['pminsb', 0x38], ['pminsd', 0x39], ['pminuw', 0x3a], ['pminud', 0x3b],
  ['pmaxsb', 0x3c], ['pmaxsd', 0x3d], ['pmaxuw', 0x3e], ['pmaxud', 0x3f], ['pmulld', 0x40], ['phminposuw', 0x41],
  ['aesimc', 0xdb], ['aesenc', 0xdc], ['aesenclast', 0xdd], ['aesdec', 0xde], ['aesdeclast', 0xdf]] as const) {
  row(`${n} Vdq,Wdq`, '66', [0x38, op], 'V', 'W', { mem: 16, a16: true, vals: 'i' });
}
row('ptest Vdq,Wdq', '66', [0x38, 0x17], 'V', 'W', { mem: 16, a16: true, vals: 'i', flags: fl('d=OSZAPC') });
for (const [n, op, m] of [['bw', 0x20, 8], ['bd', 0x21, 4], ['bq', 0x22, 2], ['wd', 0x23, 8], ['wq', 0x24, 4], ['dq', 0x25, 8]] as const) {
  row(`pmovsx${n} Vdq,Wq`, '66', [0x38, op], 'V', 'W', { mem: m, vals: 'i' });
  row(`pmovzx${n} Vdq,Wq`, '66', [0x38, op + 0x10], 'V', 'W', { mem: m, vals: 'i' });
}
row('movntdqa Vdq,Mdq', '66', [0x38, 0x2a], 'V', 'M', { mem: 16, a16: true, vals: 'i' });
row('roundps Vps,Wps,Ib', '66', [0x3a, 0x08], 'V', 'W', { mem: 16, a16: true, vals: 'ps', imm: true });
row('roundpd Vpd,Wpd,Ib', '66', [0x3a, 0x09], 'V', 'W', { mem: 16, a16: true, vals: 'pd', imm: true });
row('roundss Vss,Wss,Ib', '66', [0x3a, 0x0a], 'V', 'W', { mem: 4, vals: 'ss', imm: true });
row('roundsd Vsd,Wsd,Ib', '66', [0x3a, 0x0b], 'V', 'W', { mem: 8, vals: 'sd', imm: true });
row('blendps Vps,Wps,Ib', '66', [0x3a, 0x0c], 'V', 'W', { mem: 16, a16: true, vals: 'ps', imm: true });
row('blendpd Vpd,Wpd,Ib', '66', [0x3a, 0x0d], 'V', 'W', { mem: 16, a16: true, vals: 'pd', imm: true });
row('pblendw Vdq,Wdq,Ib', '66', [0x3a, 0x0e], 'V', 'W', { mem: 16, a16: true, vals: 'i', imm: true });
row('pextrb Eb,Vdq,Ib', '66', [0x3a, 0x14], 'V', 'E', { mem: 1, store: true, wrE: true, imm: true });
row('pextrw Ew,Vdq,Ib', '66', [0x3a, 0x15], 'V', 'E', { mem: 2, store: true, wrE: true, imm: true });
row('pextrd Ed,Vdq,Ib', '66', [0x3a, 0x16], 'V', 'E', { mem: 4, store: true, wrE: true, imm: true });
row('extractps Ed,Vps,Ib', '66', [0x3a, 0x17], 'V', 'E', { mem: 4, store: true, wrE: true, imm: true });
row('pinsrb Vdq,Eb,Ib', '66', [0x3a, 0x20], 'V', 'E', { mem: 1, vals: 'i', imm: true });
row('insertps Vps,Wss,Ib', '66', [0x3a, 0x21], 'V', 'W', { mem: 4, vals: 'ps', imm: true });
row('pinsrd Vdq,Ed,Ib', '66', [0x3a, 0x22], 'V', 'E', { mem: 4, vals: 'i', imm: true });
row('mpsadbw Vdq,Wdq,Ib', '66', [0x3a, 0x42], 'V', 'W', { mem: 16, a16: true, vals: 'i', imm: true });
row('pclmulqdq Vdq,Wdq,Ib', '66', [0x3a, 0x44], 'V', 'W', { mem: 16, a16: true, vals: 'i', imm: true });
row('aeskeygenassist Vdq,Wdq,Ib', '66', [0x3a, 0xdf], 'V', 'W', { mem: 16, a16: true, vals: 'i', imm: true });
for (const [n, op] of [['pcmpestrm', 0x60], ['pcmpestri', 0x61], ['pcmpistrm', 0x62], ['pcmpistri', 0x63]] as const) {
  row(`${n} Vdq,Wdq,Ib`, '66', [0x3a, op], 'V', 'W', { mem: 16, vals: 'i', imm: true, flags: fl('d=OSZAPC') });
  if (op & 1) SSE_ROWS[SSE_ROWS.length - 1].iw = 1 << 1; // ECX
}

// Encodings that must be #UD (register forms of memory-only rows, memory forms of register-only
// rows, prefixes without a form).
const UD: Array<[string, number[]]> = [
  ['movntps R (#UD)', [0x0f, 0x2b, 0xc1]],
  ['movntdq R (#UD)', [0x66, 0x0f, 0xe7, 0xc1]],
  ['lddqu R (#UD)', [0xf2, 0x0f, 0xf0, 0xc1]],
  ['movlpd R (#UD)', [0x66, 0x0f, 0x12, 0xc1]],
  ['movhps R,V store (#UD)', [0x0f, 0x17, 0xc1]],
  ['movmskps M (#UD)', [0x0f, 0x50, 0x05, 0, 1, 0, 0x10]],
  ['pmovmskb M (#UD)', [0x0f, 0xd7, 0x05, 0, 1, 0, 0x10]],
  ['pextrw M (#UD)', [0x66, 0x0f, 0xc5, 0x05, 0, 1, 0, 0x10, 1]],
  ['psrlw M,Ib (#UD)', [0x0f, 0x71, 0x15, 0, 1, 0, 0x10, 1]],
  ['psrldq MMX (#UD)', [0x0f, 0x73, 0xd8, 1]],
  ['0F 71 /0 (#UD)', [0x0f, 0x71, 0xc0, 1]],
  ['movq2dq M (#UD)', [0xf3, 0x0f, 0xd6, 0x05, 0, 1, 0, 0x10]],
  ['F2 F3 0F 58 (two mandatory prefixes)', [0xf2, 0xf3, 0x0f, 0x58, 0xc1]],
  ['66 F2 0F 58 (66 and F2)', [0x66, 0xf2, 0x0f, 0x58, 0xc1]],
  ['F3 0F 77 (#UD)', [0xf3, 0x0f, 0x77]],
  ['F3 0F 38 00 (#UD)', [0xf3, 0x0f, 0x38, 0x00, 0xc1]],
  ['ldmxcsr R (#UD)', [0x0f, 0xae, 0xd0]],
  ['lock paddb (#UD)', [0xf0, 0x66, 0x0f, 0xfc, 0x05, 0, 1, 0, 0x10]],
];
for (const [name, bytes] of UD) {
  const ud = name.includes('#UD');
  SSE_ROWS.push({
    name, group: 'sse', fl: NO_FLAGS, fsw: NO_CC, weight: 0.01, terminal: ud,
    emit: (g: Gen) => { g.raw(g.spec(name), bytes); if (ud) g.ended = true; },
  });
}

// An MMX instruction with an unmasked x87 exception pending (ES set): #MF, SIGFPE natively.
// The pending exception is part of the case's initial state (randomSseState), so it is a row of
// its own, which knownFailing.ts can skip without losing the MMX rows. It must be the first
// x87/MMX instruction of its sequence (an earlier one would take the #MF); otherwise it emits
// a plain MMX row.
const PENDING_MF = new WeakSet<Gen>();
const MF_NAME = 'MMX insn with a pending x87 exception (#MF)';
const MMX_RE = /^(emms|maskmovq|\w+ (Pq|Ppi|Nq)|movq Qq|movd Ed,Pq|movntq|pextrw Gd,Nq|pmovmskb Gd,Nq|cvtpi2p[sd] V\w+,Qpi|movq2dq)/;
/** Whether a row of this table is an MMX instruction (touches the x87 register file). */
export function isMmxRow(name: string): boolean {
  return MMX_RE.test(name) || name === MF_NAME;
}
let mmxRows: Spec[] | null = null;
let mmxDerived: Spec[] | null = null;
SSE_ROWS.push({
  name: MF_NAME, group: 'sse', fl: NO_FLAGS, fsw: NO_CC, weight: 0.1,
  emit: (g: Gen) => {
    const first = !g.units.some((u) => u.spec.group.startsWith('x87') || u.spec.name === MF_NAME || MMX_RE.test(u.spec.name));
    if (first) PENDING_MF.add(g);
    // Not first: whatever the x87 rows before it left pending (no FNCLEX in front, unlike the plain MMX rows).
    g.insn(g.rng.pick(mmxDerived!));
  },
});
mmxRows = SSE_ROWS.filter((s) => !s.emit && MMX_RE.test(s.name));
// CVTPI2PS/PD with a memory source do not touch the x87 unit (no #MF): not used for this row.
mmxDerived = mmxRows.filter((s) => !s.name.startsWith('cvtpi2p')).map((s) => ({ ...s, name: MF_NAME }));

/**
 * The plain MMX rows: after x87 rows (which may leave an unmasked exception pending) an FNCLEX
 * goes first, so that #MF is only ever taken by the '#MF' row above.
 */
function fnclexAfterX87(g: Gen): void {
  if (g.units.some((u) => u.spec.group.startsWith('x87'))) g.raw(g.spec('fnclex'), [0xdb, 0xe2]);
}
for (const s of mmxRows) {
  const pre = s.pre;
  s.pre = pre ? (g: Gen, e: Enc) => { fnclexAfterX87(g); pre(g, e); } : (g: Gen) => fnclexAfterX87(g);
}
