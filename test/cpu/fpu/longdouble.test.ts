// long double values produced by ordinary compiled C on the host (gcc -m32 keeps long double
// in the x87) round-trip through the emulator bit for bit: FLD m80 / FSTP m80, and the
// conversions the C program did (double, float, llrintl) come out the same through the
// emulator's FST m64, FST m32 and FISTP m64. Where the host cannot run i386 code the program
// is built for x86-64 instead: long double is the x87 80-bit type there too, and the
// conversions are the same x87 stores.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { nativeI386Unavailable, x64Replay } from '../../helpers/nativeI386.js';
import { runDir } from '../../helpers/runDir.js';
import { DATA_ADDR, hex, makeCpu } from './fpuHarness.js';

const SRC = fileURLToPath(new URL('./native/longdouble.c', import.meta.url));
const REPLAY = x64Replay();
const GCC_ARGS = REPLAY ? ['-O1'] : ['-m32', '-O1'];

// Skipped only where neither i386 nor the x86-64 build can run; a failed build then fails.
const skip = REPLAY ? null : nativeI386Unavailable();
if (skip) console.warn(`long double round-trip test skipped: ${skip}`);

function build(): string {
  const bin = `${runDir('fpu')}/${REPLAY ? 'longdouble-x64' : 'longdouble'}`;
  const r = spawnSync('gcc', [...GCC_ARGS, '-o', bin, SRC, '-lm'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`gcc ${GCC_ARGS.join(' ')} cannot build longdouble.c: ${(r.stderr || String(r.error)).slice(0, 300)}`);
  return bin;
}

function unhex(s: string): number[] {
  const b: number[] = [];
  for (let i = 0; i < s.length; i += 2) b.push(parseInt(s.substr(i, 2), 16));
  return b;
}

describe.skipIf(skip !== null)('long double values from compiled C', () => {
  it('round-trip through FLD/FSTP m80 and convert like the host', () => {
    const r = spawnSync(build(), [], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThan(1000);
    const c = makeCpu();
    const m = c.mmu;
    const ea = DATA_ADDR;
    const exec = (op: number, modrm: number, a: number) => { c.fpu.exec(c, op, modrm, a); expect(c.stopReason).toBe(-1); };
    let checked = 0;
    for (const line of lines) {
      const [ld, d, f, ll] = line.split(' ');
      const bytes = unhex(ld);
      c.fpu.reset();
      for (let i = 0; i < 10; i++) m.write8(ea + i, bytes[i]);
      exec(0xdb, 0x28, ea); // FLD m80
      exec(0xd9, 0xc0, 0); // FLD ST(0)
      exec(0xd9, 0xc0, 0);
      exec(0xd9, 0xc0, 0);
      exec(0xdb, 0x38, ea + 16); // FSTP m80
      exec(0xdd, 0x18, ea + 32); // FSTP m64
      exec(0xd9, 0x18, ea + 48); // FSTP m32
      const big = Math.abs(c.fpu.stValue(0)) >= 9.2e18;
      exec(0xdf, 0x38, ea + 64); // FISTP m64
      const read = (a: number, n: number) => { const o: number[] = []; for (let i = 0; i < n; i++) o.push(m.read8(a + i)); return hex(o); };
      expect(read(ea + 16, 10), `m80 ${line}`).toBe(ld);
      expect(read(ea + 32, 8), `m64 ${line}`).toBe(d);
      expect(read(ea + 48, 4), `m32 ${line}`).toBe(f);
      if (!big) expect(read(ea + 64, 8), `int64 ${line}`).toBe(ll);
      checked++;
    }
    expect(checked).toBe(lines.length);
  });
});
