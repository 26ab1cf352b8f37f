// `i386emu compare`: the static layout-reference binary run as the reference test runs it
// (argv[0] ./static, environment PATH=/usr/bin:/bin, its folder as cwd, at /layout-ref/bin in a
// --root tree) against the saved Linux run: every row `same`; a reference with one maps line
// edited: that row DIFF and exit 1; without --against on a host that cannot run i386 code: one
// line saying so.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/tempDir.js';
import { makeLayoutTrees } from '../helpers/layoutReference.js';
import { nativeI386Unavailable } from '../helpers/nativeI386.js';
import { ROOT } from './cliProcess.js';

const REF = join(ROOT, 'test/fixtures/layout-reference');
const setUp = () => makeLayoutTrees(REF, ['static', 'dynamic']);

function compare(root: string | null, bin: string, extra: string[], prog = './static') {
  const rootArgs = root === null ? [] : ['--root', root];
  return spawnSync(process.execPath, [join(ROOT, 'dist/i386emu.mjs'), 'compare', ...rootArgs, ...extra, prog], {
    cwd: bin, env: { PATH: '/usr/bin:/bin' }, encoding: 'utf8', timeout: 120_000, killSignal: 'SIGKILL',
  });
}

describe('i386emu compare', () => {
  const { root, bin, sysroot } = setUp();

  it('against the saved Linux run of the static binary: every mapping and stdout line the same, exit 0', () => {
    const r = compare(root, bin, ['--against', join(REF, 'expected/static.compat.txt')]);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ {5}i386emu +\| static\.compat\.txt$/);
    expect(lines[1]).toBe('same 08048000-08049000 r--p 00000000 BINDIR/static | 08048000-08049000 r--p 00000000 BINDIR/static');
    expect(lines).toContain('same fffdd000-ffffe000 rw-p 00000000 [stack]       | fffdd000-ffffe000 rw-p 00000000 [stack]');
    expect(lines.filter((l) => l.startsWith('same '))).toHaveLength(12);
    expect(lines.at(-1)).toBe('12 of 12 mappings identical, stdout identical');
    expect(r.status).toBe(0);
  }, 180_000);

  it.skipIf(sysroot === null)('the dynamic binary under --layout=3gb with the reference\'s ld.so and libc: library paths compared too, all the same', () => {
    const r = compare(root, bin, ['--sysroot', sysroot!, '--layout=3gb', '--against', join(REF, 'expected/dynamic.3gb.txt')], './dynamic');
    expect(r.stderr).toBe('');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.some((l) => /^same [0-9a-f-]+ r-xp [0-9a-f]{8} \/usr\/lib32\/libc\.so\.6 +\| /.test(l))).toBe(true);
    expect(lines.filter((l) => l.startsWith('DIFF '))).toEqual([]);
    expect(lines.at(-1)).toMatch(/^(\d+) of \1 mappings identical, stdout identical$/);
    expect(r.status).toBe(0);
  }, 180_000);

  it('a reference with the [heap] line and one printed address edited: that row and line DIFF, exit 1', () => {
    const text = readFileSync(join(REF, 'expected/static.compat.txt'), 'utf8')
      .replace('080f4000-08126000 rw-p', '080f4000-08127000 rw-p')
      .replace('brk 0x08116000', 'brk 0x08117000');
    const wrong = join(makeTempDir('i386emu-compare-ref-'), 'wrong.txt');
    writeFileSync(wrong, text);
    const r = compare(root, bin, ['--against', wrong]);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toContain('DIFF 080f4000-08126000 rw-p 00000000 [heap]        | 080f4000-08127000 rw-p 00000000 [heap]');
    expect(lines.filter((l) => l.startsWith('DIFF '))).toHaveLength(1);
    expect(lines).toContain('stdout lines that differ:');
    expect(lines).toContain('  line 4:   i386emu: brk 0x08116000');
    expect(lines).toContain('          wrong.txt: brk 0x08117000');
    expect(lines.at(-1)).toBe('11 of 12 mappings identical, stdout differs in 1 line');
    expect(r.status).toBe(1);
  }, 180_000);

  it.skipIf(nativeI386Unavailable() === null)('without --against on a host that cannot run i386 code: one line, exit 1', () => {
    const r = compare(null, bin, []);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('i386emu: compare: this host cannot run i386 code natively (it refuses a 32-bit ELF: '
      + 'no IA32 emulation, or a PVM guest); give --against FILE with a saved reference\n');
    expect(r.status).toBe(1);
  });

  it('without --against, --root is refused in one line (the native run cannot use the tree), exit 2', () => {
    const r = compare(root, bin, []);
    expect(r.stderr).toBe('i386emu: compare: the native run uses the host\'s own files: --root, --sysroot and --bind need --against FILE\n');
    expect(r.status).toBe(2);
  });

  it('an unreadable --against file is one line, exit 2', () => {
    const r = compare(root, bin, ['--against', '/nonexistent/ref.txt']);
    expect(r.stderr).toBe('i386emu: compare: cannot read /nonexistent/ref.txt: ENOENT\n');
    expect(r.status).toBe(2);
  });
});
