// RCPSS/RSQRTSS approximations against the host over every sign, exponent and table class
// (2^23 inputs, compared by per-exponent hashes from native/rcptab.c).
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { rcp32, rsqrt32 } from '../../../src/cpu/sse/rcp.js';
import { nativeUnavailable } from './harness.js';

const skip = nativeUnavailable();

function fnv(h: number, v: number): number {
  for (let b = 0; b < 4; b++) h = Math.imul(h ^ ((v >>> (8 * b)) & 0xff), 16777619);
  return h;
}

describe.skipIf(skip !== null)('RCP/RSQRT tables vs native', () => {
  it('matches every sign, exponent and table class', () => {
    const dir = join(tmpdir(), 'i386emu-sse');
    mkdirSync(dir, { recursive: true });
    const bin = join(dir, 'rcptab');
    const src = fileURLToPath(new URL('./native/rcptab.c', import.meta.url));
    const b = spawnSync('gcc', ['-m32', '-O1', '-msse2', '-o', bin, src], { encoding: 'utf8' });
    expect(b.status, b.stderr).toBe(0);
    const r = spawnSync(bin, ['sweep'], { encoding: 'utf8' });
    const lines = r.stdout.trim().split('\n');
    expect(lines.length).toBe(512);
    const bad: string[] = [];
    for (const line of lines) {
      const [gs, h1s, h2s] = line.split(' ');
      const g = Number(gs);
      let h1 = 0x811c9dc5, h2 = 0x811c9dc5;
      for (let k = 0; k < 1 << 14; k++) {
        const x = ((g << 23) | (k << 9) | (Math.imul(k, 0x9e37) & 0x1ff)) | 0;
        h1 = fnv(h1, rcp32(x));
        h2 = fnv(h2, rsqrt32(x));
      }
      if ((h1 >>> 0) !== parseInt(h1s, 16)) bad.push(`rcp sign/exponent ${g}`);
      if ((h2 >>> 0) !== parseInt(h2s, 16)) bad.push(`rsqrt sign/exponent ${g}`);
    }
    expect(bad).toEqual([]);
  }, 120_000);
});
