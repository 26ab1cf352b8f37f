// start, kill and running again: `start` is a temporary breakpoint on main and run, as gdb
// prints it; after `kill` (or the program's exit) the commands that need a process answer
// what gdb answers without one (compared with gdb on the file alone, which has no process
// either), and `run`/`start` load the program afresh.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { replSession } from './guestBuild.js';

const PROG = join(__dirname, '../../guest-programs/build/dwarf_demo-g');
const haveGdb = spawnSync('gdb', ['--version']).status === 0;
const NO_PROCESS = ['bt', 'info locals', 'info args', 'info registers', 'info frame', 'up', 'frame 1', 'finish', 'next', 'step', 'continue', 'kill'];

describe.skipIf(!existsSync(PROG))('start, kill and rerun', () => {
  it('start stops at main with a temporary breakpoint; kill ends the process; run and start begin afresh', async () => {
    const { out, guest } = await replSession(PROG, 'start\nnext\nkill\nstart\np local\nrun\nkill\nrun\n');
    const lines = out.split('\n').filter((l) => !l.startsWith('=>'));
    expect(lines).toEqual([
      expect.stringMatching(/^Temporary breakpoint 1 at 0x[0-9a-f]+: file .*dwarf_demo\.c, line 66\.$/),
      `Starting program: ${PROG}`,
      '',
      expect.stringMatching(/^Temporary breakpoint 1, main \(argc=1, argv=0x[0-9a-f]+\) at .*dwarf_demo\.c:66$/),
      '66\t  int local = argc + 41;',
      "67\t  char letter = 'A';",
      '[Inferior 1 (process 1000) killed]',
      expect.stringMatching(/^Temporary breakpoint 2 at 0x[0-9a-f]+: file .*dwarf_demo\.c, line 66\.$/),
      `Starting program: ${PROG}`,
      '',
      expect.stringMatching(/^Temporary breakpoint 2, main \(argc=1, argv=0x[0-9a-f]+\) at .*dwarf_demo\.c:66$/),
      '66\t  int local = argc + 41;',
      expect.stringMatching(/^\$1 = -?\d+$/),
      `Starting program: ${PROG}`,
      '[Inferior 1 (process 1000) exited normally]',
      'The program is not being run.',
      `Starting program: ${PROG}`,
      '[Inferior 1 (process 1000) exited normally]',
      '',
    ]);
    expect(guest.match(/^ok /gm)).toHaveLength(2);
  });

  it.skipIf(!haveGdb)('without a process (killed) the commands answer as gdb does with none', async () => {
    const gdb = spawnSync('gdb', ['-batch', '-nx', ...NO_PROCESS.flatMap((c) => ['-ex', c]), PROG], { encoding: 'utf8' });
    const want = (gdb.stdout + gdb.stderr).split('\n').filter(Boolean);
    expect(want).toContain('No stack.');
    const { out } = await replSession(PROG, ['start', 'kill', ...NO_PROCESS].join('\n') + '\n');
    const ours = out.slice(out.indexOf('killed]') + 8).split('\n').filter(Boolean);
    expect(ours).toEqual(want);
  });
});
