import { describe, expect, it } from 'vitest';
import {
  computeMmapBase, doMmap, doMunmap, MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, MAP_SHARED, PROT_EXEC, PROT_READ, PROT_WRITE,
} from '../../../kernel/mm/mmap.js';
import { doMprotect } from '../../../kernel/mm/mprotect.js';
import { formatVmaLine } from '../../../kernel/fs/procfs.js';
import { doMadvise, MADV_DONTNEED } from '../../../kernel/mm/madvise.js';
import { handleMmFault } from '../../../kernel/mm/fault.js';
import { insertVma, VM_GROWSDOWN, VM_MAY_ALL, VM_READ, VM_WRITE, VmArea } from '../../../kernel/mm/vma.js';
import { PF_USER, PF_WRITE } from '../../../src/mmu/paging.js';
import { EACCES, EINVAL, ENOMEM } from '../../../kernel/errno.js';
import { layout, makeMm } from '../helpers.js';

const ANON = MAP_PRIVATE | MAP_ANONYMOUS;
const RW = PROT_READ | PROT_WRITE;

describe('mmap', () => {
  it('mmap_base leaves a 128 MiB gap below TASK_SIZE', () => {
    expect(computeMmapBase(0xc000_0000)).toBe(0xb800_0000);
    expect(computeMmapBase(0xffff_e000)).toBe(0xf7ff_e000);
  });

  it('falls back to bottom-up from mmap_legacy_base (randomized under --aslr) when nothing fits below mmap_base', () => {
    const mm = makeMm();
    mm.mmapBase = 0x20000;
    expect(doMmap(mm, 0, 0x100000, RW, ANON, null, 0)).toBe(0x4000_0000); // TASK_UNMAPPED_BASE of 0xc0000000
    mm.mmapLegacyBase = 0x4003_5000;
    expect(doMmap(mm, 0, 0x100000, RW, ANON, null, 0)).toBe(0x4010_0000);
    const other = makeMm();
    other.mmapBase = 0x20000;
    other.mmapLegacyBase = 0x4003_5000;
    expect(doMmap(other, 0, 0x100000, RW, ANON, null, 0)).toBe(0x4003_5000);
  });

  it('allocates top-down below mmap_base and merges neighbours', () => {
    const mm = makeMm();
    expect(doMmap(mm, 0, 4096, RW, ANON, null, 0)).toBe(0xb7ff_f000);
    expect(doMmap(mm, 0, 8192, RW, ANON, null, 0)).toBe(0xb7ff_d000);
    expect(layout(mm.vmas)).toEqual(['b7ffd000-b8000000 rw-p']);
    expect(doMmap(mm, 0, 4096, PROT_READ, ANON, null, 0)).toBe(0xb7ff_c000);
    expect(layout(mm.vmas)).toEqual(['b7ffc000-b7ffd000 r--p', 'b7ffd000-b8000000 rw-p']);
  });

  it('keeps the stack guard gap when the stack is close', () => {
    const mm = makeMm();
    mm.mmapBase = 0xc000_0000;
    insertVma(mm.vmas, new VmArea(0xbffd_f000, 0xc000_0000, VM_READ | VM_WRITE | VM_GROWSDOWN | VM_MAY_ALL));
    expect(doMmap(mm, 0, 4096, RW, ANON, null, 0)).toBe(0xbffd_f000 - 0x10_0000 - 0x1000);
  });

  it('validates arguments like Linux', () => {
    const mm = makeMm();
    expect(doMmap(mm, 0, 0, RW, ANON, null, 0)).toBe(-EINVAL);
    expect(doMmap(mm, 0, 4096, RW, MAP_ANONYMOUS, null, 0)).toBe(-EINVAL);
    expect(doMmap(mm, 0x1234, 4096, RW, ANON | MAP_FIXED, null, 0)).toBe(-EINVAL);
    expect(doMmap(mm, 0xbfff_f000, 0x2000, RW, ANON | MAP_FIXED, null, 0)).toBe(-ENOMEM);
    expect(doMunmap(mm, 0x1001, 10)).toBe(-EINVAL);
    expect(doMunmap(mm, 0x1000, 0)).toBe(-EINVAL);
  });

  it('MAP_FIXED replaces an existing mapping; munmap splits', () => {
    const mm = makeMm();
    expect(doMmap(mm, 0x4000_0000, 0x4000, RW, ANON | MAP_FIXED, null, 0)).toBe(0x4000_0000);
    expect(handleMmFault(mm, 0x4000_1000, PF_USER | PF_WRITE)).toBe('ok');
    mm.mmu.write32(0x4000_1000, 77);
    expect(doMmap(mm, 0x4000_1000, 0x1000, PROT_READ, ANON | MAP_FIXED, null, 0)).toBe(0x4000_1000);
    expect(layout(mm.vmas)).toEqual(['40000000-40001000 rw-p', '40001000-40002000 r--p', '40002000-40004000 rw-p']);
    expect(handleMmFault(mm, 0x4000_1000, PF_USER)).toBe('ok');
    expect(mm.mmu.read32(0x4000_1000)).toBe(0);
    expect(doMunmap(mm, 0x4000_0000, 0x2000)).toBe(0);
    expect(layout(mm.vmas)).toEqual(['40002000-40004000 rw-p']);
  });

  it('shared anonymous mappings are named like Linux shows them', () => {
    const mm = makeMm();
    doMmap(mm, 0, 4096, RW, MAP_SHARED | MAP_ANONYMOUS, null, 0);
    doMmap(mm, 0, 4096, RW, MAP_SHARED | MAP_ANONYMOUS, null, 0);
    // Each is a shmem object of its own (shmem_zero_setup): an unlinked file on the internal
    // shm mount, device 00:01, a distinct inode; the two never merge.
    expect(mm.vmas.map((v) => formatVmaLine(mm, v).replace(/ {2,}/, ' ')).map((l) => l.replace(/ \d+ \//, ' INO /'))).toEqual([
      'b7ffe000-b7fff000 rw-s 00000000 00:01 INO /dev/zero (deleted)',
      'b7fff000-b8000000 rw-s 00000000 00:01 INO /dev/zero (deleted)',
    ]);
    expect(mm.vmas[0].file!.ino).not.toBe(mm.vmas[1].file!.ino);
  });
});

describe('mprotect and madvise', () => {
  it('splits, updates PTEs, merges back', () => {
    const mm = makeMm();
    const a = doMmap(mm, 0, 0x3000, RW, ANON, null, 0);
    expect(handleMmFault(mm, a + 0x1000, PF_USER | PF_WRITE)).toBe('ok');
    expect(doMprotect(mm, a + 0x1000, 0x1000, PROT_READ)).toBe(0);
    expect(layout(mm.vmas)).toEqual(['b7ffd000-b7ffe000 rw-p', 'b7ffe000-b7fff000 r--p', 'b7fff000-b8000000 rw-p']);
    expect(() => mm.mmu.write8(a + 0x1000, 1)).toThrow();
    expect(handleMmFault(mm, a + 0x1000, mm.mmu.faultCode)).toBe('segv-accerr');
    expect(doMprotect(mm, a + 0x1000, 0x1000, RW)).toBe(0);
    expect(layout(mm.vmas)).toEqual(['b7ffd000-b8000000 rw-p']);
    mm.mmu.write8(a + 0x1000, 1);
    expect(doMprotect(mm, a, 0x5000, PROT_READ | PROT_EXEC)).toBe(-ENOMEM);
    expect(doMprotect(mm, a + 1, 0x1000, PROT_READ)).toBe(-EINVAL);
  });

  it('refuses PROT_WRITE beyond VM_MAYWRITE', () => {
    const mm = makeMm();
    insertVma(mm.vmas, new VmArea(0x1000_0000, 0x1000_1000, VM_READ));
    expect(doMprotect(mm, 0x1000_0000, 0x1000, RW)).toBe(-EACCES);
  });

  it('MADV_DONTNEED gives zero pages on the next touch', () => {
    const mm = makeMm();
    const a = doMmap(mm, 0, 0x2000, RW, ANON, null, 0);
    handleMmFault(mm, a, PF_USER | PF_WRITE);
    mm.mmu.write32(a, 5);
    expect(doMadvise(mm, a, 0x2000, MADV_DONTNEED)).toBe(0);
    handleMmFault(mm, a, PF_USER);
    expect(mm.mmu.read32(a)).toBe(0);
  });
});
