// Traces: a cycle of blocks recorded from a hot head and compiled into one loop. The loop below
// has two paths (odd and even rounds), a call into a function on another page and back, and an
// inner loop of one block; one round stores into the function's code. Run interpreted, with
// blocks compiled but no traces, with traces made at once and at the normal thresholds, in
// budgets that end anywhere, it must give the same registers, memory, stops and counts, also
// when a member faults, when a member's page is remapped, and when a member's code is written.
import { beforeEach, describe, expect, it } from 'vitest';
import { Cpu } from '../../../src/cpu/cpu.js';
import { EAX, ECX, EDI, ESP } from '../../../src/cpu/registers.js';
import { Stop } from '../../../src/cpu/stop.js';
import { Mmu } from '../../../src/mmu/mmu.js';
import { PhysicalMemory, PAGE_SIZE } from '../../../src/mmu/physicalMemory.js';
import { JIT_HOT_RUNS, TRACE_HOT_RUNS } from '../../../src/cpu/jit/jitMode.js';
import { jitStats, resetJitStats } from '../../../src/cpu/jit/jitStats.js';
import { pageMapper, USER_RW } from '../../helpers/pageTables.js';

const A = 0x00400000, F = 0x00500000, DATA = 0x10000000, STACK_TOP = 0x00801000;

// A:  mov ecx,3000; xor eax,eax; mov ebx,DATA; mov ebp,STACK_TOP-0x100
// L:  cmp ecx,1000; mov esi,ebp; cmove esi,edi; mov byte [esi],0x29   (at ecx=1000: [edi], F's opcode)
//     test ecx,1; jz EVEN; add eax,[ebx]; jmp J
// EVEN: sub eax,3
// J:  call F; mov edx,5
// M:  dec edx; jnz M; dec ecx; jnz L; int3
// With `pad` NOPs before the store, 60 makes the store the 64th and last instruction of its block.
const code = (pad: number): number[] => {
  const call = 0x100000 - (0x33 + pad);
  return [
    0xb9, 0xb8, 0x0b, 0x00, 0x00, 0x31, 0xc0, 0xbb, 0x00, 0x00, 0x00, 0x10,
    0xbd, 0x00, 0x0f, 0x80, 0x00, 0x81, 0xf9, 0xe8, 0x03, 0x00, 0x00, 0x89,
    0xee, 0x0f, 0x44, 0xf7, ...new Array<number>(pad).fill(0x90), 0xc6, 0x06, 0x29, 0xf7, 0xc1, 0x01, 0x00, 0x00,
    0x00, 0x74, 0x04, 0x03, 0x03, 0xeb, 0x03, 0x83, 0xe8, 0x03, 0xe8, call & 0xff,
    (call >> 8) & 0xff, (call >> 16) & 0xff, 0x00, 0xba, 0x05, 0x00, 0x00, 0x00, 0x4a, 0x75, 0xfd, 0x49,
    0x75, 0xd3 - pad, 0xcc,
  ];
};
// F: add [ebx+4],eax (0x29 makes it sub [ebx+4],eax); ret
const FUNC = (op: number) => [op, 0x43, 0x04, 0xc3];

interface Machine { cpu: Cpu; mem: PhysicalMemory; dataPhys: number; pte: (lin: number) => number }

function machine(jit: number, trace: number, pad = 0): Machine {
  const mem = new PhysicalMemory(1 << 20);
  const { pd, map } = pageMapper(mem);
  mem.bytes.set(code(pad), map(A));
  mem.bytes.set(FUNC(0x01), map(F));
  const dataPhys = map(DATA);
  map(STACK_TOP - 0x1000);
  for (let k = 0; k < 16; k++) mem.bytes[dataPhys + k] = k * 17 + 1;
  const mmu = new Mmu(mem);
  mmu.setCr3(pd);
  const cpu = new Cpu(mmu);
  cpu.jitThreshold = jit;
  cpu.traceThreshold = trace;
  cpu.eip = A;
  cpu.regs[ESP] = STACK_TOP;
  cpu.regs[EDI] = F;
  const pte = (lin: number): number => {
    const pde = mem.dv.getInt32(pd + (lin >>> 22) * 4, true);
    return ((pde & ~0xfff) >>> 0) + ((lin >>> 12) & 0x3ff) * 4;
  };
  return { cpu, mem, dataPhys, pte };
}

type Change = (m: Machine) => void;

