// A reference for guest programs that start other i386 programs (execve, posix_spawn, "#!"
// scripts, shells running commands).
//
// On a host that runs i386 code natively the reference is the host itself. Plain qemu-i386
// (guestReference()'s fallback) cannot be one: qemu-user passes execve to the host kernel,
// which refuses the i386 ELF of the new image with ENOEXEC. So on such a host the program
// runs in a new user and mount namespace (unshare -Urm, no privileges needed) in which a
// private binfmt_misc instance (per user namespace since Linux 6.7) sends every i386 ELF to
// qemu-i386, with flags F (the interpreter is opened at registration) and P (argv[0] is
// preserved). The host's binfmt_misc is not touched. Every exec in the guest, the first
// one included, then goes through qemu-i386.
//
// qemu-user hands the environment to its guest in reverse order; the top-level environment
// is passed pre-reversed, but one a guest passes to execve arrives reversed (keep it to one
// variable in tests).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { guestReference, nativeI386Unavailable } from './nativeI386.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const HELLO = 'guest-programs/build/hello';

/** The binfmt_misc registration of qemu-binfmt-conf.sh for i386 ELF executables, flags F and P. */
function registration(qemu: string): string {
  const magic = '\\x7fELF\\x01\\x01\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x02\\x00\\x03\\x00';
  const mask = '\\xff\\xff\\xff\\xff\\xff\\xfe\\xfe\\x00\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xff\\xfe\\xff\\xff\\xff';
  return `:qemu-i386:M::${magic}:${mask}:${qemu}:FP`;
}

// $0 is the registration string, "$@" the environment assignments and the command line.
const WRAPPER = 'mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc'
  + ' && printf %s "$0" > /proc/sys/fs/binfmt_misc/register && exec env -i "$@"';

export interface ExecReference {
  name: 'native' | 'qemu-i386 (binfmt_misc in a user namespace)';
  /** Command and arguments that run PROG ARGS with exactly ENV (in ENV's order). */
  command(prog: string, args: string[], env: Record<string, string>): [string, string[], Record<string, string>];
}

let cached: ExecReference | string | undefined;

/** The reference for programs that exec i386 programs, or why there is none on this host. */
export function execReference(): ExecReference | string {
  if (cached !== undefined) return cached;
  const ref = guestReference();
  if (typeof ref === 'string') {
    cached = ref;
  } else if (ref.name === 'native') {
    cached = { name: 'native', command: (prog, args, env) => [prog, args, env] };
  } else {
    const which = spawnSync('sh', ['-c', 'command -v qemu-i386'], { encoding: 'utf8' });
    const qemu = which.stdout.trim();
    const wrapped: ExecReference = {
      name: 'qemu-i386 (binfmt_misc in a user namespace)',
      command: (prog, args, env) => {
        const assignments = Object.entries(env).reverse().map(([k, v]) => `${k}=${v}`);
        return ['unshare', ['--user', '--map-root-user', '--mount', 'sh', '-c', WRAPPER, registration(qemu),
          ...assignments, prog, ...args], { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' }]; // env -i clears it for the guest
      },
    };
    if (!qemu.startsWith('/')) {
      cached = 'qemu-i386 is not on PATH';
    } else if (!existsSync(ROOT + HELLO)) {
      cached = `${HELLO} is missing: run "bash guest-programs/build.sh"`;
    } else {
      const [cmd, args, env] = wrapped.command(HELLO, [], {});
      const r = spawnSync(cmd, args, { cwd: ROOT, env, encoding: 'utf8', timeout: 20_000 });
      cached = r.status === 0 && r.stdout === 'Hello, world!\nHello, world!\n'
        ? wrapped
        : `${nativeI386Unavailable()}, and qemu-i386 cannot be registered with a private binfmt_misc `
          + `(unshare -Urm and mount -t binfmt_misc, Linux 6.7 or later): ${(r.stderr || String(r.error ?? r.status)).trim().slice(0, 200)}`;
    }
  }
  return cached;
}

export interface RunResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  error?: Error;
}

/** Runs a command from the repository root with STDIN as its input, killing it after TIMEOUT_MS. */
export function runCommand(cmd: string, args: string[], env: Record<string, string>, stdin: string,
  timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      // the whole process group: a guest's children too (the reference's are real processes)
      try { process.kill(-child.pid!, 'SIGKILL'); } catch { child.kill('SIGKILL'); }
    }, timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => { /* the program need not read its input */ });
    child.stdin.end(stdin);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ status: null, signal: null, stdout: '', stderr: '', timedOut, error });
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({
        status, signal, timedOut,
        stdout: Buffer.concat(out).toString('latin1'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}

/** How a run ended, in a few words. */
export function describeRun(r: RunResult, timeoutMs: number): string {
  if (r.error) return `failed to start: ${r.error.message}`;
  if (r.timedOut) return `killed after ${timeoutMs / 1000} s`;
  if (r.signal) return `killed by ${r.signal}`;
  return `exit status ${r.status}`;
}

/** Where two outputs part ways. */
export function firstDifference(want: string, got: string, wantName = 'expected'): string {
  const a = want.split('\n');
  const b = got.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) {
      const show = (l: string | undefined): string =>
        l === undefined ? '<end of output>' : JSON.stringify(l.length > 200 ? l.slice(0, 200) + '...' : l);
      return `first difference at stdout line ${i + 1}:\n    ${wantName}: ${show(a[i])}\n    emulator: ${show(b[i])}`;
    }
  }
  return 'outputs are equal';
}

