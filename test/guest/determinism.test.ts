// Scheduling is deterministic: two threads that never synchronise (guest-programs/src/
// interleave.c) interleave the same way on every run, another --quantum gives another
// interleaving, and a single-threaded program's output does not depend on the quantum.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function run(...args: string[]): string {
  const r = spawnSync(process.execPath, ['dist/i386emu.mjs', 'run', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

describe('deterministic scheduling', () => {
  it('gives the same interleaving on every run, and another one for another quantum', () => {
    const a = run('guest-programs/build/interleave');
    const b = run('guest-programs/build/interleave');
    expect(a).toMatch(/^(?:[AB]\d+ )+\n$/);
    // Both threads ran and were interleaved: at least one switch each way.
    expect(a.match(/[AB]\d+/g)!.length).toBeGreaterThanOrEqual(3);
    expect(b).toBe(a);
    const c = run('--quantum', '7777', 'guest-programs/build/interleave');
    const d = run('--quantum', '7777', 'guest-programs/build/interleave');
    expect(d).toBe(c);
    expect(c).not.toBe(a);
    const total = (s: string) => s.match(/\d+/g)!.map(Number).reduce((x, y) => x + y, 0);
    expect(total(a)).toBe(800);
    expect(total(c)).toBe(800);
  }, 120_000);

  it('a quantum of one instruction still runs a forking program to the same output', () => {
    expect(run('--quantum', '1', 'guest-programs/build/fork_cow', 'cow')).toBe(run('guest-programs/build/fork_cow', 'cow'));
  }, 120_000);
});
