// The native side of `i386emu compare`. On every x86-64 host with gdb: an x86-64 build of the
// seeds' layout experiment run through nativeRecord (setarch -R, gdb stopped at exit_group)
// prints exactly what it prints when run directly under setarch -R — the gdb run moves no
// address — and the maps gdb reads at exit are the ones the program printed last. On a host
// that runs i386 code and whose kernel is the reference's (6.18): `i386emu compare` live, with
// no saved reference, reports every mapping and stdout line identical.
import { spawnSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nativeI386Unavailable, nativeRecord } from '../../src/cli/nativeRecord.js';
import { splitRecord } from '../../src/cli/mapsCompare.js';
import { makeTempDir } from '../helpers/tempDir.js';
import { ROOT } from './cliProcess.js';

const REF = join(ROOT, 'test/fixtures/layout-reference');
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const x64Tools = process.platform === 'linux' && process.arch === 'x64' && ['gdb', 'gcc', 'perl', 'setarch'].every(has);

describe('nativeRecord (the native run behind i386emu compare)', () => {
  it.skipIf(!x64Tools)('an x86-64 build of seed_layout run by a relative path: the same stdout as a direct setarch -R run, and the maps it printed', () => {
    const dir = makeTempDir('i386emu-native-');
    const prog = join(dir, 'seed_layout64');
    const cc = spawnSync('gcc', ['-O0', '-o', prog, join(REF, 'seed_layout.c')], { encoding: 'utf8' });
    expect(cc.stderr).toBe('');
    const direct = spawnSync('setarch', ['-R', './seed_layout64', 'one', 'two words'], { cwd: dir, env: { ...process.env, PWD: dir }, encoding: 'utf8' });
    expect(direct.status).toBe(0);
    const mine = splitRecord(direct.stdout);
    const r = nativeRecord('./seed_layout64', ['one', 'two words'], 'compat', dir);
    expect(r.stdout).toEqual(mine.stdout);
    expect(r.stdout.some((l) => /^argc 0x7ff/.test(l))).toBe(true);
    expect(r.maps).toEqual(mine.maps);
    expect(r.maps.some((m) => m.name === '[stack]')).toBe(true);
  }, 120_000);
});

const live = nativeI386Unavailable() === null && /^6\.18\./.test(release());

describe.skipIf(!live)('i386emu compare live against the host kernel (i386-capable hosts running Linux 6.18)', () => {
  for (const flavour of ['static', 'static-pie']) {
    for (const layout of ['compat', '3gb']) {
      it(`${flavour} under --layout=${layout}: every mapping and stdout line identical, exit 0`, () => {
        const dir = makeTempDir('i386emu-live-');
        copyFileSync(join(REF, 'bin', flavour), join(dir, flavour));
        spawnSync('chmod', ['755', join(dir, flavour)]);
        const r = spawnSync(process.execPath, [join(ROOT, 'dist/i386emu.mjs'), 'compare', `--layout=${layout}`, `./${flavour}`], {
          cwd: dir, env: { PATH: '/usr/bin:/bin' }, encoding: 'utf8', timeout: 300_000, killSignal: 'SIGKILL',
        });
        expect(r.stderr).toBe('');
        expect(r.stdout.trimEnd().split('\n').at(-1)).toMatch(/^(\d+) of \1 mappings identical, stdout identical$/);
        expect(r.status).toBe(0);
      }, 320_000);
    }
  }
});
