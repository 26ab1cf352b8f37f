// DWARF location expressions and value printing on hand-made inputs: registers, breg/fbreg,
// the CFA, pieces, implicit and computed values, entry values as optimized out; gdb's %g and
// char-array forms; and the reader on corrupted sections (no exception escapes).
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import elfy from 'elfy';
import { evalLocation, ExprContext } from '../../src/debug/dwarf/expression.js';
import { formatFloat, formatTyped } from '../../src/debug/sourceValues.js';
import { ctypeOf } from '../../src/debug/expr.js';
import { DType } from '../../src/debug/dwarf/types.js';
import { DebugInfo } from '../../src/debug/dwarf/debugInfo.js';
import { dwarfSections } from '../../src/debug/dwarf/sections.js';

const regs = [0x11, 0x22, 0x33, 0x44, 0xbffff000, 0xbffff010, 0x66, 0x77, 0x8049000];
const mem = new Map<number, number>([[0xbffff018, 0xdeadbeef], [0x804c000, 7]]);
const ctx: ExprContext = {
  reg: (n) => regs[n],
  readU32: (a) => { const v = mem.get(a); if (v === undefined) throw new Error(`unreadable ${a.toString(16)}`); return v; },
  frameBase: () => 0xbffff010,
  cfa: () => 0xbffff020,
  relocate: (a) => a + 0x1000,
};
const ev = (...bytes: number[]) => evalLocation(Uint8Array.from(bytes), ctx);

describe('DWARF expressions', () => {
  it('finds memory, registers, computed and implicit values', () => {
    expect(ev(0x91, 0x08)).toEqual({ kind: 'mem', addr: 0xbffff018 }); // fbreg 8
    expect(ev(0x75, 0x78)).toEqual({ kind: 'mem', addr: 0xbffff008 }); // breg5 -8
    expect(ev(0x9c)).toEqual({ kind: 'mem', addr: 0xbffff020 }); // call_frame_cfa
    expect(ev(0x03, 0x00, 0xc0, 0x04, 0x08)).toEqual({ kind: 'mem', addr: 0x804d000 }); // addr, relocated
    expect(ev(0x53)).toEqual({ kind: 'reg', reg: 3 }); // reg3 (ebx)
    expect(ev(0x76, 0x29, 0x9f)).toEqual({ kind: 'value', value: 0x66n + 41n }); // breg6 41; stack_value
    expect(ev(0x91, 0x08, 0x06, 0x23, 0x01, 0x9f)).toEqual({ kind: 'value', value: 0xdeadbef0n }); // fbreg 8; deref; plus_uconst 1
    expect(ev(0x9e, 0x02, 0x34, 0x12)).toEqual({ kind: 'bytes', bytes: Uint8Array.from([0x34, 0x12]) }); // implicit_value
    expect(ev(0x35, 0x33, 0x1e, 0x9f)).toEqual({ kind: 'value', value: 15n }); // lit5 lit3 mul
    expect(ev(0x31, 0x28, 0x02, 0x00, 0x38, 0x9f, 0x39, 0x9f)).toEqual({ kind: 'value', value: 9n }); // lit1 bra +2 ... lit9
  });

  it('assembles pieces and calls entry values and empty expressions optimized out', () => {
    expect(ev(0x50, 0x93, 0x04, 0x52, 0x93, 0x04)).toEqual({ kind: 'pieces', pieces: [{ loc: { kind: 'reg', reg: 0 }, size: 4 }, { loc: { kind: 'reg', reg: 2 }, size: 4 }] });
    expect(ev(0xa3, 0x01, 0x50, 0x9f)).toEqual({ kind: 'optimized' });
    expect(ev()).toEqual({ kind: 'optimized' });
    expect(() => ev(0x06)).toThrow(); // stack underflow
  });
});

describe('gdb value formats', () => {
  const env = { describe: (a: number) => (a === 0x804c000 ? 'counter' : ''), readString: () => ({ text: 'hi', complete: true }) };
  const int: DType = { kind: 'base', name: 'int', size: 4, encoding: 5 };
  const char: DType = { kind: 'base', name: 'char', size: 1, encoding: 6 };
  const v = (dt: DType, bits: bigint) => formatTyped({ bits, type: ctypeOf(dt), lval: null }, dt, null, env);

  it('prints doubles with 17 significant digits and floats with 9, as %g', () => {
    expect(formatFloat(0.1, 17)).toBe('0.10000000000000001');
    expect(formatFloat(168, 17)).toBe('168');
    expect(formatFloat(1e300, 17)).toBe('1.0000000000000001e+300');
    expect(formatFloat(Math.fround(0.1), 9)).toBe('0.100000001');
    expect(formatFloat(1.5e-7, 17)).toBe('1.4999999999999999e-07');
  });

  it('prints arrays with repeats, char arrays as strings, pointers with their symbol', () => {
    const arr: DType = { kind: 'array', name: '', size: 48, target: int, dims: [12] };
    expect(v(arr, 1n)).toBe('{1, 0 <repeats 11 times>}');
    const buf: DType = { kind: 'array', name: '', size: 16, target: char, dims: [16] };
    expect(v(buf, 0x6968n)).toBe(`"hi", '\\000' <repeats 13 times>`);
    // print elements (200) counts a repeat block as 10: a long tail of NULs is still one block.
    const big: DType = { kind: 'array', name: '', size: 40000, target: char, dims: [40000] };
    expect(v(big, 0x78n)).toBe(`"x", '\\000' <repeats 39998 times>`);
    const text: DType = { kind: 'array', name: '', size: 300, target: char, dims: [300] };
    let abc = 0n;
    for (let k = 299; k >= 0; k--) abc = (abc << 8n) | BigInt(97 + (k % 3));
    expect(v(text, abc)).toBe(`"${'abc'.repeat(67).slice(0, 200)}"...`);
    const ptr: DType = { kind: 'pointer', name: '', size: 4, target: int };
    expect(v(ptr, 0x804c000n)).toBe('(int *) 0x804c000 <counter>');
    expect(v({ kind: 'pointer', name: '', size: 4, target: char }, 0x804c000n)).toBe('0x804c000 "hi"');
    const e: DType = { kind: 'enum', name: 'e', size: 4, enumerators: [['A', 0n], ['B', 5n]] };
    expect(v(e, 5n)).toBe('B');
    expect(v(e, 3n)).toBe('3');
  });
});

const prog = join(__dirname, '../../guest-programs/build/dwarf_demo-g-O2');
describe.skipIf(!existsSync(prog))('reader on corrupted DWARF', () => {
  it('never throws while indexing, whatever the bytes of .debug_info/.debug_abbrev/.eh_frame', () => {
    const e = elfy.parse(readFileSync(prog));
    const good = dwarfSections(e.body.sections);
    let seed = 12345;
    const rnd = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed; };
    for (let round = 0; round < 40; round++) {
      const secs = { ...good };
      for (const key of ['info', 'abbrev', 'ehFrame', 'loclists', 'rnglists'] as const) {
        const copy = Uint8Array.from(good[key] ?? []);
        for (let k = 0; k < 8; k++) if (copy.length) copy[rnd() % copy.length] = rnd() & 0xff;
        secs[key] = copy;
      }
      const di = new DebugInfo(secs);
      for (const f of di.functions.slice(0, 5)) {
        di.scopesAt(di.entryOf(f));
        di.frameRowAt(di.entryOf(f) + 3);
        for (const d of di.localsAt(di.entryOf(f) + 3)) di.typeOfDie(d);
      }
    }
  });
});
