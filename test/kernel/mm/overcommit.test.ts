// Linux's default overcommit heuristic (kernel/mm/overcommit.ts, OVERCOMMIT_GUESS): a single
// charge larger than RAM plus swap fails with ENOMEM (mmap, brk, mremap growth, mprotect
// making private memory writable, a shared anonymous object); anything smaller succeeds and
// costs no frame until touched; MAP_NORESERVE and read-only private memory are not charged.
// Committed_AS sums the charges. The limit is the emulated RAM, which qemu-user does not model.
import { describe, expect, it } from 'vitest';
import { doBrk } from '../../../kernel/mm/brk.js';
import { doMmap, MAP_ANONYMOUS, MAP_NORESERVE, MAP_PRIVATE, MAP_SHARED, PROT_READ, PROT_WRITE } from '../../../kernel/mm/mmap.js';
import { doMprotect } from '../../../kernel/mm/mprotect.js';
import { doMremap, MREMAP_MAYMOVE } from '../../../kernel/mm/mremap.js';
import { commitLimit, committedAs, committedAsPages, vmEnoughMemory } from '../../../kernel/mm/overcommit.js';
import { dupMm } from '../../../kernel/mm/fork.js';
import { freeAddressSpace } from '../../../kernel/mm/pageTable.js';
import { makeMm } from '../helpers.js';

const MiB = 1024 * 1024;
const RW = PROT_READ | PROT_WRITE;
const ENOMEM = 12;
const ANON = MAP_PRIVATE | MAP_ANONYMOUS;

describe('overcommit (OVERCOMMIT_GUESS)', () => {
  it('refuses one private writable mapping larger than RAM + swap, and nothing smaller', () => {
    const mm = makeMm(16 * MiB); // 4096 frames, 4095 of them RAM (MemTotal): frame 0 is reserved
    const inUse = mm.mem.framesInUse;
    expect(doMmap(mm, 0, 16 * MiB, RW, ANON, null, 0)).toBe(-ENOMEM);
    const a = doMmap(mm, 0, 16 * MiB - 4096, RW, ANON, null, 0);
    expect(a).toBeGreaterThan(0);
    // Several mappings may add up to more than RAM: only each one's size is checked.
    expect(doMmap(mm, 0, 16 * MiB - 4096, RW, ANON, null, 0)).toBeGreaterThan(0);
    expect(mm.mem.framesInUse).toBe(inUse); // untouched memory costs no frames
    expect(doMmap(mm, 0, 64 * MiB, RW, ANON | MAP_NORESERVE, null, 0)).toBeGreaterThan(0);
    expect(doMmap(mm, 0, 64 * MiB, PROT_READ, ANON, null, 0)).toBeGreaterThan(0);
    expect(doMmap(mm, 0, 17 * MiB, RW, MAP_SHARED | MAP_ANONYMOUS, null, 0)).toBe(-ENOMEM);
    mm.mem.totalSwapPages = 1024; // 4 MiB of swap
    expect(doMmap(mm, 0, 20 * MiB - 4096, RW, ANON, null, 0)).toBeGreaterThan(0);
    expect(vmEnoughMemory(mm, 4095 + 1024)).toBe(true);
    expect(vmEnoughMemory(mm, 4095 + 1024 + 1)).toBe(false);
  });

  it('charges brk, mremap growth and mprotect to writable', () => {
    const mm = makeMm(16 * MiB);
    mm.startBrk = mm.brk = 0x0900_0000;
    expect(doBrk(mm, 0x0900_0000 + 17 * MiB)).toBe(0x0900_0000);
    expect(doBrk(mm, 0x0900_0000 + 8 * MiB)).toBe(0x0900_0000 + 8 * MiB);
    const a = doMmap(mm, 0, 8 * MiB, RW, ANON, null, 0);
    expect(doMremap(mm, a, 8 * MiB, 24 * MiB, MREMAP_MAYMOVE, 0)).toBe(-ENOMEM); // 16 MiB more
    expect(doMremap(mm, a, 8 * MiB, 24 * MiB - 4096, MREMAP_MAYMOVE, 0)).toBeGreaterThan(0);
    const r = doMmap(mm, 0, 20 * MiB, PROT_READ, ANON, null, 0);
    expect(doMprotect(mm, r, 20 * MiB, RW)).toBe(-ENOMEM);
    expect(doMprotect(mm, r, 12 * MiB, RW)).toBe(0);
  });

  it('counts Committed_AS over address spaces, a shared object once', () => {
    const mm = makeMm(16 * MiB);
    doMmap(mm, 0, MiB, RW, ANON, null, 0);
    doMmap(mm, 0, MiB, RW, ANON | MAP_NORESERVE, null, 0);
    doMmap(mm, 0, MiB, PROT_READ, ANON, null, 0);
    doMmap(mm, 0, 2 * MiB, RW, MAP_SHARED | MAP_ANONYMOUS, null, 0);
    expect(committedAsPages([mm])).toBe(256 + 512);
    expect(committedAsPages([mm, mm])).toBe(256 + 512);
    // The kernel-wide figure: every live address space on this memory, the shared object once.
    const child = dupMm(mm, { framesShared: 0 })!;
    expect(committedAs(mm.mem)).toBe(2 * 256 + 512);
    freeAddressSpace(child);
    expect(committedAs(mm.mem)).toBe(256 + 512);
    expect(commitLimit(mm.mem)).toBe(2047);
  });
});
