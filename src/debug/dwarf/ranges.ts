// Address ranges of an entry: DW_AT_low_pc/high_pc, or DW_AT_ranges into .debug_rnglists
// (DWARF 5, DW_RLE_* entries, DW_FORM_rnglistx through the unit's offset table) or
// .debug_ranges (DWARF 2-4 begin/end pairs with base address selection entries).
import { ByteReader } from './reader.js';
import { DW_AT } from './constants.js';
import { Die, FormClass, Unit, addrIndex } from './info.js';
import type { DwarfSections } from './sections.js';

/** [start, end) pairs at link-time addresses. */
export type Ranges = Array<[number, number]>;

export function dieRanges(die: Die, secs: DwarfSections): Ranges {
  const lo = die.num(DW_AT.low_pc);
  const hi = die.num(DW_AT.high_pc);
  if (lo !== undefined && hi !== undefined) return [[lo, hi]];
  const rv = die.num(DW_AT.ranges);
  if (rv === undefined) return lo !== undefined ? [[lo, lo + 1]] : [];
  const u = die.unit;
  try {
    if (u.version >= 5) {
      let off = rv;
      if (die.classes.get(DW_AT.ranges) === FormClass.ListIndex) off = listIndexOffset(secs.rnglists, u, u.rnglistsBase, rv);
      return readRnglist(secs, u, off);
    }
    return readRanges(secs, u, rv);
  } catch {
    return [];
  }
}

/** DW_FORM_rnglistx / loclistx: the offset table after the list header, relative to its base. */
export function listIndexOffset(sec: Uint8Array | undefined, u: Unit, base: number, index: number): number {
  if (!sec) return -1;
  const r = new ByteReader(sec, base + index * (u.is64 ? 8 : 4));
  return base + r.offset(u.is64);
}

function readRnglist(secs: DwarfSections, u: Unit, off: number): Ranges {
  const out: Ranges = [];
  if (!secs.rnglists) return out;
  const r = new ByteReader(secs.rnglists, off);
  let base = u.baseAddr;
  const addr = () => r.uN(u.addrSize);
  for (;;) {
    const kind = r.u8();
    switch (kind) {
      case 0: return out;
      case 1: base = addrIndex(secs, u, r.uleb()); break;
      case 2: { const a = addrIndex(secs, u, r.uleb()); out.push([a, addrIndex(secs, u, r.uleb())]); break; }
      case 3: { const a = addrIndex(secs, u, r.uleb()); out.push([a, a + r.uleb()]); break; }
      case 4: { const a = r.uleb(); out.push([base + a, base + r.uleb()]); break; }
      case 5: base = addr(); break;
      case 6: { const a = addr(); out.push([a, addr()]); break; }
      case 7: { const a = addr(); out.push([a, a + r.uleb()]); break; }
      default: return out;
    }
  }
}

function readRanges(secs: DwarfSections, u: Unit, off: number): Ranges {
  const out: Ranges = [];
  if (secs.ranges) readPairList(secs.ranges, u, off, (start, end) => out.push([start, end]));
  return out;
}

/**
 * Walks a DWARF 2-4 list of begin/end address pairs (.debug_ranges, .debug_loc) to its (0, 0)
 * end: a pair whose begin is the largest address selects a new base; entry(start, end, r) gets
 * each other pair made absolute, with the reader positioned after it (a location list's
 * expression follows there).
 */
export function readPairList(sec: Uint8Array, u: Unit, off: number, entry: (start: number, end: number, r: ByteReader) => void): void {
  const r = new ByteReader(sec, off);
  const maxAddr = u.addrSize === 8 ? 2 ** 64 - 1 : 0xffffffff;
  let base = u.baseAddr;
  for (;;) {
    const a = r.uN(u.addrSize);
    const b = r.uN(u.addrSize);
    if (a === 0 && b === 0) return;
    if (a === maxAddr) { base = b; continue; }
    entry(base + a, base + b, r);
  }
}

export function inRanges(ranges: Ranges, pc: number): boolean {
  for (const [a, b] of ranges) if (pc >= a && pc < b) return true;
  return false;
}
