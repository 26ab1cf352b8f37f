// Whether the block compiler runs: off (interpreter only), on (a block is compiled once it has
// run JIT_HOT_RUNS times), force (every block on its first run; for tests and the difftest).
// The default lives here, in one constant; I386EMU_JIT=on|off|force overrides it, and so does
// `i386emu run --jit on|off|force` (setJitMode before the kernel starts).
export type JitMode = 'on' | 'off' | 'force';

export const JIT_MODES: readonly JitMode[] = ['on', 'off', 'force'];

/** The compiler's setting when neither the environment nor an option chooses. */
export const DEFAULT_JIT_MODE: JitMode = 'on';

/** Runs of a block before it is compiled (nothing is compiled at start-up). */
export const JIT_HOT_RUNS = 50;

function fromEnv(): JitMode {
  const v = typeof process !== 'undefined' ? process.env.I386EMU_JIT : undefined;
  return v !== undefined && (JIT_MODES as readonly string[]).includes(v) ? (v as JitMode) : DEFAULT_JIT_MODE;
}

let mode: JitMode = fromEnv();

export function jitMode(): JitMode {
  return mode;
}

export function setJitMode(m: JitMode): void {
  mode = m;
}

/** Runs of a compiled block before the run loop records the trace it heads (jit/compileBlock). */
export const TRACE_HOT_RUNS = 200;

/** The run count at which a CPU created now records a trace from a compiled block (0: never). */
export function traceThreshold(): number {
  return mode === 'off' ? 0 : mode === 'force' ? 2 : TRACE_HOT_RUNS;
}

/** The run count at which a CPU created now compiles a block (0: never). */
export function jitThreshold(): number {
  return mode === 'off' ? 0 : mode === 'force' ? 1 : JIT_HOT_RUNS;
}
