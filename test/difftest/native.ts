// The native half: builds guest-programs/harness/difftest.c with gcc -m32 when it is missing or
// stale, and runs batches of cases through it (one process per batch).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Case, type Outcome, hex, fromHex } from './layout.js';
import { x64Replay } from '../helpers/nativeI386.js';

/** The repository root: the nearest directory above this module with a package.json (works bundled into dist/ too). */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(dir + '/package.json') && existsSync(dir + '/guest-programs')) return dir + '/';
    const up = dirname(dir);
    if (up === dir) throw new Error('difftest: cannot find the repository root');
    dir = up;
  }
}
const ROOT = findRoot();
export const HARNESS_SRC = ROOT + 'guest-programs/harness/difftest.c';
export const HARNESS_BIN = ROOT + 'guest-programs/build/difftest';
/** The x86-64 build of the same source, for hosts that cannot run i386 code (longMode.ts). */
export const HARNESS_BIN64 = ROOT + 'guest-programs/build/difftest64';

/**
 * I386_REFERENCE=qemu-i386 runs the i386 harness under qemu-i386 instead of on the host: a
 * peer emulator, not the real CPU, for the rows 64-bit replay cannot cover (stack, BCD, far
 * transfers) on hosts without i386 execution. Its own deviations show up as mismatches.
 */
export const QEMU_REFERENCE = process.env.I386_REFERENCE === 'qemu-i386';

/** Compiles the native harness (the x86-64 build in replay mode) if it is missing or older than its source. */
export function ensureHarness(qemu = QEMU_REFERENCE): string {
  const bin = x64Replay() && !qemu ? HARNESS_BIN64 : HARNESS_BIN;
  const stale = !existsSync(bin) || statSync(bin).mtimeMs < statSync(HARNESS_SRC).mtimeMs;
  if (stale) {
    mkdirSync(dirname(bin), { recursive: true });
    const m32 = bin === HARNESS_BIN ? ['-m32'] : [];
    const r = spawnSync('gcc', [...m32, '-O1', '-static', '-Wall', '-fno-pie', '-no-pie', '-o', bin, HARNESS_SRC], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`difftest: cannot build the native harness (gcc ${m32.join(' ')}):\n${r.stderr}${r.error ?? ''}`);
  }
  return bin;
}

function caseLine(c: Case): string {
  const words = [...c.regs, c.eflags].map((v) => (v >>> 0).toString(16));
  const patches = c.patches.length === 0 ? '-' : c.patches.map((p) => `${p.off.toString(16)}=${hex(p.bytes)}`).join(',');
  return `${hex(c.code)} ${c.start.toString(16)} ${words.join(' ')} ${patches} ${c.fx ? hex(c.fx) : '-'}`;
}

function parseLine(line: string): Outcome {
  const f = line.split(' ');
  if (f.length !== 15) throw new Error(`difftest harness: bad output line: ${line}`);
  const w = f.slice(0, 13).map((s) => parseInt(s, 16) >>> 0);
  return {
    sig: w[0], code: w[1], addr: w[2], eip: w[3],
    regs: w.slice(4, 12), eflags: w[12],
    mem: f[13], fx: f[14] === '-' ? null : fromHex(f[14]),
  };
}

/** Runs the cases on the host CPU (or qemu-i386), one outcome per case, in order. */
export function runNative(cases: Case[], qemu = QEMU_REFERENCE): Outcome[] {
  if (cases.length === 0) return [];
  const bin = ensureHarness(qemu);
  const input = cases.map(caseLine).join('\n') + '\n';
  const [cmd, args] = qemu ? ['qemu-i386', [bin]] : [bin, []];
  const r = spawnSync(cmd, args, { input, encoding: 'utf8', maxBuffer: 1 << 30, timeout: 300_000 });
  if (r.error) throw new Error(`difftest harness: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`difftest harness exited with ${r.status} (signal ${r.signal}): ${r.stderr}`);
  const lines = r.stdout.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length !== cases.length) throw new Error(`difftest harness: ${cases.length} cases in, ${lines.length} out\n${r.stderr}`);
  return lines.map(parseLine);
}
