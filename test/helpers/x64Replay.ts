// x86-64 replay of the per-instruction snippets. A host that cannot run i386 code at all (a PVM
// guest: see nativeI386.ts) still runs the native side of insn-native.test.ts and of the MMX/SSE
// tests (test/cpu/sse/harness.ts) in 64-bit mode, through the harnesses' x86-64 builds, for the
// snippets whose bytes mean the same there.
//
// x64ReplayCode() decides that from the bytes alone, decoding the snippet instruction by
// instruction, and re-encodes what differs only in encoding:
//  - INC/DEC r16/r32 short forms (0x40-0x4F are REX prefixes) become FF /0, FF /1;
//  - 0x82 (an alias of 0x80, invalid in 64-bit mode) becomes 0x80;
//  - every explicit or implicit memory address (ModRM memory operands, MOV moffs, string
//    instructions, XLAT, MASKMOVQ/MASKMOVDQU's [EDI]) and the count of LOOPcc/JECXZ get an
//    address-size prefix (0x67), so they
//    use the 32-bit registers and wrap at 4 GiB exactly as in 32-bit mode;
//  - an absolute [disp32] (ModRM mod=00 rm=101, RIP-relative in 64-bit mode) becomes the SIB
//    form with neither base nor index, and MOV moffs32 keeps its 4-byte offset under 0x67;
//  - relative branches are re-aimed at the moved instructions;
//  - RET n releases 2n bytes: the n/4 argument slots it drops are 8 bytes each in 64-bit mode.
// Everything else whose meaning changes is refused with a reason: opcodes that are invalid or
// different in 64-bit mode, 16-bit addressing (0x67 selects 32-bit addressing there), stack
// accesses whose slot size shows (PUSH/POP of memory, ENTER with nesting, addressing
// through ESP, 16- and 32-bit pushes mixed), FS/GS, and snippets that take their own code
// address (they may read or patch their 32-bit bytes, which re-encoding would move).
//
// PUSH/POP of registers and immediates, PUSHF/POPF, CALL/RET and ENTER/LEAVE use 8-byte slots
// in 64-bit mode; that is invisible as long as the snippet only pops what it pushed, which the
// harness contract requires (ESP is never an operand). The registers start zero-extended and
// only their low 32 bits are read back, so 32-bit operations that zero-extend differently in
// 64-bit mode (CMOVcc, XCHG EAX,EAX) do not show.

export type X64Replay = { code: number[] } | { reason: string };

/** Reasons shared by many specs, so that the report can group them. */
export const REASON = {
  bcd: 'DAA/DAS/AAA/AAS/AAM/AAD are invalid in 64-bit mode',
  pusha: 'PUSHA/POPA are invalid in 64-bit mode',
  invalid: 'opcode invalid or different in 64-bit mode',
  seg: 'segment register operand or FS/GS base',
  addr16: '16-bit addressing (0x67 means 32-bit addressing in 64-bit mode)',
  stackMem: 'PUSH/POP of memory move 8 bytes in 64-bit mode',
  stackShape: 'relies on 4-byte stack slots (ENTER nesting, ESP addressing, odd RET n, mixed 16/32-bit pushes)',
  ownAddress: 'takes its own code address (call; pop) and may read or patch its 32-bit bytes',
  branch: 'operand-size prefix on a branch, or a branch that cannot be re-aimed',
  system: 'system, I/O, trap or host-specific instruction',
  unknown: 'not decoded by x64Replay (not an integer instruction it knows)',
} as const;

class Refuse extends Error {}
const refuse = (reason: string): never => {
  throw new Refuse(reason);
};

interface Insn {
  /** Offset and length in the 32-bit snippet. */
  start: number;
  end: number;
  /** The 64-bit encoding, with a relative displacement (if any) still to be filled in. */
  bytes: number[];
  /** Relative branch: where its displacement sits in `bytes`, its size, its 32-bit target. */
  rel?: { at: number; size: 1 | 4; target: number };
  /** POP r (for the call; pop check). */
  popReg: boolean;
  /** CALL rel32. */
  call: boolean;
  /** Stack slot width this instruction pushes or pops with: 16 (0x66) or 0 (default size). */
  stack?: 16 | 0;
}

const PREFIXES = new Set([0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3]);

/** Operand layout of an opcode: ModRM or not, immediate bytes ('z' = 2 or 4 by operand size). */
interface Shape {
  modrm: boolean;
  imm: 0 | 1 | 2 | 3 | 4 | 'z';
  rel?: 1 | 4;
  /** Implicit memory or count addressing (string, XLAT, LOOP, JECXZ): gets 0x67. */
  implicitAddr?: boolean;
  stack?: boolean;
}

