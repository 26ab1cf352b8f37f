// The MMU as the CPU sees it: linear-address reads and writes through a one-slot-per-page TLB,
// and on a miss the CR3 → page directory → page table walk over guest physical memory, which
// checks U/S and R/W, sets the A and D bits, and raises #PF (CR2 + error code) on failure.
import { PAGE_MASK, PAGE_SHIFT, PhysicalMemory } from './physicalMemory.js';
import {
  PF_PROT, PF_USER, PF_WRITE, PTE_A, PTE_D, PTE_FRAME, PTE_P, PTE_RW, PTE_US,
} from './paging.js';

/** Thrown (one preallocated object, never allocated per access) when a walk faults. */
export class PageFault {
  readonly kind = 'page-fault';
}
export const PAGE_FAULT = new PageFault();

const TLB_SLOTS = 1 << 20;

/** hookPages values: writes to the page reach onAccess (no fast write entry) ... */
export const HOOK_WRITE = 1;
/** ... reads too (no TLB entry at all). */
export const HOOK_READ = 2;
/**
 * Filled TLB slots remembered for a flush (256 KiB): beyond this many pages since the last
 * flush, a flush clears both 1 M-slot arrays instead (milliseconds, at every context switch).
 */
export const TLB_FILLED_MAX = 1 << 16;

export interface MmuCounters {
  tlbHits: number;
  tlbMisses: number;
  tlbFlushes: number;
  pageFaults: number;
}

export class Mmu {
  readonly mem: PhysicalMemory;
  readonly bytes: Uint8Array;
  readonly dv: DataView;
  cr3 = 0;
  /** CR2 and the error code of the last #PF. */
  cr2 = 0;
  faultCode = 0;
  /**
   * TLB: slot per linear page; value is (physical page base | 1) or 0 when empty.
   * tlbW is filled only for writable pages whose D bit is set and that hold no decoded code,
   * so a fast-path write never needs to touch the page tables or the code cache.
   */
  readonly tlbR: Int32Array;
  readonly tlbW: Int32Array;
  private readonly filled: Int32Array;
  private filledCount = 0;
  private filledOverflow = false;
  /** Per physical frame: 1 when the CPU holds decoded instructions from it. */
  readonly hasCode: Uint8Array;
  /**
   * Per physical frame, the fast write entries that may point at it, so protectCodeFrame need
   * not scan the TLB: wOwner is 1 + the linear page of one (0: none), wMulti is 1 once a second
   * linear page got a write entry for the frame while the first still had one (then it scans).
   */
  private readonly wOwner: Int32Array;
  private readonly wMulti: Uint8Array;
  /** Called when a frame holding decoded code is written or changes meaning. */
  onCodeInvalidate: ((pfn: number) => void) | null = null;
  /**
   * The kernel's in-place fault handler, installed while the CPU runs a task: resolves the #PF
   * in cr2/faultCode (demand paging, copy-on-write) and returns true when the access may simply
   * be walked again. The instruction then carries on instead of unwinding to the kernel and
   * restarting; it is the same outcome, because an instruction commits nothing before its
   * last memory check. false (the kernel declined or the fault stands): PAGE_FAULT is thrown.
   */
  faultHook: ((lin: number, code: number) => boolean) | null = null;
  /** Called (by the CPU) after faultHook resolved a fault at lin: the page may map a new frame. */
  onFaultResolved: ((lin: number) => void) | null = null;
  /**
   * Bumped on every TLB flush or INVLPG and when a frame's decoded code is invalidated, so what
   * was derived from translations or code (the debugger's peek page, compiled traces) can
   * notice.
   */
  epoch = 0;
  /**
   * Debugger hooks, off (null/false) in normal runs. Pages marked in hookPages (by linear page
   * number) are never cached in the TLB for the marked kinds of access, so every such access
   * takes the slow path, which calls onAccess(lin, size, write) once the translation has
   * succeeded and before a write changes memory. hookWrites does the same for every write
   * (the debugger's record mode). The fast paths do not look at any of this; whoever sets
   * them must flush the TLB (or invlpg the pages) so that no stale entry bypasses the hook.
   */
  hookPages: Uint8Array | null = null;
  hookWrites = false;
  onAccess: ((lin: number, size: number, write: boolean) => void) | null = null;
  tlbHits = 0;
  tlbMisses = 0;
  tlbFlushes = 0;
  pageFaults = 0;

