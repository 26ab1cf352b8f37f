// The compiler matrix: integer, 64-bit, float/double, long double, libm and string programs
// (guest-programs/matrix/*.c) built at -O0/-O2/-O3, -march=i686 and -msse2 -mfpmath=sse by
// guest-programs/build-matrix.sh. Each binary runs natively and under the emulator; stdout and
// the exit status must be identical.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DIR = 'guest-programs/build/matrix';
const ENV = { PATH: '/usr/bin:/bin', LC_ALL: 'C' };

const binaries = existsSync(ROOT + DIR) ? readdirSync(ROOT + DIR).sort() : [];

function run(cmd: string, args: string[]): { stdout: string; status: number | null; stderr: string } {
  const r = spawnSync(cmd, args, { cwd: ROOT, env: ENV, encoding: 'utf8', timeout: 120_000, maxBuffer: 16 << 20 });
  return { stdout: r.stdout, status: r.status, stderr: r.stderr };
}

describe('compiler matrix: native vs emulator', () => {
  it('has the binaries (bash guest-programs/build-matrix.sh)', () => {
    expect(binaries.length).toBeGreaterThanOrEqual(30);
  });

  for (const bin of binaries) {
    it(bin, () => {
      const prog = `${DIR}/${bin}`;
      const native = run(prog, []);
      const emu = run(process.execPath, ['dist/i386emu.mjs', 'run', '--', prog]);
      expect(emu.stderr).toBe('');
      expect(emu.stdout).toBe(native.stdout);
      expect(emu.status).toBe(native.status);
    }, 150_000);
  }
});
