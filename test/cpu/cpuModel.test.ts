// CPU models (src/cpu/cpuid.ts): what CPUID reports for each, that the decoder gives #UD for
// an extension the model lacks (and F3 0F BC/BD stay BSF/BSR there), that C4/C5 are VEX only
// with a register ModRM (LES/LDS otherwise), and that RDRAND/RDSEED repeat under a seed.
import { describe, expect, it } from 'vitest';
import { Cpu } from '../../src/cpu/cpu.js';
import { BROADWELL, CORE2, type CpuModel, DEFAULT_CPU_MODEL, cpuModelNamed, cpuidLeaf } from '../../src/cpu/cpuid.js';
import { CF, EAX, ECX, EDX, ESP, ZF } from '../../src/cpu/registers.js';
import { Stop } from '../../src/cpu/stop.js';
import { Mmu } from '../../src/mmu/mmu.js';
import { PhysicalMemory } from '../../src/mmu/physicalMemory.js';
import { parseRunArgs } from '../../src/cli/args.js';
import { pageMapper } from '../helpers/pageTables.js';

const CODE = 0x00400000, STACK_TOP = 0x00801000, DATA = 0x00500000;

function machine(model: CpuModel, code: number[]): Cpu {
  const mem = new PhysicalMemory(1 << 20);
  const { pd, map } = pageMapper(mem);
  const phys = map(CODE);
  map(STACK_TOP - 0x1000);
  const data = map(DATA);
  mem.bytes.fill(0xcc, phys, phys + 0x1000);
  mem.bytes.set(code, phys);
  // a far pointer for LES: offset 0x11223344, selector 0x7b (the user data segment)
  mem.bytes.set([0x44, 0x33, 0x22, 0x11, 0x7b, 0x00], data);
  const mmu = new Mmu(mem);
  mmu.setCr3(pd);
  const cpu = new Cpu(mmu);
  cpu.model = model;
  cpu.eip = CODE;
  cpu.regs[ESP] = STACK_TOP;
  return cpu;
}

const INT3 = 0xcc;
const str = (regs: number[]) => regs.map((v) => String.fromCharCode(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24)).join('');

describe('CPUID by model', () => {
  it('the default is the Broadwell without AVX; "modern" names it', () => {
    expect(DEFAULT_CPU_MODEL).toBe(BROADWELL);
    expect(cpuModelNamed('modern')).toBe(BROADWELL);
    expect(cpuModelNamed('core2')).toBe(CORE2);
    expect(cpuModelNamed('pentium')).toBeNull();
  });

  it('core2: leaf 0 max 1, SSE3/SSSE3/POPCNT, no leaf 7 bits, no extended features', () => {
    expect(cpuidLeaf(CORE2, 0, 0)[0]).toBe(1);
    expect(str(Array.from(cpuidLeaf(CORE2, 0, 0)).slice(1).map((_, k, a) => a[[0, 2, 1][k]]))).toBe('GenuineIntel');
    const l1 = Array.from(cpuidLeaf(CORE2, 1, 0));
    expect(l1[2] >>> 0).toBe((1 << 0) | (1 << 9) | (1 << 23));
    expect(l1[3] & (1 << 26)).not.toBe(0); // SSE2
    expect(Array.from(cpuidLeaf(CORE2, 7, 0))).toEqual([0, 0, 0, 0]);
    expect(cpuidLeaf(CORE2, 0x80000001, 0)[2]).toBe(0);
  });

  it('broadwell: SSE4.1/4.2, MOVBE, POPCNT, AES, PCLMULQDQ, RDRAND; BMI1/2, ADX, RDSEED; LZCNT; no AVX/XSAVE', () => {
    expect(cpuidLeaf(BROADWELL, 0, 0)[0]).toBe(7);
    const ecx = cpuidLeaf(BROADWELL, 1, 0)[2] >>> 0;
    for (const b of [0, 1, 9, 19, 20, 22, 23, 25, 30]) expect((ecx >>> b) & 1, `leaf 1 ECX bit ${b}`).toBe(1);
    for (const b of [12, 26, 27, 28, 29]) expect((ecx >>> b) & 1, `leaf 1 ECX bit ${b} (FMA/XSAVE/OSXSAVE/AVX/F16C)`).toBe(0);
    const l7 = Array.from(cpuidLeaf(BROADWELL, 7, 0));
    expect(l7[0]).toBe(0);
    expect(l7[1] >>> 0).toBe((1 << 3) | (1 << 8) | (1 << 18) | (1 << 19)); // no AVX2 (bit 5)
    expect(Array.from(cpuidLeaf(BROADWELL, 7, 1))).toEqual([0, 0, 0, 0]);
    expect((cpuidLeaf(BROADWELL, 0x80000001, 0)[2] >>> 5) & 1).toBe(1); // ABM (LZCNT)
    expect(cpuidLeaf(BROADWELL, 0x80000000, 0)[0] >>> 0).toBe(0x80000004);
    const brand = [2, 3, 4].flatMap((k) => Array.from(cpuidLeaf(BROADWELL, 0x80000000 + k, 0)));
    expect(str(brand).replace(/\0+$/, '')).toBe(BROADWELL.brand);
  });
});

