// Address-space personalities: where a 32-bit process's user space ends and what the kernel
// underneath looks like. Linux picks one per exec: a 64-bit kernel runs an i386 program in
// compat mode with TASK_SIZE 0xFFFFE000, or 0xC0000000 when the task's personality(2) value
// carries ADDR_LIMIT_3GB (`setarch --3gb`); a native i386 kernel with the 3G/1G split always
// gives 0xC0000000. The flags are the task's, so they are inherited across fork and exec.
export interface Personality {
  readonly name: 'i386' | 'x86_64-compat' | 'x86_64-compat-3gb';
  /** One past the highest user address; also STACK_TOP without randomization. */
  readonly taskSize: number;
  readonly stackTop: number;
  /** sizeof(void *) in the kernel: the empty word at the top of the stack, /proc maps width. */
  readonly kernelPtrSize: 4 | 8;
  /**
   * ELF_ET_DYN_BASE: where a PIE (ET_DYN with PT_INTERP) is loaded, and where the break of a
   * static-pie (ET_DYN without one) starts. A native i386 kernel uses 0x400000 (the x86
   * ELF_ET_DYN_BASE for ia32 since Linux 4.13); a 64-bit kernel loads 32-bit programs with
   * COMPAT_ELF_ET_DYN_BASE, TASK_UNMAPPED_BASE (TASK_SIZE / 3, page-aligned) + 16 MiB:
   * 0x56555000, or 0x41000000 under `setarch --3gb`.
   */
  readonly elfEtDynBase: number;
}

/** personality(2) flags that shape the address space (include/uapi/linux/personality.h). */
export const ADDR_NO_RANDOMIZE = 0x0040000;
/** The legacy bottom-up mmap layout (`setarch -L`; x86's mmap_is_legacy). */
export const ADDR_COMPAT_LAYOUT = 0x0200000;
export const ADDR_LIMIT_3GB = 0x8000000;

export const PERSONALITY_I386: Personality = {
  name: 'i386', taskSize: 0xc0000000, stackTop: 0xc0000000, kernelPtrSize: 4, elfEtDynBase: 0x00400000,
};

export const PERSONALITY_COMPAT64: Personality = {
  name: 'x86_64-compat', taskSize: 0xffffe000, stackTop: 0xffffe000, kernelPtrSize: 8, elfEtDynBase: 0x56555000,
};

export const PERSONALITY_COMPAT64_3GB: Personality = {
  name: 'x86_64-compat-3gb', taskSize: 0xc0000000, stackTop: 0xc0000000, kernelPtrSize: 8, elfEtDynBase: 0x41000000,
};

/**
 * The kernel the emulator pretends to be, as `--layout` names it: `compat` (a 64-bit kernel,
 * what `setarch -R` shows on today's machines), `3gb` (the same kernel, the task started under
 * `setarch -R --3gb`), `i386` (a native 32-bit kernel with the 3G/1G split).
 */
export type LayoutName = 'compat' | '3gb' | 'i386';
export const LAYOUT_NAMES: readonly LayoutName[] = ['compat', '3gb', 'i386'];

/**
 * The personality(2) value the first process starts with: as under `setarch -R [--3gb]`, or
 * with --aslr as under plain `setarch [--3gb]` (ADDR_NO_RANDOMIZE clear).
 */
export function initialPersonaFlags(layout: LayoutName, aslr = false): number {
  return (aslr ? 0 : ADDR_NO_RANDOMIZE) | (layout === '3gb' ? ADDR_LIMIT_3GB : 0);
}

/** What exec gives a task with personality flags persona on the kernel layout names. */
export function personalityForExec(layout: LayoutName, persona: number): Personality {
  if (layout === 'i386') return PERSONALITY_I386;
  return persona & ADDR_LIMIT_3GB ? PERSONALITY_COMPAT64_3GB : PERSONALITY_COMPAT64;
}
