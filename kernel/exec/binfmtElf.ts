// Mapping an ELF image into a fresh address space (Linux's load_elf_binary, fs/binfmt_elf.c).
// Each PT_LOAD becomes a private file-backed area with the segment's permissions; nothing is
// copied here: pages are read from the file image when first touched. The partial BSS page
// reads as zeros past p_filesz (padzero) and whole BSS pages become an anonymous area. The
// break starts at the page-aligned end of BSS.
import { PAGE_SIZE } from '../../src/mmu/physicalMemory.js';
import type { Mm } from '../mm/mmStruct.js';
import type { Personality } from '../mm/layout.js';
import { getUnmappedArea, mmapRegion, pageAlign, pageDown } from '../mm/mmap.js';
import { rangeOverlaps, VM_EXEC, VM_MAY_ALL, VM_READ, VM_WRITE, type VmFile } from '../mm/vma.js';
import { ElfError } from './elfError.js';
import { ET_DYN, PF_R, PF_W, PF_X, PT_GNU_STACK, PT_LOAD, PT_PHDR, type ElfImage } from './elfHeader.js';

export interface ElfLoadInfo {
  /** Entry point (e_entry + load bias). */
  entry: number;
  loadBias: number;
  /** Where the program headers are in memory (AT_PHDR), AT_PHENT, AT_PHNUM. */
  phdrAddr: number;
  phent: number;
  phnum: number;
  /** PT_GNU_STACK asked for an executable stack (or was absent). */
  execStack: boolean;
}

export function segmentVmFlags(pflags: number): number {
  return (pflags & PF_R ? VM_READ : 0) | (pflags & PF_W ? VM_WRITE : 0) | (pflags & PF_X ? VM_EXEC : 0) | VM_MAY_ALL;
}

/** Maps the PT_LOAD segments of image (backed by file) into mm and sets its layout fields. */
export function loadElfBinary(mm: Mm, image: ElfImage, file: VmFile, personality: Personality): ElfLoadInfo {
  const loads = image.segments.filter((s) => s.type === PT_LOAD);
  let execStack = true;
  for (const s of image.segments) if (s.type === PT_GNU_STACK) execStack = (s.flags & PF_X) !== 0;

  const minVaddr = pageDown(Math.min(...loads.map((s) => s.vaddr)));
  const maxEnd = pageAlign(Math.max(...loads.map((s) => s.vaddr + s.memsz)));
  let loadBias = 0;
  if (image.type === ET_DYN) {
    // A static-pie: placed like any mmap of its total size (top-down below mmap_base).
    const base = getUnmappedArea(mm, 0, maxEnd - minVaddr);
    if (base < 0) throw new ElfError('static-pie image does not fit in the address space');
    loadBias = base - minVaddr;
  } else if (maxEnd > personality.taskSize || minVaddr < PAGE_SIZE) {
    throw new ElfError(`segments at 0x${minVaddr.toString(16)}-0x${maxEnd.toString(16)} lie outside user space`);
  }

  let startCode = 0xffffffff, endCode = 0, startData = 0, endData = 0, elfBrk = 0;
  for (const s of loads) {
    const vaddr = s.vaddr + loadBias;
    const flags = segmentVmFlags(s.flags);
    const start = pageDown(vaddr);
    const fileEndAddr = vaddr + s.filesz;
    const mapEnd = s.filesz > 0 ? pageAlign(fileEndAddr) : start;
    const memEnd = pageAlign(vaddr + s.memsz);
    if (s.filesz > 0) {
      const zeroTail = s.memsz > s.filesz ? fileEndAddr : Infinity;
      mmapRegion(mm, start, mapEnd - start, flags, file, pageDown(s.offset) / PAGE_SIZE, null, zeroTail);
    }
    if (memEnd > mapEnd) mmapRegion(mm, mapEnd, memEnd - mapEnd, flags, null, 0);

    if (s.flags & PF_X && vaddr < startCode) startCode = vaddr;
    if (startData < vaddr) startData = vaddr;
    if (s.flags & PF_X && endCode < fileEndAddr) endCode = fileEndAddr;
    if (endData < fileEndAddr) endData = fileEndAddr;
    if (vaddr + s.memsz > elfBrk) elfBrk = vaddr + s.memsz;
  }
  mm.startCode = startCode === 0xffffffff ? 0 : startCode;
  mm.endCode = endCode;
  mm.startData = startData;
  mm.endData = endData;
  mm.startBrk = mm.brk = pageAlign(elfBrk);
  if (image.type === ET_DYN) {
    const base = personality.elfEtDynBase;
    if (!rangeOverlaps(mm.vmas, base, base + PAGE_SIZE)) mm.startBrk = mm.brk = base;
  }

  return {
    entry: (image.entry + loadBias) >>> 0,
    loadBias,
    phdrAddr: phdrAddress(image, loadBias),
    phent: image.phentsize,
    phnum: image.phnum,
    execStack,
  };
}

/** AT_PHDR: PT_PHDR's address, else the loaded segment that contains e_phoff. */
function phdrAddress(image: ElfImage, loadBias: number): number {
  for (const s of image.segments) if (s.type === PT_PHDR) return (s.vaddr + loadBias) >>> 0;
  for (const s of image.segments) {
    if (s.type === PT_LOAD && s.offset <= image.phoff && image.phoff < s.offset + s.filesz) {
      return (image.phoff - s.offset + s.vaddr + loadBias) >>> 0;
    }
  }
  return 0;
}