  constructor(mem: PhysicalMemory) {
    this.mem = mem;
    this.bytes = mem.bytes;
    this.dv = mem.dv;
    this.tlbR = new Int32Array(TLB_SLOTS);
    this.tlbW = new Int32Array(TLB_SLOTS);
    this.filled = new Int32Array(TLB_FILLED_MAX);
    this.hasCode = new Uint8Array(mem.frameCount);
    this.wOwner = new Int32Array(mem.frameCount);
    this.wMulti = new Uint8Array(mem.frameCount);
  }

  setCr3(v: number): void {
    this.cr3 = v & PTE_FRAME;
    this.flushTlb();
  }

  flushTlb(): void {
    if (this.filledOverflow) {
      this.tlbR.fill(0);
      this.tlbW.fill(0);
    } else {
      const f = this.filled;
      for (let i = 0; i < this.filledCount; i++) {
        this.tlbR[f[i]] = 0;
        this.tlbW[f[i]] = 0;
      }
    }
    this.filledCount = 0;
    this.filledOverflow = false;
    this.tlbFlushes++;
    this.epoch++;
  }

  /** INVLPG: drop one linear page's translation. */
  invlpg(lin: number): void {
    const vpn = lin >>> PAGE_SHIFT;
    this.tlbR[vpn] = 0;
    this.tlbW[vpn] = 0;
    this.epoch++;
  }

  /**
   * Drops fast write entries that point at frame pfn (it now holds decoded code). Afterwards
   * none does, and walk() adds none while hasCode is set, so the frame's index starts empty.
   */
  protectCodeFrame(pfn: number): void {
    this.hasCode[pfn] = 1;
    const base = (pfn << PAGE_SHIFT) | 1;
    const owner = this.wOwner[pfn];
    this.wOwner[pfn] = 0;
    if (this.wMulti[pfn] === 0) {
      if (owner !== 0 && this.tlbW[owner - 1] === base) this.tlbW[owner - 1] = 0;
      return;
    }
    this.wMulti[pfn] = 0;
    if (this.filledOverflow) {
      const w = this.tlbW;
      for (let i = 0; i < TLB_SLOTS; i++) if (w[i] === base) w[i] = 0;
    } else {
      const f = this.filled;
      for (let i = 0; i < this.filledCount; i++) if (this.tlbW[f[i]] === base) this.tlbW[f[i]] = 0;
    }
  }

  /** walk() gave linear page vpn a fast write entry for frame pfn: index it. */
  private noteWriter(pfn: number, vpn: number): void {
    const owner = this.wOwner[pfn];
    // An owner whose entry no longer points here (invlpg, flush, refill) is simply replaced.
    if (owner !== 0 && owner !== vpn + 1 && this.tlbW[owner - 1] === this.tlbW[vpn]) this.wMulti[pfn] = 1;
    else this.wOwner[pfn] = vpn + 1;
  }

  /** A frame's contents changed behind the CPU's back (kernel write, free, reuse). */
  invalidateCode(pfn: number): void {
    if (this.hasCode[pfn]) {
      this.hasCode[pfn] = 0;
      // What was derived from this frame's code (a compiled trace's members) must be checked again.
      this.epoch++;
      if (this.onCodeInvalidate) this.onCodeInvalidate(pfn);
    }
  }

  /**
   * The page walk. Returns the physical address for a user-mode access, filling the TLB, or
   * throws PAGE_FAULT with cr2/faultCode set.
   */
  translate(lin: number, write: boolean): number {
    const r = this.walk(lin, write);
    if (r < 0) return this.translateAfterFault(lin, write);
    return r;
  }

  /** The walk faulted: the kernel's faultHook may resolve it in place, else PAGE_FAULT. */
  private translateAfterFault(lin: number, write: boolean): number {
    this.pageFaults++;
    const hook = this.faultHook;
    if (hook === null || !hook(this.cr2, this.faultCode)) throw PAGE_FAULT;
    if (this.onFaultResolved !== null) this.onFaultResolved(lin);
    const r = this.walk(lin, write);
    if (r < 0) {
      this.pageFaults++;
      throw PAGE_FAULT;
    }
    return r;
  }

