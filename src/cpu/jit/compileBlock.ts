// The block compiler: a hot Block (a straight-line run of decoded instructions) becomes one
// generated JavaScript function that does what the run loop would do for the whole block.
//
// JavaScript rather than WebAssembly: V8 optimizes the generated function like any other
// (inlining the MMU's TLB fast paths and the handlers it calls), it shares the CPU object, the
// typed-array registers and guest memory with the interpreter at no cost, it can call any
// interpreter handler for an instruction without a template, and it needs no toolchain. A wasm
// backend would first need guest memory and the TLB in a WebAssembly.Memory.
//
// The contract with Cpu.run (exactness): the compiled function runs the block's instructions in
// order, sets prevEip/eip before the last one exactly as the loop does, and leaves the lazy-flag
// state on the Cpu. When an instruction throws (a fault), the catch stores its index in c.jitK
// and rethrows; the loop treats it as the interpreter's fault in that instruction. After an
// instruction that touched memory or ran a handler, a cleared c.curBlock means a store rewrote
// (or the in-place fault handler remapped) the running block's code: the function throws
// CODE_CHANGED for the next instruction, as its switched handler would in the interpreter.
import { CODE_CHANGED, PARITY, type Cpu } from '../cpu.js';
import type { Block } from '../decoder.js';
import type { Insn } from '../insn.js';
import { BlockSource, emitInsn, hex } from './emitters.js';
import { jitStats } from './jitStats.js';

export type CompiledBlock = (c: Cpu) => void;

/** The generated source of block b's function body (exported for tests and debugging). */
export function blockSource(insns: readonly Insn[]): { body: string; templated: number; called: number } {
  const s = new BlockSource();
  const last = insns.length - 1;
  for (let j = 0; j <= last; j++) {
    const i = insns[j];
    s.j = j;
    s.last = j === last;
    // The same numbers the run loop stores (Insn addresses may be negative int32).
    if (j === last) s.emit(`c.prevEip = ${hex(i.eip)}; c.eip = ${hex(i.nextEip)};`);
    const { touchesMemory } = emitInsn(s, i);
    if (touchesMemory && j < last) s.emit(`if (c.curBlock === null) { k = ${j + 1}; throw CC; }`);
  }
  const head = insns.map((_, j) => `const i${j} = I[${j}], f${j} = i${j}.fn;`).join('\n');
  const body = `"use strict";
${head}
return function block_${(insns[0].eip >>> 0).toString(16)}(c) {
const r = c.regs, m = c.mmu, sb = c.segBase;
let k = 0;
try {
${s.out.join('\n')}
} catch (e) { c.jitK = k; throw e; }
};`;
  return { body, templated: s.templated, called: s.called };
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
