// Test helper: real gdb in batch mode against the gdb stub serving a program (the reference
// for what the REPL's source-level commands print at the same breakpoint).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { GdbStub } from '../../src/debug/gdb/stub.js';
import { launch } from '../../src/debug/kernelTarget.js';
import { ENVP, RANDOM } from './guestBuild.js';

/** Serves prog with the stub and runs gdb -batch with the given commands; returns gdb's output. */
export async function gdbBatch(prog: string, commands: string[], stdin = new Uint8Array(0)): Promise<string> {
  const image = readFileSync(prog);
  const target = launch({
    program: prog, args: [], envp: ENVP, image, random: RANDOM, memoryBytes: 64 << 20,
    stdout: () => {}, stdin,
  });
  const stub = new GdbStub(target, image, { port: 0, log: () => {} });
  let port = 0;
  const served = stub.serve((p) => { port = p; });
  while (port === 0) await new Promise((r) => setTimeout(r, 10));
  const args = ['-batch', '-nx', '-ex', 'set confirm off', '-ex', 'set pagination off', '-ex', 'set width 0', '-ex', `file ${prog}`,
    '-ex', `target remote 127.0.0.1:${port}`, ...commands.flatMap((c) => ['-ex', c]), '-ex', 'kill'];
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn('gdb', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (d) => { text += d; });
    child.stderr.on('data', (d) => { text += d; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`gdb timed out:\n${text}`)); }, 60_000);
    child.on('close', () => { clearTimeout(timer); resolve(text); });
  });
  await Promise.race([served, new Promise((res) => setTimeout(res, 2000))]);
  return out;
}

/** The `$N = value` lines of a session, in order. */
export function printedValues(text: string): string[] {
  return text.split('\n').filter((l) => /^\$\d+ = /.test(l));
}
