// Whole-program differential tests: each guest program in guest-programs/build (static i386
// ELF binaries built by guest-programs/build.sh) runs natively and under the emulator CLI
//
//     node dist/i386emu.mjs run -- guest-programs/build/NAME ARGS...
//
// with the same arguments, environment and working directory; stdout and the exit status
// must be identical. Both sides get the same program path string, so argv[0] matches too.
// bench is left out (it is a benchmark, see scripts/bench.mjs). The -dyn (dynamically linked),
// -pie and -spie (static-pie) flavours load the host's Debian libc6-i386 through
// /lib/ld-linux.so.2 on both sides (qemu-i386 without -L uses the host's files too).
//
// GUEST_EMU="qemu-i386" npx vitest run test/guest   checks this test itself against another
// emulator (the command, split on spaces, replaces "node dist/i386emu.mjs run --").
// On a host that cannot run i386 binaries natively the reference is qemu-i386 instead
// (test/helpers/nativeI386.ts); the test says which it used.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { guestReference, nativeI386Unavailable } from '../helpers/nativeI386.js';
import { describeRun as describeRunFor, firstDifference, runCommand, type RunResult } from '../helpers/execReference.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const EMU = 'dist/i386emu.mjs';
const TIMEOUT_MS = 60_000;
/** The emulator command line before PROG ARGS. */
const EMU_CMD: string[] = process.env.GUEST_EMU
  ? process.env.GUEST_EMU.split(' ').filter((w) => w.length > 0)
  : [process.execPath, EMU, 'run', '--'];

/** The environment both sides run with, unless a case brings its own. */
const REF = guestReference();
if (typeof REF === 'string') console.warn(`guest programs: no reference to compare with: ${REF}`);
else if (REF.name !== 'native') console.warn(`guest programs: comparing with ${REF.name}: ${nativeI386Unavailable()}`);

const BASE_ENV: Record<string, string> = { PATH: '/usr/local/bin:/usr/bin:/bin', LC_ALL: 'C' };

interface GuestCase {
  prog: string;
  args?: string[];
  env?: Record<string, string>;
  /** Exit status the reference run must have (guards against a broken case). */
  status?: number;
}

const CASES: GuestCase[] = [
  { prog: 'hello', status: 0 },
  { prog: 'hello-O0', status: 0 },
  { prog: 'printf_ints', status: 0 },
  { prog: 'printf_ints-O0', status: 0 },
  { prog: 'malloc_free', status: 0 },
  { prog: 'strings', status: 0 },
  { prog: 'strings-O0', status: 0 },
  { prog: 'int64', status: 0 },
  { prog: 'int64-O0', status: 0 },
  { prog: 'exit_codes', status: 0 },
  { prog: 'exit_codes', args: ['0'], status: 0 },
  { prog: 'exit_codes', args: ['1'], status: 1 },
  { prog: 'exit_codes', args: ['42'], status: 42 },
  { prog: 'exit_codes', args: ['255'], status: 255 },
  { prog: 'exit_codes', args: ['256'], status: 0 },
  { prog: 'exit_codes', args: ['-1'], status: 255 },
  { prog: 'exit_codes', args: ['return', '3'], status: 3 },
  { prog: 'exit_codes', args: ['_exit', '7'], status: 7 },
  { prog: 'argv_env', env: { A: '1', B: 'two' }, status: 0 },
  {
    prog: 'argv_env', args: ['one', 'two words', '', 'ünïcödé ✓', '--flag=x', '-', '--'],
    env: { A: '1', B: 'two', EMPTY: '', WITH_EQUALS: 'x=y=z' }, status: 0,
  },
  { prog: 'argv_env', args: ['no', 'env'], env: {}, status: 0 },
  {
    prog: 'argv_env', args: ['x'.repeat(5000), ...Array.from({ length: 100 }, (_, i) => `arg${i}`)],
    env: { LONG: 'y'.repeat(3000), A: '1' }, status: 0,
  },
  // File system calls in a directory of its own under /tmp (guest-programs/src/files.c).
  { prog: 'files', status: 0 },
  // File mappings over the page cache: MAP_SHARED across fork, write() and mappings, msync,
  // ftruncate growing and shrinking (guest-programs/src/mmap_shared.c).
  { prog: 'mmap_shared', status: 0 },
  // Dynamic linking: ld.so, libc.so.6 and libm.so.6 from the host's libc6-i386.
  { prog: 'hello-dyn', status: 0 },
  { prog: 'hello-pie', status: 0 },
  { prog: 'hello-spie', status: 0 },
  { prog: 'printf_ints-dyn', status: 0 },
  { prog: 'printf_ints-pie', status: 0 },
  { prog: 'printf_ints-spie', status: 0 },
  { prog: 'malloc_free-dyn', status: 0 },
  { prog: 'malloc_free-pie', status: 0 },
  { prog: 'strings-pie', status: 0 },
  { prog: 'libm_funcs', status: 0 },
  { prog: 'libm_funcs-dyn', status: 0 },
  { prog: 'libm_funcs-pie', status: 0 },
  { prog: 'libm_funcs-spie', status: 0 },
  { prog: 'dlopen_libm-dyn', status: 0 },
  { prog: 'dlopen_libm-pie', status: 0 },
  { prog: 'threads-dyn', args: ['all'], status: 0 },
  { prog: 'threads-pie', args: ['all'], status: 0 },
  { prog: 'threads-spie', args: ['all'], status: 0 },
];

