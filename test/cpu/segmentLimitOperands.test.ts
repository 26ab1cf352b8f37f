// Segment limits over the whole operand for the forms outside the shared operand helpers (Intel
// SDM vol. 3, 5.3: an access faults with #GP(0) when any of its bytes lies beyond the limit):
// SSE/MMX loads and stores of 2, 4, 8 and 16 bytes, PINSR*/PEXTR*, PMOVZX/SX, CRC32, MOVBE, the
// VEX BMI rows, ADCX/ADOX, MASKMOVQ/MASKMOVDQU (their implicit FS:EDI), and BT* with a register
// bit offset, whose access lands offset/8 bytes away from the ModRM address. An n-byte access at
// limit - (n - 2) faults before anything is written; at limit - (n - 1) it runs. And a near
// CALL whose target lies beyond CS's limit faults before its push (SDM CALL pseudo-code).
import { describe, expect, it } from 'vitest';
import { Cpu } from '../../src/cpu/cpu.js';
import { Ldt } from '../../src/cpu/ldt.js';
import { CS, EAX, EBX, ECX, EDI, ESP } from '../../src/cpu/registers.js';
import { Stop } from '../../src/cpu/stop.js';
import { Mmu } from '../../src/mmu/mmu.js';
import { PhysicalMemory } from '../../src/mmu/physicalMemory.js';
import { pageMapper } from '../helpers/pageTables.js';

const CODE = 0x00400000, DATA = 0x10000000, STACK_TOP = 0x00801000;
const SP = STACK_TOP - 0x100;
const LIMIT = 0xff; // FS: 256 bytes at DATA (LDT selector 0x07)
const FS_SEL = 0x07, CODE_SEL = 0x0f;

/** A descriptor as fill_ldt builds it: type (with the accessed bit), DPL 3, S, P, D, G. */
function desc(base: number, limit: number, type: number, g = false): [number, number] {
  const lo = (limit & 0xffff) | ((base & 0xffff) << 16);
  const hi = ((base >>> 16) & 0xff) | (type << 8) | 0xf000 | (limit & 0xf0000) | (1 << 22) | (g ? 1 << 23 : 0) |
    (base & 0xff000000);
  return [lo, hi];
}

function machine(code: number[]): Cpu {
  const mem = new PhysicalMemory(1 << 20);
  const { pd, map } = pageMapper(mem);
  const phys = map(CODE);
  map(CODE + 0x1000);
  map(STACK_TOP - 0x1000);
  const data = map(DATA);
  mem.bytes.fill(0xcc, phys, phys + 0x1000);
  mem.bytes.set(code, phys);
  for (let k = 0; k < 0x1000; k += 4) mem.dv.setUint32(data + k, 0xd0000000 + k, true);
  const mmu = new Mmu(mem);
  mmu.setCr3(pd);
  const cpu = new Cpu(mmu);
  cpu.eip = CODE;
  cpu.regs[ESP] = SP;
  const ldt = new Ldt();
  ldt.set(0, ...desc(DATA, LIMIT, 0x3)); // 0x07: read/write data
  ldt.set(1, ...desc(0, CODE >>> 12, 0xb, true)); // 0x0f: flat 32-bit code up to CODE + 0xfff
  cpu.ldt = ldt;
  return cpu;
}

const bytesAt = (cpu: Cpu, off: number, n: number) => Array.from({ length: n }, (_, k) => cpu.mmu.read8(DATA + off + k));

const MOV_FS_AX = [0x8e, 0xe0];

