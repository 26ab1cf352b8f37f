// Reclaim (kernel/mm/vmscan.ts): the clock hand clears the accessed bit of a page used since
// it last passed (dropping the TLB entry, so the next use sets it again) and spares it, and
// evicts the pages whose bit is clear; it resumes where it stopped. Page-cache pages lose
// their mapping and are dropped once unmapped, a dirty shared page written back to the file
// first; with no swap, anonymous pages stay.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PTE_A, PTE_P } from '../../../src/mmu/paging.js';
import { isSwapPte } from '../../../src/mmu/swapEntry.js';
import { O_RDWR } from '../../../kernel/fs/file.js';
import { HostFileInode, hostOpen } from '../../../kernel/fs/hostfs.js';
import { doMmap, MAP_ANONYMOUS, MAP_PRIVATE, MAP_SHARED, PROT_READ, PROT_WRITE } from '../../../kernel/mm/mmap.js';
import type { Mm } from '../../../kernel/mm/mmStruct.js';
import { PageCache } from '../../../kernel/mm/pageCache.js';
import { getPte, setPte } from '../../../kernel/mm/pageTable.js';
import { swapOn } from '../../../kernel/mm/swap.js';
import { copyFromUser, copyToUser } from '../../../kernel/mm/uaccess.js';
import { Reclaimer } from '../../../kernel/mm/vmscan.js';
import { makeMm } from '../helpers.js';

const PG = 4096;
const text = (b: Uint8Array) => Buffer.from(b).toString('latin1');

function anon(mm: Mm, pages: number): number {
  return doMmap(mm, 0, pages * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
}

function setAccessed(mm: Mm, addr: number, on: boolean): void {
  const pte = getPte(mm, addr);
  setPte(mm, addr, on ? pte | PTE_A : pte & ~PTE_A);
}

describe('reclaim scan', () => {
  it('clears the accessed bits it finds, spares those pages, evicts the others, and resumes after them', () => {
    const mm = makeMm();
    const swap = swapOn(mm.mem, mm.mmu, 64 * PG)!;
    const reclaim = new Reclaimer({ mem: mm.mem, pageCache: new PageCache(mm.mem, mm.mmu), swap, mms: () => [mm] });
    const a = anon(mm, 4);
    for (let i = 0; i < 4; i++) copyToUser(mm, a + i * PG, Buffer.from(`page ${i}`));
    // Pages 0 and 1 recently used, 2 and 3 not.
    for (let i = 0; i < 4; i++) setAccessed(mm, a + i * PG, i < 2);
    // The MMU caches page 0's translation; clearing A must drop it, or A would never come back.
    mm.mmu.translateForRead(a);

    expect(reclaim.shrink(2)).toBe(2);
    expect(getPte(mm, a) & (PTE_P | PTE_A)).toBe(PTE_P);
    expect(getPte(mm, a + PG) & (PTE_P | PTE_A)).toBe(PTE_P);
    expect(isSwapPte(getPte(mm, a + 2 * PG))).toBe(true);
    expect(isSwapPte(getPte(mm, a + 3 * PG))).toBe(true);
    expect(reclaim.stats.referenced).toBe(2);

    // Page 0 is used again through the MMU (a TLB miss: the walker sets A); page 1 is not.
    mm.mmu.translateForRead(a);
    expect(getPte(mm, a) & PTE_A).toBe(PTE_A);
    expect(reclaim.shrink(1)).toBe(1);
    expect(getPte(mm, a) & PTE_P).toBe(PTE_P);
    expect(isSwapPte(getPte(mm, a + PG))).toBe(true);
    for (let i = 0; i < 4; i++) expect(text(copyFromUser(mm, a + i * PG, 6))).toBe(`page ${i}`);
  });

  it('without swap, anonymous pages stay and nothing is freed', () => {
    const mm = makeMm();
    const reclaim = new Reclaimer({ mem: mm.mem, pageCache: new PageCache(mm.mem, mm.mmu), swap: null, mms: () => [mm] });
    const a = anon(mm, 4);
    for (let i = 0; i < 4; i++) copyToUser(mm, a + i * PG, Buffer.from('x'));
    expect(reclaim.shrink(4)).toBe(0);
    for (let i = 0; i < 4; i++) expect(getPte(mm, a + i * PG) & PTE_P).toBe(PTE_P);
    expect(reclaim.stats.failed).toBe(1);
  });
});

describe('reclaim of page-cache pages', () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'i386emu-vmscan-'));
    path = join(dir, 'f');
    writeFileSync(path, Buffer.concat([Buffer.alloc(PG, 'a'), Buffer.alloc(PG, 'b')]));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('unmaps a shared file page, writes the dirty one back, drops both, and reads them back', () => {
    const mm = makeMm();
    const cache = new PageCache(mm.mem, mm.mmu);
    const reclaim = new Reclaimer({ mem: mm.mem, pageCache: cache, swap: null, mms: () => [mm] });
    const inode = hostOpen({ hostPath: path, guestPath: '/f', flags: O_RDWR, mode: 0, check: { expect: null, confine: null }, cache });
    if (!(inode instanceof HostFileInode)) throw new Error('open failed');
    const f = inode.mapping();
    if (typeof f === 'number') throw new Error('mapping failed');
    const a = doMmap(mm, 0, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, { file: f, writable: true }, 0);
    copyToUser(mm, a, Buffer.from('STORED'));
    expect(text(copyFromUser(mm, a + PG, 1))).toBe('b');
    const as = f.mapping;
    expect(as.pages.size).toBe(2);
    const inUse = mm.mem.framesInUse;

    expect(reclaim.shrink(2)).toBe(2);
    expect(getPte(mm, a)).toBe(0);
    expect(getPte(mm, a + PG)).toBe(0);
    expect(as.pages.size).toBe(0);
    expect(mm.mem.framesInUse).toBe(inUse - 2);
    // The store reached the file before its page went.
    expect(readFileSync(path).subarray(0, 7).toString()).toBe('STOREDa');
    expect(cache.stats.dropped).toBe(2);
    expect(cache.stats.reclaimWritebacks).toBe(1);
    // The next access reads the page from the file again.
    const read = cache.stats.pagesRead;
    expect(text(copyFromUser(mm, a, 7))).toBe('STOREDa');
    expect(cache.stats.pagesRead).toBe(read + 1);
  });
});
