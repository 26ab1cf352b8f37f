// Hand-built page tables for tests that run the CPU without the kernel: a page directory in a
// fresh frame and a mapper that installs real PDE/PTE entries (the PDE user + writable).
import type { PhysicalMemory } from '../../src/mmu/physicalMemory.js';
import { PAGE_SIZE } from '../../src/mmu/physicalMemory.js';
import { PTE_P, PTE_RW, PTE_US } from '../../src/mmu/paging.js';

export const USER_RW = PTE_P | PTE_RW | PTE_US;

export interface PageMapper {
  /** Physical address of the page directory (the CR3 value). */
  pd: number;
  /** Maps the page holding lin to a new zeroed frame with PTE flags (default user RW); returns
   *  the frame's physical address. An already-present page keeps its frame. */
  map(lin: number, flags?: number): number;
}

export function pageMapper(mem: PhysicalMemory): PageMapper {
  const pd = mem.allocFrame() * PAGE_SIZE;
  const map = (lin: number, flags = USER_RW): number => {
    const pdeAddr = pd + (lin >>> 22) * 4;
    let pde = mem.dv.getInt32(pdeAddr, true);
    if (!(pde & PTE_P)) {
      pde = (mem.allocFrame() * PAGE_SIZE) | USER_RW;
      mem.dv.setInt32(pdeAddr, pde, true);
    }
    const pteAddr = ((pde & ~0xfff) >>> 0) + ((lin >>> 12) & 0x3ff) * 4;
    const old = mem.dv.getInt32(pteAddr, true);
    if (old & PTE_P) return (old & ~0xfff) >>> 0;
    const phys = mem.allocFrame() * PAGE_SIZE;
    mem.dv.setInt32(pteAddr, phys | flags, true);
    return phys;
  };
  return { pd, map };
}
