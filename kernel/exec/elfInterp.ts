// The program interpreter (Linux's load_elf_interp in fs/binfmt_elf.c): the dynamic linker
// named by PT_INTERP, mapped like an mmap of its whole span (total_mapping_size) with no
// address hint, so it lands top-down just below mmap_base, then each segment at its offset.
// The return value is the load address, which the auxiliary vector reports as AT_BASE; the
// process starts at the interpreter's entry point, not the program's.
import type { Mm } from '../mm/mmStruct.js';
import { getUnmappedArea, pageDown } from '../mm/mmap.js';
import type { VmFile } from '../mm/vma.js';
import { ElfError } from './elfError.js';
import { ET_DYN, ET_EXEC, type ElfImage } from './elfHeader.js';
import { elfLoad, loadSegments, totalMappingSize } from './elfLoad.js';

export interface InterpImage {
  image: ElfImage;
  file: VmFile;
}

/** Maps the interpreter into mm; returns its load bias (AT_BASE for an ET_DYN ld.so). */
export function loadElfInterp(mm: Mm, interp: InterpImage): number {
  const { image, file } = interp;
  if (image.type !== ET_DYN && image.type !== ET_EXEC) throw new ElfError(`interpreter ${file.path}: not an executable`);
  const loads = loadSegments(image);
  const first = loads[0];
  let bias = 0;
  if (image.type === ET_DYN) {
    const base = getUnmappedArea(mm, 0, totalMappingSize(loads));
    if (base < 0) throw new ElfError(`interpreter ${file.path} does not fit in the address space`);
    bias = base - pageDown(first.vaddr);
  }
  for (const s of loads) {
    if ((s.vaddr + bias) >>> 0 !== s.vaddr + bias || s.vaddr + s.memsz + bias > mm.taskSize) {
      throw new ElfError(`interpreter ${file.path}: segments lie outside user space`);
    }
    elfLoad(mm, file, s, bias);
  }
  return bias;
}
