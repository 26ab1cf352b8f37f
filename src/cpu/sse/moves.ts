// Data movement between XMM, MMX, general registers and memory: MOVAPS/MOVUPS/MOVDQA/MOVDQU
// and friends, the scalar and half-register moves, MOVD/MOVQ, non-temporal stores (plain
// stores here), masked byte stores, and EMMS.
import type { Cpu } from '../cpu.js';
import type { Insn } from '../insn.js';
import { mmxOf, x87Pending } from './mmx.js';
import { S32, gpFault, loadM64, loadX128, loadX64, store128, store64 } from './operand.js';

/** MOVAPS/MOVUPS/MOVAPD/MOVUPD/MOVDQA/MOVDQU xmm, xmm/m128 (i.sub = 1: unaligned allowed). */
export function movLoad128(c: Cpu, i: Insn): void {
  if (!loadX128(c, i, i.sub === 1)) return;
  const x = c.sse.xmm, o = i.reg << 2;
  x[o] = S32[0]; x[o + 1] = S32[1]; x[o + 2] = S32[2]; x[o + 3] = S32[3];
}

/** The store forms, xmm/m128, xmm (also MOVNTPS/MOVNTPD/MOVNTDQ, aligned). */
export function movStore128(c: Cpu, i: Insn): void {
  const x = c.sse.xmm, s = i.reg << 2;
  if (!i.isMem) {
    const d = i.rm << 2;
    x[d] = x[s]; x[d + 1] = x[s + 1]; x[d + 2] = x[s + 2]; x[d + 3] = x[s + 3];
    return;
  }
  const a = c.eaSpan(i, 16);
  if (i.sub !== 1 && (a & 15) !== 0) {
    gpFault(c);
    return;
  }
  store128(c, a, x, s);
}

/** MOVSS xmm, xmm/m32: register form moves the low dword; the load zeroes the rest. */
export function movssLoad(c: Cpu, i: Insn): void {
  const x = c.sse.xmm, o = i.reg << 2;
  if (!i.isMem) {
    x[o] = x[i.rm << 2];
    return;
  }
  x[o] = c.mmu.read32(c.eaSpan(i, 4));
  x[o + 1] = 0; x[o + 2] = 0; x[o + 3] = 0;
}

/** MOVSS xmm/m32, xmm */
export function movssStore(c: Cpu, i: Insn): void {
  const x = c.sse.xmm;
  if (!i.isMem) x[i.rm << 2] = x[i.reg << 2];
  else c.mmu.write32(c.eaSpan(i, 4), x[i.reg << 2]);
}

/** MOVSD xmm, xmm/m64: register form moves the low qword; the load zeroes the high one. */
export function movsdLoad(c: Cpu, i: Insn): void {
  const x = c.sse.xmm, o = i.reg << 2;
  if (!i.isMem) {
    const s = i.rm << 2;
    x[o] = x[s]; x[o + 1] = x[s + 1];
    return;
  }
  loadX64(c, i);
  x[o] = S32[0]; x[o + 1] = S32[1]; x[o + 2] = 0; x[o + 3] = 0;
}

/** MOVSD xmm/m64, xmm; MOVQ xmm/m64, xmm (66 0F D6: the register form zeroes the high qword). */
export function movsdStore(c: Cpu, i: Insn): void {
  const x = c.sse.xmm, s = i.reg << 2;
  if (!i.isMem) {
    const d = i.rm << 2;
    x[d] = x[s]; x[d + 1] = x[s + 1];
    if (i.sub === 1) { x[d + 2] = 0; x[d + 3] = 0; }
    return;
  }
  store64(c, c.eaSpan(i, 8), x[s], x[s + 1]);
}

/** MOVLPS/MOVLPD xmm, m64 (i.sub 0) and MOVHPS/MOVHPD xmm, m64 (i.sub 1). */
export function movLHLoad(c: Cpu, i: Insn): void {
  loadX64(c, i);
  const x = c.sse.xmm, o = (i.reg << 2) + (i.sub << 1);
  x[o] = S32[0]; x[o + 1] = S32[1];
}

