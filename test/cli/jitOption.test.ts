// `i386emu run --jit on|off|force` through the real command line: the guest's output and the
// instruction count are the same whether blocks are interpreted or compiled, --stats has a
// block-compiler line only when something was compiled, and a bad mode is a usage error.
import { describe, expect, it } from 'vitest';
import { runCli } from './cliProcess.js';

const SLOW = 60_000;
const BENCH = 'guest-programs/build/bench';

const statLine = (stderr: string, re: RegExp): RegExpExecArray | null =>
  stderr.split('\n').map((l) => re.exec(l)).find((m) => m !== null) ?? null;
const INSNS = /^i386emu: stats: (\d+) instructions in /;
const JIT = /^i386emu: stats: block compiler: (\d+) blocks \((\d+) instructions: (\d+) from templates, (\d+) handler calls\), (\d+) traces \((\d+) blocks\) in [\d.]+ ms; 0 refused$/;

describe('--jit', () => {
  it('off, on and force run the integer benchmark to the same checksum and instruction count', () => {
    const off = runCli(['run', '--stats', '--jit', 'off', BENCH, '3']);
    expect(off.status).toBe(0);
    expect(off.stdout).toMatch(/^bench: 3 iterations, checksum [0-9a-f]{8}\n$/);
    expect(statLine(off.stderr, JIT)).toBeNull();
    for (const mode of ['on', 'force']) {
      const r = runCli(['run', '--stats', '--jit', mode, BENCH, '3']);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(off.stdout);
      expect(statLine(r.stderr, INSNS)![1]).toBe(statLine(off.stderr, INSNS)![1]);
      const j = statLine(r.stderr, JIT);
      expect(j, r.stderr).not.toBeNull();
      expect(Number(j![1])).toBeGreaterThan(mode === 'force' ? 100 : 10);
      expect(Number(j![3]) + Number(j![4])).toBe(Number(j![2]));
      // The benchmark's loops become traces.
      expect(Number(j![5])).toBeGreaterThan(0);
    }
  }, SLOW);

  it('refuses an unknown mode', () => {
    const r = runCli(['run', '--jit', 'fast', BENCH]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/--jit takes on, off or force/);
  }, SLOW);
});
