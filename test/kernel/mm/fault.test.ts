import { describe, expect, it } from 'vitest';
import { PF_PROT, PF_USER, PF_WRITE, PTE_COW, PTE_RW } from '../../../src/mmu/paging.js';
import { expandStack, handleMmFault, stackOverflowNote } from '../../../kernel/mm/fault.js';
import { MMAP_MIN_ADDR, STACK_GUARD_GAP } from '../../../kernel/mm/mmStruct.js';
import { PageCache } from '../../../kernel/mm/pageCache.js';
import { getPte, mapPage } from '../../../kernel/mm/pageTable.js';
import { insertVma, VM_GROWSDOWN, VM_MAY_ALL, VM_READ, VM_WRITE, VM_EXEC, VmArea, type VmFile } from '../../../kernel/mm/vma.js';
import { layout, makeMm } from '../helpers.js';

const RW = VM_READ | VM_WRITE | VM_MAY_ALL;

describe('handleMmFault', () => {
  it('demand-zero: an anonymous page appears zeroed on first touch', () => {
    const mm = makeMm();
    insertVma(mm.vmas, new VmArea(0x1000_0000, 0x1001_0000, RW));
    expect(() => mm.mmu.read32(0x1000_4000)).toThrow();
    expect(handleMmFault(mm, mm.mmu.cr2, mm.mmu.faultCode)).toBe('ok');
    expect(mm.mmu.read32(0x1000_4000)).toBe(0);
    mm.mmu.write32(0x1000_4ffc, 0x12345678);
    expect(mm.mmu.read32(0x1000_4ffc)).toBe(0x12345678);
    expect(mm.stats.anon).toBe(1);
  });

  it('file-backed: bytes come from the file, zero past fileEnd', () => {
    const mm = makeMm();
    const bytes = new Uint8Array(0x3000).map((_, i) => (i & 0xff) || 1);
    const file: VmFile = { mapping: new PageCache(mm.mem, mm.mmu).anonymous(bytes), path: '/bin/x', devMajor: 8, devMinor: 1, ino: 42 };
    // Maps file pages 1..2 at 0x08049000; zero from 0x0804a800 (a partial BSS page).
    insertVma(mm.vmas, new VmArea(0x0804_9000, 0x0804_b000, RW, file, 1, null, 0x0804_a800));
    expect(handleMmFault(mm, 0x0804_9010, PF_USER)).toBe('ok');
    expect(mm.mmu.read8(0x0804_9010)).toBe(bytes[0x1010]);
    expect(handleMmFault(mm, 0x0804_a000, PF_USER | PF_WRITE)).toBe('ok');
    expect(mm.mmu.read8(0x0804_a7ff)).toBe(bytes[0x27ff]);
    expect(mm.mmu.read8(0x0804_a800)).toBe(0);
    expect(mm.stats.file).toBe(2);
  });

  it('a file page wholly beyond the end of file is SIGBUS', () => {
    const mm = makeMm();
    const file: VmFile = { mapping: new PageCache(mm.mem, mm.mmu).anonymous(new Uint8Array(100)), path: '/f', devMajor: 0, devMinor: 0, ino: 1 };
    insertVma(mm.vmas, new VmArea(0x5000_0000, 0x5000_2000, VM_READ, file, 0));
    expect(handleMmFault(mm, 0x5000_0000, PF_USER)).toBe('ok');
    expect(handleMmFault(mm, 0x5000_1000, PF_USER)).toBe('sigbus');
  });

  it('no area is SEGV_MAPERR; a write to a read-only area is SEGV_ACCERR', () => {
    const mm = makeMm();
    insertVma(mm.vmas, new VmArea(0x0804_8000, 0x0804_9000, VM_READ | VM_EXEC));
    expect(handleMmFault(mm, 0x10, PF_USER)).toBe('segv-maperr');
    expect(handleMmFault(mm, 0x0804_8000, PF_USER | PF_WRITE)).toBe('segv-accerr');
    expect(handleMmFault(mm, 0xc000_0000, PF_USER)).toBe('segv-maperr');
    expect(mm.stats.segv).toBe(3);
  });

  it('stack growth below a VM_GROWSDOWN area, within the rlimit', () => {
    const mm = makeMm();
    insertVma(mm.vmas, new VmArea(0xbffd_f000, 0xc000_0000, RW | VM_GROWSDOWN, null, 0, '[stack]'));
    expect(handleMmFault(mm, 0xbffd_0000, PF_USER | PF_WRITE)).toBe('ok');
    expect(layout(mm.vmas)).toEqual(['bffd0000-c0000000 rw-p [stack]']);
    expect(mm.stats.stackGrowth).toBe(1);
    // Beyond 8 MiB from the top: refused.
    expect(handleMmFault(mm, 0xc000_0000 - 9 * 1024 * 1024, PF_USER | PF_WRITE)).toBe('segv-maperr');
  });

  it('copy-on-write: a shared frame is copied, a sole owner is made writable', () => {
    const mm = makeMm();
    insertVma(mm.vmas, new VmArea(0x6000_0000, 0x6000_2000, RW));
    const pfn = mm.mem.allocFrame();
    mm.mem.bytes[pfn * 4096] = 0xab;
    mm.mem.getFrame(pfn); // a second mapper (a forked child, say)
    mapPage(mm, 0x6000_0000, pfn, RW, PTE_COW);
    expect(getPte(mm, 0x6000_0000) & PTE_RW).toBe(0);
    expect(() => mm.mmu.write8(0x6000_0000, 1)).toThrow();
    expect(mm.mmu.faultCode & (PF_PROT | PF_WRITE)).toBe(PF_PROT | PF_WRITE);
    expect(handleMmFault(mm, mm.mmu.cr2, mm.mmu.faultCode)).toBe('ok');
    expect(mm.mem.refcount[pfn]).toBe(1);
    expect(mm.mmu.read8(0x6000_0000)).toBe(0xab);
    mm.mmu.write8(0x6000_0000, 1);
    expect(mm.mem.bytes[pfn * 4096]).toBe(0xab);

    const solo = mm.mem.allocFrame();
    mapPage(mm, 0x6000_1000, solo, RW, PTE_COW);
    expect(handleMmFault(mm, 0x6000_1000, PF_USER | PF_WRITE | PF_PROT)).toBe('ok');
    expect((getPte(mm, 0x6000_1000) >>> 12)).toBe(solo);
    expect(getPte(mm, 0x6000_1000) & (PTE_RW | PTE_COW)).toBe(PTE_RW);
    expect(mm.stats.cow).toBe(2);
  });
});

