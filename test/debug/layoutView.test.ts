// The debugger's `layout` (and `pmap`) on guest-programs/build/mm_demo stopped at main: the
// address space drawn from 0xffffffff down, every area of `maps` as a box with its size, and
// the gaps between them.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatSmaps } from '../../kernel/fs/procTaskMmu.js';
import { openKernelSession } from './guestBuild.js';

const PROG = fileURLToPath(new URL('../../guest-programs/build/mm_demo', import.meta.url));


describe.skipIf(!existsSync(PROG))('debugger: layout', () => {
  it('draws every area of maps between borders at its start and end, kernel space on top, gaps with sizes', async () => {
    const { cmd } = openKernelSession(PROG);
    await cmd('break main');
    await cmd('run');
    const maps = (await cmd('maps')).trimEnd().split('\n').filter((l) => /^[0-9a-f]{8}-/.test(l));
    const pic = (await cmd('layout')).trimEnd().split('\n');
    expect(pic.slice(0, 3)).toEqual([
      '0xffffffff +----------------------------------------+',
      '           | kernel space (above TASK_SIZE)   8 KiB |',
      '0xffffe000 +----------------------------------------+',
    ]);
    expect(pic.at(-1)).toBe('0x00000000 +----------------------------------------+');
    expect(pic.at(-2)).toMatch(/^ {11}: unmapped +\d+(\.\d)? MiB :$/);
    expect(pic.find((l) => l.includes('[stack]'))).toMatch(/^ {11}\| \[stack\]  rw-p +132 KiB \| <- stack$/);
    // One box per maps line, each between borders at its end and its start.
    const boxes = pic.filter((l) => l.startsWith('           |') && !l.includes('kernel space'));
    expect(boxes).toHaveLength(maps.length);
    for (const m of maps) {
      const [start, end] = m.slice(0, 17).split('-');
      const i = pic.indexOf(`0x${end} +----------------------------------------+`);
      expect(i).toBeGreaterThanOrEqual(0);
      expect(pic[i + 2]).toBe(`0x${start} +----------------------------------------+`);
    }
    expect(pic.some((l) => /\| mm_demo  r-xp  text +\d+ KiB \|/.test(l))).toBe(true);
  });
});

describe.skipIf(!existsSync(PROG))('debugger: pmap', () => {
  it('pmap -x lines for every area, with totals equal to the sums of /proc/PID/smaps', async () => {
    const { cmd, target } = openKernelSession(PROG);
    await cmd('break main');
    await cmd('run');
    const maps = (await cmd('maps')).trimEnd().split('\n').filter((l) => /^[0-9a-f]{8}-/.test(l));
    const lines = (await cmd('pmap')).trimEnd().split('\n');
    const t = target().kernel.task;
    expect(lines[0]).toBe(`${t.pid}:   ${t.mm.exePath}`);
    expect(lines[1]).toBe('Address   Kbytes     RSS   Dirty Mode  Mapping');
    const rows = lines.slice(2, -2);
    expect(rows.map((r) => r.slice(0, 8))).toEqual(maps.map((m) => m.slice(0, 8)));
    expect(rows.find((r) => r.endsWith('[ stack ]'))).toMatch(/^[0-9a-f]{8} +132 +\d+ +\d+ rw--- \[ stack \]$/);
    expect(lines.at(-2)).toBe('-------- ------- ------- -------');
    const smaps = formatSmaps(t.mm);
    const sum = (field: string) => [...smaps.matchAll(new RegExp(`^${field}: +(\\d+) kB$`, 'gm'))].reduce((n, m) => n + Number(m[1]), 0);
    const total = /^total kB +(\d+) +(\d+) +(\d+)$/.exec(lines.at(-1)!)!;
    expect(Number(total[1])).toBe(sum('Size'));
    expect(Number(total[2])).toBe(sum('Rss'));
    expect(Number(total[2])).toBeGreaterThan(0);
    expect(Number(total[3])).toBe(sum('Shared_Dirty') + sum('Private_Dirty'));
    // pid N names another process; a wrong one is an error.
    expect((await cmd(`pmap pid ${t.pid}`)).trimEnd().split('\n').at(-1)).toBe(lines.at(-1));
    expect(await cmd('pmap pid 4242')).toMatch(/No process 4242\./);
  });
});
