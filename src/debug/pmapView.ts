// `pmap -x` of a process (run --pmap-at-exit, the debugger's pmap): per area its address,
// size, resident and dirty kilobytes (from smap_gather_stats, so the totals are those of
// /proc/PID/smaps), mode and mapping, then the total line.
import { newMemSizeStats, smapGatherStats } from '../../kernel/fs/procTaskMmu.js';
import { vmaDisplayName } from '../../kernel/fs/procfs.js';
import type { Mm } from '../../kernel/mm/mmStruct.js';
import { vmaPermString } from '../../kernel/mm/vma.js';

/** pmap's mapping column: the file's base name, [ stack ], [ heap ], [ anon ] for the rest. */
function mappingName(name: string | null): string {
  if (name === null || name === '') return '[ anon ]';
  if (name.startsWith('[')) return `[ ${name.slice(1, -1)} ]`;
  return name.slice(name.lastIndexOf('/') + 1);
}

/** The lines for the address space mm of process pid (the header names it as pmap does: PID: COMMAND). */
export function formatPmapX(mm: Mm, pid: number, command: string): string {
  const out = [`${pid}:   ${command}`, 'Address   Kbytes     RSS   Dirty Mode  Mapping'];
  let kb = 0;
  let rss = 0;
  let dirty = 0;
  for (const v of mm.vmas) {
    const mss = newMemSizeStats();
    smapGatherStats(mm, v, mss);
    const size = (v.end - v.start) / 1024;
    const r = mss.resident / 1024;
    const d = (mss.sharedDirty + mss.privateDirty) / 1024;
    kb += size;
    rss += r;
    dirty += d;
    const p = vmaPermString(v.flags);
    const mode = p.slice(0, 3) + (p[3] === 's' ? 's' : '-') + '-';
    const pad = (n: number) => String(n).padStart(7);
    out.push(`${v.start.toString(16).padStart(8, '0')} ${pad(size)} ${pad(r)} ${pad(d)} ${mode} ${mappingName(vmaDisplayName(mm, v))}`);
  }
  out.push('-------- ------- ------- -------');
  out.push(`total kB ${String(kb).padStart(7)} ${String(rss).padStart(7)} ${String(dirty).padStart(7)}`);
  return out.join('\n') + '\n';
}
