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
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ldSoCache } from '../helpers/ldSoCache.js';
import { makeTempDir } from '../helpers/tempDir.js';
import { ROOT, runCli } from './cliProcess.js';

const FLAVOURS = ['static', 'static-pie', 'dynamic', 'dynamic-pie'] as const;
const PERSONALITIES: ReadonlyArray<[string, string[]]> = [
  ['compat', []],
  ['3gb', ['--layout=3gb']],
  ['compat-unlimited-stack', ['--rlimit-stack', 'unlimited']],
];
/** The reference machine's ld.so.cache left a ten-page hole (38015 bytes on the machine that made it). */
const LD_SO_CACHE_SIZE = 38015;

function findReference(): string | null {
  const candidates = [process.env.I386EMU_LAYOUT_REFERENCE, join(ROOT, 'test/fixtures/layout-reference'), resolve(ROOT, '../shared/layout-reference')];
  for (const c of candidates) if (c && existsSync(join(c, 'HOST.txt'))) return c;
  return null;
}

const REF = findReference();

/** The files HOST.txt lists, with the checksums it gives, all present and unchanged. */
function checksumsMatch(ref: string): boolean {
  const lines = readFileSync(join(ref, 'HOST.txt'), 'utf8').split('\n').filter((l) => /^[0-9a-f]{64}  /.test(l));
  return lines.length > 0 && lines.every((l) => {
    const [sum, file] = l.split(/\s+/);
    const p = join(ref, file);
    return existsSync(p) && createHash('sha256').update(readFileSync(p)).digest('hex') === sum;
  });
}

/** A --root tree with the binaries at /layout-ref/bin, and a --sysroot with ld.so, libc and the cache. */
function makeTrees(ref: string): { root: string; sysroot: string; bin: string } {
  const root = makeTempDir('i386emu-layout-root-');
  const bin = join(root, 'layout-ref/bin');
  mkdirSync(bin, { recursive: true });
  for (const f of FLAVOURS) copyFileSync(join(ref, 'bin', f), join(bin, f));
  const sysroot = makeTempDir('i386emu-layout-sysroot-');
  mkdirSync(join(sysroot, 'usr/lib32'), { recursive: true });
  mkdirSync(join(sysroot, 'lib'));
  mkdirSync(join(sysroot, 'etc'));
  for (const f of ['ld-linux.so.2', 'libc.so.6']) copyFileSync(join(ref, 'sysroot/usr/lib32', f), join(sysroot, 'usr/lib32', f));
  // The reference stores this link flattened to a text file holding its target.
  symlinkSync('../usr/lib32/ld-linux.so.2', join(sysroot, 'lib/ld-linux.so.2'));
  writeFileSync(join(sysroot, 'etc/ld.so.cache'), ldSoCache([['libc.so.6', '/usr/lib32/libc.so.6']], LD_SO_CACHE_SIZE));
  return { root, sysroot, bin };
}

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

  const trees = REF === null ? null : makeTrees(ref);
  for (const flavour of FLAVOURS) {
    for (const [personality, options] of PERSONALITIES) {
      it(`${flavour} under ${personality}: every address and maps line as on Linux`, () => {
        const { root, sysroot, bin } = trees!;
        const r = spawnSync(process.execPath,
          [join(ROOT, 'dist/i386emu.mjs'), 'run', '--root', root, '--sysroot', sysroot, ...options, `./${flavour}`], {
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
  });
});
