// The differential tester's driver: generates batches of random sequences, runs each batch
// natively (one harness process) and on the emulator, compares the outcomes with the
// undefined-flag masks of the opcode table, and shrinks each mismatch to the shortest window
// of the sequence (usually one instruction) that still diverges from the same starting state.
import type { Cpu } from '../../src/cpu/cpu.js';
import { Gen, type Unit, runtimeFlagEffect, type FlagEffect } from './gen.js';
import { TABLE, pickable } from './opcodes.js';
import { QEMU_REFERENCE, runNative as runHarness } from './native.js';
import { runEmu, runEmuBlocks, readScratch, readFx, getCpu, type EmuOutcome } from './emu.js';
import { IntelPointerModel } from './x87Pointers.js';
import { randomFxImage } from './opcodesX87.js';
import { randomSseState } from './opcodesSse.js';
import { replayableInLongMode } from './longMode.js';
import { type MismatchShape, vendorDifference, vendorNoFault, vendorSkips } from './vendor.js';
import { hostVendor, x64Replay } from '../helpers/nativeI386.js';
import {
  type Case, type Outcome, type Patch, ARITH, CASE_FLAGS, CODE_ADDR, IF, NT, PATTERN, REG_NAMES,
  flagNames, hex, memDiff, parseMemDiff, fromHex,
} from './layout.js';

/** The native side runs in 64-bit mode (the host cannot run i386 code): see longMode.ts. */
export const X64 = x64Replay();

/**
 * The reference of the current run: the host CPU, or qemu-i386 running the i386 harness (a peer
 * emulator, for the rows 64-bit replay cannot cover; see native.ts).
 */
let qemuRef = QEMU_REFERENCE;
/** Whether generated sequences must replay in 64-bit mode. */
const replaying = (): boolean => X64 && !qemuRef;
const runNative = (cases: Case[]): Outcome[] => runHarness(cases, qemuRef);
/** Rows the host's vendor answers differently from the Intel CPU the emulator models. */
const VENDOR_SKIPS = new Set(vendorSkips(hostVendor()));
const VENDOR_NO_FAULT = vendorNoFault(hostVendor(), TABLE);

/** EFLAGS bits compared (besides the arithmetic flags the table masks). */
export const COMPARED_FLAGS = CASE_FLAGS | NT | IF | 0x3000 /* IOPL */ | 0x100 /* TF */ | 0x40000 /* AC */;

export interface Options {
  /** Compare with qemu-i386 running the i386 harness instead of the host CPU. */
  qemu?: boolean;
  /** Instructions to execute in total (approximately; whole sequences). */
  count: number;
  seed: number;
  /** Units per sequence (setup included). */
  seqLen?: number;
  /** Sequences per native batch. */
  batch?: number;
  /** Row names or groups not to generate. */
  skip?: ReadonlySet<string>;
  /** Generate only these groups (or row names). */
  only?: ReadonlySet<string>;
  /** Rows never given a deliberately faulting memory operand. */
  noFault?: ReadonlySet<string>;
  /** Mismatches to shrink and report in full. */
  maxReports?: number;
  /** Which shrunk mismatches are the host vendor's differences (default: vendor.ts's rules for this host). */
  classify?: (m: Mismatch) => string | null;
  /**
   * Also run every sequence in the block loop twice, interpreted and with the block compiler
   * compiling every block on its first run, and require identical outcomes (no flag masked).
   */
  jit?: boolean;
  log?: (s: string) => void;
}

export interface Diff {
  field: string;
  native: string;
  emu: string;
}

export interface Mismatch {
  caseSeed: number;
  /** Row the divergence is attributed to (the instruction ending the shrunk window). */
  name: string;
  group: string;
  /** The shrunk window (or the whole case when shrinking failed). */
  repro: Case;
  units: Unit[];
  native: Outcome;
  emu: EmuOutcome;
  diffs: Diff[];
  undef: number;
  shrunk: boolean;
}

