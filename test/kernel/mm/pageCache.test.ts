// The page cache (kernel/mm/pageCache.ts, filemap.ts) over a real host file: processes mapping
// one file share its cached frames (one reference each plus the cache's own), a private write
// copies, a shared store is seen by read() and by another process's mapping and reaches the
// host file at msync, at the last munmap and at exit (not before), write() is seen through an
// existing mapping, and truncate unmaps the lost pages (SIGBUS) and zeroes the partial one.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PTE_FRAME, PTE_RW } from '../../../src/mmu/paging.js';
import { O_RDWR } from '../../../kernel/fs/file.js';
import { HostFileInode, hostOpen } from '../../../kernel/fs/hostfs.js';
import { handleMmFault } from '../../../kernel/mm/fault.js';
import { msyncRange } from '../../../kernel/mm/filemap.js';
import { dupMm } from '../../../kernel/mm/fork.js';
import { doMmap, doMunmap, MAP_PRIVATE, MAP_SHARED, PROT_READ, PROT_WRITE } from '../../../kernel/mm/mmap.js';
import { newFaultStats, type Mm } from '../../../kernel/mm/mmStruct.js';
import { PageCache } from '../../../kernel/mm/pageCache.js';
import { createMm, freeAddressSpace, getPte } from '../../../kernel/mm/pageTable.js';
import { copyFromUser, copyToUser } from '../../../kernel/mm/uaccess.js';
import { makeMm, TASK_SIZE } from '../helpers.js';

const PG = 4096;
const frameOf = (pte: number) => (pte & PTE_FRAME) >>> 12;
const text = (b: Uint8Array) => Buffer.from(b).toString('latin1');

let dir: string;
let path: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'i386emu-pagecache-'));
  path = join(dir, 'f');
  // Three pages: 'a' * 4096, 'b' * 4096, 'c' * 100.
  writeFileSync(path, Buffer.concat([Buffer.alloc(PG, 'a'), Buffer.alloc(PG, 'b'), Buffer.alloc(100, 'c')]));
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A second process on the same guest memory as mm. */
function otherMm(mm: Mm): Mm {
  return createMm(mm.mem, mm.mmu, TASK_SIZE, newFaultStats());
}

function open(cache: PageCache): HostFileInode {
  const inode = hostOpen({ hostPath: path, guestPath: '/f', flags: O_RDWR, mode: 0, check: { expect: null, confine: null }, cache });
  if (!(inode instanceof HostFileInode)) throw new Error(`open: ${String(inode)}`);
  return inode;
}

function map(mm: Mm, inode: HostFileInode, len: number, prot: number, flags: number): number {
  const f = inode.mapping();
  if (typeof f === 'number') throw new Error(`mapping: ${f}`);
  const a = doMmap(mm, 0, len, prot, flags, { file: f, writable: true }, 0);
  expect(a).toBeGreaterThan(0);
  return a;
}

