// A new user's first session on a small C program at -O0 (guest-programs/src/dwarf_tour.c:
// structs, arrays, pointers, a recursive function, a loop over argv), with the commands the
// source-level debugger issue lists: printing, types, frames, finish, list, info line and
// reverse stepping compared line for line with real gdb driving the gdb stub; running with
// arguments and redirections, set args/show args, set environment, start, kill and rerun,
// info source, layout and maps checked through the real command line (gdb cannot `run`
// through a remote stub, so those are Linux's and gdb's documented outcomes as literals).
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { replSession } from './guestBuild.js';
import { gdbBatch } from './gdbBatch.js';
import { ROOT, runCli } from '../cli/cliProcess.js';
import { makeTempDir, removeTempDir } from '../helpers/tempDir.js';

const PROG = join(ROOT, 'guest-programs/build/dwarf_tour-g');
const haveGdb = spawnSync('gdb', ['--version']).status === 0;

/** gdb is attached to the started program and continues where the REPL runs; it records through the stub. */
async function both(cmds: string[]): Promise<{ gdb: string[]; ours: string[] }> {
  const gdb = await gdbBatch(PROG, cmds);
  const first = cmds.indexOf('continue');
  const ours = (await replSession(PROG, cmds.map((c, i) => (i === first ? 'run' : c === 'monitor record' ? 'record' : c)).join('\n') + '\n')).out;
  // What only one side prints: gdb's attach stop and kill, the REPL's run banner, its
  // instruction under the pc, and the two ways of saying recording started.
  const keep = (t: string) => t.split('\n').filter((l) => l !== '' && !/^(0x[0-9a-f]+ in _start \(\)|Starting program|=> |\[Inferior 1 \(process \d+\) killed\]|Recording)/.test(l));
  return { gdb: keep(gdb), ours: keep(ours) };
}

describe.skipIf(!haveGdb || !existsSync(PROG))('a new user at -O0, compared with gdb', () => {
  it('p, info locals/args, display, ptype, whatis, p arr[3], p *ptr, p s.field, p/x, casts, bt, frame N, up, down, info frame, finish, list, info line', async () => {
    const { gdb, ours } = await both([
      'break dwarf_tour.c:49', 'continue', 'info locals', 'p first', 'p second.where', 'p p->name', 'p *p', 'p *p->next',
      'p p->next->scores[3]', 'p lengths', 'p lengths[3]', 'p/x second.scores', 'p (char)second.scores[4]', 'p (long)p == (long)&second',
      'p argv[0][0]', 'whatis p', 'ptype p', 'whatis first.where', 'ptype struct record', 'whatis lengths[3]',
      'display f', 'display/x t', 'info display', 'break fib if n == 1', 'continue', 'bt', 'info args', 'frame 2', 'info frame',
      'up', 'down', 'frame 0', 'delete 2', 'finish', 'finish', 'undisplay 1', 'list', 'list fib', 'list 40,42', 'info line',
      'info line fib', 'break total_score', 'continue', 'info args', 'p *r', 'p r->scores', 'p r->where.x + r->where.y',
      'finish', 'next', 'next', 'p t',
    ]);
    expect(gdb.length).toBeGreaterThan(100);
    expect(gdb.join('\n')).toMatch(/^Value returned is \$\d+ = 1$/m);
    expect(gdb.join('\n')).toMatch(/^\$\d+ = \{0, 0, 0, 0, 0, 0, 0, 0\}$/m);
    expect(gdb.join('\n')).toMatch(/^Line 40 of ".*dwarf_tour\.c" starts at address/m);
    expect(ours).toEqual(gdb);
  }, 120_000);

  it('reverse-step, reverse-next and reverse-finish through the recursion, as gdb', async () => {
    // reverse-step from a function's first line goes back to the line that called it.
    const { gdb, ours } = await both(['break fib if n == 2', 'continue', 'monitor record', 'next', 'next', 'step', 'next',
      'reverse-next', 'reverse-step', 'reverse-step', 'bt', 'reverse-finish', 'bt']);
    expect(gdb.join('\n')).toMatch(/^23\t.*\n28\t  int b = fib\(n - 2\);\nfib \(n=1\) at .*:30\n30\t\}$/m);
    expect(ours).toEqual(gdb);
  }, 120_000);
});

describe.skipIf(!existsSync(PROG))('a new user at -O0: running the program', () => {
  it('run ARGS < FILE > FILE, show args, kill, set args, set environment, start, rerun, info source, maps, layout', () => {
    const dir = makeTempDir('i386emu-tour-');
    try {
      const input = join(dir, 'in.txt');
      const output = join(dir, 'out.txt');
      writeFileSync(input, 'from the file\n');
      const r = runCli(['debug', PROG], [
        'break total_score', `run alpha bb < ${input} > ${output}`, 'up', 'p argc', 'p lengths', 'p line', 'p argv[1]', 'show args', 'kill',
        'set args one two three', 'show args', 'set environment TOUR_NAME=ada', 'start', 'info args', 'continue', 'continue', 'continue',
        'info source', `run x < ${input} > ${output}`, 'maps', 'layout', 'delete', 'continue',
      ].join('\n') + '\n');
      expect(r.status).toBe(0);
      const out = r.stdout;
      expect(out).toContain(`Starting program: ${PROG} alpha bb < ${input} > ${output}\n`);
      expect(out).toMatch(/^#1  0x[0-9a-f]{8} in main \(argc=3, argv=0x[0-9a-f]+\) at .*dwarf_tour\.c:50$/m);
      expect(out).toContain('$1 = 3\n$2 = {0, 5, 2, 0, 0, 0, 0, 0}\n$3 = "from the file\\n", \'\\000\' <repeats 49 times>\n');
      expect(out).toMatch(/^\$4 = 0x[0-9a-f]+ "alpha"$/m);
      expect(out).toContain(`Argument list to give program being debugged when it is started is "alpha bb < ${input} > ${output}".\n`);
      expect(out).toContain('[Inferior 1 (process 1000) killed]\n');
      expect(out).toContain('Argument list to give program being debugged when it is started is "one two three".\n');
      expect(out).toMatch(/^Temporary breakpoint 2, main \(argc=4, argv=0x[0-9a-f]+\) at .*dwarf_tour\.c:40$/m);
      expect(out).toMatch(/^argc = 4\nargv = 0x[0-9a-f]+$/m);
      // The rerun's stdin is the terminal's (here the debugger's piped script, at its end).
      expect(out).toContain('fib 8 total 165 args 4 first 3 line none\nwho ada depth 13\n[Inferior 1 (process 1000) exited normally]\n');
      expect(out).toMatch(/^Current source file is .*dwarf_tour\.c\n/m);
      expect(out).toContain('Source language is c.\n');
      // maps and layout of the running program: its text mapped from the file, its stack.
      expect(out).toMatch(/^08049000-[0-9a-f]{8} r-xp 00001000 .*dwarf_tour-g$/m);
      expect(out).toMatch(/^fffdd000-ffffe000 rw-p 00000000 00:00 0 +\[stack\]$/m);
      expect(out).toMatch(/\| dwarf_tour-g +r-xp +text +\d+ KiB \|/);
      // The second run's output went to the file.
      expect(readFileSync(output, 'utf8')).toBe('fib 8 total 165 args 2 first 1 line from the file\nwho ada depth 13\n');
    } finally {
      removeTempDir(dir);
    }
  }, 120_000);
});
