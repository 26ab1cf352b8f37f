// Shared anonymous memory as a shmem object (kernel/mm/shmem.ts): every area mapping it, in
// the parent and in a fork child, maps the same frame for a page whoever touches it first;
// holes read as zeros; MADV_REMOVE punches a hole for everyone; a page past the object (after
// mremap grows the area) gets SIGBUS; the object and its frames go with the last mapper.
import { describe, expect, it } from 'vitest';
import { PF_USER, PF_WRITE, PTE_FRAME, PTE_P } from '../../../src/mmu/paging.js';
import { handleMmFault } from '../../../kernel/mm/fault.js';
import { dupMm } from '../../../kernel/mm/fork.js';
import { doMadvise, MADV_REMOVE } from '../../../kernel/mm/madvise.js';
import { doMmap, doMunmap, MAP_ANONYMOUS, MAP_SHARED, PROT_READ, PROT_WRITE } from '../../../kernel/mm/mmap.js';
import { doMprotect } from '../../../kernel/mm/mprotect.js';
import { doMremap, MREMAP_MAYMOVE } from '../../../kernel/mm/mremap.js';
import { freeAddressSpace, getPte } from '../../../kernel/mm/pageTable.js';
import { isShmem } from '../../../kernel/mm/shmem.js';
import { copyFromUser, copyToUser } from '../../../kernel/mm/uaccess.js';
import { makeMm } from '../helpers.js';

const PG = 4096;
const RW = PROT_READ | PROT_WRITE;
const frameOf = (pte: number) => (pte & PTE_FRAME) >>> 12;
const text = (b: Uint8Array) => Buffer.from(b).toString('latin1');

describe('shmem objects for MAP_SHARED|MAP_ANONYMOUS', () => {
  it('gives each mapping an object of its own, zero-filled, never written back', () => {
    const mm = makeMm();
    const a = doMmap(mm, 0, 2 * PG, RW, MAP_SHARED | MAP_ANONYMOUS, null, 0);
    const v = mm.vmas[0];
    expect(isShmem(v.file)).toBe(true);
    expect(v.file!.mapping.size).toBe(2 * PG);
    expect(text(copyFromUser(mm, a + PG, 4))).toBe('\0\0\0\0');
    copyToUser(mm, a, Buffer.from('data'));
    expect(v.file!.mapping.writeback()).toBe(0);
    expect(text(copyFromUser(mm, a, 4))).toBe('data');
  });

  it('shares pages first touched after fork, in both directions, and frees them with the last mapper', () => {
    const parent = makeMm();
    const a = doMmap(parent, 0, 4 * PG, RW, MAP_SHARED | MAP_ANONYMOUS, null, 0);
    const child = dupMm(parent, { framesShared: 0 })!;
    expect(child.vmas[0].file).toBe(parent.vmas[0].file);
    // Nothing was faulted in at fork.
    for (let i = 0; i < 4; i++) expect(getPte(parent, a + i * PG) & PTE_P).toBe(0);
    expect(handleMmFault(child, a + 3 * PG, PF_USER | PF_WRITE)).toBe('ok');
    copyToUser(child, a + 3 * PG, Buffer.from('child'));
    expect(text(copyFromUser(parent, a + 3 * PG, 5))).toBe('child');
    expect(frameOf(getPte(parent, a + 3 * PG))).toBe(frameOf(getPte(child, a + 3 * PG)));
    copyToUser(parent, a, Buffer.from('parent'));
    expect(text(copyFromUser(child, a, 6))).toBe('parent');
    // mprotect and munmap of part of the area keep the rest shared.
    expect(doMprotect(child, a, PG, PROT_READ)).toBe(0);
    expect(handleMmFault(child, a, PF_USER | PF_WRITE | 1)).toBe('segv-accerr');
    expect(doMunmap(parent, a + PG, PG)).toBe(0);
    copyToUser(parent, a + 2 * PG, Buffer.from('after split'));
    expect(text(copyFromUser(child, a + 2 * PG, 11))).toBe('after split');
    const as = parent.vmas.find((v) => v.file !== null)!.file!.mapping;
    freeAddressSpace(parent);
    expect(as.released).toBe(false);
    expect(text(copyFromUser(child, a + 3 * PG, 5))).toBe('child');
    freeAddressSpace(child);
    expect(as.released).toBe(true);
    expect(parent.mem.framesInUse).toBe(0); // object pages, page tables and both page directories
  });

  it('MADV_REMOVE punches a hole every mapper sees', () => {
    const parent = makeMm();
    const a = doMmap(parent, 0, 2 * PG, RW, MAP_SHARED | MAP_ANONYMOUS, null, 0);
    copyToUser(parent, a, Buffer.from('one'));
    copyToUser(parent, a + PG, Buffer.from('two'));
    const child = dupMm(parent, { framesShared: 0 })!;
    const as = parent.vmas[0].file!.mapping;
    expect(as.pages.size).toBe(2);
    expect(doMadvise(child, a, PG, MADV_REMOVE)).toBe(0);
    expect(as.pages.size).toBe(1);
    expect(getPte(parent, a) & PTE_P).toBe(0);
    expect(text(copyFromUser(parent, a, 3))).toBe('\0\0\0');
    expect(text(copyFromUser(child, a + PG, 3))).toBe('two');
  });

  it('keeps its size when mremap grows the area: the new page is SIGBUS, the old pages move along', () => {
    const mm = makeMm();
    const a = doMmap(mm, 0, 2 * PG, RW, MAP_SHARED | MAP_ANONYMOUS, null, 0);
    copyToUser(mm, a + PG, Buffer.from('moved'));
    doMmap(mm, a + 2 * PG, PG, RW, 0x22 | 0x10, null, 0); // something above: growing must move
    const b = doMremap(mm, a, 2 * PG, 3 * PG, MREMAP_MAYMOVE, 0);
    expect(b).not.toBe(a);
    expect(text(copyFromUser(mm, b + PG, 5))).toBe('moved');
    expect(handleMmFault(mm, b + 2 * PG, PF_USER)).toBe('sigbus');
  });
});
