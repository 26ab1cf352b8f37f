// Per-instruction differential tests: every spec in insn-cases.ts runs with a few hundred
// random operands (seeded, so failures reproduce) on the real CPU (guest-programs/build/insnrun)
// and on the emulator's CPU (test/helpers/snippet.ts). All registers, the scratch memory and
// the EFLAGS bits the manual defines for the instruction must agree.
//
//   INSN_CASES=50 npx vitest run test/cpu/insn-native.test.ts      fewer cases per spec
//   INSN_FILTER=shld npx vitest run test/cpu/insn-native.test.ts   only specs whose asm matches
//   INSN_FILTER='andn|crc32'                                     ... or any of several (| separates)
//
// INSN_CASES=0 (or anything but a whole number >= 1) is refused. On x86 Linux the tests never
// skip: a harness that is missing or cannot run there fails them (see insnHarnessSkip).
//
// A failure prints reproducers: the bytes, the inputs, both results, and the insnrun input line
// (`echo 'LINE' | guest-programs/build/insnrun` replays the case natively).
//
// On a host that cannot run i386 code (x64Replay(), e.g. a PVM guest) the native side runs in
// 64-bit mode through guest-programs/build/insnrun64, for the specs whose bytes x64ReplayCode()
// can replay there (re-encoded where needed); the others are skipped, and the run prints how
// many ran and which were left out, and why.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guestReference, hostVendor, nativeI386Unavailable, x64Replay } from '../helpers/nativeI386.js';
import { x64ReplayCode } from '../helpers/x64Replay.js';
import { STOP_NAMES } from '../../src/cpu/stop.js';
import {
  ARITH, DF, GenCase, InsnSpec, Rng, SPECS, asmOf, codeOf, generateCase, seedOf,
} from './insn-cases.js';
import {
  CASE_REG_NAMES, STACK_TOP, SnippetCase, SnippetResult, caseLine, casesPerSpec, hex, insnHarnessSkip, nativeHarness,
  runNative, runSnippet,
} from '../helpers/snippet.js';

const CASES = casesPerSpec(200);
const FILTER = process.env.INSN_FILTER ?? '';
const MAX_REPRODUCERS = 3;
/** Stop.Breakpoint: the snippet ran into the INT3 after it. */
const BREAKPOINT = 7;

const replay = x64Replay();
const skip = insnHarnessSkip();
if (skip) console.warn(`per-instruction differential tests skipped: ${skip}`);
// Neither i386 code nor 64-bit replay can run here although the host is x86 Linux: beforeAll fails.
const cannotRun = skip === null && !replay ? nativeI386Unavailable() : null;
const HARNESS = `guest-programs/build/${nativeHarness().split('/').pop()}`;
// Specs 64-bit replay cannot run are compared with qemu-i386 running the i386 harness instead,
// when it is the whole-program reference here: a peer emulator, not the CPU.
const REF = guestReference();
const viaQemu = replay && typeof REF !== 'string' && REF.name === 'qemu-i386';
const QEMU_HARNESS = 'qemu-i386 guest-programs/build/insnrun';

interface Prepared {
  spec: InsnSpec;
  cases: GenCase[];
  /** What the emulator runs. */
  inputs: SnippetCase[];
  /** What the real CPU runs: `inputs`, re-encoded for 64-bit mode when replaying. */
  nativeInputs: SnippetCase[];
  native: SnippetResult[];
  /** Replay only: why the spec's bytes cannot run in 64-bit mode (then skipped, or run on qemu-i386). */
  leftOut: string | null;
  /** The reference is qemu-i386 (a left-out spec, with qemu-i386 available). */
  qemu: boolean;
}

