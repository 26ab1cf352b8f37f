// record / reverse-stepi across far transfers into LDT segments: stepping back puts CS's base,
// default size and limit, and the data segments' limits and read-only state, back as they were,
// so the instruction stepped back to runs again in the mode it ran in.
import { describe, expect, it } from 'vitest';
import { Cpu } from '../../src/cpu/cpu.js';
import { Ldt } from '../../src/cpu/ldt.js';
import { CS, EAX, ESP, FS } from '../../src/cpu/registers.js';
import { Stop } from '../../src/cpu/stop.js';
import { Recorder } from '../../src/debug/record.js';
import type { DebugTarget } from '../../src/debug/target.js';
import { Mmu } from '../../src/mmu/mmu.js';
import { PhysicalMemory } from '../../src/mmu/physicalMemory.js';
import { pageMapper } from '../helpers/pageTables.js';

const CODE = 0x00400000, SEG16 = 0x00500000, STACK_TOP = 0x00801000;

describe('record and reverse over segment changes', () => {
  it('steps back out of a 16-bit segment and out of a limited, read-only FS', () => {
    const mem = new PhysicalMemory(1 << 20);
    const { pd, map } = pageMapper(mem);
    const code = map(CODE), seg = map(SEG16);
    map(STACK_TOP - 0x1000);
    // mov fs, cx; lcall 0x07:0x10; int3
    mem.bytes.set([0x8e, 0xe1, 0x9a, 0x10, 0, 0, 0, 0x07, 0, 0xcc], code);
    mem.bytes.set([0x40, 0x40, 0x66, 0xcb], seg + 0x10); // inc ax; inc ax; o32 retf
    const mmu = new Mmu(mem);
    mmu.setCr3(pd);
    const cpu = new Cpu(mmu);
    const ldt = new Ldt();
    ldt.set(0, 0x0000ffff | ((SEG16 & 0xffff) << 16), ((SEG16 >>> 16) & 0xff) | (0xfb << 8) | (SEG16 & 0xff000000)); // 16-bit code
    ldt.set(1, 0x0000000f | ((CODE & 0xffff) << 16), ((CODE >>> 16) & 0xff) | (0xf1 << 8) | (1 << 22) | (CODE & 0xff000000)); // 16 read-only bytes
    cpu.ldt = ldt;
    cpu.eip = CODE;
    cpu.regs[ESP] = STACK_TOP - 0x100;
    cpu.regs[1] = 0x0f;
    const rec = new Recorder({ mem, mmu } as unknown as DebugTarget);
    const states: string[] = [];
    const snap = () => JSON.stringify([cpu.eip, cpu.regs[EAX], cpu.segSel[CS], cpu.segBase[CS], cpu.code16, cpu.csMode,
      cpu.segLimited, cpu.segNoWrite, cpu.segNoRead, [...cpu.segLimitLo], [...cpu.segLimitHi], cpu.segSel[FS]]);
    for (let k = 0; k < 4; k++) {
      states.push(snap());
      rec.before(cpu, null, false);
      expect(cpu.run(1)).toBe(Stop.Budget);
    }
    expect([cpu.code16, cpu.eip, cpu.segLimited]).toEqual([true, 0x12, (1 << CS) | (1 << FS)]);
    for (let k = 3; k >= 0; k--) {
      expect(rec.stepBack(cpu).ok).toBe(true);
      expect(snap()).toBe(states[k]);
    }
    // And forwards again from the start, through the 16-bit segment to the int3.
    expect(cpu.run(1000)).toBe(Stop.Breakpoint);
    expect([cpu.eip, cpu.regs[EAX], cpu.code16]).toEqual([CODE + 10, 2, false]);
  });
});
