// Per-instruction differential testing: run a few bytes of x86 code on the emulator's CPU
// (runSnippet) and on the real CPU through guest-programs/build/insnrun (runNative; insnrun64 in
// 64-bit mode on hosts without i386 support, see x64Replay.ts), starting from the same
// registers, flags and scratch memory, and return the state each leaves behind.
//
// Both sides share one contract (see guest-programs/harness/insnrun.c):
//  - registers in case order EAX ECX EDX EBX EBP ESI EDI; ESP is the harness's own, so a
//    snippet may only push/pop in balanced pairs;
//  - only CF PF AF ZF SF OF and DF of the initial EFLAGS are loaded (IF and bit 1 are set);
//  - a 4 KiB scratch page at 0x10000000 holds byte[i] = (i*7+3) & 0xff at the start;
//  - the snippet must not depend on its own address (the code sits at 0x00400000 here and
//    anywhere natively) and runs until it falls off its end.
import { pageMapper } from './pageTables.js';
import { Cpu } from '../../src/cpu/cpu.js';
import { Stop } from '../../src/cpu/stop.js';
import { ESP } from '../../src/cpu/registers.js';
import { Mmu } from '../../src/mmu/mmu.js';
import { PhysicalMemory, PAGE_SIZE } from '../../src/mmu/physicalMemory.js';
import { PTE_P, PTE_RW, PTE_US } from '../../src/mmu/paging.js';
import {
  CASE_REGS, CODE_ADDR, LOADABLE_FLAGS, SCRATCH_ADDR, SCRATCH_SHOWN, SCRATCH_SIZE, STACK_ADDR,
  STACK_TOP, SnippetInit, SnippetResult, fnv1a, scratchPattern,
} from './insnrun.js';

export * from './insnrun.js';

const PATTERN = scratchPattern();
/** Instruction budget for one snippet (REP string ops with large counts need many). */
const MAX_STEPS = 1_000_000;

// ---- the emulator side ------------------------------------------------------------------

interface Machine {
  mem: PhysicalMemory;
  mmu: Mmu;
  cpu: Cpu;
  codePhys: number;
  stackPhys: number;
  scratchPhys: number;
}

let machine: Machine | null = null;

/** One small machine, built once: page directory, three page tables, three pages. */
function getMachine(): Machine {
  if (machine) return machine;
  const mem = new PhysicalMemory(1 << 20);
  const { pd, map } = pageMapper(mem);
  const codePhys = map(CODE_ADDR);
  const stackPhys = map(STACK_ADDR);
  const scratchPhys = map(SCRATCH_ADDR);
  const mmu = new Mmu(mem);
  mmu.setCr3(pd);
  const cpu = new Cpu(mmu);
  machine = { mem, mmu, cpu, codePhys, stackPhys, scratchPhys };
  return machine;
}

/**
 * Runs `code` (followed by an INT3) on the emulator's CPU from the given registers and
 * EFLAGS (only LOADABLE_FLAGS bits are taken; IF and bit 1 are set) with ESP at the top of a
 * fresh stack page and the scratch page refilled. Runs until the CPU stops for a reason other
 * than its budget (normally Stop.Breakpoint at the INT3).
 */
export function runSnippet(code: Uint8Array | number[], init: SnippetInit): SnippetResult {
  const m = getMachine();
  const { mem, cpu } = m;
  if (code.length > PAGE_SIZE - 1) throw new Error('runSnippet: code longer than a page');
  mem.bytes.fill(0xcc, m.codePhys, m.codePhys + PAGE_SIZE);
  mem.bytes.set(code, m.codePhys);
  mem.bytes.fill(0, m.stackPhys, m.stackPhys + PAGE_SIZE);
  mem.bytes.set(PATTERN, m.scratchPhys);
  cpu.flushCodeCache();
  m.mmu.flushTlb();
  cpu.resetSegments();

  for (let k = 0; k < CASE_REGS.length; k++) cpu.regs[CASE_REGS[k]] = init.regs[k] | 0;
  cpu.regs[ESP] = STACK_TOP;
  cpu.eip = CODE_ADDR;
  cpu.setEflags((init.eflags & LOADABLE_FLAGS) | 0x202);

  let stop: number = Stop.Budget;
  for (let steps = 0; steps < MAX_STEPS; steps += 1000) {
    stop = cpu.run(1000);
    if (stop !== Stop.Budget) break;
  }
  const scratchPage = mem.bytes.subarray(m.scratchPhys, m.scratchPhys + SCRATCH_SIZE);
  return {
    regs: CASE_REGS.map((r) => cpu.regs[r] >>> 0),
    eflags: cpu.getEflags() >>> 0,
    scratch: scratchPage.slice(0, SCRATCH_SHOWN),
    scratchHash: fnv1a(scratchPage),
    stop,
    signal: 0,
    esp: cpu.regs[ESP] >>> 0,
  };
}

