// Memory counters of an address space for /proc (Linux's get_mm_rss, mm->total_vm and the
// update_hiwater_rss/update_hiwater_vm pair): the peaks are raised only just before the RSS or
// the mapped size goes down (zap, munmap, mremap), so the fault path pays nothing for them;
// VmHWM/VmPeak are then max(peak, current), exactly as task_mem computes them.
import type { Mm } from './mmStruct.js';

/** Pages covered by areas (mm->total_vm). */
export function totalVm(mm: Mm): number {
  let pages = 0;
  for (const v of mm.vmas) pages += (v.end - v.start) / 4096;
  return pages;
}

/** Called before PTEs are zapped. */
export function updateHiwaterRss(mm: Mm): void {
  if (mm.rss > mm.hiwaterRss) mm.hiwaterRss = mm.rss;
}

/** Called before areas are removed or shrunk. */
export function updateHiwaterVm(mm: Mm): void {
  const vm = totalVm(mm);
  if (vm > mm.hiwaterVm) mm.hiwaterVm = vm;
}

/** get_mm_hiwater_rss: the peak resident set in pages (VmHWM, ru_maxrss). */
export function hiwaterRss(mm: Mm): number {
  return Math.max(mm.hiwaterRss, mm.rss);
}
