// The OOM killer's choice (kernel/mm/oom.ts): the process with the most resident pages, swap
// entries and page tables, shifted by oom_score_adj (thousandths of RAM + swap); -1000 is
// never chosen, nor an address space the reaper already emptied. The kill line has mm/oom_kill.c's
// format, and the reaper frees the victim's private memory and swap at once.
import { describe, expect, it } from 'vitest';
import { Mmu } from '../../../src/mmu/mmu.js';
import { PhysicalMemory } from '../../../src/mmu/physicalMemory.js';
import { doMmap, MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE } from '../../../kernel/mm/mmap.js';
import { newFaultStats, type Mm } from '../../../kernel/mm/mmStruct.js';
import { mmCounters } from '../../../kernel/mm/mmCounters.js';
import { type OomCandidate, oomKillMessage, oomReap, selectBadProcess } from '../../../kernel/mm/oom.js';
import { createMm } from '../../../kernel/mm/pageTable.js';
import { PageCache } from '../../../kernel/mm/pageCache.js';
import { swapOn } from '../../../kernel/mm/swap.js';
import { copyToUser } from '../../../kernel/mm/uaccess.js';
import { Reclaimer } from '../../../kernel/mm/vmscan.js';
import { TASK_SIZE } from '../helpers.js';

const PG = 4096;
const mem = new PhysicalMemory(4 * 1024 * 1024);
const mmu = new Mmu(mem);

function proc(pid: number, pages: number, oomScoreAdj = 0): OomCandidate {
  const mm: Mm = createMm(mem, mmu, TASK_SIZE, newFaultStats());
  mm.mmapBase = 0x40000000;
  const a = doMmap(mm, 0, (pages + 8) * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
  for (let i = 0; i < pages; i++) copyToUser(mm, a + i * PG, Uint8Array.of(1));
  return { pid, comm: `p${pid}`, uid: 1000, mm, oomScoreAdj };
}

describe('OOM killer', () => {
  it('picks the process with the largest badness, honouring oom_score_adj', () => {
    const small = proc(10, 20), big = proc(11, 60), mid = proc(12, 40);
    const total = mem.frameCount;
    expect(selectBadProcess([small, big, mid], total)?.pid).toBe(11);
    // -1000: never; a positive adjustment adds adj/1000 of RAM + swap.
    big.oomScoreAdj = -1000;
    expect(selectBadProcess([small, big, mid], total)?.pid).toBe(12);
    small.oomScoreAdj = 100; // +102 pages with 1024 frames
    expect(selectBadProcess([small, big, mid], total)?.pid).toBe(10);
    expect(selectBadProcess([big], total)).toBeNull();
  });

  it('counts swap entries, prints the kernel line, and reaps the victim', () => {
    const p = proc(20, 30);
    const swap = swapOn(mem, mmu, 256 * PG)!;
    const reclaim = new Reclaimer({ mem, pageCache: new PageCache(mem, mmu), swap, mms: () => [p.mm] });
    mmu.setCr3(p.mm.pgd * PG);
    reclaim.shrink(10);
    const c = mmCounters(p.mm);
    expect(c.swap).toBe(10);
    expect(c.anon).toBe(20);
    expect(c.totalVm).toBe(38);
    expect(c.pgtableBytes).toBe(4096); // one page table (mm_pgtables_bytes: the directory is not counted)
    const lines = oomKillMessage({ comm: 'p20', oomScoreAdj: 0 }, p);
    expect(lines[1]).toBe('Out of memory: Killed process 20 (p20) total-vm:152kB, anon-rss:80kB, file-rss:0kB, ' +
      'shmem-rss:0kB, UID:1000 pgtables:4kB oom_score_adj:0');
    const inUse = mem.framesInUse;
    // Its 20 resident pages and the page table they leave empty.
    expect(oomReap(p.mm)).toBe(21);
    expect(mem.framesInUse).toBe(inUse - 21);
    expect(swap.inuse).toBe(0);
    // Reaped: not chosen again, so the next OOM moves on to another process.
    expect(selectBadProcess([p], mem.frameCount)).toBeNull();
    swapOn(mem, mmu, 0);
  });
});
