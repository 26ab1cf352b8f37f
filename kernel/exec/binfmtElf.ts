// Mapping an ELF image into a fresh address space (Linux's load_elf_binary, fs/binfmt_elf.c).
// Each PT_LOAD becomes a private file-backed area with the segment's permissions (elfLoad);
// nothing is copied here: pages are read from the file image when first touched. Where the
// image goes:
//   - ET_EXEC: at its link addresses;
//   - ET_DYN with PT_INTERP (PIE): at ELF_ET_DYN_BASE, MAP_FIXED_NOREPLACE-style;
//   - ET_DYN without PT_INTERP (static-pie, or ld.so run as a program): like an mmap of its
//     total size, top-down below mmap_base, and the break moves to ELF_ET_DYN_BASE.
// The interpreter (when there is one) is mapped after the program, by loadElfInterp, and the
// process starts at its entry point. The break starts at the page-aligned end of BSS.
import { PAGE_SIZE } from '../../src/mmu/physicalMemory.js';
import type { Mm } from '../mm/mmStruct.js';
import type { Personality } from '../mm/layout.js';
import { getUnmappedArea, pageAlign, pageDown } from '../mm/mmap.js';
import { rangeOverlaps, type VmFile } from '../mm/vma.js';
import { ElfError } from './elfError.js';
import { ET_DYN, PF_X, PT_GNU_STACK, PT_LOAD, PT_PHDR, type ElfImage } from './elfHeader.js';
import { elfLoad, loadSegments, totalMappingSize } from './elfLoad.js';
import { loadElfInterp, type InterpImage } from './elfInterp.js';


export interface ElfLoadInfo {
  /** Where the process starts: the interpreter's entry when there is one, else the program's. */
  entry: number;
  /** The program's entry point (e_entry + load bias): AT_ENTRY. */
  programEntry: number;
  loadBias: number;
  /** The interpreter's load address (AT_BASE), 0 without one. */
  interpBase: number;
  /** Where the program headers are in memory (AT_PHDR), AT_PHENT, AT_PHNUM. */
  phdrAddr: number;
  phent: number;
  phnum: number;
  /** PT_GNU_STACK asked for an executable stack (or was absent). */
  execStack: boolean;
}

/**
 * Maps the PT_LOAD segments of image (backed by file), then the interpreter if given, into mm
 * and sets its layout fields.
 */
export function loadElfBinary(mm: Mm, image: ElfImage, file: VmFile, personality: Personality,
  interp: InterpImage | null = null): ElfLoadInfo {
  const loads = loadSegments(image);
  let execStack = true;
  for (const s of image.segments) if (s.type === PT_GNU_STACK) execStack = (s.flags & PF_X) !== 0;

  const minVaddr = pageDown(loads[0].vaddr);
  const totalSize = totalMappingSize(loads);
  let loadBias = 0;
  if (image.type === ET_DYN && interp !== null) {
    // A PIE: its first page goes to ELF_ET_DYN_BASE (no randomization), and must not replace
    // anything already there (MAP_FIXED_NOREPLACE).
    loadBias = pageDown(personality.elfEtDynBase - loads[0].vaddr);
    const start = minVaddr + loadBias;
    if (start + totalSize > personality.taskSize || rangeOverlaps(mm.vmas, start, start + totalSize)) {
      throw new ElfError(`PIE image of ${totalSize} bytes does not fit at 0x${start.toString(16)}`);
    }
  } else if (image.type === ET_DYN) {
    // A static-pie: placed like any mmap of its total size (top-down below mmap_base).
    const base = getUnmappedArea(mm, 0, totalSize);
    if (base < 0) throw new ElfError('static-pie image does not fit in the address space');
    loadBias = base - minVaddr;
  } else {
    const maxEnd = pageAlign(Math.max(...loads.map((s) => s.vaddr + s.memsz)));
    if (maxEnd > personality.taskSize || minVaddr < PAGE_SIZE) {
      throw new ElfError(`segments at 0x${minVaddr.toString(16)}-0x${maxEnd.toString(16)} lie outside user space`);
    }
  }

  let startCode = 0xffffffff, endCode = 0, startData = 0, endData = 0, elfBrk = 0;
  for (const s of loads) {
    elfLoad(mm, file, s, loadBias);
    const vaddr = s.vaddr + loadBias;
    const fileEndAddr = vaddr + s.filesz;
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
  if (image.type === ET_DYN && interp === null) {
    const base = personality.elfEtDynBase;
    if (!rangeOverlaps(mm.vmas, base, base + PAGE_SIZE)) mm.startBrk = mm.brk = base;
  }

  const programEntry = (image.entry + loadBias) >>> 0;
  let entry = programEntry;
  let interpBase = 0;
  if (interp !== null) {
    interpBase = loadElfInterp(mm, interp);
    entry = (interp.image.entry + interpBase) >>> 0;
  }

  return {
    entry,
    programEntry,
    loadBias,
    interpBase,
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
