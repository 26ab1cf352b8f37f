// Random operands for the SSE differential tests: a seeded PRNG, single/double/integer lane
// generators biased towards the values that break implementations (signed zeros, denormals,
// infinities, QNaN/SNaN with payloads, extremes, short mantissas that make exact results and
// rounding ties, operands related so that sums cancel or land on ties), MXCSR settings, and
// case builders from a compact instruction description.
import { type Case, MEM_ADDR, MEM_SIZE, OFF_EFLAGS, OFF_FSW, OFF_FTW, OFF_GPR, OFF_MEM, OFF_MM, OFF_MXCSR, OFF_XMM, STATE_SIZE } from './harness.js';

export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }
  /** mulberry32 */
  u32(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  int(n: number): number {
    return Math.floor((this.u32() / 4294967296) * n);
  }
  chance(p: number): boolean {
    return this.u32() / 4294967296 < p;
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)];
  }
}

export type Lane = 'f32' | 'f64' | 'i8' | 'i16' | 'i32' | 'i64';

// ---- singles ----------------------------------------------------------------------------

function shortMant(r: Rng, bits: number): number {
  // a mantissa with only a few significant bits (top-aligned within `bits`)
  const k = r.int(6);
  return (r.u32() >>> (32 - k)) << (bits - k) >>> 0;
}

export function f32(r: Rng): number {
  const s = r.chance(0.5) ? 0x80000000 : 0;
  let e: number, m: number;
  switch (r.int(20)) {
    case 0: return s;
    case 1: return (s | (r.u32() & 0x7fffff) || 1) | 0;
    case 2: return s | 0x7f800000;
    case 3: return s | 0x7fc00000 | (r.chance(0.5) ? 0 : r.u32() & 0x3fffff);
    case 4: return s | 0x7f800000 | ((r.u32() & 0x3fffff) || 1);
    case 5: return s | r.pick([0x7f7fffff, 0x00800000, 0x00000001, 0x007fffff, 0x00800001, 0x7f7ffffe, 0x3f800000, 0x4f000000, 0xcf000000 & 0x7fffffff, 0x4effffff]);
    case 6: e = 120 + r.int(16); m = shortMant(r, 23); break;
    case 7: case 8: case 9: e = 100 + r.int(56); m = r.u32() & 0x7fffff; break;
    case 10: case 11: e = 1 + r.int(254); m = r.u32() & 0x7fffff; break;
    case 12: e = 1 + r.int(30); m = r.chance(0.5) ? shortMant(r, 23) : r.u32() & 0x7fffff; break;
    case 13: e = 225 + r.int(30); m = r.chance(0.5) ? shortMant(r, 23) : r.u32() & 0x7fffff; break;
    case 14: return (s | f32OfInt(1 + r.int(2 ** r.int(32)))) | 0;
    case 15: e = 150 + r.int(10); m = r.u32() & 0x7fffff; break; // around 2^31 (conversions)
    default: e = 1 + r.int(254); m = shortMant(r, 23); break;
  }
  return (s | (e << 23) | m) | 0;
}

const cvt = new DataView(new ArrayBuffer(8));
function f32OfInt(n: number): number {
  cvt.setFloat32(0, n, true);
  return cvt.getInt32(0, true);
}

/** A single related to a: its negation, a near neighbour, or a tie-making small addend. */
export function f32Related(r: Rng, a: number): number {
  const e = (a >>> 23) & 0xff;
  switch (r.int(6)) {
    case 0: return a ^ 0x80000000;
    case 1: return (a ^ (r.u32() & 0xff)) | 0;
    case 2: return (a ^ 0x80000000 ^ (r.u32() & 0xf)) | 0;
    case 3: {
      const ne = e - 23 - r.int(4);
      if (ne <= 0 || e === 0xff) return a;
      return ((a & 0x80000000) ^ (r.chance(0.5) ? 0x80000000 : 0) | (ne << 23) | shortMant(r, 23)) | 0;
    }
    case 4: return a;
    default: return (a & 0x80000000 | ((e + r.int(5) - 2) & 0xff) << 23 | shortMant(r, 23)) | 0;
  }
}

