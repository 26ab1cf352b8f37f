// The machine below the CPU as text: `pagewalk ADDR` (CR3 → PDE → PTE → physical, with flag
// bits and why an access would fault), `info tlb`, `info frames` (who maps each physical frame,
// its reference count, shared / copy-on-write) and `stats`. Shared by the REPL and the gdb
// stub's monitor commands, so both print the same thing.
import { inspectWalk, pteFlagNames, PTE_COW, PTE_FRAME, PTE_P } from '../mmu/paging.js';
import { PAGE_SHIFT } from '../mmu/physicalMemory.js';
import type { DebugTarget } from './target.js';
import { hex, hex8 } from './format.js';

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
  out.push(`PDE[${w.pdeIndex}] at ${hex8(w.pdeAddr)} = ${hex8(w.pde)}  ${w.pde & PTE_P ? pteFlagNames(w.pde) : 'not present'}`);
  if (w.pde & PTE_P) {
    out.push(`PTE[${w.pteIndex}] at ${hex8(w.pteAddr)} = ${hex8(w.pte)}  ${w.pte & PTE_P ? pteFlagNames(w.pte) : 'not present'}`);
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
      if (w.readFault?.includes('not present')) out.push('  (inside an area: the kernel fills the page on first touch)');
      else if (w.writeFault?.includes('copy-on-write')) out.push('  (a write copies the frame: copy-on-write)');
    }
  }
  return out.join('\n');
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

interface FrameUse { owners: string[]; cow: boolean; kind: string }

export function framesText(t: DebugTarget, max = 4096): string {
  const spaces = t.addressSpaces ? t.addressSpaces() : [{ label: `pid ${t.pid}`, cr3: t.mmu.cr3 }];
  const uses = new Map<number, FrameUse>();
  const note = (pfn: number, owner: string, cow: boolean, kind: string) => {
    let u = uses.get(pfn);
    if (!u) { u = { owners: [], cow: false, kind }; uses.set(pfn, u); }
    u.owners.push(owner);
    u.cow ||= cow;
  };
  const dv = t.mem.dv;
  for (const s of spaces) {
    const pd = (s.cr3 & PTE_FRAME) >>> 0;
    note(pd >>> PAGE_SHIFT, `${s.label} page directory`, false, 'pgd');
    for (let i = 0; i < 1024; i++) {
      const pde = dv.getInt32(pd + i * 4, true);
      if (!(pde & PTE_P)) continue;
      const pt = (pde & PTE_FRAME) >>> 0;
      note(pt >>> PAGE_SHIFT, `${s.label} page table ${hex((i << 22) >>> 0)}`, false, 'pt');
      for (let k = 0; k < 1024; k++) {
        const pte = dv.getInt32(pt + k * 4, true);
        if (!(pte & PTE_P)) continue;
        note((pte & PTE_FRAME) >>> PAGE_SHIFT, `${s.label} ${hex(((i << 22) | (k << 12)) >>> 0)}`, (pte & PTE_COW) !== 0, 'page');
      }
    }
  }
  const pfns = [...uses.keys()].sort((a, b) => a - b);
  const out = [`physical frames: ${t.mem.framesInUse} in use of ${t.mem.frameCount - 1}, ${pfns.length} reachable from page tables`];
  out.push('  frame       refs  flags       owner (address space, linear page)');
  for (const pfn of pfns.slice(0, max)) {
    const u = uses.get(pfn)!;
    const rc = t.mem.refcount[pfn];
    const flags = [rc > 1 || u.owners.length > 1 ? 'shared' : '', u.cow ? 'COW' : ''].filter(Boolean).join(',') || '-';
    out.push(`  ${hex8(pfn << PAGE_SHIFT)}  ${String(rc).padStart(4)}  ${flags.padEnd(10)}  ${u.owners.join('; ')}`);
  }
  if (pfns.length > max) out.push(`  ... ${pfns.length - max} more`);
  return out.join('\n');
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
