// .debug_info and .debug_abbrev (DWARF 2 to 5): unit headers, abbreviation tables and the tree
// of debugging information entries, with every attribute's form decoded to a plain value:
// strings resolved through .debug_str/.debug_line_str/.debug_str_offsets, addrx through
// .debug_addr, references made section-absolute, and DW_AT_high_pc made an address.
import { ByteReader, DwarfError, stringAt } from './reader.js';
import { DW_AT, DW_TAG } from './constants.js';
import type { DwarfSections } from './sections.js';

/** An attribute value: a number, a big constant, a string, a block/exprloc, or a reference. */
export type AttrValue = number | bigint | string | Uint8Array | DieRef;
export class DieRef { constructor(readonly offset: number) {} }

/** How an attribute was encoded, as far as its meaning depends on it. */
export const enum FormClass { Constant, Signed, Address, String, Block, Ref, SecOffset, Flag, ListIndex }

export interface Unit {
  offset: number;
  version: number;
  addrSize: number;
  is64: boolean;
  /** The compile unit entry (DW_TAG_compile_unit). */
  die: Die;
  strOffsetsBase: number;
  addrBase: number;
  rnglistsBase: number;
  loclistsBase: number;
  /** DW_AT_low_pc of the unit: the base of its range and location lists. */
  baseAddr: number;
  name: string;
  compDir: string;
}

export class Die {
  readonly children: Die[] = [];
  parent: Die | null = null;
  constructor(readonly offset: number, readonly tag: number, readonly unit: Unit, readonly attrs: Map<number, AttrValue>, readonly classes: Map<number, FormClass>) {}

  get(at: number): AttrValue | undefined { return this.attrs.get(at); }
  num(at: number): number | undefined { const v = this.attrs.get(at); return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : undefined; }
  str(at: number): string | undefined { const v = this.attrs.get(at); return typeof v === 'string' ? v : undefined; }
  ref(at: number): number | undefined { const v = this.attrs.get(at); return v instanceof DieRef ? v.offset : undefined; }
  has(at: number): boolean { return this.attrs.has(at); }
}

interface AbbrevSpec { tag: number; children: boolean; attrs: Array<{ at: number; form: number; implicit: number }> }

function parseAbbrevs(d: Uint8Array, off: number): Map<number, AbbrevSpec> {
  const r = new ByteReader(d, off);
  const out = new Map<number, AbbrevSpec>();
  for (;;) {
    const code = r.uleb();
    if (code === 0) break;
    const tag = r.uleb();
    const children = r.u8() !== 0;
    const attrs: AbbrevSpec['attrs'] = [];
    for (;;) {
      const at = r.uleb();
      const form = r.uleb();
      if (at === 0 && form === 0) break;
      attrs.push({ at, form, implicit: form === 0x21 ? r.sleb() : 0 });
    }
    out.set(code, { tag, children, attrs });
  }
  return out;
}

type Raw = { kind: 'v'; v: AttrValue; cls: FormClass } | { kind: 'strx' | 'addrx'; index: number; cls: FormClass };

