// Stack growth under RLIMIT_STACK (guest-programs/src/stack_limit.c): the stack grows on demand
// up to the limit, a setrlimit made by the program or a `ulimit -s` of the shell that started
// the emulator; beyond it the program gets SIGSEGV (SEGV_MAPERR), which a handler running on a
// sigaltstack catches and which otherwise kills it.
//
// No reference comparison here: qemu-i386 ignores setrlimit(RLIMIT_STACK) (getrlimit still says
// 8 MiB after it), keeps its own fixed 8 MiB guest stack with a guard page below (SEGV_ACCERR).
// The expected values are Linux's (mm/mmap.c acct_stack_growth: the stack area may span at most
// RLIMIT_STACK bytes from its end; the first access below that is SEGV_MAPERR at that address).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLI_ENV, ROOT } from '../cli/cliProcess.js';

const PROG = 'guest-programs/build/stack_limit';
const BUSYBOX = 'guest-programs/debian/busybox-static/bin/busybox';
const FRAME = 1000;
const TIMEOUT_MS = 120_000;

/** `i386emu run ARGS` started from bash after the given ulimit commands. */
function run(args: string[], ulimit = ''): { status: number | null; stdout: string; stderr: string } {
  const cmd = `${ulimit ? ulimit + '; ' : ''}exec "${process.execPath}" dist/i386emu.mjs run ${args.join(' ')}`;
  const r = spawnSync('bash', ['-c', cmd], { cwd: ROOT, env: CLI_ENV, encoding: 'utf8', timeout: 120_000, killSignal: 'SIGKILL' });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface Overflow { code: number; altstack: number; depth: number; deepest: number; fault: number }

/** The reports of each caught overflow, in order. */
function overflows(out: string): Overflow[] {
  const re = /caught SIGSEGV si_code=(\d+).* on_altstack=(\d+)\ndepth (\d+) frames of \d+ bytes; deepest frame (\d+) bytes below the stack end\nfault address (\d+) bytes below the stack end/g;
  return [...out.matchAll(re)].map((m) => ({ code: +m[1], altstack: +m[2], depth: +m[3], deepest: +m[4], fault: +m[5] }));
}

/** What Linux guarantees for one overflow at a limit of `limit` bytes. */
function expectStoppedAt(o: Overflow, limit: number): void {
  expect(o.code).toBe(1); // SEGV_MAPERR: no area there (the stack was not allowed to grow)
  expect(o.altstack).toBe(1);
  // The faulting access is just below the RLIMIT_STACK boundary measured from the area's end.
  expect(o.fault).toBeGreaterThan(limit);
  expect(o.fault).toBeLessThanOrEqual(limit + 4096);
  // The deepest frame fitted, and the next one would not have: the recursion used the limit.
  expect(o.deepest).toBeLessThanOrEqual(limit);
  expect(o.deepest).toBeGreaterThan(limit - 2 * (FRAME + 64));
  // depth × frame size is within the limit, less the initial stack contents (argv, envp, auxv).
  expect(o.depth * FRAME).toBeLessThanOrEqual(limit);
  expect(o.depth * FRAME).toBeGreaterThan(limit - 32 * 1024);
}

describe.skipIf(!existsSync(`${ROOT}/${PROG}`))('stack growth under RLIMIT_STACK', () => {
  it('setrlimit lowering the limit stops growth there; the SIGSEGV is caught on sigaltstack', () => {
    const r = run([PROG, 'catch', '256']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('now RLIMIT_STACK cur=262144 ');
    const o = overflows(r.stdout);
    expect(o).toHaveLength(1);
    expectStoppedAt(o[0], 256 * 1024);
  }, TIMEOUT_MS);

  it('raising the limit again lets the stack grow further (a lowered limit never shrank it)', () => {
    const r = run([PROG, 'regrow', '256']);
    expect(r.status).toBe(0);
    const o = overflows(r.stdout);
    expect(o).toHaveLength(2);
    expectStoppedAt(o[0], 256 * 1024);
    expectStoppedAt(o[1], 512 * 1024);
    expect(r.stdout).toContain('second recursion went deeper');
  }, TIMEOUT_MS);

  it('a vfork child\'s setrlimit is its own: the parent\'s stack still grows to the parent\'s limit', () => {
    const r = run([PROG, 'vfork', '512']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('after vfork child RLIMIT_STACK cur=524288 ');
    const o = overflows(r.stdout);
    expect(o).toHaveLength(1);
    expectStoppedAt(o[0], 512 * 1024);
  }, TIMEOUT_MS);

  it('the handler on the alternate stack can report and _exit by itself', () => {
    const r = run([PROG, 'exit', '300']);
    expect(r.status).toBe(0);
    const m = /^handler: SIGSEGV si_code=1 on_altstack=1, fault address (\d+) bytes below the stack end$/m.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(300 * 1024);
    expect(Number(m![1])).toBeLessThanOrEqual(300 * 1024 + 4096);
  }, TIMEOUT_MS);

  it('with no handler the process is killed by SIGSEGV', () => {
    const r = run([PROG, 'nocatch', '256']);
    expect(r.status).toBe(128 + 11);
    expect(r.stdout).toContain('recursing with no handler');
    expect(r.stderr).toMatch(/killed by SIGSEGV \(SEGV_MAPERR\)/);
    expect(r.stderr).toContain('[stack overflow: the stack may not grow past RLIMIT_STACK (256 KiB)]');
  }, TIMEOUT_MS);

  it('a handler without an alternate stack cannot run on the exhausted stack: killed by SIGSEGV', () => {
    const r = run([PROG, 'noaltstack', '256']);
    expect(r.status).toBe(128 + 11);
    expect(r.stdout).toContain('recursing with a handler but no alternate stack');
    expect(r.stdout).not.toContain('caught');
  }, TIMEOUT_MS);

  it('inherits `ulimit -s` from the shell that started the emulator', () => {
    const r = run([PROG, 'inherited'], 'ulimit -s 512');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('start RLIMIT_STACK cur=524288 max=524288');
    const o = overflows(r.stdout);
    expect(o).toHaveLength(1);
    expectStoppedAt(o[0], 512 * 1024);
  }, TIMEOUT_MS);

  it('a soft `ulimit -S -s` keeps the hard limit', () => {
    const r = run([PROG, 'inherited'], 'ulimit -S -s 1024 && ulimit -H -s 4096');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('start RLIMIT_STACK cur=1048576 max=4194304');
    expectStoppedAt(overflows(r.stdout)[0], 1024 * 1024);
  }, TIMEOUT_MS);

  it.skipIf(!existsSync(`${ROOT}/${BUSYBOX}`))('a guest shell\'s ulimit -s reaches the program it runs (fork, exec)', () => {
    const r = run([BUSYBOX, 'sh', '-c', `'ulimit -s 300; ${PROG} inherited'`]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('start RLIMIT_STACK cur=307200 max=307200');
    expectStoppedAt(overflows(r.stdout)[0], 300 * 1024);
  }, TIMEOUT_MS);

  it.skipIf(!existsSync(`${ROOT}/${BUSYBOX}`))('`ulimit -s unlimited` is RLIM_INFINITY in /proc/self/limits', () => {
    const r = run([BUSYBOX, 'cat', '/proc/self/limits'], 'ulimit -s unlimited');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^Max stack size +unlimited +unlimited +bytes/m);
    const m = run([BUSYBOX, 'cat', '/proc/self/limits'], 'ulimit -s 1000');
    expect(m.stdout).toMatch(/^Max stack size +1024000 +1024000 +bytes/m);
  }, TIMEOUT_MS);
});
