// Decoding of the post-Core-2 general-purpose instructions, each gated on the CPU model
// (cpuid.ts): VEX-encoded BMI1/BMI2, ADCX/ADOX, MOVBE, CRC32, LZCNT/TZCNT, RDRAND/RDSEED.
// Outside 64-bit mode C4/C5 are VEX prefixes only when the next byte would be a ModRM with
// mod = 3 (LES/LDS need a memory operand); the decoder checks that before calling decodeVex.
import type { Decoder } from './decoder.js';
import type { Handler, Insn } from './insn.js';
import {
  HAS_ADX, HAS_BMI1, HAS_BMI2, HAS_LZCNT, HAS_MOVBE, HAS_RDRAND, HAS_RDSEED, HAS_SSE42,
} from './cpuid.js';
import * as bmi from './ops/bmi.js';
import { adcxAdox } from './ops/adx.js';
import { crc32 } from './ops/crc32.js';
import { movbeLoad, movbeStore } from './ops/movbe.js';
import { rdrand } from './ops/rdrand.js';

const P_NONE = 0, P_66 = 1, P_F3 = 2, P_F2 = 3;

/** 0F 38 F0-FF without VEX; p is the mandatory-prefix selector. */
export function decode0F38Gpr(d: Decoder, i: Insn, p: number, op: number): Handler | null {
  const has = d.c.model.has;
  switch (op) {
    case 0xf0: case 0xf1:
      if (p === P_F2) {
        if (!(has & HAS_SSE42)) return null;
        i.sz = op === 0xf0 ? 0 : d.opsize16 ? 1 : 2;
        d.modrm(i);
        return crc32;
      }
      if (p === P_F3 || !(has & HAS_MOVBE)) return null;
      d.modrm(i);
      if (!i.isMem) return null;
      return op === 0xf0 ? movbeLoad : movbeStore;
    case 0xf6:
      if ((p !== P_66 && p !== P_F3) || !(has & HAS_ADX)) return null;
      i.sz = 2;
      d.modrm(i);
      i.sub = p === P_66 ? 0 : 1;
      return adcxAdox;
  }
  return null;
}

/** F3 0F BC/BD: TZCNT/LZCNT when the model has them, else null (the caller decodes BSF/BSR). */
export function decodeCountZeros(d: Decoder, i: Insn, op: number): Handler | null {
  const has = d.c.model.has;
  if (op === 0xbc ? !(has & HAS_BMI1) : !(has & HAS_LZCNT)) return null;
  d.modrm(i);
  i.sub = op === 0xbd ? 1 : 0;
  return bmi.lzcntTzcnt;
}

/** 0F C7 /6 (RDRAND) and /7 (RDSEED), register forms, after the ModRM. */
export function decodeRdrand(d: Decoder, i: Insn): Handler | null {
  if (i.isMem || d.rep !== 0 || (i.reg !== 6 && i.reg !== 7)) return null;
  return d.c.model.has & (i.reg === 6 ? HAS_RDRAND : HAS_RDSEED) ? rdrand : null;
}

/**
 * A VEX-prefixed instruction (op = C4 or C5, just fetched). Only the BMI rows exist (no AVX):
 * VEX.L must be 0; VEX.W is ignored outside 64-bit mode; vvvv's top bit is ignored in
 * 32-bit mode. Instructions that do not use vvvv need it to be 1111b.
 */
export function decodeVex(d: Decoder, i: Insn, op: number): Handler | null {
  const b1 = d.fetch8();
  let map = 1, b2 = b1;
  if (op === 0xc4) {
    map = b1 & 0x1f;
    b2 = d.fetch8();
  }
  const vvvv = (~b2 >> 3) & 0xf, l = (b2 >> 2) & 1, pp = b2 & 3;
  const opc = d.fetch8();
  i.op = (map === 2 ? 0x0f3800 : map === 3 ? 0x0f3a00 : 0x0f00) | opc;
  i.sz = 2;
  i.imm2 = vvvv & 7;
  d.modrm(i);
  if (l !== 0) return null;
  const has = d.c.model.has;
  if (map === 3) {
    if (opc !== 0xf0 || pp !== P_F2 || vvvv !== 0 || !(has & HAS_BMI2)) return null;
    i.imm = d.fetch8();
    return bmi.rorx;
  }
  if (map !== 2) return null;
  switch (opc) {
    case 0xf2: return pp === P_NONE && has & HAS_BMI1 ? bmi.andn : null;
    case 0xf3:
      if (pp !== P_NONE || !(has & HAS_BMI1) || i.reg < 1 || i.reg > 3) return null;
      i.sub = i.reg;
      return bmi.blsGroup;
    case 0xf5:
      if (!(has & HAS_BMI2)) return null;
      return pp === P_NONE ? bmi.bzhi : pp === P_F3 ? bmi.pext : pp === P_F2 ? bmi.pdep : null;
    case 0xf6: return pp === P_F2 && has & HAS_BMI2 ? bmi.mulx : null;
    case 0xf7:
      if (pp === P_NONE) return has & HAS_BMI1 ? bmi.bextr : null;
      if (!(has & HAS_BMI2)) return null;
      i.sub = pp === P_F3 ? 0 : pp === P_66 ? 1 : 2;
      return bmi.shiftx;
  }
  return null;
}
