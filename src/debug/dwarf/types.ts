// C types from DWARF type entries (base, pointer, struct/union with members and bit-fields,
// enum, array with its dimensions, typedef, const/volatile, function) and their names as gdb
// writes them: `int *`, `int [5]`, `int (*)(int)`, `const char *`, `struct point`.
import { DW_AT, DW_ATE, DW_TAG } from './constants.js';
import type { Die } from './info.js';

export interface Member {
  name: string;
  type: DType;
  offset: number;
  bitSize?: number;
  /** Bit offset from the start of the member's byte offset, little-endian. */
  bitOffset?: number;
}

export interface DType {
  kind: 'base' | 'pointer' | 'struct' | 'union' | 'enum' | 'array' | 'typedef' | 'const' | 'volatile' | 'func' | 'void';
  name: string;
  size: number;
  encoding?: number;
  target?: DType;
  members?: Member[];
  dims?: number[];
  enumerators?: Array<[string, bigint]>;
  params?: DType[];
  varargs?: boolean;
  prototyped?: boolean;
}

/** gcc's DW_AT_name of integer types, as gdb prints them. */
export const GDB_BASE_NAMES: Record<string, string> = {
  'short int': 'short', 'short unsigned int': 'unsigned short', 'long int': 'long', 'long unsigned int': 'unsigned long',
  'long long int': 'long long', 'long long unsigned int': 'unsigned long long',
};

export const VOID: DType = { kind: 'void', name: 'void', size: 1 };

/** Builds (and caches) the DType of a type entry; `deref` finds a referenced entry. */
export class TypeBuilder {
  private readonly cache = new Map<number, DType>();
  constructor(private readonly deref: (offset: number) => Die | undefined) {}

  /** The type an entry's DW_AT_type names (void when absent). */
  typeOf(die: Die): DType {
    const off = die.ref(DW_AT.type);
    if (off === undefined) return VOID;
    const t = this.deref(off);
    return t ? this.build(t) : VOID;
  }

  build(die: Die): DType {
    const cached = this.cache.get(die.offset);
    if (cached) return cached;
    const name = die.str(DW_AT.name) ?? '';
    const size = die.num(DW_AT.byte_size);
    const t: DType = { kind: 'void', name, size: size ?? 0 };
    this.cache.set(die.offset, t);
    switch (die.tag) {
      case DW_TAG.base_type:
        t.kind = 'base';
        t.name = GDB_BASE_NAMES[name] ?? name;
        t.encoding = die.num(DW_AT.encoding);
        break;
      case DW_TAG.pointer_type:
        t.kind = 'pointer';
        t.size = size ?? 4;
        t.target = this.typeOf(die);
        break;
      case DW_TAG.structure_type: case DW_TAG.union_type:
        t.kind = die.tag === DW_TAG.structure_type ? 'struct' : 'union';
        t.members = [];
        for (const c of die.children) {
          if (c.tag !== DW_TAG.member) continue;
          const m: Member = { name: c.str(DW_AT.name) ?? '', type: this.typeOf(c), offset: c.num(DW_AT.data_member_location) ?? 0 };
          const bits = c.num(DW_AT.bit_size);
          if (bits !== undefined) {
            m.bitSize = bits;
            let dbo = c.num(DW_AT.data_bit_offset);
            // DWARF 2-4's DW_AT_bit_offset counts from the storage unit's most significant bit.
            const old = c.num(DW_AT.bit_offset);
            if (dbo === undefined && old !== undefined) {
              const unit = c.num(DW_AT.byte_size) ?? m.type.size;
              dbo = m.offset * 8 + unit * 8 - old - bits;
            }
            if (dbo !== undefined) { m.offset = Math.floor(dbo / 8); m.bitOffset = dbo % 8; } else m.bitOffset = 0;
          }
          t.members.push(m);
        }
        break;
      case DW_TAG.enumeration_type:
        t.kind = 'enum';
        t.enumerators = [];
        for (const c of die.children) {
          if (c.tag !== DW_TAG.enumerator) continue;
          const v = c.get(DW_AT.const_value);
          t.enumerators.push([c.str(DW_AT.name) ?? '', typeof v === 'bigint' ? v : BigInt(typeof v === 'number' ? v : 0)]);
        }
        t.size = size ?? 4;
        t.target = die.has(DW_AT.type) ? this.typeOf(die) : undefined;
        break;
      case DW_TAG.array_type: {
        t.kind = 'array';
        t.target = this.typeOf(die);
        t.dims = [];
        for (const c of die.children) {
          if (c.tag !== DW_TAG.subrange_type) continue;
          const count = c.num(DW_AT.count);
          const ub = c.num(DW_AT.upper_bound);
          t.dims.push(count ?? (ub !== undefined && c.get(DW_AT.upper_bound) !== undefined && ub !== 0xffffffff ? ub + 1 : 0));
        }
        if (t.dims.length === 0) t.dims.push(0);
        t.size = t.dims.reduce((a, b) => a * b, 1) * t.target.size;
        break;
      }
      case DW_TAG.typedef:
        t.kind = 'typedef';
        t.target = this.typeOf(die);
        t.size = t.target.size;
        break;
      case DW_TAG.const_type: case DW_TAG.volatile_type: case DW_TAG.restrict_type: case DW_TAG.atomic_type:
        t.kind = die.tag === DW_TAG.volatile_type ? 'volatile' : 'const';
        t.target = this.typeOf(die);
        t.size = t.target.size;
        if (die.tag === DW_TAG.restrict_type || die.tag === DW_TAG.atomic_type) t.kind = 'typedef', t.name = t.target.name;
        break;
      case DW_TAG.subroutine_type: case DW_TAG.subprogram:
        t.kind = 'func';
        t.size = 1;
        t.target = this.typeOf(die);
        t.params = die.children.filter((c) => c.tag === DW_TAG.formal_parameter).map((c) => this.typeOf(c));
        t.varargs = die.children.some((c) => c.tag === DW_TAG.unspecified_parameters);
        t.prototyped = die.num(DW_AT.prototyped) !== undefined;
        break;
      default:
        t.kind = 'void';
        t.name = 'void';
    }
    return t;
  }
}

