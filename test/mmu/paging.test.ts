// The CR3 two-level walk over real x86 page-table entries: translation, U/S and R/W checks
// with their #PF error codes, A/D bit updates, and TLB invalidation.
import { beforeEach, describe, expect, it } from 'vitest';
import { Mmu, PAGE_FAULT } from '../../src/mmu/mmu.js';
import { PhysicalMemory } from '../../src/mmu/physicalMemory.js';
import {
  PF_PROT, PF_USER, PF_WRITE, PTE_A, PTE_D, PTE_P, PTE_RW, PTE_US, inspectWalk,
} from '../../src/mmu/paging.js';

let mem: PhysicalMemory;
let mmu: Mmu;
let pd: number;

function pteAddr(lin: number): number {
  const pde = mem.dv.getInt32(pd + (lin >>> 22) * 4, true);
  return ((pde & ~0xfff) >>> 0) + ((lin >>> 12) & 0x3ff) * 4;
}

/** Maps lin to a given frame with the given PTE flags (PDE is user+writable). */
function map(lin: number, pfn: number, flags: number, pdeFlags = PTE_P | PTE_RW | PTE_US): void {
  const pdeAddr = pd + (lin >>> 22) * 4;
  let pde = mem.dv.getInt32(pdeAddr, true);
  if (!(pde & PTE_P)) pde = mem.allocFrame() << 12;
  mem.dv.setInt32(pdeAddr, (pde & ~0xfff) | pdeFlags, true);
  mem.dv.setInt32(pteAddr(lin), (pfn << 12) | flags, true);
}

function expectFault(f: () => unknown, cr2: number, code: number): void {
  let thrown: unknown = null;
  try { f(); } catch (e) { thrown = e; }
  expect(thrown).toBe(PAGE_FAULT);
  expect(mmu.cr2 >>> 0).toBe(cr2 >>> 0);
  expect(mmu.faultCode).toBe(code);
}

beforeEach(() => {
  mem = new PhysicalMemory(16 << 20);
  mmu = new Mmu(mem);
  pd = mem.allocFrame() << 12;
  mmu.setCr3(pd);
});

describe('two-level page walk', () => {
  it('translates 0x1234FFFF through a PTE naming frame 0xAAA to 0xAAAFFF', () => {
    map(0x1234ffff, 0xaaa, PTE_P | PTE_RW | PTE_US);
    expect(mmu.walk(0x1234ffff, false)).toBe(0xaaafff);
    mem.bytes[0xaaafff] = 0x5a;
    expect(mmu.read8(0x1234ffff)).toBe(0x5a);
    const r = inspectWalk(mem, mmu.cr3, 0x1234ffff);
    expect(r.pdeIndex).toBe(0x48);
    expect(r.pteIndex).toBe(0x34f);
    expect(r.physical).toBe(0xaaafff);
  });

  it('faults on a non-present PDE and PTE with the not-present error code', () => {
    expectFault(() => mmu.read32(0x08048000), 0x08048000, PF_USER);
    map(0x08048000, 0x100, 0);
    expectFault(() => mmu.write32(0x08049000, 1), 0x08049000, PF_USER | PF_WRITE);
  });

  it('enforces U/S at either level', () => {
    map(0x400000, 0x101, PTE_P | PTE_RW); // supervisor PTE
    expectFault(() => mmu.read8(0x400000), 0x400000, PF_USER | PF_PROT);
    map(0x800000, 0x102, PTE_P | PTE_RW | PTE_US, PTE_P | PTE_RW); // supervisor PDE
    expectFault(() => mmu.read8(0x800000), 0x800000, PF_USER | PF_PROT);
  });

  it('enforces R/W at either level, reads still work', () => {
    map(0x400000, 0x101, PTE_P | PTE_US);
    expect(mmu.read8(0x400000)).toBe(0);
    expectFault(() => mmu.write8(0x400000, 1), 0x400000, PF_USER | PF_WRITE | PF_PROT);
    map(0xc00000, 0x102, PTE_P | PTE_RW | PTE_US, PTE_P | PTE_US);
    expectFault(() => mmu.write16(0xc00000, 1), 0xc00000, PF_USER | PF_WRITE | PF_PROT);
  });

  it('sets A on read and D on write, in the PDE and PTE', () => {
    map(0x400000, 0x101, PTE_P | PTE_RW | PTE_US);
    const a = pteAddr(0x400000);
    expect(mem.dv.getInt32(a, true) & (PTE_A | PTE_D)).toBe(0);
    mmu.read32(0x400010);
    expect(mem.dv.getInt32(a, true) & (PTE_A | PTE_D)).toBe(PTE_A);
    expect(mem.dv.getInt32(pd + 1 * 4, true) & PTE_A).toBe(PTE_A);
    mmu.write32(0x400010, 7);
    expect(mem.dv.getInt32(a, true) & (PTE_A | PTE_D)).toBe(PTE_A | PTE_D);
  });

  it('splits an access that crosses a page boundary, faulting before writing anything', () => {
    map(0x400000, 0x101, PTE_P | PTE_RW | PTE_US);
    map(0x401000, 0x102, PTE_P | PTE_US); // read-only second page
    mem.bytes.set([1, 2], (0x101 << 12) + 0xffe);
    mem.bytes.set([5, 6], 0x102 << 12);
    expect(mmu.read32(0x400ffe) >>> 0).toBe(0x06050201);
    expectFault(() => mmu.write32(0x400ffe, -1), 0x401000, PF_USER | PF_WRITE | PF_PROT);
    expect(mem.bytes[(0x101 << 12) + 0xffe]).toBe(1);
  });
});

describe('TLB', () => {
  it('serves repeated accesses from the TLB and counts hits and misses', () => {
    map(0x400000, 0x101, PTE_P | PTE_RW | PTE_US);
    const misses = mmu.tlbMisses;
    mmu.read32(0x400000);
    mmu.read32(0x400004);
    mmu.read32(0x400008);
    expect(mmu.tlbMisses - misses).toBe(1);
    expect(mmu.tlbHits).toBeGreaterThanOrEqual(2);
    expect(mmu.tlbEntries().map((e) => e.vpn)).toContain(0x400);
  });

  it('keeps a stale translation until INVLPG or a CR3 reload, like hardware', () => {
    map(0x400000, 0x101, PTE_P | PTE_RW | PTE_US);
    mem.bytes[0x101 << 12] = 11;
    mem.bytes[0x102 << 12] = 22;
    expect(mmu.read8(0x400000)).toBe(11);
    map(0x400000, 0x102, PTE_P | PTE_RW | PTE_US); // the kernel changes the PTE...
    expect(mmu.read8(0x400000)).toBe(11); // ...the TLB still has the old frame
    mmu.invlpg(0x400000);
    expect(mmu.read8(0x400000)).toBe(22);
    map(0x400000, 0x101, PTE_P | PTE_RW | PTE_US);
    mmu.setCr3(pd);
    expect(mmu.read8(0x400000)).toBe(11);
  });

  it('does not allow fast writes through a read-filled entry of a clean page', () => {
    map(0x400000, 0x101, PTE_P | PTE_RW | PTE_US);
    mmu.read8(0x400000);
    expect(mem.dv.getInt32(pteAddr(0x400000), true) & PTE_D).toBe(0);
    mmu.write8(0x400000, 1); // must walk again to set D
    expect(mem.dv.getInt32(pteAddr(0x400000), true) & PTE_D).toBe(PTE_D);
  });
});
