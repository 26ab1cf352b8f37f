// MMX registers live in the x87 unit (MMi aliases the significand of physical register Ri).
// The FPU provides the accessors: getMmxLo/getMmxHi (reads; they put the unit in MMX state:
// TOP = 0, all tags valid), setMmx (also sets the exponent field to all ones) and emms (all
// tags empty). Every MMX instruction goes through them.
import type { Cpu } from '../cpu.js';
import { Stop } from '../stop.js';

export interface MmxRegs {
  getMmxLo(n: number): number;
  getMmxHi(n: number): number;
  setMmx(n: number, lo: number, hi: number): void;
  emms(): void;
}

export function mmxOf(c: Cpu): MmxRegs {
  return c.fpu;
}

/**
 * MMX instructions (and the SSE ones with an MMX register operand) first raise #MF when an
 * unmasked x87 exception is pending (FSW.ES), like FWAIT. Returns true after faulting.
 */
export function x87Pending(c: Cpu): boolean {
  if ((c.fpu.sw & 0x80) !== 0) {
    c.fault(Stop.FloatingPoint, 16);
    return true;
  }
  return false;
}
