// The common-case arithmetic of src/cpu/fpu/nearest64.ts against the general soft-float: the
// same instruction runs from the same state once through its decoded handler (which takes the
// fast path where it applies) and once through Fpu.exec (which never does), and the registers,
// tags, TOP and the whole status word must come out identical. Operands are weighted toward
// what the fast path decides on: equal and nearly equal magnitudes (cancellation, ties),
// exponent differences around the 31 it handles, all-ones and sparse significands (carries
// when rounding), exponents at the ends of the range, and the values it must refuse (zeros,
// denormals, unnormals, infinities, NaNs); every precision and rounding control. How many
// cases: FPU_CASES (default 25,000 per test). The host CPU checks the same handlers in
// arith.test.ts and fastpath.test.ts.
import { describe, expect, it, vi } from 'vitest';
import type { Cpu } from '../../../src/cpu/cpu.js';
import { decodeAt } from '../../../src/cpu/decoder.js';
import type { FpuState } from '../../../src/cpu/fpu/fpu.js';
import { add64, mul64, NOT_FAST } from '../../../src/cpu/fpu/nearest64.js';
import { caseCountEnv } from '../../helpers/caseCountEnv.js';
import { CODE_ADDR, DATA_ADDR, isCpuFault, makeCpu, Rng, X80 } from './fpuHarness.js';

vi.setConfig({ testTimeout: 60_000 });
const N = caseCountEnv('FPU_CASES', 25_000);

function sig(r: Rng): [number, number] {
  switch (r.int(8)) {
    case 0: return [0xffffffff, (0xffffffff - r.int(4)) >>> 0];
    case 1: return [(0x80000000 | (1 << r.int(31))) >>> 0, r.int(2) ? (1 << r.int(32)) >>> 0 : 0];
    case 2: return [(0x80000000 | r.u32()) >>> 0, r.u32() & 0xfffff800]; // a double's
    case 3: return [(0x80000000 | r.u32()) >>> 0, 0x400 << r.int(2)]; // halfway tails
    case 4: return [0x80000000, r.int(3)];
    default: return [(0x80000000 | r.u32()) >>> 0, r.u32()];
  }
}

/** A value weighted toward the fast path's decisions, b sometimes derived from a. */
function operand(r: Rng, a?: X80): X80 {
  const k = r.int(24);
  if (a !== undefined && k < 8) {
    // a with its exponent moved by 0..40 and its low bits perturbed, either sign.
    const e = Math.min(0x7ffe, Math.max(1, (a[0] & 0x7fff) - r.pick([0, 0, 1, 2, 31, 32, 33, r.int(41)])));
    const lo = r.int(2) ? (a[2] + r.int(5) - 2) >>> 0 : (a[2] ^ (1 << r.int(32))) >>> 0;
    return [(r.int(2) << 15) | e, a[1], lo];
  }
  const s = r.int(2) << 15;
  switch (k) {
    case 8: return [s, 0, 0];
    case 9: return [s, r.u32() >>> 1, r.u32()]; // denormal
    case 10: return [s | (1 + r.int(0x7ffe)), r.u32() >>> 1, r.u32()]; // unnormal
    case 11: return [s | 0x7fff, 0x80000000, 0];
    case 12: return [s | 0x7fff, (0x80000000 | r.u32()) >>> 0, r.u32()]; // NaN
    case 13: { const [h, l] = sig(r); return [s | r.pick([1, 2, 3, 0x7ffc, 0x7ffd, 0x7ffe]), h, l]; }
    case 14: { const [h, l] = sig(r); return [s | (0x3fff + r.int(0x3fff) - r.int(0x3fff)), h, l]; }
    default: { const [h, l] = sig(r); return [s | (0x3fff + r.int(64) - 32), h, l]; }
  }
}

function controlWord(r: Rng): number {
  // Mostly Linux's default (and it with PE unmasked), the rest anything.
  const k = r.int(8);
  if (k < 4) return 0x37f;
  if (k === 4) return 0x35f;
  return 0x40 | (r.int(4) === 0 ? r.u32() & 0x3f : 0x3f) | (r.pick([0, 2, 3]) << 8) | (r.int(4) << 10);
}

function setStack(c: Cpu, cw: number, stack: X80[]): void {
  const f = c.fpu;
  const st: FpuState = f.snapshot();
  st.cw = cw;
  st.sw = 0;
  st.top = (8 - stack.length) & 7;
  st.empty = 0xff;
  for (let i = 0; i < stack.length; i++) {
    const p = (st.top + i) & 7;
    [st.se[p], st.hi[p], st.lo[p]] = stack[i];
    st.empty &= ~(1 << p);
  }
  st.fip = 0; st.fop = 0; st.fdp = 0;
  f.restore(st);
}

