// The address space of a process (Linux's struct mm_struct): its page directory in guest
// physical memory, its areas, the layout boundaries exec sets, and the fault counters.
import type { Mmu } from '../../src/mmu/mmu.js';
import type { PhysicalMemory } from '../../src/mmu/physicalMemory.js';
import { PAGE_SIZE } from '../../src/mmu/physicalMemory.js';
import type { VmArea } from './vma.js';
import type { Ldt } from '../../src/cpu/ldt.js';

/** Page-fault outcomes by kind, for --stats and the debugger. */
export interface FaultStats {
  /** Not-present faults filled with a zeroed frame. */
  anon: number;
  /** Not-present faults filled from a file (the ELF image or a file mmap). */
  file: number;
  /** Write faults that copied (or took over) a copy-on-write frame. */
  cow: number;
  /** Faults below a stack area that grew it. */
  stackGrowth: number;
  /** Faults that found a valid translation already there (stale TLB). */
  spurious: number;
  /** Faults that ended in SIGSEGV / SIGBUS. */
  segv: number;
  sigbus: number;
  /** Not-present faults filled from swap (the swap cache or a slot). */
  swapIn: number;
  /** Resolved faults that read from a backing store (a swap slot, or a file page not cached). */
  major: number;
  /** Resolved faults served from memory. */
  minor: number;
}

export function newFaultStats(): FaultStats {
  return { anon: 0, file: 0, cow: 0, stackGrowth: 0, spurious: 0, segv: 0, sigbus: 0, swapIn: 0, major: 0, minor: 0 };
}

/** Linux's stack_guard_gap: 256 pages kept free below a stack area. */
export const STACK_GUARD_GAP = 256 * PAGE_SIZE;
/** vm.mmap_min_addr default. */
export const MMAP_MIN_ADDR = 65536;
/** Default RLIMIT_STACK soft limit (8 MiB). */
export const DEFAULT_STACK_RLIMIT = 8 * 1024 * 1024;

let nextMmId = 1;

/** The address spaces built on each guest memory (for Committed_AS; freed ones are pruned by their pgd 0). */
const mmsOf = new WeakMap<PhysicalMemory, Set<Mm>>();

/** The live address spaces on mem. */
export function liveMms(mem: PhysicalMemory): Mm[] {
  const set = mmsOf.get(mem);
  if (set === undefined) return [];
  for (const mm of set) if (mm.pgd === 0) set.delete(mm);
  return [...set];
}

export class Mm {
  /** A number naming this address space in the debugger's views (mm#N). */
  readonly id = nextMmId++;
  readonly mem: PhysicalMemory;
  readonly mmu: Mmu;
  /** Frame number of the page directory. */
  pgd: number;
  /** Sorted, non-overlapping areas. */
  vmas: VmArea[] = [];
  /** One past the highest user address (TASK_SIZE). */
  readonly taskSize: number;
  /**
   * sizeof(long) of the kernel the address space was made by (8: a 64-bit kernel, also under
   * ADDR_LIMIT_3GB): the width of /proc's maps columns and of the limits it prints.
   */
  readonly kernelPtrSize: 4 | 8;
  /** Top of the top-down mmap allocator (mm->mmap_base); the bottom of the legacy one. */
  mmapBase = 0;
  /** The legacy bottom-up allocator (personality ADDR_COMPAT_LAYOUT, `setarch -L`). */
  mmapLegacy = false;
  /**
   * mm->mmap_legacy_base: where bottom-up allocation starts when the top-down one finds no room
   * (TASK_UNMAPPED_BASE, plus arch_mmap_rnd under --aslr); 0: TASK_UNMAPPED_BASE.
   */
  mmapLegacyBase = 0;
  startCode = 0;
  endCode = 0;
  startData = 0;
  endData = 0;
  startBrk = 0;
  brk = 0;
  startStack = 0;
  argStart = 0;
  argEnd = 0;
  envStart = 0;
  envEnd = 0;
  /** VM_ flags every new area gets (mm->def_flags): VM_LOCKED after mlockall(MCL_FUTURE). */
  defFlags = 0;
  /** RLIMIT_STACK soft limit, consulted when the stack grows. */
  stackRlimit = DEFAULT_STACK_RLIMIT;
  readonly stats: FaultStats;
  /** Tasks using this address space (mm_users): threads and a vfork child share it. */
  users = 1;
  /** Task structs referring to it (mm_count): users plus zombies not yet reaped. */
  count = 1;
  /** The executable: the path /proc/PID/exe and the maps show. */
  exePath = '';
  /**
   * Present PTEs (get_mm_rss): +1 in mapPage over an empty slot, -n in zapRange, set by fork.
   * Code that makes a PTE present or not present by other means keeps it in step.
   */
  rss = 0;
  /** High-water marks (hiwater_rss, hiwater_vm) in pages, raised just before either shrinks (rssStat.ts). */
  hiwaterRss = 0;
  hiwaterVm = 0;
  /** The auxiliary vector exec wrote, AT_NULL last (saved_auxv: /proc/PID/auxv). */
  savedAuxv: Array<[number, number]> = [];
  /** mm->context.ldt: the LDT modify_ldt wrote (copied at fork, gone after exec). */
  ldt: Ldt | null = null;

  constructor(mem: PhysicalMemory, mmu: Mmu, pgd: number, taskSize: number, stats: FaultStats, kernelPtrSize: 4 | 8 = 4) {
    this.mem = mem;
    this.mmu = mmu;
    this.pgd = pgd;
    this.taskSize = taskSize;
    this.kernelPtrSize = kernelPtrSize;
    this.stats = stats;
    let set = mmsOf.get(mem);
    if (set === undefined) mmsOf.set(mem, set = new Set());
    set.add(this);
  }

  /** True when this address space is the one loaded in CR3 (its TLB entries need flushing). */
  get active(): boolean {
    return (this.mmu.cr3 >>> 0) === this.pgd * PAGE_SIZE;
  }
}
