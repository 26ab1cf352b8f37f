// RCPSS/RSQRTSS approximations against the host over every sign, exponent and table class
// (2^23 inputs, compared by per-exponent hashes from native/rcptab.c). On hosts that are not
// Intel, whose tables differ from Intel's (the emulator's), both the host's and the emulator's
// results are instead held to the architectural bound (recip.ts) for every one of the inputs.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { rcp32, rsqrt32 } from '../../../src/cpu/sse/rcp.js';
import { hostVendor } from '../../helpers/nativeI386.js';
import { runDir } from '../../helpers/runDir.js';
import { nativeUnavailable, replayMode } from './harness.js';
import { recipAcceptable } from './recip.js';

const skip = nativeUnavailable();
const intel = hostVendor() === 'intel';

function fnv(h: number, v: number): number {
  for (let b = 0; b < 4; b++) h = Math.imul(h ^ ((v >>> (8 * b)) & 0xff), 16777619);
  return h;
}

const input = (g: number, k: number): number => ((g << 23) | (k << 9) | (Math.imul(k, 0x9e37) & 0x1ff)) | 0;

function buildRcptab(): string {
  const dir = runDir('sse');
  const replay = replayMode();
  const bin = join(dir, replay ? 'rcptab64' : 'rcptab');
  const src = fileURLToPath(new URL('./native/rcptab.c', import.meta.url));
  const b = spawnSync('gcc', [...(replay ? [] : ['-m32']), '-O1', '-msse2', '-o', bin, src], { encoding: 'utf8' });
  expect(b.status, b.stderr).toBe(0);
  return bin;
}

describe.skipIf(skip !== null)('RCP/RSQRT tables vs native', () => {
  it.skipIf(!intel)('matches every sign, exponent and table class', () => {
    const r = spawnSync(buildRcptab(), ['sweep'], { encoding: 'utf8' });
    const lines = r.stdout.trim().split('\n');
    expect(lines.length).toBe(512);
    const bad: string[] = [];
    for (const line of lines) {
      const [gs, h1s, h2s] = line.split(' ');
      const g = Number(gs);
      let h1 = 0x811c9dc5, h2 = 0x811c9dc5;
      for (let k = 0; k < 1 << 14; k++) {
        const x = input(g, k);
        h1 = fnv(h1, rcp32(x));
        h2 = fnv(h2, rsqrt32(x));
      }
      if ((h1 >>> 0) !== parseInt(h1s, 16)) bad.push(`rcp sign/exponent ${g}`);
      if ((h2 >>> 0) !== parseInt(h2s, 16)) bad.push(`rsqrt sign/exponent ${g}`);
    }
    expect(bad).toEqual([]);
  }, 120_000);

  it.skipIf(intel)('keeps to the architectural bound where the host does, over every table class', () => {
    const r = spawnSync(buildRcptab(), ['values'], { maxBuffer: 1 << 27 });
    expect(r.status).toBe(0);
    const host = new Int32Array(r.stdout.buffer, r.stdout.byteOffset, r.stdout.length >> 2);
    expect(host.length).toBe(2 << 23);
    const bad: string[] = [];
    let differ = 0;
    for (let g = 0; g < 512; g++) {
      for (let k = 0; k < 1 << 14; k++) {
        const x = input(g, k), n = (g << 15) | (k << 1);
        for (const [kind, emu, nat] of [['rcp', rcp32(x), host[n]], ['rsqrt', rsqrt32(x), host[n + 1]]] as const) {
          if (emu !== nat) differ++;
          const what = `${kind}(${(x >>> 0).toString(16)})`;
          if (!recipAcceptable(kind, x, emu)) bad.push(`${what}: emulator ${(emu >>> 0).toString(16)} outside the bound`);
          if (!recipAcceptable(kind, x, nat)) bad.push(`${what}: host ${(nat >>> 0).toString(16)} outside the bound as checked`);
        }
      }
    }
    console.log(`${hostVendor()} host: ${differ} of ${2 << 23} results differ from the emulator's (Intel) tables; bound violations: ${bad.length}`);
    expect(bad.slice(0, 20)).toEqual([]);
  }, 300_000);
});