function run(c: Cpu, code: number[], decoded: boolean): (FpuState & { flags: number }) | string {
  for (let k = 0; k < code.length; k++) c.mmu.write8(CODE_ADDR + k, code[k]);
  c.prevEip = CODE_ADDR;
  try {
    if (decoded) {
      const insn = decodeAt(c, CODE_ADDR);
      insn.fn(c, insn);
    } else {
      // [esi] or [esi + disp8].
      c.fpu.exec(c, code[0], code[1], code[1] >= 0xc0 ? 0 : DATA_ADDR + (code[1] >= 0x40 ? (code[2] << 24) >> 24 : 0));
    }
  } catch (e) {
    if (!isCpuFault(e)) throw e;
    return 'fault';
  }
  return { ...c.fpu.snapshot(), flags: c.getEflags() & 0x8d5 };
}

/** Runs code both ways from the same stack and memory; returns a description of a difference. */
function differ(c: Cpu, cw: number, stack: X80[], code: number[], flags = 0): string | null {
  setStack(c, cw, stack);
  c.setEflags(0x202 | flags);
  const a = run(c, code, true);
  setStack(c, cw, stack);
  c.setEflags(0x202 | flags);
  const b = run(c, code, false);
  const ja = JSON.stringify(a), jb = JSON.stringify(b);
  if (ja === jb) return null;
  const hex = (x: X80) => x.map((v) => v.toString(16)).join(':');
  return `${code.map((v) => v.toString(16)).join(' ')} cw ${cw.toString(16)} stack ${stack.map(hex).join(' ')}\n  decoded ${ja}\n  general ${jb}`;
}

function f64Bits(r: Rng): [number, number] {
  // Normal doubles mostly (the fast path's memory operands), some special.
  const k = r.int(10);
  const s = r.int(2) << 31;
  if (k === 0) return [r.u32(), (s | (r.u32() & 0xfffff)) >>> 0];
  if (k === 1) return [r.int(2) ? r.u32() : 0, (s | 0x7ff00000 | (r.int(2) ? r.u32() & 0xfffff : 0)) >>> 0];
  return [r.u32(), (s | ((1023 + r.int(80) - 40) << 20) | (r.u32() & 0xfffff)) >>> 0];
}

