// Mapping an ELF image into a fresh address space (Linux's load_elf_binary, fs/binfmt_elf.c).
// Each PT_LOAD becomes a private file-backed area with the segment's permissions (elfLoad);
// nothing is copied here: pages are read from the file image when first touched. Where the
// image goes:
//   - ET_EXEC: at its link addresses;
//   - ET_DYN with PT_INTERP (PIE): at ELF_ET_DYN_BASE (plus arch_mmap_rnd under --aslr),
//     aligned down to the largest p_align, MAP_FIXED_NOREPLACE-style;
//   - ET_DYN without PT_INTERP (static-pie, or ld.so run as a program): like an mmap of its
//     total size, top-down below mmap_base (aligned down to a p_align beyond a page), and the
//     break moves to ELF_ET_DYN_BASE.
// The interpreter (when there is one) is mapped after the program, by loadElfInterp, and the
// process starts at its entry point. The break starts at the page-aligned end of BSS; under
// --aslr one page further (when it did not move) and then anywhere in the next 32 MiB.
import { PAGE_SIZE } from '../../src/mmu/physicalMemory.js';
import type { Mm } from '../mm/mmStruct.js';
import type { Personality } from '../mm/layout.js';
import { getUnmappedArea, pageAlign, pageDown } from '../mm/mmap.js';
import { rangeOverlaps, type VmFile } from '../mm/vma.js';
import { ElfError } from './elfError.js';
import { ET_DYN, PF_X, PT_GNU_STACK, PT_LOAD, PT_PHDR, type ElfImage, type ElfSegment } from './elfHeader.js';
import { elfLoad, loadSegments, totalMappingSize } from './elfLoad.js';
import { loadElfInterp, type InterpImage } from './elfInterp.js';
import { archMmapRnd, archRandomizeBrk, type KernelRandom } from '../mm/randomize.js';


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
 * and sets its layout fields. rnd: the kernel's generator when the exec randomizes (PF_RANDOMIZE).
 */
export function loadElfBinary(mm: Mm, image: ElfImage, file: VmFile, personality: Personality,
  interp: InterpImage | null = null, rnd: KernelRandom | null = null): ElfLoadInfo {
  const loads = loadSegments(image);
  let execStack = true;
  for (const s of image.segments) if (s.type === PT_GNU_STACK) execStack = (s.flags & PF_X) !== 0;

  const minVaddr = pageDown(loads[0].vaddr);
  const totalSize = totalMappingSize(loads);
  let loadBias = 0;
  const alignment = maximumAlignment(loads);
  if (image.type === ET_DYN && interp !== null) {
    // A PIE: its first page goes to ELF_ET_DYN_BASE (randomized by binfmt_elf itself), and
    // must not replace anything already there (MAP_FIXED_NOREPLACE).
    const base = alignDown(personality.elfEtDynBase + archMmapRnd(rnd), alignment);
    loadBias = pageDown(base - loads[0].vaddr);
    const start = minVaddr + loadBias;
    if (start + totalSize > personality.taskSize || rangeOverlaps(mm.vmas, start, start + totalSize)) {
      throw new ElfError(`PIE image of ${totalSize} bytes does not fit at 0x${start.toString(16)}`);
    }
  } else if (image.type === ET_DYN) {
    // A static-pie: placed like any mmap of its total size (top-down below mmap_base).
    let base = getUnmappedArea(mm, 0, totalSize);
    if (base < 0) throw new ElfError('static-pie image does not fit in the address space');
    // Linux 6.10+: a p_align beyond a page moves the mmap-chosen address down to it.
    if (alignment > PAGE_SIZE) {
      base = alignDown(base, alignment);
      if (rangeOverlaps(mm.vmas, base, base + totalSize)) throw new ElfError('static-pie image does not fit at its alignment');
    }
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
  let brk = pageAlign(elfBrk);
  const brkMoved = image.type === ET_DYN && interp === null;
  if (brkMoved) {
    const base = personality.elfEtDynBase;
    if (!rangeOverlaps(mm.vmas, base, base + PAGE_SIZE)) brk = base;
  }
  // Under randomization a break that did not move leaves a page's gap after BSS first.
  if (rnd !== null) brk = archRandomizeBrk(rnd, brkMoved ? brk : brk + PAGE_SIZE);
  mm.startBrk = mm.brk = brk;

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

/** maximum_alignment: the largest power-of-two p_align of the PT_LOADs, at least a page. */
function maximumAlignment(loads: readonly ElfSegment[]): number {
  let alignment = 0;
  for (const s of loads) {
    const a = s.align;
    if (a > 0 && (a & (a - 1)) === 0 && a > alignment) alignment = a;
  }
  return pageAlign(alignment);
}

function alignDown(addr: number, alignment: number): number {
  return alignment > 0 ? Math.floor(addr / alignment) * alignment : addr;
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
