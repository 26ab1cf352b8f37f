// Shared driver for the differential tests: runs cases natively and in the emulator and
// summarises the mismatches.
import { diff, FpuCase, hex, describeState, runBoth, FpuResult } from './fpuHarness.js';

export interface DiffSummary {
  total: number;
  mismatches: number;
  /** The first few mismatches, described. */
  samples: string[];
  /** The host's outcome of each case (OK, FPE, ILL, SEGV): a faulting case compares less. */
  statuses: string[];
}

export function compareCases(cases: FpuCase[], opts: { ignoreEflags?: boolean; maxSamples?: number } = {}): DiffSummary {
  const { nat, emu } = runBoth(cases);
  return summarise(cases, nat, emu, opts);
}

export function summarise(cases: FpuCase[], nat: FpuResult[], emu: FpuResult[], opts: { ignoreEflags?: boolean; maxSamples?: number } = {}): DiffSummary {
  const samples: string[] = [];
  let mismatches = 0;
  for (let i = 0; i < cases.length; i++) {
    const d = diff(nat[i], emu[i], opts);
    if (d !== null) {
      mismatches++;
      if (samples.length < (opts.maxSamples ?? 5)) {
        samples.push(`code ${hex(cases[i].code)} mem ${hex(cases[i].mem)} eflags ${cases[i].eflags.toString(16)}\n  in     ${describeState(cases[i].state)}\n  ${d}`);
      }
    }
  }
  return { total: cases.length, mismatches, samples, statuses: nat.map((n) => n.status) };
}

export function report(name: string, s: DiffSummary): string {
  const rate = ((s.total - s.mismatches) / s.total * 100).toFixed(3);
  const ok = s.statuses.filter((x) => x === 'OK').length;
  return `${name}: ${s.total - s.mismatches}/${s.total} bit-exact (${rate}%), ${ok} ran without faulting` + (s.samples.length ? '\n' + s.samples.join('\n') : '');
}

/** How many of the cases picked by `which` ran to their end on the host (and so compared in full). */
export function ranClean(s: DiffSummary, which: (i: number) => boolean): { ok: number; of: number } {
  let ok = 0, of = 0;
  s.statuses.forEach((x, i) => { if (which(i)) { of++; if (x === 'OK') ok++; } });
  return { ok, of };
}
