// Block chaining: the run loop follows a block's link to the block that ran after it last time
// only while that is still the code at that EIP. A chained pair of blocks on two pages runs,
// then between two runs (and inside one run) the second page is remapped to another frame
// holding other code, or its bytes are written: the next round must run the new code, with the
// interpreter, forced compiling and the normal threshold giving the same registers and counts.
import { describe, expect, it } from 'vitest';
import { Cpu } from '../../../src/cpu/cpu.js';
import { EAX, EBX, ECX, ESP } from '../../../src/cpu/registers.js';
import { Stop } from '../../../src/cpu/stop.js';
import { Mmu } from '../../../src/mmu/mmu.js';
import { PhysicalMemory, PAGE_SIZE } from '../../../src/mmu/physicalMemory.js';
import { JIT_HOT_RUNS } from '../../../src/cpu/jit/jitMode.js';
import { pageMapper, USER_RW } from '../../helpers/pageTables.js';

const A = 0x00400000, B = 0x00500000, STACK_TOP = 0x00801000;
const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
// A: add eax,1; jmp B
const codeA = [0x83, 0xc0, 0x01, 0xe9, ...le32(B - (A + 8))];
// B: add ebx,imm8; dec ecx; jnz A; int3
const codeB = (imm: number) => [0x83, 0xc3, imm, 0x49, 0x0f, 0x85, ...le32(A - (B + 10)), 0xcc];

interface Machine { cpu: Cpu; mem: PhysicalMemory; pteOfB: number }

function machine(threshold: number): Machine {
  const mem = new PhysicalMemory(1 << 20);
  const { pd, map } = pageMapper(mem);
  const physA = map(A);
  const physB = map(B);
  map(STACK_TOP - 0x1000);
  mem.bytes.set(codeA, physA);
  mem.bytes.set(codeB(1), physB);
  const pde = mem.dv.getInt32(pd + (B >>> 22) * 4, true);
  const pteOfB = ((pde & ~0xfff) >>> 0) + ((B >>> 12) & 0x3ff) * 4;
  const mmu = new Mmu(mem);
  mmu.setCr3(pd);
  const cpu = new Cpu(mmu);
  cpu.jitThreshold = threshold;
  cpu.eip = A;
  cpu.regs[ESP] = STACK_TOP;
  cpu.regs[ECX] = 10_000;
  return { cpu, mem, pteOfB };
}

/**
 * Maps B's linear page to a fresh frame holding `add ebx,imm` (the old frame keeps its code),
 * and reads from it, as the guest might, so the TLB holds the new mapping when A's link to B is
 * looked at (an empty TLB slot alone would send the loop to the code cache).
 */
function remapB(m: Machine, imm: number): void {
  const phys = m.mem.allocFrame() * PAGE_SIZE;
  m.mem.bytes.set(codeB(imm), phys);
  m.mem.dv.setInt32(m.pteOfB, phys | USER_RW, true);
  m.cpu.mmu.invlpg(B);
  m.cpu.mmu.read8(B);
}

type Change = (m: Machine) => void;

/** Runs 1000 instructions, applies change, runs to the int3; the state at each stop. */
function runChanged(threshold: number, change: Change, budget = 1000): number[][] {
  const m = machine(threshold);
  const out: number[][] = [];
  for (let k = 0; ; k++) {
    const stop = m.cpu.run(budget);
    out.push([stop, m.cpu.instructions, m.cpu.eip >>> 0, m.cpu.regs[EAX], m.cpu.regs[EBX], m.cpu.regs[ECX]]);
    if (stop !== Stop.Budget) return out;
    if (k === 0) change(m);
  }
}

function expectSameEverywhere(change: Change, budget?: number): number[][] {
  const interp = runChanged(0, change, budget);
  expect(runChanged(1, change, budget)).toEqual(interp);
  expect(runChanged(JIT_HOT_RUNS, change, budget)).toEqual(interp);
  return interp;
}

describe('block chaining', () => {
  it('runs the pair as linked blocks to the same end as the interpreter', () => {
    const s = expectSameEverywhere(() => {});
    const last = s[s.length - 1];
    expect(last[0]).toBe(Stop.Breakpoint);
    expect(last[1]).toBe(10_000 * 5 + 1);
    expect(last[4]).toBe(10_000);
  });

  it('a remap of the second page to another frame between two runs is seen at once', () => {
    const s = expectSameEverywhere((m) => remapB(m, 2));
    // 1000 instructions are 200 rounds with add ebx,1; the other 9,800 rounds add 2.
    expect(s[0][4]).toBe(200);
    expect(s[s.length - 1][4]).toBe(200 + 9_800 * 2);
  });

  it('a store into the second page between two runs is seen at once', () => {
    const s = expectSameEverywhere((m) => m.cpu.mmu.write8(B + 2, 3));
    expect(s[s.length - 1][4]).toBe(200 + 9_800 * 3);
  });

  it('two remaps with a run between them: the links made to the second frame are not followed after the third is mapped', () => {
    const twice: Change = (m) => {
      remapB(m, 4);
      m.cpu.run(500);
      remapB(m, 5);
    };
    const s = expectSameEverywhere(twice);
    expect(s[s.length - 1][4]).toBe(200 + 100 * 4 + 9_700 * 5);
  });
});
