// Decoding of the MMX/SSE/SSE2/SSE3/SSSE3 parts of the 0F map (and the SSSE3 rows of the
// 0F 38 and 0F 3A maps). The mandatory prefix (i.pfx: 0 none, 1 = 66, 2 = F3, 3 = F2) selects
// the form: none = packed single or MMX, 66 = packed double or 128-bit integer, F3 = scalar
// single, F2 = scalar double. SSE4 and later rows are in decode41.ts and decodeScalarExt.ts;
// a form that does not exist returns null, which the decoder turns into #UD.
import type { Decoder } from '../decoder.js';
import type { Handler, Insn } from '../insn.js';
import { OP_ADD, OP_DIV, OP_MAX, OP_MIN, OP_MUL, OP_SQRT, OP_SUB } from './fp.js';
import * as fo from './fpops.js';
import * as io from './intops.js';
import * as mv from './moves.js';
import { decode0F38Sse4, decode0F3ASse4 } from './decode41.js';
import { decode0F38Gpr } from '../decodeScalarExt.js';

const P_NONE = 0, P_66 = 1, P_F3 = 2, P_F2 = 3;

/** 0F-map opcodes of the integer SIMD kernels, valid as MMX (no prefix) and XMM (66). */
const INT_OPS = new Uint8Array(256);
for (const op of [
  0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x74, 0x75, 0x76,
  0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf,
  0xe0, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe8, 0xe9, 0xea, 0xeb, 0xec, 0xed, 0xee, 0xef,
  0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe,
]) INT_OPS[op] = 1;

/** 58-5F arithmetic: ADD MUL (5A/5B conversions) SUB MIN DIV MAX. */
const ARITH = [OP_ADD, OP_MUL, -1, -1, OP_SUB, OP_MIN, OP_DIV, OP_MAX];

/** SSSE3 rows of the 0F 38 map (MMX without prefix, XMM with 66). */
const SSSE3_OPS = new Uint8Array(256);
for (const op of [0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x1c, 0x1d, 0x1e]) SSSE3_OPS[op] = 1;

function decode0F38(d: Decoder, i: Insn, p: number): Handler | null {
  const op = d.fetch8();
  i.op = 0x0f3800 | op;
  if (op >= 0xf0) return decode0F38Gpr(d, i, p, op);
  if (!SSSE3_OPS[op] && p === P_66) return decode0F38Sse4(d, i, op);
  if (!SSSE3_OPS[op] || (p !== P_NONE && p !== P_66)) return null;
  d.modrm(i);
  i.sub = 0x100 | op;
  return p === P_NONE ? io.pintMmx : io.pintXmm;
}

function decode0F3A(d: Decoder, i: Insn, p: number): Handler | null {
  const op = d.fetch8();
  i.op = 0x0f3a00 | op;
  if (op !== 0x0f && p === P_66) return decode0F3ASse4(d, i, op);
  if (op !== 0x0f || (p !== P_NONE && p !== P_66)) return null;
  d.modrm(i);
  i.imm = d.fetch8();
  return p === P_NONE ? io.palignrMmx : io.palignrXmm;
}

