// A decoded instruction. Decoding happens once per code location; the run loop calls fn.
// Every Insn comes from the one object literal in newInsn, so all share one shape (monomorphic)
// and each is a copy of the literal's boilerplate: a short run decodes thousands while V8
// still interprets the decoder, where a class would define its 27 fields one IC call at a time.
import type { Cpu } from './cpu.js';
import { DS, ZERO } from './registers.js';

export type Handler = (c: Cpu, i: Insn) => void;

export interface Insn {
  fn: Handler;
  /** Offset in CS of the first byte (prefixes included; the linear address in a flat CS) and the length in bytes. */
  eip: number;
  len: number;
  /** eip + len: where execution continues when the instruction does not branch. */
  nextEip: number;
  /** Opcode: 0x00-0xFF one-byte map, 0x0F00 | b for the 0F map, 0x0F3800 | b, 0x0F3A00 | b. */
  op: number;
  /** Operand size index: 0 = 8, 1 = 16, 2 = 32 bits. */
  sz: number;
  /** Secondary selector: ALU operation, condition code, group extension, and the like. */
  sub: number;
  modrm: number;
  /** ModRM reg field; rm register number when mod == 3 (isMem false). */
  reg: number;
  rm: number;
  isMem: boolean;
  /** Effective address parts: regs[base] + (regs[index] << scale) + disp + segBase[seg]. */
  base: number;
  index: number;
  scale: number;
  disp: number;
  seg: number;
  /** 16-bit address size (0x67 prefix, or none in 16-bit code): the sum wraps at 64 KiB. */
  a16: boolean;
  /** The memory operand's size in bytes less one, for segment limit checks (operandWidth.ts). */
  width: number;
  /** The instruction stores to its memory operand (a read-only segment refuses it). */
  writes: boolean;
  /** 0 none, 1 REP/REPE (F3), 2 REPNE (F2). */
  rep: number;
  /** Mandatory-prefix selector for SSE forms: 0 none, 1 = 66, 2 = F3, 3 = F2. */
  pfx: number;
  lock: boolean;
  imm: number;
  imm2: number;

  /** The real handler when fn is a checking wrapper (segment checks); else fn itself. */
  inner: Handler;
}

/** A fresh instruction with handler fn and every other field at its default. */
export function newInsn(fn: Handler): Insn {
  return {
    fn,
    eip: 0,
    len: 0,
    nextEip: 0,
    op: 0,
    sz: 2,
    sub: 0,
    modrm: 0,
    reg: 0,
    rm: 0,
    isMem: false,
    base: ZERO,
    index: ZERO,
    scale: 0,
    disp: 0,
    seg: DS,
    a16: false,
    width: 0,
    writes: false,
    rep: 0,
    pfx: 0,
    lock: false,
    imm: 0,
    imm2: 0,
    inner: fn,
  };
}
