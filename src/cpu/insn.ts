// A decoded instruction. Decoding happens once per code location; the run loop calls fn.
// One class with every field set in the constructor keeps the objects monomorphic.
import type { Cpu } from './cpu.js';
import { DS, ZERO } from './registers.js';

export type Handler = (c: Cpu, i: Insn) => void;

export class Insn {
  fn: Handler;
  /** Offset in CS of the first byte (prefixes included; the linear address in a flat CS) and the length in bytes. */
  eip = 0;
  len = 0;
  /** eip + len: where execution continues when the instruction does not branch. */
  nextEip = 0;
  /** Opcode: 0x00-0xFF one-byte map, 0x0F00 | b for the 0F map, 0x0F3800 | b, 0x0F3A00 | b. */
  op = 0;
  /** Operand size index: 0 = 8, 1 = 16, 2 = 32 bits. */
  sz = 2;
  /** Secondary selector: ALU operation, condition code, group extension, and the like. */
  sub = 0;
  modrm = 0;
  /** ModRM reg field; rm register number when mod == 3 (isMem false). */
  reg = 0;
  rm = 0;
  isMem = false;
  /** Effective address parts: regs[base] + (regs[index] << scale) + disp + segBase[seg]. */
  base = ZERO;
  index = ZERO;
  scale = 0;
  disp = 0;
  seg = DS;
  /** 16-bit address size (0x67 prefix, or none in 16-bit code): the sum wraps at 64 KiB. */
  a16 = false;
  /** The memory operand's size in bytes less one, for segment limit checks (operandWidth.ts). */
  width = 0;
  /** The instruction stores to its memory operand (a read-only segment refuses it). */
  writes = false;
  /** 0 none, 1 REP/REPE (F3), 2 REPNE (F2). */
  rep = 0;
  /** Mandatory-prefix selector for SSE forms: 0 none, 1 = 66, 2 = F3, 3 = F2. */
  pfx = 0;
  lock = false;
  imm = 0;
  imm2 = 0;

  /** The real handler when fn is a checking wrapper (segment checks); else fn itself. */
  inner: Handler;

  constructor(fn: Handler) {
    this.fn = fn;
    this.inner = fn;
  }
}
