// String instructions MOVS, CMPS, STOS, LODS, SCAS with REP/REPE/REPNE. Registers advance after
// each element's memory access, so a page fault restarts at the element that faulted. A long REP
// yields after a slice of iterations by re-pointing EIP at itself, keeping the host responsive.
// An LDT segment with a limit, or a read-only segment (Cpu.segLimited), checks each element and
// turns the page-at-a-time fast paths off.
import type { Cpu } from '../cpu.js';
import { L_SUB } from '../cpu.js';
import type { Insn } from '../insn.js';
import { DF, EAX, ECX, EDI, ES, ESI, TF } from '../registers.js';

const SLICE = 0x4000;
const SIZE_BYTES = [1, 2, 4];

function step(c: Cpu, sz: number): number {
  return c.flags & DF ? -SIZE_BYTES[sz] : SIZE_BYTES[sz];
}

/** SI/DI (with the 0x67 prefix) or ESI/EDI as an offset. */
function index(c: Cpu, i: Insn, reg: number): number {
  return i.a16 ? c.regs[reg] & 0xffff : c.regs[reg];
}

/**
 * The linear address of an element at offset off in seg, after the checks of a segment with a
 * limit or without write access (#GP(0)) over the whole element.
 */
function linear(c: Cpu, i: Insn, seg: number, off: number, write = false): number {
  if ((c.segLimited & (1 << seg)) !== 0) c.checkSegLimit(seg, off, SIZE_BYTES[i.sz] - 1, write);
  return (off + c.segBase[seg]) | 0;
}

/** Advances SI/DI (wrapping at 64 KiB) or ESI/EDI by d. */
function advance(c: Cpu, i: Insn, reg: number, d: number): void {
  const r = c.regs;
  r[reg] = i.a16 ? (r[reg] & ~0xffff) | ((r[reg] + d) & 0xffff) : (r[reg] + d) | 0;
}

/** Runs `one` for each element: count from ECX (CX with 0x67) under REP, else once. */
function repeat(c: Cpu, i: Insn, one: (c: Cpu, i: Insn, d: number) => boolean): void {
  const r = c.regs;
  const d = step(c, i.sz);
  if (i.rep === 0) {
    one(c, i, d);
    return;
  }
  const mask = i.a16 ? 0xffff : -1;
  // Under EFLAGS.TF (no fast path then) the single-step trap comes after each iteration,
  // with EIP still at the instruction while iterations remain.
  const slice = c.flags & TF ? 1 : SLICE;
  let n = 0;
  while ((r[ECX] & mask) !== 0) {
    const more = one(c, i, d);
    r[ECX] = (r[ECX] & ~mask) | ((r[ECX] - 1) & mask);
    if (!more) return;
    if (++n >= slice && (r[ECX] & mask) !== 0) {
      c.eip = i.eip; // resume this instruction on the next fetch
      return;
    }
  }
}

function movsOne(c: Cpu, i: Insn, d: number): boolean {
  const v = c.readMem(i.sz, linear(c, i, i.seg, index(c, i, ESI)));
  c.writeMem(i.sz, linear(c, i, ES, index(c, i, EDI), true), v);
  advance(c, i, ESI, d);
  advance(c, i, EDI, d);
  return true;
}
function stosOne(c: Cpu, i: Insn, d: number): boolean {
  c.writeMem(i.sz, linear(c, i, ES, index(c, i, EDI), true), c.regs[EAX]);
  advance(c, i, EDI, d);
  return true;
}
function lodsOne(c: Cpu, i: Insn, d: number): boolean {
  const v = c.readMem(i.sz, linear(c, i, i.seg, index(c, i, ESI)));
  c.setReg(i.sz, EAX, v);
  advance(c, i, ESI, d);
  return true;
}
function cmpsOne(c: Cpu, i: Insn, d: number): boolean {
  const x = c.readMem(i.sz, linear(c, i, i.seg, index(c, i, ESI)));
  const y = c.readMem(i.sz, linear(c, i, ES, index(c, i, EDI)));
  advance(c, i, ESI, d);
  advance(c, i, EDI, d);
  c.setLazy(L_SUB, x, y, (x - y) | 0, i.sz);
  return i.rep === 1 ? c.getZF() : !c.getZF();
}
function scasOne(c: Cpu, i: Insn, d: number): boolean {
  const x = c.getReg(i.sz, EAX);
  const y = c.readMem(i.sz, linear(c, i, ES, index(c, i, EDI)));
  advance(c, i, EDI, d);
  c.setLazy(L_SUB, x, y, (x - y) | 0, i.sz);
  return i.rep === 1 ? c.getZF() : !c.getZF();
}

export function movs(c: Cpu, i: Insn): void {
  if (i.rep !== 0 && !i.a16 && (c.flags & TF) === 0 && c.regs[ECX] !== 0 && c.segLimited === 0
    && ((c.flags & DF) === 0 ? fastMovs(c, i) : fastMovsDown(c, i))) return;
  repeat(c, i, movsOne);
}
export function stos(c: Cpu, i: Insn): void {
  if (i.rep !== 0 && !i.a16 && (c.flags & TF) === 0 && c.regs[ECX] !== 0 && c.segLimited === 0
    && ((c.flags & DF) === 0 ? fastStos(c, i) : fastStosDown(c, i))) return;
  repeat(c, i, stosOne);
}
export function lods(c: Cpu, i: Insn): void { repeat(c, i, lodsOne); }
export function cmps(c: Cpu, i: Insn): void { repeat(c, i, cmpsOne); }
export function scas(c: Cpu, i: Insn): void { repeat(c, i, scasOne); }

