// The initial user stack, laid out as Linux's fs/exec.c (copy_strings, setup_arg_pages) and
// fs/binfmt_elf.c (create_elf_tables) build it. From the top (STACK_TOP):
//
//   [one empty kernel word (sizeof(void *) of the kernel)]
//   execfn string              ← AT_EXECFN
//   envp strings (last first)  ← mm.envStart .. envEnd
//   argv strings (last first)  ← mm.argStart .. argEnd (argv[0] lowest)
//   [arch_align_stack: down to 16, and by up to 8191 random bytes under --aslr]
//   "i686\0"                   ← AT_PLATFORM
//   16 random bytes            ← AT_RANDOM
//   [auxv pairs ending in AT_NULL, envp[] + NULL, argv[] + NULL, argc, rounded so that
//    argc's address is 16-aligned]   ← ESP at entry
//
// The stack area covers the string pages plus Linux's 128 KiB stack_expand, and grows down.
import { PAGE_SIZE } from '../../src/mmu/physicalMemory.js';
import { hostRandomFill } from '../../src/cpu/hostRandom.js';
import type { Mm } from '../mm/mmStruct.js';
import type { Personality } from '../mm/layout.js';
import { mmapRegion, pageDown } from '../mm/mmap.js';
import { copyToUser } from '../mm/uaccess.js';
import { VM_ACCOUNT, VM_EXEC, VM_GROWSDOWN, VM_MAY_ALL, VM_READ, VM_WRITE } from '../mm/vma.js';
import { ElfError } from './elfError.js';
import { archAlignStack, type KernelRandom } from '../mm/randomize.js';

export const AT_NULL = 0, AT_IGNORE = 1, AT_EXECFD = 2, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5;
export const AT_PAGESZ = 6, AT_BASE = 7, AT_FLAGS = 8, AT_ENTRY = 9, AT_NOTELF = 10, AT_UID = 11;
export const AT_EUID = 12, AT_GID = 13, AT_EGID = 14, AT_PLATFORM = 15, AT_HWCAP = 16;
export const AT_CLKTCK = 17, AT_SECURE = 23, AT_BASE_PLATFORM = 24, AT_RANDOM = 25;
export const AT_HWCAP2 = 26, AT_RSEQ_FEATURE_SIZE = 27, AT_RSEQ_ALIGN = 28, AT_EXECFN = 31;
export const AT_SYSINFO = 32, AT_SYSINFO_EHDR = 33, AT_MINSIGSTKSZ = 51;

export const AUXV_NAMES: Record<number, string> = {
  0: 'AT_NULL', 3: 'AT_PHDR', 4: 'AT_PHENT', 5: 'AT_PHNUM', 6: 'AT_PAGESZ', 7: 'AT_BASE', 8: 'AT_FLAGS',
  9: 'AT_ENTRY', 11: 'AT_UID', 12: 'AT_EUID', 13: 'AT_GID', 14: 'AT_EGID', 15: 'AT_PLATFORM', 16: 'AT_HWCAP',
  17: 'AT_CLKTCK', 23: 'AT_SECURE', 25: 'AT_RANDOM', 26: 'AT_HWCAP2', 27: 'AT_RSEQ_FEATURE_SIZE',
  28: 'AT_RSEQ_ALIGN', 31: 'AT_EXECFN', 32: 'AT_SYSINFO', 33: 'AT_SYSINFO_EHDR', 51: 'AT_MINSIGSTKSZ',
};

/** Linux's stack_expand in setup_arg_pages. */
export const STACK_EXPAND = 128 * 1024;
/** MAX_ARG_STRLEN: one argument or environment string at most 32 pages. */
export const MAX_ARG_STRLEN = 32 * PAGE_SIZE;

/**
 * prepare_arg_pages: the bytes argv and envp (strings and pointers) may take: a quarter of
 * RLIMIT_STACK, at most 3/4 of _STK_LIM (8 MiB), and never less than ARG_MAX (32 pages).
 */
