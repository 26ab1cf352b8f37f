// Swap (kernel/mm/swap.ts, vmscan.ts, fault.ts doSwapPage): an anonymous page reclaim evicts
// becomes a not-present swap entry and comes back with its contents at the next touch; a page
// shared copy-on-write by two processes is written to swap once, the second process's swap-in
// finds it in the swap cache and the two share one frame again; fork, mremap, munmap and exit
// carry or free the slots; a write after swap-in copies while the frame is shared.
import { describe, expect, it } from 'vitest';
import { PTE_COW, PTE_FRAME, PTE_P, PTE_RW } from '../../../src/mmu/paging.js';
import { isSwapPte, swpOffset } from '../../../src/mmu/swapEntry.js';
import { handleMmFault } from '../../../kernel/mm/fault.js';
import { dupMm } from '../../../kernel/mm/fork.js';
import { doMmap, doMunmap, MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE } from '../../../kernel/mm/mmap.js';
import type { Mm } from '../../../kernel/mm/mmStruct.js';
import { doMremap, MREMAP_FIXED, MREMAP_MAYMOVE } from '../../../kernel/mm/mremap.js';
import { PageCache } from '../../../kernel/mm/pageCache.js';
import { freeAddressSpace, getPte } from '../../../kernel/mm/pageTable.js';
import { type SwapArea, swapOn } from '../../../kernel/mm/swap.js';
import { copyFromUser, copyToUser } from '../../../kernel/mm/uaccess.js';
import { Reclaimer } from '../../../kernel/mm/vmscan.js';
import { makeMm } from '../helpers.js';

const PG = 4096;
const frameOf = (pte: number) => (pte & PTE_FRAME) >>> 12;
const text = (b: Uint8Array) => Buffer.from(b).toString('latin1');

function setup(mms: Mm[]): { swap: SwapArea; reclaim: Reclaimer } {
  const mm = mms[0];
  const swap = swapOn(mm.mem, mm.mmu, 1024 * PG)!;
  const reclaim = new Reclaimer({ mem: mm.mem, pageCache: new PageCache(mm.mem, mm.mmu), swap, mms: () => mms });
  return { swap, reclaim };
}