const M = (imm: Shape['imm'] = 0): Shape => ({ modrm: true, imm });
const N = (imm: Shape['imm'] = 0): Shape => ({ modrm: false, imm });

/** One-byte opcodes (after re-encoding of 0x40-0x4F and 0x82). */
function shape1(op: number, reg: () => number): Shape {
  if (op < 0x40 && (op & 7) < 6) return (op & 7) < 4 ? M() : N((op & 7) === 4 ? 1 : 'z');
  if ([0x06, 0x07, 0x0e, 0x16, 0x17, 0x1e, 0x1f].includes(op)) refuse(REASON.seg);
  if ([0x27, 0x2f, 0x37, 0x3f, 0xd4, 0xd5].includes(op)) refuse(REASON.bcd);
  if (op === 0x60 || op === 0x61) refuse(REASON.pusha);
  if ([0x62, 0x63, 0x9a, 0xc4, 0xc5, 0xce, 0xd6, 0xea].includes(op)) refuse(REASON.invalid);
  if (op === 0x54 || op === 0x5c) refuse(REASON.stackShape); // PUSH/POP ESP
  if (op >= 0x50 && op <= 0x5f) return { ...N(), stack: true };
  if (op === 0x68) return { ...N('z'), stack: true };
  if (op === 0x6a) return { ...N(1), stack: true };
  if (op === 0x69) return M('z');
  if (op === 0x6b) return M(1);
  if (op >= 0x70 && op <= 0x7f) return { ...N(), rel: 1 };
  if (op === 0x80 || op === 0x83 || op === 0xc0 || op === 0xc1) return M(1);
  if (op === 0x81) return M('z');
  if (op >= 0x84 && op <= 0x8b) return M();
  if (op === 0x8c || op === 0x8e) refuse(REASON.seg);
  if (op === 0x8d) return M();
  if (op === 0x8f) {
    if (reg() !== 0) refuse(REASON.invalid); // XOP on AMD
    return { ...M(), stack: true };
  }
  if (op >= 0x90 && op <= 0x99) return N();
  if (op === 0x9c || op === 0x9d) return { ...N(), stack: true };
  if (op === 0x9b || op === 0x9e || op === 0x9f) return N();
  if (op >= 0xa0 && op <= 0xa3) return N(); // MOV moffs: the offset is read with the ModRM bytes
  if ((op >= 0xa4 && op <= 0xa7) || (op >= 0xaa && op <= 0xaf)) return { ...N(), implicitAddr: true };
  if (op === 0xa8) return N(1);
  if (op === 0xa9) return N('z');
  if (op >= 0xb0 && op <= 0xb7) return N(1);
  if (op >= 0xb8 && op <= 0xbf) return N('z');
  if (op === 0xc2) return { ...N(2), stack: true };
  if (op === 0xc3 || op === 0xc9) return { ...N(), stack: true };
  if (op === 0xc6 || op === 0xc7) {
    if (reg() !== 0) refuse(REASON.system); // XABORT, XBEGIN
    return M(op === 0xc6 ? 1 : 'z');
  }
  if (op === 0xc8) return { ...N(3), stack: true };
  if (op >= 0xd0 && op <= 0xd3) return M();
  if (op === 0xd7) return { ...N(), implicitAddr: true };
  if (op >= 0xe0 && op <= 0xe3) return { ...N(), rel: 1, implicitAddr: true };
  if (op === 0xe8) return { ...N(), rel: 4, stack: true };
  if (op === 0xe9) return { ...N(), rel: 4 };
  if (op === 0xeb) return { ...N(), rel: 1 };
  if (op === 0xf5 || (op >= 0xf8 && op <= 0xfd)) return N();
  if (op === 0xf6 || op === 0xf7) return M(reg() < 2 ? (op === 0xf6 ? 1 : 'z') : 0);
  if (op === 0xfe) {
    if (reg() > 1) refuse(REASON.invalid);
    return M();
  }
  if (op === 0xff) {
    const r = reg();
    if (r <= 1) return M();
    if (r === 6) return { ...M(), stack: true };
    refuse(r === 7 ? REASON.invalid : REASON.branch); // indirect CALL/JMP take 64-bit targets
  }
  if ([0x6c, 0x6d, 0x6e, 0x6f, 0xca, 0xcb, 0xcc, 0xcd, 0xcf, 0xe4, 0xe5, 0xe6, 0xe7, 0xec, 0xed, 0xee, 0xef,
    0xf1, 0xf4, 0xfa, 0xfb].includes(op)) {
    refuse(REASON.system);
  }
  return refuse(REASON.unknown);
}

