// Decode-time handlers for the x87 forms compilers emit in loops (register arithmetic, FLD/FXCH/
// FST(P) ST(i), F(U)COMI(P), FLD/FST(P) and arithmetic with m32fp and m64fp, FLD/FSTP m80,
// FILD m32int): the decoder calls fpuHandler() for each D8-DF instruction, and every other form
// keeps the general misc.fpuOp/Fpu.exec path.
// The operands are worked out here once and kept in the Insn (sub, imm, imm2), which the x87
// forms do not otherwise use.
import type { Cpu } from '../cpu.js';
import type { Handler, Insn } from '../insn.js';

/** The 11-bit FOP of an instruction: (escape & 7) << 8 | ModRM. */
function fopOf(i: Insn): number {
  return ((i.op & 7) << 8) | i.modrm;
}

// imm = FOP; for the register forms imm2 = the operand fields.

function arithReg(c: Cpu, i: Insn): void {
  c.prevEip = i.eip;
  const v = i.imm2;
  c.fpu.decArithReg(c, i.imm, i.sub, v & 7, (v >> 3) & 7, v >= 64);
}

function stackReg(c: Cpu, i: Insn): void {
  c.prevEip = i.eip;
  c.fpu.decStackReg(c, i.imm, i.sub, i.imm2);
}

function fcomi(c: Cpu, i: Insn): void {
  c.prevEip = i.eip;
  const v = i.imm2;
  c.fpu.decFcomi(c, i.imm, v & 7, (v & 8) !== 0, (v & 16) !== 0);
}

function fldM64(c: Cpu, i: Insn): void {
  c.prevEip = i.eip;
  c.fpu.decFldM64(c, i.imm, c.ea(i));
}

function fldM32(c: Cpu, i: Insn): void {
  c.prevEip = i.eip;
  c.fpu.decFldM32(c, i.imm, c.ea(i));
}

function arithM64(c: Cpu, i: Insn): void {
  c.prevEip = i.eip;
  c.fpu.decArithM64(c, i.imm, i.sub, c.ea(i));
}

function arithM32(c: Cpu, i: Insn): void {
  c.prevEip = i.eip;
  c.fpu.decArithM32(c, i.imm, i.sub, c.ea(i));
}

function fildM32(c: Cpu, i: Insn): void {
  c.prevEip = i.eip;
  c.fpu.decFildM32(c, i.imm, c.ea(i));
}

function fldM80(c: Cpu, i: Insn): void {
  c.prevEip = i.eip;
  c.fpu.decFldM80(c, i.imm, c.ea(i));
}

/** sub: 0/1 FST/FSTP m32, 2/3 FST/FSTP m64, 4 FSTP m80. */
function store(c: Cpu, i: Insn): void {
  c.prevEip = i.eip;
  c.fpu.decStore(c, i.imm, i.sub, c.ea(i));
}

/**
 * The handler for a decoded D8-DF instruction (ModRM and address already decoded), or null
 * for the general path. Operand-size prefixes only matter to the environment images, which
 * all take the general path.
 */
export function fpuHandler(i: Insn): Handler | null {
  const op = i.op, modrm = i.modrm;
  const reg = (modrm >> 3) & 7, r = modrm & 7;
  i.imm = fopOf(i);
  if (i.isMem) {
    if (op === 0xdd && reg === 0) return fldM64;
    if (op === 0xd9 && reg === 0) return fldM32;
    if (op === 0xdb && reg === 0) return fildM32;
    if (op === 0xdb && reg === 5) return fldM80;
    if ((op === 0xd9 || op === 0xdd) && (reg === 2 || reg === 3)) { i.sub = (op === 0xdd ? 2 : 0) | (reg & 1); return store; }
    if (op === 0xdb && reg === 7) { i.sub = 4; return store; }
    if (op === 0xdc && reg !== 2 && reg !== 3) { i.sub = reg; return arithM64; }
    if (op === 0xd8 && reg !== 2 && reg !== 3) { i.sub = reg; return arithM32; }
    return null;
  }
  if ((op === 0xd8 || op === 0xdc || op === 0xde) && reg !== 2 && reg !== 3) {
    // D8: ST(0) ← ST(0) op ST(i). DC/DE: ST(i) ← ST(i) op ST(0), the reversed subtract and
    // divide trading places (reg ^ 1); DE pops.
    if (op === 0xd8) { i.sub = reg; i.imm2 = 0 | (r << 3); } else { i.sub = reg >= 4 ? reg ^ 1 : reg; i.imm2 = r | (op === 0xde ? 64 : 0); }
    return arithReg;
  }
  if (op === 0xd9 && reg <= 1) { i.sub = reg; i.imm2 = r; return stackReg; }
  if (op === 0xdd && (reg === 2 || reg === 3)) { i.sub = reg; i.imm2 = r; return stackReg; }
  if ((op === 0xdb || op === 0xdf) && (reg === 5 || reg === 6)) {
    i.imm2 = r | (reg === 5 ? 8 : 0) | (op === 0xdf ? 16 : 0);
    return fcomi;
  }
  return null;
}
