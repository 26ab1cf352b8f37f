// The debugger's `layout` (and `pmap`) on guest-programs/build/mm_demo stopped at main: the
// address space drawn from 0xffffffff down, every area of `maps` as a box with its size, and
// the gaps between them.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Session } from '../../src/debug/session.js';
import { runScript } from '../../src/debug/repl.js';
import { launch } from '../../src/debug/kernelTarget.js';
import { ENVP, RANDOM } from './guestBuild.js';

const PROG = fileURLToPath(new URL('../../guest-programs/build/mm_demo', import.meta.url));

async function openSession() {
  let out = '';
  const image = readFileSync(PROG);
  const s = new Session({
    out: (t) => { out += t; },
    image, programPath: PROG, args: [],
    createTarget: () => launch({
      program: PROG, args: [], envp: ENVP, image, random: RANDOM, memoryBytes: 64 << 20,
      stdout: () => {}, stdin: new Uint8Array(0),
    }),
  });
  return async (line: string): Promise<string> => {
    out = '';
    await runScript(s, line + '\n');
    return out;
  };
}

describe.skipIf(!existsSync(PROG))('debugger: layout', () => {
  it('draws every area of maps between borders at its start and end, kernel space on top, gaps with sizes', async () => {
    const cmd = await openSession();
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
