// End to end: a static glibc/libm program (native/fpprog.c) runs under the emulator's kernel
// and prints exactly what it prints on the host CPU (on qemu-i386 where the host cannot run
// i386 binaries: test/helpers/nativeI386.ts).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { guestReference } from '../../helpers/nativeI386.js';
import { Kernel } from '../../../kernel/kernel.js';

const SRC = fileURLToPath(new URL('./native/fpprog.c', import.meta.url));
const BIN = '/tmp/i386emu-fpu/fpprog';

const REF = guestReference();

function build(): string | null {
  if (typeof REF === 'string') return REF;
  try {
    mkdirSync('/tmp/i386emu-fpu', { recursive: true });
    if (!existsSync(BIN) || statSync(BIN).mtimeMs < statSync(SRC).mtimeMs) {
      const r = spawnSync('gcc', ['-m32', '-O2', '-static', '-o', BIN, SRC, '-lm'], { encoding: 'utf8' });
      if (r.status !== 0) return `gcc -m32 -static cannot build fpprog.c: ${r.stderr.slice(0, 200)}`;
    }
    return null;
  } catch (e) {
    return String(e);
  }
}

const skip = build();
if (skip) console.warn(`x87 program test skipped: ${skip}`);

describe.skipIf(skip !== null)('a libm program under the emulator', () => {
  it('prints the same as on the host', () => {
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
