// SSE/SSE2 register state: XMM0-7 as 32 little-endian dwords (register n is xmm[4n..4n+3]),
// with typed views of the same bytes for the lane widths the instructions use, and MXCSR.
import type { Cpu } from '../cpu.js';
import { Stop } from '../stop.js';

/** MXCSR bits. */
export const MX_IE = 0x01, MX_DE = 0x02, MX_ZE = 0x04, MX_OE = 0x08, MX_UE = 0x10, MX_PE = 0x20;
export const MX_DAZ = 0x40;
/** Exception masks are the flag bits shifted left by 7 (IM = 0x80 ... PM = 0x1000). */
export const MX_MASK_SHIFT = 7;
export const MX_RC_SHIFT = 13;
export const MX_FTZ = 0x8000;
/** Bits LDMXCSR/FXRSTOR accept (MXCSR_MASK: DAZ supported). */
export const MXCSR_MASK = 0xffff;

export class Sse {
  readonly buf = new ArrayBuffer(128);
  readonly xmm = new Int32Array(this.buf);
  readonly u8 = new Uint8Array(this.buf);
  readonly i16 = new Int16Array(this.buf);
  readonly u16 = new Uint16Array(this.buf);
  readonly f32 = new Float32Array(this.buf);
  readonly f64 = new Float64Array(this.buf);
  mxcsr = 0x1f80;

  /** LDMXCSR: reserved bits set raise #GP. */
  ldmxcsr(c: Cpu, v: number): void {
    if (v & ~MXCSR_MASK) {
      c.fault(Stop.GeneralProtection, 13);
      return;
    }
    this.mxcsr = v;
  }
}