/**
 * REP STOS forward within one destination page: translate once, fill the physical bytes.
 * Returns false (doing nothing) when the fast path does not apply.
 */
function fastStos(c: Cpu, i: Insn): boolean {
  const r = c.regs;
  const size = SIZE_BYTES[i.sz];
  const dst = (r[EDI] + c.segBase[ES]) | 0;
  if ((dst & (size - 1)) !== 0) return false;
  const room = (0x1000 - (dst & 0xfff)) / size;
  const n = Math.min(room, r[ECX] >>> 0);
  const p = c.mmu.translateForWrite(dst, n * size);
  fillElements(c, p, n, size, r[EAX]);
  r[EDI] = (r[EDI] + n * size) | 0;
  r[ECX] = (r[ECX] - n) | 0;
  if (r[ECX] !== 0) c.eip = i.eip;
  return true;
}

/** Stores v n times as elements of size bytes from physical address p up. */
function fillElements(c: Cpu, p: number, n: number, size: number, v: number): void {
  const mem = c.mmu.bytes;
  if (size === 1) mem.fill(v & 0xff, p, p + n);
  else if (size === 4) {
    const dv = c.mmu.dv;
    for (let k = 0; k < n; k++) dv.setInt32(p + 4 * k, v, true);
  } else {
    const dv = c.mmu.dv;
    for (let k = 0; k < n; k++) dv.setUint16(p + 2 * k, v, true);
  }
}

/**
 * REP STOS with DF=1 within one destination page, from EDI down. The first element (the
 * highest address) is translated, so a fault reports what the element loop would. The
 * debugger's access hook is told ranges from their start, which this cannot give: it falls back.
 */
function fastStosDown(c: Cpu, i: Insn): boolean {
  const r = c.regs;
  const size = SIZE_BYTES[i.sz];
  const dst = (r[EDI] + c.segBase[ES]) | 0;
  if ((dst & (size - 1)) !== 0 || c.mmu.onAccess !== null) return false;
  const n = Math.min(((dst & 0xfff) / size | 0) + 1, r[ECX] >>> 0);
  const p = c.mmu.translateForWrite(dst, size);
  fillElements(c, p - (n - 1) * size, n, size, r[EAX]);
  r[EDI] = (r[EDI] - n * size) | 0;
  r[ECX] = (r[ECX] - n) | 0;
  if (r[ECX] !== 0) c.eip = i.eip;
  return true;
}

/**
 * REP MOVS with DF=1, one chunk inside both pages, copying down from ESI/EDI. Copying from the
 * top down equals a memmove unless the destination lies below the source within the chunk:
 * then an element written early is read again later, and the element loop runs instead.
 */
function fastMovsDown(c: Cpu, i: Insn): boolean {
  const r = c.regs;
  const size = SIZE_BYTES[i.sz];
  const src = (r[ESI] + c.segBase[i.seg]) | 0;
  const dst = (r[EDI] + c.segBase[ES]) | 0;
  if (((src | dst) & (size - 1)) !== 0 || c.mmu.onAccess !== null) return false;
  const room = Math.min(src & 0xfff, dst & 0xfff) / size | 0;
  const n = Math.min(room + 1, r[ECX] >>> 0);
  const bytes = n * size;
  const ps = c.mmu.translateForRead(src, size) - (n - 1) * size;
  const pd = c.mmu.translateForWrite(dst, size) - (n - 1) * size;
  if (pd < ps && pd + bytes > ps) return false;
  c.mmu.bytes.copyWithin(pd, ps, ps + bytes);
  r[ESI] = (r[ESI] - bytes) | 0;
  r[EDI] = (r[EDI] - bytes) | 0;
  r[ECX] = (r[ECX] - n) | 0;
  if (r[ECX] !== 0) c.eip = i.eip;
  return true;
}

/** REP MOVS forward, one chunk that stays inside both the source and the destination page. */
function fastMovs(c: Cpu, i: Insn): boolean {
  const r = c.regs;
  const size = SIZE_BYTES[i.sz];
  const src = (r[ESI] + c.segBase[i.seg]) | 0;
  const dst = (r[EDI] + c.segBase[ES]) | 0;
  if (((src | dst) & (size - 1)) !== 0) return false;
  const room = Math.min(0x1000 - (src & 0xfff), 0x1000 - (dst & 0xfff)) / size;
  const n = Math.min(room, r[ECX] >>> 0);
  const bytes = n * size;
  const ps = c.mmu.translateForRead(src, bytes);
  const pd = c.mmu.translateForWrite(dst, bytes);
  // Overlap closer than the element run: fall back so the byte-by-byte semantics hold.
  if (pd > ps && pd < ps + bytes) return false;
  c.mmu.bytes.copyWithin(pd, ps, ps + bytes);
  r[ESI] = (r[ESI] + bytes) | 0;
  r[EDI] = (r[EDI] + bytes) | 0;
  r[ECX] = (r[ECX] - n) | 0;
  if (r[ECX] !== 0) c.eip = i.eip;
  return true;
}
