// The emulator half: one small machine (page tables for the code page, the scratch area, its
// guard pages and an FXSAVE staging page), reloaded for every case and stepped one
// instruction at a time so that the caller can look at the state before each instruction.
import { pageMapper } from '../helpers/pageTables.js';
import { Cpu } from '../../src/cpu/cpu.js';
import { Stop } from '../../src/cpu/stop.js';
import { Mmu } from '../../src/mmu/mmu.js';
import { PhysicalMemory, PAGE_SIZE } from '../../src/mmu/physicalMemory.js';
import { PF_PROT, PTE_P, PTE_RW, PTE_US } from '../../src/mmu/paging.js';
import { fpuExceptionCode } from '../../kernel/signal/signal.js';
import {
  type Case, type Outcome, CODE_ADDR, GUARD_ABOVE, GUARD_BELOW, SCRATCH_ADDR, SCRATCH_SIZE,
  initialScratch, memDiff,
} from './layout.js';

/** Emulator-only page where FXSAVE/FXRSTOR images are staged. */
const FX_STAGE = 0x30000000;
/** Steps after which a sequence counts as hung (sequences are forward-only). */
const MAX_STEPS = 20000;

// Linux's signal numbers and si_codes for the faults a sequence can raise.
export const SIGILL = 4, SIGTRAP = 5, SIGFPE = 8, SIGSEGV = 11;
export const SI_KERNEL = 0x80;
/** Not a signal: the emulator ran past its step limit or threw. */
export const SIG_HANG = 0x100, SIG_THROW = 0x101;

interface Machine {
  mem: PhysicalMemory;
  mmu: Mmu;
  cpu: Cpu;
  codePhys: number;
  scratchPhys: number[];
  stagePhys: number;
}

let machine: Machine | null = null;

function getMachine(): Machine {
  if (machine) return machine;
  const mem = new PhysicalMemory(1 << 21);
  const { pd, map } = pageMapper(mem);
  const user = PTE_P | PTE_RW | PTE_US;
  const codePhys = map(CODE_ADDR, user);
  const scratchPhys: number[] = [];
  for (let a = SCRATCH_ADDR; a < SCRATCH_ADDR + SCRATCH_SIZE; a += PAGE_SIZE) scratchPhys.push(map(a, user));
  // Guard pages: present but supervisor-only, so a user access is a protection fault
  // (SEGV_ACCERR), as PROT_NONE is natively.
  map(GUARD_BELOW, PTE_P | PTE_RW);
  map(GUARD_ABOVE, PTE_P | PTE_RW);
  const stagePhys = map(FX_STAGE, user);
  const mmu = new Mmu(mem);
  mmu.setCr3(pd);
  const cpu = new Cpu(mmu);
  machine = { mem, mmu, cpu, codePhys, scratchPhys, stagePhys };
  return machine;
}

/** The emulator's scratch area as it is now. */
export function readScratch(): Uint8Array {
  const m = getMachine();
  const now = new Uint8Array(SCRATCH_SIZE);
  for (let k = 0; k < m.scratchPhys.length; k++) {
    now.set(m.mem.bytes.subarray(m.scratchPhys[k], m.scratchPhys[k] + PAGE_SIZE), k * PAGE_SIZE);
  }
  return now;
}

/** The emulator's x87/SSE state as an FXSAVE image. */
export function readFx(): Uint8Array {
  const m = getMachine();
  m.mem.bytes.fill(0, m.stagePhys, m.stagePhys + 512);
  m.cpu.fpu.fxsave(m.cpu, FX_STAGE);
  return m.mem.bytes.slice(m.stagePhys, m.stagePhys + 512);
}

export function getCpu(): Cpu {
  return getMachine().cpu;
}

export interface EmuOutcome extends Outcome {
  /** Instructions executed (run-loop steps). */
  steps: number;
  /** Error text when the emulator threw. */
  error?: string;
}

/**
 * Runs a case on the emulator. `before(cpu, eip)` is called before each instruction.
 * Runs until EIP reaches the end of the code or the CPU stops.
 */
export function runEmu(c: Case, before?: (cpu: Cpu, eip: number) => void): EmuOutcome {
  const m = getMachine();
  const { cpu } = m;
  const end = CODE_ADDR + c.code.length;
  const init = loadCase(m, c);
  cpu.jitThreshold = 0; // one at a time: run(1) never compiles, but say so
  let stop: number = Stop.Budget;
  let steps = 0;
  let error: string | undefined;
  try {
    while (cpu.eip !== end) {
      if (steps >= MAX_STEPS) { stop = -1; break; }
      if (before) before(cpu, cpu.eip);
      stop = cpu.run(1);
      steps++;
      if (stop !== Stop.Budget) break;
    }
  } catch (e) {
    error = e instanceof Error ? `${e.message}\n${e.stack}` : String(e);
  }
  return outcome(m, c, init, stop, steps, error);
}

/**
 * Runs a case in the block loop (one run() call, whole blocks), with the block compiler
 * compiling every block on its first run (jitThreshold 1) or never (0): the compiled and the
 * interpreted block loop must leave identical outcomes. The code is followed by INT3 bytes: a
 * run that reaches the end stops at the first of them, which is then undone (EIP at the end,
 * not counted), so the outcome reads as runEmu's; steps counts retired instructions.
 */
