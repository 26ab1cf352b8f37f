// The shared layout reference (../shared/layout-reference, see its README): the seeds' layout
// experiment built static, static-pie, dynamic and dynamic-pie, and what a real Linux 6.18
// x86-64 kernel printed for each with randomization off in three personalities. Each runs here
// as it ran there — argv[0] `./NAME`, the environment exactly PATH=/usr/bin:/bin, the binary's
// folder as the working directory — and every printed address and every /proc/self/maps line
// must be identical (the device, inode and path columns aside, as the README says).
//
// Two things outside the kernel also move addresses, so the run recreates them: static glibc
// mallocs the directory of /proc/self/exe (its length changes the chunk size: the binaries sit
// at /layout-ref/bin inside a --root tree, a name as long as the reference machine's gives the
// same chunk), and ld.so maps /etc/ld.so.cache while it loads libc (its size is the hole the
// reference shows between libc's BSS and the next mapping: ten pages; a generated cache of that
// size comes from --sysroot with the reference's exact ld.so and libc).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checksumsMatch, findReference, GLIBC_MISSING, makeLayoutTrees } from '../helpers/layoutReference.js';
import { ROOT, runCli } from './cliProcess.js';

const FLAVOURS = ['static', 'static-pie', 'dynamic', 'dynamic-pie'] as const;
const PERSONALITIES: ReadonlyArray<[string, string[]]> = [
  ['compat', []],
  ['3gb', ['--layout=3gb']],
  ['compat-unlimited-stack', ['--rlimit-stack', 'unlimited']],
];
const REF = findReference();

/**
 * Printed lines as they are; maps lines without the device, inode and path columns, but with
 * the column the name starts at (a 64-bit kernel pads to 73 whatever the personality).
 */
function normalise(text: string): string[] {
  return text.trimEnd().split('\n').map((l) => {
    const m = /^([0-9a-f]+-[0-9a-f]+ [-rwxps]{4} [0-9a-f]{8}) [0-9a-f]+:[0-9a-f]+ \d+ *(.*)$/.exec(l);
    if (m === null) return l;
    if (m[2] === '') return m[1];
    return `${m[1]} at column ${l.length - m[2].length} ${m[2].startsWith('[') ? m[2] : '(file)'}`;
  });
}

describe.skipIf(REF === null)('the shared layout reference (Linux 6.18, randomization off)', () => {
  const ref = REF as string;
  it('has the files HOST.txt lists, unchanged', () => {
    expect(checksumsMatch(ref)).toBe(true);
  });

  const trees = REF === null ? null : makeLayoutTrees(ref, FLAVOURS);
  if (trees !== null && trees.sysroot === null) console.warn(`layoutReference.test: ${GLIBC_MISSING}`);
  for (const flavour of FLAVOURS) {
    for (const [personality, options] of PERSONALITIES) {
      const dynamic = flavour.startsWith('dynamic');
      it.skipIf(dynamic && trees?.sysroot === null)(`${flavour} under ${personality}: every address and maps line as on Linux`, () => {
        const { root, sysroot, bin } = trees!;
        const sys = dynamic ? ['--sysroot', sysroot!] : [];
        const r = spawnSync(process.execPath,
          [join(ROOT, 'dist/i386emu.mjs'), 'run', '--root', root, ...sys, ...options, `./${flavour}`], {
            cwd: bin, env: { PATH: '/usr/bin:/bin' }, encoding: 'utf8', timeout: 120_000, killSignal: 'SIGKILL',
          });
        expect(r.stderr).toBe('');
        expect(r.status).toBe(0);
        const expected = normalise(readFileSync(join(ref, 'expected', `${flavour}.${personality}.txt`), 'utf8'));
        expect(normalise(r.stdout)).toEqual(expected);
      }, 180_000);
    }
  }
});

describe('--layout at the command line', () => {
  const MAPS = 'guest-programs/build/maps_self-dyn';
  it('compat by default; 3gb as --layout=3gb or --layout 3gb; anything else is a usage error', () => {
    const stackOf = (out: string) => out.split('\n').find((l) => l.endsWith('[stack]'))?.slice(0, 17);
    expect(stackOf(runCli(['run', MAPS]).stdout)).toBe('fffdd000-ffffe000');
    expect(stackOf(runCli(['run', '--layout=3gb', MAPS]).stdout)).toBe('bffdf000-c0000000');
    expect(stackOf(runCli(['run', '--layout', '3gb', MAPS]).stdout)).toBe('bffdf000-c0000000');
    const bad = runCli(['run', '--layout=4gb', MAPS]);
    expect(bad.status).toBe(2);
    expect(bad.stderr.split('\n')[0]).toBe('i386emu: --layout takes compat, 3gb or i386');
  }, 60_000);
});
