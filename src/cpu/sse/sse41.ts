// SSE4.1 integer and blend instructions (66 0F 38 / 66 0F 3A maps): variable and immediate
// blends, PMOVSX/PMOVZX, PMULDQ/PMULLD, PCMPEQQ, PCMPGTQ (SSE4.2), PACKUSDW, PMIN/PMAX,
// PHMINPOSUW, PTEST, MPSADBW, and the element inserts and extracts (PINSR*, PEXTR*,
// INSERTPS, EXTRACTPS). i.sub is the map's opcode byte.
import type { Cpu } from '../cpu.js';
import { L_NONE } from '../cpu.js';
import type { Insn } from '../insn.js';
import { ARITH_FLAGS, CF, ZF } from '../registers.js';
import {
  D16, D32, D8, DU16, DU8, R16, R32, R8, RU16, S16, S32, S8, SU16, SU8,
  loadX128, rToXmm, xmmToD,
} from './operand.js';

function satU16(v: number): number {
  return v > 65535 ? 65535 : v < 0 ? 0 : v;
}

/** Signed 64-bit compare of (hi, lo) pairs: a > b. */
function gt64(ahi: number, alo: number, bhi: number, blo: number): boolean {
  return ahi !== bhi ? ahi > bhi : (alo >>> 0) > (blo >>> 0);
}

/** Signed 32x32 -> 64 multiply into R32[k], R32[k+1]. */
function mulS32(a: number, b: number, k: number): void {
  const neg = (a < 0) !== (b < 0);
  const ua = Math.abs(a), ub = Math.abs(b);
  const a0 = ua & 0xffff, a1 = Math.floor(ua / 0x10000), b0 = ub & 0xffff, b1 = Math.floor(ub / 0x10000);
  const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  let lo = ((mid & 0xffff) << 16) | (p00 & 0xffff);
  let hi = (p11 + Math.floor(p01 / 0x10000) + Math.floor(p10 / 0x10000) + Math.floor(mid / 0x10000)) | 0;
  if (neg) {
    lo = ~lo;
    hi = ~hi;
    lo = (lo + 1) | 0;
    if (lo === 0) hi = (hi + 1) | 0;
  }
  R32[k] = lo;
  R32[k + 1] = hi;
}

/** 66 0F 38 xx: xmm, xmm/m128 (aligned); BLENDV* and PBLENDVB take their mask from XMM0. */
export function sse41Int(c: Cpu, i: Insn): void {
  if (!loadX128(c, i, false)) return;
  xmmToD(c, i.reg);
  const x0 = c.sse.xmm;
  switch (i.sub) {
    case 0x10: for (let k = 0; k < 16; k++) R8[k] = c.sse.u8[k] & 0x80 ? S8[k] : D8[k]; break;
    case 0x14: for (let k = 0; k < 4; k++) R32[k] = x0[k] < 0 ? S32[k] : D32[k]; break;
    case 0x15: for (let k = 0; k < 4; k += 2) {
      const s = x0[k + 1] < 0;
      R32[k] = s ? S32[k] : D32[k]; R32[k + 1] = s ? S32[k + 1] : D32[k + 1];
    } break;
    case 0x28: mulS32(D32[0], S32[0], 0); mulS32(D32[2], S32[2], 2); break;
    case 0x29: for (let k = 0; k < 4; k += 2) {
      const e = D32[k] === S32[k] && D32[k + 1] === S32[k + 1] ? -1 : 0;
      R32[k] = e; R32[k + 1] = e;
    } break;
    case 0x37: for (let k = 0; k < 4; k += 2) {
      const g = gt64(D32[k + 1], D32[k], S32[k + 1], S32[k]) ? -1 : 0;
      R32[k] = g; R32[k + 1] = g;
    } break;
    case 0x2b: for (let k = 0; k < 4; k++) { RU16[k] = satU16(D32[k]); RU16[4 + k] = satU16(S32[k]); } break;
    case 0x38: for (let k = 0; k < 16; k++) R8[k] = Math.min(D8[k], S8[k]); break;
    case 0x39: for (let k = 0; k < 4; k++) R32[k] = Math.min(D32[k], S32[k]); break;
    case 0x3a: for (let k = 0; k < 8; k++) RU16[k] = Math.min(DU16[k], SU16[k]); break;
    case 0x3b: for (let k = 0; k < 4; k++) R32[k] = (D32[k] >>> 0) < (S32[k] >>> 0) ? D32[k] : S32[k]; break;
    case 0x3c: for (let k = 0; k < 16; k++) R8[k] = Math.max(D8[k], S8[k]); break;
    case 0x3d: for (let k = 0; k < 4; k++) R32[k] = Math.max(D32[k], S32[k]); break;
    case 0x3e: for (let k = 0; k < 8; k++) RU16[k] = Math.max(DU16[k], SU16[k]); break;
    case 0x3f: for (let k = 0; k < 4; k++) R32[k] = (D32[k] >>> 0) > (S32[k] >>> 0) ? D32[k] : S32[k]; break;
    case 0x40: for (let k = 0; k < 4; k++) R32[k] = Math.imul(D32[k], S32[k]); break;
    default: { // 0x41 PHMINPOSUW: the smallest unsigned word and its (lowest) index
      let m = SU16[0], at = 0;
      for (let k = 1; k < 8; k++) if (SU16[k] < m) { m = SU16[k]; at = k; }
      R32[0] = m | (at << 16); R32[1] = 0; R32[2] = 0; R32[3] = 0;
      break;
    }
  }
  rToXmm(c, i.reg);
}

/** Bytes of source PMOVSX/PMOVZX read, by opcode & 7 (BW BD BQ WD WQ DQ). */
const PMOV_BYTES = [8, 4, 2, 8, 4, 8];

