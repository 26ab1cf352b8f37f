// CRC32 (SSE4.2): CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) of the source's bytes,
// least significant first, accumulated into the 32-bit destination, with no pre- or post-
// inversion (software does those). Flags untouched.
import type { Cpu } from '../cpu.js';
import type { Insn } from '../insn.js';

const TABLE = new Int32Array(256);
for (let n = 0; n < 256; n++) {
  let r = n;
  for (let k = 0; k < 8; k++) r = r & 1 ? (r >>> 1) ^ 0x82f63b78 : r >>> 1;
  TABLE[n] = r;
}

/** CRC32 Gd, Ev (i.sz the source size: 0 byte, 1 word, 2 dword) */
export function crc32(c: Cpu, i: Insn): void {
  const v = c.readRm(i);
  let crc = c.regs[i.reg];
  const n = i.sz === 0 ? 1 : i.sz === 1 ? 2 : 4;
  for (let k = 0; k < n; k++) crc = TABLE[(crc ^ (v >>> (k * 8))) & 0xff] ^ (crc >>> 8);
  c.regs[i.reg] = crc;
}
