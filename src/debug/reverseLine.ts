// reverse-step and reverse-next by source line (gdb's semantics over the record log): undo
// instructions until the program is back at the beginning of the previous line it executed.
// Depth is counted while undoing (landing on a RET enters a callee, landing on a CALL leaves
// one): reverse-next treats a whole call as part of the line that made it; reverse-step stops
// in a callee with line information, at the start of the last line it ran; undoing past a
// function's first instruction stops at the beginning of the caller's line, and so does
// reaching it (gdb does not stop in the prologue's line: from a function's first line it goes
// back to the line that called it).
import type { Engine, StopResult } from './engine.js';
import type { LineTable } from './dwarfLine.js';
import { callLength, isRet } from './insnPeek.js';

export interface ReverseLineResult {
  result: StopResult;
  /** Calls entered (positive) or left (negative) while undoing. */
  depth: number;
  steps: number;
  syscalls: number;
  lost: number;
}

export function reverseLine(engine: Engine, lines: LineTable, over: boolean, fnAt: (addr: number) => number | null): ReverseLineResult {
  const rec = engine.recorder!;
  const c = engine.target!.cpu;
  let steps = 0, syscalls = 0, lost = 0;
  let depth = 0;
  const done = (kind: 'done' | 'history-end'): ReverseLineResult => ({ result: { kind } as StopResult, depth, steps, syscalls, lost });
  const back = (): boolean => {
    const r = engine.backOne();
    if (!r.ok) return false;
    steps++;
    if (r.syscall) syscalls++;
    lost += r.lost;
    const code = engine.peek(c.eip >>> 0);
    if (code && isRet(code)) depth++;
    else if (code && callLength(code) > 0) depth--;
    return true;
  };
  const key = (addr: number) => {
    const row = lines.rowFor(addr);
    return row ? `${row.file}:${row.line}:${fnAt(addr)}` : null;
  };
  const start = key(c.eip >>> 0);
  // Phase 1: back into another line at this level (or the caller's, or a callee's for step).
  let level = 0;
  let target: string | null = null;
  for (;;) {
    if (!back()) return done('history-end');
    const here = key(c.eip >>> 0);
    if (depth < level) { level = depth; target = here; break; }
    if (depth === level && here !== start) { target = here; break; }
    if (!over && depth === level + 1 && here !== null) { level = depth; target = here; break; }
  }
  // Phase 2: back to the first instruction of that line's run (whole calls made by it included).
  for (;;) {
    const prev = rec.peekEip();
    if (prev < 0) return done('done');
    if (depth === level && fnAt(c.eip >>> 0) === (c.eip >>> 0) && steps > 0) {
      // At a function's entry: on to its call, in the caller's line (when that has one).
      if (!back()) return done('done');
      const caller = key(c.eip >>> 0);
      if (caller === null || depth >= level) return done('done');
      level = depth;
      target = caller;
      continue;
    }
    if (depth === level) {
      const code = engine.peek(prev);
      const callee = code !== null && isRet(code);
      if (!callee && key(prev) !== target) return done('done');
      if (callee && !over) {
        // reverse-step enters a call this line made: its last line, if it has line information.
        if (!back()) return done('done');
        const inner = key(c.eip >>> 0);
        if (inner !== null) { level = depth; target = inner; }
        continue;
      }
    }
    if (!back()) return done('done');
  }
}