const prepared: Prepared[] = SPECS.filter((s) => FILTER.split('|').some((f) => s.asm.includes(f))).map((spec) => {
  const r = new Rng(seedOf(spec.asm));
  const cases: GenCase[] = [];
  const inputs: SnippetCase[] = [];
  const nativeInputs: SnippetCase[] = [];
  let leftOut: string | null = null;
  for (let k = 0; k < CASES; k++) {
    const c = generateCase(spec, r);
    cases.push(c);
    const input = { code: codeOf(spec, c.imm), regs: c.regs, eflags: c.eflags };
    inputs.push(input);
    if (!replay || leftOut !== null) continue;
    const x = x64ReplayCode(input.code);
    if ('reason' in x) leftOut = x.reason;
    else nativeInputs.push({ ...input, code: x.code });
  }
  const qemu = leftOut !== null && viaQemu;
  return { spec, cases, inputs, nativeInputs: replay && !qemu ? nativeInputs : inputs, native: [], leftOut, qemu };
});
const running = prepared.filter((p) => p.leftOut === null);
const onQemu = prepared.filter((p) => p.qemu);

if (replay) {
  const byReason = new Map<string, string[]>();
  for (const p of prepared) {
    if (p.leftOut !== null) byReason.set(p.leftOut, [...(byReason.get(p.leftOut) ?? []), p.spec.asm]);
  }
  const lines = [...byReason].map(([why, names]) => `  ${names.length} — ${why}: ${names.join(' | ')}`);
  console.log(
    `insn-native: this host cannot run i386 code (${nativeI386Unavailable()});\n` +
    `replaying in x86-64 mode on ${hostVendor()} through ${HARNESS}: ` +
    `${running.length} of ${prepared.length} specs run, ${prepared.length - running.length} left out` +
    `${viaQemu ? ' (compared with qemu-i386 instead)' : ''}:\n${lines.join('\n')}`,
  );
}

beforeAll(() => {
  if (skip) return;
  if (cannotRun) throw new Error(`per-instruction differential tests cannot run on this x86 Linux host: ${cannotRun}`);
  for (const [group, qemu] of [[running, false], [onQemu, true]] as const) {
    const results = runNative(group.flatMap((p) => p.nativeInputs), 300_000, qemu);
    let k = 0;
    for (const p of group) {
      p.native = results.slice(k, k + p.nativeInputs.length);
      k += p.nativeInputs.length;
    }
  }
}, 300_000);

const FLAG_BITS: Array<[number, string]> = [
  [0x001, 'CF'], [0x004, 'PF'], [0x010, 'AF'], [0x040, 'ZF'], [0x080, 'SF'], [0x400, 'DF'], [0x800, 'OF'],
];
const flagList = (f: number): string => FLAG_BITS.filter(([b]) => f & b).map(([, n]) => n).join(' ') || '-';
const h32 = (v: number): string => (v >>> 0).toString(16).padStart(8, '0');
const regsText = (regs: number[]): string => regs.map((v, i) => `${CASE_REG_NAMES[i]}=${h32(v)}`).join(' ');

/** What differs between native and emulator, compared under `flagMask`; empty when equal. */
function differences(n: SnippetResult, e: SnippetResult, flagMask: number): string[] {
  const d: string[] = [];
  if (e.stop !== BREAKPOINT) d.push(`emulator stopped with ${STOP_NAMES[e.stop] ?? e.stop} instead of reaching the end`);
  for (let k = 0; k < 7; k++) if (n.regs[k] !== e.regs[k]) d.push(CASE_REG_NAMES[k]);
  const fd = (n.eflags ^ e.eflags) & flagMask;
  if (fd) d.push(`eflags[${flagList(fd)}]`);
  if (e.stop === BREAKPOINT && e.esp !== STACK_TOP) d.push(`esp off by ${e.esp - STACK_TOP}`);
  let firstByte = -1;
  for (let i = 0; i < n.scratch.length; i++) {
    if (n.scratch[i] !== e.scratch[i]) {
      firstByte = i;
      break;
    }
  }
  if (firstByte >= 0) d.push(`scratch[0x${firstByte.toString(16)}]`);
  else if (n.scratchHash !== e.scratchHash) d.push('scratch beyond the first 256 bytes');
  return d;
}