export function decodeSse(d: Decoder, i: Insn, op: number): Handler | null {
  const p = i.pfx;
  if (i.lock) return null;
  if (op === 0x38) return decode0F38(d, i, p);
  if (op === 0x3a) return decode0F3A(d, i, p);
  if (INT_OPS[op]) {
    if (p === P_NONE) { d.modrm(i); i.sub = op; return op <= 0x62 ? io.punpcklMmx : io.pintMmx; }
    if (p === P_66) { d.modrm(i); i.sub = op; return io.pintXmm; }
    return null;
  }
  if (op >= 0x58 && op <= 0x5f && ARITH[op - 0x58] >= 0) {
    d.modrm(i);
    i.sub = ARITH[op - 0x58];
    return p === P_NONE ? fo.arithPS : p === P_66 ? fo.arithPD : p === P_F3 ? fo.arithSS : fo.arithSD;
  }
  switch (op) {
    case 0x10:
      d.modrm(i);
      if (p === P_F3) return mv.movssLoad;
      if (p === P_F2) return mv.movsdLoad;
      i.sub = 1;
      return mv.movLoad128;
    case 0x11:
      d.modrm(i);
      if (p === P_F3) return mv.movssStore;
      if (p === P_F2) { i.sub = 0; return mv.movsdStore; }
      i.sub = 1;
      return mv.movStore128;
    case 0x12:
      d.modrm(i);
      if (p === P_NONE) { i.sub = 0; return i.isMem ? mv.movLHLoad : mv.movhlps; }
      if (p === P_66 && i.isMem) { i.sub = 0; return mv.movLHLoad; }
      if (p === P_F3) { i.sub = 0; return mv.movsdup; }
      if (p === P_F2) return mv.movddup;
      return null;
    case 0x13: case 0x17:
      d.modrm(i);
      if ((p === P_NONE || p === P_66) && i.isMem) { i.sub = op === 0x17 ? 1 : 0; return mv.movLHStore; }
      return null;
    case 0x14: case 0x15:
      if (p !== P_NONE && p !== P_66) return null;
      d.modrm(i);
      i.sub = (op - 0x14) + (p === P_66 ? 2 : 0);
      return fo.unpckps;
    case 0x16:
      d.modrm(i);
      if (p === P_NONE) { i.sub = 1; return i.isMem ? mv.movLHLoad : mv.movlhps; }
      if (p === P_66 && i.isMem) { i.sub = 1; return mv.movLHLoad; }
      if (p === P_F3) { i.sub = 1; return mv.movsdup; }
      return null;
    case 0x28:
      if (p !== P_NONE && p !== P_66) return null;
      d.modrm(i); i.sub = 0; return mv.movLoad128;
    case 0x29:
      if (p !== P_NONE && p !== P_66) return null;
      d.modrm(i); i.sub = 0; return mv.movStore128;
    case 0x2a:
      d.modrm(i);
      switch (p) {
        case P_NONE: return fo.cvtpi2ps;
        case P_66: return fo.cvtpi2pd;
        case P_F3: return fo.cvtsi2ss;
        default: return fo.cvtsi2sd;
      }
    case 0x2b:
      d.modrm(i);
      if ((p === P_NONE || p === P_66) && i.isMem) { i.sub = 0; return mv.movStore128; }
      return null;
    case 0x2c: case 0x2d:
      d.modrm(i);
      i.sub = op === 0x2c ? 1 : 0;
      switch (p) {
        case P_NONE: return fo.cvtps2pi;
        case P_66: return fo.cvtpd2pi;
        case P_F3: return fo.cvtss2si;
        default: return fo.cvtsd2si;
      }
    case 0x2e: case 0x2f:
      if (p !== P_NONE && p !== P_66) return null;
      d.modrm(i);
      i.sub = op === 0x2f ? 1 : 0;
      return p === P_NONE ? fo.comiss : fo.comisd;
    case 0x50:
      if (p !== P_NONE && p !== P_66) return null;
      d.modrm(i);
      if (i.isMem) return null;
      return p === P_NONE ? fo.movmskps : fo.movmskpd;
    case 0x51:
      d.modrm(i);
      i.sub = OP_SQRT;
      return p === P_NONE ? fo.arithPS : p === P_66 ? fo.arithPD : p === P_F3 ? fo.arithSS : fo.arithSD;
    case 0x52: case 0x53:
      if (p !== P_NONE && p !== P_F3) return null;
      d.modrm(i);
      i.sub = op === 0x53 ? 0 : 1;
      return p === P_NONE ? fo.rcpPS : fo.rcpSS;
    case 0x54: case 0x55: case 0x56: case 0x57:
      if (p !== P_NONE && p !== P_66) return null;
      d.modrm(i);
      i.sub = op - 0x54;
      return fo.logicPS;
    case 0x5a:
      d.modrm(i);
      switch (p) {
        case P_NONE: return fo.cvtps2pd;
        case P_66: return fo.cvtpd2ps;
        case P_F3: return fo.cvtss2sd;
        default: return fo.cvtsd2ss;
      }
    case 0x5b:
      d.modrm(i);
      if (p === P_NONE) return fo.cvtdq2ps;
      if (p === P_66) { i.sub = 0; return fo.cvtps2dq; }
      if (p === P_F3) { i.sub = 1; return fo.cvtps2dq; }
      return null;
    case 0x6c: case 0x6d:
      if (p !== P_66) return null;
      d.modrm(i); i.sub = op; return io.pintXmm;
    case 0x6e:
      d.modrm(i);
      if (p === P_NONE) return mv.movdToMmx;
      if (p === P_66) return mv.movdToXmm;
      return null;
    case 0x6f:
      d.modrm(i);
      if (p === P_NONE) return mv.movqToMmx;
      if (p === P_66) { i.sub = 0; return mv.movLoad128; }
      i.sub = 1;
      return p === P_F3 ? mv.movLoad128 : null;
    case 0x70:
      d.modrm(i);
      i.imm = d.fetch8();
      switch (p) {
        case P_NONE: return io.pshufw;
        case P_66: return io.pshufd;
        case P_F3: i.sub = 1; return io.pshufhlw;
        default: i.sub = 0; return io.pshufhlw;
      }
    case 0x71: case 0x72: case 0x73: {
      d.modrm(i);
      i.imm = d.fetch8();
      if (!i.isMem && (p === P_NONE || p === P_66)) {
        const r = i.reg;
        // reg field: 2 = logical right, 4 = arithmetic right, 6 = left; 3/7 = byte shifts (66 0F 73)
        let sub = -1;
        if (op === 0x71) sub = r === 2 ? 0xd1 : r === 4 ? 0xe1 : r === 6 ? 0xf1 : -1;
        else if (op === 0x72) sub = r === 2 ? 0xd2 : r === 4 ? 0xe2 : r === 6 ? 0xf2 : -1;
        else if (r === 2 || r === 6) sub = r === 2 ? 0xd3 : 0xf3;
        else if ((r === 3 || r === 7) && p === P_66) { i.sub = r === 3 ? 0 : 1; return io.pshiftDq; }
        if (sub < 0) return null;
        i.sub = sub;
        return p === P_NONE ? io.pshiftImmMmx : io.pshiftImmXmm;
      }
      return null;
    }
    case 0x77:
      return p === P_NONE ? mv.emms : null;
    case 0x7c: case 0x7d:
      if (p !== P_66 && p !== P_F2) return null;
      d.modrm(i);
      i.sub = op === 0x7c ? 1 : 2;
      return p === P_66 ? fo.horizPD : fo.horizPS;
    case 0xd0:
      if (p !== P_66 && p !== P_F2) return null;
      d.modrm(i);
      i.sub = 0;
      return p === P_66 ? fo.horizPD : fo.horizPS;
    case 0xf0:
      d.modrm(i);
      if (p !== P_F2 || !i.isMem) return null;
      i.sub = 1;
      return mv.movLoad128; // LDDQU
    case 0x7e:
      d.modrm(i);
      if (p === P_NONE) return mv.movdFromMmx;
      if (p === P_66) return mv.movdFromXmm;
      if (p === P_F3) return mv.movqToXmm;
      return null;
    case 0x7f:
      d.modrm(i);
      if (p === P_NONE) return mv.movqFromMmx;
      if (p === P_66) { i.sub = 0; return mv.movStore128; }
      if (p === P_F3) { i.sub = 1; return mv.movStore128; }
      return null;
    case 0xc2:
      d.modrm(i);
      i.imm = d.fetch8();
      return p === P_NONE ? fo.cmpPS : p === P_66 ? fo.cmpPD : p === P_F3 ? fo.cmpSS : fo.cmpSD;
    case 0xc3:
      d.modrm(i);
      return p === P_NONE && i.isMem ? mv.movnti : null;
    case 0xc4:
      d.modrm(i);
      i.imm = d.fetch8();
      return p === P_NONE ? io.pinsrwMmx : p === P_66 ? io.pinsrwXmm : null;
    case 0xc5:
      d.modrm(i);
      i.imm = d.fetch8();
      if (i.isMem) return null;
      return p === P_NONE ? io.pextrwMmx : p === P_66 ? io.pextrwXmm : null;
    case 0xc6:
      d.modrm(i);
      i.imm = d.fetch8();
      return p === P_NONE ? fo.shufps : p === P_66 ? fo.shufpd : null;
    case 0xd6:
      d.modrm(i);
      if (p === P_66) { i.sub = 1; return mv.movsdStore; }
      if (i.isMem) return null;
      return p === P_F3 ? mv.movq2dq : p === P_F2 ? mv.movdq2q : null;
    case 0xd7:
      d.modrm(i);
      if (i.isMem) return null;
      return p === P_NONE ? io.pmovmskbMmx : p === P_66 ? io.pmovmskbXmm : null;
    case 0xe6:
      d.modrm(i);
      if (p === P_66) { i.sub = 1; return fo.cvtpd2dq; }
      if (p === P_F2) { i.sub = 0; return fo.cvtpd2dq; }
      if (p === P_F3) return fo.cvtdq2pd;
      return null;
    case 0xe7:
      d.modrm(i);
      if (!i.isMem) return null;
      if (p === P_NONE) return mv.movqFromMmx;
      if (p === P_66) { i.sub = 0; return mv.movStore128; }
      return null;
    case 0xf7:
      d.modrm(i);
      if (i.isMem) return null;
      return p === P_NONE ? mv.maskmovq : p === P_66 ? mv.maskmovdqu : null;
  }
  return null;
}
