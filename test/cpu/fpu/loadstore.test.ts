// Differential tests of x87 loads, stores, conversions, compares, FXAM, FCMOV, FXCH, stack
// faults and control instructions against the host CPU.
import { describe, expect, it, vi } from 'vitest';
import { hostVendor } from '../../helpers/nativeI386.js';
import { FpuCase, makeState, nativeUnavailable, randCw, randF32, randF64, randX80, runBoth, Rng, X80 } from './fpuHarness.js';
import { caseCountEnv } from '../../helpers/caseCountEnv.js';
import { compareCases, report, summarise } from './diffCheck.js';

vi.setConfig({ testTimeout: 120_000 });
const skip = nativeUnavailable();
const N = caseCountEnv('FPU_CASES', 2000);

function le32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

function x80bytes(v: X80): number[] {
  return [...le32(v[2]), ...le32(v[1]), v[0] & 0xff, v[0] >> 8];
}

function randBcd(r: Rng): number[] {
  const b: number[] = [];
  const digits = r.int(19);
  for (let i = 0; i < 9; i++) {
    if (2 * i >= digits) b.push(0);
    else b.push((r.int(10) << 4) | r.int(10));
  }
  b.push(r.int(2) ? 0x80 : 0);
  if (r.int(20) === 0) b[r.int(9)] = r.u32() & 0xff; // invalid digits
  return b;
}

/** Random integer-ish extended values for the integer/BCD stores. */
function randIntish(r: Rng): X80 {
  const k = r.int(4);
  if (k === 0) return randX80(r);
  const s = r.int(2) << 15;
  const e = 0x3fff + r.int(k === 1 ? 66 : k === 2 ? 34 : 18);
  return [s | e, (0x80000000 | r.u32()) >>> 0, r.int(2) ? r.u32() : 0];
}

/** Stack of n random values. */
function stackOf(r: Rng, n: number): X80[] {
  const s: X80[] = [];
  for (let i = 0; i < n; i++) s.push(randX80(r, s[i - 1]));
  return s;
}