describe('page cache', () => {
  it('two processes mapping one file share its frames; the cache keeps one reference', () => {
    const mm1 = makeMm();
    const mm2 = otherMm(mm1);
    const cache = new PageCache(mm1.mem, mm1.mmu);
    const inode = open(cache);
    const a1 = map(mm1, inode, 3 * PG, PROT_READ, MAP_PRIVATE);
    const a2 = map(mm2, inode, 3 * PG, PROT_READ, MAP_PRIVATE);
    expect(text(copyFromUser(mm1, a1 + PG, 3))).toBe('bbb');
    expect(text(copyFromUser(mm2, a2 + PG, 3))).toBe('bbb');
    const pfn = frameOf(getPte(mm1, a1 + PG));
    expect(frameOf(getPte(mm2, a2 + PG))).toBe(pfn);
    expect(mm1.mem.refcount[pfn]).toBe(3);
    expect(cache.stats.pagesRead).toBe(1);
    expect(cache.stats.hits).toBe(1);
    // The last page is zero past the end of the file; the page after it is SIGBUS.
    expect(Array.from(copyFromUser(mm1, a1 + 2 * PG + 99, 2))).toEqual([0x63, 0]);
    freeAddressSpace(mm1);
    expect(mm2.mem.refcount[pfn]).toBe(2);
    freeAddressSpace(mm2);
    // The last mm let go: the pages are freed and the file leaves the table.
    expect(mm2.mem.refcount[pfn]).toBe(0);
    expect(cache.table.size).toBe(0);
    inode.release();
  });

  it('a private write copies; the file and the other mappings keep the cached page', () => {
    const mm1 = makeMm();
    const cache = new PageCache(mm1.mem, mm1.mmu);
    const inode = open(cache);
    const shared = map(mm1, inode, 2 * PG, PROT_READ, MAP_SHARED);
    const priv = map(mm1, inode, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE);
    expect(text(copyFromUser(mm1, priv, 1))).toBe('a');
    const cached = frameOf(getPte(mm1, priv));
    expect(getPte(mm1, priv) & PTE_RW).toBe(0);
    copyToUser(mm1, priv, Buffer.from('PRIVATE'));
    expect(frameOf(getPte(mm1, priv))).not.toBe(cached);
    expect(text(copyFromUser(mm1, shared, 7))).toBe('aaaaaaa');
    expect(text(inode.readAt(0, 7) as Uint8Array)).toBe('aaaaaaa');
    // A write fault on a page never read copies at once.
    expect(handleMmFault(mm1, priv + PG, 0x7)).toBe('ok');
    const as = [...cache.table.values()][0];
    expect(as.findGetPage(1)).toBeGreaterThan(0);
    expect(frameOf(getPte(mm1, priv + PG))).not.toBe(as.findGetPage(1));
    freeAddressSpace(mm1);
    inode.release();
    expect(readFileSync(path, 'latin1').slice(0, 7)).toBe('aaaaaaa');
  });

  it('a shared store is seen by read() and another process, and reaches the file at msync', () => {
    const mm1 = makeMm();
    const mm2 = otherMm(mm1);
    const cache = new PageCache(mm1.mem, mm1.mmu);
    const inode = open(cache);
    const a1 = map(mm1, inode, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED);
    const a2 = map(mm2, inode, 3 * PG, PROT_READ, MAP_SHARED);
    copyToUser(mm1, a1 + PG + 5, Buffer.from('stored'));
    expect(text(inode.readAt(PG + 5, 6) as Uint8Array)).toBe('stored');
    expect(text(copyFromUser(mm2, a2 + PG + 5, 6))).toBe('stored');
    expect(readFileSync(path, 'latin1').slice(PG + 5, PG + 11)).toBe('bbbbbb');
    msyncRange(mm1, a1, a1 + 3 * PG);
    expect(readFileSync(path, 'latin1').slice(PG + 5, PG + 11)).toBe('stored');
    expect(cache.stats.writebacks).toBe(1);
    // msync cleaned the PTE: a later store is found again.
    copyToUser(mm1, a1 + PG + 5, Buffer.from('again!'));
    msyncRange(mm1, a1, a1 + 3 * PG);
    expect(readFileSync(path, 'latin1').slice(PG + 5, PG + 11)).toBe('again!');
    // write() is seen through both mappings at once, and reaches the file.
    expect(inode.writeAt(10, Buffer.from('via write'))).toBe(9);
    expect(text(copyFromUser(mm2, a2 + 10, 9))).toBe('via write');
    expect(text(copyFromUser(mm1, a1 + 10, 9))).toBe('via write');
    expect(readFileSync(path, 'latin1').slice(10, 19)).toBe('via write');
    freeAddressSpace(mm1);
    freeAddressSpace(mm2);
    inode.release();
  });

  it('a store reaches the file at the last munmap and at exit, not before', () => {
    const mm1 = makeMm();
    const cache = new PageCache(mm1.mem, mm1.mmu);
    const inode = open(cache);
    const a1 = map(mm1, inode, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED);
    const child = dupMm(mm1, { framesShared: 0 })!;
    // The child's store goes to the shared frame; the parent sees it.
    copyToUser(child, a1, Buffer.from('child'));
    expect(text(copyFromUser(mm1, a1, 5))).toBe('child');
    expect(doMunmap(mm1, a1, 3 * PG)).toBe(0);
    // The child still maps the file: nothing written yet.
    expect(readFileSync(path, 'latin1').slice(0, 5)).toBe('aaaaa');
    freeAddressSpace(child); // exit of the last user
    expect(readFileSync(path, 'latin1').slice(0, 5)).toBe('child');
    // And a plain munmap by the only user.
    const a2 = map(mm1, inode, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED);
    copyToUser(mm1, a2 + 2 * PG, Buffer.from('end'));
    expect(doMunmap(mm1, a2, 3 * PG)).toBe(0);
    expect(readFileSync(path, 'latin1').slice(2 * PG, 2 * PG + 3)).toBe('end');
    expect(readFileSync(path).length).toBe(2 * PG + 100);
    inode.release();
  });

  it('truncate unmaps the lost pages (SIGBUS) and zeroes the partial page', () => {
    const mm1 = makeMm();
    const mm2 = otherMm(mm1);
    const cache = new PageCache(mm1.mem, mm1.mmu);
    const inode = open(cache);
    const a1 = map(mm1, inode, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED);
    const a2 = map(mm2, inode, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE);
    expect(text(copyFromUser(mm1, a1 + 2 * PG, 1))).toBe('c');
    copyToUser(mm2, a2 + 2 * PG, Buffer.from('x')); // a private copy: unmapped too
    const lost = frameOf(getPte(mm1, a1 + 2 * PG));
    expect(text(copyFromUser(mm1, a1 + PG, 1))).toBe('b');
    expect(inode.truncate(PG + 10)).toBe(0);
    expect(getPte(mm1, a1 + 2 * PG)).toBe(0);
    expect(getPte(mm2, a2 + 2 * PG)).toBe(0);
    expect(mm1.mem.refcount[lost]).toBe(0);
    expect(handleMmFault(mm1, a1 + 2 * PG, 4)).toBe('sigbus');
    expect(handleMmFault(mm2, a2 + 2 * PG, 4)).toBe('sigbus');
    expect(Array.from(copyFromUser(mm1, a1 + PG + 9, 2))).toEqual([0x62, 0]);
    // Growing again: the page reads as zeros from the file.
    expect(inode.truncate(3 * PG)).toBe(0);
    expect(Array.from(copyFromUser(mm1, a1 + 2 * PG, 2))).toEqual([0, 0]);
    freeAddressSpace(mm1);
    freeAddressSpace(mm2);
    inode.release();
    expect(readFileSync(path).length).toBe(3 * PG);
  });
});