export function argStringsLimit(stackRlimit: number): number {
  return Math.max(Math.min(6 * 1024 * 1024, Math.floor(stackRlimit / 4)), 32 * PAGE_SIZE);
}
/** USER_HZ, what AT_CLKTCK reports. */
export const USER_HZ = 100;
/**
 * AT_MINSIGSTKSZ: the signal frame size a native i386 kernel reports for an FXSR-only CPU
 * (no XSAVE state beyond the legacy area).
 */
export const MINSIGSTKSZ_I386 = 0x6f0;
/** AT_RSEQ_FEATURE_SIZE, AT_RSEQ_ALIGN (Linux 6.3+): offsetof(struct rseq, end), its alignment. */
export const RSEQ_FEATURE_SIZE = 28, RSEQ_ALIGN = 32;

export interface ElfTablesInput {
  argv: readonly string[];
  envp: readonly string[];
  /** The file name passed to execve (AT_EXECFN). */
  execfn: string;
  platform?: string;
  /** 16 bytes for AT_RANDOM (drawn from rng, else the host's entropy, when omitted). */
  random?: Uint8Array;
  /** The kernel's random source (get_random_bytes). */
  rng?: KernelRandom;
  hwcap: number;
  hwcap2?: number;
  phdr: number;
  phent: number;
  phnum: number;
  entry: number;
  base?: number;
  uid?: number;
  euid?: number;
  gid?: number;
  egid?: number;
  secure?: number;
  minsigstksz?: number;
  execStack?: boolean;
  /** The end of the stack area (default the personality's STACK_TOP; lower under --aslr). */
  stackTop?: number;
  /** The kernel's generator when the exec randomizes (arch_align_stack's offset). */
  rnd?: KernelRandom | null;
  /** AT_SYSINFO (__kernel_vsyscall) and AT_SYSINFO_EHDR (the vDSO), when one is mapped. */
  sysinfo?: number;
  sysinfoEhdr?: number;
}

export interface ElfTablesResult {
  /** ESP at the entry point (the address of argc). */
  sp: number;
  argv: number[];
  envp: number[];
  /** The auxiliary vector as written, AT_NULL last. */
  auxv: Array<[number, number]>;
  execfnAddr: number;
  platformAddr: number;
  randomAddr: number;
}

function cstr(s: string): Uint8Array {
  const b = Buffer.from(s, 'utf8');
  const out = new Uint8Array(b.length + 1);
  out.set(b);
  return out;
}

/**
 * Creates the stack area of a fresh mm and writes the strings, auxv, envp, argv and argc.
 * Sets mm.startStack and the arg/env bounds. Throws ElfError('argument list too long') past
 * the limits Linux enforces (E2BIG).
 */