function readForm(r: ByteReader, form: number, u: Unit, secs: DwarfSections, implicit: number): Raw {
  const v = (x: AttrValue, cls: FormClass): Raw => ({ kind: 'v', v: x, cls });
  switch (form) {
    case 0x01: return v(r.uN(u.addrSize), FormClass.Address);
    case 0x03: return v(r.bytes(r.u16()), FormClass.Block);
    case 0x04: return v(r.bytes(r.u32()), FormClass.Block);
    case 0x05: return v(r.u16(), FormClass.Constant);
    case 0x06: return v(r.u32(), FormClass.Constant);
    case 0x07: return v(r.u64big(), FormClass.Constant);
    case 0x08: return v(r.cstr(), FormClass.String);
    case 0x09: case 0x18: return v(r.bytes(r.uleb()), FormClass.Block);
    case 0x0a: return v(r.bytes(r.u8()), FormClass.Block);
    case 0x0b: return v(r.u8(), FormClass.Constant);
    case 0x0c: return v(r.u8(), FormClass.Flag);
    case 0x0d: return v(r.sleb(), FormClass.Signed);
    case 0x0e: return v(stringAt(secs.str, r.offset(u.is64)), FormClass.String);
    case 0x0f: return v(r.uleb(), FormClass.Constant);
    case 0x10: return v(new DieRef(u.version <= 2 ? r.uN(u.addrSize) : r.offset(u.is64)), FormClass.Ref);
    case 0x11: return v(new DieRef(u.offset + r.u8()), FormClass.Ref);
    case 0x12: return v(new DieRef(u.offset + r.u16()), FormClass.Ref);
    case 0x13: return v(new DieRef(u.offset + r.u32()), FormClass.Ref);
    case 0x14: return v(new DieRef(u.offset + r.u64()), FormClass.Ref);
    case 0x15: return v(new DieRef(u.offset + r.uleb()), FormClass.Ref);
    case 0x16: return readForm(r, r.uleb(), u, secs, implicit);
    case 0x17: return v(r.offset(u.is64), FormClass.SecOffset);
    case 0x19: return v(1, FormClass.Flag);
    case 0x1a: case 0x1f02: return { kind: 'strx', index: r.uleb(), cls: FormClass.String };
    case 0x1b: case 0x1f01: return { kind: 'addrx', index: r.uleb(), cls: FormClass.Address };
    case 0x1c: return v(r.u32(), FormClass.Constant);
    case 0x1d: case 0x1f21: return v(r.offset(u.is64) && '', FormClass.String);
    case 0x1e: return v(r.bytes(16), FormClass.Block);
    case 0x1f: return v(stringAt(secs.lineStr, r.offset(u.is64)), FormClass.String);
    case 0x20: return v(r.u64big(), FormClass.Constant);
    case 0x21: return v(implicit, FormClass.Signed);
    case 0x22: case 0x23: return v(r.uleb(), FormClass.ListIndex);
    case 0x24: return v(r.u64(), FormClass.Constant);
    case 0x25: return { kind: 'strx', index: r.u8(), cls: FormClass.String };
    case 0x26: return { kind: 'strx', index: r.u16(), cls: FormClass.String };
    case 0x27: return { kind: 'strx', index: r.u24(), cls: FormClass.String };
    case 0x28: return { kind: 'strx', index: r.u32(), cls: FormClass.String };
    case 0x29: return { kind: 'addrx', index: r.u8(), cls: FormClass.Address };
    case 0x2a: return { kind: 'addrx', index: r.u16(), cls: FormClass.Address };
    case 0x2b: return { kind: 'addrx', index: r.u24(), cls: FormClass.Address };
    case 0x2c: return { kind: 'addrx', index: r.u32(), cls: FormClass.Address };
    case 0x1f20: return v(new DieRef(-1), FormClass.Ref);
    default: throw new DwarfError(`unknown DWARF form 0x${form.toString(16)}`);
  }
}

/** Entry `index` of .debug_addr for a unit (its DW_AT_addr_base). */
export function addrIndex(secs: DwarfSections, u: Unit, index: number): number {
  if (!secs.addr) throw new DwarfError('DW_FORM_addrx without .debug_addr');
  return new ByteReader(secs.addr, u.addrBase + index * u.addrSize).uN(u.addrSize);
}

function strIndex(secs: DwarfSections, u: Unit, index: number): string {
  if (!secs.strOffsets) return '';
  const r = new ByteReader(secs.strOffsets, u.strOffsetsBase + index * (u.is64 ? 8 : 4));
  return stringAt(secs.str, r.offset(u.is64));
}

function resolve(raw: Raw, secs: DwarfSections, u: Unit): AttrValue {
  if (raw.kind === 'v') return raw.v;
  return raw.kind === 'strx' ? strIndex(secs, u, raw.index) : addrIndex(secs, u, raw.index);
}

