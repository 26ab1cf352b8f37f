// The --stats report: guest instructions and MIPS, TLB behaviour, page faults by kind, the page cache.
import type { Kernel } from '../../kernel/kernel.js';

export function formatStats(kernel: Kernel, seconds: number): string {
  const s = kernel.stats();
  const mips = seconds > 0 ? s.instructions / seconds / 1e6 : 0;
  const f = s.faults;
  return [
    `i386emu: stats: ${s.instructions} instructions in ${seconds.toFixed(3)} s (${mips.toFixed(1)} MIPS), ${s.syscalls} syscalls`,
    `i386emu: stats: TLB ${s.tlbHits} hits, ${s.tlbMisses} misses, ${s.tlbFlushes} flushes; ` +
      `decoded ${s.decodedInsns} instructions, ${s.codeInvalidations} code-page invalidations`,
    `i386emu: stats: page faults ${s.pageFaults}: anon ${f.anon}, file ${f.file}, cow ${f.cow}, ` +
      `stack growth ${f.stackGrowth}, spurious ${f.spurious}, segv ${f.segv}, sigbus ${f.sigbus}; frames in use at most ${s.peakFrames}`,
    `i386emu: stats: tasks ${s.tasksCreated}, context switches ${s.contextSwitches}, frames shared by fork ${s.framesShared}, ` +
      `copied on write ${f.cow}`,
    `i386emu: stats: page cache: ${s.pageCache.pagesRead} pages read, ${s.pageCache.hits} hits, ` +
      `${s.pageCache.writebacks} written back; ${s.pageCache.files} files cached at exit`,
  ].join('\n');
}
