// The OOM killer (Linux's mm/oom_kill.c): when reclaim frees nothing and swap is full or
// absent, the process with the largest badness (oom_badness: resident pages + swap entries +
// page-table pages, shifted by oom_score_adj in thousandths of RAM + swap) is killed with
// SIGKILL and the kernel's line about it printed. Its private anonymous memory and swap are
// torn down at once (the OOM reaper), so the allocation that ran out can be retried before the
// victim runs again to die; a reaped address space is never chosen twice.
import { PAGE_SIZE, type PhysicalMemory } from '../../src/mmu/physicalMemory.js';
import { mmCounters } from './mmCounters.js';
import type { Mm } from './mmStruct.js';
import { zapRange } from './pageTable.js';
import { VM_LOCKED, VM_SHARED } from './vma.js';

/** oom_score_adj of a process the OOM killer must never pick. */
export const OOM_SCORE_ADJ_MIN = -1000;

/** A process the OOM killer may pick: one per thread group. */
export interface OomCandidate {
  pid: number;
  comm: string;
  uid: number;
  mm: Mm;
  oomScoreAdj: number;
}

/** oom_badness: the points of a process (null: never to be killed). */
export function oomBadness(c: OomCandidate, totalPages: number): number | null {
  if (c.oomScoreAdj <= OOM_SCORE_ADJ_MIN || c.mm.pgd === 0 || reaped.has(c.mm)) return null;
  const n = mmCounters(c.mm);
  const points = n.anon + n.file + n.shmem + n.swap + n.pgtableBytes / PAGE_SIZE;
  return points + c.oomScoreAdj * Math.floor(totalPages / 1000);
}

/** select_bad_process: the candidate with the most points (ties: the first), or null. */
export function selectBadProcess(candidates: readonly OomCandidate[], totalPages: number): OomCandidate | null {
  let chosen: OomCandidate | null = null;
  let best = -Infinity;
  for (const c of candidates) {
    const p = oomBadness(c, totalPages);
    if (p !== null && p > best) {
      best = p;
      chosen = c;
    }
  }
  return chosen;
}

/** The lines the kernel logs for the kill (dump_header's first line and __oom_kill_process's). */
export function oomKillMessage(invoker: { comm: string; oomScoreAdj: number }, victim: OomCandidate): string[] {
  const n = mmCounters(victim.mm);
  const kb = (pages: number) => `${pages * (PAGE_SIZE / 1024)}kB`;
  const pgtables = n.pgtableBytes / PAGE_SIZE;
  return [
    `${invoker.comm} invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=${invoker.oomScoreAdj}`,
    `Out of memory: Killed process ${victim.pid} (${victim.comm}) total-vm:${kb(n.totalVm)}, anon-rss:${kb(n.anon)}, ` +
      `file-rss:${kb(n.file)}, shmem-rss:${kb(n.shmem)}, UID:${victim.uid} pgtables:${kb(pgtables)} ` +
      `oom_score_adj:${victim.oomScoreAdj}`,
  ];
}

/**
 * The kernel's out_of_memory for a fault at addr that a kernel access to user memory
 * (uaccess) took: true when another process was killed and the access may be retried.
 */
export type OutOfMemoryHandler = (addr: number, write: boolean) => boolean;
const handlers = new WeakMap<PhysicalMemory, OutOfMemoryHandler>();

export function setOutOfMemoryHandler(mem: PhysicalMemory, h: OutOfMemoryHandler): void {
  handlers.set(mem, h);
}

export function outOfMemoryHandler(mem: PhysicalMemory): OutOfMemoryHandler | null {
  return handlers.get(mem) ?? null;
}

/** Address spaces the reaper already emptied. */
const reaped = new WeakSet<Mm>();

/**
 * The OOM reaper (__oom_reap_task_mm): unmaps the victim's private memory and frees
 * its swap slots now; the victim never returns to user mode to notice. Returns frames freed.
 */
export function oomReap(mm: Mm): number {
  reaped.add(mm);
  if (mm.pgd === 0) return 0;
  const before = mm.mem.framesInUse;
  for (const v of mm.vmas) {
    if (v.flags & (VM_LOCKED | VM_SHARED)) continue;
    zapRange(mm, v.start, v.end);
  }
  return before - mm.mem.framesInUse;
}