// Linux's expand_downwards + acct_stack_growth (mm/mmap.c, 6.x): any address below the stack
// area grows it (no check against ESP since 4.20), as long as the area would span at most
// RLIMIT_STACK from its end, stays above mmap_min_addr, and leaves stack_guard_gap (256 pages)
// to an accessible area below that does not itself grow down.
describe('expandStack', () => {
  const TOP = 0xc000_0000;
  const KIB = 1024;
  const stackMm = (limit: number) => {
    const mm = makeMm();
    mm.stackRlimit = limit;
    insertVma(mm.vmas, new VmArea(TOP - 0x2_1000, TOP, RW | VM_GROWSDOWN, null, 0, '[stack]'));
    return mm;
  };
  const grow = (mm: ReturnType<typeof makeMm>, addr: number) => handleMmFault(mm, addr, PF_USER | PF_WRITE);

  it('grows to exactly RLIMIT_STACK bytes from the end of the area, and not a byte more', () => {
    const mm = stackMm(256 * KIB);
    expect(grow(mm, TOP - 256 * KIB - 1)).toBe('segv-maperr');
    expect(mm.vmas[0].start).toBe(TOP - 0x2_1000);
    expect(grow(mm, TOP - 256 * KIB)).toBe('ok');
    expect(mm.vmas[0].start).toBe(TOP - 256 * KIB);
    expect(mm.stats.stackGrowth).toBe(1);
  });

  it('an address far below the stack pointer still grows it (one fault, one page-aligned start)', () => {
    const mm = stackMm(8 * 1024 * KIB);
    expect(grow(mm, TOP - 5 * 1024 * KIB + 0x123)).toBe('ok');
    expect(mm.vmas[0].start).toBe(TOP - 5 * 1024 * KIB);
    expect(mm.mmu.read32(TOP - 5 * 1024 * KIB + 0x120)).toBe(0);
  });

  it('a lowered limit stops further growth but does not shrink the area', () => {
    const mm = stackMm(1024 * KIB);
    expect(grow(mm, TOP - 512 * KIB)).toBe('ok');
    mm.stackRlimit = 256 * KIB;
    expect(mm.vmas[0].start).toBe(TOP - 512 * KIB);
    expect(grow(mm, TOP - 400 * KIB)).toBe('ok'); // inside the area: an ordinary fault
    expect(grow(mm, TOP - 512 * KIB - 4096)).toBe('segv-maperr');
    expect(mm.vmas[0].start).toBe(TOP - 512 * KIB);
    expect(mm.stats.stackGrowth).toBe(1);
  });

  it('keeps the stack guard gap to an accessible mapping below', () => {
    const mm = stackMm(0xffff_ffff); // RLIMIT_STACK = unlimited
    const below = TOP - 0x100_0000;
    insertVma(mm.vmas, new VmArea(below - 0x1000, below, RW, null, 0, null));
    expect(expandStack(mm, 1, below + STACK_GUARD_GAP - 4096)).toBe(false);
    expect(grow(mm, below + STACK_GUARD_GAP - 1)).toBe('segv-maperr');
    expect(grow(mm, below + STACK_GUARD_GAP)).toBe('ok');
    expect(mm.vmas[1].start).toBe(below + STACK_GUARD_GAP);
  });

  it('no gap is kept to a PROT_NONE mapping or to another grows-down area', () => {
    for (const flags of [VM_MAY_ALL, RW | VM_GROWSDOWN]) {
      const mm = stackMm(0xffff_ffff);
      const below = TOP - 0x100_0000;
      insertVma(mm.vmas, new VmArea(below - 0x1000, below, flags, null, 0, null));
      expect(grow(mm, below)).toBe('ok');
      expect(mm.vmas[1].start).toBe(below);
    }
  });

  it('names the reason for the diagnostic of a refused growth, and nothing for other addresses', () => {
    const mm = stackMm(256 * KIB);
    expect(stackOverflowNote(mm, TOP - 300 * KIB)).toBe('stack overflow: the stack may not grow past RLIMIT_STACK (256 KiB)');
    expect(stackOverflowNote(mm, TOP - 200 * KIB)).toBeUndefined(); // it may grow there
    expect(stackOverflowNote(mm, TOP - 4)).toBeUndefined(); // inside the area
    insertVma(mm.vmas, new VmArea(TOP - 0x10_0000, TOP - 0xF_0000, RW, null, 0, null));
    expect(stackOverflowNote(mm, TOP - 0xF_0000 + 4096)).toMatch(/guard gap/);
    expect(stackOverflowNote(mm, 0x1000)).toBeUndefined();
  });

  it('never below mmap_min_addr', () => {
    const mm = makeMm();
    mm.stackRlimit = 0xffff_ffff;
    insertVma(mm.vmas, new VmArea(0x2_0000, 0x3_0000, RW | VM_GROWSDOWN, null, 0, null));
    expect(grow(mm, MMAP_MIN_ADDR - 1)).toBe('segv-maperr');
    expect(grow(mm, MMAP_MIN_ADDR)).toBe('ok');
    expect(mm.vmas[0].start).toBe(MMAP_MIN_ADDR);
  });
});
