// A temporary directory of this test file's own for natively built harnesses: created with
// mkdtemp (so concurrent runs and other checkouts never share or reuse a binary) and removed
// after the file's tests (vitest ends its worker processes without an 'exit' event, so a
// process hook alone would leak one directory per file and run).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const dirs = new Map<string, string>();

/** The directory for `name` (made on first use, again if it was removed). */
export function runDir(name: string): string {
  let d = dirs.get(name);
  if (d === undefined || !existsSync(d)) {
    d = mkdtempSync(join(tmpdir(), `i386emu-${name}-`));
    dirs.set(name, d);
  }
  return d;
}

/** Removes every directory runDir made. */
export function removeRunDirs(): void {
  for (const d of dirs.values()) rmSync(d, { recursive: true, force: true });
  dirs.clear();
}

// Importing this module from a test file registers the clean-up for that file.
afterAll(removeRunDirs);
process.once('exit', removeRunDirs);