export function runEmuBlocks(c: Case, jitThreshold: number): EmuOutcome {
  const m = getMachine();
  const { cpu } = m;
  const end = CODE_ADDR + c.code.length;
  const init = loadCase(m, c);
  cpu.jitThreshold = jitThreshold;
  const before = cpu.instructions;
  let stop: number = Stop.Budget;
  let error: string | undefined;
  try {
    stop = cpu.run(MAX_STEPS);
    if (stop === Stop.Budget) stop = -1;
  } catch (e) {
    error = e instanceof Error ? `${e.message}\n${e.stack}` : String(e);
  }
  cpu.jitThreshold = 0;
  let steps = cpu.instructions - before;
  if (stop === Stop.Breakpoint && cpu.eip === end + 1 && m.mem.bytes[m.codePhys + c.code.length] === 0xcc) {
    stop = Stop.Budget;
    cpu.eip = end;
    steps--;
  }
  return outcome(m, c, init, stop, steps, error);
}

/** Loads a case into the machine: code, scratch, registers, EFLAGS, x87/SSE state. */
function loadCase(m: Machine, c: Case): Uint8Array {
  const { mem, cpu, mmu } = m;
  mem.bytes.fill(0xcc, m.codePhys, m.codePhys + PAGE_SIZE);
  mem.bytes.set(c.code, m.codePhys);
  const init = initialScratch(c);
  for (let k = 0; k < m.scratchPhys.length; k++) {
    mem.bytes.set(init.subarray(k * PAGE_SIZE, (k + 1) * PAGE_SIZE), m.scratchPhys[k]);
  }
  cpu.flushCodeCache();
  mmu.flushTlb();
  cpu.resetSegments();
  for (let r = 0; r < 8; r++) cpu.regs[r] = c.regs[r] | 0;
  cpu.eip = CODE_ADDR + c.start;
  cpu.setEflags(c.eflags | 0x202);
  if (c.fx) {
    mem.bytes.set(c.fx, m.stagePhys);
    cpu.fpu.fxrstor(cpu, FX_STAGE);
  } else {
    cpu.fpu.reset();
    cpu.sse.mxcsr = 0x1f80;
    cpu.sse.xmm.fill(0);
  }
  return init;
}

/** The outcome of a run that stopped with `stop` (-1: hung) or threw `error`. */
function outcome(m: Machine, c: Case, init: Uint8Array, stop: number, steps: number, error: string | undefined): EmuOutcome {
  const { mem, cpu, mmu } = m;
  let sig = 0, code = 0, addr = 0;
  if (error !== undefined) sig = SIG_THROW;
  else if (stop === -1) sig = SIG_HANG;
  else if (stop !== Stop.Budget) {
    switch (stop) {
      case Stop.PageFault:
        sig = SIGSEGV; code = mmu.faultCode & PF_PROT ? 2 : 1; addr = mmu.cr2 >>> 0; break;
      case Stop.GeneralProtection: sig = SIGSEGV; code = SI_KERNEL; break;
      case Stop.InvalidOpcode: sig = SIGILL; code = 2; addr = cpu.eip >>> 0; break;
      case Stop.DivideError: sig = SIGFPE; code = 1; addr = cpu.eip >>> 0; break;
      case Stop.Breakpoint: sig = SIGTRAP; code = SI_KERNEL; break;
      case Stop.Trap:
        if (cpu.trapVector === 1) { sig = SIGTRAP; code = 1; addr = cpu.eip >>> 0; } else { sig = SIGSEGV; code = SI_KERNEL; }
        break;
      // #MF or #XM: the si_code the kernel derives from the unmasked exception flags (Linux's
      // fpu__exception_code rule), compared with the one the host's kernel reports.
      case Stop.FloatingPoint:
        sig = SIGFPE; code = fpuExceptionCode(cpu.trapVector, cpu.fpu.cw, cpu.fpu.getSw(), cpu.sse.mxcsr); addr = cpu.eip >>> 0;
        break;
      case Stop.Interrupt: sig = SIGSEGV; code = SI_KERNEL; break; // int n (not 0x80): #GP natively
      default: sig = 0x200 + stop;
    }
  }
  const now = new Uint8Array(SCRATCH_SIZE);
  for (let k = 0; k < m.scratchPhys.length; k++) {
    now.set(mem.bytes.subarray(m.scratchPhys[k], m.scratchPhys[k] + PAGE_SIZE), k * PAGE_SIZE);
  }
  let fx: Uint8Array | null = null;
  if (c.fx) {
    mem.bytes.fill(0, m.stagePhys, m.stagePhys + 512);
    try {
      cpu.fpu.fxsave(cpu, FX_STAGE);
    } catch { /* reported through the mismatch */ }
    fx = mem.bytes.slice(m.stagePhys, m.stagePhys + 512);
  }
  return {
    sig, code, addr, eip: cpu.eip >>> 0,
    regs: Array.from(cpu.regs.subarray(0, 8), (v) => v >>> 0),
    eflags: cpu.getEflags() >>> 0,
    mem: memDiff(init, now),
    fx, steps, error,
  };
}
