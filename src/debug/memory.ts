// The debugger's view of guest virtual memory: reads and writes through the current page
// tables without touching the TLB or the A/D bits (inspectWalk), faulting pages in the way a
// ptrace access would when the target can, and falling back to the ELF file's bytes before
// the program runs. Writes drop decoded instructions of the frames they change.
import { inspectWalk } from '../mmu/paging.js';
import { PAGE_SHIFT } from '../mmu/physicalMemory.js';
import type { DebugTarget } from './target.js';
import type { SymbolTable } from './symbols.js';

export class MemoryError extends Error {
  constructor(readonly addr: number) {
    super(`Cannot access memory at address 0x${(addr >>> 0).toString(16)}`);
  }
}

export class DebugMemory {
  constructor(private readonly getTarget: () => DebugTarget | null, private readonly symbols: SymbolTable) {}

  /** Physical address of a byte for reading or writing, or -1. */
  private phys(t: DebugTarget, addr: number, write: boolean): number {
    let w = inspectWalk(t.mem, t.mmu.cr3, addr);
    let bad = write ? w.writeFault : w.readFault;
    if (bad !== null && t.faultIn && t.faultIn(addr >>> 0, write)) {
      w = inspectWalk(t.mem, t.mmu.cr3, addr);
      bad = write ? w.writeFault : w.readFault;
    }
    if (bad === null) return w.physical;
    // A debugger may write read-only pages (like ptrace's forced writes) when no one shares them.
    if (write && w.physical >= 0 && !w.writeFault?.startsWith('supervisor') && t.mem.refcount[w.physical >>> PAGE_SHIFT] <= 1) return w.physical;
    return -1;
  }

  /** Reads len bytes at addr; throws MemoryError at the first unreadable byte. */
  read(addr: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    const t = this.getTarget();
    for (let i = 0; i < len;) {
      const a = (addr + i) >>> 0;
      if (!t) {
        const b = this.symbols.staticByte(a);
        if (b < 0) throw new MemoryError(a);
        out[i++] = b;
        continue;
      }
      const p = this.phys(t, a, false);
      if (p < 0) throw new MemoryError(a);
      const n = Math.min(len - i, 0x1000 - (a & 0xfff));
      out.set(t.mem.bytes.subarray(p, p + n), i);
      i += n;
    }
    return out;
  }

  /** Reads up to len bytes, stopping (without throwing) at the first unreadable one. */
  readSome(addr: number, len: number): Uint8Array {
    const out: number[] = [];
    try {
      for (let i = 0; i < len; i++) out.push(this.read((addr + i) >>> 0, 1)[0]);
    } catch {
      // stop at the hole
    }
    return Uint8Array.from(out);
  }

  readable(addr: number): boolean {
    try {
      this.read(addr, 1);
      return true;
    } catch {
      return false;
    }
  }

  readU32(addr: number): number {
    const b = this.read(addr, 4);
    return (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0;
  }

  /** Little-endian unsigned value of `size` bytes (1, 2, 4 or 8) as a bigint. */
  readUnsigned(addr: number, size: number): bigint {
    const b = this.read(addr, size);
    if (size <= 8) {
      let v = 0n;
      for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
      return v;
    }
    // Structs and arrays: one conversion from hex (a byte-by-byte shift is quadratic).
    let hex = '';
    for (let i = size - 1; i >= 0; i--) hex += b[i].toString(16).padStart(2, '0');
    return BigInt('0x' + hex);
  }

  write(addr: number, data: Uint8Array): void {
    const t = this.getTarget();
    if (!t) throw new Error('The program is not being run.');
    // Check every page first so that a failed write changes nothing.
    const phys: number[] = [];
    for (let i = 0; i < data.length; i++) {
      const p = this.phys(t, (addr + i) >>> 0, true);
      if (p < 0) throw new MemoryError((addr + i) >>> 0);
      phys.push(p);
    }
    for (let i = 0; i < data.length; i++) {
      t.mem.bytes[phys[i]] = data[i];
      t.mmu.invalidateCode(phys[i] >>> PAGE_SHIFT);
    }
  }

  writeUnsigned(addr: number, size: number, v: bigint): void {
    const b = new Uint8Array(size);
    for (let i = 0; i < size; i++) b[i] = Number((v >> BigInt(8 * i)) & 0xffn);
    this.write(addr, b);
  }

  /** A NUL-terminated string (at most max bytes), and whether it was cut short. */
  readCString(addr: number, max = 200): { text: string; complete: boolean } {
    const bytes: number[] = [];
    for (let i = 0; i < max; i++) {
      const b = this.read((addr + i) >>> 0, 1)[0];
      if (b === 0) return { text: Buffer.from(bytes).toString('latin1'), complete: true };
      bytes.push(b);
    }
    return { text: Buffer.from(bytes).toString('latin1'), complete: false };
  }
}