/** Runs in budgets of `budget`, applying change after the first; the state at each stop. */
function run(jit: number, trace: number, budget: number, change: Change = () => {}, pad = 0): number[][] {
  const m = machine(jit, trace, pad);
  const out: number[][] = [];
  for (let k = 0; ; k++) {
    const stop = m.cpu.run(budget);
    out.push([stop, m.cpu.instructions, m.cpu.eip >>> 0, m.cpu.getEflags(), m.cpu.mmu.cr2, ...m.cpu.regs.subarray(0, 8),
      ...m.mem.bytes.subarray(m.dataPhys, m.dataPhys + 8)]);
    if (stop !== Stop.Budget || k > 10_000) return out;
    if (k === 0) change(m);
  }
}

/** The interpreter's stops; every compiled variant must give the same. */
function expectSame(budget: number, change?: Change, pad = 0): number[][] {
  const interp = run(0, 0, budget, change, pad);
  resetJitStats();
  expect(run(1, 2, budget, change, pad)).toEqual(interp);
  expect(jitStats.traces).toBeGreaterThan(0);
  expect(jitStats.failures).toBe(0);
  expect(run(1, 0, budget, change, pad)).toEqual(interp);
  expect(run(JIT_HOT_RUNS, TRACE_HOT_RUNS, budget, change, pad)).toEqual(interp);
  return interp;
}

describe('traces', () => {
  beforeEach(() => resetJitStats());

  it('run a loop with two paths, a call to another page and an inner loop as the interpreter does', () => {
    const s = expectSame(1_000_000);
    const last = s[s.length - 1];
    expect(last[0]).toBe(Stop.Breakpoint);
    // 4 set-up instructions; odd rounds 6 + 2 + 1 + 2 + 1 + 5*2 + 2 = 24, even ones 23; the int3.
    expect(last[1]).toBe(4 + 1500 * 24 + 1500 * 23 + 1);
  });

  it('keep the budget exact: runs of 997 and of 300 instructions stop at the same points', () => {
    expect(expectSame(997).length).toBeGreaterThan(50);
    expectSame(300);
  });

  it('a member that faults (its data page unmapped between runs) reports that instruction', () => {
    const s = expectSame(5000, (m) => {
      m.mem.dv.setInt32(m.pte(DATA), 0, true);
      m.cpu.mmu.invlpg(DATA);
    });
    const last = s[s.length - 1];
    expect(last[0]).toBe(Stop.PageFault);
    expect(last[4]).toBe(DATA + 4 * ((last[2] === F) ? 1 : 0));
  });

  it('a member whose page is remapped to other code between runs runs the new code', () => {
    const s = expectSame(5000, (m) => {
      const phys = m.mem.allocFrame() * PAGE_SIZE;
      m.mem.bytes.set(FUNC(0x31), phys); // xor [ebx+4],eax
      m.mem.dv.setInt32(m.pte(F), phys | USER_RW, true);
      m.cpu.mmu.invlpg(F);
    });
    expect(s[s.length - 1][0]).toBe(Stop.Breakpoint);
  });

  it('the store into the called function (at ecx = 1000) takes effect in the same round', () => {
    // The add becomes sub for the last 1000 rounds: the data word differs from a run without it.
    const s = expectSame(1_000_000);
    const m = machine(0, 0);
    m.cpu.regs[EDI] = DATA + 0x100; // the store goes elsewhere
    m.cpu.run(1_000_000);
    expect(m.cpu.regs[EAX]).toBe(s[s.length - 1][5 + EAX]);
    expect(Array.from(m.mem.bytes.subarray(m.dataPhys, m.dataPhys + 8))).not.toEqual(s[s.length - 1].slice(13));
    expect(s[s.length - 1][5 + ECX]).toBe(0);
  });

  it('a store that is the last instruction of its member is seen before the next member runs', () => {
    const s = expectSame(1_000_000, undefined, 60);
    expect(s[s.length - 1][1]).toBe(4 + 1500 * 84 + 1500 * 83 + 1);
    const m = machine(0, 0, 60);
    m.cpu.regs[EDI] = DATA + 0x100; // the store goes elsewhere: add all the way
    m.cpu.run(1_000_000);
    expect(Array.from(m.mem.bytes.subarray(m.dataPhys, m.dataPhys + 8))).not.toEqual(s[s.length - 1].slice(13));
  });
});