/** MOVLPS/MOVLPD m64, xmm (i.sub 0) and MOVHPS/MOVHPD m64, xmm (i.sub 1). */
export function movLHStore(c: Cpu, i: Insn): void {
  const x = c.sse.xmm, o = (i.reg << 2) + (i.sub << 1);
  store64(c, c.eaSpan(i, 8), x[o], x[o + 1]);
}

/** MOVHLPS xmm1, xmm2: low qword of xmm1 = high qword of xmm2. */
export function movhlps(c: Cpu, i: Insn): void {
  const x = c.sse.xmm, d = i.reg << 2, s = i.rm << 2;
  x[d] = x[s + 2]; x[d + 1] = x[s + 3];
}

/** MOVLHPS xmm1, xmm2: high qword of xmm1 = low qword of xmm2. */
export function movlhps(c: Cpu, i: Insn): void {
  const x = c.sse.xmm, d = i.reg << 2, s = i.rm << 2;
  x[d + 2] = x[s]; x[d + 3] = x[s + 1];
}

/** MOVSLDUP (i.sub 0) / MOVSHDUP (1) xmm, xmm/m128: duplicate the even / odd dwords. */
export function movsdup(c: Cpu, i: Insn): void {
  if (!loadX128(c, i, false)) return;
  const x = c.sse.xmm, o = i.reg << 2, k = i.sub;
  x[o] = S32[k]; x[o + 1] = S32[k]; x[o + 2] = S32[2 + k]; x[o + 3] = S32[2 + k];
}

/** MOVDDUP xmm, xmm/m64 */
export function movddup(c: Cpu, i: Insn): void {
  loadX64(c, i);
  const x = c.sse.xmm, o = i.reg << 2;
  x[o] = S32[0]; x[o + 1] = S32[1]; x[o + 2] = S32[0]; x[o + 3] = S32[1];
}

/** MOVD xmm, r/m32 (upper 96 bits zeroed). */
export function movdToXmm(c: Cpu, i: Insn): void {
  const v = i.isMem ? c.mmu.read32(c.eaSpan(i, 4)) : c.regs[i.rm];
  const x = c.sse.xmm, o = i.reg << 2;
  x[o] = v; x[o + 1] = 0; x[o + 2] = 0; x[o + 3] = 0;
}

/** MOVD r/m32, xmm */
export function movdFromXmm(c: Cpu, i: Insn): void {
  const v = c.sse.xmm[i.reg << 2];
  if (i.isMem) c.mmu.write32(c.eaSpan(i, 4), v);
  else c.regs[i.rm] = v;
}

/** MOVD mm, r/m32 (upper half zeroed). */
export function movdToMmx(c: Cpu, i: Insn): void {
  if (x87Pending(c)) return;
  const v = i.isMem ? c.mmu.read32(c.eaSpan(i, 4)) : c.regs[i.rm];
  mmxOf(c).setMmx(i.reg, v, 0);
}

/** MOVD r/m32, mm (a faulting store leaves the x87 unit as it was) */
export function movdFromMmx(c: Cpu, i: Insn): void {
  if (x87Pending(c)) return;
  if (i.isMem) {
    const a = c.eaSpan(i, 4);
    c.fpu.mmxStoreStart();
    c.mmu.probeWrite(a, 4);
    c.mmu.write32(a, mmxOf(c).getMmxLo(i.reg));
  } else {
    c.regs[i.rm] = mmxOf(c).getMmxLo(i.reg);
  }
}

/** MOVQ mm, mm/m64 */
export function movqToMmx(c: Cpu, i: Insn): void {
  if (x87Pending(c)) return;
  loadM64(c, i);
  mmxOf(c).setMmx(i.reg, S32[0], S32[1]);
}

/** MOVQ mm/m64, mm (also MOVNTQ m64, mm) */
export function movqFromMmx(c: Cpu, i: Insn): void {
  if (x87Pending(c)) return;
  const f = mmxOf(c);
  if (i.isMem) {
    const a = c.eaSpan(i, 8);
    c.fpu.mmxStoreStart();
    c.mmu.probeWrite(a, 8);
    store64(c, a, f.getMmxLo(i.reg), f.getMmxHi(i.reg));
  } else {
    f.setMmx(i.rm, f.getMmxLo(i.reg), f.getMmxHi(i.reg));
  }
}

