// Test helper: builds small static glibc guest programs with -g into a temporary directory
// (gcc -m32 -static, as guest-programs/build.sh does, plus debug information; removed when the
// test file is done), and runs scripted REPL sessions on them with a fixed environment and
// captured guest output.
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync, readFileSync } from 'node:fs';
import { Session } from '../../src/debug/session.js';
import { runScript } from '../../src/debug/repl.js';
import { launch, type KernelTarget } from '../../src/debug/kernelTarget.js';
import { join } from 'node:path';
import { makeTempDir, removeTempDir } from '../helpers/tempDir.js';

export function haveStaticGcc32(): boolean {
  const dir = makeTempDir('i386emu-cc-');
  try {
    writeFileSync(join(dir, 't.c'), 'int main(void){return 0;}\n');
    return spawnSync('gcc', ['-m32', '-static', '-o', join(dir, 't'), join(dir, 't.c')]).status === 0;
  } finally {
    removeTempDir(dir);
  }
}

/**
 * Compiles one C file (32-bit, -O0 -g; static non-PIE by default, or as gcc builds by default:
 * a dynamically linked PIE) and returns the program's path.
 */
export function buildGuest(name: string, source: string, flavour: 'static' | 'pie' = 'static'): string {
  const dir = makeTempDir('i386emu-guest-');
  const src = join(dir, `${name}.c`);
  const out = join(dir, name);
  writeFileSync(src, source);
  const how = flavour === 'static' ? ['-static', '-fno-pie', '-no-pie'] : ['-pie', '-fPIE'];
  execFileSync('gcc', ['-m32', ...how, '-O0', '-g', '-o', out, src]);
  return out;
}

/** The watchpoint guest: a global written twice through a function. */
export const WATCH_SOURCE = `#include <stdio.h>
int counter = 0;
int add(int a, int b) {
  int s = a + b;
  counter += s;
  return s;
}
int main(void) {
  int x = 1;
  x = add(x, 2);
  x = add(x, 3);
  printf("x=%d counter=%d\\n", x, counter);
  return x == 6 ? 0 : 1;
}
`;

export const ENVP = ['PATH=/usr/bin:/bin', 'HOME=/', 'LANG=C'];
export const RANDOM = new Uint8Array(16).fill(7);

/** Runs a REPL script on a program; returns the debugger's output and the guest's stdout. */
/**
 * A REPL session on prog driven one command at a time: cmd(line) returns what that command
 * printed; target() is the kernel target the last `run` launched.
 */
export function openKernelSession(prog: string): { cmd(line: string): Promise<string>; target(): KernelTarget } {
  let out = '';
  let target: KernelTarget | null = null;
  const image = readFileSync(prog);
  const s = new Session({
    out: (t) => { out += t; },
    image, programPath: prog, args: [],
    createTarget: () => (target = launch({
      program: prog, args: [], envp: ENVP, image, random: RANDOM, memoryBytes: 64 << 20,
      stdout: () => {}, stdin: new Uint8Array(0),
    })),
  });
  return {
    async cmd(line: string): Promise<string> {
      out = '';
      await runScript(s, line + '\n');
      return out;
    },
    target: () => target!,
  };
}

export async function replSession(prog: string, script: string, stdin = new Uint8Array(0)): Promise<{ out: string; guest: string }> {
  let out = '';
  let guest = '';
  const image = readFileSync(prog);
  const s = new Session({
    out: (t) => { out += t; },
    image,
    programPath: prog,
    args: [],
    createTarget: () => launch({
      program: prog, args: [], envp: ENVP, image, random: RANDOM, memoryBytes: 64 << 20,
      stdout: (d) => { guest += Buffer.from(d).toString('latin1'); }, stdin,
    }),
  });
  await runScript(s, script);
  return { out, guest };
}

