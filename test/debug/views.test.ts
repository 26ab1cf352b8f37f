// The debugger's views of the machine below the CPU, checked for content on a static glibc guest
// (built with -g): `info tlb` before and after the guest writes a page it never touched (the
// page appears, read/write, with the frame pagewalk finds), `info frames` (that frame owned by
// that page, reference counts, the page directory at CR3), and `maps`, which must have the shape
// of Linux's /proc/PID/maps and equal what the guest itself reads from /proc/self/maps.
import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { Session } from '../../src/debug/session.js';
import { runScript } from '../../src/debug/repl.js';
import { launch } from '../../src/debug/kernelTarget.js';
import { buildGuest, haveStaticGcc32, ENVP, RANDOM } from './guestBuild.js';

const SOURCE = `#include <fcntl.h>
#include <unistd.h>
static char big[1 << 20];
static char buf[16384];
void poke(char *p) { *p = 1; }
void dump_maps(void) {
  int fd = open("/proc/self/maps", O_RDONLY);
  int n = read(fd, buf, sizeof buf);
  write(1, buf, n > 0 ? n : 0);
  close(fd);
}
int main(void) {
  poke(&big[0x80000]);
  dump_maps();
  return big[0x80000] - 1;
}
`;

/** A debugger session kept open across commands; each command's output is returned. */
async function openSession(prog: string) {
  let out = '';
  let guest = '';
  const image = readFileSync(prog);
  const s = new Session({
    out: (t) => { out += t; },
    image, programPath: prog, args: [],
    createTarget: () => launch({
      program: prog, args: [], envp: ENVP, image, random: RANDOM, memoryBytes: 64 << 20,
      stdout: (d) => { guest += Buffer.from(d).toString('latin1'); }, stdin: new Uint8Array(0),
    }),
  });
  return {
    async cmd(line: string): Promise<string> {
      out = '';
      await runScript(s, line + '\n');
      return out;
    },
    guest: () => guest,
  };
}

const page = (v: number) => (v & ~0xfff) >>> 0;
const hex8 = (v: number) => '0x' + (v >>> 0).toString(16).padStart(8, '0');
const num = (text: string, re: RegExp) => {
  const m = re.exec(text);
  if (!m) throw new Error(`${re} not found in:\n${text}`);
  return parseInt(m[1], 16);
};

function tlbEntries(text: string): Map<number, { frame: number; access: string }> {
  const head = /^TLB: (\d+) entries cached; hits (\d+), misses (\d+)/m.exec(text);
  expect(head, text).not.toBeNull();
  const m = new Map<number, { frame: number; access: string }>();
  for (const e of text.matchAll(/^ {2}0x([0-9a-f]{8}) {5}0x([0-9a-f]{8}) {6}(read\/write|read)$/gm)) {
    m.set(parseInt(e[1], 16), { frame: parseInt(e[2], 16), access: e[3] });
  }
  expect(m.size).toBe(Number(head![1]));
  return m;
}

/** One line of /proc/PID/maps as Linux prints it (fs/proc/task_mmu.c show_map_vma). */
const MAPS_LINE = /^([0-9a-f]{8})-([0-9a-f]{8}) [r-][w-][x-][ps] [0-9a-f]{8} [0-9a-f]{2}:[0-9a-f]{2} \d+( +(\/.*|\[heap\]|\[stack\]|\[vdso\]|\[vvar\]|\[vvar_vclock\]))? ?$/;

describe.skipIf(!haveStaticGcc32())('debugger views: info tlb, info frames, maps', () => {
  let prog = '';
  beforeAll(() => { prog = buildGuest('views', SOURCE); });

  it('info tlb gains the page the guest just wrote; info frames names its frame; maps equals /proc/self/maps', async () => {
    const d = await openSession(prog);
    await d.cmd('break poke');
    await d.cmd('run');
    // At poke's first instruction its argument p is at [esp+4]: &big[0x80000].
    const target = num(await d.cmd('p/x *(int*)($esp+4)'), /= 0x([0-9a-f]+)$/m);
    expect(target).toBe(num(await d.cmd('p/x &big'), /= 0x([0-9a-f]+)$/m) + 0x80000);
    const before = tlbEntries(await d.cmd('info tlb'));
    expect(before.has(page(target))).toBe(false);

    await d.cmd('finish');
    const after = tlbEntries(await d.cmd('info tlb'));
    const walk = await d.cmd(`pagewalk ${hex8(target)}`);
    const cr3 = num(walk, /^CR3 {2}0x([0-9a-f]{8})/m);
    const phys = num(walk, /^physical 0x([0-9a-f]{8})/m);
    expect(after.get(page(target))).toEqual({ frame: page(phys), access: 'read/write' });
    const esp = num(await d.cmd('p $esp'), /= \(void \*\) 0x([0-9a-f]+)/);
    expect(after.get(page(esp))?.access).toBe('read/write');

    const frames = await d.cmd('info frames');
    const head = /^physical frames: (\d+) in use of (\d+), (\d+) reachable from page tables$/m.exec(frames);
    expect(head, frames).not.toBeNull();
    const rows = [...frames.matchAll(/^ {2}0x([0-9a-f]{8}) +(\d+) {2}(\S+) +(.*)$/gm)];
    expect(rows.length).toBe(Number(head![3]));
    const row = (frame: number) => rows.find((r) => parseInt(r[1], 16) === frame);
    expect(row(page(phys))?.slice(2)).toEqual(['1', '-', `pid 1000 0x${page(target).toString(16)}`]);
    expect(row(page(cr3))?.[4]).toBe('pid 1000 page directory');
    // Every frame appears once, in order.
    const pfns = rows.map((r) => parseInt(r[1], 16));
    expect(pfns).toEqual([...pfns].sort((a, b) => a - b));
    expect(new Set(pfns).size).toBe(pfns.length);

    await d.cmd('break dump_maps');
    await d.cmd('continue');
    const maps = (await d.cmd('maps')).trimEnd().split('\n');
    expect(maps[0]).toBe('process 1000');
    const lines = maps.slice(1);
    expect(lines.length).toBeGreaterThan(4);
    for (const l of lines) {
      expect(l).toMatch(MAPS_LINE);
      // As show_map_vma: a name is padded to column 72 (25 + 6 * sizeof(void *) - 1, a 64-bit
      // kernel's in the default layout) and follows one more space; a line without one ends in
      // the space after the inode.
      const prefix = /^\S+ \S+ \S+ \S+ \d+ /.exec(l)![0];
      const name = MAPS_LINE.exec(l)![4];
      expect(l.slice(Math.max(prefix.length, 72))).toBe(name ? ` ${name}` : '');
    }
    const areaOf = (a: number) => lines.find((l) => {
      const m = MAPS_LINE.exec(l)!;
      return parseInt(m[1], 16) <= a && a < parseInt(m[2], 16);
    });
    expect(areaOf(esp)).toMatch(/ rw-p .* \[stack\]$/);
    expect(areaOf(target)).toMatch(/ rw-p /);
    expect(areaOf(num(await d.cmd('p/x $eip'), /= 0x([0-9a-f]+)/))).toMatch(/ r-xp .*\/views$/);
    const starts = lines.map((l) => parseInt(MAPS_LINE.exec(l)![1], 16));
    expect(starts).toEqual([...starts].sort((a, b) => a - b));

    await d.cmd('continue');
    // The guest read /proc/self/maps right after the breakpoint, without changing its mappings.
    expect(d.guest()).toBe(lines.join('\n') + '\n');
  }, 60_000);
});