/** MOVQ xmm, xmm/m64 (F3 0F 7E: the high qword is zeroed). */
export function movqToXmm(c: Cpu, i: Insn): void {
  loadX64(c, i);
  const x = c.sse.xmm, o = i.reg << 2;
  x[o] = S32[0]; x[o + 1] = S32[1]; x[o + 2] = 0; x[o + 3] = 0;
}

/** MOVQ2DQ xmm, mm */
export function movq2dq(c: Cpu, i: Insn): void {
  if (x87Pending(c)) return;
  const f = mmxOf(c);
  const lo = f.getMmxLo(i.rm), hi = f.getMmxHi(i.rm);
  const x = c.sse.xmm, o = i.reg << 2;
  x[o] = lo; x[o + 1] = hi; x[o + 2] = 0; x[o + 3] = 0;
}

/** MOVDQ2Q mm, xmm */
export function movdq2q(c: Cpu, i: Insn): void {
  if (x87Pending(c)) return;
  const x = c.sse.xmm, s = i.rm << 2;
  mmxOf(c).setMmx(i.reg, x[s], x[s + 1]);
}

/** MOVNTI m32, r32 */
export function movnti(c: Cpu, i: Insn): void {
  c.mmu.write32(c.eaSpan(i, 4), c.regs[i.reg]);
}

/**
 * Address of the implicit DS:(E)DI destination of MASKMOVQ/MASKMOVDQU (n bytes): all of them
 * must lie within a limited segment, whatever the mask, as for any store.
 */
function maskAddr(c: Cpu, i: Insn, n: number): number {
  const di = i.a16 ? c.regs[7] & 0xffff : c.regs[7];
  if (c.segLimited !== 0 && (c.segLimited & (1 << i.seg)) !== 0) c.checkSegLimit(i.seg, di, n - 1, true);
  return (di + c.segBase[i.seg]) | 0;
}

/**
 * Stores the bytes of `data` (n bytes) selected by the sign bits of `mask` at a. Like the
 * hardware, the whole n-byte range must be writable, whatever the mask.
 */
function maskedStore(c: Cpu, a: number, data: Uint8Array, mask: Uint8Array, n: number): void {
  // The 16-byte form checks its upper qword first: a fault there reports EDI+8, as the host does.
  if (n === 16) c.mmu.probeWrite((a + 8) | 0, 8);
  c.mmu.probeWrite(a, n);
  for (let k = 0; k < n; k++) if (mask[k] & 0x80) c.mmu.write8((a + k) | 0, data[k]);
}

const mbuf = new ArrayBuffer(32);
const M32 = new Int32Array(mbuf);
const MD8 = new Uint8Array(mbuf, 0, 16);
const MM8 = new Uint8Array(mbuf, 16, 16);

/** MASKMOVQ mm1, mm2 */
export function maskmovq(c: Cpu, i: Insn): void {
  if (x87Pending(c)) return;
  const f = mmxOf(c); // enters MMX mode even when the store then faults
  M32[0] = f.getMmxLo(i.reg); M32[1] = f.getMmxHi(i.reg);
  M32[4] = f.getMmxLo(i.rm); M32[5] = f.getMmxHi(i.rm);
  maskedStore(c, maskAddr(c, i, 8), MD8, MM8, 8);
}

/** MASKMOVDQU xmm1, xmm2 */
export function maskmovdqu(c: Cpu, i: Insn): void {
  const x = c.sse.xmm, d = i.reg << 2, m = i.rm << 2;
  for (let k = 0; k < 4; k++) {
    M32[k] = x[d + k];
    M32[4 + k] = x[m + k];
  }
  maskedStore(c, maskAddr(c, i, 16), MD8, MM8, 16);
}

export function emms(c: Cpu, _i: Insn): void {
  if (x87Pending(c)) return;
  mmxOf(c).emms();
}