export interface Summary {
  instructions: number;
  sequences: number;
  mismatches: number;
  /** Mismatches by group and by row name. */
  byGroup: Map<string, number>;
  byName: Map<string, number>;
  /** Executed instructions per row name. */
  coverage: Map<string, number>;
  reports: Mismatch[];
  /** Sequences that ended in a fault (both sides agreeing or not). */
  faults: number;
  /** Shrunk mismatches that are the host vendor's documented difference (vendor.ts), by rule; not counted in mismatches. */
  vendor: Map<string, number>;
  ms: number;
  /** With Options.jit: sequences compared compiled vs interpreted, those that differed, and reproducers. */
  jitSequences: number;
  jitMismatches: number;
  jitReports: string[];
}

/** Compiled vs interpreted block loop on one case: every field, no flag masked. */
export function jitDiffs(c: Case): Diff[] {
  const interp = runEmuBlocks(c, 0);
  const compiled = runEmuBlocks(c, 1);
  const d = compare(interp, compiled, 0);
  if (interp.steps !== compiled.steps) d.push({ field: 'instructions retired', native: String(interp.steps), emu: String(compiled.steps) });
  if (interp.error !== compiled.error) d.push({ field: 'thrown', native: interp.error ?? '-', emu: compiled.error ?? '-' });
  return d;
}

