// Shared fixtures for the kernel unit tests: a small physical memory, an MMU, and an empty
// address space with the 3 GiB personality.
import { Mmu } from '../../src/mmu/mmu.js';
import { PhysicalMemory } from '../../src/mmu/physicalMemory.js';
import { newFaultStats, type Mm } from '../../kernel/mm/mmStruct.js';
import { createMm } from '../../kernel/mm/pageTable.js';
import { computeMmapBase } from '../../kernel/mm/mmap.js';
import type { VmArea } from '../../kernel/mm/vma.js';
import { vmaPermString } from '../../kernel/mm/vma.js';

export const TASK_SIZE = 0xc0000000;

export function makeMm(memBytes = 16 * 1024 * 1024): Mm {
  const mem = new PhysicalMemory(memBytes);
  const mmu = new Mmu(mem);
  const mm = createMm(mem, mmu, TASK_SIZE, newFaultStats());
  mm.mmapBase = computeMmapBase(TASK_SIZE);
  mmu.setCr3(mm.pgd * 4096);
  return mm;
}

/** "08048000-0804a000 r-xp name" lines, one per area. */
export function layout(vmas: readonly VmArea[]): string[] {
  return vmas.map((v) => `${hex8(v.start)}-${hex8(v.end)} ${vmaPermString(v.flags)}${v.name ? ' ' + v.name : ''}`);
}

export function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}