/** MMX/SSE 0F-map opcodes: all take ModRM (but EMMS); these also an imm8. */
const SSE_0F = [[0x10, 0x17], [0x28, 0x2f], [0x50, 0x7f], [0xc2, 0xc6], [0xd0, 0xff]];
const SSE_IMM8 = new Set([0x70, 0x71, 0x72, 0x73, 0xc2, 0xc4, 0xc5, 0xc6]);

/** Two-byte opcodes 0F xx (0F 38 xx and 0F 3A xx included: `op` is then 0x38 or 0x3A). */
function shape2(op: number, reg: () => number, rep: boolean): Shape {
  if (op === 0x38) return M();
  if (op === 0x3a) return M(1);
  if (op === 0x77) return N(); // EMMS
  if (op === 0xf7) return { ...M(), implicitAddr: true }; // MASKMOVQ/MASKMOVDQU store to [EDI]
  if (SSE_0F.some(([lo, hi]) => op >= lo && op <= hi)) return M(SSE_IMM8.has(op) ? 1 : 0);
  if (op === 0x0d || (op >= 0x18 && op <= 0x1f)) return M(); // prefetch, hint NOPs
  if (op >= 0x40 && op <= 0x4f) return M();
  if (op >= 0x80 && op <= 0x8f) return { ...N(), rel: 4 };
  if (op >= 0x90 && op <= 0x9f) return M();
  if ([0xa3, 0xa5, 0xab, 0xad, 0xaf, 0xb0, 0xb1, 0xb3, 0xb6, 0xb7, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf, 0xc0, 0xc1]
    .includes(op)) {
    return M();
  }
  if (op === 0xa4 || op === 0xac) return M(1);
  if (op === 0xb8 && rep) return M(); // POPCNT
  if (op === 0xba) {
    if (reg() < 4) refuse(REASON.invalid);
    return M(1);
  }
  if (op === 0xc7) {
    if (reg() !== 1) refuse(REASON.system); // RDRAND, RDSEED, ...
    return M();
  }
  if (op >= 0xc8 && op <= 0xcf) return N();
  if ([0xa0, 0xa1, 0xa8, 0xa9].includes(op)) refuse(REASON.seg);
  if (op < 0x10 || op === 0x31 || op === 0xa2 || op === 0x34 || op === 0x35) refuse(REASON.system);
  return refuse(REASON.unknown);
}

