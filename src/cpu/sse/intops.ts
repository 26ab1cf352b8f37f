// Integer SIMD on MMX (64-bit) and XMM (128-bit) registers: one kernel per opcode over the
// scratch lanes (D = destination, S = source, R = result), shared by both register files.
// i.sub holds the 0F-map opcode byte of the MMX form (0x60..0xFE).
import type { Cpu } from '../cpu.js';
import type { Insn } from '../insn.js';
import { mmxOf, x87Pending } from './mmx.js';
import {
  D16, D32, D8, DU16, DU8, R16, R32, R8, RU16, RU8, S16, S32, S8, SU16, SU8,
  loadM64, loadX128, mmxToD, rToMmx, rToXmm, xmmToD,
} from './operand.js';

function sat8(v: number): number {
  return v > 127 ? 127 : v < -128 ? -128 : v;
}
function satU8(v: number): number {
  return v > 255 ? 255 : v < 0 ? 0 : v;
}
function sat16(v: number): number {
  return v > 32767 ? 32767 : v < -32768 ? -32768 : v;
}
function satU16(v: number): number {
  return v > 65535 ? 65535 : v < 0 ? 0 : v;
}

/** Shift count from the source's low qword, clamped to 64 when it is at least 64. */
function shiftCount(): number {
  return S32[1] !== 0 || (S32[0] >>> 0) > 63 ? 64 : S32[0];
}

/** 64-bit lane shifts on R32/D32 pairs. */
function shiftQ(n: number, left: boolean, cnt: number): void {
  for (let k = 0; k < n; k += 2) {
    const lo = D32[k], hi = D32[k + 1];
    if (cnt > 63) { R32[k] = 0; R32[k + 1] = 0; }
    else if (cnt === 0) { R32[k] = lo; R32[k + 1] = hi; }
    else if (left) {
      if (cnt < 32) { R32[k] = lo << cnt; R32[k + 1] = (hi << cnt) | (lo >>> (32 - cnt)); }
      else { R32[k] = 0; R32[k + 1] = lo << (cnt - 32); }
    } else if (cnt < 32) {
      R32[k] = (lo >>> cnt) | (hi << (32 - cnt)); R32[k + 1] = hi >>> cnt;
    } else {
      R32[k] = hi >>> (cnt - 32); R32[k + 1] = 0;
    }
  }
}

/** Unsigned 32x32 -> 64 multiply into R32[k], R32[k+1]. */
function mulU32(a: number, b: number, k: number): void {
  const a0 = a & 0xffff, a1 = a >>> 16, b0 = b & 0xffff, b1 = b >>> 16;
  const p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  R32[k] = ((mid & 0xffff) << 16) | (p00 & 0xffff);
  R32[k + 1] = (p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) | 0;
}

