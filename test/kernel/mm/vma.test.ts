import { describe, expect, it } from 'vitest';
import {
  canMerge, findVma, insertVma, isolateRange, mergeAround, rangeFullyMapped, removeRange, splitVma,
  VM_EXEC, VM_READ, VM_WRITE, VmArea, vmaContaining, type VmFile,
} from '../../../kernel/mm/vma.js';
import { layout } from '../helpers.js';

const R = VM_READ, RW = VM_READ | VM_WRITE, RX = VM_READ | VM_EXEC;

function areas(...specs: Array<[number, number, number, string?]>): VmArea[] {
  const v: VmArea[] = [];
  for (const [s, e, f, n] of specs) insertVma(v, new VmArea(s, e, f, null, 0, n ?? null));
  return v;
}

describe('vma list', () => {
  it('find_vma returns the first area ending above the address', () => {
    const v = areas([0x1000, 0x3000, R], [0x5000, 0x6000, RW]);
    expect(findVma(v, 0x0)?.start).toBe(0x1000);
    expect(findVma(v, 0x2fff)?.start).toBe(0x1000);
    expect(findVma(v, 0x3000)?.start).toBe(0x5000);
    expect(findVma(v, 0x6000)).toBeUndefined();
    expect(vmaContaining(v, 0x4000)).toBeUndefined();
    expect(vmaContaining(v, 0x5800)?.start).toBe(0x5000);
  });

  it('insert keeps order and rejects overlaps', () => {
    const v = areas([0x5000, 0x6000, RW], [0x1000, 0x2000, R]);
    expect(layout(v)).toEqual(['00001000-00002000 r--p', '00005000-00006000 rw-p']);
    expect(() => insertVma(v, new VmArea(0x1800 & ~0xfff, 0x3000, R))).toThrow(/overlaps/);
  });

  it('split makes two areas and adjusts the file offset of the upper one', () => {
    const file: VmFile = { mapping: undefined as never, path: '/f', devMajor: 8, devMinor: 1, ino: 7 };
    const v = [new VmArea(0x10000, 0x14000, RX, file, 2)];
    const hi = splitVma(v, 0, 0x12000);
    expect(hi).toBe(1);
    expect(layout(v)).toEqual(['00010000-00012000 r-xp', '00012000-00014000 r-xp']);
    expect(v[1].pgoff).toBe(4);
    expect(canMerge(v[0], v[1])).toBe(true);
    expect(mergeAround(v, 1)).toBe(0);
    expect(layout(v)).toEqual(['00010000-00014000 r-xp']);
    expect(v[0].pgoff).toBe(2);
  });

  it('does not merge areas that differ in flags, name or file offset', () => {
    const v = areas([0x1000, 0x2000, RW], [0x2000, 0x3000, R], [0x3000, 0x4000, R, '[heap]']);
    expect(mergeAround(v, 1)).toBe(1);
    expect(v).toHaveLength(3);
    const file: VmFile = { mapping: undefined as never, path: '/f', devMajor: 0, devMinor: 0, ino: 1 };
    const a = new VmArea(0x1000, 0x2000, R, file, 0);
    const b = new VmArea(0x2000, 0x3000, R, file, 5);
    expect(canMerge(a, b)).toBe(false);
  });

  it('removeRange punches a hole in the middle of an area', () => {
    //  [1000 ........................ 9000)
    //          [3000 ..... 5000)           removed
    const v = areas([0x1000, 0x9000, RW], [0xa000, 0xb000, R]);
    const removed = removeRange(v, 0x3000, 0x5000);
    expect(layout(removed)).toEqual(['00003000-00005000 rw-p']);
    expect(layout(v)).toEqual(['00001000-00003000 rw-p', '00005000-00009000 rw-p', '0000a000-0000b000 r--p']);
  });

  it('removeRange spanning several areas and holes', () => {
    //  [1000 r 3000)  [4000 rw 6000)  [8000 rx a000)
    //      [2000 ...................... 9000)           removed
    const v = areas([0x1000, 0x3000, R], [0x4000, 0x6000, RW], [0x8000, 0xa000, RX]);
    const removed = removeRange(v, 0x2000, 0x9000);
    expect(layout(removed)).toEqual(['00002000-00003000 r--p', '00004000-00006000 rw-p', '00008000-00009000 r-xp']);
    expect(layout(v)).toEqual(['00001000-00002000 r--p', '00009000-0000a000 r-xp']);
  });

  it('isolateRange returns the areas inside the range', () => {
    const v = areas([0x1000, 0x5000, RW]);
    const [from, to] = isolateRange(v, 0x2000, 0x3000);
    expect([from, to]).toEqual([1, 2]);
    expect(layout(v)).toEqual(['00001000-00002000 rw-p', '00002000-00003000 rw-p', '00003000-00005000 rw-p']);
  });

  it('rangeFullyMapped detects holes', () => {
    const v = areas([0x1000, 0x2000, R], [0x2000, 0x3000, RW], [0x4000, 0x5000, R]);
    expect(rangeFullyMapped(v, 0x1000, 0x3000)).toBe(true);
    expect(rangeFullyMapped(v, 0x1000, 0x4000)).toBe(false);
    expect(rangeFullyMapped(v, 0x4000, 0x5000)).toBe(true);
    expect(rangeFullyMapped(v, 0x4000, 0x6000)).toBe(false);
  });
});
