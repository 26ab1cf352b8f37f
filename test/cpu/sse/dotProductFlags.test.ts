// DPPS/DPPD MXCSR flags where the difftest's AMD host cannot be the reference (sse4.test.ts
// compares their results only): the SDM's rule, "exceptions are determined separately for each
// add and multiply operation, in the order of their execution", with the stages of Bochs' model
// (products, pair sums, final sum), each checked before the next runs. These are the values
// that rule gives, asserted as literals.
import { describe, expect, it } from 'vitest';
import { Cpu } from '../../../src/cpu/cpu.js';
import { Stop } from '../../../src/cpu/stop.js';
import { Mmu } from '../../../src/mmu/mmu.js';
import { PhysicalMemory } from '../../../src/mmu/physicalMemory.js';
import { pageMapper } from '../../helpers/pageTables.js';

const CODE = 0x00400000;
const DPPS_31 = [0x66, 0x0f, 0x3a, 0x40, 0xc1, 0x31]; // dpps xmm0, xmm1, 0x31
const DPPD_31 = [0x66, 0x0f, 0x3a, 0x41, 0xc1, 0x31]; // dppd xmm0, xmm1, 0x31
const F32_MAX = 0x7f7fffff, F32_TWO = 0x40000000;
const IE = 0x01, OE = 0x08, PE = 0x20;

function machine(code: number[], mxcsr: number, x0: number[], x1: number[]): Cpu {
  const mem = new PhysicalMemory(1 << 20);
  const { pd, map } = pageMapper(mem);
  const phys = map(CODE);
  mem.bytes.fill(0xcc, phys, phys + 0x1000);
  mem.bytes.set(code, phys);
  const mmu = new Mmu(mem);
  mmu.setCr3(pd);
  const cpu = new Cpu(mmu);
  cpu.eip = CODE;
  cpu.sse.mxcsr = mxcsr;
  cpu.sse.xmm.set(x0, 0);
  cpu.sse.xmm.set(x1, 4);
  return cpu;
}

describe('DPPS/DPPD exceptions stage by stage', () => {
  // Products MAX*2 and -MAX*2 overflow (OE, PE); their sum +inf + -inf would be invalid (IE).
  const X0 = [F32_MAX, F32_MAX | 0x80000000, 0, 0], X1 = [F32_TWO, F32_TWO, 0, 0];

  it('an unmasked PE of the products raises #XM before the sums, without their IE', () => {
    const cpu = machine(DPPS_31, 0x0f00, X0, X1); // IM and PM unmasked
    expect(cpu.run(100)).toBe(Stop.FloatingPoint);
    expect(cpu.eip).toBe(CODE);
    expect(cpu.sse.mxcsr).toBe(0x0f00 | OE | PE);
    expect(Array.from(cpu.sse.xmm.subarray(0, 4))).toEqual(X0);
  });

  it('masked, every stage records its flags and the sum is the default NaN', () => {
    const cpu = machine(DPPS_31, 0x1f80, X0, X1);
    expect(cpu.run(100)).toBe(Stop.Breakpoint);
    expect(cpu.sse.mxcsr).toBe(0x1f80 | OE | PE | IE);
    expect(Array.from(cpu.sse.xmm.subarray(0, 4)).map((v) => v >>> 0)).toEqual([0xffc00000, 0, 0, 0]);
  });

  it('an unmasked IE of the sum raises #XM after the products\' masked flags were recorded', () => {
    const cpu = machine(DPPS_31, 0x1f00, X0, X1); // IM unmasked
    expect(cpu.run(100)).toBe(Stop.FloatingPoint);
    expect(cpu.sse.mxcsr).toBe(0x1f00 | OE | PE | IE);
  });

  it('DPPD: an unmasked PE of the products stops before the invalid sum', () => {
    // doubles MAX and -MAX (hi words 0x7fefffff / 0xffefffff) times 2.0
    const x0 = [-1, 0x7fefffff, -1, 0xffefffff | 0], x1 = [0, 0x40000000, 0, 0x40000000];
    const cpu = machine(DPPD_31, 0x0f00, x0, x1);
    expect(cpu.run(100)).toBe(Stop.FloatingPoint);
    expect(cpu.sse.mxcsr).toBe(0x0f00 | OE | PE);
  });
});