/** Runs opcode `op` over n bytes of lanes (8 for MMX, 16 for XMM): R = D op S. */
function kernel(op: number, n: number): void {
  const h = n >> 1, w = n >> 1, dw = n >> 2;
  switch (op) {
    // unpack low / high
    case 0x60: for (let k = 0; k < h; k++) { R8[2 * k] = D8[k]; R8[2 * k + 1] = S8[k]; } break;
    case 0x61: for (let k = 0; k < w >> 1; k++) { R16[2 * k] = D16[k]; R16[2 * k + 1] = S16[k]; } break;
    case 0x62: for (let k = 0; k < dw >> 1; k++) { R32[2 * k] = D32[k]; R32[2 * k + 1] = S32[k]; } break;
    case 0x68: for (let k = 0; k < h; k++) { R8[2 * k] = D8[h + k]; R8[2 * k + 1] = S8[h + k]; } break;
    case 0x69: for (let k = 0; k < w >> 1; k++) { R16[2 * k] = D16[(w >> 1) + k]; R16[2 * k + 1] = S16[(w >> 1) + k]; } break;
    case 0x6a: for (let k = 0; k < dw >> 1; k++) { R32[2 * k] = D32[(dw >> 1) + k]; R32[2 * k + 1] = S32[(dw >> 1) + k]; } break;
    case 0x6c: R32[0] = D32[0]; R32[1] = D32[1]; R32[2] = S32[0]; R32[3] = S32[1]; break;
    case 0x6d: R32[0] = D32[2]; R32[1] = D32[3]; R32[2] = S32[2]; R32[3] = S32[3]; break;
    // packs
    case 0x63: for (let k = 0; k < w; k++) { R8[k] = sat8(D16[k]); R8[w + k] = sat8(S16[k]); } break;
    case 0x67: for (let k = 0; k < w; k++) { RU8[k] = satU8(D16[k]); RU8[w + k] = satU8(S16[k]); } break;
    case 0x6b: for (let k = 0; k < dw; k++) { R16[k] = sat16(D32[k]); R16[dw + k] = sat16(S32[k]); } break;
    // compares
    case 0x64: for (let k = 0; k < n; k++) R8[k] = D8[k] > S8[k] ? -1 : 0; break;
    case 0x65: for (let k = 0; k < w; k++) R16[k] = D16[k] > S16[k] ? -1 : 0; break;
    case 0x66: for (let k = 0; k < dw; k++) R32[k] = D32[k] > S32[k] ? -1 : 0; break;
    case 0x74: for (let k = 0; k < n; k++) R8[k] = D8[k] === S8[k] ? -1 : 0; break;
    case 0x75: for (let k = 0; k < w; k++) R16[k] = D16[k] === S16[k] ? -1 : 0; break;
    case 0x76: for (let k = 0; k < dw; k++) R32[k] = D32[k] === S32[k] ? -1 : 0; break;
    // shifts by register (count in S's low qword)
    case 0xd1: { const s = shiftCount(); for (let k = 0; k < w; k++) RU16[k] = s > 15 ? 0 : DU16[k] >>> s; break; }
    case 0xd2: { const s = shiftCount(); for (let k = 0; k < dw; k++) R32[k] = s > 31 ? 0 : D32[k] >>> s; break; }
    case 0xd3: shiftQ(dw, false, shiftCount()); break;
    case 0xe1: { const s = shiftCount(); for (let k = 0; k < w; k++) R16[k] = D16[k] >> (s > 15 ? 15 : s); break; }
    case 0xe2: { const s = shiftCount(); for (let k = 0; k < dw; k++) R32[k] = D32[k] >> (s > 31 ? 31 : s); break; }
    case 0xf1: { const s = shiftCount(); for (let k = 0; k < w; k++) R16[k] = s > 15 ? 0 : D16[k] << s; break; }
    case 0xf2: { const s = shiftCount(); for (let k = 0; k < dw; k++) R32[k] = s > 31 ? 0 : D32[k] << s; break; }
    case 0xf3: shiftQ(dw, true, shiftCount()); break;
    // add / subtract
    case 0xfc: for (let k = 0; k < n; k++) R8[k] = D8[k] + S8[k]; break;
    case 0xfd: for (let k = 0; k < w; k++) R16[k] = D16[k] + S16[k]; break;
    case 0xfe: for (let k = 0; k < dw; k++) R32[k] = (D32[k] + S32[k]) | 0; break;
    case 0xd4: for (let k = 0; k < dw; k += 2) {
      const lo = (D32[k] + S32[k]) | 0;
      const carry = (lo >>> 0) < (D32[k] >>> 0) ? 1 : 0;
      R32[k] = lo; R32[k + 1] = (D32[k + 1] + S32[k + 1] + carry) | 0;
    } break;
    case 0xf8: for (let k = 0; k < n; k++) R8[k] = D8[k] - S8[k]; break;
    case 0xf9: for (let k = 0; k < w; k++) R16[k] = D16[k] - S16[k]; break;
    case 0xfa: for (let k = 0; k < dw; k++) R32[k] = (D32[k] - S32[k]) | 0; break;
    case 0xfb: for (let k = 0; k < dw; k += 2) {
      const borrow = (D32[k] >>> 0) < (S32[k] >>> 0) ? 1 : 0;
      R32[k] = (D32[k] - S32[k]) | 0; R32[k + 1] = (D32[k + 1] - S32[k + 1] - borrow) | 0;
    } break;
    case 0xec: for (let k = 0; k < n; k++) R8[k] = sat8(D8[k] + S8[k]); break;
    case 0xed: for (let k = 0; k < w; k++) R16[k] = sat16(D16[k] + S16[k]); break;
    case 0xdc: for (let k = 0; k < n; k++) RU8[k] = satU8(DU8[k] + SU8[k]); break;
    case 0xdd: for (let k = 0; k < w; k++) RU16[k] = satU16(DU16[k] + SU16[k]); break;
    case 0xe8: for (let k = 0; k < n; k++) R8[k] = sat8(D8[k] - S8[k]); break;
    case 0xe9: for (let k = 0; k < w; k++) R16[k] = sat16(D16[k] - S16[k]); break;
    case 0xd8: for (let k = 0; k < n; k++) RU8[k] = satU8(DU8[k] - SU8[k]); break;
    case 0xd9: for (let k = 0; k < w; k++) RU16[k] = satU16(DU16[k] - SU16[k]); break;
    // multiplies
    case 0xd5: for (let k = 0; k < w; k++) R16[k] = Math.imul(D16[k], S16[k]); break;
    case 0xe5: for (let k = 0; k < w; k++) R16[k] = Math.imul(D16[k], S16[k]) >> 16; break;
    case 0xe4: for (let k = 0; k < w; k++) RU16[k] = (DU16[k] * SU16[k]) >>> 16; break;
    case 0xf5: for (let k = 0; k < dw; k++) {
      R32[k] = (Math.imul(D16[2 * k], S16[2 * k]) + Math.imul(D16[2 * k + 1], S16[2 * k + 1])) | 0;
    } break;
    case 0xf4: for (let k = 0; k < dw; k += 2) mulU32(D32[k] >>> 0, S32[k] >>> 0, k); break;
    // averages, min / max, sum of absolute differences
    case 0xe0: for (let k = 0; k < n; k++) RU8[k] = (DU8[k] + SU8[k] + 1) >> 1; break;
    case 0xe3: for (let k = 0; k < w; k++) RU16[k] = (DU16[k] + SU16[k] + 1) >> 1; break;
    case 0xda: for (let k = 0; k < n; k++) RU8[k] = DU8[k] < SU8[k] ? DU8[k] : SU8[k]; break;
    case 0xde: for (let k = 0; k < n; k++) RU8[k] = DU8[k] > SU8[k] ? DU8[k] : SU8[k]; break;
    case 0xea: for (let k = 0; k < w; k++) R16[k] = D16[k] < S16[k] ? D16[k] : S16[k]; break;
    case 0xee: for (let k = 0; k < w; k++) R16[k] = D16[k] > S16[k] ? D16[k] : S16[k]; break;
    case 0xf6: for (let q = 0; q < n; q += 8) {
      let sum = 0;
      for (let k = q; k < q + 8; k++) { const d = DU8[k] - SU8[k]; sum += d < 0 ? -d : d; }
      R32[q >> 2] = sum; R32[(q >> 2) + 1] = 0;
    } break;
    // logic
    case 0xdb: for (let k = 0; k < dw; k++) R32[k] = D32[k] & S32[k]; break;
    case 0xdf: for (let k = 0; k < dw; k++) R32[k] = ~D32[k] & S32[k]; break;
    case 0xeb: for (let k = 0; k < dw; k++) R32[k] = D32[k] | S32[k]; break;
    case 0xef: for (let k = 0; k < dw; k++) R32[k] = D32[k] ^ S32[k]; break;
    default: ssse3(op, n); break;
  }
}