// ---- doubles (as [lo, hi]) ------------------------------------------------------------------

export function f64(r: Rng): [number, number] {
  const s = r.chance(0.5) ? 0x80000000 : 0;
  let e: number;
  let mhi = r.u32() & 0xfffff, mlo = r.u32() | 0;
  const short = (): void => {
    const k = r.int(8);
    mhi = k === 0 ? 0 : ((r.u32() >>> (32 - Math.min(k, 20))) << (20 - Math.min(k, 20))) >>> 0;
    mlo = 0;
  };
  switch (r.int(20)) {
    case 0: return [0, s | 0];
    case 1: return [mlo, (s | (r.chance(0.5) ? mhi : 0)) | 0];
    case 2: return [0, (s | 0x7ff00000) | 0];
    case 3: return [r.chance(0.5) ? 0 : mlo, (s | 0x7ff80000 | (r.chance(0.5) ? 0 : mhi & 0x7ffff)) | 0];
    case 4: return [mlo || 1, (s | 0x7ff00000 | (mhi & 0x7ffff)) | 0];
    case 5: {
      const v = r.pick([[-1, 0x7fefffff], [0, 0x00100000], [1, 0], [-1, 0x000fffff], [0, 0x3ff00000], [0, 0x41e00000], [0xffc00000 | 0, 0x41dfffff], [0, 0x36a00000], [0, 0x38100000], [0xe0000000 | 0, 0x47efffff], [0, 0x47f00000]]);
      return [v[0] | 0, (s | v[1]) | 0];
    }
    case 6: e = 1016 + r.int(16); short(); break;
    case 7: case 8: case 9: e = 900 + r.int(250); break;
    case 10: case 11: e = 1 + r.int(2046); break;
    case 12: e = 1 + r.int(60); if (r.chance(0.5)) short(); break;
    case 13: e = 1990 + r.int(57); if (r.chance(0.5)) short(); break;
    case 14: e = 850 + r.int(60); if (r.chance(0.5)) short(); break; // around single's underflow
    case 15: e = 1140 + r.int(20); if (r.chance(0.5)) short(); break; // around single's overflow
    case 16: e = 1040 + r.int(14); if (r.chance(0.5)) short(); break; // around 2^31
    default: e = 1 + r.int(2046); short(); break;
  }
  return [mlo, (s | (e << 20) | mhi) | 0];
}

export function f64Related(r: Rng, a: [number, number]): [number, number] {
  const [lo, hi] = a;
  const e = (hi >>> 20) & 0x7ff;
  switch (r.int(6)) {
    case 0: return [lo, hi ^ 0x80000000];
    case 1: return [(lo ^ (r.u32() & 0xff)) | 0, hi];
    case 2: return [(lo ^ (r.u32() & 0xf)) | 0, hi ^ 0x80000000];
    case 3: {
      const ne = e - 52 - r.int(4);
      if (ne <= 0 || e === 0x7ff) return a;
      const k = r.int(8);
      return [0, ((hi & 0x80000000) ^ (r.chance(0.5) ? 0x80000000 : 0) | (ne << 20) | (k ? (r.u32() >>> (32 - k)) << (20 - k) : 0)) | 0];
    }
    case 4: return a;
    default: {
      const k = r.int(8);
      return [0, (hi & 0x80000000 | ((e + r.int(5) - 2) & 0x7ff) << 20 | (k ? (r.u32() >>> (32 - k)) << (20 - k) : 0)) | 0];
    }
  }
}

// ---- integers ------------------------------------------------------------------------------------

export function intDword(r: Rng): number {
  switch (r.int(8)) {
    case 0: return 0;
    case 1: return -1;
    case 2: return r.pick([0x80000000 | 0, 0x7fffffff, 0x80008000 | 0, 0x7fff7fff, 0x00ff00ff, 0x80808080 | 0, 0x7f7f7f7f, 1]);
    case 3: {
      let v = 0;
      for (let k = 0; k < 4; k++) v |= r.pick([0, 0x7f, 0x80, 0xff, 1, r.int(256)]) << (8 * k);
      return v | 0;
    }
    case 4: return r.int(64);
    default: return r.u32() | 0;
  }
}