function decode(code: number[], at: number): Insn {
  let i = at;
  const byte = (): number => {
    if (i >= code.length) refuse(REASON.unknown);
    return code[i++];
  };
  const prefixes: number[] = [];
  while (i < code.length && PREFIXES.has(code[i])) prefixes.push(code[i++]);
  const osize = prefixes.includes(0x66);
  const asize = prefixes.includes(0x67);
  if (prefixes.includes(0x64) || prefixes.includes(0x65)) refuse(REASON.seg);
  const rep = prefixes.includes(0xf3);

  let op = byte();
  const out: number[] = [];
  const insn: Insn = { start: at, end: at, bytes: out, popReg: false, call: false };
  // INC/DEC r short forms: FF /0 or /1 with a register ModRM
  if (op >= 0x40 && op <= 0x4f) {
    out.push(...prefixes, 0xff, 0xc0 | (op & 8) | (op & 7));
    insn.end = i;
    return insn;
  }
  if (op === 0x82) op = 0x80;

  const opcode: number[] = [op];
  let shape: Shape;
  const reg = (): number => ((i < code.length ? code[i] : 0) >> 3) & 7;
  if ((op === 0xc4 || op === 0xc5) && ((i < code.length ? code[i] : 0) & 0xc0) === 0xc0) {
    // VEX (BMI): the same bytes in 64-bit mode when they name no register above 7 and keep
    // 32-bit operands (C4: B set, W clear; vvvv's top bit set). No legacy prefix but 0x67.
    if (prefixes.some((p) => p !== 0x67)) refuse(REASON.invalid);
    const b1 = byte();
    const b2 = op === 0xc4 ? byte() : b1;
    if ((op === 0xc4 && ((b1 & 0x20) === 0 || (b2 & 0x80) !== 0)) || (b2 & 0x40) === 0) refuse(REASON.invalid);
    if (op === 0xc4) opcode.push(b1, b2, byte());
    else opcode.push(b1, byte());
    shape = M(op === 0xc4 && (b1 & 0x1f) === 3 ? 1 : 0);
  } else if (op === 0x0f) {
    const op2 = byte();
    opcode.push(op2);
    if (op2 === 0x38 || op2 === 0x3a) opcode.push(byte());
    shape = shape2(op2, reg, rep);
  } else {
    shape = shape1(op, reg);
    insn.popReg = op >= 0x58 && op <= 0x5f;
    insn.call = op === 0xe8;
  }
  if (osize && (shape.rel !== undefined || op === 0xc3 || op === 0xc8 || op === 0xc9)) refuse(REASON.branch);
  if (shape.stack) insn.stack = osize ? 16 : 0;

  // ModRM, SIB and displacement, re-encoded for 64-bit mode
  let addr = shape.implicitAddr === true;
  const modrmBytes: number[] = [];
  if (shape.modrm) {
    const modrm = byte();
    const mod = modrm >> 6, rm = modrm & 7;
    if (mod === 3) {
      modrmBytes.push(modrm);
    } else {
      if (asize) refuse(REASON.addr16); // before parsing: 16-bit ModRM forms have other lengths
      if (shape.stack) refuse(REASON.stackMem);
      addr = true;
      if (mod === 0 && rm === 5) {
        modrmBytes.push((modrm & 0xf8) | 4, 0x25, byte(), byte(), byte(), byte());
      } else {
        modrmBytes.push(modrm);
        if (rm === 4) {
          const sib = byte();
          if ((sib & 7) === 4) refuse(REASON.stackShape);
          modrmBytes.push(sib);
          if (mod === 0 && (sib & 7) === 5) modrmBytes.push(byte(), byte(), byte(), byte());
        }
        if (mod === 1) modrmBytes.push(byte());
        if (mod === 2) modrmBytes.push(byte(), byte(), byte(), byte());
      }
    }
  } else if (op >= 0xa0 && op <= 0xa3) {
    addr = true;
    modrmBytes.push(byte(), byte(), byte(), byte()); // moffs32
  }
  if (addr && asize) refuse(REASON.addr16);
  const immLen = shape.imm === 'z' ? (osize ? 2 : 4) : shape.imm;
  const imm: number[] = [];
  for (let k = 0; k < immLen; k++) imm.push(byte());
  if (op === 0xc8 && (imm[2] & 31) > 1) refuse(REASON.stackShape); // ENTER copies 8-byte frame pointers
  if (op === 0xc2) {
    // RET n releases n/4 argument slots; they are 8 bytes each when every push is (checked below).
    const n = imm[0] | imm[1] << 8;
    if (n % 4 !== 0 || n * 2 > 0xffff) refuse(REASON.stackShape);
    imm[0] = (n * 2) & 0xff;
    imm[1] = (n * 2) >> 8;
  }

  out.push(...prefixes);
  if (addr && !asize) out.push(0x67);
  out.push(...opcode, ...modrmBytes, ...imm);
  if (shape.rel !== undefined) {
    const size = shape.rel;
    const disp: number[] = [];
    for (let k = 0; k < size; k++) disp.push(byte());
    const d = size === 1 ? (disp[0] << 24) >> 24 : disp[0] | disp[1] << 8 | disp[2] << 16 | disp[3] << 24;
    insn.rel = { at: out.length, size, target: i + d };
    out.push(...disp);
  }
  insn.end = i;
  return insn;
}

/** The snippet's 64-bit encoding, or why its bytes cannot be replayed in 64-bit mode. */
export function x64ReplayCode(code: Uint8Array | number[]): X64Replay {
  const bytes = Array.from(code);
  const insns: Insn[] = [];
  try {
    for (let at = 0; at < bytes.length;) {
      const insn = decode(bytes, at);
      insns.push(insn);
      at = insn.end;
    }
  } catch (e) {
    if (e instanceof Refuse) return { reason: e.message };
    throw e;
  }

  // Old offset -> new offset of every instruction boundary.
  const newAt = new Map<number, number>();
  let pos = 0;
  for (const insn of insns) {
    newAt.set(insn.start, pos);
    pos += insn.bytes.length;
  }
  newAt.set(bytes.length, pos);

  const widths = new Set(insns.filter((x) => x.stack !== undefined).map((x) => x.stack));
  if (widths.size > 1) return { reason: REASON.stackShape };

  const result: number[] = [];
  for (const insn of insns) {
    if (insn.call && insn.rel) {
      const target = insns.find((x) => x.start === insn.rel!.target);
      if (target?.popReg) return { reason: REASON.ownAddress };
    }
    const b = insn.bytes.slice();
    if (insn.rel) {
      const to = newAt.get(insn.rel.target);
      if (to === undefined) return { reason: REASON.branch };
      const d = to - (result.length + b.length);
      if (insn.rel.size === 1) {
        if (d < -128 || d > 127) return { reason: REASON.branch };
        b[insn.rel.at] = d & 0xff;
      } else {
        for (let k = 0; k < 4; k++) b[insn.rel.at + k] = (d >> (8 * k)) & 0xff;
      }
    }
    result.push(...b);
  }
  return { code: result };
}