/** SSSE3 (0F 38 map, opcodes 0x100 | byte): shuffles, horizontal ops, signs, abs. */
function ssse3(op: number, n: number): void {
  const w = n >> 1, dw = n >> 2, hw = w >> 1, hd = dw >> 1;
  switch (op) {
    case 0x100: { // PSHUFB
      const m = n - 1;
      for (let k = 0; k < n; k++) RU8[k] = SU8[k] & 0x80 ? 0 : DU8[SU8[k] & m];
      break;
    }
    case 0x101: case 0x105: case 0x103: case 0x107: { // PHADDW PHSUBW PHADDSW PHSUBSW
      const sub = op === 0x105 || op === 0x107, sat = op === 0x103 || op === 0x107;
      for (let k = 0; k < hw; k++) {
        const a = sub ? D16[2 * k] - D16[2 * k + 1] : D16[2 * k] + D16[2 * k + 1];
        const b = sub ? S16[2 * k] - S16[2 * k + 1] : S16[2 * k] + S16[2 * k + 1];
        R16[k] = sat ? sat16(a) : a;
        R16[hw + k] = sat ? sat16(b) : b;
      }
      break;
    }
    case 0x102: case 0x106: { // PHADDD PHSUBD
      const sub = op === 0x106;
      for (let k = 0; k < hd; k++) {
        R32[k] = (sub ? D32[2 * k] - D32[2 * k + 1] : D32[2 * k] + D32[2 * k + 1]) | 0;
        R32[hd + k] = (sub ? S32[2 * k] - S32[2 * k + 1] : S32[2 * k] + S32[2 * k + 1]) | 0;
      }
      break;
    }
    case 0x104: // PMADDUBSW: unsigned bytes of D times signed bytes of S, pairs summed with saturation
      for (let k = 0; k < w; k++) R16[k] = sat16(DU8[2 * k] * S8[2 * k] + DU8[2 * k + 1] * S8[2 * k + 1]);
      break;
    case 0x108: for (let k = 0; k < n; k++) R8[k] = S8[k] < 0 ? -D8[k] : S8[k] === 0 ? 0 : D8[k]; break;
    case 0x109: for (let k = 0; k < w; k++) R16[k] = S16[k] < 0 ? -D16[k] : S16[k] === 0 ? 0 : D16[k]; break;
    case 0x10a: for (let k = 0; k < dw; k++) R32[k] = S32[k] < 0 ? -D32[k] | 0 : S32[k] === 0 ? 0 : D32[k]; break;
    case 0x10b: // PMULHRSW
      for (let k = 0; k < w; k++) R16[k] = ((Math.imul(D16[k], S16[k]) >> 14) + 1) >> 1;
      break;
    case 0x11c: for (let k = 0; k < n; k++) RU8[k] = S8[k] < 0 ? -S8[k] : S8[k]; break;
    case 0x11d: for (let k = 0; k < w; k++) RU16[k] = S16[k] < 0 ? -S16[k] : S16[k]; break;
    default: for (let k = 0; k < dw; k++) R32[k] = S32[k] < 0 ? -S32[k] | 0 : S32[k]; break; // 0x11e PABSD
  }
}