  /** Like translate but returns -1 on a fault (cr2/faultCode still set); never throws. */
  walk(lin: number, write: boolean): number {
    this.tlbMisses++;
    const dv = this.dv;
    const pdeAddr = ((this.cr3 >>> 0) + ((lin >>> 22) << 2)) >>> 0;
    const pde = dv.getInt32(pdeAddr, true);
    let code = PF_USER | (write ? PF_WRITE : 0);
    if (!(pde & PTE_P)) return this.fault(lin, code);
    const pteAddr = (((pde & PTE_FRAME) >>> 0) + (((lin >>> 12) & 0x3ff) << 2)) >>> 0;
    const pte = dv.getInt32(pteAddr, true);
    if (!(pte & PTE_P)) return this.fault(lin, code);
    code |= PF_PROT;
    const both = pde & pte;
    if (!(both & PTE_US)) return this.fault(lin, code);
    if (write && !(both & PTE_RW)) return this.fault(lin, code);
    if (!(pde & PTE_A)) dv.setInt32(pdeAddr, pde | PTE_A, true);
    const newPte = pte | PTE_A | (write ? PTE_D : 0);
    if (newPte !== pte) dv.setInt32(pteAddr, newPte, true);
    const vpn = lin >>> PAGE_SHIFT;
    const frame = pte & PTE_FRAME;
    const hook = this.onAccess === null ? 0 : this.hookFor(vpn);
    if (hook & HOOK_READ) return ((frame | (lin & 0xfff)) >>> 0);
    if (this.tlbR[vpn] === 0 && this.tlbW[vpn] === 0) this.noteFilled(vpn);
    this.tlbR[vpn] = frame | 1;
    if (newPte & PTE_D && both & PTE_RW && !this.hasCode[frame >>> PAGE_SHIFT] && hook === 0) {
      this.tlbW[vpn] = frame | 1;
      this.noteWriter(frame >>> PAGE_SHIFT, vpn);
    } else {
      this.tlbW[vpn] = 0;
    }
    return ((frame | (lin & 0xfff)) >>> 0);
  }

  /** Debugger: which kinds of access to linear page vpn must stay out of the TLB. */
  private hookFor(vpn: number): number {
    return (this.hookPages === null ? 0 : this.hookPages[vpn]) | (this.hookWrites ? HOOK_WRITE : 0);
  }

  private fault(lin: number, code: number): number {
    this.cr2 = lin | 0;
    this.faultCode = code;
    return -1;
  }

  private noteFilled(vpn: number): void {
    if (this.filledCount < TLB_FILLED_MAX) this.filled[this.filledCount++] = vpn;
    else this.filledOverflow = true;
  }

  /** Linear pages currently cached in the TLB (for the debugger). */
  tlbEntries(): Array<{ vpn: number; phys: number; writable: boolean }> {
    const out: Array<{ vpn: number; phys: number; writable: boolean }> = [];
    const seen = new Set<number>(); // a slot emptied by INVLPG and refilled is listed twice
    const visit = (vpn: number) => {
      const e = this.tlbR[vpn];
      if (e !== 0 && !seen.has(vpn) && seen.add(vpn)) out.push({ vpn, phys: (e & PTE_FRAME) >>> 0, writable: this.tlbW[vpn] !== 0 });
    };
    if (this.filledOverflow) for (let v = 0; v < TLB_SLOTS; v++) visit(v);
    else for (let i = 0; i < this.filledCount; i++) visit(this.filled[i]);
    return out;
  }

  // ---- linear accesses (user mode, CPL 3) -------------------------------------------------

  read8(lin: number): number {
    const e = this.tlbR[lin >>> PAGE_SHIFT];
    if (e !== 0) {
      this.tlbHits++;
      return this.bytes[((e & PTE_FRAME) | (lin & 0xfff)) >>> 0];
    }
    const p = this.translate(lin, false);
    if (this.onAccess !== null) this.onAccess(lin, 1, false);
    return this.bytes[p];
  }

  read16(lin: number): number {
    const e = this.tlbR[lin >>> PAGE_SHIFT];
    if (e !== 0 && (lin & 0xfff) < 0xfff) {
      this.tlbHits++;
      return this.dv.getUint16(((e & PTE_FRAME) | (lin & 0xfff)) >>> 0, true);
    }
    return this.read16Slow(lin);
  }

  read32(lin: number): number {
    const e = this.tlbR[lin >>> PAGE_SHIFT];
    if (e !== 0 && (lin & 0xfff) < 0xffd) {
      this.tlbHits++;
      return this.dv.getInt32(((e & PTE_FRAME) | (lin & 0xfff)) >>> 0, true);
    }
    return this.read32Slow(lin);
  }

