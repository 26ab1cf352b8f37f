// A temporary directory of this test process's own for natively built harnesses: created
// with mkdtemp (so concurrent runs and other checkouts never share or reuse a binary) and
// removed when the process exits.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dirs = new Map<string, string>();

/** The directory for `name` in this process (made on first use). */
export function runDir(name: string): string {
  let d = dirs.get(name);
  if (d === undefined) {
    d = mkdtempSync(join(tmpdir(), `i386emu-${name}-`));
    dirs.set(name, d);
    if (dirs.size === 1) process.once('exit', removeRunDirs);
  }
  return d;
}

/** Removes every directory runDir made (also called on exit). */
export function removeRunDirs(): void {
  for (const d of dirs.values()) rmSync(d, { recursive: true, force: true });
  dirs.clear();
}
