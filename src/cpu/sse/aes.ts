// AES-NI (AESENC, AESENCLAST, AESDEC, AESDECLAST, AESIMC, AESKEYGENASSIST) and PCLMULQDQ.
// The XMM register is the AES state in FIPS-197 order: byte 4c + r is row r of column c.
import type { Cpu } from '../cpu.js';
import type { Insn } from '../insn.js';
import { D32, DU8, R32, RU8, S32, SU8, loadX128, rToXmm, xmmToD } from './operand.js';

function xtime(a: number): number {
  return ((a << 1) ^ (a & 0x80 ? 0x1b : 0)) & 0xff;
}
function gmul(a: number, b: number): number {
  let r = 0;
  for (; b !== 0; b >>= 1, a = xtime(a)) if (b & 1) r ^= a;
  return r;
}

// Inverses in GF(2^8) through powers of the generator 3 (1/3^i = 3^(255-i)): 255 steps at
// start-up where a search for each inverse took some 260,000 multiplications.
const EXP3 = new Uint8Array(255);
const LOG3 = new Uint8Array(256);
for (let i = 0, p = 1; i < 255; i++, p ^= xtime(p)) {
  EXP3[i] = p;
  LOG3[p] = i;
}

const SBOX = new Uint8Array(256);
const INV_SBOX = new Uint8Array(256);
for (let x = 0; x < 256; x++) {
  const inv = x === 0 ? 0 : EXP3[(255 - LOG3[x]) % 255];
  let s = inv;
  for (let k = 1; k < 5; k++) s ^= ((inv << k) | (inv >> (8 - k))) & 0xff;
  s ^= 0x63;
  SBOX[x] = s;
  INV_SBOX[s] = x;
}

const T = new Uint8Array(16);

function mixColumns(inv: boolean): void {
  for (let c = 0; c < 4; c++) {
    const a0 = T[4 * c], a1 = T[4 * c + 1], a2 = T[4 * c + 2], a3 = T[4 * c + 3];
    if (!inv) {
      T[4 * c] = xtime(a0) ^ xtime(a1) ^ a1 ^ a2 ^ a3;
      T[4 * c + 1] = a0 ^ xtime(a1) ^ xtime(a2) ^ a2 ^ a3;
      T[4 * c + 2] = a0 ^ a1 ^ xtime(a2) ^ xtime(a3) ^ a3;
      T[4 * c + 3] = xtime(a0) ^ a0 ^ a1 ^ a2 ^ xtime(a3);
    } else {
      T[4 * c] = gmul(a0, 14) ^ gmul(a1, 11) ^ gmul(a2, 13) ^ gmul(a3, 9);
      T[4 * c + 1] = gmul(a0, 9) ^ gmul(a1, 14) ^ gmul(a2, 11) ^ gmul(a3, 13);
      T[4 * c + 2] = gmul(a0, 13) ^ gmul(a1, 9) ^ gmul(a2, 14) ^ gmul(a3, 11);
      T[4 * c + 3] = gmul(a0, 11) ^ gmul(a1, 13) ^ gmul(a2, 9) ^ gmul(a3, 14);
    }
  }
}

/** AESENC (0F 38 DC, sub 0), AESENCLAST (DD, 1), AESDEC (DE, 2), AESDECLAST (DF, 3) xmm, xmm/m128. */
export function aesRound(c: Cpu, i: Insn): void {
  if (!loadX128(c, i, false)) return;
  xmmToD(c, i.reg);
  const dec = i.sub >= 2, last = (i.sub & 1) !== 0;
  for (let col = 0; col < 4; col++) {
    for (let r = 0; r < 4; r++) {
      const from = 4 * ((dec ? col - r + 4 : col + r) & 3) + r;
      T[4 * col + r] = dec ? INV_SBOX[DU8[from]] : SBOX[DU8[from]];
    }
  }
  if (!last) mixColumns(dec);
  for (let k = 0; k < 16; k++) RU8[k] = T[k] ^ SU8[k];
  rToXmm(c, i.reg);
}

/** AESIMC xmm, xmm/m128 (0F 38 DB): InvMixColumns of the source. */
export function aesimc(c: Cpu, i: Insn): void {
  if (!loadX128(c, i, false)) return;
  T.set(SU8);
  mixColumns(true);
  RU8.set(T);
  rToXmm(c, i.reg);
}

function subWord(w: number): number {
  return SBOX[w & 0xff] | (SBOX[(w >>> 8) & 0xff] << 8) | (SBOX[(w >>> 16) & 0xff] << 16) | (SBOX[w >>> 24] << 24);
}

/** AESKEYGENASSIST xmm, xmm/m128, imm8 (0F 3A DF). */
export function aeskeygenassist(c: Cpu, i: Insn): void {
  if (!loadX128(c, i, false)) return;
  const x1 = subWord(S32[1]), x3 = subWord(S32[3]), rcon = i.imm & 0xff;
  R32[0] = x1;
  R32[1] = ((x1 >>> 8) | (x1 << 24)) ^ rcon;
  R32[2] = x3;
  R32[3] = ((x3 >>> 8) | (x3 << 24)) ^ rcon;
  rToXmm(c, i.reg);
}

let clLo = 0, clHi = 0;
/** Carry-less 32x32 -> 64 product into clLo, clHi. */
function clmul32(a: number, b: number): void {
  let lo = 0, hi = 0;
  for (let k = 0; k < 32; k++) {
    if ((b >>> k) & 1) {
      lo ^= a << k;
      if (k !== 0) hi ^= a >>> (32 - k);
    }
  }
  clLo = lo; clHi = hi;
}

/** PCLMULQDQ xmm, xmm/m128, imm8 (66 0F 3A 44): imm bit 0 picks D's qword, bit 4 S's. */
export function pclmulqdq(c: Cpu, i: Insn): void {
  if (!loadX128(c, i, false)) return;
  xmmToD(c, i.reg);
  const dq = (i.imm & 1) * 2, sq = ((i.imm >> 4) & 1) * 2;
  const a0 = D32[dq], a1 = D32[dq + 1], b0 = S32[sq], b1 = S32[sq + 1];
  clmul32(a0, b0); R32[0] = clLo; R32[1] = clHi; R32[2] = 0; R32[3] = 0;
  clmul32(a1, b1); R32[2] ^= clLo; R32[3] ^= clHi;
  clmul32(a0, b1); R32[1] ^= clLo; R32[2] ^= clHi;
  clmul32(a1, b0); R32[1] ^= clLo; R32[2] ^= clHi;
  rToXmm(c, i.reg);
}