  write8(lin: number, v: number): void {
    const e = this.tlbW[lin >>> PAGE_SHIFT];
    if (e !== 0) {
      this.tlbHits++;
      this.bytes[((e & PTE_FRAME) | (lin & 0xfff)) >>> 0] = v;
      return;
    }
    this.bytes[this.translateWrite(lin, 1)] = v;
  }

  write16(lin: number, v: number): void {
    const e = this.tlbW[lin >>> PAGE_SHIFT];
    if (e !== 0 && (lin & 0xfff) < 0xfff) {
      this.tlbHits++;
      this.dv.setUint16(((e & PTE_FRAME) | (lin & 0xfff)) >>> 0, v, true);
      return;
    }
    this.write16Slow(lin, v);
  }

  write32(lin: number, v: number): void {
    const e = this.tlbW[lin >>> PAGE_SHIFT];
    if (e !== 0 && (lin & 0xfff) < 0xffd) {
      this.tlbHits++;
      this.dv.setInt32(((e & PTE_FRAME) | (lin & 0xfff)) >>> 0, v, true);
      return;
    }
    this.write32Slow(lin, v);
  }

  /** Checks that [lin, lin+len) is writable (faulting if not) before a multi-part write. */
  probeWrite(lin: number, len: number): void {
    this.translateWrite(lin, len);
    // The second page is checked at its first byte: that is the address a fault reports (CR2).
    if (((lin & 0xfff) + len) > 0x1000) this.translateWrite(((lin + len - 1) & PAGE_MASK) | 0, 0);
  }

  /**
   * Physical address for a read of lin (TLB first). `len` (bytes from lin, within the page)
   * is only told to the debugger's onAccess hook; by default the rest of the page.
   */
  translateForRead(lin: number, len = 0x1000 - (lin & 0xfff)): number {
    const e = this.tlbR[lin >>> PAGE_SHIFT];
    if (e !== 0) return ((e & PTE_FRAME) | (lin & 0xfff)) >>> 0;
    const p = this.translate(lin, false);
    if (this.onAccess !== null) this.onAccess(lin, len, false);
    return p;
  }

  /** Physical address for a write of lin (TLB first; invalidates decoded code in the frame). */
  translateForWrite(lin: number, len = 0x1000 - (lin & 0xfff)): number {
    const e = this.tlbW[lin >>> PAGE_SHIFT];
    if (e !== 0) return ((e & PTE_FRAME) | (lin & 0xfff)) >>> 0;
    return this.translateWrite(lin, len);
  }

  private translateWrite(lin: number, len: number): number {
    const p = this.translate(lin, true);
    if (this.hasCode[p >>> PAGE_SHIFT]) this.invalidateCode(p >>> PAGE_SHIFT);
    if (this.onAccess !== null) this.onAccess(lin, len, true);
    return p;
  }

  private read16Slow(lin: number): number {
    const lo = this.read8(lin);
    return lo | (this.read8((lin + 1) | 0) << 8);
  }

  private read32Slow(lin: number): number {
    if ((lin & 0xfff) <= 0xffc) {
      const p = this.translate(lin, false);
      if (this.onAccess !== null) this.onAccess(lin, 4, false);
      return this.dv.getInt32(p, true);
    }
    const b0 = this.read8(lin);
    const b1 = this.read8((lin + 1) | 0);
    const b2 = this.read8((lin + 2) | 0);
    const b3 = this.read8((lin + 3) | 0);
    return b0 | (b1 << 8) | (b2 << 16) | (b3 << 24);
  }

  private write16Slow(lin: number, v: number): void {
    if ((lin & 0xfff) < 0xfff) {
      this.dv.setUint16(this.translateWrite(lin, 2), v, true);
      return;
    }
    const p0 = this.translateWrite(lin, 2);
    const p1 = this.translateWrite((lin + 1) | 0, 0);
    this.bytes[p0] = v;
    this.bytes[p1] = v >> 8;
  }

  private write32Slow(lin: number, v: number): void {
    if ((lin & 0xfff) <= 0xffc) {
      this.dv.setInt32(this.translateWrite(lin, 4), v, true);
      return;
    }
    // Page-crossing: check both pages before writing any byte, so a fault leaves memory intact.
    this.translateWrite(lin, 4);
    this.translateWrite(((lin + 3) & PAGE_MASK) | 0, 0);
    for (let i = 0; i < 4; i++) this.bytes[this.translate((lin + i) | 0, true)] = v >> (8 * i);
  }

}
