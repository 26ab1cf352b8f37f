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
//
// The contract with Cpu.run (exactness):
//  - the function runs whole rounds of the block: before a round it checks that the budget it
//    was given (`left`) still holds the whole block, and it returns the instructions retired;
//  - the instructions run in order and prevEip/eip are set before the last one exactly as the
//    loop sets them; the lazy-flag state stays on the Cpu;
//  - a throw (a fault) leaves in c.jitInsns/c.jitK the block and index of the instruction that
//    did not complete and in c.jitDone the instructions of the rounds completed before it; the
//    loop treats it as the interpreter's fault in that instruction;
//  - after an instruction that touched memory or ran a handler, a cleared c.curBlock means a
//    store rewrote (or the in-place fault handler remapped) the block's frame: inside the block
//    the function throws CODE_CHANGED for the next instruction, as its switched handler would
//    in the interpreter; at the block's end it returns, and the loop decodes afresh;
//  - a block whose last instruction is a handler call returns when that set a stop reason.
import { CODE_CHANGED, PARITY, type Cpu } from '../cpu.js';
import type { Block } from '../decoder.js';
import type { Insn } from '../insn.js';
import * as ctl from '../ops/control.js';
import { BlockSource, emitInsn, flagEffect, hex } from './emitters.js';
import { jitStats } from './jitStats.js';

/** Runs the block (rounds of it while it loops to itself and `left` holds one); returns the instructions retired. */
export type CompiledBlock = (c: Cpu, left: number) => number;

/** Whether the block's last instruction is a direct jump (taken or not) to its first. */
function loopsToItself(insns: readonly Insn[]): boolean {
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

/** The generated source of the block's function (exported for tests and debugging). */
export function blockSource(insns: readonly Insn[]): { body: string; templated: number; called: number } {
  const s = new BlockSource();
  const last = insns.length - 1;
  const dead = flagsDeadAfter(insns);
  for (let j = 0; j <= last; j++) {
    const i = insns[j];
    s.j = j;
    s.last = j === last;
    s.deadFlags = dead[j];
    // The same numbers the run loop stores (Insn addresses may be negative int32).
    if (j === last) s.emit(`c.prevEip = ${hex(i.eip)}; c.eip = ${hex(i.nextEip)};`);
    const { touchesMemory } = emitInsn(s, i);
    if (touchesMemory && j < last) s.emit(`if (c.curBlock === null) { k = ${j + 1}; throw CC; }`);
  }
  const n = insns.length;
  const head = insns.map((_, j) => `const i${j} = I[${j}], f${j} = i${j}.fn;`).join('\n');
  const code = s.out.join('\n');
  // A loop's last instruction is a jump template: it neither touches memory nor stops the CPU.
  // Handlers that stop it end their blocks, but a round with a handler call checks anyway.
  const body = loopsToItself(insns)
    ? `let done = 0;
try {
for (;;) {
${code}
done += ${n};
if (c.eip !== ${hex(insns[0].eip)} || done > left - ${n}${s.called > 0 ? ' || c.stopReason >= 0' : ''}) return done;
}
} catch (e) { c.jitInsns = I; c.jitK = k; c.jitDone = done; throw e; }`
    : `try {
${code}
} catch (e) { c.jitInsns = I; c.jitK = k; c.jitDone = 0; throw e; }
return ${n};`;
  return {
    body: `"use strict";
${head}
return function block_${(insns[0].eip >>> 0).toString(16)}(c, left) {
const r = c.regs, m = c.mmu, sb = c.segBase;
let k = 0;
${body}
};`,
    templated: s.templated,
    called: s.called,
  };
}

/**
 * Compiles block b into b.jit. A block V8 will not compile (a compiler bug) is counted and
 * stays interpreted.
 */
export function compileBlock(b: Block): void {
  const t0 = performance.now();
  const { body, templated, called } = blockSource(b.insns);
  try {
    const factory = new Function('I', 'P', 'CC', body) as (I: readonly Insn[], P: Uint8Array, CC: unknown) => CompiledBlock;
    b.jit = factory(b.insns, PARITY, CODE_CHANGED);
    jitStats.blocksCompiled++;
    jitStats.insnsCompiled += b.insns.length;
    jitStats.templated += templated;
    jitStats.called += called;
  } catch {
    jitStats.failures++;
    b.runs = Number.MIN_SAFE_INTEGER;
  }
  jitStats.compileMs += performance.now() - t0;
}
