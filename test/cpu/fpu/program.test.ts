// End to end: a static glibc/libm program (native/fpprog.c) runs under the emulator's kernel
// and prints exactly what it prints on the host CPU (on qemu-i386 where the host cannot run
// i386 binaries: test/helpers/nativeI386.ts).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { guestReference } from '../../helpers/nativeI386.js';
import { runDir } from '../../helpers/runDir.js';
import { Kernel } from '../../../kernel/kernel.js';

const SRC = fileURLToPath(new URL('./native/fpprog.c', import.meta.url));
const REF = guestReference();

// Skipped only when there is no reference to run the program on; a failed build then fails.
const skip = typeof REF === 'string' ? REF : null;
if (skip) console.warn(`x87 program test skipped: ${skip}`);

function build(): string {
  const bin = `${runDir('fpu')}/fpprog`;
  const r = spawnSync('gcc', ['-m32', '-O2', '-static', '-o', bin, SRC, '-lm'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`gcc -m32 -static cannot build fpprog.c: ${(r.stderr || String(r.error)).slice(0, 300)}`);
  return bin;
}

describe.skipIf(skip !== null)('a libm program under the emulator', () => {
  it('prints the same as on the host', () => {
    const BIN = build();
    const [cmd, args] = (REF as Exclude<typeof REF, string>).argv(BIN, []);
    const native = spawnSync(cmd, args, { encoding: 'utf8' });
    expect(native.status).toBe(0);
    const out: number[] = [];
    const k = new Kernel({
      memoryBytes: 64 << 20, stdout: (d) => out.push(...d), stderr: (d) => out.push(...d), stdin: new Uint8Array(0),
      rootDir: process.cwd(), random: new Uint8Array(16),
    });
    k.execve('/fpprog', ['fpprog'], [], new Uint8Array(readFileSync(BIN)));
    const r = k.run();
    expect(r).toEqual({ exitCode: 0, signal: 0 });
    expect(Buffer.from(out).toString()).toBe(native.stdout);
  }, 120_000);
});
