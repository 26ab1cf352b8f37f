// SSE/SSE2 register state (XMM0-7 as 32 dwords, MXCSR). Instructions arrive with the SSE work.
export class Sse {
  readonly xmm = new Int32Array(32);
  mxcsr = 0x1f80;
}