function anon(mm: Mm, pages: number): number {
  return doMmap(mm, 0, pages * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
}

describe('swap', () => {
  it('round trip: an evicted page becomes a swap entry and faults back in with its contents', () => {
    const mm = makeMm();
    const mms = [mm];
    const { swap, reclaim } = setup(mms);
    const a = anon(mm, 4);
    for (let i = 0; i < 4; i++) copyToUser(mm, a + i * PG, Buffer.from(`page ${i} contents`));
    const inUse = mm.mem.framesInUse;
    // Two turns: the first clears the accessed bits copyToUser set, the second evicts.
    expect(reclaim.shrink(4)).toBe(4);
    expect(mm.mem.framesInUse).toBe(inUse - 4);
    for (let i = 0; i < 4; i++) {
      const pte = getPte(mm, a + i * PG);
      expect(isSwapPte(pte)).toBe(true);
      expect(swap.count(pte)).toBe(1);
    }
    expect(swap.stats.swapOuts).toBe(4);
    expect(swap.inuse).toBe(4);
    expect(swap.cache.size).toBe(0); // nobody maps the frames any more: freed, not cached

    // The next touch swaps in (a major fault): contents back, slot freed, writable at once.
    const before = mm.stats.major;
    expect(text(copyFromUser(mm, a + 2 * PG, 15))).toBe('page 2 contents');
    expect(mm.stats.major).toBe(before + 1);
    expect(mm.stats.swapIn).toBe(1);
    const pte = getPte(mm, a + 2 * PG);
    expect(pte & PTE_P).toBe(PTE_P);
    expect(pte & PTE_RW).toBe(PTE_RW);
    expect(swap.inuse).toBe(3);

    // munmap frees the slots of the pages still out.
    expect(doMunmap(mm, a, 4 * PG)).toBe(0);
    expect(swap.inuse).toBe(0);
    expect(mm.mem.framesInUse).toBeLessThan(inUse);
  });

  it('a copy-on-write page shared by two processes goes to swap once and is shared again after swap-in', () => {
    const parent = makeMm();
    const a = anon(parent, 1);
    copyToUser(parent, a, Buffer.from('shared before fork'));
    const child = dupMm(parent, { framesShared: 0 })!;
    const { swap, reclaim } = setup([parent, child]);
    const frame = frameOf(getPte(parent, a));
    expect(parent.mem.refcount[frame]).toBe(2);

    expect(reclaim.shrink(1)).toBe(1);
    const pe = getPte(parent, a), ce = getPte(child, a);
    expect(isSwapPte(pe) && isSwapPte(ce)).toBe(true);
    expect(swpOffset(pe)).toBe(swpOffset(ce)); // one slot
    expect(swap.stats.swapOuts).toBe(1); // written once
    expect(swap.count(pe)).toBe(2);

    // The child reads it back: from the slot, kept in the swap cache for the parent.
    expect(text(copyFromUser(child, a, 18))).toBe('shared before fork');
    const cf = frameOf(getPte(child, a));
    expect(swap.cache.get(swpOffset(pe))).toBe(cf);
    expect(getPte(child, a) & PTE_RW).toBe(0); // shared: copy-on-write
    expect(getPte(child, a) & PTE_COW).toBe(PTE_COW);
    // The parent's swap-in is a swap-cache hit: the same frame, the slot freed.
    expect(text(copyFromUser(parent, a, 18))).toBe('shared before fork');
    expect(frameOf(getPte(parent, a))).toBe(cf);
    expect(swap.stats.swapIns).toBe(1);
    expect(swap.stats.cacheHits).toBe(1);
    expect(swap.inuse).toBe(0);
    expect(parent.mem.refcount[cf]).toBe(2);

    // A write still copies: the other side keeps the old contents.
    copyToUser(child, a, Buffer.from('child'));
    expect(text(copyFromUser(parent, a, 18))).toBe('shared before fork');
    expect(text(copyFromUser(child, a, 18))).toBe('childd before fork');
  });

  it('fork duplicates swap entries, mremap moves them, exit frees the slots', () => {
    const parent = makeMm();
    const a = anon(parent, 2);
    copyToUser(parent, a, Buffer.from('first'));
    copyToUser(parent, a + PG, Buffer.from('second'));
    const mms = [parent];
    const { swap, reclaim } = setup(mms);
    reclaim.shrink(2);
    expect(swap.inuse).toBe(2);
    const child = dupMm(parent, { framesShared: 0 })!;
    mms.push(child);
    expect(swap.count(getPte(child, a))).toBe(2);
    // The child moves its pages elsewhere (move_page_tables carries the entries).
    const to = 0x50000000;
    expect(doMremap(child, a, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, to)).toBe(to);
    expect(getPte(child, a)).toBe(0);
    expect(isSwapPte(getPte(child, to + PG))).toBe(true);
    expect(text(copyFromUser(child, to + PG, 6))).toBe('second');
    expect(text(copyFromUser(parent, a + PG, 6))).toBe('second');
    freeAddressSpace(child);
    freeAddressSpace(parent);
    expect(swap.inuse).toBe(0);
    expect(swap.cache.size).toBe(0);
  });

  it('a fault allocating under pressure swaps out other pages and gets its frame', () => {
    const mm = makeMm(64 * PG);
    const { swap } = setup([mm]);
    mm.mem.reclaim = (want) => reclaimOf(mm, swap).shrink(want);
    const a = anon(mm, 200);
    for (let i = 0; i < 200; i++) expect(handleMmFault(mm, a + i * PG, 0x6)).toBe('ok');
    for (let i = 0; i < 200; i++) copyToUser(mm, a + i * PG, Buffer.from(`#${i}`));
    for (let i = 0; i < 200; i++) expect(text(copyFromUser(mm, a + i * PG, `#${i}`.length))).toBe(`#${i}`);
    expect(swap.stats.swapOuts).toBeGreaterThan(100);
    expect(swap.stats.swapIns).toBeGreaterThan(100);
  });

  it('a copy-on-write fault whose allocation reclaims its own page retries (pte_same) and ends right', () => {
    const parent = makeMm(64 * PG);
    const a = anon(parent, 2);
    copyToUser(parent, a, Buffer.from('cow page'));
    copyToUser(parent, a + PG, Buffer.from('other page'));
    const child = dupMm(parent, { framesShared: 0 })!;
    const { swap, reclaim } = setup([parent, child]);
    parent.mem.reclaim = (want) => reclaim.shrink(want);
    // Every frame taken: the copy's allocation must reclaim, and the hand reaches the
    // copy-on-write page first, while do_wp_page holds it pinned.
    const hog: number[] = [];
    while (parent.mem.freeFrames() > 0) hog.push(parent.mem.allocFrame());
    const pinned = frameOf(getPte(parent, a));
    expect(handleMmFault(parent, a, 0x7)).toBe('ok');
    // The PTE changed under the fault: it became a swap entry and nothing was mapped over it.
    expect(isSwapPte(getPte(parent, a))).toBe(true);
    expect(swap.cache.get(swpOffset(getPte(parent, a)))).toBe(pinned);
    // The access is retried: swap-in from the swap cache, then the copy.
    copyToUser(parent, a, Buffer.from('new'));
    expect(text(copyFromUser(parent, a, 8))).toBe('new page');
    expect(text(copyFromUser(child, a, 8))).toBe('cow page');
    expect(text(copyFromUser(parent, a + PG, 10))).toBe('other page');
    expect(text(copyFromUser(child, a + PG, 10))).toBe('other page');
    for (const f of hog) parent.mem.putFrame(f);
  });
});

const reclaimers = new WeakMap<Mm, Reclaimer>();
function reclaimOf(mm: Mm, swap: SwapArea): Reclaimer {
  let r = reclaimers.get(mm);
  if (r === undefined) {
    r = new Reclaimer({ mem: mm.mem, pageCache: new PageCache(mm.mem, mm.mmu), swap, mms: () => [mm] });
    reclaimers.set(mm, r);
  }
  return r;
}
