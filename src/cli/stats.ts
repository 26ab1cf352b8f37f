// The --stats report: guest instructions and MIPS, TLB behaviour, page faults by kind, the page
// cache, and memory: resident frames, major/minor faults, swap traffic, reclaim, OOM kills;
// under --aslr the seed that repeats the run's layout.
import type { Kernel } from '../../kernel/kernel.js';
import { jitStats } from '../cpu/jit/jitStats.js';

export function formatStats(kernel: Kernel, seconds: number): string {
  const s = kernel.stats();
  const mips = seconds > 0 ? s.instructions / seconds / 1e6 : 0;
  const f = s.faults;
  return [
    `i386emu: stats: ${s.instructions} instructions in ${seconds.toFixed(3)} s (${mips.toFixed(1)} MIPS), ${s.syscalls} syscalls`,
    `i386emu: stats: TLB ${s.tlbHits} hits (outside compiled code), ${s.tlbMisses} misses, ${s.tlbFlushes} flushes; ` +
      `decoded ${s.decodedInsns} instructions, ${s.codeInvalidations} code-page invalidations`,
    `i386emu: stats: page faults ${s.pageFaults}: anon ${f.anon}, file ${f.file}, cow ${f.cow}, ` +
      `stack growth ${f.stackGrowth}, spurious ${f.spurious}, segv ${f.segv}, sigbus ${f.sigbus}; frames in use at most ${s.peakFrames}`,
    `i386emu: stats: tasks ${s.tasksCreated}, context switches ${s.contextSwitches}, frames shared by fork ${s.framesShared}, ` +
      `copied on write ${f.cow}`,
    `i386emu: stats: page cache: ${s.pageCache.pagesRead} pages read, ${s.pageCache.hits} hits, ` +
      `${s.pageCache.writebacks} written back; ${s.pageCache.files} files cached at exit`,
    `i386emu: stats: memory: resident ${s.framesInUse} pages at exit, ${s.peakFrames} at most; ` +
      `faults major ${f.major}, minor ${f.minor}; cow copies ${f.cow}; swap-outs ${s.swap.swapOuts}, ` +
      `swap-ins ${s.swap.swapIns} (${s.swap.cacheHits} from the swap cache), swap used ${s.swap.usedPages} of ${s.swap.totalPages} pages; ` +
      `page-cache hits ${s.pageCache.hits}`,
    `i386emu: stats: reclaim: ${s.reclaim.runs} runs, ${s.reclaim.scanned} pages scanned, ${s.reclaim.referenced} referenced, ` +
      `${s.reclaim.unmapped} unmapped, ${s.reclaim.freed} frames freed; page cache ${s.pageCache.dropped} dropped, ` +
      `${s.pageCache.reclaimWritebacks} written back first; OOM kills ${s.oomKills}`,
    // The seed an --aslr run used, so that --seed repeats its layout.
    ...(kernel.randomizeVaSpace !== 0 ? [`i386emu: stats: aslr: seed ${kernel.randomSeed} (--seed ${kernel.randomSeed} repeats this layout)`] : []),
    ...(jitStats.blocksCompiled + jitStats.failures > 0 ? [
      `i386emu: stats: block compiler: ${jitStats.blocksCompiled} blocks (${jitStats.insnsCompiled} instructions: ` +
        `${jitStats.templated} from templates, ${jitStats.called} handler calls), ${jitStats.traces} traces (${jitStats.traceBlocks} blocks) in ${jitStats.compileMs.toFixed(1)} ms; ${jitStats.failures} refused`,
    ] : []),
  ].join('\n');
}
