// Record and reverse execution (gdb's "record full"): before each instruction the registers
// are saved, and every guest write the MMU reports (mmu.hookWrites sends all writes to the
// slow path and onAccess) saves the bytes it is about to overwrite. Stepping back pops an
// entry and puts registers and memory back exactly. The log is bounded: by default the last
// 200,000 instructions (`set record full insn-number-max N`) and 64 MiB of saved bytes; the
// oldest entries are dropped first. Memory that the kernel writes during a system call (read()
// into a buffer, a signal frame) is not seen by the MMU hook: stepping back over a system call
// restores the registers and the user-mode writes, and says so.
import type { Cpu } from '../cpu/cpu.js';
import type { FpuState } from '../cpu/fpu/fpu.js';
import { inspectWalk } from '../mmu/paging.js';
import { PAGE_SHIFT } from '../mmu/physicalMemory.js';
import type { DebugTarget } from './target.js';
import { isSyscall, touchesFpu } from './insnPeek.js';

export const DEFAULT_INSN_MAX = 200_000;
export const DEFAULT_BYTES_MAX = 64 * 1024 * 1024;

interface Entry {
  regs: Int32Array;
  eip: number;
  eflags: number;
  segSel: Uint16Array;
  segBase: Int32Array;
  fpu: FpuState | null;
  xmm: Int32Array | null;
  mxcsr: number;
  /** Saved bytes as (linear address, old byte) pairs, in the order they were saved. */
  mem: number[];
  syscall: boolean;
}

export class Recorder {
  insnMax = DEFAULT_INSN_MAX;
  bytesMax = DEFAULT_BYTES_MAX;
  private log: Entry[] = [];
  /** Index of the oldest live entry in log (entries before it were dropped). */
  private head = 0;
  private savedBytes = 0;
  dropped = 0;
  private current: Entry | null = null;

  constructor(private readonly target: DebugTarget) {}

  get length(): number {
    return this.log.length - this.head;
  }

  /** Called before each instruction; `retry` when the last one faulted and is being restarted. */
  before(c: Cpu, code: Uint8Array | null, retry: boolean): void {
    if (retry && this.current) return; // same instruction again: keep its entry
    const e: Entry = {
      regs: c.regs.slice(0, 8), eip: c.eip, eflags: c.getEflags(), segSel: c.segSel.slice(), segBase: c.segBase.slice(),
      fpu: null, xmm: null, mxcsr: c.sse.mxcsr, mem: [], syscall: code !== null && isSyscall(code),
    };
    if (code === null || touchesFpu(code)) {
      e.fpu = c.fpu.snapshot();
      e.xmm = c.sse.xmm.slice();
    }
    this.log.push(e);
    this.current = e;
    if (this.length > this.insnMax || this.savedBytes > this.bytesMax) this.dropOldest();
  }

  /** The MMU is about to write [lin, lin+len): save what is there now. */
  onWrite(lin: number, len: number): void {
    const e = this.current;
    if (!e || len <= 0) return;
    const t = this.target;
    let a = lin >>> 0;
    let left = len;
    while (left > 0) {
      const w = inspectWalk(t.mem, t.mmu.cr3, a);
      const n = Math.min(left, 0x1000 - (a & 0xfff));
      if (w.physical >= 0) {
        for (let k = 0; k < n; k++) e.mem.push((a + k) >>> 0, t.mem.bytes[w.physical + k]);
        this.savedBytes += n;
      }
      a = (a + n) >>> 0;
      left -= n;
    }
  }

  /** The instruction of the entry just made did not run after all (the debugger stopped). */
  cancelCurrent(): void {
    if (this.current && this.current.mem.length === 0 && this.log[this.log.length - 1] === this.current) this.log.pop();
    this.current = null;
  }

  private dropOldest(): void {
    while (this.length > this.insnMax || (this.savedBytes > this.bytesMax && this.length > 1)) {
      this.savedBytes -= this.log[this.head].mem.length / 2;
      this.head++;
      this.dropped++;
    }
    if (this.head > 4096 && this.head * 2 > this.log.length) {
      this.log = this.log.slice(this.head);
      this.head = 0;
    }
  }

  /** Where the latest entry was taken (the EIP a reverse step goes back to), or -1. */
  peekEip(): number {
    return this.length > 0 ? this.log[this.log.length - 1].eip >>> 0 : -1;
  }

  /** Whether the latest entry was a system call. */
  peekSyscall(): boolean {
    return this.length > 0 && this.log[this.log.length - 1].syscall;
  }

  /** Addresses the latest entry's instruction wrote. */
  peekWrites(): number[] {
    if (this.length === 0) return [];
    const m = this.log[this.log.length - 1].mem;
    const out: number[] = [];
    for (let i = 0; i < m.length; i += 2) out.push(m[i]);
    return out;
  }

  /**
   * Undoes the latest instruction: memory first (newest save first), then registers. Returns
   * false when the history is empty. Bytes whose page is gone are counted in `lost`.
   */
  stepBack(c: Cpu): { ok: boolean; lost: number; syscall: boolean } {
    if (this.length === 0) return { ok: false, lost: 0, syscall: false };
    const e = this.log.pop()!;
    this.current = null;
    const t = this.target;
    let lost = 0;
    for (let i = e.mem.length - 2; i >= 0; i -= 2) {
      const w = inspectWalk(t.mem, t.mmu.cr3, e.mem[i]);
      if (w.physical < 0) { lost++; continue; }
      t.mem.bytes[w.physical] = e.mem[i + 1];
      t.mmu.invalidateCode(w.physical >>> PAGE_SHIFT);
    }
    this.savedBytes -= e.mem.length / 2;
    c.regs.set(e.regs);
    c.eip = e.eip;
    c.setEflags(e.eflags);
    c.segSel.set(e.segSel);
    c.segBase.set(e.segBase);
    if (e.fpu) c.fpu.restore(e.fpu);
    if (e.xmm) c.sse.xmm.set(e.xmm);
    c.sse.mxcsr = e.mxcsr;
    return { ok: true, lost, syscall: e.syscall };
  }

  clear(): void {
    this.log = [];
    this.head = 0;
    this.savedBytes = 0;
    this.current = null;
  }

  info(): string {
    return [
      'Active record target: record-full',
      `Log contains ${this.length} instructions${this.dropped ? ` (${this.dropped} older ones dropped)` : ''}.`,
      `Max logged instructions is ${this.insnMax}; saved memory ${this.savedBytes} bytes of at most ${this.bytesMax}.`,
    ].join('\n');
  }
}
