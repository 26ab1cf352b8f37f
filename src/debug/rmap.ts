// The reverse map of a physical frame for `info frames PHYS` and `info frames at ADDR`: which
// address spaces map it, at which linear pages, in which areas and with which PTE flags; its
// reference count and whether the page cache holds it. The kernel keeps no reverse map, so this
// scans every address space's page tables: a full scan, fine for a debugger command.
import { PTE_FRAME, PTE_P, pteFlagNames } from '../mmu/paging.js';
import { PAGE_SHIFT } from '../mmu/physicalMemory.js';
import type { AddressSpace, DebugTarget } from './target.js';
import { hex, hex8 } from './format.js';

/** One use of a frame found in the page tables. */
export interface FrameUse {
  space: AddressSpace;
  /** 'page' (a PTE maps it at linear), 'pt' (it is the page table for 4 MiB at linear), 'pgd'. */
  kind: 'page' | 'pt' | 'pgd';
  linear: number;
  /** The PTE (kind 'page') or PDE (kind 'pt') naming the frame. */
  entry: number;
}

/** The address spaces of the target (the current one alone when it knows no others). */
export function spacesOf(t: DebugTarget): AddressSpace[] {
  return t.addressSpaces ? t.addressSpaces() : [{ label: `pid ${t.pid}`, cr3: t.mmu.cr3 }];
}

/** Calls visit for every frame the page tables of the spaces reach: directories, tables, pages. */
export function forEachFrameUse(t: DebugTarget, spaces: AddressSpace[], visit: (pfn: number, u: FrameUse) => void): void {
  const dv = t.mem.dv;
  for (const space of spaces) {
    const pd = (space.cr3 & PTE_FRAME) >>> 0;
    visit(pd >>> PAGE_SHIFT, { space, kind: 'pgd', linear: 0, entry: space.cr3 });
    for (let i = 0; i < 1024; i++) {
      const pde = dv.getInt32(pd + i * 4, true);
      if (!(pde & PTE_P)) continue;
      const pt = (pde & PTE_FRAME) >>> 0;
      visit(pt >>> PAGE_SHIFT, { space, kind: 'pt', linear: (i << 22) >>> 0, entry: pde });
      for (let k = 0; k < 1024; k++) {
        const pte = dv.getInt32(pt + k * 4, true);
        if (pte & PTE_P) visit((pte & PTE_FRAME) >>> PAGE_SHIFT, { space, kind: 'page', linear: ((i << 22) | (k << 12)) >>> 0, entry: pte });
      }
    }
  }
}

/** "pid 1000" or, for an address space several tasks use, "pid 1000 (tids 1000 1001)". */
export function spaceName(s: AddressSpace): string {
  return s.tids && s.tids.length > 1 ? `${s.label} (tids ${s.tids.join(' ')})` : s.label;
}

/** The area name at a linear page of a space, or '' when none is known. */
export function areaName(s: AddressSpace, linear: number): string {
  const a = s.areaAt?.(linear);
  return a ? `${a.perms}${a.name ? ' ' + a.name : ''}` : '';
}

/** `info frames PHYS`: everything known about the frame holding physical address phys. */
export function frameText(t: DebugTarget, phys: number): string {
  const pfn = (phys >>> 0) >>> PAGE_SHIFT;
  if (pfn === 0 || pfn >= t.mem.frameCount) return `No frame at physical ${hex8(phys)} (frames 0x1..${hex(t.mem.frameCount - 1)} exist).`;
  const uses: FrameUse[] = [];
  forEachFrameUse(t, spacesOf(t), (p, u) => { if (p === pfn) uses.push(u); });
  const rc = t.mem.refcount[pfn] ?? 0;
  const cached = t.pageCacheFrames?.().get(pfn) ?? null;
  const pages = uses.filter((u) => u.kind === 'page');
  const out = [`frame ${hex8(pfn << PAGE_SHIFT)} (pfn ${hex(pfn)}): refcount ${rc}${rc === 0 ? ' (free)' : ''}`];
  out.push(cached === null ? 'page cache: no' : `page cache: ${cached} (the cache holds one reference)`);
  if (pages.length === 0 && uses.length === 0) out.push('mapped by no page table');
  if (pages.length > 0) {
    out.push(`mapped ${pages.length} time${pages.length > 1 ? 's' : ''}${new Set(pages.map((u) => u.space)).size > 1 ? ', by several address spaces (shared)' : ''}:`);
    for (const u of pages) {
      out.push(`  ${spaceName(u.space).padEnd(12)} ${hex8(u.linear)}  PTE ${hex8(u.entry)} ${pteFlagNames(u.entry).padEnd(16)} ${areaName(u.space, u.linear)}`.trimEnd());
    }
  }
  for (const u of uses) {
    if (u.kind === 'pgd') out.push(`  page directory of ${spaceName(u.space)} (CR3 ${hex8(u.entry)})`);
    else if (u.kind === 'pt') out.push(`  page table of ${spaceName(u.space)} for ${hex8(u.linear)}-${hex8(u.linear + 0x3fffff)} (PDE ${hex8(u.entry)})`);
  }
  const accounted = uses.length + (cached === null ? 0 : 1);
  if (rc > accounted) out.push(`  ${rc - accounted} more reference${rc - accounted > 1 ? 's' : ''} held by the kernel, not by page tables or the page cache`);
  return out.join('\n');
}
