// Location lists: where a variable lives at a given pc when it moves (gcc -O2). DWARF 5
// .debug_loclists (DW_LLE_* entries, DW_FORM_loclistx through the unit's offset table) and
// DWARF 2-4 .debug_loc (begin/end pairs with a 2-byte expression length).
import { ByteReader } from './reader.js';
import { Die, FormClass, Unit, addrIndex } from './info.js';
import { listIndexOffset, readPairList } from './ranges.js';
import type { DwarfSections } from './sections.js';

export interface LocEntry {
  /** [start, end) at link-time addresses; the default entry covers everything. */
  start: number;
  end: number;
  expr: Uint8Array;
  isDefault?: boolean;
  /** A base-address entry (DW_LLE_base_address/x) came right before this one: the new base. */
  base?: number;
}

/** The expression of attribute `at` valid at pc (link-time), null when no entry covers pc. */
export function locationAt(die: Die, at: number, pc: number, secs: DwarfSections): Uint8Array | null {
  const v = die.get(at);
  if (v instanceof Uint8Array) return v;
  if (typeof v !== 'number') return null;
  const entries = locationList(die, at, secs);
  let dflt: Uint8Array | null = null;
  for (const e of entries) {
    if (e.isDefault) dflt = e.expr;
    else if (pc >= e.start && pc < e.end) return e.expr;
  }
  return dflt;
}

/** All entries of the location list attribute `at` refers to. */
export function locationList(die: Die, at: number, secs: DwarfSections): LocEntry[] {
  const v = die.num(at);
  if (v === undefined) return [];
  const u = die.unit;
  try {
    if (u.version >= 5) {
      const off = die.classes.get(at) === FormClass.ListIndex ? listIndexOffset(secs.loclists, u, u.loclistsBase, v) : v;
      return readLoclist(secs, u, off);
    }
    return readLoc(secs, u, v);
  } catch {
    return [];
  }
}

function readLoclist(secs: DwarfSections, u: Unit, off: number): LocEntry[] {
  const out: LocEntry[] = [];
  if (!secs.loclists) return out;
  const r = new ByteReader(secs.loclists, off);
  let base = u.baseAddr;
  let newBase: number | undefined;
  const addr = () => r.uN(u.addrSize);
  const expr = () => r.bytes(r.uleb());
  for (;;) {
    const kind = r.u8();
    const before = out.length;
    switch (kind) {
      case 0: return out;
      case 1: base = addrIndex(secs, u, r.uleb()); newBase = base; break;
      case 2: { const a = addrIndex(secs, u, r.uleb()); const b = addrIndex(secs, u, r.uleb()); out.push({ start: a, end: b, expr: expr() }); break; }
      case 3: { const a = addrIndex(secs, u, r.uleb()); const n = r.uleb(); out.push({ start: a, end: a + n, expr: expr() }); break; }
      case 4: { const a = r.uleb(); const b = r.uleb(); out.push({ start: base + a, end: base + b, expr: expr() }); break; }
      case 5: out.push({ start: 0, end: 0, expr: expr(), isDefault: true }); break;
      case 6: base = addr(); newBase = base; break;
      case 7: { const a = addr(); const b = addr(); out.push({ start: a, end: b, expr: expr() }); break; }
      case 8: { const a = addr(); const n = r.uleb(); out.push({ start: a, end: a + n, expr: expr() }); break; }
      case 9: r.uleb(); r.uleb(); break; // DW_LLE_GNU_view_pair: location views, not needed here
      default: return out;
    }
    if (out.length > before && newBase !== undefined) {
      out[out.length - 1].base = newBase;
      newBase = undefined;
    }
  }
}

function readLoc(secs: DwarfSections, u: Unit, off: number): LocEntry[] {
  const out: LocEntry[] = [];
  if (secs.loc) readPairList(secs.loc, u, off, (start, end, r) => out.push({ start, end, expr: r.bytes(r.u16()) }));
  return out;
}
