// The native half of the per-instruction differential tests: runs cases through
// guest-programs/build/insnrun (see guest-programs/harness/insnrun.c for the contract) and
// parses its output. Also the constants and formats both halves share. This module does not
// import the emulator, so it works even when the CPU does not build.
//
// On a host that cannot run i386 code but can run x86-64 (x64Replay()), the native half is
// guest-programs/build/insnrun64 instead: the same harness built for 64-bit mode, which the
// caller must feed only with snippets re-encoded by x64ReplayCode() (see x64Replay.ts).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PAGE_SIZE } from '../../src/mmu/physicalMemory.js';
import { Stop } from '../../src/cpu/stop.js';
import { x64Replay } from './nativeI386.js';

export const CODE_ADDR = 0x00400000;
export const STACK_ADDR = 0x00800000;
export const STACK_TOP = STACK_ADDR + PAGE_SIZE;
export const SCRATCH_ADDR = 0x10000000;
export const SCRATCH_SIZE = 4096;
/** How many scratch bytes a result carries (the whole page is covered by scratchHash). */
export const SCRATCH_SHOWN = 256;
/** EFLAGS bits a case may set: CF PF AF ZF SF OF and DF. */
export const LOADABLE_FLAGS = 0x0cd5;
/** Register slots of a case, in order, as Cpu.regs indices. */
export const CASE_REGS = [0, 1, 2, 3, 5, 6, 7] as const;
export const CASE_REG_NAMES = ['eax', 'ecx', 'edx', 'ebx', 'ebp', 'esi', 'edi'] as const;

export const INSNRUN = fileURLToPath(new URL('../../guest-programs/build/insnrun', import.meta.url));
export const INSNRUN64 = fileURLToPath(new URL('../../guest-programs/build/insnrun64', import.meta.url));

/**
 * Cases per spec: INSN_CASES, else `fallback`. Anything but a whole number >= 1 is refused: a
 * loop over zero cases would pass without checking anything.
 */
export function casesPerSpec(fallback: number): number {
  const raw = process.env.INSN_CASES;
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`INSN_CASES=${raw}: give a whole number of cases per instruction, at least 1`);
  }
  return n;
}

/**
 * Why the per-instruction tests cannot run here at all, or null. Only a host that is not x86
 * Linux, or a forced qemu-i386 reference, skips them: on x86 Linux a harness that does not
 * build or run (natively or in 64-bit replay) is a failure, not a skip.
 */
export function insnHarnessSkip(): string | null {
  if (process.platform !== 'linux' || (process.arch !== 'x64' && process.arch !== 'ia32')) {
    return `the host is ${process.platform}/${process.arch}, not x86 Linux`;
  }
  if (process.env.I386_REFERENCE === 'qemu-i386') return 'I386_REFERENCE=qemu-i386 is set';
  return null;
}

/** The harness runNative uses on this host: insnrun, or insnrun64 when replaying in 64-bit mode. */
export function nativeHarness(): string {
  return x64Replay() ? INSNRUN64 : INSNRUN;
}

export interface SnippetInit {
  /** eax ecx edx ebx ebp esi edi */
  regs: number[];
  eflags: number;
}

export interface SnippetCase extends SnippetInit {
  code: Uint8Array | number[];
}

export interface SnippetResult {
  /** eax ecx edx ebx ebp esi edi after the snippet, as unsigned 32-bit numbers. */
  regs: number[];
  eflags: number;
  /** The first SCRATCH_SHOWN bytes of the scratch page. */
  scratch: Uint8Array;
  /** FNV-1a hash of the whole 4 KiB scratch page. */
  scratchHash: number;
  /** Stop.Breakpoint when the snippet ran to its end; otherwise why it stopped. */
  stop: number;
  /** Native only: the signal that ended the snippet (0 when none). */
  signal: number;
  /** Emulator only: ESP after the snippet (it should be back at STACK_TOP). */
  esp: number;
}

export function scratchPattern(): Uint8Array {
  const p = new Uint8Array(SCRATCH_SIZE);
  for (let i = 0; i < SCRATCH_SIZE; i++) p[i] = (i * 7 + 3) & 0xff;
  return p;
}
const PATTERN = scratchPattern();

export function fnv1a(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 16777619);
  return h >>> 0;
}

// ---- the native side --------------------------------------------------------------------

const SIGNAL_STOP: Record<number, number> = {
  4: Stop.InvalidOpcode, // SIGILL
  5: Stop.Breakpoint, // SIGTRAP
  7: Stop.PageFault, // SIGBUS
  8: Stop.DivideError, // SIGFPE
  11: Stop.PageFault, // SIGSEGV (or #GP)
};

export function hex(bytes: Uint8Array | number[]): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += (bytes[i] & 0xff).toString(16).padStart(2, '0');
  return s;
}

export function caseLine(c: SnippetCase): string {
  const words = [...c.regs, c.eflags].map((v) => (v >>> 0).toString(16));
  return `${hex(c.code)} ${words.join(' ')}`;
}

function parseNativeLine(line: string): SnippetResult {
  const f = line.trim().split(/\s+/);
  if (f[0] === 'FAULT') {
    const signal = Number(f[1]);
    return {
      regs: [], eflags: 0, scratch: new Uint8Array(0), scratchHash: 0,
      stop: SIGNAL_STOP[signal] ?? -1, signal, esp: 0,
    };
  }
  if (f.length !== 10) throw new Error(`insnrun: cannot parse output line: ${line}`);
  const w = f.slice(0, 9).map((s) => parseInt(s, 16) >>> 0);
  let scratch: Uint8Array;
  if (f[9] === '=') {
    scratch = PATTERN.slice(0, SCRATCH_SHOWN);
  } else {
    scratch = new Uint8Array(SCRATCH_SHOWN);
    for (let i = 0; i < SCRATCH_SHOWN; i++) scratch[i] = parseInt(f[9].substr(2 * i, 2), 16);
  }
  return {
    regs: w.slice(0, 7), eflags: w[7], scratch, scratchHash: w[8],
    stop: Stop.Breakpoint, signal: 0, esp: STACK_TOP,
  };
}

/**
 * Runs many cases on the real CPU with one insnrun process (nativeHarness()) and returns one
 * result per case, in order. Throws with insnrun's stderr if the harness is missing or fails.
 */
export function runNative(cases: SnippetCase[], timeoutMs = 120_000, viaQemu = false): SnippetResult[] {
  // viaQemu: the i386 harness under qemu-i386, a peer emulator standing in for the CPU where
  // neither i386 execution nor 64-bit replay can run a snippet.
  const harness = viaQemu ? INSNRUN : nativeHarness();
  if (!existsSync(harness)) {
    throw new Error(`${harness} is missing: run "bash guest-programs/build.sh" first`);
  }
  if (cases.length === 0) return [];
  const input = cases.map(caseLine).join('\n') + '\n';
  const r = spawnSync(viaQemu ? 'qemu-i386' : harness, viaQemu ? [harness] : [], {
    input, encoding: 'utf8', maxBuffer: 1 << 30, timeout: timeoutMs,
  });
  if (r.error) throw new Error(`insnrun: ${r.error.message}`);
  if (r.status !== 0) {
    throw new Error(`insnrun exited with status ${r.status} (signal ${r.signal}): ${r.stderr}`);
  }
  const lines = r.stdout.split('\n').filter((l) => l.length > 0);
  if (lines.length !== cases.length) {
    throw new Error(`insnrun: ${cases.length} cases in, ${lines.length} results out\n${r.stderr}`);
  }
  return lines.map(parseNativeLine);
}
