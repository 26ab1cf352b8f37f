// Shmem pages under reclaim (kernel/mm/shmem.ts shmemWriteout, vmscan.ts, pageCache.ts
// findOrReadPage): a shared anonymous page not recently used loses its PTEs in every mm, and
// once nobody maps it goes to a swap slot the object remembers; the next access, from either
// process, reads it back (a major fault, a swap-in) and frees the slot. Discarding a swapped
// page (MADV_REMOVE, the last munmap) frees its slot; smaps counts swapped pages in the area's
// Swap line and mincore calls them not resident; without swap nothing of it is reclaimed.
import { describe, expect, it } from 'vitest';
import { PTE_A, PTE_P } from '../../../src/mmu/paging.js';
import { smapGatherStats, newMemSizeStats } from '../../../kernel/fs/procTaskMmu.js';
import { dupMm } from '../../../kernel/mm/fork.js';
import { doMadvise, MADV_REMOVE } from '../../../kernel/mm/madvise.js';
import { mincoreVma } from '../../../kernel/mm/mincore.js';
import { doMmap, doMunmap, MAP_ANONYMOUS, MAP_SHARED, PROT_READ, PROT_WRITE } from '../../../kernel/mm/mmap.js';
import type { Mm } from '../../../kernel/mm/mmStruct.js';
import { PageCache } from '../../../kernel/mm/pageCache.js';
import { freeAddressSpace, getPte, setPte } from '../../../kernel/mm/pageTable.js';
import { swapOn } from '../../../kernel/mm/swap.js';
import { copyFromUser, copyToUser } from '../../../kernel/mm/uaccess.js';
import { Reclaimer } from '../../../kernel/mm/vmscan.js';
import { makeMm } from '../helpers.js';

const PG = 4096;
const RW = PROT_READ | PROT_WRITE;
const text = (b: Uint8Array) => Buffer.from(b).toString('latin1');

/** Clears the accessed bit of every page of [a, a + pages * PG) in mm (the hand passed long ago). */
function age(mm: Mm, a: number, pages: number): void {
  for (let i = 0; i < pages; i++) {
    const pte = getPte(mm, a + i * PG);
    if (pte & PTE_P) setPte(mm, a + i * PG, pte & ~PTE_A);
  }
}

/** A parent with a 2-page shared anonymous area written through, and its fork child. */
function sharedPair(withSwap: boolean) {
  const parent = makeMm();
  const swap = withSwap ? swapOn(parent.mem, parent.mmu, 64 * PG) : null;
  const a = doMmap(parent, 0, 2 * PG, RW, MAP_SHARED | MAP_ANONYMOUS, null, 0);
  copyToUser(parent, a, Buffer.from('page zero'));
  copyToUser(parent, a + PG, Buffer.from('page one'));
  const child = dupMm(parent, { framesShared: 0 })!;
  // Both map both pages.
  expect(text(copyFromUser(child, a, 9))).toBe('page zero');
  expect(text(copyFromUser(child, a + PG, 8))).toBe('page one');
  const reclaim = new Reclaimer({ mem: parent.mem, pageCache: new PageCache(parent.mem, parent.mmu), swap, mms: () => [parent, child] });
  const as = parent.vmas[0].file!.mapping;
  return { parent, child, swap, a, reclaim, as };
}

