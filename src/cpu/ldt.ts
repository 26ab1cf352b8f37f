// The local descriptor table modify_ldt fills (arch/x86/kernel/ldt.c's struct ldt_struct):
// up to LDT_ENTRIES 8-byte descriptors in the hardware format, owned by an address space and
// shared by its threads. The CPU reads it through Cpu.ldt (LDTR), which the kernel points at
// the running task's table on every context switch and exec.

/** LDT_ENTRIES: the table holds at most 8192 descriptors (the 13-bit selector index). */
export const LDT_ENTRIES = 8192;
export const LDT_ENTRY_SIZE = 8;

/** Descriptor high-word bits: D/B (default 32-bit) and G (limit in 4 KiB units). */
export const DESC_HI_DB = 1 << 22;
export const DESC_HI_G = 1 << 23;

export class Ldt {
  /** Two little-endian words per descriptor (low word, high word), nrEntries of them. */
  words: Uint32Array;
  nrEntries: number;

  constructor(nrEntries = 0) {
    this.nrEntries = nrEntries;
    this.words = new Uint32Array(nrEntries * 2);
  }

  /** A copy (ldt_dup_context at fork). */
  clone(): Ldt {
    const l = new Ldt(this.nrEntries);
    l.words.set(this.words);
    return l;
  }

  /** Stores descriptor index, growing the table to index + 1 entries (write_ldt). */
  set(index: number, lo: number, hi: number): void {
    if (index >= this.nrEntries) {
      const words = new Uint32Array((index + 1) * 2);
      words.set(this.words);
      this.words = words;
      this.nrEntries = index + 1;
    }
    this.words[index * 2] = lo >>> 0;
    this.words[index * 2 + 1] = hi >>> 0;
  }

  lo(index: number): number {
    return this.words[index * 2];
  }

  hi(index: number): number {
    return this.words[index * 2 + 1];
  }

  /** The access byte (P, DPL, S, type) of descriptor index. */
  access(index: number): number {
    return (this.words[index * 2 + 1] >>> 8) & 0xff;
  }

  base(index: number): number {
    const lo = this.words[index * 2], hi = this.words[index * 2 + 1];
    return ((lo >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000)) | 0;
  }

  /** The effective limit in bytes (G scales the 20-bit field by 4 KiB, filling the low 12 bits). */
  limit(index: number): number {
    const lo = this.words[index * 2], hi = this.words[index * 2 + 1];
    const raw = (lo & 0xffff) | (hi & 0xf0000);
    return (hi & DESC_HI_G) !== 0 ? ((raw << 12) | 0xfff) >>> 0 : raw;
  }
}

/** The bytes of the whole table as the CPU (and read_ldt) sees them. */
export function ldtBytes(l: Ldt): Uint8Array {
  return new Uint8Array(l.words.buffer, l.words.byteOffset, l.nrEntries * LDT_ENTRY_SIZE);
}