// ---- MXCSR ---------------------------------------------------------------------------------------

export interface MxcsrOptions {
  /** Probability that some exception is unmasked. */
  unmask?: number;
}

export function mxcsr(r: Rng, opt: MxcsrOptions = {}): number {
  const rc = r.chance(0.4) ? 0 : r.int(4);
  let v = rc << 13;
  if (r.chance(0.25)) v |= 0x8000;
  if (r.chance(0.25)) v |= 0x40;
  if (r.chance(opt.unmask ?? 0.15)) v |= (r.u32() & 0x3f) << 7;
  else v |= 0x1f80;
  if (r.chance(0.5)) v |= 0x20;
  else if (r.chance(0.3)) v |= r.u32() & 0x3f;
  return v;
}

// ---- cases -------------------------------------------------------------------------------------

export type RegKind = 'xmm' | 'mmx' | 'gpr';

export interface Spec {
  /** Prefix and opcode bytes before ModRM. */
  op: number[];
  /** What ModRM.reg and ModRM.rm name (rm may also be memory). */
  reg: RegKind;
  rm: RegKind;
  /** Lane type of the operands. */
  lane: Lane;
  /** Forms to generate: register rm, memory rm, or both. */
  forms: 'reg' | 'mem' | 'both';
  /** Memory operand size in bytes; 16 with align: 16-byte aligned expected (misaligned sometimes). */
  memSize?: number;
  align?: boolean;
  /** Immediate byte: fixed values to pick from, or 'any'. */
  imm?: number[] | 'any';
  /** ModRM.reg fixed (groups such as 0F 71 /2). */
  fixedReg?: number;
  /** Restrict rm registers (for example MMX instructions where rm must differ). */
  mxcsr?: MxcsrOptions;
  /** Probability that a source lane is related to the destination lane. */
  related?: number;
  /** Probability of a misaligned memory operand when align is set. */
  misalign?: number;
  /** Probability of a page-crossing memory operand (into the unmapped page). */
  crossPage?: number;
  /** Probability of a pending unmasked x87 exception (ES set) before the instruction. */
  x87Pending?: number;
  /** No ModRM byte (EMMS). */
  noModrm?: boolean;
  /** Point EDI into the memory window (MASKMOVQ/MASKMOVDQU), sometimes near its end. */
  ediMem?: boolean;
}

function laneFill(r: Rng, lane: Lane, out: Int32Array, base: number, dwords: number): void {
  for (let k = 0; k < dwords;) {
    if (lane === 'f32') { out[base + k] = f32(r); k++; }
    else if (lane === 'f64') { const [lo, hi] = f64(r); out[base + k] = lo; out[base + k + 1] = hi; k += 2; }
    else { out[base + k] = intDword(r); k++; }
  }
}

function relate(r: Rng, lane: Lane, src: Int32Array, so: number, dst: Int32Array, dO: number, dwords: number, p: number): void {
  if (lane === 'f32') {
    for (let k = 0; k < dwords; k++) if (r.chance(p)) src[so + k] = f32Related(r, dst[dO + k]);
  } else if (lane === 'f64') {
    for (let k = 0; k + 1 < dwords; k += 2) {
      if (r.chance(p)) {
        const [lo, hi] = f64Related(r, [dst[dO + k], dst[dO + k + 1]]);
        src[so + k] = lo; src[so + k + 1] = hi;
      }
    }
  } else {
    for (let k = 0; k < dwords; k++) if (r.chance(p / 2)) src[so + k] = dst[dO + k];
  }
}

