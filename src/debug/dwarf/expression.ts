// DWARF expressions (DWARF 5 section 2.5/2.6): the stack machine that says where a variable
// lives — in memory (DW_OP_addr, fbreg, breg), in a register (DW_OP_reg), as a computed value
// (DW_OP_stack_value, implicit_value), in pieces (DW_OP_piece), or in the thread's TLS block
// (DW_OP_form_tls_address). DW_OP_entry_value asks the context for the caller's call-site
// value; where there is none, the variable is optimized out, as gdb says when it cannot find
// the call site.
import { ByteReader } from './reader.js';

export type DwarfLocation =
  | { kind: 'mem'; addr: number }
  | { kind: 'reg'; reg: number }
  | { kind: 'value'; value: bigint }
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'pieces'; pieces: Array<{ loc: DwarfLocation; size: number }> }
  | { kind: 'optimized' };

export interface ExprContext {
  /** A DWARF register's value (i386 numbering), or undefined when this frame does not know it. */
  reg(n: number): number | undefined;
  readU32(addr: number): number;
  /** The frame base (DW_AT_frame_base evaluated), for DW_OP_fbreg. */
  frameBase?(): number;
  /** The canonical frame address from the CFI, for DW_OP_call_frame_cfa. */
  cfa?(): number;
  /** Link-time address to run-time address (the load bias), for DW_OP_addr and addrx. */
  relocate(addr: number): number;
  /** .debug_addr entry, for DW_OP_addrx/constx. */
  addrIndex?(i: number): number;
  /** The address of the program's thread-local variable at offset in its TLS block (current thread). */
  tlsAddress?(offset: number): number;
  /**
   * DW_OP_entry_value: what the location `expr` (a DW_OP_regN) held when the function was
   * entered, from the caller's DW_TAG_call_site_parameter; throws OptimizedOut when unknown.
   */
  entryValue?(expr: Uint8Array): number;
}

export class OptimizedOut extends Error {}

const u32 = (n: number | bigint) => Number(BigInt.asUintN(32, BigInt(n)));

