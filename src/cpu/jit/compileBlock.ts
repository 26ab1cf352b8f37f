// The block compiler: a hot Block (a straight-line run of decoded instructions) becomes one
// generated JavaScript function that does what the run loop would do for it. A block that ends
// in a jump back to its own first instruction (the inner loop of most hot code) runs as a loop
// inside its function for as long as the budget allows whole rounds.
//
// JavaScript rather than WebAssembly: V8 optimizes the generated function like any other
// (inlining the MMU's TLB fast paths and the handlers it calls), it shares the CPU object, the
// typed-array registers and guest memory with the interpreter at no cost, it can call any
// interpreter handler for an instruction without a template, and it needs no toolchain. A wasm
// backend would first need guest memory and the TLB in a WebAssembly.Memory.
//
// Measured and rejected: a region of several blocks (a whole inner loop with its branches) in
// one function dispatching on EIP ran the integer mix 2x slower than one function per block:
// the paths of the region that had not run yet when V8 optimized it deoptimize it later, and
// the long-running loop then stays in V8's interpreter until on-stack replacement.
// What works instead is a trace (traceSource): the one cycle of blocks the run loop recorded
// from a hot head, compiled as one loop with no paths but the recorded one; any other way out
// of a member simply returns to the run loop.
//
// The contract with Cpu.run (exactness):
//  - the function runs whole rounds of the block: before a round it checks that the budget it
//    was given (`left`) still holds the whole block, and it returns the instructions retired;
//  - the instructions run in order and prevEip/eip are set before the last one exactly as the
//    loop sets them; registers and lazy flags live in locals (emitters.ts) and are back on the
//    Cpu wherever the state can be seen: a return, a throw, a handler call;
//  - a throw (a fault) leaves in c.jitInsns/c.jitK the block and index of the instruction that
//    did not complete and in c.jitDone the instructions of the rounds completed before it; the
//    loop treats it as the interpreter's fault in that instruction;
//  - an access the TLB fast path cannot take returns before its instruction (emitters.ts), so
//    compiled code itself never stores into code or changes a mapping; after a handler call, a
//    changed Mmu epoch means the handler did (a store into code, the in-place fault handler):
//    inside the block the function throws CODE_CHANGED for the next instruction, as its
//    switched handler would in the interpreter; at the block's end it returns, and the loop
//    looks the next block up afresh;
//  - a block whose last instruction is a handler call returns when that set a stop reason.
import { CODE_CHANGED, L_NONE, PARITY, type Cpu } from '../cpu.js';
import type { Block } from '../decoder.js';
import type { Insn } from '../insn.js';
import * as ctl from '../ops/control.js';
import { BlockSource, emitInsn, FLAGS_OUT, flagEffect, hex, SYNC_EXIT, SYNC_EXIT_AT, SYNC_IN, SYNC_OUT, type KnownFlags } from './emitters.js';
import { jitStats, nowMs } from './jitStats.js';

/** Runs the block (rounds of it while it loops to itself and `left` holds one); returns the instructions retired. */
export type CompiledBlock = (c: Cpu, left: number) => number;

/**
 * A trace: blocks that ran one after another and back to the first (the head), compiled into
 * one function that runs them round after round (see traceSource). Valid while every member
 * is still the code at its address: `epoch` is the Mmu epoch at which that was last checked.
 */
export class Trace {
  epoch = -1;
  constructor(readonly members: readonly Block[]) {}
}

/** Whether the block's last instruction is a direct jump (taken or not) to its first. */
export function loopsToItself(insns: readonly Insn[]): boolean {
  const l = insns[insns.length - 1];
  return (l.fn === ctl.jcc || l.fn === ctl.jmpRel) && ((l.nextEip + l.imm) | 0) === insns[0].eip;
}

/**
 * Per instruction: whether the flags it leaves are overwritten later in the block before any
 * instruction could read them or fault (a fault exposes them, and so does the block's end).
 */
function flagsDeadAfter(insns: readonly Insn[]): boolean[] {
  const dead = new Array<boolean>(insns.length).fill(false);
  let killed = false;
  for (let j = insns.length - 1; j >= 0; j--) {
    dead[j] = killed;
    const e = flagEffect(insns[j]);
    if (e === 'write') killed = true;
    else if (e === 'other') killed = false;
  }
  return dead;
}

