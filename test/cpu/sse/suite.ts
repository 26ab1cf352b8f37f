// Shared driver for the SSE differential test files: one vitest case per instruction form,
// N random cases each (SSE_CASES, default 3000; SSE_SEED varies the operands).
import { describe, expect, it } from 'vitest';
import { type CompareOptions, differential, nativeUnavailable, replayNote } from './harness.js';
import { caseCountEnv } from '../../helpers/caseCountEnv.js';
import { buildCases, type Spec } from './gen.js';

export const N = caseCountEnv('SSE_CASES', 3000);
export const SEED = Number(process.env.SSE_SEED ?? 0);

const skip = nativeUnavailable();
if (skip) console.warn(`SSE differential tests skipped: ${skip}`);

export function suite(title: string, specs: Array<[string, Spec]>, opt: CompareOptions = {}, n = N): void {
  describe.skipIf(skip !== null)(title, () => {
    specs.forEach(([name, spec], k) => {
      it(name, () => {
        let h = 0;
        for (let j = 0; j < name.length; j++) h = Math.imul(h ^ name.charCodeAt(j), 16777619);
        const r = differential(buildCases(spec, n, (h ^ (k * 7919) ^ SEED) >>> 0), opt);
        const note = replayNote(name, r);
        if (note) console.log(note);
        if (r.count) console.log(`${name}: ${r.count}/${r.total} mismatches\n  ${r.shown.join('\n  ')}`);
        expect(r.count).toBe(0);
        // Cases the x86-64 replay leaves out are not compared: most must be.
        expect(r.total).toBeGreaterThanOrEqual(Math.max(1, Math.ceil((r.total + r.leftOut) / 2)));
      }, 600_000);
    });
  });
}
