// The MMU's debugger hooks: hooked pages stay out of the TLB so every access reaches onAccess,
// hookWrites sends every write there, and nothing changes while the hooks are off.
import { describe, expect, it } from 'vitest';
import { HOOK_READ, HOOK_WRITE, Mmu } from '../../src/mmu/mmu.js';
import { PhysicalMemory, PAGE_SIZE } from '../../src/mmu/physicalMemory.js';
import { PTE_P, PTE_RW, PTE_US } from '../../src/mmu/paging.js';

function machine(): Mmu {
  const mem = new PhysicalMemory(1 << 20);
  const pd = mem.allocFrame() * PAGE_SIZE;
  const pt = mem.allocFrame() * PAGE_SIZE;
  mem.dv.setInt32(pd, pt | PTE_P | PTE_RW | PTE_US, true);
  for (let i = 0; i < 4; i++) mem.dv.setInt32(pt + (0x10 + i) * 4, (mem.allocFrame() * PAGE_SIZE) | PTE_P | PTE_RW | PTE_US, true);
  const mmu = new Mmu(mem);
  mmu.setCr3(pd);
  return mmu;
}

describe('MMU debugger hooks', () => {
  it('reports writes to a write-hooked page every time, reads not at all', () => {
    const mmu = machine();
    const seen: string[] = [];
    mmu.hookPages = new Uint8Array(1 << 20);
    mmu.hookPages[0x10] = HOOK_WRITE;
    mmu.onAccess = (lin, size, write) => seen.push(`${write ? 'w' : 'r'}${lin.toString(16)}/${size}`);
    mmu.write32(0x10010, 5);
    mmu.write32(0x10010, 6);
    mmu.read32(0x10010);
    mmu.read32(0x10010);
    mmu.write8(0x11000, 1); // another page: reported once (the miss), then cached
    mmu.write8(0x11000, 2);
    expect(seen).toEqual(['w10010/4', 'w10010/4', 'w11000/1']);
    expect(mmu.read32(0x10010)).toBe(6);
  });

  it('reports every read of a read-hooked page, and page-crossing writes with their size', () => {
    const mmu = machine();
    const seen: string[] = [];
    mmu.hookPages = new Uint8Array(1 << 20);
    mmu.hookPages[0x11] = HOOK_READ | HOOK_WRITE;
    mmu.onAccess = (lin, size, write) => { if (size) seen.push(`${write ? 'w' : 'r'}${lin.toString(16)}/${size}`); };
    mmu.read8(0x11004);
    mmu.read8(0x11004);
    mmu.write32(0x10ffe, 0x11223344);
    expect(seen).toEqual(['r11004/1', 'r11004/1', 'w10ffe/4']);
    expect(mmu.read32(0x10ffe)).toBe(0x11223344);
  });

  it('hookWrites sends every write to the hook', () => {
    const mmu = machine();
    let n = 0;
    mmu.hookWrites = true;
    mmu.onAccess = (_l, _s, w) => { if (w) n++; };
    for (let i = 0; i < 10; i++) mmu.write32(0x12000 + 4 * i, i);
    expect(n).toBe(10);
  });
});
