// modify_ldt as arch/x86/kernel/ldt.c implements it on i386: the descriptor fill_ldt builds
// from a struct user_desc (DPL 3, S and the accessed bit set, AVL dropped in the old format),
// the entries that clear a slot, write_ldt's -EINVAL cases, func 2's 40 zero bytes, -ENOSYS
// for other funcs, -EFAULT for a bad pointer, read_ldt's zero fill, and the LDT following the
// mm: copied by fork (dupMm), shared by the threads through LDTR. After a write, DS/ES/FS
// re-read their descriptors as i386's exit path pops them (0 when the selector no longer
// loads) and GS keeps its cached one: Linux's behaviour, stated here (qemu-user keeps them all).
import { describe, expect, it } from 'vitest';
import * as ldt from '../../../kernel/syscalls/ldt.js';
import { EFAULT, EINVAL, ENOSYS } from '../../../kernel/errno.js';
import { dupMm } from '../../../kernel/mm/fork.js';
import { FS, GS } from '../../../src/cpu/registers.js';
import { bootKernel, call, type Booted } from './sysHelpers.js';

const SEG_32BIT = 1, READ_EXEC_ONLY = 8, LIMIT_IN_PAGES = 16, SEG_NOT_PRESENT = 32, USEABLE = 64;
const contents = (n: number) => n << 1;

function userDesc(b: Booted, entry: number, base: number, limit: number, flags: number, at = 0): number {
  const d = new DataView(new ArrayBuffer(16));
  d.setUint32(0, entry, true); d.setUint32(4, base, true); d.setUint32(8, limit, true); d.setUint32(12, flags, true);
  b.write(b.buf + at, new Uint8Array(d.buffer));
  return b.buf + at;
}

/** The LDT as read_ldt returns it, descriptor by descriptor as [low word, high word]. */
function readTable(b: Booted, entries: number): Array<[number, number]> {
  const at = b.buf + 0x1000;
  expect(call(ldt.sysModifyLdt, b.k, 0, at, entries * 8)).toBe(entries * 8);
  return Array.from({ length: entries }, (_, i) => [b.u32(at + i * 8), b.u32(at + i * 8 + 4)]);
}