/** PMOVSX (66 0F 38 20-25) / PMOVZX (30-35) xmm, xmm/m(16|32|64): no alignment. */
export function pmovx(c: Cpu, i: Insn): void {
  const form = i.sub & 7, zx = i.sub >= 0x30, n = PMOV_BYTES[form];
  if (i.isMem) {
    const a = c.eaSpan(i, n);
    S32[0] = n === 2 ? c.mmu.read16(a) : c.mmu.read32(a);
    S32[1] = n === 8 ? c.mmu.read32((a + 4) | 0) : 0;
  } else {
    const o = i.rm << 2;
    S32[0] = c.sse.xmm[o]; S32[1] = c.sse.xmm[o + 1];
  }
  switch (form) {
    case 0: for (let k = 0; k < 8; k++) R16[k] = zx ? SU8[k] : S8[k]; break;
    case 1: for (let k = 0; k < 4; k++) R32[k] = zx ? SU8[k] : S8[k]; break;
    case 2: for (let k = 0; k < 2; k++) { R32[2 * k] = zx ? SU8[k] : S8[k]; R32[2 * k + 1] = zx || S8[k] >= 0 ? 0 : -1; } break;
    case 3: for (let k = 0; k < 4; k++) R32[k] = zx ? SU16[k] : S16[k]; break;
    case 4: for (let k = 0; k < 2; k++) { R32[2 * k] = zx ? SU16[k] : S16[k]; R32[2 * k + 1] = zx || S16[k] >= 0 ? 0 : -1; } break;
    default: { const a = S32[0], b = S32[1];
      R32[0] = a; R32[1] = zx || a >= 0 ? 0 : -1; R32[2] = b; R32[3] = zx || b >= 0 ? 0 : -1; break; }
  }
  rToXmm(c, i.reg);
}

/** PTEST xmm, xmm/m128: ZF = (D & S) == 0, CF = (~D & S) == 0; AF OF PF SF cleared. */
export function ptest(c: Cpu, i: Insn): void {
  if (!loadX128(c, i, false)) return;
  xmmToD(c, i.reg);
  let and = 0, andn = 0;
  for (let k = 0; k < 4; k++) { and |= D32[k] & S32[k]; andn |= ~D32[k] & S32[k]; }
  c.flags = (c.flags & ~ARITH_FLAGS) | (and === 0 ? ZF : 0) | (andn === 0 ? CF : 0);
  c.lazyOp = L_NONE;
}

/** 66 0F 3A xx with imm8: BLENDPS (0C), BLENDPD (0D), PBLENDW (0E), MPSADBW (42). */
export function sse41Imm(c: Cpu, i: Insn): void {
  if (!loadX128(c, i, false)) return;
  xmmToD(c, i.reg);
  const m = i.imm;
  switch (i.sub) {
    case 0x0c: for (let k = 0; k < 4; k++) R32[k] = (m >> k) & 1 ? S32[k] : D32[k]; break;
    case 0x0d: for (let k = 0; k < 4; k++) R32[k] = (m >> (k >> 1)) & 1 ? S32[k] : D32[k]; break;
    case 0x0e: for (let k = 0; k < 8; k++) R16[k] = (m >> k) & 1 ? S16[k] : D16[k]; break;
    default: { // MPSADBW: sums of absolute differences of a 4-byte S block against 8 D windows
      const so = (m & 3) * 4, dof = ((m >> 2) & 1) * 4;
      for (let k = 0; k < 8; k++) {
        let s = 0;
        for (let j = 0; j < 4; j++) s += Math.abs(DU8[dof + k + j] - SU8[so + j]);
        RU16[k] = s;
      }
      break;
    }
  }
  rToXmm(c, i.reg);
}

/** PINSRB (66 0F 3A 20, sub 0), PINSRD (22, sub 2) xmm, r32/m(8|32), imm8. */
export function pinsr(c: Cpu, i: Insn): void {
  const byte = i.sub === 0;
  const v = i.isMem ? (byte ? c.mmu.read8(c.ea(i)) : c.mmu.read32(c.eaSpan(i, 4))) : c.regs[i.rm];
  if (byte) c.sse.u8[(i.reg << 4) + (i.imm & 15)] = v;
  else c.sse.xmm[(i.reg << 2) + (i.imm & 3)] = v;
}

/** PEXTRB (14, sub 0), PEXTRW (15, sub 1), PEXTRD/EXTRACTPS (16/17, sub 2) r32/m, xmm, imm8. */
export function pextr(c: Cpu, i: Insn): void {
  const s = c.sse, o = i.reg;
  const v = i.sub === 0 ? s.u8[(o << 4) + (i.imm & 15)] : i.sub === 1 ? s.u16[(o << 3) + (i.imm & 7)] : s.xmm[(o << 2) + (i.imm & 3)];
  if (!i.isMem) c.regs[i.rm] = v; // zero-extended into the whole register
  else if (i.sub === 0) c.mmu.write8(c.ea(i), v);
  else if (i.sub === 1) c.mmu.write16(c.eaSpan(i, 2), v);
  else c.mmu.write32(c.eaSpan(i, 4), v);
}

/** INSERTPS xmm, xmm/m32, imm8: a dword (from S[imm 7:6], or m32) into D[imm 5:4], zmask imm 3:0. */
export function insertps(c: Cpu, i: Insn): void {
  const v = i.isMem ? c.mmu.read32(c.eaSpan(i, 4)) : c.sse.xmm[(i.rm << 2) + ((i.imm >> 6) & 3)];
  const x = c.sse.xmm, o = i.reg << 2;
  x[o + ((i.imm >> 4) & 3)] = v;
  for (let k = 0; k < 4; k++) if ((i.imm >> k) & 1) x[o + k] = 0;
}
