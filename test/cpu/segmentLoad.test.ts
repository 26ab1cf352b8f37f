// Segment register loads at CPL 3 (MOV Sreg, POP Sreg, LDS/LES/LFS/LGS/LSS) and VERR/VERW
// against Linux i386's GDT, with the checks of the Intel SDM's MOV pseudo-code: DS/ES/FS/GS
// take a null selector, a data segment or a readable code segment with RPL <= DPL and
// CPL <= DPL; SS takes only a writable data segment with RPL = DPL = CPL. A failing load is
// #GP(selector) (RPL bits cleared), #GP(0) for a null SS, and leaves the register and ESP as
// they were.
import { describe, expect, it } from 'vitest';
import { Cpu } from '../../src/cpu/cpu.js';
import { DS, EAX, ES, ESP, FS, GS, SS, USER_CS, USER_DS } from '../../src/cpu/registers.js';
import { Stop } from '../../src/cpu/stop.js';
import { Mmu } from '../../src/mmu/mmu.js';
import { PhysicalMemory } from '../../src/mmu/physicalMemory.js';
import { pageMapper } from '../helpers/pageTables.js';

const CODE = 0x00400000, STACK_TOP = 0x00801000, SP = STACK_TOP - 0x100;
const SREG_NAMES = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];

function machine(code: number[]): Cpu {
  const mem = new PhysicalMemory(1 << 20);
  const { pd, map } = pageMapper(mem);
  const phys = map(CODE);
  map(STACK_TOP - 0x1000);
  mem.bytes.fill(0xcc, phys, phys + 0x1000);
  mem.bytes.set(code, phys);
  const mmu = new Mmu(mem);
  mmu.setCr3(pd);
  const cpu = new Cpu(mmu);
  cpu.eip = CODE;
  cpu.regs[ESP] = SP;
  // TLS entry 6 as glibc sets it up (a 32-bit writable data segment), entry 7 read-only.
  cpu.tls[0] = { base: 0x12345000, limit: 0xfffff, flags: 0x51, present: true };
  cpu.tls[1] = { base: 0x22000000, limit: 0xfffff, flags: 0x59, present: true };
  return cpu;
}

/** mov sreg, ax (8E /r with a register operand). */
const movSreg = (seg: number) => [0x8e, 0xc0 | (seg << 3)];

function load(seg: number, sel: number): Cpu {
  const cpu = machine(movSreg(seg));
  cpu.regs[EAX] = sel;
  return cpu;
}

const OK: Array<[number, number]> = [
  [DS, USER_DS], [DS, USER_DS & ~3], [DS, (USER_DS & ~3) | 1], [ES, USER_CS], [FS, 0x33], [GS, 0x3b],
  [DS, 0], [GS, 3], [SS, USER_DS],
];
const BAD: Array<[number, number, number]> = [
  [SS, 0, 0], [SS, 3, 0], // a null SS
  [SS, USER_CS, USER_CS & ~3], // code
  [SS, USER_DS & ~3, USER_DS & ~3], // RPL 0 != CPL
  [SS, 0x3b, 0x38], // read-only data
  [DS, 0x60, 0x60], [DS, 0x68, 0x68], [DS, 0x6b, 0x68], // kernel code and data: DPL 0
  [ES, 0x43, 0x40], // an empty TLS slot
  [FS, 0x83, 0x80], // the TSS
  [GS, 0x1003, 0x1000], // beyond the GDT
  [DS, 0x0f, 0x0c], // no LDT
];

describe('segment register loads at CPL 3', () => {
  for (const [seg, sel] of OK) {
    it(`mov ${SREG_NAMES[seg]}, 0x${sel.toString(16)} loads it`, () => {
      const cpu = load(seg, sel);
      expect(cpu.run(1000)).toBe(Stop.Breakpoint);
      expect(cpu.segSel[seg]).toBe(sel);
      expect(cpu.segBase[seg]).toBe(sel === 0x33 ? 0x12345000 : sel === 0x3b ? 0x22000000 : 0);
    });
  }

  for (const [seg, sel, err] of BAD) {
    it(`mov ${SREG_NAMES[seg]}, 0x${sel.toString(16)} is #GP(0x${err.toString(16)})`, () => {
      const cpu = load(seg, sel);
      const before = cpu.segSel[seg];
      expect(cpu.run(1000)).toBe(Stop.GeneralProtection);
      expect(cpu.trapVector).toBe(13);
      expect(cpu.errorCode).toBe(err);
      expect(cpu.eip).toBe(CODE);
      expect(cpu.segSel[seg]).toBe(before);
    });
  }

  it('pop ds with a bad selector leaves ESP alone; lds loads the offset only when the selector is good', () => {
    const pop = machine([0x1f]); // pop ds
    pop.mmu.write32(SP, 0x60);
    expect(pop.run(1000)).toBe(Stop.GeneralProtection);
    expect(pop.errorCode).toBe(0x60);
    expect(pop.regs[ESP]).toBe(SP);
    const lds = machine([0xc5, 0x04, 0x24]); // lds eax, [esp]
    lds.mmu.write32(SP, 0x1234);
    lds.mmu.write16(SP + 4, USER_DS & ~3);
    expect(lds.run(1000)).toBe(Stop.Breakpoint);
    expect(lds.regs[EAX]).toBe(0x1234);
    expect(lds.segSel[DS]).toBe(USER_DS & ~3);
  });

  const VERIFY: Array<[string, number, boolean]> = [
    ['verr', USER_DS, true], ['verr', USER_DS & ~3, true], ['verw', USER_DS, true], ['verr', USER_CS, true],
    ['verw', USER_CS, false], ['verr', 0x3b, true], ['verw', 0x3b, false], ['verw', 0x33, true],
    ['verr', 0x43, false], ['verr', 0x60, false], ['verw', 0x68, false], ['verr', 0, false],
    ['verr', 0x83, false], ['verr', 0x1003, false],
  ];
  for (const [insn, sel, zf] of VERIFY) {
    it(`${insn} 0x${sel.toString(16)} sets ZF to ${zf ? 1 : 0}`, () => {
      const cpu = machine([0x0f, 0x00, insn === 'verr' ? 0xe0 : 0xe8]);
      cpu.regs[EAX] = sel;
      expect(cpu.run(1000)).toBe(Stop.Breakpoint);
      expect(cpu.getZF()).toBe(zf);
    });
  }
});
