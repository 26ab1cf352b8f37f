// Unit tests of the Fpu interface that need no native compiler: MMX aliasing, snapshot and
// restore, the debugger views, #MF at the next waiting instruction, #UD, FNSTSW AX, restartable
// page faults, and a throughput figure for the common double-precision path.
import { describe, expect, it } from 'vitest';
import { Stop } from '../../../src/cpu/stop.js';
import { PAGE_FAULT } from '../../../src/mmu/mmu.js';
import { DATA_ADDR, isCpuFault, makeCpu } from './fpuHarness.js';

function setup() {
  const c = makeCpu();
  const f = c.fpu;
  const run = (op: number, modrm: number, ea = 0) => {
    c.stopReason = -1;
    try {
      f.exec(c, op, modrm, ea);
    } catch (e) {
      if (!isCpuFault(e)) throw e;
    }
    return c.stopReason;
  };
  const putF64 = (a: number, v: number) => {
    const dv = new DataView(new ArrayBuffer(8));
    dv.setFloat64(0, v, true);
    c.mmu.write32(a, dv.getInt32(0, true));
    c.mmu.write32(a + 4, dv.getInt32(4, true));
  };
  const getF64 = (a: number) => {
    const dv = new DataView(new ArrayBuffer(8));
    dv.setInt32(0, c.mmu.read32(a), true);
    dv.setInt32(4, c.mmu.read32(a + 4), true);
    return dv.getFloat64(0, true);
  };
  return { c, f, run, putF64, getF64 };
}

describe('Fpu', () => {
  it('computes with doubles and long doubles', () => {
    const { f, run, putF64, getF64 } = setup();
    putF64(DATA_ADDR, 1.5);
    putF64(DATA_ADDR + 8, 2.25);
    run(0xdd, 0x00, DATA_ADDR); // FLD m64
    run(0xdc, 0x00, DATA_ADDR + 8); // FADD m64
    expect(f.stValue(0)).toBe(3.75);
    run(0xd9, 0xfa); // FSQRT
    run(0xdd, 0x18, DATA_ADDR + 16); // FSTP m64
    expect(getF64(DATA_ADDR + 16)).toBe(Math.sqrt(3.75));
    run(0xd9, 0xe8); // FLD1
    run(0xd9, 0xeb); // FLDPI
    const v = f.st(0);
    expect([v.se, v.hi >>> 0, v.lo >>> 0]).toEqual([0x4000, 0xc90fdaa2, 0x2168c235]);
    expect(v.tag).toBe('valid');
    expect(f.getTagWord()).toBe(0x0fff);
    expect(f.getSw() >> 11 & 7).toBe(6);
  });

  it('MMX registers alias the significands of the physical registers', () => {
    const { f, run } = setup();
    run(0xd9, 0xe8); // FLD1 → R7
    f.setMmx(3, 0x11223344, 0x55667788);
    expect(f.top).toBe(0);
    expect(f.empty).toBe(0); // every register in use (the full tag word still classifies them)
    expect((f.getTagWord() >> 6) & 3).toBe(2); // R3: exponent 0xFFFF with integer bit clear → special
    expect(f.se[3]).toBe(0xffff);
    expect(f.getMmxLo(3)).toBe(0x11223344);
    expect(f.getMmxHi(3)).toBe(0x55667788);
    expect(f.getMmxHi(7) >>> 0).toBe(0x80000000); // 1.0's significand
    f.emms();
    expect(f.getTagWord()).toBe(0xffff);
  });

  it('snapshot/restore round-trips the whole state', () => {
    const { f, run } = setup();
    run(0xd9, 0xeb);
    run(0xd9, 0xe8);
    run(0xde, 0xf1); // FDIVRP: ST(1) = ST(0) / ST(1) = 1/π
    const s = f.snapshot();
    run(0xdb, 0xe3); // FNINIT
    expect(f.getTagWord()).toBe(0xffff);
    f.restore(s);
    expect(f.stValue(0)).toBeCloseTo(1 / Math.PI, 15);
    expect(f.snapshot()).toEqual(s);
  });

  it('raises #MF at the next waiting instruction after an unmasked exception', () => {
    const { c, f, run } = setup();
    c.mmu.write16(DATA_ADDR, 0x037b); // ZE unmasked
    run(0xd9, 0x28, DATA_ADDR); // FLDCW
    run(0xd9, 0xe8);
    run(0xd9, 0xee);
    expect(run(0xde, 0xf9)).toBe(-1); // FDIVP 1/0: flags the exception, no fault yet
    expect(f.getSw() & 0x8084).toBe(0x8084);
    c.stopReason = -1;
    try {
      f.fwait(c);
    } catch (e) {
      if (!isCpuFault(e)) throw e;
    }
    expect(c.stopReason).toBe(Stop.FloatingPoint);
    expect(c.trapVector).toBe(16);
    expect(run(0xdf, 0xe0)).toBe(-1); // FNSTSW AX does not wait
    expect(run(0xd9, 0xe8)).toBe(Stop.FloatingPoint);
    run(0xdb, 0xe2); // FNCLEX
    expect(run(0xd9, 0xe8)).toBe(-1);
  });

  it('FNSTSW AX keeps the high half of EAX; undefined encodings are #UD', () => {
    const { c, run } = setup();
    c.regs[0] = 0x12345678;
    run(0xd9, 0xe8);
    run(0xdf, 0xe0);
    expect(c.regs[0] >>> 0).toBe(0x12343800);
    expect(run(0xd9, 0xd1)).toBe(Stop.InvalidOpcode);
    expect(run(0xde, 0xd8)).toBe(Stop.InvalidOpcode);
    expect(run(0xd9, 0x08, DATA_ADDR)).toBe(Stop.InvalidOpcode);
  });

  it('a store that page-faults leaves the FPU unchanged (restartable)', () => {
    const { f, run } = setup();
    run(0xd9, 0xe8);
    const before = f.snapshot();
    expect(() => run(0xdd, 0x18, 0x50000000)).toThrow(PAGE_FAULT as unknown as Error);
    expect(f.snapshot()).toEqual({ ...before, fip: f.fip });
    expect(() => run(0xdb, 0x38, 0x50000000)).toThrow();
    expect(f.top).toBe(before.top);
  });

  it('runs the double-precision path at a useful speed', () => {
    const { run, putF64 } = setup();
    putF64(DATA_ADDR, 1.000001);
    putF64(DATA_ADDR + 8, 0.999999);
    const n = 200_000;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      run(0xdd, 0x00, DATA_ADDR); // FLD m64
      run(0xdc, 0x08, DATA_ADDR + 8); // FMUL m64
      run(0xdc, 0x00, DATA_ADDR); // FADD m64
      run(0xdd, 0x18, DATA_ADDR + 16); // FSTP m64
    }
    const ns = ((performance.now() - t0) * 1e6) / (4 * n);
    console.log(`FLD/FMUL/FADD/FSTP m64: ${ns.toFixed(0)} ns per instruction`);
    expect(ns).toBeLessThan(5000);
  });
});
