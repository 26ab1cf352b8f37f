// Transcendentals (FSIN, FCOS, FSINCOS, FPTAN, FPATAN, F2XM1, FYL2X, FYL2XP1) against the host
// CPU. The hardware is not correctly rounded (< 1 ulp) and its microcode is reproduced only in
// part (transcendental.ts), so a small fraction may differ in the last bit: this test measures
// the bit-exact rate per instruction, requires it above a floor, requires every difference to
// be at most one ulp with the rest of the state equal, and requires the argument ranges that
// are reproduced exactly to stay bit-exact.
import { describe, expect, it, vi } from 'vitest';
import { hostVendor } from '../../helpers/nativeI386.js';
import { describeState, FpuCase, FpuResult, hex, makeState, nativeUnavailable, randX80, runBoth, Rng, X80 } from './fpuHarness.js';
import { caseCountEnv } from '../../helpers/caseCountEnv.js';

vi.setConfig({ testTimeout: 300_000 });
const skip = nativeUnavailable();
// The model is of Intel's microcode (measured on family 6 model 167): on another vendor's CPU
// the rates and the bit-exact ranges are not expected to hold, only the ≤ 1 ulp bound.
const intelHost = hostVendor() === 'intel';
const N = caseCountEnv('FPU_CASES', 2000);

function x80(sign: number, exp: number, r: Rng): X80 {
  return [(sign << 15) | exp, (0x80000000 | r.u32()) >>> 0, r.u32()];
}

/**
 * Operands in each instruction's documented domain, plus (marked) a sprinkling of arbitrary
 * values: NaNs, infinities, denormals, out-of-domain arguments.
 */
function operands(op: number, r: Rng): { v: X80[]; wild: boolean } {
  if (r.int(25) === 0) return { v: [randX80(r), randX80(r)], wild: true };
  return { v: inDomain(op, r), wild: false };
}

function inDomain(op: number, r: Rng): X80[] {
  const s = r.int(2);
  switch (op) {
    case 0xfe: case 0xff: case 0xfb: case 0xf2: { // FSIN FCOS FSINCOS FPTAN
      const k = r.int(10);
      const e = k < 5 ? 0x3fff - 8 + r.int(10) : k < 8 ? 0x3fff + r.int(63) : 0x3fff - 70 + r.int(62);
      return [x80(s, e, r)];
    }
    case 0xf0: { // F2XM1 on [-1, 1]
      const e = r.int(6) === 0 ? 0x3fff - 64 - r.int(200) : 0x3ffe - r.int(20);
      return [x80(s, e, r)];
    }
    case 0xf1: { // FYL2X: x > 0
      const ex = r.int(4) === 0 ? 0x3fff - 1 + r.int(2) : 1 + r.int(0x7ffe);
      const ey = r.int(3) === 0 ? 0x3fff : 0x3fff - 30 + r.int(60);
      return [x80(0, ex, r), r.int(3) === 0 ? [s << 15 | 0x3fff, 0x80000000, 0] : x80(s, ey, r)];
    }
    case 0xf9: { // FYL2XP1: |x| < 1 - √2/2
      const ex = r.int(5) === 0 ? 0x3fff - 64 - r.int(100) : 0x3ffd - r.int(30);
      const ey = 0x3fff - 10 + r.int(20);
      const x = x80(s, ex, r);
      if (ex === 0x3ffd && x[1] > 0x95f61998) x[1] = (x[1] & 0x7fffffff) >>> 0 | 0x80000000; // stay below 0.2928…
      return [x, r.int(3) === 0 ? [0x3fff, 0x80000000, 0] : x80(r.int(2), ey, r)];
    }
    default: { // FPATAN: any quadrant
      const ex = 0x3fff - 40 + r.int(80), ey = 0x3fff - 40 + r.int(80);
      const near = r.int(3) === 0 ? ex : ey;
      return [x80(s, ex, r), x80(r.int(2), near, r)];
    }
  }
}

/** Distance in units of the last place between two finite same-sign extended values. */
function ulps(a: Uint8Array, b: Uint8Array, off: number): number {
  const dv1 = new DataView(a.buffer, a.byteOffset), dv2 = new DataView(b.buffer, b.byteOffset);
  const v = (dv: DataView) => {
    const se = dv.getUint16(off + 8, true);
    const m = (BigInt(dv.getUint32(off + 4, true)) << 32n) | BigInt(dv.getUint32(off, true));
    // The integer bit is explicit: dropping it makes neighbouring values (1 - ulp and 1.0,
    // 3FFE:FFFF…FF and 3FFF:8000…00) consecutive integers, denormals included.
    const mag = (BigInt(se & 0x7fff) << 63n) | (m & 0x7fffffffffffffffn);
    return se & 0x8000 ? -mag : mag;
  };
  const d = v(dv1) - v(dv2);
  return Number(d < 0n ? -d : d);
}