// [what, encoding (FS-prefixed, operand fs:[ebx]; fs:[edi] for MASKMOV*), bytes accessed, stores,
//  instructions to run first]
const CASES: Array<[string, number[], number, boolean, number[]?]> = [
  ['movd xmm0, m32', [0x64, 0x66, 0x0f, 0x6e, 0x03], 4, false],
  ['movd mm0, m32', [0x64, 0x0f, 0x6e, 0x03], 4, false],
  ['cvtsi2ss xmm0, m32', [0x64, 0xf3, 0x0f, 0x2a, 0x03], 4, false],
  ['cvtsi2sd xmm0, m32', [0x64, 0xf2, 0x0f, 0x2a, 0x03], 4, false],
  ['cvtps2pd xmm0, m64', [0x64, 0x0f, 0x5a, 0x03], 8, false],
  ['cvtpi2ps xmm0, m64', [0x64, 0x0f, 0x2a, 0x03], 8, false],
  ['punpcklbw mm0, m32', [0x64, 0x0f, 0x60, 0x03], 4, false],
  ['pinsrw xmm0, m16, 1', [0x64, 0x66, 0x0f, 0xc4, 0x03, 0x01], 2, false],
  ['pinsrw mm0, m16, 1', [0x64, 0x0f, 0xc4, 0x03, 0x01], 2, false],
  ['pinsrd xmm0, m32, 1', [0x64, 0x66, 0x0f, 0x3a, 0x22, 0x03, 0x01], 4, false],
  ['insertps xmm0, m32, 0', [0x64, 0x66, 0x0f, 0x3a, 0x21, 0x03, 0x00], 4, false],
  ['pmovzxbw xmm0, m64', [0x64, 0x66, 0x0f, 0x38, 0x30, 0x03], 8, false],
  ['pmovzxbd xmm0, m32', [0x64, 0x66, 0x0f, 0x38, 0x31, 0x03], 4, false],
  ['pmovsxwq xmm0, m32', [0x64, 0x66, 0x0f, 0x38, 0x24, 0x03], 4, false],
  ['pmovsxdq xmm0, m64', [0x64, 0x66, 0x0f, 0x38, 0x25, 0x03], 8, false],
  ['lddqu xmm0, m128', [0x64, 0xf2, 0x0f, 0xf0, 0x03], 16, false],
  ['pcmpestri xmm0, m128, 0', [0x64, 0x66, 0x0f, 0x3a, 0x61, 0x03, 0x00], 16, false],
  ['crc32 eax, m32', [0x64, 0xf2, 0x0f, 0x38, 0xf1, 0x03], 4, false],
  ['crc32 eax, m16', [0x64, 0x66, 0xf2, 0x0f, 0x38, 0xf1, 0x03], 2, false],
  ['movbe eax, m32', [0x64, 0x0f, 0x38, 0xf0, 0x03], 4, false],
  ['andn eax, ecx, m32', [0x64, 0xc4, 0xe2, 0x70, 0xf2, 0x03], 4, false],
  ['bextr eax, m32, ecx', [0x64, 0xc4, 0xe2, 0x70, 0xf7, 0x03], 4, false],
  ['shlx eax, m32, ecx', [0x64, 0xc4, 0xe2, 0x71, 0xf7, 0x03], 4, false],
  ['rorx eax, m32, 3', [0x64, 0xc4, 0xe3, 0x7b, 0xf0, 0x03, 0x03], 4, false],
  ['mulx eax, edx, m32', [0x64, 0xc4, 0xe2, 0x6b, 0xf6, 0x03], 4, false],
  ['pdep eax, ecx, m32', [0x64, 0xc4, 0xe2, 0x73, 0xf5, 0x03], 4, false],
  ['blsr eax, m32', [0x64, 0xc4, 0xe2, 0x78, 0xf3, 0x0b], 4, false],
  ['adcx eax, m32', [0x64, 0x66, 0x0f, 0x38, 0xf6, 0x03], 4, false],
  ['adox eax, m32', [0x64, 0xf3, 0x0f, 0x38, 0xf6, 0x03], 4, false],
  ['movd m32, xmm0', [0x64, 0x66, 0x0f, 0x7e, 0x03], 4, true],
  ['movd m32, mm0', [0x64, 0x0f, 0x7e, 0x03], 4, true],
  ['movnti m32, eax', [0x64, 0x0f, 0xc3, 0x03], 4, true],
  ['pextrw m16, xmm0, 1', [0x64, 0x66, 0x0f, 0x3a, 0x15, 0x03, 0x01], 2, true],
  ['pextrd m32, xmm0, 1', [0x64, 0x66, 0x0f, 0x3a, 0x16, 0x03, 0x01], 4, true],
  ['extractps m32, xmm0, 1', [0x64, 0x66, 0x0f, 0x3a, 0x17, 0x03, 0x01], 4, true],
  ['movntq m64, mm0', [0x64, 0x0f, 0xe7, 0x03], 8, true],
  ['movbe m32, eax', [0x64, 0x0f, 0x38, 0xf1, 0x03], 4, true],
  ['maskmovq mm0, mm1 (fs:[edi])', [0x64, 0x0f, 0xf7, 0xc1], 8, true, [0x0f, 0x74, 0xc9]],
  ['maskmovdqu xmm0, xmm1 (fs:[edi])', [0x64, 0x66, 0x0f, 0xf7, 0xc1], 16, true, [0x66, 0x0f, 0x74, 0xc9]],
];

function run(insn: number[], pre: number[], off: number): Cpu {
  const cpu = machine([...MOV_FS_AX, ...pre, ...insn]);
  cpu.regs[EAX] = FS_SEL;
  cpu.regs[EBX] = off;
  cpu.regs[EDI] = off;
  return cpu;
}

describe('segment limits over the whole operand', () => {
  for (const [what, insn, n, stores, pre = []] of CASES) {
    it(`${what}: ${n} bytes at limit - ${n - 2} fault #GP(0), at limit - ${n - 1} run`, () => {
      const bad = run(insn, pre, LIMIT - (n - 2));
      const before = bytesAt(bad, 0xe0, 0x20);
      expect(bad.run(1000)).toBe(Stop.GeneralProtection);
      expect([bad.errorCode, bad.eip - CODE]).toEqual([0, MOV_FS_AX.length + pre.length]);
      expect(bytesAt(bad, 0xe0, 0x20)).toEqual(before);

      const good = run(insn, pre, LIMIT - (n - 1));
      expect(good.run(1000)).toBe(Stop.Breakpoint);
      expect(good.eip - CODE).toBe(MOV_FS_AX.length + pre.length + insn.length + 1);
      if (stores) expect(bytesAt(good, 0xe0, 0x20)).not.toEqual(before);
    });
  }
});

