// Self-modifying code: a store into a frame that holds decoded instructions takes effect before
// the next instruction runs, also when it patches an instruction a few bytes further on in the
// block that is executing (the block loop runs no per-instruction check: the invalidated
// block's instructions are switched to a handler that ends it). Both run loops are covered:
// the block loop (large budgets) and the one-at-a-time loop (small budgets).
import { describe, expect, it } from 'vitest';
import { Cpu } from '../../src/cpu/cpu.js';
import { EAX, ECX, EDX, ESP } from '../../src/cpu/registers.js';
import { Stop } from '../../src/cpu/stop.js';
import { Mmu } from '../../src/mmu/mmu.js';
import { PhysicalMemory } from '../../src/mmu/physicalMemory.js';
import { pageMapper } from '../helpers/pageTables.js';

const CODE = 0x00400000, CODE2 = 0x00401000, STACK_TOP = 0x00801000;

function machine(code: number[], code2: number[] = []): Cpu {
  const mem = new PhysicalMemory(1 << 20);
  const { pd, map } = pageMapper(mem);
  const phys = map(CODE);
  const phys2 = map(CODE2);
  map(STACK_TOP - 0x1000);
  mem.bytes.fill(0xcc, phys, phys + 0x1000);
  mem.bytes.set(code, phys);
  mem.bytes.fill(0xcc, phys2, phys2 + 0x1000);
  mem.bytes.set(code2, phys2);
  const mmu = new Mmu(mem);
  mmu.setCr3(pd);
  const cpu = new Cpu(mmu);
  cpu.eip = CODE;
  cpu.regs[ESP] = STACK_TOP;
  return cpu;
}

const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
/** mov byte [addr], imm8 (7 bytes). */
const movByte = (addr: number, v: number) => [0xc6, 0x05, ...le32(addr), v];
/** mov dword [addr], imm32 (10 bytes). */
const movDword = (addr: number, v: number) => [0xc7, 0x05, ...le32(addr), ...le32(v)];
const INC_EAX = 0x40, DEC_EAX = 0x48, NOP = 0x90, INT3 = 0xcc;

const BUDGETS: Array<[string, number]> = [['block loop', 100_000], ['one at a time', 100]];

describe('self-modifying code', () => {
  for (const [loop, budget] of BUDGETS) {
    it(`a store patching the next instruction's opcode runs the new one (${loop})`, () => {
      // mov byte [next], 0x48; inc eax (becomes dec eax); int3
      const cpu = machine([...movByte(CODE + 7, DEC_EAX), INC_EAX, INT3]);
      cpu.regs[EAX] = 10;
      expect(cpu.run(budget)).toBe(Stop.Breakpoint);
      expect(cpu.regs[EAX]).toBe(9);
      expect(cpu.instructions).toBe(3);
    });

    it(`a store patching an immediate a few instructions ahead in the block (${loop})`, () => {
      // mov dword [imm of the mov below], 0x1234; nop; nop; mov eax, 0; inc eax; int3
      const movAt = CODE + 10 + 2;
      const cpu = machine([...movDword(movAt + 1, 0x1234), NOP, NOP, 0xb8, ...le32(0), INC_EAX, INT3]);
      expect(cpu.run(budget)).toBe(Stop.Breakpoint);
      expect(cpu.regs[EAX]).toBe(0x1235);
      expect(cpu.instructions).toBe(6);
      expect(cpu.eip).toBe(movAt + 5 + 1 + 1);
    });
  }

  it('a loop that patches its own first instruction each time round sees every patch', () => {
    // xor edx,edx; L: mov eax,0; add edx,eax; inc eax; mov [L+1],eax; dec ecx; jnz L; int3
    const L = CODE + 2;
    const code = [0x31, 0xd2, 0xb8, ...le32(0), 0x01, 0xc2, INC_EAX, 0xa3, ...le32(L + 1), 0x49];
    code.push(0x75, (L - (CODE + code.length + 2)) & 0xff, INT3);
    const cpu = machine(code);
    cpu.regs[ECX] = 100;
    expect(cpu.run(100_000)).toBe(Stop.Breakpoint);
    expect(cpu.regs[EDX]).toBe((100 * 99) / 2);
    expect(cpu.instructions).toBe(1 + 100 * 6 + 1);
  });

  it('keeps running the rest of the block after a store that leaves the code bytes unchanged', () => {
    // mov byte [the inc below], 0x40 (what is there already); inc eax; inc eax; int3
    const cpu = machine([...movByte(CODE + 7, INC_EAX), INC_EAX, INC_EAX, INT3]);
    expect(cpu.run(100_000)).toBe(Stop.Breakpoint);
    expect(cpu.regs[EAX]).toBe(2);
    expect(cpu.instructions).toBe(4);
  });

  it('a store into another code frame does not disturb the block that is running', () => {
    // page 2 holds "inc eax; int3"; page 1 patches it to "dec eax", then runs on and calls it.
    const call = [0xe8, ...le32((CODE2 - (CODE + 7 + 3 + 5)) | 0)];
    const cpu = machine([...movByte(CODE2, DEC_EAX), INC_EAX, INC_EAX, INC_EAX, ...call], [INC_EAX, INT3]);
    // Decode page 2 first so that it holds cached code when the store hits it.
    cpu.eip = CODE2;
    expect(cpu.run(100_000)).toBe(Stop.Breakpoint);
    cpu.eip = CODE;
    cpu.regs[EAX] = 0;
    const before = cpu.instructions;
    expect(cpu.run(100_000)).toBe(Stop.Breakpoint);
    expect(cpu.regs[EAX]).toBe(3 - 1);
    expect(cpu.instructions - before).toBe(1 + 3 + 1 + 1 + 1);
  });

  it('a faulting store into the block leaves the block intact', () => {
    // mov byte [unmapped], 0x48 faults before anything is written: nothing to re-decode.
    const cpu = machine([...movByte(0x30000000, DEC_EAX), INC_EAX, INT3]);
    expect(cpu.run(100_000)).toBe(Stop.PageFault);
    expect(cpu.eip).toBe(CODE);
    cpu.eip = CODE + 7;
    expect(cpu.run(100_000)).toBe(Stop.Breakpoint);
    expect(cpu.regs[EAX]).toBe(1);
  });
});