/** PALIGNR mm, mm/m64, imm8 and xmm, xmm/m128, imm8: (D:S) >> (8 * imm), low half kept. */
function palignr(n: number, imm: number): void {
  for (let k = 0; k < n; k++) {
    const j = k + imm;
    RU8[k] = j < n ? SU8[j] : j < 2 * n ? DU8[j - n] : 0;
  }
}

export function palignrMmx(c: Cpu, i: Insn): void {
  if (x87Pending(c)) return;
  loadM64(c, i);
  mmxToD(c, i.reg);
  palignr(8, i.imm);
  rToMmx(c, i.reg);
}

export function palignrXmm(c: Cpu, i: Insn): void {
  if (!loadX128(c, i, false)) return;
  xmmToD(c, i.reg);
  palignr(16, i.imm);
  rToXmm(c, i.reg);
}

/** MMX form: mm, mm/m64. */
export function pintMmx(c: Cpu, i: Insn): void {
  if (x87Pending(c)) return;
  loadM64(c, i);
  mmxToD(c, i.reg);
  kernel(i.sub, 8);
  rToMmx(c, i.reg);
}

/** PUNPCKLBW/WD/DQ mm, mm/m32: the memory form reads only the low half. */
export function punpcklMmx(c: Cpu, i: Insn): void {
  if (x87Pending(c)) return;
  if (i.isMem) {
    S32[0] = c.mmu.read32(c.eaSpan(i, 4));
    S32[1] = 0;
  } else {
    loadM64(c, i);
  }
  mmxToD(c, i.reg);
  kernel(i.sub, 8);
  rToMmx(c, i.reg);
}

/** SSE2 form: xmm, xmm/m128 (aligned). */
export function pintXmm(c: Cpu, i: Insn): void {
  if (!loadX128(c, i, false)) return;
  xmmToD(c, i.reg);
  kernel(i.sub, 16);
  rToXmm(c, i.reg);
}