/**
 * Emits one block's instructions (their locals named from `base`), the flags known on entry
 * given; returns whether any of them calls a handler (which may set a stop reason).
 */
function emitBlock(s: BlockSource, insns: readonly Insn[], base: number, flags: KnownFlags | null = null): boolean {
  const last = insns.length - 1;
  const dead = flagsDeadAfter(insns);
  const called = s.called;
  s.flags = flags;
  s.dirty = null;
  s.flagsDirty = true;
  for (let j = 0; j <= last; j++) {
    const i = insns[j];
    s.j = j;
    s.id = base + j;
    s.last = j === last;
    s.deadFlags = dead[j];
    const { called } = emitInsn(s, i);
    // What the run loop leaves in prevEip (Insn addresses may be negative int32).
    if (j === last) s.emit(`pe = ${hex(i.eip)};`);
    // Only a handler can change code or mappings (templates never call the Mmu: emitters.ts).
    if (called && j < last) s.emit(`if (m.epoch !== E) { k = ${j + 1}; throw CC; }`);
  }
  return s.called > called;
}

const FLAGS_IN = 'fo = c.lazyOp; fd = c.lazyDst; fs = c.lazySrc; fr = c.lazyRes; fz = c.lazySz; fc = c.lazyCarry; ff = c.flags;';

/**
 * The function around generated code: its locals loaded from the Cpu (registers the code uses,
 * the lazy flags), and the code with every SYNC_OUT/SYNC_IN placeholder replaced by the stores
 * back (registers it writes, the flags if it sets them) and the loads again.
 */
function withLocals(code: string): { load: string; code: string; out: string } {
  // out (returned) is the exit's: the catch stores it too, harmlessly (the run loop sets EIP).
  code = code.replace(/\bsb\[(\d)\]/g, 'S$1');
  const segs = [0, 1, 2, 3, 4, 5].filter((n) => code.includes(`S${n}`));
  const used = [0, 1, 2, 3, 4, 5, 6, 7].filter((n) => new RegExp(`\\bR${n}\\b`).test(code));
  const written = used.filter((n) => new RegExp(`\\bR${n} = `).test(code));
  const flagsSet = /\b(fo|fc|ff) = /.test(code);
  const load = `${used.length > 0 ? `let ${used.map((n) => `R${n} = r[${n}]`).join(', ')};\n` : ''}let ${FLAGS_IN.replace(/;/g, ',').slice(0, -1)};
const tlbR = m.tlbR, tlbW = m.tlbW, dv = m.dv, mb = m.bytes;${segs.length > 0 ? `\nlet ${segs.map((n) => `S${n} = sb[${n}]`).join(', ')};` : ''}
let h = 0, tq = 0, SL = c.segLimited, pe = c.prevEip, ne = c.eip, done = 0;`;
  const out = `${written.map((n) => `r[${n}] = R${n};`).join(' ')}${flagsSet ? ` ${FLAGS_OUT}` : ''}`;
  // The exits (not the handler calls, which set EIP themselves) also store EIP and prevEip.
  const exit = `${out} c.prevEip = pe; c.eip = ne;`;
  const back = `${used.map((n) => `R${n} = r[${n}];`).join(' ')} ${FLAGS_IN} SL = c.segLimited;${segs.map((n) => ` S${n} = sb[${n}];`).join('')}`;
  return {
    load,
    code: code.split(SYNC_EXIT_AT).join(out).split(SYNC_EXIT).join(exit).split(SYNC_OUT).join(out).split(SYNC_IN).join(back),
    out: exit,
  };
}

/** The instructions' bindings: iN (the Insn) and fN (its handler) from I[block][index]. */
function bindings(blocks: readonly (readonly Insn[])[]): string {
  const out: string[] = [];
  let id = 0;
  blocks.forEach((insns, b) => insns.forEach((_, j) => out.push(`const i${id} = I[${b}][${j}], f${id++} = i${id - 1}.fn;`)));
  return out.join('\n');
}

