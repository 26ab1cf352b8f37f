// The V8 code cache of dist/i386emu.mjs (src/cli/bundleLoader.ts), on a copy of the built
// entry and bundle in a scratch directory: the first run of a build writes the cache and later
// runs use it without writing it again; a damaged cache, a cache directory that cannot be
// created (the $XDG_CACHE_HOME fallback) and I386EMU_NO_CODE_CACHE all still give a correct run.
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_ENV, ROOT } from './cliProcess.js';

const SLOW = 60_000;
const HELLO = join(ROOT, 'guest-programs/build/hello');
const HELLO_OUT = 'Hello, world!\nHello, world!\n';

const scratch = mkdtempSync(join(tmpdir(), 'i386emu-codecache-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of the built CLI in a directory of its own. */
function copyOfDist(name: string): string {
  const dir = join(scratch, name);
  spawnSync('mkdir', ['-p', dir]);
  for (const f of ['i386emu.mjs', 'i386emu.cjs']) copyFileSync(join(ROOT, 'dist', f), join(dir, f));
  return dir;
}

function runHello(dir: string, env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(dir, 'i386emu.mjs'), 'run', HELLO], {
    cwd: ROOT, env: { ...CLI_ENV, ...env }, encoding: 'utf8', timeout: SLOW, killSignal: 'SIGKILL',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function cacheFiles(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.v8cache')) : [];
}

describe('the code cache of the CLI bundle', () => {
  it('is written by the first run and used, not rewritten, by the next', () => {
    const dist = copyOfDist('fresh');
    const cacheDir = join(dist, '.cache');
    expect(cacheFiles(cacheDir)).toEqual([]);
    expect(runHello(dist)).toEqual({ status: 0, stdout: HELLO_OUT, stderr: '' });
    const files = cacheFiles(cacheDir);
    expect(files).toHaveLength(1);
    const path = join(cacheDir, files[0]);
    const before = statSync(path);
    expect(before.size).toBeGreaterThan(100_000);
    expect(runHello(dist)).toEqual({ status: 0, stdout: HELLO_OUT, stderr: '' });
    // An accepted cache is not written again (a rejected one would be, at exit).
    expect(statSync(path).mtimeMs).toBe(before.mtimeMs);
    expect(cacheFiles(cacheDir)).toEqual(files);
  }, SLOW);

  it('replaces a damaged cache and still runs correctly', () => {
    const dist = copyOfDist('damaged');
    expect(runHello(dist).status).toBe(0);
    const cacheDir = join(dist, '.cache');
    const [name] = cacheFiles(cacheDir);
    const path = join(cacheDir, name);
    const good = readFileSync(path);
    const bad = Buffer.from(good);
    for (let i = 0; i < bad.length; i += 97) bad[i] ^= 0x5a;
    writeFileSync(path, bad);
    expect(runHello(dist)).toEqual({ status: 0, stdout: HELLO_OUT, stderr: '' });
    expect(readFileSync(path).equals(bad)).toBe(false);
    expect(runHello(dist)).toEqual({ status: 0, stdout: HELLO_OUT, stderr: '' });
  }, SLOW);

  it('goes to $XDG_CACHE_HOME/i386emu when the directory beside the bundle cannot be made', () => {
    const dist = copyOfDist('fallback');
    writeFileSync(join(dist, '.cache'), 'not a directory');
    const xdg = join(scratch, 'xdg');
    expect(runHello(dist, { XDG_CACHE_HOME: xdg })).toEqual({ status: 0, stdout: HELLO_OUT, stderr: '' });
    expect(cacheFiles(join(xdg, 'i386emu'))).toHaveLength(1);
    expect(runHello(dist, { XDG_CACHE_HOME: xdg })).toEqual({ status: 0, stdout: HELLO_OUT, stderr: '' });
  }, SLOW);

  it('is neither read nor written with I386EMU_NO_CODE_CACHE=1', () => {
    const dist = copyOfDist('off');
    expect(runHello(dist, { I386EMU_NO_CODE_CACHE: '1' })).toEqual({ status: 0, stdout: HELLO_OUT, stderr: '' });
    expect(cacheFiles(join(dist, '.cache'))).toEqual([]);
  }, SLOW);
});
