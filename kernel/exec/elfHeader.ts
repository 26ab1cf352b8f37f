// Validation and parsing of an i386 ELF executable's header and program headers
// (the checks at the top of Linux's load_elf_binary). The sizes and identity fields are
// checked by hand first so that short or foreign files get a clear ElfError; the structures
// are then read with the elfy parser.
import elfyModule from 'elfy';
import { ElfError } from './elfError.js';

/** The slice of elfy's parser used here: header and program headers only (no sections). */
interface ElfyProgram {
  offset: number;
  vaddr: number;
  filesz: number;
  memsz: number;
  flags: Record<string, boolean>;
  align: number;
}
interface ElfyParser {
  parseHeader(buf: Buffer): { entry: number };
  parsePrograms(buf: Buffer, header: unknown): ElfyProgram[];
}
const elfy = elfyModule as unknown as { Parser: new () => ElfyParser };

export const ET_REL = 1, ET_EXEC = 2, ET_DYN = 3, ET_CORE = 4;
export const EM_386 = 3;
export const PT_NULL = 0, PT_LOAD = 1, PT_DYNAMIC = 2, PT_INTERP = 3, PT_NOTE = 4, PT_SHLIB = 5;
export const PT_PHDR = 6, PT_TLS = 7, PT_GNU_EH_FRAME = 0x6474e550, PT_GNU_STACK = 0x6474e551;
export const PT_GNU_RELRO = 0x6474e552, PT_GNU_PROPERTY = 0x6474e553;
export const PF_X = 1, PF_W = 2, PF_R = 4;
export const ELF32_EHDR_SIZE = 52;
export const ELF32_PHDR_SIZE = 32;

export interface ElfSegment {
  type: number;
  offset: number;
  vaddr: number;
  filesz: number;
  memsz: number;
  /** PF_R | PF_W | PF_X. */
  flags: number;
  align: number;
}

export interface ElfImage {
  /** ET_EXEC or ET_DYN (PIE, static-pie or a shared object such as ld.so). */
  type: number;
  /** PT_INTERP: the program interpreter's path (the dynamic linker), or null. */
  interp: string | null;
  entry: number;
  phoff: number;
  phentsize: number;
  phnum: number;
  segments: ElfSegment[];
  bytes: Uint8Array;
}

const MACHINES: Record<number, string> = {
  0: 'none', 2: 'SPARC', 3: 'i386', 4: 'm68k', 8: 'MIPS', 20: 'PowerPC', 21: 'PowerPC64', 22: 'S/390',
  40: 'ARM', 42: 'SuperH', 43: 'SPARC V9', 50: 'IA-64', 62: 'x86-64', 183: 'AArch64', 243: 'RISC-V',
  258: 'LoongArch',
};

function machineName(m: number): string {
  return MACHINES[m] ?? `0x${m.toString(16)}`;
}