/** The generated source of one block's function (exported for tests and debugging). */
export function blockSource(insns: readonly Insn[]): { body: string; templated: number; called: number } {
  const s = new BlockSource();
  const n = insns.length;
  const handlers = emitBlock(s, insns, 0);
  // A loop's last instruction is a jump template: it neither touches memory nor stops the CPU.
  // Handlers that stop it end their blocks, but a round with a handler call checks anyway.
  const { load, code, out } = withLocals(s.out.join('\n'));
  const body = loopsToItself(insns)
    ? `try {
for (;;) {
${code}
done += ${n};
if (ne !== ${hex(insns[0].eip)} || done > left - ${n}${handlers ? ' || c.stopReason >= 0' : ''}) { ${out} return done; }
}
} catch (e) { if (h === 0) { ${out} } c.jitInsns = I[0]; c.jitK = k; c.jitDone = done; throw e; }`
    : `try {
${code}
} catch (e) { if (h === 0) { ${out} } c.jitInsns = I[0]; c.jitK = k; c.jitDone = 0; throw e; }
${out}
return ${n};`;
  return {
    body: `"use strict";
${bindings([insns])}
return function block_${(insns[0].eip >>> 0).toString(16)}(c, left) {
const r = c.regs, m = c.mmu, sb = c.segBase;
const E = m.epoch;
${load}
let k = 0;
${body}
};`,
    templated: s.templated,
    called: s.called,
  };
}

/** A trace's return: the run loop chains on from the member that ran last (B[mi]). */
const RETURN = `{ ${SYNC_EXIT} c.curBlock = B[mi]; return done; }`;

/**
 * The generated source of a trace's function. Member b runs when the one before it left EIP at
 * b's first instruction and nothing changed code or mappings since the function started (the
 * Mmu epoch, which only a handler call can move: checked after one, as in a block);
 * otherwise the function returns and the run loop goes on from EIP. A member that loops to
 * itself runs as an inner loop. Before each member the budget must hold all of it; `done`
 * counts the instructions of the members completed, for the catch as for the return. mi is the
 * member running (or, before the budget check, the one that ran last).
 */
export function traceSource(members: readonly Block[]): { body: string; templated: number; called: number } {
  const s = new BlockSource();
  const parts: string[] = [];
  let base = 0;
  // The flags the member before left, when known: a member after the head starts with them (in
  // the flag locals); the head and a member that loops to itself may be entered from elsewhere.
  let known: KnownFlags | null = null;
  members.forEach((b, mi) => {
    const insns = b.insns;
    const n = insns.length;
    const start = hex(insns[0].eip);
    const next = hex(members[(mi + 1) % members.length].insns[0].eip);
    s.out.length = 0;
    const handlers = emitBlock(s, insns, base, mi === 0 || loopsToItself(insns) ? null : known);
    const f = s.flags;
    known = f !== null && f.op !== L_NONE ? { op: f.op, sz: f.sz, x: 'fd', y: 'fs', r: 'fr' } : null;
    base += n;
    const stop = handlers ? `if (c.stopReason >= 0) ${RETURN}\n` : '';
    const code = s.out.join('\n');
    const count = `done += ${n};`;
    const budget = `if (done > left - ${n}) ${RETURN}\nmi = ${mi};`;
    if (loopsToItself(insns)) {
      parts.push(`// ${mi}: ${start}
for (;;) {
${budget}
${code}
${count}
${stop}if (ne !== ${start}) break;
}`);
    } else {
      parts.push(`// ${mi}: ${start}
${budget}
${code}
${count}
${stop}`);
    }
    parts.push(`if (ne !== ${next}${handlers ? ' || m.epoch !== E' : ''}) ${RETURN}`);
  });
  const { load, code, out } = withLocals(parts.join('\n'));
  return {
    body: `"use strict";
${bindings(members.map((b) => b.insns))}
return function trace_${(members[0].insns[0].eip >>> 0).toString(16)}(c, left) {
const r = c.regs, m = c.mmu, sb = c.segBase;
const E = m.epoch;
if (T.epoch !== E && !V(c, T)) return S(c, left);
${load}
let k = 0, mi = 0;
try {
for (;;) {
${code}
}
} catch (e) { if (h === 0) { ${out} } c.jitInsns = I[mi]; c.jitK = k; c.jitDone = done; throw e; }
};`,
    templated: s.templated,
    called: s.called,
  };
}

