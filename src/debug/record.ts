// Record and reverse execution (gdb's "record full"): before each instruction the registers
// are saved, and every guest write the MMU reports (mmu.hookWrites sends all writes to the
// slow path and onAccess) saves the bytes it is about to overwrite. Stepping back pops an
// entry and puts registers and memory back exactly. The log is bounded: by default the last
// 200,000 instructions (`set record full insn-number-max N`) and 64 MiB of saved bytes; the
// oldest entries are dropped first. Memory that the kernel writes during a system call (read()
// into a buffer, a signal frame) is not seen by the MMU hook: stepping back over a system call
// restores the registers and the user-mode writes, and says so.
//
// Storage is a ring of fixed-size integer records (no allocation per instruction) plus one
// growing array of (address, old byte) pairs; x87/SSE state is saved only before instructions
// that may change it.
import type { Cpu } from '../cpu/cpu.js';
import type { FpuState } from '../cpu/fpu/fpu.js';
import { inspectWalk } from '../mmu/paging.js';
import { PAGE_SHIFT } from '../mmu/physicalMemory.js';
import type { DebugTarget } from './target.js';
import { isSyscall, touchesFpu } from './insnPeek.js';

export const DEFAULT_INSN_MAX = 200_000;
export const DEFAULT_BYTES_MAX = 64 * 1024 * 1024;

/**
 * Integers per entry: regs 0-7, eip 8, eflags 9, segSel 10-15, segBase 16-21, mxcsr 22, flags 23,
 * the segment checks 24 (segLimited | segNoWrite << 8 | segNoRead << 16 | code16 << 24),
 * segLimitLo 25-30, segLimitHi 31-36.
 */
const STRIDE = 37;
const F_SYSCALL = 1, F_FPU = 2;

export class Recorder {
  insnMax = DEFAULT_INSN_MAX;
  bytesMax = DEFAULT_BYTES_MAX;
  dropped = 0;
  private cap = 1024;
  private rec = new Int32Array(this.cap * STRIDE);
  /** Per slot: logical index of the entry's first saved pair in mem. */
  private memStart = new Float64Array(this.cap);
  /** Logical ids: entries first..next-1 are live; slot = id % cap. */
  private first = 0;
  private next = 0;
  /** Saved (address, byte) pairs; logical pair index p lives at mem[2 * (p - memBase)]. */
  private mem = new Int32Array(1 << 16);
  private memBase = 0;
  private memEnd = 0;
  private readonly fpuSaves = new Map<number, { fpu: FpuState; xmm: Int32Array }>();
  /** Writes are logged into the newest entry only while its instruction runs. */
  private open = false;

  constructor(private readonly target: DebugTarget) {}

  get length(): number {
    return this.next - this.first;
  }

  private slot(id: number): number {
    return id % this.cap;
  }

  private grow(): void {
    const cap = this.cap * 2;
    const rec = new Int32Array(cap * STRIDE);
    const ms = new Float64Array(cap);
    for (let id = this.first; id < this.next; id++) {
      const from = this.slot(id), to = id % cap;
      rec.set(this.rec.subarray(from * STRIDE, from * STRIDE + STRIDE), to * STRIDE);
      ms[to] = this.memStart[from];
    }
    this.cap = cap;
    this.rec = rec;
    this.memStart = ms;
  }

  /** Called before each instruction; `retry` when the last one faulted and is being restarted. */
  before(c: Cpu, code: Uint8Array | null, retry: boolean): void {
    if (retry && this.open && this.length > 0) return; // same instruction again: keep its entry
    if (this.length >= this.cap && this.cap < this.insnMax) this.grow();
    if (this.length >= Math.min(this.cap, this.insnMax)) this.dropOldest();
    const id = this.next++;
    const b = this.slot(id) * STRIDE;
    const r = this.rec;
    for (let i = 0; i < 8; i++) r[b + i] = c.regs[i];
    r[b + 8] = c.eip;
    r[b + 9] = c.getEflags();
    for (let i = 0; i < 6; i++) { r[b + 10 + i] = c.segSel[i]; r[b + 16 + i] = c.segBase[i]; }
    r[b + 22] = c.sse.mxcsr;
    r[b + 24] = c.segLimited | (c.segNoWrite << 8) | (c.segNoRead << 16) | (c.code16 ? 1 << 24 : 0);
    for (let i = 0; i < 6; i++) { r[b + 25 + i] = c.segLimitLo[i]; r[b + 31 + i] = c.segLimitHi[i]; }
    let flags = code !== null && isSyscall(code) ? F_SYSCALL : 0;
    if (code === null || touchesFpu(code)) {
      flags |= F_FPU;
      this.fpuSaves.set(id, { fpu: c.fpu.snapshot(), xmm: c.sse.xmm.slice() });
    }
    r[b + 23] = flags;
    this.memStart[this.slot(id)] = this.memEnd;
    this.open = true;
    while ((this.memEnd - this.memStartOf(this.first)) > this.bytesMax && this.length > 1) this.dropOldest();
  }

