// protectCodeFrame finds the fast write entries that point at a frame through a per-frame
// index instead of scanning the TLB (which, once more than TLB_FILLED_MAX pages went through
// it, means all 1 M slots): every write entry for the frame is dropped, one linear page or several, a
// stale index entry is harmless, and no other page's entry is touched.
import { beforeEach, describe, expect, it } from 'vitest';
import { Mmu, TLB_FILLED_MAX } from '../../src/mmu/mmu.js';
import { PTE_P, PTE_RW, PTE_US } from '../../src/mmu/paging.js';
import { PhysicalMemory } from '../../src/mmu/physicalMemory.js';

let mem: PhysicalMemory;
let mmu: Mmu;
let pd: number;
const RW = PTE_P | PTE_RW | PTE_US;
const RO = PTE_P | PTE_US;

function pteAddr(lin: number): number {
  const pde = mem.dv.getInt32(pd + (lin >>> 22) * 4, true);
  return ((pde & ~0xfff) >>> 0) + ((lin >>> 12) & 0x3ff) * 4;
}

function map(lin: number, pfn: number, flags: number): void {
  const pdeAddr = pd + (lin >>> 22) * 4;
  if (!(mem.dv.getInt32(pdeAddr, true) & PTE_P)) mem.dv.setInt32(pdeAddr, (mem.allocFrame() << 12) | RW, true);
  mem.dv.setInt32(pteAddr(lin), (pfn << 12) | flags, true);
}

/** Reads read-only pages (all naming frame 1) until the TLB's list of filled slots overflows. */
function overflowTlb(): void {
  for (let i = 0; i <= TLB_FILLED_MAX; i++) {
    const lin = 0x10000000 + i * 0x1000;
    map(lin, 1, RO);
    mmu.read8(lin);
  }
}

const writable = (lin: number) => mmu.tlbW[lin >>> 12] !== 0;

beforeEach(() => {
  mem = new PhysicalMemory(16 << 20);
  mmu = new Mmu(mem);
  pd = mem.allocFrame() << 12;
  mmu.setCr3(pd);
});

for (const full of [false, true]) {
  describe(full ? 'after the TLB overflowed' : 'with few TLB entries', () => {
    beforeEach(() => {
      if (full) overflowTlb();
    });

    it('a flush empties every slot', () => {
      map(0x00400000, 100, RW);
      mmu.write8(0x00400000, 1);
      mmu.flushTlb();
      expect(mmu.tlbR[0x00400000 >>> 12]).toBe(0);
      expect(mmu.tlbR[0x10000000 >>> 12]).toBe(0);
      expect(mmu.tlbR[(0x10000000 >>> 12) + TLB_FILLED_MAX]).toBe(0);
      expect(mmu.tlbEntries()).toEqual([]);
    });

    it('drops the write entry of the one page that maps the frame, and only it', () => {
      map(0x00400000, 100, RW);
      map(0x00401000, 101, RW);
      mmu.write8(0x00400000, 1);
      mmu.write8(0x00401000, 1);
      expect(writable(0x00400000) && writable(0x00401000)).toBe(true);
      mmu.protectCodeFrame(100);
      expect(writable(0x00400000)).toBe(false);
      expect(writable(0x00401000)).toBe(true);
      // The next write takes the slow path, which tells the CPU its code changed.
      const dropped: number[] = [];
      mmu.onCodeInvalidate = (pfn) => dropped.push(pfn);
      mmu.write8(0x00400010, 2);
      expect(dropped).toEqual([100]);
    });

    it('drops every write entry when several pages map the frame', () => {
      map(0x00400000, 100, RW);
      map(0x00500000, 100, RW);
      map(0x00600000, 100, RW);
      for (const lin of [0x00400000, 0x00500000, 0x00600000]) mmu.write8(lin, 1);
      mmu.protectCodeFrame(100);
      expect([0x00400000, 0x00500000, 0x00600000].map(writable)).toEqual([false, false, false]);
      // Later, once more with a single page.
      mmu.invalidateCode(100);
      mmu.write8(0x00500000, 1);
      mmu.protectCodeFrame(100);
      expect(writable(0x00500000)).toBe(false);
    });

    it('finds the entry after the indexed page was invalidated and another page took the frame', () => {
      map(0x00400000, 100, RW);
      mmu.write8(0x00400000, 1);
      map(0x00400000, 102, RW);
      mmu.invlpg(0x00400000);
      mmu.write8(0x00400000, 1); // now frame 102
      map(0x00700000, 100, RW);
      mmu.write8(0x00700000, 1);
      mmu.protectCodeFrame(100);
      expect(writable(0x00700000)).toBe(false);
      expect(writable(0x00400000)).toBe(true);
    });
  });
}
