// LDT selectors at CPL 3 (the SDM's MOV-to-segment-register and far CALL pseudo-code, with a
// table laid out as modify_ldt's fill_ldt writes it): a data segment's base is added to the
// operands that name it and its limit is checked (#GP(0)), expand-down segments take the
// offsets above their limit, a not-present segment is #NP(selector) (#SS(selector) for SS),
// a selector past the table or naming an empty slot is #GP(selector). String instructions
// check each element's offset. Far transfers enter LDT code segments, flat, based or 16-bit
// (test/cpu/codeSegment16.test.ts has the 16-bit ones), with the target checked against the
// limit; an SS that is not flat is refused (PUSH and POP use ESP as the linear address).
import { describe, expect, it } from 'vitest';
import { Cpu } from '../../src/cpu/cpu.js';
import { CpuContext } from '../../src/cpu/context.js';
import { Ldt } from '../../src/cpu/ldt.js';
import { CS, EAX, EBX, ECX, EDI, ESI, ESP, FS, GS, SS } from '../../src/cpu/registers.js';
import { Stop } from '../../src/cpu/stop.js';
import { Mmu } from '../../src/mmu/mmu.js';
import { PhysicalMemory } from '../../src/mmu/physicalMemory.js';
import { pageMapper } from '../helpers/pageTables.js';

const CODE = 0x00400000, TARGET = 0x00400800, DATA = 0x10000000, STACK_TOP = 0x00801000;
const SP = STACK_TOP - 0x100;

/** A descriptor as fill_ldt builds it: type (with the accessed bit), DPL 3, S, P, D, G. */
function desc(base: number, limit: number, type: number, o: { d?: boolean; g?: boolean; p?: boolean } = {}): [number, number] {
  const lo = (limit & 0xffff) | ((base & 0xffff) << 16);
  const hi = ((base >>> 16) & 0xff) | (type << 8) | 0x7000 | (o.p === false ? 0 : 0x8000) | (limit & 0xf0000) |
    (o.d === false ? 0 : 1 << 22) | (o.g ? 1 << 23 : 0) | (base & 0xff000000);
  return [lo, hi];
}
const DATA_RW = 0x3, DATA_DOWN_RW = 0x7, CODE_RX = 0xb;

/** The LDT of these tests: selector (entry << 3 | 7) for entry n. */
function table(): Ldt {
  const l = new Ldt();
  l.set(0, ...desc(DATA, 0xff, DATA_RW)); // 0x07: 256 bytes at DATA
  l.set(1, ...desc(DATA, 0xff, DATA_RW, { p: false })); // 0x0f: not present
  l.set(2, ...desc(DATA - 0x1000, 0xfff, DATA_DOWN_RW)); // 0x17: offsets 0x1000.. from DATA - 4 KiB
  l.set(3, ...desc(0, 0xfffff, CODE_RX, { g: true })); // 0x1f: flat 32-bit code
  l.set(4, ...desc(0, 0xffff, CODE_RX, { d: false })); // 0x27: 16-bit code
  l.set(5, ...desc(0x1000, 0xfffff, CODE_RX, { g: true })); // 0x2f: based 32-bit code
  l.set(6, ...desc(0, 0xfffff, DATA_RW, { g: true })); // 0x37: flat data
  // entry 7 left empty (0x3f)
  l.set(8, ...desc(0, 0xfffff, DATA_RW, { g: true, p: false })); // 0x47: flat, not present
  l.set(9, ...desc(0, 0xfffff, DATA_RW, { g: true, d: false })); // 0x4f: flat, B clear (a 16-bit stack)
  return l;
}

function machine(code: number[]): Cpu {
  const mem = new PhysicalMemory(1 << 20);
  const { pd, map } = pageMapper(mem);
  const phys = map(CODE);
  map(STACK_TOP - 0x1000);
  const data = map(DATA);
  mem.bytes.fill(0xcc, phys, phys + 0x1000);
  mem.bytes.set(code, phys);
  mem.bytes.set([0x40, 0xcc], phys + (TARGET - CODE)); // inc eax; int3
  for (let k = 0; k < 0x1000; k += 4) mem.dv.setUint32(data + k, 0xd0000000 + k, true);
  const mmu = new Mmu(mem);
  mmu.setCr3(pd);
  const cpu = new Cpu(mmu);
  cpu.eip = CODE;
  cpu.regs[ESP] = SP;
  cpu.ldt = table();
  return cpu;
}