/** Evaluates a location expression. Throws OptimizedOut when the value cannot be found. */
export function evalLocation(expr: Uint8Array, ctx: ExprContext, initial: number[] = []): DwarfLocation {
  if (expr.length === 0) return { kind: 'optimized' };
  const r = new ByteReader(expr);
  const stack: bigint[] = initial.map((x) => BigInt(x));
  const pieces: Array<{ loc: DwarfLocation; size: number }> = [];
  let pending: DwarfLocation | null = null;
  const pop = (): bigint => {
    const v = stack.pop();
    if (v === undefined) throw new OptimizedOut('DWARF expression stack underflow');
    return v;
  };
  const push = (v: bigint | number) => stack.push(BigInt.asUintN(32, BigInt(v)));
  const signed = (v: bigint) => BigInt.asIntN(32, v);
  const reg = (n: number): number => {
    const v = ctx.reg(n);
    if (v === undefined) throw new OptimizedOut(`register ${n} is not known in this frame`);
    return v;
  };
  while (!r.done) {
    const op = r.u8();
    if (op >= 0x30 && op <= 0x4f) { push(op - 0x30); continue; }
    if (op >= 0x50 && op <= 0x6f) { pending = { kind: 'reg', reg: op - 0x50 }; continue; }
    if (op >= 0x70 && op <= 0x8f) { push(reg(op - 0x70) + r.sleb()); continue; }
    switch (op) {
      case 0x03: push(ctx.relocate(r.u32())); break; // addr
      case 0x06: push(ctx.readU32(u32(pop()))); break; // deref
      case 0x94: { const n = r.u8(); const v = ctx.readU32(u32(pop())); push(n >= 4 ? v : v & ((1 << (8 * n)) - 1)); break; }
      case 0x08: push(r.u8()); break;
      case 0x09: push(r.s8()); break;
      case 0x0a: push(r.u16()); break;
      case 0x0b: push(r.s16()); break;
      case 0x0c: push(r.u32()); break;
      case 0x0d: push(r.s32()); break;
      case 0x0e: stack.push(r.u64big()); break;
      case 0x0f: stack.push(BigInt.asIntN(64, r.u64big())); break;
      case 0x10: push(r.uleb()); break;
      case 0x11: push(r.sleb()); break;
      case 0x12: { const v = pop(); stack.push(v, v); break; }
      case 0x13: pop(); break;
      case 0x14: { const a = pop(); const b = pop(); stack.push(b, a, b); break; }
      case 0x15: { const i = r.u8(); const v = stack[stack.length - 1 - i]; if (v === undefined) throw new OptimizedOut('pick'); stack.push(v); break; }
      case 0x16: { const a = pop(); const b = pop(); stack.push(a, b); break; }
      case 0x17: { const a = pop(); const b = pop(); const c = pop(); stack.push(a, c, b); break; }
      case 0x19: { const v = signed(pop()); push(v < 0n ? -v : v); break; }
      case 0x1a: push(pop() & pop()); break;
      case 0x1b: { const b = signed(pop()); const a = signed(pop()); if (b === 0n) throw new OptimizedOut('division by zero'); push(a / b); break; }
      case 0x1c: { const b = pop(); push(pop() - b); break; }
      case 0x1d: { const b = pop(); const a = pop(); if (b === 0n) throw new OptimizedOut('division by zero'); push(a % b); break; }
      case 0x1e: push(pop() * pop()); break;
      case 0x1f: push(-pop()); break;
      case 0x20: push(~pop()); break;
      case 0x21: push(pop() | pop()); break;
      case 0x22: push(pop() + pop()); break;
      case 0x23: push(pop() + BigInt(r.uleb())); break;
      case 0x24: { const b = pop(); push(pop() << (b & 63n)); break; }
      case 0x25: { const b = pop(); push(pop() >> (b & 63n)); break; }
      case 0x26: { const b = pop(); push(signed(pop()) >> (b & 63n)); break; }
      case 0x27: push(pop() ^ pop()); break;
      case 0x28: { const off = r.s16(); if (pop() !== 0n) r.pos += off; break; }
      case 0x29: case 0x2a: case 0x2b: case 0x2c: case 0x2d: case 0x2e: {
        const b = signed(pop()); const a = signed(pop());
        const res = op === 0x29 ? a === b : op === 0x2a ? a >= b : op === 0x2b ? a > b : op === 0x2c ? a <= b : op === 0x2d ? a < b : a !== b;
        push(res ? 1 : 0);
        break;
      }
      case 0x2f: { const off = r.s16(); r.pos += off; break; }
      case 0x90: pending = { kind: 'reg', reg: r.uleb() }; break; // regx
      case 0x91: { // fbreg
        if (!ctx.frameBase) throw new OptimizedOut('no frame base');
        push(ctx.frameBase() + r.sleb());
        break;
      }
      case 0x92: { const n = r.uleb(); push(reg(n) + r.sleb()); break; } // bregx
      case 0x93: case 0x9d: { // piece, bit_piece
        const size = op === 0x93 ? r.uleb() : Math.ceil(r.uleb() / 8);
        if (op === 0x9d) r.uleb();
        const loc: DwarfLocation = pending ?? (stack.length ? { kind: 'mem', addr: u32(pop()) } : { kind: 'optimized' });
        pieces.push({ loc, size });
        pending = null;
        stack.length = 0;
        break;
      }
      case 0x96: break; // nop
      case 0x9b: case 0xe0: { // form_tls_address, GNU_push_tls_address
        if (!ctx.tlsAddress) throw new OptimizedOut('no thread-local storage');
        push(ctx.tlsAddress(u32(pop())));
        break;
      }
      case 0x9c: { // call_frame_cfa
        if (!ctx.cfa) throw new OptimizedOut('no CFA');
        push(ctx.cfa());
        break;
      }
      case 0x9e: pending = { kind: 'bytes', bytes: r.bytes(r.uleb()) }; break; // implicit_value
      case 0x9f: pending = { kind: 'value', value: pop() }; break; // stack_value
      case 0xa1: case 0xa2: { // addrx, constx
        if (!ctx.addrIndex) throw new OptimizedOut('no .debug_addr');
        const v = ctx.addrIndex(r.uleb());
        push(op === 0xa1 ? ctx.relocate(v) : v);
        break;
      }
      case 0xa3: case 0xf3: { // entry_value: the value at the function's entry, from the caller's call site
        const sub = r.bytes(r.uleb());
        if (!ctx.entryValue) return { kind: 'optimized' };
        push(ctx.entryValue(sub));
        break;
      }
      case 0xa0: case 0xf2: // implicit_pointer
        return { kind: 'optimized' };
      default:
        throw new OptimizedOut(`unsupported DWARF operation 0x${op.toString(16)}`);
    }
  }
  if (pieces.length) return { kind: 'pieces', pieces };
  if (pending) return pending;
  if (stack.length === 0) return { kind: 'optimized' };
  return { kind: 'mem', addr: u32(stack[stack.length - 1]) };
}

/** Evaluates an expression that computes a number (DW_AT_frame_base as a memory location). */
export function evalAddress(expr: Uint8Array, ctx: ExprContext): number {
  const loc = evalLocation(expr, ctx);
  if (loc.kind === 'mem') return loc.addr;
  if (loc.kind === 'reg') {
    const v = ctx.reg(loc.reg);
    if (v === undefined) throw new OptimizedOut('register not known');
    return v;
  }
  if (loc.kind === 'value') return u32(loc.value);
  throw new OptimizedOut('frame base is not an address');
}