/** The seed of sequence `i` of a run with seed `s`. */
export function caseSeed(s: number, i: number): number {
  let h = (s ^ Math.imul(i + 1, 0x9e3779b1)) | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

export interface Generated {
  c: Case;
  units: Unit[];
  seed: number;
}

let pickCache: { key: string; rows: ReturnType<typeof pickable> } | null = null;

function rowsFor(opts: Pick<Options, 'skip' | 'only'>) {
  const key = [...(opts.skip ?? [])].join('|') + '#' + [...(opts.only ?? [])].join('|') + '#' + replaying();
  if (pickCache && pickCache.key === key) return pickCache.rows;
  const rows = pickable(TABLE).filter((s) => {
    if (VENDOR_SKIPS.has(s.name) || VENDOR_SKIPS.has(s.group)) return false;
    if (replaying() && !replayableInLongMode(s)) return false;
    if (opts.skip && (opts.skip.has(s.name) || opts.skip.has(s.group))) return false;
    if (opts.only && opts.only.size > 0 && !opts.only.has(s.name) && !opts.only.has(s.group)) return false;
    return true;
  });
  if (rows.length === 0) throw new Error('difftest: no opcode rows left to generate');
  pickCache = { key, rows };
  return rows;
}

let noFaultCache: { given: ReadonlySet<string> | undefined; rows: ReadonlySet<string> } | null = null;

/** The rows without deliberately faulting operands: the caller's and the host vendor's, merged once per set. */
function noFaultFor(given: ReadonlySet<string> | undefined): ReadonlySet<string> {
  if (noFaultCache === null || noFaultCache.given !== given) {
    noFaultCache = { given, rows: new Set([...(given ?? []), ...VENDOR_NO_FAULT]) };
  }
  return noFaultCache.rows;
}

export function generate(seed: number, seqLen: number, opts: Pick<Options, 'skip' | 'only' | 'noFault'> = {}): Generated {
  const g = new Gen(seed, TABLE, rowsFor(opts));
  g.x64 = replaying();
  g.noFault = noFaultFor(opts.noFault);
  g.fill(seqLen);
  const c = g.toCase();
  if (g.usesFpu) {
    c.fx = randomFxImage(g);
    if (g.units.some((u) => u.spec.group === 'sse')) randomSseState(g, c.fx);
  }
  return { c, units: g.units, seed };
}

// ---- running and comparing ----------------------------------------------------------------

export interface Tracked {
  out: EmuOutcome;
  /** Arithmetic flags undefined at the end (or at the fault). */
  undef: number;
  /** x87 condition codes undefined at the end. */
  fswUndef: number;
  /** Executed row names, in order. */
  executed: string[];
  /**
   * The emulator's x87 pointers (FIP FOP FDP FCS FDS) where they differ from the Intel model's
   * expectation (x87Pointers.ts), in the fields the host's values are not compared in.
   */
  pointers: Diff[];
}

export interface Snapshot {
  unit: number;
  regs: number[];
  eflags: number;
  scratch: Uint8Array;
  fx: Uint8Array | null;
}

/** Runs a case on the emulator, tracking the undefined flags with the table's rules. */
export function runTracked(c: Case, units: Unit[], snap?: (s: Snapshot) => void): Tracked {
  const at = new Map<number, number>();
  units.forEach((u, k) => at.set(CODE_ADDR + u.off, k));
  let undef = 0;
  let fswUndef = 0;
  let pending: FlagEffect | null = null;
  let pendingFsw: { d: number; u: number } | null = null;
  let lastEip = -1;
  const executed: string[] = [];
  const model = c.fx ? new IntelPointerModel(c.fx) : null;
  const before = (cpu: Cpu, eip: number): void => {
    if (pending) undef = (undef & ~pending.d) | pending.u;
    if (pendingFsw) fswUndef = (fswUndef & ~pendingFsw.d) | pendingFsw.u;
    const k = at.get(eip);
    if (model) {
      const u = k === undefined ? undefined : units[k];
      model.begin(c.code, eip - CODE_ADDR, eip, u?.isMem ? u.addr : 0, u?.spec.name ?? '?', (cpu.fpu.getSw() & 0x80) !== 0, readScratch);
    }
    if (k === undefined) {
      pending = null;
      pendingFsw = null;
      return;
    }
    const u = units[k];
    pending = runtimeFlagEffect(u, cpu);
    pendingFsw = u.spec.fsw ?? null;
    if (eip !== lastEip) executed.push(u.spec.name);
    lastEip = eip;
    if (snap && u.top) {
      snap({ unit: k, regs: Array.from(cpu.regs.subarray(0, 8), (x) => x >>> 0), eflags: cpu.getEflags() >>> 0, scratch: readScratch(), fx: c.fx ? readFx() : null });
    }
  };
  const out = runEmu(c, before);
  if (out.sig === 0 && pending) undef = (undef & ~(pending as FlagEffect).d) | (pending as FlagEffect).u;
  if (out.sig === 0 && pendingFsw) fswUndef = (fswUndef & ~(pendingFsw as FlagEffect).d) | (pendingFsw as FlagEffect).u;
  const pointers: Diff[] = [];
  if (model) {
    // A faulting instruction does not complete: only a run to the end settles the last one.
    if (out.sig === 0) model.settle((getCpu().fpu.getSw() & 0x80) !== 0, readScratch);
    if (out.fx) model.checkFinal(out.fx);
    for (const m of model.mismatches) {
      if (m.where === 'final' ? !FX_UNCOMPARED.has(m.name) : !POINTER_MODEL_IMAGES) continue;
      pointers.push({ field: m.field, native: `expected ${m.expected.toString(16)}`, emu: m.actual.toString(16) });
    }
  }
  return { out, undef: undef & ARITH, fswUndef, executed, pointers };
}

/** The fields in which the host's outcome and a tracked emulator run differ. */
function compareTracked(n: Outcome, t: Tracked): Diff[] {
  return compare(n, t.out, t.undef, t.fswUndef, t.pointers);
}

const h8 = (v: number) => (v >>> 0).toString(16).padStart(8, '0');

export const SIG_NAMES: Record<number, string> = {
  0: 'none', 4: 'SIGILL', 5: 'SIGTRAP', 8: 'SIGFPE', 11: 'SIGSEGV', 14: 'SIGALRM (native timeout)', 0x100: 'HANG', 0x101: 'EMULATOR-THREW',
};

export function sigText(o: Outcome): string {
  if (o.sig === 0) return 'ran to the end';
  return `${SIG_NAMES[o.sig] ?? `signal ${o.sig}`} code=${o.code} addr=${h8(o.addr)}`;
}

/**
 * The fields in which two outcomes differ, with undefined flags masked; `model` adds the
 * emulator's differences from the Intel pointer model (Tracked.pointers).
 */
export function compare(n: Outcome, e: Outcome, undef: number, fswUndef = 0, model: Diff[] = []): Diff[] {
  const d: Diff[] = [];
  if (n.sig !== e.sig) {
    d.push({ field: 'signal', native: sigText(n), emu: sigText(e) });
  } else if (n.sig !== 0) {
    if (n.code !== e.code) d.push({ field: 'si_code', native: String(n.code), emu: String(e.code) });
    if (n.addr !== e.addr) d.push({ field: 'fault address', native: h8(n.addr), emu: h8(e.addr) });
  }
  if (n.eip !== e.eip) d.push({ field: 'eip', native: h8(n.eip), emu: h8(e.eip) });
  for (let r = 0; r < 8; r++) {
    if (n.regs[r] !== e.regs[r]) d.push({ field: REG_NAMES[r], native: h8(n.regs[r]), emu: h8(e.regs[r]) });
  }
  const mask = COMPARED_FLAGS & ~undef;
  if ((n.eflags & mask) !== (e.eflags & mask)) {
    const x = (n.eflags ^ e.eflags) & mask;
    d.push({ field: `eflags (${flagNames(x) === '-' ? h8(x) : flagNames(x)})`, native: h8(n.eflags & mask), emu: h8(e.eflags & mask) });
  }
  if (n.mem !== e.mem) {
    const a = parseMemDiff(n.mem), b = parseMemDiff(e.mem);
    const offs = [...new Set([...a.keys(), ...b.keys()])].sort((x, y) => x - y);
    const bad = offs.filter((o) => a.get(o) !== b.get(o));
    const show = (m: Map<number, number>) => bad.slice(0, 32).map((o) => {
      const v = m.get(o);
      return `${h8(0x10000000 + o)}:${v === undefined ? `(${PATTERN_AT(o)})` : v.toString(16).padStart(2, '0')}`;
    }).join(' ');
    d.push({ field: `memory (${bad.length} bytes)`, native: show(a), emu: show(b) });
  }
  if (n.fx && e.fx) d.push(...fxDiffs(n.fx, e.fx, fswUndef));
  else if (n.fx || e.fx) d.push({ field: 'x87 state', native: n.fx ? 'present' : 'missing', emu: e.fx ? 'present' : 'missing' });
  d.push(...model);
  return d;
}

/** FXSAVE image fields compared: [name, offset, bytes]. */
const FX_FIELDS: Array<[string, number, number]> = [
  ['fcw', 0, 2], ['fsw', 2, 2], ['ftw', 4, 1], ['fop', 6, 2], ['fip', 8, 4], ['fcs', 12, 2],
  ['fdp', 16, 4], ['fds', 20, 2], ['mxcsr', 24, 4],
];

/**
 * FXSAVE fields not compared with the host's. In 64-bit replay FCS/FDS are the 64-bit kernel's
 * selectors. An AMD host (running i386 natively or replaying) writes FOP, FIP, FCS, FDP and FDS
 * only while FSW.ES is set (zeros otherwise) and records them for every x87 instruction, where
 * the Intel CPU the emulator models keeps them for the last non-control instruction and stores
 * FCS/FDS as zero. The emulator's values of these fields are held to the Intel model's
 * expectation instead (x87Pointers.ts).
 */
const FX_UNCOMPARED = new Set([
  ...(X64 ? ['fcs', 'fds'] : []),
  ...(hostVendor() === 'intel' ? [] : ['fop', 'fip', 'fcs', 'fdp', 'fds']),
]);
/**
 * The pointer fields of the images a sequence stores (FNSTENV, FNSAVE, FXSAVE) are compared
 * with the host's as memory on an Intel host; elsewhere the host's differ by vendor.ts's
 * image rule, and the emulator's are held to the Intel model.
 */
const POINTER_MODEL_IMAGES = hostVendor() !== 'intel';

function fxField(b: Uint8Array, off: number, n: number): number {
  let v = 0;
  for (let k = n - 1; k >= 0; k--) v = v * 256 + b[off + k];
  return v;
}

/** Differences between two FXSAVE images (x87 part, MXCSR, XMM), C0-C3 masked as given. */
export function fxDiffs(n: Uint8Array, e: Uint8Array, fswUndef: number): Diff[] {
  const d: Diff[] = [];
  for (const [name, off, len] of FX_FIELDS) {
    if (FX_UNCOMPARED.has(name)) continue;
    let a = fxField(n, off, len), b = fxField(e, off, len);
    if (name === 'fsw') { a &= ~fswUndef; b &= ~fswUndef; }
    if (a !== b) d.push({ field: name === 'fsw' && fswUndef ? `fsw (C-bits masked ${fswUndef.toString(16)})` : name, native: a.toString(16), emu: b.toString(16) });
  }
  const ftw = n[4];
  for (let i = 0; i < 8; i++) {
    const a = hex(n.subarray(32 + 16 * i, 42 + 16 * i).slice().reverse());
    const b = hex(e.subarray(32 + 16 * i, 42 + 16 * i).slice().reverse());
    // An empty register's contents are compared too: FXSAVE stores them as they are.
    if (a !== b) d.push({ field: `st${i}${(ftw >> ((i + ((fxField(n, 2, 2) >> 11) & 7)) & 7)) & 1 ? '' : ' (empty)'}`, native: a, emu: b });
  }
  for (let i = 0; i < 8; i++) {
    const a = hex(n.subarray(160 + 16 * i, 176 + 16 * i).slice().reverse());
    const b = hex(e.subarray(160 + 16 * i, 176 + 16 * i).slice().reverse());
    if (a !== b) d.push({ field: `xmm${i}`, native: a, emu: b });
  }
  return d;
}

let initialOf: Uint8Array = PATTERN;
function PATTERN_AT(o: number): string {
  return initialOf[o].toString(16).padStart(2, '0');
}

// ---- shrinking ------------------------------------------------------------------------------

/** Turns a scratch image into patches against the pattern. */
function patchesOf(img: Uint8Array): Patch[] {
  const out: Patch[] = [];
  let k = 0;
  while (k < img.length) {
    if (img[k] === PATTERN[k]) { k++; continue; }
    let j = k;
    while (j < img.length && img[j] !== PATTERN[j]) j++;
    out.push({ off: k, bytes: img.slice(k, j) });
    k = j;
  }
  return out;
}

interface Failing {
  g: Generated;
  native: Outcome;
  tracked: Tracked;
  diffs: Diff[];
}

/** The unit that starts a window/prefix at top-level unit index k, and the end offset after group k. */
function topGroups(units: Unit[]): number[] {
  const tops: number[] = [];
  units.forEach((u, k) => { if (u.top) tops.push(k); });
  return tops;
}

/** The parts of a shrunk mismatch the vendor rules look at (vendor.ts). */
export function shapeOf(m: Mismatch): MismatchShape {
  return {
    name: m.name, fields: m.diffs.map((d) => d.field), nativeValues: m.diffs.map((d) => d.native),
    emuValues: m.diffs.map((d) => d.emu), nativeSig: m.native.sig, emuSig: m.emu.sig, fx: m.repro.fx,
    units: m.units.map((u) => ({ name: u.spec.name, bytes: Array.from(m.repro.code.subarray(u.off, u.off + u.len)), addr: u.isMem ? u.addr : 0 })),
  };
}

/** What shrinking found in the failing sequences. */
export interface Shrunk {
  /** The first genuine mismatch of each sequence that has one. */
  mismatches: Mismatch[];
  /** The host vendor's differences found on the way, by rule (one per shrunk window). */
  vendor: Map<string, number>;
}

/**
 * Shrinks failing cases: first the shortest failing prefix (cut at top-level boundaries),
 * then the latest start (from the emulator's state there) that still fails. A window that is
 * the host vendor's difference (vendor.ts) does not end the search: the rest of the sequence
 * is checked again from the emulator's state after it, so a genuine mismatch later in the
 * sequence is still found.
 */
function shrink(fails: Failing[], classify: (m: Mismatch) => string | null): Shrunk {
  const per = fails.map(({ g }) => {
    const tops = topGroups(g.units);
    const snaps = new Map<number, Snapshot>();
    runTracked(g.c, g.units, (s) => { if (!snaps.has(s.unit)) snaps.set(s.unit, s); });
    return { tops, snaps };
  });
  /** The case that starts at top-level group t from the emulator's state there (the sequence's own start for 0). */
  const startAt = (fi: number, t: number, end: number): Case | null => {
    const { g } = fails[fi];
    if (t === 0) return { ...g.c, code: g.c.code.slice(0, end) };
    const snap = per[fi].snaps.get(per[fi].tops[t]);
    if (!snap) return null;
    return {
      code: g.c.code.slice(0, end), start: g.units[per[fi].tops[t]].off,
      regs: snap.regs, eflags: snap.eflags & (CASE_FLAGS | NT), patches: patchesOf(snap.scratch), fx: snap.fx,
    };
  };
  const endOf = (fi: number, t: number): number => {
    const { g } = fails[fi];
    const { tops } = per[fi];
    return t + 1 < tops.length ? g.units[tops[t + 1]].off : g.c.code.length;
  };
  const out: Mismatch[] = [];
  const vendor = new Map<string, number>();
  // Each round looks at the rest of some sequences, from top-level group `from`.
  let round = fails.map((_, f) => ({ f, from: 0 }));
  while (round.length > 0) {
    const next: typeof round = [];
    // Pass 1: prefixes.
    const prefixCases: Case[] = [];
    const prefixOwner: Array<{ r: number; end: number; group: number }> = [];
    round.forEach(({ f, from }, r) => {
      for (let t = from; t < per[f].tops.length; t++) {
        const c = startAt(f, from, endOf(f, t));
        if (!c) break;
        prefixCases.push(c);
        prefixOwner.push({ r, end: endOf(f, t), group: t });
      }
    });
    const prefixNative = runNative(prefixCases);
    const firstFail = new Map<number, { end: number; group: number; case: Case; native: Outcome; t: Tracked }>();
    for (let k = 0; k < prefixCases.length; k++) {
      const o = prefixOwner[k];
      if (firstFail.has(o.r)) continue;
      const units = fails[round[o.r].f].g.units.filter((u) => u.off < o.end);
      const t = runTracked(prefixCases[k], units);
      if (compareTracked(prefixNative[k], t).length > 0) firstFail.set(o.r, { end: o.end, group: o.group, case: prefixCases[k], native: prefixNative[k], t });
    }
    // Pass 2: windows ending at the first failing prefix, from each executed top-level start.
    const winCases: Case[] = [];
    const winOwner: Array<{ r: number; startUnit: number; end: number }> = [];
    round.forEach(({ f, from }, r) => {
      const ff = firstFail.get(r);
      if (!ff) return;
      for (let t = ff.group; t >= from; t--) {
        const c = startAt(f, t, ff.end);
        if (!c || !per[f].snaps.has(per[f].tops[t])) continue;
        winCases.push(c);
        winOwner.push({ r, startUnit: per[f].tops[t], end: ff.end });
      }
    });
    const winNative = runNative(winCases);
    const found = new Set<number>();
    for (let k = 0; k < winCases.length; k++) {
      const o = winOwner[k];
      if (found.has(o.r)) continue;
      const f = fails[round[o.r].f];
      const units = f.g.units.filter((u) => u.off < o.end);
      const t = runTracked(winCases[k], units);
      const diffs = compareTracked(winNative[k], t);
      if (diffs.length === 0) continue;
      found.add(o.r);
      const wUnits = units.filter((u) => u.off >= f.g.units[o.startUnit].off);
      let lastTop = [...wUnits].reverse().find((u) => u.top) ?? wUnits[wUnits.length - 1];
      // SSE templates (MASKMOV*, the #MF row) start with setup MOVs: name them by their SSE unit.
      const sseUnit = [...wUnits.slice(wUnits.indexOf(lastTop))].reverse().find((u) => u.spec.group === 'sse');
      if (sseUnit) lastTop = sseUnit;
      const m: Mismatch = {
        caseSeed: f.g.seed, name: lastTop.spec.name, group: lastTop.spec.group, repro: winCases[k], units: wUnits,
        native: winNative[k], emu: t.out, diffs, undef: t.undef, shrunk: true,
      };
      const why = classify(m);
      if (why === null) { out.push(m); continue; }
      vendor.set(why, (vendor.get(why) ?? 0) + 1);
      const ff = firstFail.get(o.r)!;
      if (ff.group + 1 < per[round[o.r].f].tops.length) next.push({ f: round[o.r].f, from: ff.group + 1 });
    }
    round.forEach(({ f, from }, r) => {
      const ff = firstFail.get(r);
      if (found.has(r) || (!ff && from > 0)) return;
      // Not reproducible in a shorter window: report the whole sequence (or its rest),
      // attributed to the instruction the emulator was at when it stopped (or the last one).
      const fl = fails[f];
      const whole = !ff || from === 0;
      const tracked = whole ? fl.tracked : ff.t;
      const last = tracked.executed[tracked.executed.length - 1] ?? '(none)';
      const spec = TABLE.find((x) => x.name === last);
      out.push({
        caseSeed: fl.g.seed, name: last, group: spec?.group ?? '?', repro: whole ? fl.g.c : ff.case, units: fl.g.units,
        native: whole ? fl.native : ff.native, emu: tracked.out, diffs: whole ? fl.diffs : compareTracked(ff.native, ff.t), undef: tracked.undef, shrunk: false,
      });
    });
    round = next;
  }
  return { mismatches: out, vendor };
}

// ---- the run ---------------------------------------------------------------------------------

export function run(opts: Options): Summary {
  const t0 = Date.now();
  qemuRef = QEMU_REFERENCE || opts.qemu === true;
  const seqLen = opts.seqLen ?? 24;
  const batch = opts.batch ?? 1000;
  const maxReports = opts.maxReports ?? 20;
  const s: Summary = {
    instructions: 0, sequences: 0, mismatches: 0, byGroup: new Map(), byName: new Map(),
    coverage: new Map(), reports: [], faults: 0, ms: 0, vendor: new Map(),
    jitSequences: 0, jitMismatches: 0, jitReports: [],
  };
  const fails: Failing[] = [];
  let index = 0;
  const MAX_SHRINK = Math.max(maxReports * 10, 200);
  while (s.instructions < opts.count) {
    const gens: Generated[] = [];
    for (let k = 0; k < batch; k++) gens.push(generate(caseSeed(opts.seed, index++), seqLen, opts));
    const natives = runNative(gens.map((g) => g.c));
    for (let k = 0; k < gens.length; k++) {
      const g = gens[k];
      const t = runTracked(g.c, g.units);
      s.sequences++;
      s.instructions += t.out.steps;
      for (const n of t.executed) s.coverage.set(n, (s.coverage.get(n) ?? 0) + 1);
      if (natives[k].sig !== 0) s.faults++;
      if (opts.jit) {
        const jd = jitDiffs(g.c);
        s.jitSequences++;
        if (jd.length > 0) {
          s.jitMismatches++;
          if (s.jitReports.length < maxReports) {
            s.jitReports.push(`${caseLine(g.c)}\n${jd.map((x) => `  ${x.field}: interpreted ${x.native}, compiled ${x.emu}`).join('\n')}`);
          }
        }
      }
      initialOf = PATTERN;
      const diffs = compareTracked(natives[k], t);
      if (diffs.length > 0) {
        s.mismatches++;
        if (fails.length < MAX_SHRINK) fails.push({ g, native: natives[k], tracked: t, diffs });
        else {
          // Past the shrinking budget: attribute to the last instruction the emulator ran.
          const last = t.executed[t.executed.length - 1] ?? '(none)';
          count(s, `~${TABLE.find((r) => r.name === last)?.group ?? '?'}`, `~${last} (not shrunk)`);
        }
      }
      if (s.instructions >= opts.count) break;
    }
    opts.log?.(`difftest: ${s.instructions} instructions, ${s.sequences} sequences, ${s.mismatches} mismatches`);
  }
  if (fails.length > 0) {
    const r = shrink(fails, opts.classify ?? ((m) => vendorDifference(hostVendor(), shapeOf(m))));
    const shrunk = r.mismatches;
    for (const [why, n] of r.vendor) s.vendor.set(why, (s.vendor.get(why) ?? 0) + n);
    // Sequences whose every difference was the vendor's are not mismatches (the others have one entry each).
    s.mismatches -= fails.length - shrunk.length;
    for (const m of shrunk) count(s, m.group, m.name);
    // One report per row name first, then the rest.
    const seen = new Set<string>();
    for (const m of shrunk) if (!seen.has(m.name)) { seen.add(m.name); s.reports.push(m); }
    for (const m of shrunk) if (s.reports.length < maxReports && !s.reports.includes(m)) s.reports.push(m);
    s.reports = s.reports.slice(0, Math.max(maxReports, seen.size));
  }
  s.ms = Date.now() - t0;
  return s;
}

function count(s: Summary, group: string, name: string): void {
  s.byGroup.set(group, (s.byGroup.get(group) ?? 0) + 1);
  s.byName.set(name, (s.byName.get(name) ?? 0) + 1);
}

/** Re-runs one case given as a harness input line and returns both outcomes. */
export function replay(line: string): { c: Case; native: Outcome; emu: EmuOutcome; diffs: Diff[] } {
  const f = line.trim().split(/\s+/);
  const code = fromHex(f[0]);
  const start = parseInt(f[1], 16);
  const w = f.slice(2, 11).map((x) => parseInt(x, 16) >>> 0);
  const patches: Patch[] = f[11] && f[11] !== '-' ? f[11].split(',').map((p) => {
    const [o, b] = p.split('=');
    return { off: parseInt(o, 16), bytes: fromHex(b) };
  }) : [];
  const c: Case = { code, start, regs: w.slice(0, 8), eflags: w[8], patches, fx: f[12] && f[12] !== '-' ? fromHex(f[12]) : null };
  const native = runNative([c])[0];
  const emu = runEmu(c);
  return { c, native, emu, diffs: compare(native, emu, 0) };
}

/** The harness input line of a case (what --replay takes). */
export function caseLine(c: Case): string {
  const words = [...c.regs, c.eflags].map((x) => (x >>> 0).toString(16));
  const patches = c.patches.length === 0 ? '-' : c.patches.map((p) => `${p.off.toString(16)}=${hex(p.bytes)}`).join(',');
  return `${hex(c.code)} ${c.start.toString(16)} ${words.join(' ')} ${patches} ${c.fx ? hex(c.fx) : '-'}`;
}

export { memDiff };
