// The memory views of /proc/PID (Linux's fs/proc/task_mmu.c): smaps, smaps_rollup, statm and
// the Vm*/Rss* lines of status, from one walk of the page tables in guest memory. A present
// page's mapcount is its frame's refcount, less the page cache's own reference when the frame
// is the file's cached page; Pss adds PAGE_SIZE / mapcount in Linux's fixed point (PSS_SHIFT).
import { PAGE_SIZE } from '../../src/mmu/physicalMemory.js';
import { PTE_A, PTE_P } from '../../src/mmu/paging.js';
import type { Mm } from '../mm/mmStruct.js';
import { mmCounters, walkAreaPages } from '../mm/mmCounters.js';
import { swapAreaOf } from '../mm/swap.js';
import {
  VM_ACCOUNT, VM_DONTCOPY, VM_DONTDUMP, VM_EXEC, VM_GROWSDOWN, VM_LOCKED, VM_LOCKONFAULT, VM_MAYEXEC, VM_MAYREAD,
  VM_MAYSHARE, VM_MAYWRITE, VM_NORESERVE, VM_RAND_READ, VM_READ, VM_SEQ_READ, VM_SHARED, VM_WIPEONFORK, VM_WRITE,
  type VmArea,
} from '../mm/vma.js';
import { formatVmaLine } from './procfs.js';

const PSS_SHIFT = 12;

/** Linux's struct mem_size_stats: byte counts, the pss_* ones shifted left by PSS_SHIFT. */
export interface MemSizeStats {
  resident: number;
  sharedClean: number;
  sharedDirty: number;
  privateClean: number;
  privateDirty: number;
  referenced: number;
  anonymous: number;
  swap: number;
  pss: number;
  pssDirty: number;
  pssAnon: number;
  pssFile: number;
  pssShmem: number;
  pssLocked: number;
  swapPss: number;
}

export function newMemSizeStats(): MemSizeStats {
  return {
    resident: 0, sharedClean: 0, sharedDirty: 0, privateClean: 0, privateDirty: 0, referenced: 0, anonymous: 0, swap: 0,
    pss: 0, pssDirty: 0, pssAnon: 0, pssFile: 0, pssShmem: 0, pssLocked: 0, swapPss: 0,
  };
}

/** smap_gather_stats for one area, added into mss. */
export function smapGatherStats(mm: Mm, v: VmArea, mss: MemSizeStats): void {
  if (mm.pgd === 0) return;
  const locked = (v.flags & VM_LOCKED) !== 0;
  const swapArea = swapAreaOf(mm.mem);
  walkAreaPages(mm, v, (kind, mapcount, pte, dirty) => {
    if (!(pte & PTE_P)) {
      mss.swap += PAGE_SIZE;
      // Shared by the PTEs naming the slot (swp_swapcount), as Pss is by the frame's mappers.
      mss.swapPss += Math.floor(PAGE_SIZE * 2 ** PSS_SHIFT / Math.max(1, swapArea?.count(pte) ?? 1));
      return;
    }
    mss.resident += PAGE_SIZE;
    if (kind === 'anon') mss.anonymous += PAGE_SIZE;
    if (pte & PTE_A) mss.referenced += PAGE_SIZE;
    const pss = mapcount >= 2 ? Math.floor(PAGE_SIZE * 2 ** PSS_SHIFT / mapcount) : PAGE_SIZE * 2 ** PSS_SHIFT;
    mss.pss += pss;
    if (kind === 'anon') mss.pssAnon += pss;
    else if (kind === 'shmem') mss.pssShmem += pss;
    else mss.pssFile += pss;
    if (locked) mss.pssLocked += pss;
    const priv = mapcount < 2;
    if (dirty) {
      mss.pssDirty += pss;
      if (priv) mss.privateDirty += PAGE_SIZE;
      else mss.sharedDirty += PAGE_SIZE;
    } else if (priv) mss.privateClean += PAGE_SIZE;
    else mss.sharedClean += PAGE_SIZE;
  });
  // shmem_swap_usage: a shmem area's Swap also counts its object's pages out on swap (their
  // PTEs are empty, not swap entries); SwapPss leaves them out, as Linux's does.
  const as = v.file?.mapping;
  if (as !== undefined && as.swapBacked && as.swapped.size > 0) {
    const last = v.pgoff + (v.end - v.start) / PAGE_SIZE;
    for (const index of as.swapped.keys()) if (index >= v.pgoff && index < last) mss.swap += PAGE_SIZE;
  }
}

/** A "Name:" column padded to 16 and a kB value right-aligned in 8 (SEQ_PUT_DEC). */
function kbLine(name: string, bytes: number): string {
  return `${name.padEnd(16)}${String(Math.floor(bytes / 1024)).padStart(8)} kB\n`;
}