/** Every compile unit of .debug_info with its entry tree; units that cannot be read are skipped. */
export function parseDebugInfo(secs: DwarfSections): { units: Unit[]; dies: Map<number, Die> } {
  const units: Unit[] = [];
  const dies = new Map<number, Die>();
  const d = secs.info;
  if (!d || !secs.abbrev) return { units, dies };
  const r = new ByteReader(d);
  const abbrevCache = new Map<number, Map<number, AbbrevSpec>>();
  while (r.pos + 11 <= d.length) {
    const offset = r.pos;
    const { length, is64 } = r.initialLength();
    const end = r.pos + length;
    try {
      const version = r.u16();
      let unitType = 1, addrSize: number, abbrevOff: number;
      if (version >= 5) {
        unitType = r.u8();
        addrSize = r.u8();
        abbrevOff = r.offset(is64);
        if (unitType === 4 || unitType === 5) r.u64();
        else if (unitType === 2 || unitType === 6) { r.u64(); r.offset(is64); }
      } else {
        abbrevOff = r.offset(is64);
        addrSize = r.u8();
      }
      if (version < 2 || version > 5) throw new DwarfError(`DWARF version ${version}`);
      let abbrevs = abbrevCache.get(abbrevOff);
      if (!abbrevs) { abbrevs = parseAbbrevs(secs.abbrev, abbrevOff); abbrevCache.set(abbrevOff, abbrevs); }
      const unit: Unit = {
        offset, version, addrSize, is64, die: null as unknown as Die,
        strOffsetsBase: 8, addrBase: 8, rnglistsBase: 0, loclistsBase: 0, baseAddr: 0, name: '', compDir: '',
      };
      const root = readTree(r, end, unit, abbrevs, secs, dies);
      if (root && (unitType === 1 || unitType === 3) && (root.tag === DW_TAG.compile_unit || root.tag === DW_TAG.partial_unit)) {
        unit.die = root;
        units.push(unit);
      }
    } catch {
      // A unit we cannot read: skip it.
    }
    r.pos = end;
  }
  return { units, dies };
}

function readTree(r: ByteReader, end: number, unit: Unit, abbrevs: Map<number, AbbrevSpec>, secs: DwarfSections, dies: Map<number, Die>): Die | null {
  let root: Die | null = null;
  const stack: Die[] = [];
  while (r.pos < end) {
    const off = r.pos;
    const code = r.uleb();
    if (code === 0) {
      stack.pop();
      if (stack.length === 0 && root) break;
      continue;
    }
    const spec = abbrevs.get(code);
    if (!spec) throw new DwarfError(`unknown abbreviation ${code}`);
    const raws: Array<[number, Raw]> = [];
    for (const a of spec.attrs) raws.push([a.at, readForm(r, a.form, unit, secs, a.implicit)]);
    if (!root) setUnitBases(unit, raws);
    const attrs = new Map<number, AttrValue>();
    const classes = new Map<number, FormClass>();
    for (const [at, raw] of raws) {
      attrs.set(at, resolve(raw, secs, unit));
      classes.set(at, raw.cls);
    }
    // DWARF 4+: a constant high_pc is the length from low_pc.
    const hi = attrs.get(DW_AT.high_pc);
    const lo = attrs.get(DW_AT.low_pc);
    if (typeof hi === 'number' && typeof lo === 'number' && classes.get(DW_AT.high_pc) !== FormClass.Address) attrs.set(DW_AT.high_pc, lo + hi);
    const die = new Die(off, spec.tag, unit, attrs, classes);
    dies.set(off, die);
    if (!root) {
      root = die;
      unit.die = die;
      unit.baseAddr = typeof lo === 'number' ? lo : 0;
      unit.name = die.str(DW_AT.name) ?? '';
      unit.compDir = die.str(DW_AT.comp_dir) ?? '';
    } else {
      const parent = stack[stack.length - 1] ?? root;
      die.parent = parent;
      parent.children.push(die);
    }
    if (spec.children) stack.push(die);
    else if (stack.length === 0) break;
  }
  return root;
}

function setUnitBases(unit: Unit, raws: Array<[number, Raw]>): void {
  for (const [at, raw] of raws) {
    if (raw.kind !== 'v' || typeof raw.v !== 'number') continue;
    if (at === DW_AT.str_offsets_base) unit.strOffsetsBase = raw.v;
    else if (at === DW_AT.addr_base || at === DW_AT.GNU_addr_base) unit.addrBase = raw.v;
    else if (at === DW_AT.rnglists_base || at === DW_AT.GNU_ranges_base) unit.rnglistsBase = raw.v;
    else if (at === DW_AT.loclists_base) unit.loclistsBase = raw.v;
  }
}
