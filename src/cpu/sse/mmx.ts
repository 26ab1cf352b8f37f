// MMX registers live in the x87 unit (MMi aliases the significand of physical register Ri).
// The FPU provides the accessors: getMmxLo/getMmxHi (reads; they put the unit in MMX state:
// TOP = 0, all tags valid), setMmx (also sets the exponent field to all ones) and emms (all
// tags empty). Every MMX instruction goes through them.
import type { Cpu } from '../cpu.js';

export interface MmxRegs {
  getMmxLo(n: number): number;
  getMmxHi(n: number): number;
  setMmx(n: number, lo: number, hi: number): void;
  emms(): void;
}

export function mmxOf(c: Cpu): MmxRegs {
  return c.fpu;
}
