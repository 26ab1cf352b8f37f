// FPREM and FPREM1 (src/cpu/fpu/remainder.ts) against the host CPU: exponent differences from
// −2 to 100 (complete reductions, and the partial ones that set C2, repeated as a reduction loop
// would), exact multiples (zero remainders), exact half-way quotients for FPREM1's ties to
// even, denormal and all-ones significands, in every rounding mode and precision.
import { describe, expect, it, vi } from 'vitest';
import { FpuCase, makeState, nativeUnavailable, randCw, randX80, Rng, X80 } from './fpuHarness.js';
import { caseCountEnv } from '../../helpers/caseCountEnv.js';
import { compareCases, report } from './diffCheck.js';

vi.setConfig({ testTimeout: 120_000 });
const skip = nativeUnavailable();
if (skip) console.warn(`x87 FPREM tests skipped: ${skip}`);
const N = caseCountEnv('FPU_CASES', 2000);

const FPREM = [0xd9, 0xf8], FPREM1 = [0xd9, 0xf5];

/** A normalised 64-bit significand: random, all ones, a power of two, or a short one. */
function sig(r: Rng): bigint {
  switch (r.int(5)) {
    case 0: return 0xffffffffffffffffn;
    case 1: return 1n << 63n;
    case 2: return (BigInt(r.u32() | 0x80000000) << 32n) & ~((1n << BigInt(r.int(60))) - 1n);
    default: return (BigInt((r.u32() | 0x80000000) >>> 0) << 32n) | BigInt(r.u32());
  }
}

/** m·2^(e − 16383 − 63) for a significand m of at most 64 bits, normalised. */
function x80(sign: number, m: bigint, e: number): X80 {
  while (m >= 1n << 64n) { m >>= 1n; e++; }
  while (m > 0n && m < 1n << 63n) { m <<= 1n; e--; }
  if (e <= 0) { m >>= BigInt(1 - e); e = 0; } // a denormal (the tests keep these exact)
  return [(sign << 15) | e, Number(m >> 32n) >>> 0, Number(m & 0xffffffffn) >>> 0];
}

function remCase(r: Rng): FpuCase {
  const code = r.int(2) ? FPREM : FPREM1;
  const eb = r.int(8) === 0 ? 1 + r.int(80) : 0x3fff + r.int(400) - 200;
  const B = sig(r);
  const b = x80(r.int(2), B, eb);
  let a: X80;
  const kind = r.int(6);
  if (kind === 0) {
    // a = k·b, or (k + ½)·b with b's last bit clear (FPREM1's tie), k small.
    const k = BigInt(r.int(1 << 20) + 1);
    const half = r.int(2) === 1;
    const Bs = half ? B & ~1n : B;
    const m = half ? (2n * k + 1n) * Bs : k * Bs * 2n;
    a = x80(r.int(2), m, eb - 1);
    b[2] = Number(Bs & 0xffffffffn) >>> 0;
  } else if (kind === 1) {
    a = randX80(r, b);
  } else {
    const d = kind === 2 ? r.int(5) - 2 : kind === 3 ? 60 + r.int(10) : r.int(103) - 2;
    a = x80(r.int(2), sig(r), Math.min(0x7ffe, Math.max(1, eb + d)));
  }
  // Up to four steps, as a reduction loop runs them (each waits for the last's C2 only here).
  const steps = r.int(3) ? 1 : 2 + r.int(3);
  const seq: number[] = [];
  for (let i = 0; i < steps; i++) seq.push(...code);
  return { state: makeState(randCw(r), [a, b]), mem: new Uint8Array(0), eax: 0, eflags: 0, code: seq };
}

describe.skipIf(skip !== null)('FPREM/FPREM1 vs the host CPU', () => {
  it('complete and partial reductions, exact multiples and half-way quotients', () => {
    const r = new Rng(77);
    const cases: FpuCase[] = [];
    for (let i = 0; i < N * 2; i++) cases.push(remCase(r));
    const s = compareCases(cases);
    console.log(report('FPREM/FPREM1', s));
    expect(s.mismatches).toBe(0);
  });
});