// mov fs, ax; mov eax, fs:[ebx]
const LOAD_FS_READ = [0x8e, 0xe0, 0x64, 0x8b, 0x03];

function fsRead(sel: number, off: number): Cpu {
  const cpu = machine(LOAD_FS_READ);
  cpu.regs[EAX] = sel;
  cpu.regs[EBX] = off;
  return cpu;
}

describe('LDT data segments', () => {
  it('adds the base of an LDT segment loaded into FS', () => {
    const cpu = fsRead(0x07, 0x10);
    expect(cpu.run(1000)).toBe(Stop.Breakpoint);
    expect(cpu.segSel[FS]).toBe(0x07);
    expect(cpu.segBase[FS]).toBe(DATA);
    expect(cpu.regs[EAX] >>> 0).toBe(0xd0000010);
  });

  for (const off of [0x100, 0xfffffffc, 0x1000]) {
    it(`faults #GP(0) at offset 0x${off.toString(16)} past the limit 0xff, before the access`, () => {
      const cpu = fsRead(0x07, off);
      expect(cpu.run(1000)).toBe(Stop.GeneralProtection);
      expect(cpu.errorCode).toBe(0);
      expect(cpu.eip).toBe(CODE + 2);
      expect(cpu.segSel[FS]).toBe(0x07);
    });
  }

  it('takes offsets above the limit of an expand-down segment and faults at or below it', () => {
    const ok = fsRead(0x17, 0x1008);
    expect(ok.run(1000)).toBe(Stop.Breakpoint);
    expect(ok.regs[EAX] >>> 0).toBe(0xd0000008);
    const bad = fsRead(0x17, 0xfff);
    expect(bad.run(1000)).toBe(Stop.GeneralProtection);
    expect(bad.errorCode).toBe(0);
  });

  it('leaves the limit behind when a GDT selector replaces the LDT one', () => {
    // mov fs, ax; mov fs, cx; mov eax, fs:[ebx]
    const cpu = machine([0x8e, 0xe0, 0x8e, 0xe1, 0x64, 0x8b, 0x03]);
    cpu.regs[EAX] = 0x07;
    cpu.regs[1] = 0x7b; // __USER_DS in ECX
    cpu.regs[EBX] = DATA + 0x200;
    const stop = cpu.run(1000);
    expect([stop, cpu.eip - CODE, cpu.errorCode, cpu.segSel[FS], cpu.segLimited]).toEqual([Stop.Breakpoint, 8, 0, 0x7b, 0]);
    expect(cpu.regs[EAX] >>> 0).toBe(0xd0000200);
  });

  it('rep movs from a limited FS stops at the limit with #GP(0), the elements before it done', () => {
    // mov fs, ax; rep movsb es:[edi], fs:[esi]
    const cpu = machine([0x8e, 0xe0, 0x64, 0xf3, 0xa4]);
    cpu.regs[EAX] = 0x07;
    cpu.regs[ESI] = 0xfc;
    cpu.regs[EDI] = DATA + 0x800;
    cpu.regs[ECX] = 8;
    expect(cpu.run(1000)).toBe(Stop.GeneralProtection);
    expect(cpu.errorCode).toBe(0);
    expect(cpu.eip).toBe(CODE + 2);
    expect([cpu.regs[ESI], cpu.regs[ECX], cpu.regs[EDI] - DATA]).toEqual([0x100, 4, 0x804]);
    expect(cpu.mmu.read32(DATA + 0x800) >>> 0).toBe(0xd00000fc);
  });

  it('keeps a thread\'s limits across a context switch', () => {
    const cpu = fsRead(0x07, 0x100);
    const ctx = new CpuContext();
    expect(cpu.run(1)).toBe(Stop.Budget); // mov fs, ax
    cpu.saveContext(ctx);
    cpu.resetSegments();
    cpu.loadContext(ctx);
    expect(cpu.run(1000)).toBe(Stop.GeneralProtection);
  });

  const BAD: Array<[string, number, number, Stop, number]> = [
    ['not present', FS, 0x0f, Stop.SegmentNotPresent, 0x0c],
    ['not present, into SS', SS, 0x47, Stop.StackSegment, 0x44],
    ['a limited segment into SS', SS, 0x07, Stop.GeneralProtection, 0x04],
    ['a flat 16-bit (B clear, SP) segment into SS', SS, 0x4f, Stop.GeneralProtection, 0x4c],
    ['an empty slot', GS, 0x3f, Stop.GeneralProtection, 0x3c],
    ['past the table', FS, 0x57, Stop.GeneralProtection, 0x54],
    ['with RPL 0 but a DPL 3 descriptor, into SS', SS, 0x34, Stop.GeneralProtection, 0x34],
  ];
  for (const [what, seg, sel, stop, err] of BAD) {
    it(`refuses 0x${sel.toString(16)} (${what})`, () => {
      const cpu = machine([0x8e, 0xc0 | (seg << 3)]);
      cpu.regs[EAX] = sel;
      const before = cpu.segSel[seg];
      expect(cpu.run(1000)).toBe(stop);
      expect(cpu.errorCode).toBe(err);
      expect(cpu.eip).toBe(CODE);
      expect(cpu.segSel[seg]).toBe(before);
    });
  }

  it('loads a flat LDT data segment into SS', () => {
    const cpu = machine([0x8e, 0xd0, 0x50, 0x58]); // mov ss, ax; push eax; pop eax
    cpu.regs[EAX] = 0x37;
    expect(cpu.run(1000)).toBe(Stop.Breakpoint);
    expect(cpu.segSel[SS]).toBe(0x37);
    expect(cpu.regs[ESP]).toBe(SP);
  });

  it('verr finds an LDT data segment readable, and nothing without an LDT', () => {
    const cpu = machine([0x0f, 0x00, 0xe0]);
    cpu.regs[EAX] = 0x07;
    expect(cpu.run(1000)).toBe(Stop.Breakpoint);
    expect(cpu.getZF()).toBe(true);
    const none = machine([0x0f, 0x00, 0xe0]);
    none.ldt = null;
    none.regs[EAX] = 0x07;
    expect(none.run(1000)).toBe(Stop.Breakpoint);
    expect(none.getZF()).toBe(false);
  });
});