describe('decoding by model', () => {
  // pdep eax, ecx, edx
  const PDEP = [0xc4, 0xe2, 0x73, 0xf5, 0xc2];
  it('a BMI2 instruction runs on broadwell and is #UD on core2', () => {
    const a = machine(BROADWELL, [...PDEP, INT3]);
    a.regs[ECX] = 0b101; a.regs[EDX] = 0xf0f0;
    expect(a.run(100)).toBe(Stop.Breakpoint);
    expect(a.regs[EAX]).toBe(0x50);
    const b = machine(CORE2, [...PDEP, INT3]);
    expect(b.run(100)).toBe(Stop.InvalidOpcode);
    expect(b.eip).toBe(CODE);
  });

  for (const [name, bytes] of [
    ['aesenc', [0x66, 0x0f, 0x38, 0xdc, 0xc1]], ['pclmulqdq', [0x66, 0x0f, 0x3a, 0x44, 0xc1, 0x00]],
    ['crc32', [0xf2, 0x0f, 0x38, 0xf1, 0xc1]], ['ptest', [0x66, 0x0f, 0x38, 0x17, 0xc1]],
    ['adcx', [0x66, 0x0f, 0x38, 0xf6, 0xc1]], ['movbe', [0x0f, 0x38, 0xf0, 0x05, 0, 0, 0x50, 0]],
    ['rdrand', [0x0f, 0xc7, 0xf0]], ['rdseed', [0x0f, 0xc7, 0xf8]],
  ] as Array<[string, number[]]>) {
    it(`${name} is #UD on core2 and runs on broadwell`, () => {
      expect(machine(CORE2, [...bytes, INT3]).run(100)).toBe(Stop.InvalidOpcode);
      expect(machine(BROADWELL, [...bytes, INT3]).run(100)).toBe(Stop.Breakpoint);
    });
  }

  it('F3 0F BC of zero: TZCNT (32, CF=1) on broadwell, BSF (destination kept, ZF=1) on core2', () => {
    const code = [0xf3, 0x0f, 0xbc, 0xc1, INT3]; // tzcnt eax, ecx
    const a = machine(BROADWELL, code);
    a.regs[EAX] = 77; a.regs[ECX] = 0;
    a.run(100);
    expect(a.regs[EAX]).toBe(32);
    expect(a.getEflags() & CF).toBe(CF);
    const b = machine(CORE2, code);
    b.regs[EAX] = 77; b.regs[ECX] = 0;
    b.run(100);
    expect(b.regs[EAX]).toBe(77);
    expect(b.getEflags() & ZF).toBe(ZF);
  });

  it('F3 0F BD: LZCNT on broadwell, BSR on core2', () => {
    const code = [0xf3, 0x0f, 0xbd, 0xc1, INT3]; // lzcnt eax, ecx
    const a = machine(BROADWELL, code);
    a.regs[ECX] = 0x100;
    a.run(100);
    expect(a.regs[EAX]).toBe(23);
    const b = machine(CORE2, code);
    b.regs[ECX] = 0x100;
    b.run(100);
    expect(b.regs[EAX]).toBe(8);
  });

  it('C4 with a memory ModRM is LES on either model', () => {
    for (const m of [BROADWELL, CORE2]) {
      const cpu = machine(m, [0xc4, 0x05, 0x00, 0x00, 0x50, 0x00, INT3]); // les eax, [0x500000]
      expect(cpu.run(100)).toBe(Stop.Breakpoint);
      expect(cpu.regs[EAX] >>> 0).toBe(0x11223344);
    }
  });

  it('VEX with a 66 prefix, with VEX.L=1, or an AVX opcode is #UD', () => {
    expect(machine(BROADWELL, [0x66, ...PDEP, INT3]).run(100)).toBe(Stop.InvalidOpcode);
    expect(machine(BROADWELL, [0xc4, 0xe2, 0x77, 0xf5, 0xc2, INT3]).run(100)).toBe(Stop.InvalidOpcode); // L=1
    expect(machine(BROADWELL, [0xc5, 0xf8, 0x58, 0xc1, INT3]).run(100)).toBe(Stop.InvalidOpcode); // vaddps
    expect(machine(BROADWELL, [0xc4, 0xe3, 0x7b, 0xf0, 0xc1, 0x05, INT3]).run(100)).toBe(Stop.Breakpoint); // rorx
    expect(machine(BROADWELL, [0xc4, 0xe3, 0x73, 0xf0, 0xc1, 0x05, INT3]).run(100)).toBe(Stop.InvalidOpcode); // rorx, vvvv != 1111
  });
});

