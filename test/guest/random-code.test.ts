// Robustness: pseudo-random bytes run as code (guest-programs/src/randcode.c) must end in a
// guest signal or exit with the usual one-line diagnostic — never a JavaScript exception, an
// internal error or a hang of the host. Emulator only: random bytes may make any system call,
// which the sandbox (read-only root) contains but the host would not.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SEEDS = Array.from({ length: 40 }, (_, k) => 1 + k * 37);

describe('random code', () => {
  it('ends every run with a guest exit or signal', () => {
    for (const seed of SEEDS) {
      const r = spawnSync(process.execPath, ['dist/i386emu.mjs', 'run', '--root', 'guest-programs/build', '--', 'guest-programs/build/randcode', String(seed)], {
        cwd: ROOT, encoding: 'utf8', timeout: 30_000, input: '',
      });
      const what = `seed ${seed}: status ${r.status} signal ${r.signal}\n${r.stderr}`;
      expect(r.signal, what).toBeNull(); // the host process was not killed (timeout) or crashed
      expect(r.status === 0 || (r.status !== null && r.status >= 1 && r.status <= 255 && r.status !== 70), what).toBe(true);
      expect(r.stderr, what).not.toMatch(/internal error|\n\s+at /);
    }
  }, 600_000);
});
