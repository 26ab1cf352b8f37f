// Differential tests aimed at the soft-float's fast paths (normal operands, in-range results)
// against the host CPU: quotients that are exact or one unit away from exact (where FDIV's
// digit estimates sit next to an integer), sparse and all-ones significands (exact ties and
// carries out of the significand when rounding), every exponent difference that changes how
// FADD/FSUB align, and stores to float64/float32 of values with halfway tails.
import { describe, expect, it, vi } from 'vitest';
import { FpuCase, makeState, nativeUnavailable, randCw, Rng, X80 } from './fpuHarness.js';
import { caseCountEnv } from '../../helpers/caseCountEnv.js';
import { compareCases, report } from './diffCheck.js';

vi.setConfig({ testTimeout: 120_000 });
const skip = nativeUnavailable();
const N = caseCountEnv('FPU_CASES', 2000);

/** A 64-bit significand (top bit set) with 1..`bits` significant bits, the rest zero. */
function sigWithBits(r: Rng, bits: number): bigint {
  const n = 1 + r.int(bits);
  let v = 1n << BigInt(n - 1);
  if (n > 1) v |= (BigInt(r.u32()) * 2n ** 32n + BigInt(r.u32())) & ((1n << BigInt(n - 1)) - 1n);
  return v << BigInt(64 - n);
}

/** Sparse, dense, all-ones or random significands, as the rounding corner cases need them. */
function sigCorner(r: Rng): bigint {
  switch (r.int(5)) {
    case 0: return 0xffffffffffffffffn - BigInt(r.int(4));
    case 1: return (1n << 63n) | (1n << BigInt(r.int(63))) | (r.int(2) ? 1n : 0n);
    case 2: return sigWithBits(r, 53);
    case 3: return sigWithBits(r, 24);
    default: return sigWithBits(r, 64);
  }
}

function x80(sign: number, exp: number, sig: bigint): X80 {
  return [(sign << 15) | exp, Number(sig >> 32n) >>> 0, Number(sig & 0xffffffffn) >>> 0];
}

function regCase(r: Rng, a: X80, b: X80, code: number[]): FpuCase {
  return { state: makeState(randCw(r), [a, b]), mem: new Uint8Array(0), eax: 0, eflags: 0, code };
}

describe.skipIf(skip !== null)('x87 fast paths vs the host CPU', () => {
  it('FDIV/FDIVR with exact quotients and quotients one unit away from exact', () => {
    const r = new Rng(11);
    const cases: FpuCase[] = [];
    for (let i = 0; i < N; i++) {
      // a = q·b with q and b sharing the 64 bits, so a/b = q exactly; then maybe a ± 1.
      const qBits = 1 + r.int(63);
      const q = sigWithBits(r, qBits) >> BigInt(64 - qBits);
      const b = sigWithBits(r, 64 - qBits);
      let a = q * (b >> BigInt(qBits));
      while (a < 1n << 63n) a <<= 1n;
      a += BigInt(r.int(3) - 1);
      if (a >= 1n << 64n) a = (1n << 64n) - 1n;
      const ea = 0x3fff + r.int(64) - 32, eb = 0x3fff + r.int(64) - 32;
      cases.push(regCase(r, x80(r.int(2), ea, a), x80(r.int(2), eb, b), r.pick([[0xd8, 0xf1], [0xd8, 0xf9], [0xdc, 0xf9], [0xde, 0xf1]])));
    }
    const s = compareCases(cases);
    console.log(report('exact quotients', s));
    expect(s.mismatches).toBe(0);
  });

  it('FMUL/FADD/FSUB with sparse, dense and all-ones significands at every alignment', () => {
    const r = new Rng(12);
    const cases: FpuCase[] = [];
    const shifts = [0, 1, 2, 10, 11, 12, 31, 32, 33, 40, 52, 53, 54, 63, 64, 65, 66, 95, 96, 97, 200];
    for (let i = 0; i < N * 2; i++) {
      const ea = 0x3fff + r.int(40) - 20;
      const d = r.pick(shifts) * (r.int(2) ? 1 : -1);
      const eb = Math.max(1, Math.min(0x7ffe, ea + d));
      const code = r.pick([[0xd8, 0xc9], [0xd8, 0xc1], [0xd8, 0xe1], [0xd8, 0xe9], [0xde, 0xc1], [0xdc, 0xe1]]);
      cases.push(regCase(r, x80(r.int(2), ea, sigCorner(r)), x80(r.int(2), eb, sigCorner(r)), code));
    }
    const s = compareCases(cases);
    console.log(report('alignments and ties', s));
    expect(s.mismatches).toBe(0);
  });

  it('FST m64/m32 of values with halfway and carrying tails', () => {
    const r = new Rng(13);
    const cases: FpuCase[] = [];
    for (let i = 0; i < N; i++) {
      const dbl = r.int(2) === 0;
      const keep = dbl ? 53 : 24;
      // The kept bits (maybe all ones), then a tail of exactly half, just below or just above.
      let sig = r.int(3) === 0 ? (1n << 64n) - (1n << BigInt(64 - keep)) : sigWithBits(r, keep);
      const half = 1n << BigInt(63 - keep);
      sig |= r.pick([half, half - 1n, half + 1n, half | 1n, 0n]);
      const e = dbl ? 0x3fff + r.int(2000) - 1000 : 0x3fff + r.int(240) - 120;
      cases.push({
        state: makeState(randCw(r), [x80(r.int(2), e, sig)]), mem: new Uint8Array(8), eax: 0, eflags: 0,
        code: dbl ? [0xdd, 0x16] : [0xd9, 0x16],
      });
    }
    const s = compareCases(cases);
    console.log(report('stores with halfway tails', s));
    expect(s.mismatches).toBe(0);
  });
});