/**
 * Whether every member of t after its head (which the run loop has just checked) is still the
 * code at its address: its frame's code alive, CS in its mode, and the TLB mapping its linear
 * page to its frame. A member whose page is not in the TLB now cannot be checked without a
 * walk (which would set Accessed bits the program may never cause): the head runs alone this
 * time. A member that is gone kills the trace: its head runs alone from now on.
 */
export function validateTrace(c: Cpu, t: Trace): boolean {
  const ms = t.members;
  const tlbR = c.mmu.tlbR;
  for (let k = 1; k < ms.length; k++) {
    const b = ms[k];
    const e = tlbR[b.linPage >>> 12];
    if (e === 0) return false;
    if (b.frame.dead || b.mode !== c.csMode || e >>> 12 !== b.pfn) {
      const head = ms[0];
      head.jit = head.ownJit;
      return false;
    }
  }
  t.epoch = c.mmu.epoch;
  return true;
}

/**
 * Compiles block b into b.jit. A block V8 will not compile (a compiler bug) is counted and
 * stays interpreted.
 */
export function compileBlock(b: Block): void {
  const t0 = nowMs();
  const { body, templated, called } = blockSource(b.insns);
  try {
    b.jit = b.ownJit = makeFunction(body, [b.insns], [b], null, null);
    jitStats.blocksCompiled++;
    jitStats.insnsCompiled += b.insns.length;
    jitStats.templated += templated;
    jitStats.called += called;
  } catch {
    jitStats.failures++;
    b.runs = Number.MIN_SAFE_INTEGER;
  }
  jitStats.compileMs += nowMs() - t0;
}

/** The lazy-flag locals back to the Cpu (they are its state), for its own flag functions. */
function flagsBack(c: Cpu, fo: number, fd: number, fs: number, fr: number, fz: number, fc: number, ff: number): void {
  c.lazyOp = fo; c.lazyDst = fd; c.lazySrc = fs; c.lazyRes = fr; c.lazySz = fz; c.lazyCarry = fc; c.flags = ff;
}

/** CF, a condition, and EFLAGS materialized, from lazy-flag locals (GF, CD and MF in generated code). */
function cfOf(c: Cpu, fo: number, fd: number, fs: number, fr: number, fz: number, fc: number, ff: number): number {
  flagsBack(c, fo, fd, fs, fr, fz, fc, ff);
  return c.getCF();
}
function condOf(c: Cpu, cc: number, fo: number, fd: number, fs: number, fr: number, fz: number, fc: number, ff: number): boolean {
  flagsBack(c, fo, fd, fs, fr, fz, fc, ff);
  return c.cond(cc);
}
function flagsOf(c: Cpu, fo: number, fd: number, fs: number, fr: number, fz: number, fc: number, ff: number): number {
  flagsBack(c, fo, fd, fs, fr, fz, fc, ff);
  c.materializeFlags();
  return c.flags;
}

type Factory = (I: readonly (readonly Insn[])[], B: readonly Block[], T: Trace | null, V: typeof validateTrace, S: CompiledBlock | null,
  GF: typeof cfOf, CD: typeof condOf, MF: typeof flagsOf, P: Uint8Array, CC: unknown) => CompiledBlock;

function makeFunction(body: string, I: readonly (readonly Insn[])[], B: readonly Block[], T: Trace | null, S: CompiledBlock | null): CompiledBlock {
  const factory = new Function('I', 'B', 'T', 'V', 'S', 'GF', 'CD', 'MF', 'P', 'CC', body) as Factory;
  return factory(I, B, T, validateTrace, S, cfOf, condOf, flagsOf, PARITY, CODE_CHANGED);
}

/**
 * Compiles the trace of `members` (a cycle through them, members[0] compiled already) into its
 * head's b.jit; the head's own function stays its fallback. A refused trace changes nothing.
 */
export function compileTrace(members: readonly Block[]): void {
  const t0 = nowMs();
  const head = members[0];
  const { body } = traceSource(members);
  try {
    const t = new Trace(members);
    head.jit = makeFunction(body, members.map((b) => b.insns), members, t, head.ownJit);
    jitStats.traces++;
    jitStats.traceBlocks += members.length;
  } catch {
    jitStats.failures++;
  }
  jitStats.compileMs += nowMs() - t0;
}
