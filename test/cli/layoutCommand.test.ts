// `i386emu layout`: the static layout-reference binary (run as the reference test runs it, so
// its layout is Linux's: test/fixtures/layout-reference/expected/static.compat.txt) drawn at
// exit, as text and as SVG (rendered by rsvg-convert when it is installed); and
// `run --pmap-at-exit` on the same binary: one pmap -x row per maps line.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/tempDir.js';
import { haveTool, ROOT } from './cliProcess.js';

const REF = join(ROOT, 'test/fixtures/layout-reference');

function layout(extra: string[], cmd = 'layout') {
  const root = makeTempDir('i386emu-layout-cmd-');
  const bin = join(root, 'layout-ref/bin');
  mkdirSync(bin, { recursive: true });
  copyFileSync(join(REF, 'bin/static'), join(bin, 'static'));
  return spawnSync(process.execPath, [join(ROOT, 'dist/i386emu.mjs'), cmd, '--root', root, ...extra, './static'], {
    cwd: bin, env: { PATH: '/usr/bin:/bin' }, encoding: 'utf8', timeout: 120_000, killSignal: 'SIGKILL',
  });
}

describe('i386emu layout', () => {
  it('draws the address space at exit after the program\'s own output, top to bottom', () => {
    const r = layout([]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = r.stdout;
    // The program's own output first (it ends with its maps), then the picture.
    expect(out.startsWith('etext 0x080b6694\n')).toBe(true);
    const pic = out.slice(out.indexOf('0xffffffff +')).trimEnd().split('\n');
    expect(pic).toEqual([
      '0xffffffff +----------------------------------------+',
      '           | kernel space (above TASK_SIZE)   8 KiB |',
      '0xffffe000 +----------------------------------------+',
      '           | [stack]  rw-p                  132 KiB | <- stack',
      '0xfffdd000 +----------------------------------------+',
      '           : unmapped                     127.9 MiB :',
      '0xf7ffe000 +----------------------------------------+',
      '           | [vdso]  r-xp                     8 KiB | <- mmap area (libraries, anonymous maps, vDSO)',
      '0xf7ffc000 +----------------------------------------+',
      '           | [vvar_vclock]  r--p              8 KiB |',
      '0xf7ffa000 +----------------------------------------+',
      '           | [vvar]  r--p                    16 KiB |',
      '0xf7ff6000 +----------------------------------------+',
      '           | rw-p  anonymous                1.0 MiB |',
      '0xf7ef2000 +----------------------------------------+',
      '           : unmapped                       3.7 GiB :',
      '0x08126000 +----------------------------------------+',
      '           | [heap]  rw-p                   200 KiB | <- heap',
      '0x080f4000 +----------------------------------------+',
      '           | rw-p  bss                       24 KiB | <- program (text, data, bss)',
      '0x080ee000 +----------------------------------------+',
      '           | static  rw-p  data               8 KiB |',
      '0x080ec000 +----------------------------------------+',
      '           | static  r--p  read-only         12 KiB |',
      '0x080e9000 +----------------------------------------+',
      '           | static  r--p  read-only        200 KiB |',
      '0x080b7000 +----------------------------------------+',
      '           | static  r-xp  text             440 KiB |',
      '0x08049000 +----------------------------------------+',
      '           | static  r--p  read-only          4 KiB |',
      '0x08048000 +----------------------------------------+',
      '           : unmapped                     128.3 MiB :',
      '0x00000000 +----------------------------------------+',
    ]);
  }, 180_000);

  it('--svg FILE: one box per area and gap with the same labels, and it renders', () => {
    const dir = makeTempDir('i386emu-layout-svg-');
    const svg = join(dir, 'static.svg');
    const r = layout(['--svg', svg]);
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain('0xffffffff +');
    const text = readFileSync(svg, 'utf8');
    expect(text.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    // Kernel space, 12 areas, 3 gaps; the page's white background is one more rect.
    expect(text.match(/<rect /g)).toHaveLength(1 + 1 + 12 + 3);
    expect(text).toContain('>[stack]  rw-p</text>');
    expect(text).toContain('>0xf7ef2000</text>');
    expect(text).toContain('>3.7 GiB</text>');
    if (!haveTool('rsvg-convert')) {
      console.log('rsvg-convert is not installed: the SVG is not rendered (apt-get install librsvg2-bin)');
      return;
    }
    const png = join(dir, 'static.png');
    const c = spawnSync('rsvg-convert', ['-o', png, svg], { encoding: 'utf8' });
    expect(c.stderr).toBe('');
    expect(c.status).toBe(0);
    expect(existsSync(png)).toBe(true);
    expect(readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
  }, 180_000);
});

describe('i386emu run --pmap-at-exit', () => {
  it('prints pmap -x of the process at exit on stderr: a row per area of the reference maps, consistent totals', () => {
    const r = layout(['--pmap-at-exit'], 'run');
    expect(r.status).toBe(0);
    const maps = r.stdout.trimEnd().split('\n').filter((l) => /^[0-9a-f]{8}-/.test(l));
    expect(maps).toHaveLength(12);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^\d+: {3}\.\/static$/);
    expect(lines[1]).toBe('Address   Kbytes     RSS   Dirty Mode  Mapping');
    const rows = lines.slice(2, -2);
    expect(rows.map((l) => l.slice(0, 8))).toEqual(maps.map((m) => m.slice(0, 8)));
    expect(rows[0]).toMatch(/^08048000 +4 +4 +0 r---- static$/);
    expect(rows.at(-1)).toMatch(/^fffdd000 +132 +\d+ +\d+ rw--- \[ stack \]$/);
    const cols = rows.map((l) => l.split(/ +/).slice(1, 4).map(Number));
    const total = /^total kB +(\d+) +(\d+) +(\d+)$/.exec(lines.at(-1)!)!;
    // The reference's areas add up to 2092 kB (static.compat.txt).
    expect(Number(total[1])).toBe(2092);
    for (const k of [0, 1, 2]) expect(Number(total[k + 1])).toBe(cols.reduce((n, c) => n + c[k], 0));
  }, 180_000);
});