const NAMES: Record<number, string> = {
  0xfe: 'FSIN', 0xff: 'FCOS', 0xfb: 'FSINCOS', 0xf2: 'FPTAN', 0xf3: 'FPATAN', 0xf0: 'F2XM1', 0xf1: 'FYL2X', 0xf9: 'FYL2XP1',
};
/** Minimum bit-exact rates required (measured rates are printed; these leave some margin). */
const FLOOR: Record<number, number> = {
  0xfe: 0.99, 0xff: 0.99, 0xfb: 0.99, 0xf2: 0.99, 0xf3: 0.99, 0xf0: 0.98, 0xf1: 0.98, 0xf9: 0.98,
};

interface Tally { exact: number; oneUlp: number; flagsOnly: number; wildWorse: number; bad: string[]; byRc: number[]; totRc: number[] }

/** Compares results allowing the registers to differ by one ulp (and C1 with them). */
function tally(cases: FpuCase[], wild: boolean[]): Tally {
  const { nat, emu } = runBoth(cases);
  const t: Tally = { exact: 0, oneUlp: 0, flagsOnly: 0, wildWorse: 0, bad: [], byRc: [0, 0, 0, 0], totRc: [0, 0, 0, 0] };
  for (let i = 0; i < cases.length; i++) {
    let a: FpuResult = nat[i], b: FpuResult = emu[i];
    if (a.status !== 'OK') {
      // A #MF: the native state comes from the signal frame, whose FCS/FOP and FDS fields the
      // kernel fills in itself; compare the rest.
      const blank = (x: FpuResult) => { const st = x.state.slice(); st.fill(0, 16, 20); st.fill(0, 24, 28); return { ...x, state: st }; };
      a = blank(a);
      b = blank(b);
    }
    const rc = (cases[i].state[1] >> 2) & 3;
    t.totRc[rc]++;
    if (b.pointerError) { t.bad.push(`in  ${describeState(cases[i].state)}\n  ${b.pointerError}`); continue; }
    if (hex(a.state) === hex(b.state) && a.status === b.status) { t.exact++; t.byRc[rc]++; continue; }
    if (a.status === b.status && hex(a.state.subarray(28)) === hex(b.state.subarray(28))) t.flagsOnly++; // same registers, C1/PE differ
    const sa = new DataView(a.state.buffer), sb = new DataView(b.state.buffer);
    const swA = sa.getUint16(4, true) & ~0x200, swB = sb.getUint16(4, true) & ~0x200;
    let ok = a.status === b.status && swA === swB && hex(a.state.subarray(8, 28)) === hex(b.state.subarray(8, 28));
    for (let k = 0; k < 8 && ok; k++) {
      const off = 28 + 10 * k;
      if (hex(a.state.subarray(off, off + 10)) !== hex(b.state.subarray(off, off + 10)) && ulps(a.state, b.state, off) > 1) ok = false;
    }
    if (ok) t.oneUlp++;
    else if (wild[i]) t.wildWorse++; // undefined or extreme arguments: counted, not required
    else if (t.bad.length < 5) t.bad.push(`in  ${describeState(cases[i].state)}\n  native ${a.status} ${describeState(a.state)}\n  emu    ${b.status} ${describeState(b.state)}`);
  }
  return t;
}