export function createElfTables(mm: Mm, personality: Personality, input: ElfTablesInput): ElfTablesResult {
  const stackTop = input.stackTop ?? personality.stackTop;
  const execfn = cstr(input.execfn);
  const envs = input.envp.map(cstr);
  const args = input.argv.map(cstr);
  let total = execfn.length;
  for (const s of [...envs, ...args]) {
    if (s.length > MAX_ARG_STRLEN) throw new ElfError('argument list too long (one string exceeds 128 KiB)');
    total += s.length;
  }
  const pointerBytes = (args.length + envs.length + 2) * 4;
  if (total + pointerBytes > argStringsLimit(mm.stackRlimit)) throw new ElfError('argument list too long');

  // copy_strings: from just below the top word downwards.
  let p = stackTop - personality.kernelPtrSize;
  p -= execfn.length;
  const execfnAddr = p;
  const envAddrs: number[] = new Array(envs.length);
  for (let i = envs.length - 1; i >= 0; i--) {
    p -= envs[i].length;
    envAddrs[i] = p;
  }
  const argAddrs: number[] = new Array(args.length);
  for (let i = args.length - 1; i >= 0; i--) {
    p -= args[i].length;
    argAddrs[i] = p;
  }
  const stringsStart = p;

  // setup_arg_pages: the area spans the string pages plus stack_expand.
  // A limit smaller than the strings leaves the area as it is (expand_stack never shrinks).
  let stackBase = pageDown(stringsStart) - STACK_EXPAND;
  if (stackTop - pageDown(stringsStart) + STACK_EXPAND > mm.stackRlimit) {
    stackBase = Math.min(pageDown(stringsStart), stackTop - pageDown(mm.stackRlimit));
  }
  // VM_STACK_FLAGS includes VM_ACCOUNT.
  const flags = VM_READ | VM_WRITE | VM_MAY_ALL | VM_GROWSDOWN | VM_ACCOUNT | (input.execStack ? VM_EXEC : 0);
  mmapRegion(mm, stackBase, stackTop - stackBase, flags, null, 0, '[stack]');

  copyToUser(mm, execfnAddr, execfn);
  for (let i = 0; i < envs.length; i++) copyToUser(mm, envAddrs[i], envs[i]);
  for (let i = 0; i < args.length; i++) copyToUser(mm, argAddrs[i], args[i]);
  mm.argStart = args.length ? argAddrs[0] : stringsStart;
  mm.argEnd = envs.length ? envAddrs[0] : execfnAddr;
  mm.envStart = mm.argEnd;
  mm.envEnd = execfnAddr;

  // create_elf_tables.
  p = archAlignStack(input.rnd ?? null, stringsStart);
  const platform = cstr(input.platform ?? 'i686');
  p -= platform.length;
  const platformAddr = p;
  copyToUser(mm, platformAddr, platform);
  const random = input.random ?? input.rng?.bytes(16) ?? cryptoRandom16();
  p -= 16;
  const randomAddr = p;
  copyToUser(mm, randomAddr, random.subarray(0, 16));

  // ARCH_DLINFO_IA32 comes first, the RSEQ pair last (Linux 6.18's order).
  const auxv: Array<[number, number]> = [
    ...(input.sysinfoEhdr !== undefined ? [[AT_SYSINFO, input.sysinfo ?? 0], [AT_SYSINFO_EHDR, input.sysinfoEhdr]] as Array<[number, number]> : []),
    [AT_MINSIGSTKSZ, input.minsigstksz ?? MINSIGSTKSZ_I386],
    [AT_HWCAP, input.hwcap >>> 0],
    [AT_PAGESZ, PAGE_SIZE],
    [AT_CLKTCK, USER_HZ],
    [AT_PHDR, input.phdr >>> 0],
    [AT_PHENT, input.phent],
    [AT_PHNUM, input.phnum],
    [AT_BASE, input.base ?? 0],
    [AT_FLAGS, 0],
    [AT_ENTRY, input.entry >>> 0],
    [AT_UID, input.uid ?? 0],
    [AT_EUID, input.euid ?? input.uid ?? 0],
    [AT_GID, input.gid ?? 0],
    [AT_EGID, input.egid ?? input.gid ?? 0],
    [AT_SECURE, input.secure ?? 0],
    [AT_RANDOM, randomAddr],
    [AT_HWCAP2, input.hwcap2 ?? 0],
    [AT_EXECFN, execfnAddr],
    [AT_PLATFORM, platformAddr],
    [AT_RSEQ_FEATURE_SIZE, RSEQ_FEATURE_SIZE],
    [AT_RSEQ_ALIGN, RSEQ_ALIGN],
    [AT_NULL, 0],
  ];
  const items = (args.length + 1) + (envs.length + 1) + 1;
  const sp = Math.floor((p - auxv.length * 8 - items * 4) / 16) * 16;

  const words: number[] = [args.length, ...argAddrs, 0, ...envAddrs, 0];
  for (const [k, v] of auxv) words.push(k, v);
  const block = new Uint8Array(words.length * 4);
  const dv = new DataView(block.buffer);
  words.forEach((w, i) => dv.setUint32(i * 4, w >>> 0, true));
  copyToUser(mm, sp, block);
  mm.startStack = sp;
  mm.savedAuxv = auxv;

  return { sp, argv: argAddrs, envp: envAddrs, auxv, execfnAddr, platformAddr, randomAddr };
}

function cryptoRandom16(): Uint8Array {
  return hostRandomFill(new Uint8Array(16));
}
