// The compiler matrix: integer, 64-bit, float/double, long double, libm and string programs
// (guest-programs/matrix/*.c) built at -O0/-O2/-O3, -march=i686 and -msse2 -mfpmath=sse by
// guest-programs/build-matrix.sh. Each binary runs natively and under the emulator; stdout and
// the exit status must be identical. Where the host cannot run i386 binaries, qemu-i386 stands
// in for the native run (test/helpers/nativeI386.ts).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { guestReference, nativeI386Unavailable } from '../helpers/nativeI386.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DIR = 'guest-programs/build/matrix';
const ENV: Record<string, string> = { PATH: '/usr/bin:/bin', LC_ALL: 'C' };

const REF = guestReference();
if (typeof REF === 'string') console.warn(`compiler matrix: no reference to compare with: ${REF}`);
else if (REF.name !== 'native') console.warn(`compiler matrix: comparing with ${REF.name}: ${nativeI386Unavailable()}`);

const binaries = existsSync(ROOT + DIR) ? readdirSync(ROOT + DIR).sort() : [];

function run(cmd: string, args: string[], env = ENV): { stdout: string; status: number | null; stderr: string } {
  const r = spawnSync(cmd, args, { cwd: ROOT, env, encoding: 'utf8', timeout: 120_000, maxBuffer: 16 << 20 });
  return { stdout: r.stdout, status: r.status, stderr: r.stderr };
}

describe.skipIf(typeof REF === 'string')(`compiler matrix: ${typeof REF === 'string' ? 'reference' : REF.name} vs emulator`, () => {
  it('has the binaries (bash guest-programs/build-matrix.sh)', () => {
    expect(binaries.length).toBeGreaterThanOrEqual(30);
  });

  for (const bin of binaries) {
    it(bin, () => {
      const prog = `${DIR}/${bin}`;
      const ref = REF as Exclude<typeof REF, string>;
      const native = run(...ref.argv(prog, []), ref.env(ENV));
      const emu = run(process.execPath, ['dist/i386emu.mjs', 'run', '--', prog]);
      expect(emu.stderr).toBe('');
      expect(emu.stdout).toBe(native.stdout);
      expect(emu.status).toBe(native.status);
    }, 150_000);
  }
});
