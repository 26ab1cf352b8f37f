// Mapping the vDSO at exec (Linux's map_vdso in arch/x86/entry/vdso/vma.c, as 6.18 lays it
// out): one get_unmapped_area of the whole span, then [vvar] (4 pages, the kernel's time data),
// [vvar_vclock] (2 pages, the paravirtual clock pages) and the two-page [vdso] image above them.
// The vvar pages read as zeros here: the vDSO's clock functions make the system call instead
// of reading them (vdsoImage.ts). The image is a private mapping of an in-memory file named
// "[vdso]", so it is shared by forks, can be copied-on-write by a debugger's breakpoint, and
// shows as `00000000 00:00 0 [vdso]` in the maps.
import { PAGE_SIZE } from '../../src/mmu/physicalMemory.js';
import type { Mmu } from '../../src/mmu/mmu.js';
import type { PhysicalMemory } from '../../src/mmu/physicalMemory.js';
import type { Mm } from '../mm/mmStruct.js';
import { getUnmappedArea, mmapRegion } from '../mm/mmap.js';
import { PageCache } from '../mm/pageCache.js';
import { VM_DONTDUMP, VM_EXEC, VM_MAY_ALL, VM_MAYREAD, VM_READ, type VmFile } from '../mm/vma.js';
import { ElfError } from './elfError.js';
import { VDSO_PAGES, VVAR_PAGES, VVAR_VCLOCK_PAGES, vdsoImage, vdsoSymbolOffset } from './vdsoImage.js';

/** The name the image's file has, and what the maps show for it. */
export const VDSO_NAME = '[vdso]';

export interface VdsoAddresses {
  /** AT_SYSINFO_EHDR: the image's ELF header. */
  base: number;
  /** AT_SYSINFO: __kernel_vsyscall. */
  entry: number;
}

/** The vDSO image as a file a VMA can map (one per exec; forks share it). */
export function vdsoFile(mem: PhysicalMemory, mmu: Mmu): VmFile {
  return { mapping: new PageCache(mem, mmu).anonymous(vdsoImage()), path: VDSO_NAME, devMajor: 0, devMinor: 0, ino: 0 };
}

/** map_vdso: places [vvar], [vvar_vclock] and [vdso] top-down like any mmap without a hint. */
export function mapVdso(mm: Mm, file: VmFile): VdsoAddresses {
  const vvarSize = (VVAR_PAGES + VVAR_VCLOCK_PAGES) * PAGE_SIZE;
  const addr = getUnmappedArea(mm, 0, vvarSize + VDSO_PAGES * PAGE_SIZE);
  if (addr < 0) throw new ElfError('no room for the vDSO');
  const vvarFlags = VM_READ | VM_MAYREAD | VM_DONTDUMP;
  mmapRegion(mm, addr, VVAR_PAGES * PAGE_SIZE, vvarFlags, null, 0, '[vvar]');
  mmapRegion(mm, addr + VVAR_PAGES * PAGE_SIZE, VVAR_VCLOCK_PAGES * PAGE_SIZE, vvarFlags, null, 0, '[vvar_vclock]');
  const base = addr + vvarSize;
  mmapRegion(mm, base, VDSO_PAGES * PAGE_SIZE, VM_READ | VM_EXEC | VM_MAY_ALL, file, 0);
  return { base, entry: base + vdsoSymbolOffset('__kernel_vsyscall') };
}

/** Where a vDSO symbol is in mm (mm->context.vdso + its offset), or null without a vDSO. */
export function vdsoSymbolAddress(mm: Mm, name: string): number | null {
  const v = mm.vmas.find((a) => a.file?.path === VDSO_NAME && a.pgoff === 0);
  return v === undefined ? null : v.start + vdsoSymbolOffset(name);
}
