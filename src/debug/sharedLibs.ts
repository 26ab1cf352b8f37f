// The shared objects a dynamic program has mapped (ld.so, libc...), found as gdb's solib list
// would be but from the process's memory areas: every file mapped from offset 0 whose bytes
// start with an ELF header, other than the program itself. Each is read through the target's
// file system (its .dynsym/.symtab, DWARF and .eh_frame) and moved by its load bias: where its
// first PT_LOAD is mapped minus that segment's page-aligned link address.
import { SymbolTable } from './symbols.js';

export interface SharedLibrary {
  /** The file as the kernel resolved it (the maps path). */
  path: string;
  /** The name gdb shows: the dynamic linker's link_map l_name (or PT_INTERP), else path. */
  name: string;
  /** Where the object's first page is mapped. */
  base: number;
  bias: number;
  /** The .text range at run time (what gdb's info sharedlibrary prints as From/To). */
  textFrom: number;
  textTo: number;
  symbols: SymbolTable;
  /** Which refresh found it: gdb lists libraries in the order it first saw them. */
  seq: number;
  /** Whether the object carries DWARF debugging information (gdb's "Yes" versus "Yes (*)"). */
  debugInfo: boolean;
}

/** First mapping of each file mapped from offset 0: path → start address, in maps order. */
export function offsetZeroMappings(maps: string): Array<{ path: string; start: number }> {
  const out: Array<{ path: string; start: number }> = [];
  const seen = new Set<string>();
  for (const line of maps.split('\n')) {
    const m = /^([0-9a-f]+)-[0-9a-f]+\s+\S+\s+([0-9a-f]+)\s+\S+\s+\d+\s+(\/.*)$/.exec(line);
    if (!m || parseInt(m[2], 16) !== 0) continue;
    const path = m[3].replace(/ \(deleted\)$/, '');
    if (seen.has(path)) continue;
    seen.add(path);
    out.push({ path, start: parseInt(m[1], 16) >>> 0 });
  }
  return out;
}

/** Lowest PT_LOAD link address (page-aligned) of an ELF image, or null when it is not ELF. */
function firstLoadPage(image: Uint8Array): number | null {
  if (image.length < 52 || image[0] !== 0x7f || image[1] !== 0x45 || image[2] !== 0x4c || image[3] !== 0x46) return null;
  const dv = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const phoff = dv.getUint32(28, true), phentsize = dv.getUint16(42, true), phnum = dv.getUint16(44, true);
  let low: number | null = null;
  for (let i = 0; i < phnum; i++) {
    const o = phoff + i * phentsize;
    if (phentsize < 32 || o + 32 > image.length) break;
    if (dv.getUint32(o, true) !== 1) continue;
    const page = (dv.getUint32(o + 8, true) & ~0xfff) >>> 0;
    if (low === null || page < low) low = page;
  }
  return low;
}

/**
 * The shared objects of one process, kept across stops: an object is parsed once per
 * (path, base), and `refresh` says whether the set changed.
 */
export class SharedLibraries {
  /** In the order they were first seen (the dynamic linker first, as in its link_map). */
  list: SharedLibrary[] = [];
  private lastMaps = '';
  private seq = 0;

  clear(): void {
    this.list = [];
    this.lastMaps = '';
  }