/** Validates and parses an ELF file; throws ElfError with a one-line reason. */
export function parseElf(bytes: Uint8Array): ElfImage {
  if (bytes.length < 4 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    throw new ElfError(isScript(bytes) ? 'not an ELF file (a script; run its interpreter instead)' : 'not an ELF file');
  }
  if (bytes.length < 16) throw new ElfError(`truncated ELF header (${bytes.length} bytes)`);
  if (bytes[4] === 2) throw new ElfError('64-bit ELF (ELFCLASS64) not supported');
  if (bytes[4] !== 1) throw new ElfError(`invalid ELF class ${bytes[4]}`);
  if (bytes[5] === 2) throw new ElfError('big-endian ELF (ELFDATA2MSB) not supported');
  if (bytes[5] !== 1) throw new ElfError(`invalid ELF data encoding ${bytes[5]}`);
  if (bytes.length < ELF32_EHDR_SIZE) {
    throw new ElfError(`truncated ELF header (${bytes.length} bytes, need ${ELF32_EHDR_SIZE})`);
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const eType = dv.getUint16(16, true);
  const machine = dv.getUint16(18, true);
  if (machine !== EM_386) throw new ElfError(`not an i386 ELF (machine ${machineName(machine)})`);
  if (eType === ET_REL) throw new ElfError('not an executable (relocatable object file, ET_REL)');
  if (eType === ET_CORE) throw new ElfError('not an executable (core dump, ET_CORE)');
  if (eType !== ET_EXEC && eType !== ET_DYN) throw new ElfError(`not an executable (e_type ${eType})`);
  const phoff = dv.getUint32(28, true);
  const phentsize = dv.getUint16(42, true);
  const phnum = dv.getUint16(44, true);
  if (phentsize !== ELF32_PHDR_SIZE) throw new ElfError(`bad program header size ${phentsize} (expected ${ELF32_PHDR_SIZE})`);
  if (phnum < 1 || phnum > 65536 / ELF32_PHDR_SIZE) throw new ElfError(`bad program header count ${phnum}`);
  if (phoff + phnum * ELF32_PHDR_SIZE > bytes.length) {
    throw new ElfError(`truncated file: program headers out of file (offset 0x${phoff.toString(16)}, ${phnum} entries, file is ${bytes.length} bytes)`);
  }

  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let header;
  let programs;
  try {
    const parser = new elfy.Parser();
    header = parser.parseHeader(buf);
    programs = parser.parsePrograms(buf, header);
  } catch (e) {
    throw new ElfError(`malformed ELF: ${(e as Error).message}`);
  }

  const segments: ElfSegment[] = programs.map((p, i) => ({
    type: dv.getUint32(phoff + i * ELF32_PHDR_SIZE, true),
    offset: p.offset,
    vaddr: p.vaddr,
    filesz: p.filesz,
    memsz: p.memsz,
    flags: (p.flags.r ? PF_R : 0) | (p.flags.w ? PF_W : 0) | (p.flags.x ? PF_X : 0),
    align: p.align,
  }));

  let interp: string | null = null;
  for (const s of segments) if (s.type === PT_INTERP && interp === null) interp = readInterp(bytes, s);
  let loads = 0;
  segments.forEach((s, i) => {
    if (s.type !== PT_LOAD) return;
    loads++;
    if (s.offset + s.filesz > bytes.length) {
      throw new ElfError(`truncated file: segment ${i} (offset 0x${s.offset.toString(16)}, ${s.filesz} bytes) extends past the end of the ${bytes.length}-byte file`);
    }
    if (s.filesz > s.memsz) throw new ElfError(`bad segment ${i}: file size ${s.filesz} > memory size ${s.memsz}`);
    if ((s.vaddr - s.offset) % 4096 !== 0) {
      throw new ElfError(`bad segment ${i}: address 0x${s.vaddr.toString(16)} and file offset 0x${s.offset.toString(16)} differ modulo the page size`);
    }
  });
  if (loads === 0) throw new ElfError('no loadable segments (PT_LOAD)');

  return { type: eType, interp, entry: header.entry >>> 0, phoff, phentsize, phnum, segments, bytes };
}

/** The PT_INTERP path; Linux wants 2 to PATH_MAX bytes inside the file, NUL-terminated. */
function readInterp(bytes: Uint8Array, s: ElfSegment): string {
  if (s.filesz < 2 || s.filesz > 4096) throw new ElfError(`bad PT_INTERP size ${s.filesz}`);
  if (s.offset + s.filesz > bytes.length) throw new ElfError('truncated file: PT_INTERP extends past the end of the file');
  if (bytes[s.offset + s.filesz - 1] !== 0) throw new ElfError('PT_INTERP path is not NUL-terminated');
  let end = s.offset;
  while (bytes[end] !== 0) end++;
  return Buffer.from(bytes.subarray(s.offset, end)).toString('latin1');
}

function isScript(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x23 && bytes[1] === 0x21;
}