  private pushPair(addr: number, byte: number): void {
    let k = 2 * (this.memEnd - this.memBase);
    if (k + 2 > this.mem.length) {
      const live = this.memEnd - this.memStartOf(this.first);
      const start = this.memStartOf(this.first);
      // Compact (drop pairs of dropped entries) and grow when still more than half full.
      const size = live * 2 + 2 > this.mem.length / 2 ? this.mem.length * 2 : this.mem.length;
      const m = new Int32Array(size);
      m.set(this.mem.subarray(2 * (start - this.memBase), 2 * (this.memEnd - this.memBase)));
      this.mem = m;
      this.memBase = start;
      k = 2 * (this.memEnd - this.memBase);
    }
    this.mem[k] = addr;
    this.mem[k + 1] = byte;
    this.memEnd++;
  }

  private memStartOf(id: number): number {
    return id < this.next ? this.memStart[this.slot(id)] : this.memEnd;
  }

  /** The MMU is about to write [lin, lin+len): save what is there now. */
  onWrite(lin: number, len: number): void {
    if (!this.open || len <= 0 || this.length === 0) return;
    const t = this.target;
    let a = lin >>> 0;
    let left = len;
    while (left > 0) {
      const w = inspectWalk(t.mem, t.mmu.cr3, a);
      const n = Math.min(left, 0x1000 - (a & 0xfff));
      if (w.physical >= 0) for (let k = 0; k < n; k++) this.pushPair((a + k) | 0, t.mem.bytes[w.physical + k]);
      a = (a + n) >>> 0;
      left -= n;
    }
  }

  /** The instruction of the newest entry did not run after all (the debugger stopped first). */
  cancelCurrent(): void {
    if (this.open && this.length > 0 && this.memStartOf(this.next - 1) === this.memEnd) {
      this.fpuSaves.delete(this.next - 1);
      this.next--;
    }
    this.open = false;
  }

  private dropOldest(): void {
    this.fpuSaves.delete(this.first);
    this.first++;
    this.dropped++;
  }

  private newest(): number {
    return this.slot(this.next - 1) * STRIDE;
  }

  /** Where the latest entry was taken (the EIP a reverse step goes back to), or -1. */
  peekEip(): number {
    return this.length > 0 ? this.rec[this.newest() + 8] >>> 0 : -1;
  }

  peekSyscall(): boolean {
    return this.length > 0 && (this.rec[this.newest() + 23] & F_SYSCALL) !== 0;
  }

  /** Addresses the latest entry's instruction wrote. */
  peekWrites(): number[] {
    if (this.length === 0) return [];
    const out: number[] = [];
    for (let p = this.memStartOf(this.next - 1); p < this.memEnd; p++) out.push(this.mem[2 * (p - this.memBase)] >>> 0);
    return out;
  }

  /**
   * Undoes the latest instruction: memory first (newest save first), then registers. Returns
   * ok false when the history is empty. Bytes whose page is gone are counted in `lost`.
   */
  stepBack(c: Cpu): { ok: boolean; lost: number; syscall: boolean } {
    this.open = false;
    if (this.length === 0) return { ok: false, lost: 0, syscall: false };
    const id = this.next - 1;
    const t = this.target;
    let lost = 0;
    const start = this.memStartOf(id);
    for (let p = this.memEnd - 1; p >= start; p--) {
      const k = 2 * (p - this.memBase);
      const w = inspectWalk(t.mem, t.mmu.cr3, this.mem[k] >>> 0);
      if (w.physical < 0) { lost++; continue; }
      t.mem.bytes[w.physical] = this.mem[k + 1];
      t.mmu.invalidateCode(w.physical >>> PAGE_SHIFT);
    }
    this.memEnd = start;
    const b = this.slot(id) * STRIDE;
    const r = this.rec;
    for (let i = 0; i < 8; i++) c.regs[i] = r[b + i];
    c.eip = r[b + 8];
    c.setEflags(r[b + 9]);
    for (let i = 0; i < 6; i++) { c.segSel[i] = r[b + 10 + i]; c.segBase[i] = r[b + 16 + i]; }
    c.sse.mxcsr = r[b + 22];
    const checks = r[b + 24];
    c.segLimited = checks & 0xff;
    c.segNoWrite = (checks >> 8) & 0xff;
    c.segNoRead = (checks >> 16) & 0xff;
    c.code16 = (checks >> 24) !== 0;
    for (let i = 0; i < 6; i++) { c.segLimitLo[i] = r[b + 25 + i]; c.segLimitHi[i] = r[b + 31 + i]; }
    c.refreshCsMode();
    const saved = this.fpuSaves.get(id);
    if (saved) {
      c.fpu.restore(saved.fpu);
      c.sse.xmm.set(saved.xmm);
      this.fpuSaves.delete(id);
    }
    this.next--;
    return { ok: true, lost, syscall: (r[b + 23] & F_SYSCALL) !== 0 };
  }

  clear(): void {
    this.first = this.next = 0;
    this.memBase = this.memEnd = 0;
    this.fpuSaves.clear();
    this.open = false;
  }

  info(): string {
    return [
      'Active record target: record-full',
      `Log contains ${this.length} instructions${this.dropped ? ` (${this.dropped} older ones dropped)` : ''}.`,
      `Max logged instructions is ${this.insnMax}; saved memory ${this.memEnd - this.memStartOf(this.first)} bytes of at most ${this.bytesMax}.`,
    ].join('\n');
  }
}
