// The machine-independent half of exec (fs/exec.c do_execve → load_elf_binary): parse the
// image, build a new address space with the program, its interpreter and the vDSO mapped and
// the initial stack written. With PF_RANDOMIZE the random draws come in Linux's order:
// mmap_base, the stack top, the PIE bias, the break, the tables' alignment, AT_RANDOM
// (randomize.ts).
// The caller installs the result (new mm, registers) once nothing can fail any more.
import { basename } from 'node:path';
import type { Mmu } from '../../src/mmu/mmu.js';
import type { PhysicalMemory } from '../../src/mmu/physicalMemory.js';
import type { Personality } from '../mm/layout.js';
import { computeMmapBase, pageAlign, taskUnmappedBase } from '../mm/mmap.js';
import type { FaultStats, Mm } from '../mm/mmStruct.js';
import { PageCache } from '../mm/pageCache.js';
import { createMm, freeAddressSpace } from '../mm/pageTable.js';
import type { VmFile } from '../mm/vma.js';
import { archAlignStack, archMmapRnd, randomizeStackTop, stackMaxrandomSize, type KernelRandom } from '../mm/randomize.js';
import { ELIBBAD, errnoMessage } from '../errno.js';
import { loadElfBinary } from './binfmtElf.js';
import { ElfError } from './elfError.js';
import { parseElf } from './elfHeader.js';
import type { InterpImage } from './elfInterp.js';
import { createElfTables } from './elfTables.js';
import { mapVdso, vdsoFile } from './vdso.js';

export interface ExecRequest {
  image: Uint8Array;
  /** The path shown in /proc/self/maps and by readlink("/proc/self/exe"). */
  exePath: string;
  devMajor: number;
  devMinor: number;
  ino: number;
  argv: readonly string[];
  envp: readonly string[];
  /** The file name as given to execve (AT_EXECFN). */
  execfn: string;
  hwcap: number;
  uid: number;
  gid: number;
  stackRlimit: number;
  /** The personality asks for the legacy bottom-up mmap layout (ADDR_COMPAT_LAYOUT). */
  legacyMmap?: boolean;
  /** The 16 AT_RANDOM bytes; absent: drawn from rng (else from host entropy). */
  random?: Uint8Array;
  /** The kernel's random source (get_random_bytes, and the layout's draws under randomize). */
  rng?: KernelRandom;
  /** PF_RANDOMIZE: randomize_va_space is on and the personality lacks ADDR_NO_RANDOMIZE. */
  randomize?: boolean;
  /**
   * Opens the program interpreter named by PT_INTERP (open_exec in the exec'ing process's file
   * system view): its bytes and identity, or -errno.
   */
  openInterp?: (path: string) => VmFile | number;
  /** The program file's page cache (its bytes are `image`); absent: the image alone is mapped. */
  file?: VmFile;
}

export interface ExecResult {
  mm: Mm;
  entry: number;
  sp: number;
  comm: string;
}

/** Builds the new address space; throws ElfError (and frees what it built) on failure. */
export function execBinary(mem: PhysicalMemory, mmu: Mmu, stats: FaultStats, personality: Personality, req: ExecRequest): ExecResult {
  const elf = parseElf(req.image);
  // An image without a file (tests, a given byte array) gets a page cache of its own.
  const file: VmFile = req.file ?? {
    mapping: new PageCache(mem, mmu).anonymous(req.image), path: req.exePath, devMajor: req.devMajor, devMinor: req.devMinor, ino: req.ino,
  };
  const interp = elf.interp === null ? null : openInterpreter(elf.interp, req);
  const mm = createMm(mem, mmu, personality.taskSize, stats, personality.kernelPtrSize);
  try {
    mm.stackRlimit = req.stackRlimit;
    // arch_pick_mmap_layout: x86 goes bottom-up only for the personality (or the sysctl), not
    // for an unlimited stack, which only moves mmap_base down.
    mm.mmapLegacy = req.legacyMmap ?? false;
    const rnd = req.randomize === true ? req.rng ?? null : null;
    const mmapRnd = archMmapRnd(rnd);
    // arch_pick_mmap_base: one random offset for both bases.
    mm.mmapLegacyBase = taskUnmappedBase(personality.taskSize) + mmapRnd;
    mm.mmapBase = mm.mmapLegacy ? mm.mmapLegacyBase
      : computeMmapBase(personality.taskSize, req.stackRlimit, mmapRnd, stackMaxrandomSize(rnd));
    // setup_arg_pages(randomize_stack_top(STACK_TOP)): aligned by arch_align_stack, then up to a page.
    const stackTop = pageAlign(archAlignStack(rnd, randomizeStackTop(rnd, personality.stackTop)));
    const info = loadElfBinary(mm, elf, file, personality, interp, rnd);
    // ARCH_SETUP_ADDITIONAL_PAGES: after the program and its interpreter.
    const vdso = mapVdso(mm, vdsoFile(mem, mmu));
    const tables = createElfTables(mm, personality, {
      sysinfo: vdso.entry, sysinfoEhdr: vdso.base, stackTop, rnd,
      argv: req.argv, envp: req.envp, execfn: req.execfn, random: req.random, rng: req.rng, hwcap: req.hwcap,
      phdr: info.phdrAddr, phent: info.phent, phnum: info.phnum, entry: info.programEntry, base: info.interpBase,
      uid: req.uid, euid: req.uid, gid: req.gid, egid: req.gid, execStack: info.execStack,
    });
    return { mm, entry: info.entry, sp: tables.sp, comm: basename(req.execfn).slice(0, 15) };
  } catch (e) {
    freeAddressSpace(mm);
    throw e;
  }
}


/**
 * The interpreter, opened and checked before anything is built. A missing one is ENOENT, as
 * Linux's execve reports it; one that is not an i386 ELF is ELIBBAD.
 */
function openInterpreter(path: string, req: ExecRequest): InterpImage {
  const f = req.openInterp ? req.openInterp(path) : -2;
  if (typeof f === 'number') throw new ElfError(`interpreter ${path}: ${errnoMessage(-f)}`, -f);
  try {
    return { image: parseElf(f.mapping.readAll()), file: f };
  } catch (e) {
    if (e instanceof ElfError) throw new ElfError(`interpreter ${path}: ${e.message}`, ELIBBAD);
    throw e;
  }
}
