// Page faults resolved in place (Mmu.faultHook, which the kernel installs while a task runs):
// the faulting instruction carries on as if the page had been there, a declined fault still
// stops the CPU at the instruction, decoding ahead never asks for a page, and a copy-on-write
// copy of the page the running block came from ends the block, so a store into it that patches
// the next instruction takes effect exactly as after a restart.
import { describe, expect, it } from 'vitest';
import { Cpu } from '../../src/cpu/cpu.js';
import { EAX, EBX, ESP } from '../../src/cpu/registers.js';
import { Stop } from '../../src/cpu/stop.js';
import { Mmu } from '../../src/mmu/mmu.js';
import { PTE_P, PTE_RW, PTE_US } from '../../src/mmu/paging.js';
import { PAGE_SIZE, PhysicalMemory } from '../../src/mmu/physicalMemory.js';
import { pageMapper, USER_RW } from '../helpers/pageTables.js';

const CODE = 0x00400000, DATA = 0x00600000, STACK_TOP = 0x00801000;
const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
const INC_EAX = 0x40, DEC_EAX = 0x48, NOP = 0x90, INT3 = 0xcc;
const BUDGETS: Array<[string, number]> = [['block loop', 100_000], ['one at a time', 100]];

interface Machine { cpu: Cpu; mem: PhysicalMemory; mmu: Mmu; map: (lin: number, flags?: number) => number; pd: number; codePhys: number }

function machine(code: number[], codeFlags = USER_RW): Machine {
  const mem = new PhysicalMemory(1 << 20);
  const { pd, map } = pageMapper(mem);
  const codePhys = map(CODE, codeFlags);
  map(STACK_TOP - 0x1000);
  mem.bytes.fill(INT3, codePhys, codePhys + 0x1000);
  mem.bytes.set(code, codePhys);
  const mmu = new Mmu(mem);
  mmu.setCr3(pd);
  const cpu = new Cpu(mmu);
  cpu.eip = CODE;
  cpu.regs[ESP] = STACK_TOP;
  return { cpu, mem, mmu, map, pd, codePhys };
}

/** Physical address of lin's PTE (its page table must exist). */
function pteAddr(m: Machine, lin: number): number {
  const pde = m.mem.dv.getInt32(m.pd + (lin >>> 22) * 4, true);
  return ((pde & ~0xfff) >>> 0) + ((lin >>> 12) & 0x3ff) * 4;
}

describe('page faults resolved in place', () => {
  for (const [loop, budget] of BUDGETS) {
    it(`a store to a missing page completes once the hook maps it (${loop})`, () => {
      // mov dword [DATA+8], 0x12345678; inc eax; int3
      const m = machine([0xc7, 0x05, ...le32(DATA + 8), ...le32(0x12345678), INC_EAX, INT3]);
      const seen: Array<[number, number]> = [];
      m.mmu.faultHook = (lin, code) => {
        seen.push([lin >>> 0, code]);
        m.map(lin);
        return true;
      };
      expect(m.cpu.run(budget)).toBe(Stop.Breakpoint);
      expect(seen).toEqual([[DATA + 8, 0x6]]); // not present, write, user
      expect(m.mmu.read32(DATA + 8)).toBe(0x12345678);
      expect(m.cpu.regs[EAX]).toBe(1);
      expect(m.cpu.instructions).toBe(3);
      expect(m.mmu.pageFaults).toBe(1);
    });

    it(`a declined fault stops the CPU at the faulting instruction (${loop})`, () => {
      // inc eax; mov ebx, [DATA]; inc eax; int3
      const m = machine([INC_EAX, 0x8b, 0x1d, ...le32(DATA), INC_EAX, INT3]);
      let calls = 0;
      m.mmu.faultHook = () => {
        calls++;
        return false;
      };
      expect(m.cpu.run(budget)).toBe(Stop.PageFault);
      expect(calls).toBe(1);
      expect(m.cpu.eip).toBe(CODE + 1);
      expect(m.mmu.cr2 >>> 0).toBe(DATA);
      expect(m.cpu.regs[EAX]).toBe(1);
      expect(m.cpu.instructions).toBe(1);
    });
  }

  it('decoding ahead into a missing page does not ask the hook for it', () => {
    // At the page's end: mov ebx, [0] (declined) and then mov eax, imm32 running into the next,
    // unmapped, page: the block decoder looks at it, but only the load's fault is raised.
    const at = CODE + 0xff9;
    const m = machine([0xb8, ...le32(at), 0xff, 0xe0]); // mov eax, at; jmp eax
    m.mem.bytes.set([0x8b, 0x1d, ...le32(0), 0xb8, 1], m.codePhys + 0xff9);
    const seen: number[] = [];
    m.mmu.faultHook = (lin) => {
      seen.push(lin >>> 0);
      return false;
    };
    expect(m.cpu.run(100_000)).toBe(Stop.PageFault);
    expect(seen).toEqual([0]);
    expect(m.cpu.eip).toBe(at);
  });

  for (const [loop, budget] of BUDGETS) {
    it(`a copy-on-write copy of the running block's page ends the block (${loop})`, () => {
      // The code page is mapped read-only (copy-on-write); the first instruction patches the
      // inc eax after it into dec eax. The hook copies the frame and maps the copy writable, as
      // do_wp_page does; the store lands in the copy, whose dec eax must be what runs next.
      const m = machine([0xc6, 0x05, ...le32(CODE + 7), DEC_EAX, INC_EAX, NOP, INT3], PTE_P | PTE_US);
      m.cpu.regs[EAX] = 10;
      m.mmu.faultHook = (lin) => {
        const copy = m.mem.allocFrame() * PAGE_SIZE;
        m.mem.bytes.copyWithin(copy, m.codePhys, m.codePhys + PAGE_SIZE);
        m.mem.dv.setInt32(pteAddr(m, lin), copy | PTE_P | PTE_US | PTE_RW, true);
        m.mmu.invlpg(lin);
        return true;
      };
      expect(m.cpu.run(budget)).toBe(Stop.Breakpoint);
      expect(m.cpu.regs[EAX]).toBe(9);
      expect(m.cpu.instructions).toBe(4);
      expect(m.mem.bytes[m.codePhys + 7]).toBe(INC_EAX); // the original frame is untouched
    });
  }

  it('a load that faults in place reads what the hook put there', () => {
    // mov ebx, [DATA]; int3
    const m = machine([0x8b, 0x1d, ...le32(DATA), INT3]);
    m.mmu.faultHook = (lin) => {
      const phys = m.map(lin);
      m.mem.dv.setInt32(phys, 0x5a5a1234, true);
      return true;
    };
    expect(m.cpu.run(100_000)).toBe(Stop.Breakpoint);
    expect(m.cpu.regs[EBX]).toBe(0x5a5a1234);
  });
});