describe('LDT code segments', () => {
  const lcall = (sel: number) => [0x9a, ...[TARGET & 0xff, (TARGET >> 8) & 0xff, (TARGET >> 16) & 0xff, TARGET >>> 24], sel & 0xff, sel >> 8];

  it('lcall enters a flat 32-bit LDT code segment, pushing the old CS', () => {
    const cpu = machine(lcall(0x1f));
    expect(cpu.run(1000)).toBe(Stop.Breakpoint);
    expect(cpu.eip).toBe(TARGET + 2);
    expect(cpu.segSel[CS]).toBe(0x1f);
    expect(cpu.mmu.read32(SP - 4)).toBe(0x73);
    expect(cpu.regs[EAX]).toBe(1);
  });

  it('lcall into a based segment fetches at base + offset, EIP being the offset', () => {
    const off = TARGET - 0x1000; // base 0x1000: linear TARGET (inc eax; int3)
    const cpu = machine([0x9a, off & 0xff, (off >> 8) & 0xff, (off >> 16) & 0xff, off >>> 24, 0x2f, 0]);
    expect(cpu.run(1000)).toBe(Stop.Breakpoint);
    expect([cpu.eip, cpu.segSel[CS], cpu.segBase[CS], cpu.regs[EAX]]).toEqual([off + 2, 0x2f, 0x1000, 1]);
    expect(cpu.mmu.read32(SP - 8)).toBe(CODE + 7);
  });

  for (const [what, sel, err] of [['a data segment', 0x07, 0x04], ['a target past a 16-bit limit', 0x27, 0]] as const) {
    it(`lcall refuses ${what} with #GP(${err ? 'selector' : '0'}), changing nothing`, () => {
      const cpu = machine(lcall(sel));
      expect(cpu.run(1000)).toBe(Stop.GeneralProtection);
      expect(cpu.errorCode).toBe(err);
      expect(cpu.eip).toBe(CODE);
      expect(cpu.segSel[CS]).toBe(0x73);
      expect(cpu.regs[ESP]).toBe(SP);
    });
  }
});
