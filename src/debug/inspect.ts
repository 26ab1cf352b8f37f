// The machine below the CPU as text: `pagewalk ADDR` (CR3 → PDE → PTE → physical, with flag
// bits, a not-present PTE decoded (never touched, or a swap entry's type and offset) and why an
// access would fault), `info tlb`, `info frames` (who maps each physical frame, its reference
// count, shared / copy-on-write / page cache; one frame's reverse map is rmap.ts) and `stats`.
// Shared by the REPL and the gdb stub's monitor commands, so both print the same thing.
import { inspectWalk, pteFlagNames, PTE_COW, PTE_FRAME, PTE_P } from '../mmu/paging.js';
import { PAGE_SHIFT } from '../mmu/physicalMemory.js';
import { isSwapPte, swpOffset, swpType } from '../mmu/swapEntry.js';
import type { DebugTarget } from './target.js';
import { hex, hex8 } from './format.js';
import { forEachFrameUse, frameText, spacesOf } from './rmap.js';

/** The walk for addr in the current address space, or in process pid's. */
export function pagewalkText(t: DebugTarget, addr: number, pid?: number): string {
  let cr3 = t.mmu.cr3;
  if (pid !== undefined) {
    const c = t.cr3Of ? t.cr3Of(pid) : null;
    if (c === null) return `No process ${pid}.`;
    cr3 = c;
  }
  const w = inspectWalk(t.mem, cr3, addr);
  const out: string[] = [];
  out.push(`linear ${hex8(w.linear)}: directory index ${w.pdeIndex}, table index ${w.pteIndex}, offset ${hex(w.linear & 0xfff)}`);
  out.push(`CR3  ${hex8(w.cr3)}  (page directory at physical ${hex8(w.cr3 & PTE_FRAME)})`);
  out.push(`PDE[${w.pdeIndex}] at ${hex8(w.pdeAddr)} = ${hex8(w.pde)}  ${w.pde & PTE_P ? pteFlagNames(w.pde) : 'not present (no page table for these 4 MiB)'}`);
  if (w.pde & PTE_P) {
    out.push(`PTE[${w.pteIndex}] at ${hex8(w.pteAddr)} = ${hex8(w.pte)}  ${w.pte & PTE_P ? pteFlagNames(w.pte) : notPresentPte(t, w.pte)}`);
  }
  if (w.physical >= 0) {
    const pfn = w.physical >>> PAGE_SHIFT;
    const rc = t.mem.refcount[pfn] ?? 0;
    out.push(`physical ${hex8(w.physical)}  (frame ${hex(pfn)}, refcount ${rc}${rc > 1 ? ', shared' : ''}${w.pte & PTE_COW ? ', copy-on-write' : ''})`);
  } else {
    out.push('physical none');
  }
  const fault = (why: string | null) => (why === null ? 'ok' : `#PF: ${why}`);
  out.push(`user read: ${fault(w.readFault)}`);
  out.push(`user write: ${fault(w.writeFault)}`);
  if (t.vmaAt) {
    const v = t.vmaAt(w.linear, pid);
    if (v === null) out.push('area: none (an access is SIGSEGV)');
    else {
      out.push(`area: ${v}`);
      if (isSwapPte(w.pte)) out.push('  (inside an area: the first touch reads the page back from swap: swap-in)');
      else if (w.readFault?.includes('not present')) out.push('  (inside an area: the kernel fills the page on first touch: demand paging)');
      else if (/^\S+ ---/.test(v)) out.push('  (a PROT_NONE area: its pages are mapped supervisor-only, so every user access is SIGSEGV SEGV_ACCERR)');
      else if (w.writeFault?.includes('copy-on-write')) out.push('  (a write copies the frame: copy-on-write)');
    }
  }
  return out.join('\n');
}

/** A not-present PTE: never touched (0), or the swap entry it holds and what the kernel knows of the slot. */
function notPresentPte(t: DebugTarget, pte: number): string {
  if (!isSwapPte(pte)) return 'not present (never touched: demand-zero, or a file page read on first access)';
  const type = swpType(pte), offset = swpOffset(pte);
  const info = t.swapSlotInfo ? t.swapSlotInfo(type, offset) : null;
  return `not present: swap entry type ${type} offset ${hex(offset)}${info ? ` (${info})` : ''}`;
}

