// SSE/SSE2 register state (XMM0-7 as 32 dwords, MXCSR). Instructions arrive with the SSE work.
import type { Cpu } from '../cpu.js';
import { Stop } from '../stop.js';

export class Sse {
  readonly xmm = new Int32Array(32);
  mxcsr = 0x1f80;

  /** LDMXCSR: reserved bits set raise #GP. */
  ldmxcsr(c: Cpu, v: number): void {
    if (v & ~0xffff) {
      c.fault(Stop.GeneralProtection, 13);
      return;
    }
    this.mxcsr = v;
  }
}