// ---- shifts by immediate: 0F 71/72/73 groups; the register is rm, i.sub the reg-count opcode

export function pshiftImmMmx(c: Cpu, i: Insn): void {
  if (x87Pending(c)) return;
  S32[0] = i.imm; S32[1] = 0;
  mmxToD(c, i.rm);
  kernel(i.sub, 8);
  rToMmx(c, i.rm);
}

export function pshiftImmXmm(c: Cpu, i: Insn): void {
  S32[0] = i.imm; S32[1] = 0;
  xmmToD(c, i.rm);
  kernel(i.sub, 16);
  rToXmm(c, i.rm);
}

/** PSRLDQ (i.sub 0) / PSLLDQ (1) xmm, imm8: byte shifts of the whole register. */
export function pshiftDq(c: Cpu, i: Insn): void {
  const cnt = i.imm > 16 ? 16 : i.imm;
  xmmToD(c, i.rm);
  if (i.sub === 0) for (let k = 0; k < 16; k++) RU8[k] = k + cnt < 16 ? DU8[k + cnt] : 0;
  else for (let k = 0; k < 16; k++) RU8[k] = k >= cnt ? DU8[k - cnt] : 0;
  rToXmm(c, i.rm);
}

// ---- shuffles, inserts, extracts, masks ------------------------------------------------------

export function pshufw(c: Cpu, i: Insn): void {
  if (x87Pending(c)) return;
  loadM64(c, i);
  const m = i.imm;
  for (let k = 0; k < 4; k++) R16[k] = S16[(m >> (2 * k)) & 3];
  rToMmx(c, i.reg);
}

export function pshufd(c: Cpu, i: Insn): void {
  if (!loadX128(c, i, false)) return;
  const m = i.imm;
  for (let k = 0; k < 4; k++) R32[k] = S32[(m >> (2 * k)) & 3];
  rToXmm(c, i.reg);
}

/** PSHUFHW (i.sub 1) / PSHUFLW (0). */
export function pshufhlw(c: Cpu, i: Insn): void {
  if (!loadX128(c, i, false)) return;
  const m = i.imm, b = i.sub === 1 ? 4 : 0, keep = 4 - b;
  for (let k = 0; k < 4; k++) R16[b + k] = S16[b + ((m >> (2 * k)) & 3)];
  for (let k = 0; k < 4; k++) R16[keep + k] = S16[keep + k];
  rToXmm(c, i.reg);
}

function insertWord(c: Cpu, i: Insn): number {
  return i.isMem ? c.mmu.read16(c.eaSpan(i, 2)) : c.regs[i.rm] & 0xffff;
}

export function pinsrwMmx(c: Cpu, i: Insn): void {
  if (x87Pending(c)) return;
  const v = insertWord(c, i);
  mmxToD(c, i.reg);
  D16[i.imm & 3] = v;
  mmxOf(c).setMmx(i.reg, D32[0], D32[1]);
}

export function pinsrwXmm(c: Cpu, i: Insn): void {
  const v = insertWord(c, i);
  c.sse.u16[(i.reg << 3) + (i.imm & 7)] = v;
}

export function pextrwMmx(c: Cpu, i: Insn): void {
  if (x87Pending(c)) return;
  mmxToD(c, i.rm);
  c.regs[i.reg] = DU16[i.imm & 3];
}

export function pextrwXmm(c: Cpu, i: Insn): void {
  c.regs[i.reg] = c.sse.u16[(i.rm << 3) + (i.imm & 7)];
}

export function pmovmskbMmx(c: Cpu, i: Insn): void {
  if (x87Pending(c)) return;
  mmxToD(c, i.rm);
  let m = 0;
  for (let k = 0; k < 8; k++) m |= (DU8[k] >> 7) << k;
  c.regs[i.reg] = m;
}

export function pmovmskbXmm(c: Cpu, i: Insn): void {
  const x = c.sse.xmm, o = i.rm << 2;
  let m = 0;
  for (let k = 0; k < 4; k++) {
    const v = x[o + k];
    m |= (((v >>> 7) & 1) | ((v >>> 14) & 2) | ((v >>> 21) & 4) | ((v >>> 28) & 8)) << (4 * k);
  }
  c.regs[i.reg] = m;
}
