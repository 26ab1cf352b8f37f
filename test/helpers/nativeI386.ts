// Can this host run i386 Linux binaries natively? Every differential test's reference is the
// real CPU and kernel running the same 32-bit code, so each asks here first.
//
// Not every x86-64 host can: a kernel built without IA32 emulation, one booted with
// ia32_emulation=0, or a PVM guest (the paravirtualised VMs some CI machines are) refuse an
// i386 ELF with ENOEXEC and have no 32-bit code segment to far-jump into. Node's spawn then
// falls back to running the file through /bin/sh, so the probe checks what the program
// printed, not only that it started.
//
// For whole guest programs (stdout and exit status) qemu-i386 is the fallback reference when
// the host cannot run them; I386_REFERENCE=native|qemu-i386 forces one.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HELLO = fileURLToPath(new URL('../../guest-programs/build/hello', import.meta.url));
const HELLO_OUT = 'Hello, world!\nHello, world!\n';

let probed: string | null | undefined;

/**
 * Runs a static i386 hello world: guest-programs/build/hello, or one built for the probe in a
 * temporary directory (removed again) when that is not there.
 */
function runProbe(): SpawnSyncReturns<string> | { error: string } {
  if (existsSync(HELLO)) return spawnSync(HELLO, [], { encoding: 'utf8', timeout: 10_000 });
  const dir = mkdtempSync(join(tmpdir(), 'i386emu-probe-'));
  try {
    const src = join(dir, 'hello.c');
    writeFileSync(src, '#include <stdio.h>\nint main(void){puts("Hello, world!");puts("Hello, world!");return 0;}\n');
    const bin = join(dir, 'hello');
    const r = spawnSync('gcc', ['-m32', '-static', '-o', bin, src], { encoding: 'utf8' });
    if (r.status !== 0) {
      return { error: `gcc -m32 -static cannot build a probe (is gcc-multilib installed?): ${(r.stderr || String(r.error)).slice(0, 200)}` };
    }
    return spawnSync(bin, [], { encoding: 'utf8', timeout: 10_000 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Null when i386 binaries run natively here; otherwise why not, in one sentence. */
export function nativeI386Unavailable(): string | null {
  if (probed !== undefined) return probed;
  if (process.platform !== 'linux' || (process.arch !== 'x64' && process.arch !== 'ia32')) {
    probed = `the host is ${process.platform}/${process.arch}, not x86 Linux`;
    return probed;
  }
  if (process.env.I386_REFERENCE === 'qemu-i386') {
    probed = 'I386_REFERENCE=qemu-i386 is set';
    return probed;
  }
  const r = runProbe();
  if (!('status' in r)) {
    probed = r.error;
    return probed;
  }
  if (r.status === 0 && r.stdout === HELLO_OUT) {
    probed = null;
  } else {
    const why = /Syntax error|Exec format error|cannot execute/i.test(r.stderr ?? '') || r.status === 2 || r.status === 126
      ? 'the kernel refuses i386 ELF binaries (Exec format error: no IA32 emulation, as in a PVM guest)'
      : `a static i386 hello world did not run (status ${r.status}, ${r.error?.message ?? (r.stderr ?? '').trim().slice(0, 120)})`;
    probed = `native i386 execution is unavailable on this host: ${why}`;
  }
  return probed;
}

/** A reference that runs a whole i386 program: the host itself, or qemu-i386. */
export interface GuestReference {
  name: 'native' | 'qemu-i386';
  /** The command line that runs PROG ARGS on the reference. */
  argv(prog: string, args: string[]): [string, string[]];
  /** The environment to start it with so that the guest sees ENV in ENV's order. */
  env(env: Record<string, string>): Record<string, string>;
}

let reference: GuestReference | string | undefined;

function qemuI386(): string | null {
  const r = spawnSync('qemu-i386', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? null : 'qemu-i386 is not installed (Debian package qemu-user)';
}

/** The reference for whole-program differential tests, or why there is none. */
export function guestReference(): GuestReference | string {
  if (reference !== undefined) return reference;
  const forced = process.env.I386_REFERENCE;
  const native = nativeI386Unavailable(); // says so itself when qemu-i386 is forced
  if (native === null) {
    reference = { name: 'native', argv: (prog, args) => [prog, args], env: (e) => e };
  } else if (forced === 'native') {
    reference = native;
  } else {
    const q = qemuI386();
    reference = q === null
      ? {
        name: 'qemu-i386',
        argv: (prog, args) => ['qemu-i386', [prog, ...args]],
        // qemu-user hands its own environment to the guest in reverse order.
        env: (e) => Object.fromEntries(Object.entries(e).reverse()),
      }
      : `${native}; ${q}`;
  }
  return reference;
}

/**
 * True when i386 code cannot run here but x86-64 code can: the per-instruction harnesses then
 * replay, in 64-bit mode, those cases whose bytes mean the same there (see each harness).
 */
export function x64Replay(): boolean {
  return nativeI386Unavailable() !== null && process.platform === 'linux' && process.arch === 'x64'
    && process.env.I386_REFERENCE !== 'qemu-i386';
}

let vendor: 'intel' | 'amd' | 'other' | undefined;

/** The host CPU's vendor, from /proc/cpuinfo. The emulator models an Intel CPU (CPUID GenuineIntel). */
export function hostVendor(): 'intel' | 'amd' | 'other' {
  if (vendor !== undefined) return vendor;
  let info = '';
  try { info = readFileSync('/proc/cpuinfo', 'utf8'); } catch { /* not Linux */ }
  vendor = info.includes('GenuineIntel') ? 'intel' : info.includes('AuthenticAMD') ? 'amd' : 'other';
  return vendor;
}