/** Typedefs, const and volatile peeled off. */
export function stripType(t: DType): DType {
  // Bounded: a corrupt file can make a typedef name itself.
  for (let k = 0; k < 64 && (t.kind === 'typedef' || t.kind === 'const' || t.kind === 'volatile') && t.target; k++) t = t.target;
  return t;
}

export function isSigned(t: DType): boolean {
  const s = stripType(t);
  if (s.kind === 'enum') return s.target ? isSigned(s.target) : (s.enumerators ?? []).some(([, v]) => v < 0n);
  return s.kind === 'base' && (s.encoding === DW_ATE.signed || s.encoding === DW_ATE.signed_char);
}

export function isFloat(t: DType): boolean {
  const s = stripType(t);
  return s.kind === 'base' && s.encoding === DW_ATE.float;
}

export function isCharType(t: DType): boolean {
  const s = stripType(t);
  return s.kind === 'base' && s.size === 1 && (s.encoding === DW_ATE.signed_char || s.encoding === DW_ATE.unsigned_char);
}

function tagName(t: DType): string {
  const n = t.name || '{...}';
  return t.kind === 'struct' ? `struct ${n}` : t.kind === 'union' ? `union ${n}` : t.kind === 'enum' ? `enum ${n}` : n;
}

/** The C declaration of `inner` (a name or abstract declarator, '' for the type alone) as gdb writes it. */
export function declare(t: DType, inner = ''): string {
  const sp = (base: string) => (inner ? `${base} ${inner}` : base);
  switch (t.kind) {
    case 'base': case 'typedef': case 'void': return sp(t.name || 'void');
    case 'struct': case 'union': case 'enum': return sp(tagName(t));
    case 'const': case 'volatile': {
      const q = t.kind;
      const target = t.target ?? VOID;
      if (target.kind === 'pointer') return declare(target, `${q}${inner ? ' ' + inner : ''}`).replace(/\*\s*(const|volatile)/, `* ${q}`);
      return sp(`${q} ${declare(target)}`);
    }
    case 'pointer': return declare(t.target ?? VOID, `*${inner}`);
    case 'array': {
      const wrapped = inner.startsWith('*') ? `(${inner})` : inner;
      return declare(t.target ?? VOID, `${wrapped}${(t.dims ?? []).map((d) => `[${d || ''}]`).join('')}`);
    }
    case 'func': {
      const wrapped = inner.startsWith('*') ? `(${inner})` : inner;
      const ps = (t.params ?? []).map((p) => declare(p));
      if (t.varargs) ps.push('...');
      if (ps.length === 0 && t.prototyped) ps.push('void');
      return declare(t.target ?? VOID, `${wrapped}(${ps.join(', ')})`);
    }
  }
}

/** ptype's text: struct/union/enum bodies spelled out one level deep, typedefs resolved. */
export function ptypeText(t: DType): string {
  let inner = '';
  let cur = t;
  // Peel declarators down to the named base so that `struct point *` shows the body then ` *`.
  while (cur.kind === 'typedef' && cur.target) cur = cur.target;
  const suffix: string[] = [];
  while (cur.kind === 'pointer' && cur.target) { suffix.push('*'); cur = cur.target; while (cur.kind === 'typedef' && cur.target) cur = cur.target; }
  inner = suffix.join('');
  if (cur.kind === 'struct' || cur.kind === 'union') return `${body(cur, '')}${inner ? ' ' + inner : ''}`;
  if (cur.kind === 'enum') {
    let next = 0n;
    const items = (cur.enumerators ?? []).map(([n, v]) => { const s = v === next ? n : `${n} = ${v}`; next = v + 1n; return s; });
    return `enum ${cur.name ? cur.name + ' ' : ''}{${items.join(', ')}}${inner ? ' ' + inner : ''}`;
  }
  return declare(inner ? pointerChain(cur, suffix.length) : cur);
}

/** A struct/union body; anonymous struct/union members are spelled out in place, as gdb does. */
function body(t: DType, indent: string): string {
  const lines = [`${t.name ? tagName(t) : t.kind} {`];
  for (const m of t.members ?? []) {
    const mt = m.type;
    const decl = (mt.kind === 'struct' || mt.kind === 'union') && !mt.name && indent.length < 64 ? `${body(mt, indent + '    ')}${m.name ? ' ' + m.name : ''}` : declare(mt, m.name);
    lines.push(`${indent}    ${decl}${m.bitSize !== undefined ? ` : ${m.bitSize}` : ''};`);
  }
  lines.push(`${indent}}`);
  return lines.join('\n');
}

function pointerChain(base: DType, n: number): DType {
  let t = base;
  for (let i = 0; i < n; i++) t = { kind: 'pointer', name: '', size: 4, target: t };
  return t;
}
