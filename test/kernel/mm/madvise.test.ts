// madvise (kernel/mm/madvise.ts): DONTNEED zeroes private anonymous pages, shows the file again
// in a private file mapping and keeps a shared one's contents; flag advice splits areas at the
// range's ends and merges them back when the flags match again; DONTFORK/WIPEONFORK shape the
// fork child; the error rules of mm/madvise.c.
import { describe, expect, it } from 'vitest';
import { PTE_P } from '../../../src/mmu/paging.js';
import { dupMm } from '../../../kernel/mm/fork.js';
import {
  doMadvise, MADV_DODUMP, MADV_DOFORK, MADV_DONTDUMP, MADV_DONTFORK, MADV_DONTNEED, MADV_FREE, MADV_NORMAL,
  MADV_POPULATE_READ, MADV_POPULATE_WRITE, MADV_RANDOM, MADV_REMOVE, MADV_SEQUENTIAL, MADV_WILLNEED, MADV_WIPEONFORK,
} from '../../../kernel/mm/madvise.js';
import { doMlock, UNLIMITED_LOCK } from '../../../kernel/mm/mlock.js';
import { doMmap, doMunmap, MAP_ANONYMOUS, MAP_PRIVATE, MAP_SHARED, PROT_READ, PROT_WRITE } from '../../../kernel/mm/mmap.js';
import { PageCache } from '../../../kernel/mm/pageCache.js';
import { getPte } from '../../../kernel/mm/pageTable.js';
import { copyFromUser, copyToUser } from '../../../kernel/mm/uaccess.js';
import { VM_DONTCOPY, VM_DONTDUMP, VM_RAND_READ, VM_SEQ_READ, VM_WIPEONFORK } from '../../../kernel/mm/vma.js';
import { makeMm } from '../helpers.js';

const PG = 4096;
const RW = PROT_READ | PROT_WRITE;
const EINVAL = 22, ENOMEM = 12, EACCES = 13;
const text = (b: Uint8Array) => Buffer.from(b).toString('latin1');

function fileOf(mm: ReturnType<typeof makeMm>, bytes: Uint8Array) {
  const mapping = new PageCache(mm.mem, mm.mmu).anonymous(bytes);
  return { file: { mapping, path: '/f', devMajor: 8, devMinor: 1, ino: 42 }, writable: true };
}

