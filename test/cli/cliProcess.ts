// Runs the i386emu command line (dist/i386emu.mjs) as a child process for the CLI tests, always
// under a time limit after which the child is killed (SIGKILL), so a hung emulator fails a test
// instead of hanging the host. The child gets a fixed two-variable environment, so what the
// guest sees (envp, `/* 2 vars */` in --strace) does not depend on the test runner's.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EMULATOR_ENV } from '../helpers/execReference.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI_ENV: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' };

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `i386emu ARGS...` in the repository root, stdin from `input`; throws if it outlives timeoutMs. */
export function runCli(args: string[], input = '', timeoutMs = 60_000): CliResult {
  const r = spawnSync(process.execPath, ['dist/i386emu.mjs', ...args], {
    cwd: ROOT, env: { ...CLI_ENV, ...EMULATOR_ENV }, input, encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 << 20,
  });
  if (r.error) throw new Error(`i386emu ${args.join(' ')}: ${r.error.message}\nstderr: ${r.stderr}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Any other program (gdb, nm, objdump) under the same kind of time limit. */
export function runTool(cmd: string, args: string[], timeoutMs = 60_000): CliResult {
  const r = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 << 20 });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}\noutput: ${r.stdout}${r.stderr}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function haveTool(cmd: string): boolean {
  return spawnSync(cmd, ['--version'], { encoding: 'utf8', timeout: 20_000 }).status === 0;
}

/** The address of a symbol of a static guest program, from nm. */
export function symbolAddress(prog: string, name: string): number {
  const r = runTool('nm', [prog]);
  const line = r.stdout.split('\n').find((l) => l.endsWith(` ${name}`) && /^[0-9a-f]+ [A-Za-z] /.test(l));
  if (!line) throw new Error(`nm: no symbol ${name} in ${prog}`);
  return parseInt(line.split(' ')[0], 16);
}

/** An `i386emu run --gdb 0` child waiting for gdb. */
export interface GdbServer {
  port: number;
  /** Resolves when the emulator exits (with everything it printed). */
  exited: Promise<CliResult>;
  /** Ends the emulator if it is still running (safe to call twice). */
  kill(): void;
}

/** Starts `i386emu run --gdb 0 PROG ARGS...` and waits for its "waiting for gdb on HOST:PORT" line. */
export async function startGdbServer(prog: string, args: string[] = [], timeoutMs = 20_000): Promise<GdbServer> {
  const child = spawn(process.execPath, ['dist/i386emu.mjs', 'run', '--gdb', '0', prog, ...args], {
    cwd: ROOT, env: CLI_ENV, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  const exited = new Promise<CliResult>((resolve) => {
    child.on('close', (code) => resolve({ status: code, stdout, stderr }));
  });
  const kill = () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = /waiting for gdb on 127\.0\.0\.1:(\d+)/.exec(stderr);
    if (m) return { port: Number(m[1]), exited, kill };
    if (child.exitCode !== null || Date.now() > deadline) {
      kill();
      throw new Error(`i386emu run --gdb 0 ${prog} did not start listening:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The emulator's result, or a failure if it has not exited within timeoutMs (it is then killed). */
export async function exitOf(server: GdbServer, timeoutMs = 20_000): Promise<CliResult> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => { server.kill(); reject(new Error('i386emu did not exit after the gdb session')); }, timeoutMs);
  });
  try {
    return await Promise.race([server.exited, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * gdb -batch against the server, one -ex per command, with PROG as its local file (null: none,
 * gdb then reads the program from the target); returns gdb's stdout and stderr together. gdb
 * runs asynchronously, so the emulator's output keeps draining meanwhile.
 */
export function gdbBatch(prog: string | null, port: number, commands: string[], timeoutMs = 60_000): Promise<string> {
  const file = prog === null ? [] : ['-ex', `file ${ROOT}${prog}`];
  const args = ['-batch', '-nx', '-ex', 'set confirm off', '-ex', 'set pagination off',
    ...file, '-ex', `target remote 127.0.0.1:${port}`, ...commands.flatMap((c) => ['-ex', c])];
  return new Promise((resolve, reject) => {
    const child = spawn('gdb', args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { text += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { text += d; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`gdb timed out:\n${text}`)); }, timeoutMs);
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', () => { clearTimeout(timer); resolve(text); });
  });
}