  /**
   * Re-reads the set from the maps text. `programBase` is the program's own first page (not a
   * library); `readFile` gives a guest file's bytes. Returns true when libraries came or went.
   */
  refresh(maps: string, programBase: number, readFile: (path: string) => Uint8Array | null): boolean {
    if (maps === this.lastMaps) return false;
    this.lastMaps = maps;
    this.seq++;
    const found = offsetZeroMappings(maps).filter((m) => m.start !== programBase);
    const keep = this.list.filter((l) => found.some((m) => m.path === l.path && m.start === l.base));
    let changed = keep.length !== this.list.length;
    // Mapped top-down, a later library sits lower: descending addresses are load order.
    const fresh = found.filter((m) => !keep.some((l) => l.path === m.path && l.base === m.start)).sort((a, b) => b.start - a.start);
    for (const m of fresh) {
      let image: Uint8Array | null = null;
      try {
        image = readFile(m.path);
      } catch {
        image = null;
      }
      if (!image) continue;
      const page = firstLoadPage(image);
      if (page === null) continue;
      const symbols = SymbolTable.fromImage(image);
      // A second executable mapped from offset 0 (ET_EXEC) cannot move: not a library.
      if (!symbols.relocatable) continue;
      const bias = (m.start - page) >>> 0;
      symbols.relocate(bias);
      const text = symbols.sections.find((s) => s.name === '.text');
      keep.push({
        path: m.path, name: m.path, base: m.start, bias, seq: this.seq,
        textFrom: text ? text.addr : m.start, textTo: text ? (text.addr + text.size) >>> 0 : m.start,
        symbols, debugInfo: symbols.lines !== null,
      });
      changed = true;
    }
    this.list = keep;
    return changed;
  }

  /** The library whose mapped image contains addr. */
  containing(addr: number): SharedLibrary | undefined {
    const a = addr >>> 0;
    return this.list.find((l) => l.symbols.segments.some((s) => a >= s.vaddr && a < s.vaddr + s.memsz));
  }
}

const DT_DEBUG = 21;

/**
 * The dynamic linker's list of loaded objects, as gdb's svr4 solib code reads it: the program's
 * DT_DEBUG entry points at r_debug, whose r_map heads the link_map chain (l_addr: the load
 * bias, l_name: the name the object was opened by). Empty before ld.so has filled DT_DEBUG.
 */
export function linkMapNames(dynamicAddr: number, read: (addr: number, len: number) => Uint8Array): Array<{ bias: number; name: string }> {
  const u32 = (a: number): number | null => {
    const b = read(a >>> 0, 4);
    return b.length === 4 ? (b[0] | (b[1] << 8) | (b[2] << 16) | (b[3] << 24)) >>> 0 : null;
  };
  let rDebug = 0;
  for (let a = dynamicAddr, k = 0; k < 256; k++, a += 8) {
    const tag = u32(a);
    if (tag === null || tag === 0) break;
    if (tag === DT_DEBUG) rDebug = u32(a + 4) ?? 0;
  }
  const out: Array<{ bias: number; name: string }> = [];
  if (rDebug === 0) return out;
  let lm = u32(rDebug + 4) ?? 0;
  for (let k = 0; lm !== 0 && k < 1024; k++) {
    const bias = u32(lm), namePtr = u32(lm + 4);
    if (bias === null || namePtr === null) break;
    const name = namePtr ? cString(namePtr, read) : '';
    if (name) out.push({ bias, name });
    lm = u32(lm + 12) ?? 0;
  }
  return out;
}

/** A NUL-terminated string from guest memory (at most 4 KiB). */
export function cString(addr: number, read: (addr: number, len: number) => Uint8Array): string {
  let text = '';
  for (let off = 0; off < 4096; off += 64) {
    const bytes = read((addr + off) >>> 0, 64);
    const end = bytes.indexOf(0);
    text += Buffer.from(bytes.subarray(0, end < 0 ? bytes.length : end)).toString('latin1');
    if (end >= 0 || bytes.length < 64) break;
  }
  return text;
}

/** Names the libraries as gdb does: link_map names, the interpreter by PT_INTERP before that. */
export function nameLibraries(libs: SharedLibrary[], linkMap: Array<{ bias: number; name: string }>, interp: { base: number; name: string } | null): SharedLibrary[] {
  for (const l of libs) {
    l.name = linkMap.find((e) => e.bias === l.bias)?.name ?? (interp && interp.base === l.base ? interp.name : l.path);
  }
  // First seen first (ld.so, there from exec, before libc); libraries seen together in
  // link_map order (load order), else in the order they were found.
  const order = (l: SharedLibrary) => {
    const i = linkMap.findIndex((e) => e.bias === l.bias);
    return i < 0 ? linkMap.length + libs.indexOf(l) : i;
  };
  return libs.slice().sort((a, b) => a.seq - b.seq || order(a) - order(b));
}
