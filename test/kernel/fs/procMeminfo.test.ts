// /proc/meminfo (kernel/fs/procMeminfo.ts) in Linux's format from the emulated RAM, the page
// cache and the swap area: SwapTotal/SwapFree follow what reclaim swapped out, SwapCached the
// swap cache, MemFree the frame allocator.
import { describe, expect, it } from 'vitest';
import { meminfoText } from '../../../kernel/fs/procMeminfo.js';
import { doMmap, MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE } from '../../../kernel/mm/mmap.js';
import { PageCache } from '../../../kernel/mm/pageCache.js';
import { swapOn } from '../../../kernel/mm/swap.js';
import { copyToUser } from '../../../kernel/mm/uaccess.js';
import { Reclaimer } from '../../../kernel/mm/vmscan.js';
import { makeMm } from '../helpers.js';

function fields(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of text.trimEnd().split('\n')) {
    // Linux's layout: "Name:" padded to 16 columns, the kB value right-aligned in 8.
    expect(line).toMatch(/^[A-Za-z_()]+: *\d+ kB$/);
    expect(line.length).toBe(27);
    const [, k, v] = /^(.+?): *(\d+) kB$/.exec(line)!;
    m.set(k, Number(v));
  }
  return m;
}

describe('/proc/meminfo', () => {
  it('shows RAM, swap and the swap cache as reclaim moves pages', () => {
    const mm = makeMm(16 << 20);
    const swap = swapOn(mm.mem, mm.mmu, 64 << 20)!;
    const reclaim = new Reclaimer({ mem: mm.mem, pageCache: new PageCache(mm.mem, mm.mmu), swap, mms: () => [mm] });
    const a = doMmap(mm, 0, 64 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
    for (let i = 0; i < 64; i++) copyToUser(mm, a + i * 4096, Uint8Array.of(i));
    const before = fields(meminfoText(mm.mem));
    expect([...before.keys()].slice(0, 6)).toEqual(['MemTotal', 'MemFree', 'MemAvailable', 'Buffers', 'Cached', 'SwapCached']);
    expect(before.get('MemTotal')).toBe(16380);
    expect(before.get('SwapTotal')).toBe(65532);
    expect(before.get('SwapFree')).toBe(65532);
    expect(before.get('CommitLimit')).toBe(Math.floor(4095 / 2) * 4 + 65532);
    expect(reclaim.shrink(32)).toBe(32);
    const after = fields(meminfoText(mm.mem));
    expect(after.get('SwapFree')).toBe(65532 - 32 * 4);
    expect(after.get('MemFree')).toBe(before.get('MemFree')! + 32 * 4);
    expect(after.get('AnonPages')).toBe(before.get('AnonPages')! - 32 * 4);
    expect(after.get('SwapCached')).toBe(0);
  });
});