export function tlbText(t: DebugTarget, max = 256): string {
  const m = t.mmu;
  const entries = m.tlbEntries().sort((a, b) => a.vpn - b.vpn);
  const total = m.tlbHits + m.tlbMisses;
  const out = [
    `TLB: ${entries.length} entries cached; hits ${m.tlbHits}, misses ${m.tlbMisses}` +
      (total ? ` (${((m.tlbHits / total) * 100).toFixed(2)}% hits)` : '') + `, flushes ${m.tlbFlushes}, page faults ${m.pageFaults}`,
  ];
  if (entries.length) out.push('  linear page    physical frame  access');
  for (const e of entries.slice(0, max)) {
    out.push(`  ${hex8(e.vpn << PAGE_SHIFT)}     ${hex8(e.phys)}      ${e.writable ? 'read/write' : 'read'}`);
  }
  if (entries.length > max) out.push(`  ... ${entries.length - max} more`);
  return out.join('\n');
}

interface FrameOwners { owners: string[]; cow: boolean }

export function framesText(t: DebugTarget, max = 4096): string {
  const uses = new Map<number, FrameOwners>();
  forEachFrameUse(t, spacesOf(t), (pfn, u) => {
    let f = uses.get(pfn);
    if (!f) { f = { owners: [], cow: false }; uses.set(pfn, f); }
    if (u.kind === 'pgd') f.owners.push(`${u.space.label} page directory`);
    else if (u.kind === 'pt') f.owners.push(`${u.space.label} page table ${hex(u.linear)}`);
    else {
      const area = u.space.areaAt?.(u.linear);
      f.owners.push(`${u.space.label} ${hex(u.linear)}${area?.name ? ' ' + area.name : ''}`);
      f.cow ||= (u.entry & PTE_COW) !== 0;
    }
  });
  const pfns = [...uses.keys()].sort((a, b) => a - b);
  const cache = t.pageCacheFrames?.() ?? new Map<number, string>();
  const out = [`physical frames: ${t.mem.framesInUse} in use of ${t.mem.frameCount - 1}, ${pfns.length} reachable from page tables`];
  out.push('  frame       refs  flags       owner (address space, linear page, area)');
  for (const pfn of pfns.slice(0, max)) {
    const u = uses.get(pfn)!;
    const rc = t.mem.refcount[pfn];
    const flags = [rc > 1 || u.owners.length > 1 ? 'shared' : '', u.cow ? 'COW' : '', cache.has(pfn) ? 'cache' : ''].filter(Boolean).join(',') || '-';
    out.push(`  ${hex8(pfn << PAGE_SHIFT)}  ${String(rc).padStart(4)}  ${flags.padEnd(10)}  ${u.owners.join('; ')}`);
  }
  if (pfns.length > max) out.push(`  ... ${pfns.length - max} more`);
  out.push('(info frames PHYS or info frames at ADDR: one frame, with every mapping of it)');
  return out.join('\n');
}

/** `info frames at ADDR [pid N]`: the frame mapped at a linear address, then its reverse map. */
export function frameAtText(t: DebugTarget, addr: number, pid?: number): string {
  let cr3 = t.mmu.cr3;
  if (pid !== undefined) {
    const c = t.cr3Of ? t.cr3Of(pid) : null;
    if (c === null) return `No process ${pid}.`;
    cr3 = c;
  }
  const w = inspectWalk(t.mem, cr3, addr);
  if (w.physical < 0) return `${hex8(addr)} is not mapped to a frame (${w.readFault}): see pagewalk ${hex8(addr)}.`;
  return `${hex8(addr)} -> physical ${hex8(w.physical)}\n${frameText(t, w.physical)}`;
}

export function tasksText(t: DebugTarget): string {
  const tasks = t.tasks ? t.tasks() : [{ pid: t.pid, tid: t.tid, ppid: 0, state: t.exit ? 'exited' : 'stopped', name: t.exePath, mm: `cr3=${hex8(t.mmu.cr3)}`, current: true }];
  const w = Math.max(21, ...tasks.map((k) => k.mm.length));
  const out = [`    PID    TID   PPID  STATE      ${'MM'.padEnd(w)}  NAME`];
  for (const k of tasks) {
    out.push(`${k.current ? '*' : ' '}${String(k.pid).padStart(6)} ${String(k.tid).padStart(6)} ${String(k.ppid).padStart(6)}  ${k.state.padEnd(9)}  ${k.mm.padEnd(w)}  ${k.name}`);
  }
  return out.join('\n');
}

export function statsText(t: DebugTarget): string {
  const c = t.cpu, m = t.mmu;
  const lines = [
    `instructions ${c.instructions}`,
    `decoded instructions ${c.decodedInsns}, code invalidations ${c.codeInvalidations}`,
    `TLB hits ${m.tlbHits}, misses ${m.tlbMisses}, flushes ${m.tlbFlushes}`,
    `page faults (CPU) ${m.pageFaults}`,
    `physical frames in use ${t.mem.framesInUse} of ${t.mem.frameCount - 1}`,
  ];
  if (t.statsText) lines.push(t.statsText());
  return lines.join('\n');
}