describe('modify_ldt', () => {
  it('reads nothing while the process has no LDT, and 40 zero bytes of default LDT', () => {
    const b = bootKernel();
    b.write(b.buf, new Uint8Array(64).fill(0xa5));
    expect(call(ldt.sysModifyLdt, b.k, 0, b.buf, 64)).toBe(0);
    expect(b.u32(b.buf)).toBe(0xa5a5a5a5);
    expect(call(ldt.sysModifyLdt, b.k, 2, b.buf, 64)).toBe(40);
    expect([...b.read(b.buf, 40)].every((x) => x === 0)).toBe(true);
    expect(b.u32(b.buf + 40)).toBe(0xa5a5a5a5);
    expect(b.k.cpu.ldt).toBeNull();
  });

  it('writes fill_ldt descriptors in the new format and clears AVL in the old one', () => {
    const b = bootKernel();
    const flags = SEG_32BIT | LIMIT_IN_PAGES | USEABLE;
    expect(call(ldt.sysModifyLdt, b.k, 0x11, userDesc(b, 0, 0x12345678, 0xabcde, flags), 16)).toBe(0);
    expect(call(ldt.sysModifyLdt, b.k, 1, userDesc(b, 2, 0x12345678, 0xabcde, flags), 16)).toBe(0);
    // A 16-bit read-only data segment and a 32-bit execute-only code segment.
    expect(call(ldt.sysModifyLdt, b.k, 0x11, userDesc(b, 3, 0x1000, 0xffff, READ_EXEC_ONLY), 16)).toBe(0);
    expect(call(ldt.sysModifyLdt, b.k, 0x11, userDesc(b, 4, 0, 0xfffff, SEG_32BIT | LIMIT_IN_PAGES | contents(2) | READ_EXEC_ONLY), 16)).toBe(0);
    expect(readTable(b, 5)).toEqual([
      [0x5678bcde, 0x12daf334],
      [0, 0], // the table grew to entry + 1: entry 1 is empty
      [0x5678bcde, 0x12caf334],
      [0x1000ffff, 0x0000f100],
      [0x0000ffff, 0x00cff900],
    ]);
    expect(b.k.cpu.ldt).toBe(b.k.mm.ldt);
    expect(b.k.mm.ldt!.nrEntries).toBe(5);
  });

  it('clears an entry for LDT_empty, and for base = limit = 0 only in the old format', () => {
    const b = bootKernel();
    const flat = SEG_32BIT | LIMIT_IN_PAGES;
    for (const e of [0, 1, 2]) expect(call(ldt.sysModifyLdt, b.k, 0x11, userDesc(b, e, 0x1000, 0xfff, flat), 16)).toBe(0);
    expect(call(ldt.sysModifyLdt, b.k, 0x11, userDesc(b, 0, 0, 0, READ_EXEC_ONLY | SEG_NOT_PRESENT), 16)).toBe(0);
    expect(call(ldt.sysModifyLdt, b.k, 1, userDesc(b, 1, 0, 0, flat), 16)).toBe(0);
    expect(call(ldt.sysModifyLdt, b.k, 0x11, userDesc(b, 2, 0, 0, flat), 16)).toBe(0);
    expect(readTable(b, 3)).toEqual([[0, 0], [0, 0], [0, 0x00c0f300]]);
  });

  it('rejects what write_ldt rejects', () => {
    const b = bootKernel();
    const at = userDesc(b, 0, 0x1000, 0xfff, SEG_32BIT);
    expect(call(ldt.sysModifyLdt, b.k, 0x11, at, 15)).toBe(-EINVAL);
    expect(call(ldt.sysModifyLdt, b.k, 1, at, 17)).toBe(-EINVAL);
    expect(call(ldt.sysModifyLdt, b.k, 0x11, userDesc(b, 8192, 0x1000, 0xfff, SEG_32BIT), 16)).toBe(-EINVAL);
    // Contents 3 only as a not-present entry, and never in the old format.
    expect(call(ldt.sysModifyLdt, b.k, 0x11, userDesc(b, 0, 0x1000, 0xfff, SEG_32BIT | contents(3)), 16)).toBe(-EINVAL);
    expect(call(ldt.sysModifyLdt, b.k, 1, userDesc(b, 0, 0x1000, 0xfff, SEG_32BIT | contents(3) | SEG_NOT_PRESENT), 16)).toBe(-EINVAL);
    expect(b.k.mm.ldt).toBeNull();
    expect(call(ldt.sysModifyLdt, b.k, 0x11, userDesc(b, 8191, 0x1000, 0xfff, SEG_32BIT | contents(3) | SEG_NOT_PRESENT), 16)).toBe(0);
    expect(b.k.mm.ldt!.nrEntries).toBe(8192);
    expect(b.k.mm.ldt!.access(8191)).toBe(0x7f); // not present, DPL 3, conforming readable code
    expect(call(ldt.sysModifyLdt, b.k, 3, at, 16)).toBe(-ENOSYS);
    expect(call(ldt.sysModifyLdt, b.k, 0x10, at, 16)).toBe(-ENOSYS);
    expect(call(ldt.sysModifyLdt, b.k, 0x11, 16, 16)).toBe(-EFAULT);
    expect(call(ldt.sysModifyLdt, b.k, 0, 16, 8)).toBe(-EFAULT);
  });

  it('reads at most 64 KiB and zero-fills past the entries', () => {
    const b = bootKernel();
    expect(call(ldt.sysModifyLdt, b.k, 0x11, userDesc(b, 0, 0x1000, 0xfff, SEG_32BIT), 16)).toBe(0);
    b.write(b.buf + 0x100, new Uint8Array(32).fill(0xa5));
    expect(call(ldt.sysModifyLdt, b.k, 0, b.buf + 0x100, 20)).toBe(20);
    expect(b.u32(b.buf + 0x104)).toBe(0x0040f300);
    expect([...b.read(b.buf + 0x108, 12)].every((x) => x === 0)).toBe(true);
    expect(b.u32(b.buf + 0x114)).toBe(0xa5a5a5a5);
    expect(call(ldt.sysModifyLdt, b.k, 0, b.buf, 3)).toBe(3);
    // bytecount is clamped to LDT_ENTRIES * 8 = 64 KiB: the 64 KiB scratch buffer holds it.
    expect(call(ldt.sysModifyLdt, b.k, 0, b.buf, 0x7fffffff)).toBe(0x10000);
  });

  it('reloads FS from the rewritten descriptor on the way out, and leaves GS cached', () => {
    const b = bootKernel();
    const cpu = b.k.cpu;
    expect(call(ldt.sysModifyLdt, b.k, 0x11, userDesc(b, 0, 0x1000, 0xfff, SEG_32BIT), 16)).toBe(0);
    expect(cpu.loadSegment(FS, 0x07)).toBe(true);
    expect(cpu.loadSegment(GS, 0x07)).toBe(true);
    expect(call(ldt.sysModifyLdt, b.k, 0x11, userDesc(b, 0, 0x2000, 0xfff, SEG_32BIT), 16)).toBe(0);
    expect([cpu.segSel[FS], cpu.segBase[FS], cpu.segSel[GS], cpu.segBase[GS]]).toEqual([0x07, 0x2000, 0x07, 0x1000]);
    expect(call(ldt.sysModifyLdt, b.k, 0x11, userDesc(b, 0, 0, 0, READ_EXEC_ONLY | SEG_NOT_PRESENT), 16)).toBe(0);
    expect([cpu.segSel[FS], cpu.segBase[FS], cpu.segSel[GS], cpu.segBase[GS]]).toEqual([0, 0, 0x07, 0x1000]);
    expect(cpu.stopReason).toBe(-1);
  });

  it('fork copies the LDT: a later write in either is not seen by the other', () => {
    const b = bootKernel();
    expect(call(ldt.sysModifyLdt, b.k, 0x11, userDesc(b, 0, 0x1000, 0xfff, SEG_32BIT), 16)).toBe(0);
    const child = dupMm(b.k.mm, { framesShared: 0 })!;
    expect(child.ldt).not.toBe(b.k.mm.ldt);
    expect(child.ldt!.base(0)).toBe(0x1000);
    expect(call(ldt.sysModifyLdt, b.k, 0x11, userDesc(b, 0, 0x2000, 0xfff, SEG_32BIT), 16)).toBe(0);
    expect(child.ldt!.base(0)).toBe(0x1000);
    expect(b.k.mm.ldt!.base(0)).toBe(0x2000);
  });
});
