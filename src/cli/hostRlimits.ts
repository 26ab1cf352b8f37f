// The resource limits the emulator inherits from the shell that started it, as a native
// program would (`ulimit -s 512; i386emu run prog` gives prog a 512 KiB RLIMIT_STACK). Read
// from /proc/self/limits: one small file, no shell spawned, so start-up stays fast. Elsewhere
// (not Linux, or no /proc) the kernel's defaults stand.
import { readFileSync } from 'node:fs';
import { RLIM_INFINITY, RLIMIT_STACK, type Rlimit } from '../../kernel/proc/task.js';

/** One value of /proc/PID/limits: "unlimited" or a decimal count. */
function parseLimit(s: string): bigint | null {
  if (s === 'unlimited') return RLIM_INFINITY;
  return /^\d+$/.test(s) ? BigInt(s) : null;
}

/** The "Max stack size" row of a /proc/PID/limits text, or null when it has none. */
export function parseStackLimit(text: string): Rlimit | null {
  const m = /^Max stack size\s+(\S+)\s+(\S+)/m.exec(text);
  if (m === null) return null;
  const cur = parseLimit(m[1]), max = parseLimit(m[2]);
  return cur === null || max === null || cur > max ? null : { cur, max };
}

/** The host's limits the guest's first process starts with (only RLIMIT_STACK for now). */
export function hostRlimits(limitsPath = '/proc/self/limits'): Record<number, Rlimit> {
  let text: string;
  try {
    text = readFileSync(limitsPath, 'latin1');
  } catch {
    return {};
  }
  const stack = parseStackLimit(text);
  return stack === null ? {} : { [RLIMIT_STACK]: stack };
}
