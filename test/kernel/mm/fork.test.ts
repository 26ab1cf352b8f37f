// fork's copy of an address space at the page-table level (kernel/mm/fork.ts): private writable
// pages become read-only copy-on-write PTEs in both page tables sharing one frame (refcount 2),
// the first write on either side copies, read-only and shared pages stay shared, and tearing
// a process down gives its references back.
import { describe, expect, it } from 'vitest';
import { PTE_COW, PTE_FRAME, PTE_P, PTE_RW } from '../../../src/mmu/paging.js';
import { handleMmFault } from '../../../kernel/mm/fault.js';
import { dupMm } from '../../../kernel/mm/fork.js';
import { doMmap, MAP_ANONYMOUS, MAP_PRIVATE, MAP_SHARED, PROT_READ, PROT_WRITE } from '../../../kernel/mm/mmap.js';
import { freeAddressSpace, getPte } from '../../../kernel/mm/pageTable.js';
import { copyFromUser, copyToUser } from '../../../kernel/mm/uaccess.js';
import { makeMm } from '../helpers.js';

const frameOf = (pte: number) => (pte & PTE_FRAME) >>> 12;

describe('dupMm (copy-on-write fork)', () => {
  it('shares private pages read-only, copies on the first write, frees on exit', () => {
    const parent = makeMm();
    const a = doMmap(parent, 0, 0x2000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
    copyToUser(parent, a, Buffer.from('parent page 0'));
    copyToUser(parent, a + 0x1000, Buffer.from('parent page 1'));
    const frame0 = frameOf(getPte(parent, a));
    const inUse = parent.mem.framesInUse;
    const stats = { framesShared: 0 };

    const child = dupMm(parent, stats)!;
    expect(stats.framesShared).toBe(2);
    for (const mm of [parent, child]) {
      const pte = getPte(mm, a);
      expect(pte & PTE_P).toBe(PTE_P);
      expect(pte & PTE_RW).toBe(0);
      expect(pte & PTE_COW).toBe(PTE_COW);
      expect(frameOf(pte)).toBe(frame0);
    }
    expect(parent.mem.refcount[frame0]).toBe(2);
    // Only the child's page directory and page table are new; no data frame was copied.
    expect(parent.mem.framesInUse - inUse).toBe(2);

    // The child's write copies: it gets its own frame, the parent keeps the original.
    expect(handleMmFault(child, a, 0x7)).toBe('ok');
    const childFrame = frameOf(getPte(child, a));
    expect(childFrame).not.toBe(frame0);
    expect(getPte(child, a) & PTE_RW).toBe(PTE_RW);
    expect(parent.mem.refcount[frame0]).toBe(1);
    copyToUser(child, a, Buffer.from('child!'));
    expect(Buffer.from(copyFromUser(parent, a, 13)).toString()).toBe('parent page 0');
    expect(Buffer.from(copyFromUser(child, a, 13)).toString()).toBe('child! page 0');

    // The parent, now the frame's only user, takes it over without copying.
    expect(handleMmFault(parent, a, 0x7)).toBe('ok');
    expect(frameOf(getPte(parent, a))).toBe(frame0);
    expect(getPte(parent, a) & PTE_RW).toBe(PTE_RW);

    // Page 1 is still shared; freeing the child drops its references.
    const frame1 = frameOf(getPte(parent, a + 0x1000));
    expect(parent.mem.refcount[frame1]).toBe(2);
    freeAddressSpace(child);
    expect(parent.mem.refcount[frame1]).toBe(1);
    expect(parent.mem.refcount[childFrame]).toBe(0);
    expect(parent.mem.framesInUse).toBe(inUse);
  });

  it('keeps MAP_SHARED pages writable and shared between both sides, including pages touched after the fork', () => {
    const parent = makeMm();
    const s = doMmap(parent, 0, 0x3000, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, null, 0);
    copyToUser(parent, s, Buffer.from('x'));
    const inUse = parent.mem.framesInUse;
    const child = dupMm(parent, { framesShared: 0 })!;
    // Only the touched page is mapped in both; the untouched ones cost nothing at fork.
    expect(frameOf(getPte(child, s))).toBe(frameOf(getPte(parent, s)));
    expect(getPte(child, s) & PTE_COW).toBe(0);
    // The shmem object's own reference, the parent's and the child's.
    expect(parent.mem.refcount[frameOf(getPte(parent, s))]).toBe(3);
    expect(getPte(child, s + 0x1000) & PTE_P).toBe(0);
    expect(getPte(child, s + 0x2000) & PTE_P).toBe(0);
    expect(parent.mem.framesInUse - inUse).toBe(2); // the child's page directory and one page table
    // A page first touched by the child after the fork is seen by the parent, and the other way round.
    copyToUser(child, s + 0x2000, Buffer.from('from the child'));
    expect(Buffer.from(copyFromUser(parent, s + 0x2000, 14)).toString()).toBe('from the child');
    copyToUser(parent, s + 0x1000, Buffer.from('from the parent'));
    expect(Buffer.from(copyFromUser(child, s + 0x1000, 15)).toString()).toBe('from the parent');
    expect(frameOf(getPte(child, s + 0x1000))).toBe(frameOf(getPte(parent, s + 0x1000)));
    // The object outlives either side alone and goes with the last mapper.
    freeAddressSpace(parent);
    expect(Buffer.from(copyFromUser(child, s + 0x2000, 14)).toString()).toBe('from the child');
    freeAddressSpace(child);
    expect(child.mem.framesInUse).toBe(0);
  });
});