describe('madvise', () => {
  it('DONTNEED zeroes private anonymous pages and frees their frames', () => {
    const mm = makeMm();
    const a = doMmap(mm, 0, 3 * PG, RW, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
    for (let i = 0; i < 3; i++) copyToUser(mm, a + i * PG, Buffer.from(`page ${i}`));
    const inUse = mm.mem.framesInUse;
    expect(doMadvise(mm, a + PG, 2 * PG, MADV_DONTNEED)).toBe(0);
    expect(mm.mem.framesInUse).toBe(inUse - 2);
    expect(getPte(mm, a + PG) & PTE_P).toBe(0);
    expect(text(copyFromUser(mm, a, 6))).toBe('page 0');
    expect(text(copyFromUser(mm, a + PG, 6))).toBe('\0'.repeat(6));
    expect(mm.vmas.length).toBe(1); // no flag changed: no split
  });

  it('DONTNEED shows the file again in a private mapping and keeps a shared mapping\'s stores', () => {
    const mm = makeMm();
    const f = fileOf(mm, new Uint8Array(2 * PG).fill(0x66));
    const p = doMmap(mm, 0, 2 * PG, RW, MAP_PRIVATE, f, 0);
    copyToUser(mm, p, Buffer.from('XY'));
    expect(doMadvise(mm, p, 2 * PG, MADV_DONTNEED)).toBe(0);
    expect(text(copyFromUser(mm, p, 2))).toBe('ff');
    const s = doMmap(mm, 0, 2 * PG, RW, MAP_SHARED, f, 0);
    copyToUser(mm, s, Buffer.from('XY'));
    expect(doMadvise(mm, s, 2 * PG, MADV_DONTNEED)).toBe(0);
    expect(getPte(mm, s) & PTE_P).toBe(0);
    expect(text(copyFromUser(mm, s, 2))).toBe('XY');
    expect(f.file.mapping.dirty.has(0)).toBe(true); // the D bit became page dirtiness before the zap
    expect(doMadvise(mm, p, PG, MADV_REMOVE)).toBe(-EACCES);
    expect(doMadvise(mm, s, PG, MADV_FREE)).toBe(-EINVAL);
    // WILLNEED reads the file's pages into the page cache (only those inside the file).
    const g = fileOf(mm, new Uint8Array(PG + 10));
    const w = doMmap(mm, 0, 4 * PG, PROT_READ, MAP_PRIVATE, g, 0);
    expect(doMadvise(mm, w, 4 * PG, MADV_WILLNEED)).toBe(0);
    expect([...g.file.mapping.pages.keys()].sort()).toEqual([0, 1]);
  });

  it('splits areas where flag advice changes them and merges them back', () => {
    const mm = makeMm();
    const a = doMmap(mm, 0, 4 * PG, RW, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
    expect(doMadvise(mm, a + PG, 2 * PG, MADV_SEQUENTIAL)).toBe(0);
    expect(mm.vmas.map((v) => [v.start - a, v.end - a, v.flags & (VM_SEQ_READ | VM_RAND_READ)])).toEqual([
      [0, PG, 0], [PG, 3 * PG, VM_SEQ_READ], [3 * PG, 4 * PG, 0]]);
    expect(doMadvise(mm, a + 2 * PG, PG, MADV_RANDOM)).toBe(0);
    expect(mm.vmas.length).toBe(4);
    expect(mm.vmas[2].flags & VM_RAND_READ).toBe(VM_RAND_READ);
    expect(doMadvise(mm, a, 4 * PG, MADV_NORMAL)).toBe(0);
    expect(mm.vmas.length).toBe(1);
    expect(doMadvise(mm, a, PG, MADV_DONTDUMP)).toBe(0);
    expect(mm.vmas[0].flags & VM_DONTDUMP).toBe(VM_DONTDUMP);
    expect(doMadvise(mm, a, PG, MADV_DODUMP)).toBe(0);
    expect(mm.vmas.length).toBe(1);
  });

  it('DONTFORK leaves the area out of the child, WIPEONFORK gives the child zeros', () => {
    const parent = makeMm();
    const gone = doMmap(parent, 0, PG, RW, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
    const wipe = doMmap(parent, 0, 2 * PG, RW, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
    copyToUser(parent, gone, Buffer.from('gone'));
    copyToUser(parent, wipe, Buffer.from('wipe'));
    copyToUser(parent, wipe + PG, Buffer.from('keep'));
    expect(doMadvise(parent, gone, PG, MADV_DONTFORK)).toBe(0);
    expect(doMadvise(parent, wipe, PG, MADV_WIPEONFORK)).toBe(0);
    expect(parent.vmas.find((v) => v.start === gone)!.flags & VM_DONTCOPY).toBe(VM_DONTCOPY);
    expect(parent.vmas.find((v) => v.start === wipe)!.flags & VM_WIPEONFORK).toBe(VM_WIPEONFORK);
    const child = dupMm(parent, { framesShared: 0 })!;
    expect(child.vmas.some((v) => v.start <= gone && v.end > gone)).toBe(false);
    expect(text(copyFromUser(child, wipe, 4))).toBe('\0\0\0\0');
    expect(text(copyFromUser(child, wipe + PG, 4))).toBe('keep');
    expect(text(copyFromUser(parent, wipe, 4))).toBe('wipe');
    expect(doMadvise(parent, gone, PG, MADV_DOFORK)).toBe(0);
    expect(dupMm(parent, { framesShared: 0 })!.vmas.some((v) => v.start <= gone && v.end > gone)).toBe(true);
    // WIPEONFORK is for private anonymous memory only.
    const s = doMmap(parent, 0, PG, RW, MAP_SHARED | MAP_ANONYMOUS, null, 0);
    expect(doMadvise(parent, s, PG, MADV_WIPEONFORK)).toBe(-EINVAL);
  });

  it('follows Linux\'s error rules', () => {
    const mm = makeMm();
    const a = doMmap(mm, 0, 4 * PG, RW, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
    expect(doMadvise(mm, a + 1, PG, MADV_DONTNEED)).toBe(-EINVAL);
    expect(doMadvise(mm, a, PG, 7)).toBe(-EINVAL);
    expect(doMadvise(mm, a, PG, 999)).toBe(-EINVAL);
    expect(doMadvise(mm, a + 1, 0, MADV_DONTNEED)).toBe(-EINVAL);
    expect(doMadvise(mm, a, 0, MADV_DONTNEED)).toBe(0);
    expect(doMadvise(mm, a, 0xfffff001, MADV_NORMAL)).toBe(-EINVAL); // wraps when rounded up
    // A hole: the mapped parts are still advised, the call says ENOMEM.
    copyToUser(mm, a + 3 * PG, Buffer.from('x'));
    expect(doMunmap(mm, a + PG, PG)).toBe(0);
    expect(doMadvise(mm, a, 4 * PG, MADV_DONTNEED)).toBe(-ENOMEM);
    expect(getPte(mm, a + 3 * PG) & PTE_P).toBe(0);
    expect(doMadvise(mm, a + PG, PG, MADV_NORMAL)).toBe(-ENOMEM);
    // Locked memory cannot be dropped; private memory has no hole to punch.
    expect(doMlock(mm, a, PG, 0, UNLIMITED_LOCK)).toBe(0);
    expect(doMadvise(mm, a, PG, MADV_DONTNEED)).toBe(-EINVAL);
    expect(doMadvise(mm, a + 2 * PG, PG, MADV_REMOVE)).toBe(-EINVAL);
  });

  it('POPULATE_READ and POPULATE_WRITE fault the range in', () => {
    const mm = makeMm();
    const a = doMmap(mm, 0, 2 * PG, RW, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
    expect(doMadvise(mm, a, 2 * PG, MADV_POPULATE_WRITE)).toBe(0);
    expect(getPte(mm, a + PG) & PTE_P).toBe(PTE_P);
    const r = doMmap(mm, 0, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
    expect(doMadvise(mm, r, PG, MADV_POPULATE_WRITE)).toBe(-EINVAL);
    expect(doMadvise(mm, r, PG, MADV_POPULATE_READ)).toBe(0);
    expect(getPte(mm, r) & PTE_P).toBe(PTE_P);
  });
});