describe('shmem pages and swap', () => {
  it('a page shared by two mms goes to swap once both PTEs are gone, and comes back right for both', () => {
    const { parent, child, swap, a, reclaim, as } = sharedPair(true);
    age(parent, a, 2);
    age(child, a, 2);
    const used = parent.mem.framesInUse;
    expect(reclaim.shrink(2)).toBe(2);
    for (const mm of [parent, child]) for (let i = 0; i < 2; i++) expect(getPte(mm, a + i * PG)).toBe(0);
    expect(parent.mem.framesInUse).toBe(used - 2);
    expect(as.pages.size).toBe(0);
    expect([...as.swapped.keys()].sort()).toEqual([0, 1]);
    expect(swap!.inuse).toBe(2);
    expect(swap!.stats.swapOuts).toBe(2);
    // Not resident; counted in the area's Swap line.
    expect([...mincoreVma(child, child.vmas[0], a, a + 2 * PG)]).toEqual([0, 0]);
    const mss = newMemSizeStats();
    smapGatherStats(parent, parent.vmas[0], mss);
    expect([mss.swap, mss.resident]).toEqual([2 * PG, 0]);

    // The child faults page 1 back in (a major fault); its slot is freed; the parent then finds it in the object.
    const major = child.stats.major;
    expect(text(copyFromUser(child, a + PG, 8))).toBe('page one');
    expect(child.stats.major).toBe(major + 1);
    expect(swap!.stats.swapIns).toBe(1);
    expect(swap!.inuse).toBe(1);
    expect(as.swapped.has(1)).toBe(false);
    copyToUser(child, a + PG, Buffer.from('PAGE'));
    expect(text(copyFromUser(parent, a + PG, 8))).toBe('PAGE one');
    expect(swap!.stats.swapIns).toBe(1);
    // The parent brings page 0 back; a store shows in the child.
    copyToUser(parent, a, Buffer.from('PAGE'));
    expect(text(copyFromUser(child, a, 9))).toBe('PAGE zero');
    expect([swap!.inuse, as.swapped.size, swap!.stats.swapIns]).toEqual([0, 0, 2]);
  });

  it('a page still mapped by one mm stays in memory; the other mm refaults the same frame', () => {
    const { parent, child, a, reclaim, as } = sharedPair(true);
    age(parent, a, 2);
    // One pass of the hand over the parent only: its PTEs go, the child's keep the frames.
    expect(reclaim.swapOutMm(parent, 2)).toBe(0);
    expect(reclaim.stats.unmapped).toBe(2);
    expect(getPte(parent, a) & PTE_P).toBe(0);
    expect(getPte(child, a) & PTE_P).toBe(PTE_P);
    expect(as.pages.size).toBe(2);
    expect(as.swapped.size).toBe(0);
    expect(text(copyFromUser(parent, a, 9))).toBe('page zero');
    expect(getPte(parent, a) >>> 12).toBe(getPte(child, a) >>> 12);
  });

  it('MADV_REMOVE of a swapped page frees its slot; the page reads as zeros', () => {
    const { parent, child, swap, a, reclaim, as } = sharedPair(true);
    age(parent, a, 2);
    age(child, a, 2);
    expect(reclaim.shrink(2)).toBe(2);
    expect(doMadvise(child, a, PG, MADV_REMOVE)).toBe(0);
    expect([swap!.inuse, [...as.swapped.keys()]]).toEqual([1, [1]]);
    expect(text(copyFromUser(parent, a, 4))).toBe('\0\0\0\0');
    expect(swap!.stats.swapIns).toBe(0);
    expect(text(copyFromUser(parent, a + PG, 8))).toBe('page one');
  });

  it('the last munmap of the object frees the slots of its swapped pages', () => {
    const { parent, child, swap, a, reclaim, as } = sharedPair(true);
    age(parent, a, 2);
    age(child, a, 2);
    expect(reclaim.shrink(2)).toBe(2);
    expect(doMunmap(parent, a, 2 * PG)).toBe(0);
    expect(swap!.inuse).toBe(2);
    expect(doMunmap(child, a, 2 * PG)).toBe(0);
    expect([as.released, swap!.inuse, as.swapped.size]).toEqual([true, 0, 0]);
    freeAddressSpace(parent);
    freeAddressSpace(child);
    expect(parent.mem.framesInUse).toBe(0);
  });

  it('a shmem page nobody maps goes to swap from the object itself, before any PTE is touched', () => {
    const { parent, child, swap, a, reclaim, as } = sharedPair(true);
    // Both unmap page 1: the object, still mapped for page 0, keeps it with no mapper.
    for (const mm of [parent, child]) expect(doMunmap(mm, a + PG, PG)).toBe(0);
    expect(reclaim.shrink(1)).toBe(1);
    expect([swap!.stats.swapOuts, [...as.swapped.keys()], [...as.pages.keys()]]).toEqual([1, [1], [0]]);
    expect(getPte(parent, a) & PTE_P).toBe(PTE_P);
    expect(getPte(child, a) & PTE_P).toBe(PTE_P);
  });

  it('read() of the object (AddressSpace.read/write) swaps a page back in rather than reading the hole', () => {
    const { parent, child, swap, a, reclaim, as } = sharedPair(true);
    age(parent, a, 2);
    age(child, a, 2);
    expect(reclaim.shrink(2)).toBe(2);
    expect(text(as.read(PG, 8))).toBe('page one');
    as.write(0, Buffer.from('PAGE'));
    expect([swap!.stats.swapIns, swap!.inuse, as.swapped.size]).toEqual([2, 0, 0]);
    expect(text(copyFromUser(child, a, 9))).toBe('PAGE zero');
  });

  it('without swap nothing of a shmem object is reclaimed', () => {
    const { parent, child, a, reclaim, as } = sharedPair(false);
    age(parent, a, 2);
    age(child, a, 2);
    expect(reclaim.shrink(2)).toBe(0);
    for (const mm of [parent, child]) for (let i = 0; i < 2; i++) expect(getPte(mm, a + i * PG) & PTE_P).toBe(PTE_P);
    expect([as.pages.size, as.swapped.size]).toEqual([2, 0]);
  });
});
