// mincore (kernel/mm/mincore.ts): one byte per page, 1 when resident. Present PTEs are; a
// swapped-out page (a swap-entry PTE) is not; a file page with no PTE is when the page cache
// holds it; an untouched anonymous page is not. Errors: EINVAL (unaligned), ENOMEM (a hole,
// with the bytes before it written), EFAULT (the vector).
import { describe, expect, it } from 'vitest';
import { swpEntry } from '../../../src/mmu/swapEntry.js';
import { doMincore } from '../../../kernel/mm/mincore.js';
import { doMmap, doMunmap, MAP_ANONYMOUS, MAP_PRIVATE, MAP_SHARED, PROT_READ, PROT_WRITE } from '../../../kernel/mm/mmap.js';
import { PageCache } from '../../../kernel/mm/pageCache.js';
import { setPte, zapRange } from '../../../kernel/mm/pageTable.js';
import { copyFromUser, copyToUser } from '../../../kernel/mm/uaccess.js';
import { makeMm } from '../helpers.js';

const PG = 4096;
const RW = PROT_READ | PROT_WRITE;
const EINVAL = 22, ENOMEM = 12, EFAULT = 14;

function vector(mm: ReturnType<typeof makeMm>, vec: number, n: number): string {
  return [...copyFromUser(mm, vec, n)].join('');
}

describe('mincore', () => {
  it('reports touched anonymous pages, not untouched or swapped-out ones', () => {
    const mm = makeMm();
    const vec = doMmap(mm, 0, PG, RW, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
    copyToUser(mm, vec, new Uint8Array(16).fill(9));
    const a = doMmap(mm, 0, 5 * PG, RW, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
    copyToUser(mm, a, Buffer.from('x'));
    copyFromUser(mm, a + 3 * PG, 1);
    setPte(mm, a + 4 * PG, swpEntry(0, 17)); // as reclaim leaves a page it wrote to swap
    expect(doMincore(mm, a, 5 * PG, vec)).toBe(0);
    expect(vector(mm, vec, 5)).toBe('10010');
    expect(vector(mm, vec + 5, 1)).toBe('9'); // nothing written past the vector
    expect(doMincore(mm, a, PG + 1, vec)).toBe(0); // a partial last page counts
    expect(vector(mm, vec, 2)).toBe('10');
    setPte(mm, a + 4 * PG, 0);
  });

  it('reports file pages the page cache holds, mapped here or not', () => {
    const mm = makeMm();
    const vec = doMmap(mm, 0, PG, RW, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
    const mapping = new PageCache(mm.mem, mm.mmu).anonymous(new Uint8Array(3 * PG).fill(1));
    const file = { file: { mapping, path: '/f', devMajor: 8, devMinor: 1, ino: 7 }, writable: true };
    const f = doMmap(mm, 0, 3 * PG, PROT_READ, MAP_SHARED, file, 0);
    expect(doMincore(mm, f, 3 * PG, vec)).toBe(0);
    expect(vector(mm, vec, 3)).toBe('000');
    mapping.findOrReadPage(2); // another process's read(2) or mapping brought it in
    copyFromUser(mm, f, 1);
    zapRange(mm, f, f + PG); // mapped no more here, still cached
    expect(doMincore(mm, f, 3 * PG, vec)).toBe(0);
    expect(vector(mm, vec, 3)).toBe('101');
  });

  it('follows Linux\'s error rules', () => {
    const mm = makeMm();
    const vec = doMmap(mm, 0, PG, RW, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
    const a = doMmap(mm, 0, 3 * PG, RW, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
    copyToUser(mm, a, Buffer.from('x'));
    expect(doMincore(mm, a + 1, PG, vec)).toBe(-EINVAL);
    expect(doMincore(mm, a, 0, vec)).toBe(0);
    expect(doMincore(mm, a, PG, 0)).toBe(-EFAULT);
    expect(doMincore(mm, 0xbffff000, 0x2000, vec)).toBe(-ENOMEM); // past TASK_SIZE
    expect(doMunmap(mm, a + PG, PG)).toBe(0);
    copyToUser(mm, vec, new Uint8Array([9, 9, 9]));
    expect(doMincore(mm, a, 3 * PG, vec)).toBe(-ENOMEM);
    expect(vector(mm, vec, 3)).toBe('199'); // the page before the hole was reported
    expect(doMincore(mm, a + PG, PG, vec)).toBe(-ENOMEM);
  });
});
