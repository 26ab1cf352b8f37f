// The debugger's memory-manager views on guest-programs/build/mm_demo (the README's sessions):
// pagewalk before and after the first touch of an anonymous page (demand paging), a PTE that
// holds a swap entry decoded to its type and offset, a PROT_NONE page, and `info frames at
// ADDR` / `info frames PHYS` after a fork: one frame mapped copy-on-write by both processes,
// the program's text as one page-cache frame both map, and the frame list's flags.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PTE_P } from '../../src/mmu/paging.js';
import { swpEntry } from '../../src/mmu/swapEntry.js';
import { sysMprotect } from '../../kernel/syscalls/memory.js';
import { openKernelSession } from './guestBuild.js';

const PROG = fileURLToPath(new URL('../../guest-programs/build/mm_demo', import.meta.url));


const num = (text: string, re: RegExp): number => {
  const m = re.exec(text);
  if (!m) throw new Error(`${re} not found in:\n${text}`);
  return parseInt(m[1], 16);
};

describe.skipIf(!existsSync(PROG))('debugger: demand paging, swap entries, shared frames', () => {
  it('pagewalk: not present before the first touch, present after; a never-touched PTE and a swap entry decoded', async () => {
    const d = openKernelSession(PROG);
    await d.cmd('break touch');
    await d.cmd('run');
    const area = num(await d.cmd('p/x *(int*)($esp+4)'), /= 0x([0-9a-f]+)$/m);
    const before = await d.cmd(`pagewalk ${area}`);
    expect(before).toMatch(/not present/);
    expect(before).toMatch(/^physical none$/m);
    expect(before).toMatch(/demand paging/);
    await d.cmd('stepi 2'); // mov eax, [esp+4]; mov byte [eax], 1
    const after = await d.cmd(`pagewalk ${area}`);
    expect(after).toMatch(/^PTE\[\d+\] at 0x[0-9a-f]{8} = 0x[0-9a-f]{8}  P RW U A D$/m);
    expect(after).toMatch(/^user write: ok$/m);
    const phys = num(after, /^physical 0x([0-9a-f]{8})/m);

    // The next page has a page table now but an empty PTE: never touched.
    const next = await d.cmd(`pagewalk ${area + 4096}`);
    expect(next).toMatch(/^PTE\[\d+\] at 0x([0-9a-f]{8}) = 0x00000000  not present \(never touched/m);

    // A swap entry written where reclaim would put one: type 3, slot 0x1234.
    const pteAddr = num(next, /^PTE\[\d+\] at 0x([0-9a-f]{8})/m);
    d.target().mem.dv.setInt32(pteAddr, swpEntry(3, 0x1234), true);
    const swapped = await d.cmd(`pagewalk ${area + 4096}`);
    expect(swapped).toContain(`= 0x${(swpEntry(3, 0x1234) >>> 0).toString(16).padStart(8, '0')}  not present: swap entry type 3 offset 0x1234`);
    expect(swapped).toMatch(/swap-in/);
    // With a kernel that has swap areas, the target says what it knows of the slot.
    Object.assign(d.target(), { swapSlotInfo: (type: number, offset: number) => `slot ${offset} of area ${type}: in the swap cache` });
    expect(await d.cmd(`pagewalk ${area + 4096}`)).toContain('swap entry type 3 offset 0x1234 (slot 4660 of area 3: in the swap cache)');
    expect(swpEntry(3, 0x1234) & PTE_P).toBe(0);
    d.target().mem.dv.setInt32(pteAddr, 0, true);

    // The frame the touch filled belongs to this page of this process alone.
    const frame = await d.cmd(`info frames ${phys}`);
    expect(frame).toMatch(/refcount 1\b/);
    expect(frame).toMatch(/^page cache: no$/m);
    expect(frame).toMatch(new RegExp(`^  pid 1000 +0x${area.toString(16).padStart(8, '0')}  PTE 0x[0-9a-f]{8} P RW U A D +rw-p$`, 'm'));
  }, 60_000);

  it('a PROT_NONE page keeps its frame but is supervisor-only', async () => {
    const d = openKernelSession(PROG);
    await d.cmd('break touch');
    await d.cmd('run');
    const area = num(await d.cmd('p/x *(int*)($esp+4)'), /= 0x([0-9a-f]+)$/m);
    const t = d.target();
    await d.cmd('stepi 2'); // the page is touched, then made PROT_NONE as the guest's mprotect would
    expect(sysMprotect(t.kernel, area, 4096, 0)).toBe(0);
    const walk = await d.cmd(`pagewalk ${area}`);
    expect(walk).toMatch(/^user read: #PF: supervisor page \(U\/S clear\)$/m);
    expect(walk).toMatch(/PROT_NONE area: its pages are mapped supervisor-only/);
  }, 60_000);

  it('info frames after fork: one copy-on-write frame and one page-cache text frame mapped by both processes', async () => {
    const d = openKernelSession(PROG);
    await d.cmd('break after_fork');
    await d.cmd('run');
    const counter = await d.cmd('info frames at &shared_counter');
    expect(counter).toMatch(/refcount 2\b/);
    expect(counter).toMatch(/mapped 2 times, by several address spaces \(shared\):/);
    const rows = [...counter.matchAll(/^ {2}pid (\d+) +(0x[0-9a-f]{8})  PTE (0x[0-9a-f]{8}) ([A-Z ]+?) +rw-p (\S+)$/gm)];
    expect(rows.map((r) => r[1])).toEqual(['1000', '1001']);
    expect(rows[0][2]).toBe(rows[1][2]);
    for (const r of rows) {
      expect(r[4]).toContain('COW');
      expect(r[4]).not.toContain('RW');
      expect(r[5]).toBe(PROG);
    }
    // pagewalk in the child's address space reaches the same frame.
    const phys = num(counter, /-> physical 0x([0-9a-f]{8})/);
    expect(num(await d.cmd('pagewalk &shared_counter pid 1001'), /^physical 0x([0-9a-f]{8})/m)).toBe(phys);

    const text = await d.cmd('info frames at $eip');
    expect(text).toMatch(/refcount 3\b/);
    expect(text).toMatch(new RegExp(`^page cache: ${PROG} page \\d+ \\(the cache holds one reference\\)$`, 'm'));
    expect([...text.matchAll(/^ {2}pid (\d+) .* r-xp /gm)].map((m) => m[1])).toEqual(['1000', '1001']);

    const list = await d.cmd('info frames');
    const textFrame = num(text, /^frame 0x([0-9a-f]{8})/m);
    const row = list.split('\n').find((l) => l.startsWith(`  0x${textFrame.toString(16).padStart(8, '0')}`));
    expect(row).toMatch(/^ {2}0x[0-9a-f]{8} +3 {2}shared,cache +pid 1000 0x8049000 \S+mm_demo; pid 1001 0x8049000 \S+mm_demo$/);

    await d.cmd('break after_child');
    await d.cmd('continue');
    const alone = await d.cmd('info frames at &shared_counter');
    expect(alone).toMatch(/refcount 1\b/);
    expect(alone).toMatch(/^mapped 1 time:$/m);
  }, 60_000);

  it('rejects a frame that does not exist', async () => {
    const d = openKernelSession(PROG);
    await d.cmd('starti');
    expect(await d.cmd('info frames 0xfffff000')).toMatch(/^No frame at physical 0xfffff000/);
    expect(await d.cmd('info frames at 0x10')).toMatch(/is not mapped to a frame/);
  }, 60_000);
});
