// `info scope LOCATION`: the variables visible at a location, innermost block first, each with
// where it lives in gdb's words: "a variable in $edx", "static storage at address 0x...",
// "the constant 0", a location list's ranges ("multi-location:"), or "a complex DWARF
// expression:" followed by the expression disassembled as gdb does (`0: DW_OP_fbreg -12`).
import type { DebugInfo } from './dwarf/debugInfo.js';
import type { Die } from './dwarf/info.js';
import { DW_AT, DW_TAG, I386_REG_NAMES } from './dwarf/constants.js';
import { ByteReader } from './dwarf/reader.js';
import { locationList } from './dwarf/locations.js';

const hex = (n: number | bigint) => '0x' + n.toString(16);

/** DW_OP names by opcode for the ones without operands, plus the families. */
const SIMPLE: Record<number, string> = {
  0x06: 'deref', 0x12: 'dup', 0x13: 'drop', 0x14: 'over', 0x16: 'swap', 0x17: 'rot', 0x19: 'abs', 0x1a: 'and', 0x1b: 'div',
  0x1c: 'minus', 0x1d: 'mod', 0x1e: 'mul', 0x1f: 'neg', 0x20: 'not', 0x21: 'or', 0x22: 'plus', 0x24: 'shl', 0x25: 'shr',
  0x26: 'shra', 0x27: 'xor', 0x29: 'eq', 0x2a: 'ge', 0x2b: 'gt', 0x2c: 'le', 0x2d: 'lt', 0x2e: 'ne', 0x96: 'nop',
  0x9b: 'form_tls_address', 0x9c: 'call_frame_cfa', 0x9f: 'stack_value', 0xe0: 'GNU_push_tls_address',
};

/** gdb's name of i386 DWARF register n (the System V i386 psABI numbering). */
function regName(n: number): string {
  if (I386_REG_NAMES[n] !== undefined) return `$${I386_REG_NAMES[n]}`;
  if (n === 9) return '$eflags';
  if (n >= 11 && n <= 18) return `$st${n - 11}`;
  if (n >= 21 && n <= 28) return `$xmm${n - 21}`;
  if (n >= 29 && n <= 36) return `$mm${n - 29}`;
  return `$r${n}`;
}

/**
 * gdb's disassembly of a DWARF expression: one "     OFFSET: DW_OP_name args" line per
 * operation; typeName names the base type a DW_OP_convert refers to (a unit-relative offset).
 */
export function disassembleExpr(expr: Uint8Array, typeName: (cuOffset: number) => string = () => '?'): string[] {
  const r = new ByteReader(expr);
  const out: string[] = [];
  while (!r.done) {
    const at = r.pos;
    const op = r.u8();
    let text: string;
    if (op >= 0x30 && op <= 0x4f) text = `DW_OP_lit${op - 0x30}`;
    else if (op >= 0x50 && op <= 0x6f) text = `DW_OP_reg${op - 0x50} [${regName(op - 0x50)}]`;
    else if (op >= 0x70 && op <= 0x8f) text = `DW_OP_breg${op - 0x70} ${r.sleb()} [${regName(op - 0x70)}]`;
    else if (SIMPLE[op] !== undefined) text = `DW_OP_${SIMPLE[op]}`;
    else {
      switch (op) {
        case 0x03: text = `DW_OP_addr ${hex(r.u32())}`; break;
        case 0x08: text = `DW_OP_const1u ${r.u8()}`; break;
        case 0x09: text = `DW_OP_const1s ${r.s8()}`; break;
        case 0x0a: text = `DW_OP_const2u ${r.u16()}`; break;
        case 0x0b: text = `DW_OP_const2s ${r.s16()}`; break;
        case 0x0c: text = `DW_OP_const4u ${r.u32()}`; break;
        case 0x0d: text = `DW_OP_const4s ${r.s32()}`; break;
        case 0x10: text = `DW_OP_constu ${r.uleb()}`; break;
        case 0x11: text = `DW_OP_consts ${r.sleb()}`; break;
        case 0x15: text = `DW_OP_pick ${r.u8()}`; break;
        case 0x23: text = `DW_OP_plus_uconst ${r.uleb()}`; break;
        case 0x28: text = `DW_OP_bra to ${r.pos + 2 + r.s16()}`; break;
        case 0x2f: text = `DW_OP_skip to ${r.pos + 2 + r.s16()}`; break;
        case 0x90: { const n = r.uleb(); text = `DW_OP_regx ${n} [${regName(n)}]`; break; }
        case 0x91: text = `DW_OP_fbreg ${r.sleb()}`; break;
        case 0x92: { const n = r.uleb(); text = `DW_OP_bregx register ${n} [${regName(n)}] offset ${r.sleb()}`; break; }
        case 0x93: text = `DW_OP_piece ${r.uleb()} (bytes)`; break;
        case 0x94: text = `DW_OP_deref_size ${r.u8()}`; break;
        case 0x9d: { const size = r.uleb(); text = `DW_OP_bit_piece size ${size} offset ${r.uleb()} (bits)`; break; }
        case 0x9e: { const n = r.uleb(); r.bytes(n); text = `DW_OP_implicit_value ${n}`; break; }
        case 0xa3: case 0xf3: { const n = r.uleb(); r.bytes(n); text = `DW_OP_${op === 0xa3 ? 'entry_value' : 'GNU_entry_value'}`; break; }
        case 0xa8: case 0xf7: { const off = r.uleb(); text = `DW_OP_${op === 0xa8 ? 'convert' : 'GNU_convert'}<${typeName(off)} [${hex(off)}]>`; break; }
        default:
          // The rest of the expression cannot be decoded without this operation's operands.
          out.push(`${String(at).padStart(6)}: 0x${op.toString(16)}`);
          return out;
      }
    }
    out.push(`${String(at).padStart(6)}: ${text}`);
  }
  return out;
}