/** Builds n random cases for one instruction description. */
export function buildCases(spec: Spec, n: number, seed: number): Case[] {
  const r = new Rng(seed);
  const cases: Case[] = [];
  for (let c = 0; c < n; c++) {
    const st = new Uint8Array(STATE_SIZE);
    const w = new Int32Array(st.buffer);
    laneFill(r, spec.lane, w, OFF_XMM >> 2, 32);
    laneFill(r, spec.lane === 'f32' || spec.lane === 'f64' ? 'i32' : spec.lane, w, OFF_MM >> 2, 16);
    if (spec.lane === 'f32' || spec.lane === 'f64') {
      for (let k = 0; k < 16; k++) if (r.chance(0.5)) w[(OFF_MM >> 2) + k] = spec.lane === 'f32' ? f32(r) : f64(r)[k & 1];
    }
    for (let k = 0; k < 8; k++) w[(OFF_GPR >> 2) + k] = r.chance(0.5) ? intDword(r) : f32(r);
    w[OFF_EFLAGS >> 2] = r.u32() & 0x0cd5 & ~0x400;
    w[OFF_MXCSR >> 2] = mxcsr(r, spec.mxcsr);
    st[OFF_FTW] = r.chance(0.5) ? 0 : 0xff;
    if (r.chance(spec.x87Pending ?? 0.03)) st[OFF_FSW] = 0x81; // pending unmasked x87 IE
    if (r.chance(0.3)) st[OFF_FSW + 1] = r.int(8) << 3; // x87 TOP

    laneFill(r, spec.lane, w, OFF_MEM >> 2, MEM_SIZE >> 2);

    const useMem = spec.forms === 'mem' || (spec.forms === 'both' && r.chance(0.5));
    let reg = spec.fixedReg ?? r.int(8);
    let rm = r.int(8);
    if (spec.reg === 'gpr' && spec.fixedReg === undefined) while (reg === 4 || (useMem && reg === 3)) reg = r.int(8);
    if (spec.rm === 'gpr') while (rm === 4) rm = r.int(8);
    const code = [...spec.op];
    const memSize = spec.memSize ?? 16;
    if (spec.noModrm) {
      // nothing
    } else if (useMem) {
      code.push((reg << 3) | 3);
      let off: number;
      if (r.chance(spec.crossPage ?? 0.02)) {
        off = MEM_SIZE - memSize + 1 + r.int(Math.max(memSize - 1, 1));
      } else {
        if (spec.align && r.chance(spec.misalign ?? 0.05)) off = 1 + r.int(MEM_SIZE - memSize - 1);
        else off = 16 * r.int(MEM_SIZE / 16) + (spec.align ? 0 : r.chance(0.3) ? r.int(16) : 0);
        if (off > MEM_SIZE - memSize) off = MEM_SIZE - memSize;
      }
      w[(OFF_GPR >> 2) + 3] = MEM_ADDR + off;
      // make the memory source related to the destination register's lanes
      if (spec.reg === 'xmm' && off + memSize <= MEM_SIZE && (off & 3) === 0) {
        relate(r, spec.lane, w, (OFF_MEM + off) >> 2, w, (OFF_XMM >> 2) + 4 * reg, Math.min(memSize, 16) >> 2, spec.related ?? 0.3);
      }
    } else {
      code.push(0xc0 | (reg << 3) | rm);
      if (spec.reg === 'xmm' && spec.rm === 'xmm' && reg !== rm) {
        relate(r, spec.lane, w, (OFF_XMM >> 2) + 4 * rm, w, (OFF_XMM >> 2) + 4 * reg, 4, spec.related ?? 0.3);
      }
    }
    if (spec.ediMem) {
      w[(OFF_GPR >> 2) + 7] = MEM_ADDR + (r.chance(0.1) ? MEM_SIZE - 1 - r.int(15) : r.int(MEM_SIZE - 16));
      if (reg === 7 && spec.reg === 'gpr') reg = 0;
    }
    if (spec.imm !== undefined) code.push(spec.imm === 'any' ? r.int(256) : r.pick(spec.imm));
    cases.push({ code, state: st });
  }
  return cases;
}