function reproducer(p: Prepared, k: number, emu: SnippetResult | Error, diff: string[], mask: number): string {
  const c = p.cases[k];
  const n = p.native[k];
  const lines = [
    `${asmOf(p.spec, c.imm)}   [${hex(p.inputs[k].code)}]   compared flags: ${flagList(mask)}`,
    `  input:    ${regsText(c.regs)} eflags=${h32(c.eflags)} (${flagList(c.eflags)})`,
    `  native:   ${regsText(n.regs)} eflags=${h32(n.eflags)} (${flagList(n.eflags & (ARITH | DF))})`,
  ];
  if (emu instanceof Error) {
    lines.push(`  emulator: threw ${emu.stack ?? emu.message}`);
  } else {
    lines.push(`  emulator: ${regsText(emu.regs)} eflags=${h32(emu.eflags)} (${flagList(emu.eflags & (ARITH | DF))})`);
    lines.push(`  differs:  ${diff.join(', ')}`);
    const sd = diff.find((x) => x.startsWith('scratch['));
    if (sd) {
      const at = parseInt(sd.slice(10), 16) & ~15;
      lines.push(`  scratch+0x${at.toString(16)}: native ${hex(n.scratch.subarray(at, at + 16))}`);
      lines.push(`  ${' '.repeat(at.toString(16).length + 10)}emulator ${hex(emu.scratch.subarray(at, at + 16))}`);
    }
  }
  if (p.qemu) lines.push(`  (the reference is qemu-i386, not the CPU: ${p.leftOut})`);
  else if (replay) lines.push(`  replayed in 64-bit mode as [${hex(p.nativeInputs[k].code)}]`);
  lines.push(`  replay natively: echo '${caseLine(p.nativeInputs[k])}' | ${p.qemu ? QEMU_HARNESS : HARNESS}`);
  return lines.join('\n');
}

const failedSpecs: string[] = [];

const groups = [...new Set(prepared.map((p) => p.spec.group))];
for (const group of groups) {
  describe.skipIf(skip !== null)(group, () => {
    for (const p of prepared.filter((q) => q.spec.group === group)) {
      if (p.leftOut !== null && !p.qemu) {
        it.skip(`${p.spec.asm}  (not replayable in 64-bit mode: ${p.leftOut})`, () => {});
        continue;
      }
      it(p.qemu ? `${p.spec.asm}  (vs qemu-i386: ${p.leftOut})` : p.spec.asm, () => {
        const harness = p.qemu ? QEMU_HARNESS : HARNESS;
        const bad: string[] = [];
        let failures = 0;
        for (let k = 0; k < p.cases.length; k++) {
          const c = p.cases[k];
          const n = p.native[k];
          if (n.signal !== 0) {
            throw new Error(
              `case generator bug: the native run faulted (signal ${n.signal}) on\n  ${asmOf(p.spec, c.imm)} ` +
              `[${hex(p.inputs[k].code)}] ${regsText(c.regs)} eflags=${h32(c.eflags)}\n` +
              `  replay: echo '${caseLine(p.nativeInputs[k])}' | ${harness}`,
            );
          }
          const undef = typeof p.spec.undef === 'function' ? p.spec.undef(c) : p.spec.undef;
          const mask = (ARITH | DF) & ~undef;
          let emu: SnippetResult | Error;
          let diff: string[];
          try {
            emu = runSnippet(p.inputs[k].code, { regs: c.regs, eflags: c.eflags });
            diff = differences(n, emu, mask);
          } catch (e) {
            emu = e instanceof Error ? e : new Error(String(e));
            diff = ['threw'];
          }
          if (diff.length > 0) {
            failures++;
            if (bad.length < MAX_REPRODUCERS) bad.push(reproducer(p, k, emu, diff, mask));
            // An unimplemented instruction fails every case the same way: one reproducer is enough.
            if (!(emu instanceof Error) && emu.stop !== BREAKPOINT && emu.stop !== 0 && k === 0) break;
          }
        }
        if (failures > 0) {
          failedSpecs.push(`${p.spec.asm} (${failures}/${p.cases.length})`);
          expect.fail(`${failures} of ${p.cases.length} cases differ from the real CPU:\n\n${bad.join('\n\n')}`);
        }
      });
    }
  });
}

afterAll(() => {
  if (failedSpecs.length > 0) {
    console.log(`insn-native: ${failedSpecs.length} of ${running.length} specs differ:\n  ${failedSpecs.join('\n  ')}`);
  }
});