/** One location expression in gdb's words (after "is " or after a range). */
function describeExpr(expr: Uint8Array, typeName: (cuOffset: number) => string): string {
  if (expr.length === 1 && expr[0] >= 0x50 && expr[0] <= 0x6f) return `a variable in ${regName(expr[0] - 0x50)}`;
  if (expr.length === 2 && expr[0] >= 0x30 && expr[0] <= 0x4f && expr[1] === 0x9f) return `the constant ${expr[0] - 0x30}`;
  if (expr.length === 5 && expr[0] === 0x03) {
    const dv = new DataView(expr.buffer, expr.byteOffset + 1, 4);
    return `static storage at address ${hex(dv.getUint32(0, true))}`;
  }
  return `a complex DWARF expression:\n${disassembleExpr(expr, typeName).join('\n')}\n`;
}

/** "Symbol x is ..., length N." for one variable or parameter. */
function describeSymbol(dw: DebugInfo, d: Die): string {
  const name = dw.nameOf(d);
  const size = Math.max(0, dw.typeOfDie(d).size);
  const typeName = (off: number) => {
    const t = dw.dies.get(d.unit.offset + off);
    return t ? dw.nameOf(t) : '?';
  };
  const locDie = d.has(DW_AT.location) ? d : undefined;
  if (!locDie) {
    const cv = (dw.origin(d, DW_AT.const_value) ?? d).get(DW_AT.const_value);
    if (typeof cv === 'number' || typeof cv === 'bigint') {
      const v = BigInt(cv);
      return `Symbol ${name} is a constant with value ${v} (${hex(BigInt.asUintN(Math.max(8, size * 8), v))}), length ${size}.`;
    }
    return `Symbol ${name} is optimized out.`;
  }
  const v = locDie.get(DW_AT.location);
  if (v instanceof Uint8Array) return `Symbol ${name} is ${describeExpr(v, typeName)}, length ${size}.`;
  const entries = locationList(locDie, DW_AT.location, dw.secs);
  const lines = entries.map((e) => {
    const base = e.base !== undefined ? `  Base address ${hex(dw.relocate(e.base))}` : '';
    const range = e.isDefault ? '  Default' : `  Range ${hex(dw.relocate(e.start))}-${hex(dw.relocate(e.end))}`;
    return `${base}${range}: ${describeExpr(e.expr, typeName)}\n`;
  });
  return `Symbol ${name} is multi-location:\n${lines.join('')}, length ${size}.`;
}

/** The text of `info scope` for the block at run-time address pc; label is what the user typed. */
export function infoScopeText(dw: DebugInfo, pc: number, label: string): string {
  const out: string[] = [];
  for (const scope of dw.scopesAt(pc)) {
    for (const c of scope.children) {
      if (c.tag === DW_TAG.variable || c.tag === DW_TAG.formal_parameter) out.push(describeSymbol(dw, c));
    }
  }
  if (out.length === 0) return `Scope for ${label}:\nSymbol table for ${label} contains no locals or arguments.`;
  return `Scope for ${label}:\n${out.join('\n')}`;
}
