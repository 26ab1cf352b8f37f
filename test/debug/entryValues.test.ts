// Entry values at -O2 (dwarf_entry-g-O2: regparm functions that clobber their argument
// registers): frames show `x=x@entry=5` from the callers' DW_TAG_call_site parameters, `p x`
// recovers a value whose location is DW_OP_entry_value, through two callers and through a
// tail call, compared with gdb driving the gdb stub.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { replSession } from './guestBuild.js';
import { gdbBatch } from './gdbBatch.js';

const PROG = join(__dirname, '../../guest-programs/build/dwarf_entry-g-O2');
const haveGdb = spawnSync('gdb', ['--version']).status === 0;

describe.skipIf(!haveGdb || !existsSync(PROG))('entry values compared with gdb', () => {
  it('x=x@entry=V in frames, p of an argument whose register was reused, info args', async () => {
    const cmds = ['break clobber', 'continue', 'bt', 'p a', 'p b', 'info args', 'up', 'info args', 'p x', 'p y',
      'continue', 'up', 'p x', 'p y', 'up', 'p n', 'info args', 'continue', 'info args', 'p a', 'p b'];
    const gdb = await gdbBatch(PROG, cmds);
    const ours = (await replSession(PROG, cmds.map((c, i) => (i === 1 ? 'run' : c)).join('\n') + '\n')).out;
    const pick = (t: string) => t.split('\n').filter((l) => /^(#\d|Breakpoint \d|\$\d+ = |[a-z] = )/.test(l));
    const g = pick(gdb);
    expect(g.some((l) => /^#1  0x[0-9a-f]+ in twice \(x=x@entry=5, y=y@entry=7\) at /.test(l))).toBe(true);
    expect(g.some((l) => /^Breakpoint 1, clobber \(a=17, b=b@entry=2\)/.test(l))).toBe(true);
    expect(pick(ours)).toEqual(g);
  }, 120_000);

  it('a tail call is a frame of its own in bt (gdb\'s tail-call frame), finish goes out through it, step over printf', async () => {
    const cmds = ['break clobber', 'continue', 'continue', 'continue', 'bt', 'up', 'info args', 'up', 'p v', 'down', 'down', 'finish',
      'step', 'step', 'step', 'bt'];
    const gdb = await gdbBatch(PROG, cmds);
    const ours = (await replSession(PROG, cmds.map((c, i) => (i === 1 ? 'run' : c)).join('\n') + '\n')).out;
    // "Run till exit from ..." is printed only for a command typed at the terminal (gdb's from_tty).
    const pick = (t: string) => t.split('\n').filter((l) => /^(#\d|\w+ \(.*\) at |0x[0-9a-f]+ in |\d+\t|\$\d+ = |[a-z] = )/.test(l) && !/ in _start \(\)$/.test(l));
    const g = pick(gdb);
    expect(g.some((l) => /^#1  0x[0-9a-f]+ in changes \(n=<optimized out>, n@entry=2\) at /.test(l))).toBe(true);
    expect(pick(ours)).toEqual(g);
  }, 120_000);
});
