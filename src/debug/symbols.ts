// ELF symbols for the debugger: .symtab (functions and objects with their sizes) parsed from
// the sections elfy finds, address → "name+offset" and name → address lookups, the section an
// address lies in, and the file bytes of the loadable segments (to read code before `run`).
import elfy from 'elfy';
import { parseDebugLine, LineTable } from './dwarfLine.js';
import { DebugInfo } from './dwarf/debugInfo.js';
import { DwarfSections, dwarfSections } from './dwarf/sections.js';
import type { FrameRow } from './dwarf/cfi.js';

/** A CFI row with what evaluating its expressions needs. */
export interface CfiRow { row: FrameRow; raReg: number; signal: boolean; relocate: (addr: number) => number }

export interface ElfSymbol {
  name: string;
  addr: number;
  size: number;
  /** 'func', 'object' or 'notype'. */
  kind: string;
  global: boolean;
}

interface Section { name: string; addr: number; size: number }
interface Segment { vaddr: number; filesz: number; memsz: number; data: Uint8Array }

const STT = ['notype', 'object', 'func', 'section', 'file', 'common', 'tls'];

export class SymbolTable {
  /** Sorted by address; only named functions, objects and untyped labels. */
  readonly symbols: ElfSymbol[] = [];
  readonly byName = new Map<string, ElfSymbol>();
  readonly sections: Section[] = [];
  readonly segments: Segment[] = [];
  /** The program's PT_TLS segment (its thread-local variables' initial image), if it has one. */
  tls: { memsz: number; align: number } | null = null;
  entry = 0;
  lines: LineTable | null = null;
  /** ET_DYN (PIE, static-pie, a shared object run directly): its addresses move by the load bias. */
  relocatable = false;
  /** The load bias the addresses include now (0 until relocate()). */
  bias = 0;
  private dwarfSecs: DwarfSections | null = null;
  private dwarfInfo: DebugInfo | null | undefined;
  /** Objects mapped besides the program (the vDSO), at their run-time addresses. */
  private modules: SymbolTable[] = [];

  /** The DWARF debugging information (parsed on first use), or null without .debug_info. */
  get dwarf(): DebugInfo | null {
    if (this.dwarfInfo === undefined) {
      this.dwarfInfo = null;
      const secs = this.dwarfSecs;
      if (secs && (secs.info || secs.ehFrame || secs.debugFrame)) {
        try {
          this.dwarfInfo = new DebugInfo(secs);
          this.dwarfInfo.bias = this.bias;
        } catch {
          this.dwarfInfo = null;
        }
      }
    }
    return this.dwarfInfo;
  }

  /**
   * Moves every address to a position-independent program's load bias (where exec put it, as
   * the entry point in the auxiliary vector shows). Returns how far the addresses moved.
   */
  relocate(bias: number): number {
    const delta = (bias - this.bias) | 0;
    if (!this.relocatable || delta === 0) return 0;
    const move = (a: number) => (a + delta) >>> 0;
    for (const s of this.symbols) s.addr = move(s.addr);
    for (const s of this.sections) s.addr = move(s.addr);
    for (const s of this.segments) s.vaddr = move(s.vaddr);
    this.entry = move(this.entry);
    this.lines?.shift(delta);
    this.bias = bias;
    if (this.dwarfInfo) this.dwarfInfo.bias = bias;
    return delta;
  }

  /**
   * Makes a module's symbols and CFI part of this table (replacing the modules of an earlier
   * run); the program's own symbols win a name both define.
   */
  setModules(mods: SymbolTable[]): void {
    const old = new Set(this.modules.flatMap((m) => m.symbols));
    if (old.size) {
      this.symbols.splice(0, this.symbols.length, ...this.symbols.filter((s) => !old.has(s)));
      for (const [name, sym] of [...this.byName]) if (old.has(sym)) this.byName.delete(name);
    }
    this.modules = mods;
    for (const m of mods) {
      for (const sym of m.symbols) this.symbols.push(sym);
      // The module's own choice among symbols of one name (global, default version) stands.
      for (const [name, sym] of m.byName) if (!this.byName.has(name)) this.byName.set(name, sym);
    }
    this.symbols.sort(symbolOrder);
  }

  /** The CFI row in force at a run-time pc, from the program's frame tables or a module's. */
  cfiAt(pc: number): CfiRow | null {
    for (const dw of [this.dwarf, ...this.modules.map((m) => m.dwarf)]) {
      const r = dw?.frameRowAt(pc);
      if (r && dw) return { ...r, relocate: dw.relocate };
    }
    return null;
  }

  /** Parses an ELF image; an unreadable image gives an empty table (never throws). */
  static fromImage(image: Uint8Array): SymbolTable {
    const t = new SymbolTable();
    try {
      t.load(image);
    } catch {
      // Not an ELF file we can read: no symbols.
    }
    return t;
  }

