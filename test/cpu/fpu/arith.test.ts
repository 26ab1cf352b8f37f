// Differential tests of the x87 arithmetic against the host CPU: random operands (edge cases
// weighted in) in every rounding mode and precision, register and memory forms.
import { describe, expect, it, vi } from 'vitest';
import { FpuCase, makeState, nativeUnavailable, randCw, randF32, randF64, randX80, Rng, X80 } from './fpuHarness.js';
import { caseCountEnv } from '../../helpers/caseCountEnv.js';
import { compareCases, report } from './diffCheck.js';

vi.setConfig({ testTimeout: 120_000 });
const skip = nativeUnavailable();
if (skip) console.warn(`x87 differential tests skipped: ${skip}`);
const N = caseCountEnv('FPU_CASES', 2000);

function memOf(bytes: number[]): Uint8Array {
  return new Uint8Array(bytes);
}

function le32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

function regCases(r: Rng, n: number, ops: number[][]): FpuCase[] {
  const cases: FpuCase[] = [];
  for (let i = 0; i < n; i++) {
    const a = randX80(r);
    const b = randX80(r, a);
    const cw = randCw(r);
    const code = r.pick(ops);
    cases.push({ state: makeState(cw, r.int(2) ? [a, b] : [b, a]), mem: memOf([]), eax: 0, eflags: 0, code });
  }
  return cases;
}