/** __show_smap: the counters shared by smaps and smaps_rollup (the Pss_ split only in the rollup). */
function showSmap(mss: MemSizeStats, rollup: boolean): string {
  const pss = (n: number) => Math.floor(n / 2 ** PSS_SHIFT);
  let out = kbLine('Rss:', mss.resident) + kbLine('Pss:', pss(mss.pss)) + kbLine('Pss_Dirty:', pss(mss.pssDirty));
  if (rollup) out += kbLine('Pss_Anon:', pss(mss.pssAnon)) + kbLine('Pss_File:', pss(mss.pssFile)) + kbLine('Pss_Shmem:', pss(mss.pssShmem));
  out += kbLine('Shared_Clean:', mss.sharedClean) + kbLine('Shared_Dirty:', mss.sharedDirty)
    + kbLine('Private_Clean:', mss.privateClean) + kbLine('Private_Dirty:', mss.privateDirty)
    + kbLine('Referenced:', mss.referenced) + kbLine('Anonymous:', mss.anonymous) + kbLine('KSM:', 0)
    + kbLine('LazyFree:', 0) + kbLine('AnonHugePages:', 0) + kbLine('ShmemPmdMapped:', 0) + kbLine('FilePmdMapped:', 0)
    + kbLine('Shared_Hugetlb:', 0) + kbLine('Private_Hugetlb:', 0)
    + kbLine('Swap:', mss.swap) + kbLine('SwapPss:', pss(mss.swapPss)) + kbLine('Locked:', pss(mss.pssLocked));
  return out;
}

/**
 * show_smap_vma_flags' two-letter codes, in bit order. Only Linux's own flags: the emulator's
 * VM_EXECUTABLE reuses a bit Linux gives to VM_UFFD_WP, so it is not listed.
 */
const VM_FLAG_MNEMONICS: Array<[number, string]> = [
  [VM_READ, 'rd'], [VM_WRITE, 'wr'], [VM_EXEC, 'ex'], [VM_SHARED, 'sh'], [VM_MAYREAD, 'mr'], [VM_MAYWRITE, 'mw'],
  [VM_MAYEXEC, 'me'], [VM_MAYSHARE, 'ms'], [VM_GROWSDOWN, 'gd'], [VM_LOCKED, 'lo'], [VM_SEQ_READ, 'sr'],
  [VM_RAND_READ, 'rr'], [VM_DONTCOPY, 'dc'], [VM_LOCKONFAULT, 'lf'], [VM_ACCOUNT, 'ac'], [VM_NORESERVE, 'nr'],
  [VM_WIPEONFORK, 'wf'], [VM_DONTDUMP, 'dd'],
];

export function vmFlagsLine(flags: number): string {
  let out = 'VmFlags: ';
  for (const [bit, code] of VM_FLAG_MNEMONICS) if (flags & bit) out += code + ' ';
  return out + '\n';
}

/** /proc/PID/smaps: per area its maps line, sizes, the counters, THPeligible and VmFlags. */
export function formatSmaps(mm: Mm): string {
  let out = '';
  for (const v of mm.vmas) {
    const mss = newMemSizeStats();
    smapGatherStats(mm, v, mss);
    out += formatVmaLine(mm, v) + '\n' + kbLine('Size:', v.end - v.start) + kbLine('KernelPageSize:', PAGE_SIZE)
      + kbLine('MMUPageSize:', PAGE_SIZE) + showSmap(mss, false) + `${'THPeligible:'.padEnd(16)}${'0'.padStart(8)}\n`
      + vmFlagsLine(v.flags);
  }
  return out;
}

/** /proc/PID/smaps_rollup: a "[rollup]" header spanning first to last area, then the summed counters. */
export function formatSmapsRollup(mm: Mm): string {
  const mss = newMemSizeStats();
  for (const v of mm.vmas) smapGatherStats(mm, v, mss);
  const first = mm.vmas.length > 0 ? mm.vmas[0].start : 0;
  const last = mm.vmas.length > 0 ? mm.vmas[mm.vmas.length - 1].end : 0;
  const ptrSize = mm.kernelPtrSize;
  const hex8 = (n: number) => (n >>> 0).toString(16).padStart(8, '0');
  const header = `${hex8(first)}-${hex8(last)} ---p 00000000 00:00 0 `.padEnd(25 + 6 * ptrSize - 1) + ' [rollup]\n';
  return header + showSmap(mss, true);
}

/** task_mem: status's VmPeak ... VmSwap and HugetlbPages lines. */
export function taskMem(mm: Mm): string {
  const c = mmCounters(mm);
  const text = Math.min(c.textBytes, c.execVm * PAGE_SIZE);
  const lib = c.execVm * PAGE_SIZE - text;
  const rows: Array<[string, number]> = [
    ['VmPeak', c.hiwaterVm * 4], ['VmSize', c.totalVm * 4], ['VmLck', c.lockedVm * 4], ['VmPin', 0],
    ['VmHWM', c.hiwaterRss * 4], ['VmRSS', (c.anon + c.file + c.shmem) * 4], ['RssAnon', c.anon * 4],
    ['RssFile', c.file * 4], ['RssShmem', c.shmem * 4], ['VmData', c.dataVm * 4], ['VmStk', c.stackVm * 4],
    ['VmExe', text >>> 10], ['VmLib', lib >>> 10], ['VmPTE', c.pgtableBytes >>> 10], ['VmSwap', c.swap * 4],
    ['HugetlbPages', 0],
  ];
  return rows.map(([k, kb]) => `${k}:\t${String(kb).padStart(8)} kB\n`).join('');
}

/** task_statm: size resident shared text lib data dt, in pages (lib and dt are always 0). */
export function formatStatm(mm: Mm): string {
  const c = mmCounters(mm);
  const shared = c.file + c.shmem;
  return `${c.totalVm} ${shared + c.anon} ${shared} ${c.textBytes / PAGE_SIZE} 0 ${c.dataVm + c.stackVm} 0\n`;
}
