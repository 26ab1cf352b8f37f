// Flag instructions (CLC STC CMC CLD STD LAHF SAHF SALC), CPUID, RDTSC, and the prefetch/fence
// hints that are no-ops for an in-order interpreter.
import type { Cpu } from '../cpu.js';
import type { Insn } from '../insn.js';
import { AF, CF, DF, EAX, EBX, ECX, EDX, PF, SF, ZF } from '../registers.js';
import { cpuidLeaf } from '../cpuid.js';

export function clc(c: Cpu, _i: Insn): void { c.materializeFlags(); c.flags &= ~CF; }
export function stc(c: Cpu, _i: Insn): void { c.materializeFlags(); c.flags |= CF; }
export function cmc(c: Cpu, _i: Insn): void { c.materializeFlags(); c.flags ^= CF; }
export function cld(c: Cpu, _i: Insn): void { c.flags &= ~DF; }
export function std(c: Cpu, _i: Insn): void { c.flags |= DF; }

export function lahf(c: Cpu, _i: Insn): void {
  const f = (c.getEflags() & (SF | ZF | AF | PF | CF)) | 2;
  c.regs[EAX] = (c.regs[EAX] & ~0xff00) | (f << 8);
}
export function sahf(c: Cpu, _i: Insn): void {
  const m = SF | ZF | AF | PF | CF;
  c.materializeFlags();
  c.flags = (c.flags & ~m) | ((c.regs[EAX] >> 8) & m);
}
/** SALC (D6, undocumented): AL = CF ? 0xFF : 0. */
export function salc(c: Cpu, _i: Insn): void {
  c.regs[EAX] = (c.regs[EAX] & ~0xff) | (c.getCF() ? 0xff : 0);
}

export function cpuid(c: Cpu, _i: Insn): void {
  const r = c.regs;
  const out = cpuidLeaf(c.model, r[EAX] >>> 0, r[ECX] >>> 0);
  r[EAX] = out[0]; r[EBX] = out[1]; r[ECX] = out[2]; r[EDX] = out[3];
}

/** RDTSC: a deterministic time stamp derived from the instructions retired. */
export function rdtsc(c: Cpu, _i: Insn): void {
  const t = c.instructions * 2;
  c.regs[EAX] = t % 0x100000000 | 0;
  c.regs[EDX] = Math.floor(t / 0x100000000) | 0;
}