describe.skipIf(skip !== null)('x87 arithmetic vs the host CPU', () => {
  it('register forms: FADD/FMUL/FSUB/FSUBR/FDIV/FDIVR ST(0),ST(1) and ST(1),ST(0), and the P forms', () => {
    const r = new Rng(1);
    const ops: number[][] = [];
    for (const reg of [0, 1, 4, 5, 6, 7]) {
      ops.push([0xd8, 0xc1 | (reg << 3)]);
      ops.push([0xdc, 0xc1 | (reg << 3)]);
      ops.push([0xde, 0xc1 | (reg << 3)]);
    }
    const s = compareCases(regCases(r, N * 2, ops));
    console.log(report('register arithmetic', s));
    expect(s.mismatches).toBe(0);
  });

  it('memory forms: m32fp, m64fp, m16int, m32int', () => {
    const r = new Rng(2);
    const cases: FpuCase[] = [];
    for (let i = 0; i < N * 2; i++) {
      const a = randX80(r);
      const cw = randCw(r);
      const reg = r.pick([0, 1, 4, 5, 6, 7]);
      const op = r.pick([0xd8, 0xdc, 0xda, 0xde]);
      let mem: number[];
      if (op === 0xd8) mem = le32(randF32(r));
      else if (op === 0xdc) { const [h, l] = randF64(r); mem = [...le32(l), ...le32(h)]; }
      else if (op === 0xda) mem = le32(r.int(3) ? r.u32() : r.int(200) - 100);
      else mem = le32(r.int(3) ? r.u32() : r.int(200) - 100).slice(0, 2);
      cases.push({ state: makeState(cw, [a]), mem: memOf(mem), eax: 0, eflags: 0, code: [op, 0x06 | (reg << 3)] });
    }
    const s = compareCases(cases);
    console.log(report('memory arithmetic', s));
    expect(s.mismatches).toBe(0);
  });

  it('FSQRT, FRNDINT, FCHS, FABS, FXTRACT, FSCALE, FPREM, FPREM1', () => {
    const r = new Rng(3);
    const ops = [[0xd9, 0xfa], [0xd9, 0xfc], [0xd9, 0xe0], [0xd9, 0xe1], [0xd9, 0xf4], [0xd9, 0xfd], [0xd9, 0xf8], [0xd9, 0xf5]];
    const cases: FpuCase[] = [];
    for (let i = 0; i < N * 2; i++) {
      const code = r.pick(ops);
      const a = randX80(r);
      let b: X80 = randX80(r, a);
      if (code[1] === 0xfd && r.int(3)) {
        // FSCALE: mostly moderate scale factors
        const v = r.int(40000) - 20000;
        b = v === 0 ? [0, 0, 0] : [((v < 0 ? 0x8000 : 0) | (0x3fff + 31 - Math.clz32(Math.abs(v)))) >>> 0, (Math.abs(v) << Math.clz32(Math.abs(v))) >>> 0, 0];
        if (r.int(2)) b = [b[0], b[1] | (r.u32() & 0xffff), r.u32()];
      }
      const cw = randCw(r);
      const stack = code[1] === 0xf4 ? [a] : [a, b];
      cases.push({ state: makeState(cw, stack), mem: memOf([]), eax: 0, eflags: 0, code });
    }
    const s = compareCases(cases);
    console.log(report('unary and misc', s));
    expect(s.mismatches).toBe(0);
  });

  it('results at the extended range boundaries (tiny, denormal, overflow) in every mode and precision', () => {
    const r = new Rng(4);
    const cases: FpuCase[] = [];
    const sig = (): [number, number] => r.pick([[0x80000000, 0], [0xffffffff, 0xffffffff], [0xffffffff, 0xfffff800], [0xffffff00, 0], [(0x80000000 | r.u32()) >>> 0, r.u32()]]) as [number, number];
    for (let i = 0; i < N * 2; i++) {
      const code = r.pick([[0xd8, 0xc9], [0xd8, 0xf1], [0xd8, 0xc1], [0xd8, 0xe1]]);
      const target = r.int(2) ? 1 - r.int(70) : 0x7ffe + r.int(4) - 1; // result exponent
      const e2 = 0x3fff + r.int(41) - 20;
      const e1 = code[1] === 0xf1 ? target + e2 - 0x3fff : code[1] === 0xc9 ? target - e2 + 0x3fff : target;
      const [h1, l1] = sig(), [h2, l2] = sig();
      const a: X80 = [(r.int(2) << 15) | Math.max(0, Math.min(0x7ffe, e1)), h1, l1];
      const b: X80 = code[1] === 0xc1 || code[1] === 0xe1 ? [(r.int(2) << 15) | Math.max(0, target - r.int(3)), h2, l2] : [(r.int(2) << 15) | e2, h2, l2];
      if ((a[0] & 0x7fff) === 0) a[1] &= 0x7fffffff;
      if ((b[0] & 0x7fff) === 0) b[1] &= 0x7fffffff;
      cases.push({ state: makeState(randCw(r), [a, b]), mem: new Uint8Array(0), eax: 0, eflags: 0, code });
    }
    const s = compareCases(cases);
    console.log(report('range boundaries', s));
    expect(s.mismatches).toBe(0);
  });

  it('FSQRT of perfect squares, their neighbours and all-ones significands', () => {
    const r = new Rng(6);
    const cases: FpuCase[] = [];
    for (let i = 0; i < N; i++) {
      // n² for a random n of up to 32 bits is exact in 64 bits; ±1 in the last place around it
      const n = BigInt(r.u32() | 1) * (r.int(2) ? 1n : BigInt(r.u32() & 0xffff));
      let m = n * n;
      let e = 0x3fff + 63;
      while (m >= 1n << 64n) { m >>= 1n; e++; }
      while (m < 1n << 63n) { m <<= 1n; e--; }
      const k = r.int(3) - 1;
      m += BigInt(k);
      if (m >= 1n << 64n) m = (1n << 64n) - 1n;
      const exp = r.int(4) === 0 ? e : (r.int(2) ? 1 + r.int(200) : 0x3fff + r.int(400) - 200);
      const sig: [number, number] = r.int(10) === 0 ? [0xffffffff, 0xffffffff] : [Number(m >> 32n) >>> 0, Number(m & 0xffffffffn) >>> 0];
      cases.push({ state: makeState(randCw(r), [[exp, sig[0], sig[1]]]), mem: new Uint8Array(0), eax: 0, eflags: 0, code: [0xd9, 0xfa] });
    }
    const s = compareCases(cases);
    console.log(report('FSQRT squares', s));
    expect(s.mismatches).toBe(0);
  });
});
