// guest-programs/src/modern_isa.c (built with -msse4.2 -maes -mpclmul -mbmi -mbmi2 -madx
// -mlzcnt -mmovbe) under the default CPU model: its output must be the real CPU's, taken from
// the same source built for x86-64 and run natively (modern_isa-64; skipped where the host
// lacks the extensions), and qemu-i386 -cpu max's. Under --cpu core2 the same binary dies with
// SIGILL at its first post-Core-2 instruction, as on a Core 2; a program built for any i386
// (glibc's ifunc picks by CPUID) runs the same under both models.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeRun, firstDifference, runCommand } from '../helpers/execReference.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const EMU = 'dist/i386emu.mjs';
const PROG = 'guest-programs/build/modern_isa';
const NATIVE64 = 'guest-programs/build/modern_isa-64';
const TIMEOUT_MS = 60_000;
const ENV = { PATH: '/usr/local/bin:/usr/bin:/bin', LC_ALL: 'C' };

const emu = (opts: string[], prog = PROG) => runCommand(process.execPath, [EMU, 'run', ...opts, '--', prog], ENV, '', TIMEOUT_MS);

const native64 = existsSync(`${ROOT}/${NATIVE64}`) ? spawnSync(`${ROOT}/${NATIVE64}`, { encoding: 'utf8', env: ENV }) : null;
const nativeOk = native64 !== null && native64.status === 0;
const haveQemu = spawnSync('qemu-i386', ['-version'], { encoding: 'utf8' }).status === 0;

describe('post-Core-2 instruction sets (modern_isa)', () => {
  it('is built', () => {
    expect(existsSync(`${ROOT}/${PROG}`), 'run "bash guest-programs/build.sh"').toBe(true);
    expect(existsSync(`${ROOT}/${EMU}`), 'run "node scripts/build.mjs"').toBe(true);
  });

  it.skipIf(!nativeOk)('prints what the real CPU prints (the x86-64 build, run natively)', async () => {
    const got = await emu([]);
    expect(got.stdout, `${describeRun(got, TIMEOUT_MS)}\n${firstDifference(native64!.stdout, got.stdout, 'native x86-64')}\n${got.stderr.slice(-1500)}`)
      .toBe(native64!.stdout);
    expect(got.status).toBe(0);
    // Known answers, so that the comparison cannot pass on an empty or truncated run.
    expect(got.stdout).toContain('aes128 decrypt deadbeef 00000000 80000000 ffffffff\n');
    expect(got.stdout).toContain('pcmpistri needle at 18, first vowel at 8\n');
    expect(got.stdout).toContain('roundps mode 0: 2 -4 1 -1\n');
  }, TIMEOUT_MS + 10_000);

  it.skipIf(!haveQemu)('prints what qemu-i386 -cpu max prints', async () => {
    const want = await runCommand('qemu-i386', ['-cpu', 'max', PROG], ENV, '', TIMEOUT_MS);
    expect(want.status, describeRun(want, TIMEOUT_MS)).toBe(0);
    const got = await emu(['--cpu', 'broadwell']);
    expect(got.stdout, firstDifference(want.stdout, got.stdout, 'qemu-i386')).toBe(want.stdout);
  }, 2 * TIMEOUT_MS + 10_000);

  it('dies with SIGILL under --cpu core2', async () => {
    const got = await emu(['--cpu', 'core2']);
    expect(got.status, describeRun(got, TIMEOUT_MS)).toBe(128 + 4);
    expect(got.stderr).toContain('SIGILL');
  }, TIMEOUT_MS + 10_000);

  it('a program for any i386 (glibc string functions through ifuncs) runs the same under both models', async () => {
    const a = await emu(['--cpu', 'core2'], 'guest-programs/build/strings');
    const b = await emu(['--cpu', 'broadwell'], 'guest-programs/build/strings');
    expect(a.status, describeRun(a, TIMEOUT_MS)).toBe(0);
    expect(b.status, describeRun(b, TIMEOUT_MS)).toBe(0);
    expect(a.stdout.length).toBeGreaterThan(100);
    expect(b.stdout).toBe(a.stdout);
  }, 2 * TIMEOUT_MS + 10_000);
});
