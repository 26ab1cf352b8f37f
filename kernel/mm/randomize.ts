// Address-space layout randomization as Linux 6.18 does it for a 32-bit x86 task, region by
// region, with the kernel's own ranges (what `--aslr` turns on: randomize_va_space = 2):
//   - mmap_base: 8 random page bits (arch_mmap_rnd, mmap_rnd_compat_bits = 8) below a gap
//     widened by the stack's largest random shift, or above TASK_UNMAPPED_BASE in the legacy
//     layout (arch/x86/mm/mmap.c);
//   - the stack top: 0x7ff random pages (randomize_stack_top, STACK_RND_MASK for ia32), then
//     arch_align_stack's up to 8191 bytes, once for the stack area and once for the tables;
//   - a PIE's load bias: ELF_ET_DYN_BASE + arch_mmap_rnd (fs/binfmt_elf.c);
//   - the break: a page in [brk, brk + 32 MiB) (arch_randomize_brk for ia32, randomize_page);
//   - the vDSO and the interpreter only through mmap_base (both are mapped without a hint).
// Every draw comes from one generator per kernel; seeded (--seed), a run repeats exactly, and
// so do getrandom(2) and /dev/urandom, which read it too.
// A `null` generator stands for a task without PF_RANDOMIZE: every function is then the
// identity Linux's is with randomization off.
import { hostRandomFill } from '../../src/cpu/hostRandom.js';
import { HwRng } from '../../src/cpu/hwRng.js';
import { PAGE_SIZE } from '../../src/mmu/physicalMemory.js';
import { ADDR_NO_RANDOMIZE } from './layout.js';

/** mmap_rnd_compat_bits (and a 32-bit kernel's mmap_rnd_bits): CONFIG_ARCH_MMAP_RND_COMPAT_BITS default. */
export const MMAP_RND_BITS_IA32 = 8;
/** STACK_RND_MASK for an ia32 task (__STACK_RND_MASK(1) in arch/x86/include/asm/elf.h), in pages. */
export const STACK_RND_MASK_IA32 = 0x7ff;
/** arch_randomize_brk's range for an ia32 task (SZ_32M). */
export const BRK_RND_RANGE_IA32 = 32 * 1024 * 1024;
/** arch_align_stack takes get_random_u32_below(8192) bytes off. */
export const ALIGN_STACK_RND = 8192;

/** Separates the kernel's stream from RDRAND's when both come from one --seed. */
const KERNEL_STREAM = 0x41534c52;

/** The kernel's random source (get_random_*): host entropy, or a --seed's fixed sequence. */
export class KernelRandom {
  private readonly gen = new HwRng();
  /** Seeded: bytes() comes from the generator too, not from the host's entropy. */
  readonly seeded: boolean;

  constructor(seed?: number) {
    this.seeded = seed !== undefined;
    if (seed !== undefined) this.gen.seed((seed ^ KERNEL_STREAM) >>> 0);
  }

  /** get_random_u32 (also get_random_long: a 32-bit task's choices never need more bits). */
  u32(): number {
    return this.gen.next32() >>> 0;
  }

  /** get_random_u32_below(n), n > 0. */
  below(n: number): number {
    return this.u32() % n;
  }

  /** get_random_bytes: the host's entropy unless seeded. */
  bytes(n: number): Uint8Array {
    if (!this.seeded) return hostRandomFill(new Uint8Array(n));
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 4) {
      const w = this.u32();
      for (let k = 0; k < 4 && i + k < n; k++) out[i + k] = (w >>> (8 * k)) & 0xff;
    }
    return out;
  }
}

/** arch_mmap_rnd: the random part of mmap_base and of a PIE's load bias, in bytes. */
export function archMmapRnd(rnd: KernelRandom | null): number {
  if (rnd === null) return 0;
  return (rnd.u32() & ((1 << MMAP_RND_BITS_IA32) - 1)) * PAGE_SIZE;
}

/** stack_maxrandom_size: how far randomize_stack_top may move the stack down. */
export function stackMaxrandomSize(rnd: KernelRandom | null): number {
  return rnd === null ? 0 : STACK_RND_MASK_IA32 * PAGE_SIZE;
}

/** randomize_stack_top (mm/util.c): PAGE_ALIGN(top) less 0..0x7ff pages. */
export function randomizeStackTop(rnd: KernelRandom | null, stackTop: number): number {
  const top = Math.ceil(stackTop / PAGE_SIZE) * PAGE_SIZE;
  if (rnd === null) return top;
  return top - (rnd.u32() & STACK_RND_MASK_IA32) * PAGE_SIZE;
}

/** arch_align_stack (arch/x86/kernel/process.c): down by 0..8191 bytes, then to 16. */
export function archAlignStack(rnd: KernelRandom | null, sp: number): number {
  const s = rnd === null ? sp : sp - rnd.below(ALIGN_STACK_RND);
  return Math.floor(s / 16) * 16;
}

/**
 * randomize_page (mm/util.c): a page-aligned address in [start, start + range), start first
 * rounded up to a page (the range shrinking by as much).
 */
export function randomizePage(rnd: KernelRandom, start: number, range: number): number {
  let r = range;
  let s = start;
  if (s % PAGE_SIZE !== 0) {
    const up = Math.ceil(s / PAGE_SIZE) * PAGE_SIZE;
    r -= up - s;
    s = up;
  }
  const pages = Math.floor(r / PAGE_SIZE);
  if (pages <= 0) return s;
  return s + (rnd.u32() % pages) * PAGE_SIZE;
}

/** arch_randomize_brk for an ia32 task: a page in [brk, brk + 32 MiB). */
export function archRandomizeBrk(rnd: KernelRandom | null, brk: number): number {
  return rnd === null ? brk : randomizePage(rnd, brk, BRK_RND_RANGE_IA32);
}

/**
 * PF_RANDOMIZE for an exec (load_elf_binary): the sysctl randomize_va_space is on and the
 * task's personality lacks ADDR_NO_RANDOMIZE.
 */
export function execRandomizes(randomizeVaSpace: number, persona: number): boolean {
  return randomizeVaSpace !== 0 && (persona & ADDR_NO_RANDOMIZE) === 0;
}
