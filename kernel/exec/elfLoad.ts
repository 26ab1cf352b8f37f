// Mapping one PT_LOAD segment (Linux's elf_load/elf_map in fs/binfmt_elf.c), shared by the
// program (loadElfBinary) and its interpreter (loadElfInterp). The file part becomes a
// private file-backed area; the partial BSS page reads as zeros past p_filesz (padzero) and
// the whole BSS pages past it become an anonymous area with the segment's permissions.
import { PAGE_SIZE } from '../../src/mmu/physicalMemory.js';
import type { Mm } from '../mm/mmStruct.js';
import { mmapRegion, pageAlign, pageDown } from '../mm/mmap.js';
import { VM_ACCOUNT, VM_EXEC, VM_MAY_ALL, VM_READ, VM_WRITE, type VmFile } from '../mm/vma.js';
import { PF_R, PF_W, PF_X, PT_LOAD, type ElfImage, type ElfSegment } from './elfHeader.js';

export function segmentVmFlags(pflags: number): number {
  return (pflags & PF_R ? VM_READ : 0) | (pflags & PF_W ? VM_WRITE : 0) | (pflags & PF_X ? VM_EXEC : 0) | VM_MAY_ALL;
}

export function loadSegments(image: ElfImage): ElfSegment[] {
  return image.segments.filter((s) => s.type === PT_LOAD);
}

/**
 * total_mapping_size: from the page of the first PT_LOAD to the end of the last one, the span
 * Linux reserves in one mmap so that later segments keep their distances.
 */
export function totalMappingSize(loads: readonly ElfSegment[]): number {
  const first = loads[0];
  const last = loads[loads.length - 1];
  return pageAlign(last.vaddr + last.memsz) - pageDown(first.vaddr);
}

/** Maps segment s of file at s.vaddr + bias (file pages, then anonymous BSS pages). */
export function elfLoad(mm: Mm, file: VmFile, s: ElfSegment, bias: number): void {
  const vaddr = (s.vaddr + bias) >>> 0;
  const flags = segmentVmFlags(s.flags);
  const start = pageDown(vaddr);
  const fileEndAddr = vaddr + s.filesz;
  const mapEnd = s.filesz > 0 ? pageAlign(fileEndAddr) : start;
  const memEnd = pageAlign(vaddr + s.memsz);
  if (s.filesz > 0) {
    const zeroTail = s.memsz > s.filesz ? fileEndAddr : Infinity;
    // A private writable file mapping is charged (VM_ACCOUNT), as any mmap of one.
    const fileFlags = flags & VM_WRITE ? flags | VM_ACCOUNT : flags;
    mmapRegion(mm, start, mapEnd - start, fileFlags, file, pageDown(s.offset) / PAGE_SIZE, null, zeroTail);
  }
  // The BSS pages come from vm_brk_flags, which always charges them.
  if (memEnd > mapEnd) mmapRegion(mm, mapEnd, memEnd - mapEnd, flags | VM_ACCOUNT, null, 0);
}
