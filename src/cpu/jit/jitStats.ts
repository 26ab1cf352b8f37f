// Counters of the block compiler for --stats and the benchmarks: what was compiled, how much of
// it got a template, and what compiling cost. Process-wide (one compiler serves every CPU).
export const jitStats = {
  blocksCompiled: 0,
  insnsCompiled: 0,
  /** Instructions emitted from a template / as a call of their interpreter handler. */
  templated: 0,
  called: 0,
  /** Blocks whose generated source V8 refused (a compiler bug; they stay interpreted). */
  failures: 0,
  /** Traces (cycles of blocks compiled as one loop) and the blocks in them. */
  traces: 0,
  traceBlocks: 0,
  compileMs: 0,
};

export function resetJitStats(): void {
  jitStats.blocksCompiled = 0;
  jitStats.insnsCompiled = 0;
  jitStats.templated = 0;
  jitStats.called = 0;
  jitStats.failures = 0;
  jitStats.traces = 0;
  jitStats.traceBlocks = 0;
  jitStats.compileMs = 0;
}

/**
 * Milliseconds for compileMs. Node's `performance` is loaded on first use (perf_hooks and nine
 * more modules, about 3% of a hello run's start-up), process.hrtime is not.
 */
export function nowMs(): number {
  if (typeof process !== 'undefined' && typeof process.hrtime === 'function') {
    const [s, ns] = process.hrtime();
    return s * 1000 + ns / 1e6;
  }
  return performance.now();
}