describe.skipIf(skip !== null)('x87 transcendentals vs the host CPU', () => {
  for (const op of [0xfe, 0xff, 0xfb, 0xf2, 0xf3, 0xf0, 0xf1, 0xf9]) {
    // On another vendor's CPU the bit-exact rate is only reported: what is asserted is the bound.
    it(`${NAMES[op]}: ${intelHost ? 'bit-exact rate and ' : ''}≤ 1 ulp from the host`, () => {
      const r = new Rng(100 + op);
      const cases: FpuCase[] = [];
      const wild: boolean[] = [];
      for (let i = 0; i < N; i++) {
        const rc = r.int(4) === 0 ? r.int(4) : 0;
        const cw = 0x37f | (rc << 10);
        const o = operands(op, r);
        wild.push(o.wild);
        cases.push({ state: makeState(cw, [...o.v, randX80(r)]), mem: new Uint8Array(0), eax: 0, eflags: 0, code: [0xd9, op] });
      }
      const t = tally(cases, wild);
      const rate = t.exact / cases.length;
      console.log(`${NAMES[op]}: ${t.exact}/${cases.length} bit-exact (${(rate * 100).toFixed(2)}%), ${t.oneUlp} within 1 ulp (${t.flagsOnly} with equal registers: C1/PE only), ${cases.length - t.exact - t.oneUlp} worse (${t.wildWorse} of them on out-of-domain/extreme operands); by rounding mode RN/RD/RU/RZ: ${t.byRc.map((v, k) => `${v}/${t.totRc[k]}`).join(' ')}`);
      if (t.bad.length) console.log(t.bad.join('\n'));
      expect(t.bad.length).toBe(0);
      expect(t.exact + t.oneUlp + t.wildWorse).toBe(cases.length);
      if (intelHost) expect(rate).toBeGreaterThanOrEqual(FLOOR[op]);
    });
  }

  // Ranges where the microcode is reproduced step for step: every case must be bit-exact (all
  // rounding modes, both signs).
  const EXACT: { name: string; op: number; gen: (r: Rng, s: number) => X80[] }[] = [
    { name: 'F2XM1, |x| < 1/64', op: 0xf0, gen: (r, s) => [x80(s, 0x3fff - 7 - r.int(90), r)] },
    { name: 'FSIN, |x| < 1/8', op: 0xfe, gen: (r, s) => [x80(s, 0x3fff - 4 - r.int(90), r)] },
    { name: 'FCOS, |x| < 1/8', op: 0xff, gen: (r, s) => [x80(s, 0x3fff - 4 - r.int(90), r)] },
    { name: 'FSINCOS, |x| < 1/8', op: 0xfb, gen: (r, s) => [x80(s, 0x3fff - 4 - r.int(90), r)] },
    { name: 'FPTAN, |x| < 1/8', op: 0xf2, gen: (r, s) => [x80(s, 0x3fff - 4 - r.int(90), r)] },
    { name: 'FPATAN, min/max < 1/32', op: 0xf3, gen: (r, s) => {
      const big = 0x3fff - 20 + r.int(40), small = big - 6 - r.int(70);
      return r.int(2) ? [x80(s, big, r), x80(r.int(2), small, r)] : [x80(s, small, r), x80(r.int(2), big, r)];
    } },
    { name: 'FYL2X, x a power of two', op: 0xf1, gen: (r, s) => [[0x3fff - 40 + r.int(80), 0x80000000, 0], x80(s, 0x3fff - 20 + r.int(40), r)] },
    { name: 'FYL2XP1, |x| < 1/1024', op: 0xf9, gen: (r, s) => [x80(s, 0x3fff - 11 - (r.int(4) ? r.int(60) : r.int(200)), r), x80(r.int(2), 0x3fff - 10 + r.int(20), r)] },
  ];
  for (const { name, op, gen } of EXACT) {
    it.skipIf(!intelHost)(`${name}: bit-exact`, () => {
      const r = new Rng(7 + op);
      const cases: FpuCase[] = [];
      for (let i = 0; i < N / 2; i++) {
        const cw = 0x37f | (r.int(4) << 10);
        cases.push({ state: makeState(cw, [...gen(r, r.int(2)), randX80(r)]), mem: new Uint8Array(0), eax: 0, eflags: 0, code: [0xd9, op] });
      }
      const { nat, emu } = runBoth(cases);
      const bad: string[] = [];
      for (let i = 0; i < cases.length; i++) {
        if (hex(nat[i].state) === hex(emu[i].state) && nat[i].status === emu[i].status && !emu[i].pointerError) continue;
        if (bad.length < 3) bad.push(`in  ${describeState(cases[i].state)}\n  native ${describeState(nat[i].state)}\n  emu    ${describeState(emu[i].state)}`);
        else bad.push('');
      }
      if (bad.length) console.log(`${name}: ${bad.length} of ${cases.length} differ\n${bad.filter(Boolean).join('\n')}`);
      expect(bad.length).toBe(0);
    });
  }

  it('FYL2X(2) and FYL2XP1(1) of a denormal y: an exact tiny result still reports UE with PE', () => {
    const r = new Rng(79);
    const cases: FpuCase[] = [];
    for (let i = 0; i < 200; i++) {
      const y: X80 = [r.int(2) << 15, r.u32() & 0x7fffffff, r.u32()];
      const op = r.pick([0xf1, 0xf9]);
      const x: X80 = op === 0xf1 ? [0x4000, 0x80000000, 0] : [0x3fff, 0x80000000, 0];
      const cw = (r.int(2) ? 0x37f : 0x37f & ~0x10) | (r.int(4) << 10);
      cases.push({ state: makeState(cw, [x, y]), mem: new Uint8Array(0), eax: 0, eflags: 0, code: [0xd9, op] });
    }
    const { nat, emu } = runBoth(cases);
    const bad: string[] = [];
    for (let i = 0; i < cases.length; i++) {
      if (hex(nat[i].state) !== hex(emu[i].state) || nat[i].status !== emu[i].status || emu[i].pointerError) bad.push(`${describeState(cases[i].state)}\n  native ${describeState(nat[i].state)}\n  emu    ${describeState(emu[i].state)}`);
    }
    expect(bad.slice(0, 3)).toEqual([]);
  });

  it.skipIf(!intelHost)('FSIN/FSINCOS/FPTAN of denormals with #U unmasked: x comes back scaled by 2^24576', () => {
    const r = new Rng(78);
    const cases: FpuCase[] = [];
    for (let i = 0; i < 200; i++) {
      const x: X80 = [r.int(2) << 15, r.u32() & 0x7fffffff, r.u32()];
      const cw = (0x37f & ~0x10) | (r.int(4) << 10);
      cases.push({ state: makeState(cw, [x]), mem: new Uint8Array(0), eax: 0, eflags: 0, code: [0xd9, r.pick([0xfe, 0xfb, 0xf2])] });
    }
    const { nat, emu } = runBoth(cases);
    let same = 0;
    for (let i = 0; i < cases.length; i++) if (hex(nat[i].state) === hex(emu[i].state) && nat[i].status === emu[i].status && !emu[i].pointerError) same++;
    expect(same).toBe(cases.length);
  });

  it('FYL2X(1 + f) and FYL2XP1(f) give the same result on the host and here', () => {
    const r = new Rng(77);
    const pairs: FpuCase[] = [];
    for (let i = 0; i < N / 2; i++) {
      // f = ±k·2^-63 with 1 + f exact in 64 bits
      const e = 1 + r.int(62);
      const k = BigInt(r.u32()) << 32n | BigInt(r.u32());
      const f = (k >> BigInt(e)) | 1n;
      const neg = r.int(2) === 1 && f < (1n << 63n);
      const xp1 = neg ? (1n << 63n) - f : (1n << 63n) + f; // (1 ± f·2^-63)·2^63
      if (xp1 <= 0n || xp1 >= (1n << 64n)) continue;
      const y = x80(r.int(2), 0x3fff - 5 + r.int(10), r);
      const sh = 63 - (xp1.toString(2).length - 1);
      const xs: X80 = [0x3fff - sh, Number((xp1 << BigInt(sh)) >> 32n) >>> 0, Number((xp1 << BigInt(sh)) & 0xffffffffn) >>> 0];
      const fl = f.toString(2).length - 1;
      const fs: X80 = [((neg ? 1 : 0) << 15) | (0x3fff - 63 + fl), Number((f << BigInt(63 - fl)) >> 32n) >>> 0, Number((f << BigInt(63 - fl)) & 0xffffffffn) >>> 0];
      pairs.push({ state: makeState(0x37f, [xs, y]), mem: new Uint8Array(0), eax: 0, eflags: 0, code: [0xd9, 0xf1] });
      pairs.push({ state: makeState(0x37f, [fs, y]), mem: new Uint8Array(0), eax: 0, eflags: 0, code: [0xd9, 0xf9] });
    }
    const { nat, emu } = runBoth(pairs);
    const st0 = (x: FpuResult) => hex(x.state.subarray(28, 38));
    let hostSame = 0, emuSame = 0;
    for (let i = 0; i < pairs.length; i += 2) {
      if (st0(nat[i]) === st0(nat[i + 1])) hostSame++;
      if (st0(emu[i]) === st0(emu[i + 1])) emuSame++;
    }
    expect(hostSame).toBe(pairs.length / 2);
    expect(emuSame).toBe(pairs.length / 2);
  });

  it('stack faults, unmasked exceptions and #MF around the transcendentals', () => {
    const r = new Rng(99);
    const ops = [0xfe, 0xff, 0xfb, 0xf2, 0xf3, 0xf0, 0xf1, 0xf9];
    const cases: FpuCase[] = [];
    const wild: boolean[] = [];
    for (let i = 0; i < N; i++) {
      const op = r.pick(ops);
      const o = operands(op, r);
      const depth = r.int(4) === 0 ? r.pick([0, 1, 7, 8]) : -1;
      const stack: X80[] = depth < 0 ? [...o.v, randX80(r)] : [...o.v, ...Array.from({ length: 8 }, () => randX80(r))].slice(0, depth);
      const cw = 0x340 | (r.u32() & 0x3f) | (r.int(4) << 10);
      wild.push(o.wild);
      const after = r.pick([[], [0x9b], [0xd9, 0xe8]]);
      cases.push({ state: makeState(cw, stack), mem: new Uint8Array(0), eax: 0, eflags: 0, code: [0xd9, op, ...after] });
    }
    const t = tally(cases, wild);
    console.log(`transcendentals with faults: ${t.exact}/${cases.length} bit-exact, ${t.oneUlp} within 1 ulp, ${t.wildWorse} worse on extreme operands`);
    if (t.bad.length) console.log(t.bad.join('\n'));
    expect(t.bad.length).toBe(0);
  });
});
