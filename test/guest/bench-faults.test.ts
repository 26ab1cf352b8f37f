// The page-fault benchmark (guest-programs/src/bench_faults.c: demand-zero faults, fork,
// copy-on-write faults, strided read-back) under the emulator, where page faults are resolved
// in place while the CPU runs: the same output as the reference, every fault counted (--stats),
// and the same output when memory is so short that faults go the trap path (reclaim, swap).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeRun, limited, runCommand, type RunResult } from '../helpers/execReference.js';
import { guestReference } from '../helpers/nativeI386.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const EMU = 'dist/i386emu.mjs';
const PROG = 'guest-programs/build/bench_faults';
const TIMEOUT_MS = 60_000;
const ENV: Record<string, string> = { PATH: '/usr/bin:/bin', LC_ALL: 'C' };
const REF = guestReference();

function emulator(args: string[], emuFlags: string[] = []): Promise<RunResult> {
  return limited(() => runCommand(process.execPath, [EMU, 'run', ...emuFlags, '--', PROG, ...args], ENV, '', TIMEOUT_MS));
}

describe('bench_faults', () => {
  it('the guest program and the emulator bundle are there', () => {
    expect(existsSync(ROOT + PROG), 'run "bash guest-programs/build.sh"').toBe(true);
    expect(existsSync(ROOT + EMU), `${EMU} is missing: run "node scripts/build.mjs"`).toBe(true);
  });

  it.skipIf(typeof REF === 'string')('prints what the reference prints, with every fault counted', async () => {
    const ref = REF as Exclude<typeof REF, string>;
    const [cmd, argv] = ref.argv(PROG, ['2']);
    const r = await limited(() => runCommand(cmd, argv, ref.env(ENV), '', TIMEOUT_MS));
    expect(r.status, describeRun(r, TIMEOUT_MS)).toBe(0);
    expect(r.stdout).toBe('faults 16384 sum 04ffd000\n');
    const emu = await emulator(['2'], ['--stats']);
    expect(emu.stdout, emu.stderr.slice(-1500)).toBe(r.stdout);
    // 2 rounds of 4,096 demand-zero pages (plus the program's own few) and 4,096 COW copies.
    const m = /page faults \d+: anon (\d+), file \d+, cow (\d+)/.exec(emu.stderr);
    expect(m, emu.stderr).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThanOrEqual(8192);
    expect(Number(m![1])).toBeLessThan(8192 + 64);
    expect(Number(m![2])).toBeGreaterThanOrEqual(8192);
    expect(Number(m![2])).toBeLessThan(8192 + 64);
  }, 2 * TIMEOUT_MS + 10_000);

  it('gives the same output in 12 MiB of RAM with swap (faults under reclaim take the trap path)', async () => {
    const emu = await emulator(['1'], ['--mem', '12', '--swap', '64', '--stats']);
    expect(emu.stdout, emu.stderr.slice(-1500)).toBe('faults 8192 sum 027fd800\n');
    expect(emu.stderr).toMatch(/swap-outs [1-9]/);
  }, TIMEOUT_MS + 10_000);
});
