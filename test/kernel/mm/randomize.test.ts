// The randomization helpers at the ends of their ranges: a generator stuck at 0 and one stuck
// at all ones give the lowest and highest value each Linux function can produce. The bounds
// are literals from Linux 6.18's source, cited per function.
import { describe, expect, it } from 'vitest';
import { computeMmapBase, taskUnmappedBase } from '../../../kernel/mm/mmap.js';
import {
  archAlignStack, archMmapRnd, archRandomizeBrk, execRandomizes, KernelRandom, randomizePage, randomizeStackTop, stackMaxrandomSize,
} from '../../../kernel/mm/randomize.js';
import { ADDR_LIMIT_3GB, ADDR_NO_RANDOMIZE } from '../../../kernel/mm/layout.js';

/** A generator that always draws the same 32-bit word. */
class Stuck extends KernelRandom {
  constructor(private readonly word: number) {
    super(0);
  }

  override u32(): number {
    return this.word >>> 0;
  }
}
const LOW = new Stuck(0);
const HIGH = new Stuck(0xffffffff);

describe('randomization ranges (Linux 6.18, a 32-bit task)', () => {
  it('arch_mmap_rnd: 8 random page bits (mmap_rnd_compat_bits = 8), 0 without PF_RANDOMIZE', () => {
    expect(archMmapRnd(null)).toBe(0);
    expect(archMmapRnd(LOW)).toBe(0);
    expect(archMmapRnd(HIGH)).toBe(0xff000);
    expect(archMmapRnd(new Stuck(0x12345))).toBe(0x45000);
  });

  it('mmap_base: the gap grows by stack_maxrandom_size (0x7ff pages) and the base drops by arch_mmap_rnd', () => {
    expect(stackMaxrandomSize(null)).toBe(0);
    expect(stackMaxrandomSize(LOW)).toBe(0x7ff000);
    // 8 MiB + 0x7ff000 + 1 MiB guard is still under the 128 MiB minimum gap (mmap_base in arch/x86/mm/mmap.c).
    expect(computeMmapBase(0xffffe000, 8 << 20, archMmapRnd(HIGH), 0x7ff000)).toBe(0xf7eff000);
    expect(computeMmapBase(0xffffe000, 8 << 20, archMmapRnd(LOW), 0x7ff000)).toBe(0xf7ffe000);
    expect(computeMmapBase(0xc0000000, 8 << 20, archMmapRnd(HIGH), 0x7ff000)).toBe(0xb7f01000);
    // A 200 MiB stack limit: the random pad now widens the gap past it.
    expect(computeMmapBase(0xffffe000, 200 << 20, 0, 0x7ff000)).toBe(0xffffe000 - (200 << 20) - 0x7ff000 - 0x100000);
    // The legacy layout (mmap_legacy_base): TASK_UNMAPPED_BASE + arch_mmap_rnd.
    expect(taskUnmappedBase(0xffffe000) + archMmapRnd(HIGH)).toBe(0x55654000);
  });

  it('randomize_stack_top: PAGE_ALIGN(top) less up to 0x7ff pages (STACK_RND_MASK for ia32)', () => {
    expect(randomizeStackTop(null, 0xffffe000)).toBe(0xffffe000);
    expect(randomizeStackTop(LOW, 0xffffe000)).toBe(0xffffe000);
    expect(randomizeStackTop(HIGH, 0xffffe000)).toBe(0xffffe000 - 0x7ff000);
    expect(randomizeStackTop(HIGH, 0xc0000000)).toBe(0xbf801000);
  });

  it('arch_align_stack: down by get_random_u32_below(8192), then to 16 bytes', () => {
    expect(archAlignStack(null, 0xffffdfcb)).toBe(0xffffdfc0);
    expect(archAlignStack(LOW, 0xffffdfcb)).toBe(0xffffdfc0);
    // 0xffffffff % 8192 = 8191: the most it takes off.
    expect(archAlignStack(HIGH, 0xffffdfcb)).toBe(0xffffbfc0);
  });

  it('arch_randomize_brk: randomize_page(brk, SZ_32M), a page in [brk, brk + 32 MiB)', () => {
    expect(archRandomizeBrk(null, 0x0810a000)).toBe(0x0810a000);
    expect(archRandomizeBrk(LOW, 0x0810a000)).toBe(0x0810a000);
    // 0xffffffff % 8192 pages = 8191 pages: the last page of the range.
    expect(archRandomizeBrk(HIGH, 0x0810a000)).toBe(0x0810a000 + 0x2000000 - 0x1000);
    // An unaligned start is rounded up first and the range shrinks by as much (mm/util.c).
    // 0x1001 + 0x5000 → 0x2000 + 0x4001: four pages, 0xffffffff % 4 = 3.
    expect(randomizePage(HIGH, 0x1001, 0x5000)).toBe(0x2000 + 0x3000);
    expect(randomizePage(HIGH, 0x1001, 0x1000)).toBe(0x2000);
  });

  it('PF_RANDOMIZE: randomize_va_space on and no ADDR_NO_RANDOMIZE in the personality', () => {
    expect(execRandomizes(2, 0)).toBe(true);
    expect(execRandomizes(2, ADDR_LIMIT_3GB)).toBe(true);
    expect(execRandomizes(2, ADDR_NO_RANDOMIZE)).toBe(false);
    expect(execRandomizes(0, 0)).toBe(false);
  });

  it('a seeded generator repeats its draws; another seed gives others', () => {
    const a = new KernelRandom(42), b = new KernelRandom(42), c = new KernelRandom(43);
    const bytesA = a.bytes(16);
    expect(bytesA).toEqual(b.bytes(16));
    expect(bytesA).not.toEqual(c.bytes(16));
    expect(a.u32()).toBe(b.u32());
  });
});
