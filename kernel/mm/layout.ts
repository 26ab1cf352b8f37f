// Address-space personalities: where a 32-bit process's user space ends and what the kernel
// underneath looks like. A native i386 kernel with the 3G/1G split gives TASK_SIZE 0xC0000000;
// a 64-bit kernel running the process in compat mode gives 0xFFFFE000 (what the hosts that
// run differential tests show).
export interface Personality {
  readonly name: 'i386' | 'x86_64-compat';
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

export const PERSONALITY_I386: Personality = {
  name: 'i386', taskSize: 0xc0000000, stackTop: 0xc0000000, kernelPtrSize: 4, elfEtDynBase: 0x00400000,
};

export const PERSONALITY_COMPAT64: Personality = {
  name: 'x86_64-compat', taskSize: 0xffffe000, stackTop: 0xffffe000, kernelPtrSize: 8, elfEtDynBase: 0x56555000,
};

/** The personality for a TASK_SIZE value (0xC0000000 or 0xFFFFE000). */
export function personalityFor(taskSize: number): Personality {
  if (taskSize === PERSONALITY_I386.taskSize) return PERSONALITY_I386;
  if (taskSize === PERSONALITY_COMPAT64.taskSize) return PERSONALITY_COMPAT64;
  return { ...PERSONALITY_I386, taskSize, stackTop: taskSize, elfEtDynBase: Math.floor(taskSize / 3 * 2 / 4096) * 4096 };
}