  private load(image: Uint8Array): void {
    const e = elfy.parse(Buffer.from(image.buffer, image.byteOffset, image.byteLength));
    this.entry = e.entry >>> 0;
    this.relocatable = e.type === 'dyn';
    for (const p of e.body.programs) {
      if (p.type === 'load') this.segments.push({ vaddr: p.vaddr >>> 0, filesz: p.filesz, memsz: p.memsz, data: p.data });
      if (p.type === 'tls') this.tls = { memsz: p.memsz, align: Math.max(1, p.align) };
    }
    const secs = e.body.sections;
    for (const s of secs) if (s.addr) this.sections.push({ name: s.name, addr: s.addr >>> 0, size: s.size });
    const symtab = secs.find((s) => s.type === 'symtab') ?? secs.find((s) => s.type === 'dynsym');
    if (symtab) {
      const strtab = secs[symtab.link]?.data;
      const d = symtab.data;
      // .gnu.version marks a dynamic symbol's non-default versions (pow@GLIBC_2.0 beside
      // pow@@GLIBC_2.29) with bit 15: the name means the default one, as for dlsym.
      const versym = symtab.type === 'dynsym' ? secs.find((x) => x.name === '.gnu.version')?.data : undefined;
      const hidden = new Set<ElfSymbol>();
      for (let off = 16; off + 16 <= d.length; off += 16) {
        const nameOff = d.readUInt32LE(off);
        const value = d.readUInt32LE(off + 4);
        const size = d.readUInt32LE(off + 8);
        const info = d[off + 12];
        const shndx = d.readUInt16LE(off + 14);
        const type = info & 15;
        if (type > 2 || shndx === 0 || nameOff === 0 || !strtab) continue;
        let end = nameOff;
        while (end < strtab.length && strtab[end] !== 0) end++;
        const name = strtab.toString('latin1', nameOff, end);
        if (name === '' || name.startsWith('.L') || name.startsWith('$')) continue;
        const sym: ElfSymbol = { name, addr: value, size, kind: STT[type], global: (info >> 4) !== 0 };
        this.symbols.push(sym);
        const vi = versym && (off / 16) * 2 + 2 <= versym.length ? versym.readUInt16LE((off / 16) * 2) : 0;
        if (vi & 0x8000) hidden.add(sym);
        const old = this.byName.get(name);
        if (old && hidden.has(sym) && !hidden.has(old)) continue;
        if (!old || (hidden.has(old) && !hidden.has(sym)) || (!old.global && sym.global) || (old.kind !== 'func' && sym.kind === 'func')) this.byName.set(name, sym);
      }
    }
    this.symbols.sort(symbolOrder);
    this.dwarfSecs = dwarfSections(secs.map((s) => ({ name: s.name, addr: s.addr, data: s.data })));
    const find = (n: string) => secs.find((s) => s.name === n)?.data;
    const line = find('.debug_line');
    if (line) {
      try {
        this.lines = parseDebugLine(line, find('.debug_line_str'), find('.debug_str'));
      } catch {
        this.lines = null;
      }
    }
  }

  lookup(name: string): ElfSymbol | undefined {
    return this.byName.get(name);
  }

  /**
   * The symbol an address belongs to: the nearest one at or below it, preferring a function
   * whose size covers the address. Undefined when nothing plausible is near.
   */
  symbolFor(addr: number): ElfSymbol | undefined {
    const a = addr >>> 0;
    let lo = 0;
    let hi = this.symbols.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.symbols[mid].addr <= a) lo = mid + 1;
      else hi = mid;
    }
    // Scan back a little: several symbols may share an address or nest. At one address the
    // one gdb names it by comes last (symbolOrder), so it is seen first.
    for (let i = lo - 1; i >= 0 && i >= lo - 64; i--) {
      const s = this.symbols[i];
      if (s.size > 0 && a < s.addr + s.size) return s;
    }
    const near = this.symbols[lo - 1];
    if (near && near.size === 0 && a - near.addr < 0x1000) return near;
    return undefined;
  }

  /** "name+off" (or "name") for an address, or '' when no symbol covers it. */
  describe(addr: number): string {
    const s = this.symbolFor(addr);
    if (!s) return '';
    const off = (addr >>> 0) - s.addr;
    return off ? `${s.name}+${off}` : s.name;
  }

  sectionFor(addr: number): string | undefined {
    const a = addr >>> 0;
    return this.sections.find((s) => a >= s.addr && a < s.addr + s.size)?.name;
  }

  /** A byte of the file image at a virtual address (0 in BSS), or -1 outside every segment. */
  staticByte(addr: number): number {
    const a = addr >>> 0;
    for (const s of this.segments) {
      if (a >= s.vaddr && a < s.vaddr + s.memsz) return a - s.vaddr < s.filesz ? s.data[a - s.vaddr] : 0;
    }
    return -1;
  }

  /** Names starting with prefix, for tab completion (at most `max`). */
  complete(prefix: string, max = 200): string[] {
    const out: string[] = [];
    for (const n of this.byName.keys()) {
      if (n.startsWith(prefix)) {
        out.push(n);
        if (out.length >= max) break;
      }
    }
    return out.sort();
  }
}

/** How strongly a symbol names its address: a function, then an object, then the rest. */
export function rank(s: ElfSymbol): number {
  return s.kind === 'func' ? 2 : s.kind === 'object' ? 1 : 0;
}

/**
 * The order of the address-sorted symbol list. At one address gdb sorts its minimal symbols
 * by name (strcmp) and takes the last: __libc_start_main_impl over __libc_start_main, puts
 * over _IO_puts, whether global or local.
 */
export function symbolOrder(a: ElfSymbol, b: ElfSymbol): number {
  return a.addr - b.addr || rank(a) - rank(b) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}
