import { describe, expect, it } from 'vitest';
import { PTE_FRAME, PTE_P, PTE_RW, PTE_US, inspectWalk } from '../../../src/mmu/paging.js';
import { changeProtection, getPte, mapPage, zapRange } from '../../../kernel/mm/pageTable.js';
import { VM_READ, VM_WRITE } from '../../../kernel/mm/vma.js';
import { makeMm } from '../helpers.js';

describe('page tables', () => {
  it('a mapped page has user PDE/PTE bits and Mmu.walk finds its frame', () => {
    const mm = makeMm();
    const pfn = mm.mem.allocFrame();
    mapPage(mm, 0x08048000, pfn, VM_READ | VM_WRITE);
    const pde = mm.mem.dv.getInt32(mm.pgd * 4096 + (0x08048000 >>> 22) * 4, true);
    expect(pde & (PTE_P | PTE_RW | PTE_US)).toBe(PTE_P | PTE_RW | PTE_US);
    const pte = getPte(mm, 0x08048000);
    expect(pte & (PTE_P | PTE_RW | PTE_US)).toBe(PTE_P | PTE_RW | PTE_US);
    expect((pte & PTE_FRAME) >>> 12).toBe(pfn);
    expect(mm.mmu.walk(0x08048123, false)).toBe(pfn * 4096 + 0x123);
    expect(mm.mmu.walk(0x08048123, true)).toBe(pfn * 4096 + 0x123);
    expect(mm.mmu.walk(0x08049000, false)).toBe(-1);
    const w = inspectWalk(mm.mem, mm.mmu.cr3, 0x08048010);
    expect(w.physical).toBe(pfn * 4096 + 0x10);
    expect(w.writeFault).toBeNull();
  });

  it('read-only pages fault on write with a protection error code', () => {
    const mm = makeMm();
    mapPage(mm, 0x1000_0000, mm.mem.allocFrame(), VM_READ);
    expect(mm.mmu.walk(0x1000_0000, false)).toBeGreaterThan(0);
    expect(mm.mmu.walk(0x1000_0000, true)).toBe(-1);
    expect(mm.mmu.faultCode).toBe(0x7); // PROT | WRITE | USER
    expect(mm.mmu.cr2 >>> 0).toBe(0x1000_0000);
  });

  it('PROT_NONE pages stay present but supervisor-only', () => {
    const mm = makeMm();
    mapPage(mm, 0x2000_0000, mm.mem.allocFrame(), VM_READ | VM_WRITE);
    changeProtection(mm, 0x2000_0000, 0x2000_1000, 0);
    expect(getPte(mm, 0x2000_0000) & (PTE_P | PTE_US)).toBe(PTE_P);
    expect(mm.mmu.walk(0x2000_0000, false)).toBe(-1);
    changeProtection(mm, 0x2000_0000, 0x2000_1000, VM_READ);
    expect(mm.mmu.walk(0x2000_0000, false)).toBeGreaterThan(0);
  });

  it('zapRange frees frames and empty page tables', () => {
    const mm = makeMm();
    const before = mm.mem.framesInUse;
    for (let a = 0x3000_0000; a < 0x3000_4000; a += 4096) mapPage(mm, a, mm.mem.allocFrame(), VM_READ);
    expect(mm.mem.framesInUse).toBe(before + 5); // 4 pages + 1 page table
    expect(zapRange(mm, 0x3000_0000, 0x3000_4000)).toBe(4);
    expect(mm.mem.framesInUse).toBe(before);
    expect(mm.mmu.walk(0x3000_0000, false)).toBe(-1);
  });

  it('a shared frame is not freed until its last mapper goes', () => {
    const mm = makeMm();
    const pfn = mm.mem.allocFrame();
    mapPage(mm, 0x4000_0000, pfn, VM_READ);
    mm.mem.getFrame(pfn);
    mapPage(mm, 0x4000_1000, pfn, VM_READ);
    zapRange(mm, 0x4000_0000, 0x4000_1000);
    expect(mm.mem.refcount[pfn]).toBe(1);
    zapRange(mm, 0x4000_1000, 0x4000_2000);
    expect(mm.mem.refcount[pfn]).toBe(0);
  });
});