/** At most two programs at a time across a test file (each may start several processes). */
let running = 0;
const queue: Array<() => void> = [];
export async function limited<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= 2) await new Promise<void>((resolve) => queue.push(resolve));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    queue.shift()?.();
  }
}

/** The environment guest-program tests run both sides with. */
export const GUEST_TEST_ENV = { PATH: '/usr/local/bin:/usr/bin:/bin', LC_ALL: 'C' };

/**
 * What the emulator's process gets besides a test's environment: the block compiler's mode when
 * the suite runs with I386EMU_JIT set (the emulator keeps it out of the guest's environment).
 */
export const EMULATOR_ENV: Record<string, string> = process.env.I386EMU_JIT ? { I386EMU_JIT: process.env.I386EMU_JIT } : {};

/** `i386emu run -- PROG ARGS...` from the built bundle. */
export function runUnderEmulator(prog: string, args: string[], timeoutMs: number): Promise<RunResult> {
  return runCommand(process.execPath, ['dist/i386emu.mjs', 'run', '--', prog, ...args], { ...GUEST_TEST_ENV, ...EMULATOR_ENV }, '', timeoutMs);
}

/**
 * Runs prog (no arguments) under the reference (guestReference(): native i386 or qemu-i386)
 * and under the emulator, asserting both exit 0 and print the same; returns the emulator's run.
 */
export async function expectSameAsReference(prog: string, timeoutMs: number,
  expect: (v: unknown, msg?: string) => { toBe(x: unknown): void }): Promise<RunResult> {
  const ref = guestReference();
  if (typeof ref === 'string') throw new Error(`no reference: ${ref}`);
  const [cmd, args] = ref.argv(prog, []);
  const want = await runCommand(cmd, args, ref.env(GUEST_TEST_ENV), '', timeoutMs);
  expect(want.status, `reference (${ref.name}): ${describeRun(want, timeoutMs)}`).toBe(0);
  const got = await runUnderEmulator(prog, [], timeoutMs);
  expect(got.stdout, `${describeRun(got, timeoutMs)}\n${firstDifference(want.stdout, got.stdout, ref.name)}\n${got.stderr.slice(-1500)}`)
    .toBe(want.stdout);
  expect(got.status).toBe(0);
  return got;
}