describe.skipIf(skip !== null)('x87 loads, stores and compares vs the host CPU', () => {
  it('FLD m32/m64/m80, FILD m16/m32/m64, FBLD (with stack overflow)', () => {
    const r = new Rng(11);
    const cases: FpuCase[] = [];
    for (let i = 0; i < N * 2; i++) {
      const kind = r.int(7);
      let mem: number[], code: number[];
      switch (kind) {
        case 0: mem = le32(randF32(r)); code = [0xd9, 0x06]; break;
        case 1: { const [h, l] = randF64(r); mem = [...le32(l), ...le32(h)]; code = [0xdd, 0x06]; break; }
        case 2: mem = x80bytes(randX80(r)); code = [0xdb, 0x2e]; break;
        case 3: mem = le32(r.u32()).slice(0, 2); code = [0xdf, 0x06]; break;
        case 4: mem = le32(r.u32()); code = [0xdb, 0x06]; break;
        case 5: mem = [...le32(r.u32()), ...le32(r.int(2) ? r.u32() : r.int(3) - 1)]; code = [0xdf, 0x2e]; break;
        default: mem = randBcd(r); code = [0xdf, 0x26]; break;
      }
      const depth = r.int(10) === 0 ? 8 : r.int(3);
      // Random condition codes: a load clears C1 even when an unmasked #IA stops it.
      cases.push({ state: makeState(randCw(r), stackOf(r, depth), { sw: r.u32() & 0x4700 }), mem: new Uint8Array(mem), eax: 0, eflags: 0, code });
    }
    const s = compareCases(cases);
    console.log(report('loads', s));
    expect(s.mismatches).toBe(0);
  });

  it('FST/FSTP m32/m64/m80, FIST/FISTP/FISTTP m16/m32/m64, FBSTP (with stack underflow)', () => {
    const r = new Rng(12);
    const ops = [
      [0xd9, 0x16], [0xd9, 0x1e], [0xdd, 0x16], [0xdd, 0x1e], [0xdb, 0x3e],
      [0xdf, 0x16], [0xdf, 0x1e], [0xdb, 0x16], [0xdb, 0x1e], [0xdf, 0x3e],
      [0xdf, 0x0e], [0xdb, 0x0e], [0xdd, 0x0e], [0xdf, 0x36],
    ];
    const cases: FpuCase[] = [];
    for (let i = 0; i < N * 3; i++) {
      const code = r.pick(ops);
      const intStore = code[0] === 0xdf || (code[0] === 0xdb && code[1] !== 0x3e) || (code[0] === 0xdd && code[1] === 0x0e);
      const v = intStore ? randIntish(r) : randX80(r);
      const stack = r.int(15) === 0 ? [] : [v, ...stackOf(r, r.int(2))];
      const mem = new Uint8Array(12);
      for (let k = 0; k < 12; k++) mem[k] = 0xa5;
      cases.push({ state: makeState(randCw(r), stack), mem, eax: 0, eflags: 0, code });
    }
    const s = compareCases(cases);
    console.log(report('stores', s));
    expect(s.mismatches).toBe(0);
  });

  it('FCOM/FCOMP/FCOMPP/FUCOM*/FICOM/FTST/FXAM and FCOMI/FUCOMI(P)', () => {
    const r = new Rng(13);
    const regOps = [
      [0xd8, 0xd1], [0xd8, 0xd9], [0xde, 0xd9], [0xdd, 0xe1], [0xdd, 0xe9], [0xda, 0xe9],
      [0xd9, 0xe4], [0xd9, 0xe5], [0xdb, 0xf1], [0xdb, 0xe9], [0xdf, 0xf1], [0xdf, 0xe9],
      [0xdc, 0xd1], [0xdc, 0xd9], [0xde, 0xd1],
    ];
    const cases: FpuCase[] = [];
    for (let i = 0; i < N * 3; i++) {
      let code: number[], mem: number[] = [];
      const k = r.int(4);
      if (k === 0) {
        const op = r.pick([0xd8, 0xdc, 0xda, 0xde]);
        code = [op, r.pick([0x16, 0x1e])];
        if (op === 0xd8) mem = le32(randF32(r));
        else if (op === 0xdc) { const [h, l] = randF64(r); mem = [...le32(l), ...le32(h)]; }
        else if (op === 0xda) mem = le32(r.int(2) ? r.u32() : r.int(21) - 10);
        else mem = le32(r.int(2) ? r.u32() : r.int(21) - 10).slice(0, 2);
      } else {
        code = r.pick(regOps);
      }
      const a = randX80(r);
      const b: X80 = r.int(4) === 0 ? a : randX80(r, a);
      const depth = r.int(12);
      const stack = depth === 0 ? [] : depth === 1 ? [a] : [a, b];
      cases.push({ state: makeState(randCw(r), stack, { sw: r.u32() & 0x4700 }), mem: new Uint8Array(mem), eax: 0, eflags: r.u32() & 0x8d5, code });
    }
    const s = compareCases(cases);
    console.log(report('compares', s));
    expect(s.mismatches).toBe(0);
  });

  it('FXCH, FCMOVcc, FLD/FST/FSTP ST(i), FFREE(P), FINCSTP/FDECSTP, FCHS/FABS, constants, FNOP, aliases', () => {
    const r = new Rng(14);
    const ops: number[][] = [];
    for (let i = 0; i < 8; i++) {
      ops.push([0xd9, 0xc8 + i], [0xd9, 0xc0 + i], [0xdd, 0xd0 + i], [0xdd, 0xd8 + i], [0xdd, 0xc0 + i]);
      ops.push([0xda, 0xc0 + i], [0xda, 0xc8 + i], [0xda, 0xd0 + i], [0xda, 0xd8 + i]);
      ops.push([0xdb, 0xc0 + i], [0xdb, 0xc8 + i], [0xdb, 0xd0 + i], [0xdb, 0xd8 + i]);
      ops.push([0xd9, 0xd8 + i], [0xdc, 0xd0 + i], [0xdc, 0xd8 + i], [0xdd, 0xc8 + i], [0xde, 0xd0 + i]);
      ops.push([0xdf, 0xc0 + i], [0xdf, 0xc8 + i], [0xdf, 0xd0 + i], [0xdf, 0xd8 + i]);
    }
    for (let m = 0xe8; m <= 0xee; m++) ops.push([0xd9, m], [0xd9, m]);
    ops.push([0xd9, 0xf6], [0xd9, 0xf7], [0xd9, 0xd0], [0xd9, 0xe0], [0xd9, 0xe1], [0xdb, 0xe2], [0xdb, 0xe3]);
    ops.push([0xdb, 0xe0], [0xdb, 0xe1], [0xdb, 0xe4], [0xdf, 0xe0]);
    const cases: FpuCase[] = [];
    for (let i = 0; i < N * 3; i++) {
      const code = r.pick(ops);
      const depth = r.int(9);
      const top = r.int(8);
      const state = makeState(randCw(r, false), stackOf(r, depth), { top, sw: r.u32() & 0x473f & ~0x80 & (r.int(2) ? 0x4700 : 0xffff) });
      cases.push({ state, mem: new Uint8Array(0), eax: r.u32(), eflags: r.u32() & 0x8d5, code });
    }
    const s = compareCases(cases);
    console.log(report('register moves and control', s));
    expect(s.mismatches).toBe(0);
  });

  it('integer and BCD stores at the range boundaries in every rounding mode', () => {
    const cases: FpuCase[] = [];
    const vals: X80[] = [];
    const big = (v: bigint, neg: boolean, frac: number): X80 => {
      // v + frac/4 as an extended value (exact: v < 2^62 keeps two fraction bits)
      let m = (v << 2n) + BigInt(frac);
      let e = 0x3fff - 2;
      while (m >= 1n << 64n) { m >>= 1n; e++; }
      while (m < 1n << 63n) { m <<= 1n; e--; }
      return [(neg ? 0x8000 : 0) | e, Number(m >> 32n) >>> 0, Number(m & 0xffffffffn) >>> 0];
    };
    for (const b of [1n << 15n, 1n << 31n, 1n << 62n, 999999999999999999n, 1000000000000000000n]) {
      for (const d of [-1n, 0n, 1n]) {
        for (const frac of [0, 1, 2, 3]) {
          vals.push(big(b + d, false, frac), big(b + d, true, frac));
        }
      }
    }
    // ±2^63 and neighbours (no fraction bits left there)
    vals.push([0x403e, 0x80000000, 0], [0xc03e, 0x80000000, 0], [0x403d, 0xffffffff, 0xffffffff], [0xc03d, 0xffffffff, 0xffffffff], [0x403e, 0x80000000, 1], [0xc03e, 0x80000000, 1]);
    const ops = [[0xdf, 0x1e], [0xdb, 0x1e], [0xdf, 0x3e], [0xdf, 0x0e], [0xdb, 0x0e], [0xdd, 0x0e], [0xdf, 0x36]];
    for (const v of vals) for (const code of ops) for (let rc = 0; rc < 4; rc++) {
      for (const masks of [0x3f, 0x3e]) {
        cases.push({ state: makeState(0x40 | masks | 0x300 | (rc << 10), [v]), mem: new Uint8Array(12).fill(0xa5), eax: 0, eflags: 0, code });
      }
    }
    const s = compareCases(cases);
    console.log(report('integer boundaries', s));
    expect(s.mismatches).toBe(0);
  });

  it('float stores at the overflow and underflow boundaries of float32/float64', () => {
    const cases: FpuCase[] = [];
    const sigs: Array<[number, number]> = [
      [0x80000000, 0], [0xffffffff, 0xffffffff], [0xffffffff, 0xfffff800], [0xfffffffe, 0], [0x80000000, 0x400],
      [0x80000000, 0x401], [0xffffff80, 0], [0xffffff7f, 0xffffffff], [0x80000080, 0], [0xc0000000, 0x00000001],
    ];
    const exps: number[] = [];
    for (const [lo, hi] of [[0x3fff - 1022 - 66, 0x3fff - 1022 + 1], [0x3fff + 1022, 0x3fff + 1024], [0x3fff - 126 - 26, 0x3fff - 126 + 1], [0x3fff + 126, 0x3fff + 128]]) {
      for (let e = lo; e <= hi; e++) exps.push(e);
    }
    for (const e of exps) for (const [h, l] of sigs) for (const code of [[0xdd, 0x16], [0xd9, 0x16]]) {
      for (let rc = 0; rc < 4; rc++) for (const masks of [0x3f, 0x27]) {
        const sgn = (e + rc + h) & 1 ? 0x8000 : 0;
        cases.push({ state: makeState(0x40 | masks | 0x300 | (rc << 10), [[sgn | e, h, l]]), mem: new Uint8Array(8).fill(0xa5), eax: 0, eflags: 0, code });
      }
    }
    const s = compareCases(cases);
    console.log(report('float store boundaries', s));
    expect(s.mismatches).toBe(0);
  });

  it('undefined encodings raise #UD', () => {
    const r = new Rng(15);
    const ops: number[][] = [];
    for (let m = 0xc0; m <= 0xff; m++) for (let op = 0xd8; op <= 0xdf; op++) ops.push([op, m]);
    ops.push([0xd9, 0x0e], [0xdb, 0x26], [0xdb, 0x36], [0xdd, 0x2e]);
    const cases: FpuCase[] = ops.map((code) => ({
      state: makeState(0x37f, stackOf(r, 3)), mem: new Uint8Array(16), eax: 0, eflags: 0, code,
    }));
    const { nat, emu } = runBoth(cases);
    if (hostVendor() !== 'intel') {
      // The transcendentals' C1 (round-up) comes from the vendor's microcode (the emulator
      // reproduces Intel's): on AMD, FSINCOS of a tiny ST(0) sets C1 for cos = 1 where Intel
      // does not. Their results are measured in transcendental.test.ts; here only C1 is let go.
      const TRANSCENDENTAL = [0xf0, 0xf1, 0xf2, 0xf3, 0xf9, 0xfb, 0xfe, 0xff];
      cases.forEach((c, i) => {
        if (c.code[0] !== 0xd9 || !TRANSCENDENTAL.includes(c.code[1])) return;
        for (const x of [nat[i], emu[i]]) x.state[5] &= ~0x02;
      });
    }
    const s = summarise(cases, nat, emu, { maxSamples: 10 });
    console.log(report('encodings', s));
    expect(s.mismatches).toBe(0);
  });
});