/** Runs a command to completion with empty stdin, collecting output, killing it after TIMEOUT_MS. */
function run(cmd: string, args: string[], env: Record<string, string>): Promise<RunResult> {
  return runCommand(cmd, args, env, '', TIMEOUT_MS);
}

const describeRun = (r: RunResult): string => describeRunFor(r, TIMEOUT_MS);

const label = (c: GuestCase): string => {
  const args = (c.args ?? []).map((a) => (a.length > 40 ? `<${a.length} chars>` : JSON.stringify(a)));
  const shown = args.length > 8 ? [...args.slice(0, 8), `... (${args.length} args)`] : args;
  const env = c.env ? ` env{${Object.keys(c.env).join(',')}}` : '';
  return [c.prog, ...shown].join(' ') + env;
};

describe.skipIf(typeof REF === 'string')(`guest programs: ${typeof REF === 'string' ? 'reference' : REF.name} vs emulator`, () => {
  it('the guest programs and the emulator bundle are built', () => {
    const missing = [...new Set(CASES.map((c) => `guest-programs/build/${c.prog}`))]
      .filter((p) => !existsSync(`${ROOT}/${p}`));
    expect(missing, 'run "bash guest-programs/build.sh"').toEqual([]);
    if (!process.env.GUEST_EMU) {
      expect(existsSync(`${ROOT}/${EMU}`), `${EMU} is missing: run "node scripts/build.mjs"`).toBe(true);
    }
  });

  for (const c of CASES) {
    it.concurrent(label(c), async () => {
      const prog = `guest-programs/build/${c.prog}`;
      const args = c.args ?? [];
      const env = c.env ?? BASE_ENV;
      const [refCmd, refArgs] = (REF as Exclude<typeof REF, string>).argv(prog, args);
      const native = await run(refCmd, refArgs, (REF as Exclude<typeof REF, string>).env(env));
      expect(native.error, `${refCmd} ${prog} did not start`).toBeUndefined();
      if (c.status !== undefined) {
        expect(native.status, `reference run: ${describeRun(native)}\n${native.stderr}`).toBe(c.status);
      }
      const emu = await run(EMU_CMD[0], [...EMU_CMD.slice(1), prog, ...args], env);
      const context =
        `${label(c)}\n  reference (${(REF as Exclude<typeof REF, string>).name}): ${describeRun(native)}, ${native.stdout.length} bytes of stdout\n` +
        `  emulator: ${describeRun(emu)}, ${emu.stdout.length} bytes of stdout\n` +
        `  ${firstDifference(native.stdout, emu.stdout, 'reference')}\n` +
        `  emulator stderr (last 1500 chars):\n${emu.stderr.slice(-1500)}\n` +
        `  reproduce: cd ${ROOT} && ${Object.keys(env).length ? `env -i ${Object.entries(env).map(([k, v]) => `'${k}=${v.length > 40 ? '...' : v}'`).join(' ')} ` : 'env -i '}` +
        `${process.env.GUEST_EMU ?? `node ${EMU} run --`} ${prog} ${args.length > 8 ? '...' : args.map((a) => `'${a}'`).join(' ')}`;
      expect(emu.stdout === native.stdout && emu.status === native.status && !emu.signal, context).toBe(true);
    }, 2 * TIMEOUT_MS + 10_000);
  }
});
