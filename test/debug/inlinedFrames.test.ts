// Inlined calls at -O2 (dwarf_inline-g-O2: square inlined three times, twice inside
// sum_squares, itself inlined into main), compared with gdb driving the gdb stub: `break` on an
// inlined function makes one breakpoint with a location per copy (1.1, 1.2, 1.3 in
// `info breakpoints` and in the stop line), `bt` shows each inlined call as a frame of its own
// at the same pc with the call's line in the frame that made it, and `up`/`info args`/`p`
// read the inlined frame's arguments; `step` stops at an inlined call's call site and then
// enters it without running, as gdb does, and `next` goes through it.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { replSession } from './guestBuild.js';
import { gdbBatch } from './gdbBatch.js';

const PROG = join(__dirname, '../../guest-programs/build/dwarf_inline-g-O2');
const haveGdb = spawnSync('gdb', ['--version']).status === 0;
const INPUT = new TextEncoder().encode('hello\n');

describe.skipIf(!haveGdb || !existsSync(PROG))('inlined functions as frames, compared with gdb', () => {
  it('break on an inlined function: several locations; bt, up, info args and p in inlined frames', async () => {
    const cmds = ['break square', 'break sum_squares', 'break dwarf_inline.c:16', 'info breakpoints',
      'continue', 'bt', 'continue', 'bt', 'up', 'info args', 'p a', 'p b', 'up', 'p n', 'continue', 'bt', 'continue', 'bt', 'down'];
    const gdb = await gdbBatch(PROG, cmds, INPUT);
    // The REPL starts the program with run where gdb (attached at the entry) continues.
    const ours = (await replSession(PROG, cmds.map((c, i) => (i === cmds.indexOf('continue') ? 'run' : c)).join('\n') + '\n', INPUT)).out;
    const pick = (t: string) => t.split('\n')
      .filter((l) => /^(Breakpoint \d|#\d|\d+\.\d+ |\d+\t|\$\d+ = |[ab] = )/.test(l))
      // The info breakpoints row of a one-location breakpoint is formatted differently.
      .filter((l) => !/^\d+\s+breakpoint/.test(l));
    const g = pick(gdb);
    expect(g).toContain('Breakpoint 1 at 0x8049671: square. (3 locations)');
    expect(g.some((l) => /^#1  sum_squares \(b=7, a=6\) at .*dwarf_inline\.c:16$/.test(l))).toBe(true);
    expect(pick(ours)).toEqual(g);
  }, 120_000);

  /** The same commands in gdb and the REPL; the frame, source and breakpoint lines of each. */
  async function compare(cmds: string[]): Promise<{ g: string[]; o: string[] }> {
    const gdb = await gdbBatch(PROG, cmds, INPUT);
    const ours = (await replSession(PROG, cmds.map((c, i) => (i === cmds.indexOf('continue') ? 'run' : c)).join('\n') + '\n', INPUT)).out;
    const pick = (t: string) => t.split('\n').filter((l) => /^(#\d|\d+\t|\w+ \(.*\) at |0x[0-9a-f]+ in \w+ \(|Breakpoint \d)/.test(l));
    // gdb attaches at the entry point and says where; the REPL starts the program instead.
    return { g: pick(gdb).filter((l) => !/ in _start \(\)$/.test(l)), o: pick(ours) };
  }

  it('step into inlined calls: the call site first, then each inlined function without running, out to the caller', async () => {
    const steps = Array.from({ length: 8 }, () => ['step', 'bt']).flat();
    const { g, o } = await compare(['break 29', 'continue', 'next', ...steps]);
    expect(g).toContain('sum_squares (b=7, a=6) at ' + g.find((l) => l.startsWith('sum_squares'))!.split(' at ')[1]);
    expect(g.filter((l) => /^#2  main \(\) at .*:30$/.test(l)).length).toBeGreaterThan(0);
    expect(o).toEqual(g);
  }, 120_000);

  it('next goes through inlined calls; step from a breakpoint inside one returns to the caller', async () => {
    const nexts = Array.from({ length: 6 }, () => ['next', 'bt']).flat();
    const a = await compare(['break 28', 'continue', ...nexts]);
    expect(a.o).toEqual(a.g);
    const b = await compare(['break square', 'continue', 'step', 'bt', 'step', 'bt', 'step', 'bt', 'step', 'bt', 'next', 'bt']);
    expect(b.g.length).toBeGreaterThan(15);
    expect(b.o).toEqual(b.g);
  }, 120_000);

  it('finish out of an inlined call stops at the next statement of the frame that made it (or further out), as gdb', async () => {
    // "Run till exit from ..." is printed only for a command typed at the terminal (gdb's from_tty).
    const drop = (l: string[]) => l.filter((x) => !x.startsWith('Run till exit'));
    for (const cmds of [['break square', 'continue', 'finish', 'bt', 'finish', 'bt', 'finish', 'bt'],
      ['break *0x8049671', 'continue', 'finish', 'bt', 'finish', 'bt'], ['break *0x8049691', 'continue', 'finish', 'bt']]) {
      const { g, o } = await compare(cmds);
      expect(g.length).toBeGreaterThan(4);
      expect(drop(o)).toEqual(g);
    }
  }, 120_000);
});
