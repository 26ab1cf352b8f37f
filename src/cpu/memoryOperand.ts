// What the segment checks need to know about a decoded instruction's ModRM memory operand,
// decided once at decode time from the opcode: its size in bytes, for the limit check that
// covers the whole operand (Cpu.checkSegLimit; Intel SDM vol. 3, 5.3 "Limit Checking": an
// access faults when any of its bytes lies beyond the limit), and whether an x87/SSE/system
// form stores to it (a read-only segment refuses it; the integer forms are the decoder's
// writesMemory). Where the size is not listed here (SSE and MMX forms) the answer is 1, and
// every such handler names its operand's size to Cpu.eaSpan instead (the operand helpers
// loadX128/loadX64/loadX32/loadM64, the MOV* stores, MOVD, PINSR*/PEXTR*, PMOVZX/SX, ...).
// BT/BTS/BTR/BTC with a register bit offset check the operand they reach (Cpu.eaShifted).
import type { Insn } from './insn.js';

const SIZE_BYTES = [1, 2, 4];

/** x87 memory forms (D8..DF with ModRM.reg): m32/m64/m80 reals, m16/m32/m64 integers, env, state. */
function fpuWidth(op: number, reg: number, sz: number): number {
  const env = sz === 1 ? 14 : 28;
  const state = sz === 1 ? 94 : 108;
  switch (op) {
    case 0xd8: case 0xda: return 4;
    case 0xdc: return 8;
    case 0xde: return 2;
    case 0xd9: return reg === 4 || reg === 6 ? env : reg === 5 || reg === 7 ? 2 : reg === 1 ? 1 : 4;
    case 0xdb: return reg === 5 || reg === 7 ? 10 : reg === 4 || reg === 6 ? 1 : 4;
    case 0xdd: return reg === 4 || reg === 6 ? state : reg === 7 ? 2 : reg === 5 ? 1 : 8;
    default: return reg === 4 || reg === 6 ? 10 : reg === 5 || reg === 7 ? 8 : 2; // DF
  }
}

/** Bytes the instruction's memory operand covers, from its first byte (1 when not known). */
export function operandWidth(i: Insn): number {
  const op = i.op;
  const b = SIZE_BYTES[i.sz];
  if (op < 0x100) {
    if (op >= 0xd8 && op <= 0xdf) return fpuWidth(op, i.reg, i.sz);
    switch (op) {
      case 0x62: return 2 * b; // BOUND: the lower and the upper bound
      case 0x8c: case 0x8e: return 2; // a selector
      case 0x8d: return 1; // LEA reads nothing
      case 0xc4: case 0xc5: return b + 2; // LES/LDS m16:16 / m16:32
      case 0xff: return i.reg === 3 || i.reg === 5 ? b + 2 : b; // CALL/JMP far m16:16 / m16:32
      default: return b;
    }
  }
  if (op < 0x10000) {
    const o = op & 0xff;
    if (o >= 0x40 && o <= 0x4f) return b; // CMOVcc
    if (o >= 0x90 && o <= 0x9f) return 1; // SETcc
    switch (o) {
      case 0x00: return 2; // SLDT/STR/LLDT/LTR/VERR/VERW: a selector
      case 0x01: return i.reg < 4 ? 6 : i.reg === 4 || i.reg === 6 ? 2 : 1; // SGDT..LIDT, SMSW/LMSW
      case 0xa4: case 0xa5: case 0xac: case 0xad: return b; // SHLD/SHRD
      case 0xaf: case 0xb0: case 0xb1: case 0xc0: case 0xc1: return b; // IMUL, CMPXCHG, XADD
      case 0xb8: case 0xbc: case 0xbd: return b; // POPCNT, BSF/BSR, TZCNT/LZCNT
      case 0xba: return b; // BT* Ev, imm8 (the bit offset stays within the operand)
      case 0xb6: case 0xbe: return 1; // MOVZX/MOVSX from a byte
      case 0xb7: case 0xbf: return 2; // ... from a word
      case 0xc7: return i.reg === 1 ? 8 : b; // CMPXCHG8B m64
      case 0xae: return i.reg <= 1 ? 512 : i.reg <= 3 ? 4 : 1; // FXSAVE/FXRSTOR, LDMXCSR/STMXCSR
      default: return 1; // BT* Ev, Gv (checked where the offset moves it: Cpu.eaShifted), SSE, hints
    }
  }
  // 0F 38 F0-FF are all general-purpose forms (MOVBE, CRC32 with its source size, ADCX/ADOX and
  // the VEX BMI rows, always 32-bit), as is VEX 0F 3A F0 (RORX).
  if ((op >> 8) === 0x0f38 && (op & 0xf0) === 0xf0) return b;
  if (op === 0x0f3af0) return 4;
  return 1;
}

/** x87, SSE/MMX and system forms that store to their memory operand. */
export function storesToOperand(i: Insn): boolean {
  const op = i.op, reg = i.reg;
  switch (op) {
    case 0xd9: return reg === 2 || reg === 3 || reg === 6 || reg === 7; // FST(P) m32, FNSTENV, FNSTCW
    case 0xdb: return reg === 1 || reg === 2 || reg === 3 || reg === 7; // FISTTP/FIST(P) m32, FSTP m80
    case 0xdd: return reg === 1 || reg === 2 || reg === 3 || reg === 6 || reg === 7; // m64 stores, FNSAVE, FNSTSW
    case 0xdf: return reg === 1 || reg === 2 || reg === 3 || reg === 6 || reg === 7; // m16/m64 integer stores, FBSTP
    case 0x0f00: return reg <= 1; // SLDT, STR
    case 0x0f01: return reg <= 1 || reg === 4; // SGDT, SIDT, SMSW
    case 0x0fae: return reg === 0 || reg === 3; // FXSAVE, STMXCSR
    case 0x0f11: case 0x0f13: case 0x0f17: case 0x0f29: case 0x0f2b: case 0x0f7f: case 0x0fc3:
    case 0x0fd6: case 0x0fe7: return true; // MOVUPS/MOVSS/..., MOVLPS/MOVHPS, MOVAPS, MOVNT*, MOVQ/MOVDQ*
    case 0x0f7e: return i.pfx !== 2; // MOVD r/m32 (F3 0F 7E is MOVQ xmm, m64: a load)
    case 0x0f3a14: case 0x0f3a15: case 0x0f3a16: case 0x0f3a17: return true; // PEXTRB/W/D, EXTRACTPS
    case 0x0f38f1: return i.pfx !== 3; // MOVBE m, r (F2 0F 38 F1 is CRC32)
    default: return false;
  }
}