describe('BT* with a register bit offset, against the limit where the access lands', () => {
  const BTS_M32_ECX = [0x64, 0x0f, 0xab, 0x0b], BTS_M16_CX = [0x64, 0x66, 0x0f, 0xab, 0x0b];
  const bts = (insn: number[], base: number, bit: number) => {
    const cpu = run(insn, [], base);
    cpu.regs[ECX] = bit;
    return cpu;
  };

  for (const [what, insn, n] of [['bts m32, ecx', BTS_M32_ECX, 4], ['bts m16, cx', BTS_M16_CX, 2]] as const) {
    it(`${what}: the ${n}-byte unit the offset reaches is checked, not the ModRM address`, () => {
      // [ebx] = 1 is within the limit; the bit offset moves the access to limit - (n - 2).
      const bad = bts(insn, 1, (0x100 - n) * 8);
      const before = bytesAt(bad, 0xe0, 0x20);
      expect(bad.run(1000)).toBe(Stop.GeneralProtection);
      expect([bad.errorCode, bad.eip - CODE]).toEqual([0, 2]);
      expect(bytesAt(bad, 0xe0, 0x20)).toEqual(before);

      // [ebx] = 0 lands on limit - (n - 1): bit 0 of its first byte is set.
      const good = bts(insn, 0, (0x100 - n) * 8);
      expect(good.run(1000)).toBe(Stop.Breakpoint);
      expect(good.mmu.read8(DATA + 0x100 - n)).toBe(bytesAt(bad, 0x100 - n, 1)[0] | 1);
    });
  }

  it('an address beyond the limit that a negative offset brings back runs', () => {
    const cpu = bts(BTS_M32_ECX, 0x200, -0x1f0 * 8 + 3); // lands on 0x10, bit 3
    expect(cpu.run(1000)).toBe(Stop.Breakpoint);
    expect(cpu.mmu.read32(DATA + 0x10) >>> 0).toBe((0xd0000010 | 8) >>> 0);
  });
});

describe('a near CALL beyond the CS limit', () => {
  // CS: an LDT code segment (0x0f) ending at CODE + 0xfff.
  const BEYOND = CODE + 0x1000;
  const MARK = 0x11223344;
  const CALLS: Array<[string, number[], (c: Cpu) => void]> = [
    ['call rel32', [0xe8, ...le32(BEYOND - (CODE + 5))], () => {}],
    ['call eax', [0xff, 0xd0], (c) => { c.regs[EAX] = BEYOND; }],
    ['call [ebx]', [0xff, 0x13], (c) => { c.regs[EBX] = DATA; c.mmu.write32(DATA, BEYOND); }],
  ];
  for (const [what, code, setup] of CALLS) {
    it(`${what}: #GP(0) before the push, the stack untouched`, () => {
      const cpu = machine(code);
      cpu.setCodeSegment(CODE_SEL);
      cpu.mmu.write32(SP - 4, MARK);
      setup(cpu);
      expect(cpu.run(1000)).toBe(Stop.GeneralProtection);
      expect([cpu.errorCode, cpu.eip, cpu.segSel[CS], cpu.regs[ESP]]).toEqual([0, CODE, CODE_SEL, SP]);
      expect(cpu.mmu.read32(SP - 4)).toBe(MARK);
    });
  }

  // FS holds the null selector at reset: a branch through an FS operand is #GP(0) at once,
  // also when the limit check of a limited CS wraps the branch.
  for (const [what, code] of [['call fs:[ebx]', [0x64, 0xff, 0x13]], ['jmp fs:[ebx]', [0x64, 0xff, 0x23]]] as const) {
    it(`${what} with FS null under a limited CS: #GP(0), nothing pushed`, () => {
      const cpu = machine([...code]);
      cpu.setCodeSegment(CODE_SEL);
      cpu.mmu.write32(SP - 4, MARK);
      cpu.regs[EBX] = DATA;
      cpu.mmu.write32(DATA, CODE + 0x10);
      expect(cpu.run(1000)).toBe(Stop.GeneralProtection);
      expect([cpu.errorCode, cpu.eip, cpu.regs[ESP]]).toEqual([0, CODE, SP]);
      expect(cpu.mmu.read32(SP - 4)).toBe(MARK);
    });
  }

  it('a call to the last byte within the limit pushes and runs', () => {
    const cpu = machine([0xe8, ...le32(CODE + 0xfff - (CODE + 5))]); // the byte there is int3
    cpu.setCodeSegment(CODE_SEL);
    expect(cpu.run(1000)).toBe(Stop.Breakpoint);
    expect([cpu.eip, cpu.regs[ESP], cpu.mmu.read32(SP - 4)]).toEqual([CODE + 0x1000, SP - 4, CODE + 5]);
  });
});

function le32(v: number): number[] {
  return [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff];
}
