// Temporary directories for tests: each made with mkdtemp (a fresh private name, so runs and
// engineers working side by side never share one) and removed when the test file that made it
// has finished, or at the latest when the process exits.
import { afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made = new Set<string>();

/** A new empty directory under the system temp directory, named PREFIX + random. */
export function makeTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.add(dir);
  return dir;
}

/** Removes one directory made here (at once, for helpers that need it only briefly). */
export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  made.delete(dir);
}

export function removeTempDirs(): void {
  for (const dir of [...made]) removeTempDir(dir);
}

// Vitest evaluates this module afresh for each test file, while it collects that file, so this
// top-level hook belongs to the importing file: its directories go when its tests are done.
afterAll(removeTempDirs);
process.once('exit', removeTempDirs);
