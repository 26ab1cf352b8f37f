// SSE4.2 string compares PCMPESTRI/PCMPESTRM/PCMPISTRI/PCMPISTRM (66 0F 3A 60-63): the
// imm8 control selects the element type (bits 1:0), the aggregation (3:2: equal any, ranges,
// equal each, equal ordered), the polarity (5:4) and the output form (6). Lengths are explicit
// (EAX for the first operand, EDX for the second: absolute values saturated to the element
// count) or implicit (up to the first zero element). i.sub = opcode - 0x60: bit 0 set for the
// index forms (result in ECX), clear for the mask forms (XMM0); bit 1 set for implicit lengths.
import type { Cpu } from '../cpu.js';
import { L_NONE } from '../cpu.js';
import type { Insn } from '../insn.js';
import { ARITH_FLAGS, CF, EAX, ECX, EDX, OF, SF, ZF } from '../registers.js';
import { D16, D8, DU16, DU8, S16, S8, SU16, SU8, loadX128, xmmToD } from './operand.js';

function elem(words: boolean, signed: boolean, src: boolean, k: number): number {
  if (words) return signed ? (src ? S16[k] : D16[k]) : (src ? SU16[k] : DU16[k]);
  return signed ? (src ? S8[k] : D8[k]) : (src ? SU8[k] : DU8[k]);
}

function implicitLength(words: boolean, src: boolean, n: number): number {
  for (let k = 0; k < n; k++) if (elem(words, false, src, k) === 0) return k;
  return n;
}

function explicitLength(v: number, n: number): number {
  const a = Math.abs(v);
  return a > n ? n : a;
}

/** Element comparison a[j] vs b[k] (j indexes the register operand, k the r/m one). */
function boolRes(agg: number, words: boolean, signed: boolean, j: number, k: number): boolean {
  const a = elem(words, signed, false, j), b = elem(words, signed, true, k);
  if (agg === 1) return (j & 1) === 0 ? b >= a : b <= a;
  return a === b;
}

export function pcmpstr(c: Cpu, i: Insn): void {
  if (!loadX128(c, i, true)) return;
  xmmToD(c, i.reg);
  const imm = i.imm, words = (imm & 1) !== 0, signed = (imm & 2) !== 0;
  const agg = (imm >> 2) & 3, pol = (imm >> 4) & 3, n = words ? 8 : 16;
  const implicit = (i.sub & 2) !== 0;
  const la = implicit ? implicitLength(words, false, n) : explicitLength(c.regs[EAX], n);
  const lb = implicit ? implicitLength(words, true, n) : explicitLength(c.regs[EDX], n);
  let res1 = 0;
  for (let k = 0; k < n; k++) {
    let bit = false;
    switch (agg) {
      case 0: // equal any
        if (k < lb) for (let j = 0; j < la && !bit; j++) bit = boolRes(0, words, signed, j, k);
        break;
      case 1: // ranges: pairs (a[j], a[j+1])
        if (k < lb) {
          for (let j = 0; j + 1 < la && !bit; j += 2) {
            bit = boolRes(1, words, signed, j, k) && boolRes(1, words, signed, j + 1, k);
          }
        }
        break;
      case 2: // equal each: both invalid is a match, one invalid is not
        bit = k >= la && k >= lb ? true : k >= la || k >= lb ? false : boolRes(2, words, signed, k, k);
        break;
      default: { // equal ordered: a (the needle) starting at b[k]; an invalid needle element matches
        bit = true;
        for (let j = 0; j < n - k && bit; j++) {
          if (j >= la) break;
          bit = k + j < lb && boolRes(3, words, signed, j, k + j);
        }
        break;
      }
    }
    if (bit) res1 |= 1 << k;
  }
  const all = (1 << n) - 1;
  let res2 = res1;
  if (pol === 1) res2 = ~res1 & all;
  else if (pol === 3) res2 = (res1 ^ ((1 << lb) - 1)) & all;
  if ((i.sub & 1) !== 0) {
    c.regs[ECX] = res2 === 0 ? n : imm & 0x40 ? 31 - Math.clz32(res2) : 31 - Math.clz32(res2 & -res2);
  } else {
    const x = c.sse.xmm;
    if (imm & 0x40) {
      const u8 = c.sse.u8, u16 = c.sse.u16;
      for (let k = 0; k < n; k++) {
        if (words) u16[k] = (res2 >> k) & 1 ? 0xffff : 0;
        else u8[k] = (res2 >> k) & 1 ? 0xff : 0;
      }
    } else {
      x[0] = res2; x[1] = 0; x[2] = 0; x[3] = 0;
    }
  }
  c.flags = (c.flags & ~ARITH_FLAGS) | (res2 !== 0 ? CF : 0) | (lb < n ? ZF : 0) | (la < n ? SF : 0) | (res2 & 1 ? OF : 0);
  c.lazyOp = L_NONE;
}
