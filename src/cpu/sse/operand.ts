// Operand access for the MMX/SSE handlers: one scratch buffer holds the source operand (S),
// a copy of the destination (D) and the result (R), each 16 bytes with views for every lane
// width. Memory operands are read completely before any register changes, and multi-part
// stores check every byte is writable first, so a faulting instruction can restart.
import type { Cpu } from '../cpu.js';
import type { Insn } from '../insn.js';
import { Stop } from '../stop.js';
import { mmxOf } from './mmx.js';

const buf = new ArrayBuffer(48);
export const S32 = new Int32Array(buf, 0, 4);
export const D32 = new Int32Array(buf, 16, 4);
export const R32 = new Int32Array(buf, 32, 4);
export const S8 = new Int8Array(buf, 0, 16);
export const D8 = new Int8Array(buf, 16, 16);
export const R8 = new Int8Array(buf, 32, 16);
export const SU8 = new Uint8Array(buf, 0, 16);
export const DU8 = new Uint8Array(buf, 16, 16);
export const RU8 = new Uint8Array(buf, 32, 16);
export const S16 = new Int16Array(buf, 0, 8);
export const D16 = new Int16Array(buf, 16, 8);
export const R16 = new Int16Array(buf, 32, 8);
export const SU16 = new Uint16Array(buf, 0, 8);
export const DU16 = new Uint16Array(buf, 16, 8);
export const RU16 = new Uint16Array(buf, 32, 8);

export function gpFault(c: Cpu): void {
  c.fault(Stop.GeneralProtection, 13);
}

// ---- loads into S -----------------------------------------------------------------------------

/** 128-bit source: XMM rm or m128 (16-byte aligned unless `unaligned`). False after #GP. */
export function loadX128(c: Cpu, i: Insn, unaligned: boolean): boolean {
  if (!i.isMem) {
    const x = c.sse.xmm, o = i.rm << 2;
    S32[0] = x[o]; S32[1] = x[o + 1]; S32[2] = x[o + 2]; S32[3] = x[o + 3];
    return true;
  }
  const a = c.eaSpan(i, 16);
  if (!unaligned && (a & 15) !== 0) {
    gpFault(c);
    return false;
  }
  const m = c.mmu;
  S32[0] = m.read32(a);
  S32[1] = m.read32((a + 4) | 0);
  S32[2] = m.read32((a + 8) | 0);
  S32[3] = m.read32((a + 12) | 0);
  return true;
}

/** 64-bit source: the low qword of XMM rm, or m64 (no alignment), into S32[0..1]. */
export function loadX64(c: Cpu, i: Insn): void {
  if (!i.isMem) {
    const x = c.sse.xmm, o = i.rm << 2;
    S32[0] = x[o]; S32[1] = x[o + 1];
    return;
  }
  const a = c.eaSpan(i, 8);
  S32[0] = c.mmu.read32(a);
  S32[1] = c.mmu.read32((a + 4) | 0);
}

/** 32-bit source: the low dword of XMM rm, or m32, into S32[0]. */
export function loadX32(c: Cpu, i: Insn): void {
  S32[0] = i.isMem ? c.mmu.read32(c.eaSpan(i, 4)) : c.sse.xmm[i.rm << 2];
}

/** 64-bit MMX source: MM rm or m64, into S32[0..1]. */
export function loadM64(c: Cpu, i: Insn): void {
  if (!i.isMem) {
    const f = mmxOf(c);
    S32[0] = f.getMmxLo(i.rm);
    S32[1] = f.getMmxHi(i.rm);
    return;
  }
  const a = c.eaSpan(i, 8);
  S32[0] = c.mmu.read32(a);
  S32[1] = c.mmu.read32((a + 4) | 0);
}

// ---- register copies -------------------------------------------------------------------------

export function xmmToD(c: Cpu, n: number): void {
  const x = c.sse.xmm, o = n << 2;
  D32[0] = x[o]; D32[1] = x[o + 1]; D32[2] = x[o + 2]; D32[3] = x[o + 3];
}
export function rToXmm(c: Cpu, n: number): void {
  const x = c.sse.xmm, o = n << 2;
  x[o] = R32[0]; x[o + 1] = R32[1]; x[o + 2] = R32[2]; x[o + 3] = R32[3];
}
export function mmxToD(c: Cpu, n: number): void {
  const f = mmxOf(c);
  D32[0] = f.getMmxLo(n);
  D32[1] = f.getMmxHi(n);
}
export function rToMmx(c: Cpu, n: number): void {
  mmxOf(c).setMmx(n, R32[0], R32[1]);
}

// ---- stores ------------------------------------------------------------------------------------

/** Stores four dwords from arr[o..o+3] at a (alignment already checked by the caller). */
export function store128(c: Cpu, a: number, arr: Int32Array, o: number): void {
  const m = c.mmu;
  if ((a & 0xfff) > 0xff0) m.probeWrite(a, 16);
  m.write32(a, arr[o]);
  m.write32((a + 4) | 0, arr[o + 1]);
  m.write32((a + 8) | 0, arr[o + 2]);
  m.write32((a + 12) | 0, arr[o + 3]);
}

/** Stores a qword (lo, hi) at a. */
export function store64(c: Cpu, a: number, lo: number, hi: number): void {
  const m = c.mmu;
  if ((a & 0xfff) > 0xff8) m.probeWrite(a, 8);
  m.write32(a, lo);
  m.write32((a + 4) | 0, hi);
}
