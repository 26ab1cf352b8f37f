// /proc/meminfo (fs/proc/meminfo.c) for the emulated RAM, the page cache and the swap area, in
// Linux's format: the name padded to 16 columns, the value in kB right-aligned in 8. There are
// no LRU lists here (reclaim is a clock over accessed bits), so Active/Inactive split the pages
// by what reclaim takes last and first: mapped pages active; unmapped cache and swap cache
// inactive. Committed_AS is the overcommit accounting's charge (overcommit.ts).
import type { PhysicalMemory } from '../../src/mmu/physicalMemory.js';
import { commitLimit, committedAs } from '../mm/overcommit.js';
import { pageCacheOf } from '../mm/pageCache.js';
import { swapAreaOf } from '../mm/swap.js';

export function meminfoText(mem: PhysicalMemory): string {
  const total = mem.frameCount - 1;
  const free = mem.freeFrames();
  const swap = swapAreaOf(mem);
  let cached = 0, mapped = 0, dirty = 0, shmem = 0;
  for (const as of pageCacheOf(mem)?.table.values() ?? []) {
    const swapBacked = as.swapBacked;
    for (const pfn of as.pages.values()) {
      if (swapBacked) shmem++;
      cached++;
      if (mem.refcount[pfn] > 1) mapped++;
    }
    dirty += as.dirty.size;
  }
  const swapCached = swap?.cache.size ?? 0;
  const anon = Math.max(0, mem.framesInUse - cached - swapCached);
  const swapTotal = swap?.totalPages ?? 0;
  const swapFree = swap?.freePages ?? 0;
  const rows: Array<[string, number]> = [
    ['MemTotal', total], ['MemFree', free], ['MemAvailable', free + (cached - mapped) + swapCached],
    ['Buffers', 0], ['Cached', cached], ['SwapCached', swapCached],
    ['Active', anon + mapped], ['Inactive', cached - mapped + swapCached],
    ['Active(anon)', anon], ['Inactive(anon)', swapCached], ['Active(file)', mapped], ['Inactive(file)', cached - mapped],
    ['Unevictable', 0], ['Mlocked', 0],
    ['SwapTotal', swapTotal], ['SwapFree', swapFree], ['Dirty', dirty], ['Writeback', 0],
    ['AnonPages', anon], ['Mapped', mapped], ['Shmem', shmem],
    ['CommitLimit', commitLimit(mem)], ['Committed_AS', committedAs(mem)],
  ];
  return rows.map(([k, n]) => `${(k + ':').padEnd(16)}${String(n * 4).padStart(8)} kB`).join('\n') + '\n';
}