describe('x87 FADD/FSUB/FMUL fast path (nearest64.ts) against the general soft-float', () => {
  // D8: ST(0) op ST(i); DC: ST(i) op ST(0); DE: the same and pop. Kinds 0 add, 1 mul,
  // 4 sub, 5 subr, 6 div, 7 divr (reg field).
  it('register forms give identical registers and status words', () => {
    const c = makeCpu();
    const r = new Rng(8701);
    const bad: string[] = [];
    let fast = 0;
    for (let n = 0; n < N; n++) {
      const a = operand(r), b = operand(r, a);
      const stack: X80[] = r.int(2) ? [a, b] : [b, a];
      if (r.int(16) === 0) stack.push(operand(r));
      const op = r.pick([0xd8, 0xdc, 0xde]);
      const reg = r.pick([0, 1, 4, 5, 0, 1, 4, 5, 6, 7]);
      const code = [op, 0xc0 | (reg << 3) | r.int(2)];
      const cw = controlWord(r);
      const d = differ(c, cw, stack, code);
      if (d !== null && bad.length < 5) bad.push(d);
      if (cw === 0x37f) fast++;
    }
    expect(bad).toEqual([]);
    expect(fast).toBeGreaterThan(N / 3);
  });

  it('FADD/FSUB(R)/FMUL with m64fp and m32fp give identical results', () => {
    const c = makeCpu();
    c.regs[6] = DATA_ADDR; // ModRM 06: [esi]
    const r = new Rng(8702);
    const bad: string[] = [];
    for (let n = 0; n < N; n++) {
      const dbl = r.int(2) === 0;
      if (dbl) {
        const [lo, hi] = f64Bits(r);
        c.mmu.write32(DATA_ADDR, lo);
        c.mmu.write32(DATA_ADDR + 4, hi);
      } else {
        c.mmu.write32(DATA_ADDR, r.int(8) ? ((r.int(2) << 31) | ((127 + r.int(40) - 20) << 23) | (r.u32() & 0x7fffff)) : r.u32());
      }
      const stack: X80[] = r.int(12) === 0 ? [] : [operand(r)];
      const reg = r.pick([0, 1, 4, 5, 6, 7]);
      const code = [dbl ? 0xdc : 0xd8, 0x06 | (reg << 3)];
      const d = differ(c, controlWord(r), stack, code);
      if (d !== null && bad.length < 5) bad.push(d);
    }
    expect(bad).toEqual([]);
  });

  it('FCOMI/FUCOMI(P), FLD/FXCH/FST(P) ST(i), FLD m32fp, FILD m32int and FLD m80 give identical results', () => {
    const c = makeCpu();
    c.regs[6] = DATA_ADDR;
    const r = new Rng(8703);
    const bad: string[] = [];
    for (let n = 0; n < N; n++) {
      let code: number[], stack: X80[];
      if (r.int(2)) {
        const a = operand(r), b = r.int(4) === 0 ? a : operand(r, a);
        stack = r.int(16) === 0 ? [a] : [a, b];
        code = [r.pick([0xdb, 0xdf]), r.pick([0xe8, 0xf0]) | r.int(2)];
      } else if (r.int(2)) {
        // FLD ST(i), FXCH, FST ST(i), FSTP ST(i), empty registers included.
        stack = [];
        for (let j = r.int(10) === 0 ? 8 : r.int(4); j > 0; j--) stack.push(operand(r));
        code = [r.pick([0xd9, 0xdd]), r.pick([0xc0, 0xc8, 0xd0, 0xd8]) | r.int(4)];
        if (code[0] === 0xd9 && code[1] >= 0xd0) code[0] = 0xdd;
        if (code[0] === 0xdd && code[1] < 0xd0) code[0] = 0xd9;
      } else {
        // FLD m32fp (normal floats mostly), FILD m32int (edge integers), FLD m80 (anything).
        const k = r.int(8);
        c.mmu.write32(DATA_ADDR, k < 6 ? ((r.int(2) << 31) | ((1 + r.int(254)) << 23) | (r.u32() & 0x7fffff)) : r.u32());
        const x = operand(r);
        c.mmu.write32(DATA_ADDR + 4, x[2]);
        c.mmu.write32(DATA_ADDR + 8, x[1]);
        c.mmu.write16(DATA_ADDR + 12, x[0]);
        stack = [];
        for (let j = r.int(10) === 0 ? 8 : r.int(4); j > 0; j--) stack.push(operand(r));
        code = r.pick([[0xd9, 0x06], [0xdb, 0x06], [0xdb, 0x6e, 4]]);
        if (code[0] === 0xdb && code[1] === 0x06 && r.int(2)) c.mmu.write32(DATA_ADDR, r.pick([0, 1, -1, 0x7fffffff, 0x80000000 | 0, 1 << r.int(31), -(1 << r.int(31))]));
      }
      const d = differ(c, controlWord(r), stack, code, r.u32() & 0x8d5);
      if (d !== null && bad.length < 5) bad.push(d);
    }
    expect(bad).toEqual([]);
  });

  it('add64 and mul64 decline what they do not compute, and write nothing then', () => {
    const se = new Uint16Array(1), hi = new Uint32Array(1), lo = new Uint32Array(1);
    const one = [0x3fff, 0x80000000 | 0, 0] as const;
    const cases: [number, number, number][] = [
      [0, 0, 0], // zero
      [0, 0x40000000, 0], // denormal
      [0x3fff, 0x40000000, 0], // unnormal
      [0x7fff, 0x80000000 | 0, 0], // infinity
      [0x7fff, 0xc0000000 | 0, 0], // NaN
      [0x7ffe, 0x80000000 | 0, 0], // could overflow on a carry
    ];
    for (const [s, h, l] of cases) {
      se[0] = 0x1234; hi[0] = 0x5678; lo[0] = 0x9abc;
      expect(add64(se, hi, lo, 0, one[0], one[1], one[2], s, h, l)).toBe(NOT_FAST);
      expect(mul64(se, hi, lo, 0, s, h, l, one[0], one[1], one[2])).toBe(NOT_FAST);
      expect([se[0], hi[0], lo[0]]).toEqual([0x1234, 0x5678, 0x9abc]);
    }
    // An alignment of 32 bits or more, an exact cancellation, a product out of range.
    expect(add64(se, hi, lo, 0, 0x3fff + 32, one[1], one[2], one[0], one[1], one[2])).toBe(NOT_FAST);
    expect(add64(se, hi, lo, 0, one[0], one[1], one[2], 0x8000 | one[0], one[1], one[2])).toBe(NOT_FAST);
    expect(mul64(se, hi, lo, 0, 0x7000, one[1], one[2], 0x7000, one[1], one[2])).toBe(NOT_FAST);
    expect(mul64(se, hi, lo, 0, 0x0100, one[1], one[2], 0x0100, one[1], one[2])).toBe(NOT_FAST);
    // And compute what they do: 1 + 1 = 2 exactly, 1.5 · 1.5 = 2.25.
    expect(add64(se, hi, lo, 0, one[0], one[1], one[2], one[0], one[1], one[2])).toBe(0);
    expect([se[0], hi[0], lo[0]]).toEqual([0x4000, 0x80000000, 0]);
    expect(mul64(se, hi, lo, 0, 0x3fff, 0xc0000000 | 0, 0, 0x3fff, 0xc0000000 | 0, 0)).toBe(0);
    expect([se[0], hi[0], lo[0]]).toEqual([0x4000, 0x90000000, 0]);
  });
});
