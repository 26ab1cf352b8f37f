// RDRAND and RDSEED (0F C7 /6, /7, register forms): a number from the CPU's generator
// (hwRng.ts), always valid: CF=1, OF SF ZF AF PF cleared.
import type { Cpu } from '../cpu.js';
import { L_NONE } from '../cpu.js';
import type { Insn } from '../insn.js';
import { ARITH_FLAGS, CF } from '../registers.js';

export function rdrand(c: Cpu, i: Insn): void {
  c.setReg(i.sz, i.rm, c.rng.next32());
  c.flags = (c.flags & ~ARITH_FLAGS) | CF;
  c.lazyOp = L_NONE;
}
