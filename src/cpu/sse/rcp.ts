// RCPPS/RCPSS and RSQRTPS/RSQRTSS: the hardware's 12-bit approximations, bit-exact for Intel
// processors (tables measured on the host; Intel has kept them unchanged across the Core
// generations, while AMD's differ). No exceptions are raised and MXCSR is not consulted:
// denormal inputs count as zero and results too small for a normal single become zero.
//
// RCP: the result depends only on the top 11 mantissa bits; for an input in [1, 2) it lies in
// (0.5, 1] and the input's exponent shifts it. RSQRT: it depends on the exponent's parity
// and the top 10 mantissa bits; inputs in [0.5, 2) give the table, the exponent shifts it by
// half.
import { QNAN32 } from './fp.js';
import { RCP_TABLE_B64, RSQRT_TABLE_B64 } from './rcpTable.js';

function decodeTable(b64: string): Int32Array {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const bytes = new Uint8Array((b64.length * 3) >> 2);
  let n = 0, acc = 0, bits = 0;
  for (let k = 0; k < b64.length; k++) {
    const v = alphabet.indexOf(b64[k]);
    if (v < 0) continue;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[n++] = (acc >> bits) & 0xff;
    }
  }
  const out = new Int32Array(n >> 1);
  for (let k = 0; k < out.length; k++) out[k] = ((bytes[2 * k] | (bytes[2 * k + 1] << 8)) + 0x7e000) << 11;
  return out;
}

const RCP = decodeTable(RCP_TABLE_B64);
const RSQRT = decodeTable(RSQRT_TABLE_B64);

export function rcp32(b: number): number {
  const s = b & 0x80000000;
  const e = (b >>> 23) & 0xff;
  if (e === 0xff) return (b & 0x7fffff) !== 0 ? b | 0x400000 : s;
  if (e === 0) return s | 0x7f800000;
  if (e >= 253) return s;
  return s | (RCP[(b >>> 12) & 0x7ff] - ((e - 127) << 23));
}

export function rsqrt32(b: number): number {
  const s = b & 0x80000000;
  const e = (b >>> 23) & 0xff;
  if (e === 0xff) {
    if ((b & 0x7fffff) !== 0) return b | 0x400000;
    return s !== 0 ? QNAN32 : 0;
  }
  if (e === 0) return s | 0x7f800000;
  if (s !== 0) return QNAN32;
  const odd = e & 1;
  return RSQRT[(odd << 10) | ((b >>> 13) & 0x3ff)] - (((e - 126 - odd) >> 1) << 23);
}