describe('RDRAND/RDSEED', () => {
  const code = [0x0f, 0xc7, 0xf0, 0x0f, 0xc7, 0xf9, 0x66, 0x0f, 0xc7, 0xf2, INT3]; // rdrand eax; rdseed ecx; rdrand dx
  const run = (seed: number | null): Cpu => {
    const cpu = machine(BROADWELL, code);
    if (seed !== null) cpu.rng.seed(seed);
    cpu.regs[EDX] = 0x12340000;
    cpu.setEflags(ZF);
    expect(cpu.run(100)).toBe(Stop.Breakpoint);
    return cpu;
  };
  it('a seed gives the same numbers every time, another seed others; CF=1, other flags clear', () => {
    const a = run(7), b = run(7), c = run(8);
    expect([a.regs[EAX], a.regs[ECX], a.regs[EDX]]).toEqual([b.regs[EAX], b.regs[ECX], b.regs[EDX]]);
    expect([a.regs[EAX], a.regs[ECX]]).not.toEqual([c.regs[EAX], c.regs[ECX]]);
    expect(a.regs[EAX]).not.toBe(a.regs[ECX]);
    expect(a.regs[EDX] >>> 16).toBe(0x1234); // the 16-bit form keeps the upper half
    expect(a.getEflags() & 0x8d5).toBe(CF);
  });
  it('unseeded runs differ', () => {
    expect(run(null).regs[EAX]).not.toBe(run(null).regs[EAX]);
  });
});

describe('--cpu and --seed', () => {
  it('are parsed and checked', () => {
    const o = parseRunArgs(['--cpu', 'core2', '--seed', '42', 'prog']);
    expect(o.cpu).toBe('core2');
    expect(o.seed).toBe(42);
    expect(() => parseRunArgs(['--cpu', 'k6', 'prog'])).toThrow(/--cpu takes one of: broadwell, core2, modern/);
    expect(() => parseRunArgs(['--seed', '-1', 'prog'])).toThrow(/--seed/);
  });
});
