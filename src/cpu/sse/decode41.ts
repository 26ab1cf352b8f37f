// Decoding of the SSE4.1, SSE4.2, AES-NI and PCLMULQDQ rows of the 66 0F 38 and 66 0F 3A
// maps, each gated on the CPU model: an extension the model lacks decodes to null (#UD).
import type { Decoder } from '../decoder.js';
import type { Handler, Insn } from '../insn.js';
import { HAS_AES, HAS_PCLMUL, HAS_SSE41, HAS_SSE42 } from '../cpuid.js';
import * as aes from './aes.js';
import * as mv from './moves.js';
import { pcmpstr } from './pcmpstr.js';
import * as s41 from './sse41.js';
import { dotProduct, roundOp } from './sse41fp.js';

/** 66 0F 38 xx (opcode byte already fetched into i.op). */
export function decode0F38Sse4(d: Decoder, i: Insn, op: number): Handler | null {
  const has = d.c.model.has;
  if (op >= 0xdb && op <= 0xdf) {
    if (!(has & HAS_AES)) return null;
    d.modrm(i);
    if (op === 0xdb) return aes.aesimc;
    i.sub = op - 0xdc;
    return aes.aesRound;
  }
  if (op === 0x37) {
    if (!(has & HAS_SSE42)) return null;
    d.modrm(i); i.sub = op; return s41.sse41Int;
  }
  if (!(has & HAS_SSE41)) return null;
  switch (op) {
    case 0x10: case 0x14: case 0x15: case 0x28: case 0x29: case 0x2b:
    case 0x38: case 0x39: case 0x3a: case 0x3b: case 0x3c: case 0x3d: case 0x3e: case 0x3f:
    case 0x40: case 0x41:
      d.modrm(i); i.sub = op; return s41.sse41Int;
    case 0x17: d.modrm(i); return s41.ptest;
    case 0x20: case 0x21: case 0x22: case 0x23: case 0x24: case 0x25:
    case 0x30: case 0x31: case 0x32: case 0x33: case 0x34: case 0x35:
      d.modrm(i); i.sub = op; return s41.pmovx;
    case 0x2a: d.modrm(i); i.sub = 0; return i.isMem ? mv.movLoad128 : null; // MOVNTDQA
  }
  return null;
}

/** 66 0F 3A xx ib. */
export function decode0F3ASse4(d: Decoder, i: Insn, op: number): Handler | null {
  const has = d.c.model.has;
  let h: Handler | null = null;
  let need = HAS_SSE41;
  switch (op) {
    case 0x08: case 0x09: case 0x0a: case 0x0b: h = roundOp; break;
    case 0x0c: case 0x0d: case 0x0e: case 0x42: h = s41.sse41Imm; break;
    case 0x14: case 0x15: case 0x16: case 0x17: h = s41.pextr; break;
    case 0x20: case 0x22: h = s41.pinsr; break;
    case 0x21: h = s41.insertps; break;
    case 0x40: case 0x41: h = dotProduct; break;
    case 0x44: h = aes.pclmulqdq; need = HAS_PCLMUL; break;
    case 0x60: case 0x61: case 0x62: case 0x63: h = pcmpstr; need = HAS_SSE42; break;
    case 0xdf: h = aes.aeskeygenassist; need = HAS_AES; break;
  }
  if (h === null || !(has & need)) return null;
  d.modrm(i);
  i.imm = d.fetch8();
  switch (op) {
    case 0x14: i.sub = 0; break;
    case 0x15: i.sub = 1; break;
    case 0x16: case 0x17: i.sub = 2; break;
    case 0x20: i.sub = 0; break;
    case 0x22: i.sub = 2; break;
    case 0x60: case 0x61: case 0x62: case 0x63: i.sub = op - 0x60; break; // bit 0 index, bit 1 implicit
    default: i.sub = op;
  }
  return h;
}
