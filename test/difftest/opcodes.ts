// The opcode table of the differential tester: every encoding it generates, with its operand
// forms and — next to each encoding — the EFLAGS bits the Intel SDM (vol. 2, "Flags
// Affected") leaves undefined. Only those bits are masked when results are compared.
//
// Flag notation (fl): r = flags read, d = flags always written with defined values,
// u = flags written with undefined values; letters O S Z A P C. Rules that depend on the
// operand values (shift counts, REP counts) are small functions (dyn) evaluated on the
// emulator's state just before the instruction runs; d/u are then their static bounds, which
// the generator uses to decide when a flag reader needs a flag definer in front of it.
//
// Not generated, and why:
//  - PUSH/POP of CS DS ES SS, MOV from them, LDS/LES, far CALL/JMP/RET, IRET, VERR/VERW, STR,
//    SLDT, SGDT/SIDT, SMSW: the selector values (and UMIP emulation) belong to the host kernel
//    (a 64-bit kernel's user selectors are 0x23/0x2B, the emulator's are Linux i386's 0x73/0x7B).
//  - GS (the host's TLS selector); FS is tested with null selectors only.
//  - CPUID, RDTSC, RDPMC, SYSENTER, INT n: machine-dependent or they enter the kernel.
//  - 16-bit addressing (0x67) of memory operands: addresses below 64 KiB cannot be mapped
//    natively (vm.mmap_min_addr); 0x67 is tested on LOOP/JCXZ and as a faulting string op.
//  - F3 0F BC/BD (TZCNT/LZCNT on this host, BSF/BSR on a CPU without BMI1/ABM): CPUID
//    does not advertise them, so either behaviour is correct.
import type { Cpu } from '../../src/cpu/cpu.js';
import {
  type Enc, type FlagEffect, type DynInfo, type Gen, type Size, type Spec, ccReads, fl, NO_FLAGS,
} from './gen.js';
import { X87_ROWS } from './opcodesX87.js';
import { SSE_ROWS } from './opcodesSse.js';
import { MODERN_ROWS } from './opcodesModern.js';
import {
  AF, ARITH, CF, CODE_ADDR, DF, EAX, EBP, EBX, ECX, EDI, EDX, ESI, ESP, OF, PF, SCRATCH_ADDR,
  SCRATCH_SIZE, SF, STACK_HIGH, STACK_LOW, ZF,
} from './layout.js';

const SZP = SF | ZF | PF;
const CC = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];
const bit = (r: number) => 1 << r;
const v = (sz: Size) => sz / 8;

// ---- flag rules that depend on operand values ------------------------------------------

/** ROL ROR RCL RCR: masked count 0 changes nothing; CF defined; OF only for count 1. */
function rotateFlags(x: DynInfo): FlagEffect {
  const n = x.count & 31;
  if (n === 0) return { d: 0, u: 0 };
  return n === 1 ? { d: CF | OF, u: 0 } : { d: CF, u: OF };
}

/** SHL SHR SAL SAR: count 0 changes nothing; AF undefined; OF only for count 1; SHL/SHR CF undefined when count >= width. */
function shiftFlags(op: 'shl' | 'shr' | 'sar') {
  return (x: DynInfo): FlagEffect => {
    const n = x.count & 31;
    if (n === 0) return { d: 0, u: 0 };
    let d = SZP | CF | OF, u = AF;
    if (n !== 1) { d &= ~OF; u |= OF; }
    if (op !== 'sar' && n >= x.sz) { d &= ~CF; u |= CF; }
    return { d, u };
  };
}

/** SHLD SHRD: count 0 changes nothing; AF undefined; OF only for count 1; count > width: all undefined. */
function doubleShiftFlags(x: DynInfo): FlagEffect {
  const n = x.count & 31;
  if (n === 0) return { d: 0, u: 0 };
  if (n > x.sz) return { d: 0, u: ARITH };
  return n === 1 ? { d: SZP | CF | OF, u: AF } : { d: SZP | CF, u: AF | OF };
}

/** CMPS/SCAS under REP with ECX = 0 execute no iteration and leave the flags alone. */
function repCmpFlags(x: DynInfo): FlagEffect {
  if (x.unit.rep !== 0 && x.cpu && x.cpu.regs[ECX] === 0) return { d: 0, u: 0 };
  if (x.unit.rep !== 0 && !x.cpu) return { d: 0, u: 0 };
  return { d: ARITH, u: 0 };
}

// ---- the table --------------------------------------------------------------------------

export const TABLE: Spec[] = [];
const add = (s: Spec) => TABLE.push(s);

// Group-1 ALU: ADD OR ADC SBB AND SUB XOR CMP in their six forms and the 80/81/82/83 group.
const ALU = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'];
const ALU_FLAGS = [
  fl('d=OSZAPC'), fl('d=OSZPC u=A'), fl('r=C d=OSZAPC'), fl('r=C d=OSZAPC'),
  fl('d=OSZPC u=A'), fl('d=OSZAPC'), fl('d=OSZPC u=A'), fl('d=OSZAPC'),
];
for (let k = 0; k < 8; k++) {
  const n = ALU[k], f = ALU_FLAGS[k], cmp = n === 'cmp', g = 'alu';
  add({ name: `${n} Eb,Gb`, group: g, op: [k * 8], size: 'b', modrm: { reg: 'G', rm: 'E' }, wr: cmp ? '' : 'E', lock: !cmp, readOnly: cmp, fl: f });
  add({ name: `${n} Ev,Gv`, group: g, op: [k * 8 + 1], modrm: { reg: 'G', rm: 'E' }, wr: cmp ? '' : 'E', lock: !cmp, readOnly: cmp, fl: f, weight: 2 });
  add({ name: `${n} Gb,Eb`, group: g, op: [k * 8 + 2], size: 'b', modrm: { reg: 'G', rm: 'E' }, wr: cmp ? '' : 'G', readOnly: true, fl: f });
  add({ name: `${n} Gv,Ev`, group: g, op: [k * 8 + 3], modrm: { reg: 'G', rm: 'E' }, wr: cmp ? '' : 'G', readOnly: true, fl: f, weight: 2 });
  add({ name: `${n} AL,Ib`, group: g, op: [k * 8 + 4], size: 'b', imm: 'b', iw: cmp ? 0 : bit(EAX), fl: f });
  add({ name: `${n} eAX,Iz`, group: g, op: [k * 8 + 5], imm: 'z', iw: cmp ? 0 : bit(EAX), fl: f });
  add({ name: `${n} Eb,Ib`, group: g, op: [0x80], size: 'b', modrm: { reg: k, rm: 'E' }, imm: 'b', wr: cmp ? '' : 'E', lock: !cmp, readOnly: cmp, fl: f });
  add({ name: `${n} Ev,Iz`, group: g, op: [0x81], modrm: { reg: k, rm: 'E' }, imm: 'z', wr: cmp ? '' : 'E', lock: !cmp, readOnly: cmp, fl: f });
  add({ name: `${n} Eb,Ib (82)`, group: g, op: [0x82], size: 'b', modrm: { reg: k, rm: 'E' }, imm: 'b', wr: cmp ? '' : 'E', lock: !cmp, readOnly: cmp, fl: f, weight: 0.3 });
  add({ name: `${n} Ev,Ib`, group: g, op: [0x83], modrm: { reg: k, rm: 'E' }, imm: 'bs', wr: cmp ? '' : 'E', lock: !cmp, readOnly: cmp, fl: f, weight: 2 });
}

// TEST, INC, DEC, NOT, NEG
const LOGIC = fl('d=OSZPC u=A');
add({ name: 'test Eb,Gb', group: 'alu', op: [0x84], size: 'b', modrm: { reg: 'G', rm: 'E' }, readOnly: true, fl: LOGIC });
add({ name: 'test Ev,Gv', group: 'alu', op: [0x85], modrm: { reg: 'G', rm: 'E' }, readOnly: true, fl: LOGIC });
add({ name: 'test AL,Ib', group: 'alu', op: [0xa8], size: 'b', imm: 'b', fl: LOGIC });
add({ name: 'test eAX,Iz', group: 'alu', op: [0xa9], imm: 'z', fl: LOGIC });
add({ name: 'test Eb,Ib', group: 'alu', op: [0xf6], size: 'b', modrm: { reg: 0, rm: 'E' }, imm: 'b', readOnly: true, fl: LOGIC });
add({ name: 'test Ev,Iz', group: 'alu', op: [0xf7], modrm: { reg: 0, rm: 'E' }, imm: 'z', readOnly: true, fl: LOGIC });
add({ name: 'test Eb,Ib (F6 /1)', group: 'alu', op: [0xf6], size: 'b', modrm: { reg: 1, rm: 'E' }, imm: 'b', readOnly: true, fl: LOGIC, weight: 0.3 });
add({ name: 'test Ev,Iz (F7 /1)', group: 'alu', op: [0xf7], modrm: { reg: 1, rm: 'E' }, imm: 'z', readOnly: true, fl: LOGIC, weight: 0.3 });
const INCDEC = fl('d=OSZAP');
add({ name: 'inc Zv', group: 'alu', op: [0x40], opreg: true, wr: 'O', fl: INCDEC });
add({ name: 'dec Zv', group: 'alu', op: [0x48], opreg: true, wr: 'O', fl: INCDEC });
add({ name: 'inc Eb', group: 'alu', op: [0xfe], size: 'b', modrm: { reg: 0, rm: 'E' }, wr: 'E', lock: true, fl: INCDEC });
add({ name: 'dec Eb', group: 'alu', op: [0xfe], size: 'b', modrm: { reg: 1, rm: 'E' }, wr: 'E', lock: true, fl: INCDEC });
add({ name: 'inc Ev', group: 'alu', op: [0xff], modrm: { reg: 0, rm: 'E' }, wr: 'E', lock: true, fl: INCDEC });
add({ name: 'dec Ev', group: 'alu', op: [0xff], modrm: { reg: 1, rm: 'E' }, wr: 'E', lock: true, fl: INCDEC });
add({ name: 'not Eb', group: 'alu', op: [0xf6], size: 'b', modrm: { reg: 2, rm: 'E' }, wr: 'E', lock: true, fl: NO_FLAGS });
add({ name: 'not Ev', group: 'alu', op: [0xf7], modrm: { reg: 2, rm: 'E' }, wr: 'E', lock: true, fl: NO_FLAGS });
add({ name: 'neg Eb', group: 'alu', op: [0xf6], size: 'b', modrm: { reg: 3, rm: 'E' }, wr: 'E', lock: true, fl: fl('d=OSZAPC') });
add({ name: 'neg Ev', group: 'alu', op: [0xf7], modrm: { reg: 3, rm: 'E' }, wr: 'E', lock: true, fl: fl('d=OSZAPC') });

// MUL IMUL DIV IDIV: CF = OF = upper half significant, SF ZF AF PF undefined; DIV: all undefined.
const MULF = fl('d=OC u=SZAP');
const ACC = (sz: Size) => (sz === 8 ? bit(EAX) : bit(EAX) | bit(EDX));
for (const [k, n] of [[4, 'mul'], [5, 'imul']] as const) {
  add({ name: `${n} Eb`, group: 'muldiv', op: [0xf6], size: 'b', modrm: { reg: k, rm: 'E' }, iw: bit(EAX), readOnly: true, fl: MULF });
  add({ name: `${n} Ev`, group: 'muldiv', op: [0xf7], modrm: { reg: k, rm: 'E' }, iw: bit(EAX) | bit(EDX), readOnly: true, fl: MULF });
}
add({ name: 'imul Gv,Ev', group: 'muldiv', op: [0x0f, 0xaf], modrm: { reg: 'G', rm: 'E' }, wr: 'G', readOnly: true, fl: MULF });
add({ name: 'imul Gv,Ev,Iz', group: 'muldiv', op: [0x69], modrm: { reg: 'G', rm: 'E' }, imm: 'z', wr: 'G', readOnly: true, fl: MULF });
add({ name: 'imul Gv,Ev,Ib', group: 'muldiv', op: [0x6b], modrm: { reg: 'G', rm: 'E' }, imm: 'bs', wr: 'G', readOnly: true, fl: MULF });

/**
 * Before DIV/IDIV: usually make the quotient fit (zero or sign-extend the high half, and
 * keep the divisor register away from the dividend), sometimes leave it to chance (#DE).
 */
function divSetup(signed: boolean) {
  return (g: Gen, e: Enc): void => {
    const r = g.rng;
    if (!e.isMem && (e.sz === 8 ? (e.rm & 3) === EAX || e.rm === 4 : e.rm === EAX || e.rm === EDX)) {
      e.rm = e.sz === 8 ? r.pick([1, 2, 3, 5, 6, 7]) : r.pick([ECX, EBX, EBP, ESI, EDI].filter((x) => x !== ESP));
      if (g.locked & bit(e.sz === 8 ? e.rm & 3 : e.rm)) e.rm = ECX;
    }
    if (r.chance(0.15)) return;
    if (e.sz === 8) {
      if (signed) g.insn(g.spec('cbw/cwde'), { sz: 16 });
      else g.movImm8(4, 0); // mov ah, 0
    } else if (signed) {
      g.insn(g.spec('cwd/cdq'), { sz: e.sz });
    } else {
      g.insn(g.spec('xor Ev,Gv'), { sz: e.sz, reg: EDX, rm: EDX, mem: false });
    }
    e.keep |= bit(EAX) | bit(EDX);
  };
}
add({ name: 'div Eb', group: 'muldiv', op: [0xf6], size: 'b', modrm: { reg: 6, rm: 'E' }, iw: bit(EAX), readOnly: true, fl: fl('u=OSZAPC'), pre: divSetup(false) });
add({ name: 'div Ev', group: 'muldiv', op: [0xf7], modrm: { reg: 6, rm: 'E' }, iw: bit(EAX) | bit(EDX), readOnly: true, fl: fl('u=OSZAPC'), pre: divSetup(false) });
add({ name: 'idiv Eb', group: 'muldiv', op: [0xf6], size: 'b', modrm: { reg: 7, rm: 'E' }, iw: bit(EAX), readOnly: true, fl: fl('u=OSZAPC'), pre: divSetup(true) });
add({ name: 'idiv Ev', group: 'muldiv', op: [0xf7], modrm: { reg: 7, rm: 'E' }, iw: bit(EAX) | bit(EDX), readOnly: true, fl: fl('u=OSZAPC'), pre: divSetup(true) });
void ACC;

// Shifts and rotates (group 2), SHLD/SHRD.
const SHIFTS = ['rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'sal', 'sar'] as const;
function shiftSpecFlags(k: number) {
  const n = SHIFTS[k];
  if (k < 4) return fl(k === 2 || k === 3 ? 'r=C u=OC' : 'u=OC', rotateFlags);
  const op = n === 'sar' ? 'sar' : n === 'shr' ? 'shr' : 'shl';
  return fl('u=OSZAPC', shiftFlags(op));
}
/** Sometimes sets CL to an interesting count before a shift by CL. */
function clSetup(g: Gen, e: Enc): void {
  if (!(g.locked & bit(ECX)) && g.rng.chance(0.5)) {
    g.movImm8(ECX, g.rng.pick([0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 0xff]));
  }
  e.keep |= bit(ECX);
  if (!e.isMem && e.sz !== 8 && e.rm === ECX && g.rng.chance(0.5)) e.rm = EBX;
}
for (let k = 0; k < 8; k++) {
  const n = SHIFTS[k], f = shiftSpecFlags(k), g = 'shift';
  const w = k === 6 ? 0.3 : 1;
  add({ name: `${n} Eb,Ib`, group: g, op: [0xc0], size: 'b', modrm: { reg: k, rm: 'E' }, imm: 'count', count: 'imm', wr: 'E', fl: f, weight: w });
  add({ name: `${n} Ev,Ib`, group: g, op: [0xc1], modrm: { reg: k, rm: 'E' }, imm: 'count', count: 'imm', wr: 'E', fl: f, weight: w });
  add({ name: `${n} Eb,1`, group: g, op: [0xd0], size: 'b', modrm: { reg: k, rm: 'E' }, count: 'one', wr: 'E', fl: f, weight: w });
  add({ name: `${n} Ev,1`, group: g, op: [0xd1], modrm: { reg: k, rm: 'E' }, count: 'one', wr: 'E', fl: f, weight: w });
  add({ name: `${n} Eb,CL`, group: g, op: [0xd2], size: 'b', modrm: { reg: k, rm: 'E' }, count: 'cl', wr: 'E', fl: f, pre: clSetup, weight: w });
  add({ name: `${n} Ev,CL`, group: g, op: [0xd3], modrm: { reg: k, rm: 'E' }, count: 'cl', wr: 'E', fl: f, pre: clSetup, weight: w });
}
/** 16-bit SHLD/SHRD with a count above 16 leave the destination undefined: keep counts <= 16. */
function dshImm(g: Gen, e: Enc): void {
  if (e.sz === 16 && (e.imm & 31) > 16) e.imm = g.rng.chance(0.5) ? e.imm & 15 : (e.imm & ~31) | 16;
}
function dshCl(g: Gen, e: Enc): void {
  if (e.sz === 16 || g.rng.chance(0.4)) g.movImm8(ECX, e.sz === 16 ? (g.rng.int(17) | (g.rng.chance(0.3) ? 0x20 : 0)) : g.rng.pick([0, 1, 2, 8, 16, 31, 32, 33]));
  e.keep |= bit(ECX);
}
const DSH = fl('u=OSZAPC', doubleShiftFlags);
add({ name: 'shld Ev,Gv,Ib', group: 'shift', op: [0x0f, 0xa4], modrm: { reg: 'G', rm: 'E' }, imm: 'count', count: 'imm', wr: 'E', fl: DSH, pre: dshImm });
add({ name: 'shld Ev,Gv,CL', group: 'shift', op: [0x0f, 0xa5], modrm: { reg: 'G', rm: 'E' }, count: 'cl', wr: 'E', fl: DSH, pre: dshCl });
add({ name: 'shrd Ev,Gv,Ib', group: 'shift', op: [0x0f, 0xac], modrm: { reg: 'G', rm: 'E' }, imm: 'count', count: 'imm', wr: 'E', fl: DSH, pre: dshImm });
add({ name: 'shrd Ev,Gv,CL', group: 'shift', op: [0x0f, 0xad], modrm: { reg: 'G', rm: 'E' }, count: 'cl', wr: 'E', fl: DSH, pre: dshCl });

// Bit tests and scans.
const BTF = fl('d=C u=OSAP');
/** BT* Ev,Gv with memory: the bit offset in Gv reaches beyond the operand; keep it near. */
function btRegSetup(g: Gen, e: Enc): void {
  if (e.isMem) {
    if (g.locked & bit(e.reg)) e.reg = EBX;
    if (e.reg === ESP) e.reg = EBX;
    g.movImm(e.reg, g.rng.range(-500, 500));
    e.keep |= bit(e.reg);
  }
}
const BT_NAMES = ['bt', 'bts', 'btr', 'btc'];
for (let k = 0; k < 4; k++) {
  const n = BT_NAMES[k];
  add({ name: `${n} Ev,Gv`, group: 'bit', op: [0x0f, 0xa3 + 8 * k], modrm: { reg: 'G', rm: 'E' }, wr: k ? 'E' : '', lock: k > 0, readOnly: k === 0, fl: BTF, pre: btRegSetup, mem: () => 4 });
  add({ name: `${n} Ev,Ib`, group: 'bit', op: [0x0f, 0xba], modrm: { reg: 4 + k, rm: 'E' }, imm: 'b', wr: k ? 'E' : '', lock: k > 0, readOnly: k === 0, fl: BTF });
}
add({ name: 'bsf Gv,Ev', group: 'bit', op: [0x0f, 0xbc], modrm: { reg: 'G', rm: 'E' }, wr: 'G', readOnly: true, fl: fl('d=Z u=OSAPC') });
add({ name: 'bsr Gv,Ev', group: 'bit', op: [0x0f, 0xbd], modrm: { reg: 'G', rm: 'E' }, wr: 'G', readOnly: true, fl: fl('d=Z u=OSAPC') });
add({ name: 'popcnt Gv,Ev', group: 'bit', pfx: [0xf3], op: [0x0f, 0xb8], modrm: { reg: 'G', rm: 'E' }, wr: 'G', readOnly: true, fl: fl('d=OSZAPC') });

// Data movement.
add({ name: 'mov Eb,Gb', group: 'mov', op: [0x88], size: 'b', modrm: { reg: 'G', rm: 'E' }, wr: 'E', fl: NO_FLAGS });
add({ name: 'mov Ev,Gv', group: 'mov', op: [0x89], modrm: { reg: 'G', rm: 'E' }, wr: 'E', fl: NO_FLAGS, weight: 2 });
add({ name: 'mov Gb,Eb', group: 'mov', op: [0x8a], size: 'b', modrm: { reg: 'G', rm: 'E' }, wr: 'G', readOnly: true, fl: NO_FLAGS });
add({ name: 'mov Gv,Ev', group: 'mov', op: [0x8b], modrm: { reg: 'G', rm: 'E' }, wr: 'G', readOnly: true, fl: NO_FLAGS, weight: 2 });
add({ name: 'mov Eb,Ib', group: 'mov', op: [0xc6], size: 'b', modrm: { reg: 0, rm: 'E' }, imm: 'b', wr: 'E', fl: NO_FLAGS });
add({ name: 'mov Ev,Iz', group: 'mov', op: [0xc7], modrm: { reg: 0, rm: 'E' }, imm: 'z', wr: 'E', fl: NO_FLAGS });
add({ name: 'mov Zb,Ib', group: 'mov', op: [0xb0], size: 'b', opreg: true, imm: 'b', fl: NO_FLAGS });
add({ name: 'mov Zv,Iv', group: 'mov', op: [0xb8], opreg: true, imm: 'z', wr: 'O', fl: NO_FLAGS });
add({ name: 'mov AL,Ob / Ob,AL / eAX,Ov / Ov,eAX', group: 'mov', fl: NO_FLAGS, emit: (g) => {
  const r = g.rng;
  const op = r.pick([0xa0, 0xa1, 0xa2, 0xa3]);
  const sz: Size = op & 1 ? (r.chance(0.3) ? 16 : 32) : 8;
  const addr = g.dataAddr(sz / 8);
  const segs = op >= 0xa2 ? [0x26, 0x36, 0x3e] : [0x26, 0x2e, 0x36, 0x3e]; // no CS override on a store
  const bytes = [...(sz === 16 ? [0x66] : []), ...(r.chance(0.15) ? [r.pick(segs)] : []), op, addr & 0xff, (addr >> 8) & 0xff, (addr >> 16) & 0xff, addr >>> 24];
  g.raw(g.spec('mov AL,Ob / Ob,AL / eAX,Ov / Ov,eAX'), bytes, { sz, isMem: true, addr });
} });
add({ name: 'movzx Gv,Eb', group: 'mov', op: [0x0f, 0xb6], modrm: { reg: 'G', rm: 'E' }, wr: 'G', readOnly: true, mem: () => 1, fl: NO_FLAGS });
add({ name: 'movzx Gv,Ew', group: 'mov', op: [0x0f, 0xb7], modrm: { reg: 'G', rm: 'E' }, wr: 'G', readOnly: true, mem: () => 2, fl: NO_FLAGS });
add({ name: 'movsx Gv,Eb', group: 'mov', op: [0x0f, 0xbe], modrm: { reg: 'G', rm: 'E' }, wr: 'G', readOnly: true, mem: () => 1, fl: NO_FLAGS });
add({ name: 'movsx Gv,Ew', group: 'mov', op: [0x0f, 0xbf], modrm: { reg: 'G', rm: 'E' }, wr: 'G', readOnly: true, mem: () => 2, fl: NO_FLAGS });
add({ name: 'lea Gv,M', group: 'mov', op: [0x8d], modrm: { reg: 'G', rm: 'M' }, wr: 'G', noAccess: true, fl: NO_FLAGS });
add({ name: 'xchg Eb,Gb', group: 'mov', op: [0x86], size: 'b', modrm: { reg: 'G', rm: 'E' }, wr: 'EG', lock: true, fl: NO_FLAGS });
add({ name: 'xchg Ev,Gv', group: 'mov', op: [0x87], modrm: { reg: 'G', rm: 'E' }, wr: 'EG', lock: true, fl: NO_FLAGS });
add({ name: 'xchg eAX,Zv', group: 'mov', op: [0x90], opreg: true, wr: 'O', iw: bit(EAX), fl: NO_FLAGS, pre: (g, e) => { if (e.reg === 0) e.reg = g.rng.pick([1, 2, 3, 5, 6, 7].filter((x) => !(g.locked & bit(x)))); } });
add({ name: 'xadd Eb,Gb', group: 'mov', op: [0x0f, 0xc0], size: 'b', modrm: { reg: 'G', rm: 'E' }, wr: 'EG', lock: true, fl: fl('d=OSZAPC') });
add({ name: 'xadd Ev,Gv', group: 'mov', op: [0x0f, 0xc1], modrm: { reg: 'G', rm: 'E' }, wr: 'EG', lock: true, fl: fl('d=OSZAPC') });
/** CMPXCHG: half the time load the accumulator from the destination so the exchange happens. */
function cmpxchgPost(g: Gen, e: Enc): void {
  if (!g.rng.chance(0.5)) return;
  const sz = e.sz;
  if (e.isMem) {
    if (e.keep & bit(EAX)) return;
    const a = e.addr;
    g.raw(g.spec('mov Gv,Ev'), [...(sz === 16 ? [0x66] : []), sz === 8 ? 0x8a : 0x8b, ...g.absMem(EAX, a)], { sz, isMem: true, addr: a });
  } else {
    g.raw(g.spec('mov Gv,Ev'), [...(sz === 16 ? [0x66] : []), sz === 8 ? 0x8a : 0x8b, 0xc0 | e.rm], { sz, rm: e.rm });
  }
}
add({ name: 'cmpxchg Eb,Gb', group: 'mov', op: [0x0f, 0xb0], size: 'b', modrm: { reg: 'G', rm: 'E' }, wr: 'E', iw: bit(EAX), lock: true, fl: fl('d=OSZAPC'), post: cmpxchgPost });
add({ name: 'cmpxchg Ev,Gv', group: 'mov', op: [0x0f, 0xb1], modrm: { reg: 'G', rm: 'E' }, wr: 'E', iw: bit(EAX), lock: true, fl: fl('d=OSZAPC'), post: cmpxchgPost });
add({ name: 'cmpxchg8b Mq', group: 'mov', op: [0x0f, 0xc7], size: 'n', modrm: { reg: 1, rm: 'M' }, iw: bit(EAX) | bit(EDX), lock: true, mem: () => 8, fl: fl('d=Z'), post: (g, e) => {
  if (!g.rng.chance(0.5) || (e.keep & (bit(EAX) | bit(EDX)))) return;
  const a = e.addr, b = (a + 4) | 0;
  g.raw(g.spec('mov Gv,Ev'), [0x8b, ...g.absMem(EAX, a)], { isMem: true, addr: a });
  g.raw(g.spec('mov Gv,Ev'), [0x8b, ...g.absMem(EDX, b)], { isMem: true, addr: b, reg: EDX });
} });
add({ name: 'bswap Zd', group: 'mov', op: [0x0f, 0xc8], size: 'd', opreg: true, wr: 'O', fl: NO_FLAGS });
add({ name: 'bswap Zw', group: 'mov', op: [0x0f, 0xc8], size: 'w', opreg: true, wr: 'O', fl: NO_FLAGS, weight: 0.3 });
add({ name: 'cbw/cwde', group: 'mov', op: [0x98], iw: bit(EAX), fl: NO_FLAGS });
add({ name: 'cwd/cdq', group: 'mov', op: [0x99], iw: bit(EDX), fl: NO_FLAGS });
for (let cc = 0; cc < 16; cc++) {
  const reads = ccReads(cc);
  add({ name: `set${CC[cc]} Eb`, group: 'setcc', op: [0x0f, 0x90 + cc], size: 'b', modrm: { reg: 0, rm: 'E' }, wr: 'E', fl: { r: reads, d: 0, u: 0 }, weight: 0.3 });
  add({ name: `cmov${CC[cc]} Gv,Ev`, group: 'cmov', op: [0x0f, 0x40 + cc], modrm: { reg: 'G', rm: 'E' }, wr: 'G', readOnly: true, fl: { r: reads, d: 0, u: 0 }, weight: 0.3 });
}
add({ name: 'xlat', group: 'mov', fl: NO_FLAGS, emit: (g) => {
  const r = g.rng;
  if (g.locked & bit(EBX)) return;
  g.movImm(EBX, r.range(SCRATCH_ADDR, SCRATCH_ADDR + SCRATCH_SIZE - 256));
  const bytes = r.chance(0.2) ? [r.pick([0x26, 0x2e, 0x36, 0x3e]), 0xd7] : [0xd7];
  g.raw(g.spec('xlat'), bytes, { sz: 8 });
} });
add({ name: 'mov Ev,FS', group: 'mov', op: [0x8c], modrm: { reg: 4, rm: 'E' }, wr: 'E', mem: () => 2, fl: NO_FLAGS, weight: 0.3 });
add({ name: 'mov FS,Ew (null selector)', group: 'mov', op: [0x8e], size: 'n', modrm: { reg: 4, rm: 'R' }, fl: NO_FLAGS, weight: 0.3, pre: (g, e) => {
  if (g.locked & bit(e.rm & 7)) e.rm = EBX;
  g.movImm(e.rm, g.rng.int(4));
} });

// Flags.
add({ name: 'clc', group: 'flags', op: [0xf8], fl: fl('d=C') });
add({ name: 'stc', group: 'flags', op: [0xf9], fl: fl('d=C') });
add({ name: 'cmc', group: 'flags', op: [0xf5], fl: fl('r=C d=C') });
add({ name: 'cld', group: 'flags', fl: NO_FLAGS, emit: (g) => { g.raw(g.spec('cld'), [0xfc]); g.df = g.inBody ? -1 : 0; } });
add({ name: 'std', group: 'flags', fl: NO_FLAGS, emit: (g) => { g.raw(g.spec('std'), [0xfd]); g.df = g.inBody ? -1 : 1; } });
add({ name: 'sahf', group: 'flags', op: [0x9e], fl: fl('d=SZAPC') });
add({ name: 'lahf', group: 'flags', op: [0x9f], iw: bit(EAX), fl: fl('r=SZAPC') });
add({ name: 'salc', group: 'flags', op: [0xd6], iw: bit(EAX), fl: fl('r=C'), weight: 0.3 });

// Decimal adjust.
add({ name: 'daa', group: 'bcd', op: [0x27], iw: bit(EAX), fl: fl('r=AC d=SZAPC u=O') });
add({ name: 'das', group: 'bcd', op: [0x2f], iw: bit(EAX), fl: fl('r=AC d=SZAPC u=O') });
add({ name: 'aaa', group: 'bcd', op: [0x37], iw: bit(EAX), fl: fl('r=A d=AC u=OSZP') });
add({ name: 'aas', group: 'bcd', op: [0x3f], iw: bit(EAX), fl: fl('r=A d=AC u=OSZP') });
add({ name: 'aam Ib', group: 'bcd', op: [0xd4], imm: 'b', iw: bit(EAX), fl: fl('d=SZP u=OAC'), pre: (g, e) => { if (g.rng.chance(0.5)) e.imm = 10; else if (e.imm === 0 && g.rng.chance(0.7)) e.imm = 7; } });
add({ name: 'aad Ib', group: 'bcd', op: [0xd5], imm: 'b', iw: bit(EAX), fl: fl('d=SZP u=OAC'), pre: (g, e) => { if (g.rng.chance(0.5)) e.imm = 10; } });

// Stack.
const ROOM = 96;
add({ name: 'push Zv', group: 'stack', op: [0x50], opreg: true, stack: (sz) => -v(sz), fl: NO_FLAGS });
add({ name: 'pop Zv', group: 'stack', op: [0x58], opreg: true, wr: 'O', stack: (sz) => v(sz), fl: NO_FLAGS });
add({ name: 'push Iz', group: 'stack', op: [0x68], imm: 'z', stack: (sz) => -v(sz), fl: NO_FLAGS });
add({ name: 'push Ib', group: 'stack', op: [0x6a], imm: 'bs', stack: (sz) => -v(sz), fl: NO_FLAGS });
add({ name: 'push Ev', group: 'stack', op: [0xff], modrm: { reg: 6, rm: 'E' }, readOnly: true, stack: (sz) => -v(sz), fl: NO_FLAGS });
add({ name: 'pop Ev', group: 'stack', op: [0x8f], modrm: { reg: 0, rm: 'E' }, wr: 'E', stack: (sz) => v(sz), espAdjust: (sz) => v(sz), fl: NO_FLAGS });
add({ name: 'pusha', group: 'stack', op: [0x60], stack: (sz) => -8 * v(sz), fl: NO_FLAGS, weight: 0.3 });
add({ name: 'popa', group: 'stack', op: [0x61], iw: 0xff & ~bit(ESP), stack: (sz) => 8 * v(sz), fl: NO_FLAGS, weight: 0.3 });
add({ name: 'pushf', group: 'stack', op: [0x9c], stack: (sz) => -v(sz), fl: fl('r=OSZAPC'), weight: 0.5 });
add({ name: 'popfd', group: 'stack', internal: true, op: [0x9d], size: 'd', stack: () => 4, fl: fl('d=OSZAPC') });
add({ name: 'push Iz; popf', group: 'stack', fl: NO_FLAGS, emit: (g) => {
  const r = g.rng;
  if (r.chance(0.7)) { g.pushfImm(r.u32()); return; }
  // 16-bit POPF, or a 32-bit one with IOPL/IF/NT bits the CPU must ignore or keep at CPL 3.
  if (r.chance(0.5)) {
    const val = (r.u32() & 0x0ed5 & ~DF) | (g.df === 1 ? DF : 0);
    g.raw(g.spec('push Iz'), [0x66, 0x68, val & 0xff, (val >> 8) & 0xff], { sz: 16, imm: val });
    g.raw(g.spec('popf'), [0x66, 0x9d], { sz: 16 });
  } else {
    const val = (r.u32() & (0x0cd5 | 0x3000 | 0x0200 | 0x4000 | 0x200000) & ~DF) | (g.df === 1 ? DF : 0);
    g.raw(g.spec('push Iz'), [0x68, val & 0xff, (val >> 8) & 0xff, (val >> 16) & 0xff, val >>> 24], { imm: val });
    g.raw(g.spec('popf'), [0x9d]);
  }
  if (g.df === -1) g.df = 0;
} });
add({ name: 'popf', group: 'stack', internal: true, op: [0x9d], stack: (sz) => v(sz), fl: fl('d=OSZAPC') });
add({ name: 'push FS / pop FS', group: 'stack', fl: NO_FLAGS, weight: 0.3, emit: (g) => {
  const r = g.rng;
  const o16 = r.chance(0.3) ? [0x66] : [];
  g.raw(g.spec('push FS'), [...o16, 0x0f, 0xa0], { sz: o16.length ? 16 : 32 });
  g.raw(g.spec('pop FS'), [...o16, 0x0f, 0xa1], { sz: o16.length ? 16 : 32 });
} });
add({ name: 'push FS', group: 'stack', internal: true, stack: (sz) => -v(sz), fl: NO_FLAGS });
add({ name: 'pop FS', group: 'stack', internal: true, stack: (sz) => v(sz), fl: NO_FLAGS });
add({ name: 'enter Iw,Ib ... leave', group: 'stack', fl: NO_FLAGS, weight: 0.5, emit: (g) => {
  const r = g.rng;
  if (g.locked & bit(EBP)) return;
  const o16 = r.chance(0.25);
  const size = o16 ? 2 : 4;
  const level = r.chance(0.6) ? r.int(2) : r.range(2, 5);
  const alloc = r.chance(0.5) ? r.int(64) : r.int(16) * 4;
  const need = size * (1 + level) + alloc;
  if (g.esp - need < STACK_LOW + ROOM) return;
  // Level > 1 copies frame pointers from [EBP - k]: point EBP into the stack area.
  // A 16-bit ENTER replaces only BP and a 16-bit LEAVE then loads ESP from all of EBP: the
  // upper half must already point at the scratch area.
  if (level > 1 || o16 || r.chance(0.3)) g.movImm(EBP, r.range(STACK_LOW + 64, STACK_HIGH - 8));
  const esp0 = g.esp;
  g.raw(g.spec('enter Iw,Ib'), [...(o16 ? [0x66] : []), 0xc8, alloc & 0xff, alloc >> 8, level], { sz: o16 ? 16 : 32, imm: alloc });
  g.esp = esp0 - need;
  g.locked |= bit(EBP);
  g.inBody++;
  const n = r.int(4);
  for (let k = 0; k < n; k++) g.insn(g.pick());
  g.inBody--;
  g.locked &= ~bit(EBP);
  g.raw(g.spec('leave'), [...(o16 ? [0x66] : []), 0xc9], { sz: o16 ? 16 : 32 });
  g.esp = o16 ? esp0 : esp0;
} });
add({ name: 'enter Iw,Ib', group: 'stack', internal: true, fl: NO_FLAGS });
add({ name: 'leave', group: 'stack', internal: true, fl: NO_FLAGS });
add({ name: 'mov ebp, X; leave', group: 'stack', fl: NO_FLAGS, weight: 0.3, emit: (g) => {
  if (g.locked & bit(EBP)) return;
  const x = g.rng.range(Math.max(g.esp - 64, STACK_LOW + ROOM), STACK_HIGH - 16) & ~(g.rng.chance(0.9) ? 3 : 0);
  g.movImm(EBP, x);
  g.raw(g.spec('leave'), [0xc9]);
  g.esp = x + 4;
} });

// Control flow: forward jumps over a body, calls to a local target, LOOP/JECXZ.
/** Emits `jump` bytes with a placeholder displacement, then a body, then patches the displacement. */
function overBody(g: Gen, spec: Spec, head: number[], dispBytes: 1 | 4, extra: { imm?: number; sz?: Size; rep?: number } = {}): void {
  const undef0 = g.undef, df0 = g.df;
  const u = g.raw(spec, [...head, ...new Array<number>(dispBytes).fill(0)], { imm: extra.imm ?? 0, sz: extra.sz ?? 32 });
  const from = g.pc;
  g.body(dispBytes === 1 ? 3 : 5);
  let disp = g.pc - from;
  if (dispBytes === 1 && disp > 127) disp = 127; // cannot happen with short bodies
  for (let k = 0; k < dispBytes; k++) g.bytes[from - dispBytes + k] = (disp >> (8 * k)) & 0xff;
  void u;
  g.undef |= undef0;
  if (g.df !== df0) g.df = -1;
}
for (let cc = 0; cc < 16; cc++) {
  const reads = ccReads(cc);
  add({ name: `j${CC[cc]} Jb`, group: 'control', fl: { r: reads, d: 0, u: 0 }, weight: 0.25, emit: (g) => {
    if (reads & g.undef) g.defineFlags();
    overBody(g, g.spec(`j${CC[cc]} Jb`), [0x70 + cc], 1, { imm: cc });
  } });
  add({ name: `j${CC[cc]} Jz`, group: 'control', fl: { r: reads, d: 0, u: 0 }, weight: 0.1, emit: (g) => {
    if (reads & g.undef) g.defineFlags();
    overBody(g, g.spec(`j${CC[cc]} Jz`), [0x0f, 0x80 + cc], 4, { imm: cc });
  } });
}
add({ name: 'jmp Jb', group: 'control', fl: NO_FLAGS, weight: 0.3, emit: (g) => overBody(g, g.spec('jmp Jb'), [0xeb], 1) });
add({ name: 'jmp Jz', group: 'control', fl: NO_FLAGS, weight: 0.3, emit: (g) => overBody(g, g.spec('jmp Jz'), [0xe9], 4) });
for (const [op, n, reads] of [[0xe0, 'loopne', ZF], [0xe1, 'loope', ZF], [0xe2, 'loop', 0], [0xe3, 'jecxz', 0]] as const) {
  add({ name: `${n} Jb`, group: 'control', fl: { r: reads, d: 0, u: 0 }, weight: 0.4, emit: (g) => {
    if (g.locked & bit(ECX)) return;
    const r = g.rng;
    if (r.chance(0.5)) g.movImm(ECX, r.pick([0, 1, 2, 0x10000, 0x10001, 0xffff, r.u32()]));
    if (reads & g.undef) g.defineFlags();
    const a16 = !g.x64 && r.chance(0.25) ? [0x67] : [];
    overBody(g, g.spec(`${n} Jb`), [...a16, op], 1);
  } });
}
/** call rel32 to a local function: call L; jmp over; L: body; ret [n]; over: */
add({ name: 'call Jz ... ret', group: 'control', fl: NO_FLAGS, weight: 0.5, emit: (g) => {
  const r = g.rng;
  if (g.esp - 32 < STACK_LOW + ROOM) return;
  const retN = r.chance(0.3) ? 4 * r.range(1, 3) : 0;
  for (let k = 0; k < retN / 4; k++) g.raw(g.spec('push Iz'), [0x68, ...g.valueBytes(4)], {});
  g.esp -= retN;
  const undef0 = g.undef;
  g.raw(g.spec('call Jz'), [0xe8, 2, 0, 0, 0]); // skip the 2-byte jmp
  const jmpAt = g.pc;
  g.raw(g.spec('jmp Jb'), [0xeb, 0]);
  g.esp -= 4;
  g.guard.push([g.esp, g.esp + 4]); // the body must not overwrite the return address
  g.body(3);
  g.guard.pop();
  if (retN) g.raw(g.spec('ret Iw'), [0xc2, retN, 0], { imm: retN });
  else g.raw(g.spec('ret'), [0xc3]);
  g.esp += 4 + retN;
  g.bytes[jmpAt + 1] = g.pc - (jmpAt + 2);
  g.undef |= undef0;
} });
add({ name: 'call Jz', group: 'control', internal: true, fl: NO_FLAGS });
add({ name: 'ret', group: 'control', internal: true, fl: NO_FLAGS });
add({ name: 'ret Iw', group: 'control', internal: true, fl: NO_FLAGS });
/** call/jmp through a register or memory: mov reg, target; call reg / mov [m], reg; call [m] */
add({ name: 'call Ev / jmp Ev', group: 'control', fl: NO_FLAGS, weight: 0.4, emit: (g) => {
  const r = g.rng;
  if (g.esp - 32 < STACK_LOW + ROOM) return;
  const isCall = r.chance(0.6);
  const reg = g.freeReg(0);
  const viaMem = r.chance(0.4);
  const addr = g.dataAddr(4);
  const a = [addr & 0xff, (addr >> 8) & 0xff, (addr >> 16) & 0xff, addr >>> 24];
  const movAt = g.pc;
  g.movImm(reg, 0); // patched below
  if (viaMem) g.raw(g.spec('mov Ev,Gv'), [0x89, 0x05 | (reg << 3), ...a], { isMem: true, addr });
  const ext = isCall ? 2 : 4;
  const undef0 = g.undef;
  g.raw(g.spec(isCall ? 'call Ev' : 'jmp Ev'), viaMem ? [0xff, 0x05 | (ext << 3), ...a] : [0xff, 0xc0 | (ext << 3) | reg], { isMem: viaMem, addr, reg });
  if (isCall) {
    const jmpAt = g.pc;
    g.raw(g.spec('jmp Jb'), [0xeb, 0]);
    const target = CODE_ADDR + g.pc;
    g.esp -= 4;
    g.guard.push([g.esp, g.esp + 4]);
    g.body(3);
    g.guard.pop();
    g.raw(g.spec('ret'), [0xc3]);
    g.esp += 4;
    g.bytes[jmpAt + 1] = g.pc - (jmpAt + 2);
    for (let k = 0; k < 4; k++) g.bytes[movAt + 1 + k] = (target >>> (8 * k)) & 0xff;
  } else {
    g.body(3);
    const target = CODE_ADDR + g.pc;
    for (let k = 0; k < 4; k++) g.bytes[movAt + 1 + k] = (target >>> (8 * k)) & 0xff;
  }
  g.undef |= undef0;
} });
add({ name: 'call Ev', group: 'control', internal: true, fl: NO_FLAGS });
add({ name: 'jmp Ev', group: 'control', internal: true, fl: NO_FLAGS });

// String instructions, with and without REP, both directions.
const STR = [
  { n: 'movs', op: 0xa4, src: true, dst: true, f: NO_FLAGS },
  { n: 'cmps', op: 0xa6, src: true, dst: true, f: fl('u=-', repCmpFlags) },
  { n: 'stos', op: 0xaa, src: false, dst: true, f: NO_FLAGS },
  { n: 'lods', op: 0xac, src: true, dst: false, f: NO_FLAGS },
  { n: 'scas', op: 0xae, src: false, dst: true, f: fl('u=-', repCmpFlags) },
];
for (const s of STR) {
  for (const w of [8, 16, 32] as const) {
    const name = `${s.n}${w === 8 ? 'b' : w === 16 ? 'w' : 'd'}`;
    add({ name, group: 'string', fl: s.f, emit: (g) => {
      const r = g.rng;
      const iw = (s.src ? bit(ESI) : 0) | (s.dst ? bit(EDI) : 0) | bit(ECX) | (s.n === 'lods' ? bit(EAX) : 0);
      if (g.locked & iw) return;
      if (g.df === -1 || r.chance(0.2)) {
        const std = g.df === -1 ? r.chance(0.3) : g.df === 0;
        g.raw(g.spec(std ? 'std' : 'cld'), [std ? 0xfd : 0xfc]);
        g.df = std ? 1 : 0;
      }
      const rep = r.chance(0.6) ? (s.n === 'cmps' || s.n === 'scas' ? r.pick([1, 2]) : r.chance(0.85) ? 1 : 2) : 0;
      const count = rep ? r.pick([0, 1, 2, 3, 5, 8, 13, 31]) : 1;
      const el = w / 8;
      const span = el * Math.max(count, 1);
      const place = (): number => {
        const lo = SCRATCH_ADDR + (g.df ? span : 0), hi = SCRATCH_ADDR + SCRATCH_SIZE - (g.df ? el : span);
        let a = r.range(lo, hi);
        if (r.chance(0.6)) a &= ~(el - 1);
        return Math.min(Math.max(a, lo), hi);
      };
      if (rep) g.movImm(ECX, r.chance(0.1) ? (count | (r.chance(0.5) ? 0 : 0)) : count);
      if (s.src) g.movImm(ESI, place());
      if (s.dst) g.movImm(EDI, place());
      if (s.n === 'cmps' && r.chance(0.5)) {
        // Make the two strings share a prefix so REPE runs a while.
        // (done through the initial image: both ranges get the same random bytes)
      }
      const reads = (typeof s.f.r === 'number' ? s.f.r : 0);
      if (reads & g.undef) g.defineFlags();
      const bytes: number[] = [];
      if (s.src && r.chance(0.15)) bytes.push(r.pick([0x26, 0x2e, 0x36, 0x3e]));
      if (w === 16) bytes.push(0x66);
      if (rep) bytes.push(rep === 1 ? 0xf3 : 0xf2);
      bytes.push(w === 8 ? s.op : s.op + 1);
      g.raw(g.spec(name), bytes, { sz: w, rep });
    } });
  }
}

// No-operations and hints.
add({ name: 'nop', group: 'misc', op: [0x90], fl: NO_FLAGS, weight: 0.3 });
add({ name: 'pause', group: 'misc', op: [0xf3, 0x90], fl: NO_FLAGS, weight: 0.2 });
add({ name: 'nop Ev', group: 'misc', op: [0x0f, 0x1f], modrm: { reg: 0, rm: 'E' }, noAccess: true, fl: NO_FLAGS, weight: 0.3 });
add({ name: 'hint nop 0F 19-1E Ev', group: 'misc', fl: NO_FLAGS, weight: 0.2, emit: (g) => {
  const r = g.rng;
  g.raw(g.spec('hint nop 0F 19-1E Ev'), [0x0f, r.range(0x19, 0x1e), 0xc0 | r.int(64)]);
} });
add({ name: 'prefetch M', group: 'misc', op: [0x0f, 0x18], size: 'n', modrm: { reg: 0, rm: 'M' }, noAccess: true, fl: NO_FLAGS, weight: 0.2, pre: (g, e) => { e.reg = g.rng.int(4); } });
add({ name: 'prefetchw M', group: 'misc', op: [0x0f, 0x0d], size: 'n', modrm: { reg: 1, rm: 'M' }, noAccess: true, fl: NO_FLAGS, weight: 0.2 });
add({ name: 'clflush M', group: 'misc', op: [0x0f, 0xae], size: 'n', modrm: { reg: 7, rm: 'M' }, mem: () => 1, readOnly: true, fl: NO_FLAGS, weight: 0.2 });
add({ name: 'lfence/mfence/sfence', group: 'misc', fl: NO_FLAGS, weight: 0.2, emit: (g) => {
  g.raw(g.spec('lfence/mfence/sfence'), [0x0f, 0xae, g.rng.pick([0xe8, 0xf0, 0xf8])]);
} });
add({ name: 'arpl Ew,Gw', group: 'misc', op: [0x63], size: 'n', modrm: { reg: 'G', rm: 'E' }, wr: 'E', mem: () => 2, fl: fl('d=Z'), weight: 0.3 });
add({ name: 'bound Gv,Ma', group: 'misc', op: [0x62], modrm: { reg: 'G', rm: 'M' }, mem: (sz) => sz / 4, readOnly: true, fl: NO_FLAGS, weight: 0.3, post: (g, e) => {
  // Usually make the index lie inside the bounds (else #BR, reported as SIGSEGV).
  if (!g.rng.chance(0.7) || (e.keep & bit(e.reg)) || (g.locked & bit(e.reg)) || e.reg === ESP) return;
  const a = e.addr;
  const lo = e.sz === 16 ? [0x66] : [];
  g.raw(g.spec('mov Gv,Ev'), [...lo, 0x8b, 0x05 | (e.reg << 3), a & 0xff, (a >> 8) & 0xff, (a >> 16) & 0xff, a >>> 24], { isMem: true, addr: a, sz: e.sz === 16 ? 16 : 32 });
} });
add({ name: 'into', group: 'misc', op: [0xce], fl: fl('r=O'), weight: 0.2 });

// Sequence enders: traps, faults, privileged and I/O instructions at CPL 3.
const T = (name: string, bytes: number[], weight = 0.03): Spec => ({
  name, group: 'fault', fl: NO_FLAGS, terminal: true, weight, emit: (g) => { g.raw(g.spec(name), bytes); g.ended = true; },
});
add(T('int3', [0xcc], 0.05));
add(T('int1 (icebp)', [0xf1]));
add(T('ud2', [0x0f, 0x0b]));
add(T('ud1 Gv,Ev', [0x0f, 0xb9, 0xc0]));
add(T('ud0', [0x0f, 0xff, 0xc0]));
add(T('hlt', [0xf4]));
add(T('cli', [0xfa]));
add(T('sti', [0xfb]));
add(T('in AL,Ib', [0xe4, 0x80]));
add(T('out Ib,AL', [0xe6, 0x80]));
add(T('in eAX,DX', [0xed]));
add(T('out DX,AL', [0xee]));
add(T('insb', [0x6c]));
add(T('outsd', [0x6f]));
add(T('clts', [0x0f, 0x06]));
add(T('invd', [0x0f, 0x08]));
add(T('wbinvd', [0x0f, 0x09]));
add(T('wrmsr', [0x0f, 0x30]));
add(T('rdmsr', [0x0f, 0x32]));
add(T('mov Rd,CR0', [0x0f, 0x20, 0xc0]));
add(T('mov CR0,Rd', [0x0f, 0x22, 0xc0]));
add(T('mov Rd,DR7', [0x0f, 0x21, 0xf8]));
add(T('lgdt M', [0x0f, 0x01, 0x15, 0, 0, 0, 0x10]));
add(T('lldt Ew', [0x0f, 0x00, 0xd0]));
add(T('invlpg M', [0x0f, 0x01, 0x3d, 0, 0, 0, 0x10]));
// SYSCALL is #UD outside 64-bit mode on Intel, but AMD runs it in a 32-bit process and the
// kernel then performs system call EAX: one unit of MOV EAX, imm32 (a number no kernel has)
// and SYSCALL, so that a host that executes it cannot read, write or exit (vendor.ts).
add({
  name: 'syscall', group: 'fault', fl: NO_FLAGS, terminal: true, weight: 0.03, iw: bit(EAX), emit: (g) => {
    const nr = (0x40000000 | g.rng.u32()) >>> 0;
    g.raw(g.spec('syscall'), [0xb8, nr & 0xff, (nr >> 8) & 0xff, (nr >> 16) & 0xff, nr >>> 24, 0x0f, 0x05]);
    g.ended = true;
  },
});
add(T('lea Gv,R (#UD)', [0x8d, 0xc0]));
add(T('mov Sreg7,Ew (#UD)', [0x8e, 0xf8]));
add(T('mov CS,Ew (#UD)', [0x8e, 0xc8]));
add(T('FE /7 (#UD)', [0xfe, 0xf8]));
add(T('FF /7 (#UD)', [0xff, 0xf8]));
add(T('C6 /1 (#UD)', [0xc6, 0xc8, 0]));
add(T('cmpxchg8b R (#UD)', [0x0f, 0xc7, 0xc8]));
add(T('jmp far ptr16:32 (#GP)', [0xea, 0, 0, 0, 0, 0, 0]));
add(T('lock add Ev,Gv reg (#UD)', [0xf0, 0x01, 0xc0]));
add(T('lock mov Ev,Gv (#UD)', [0xf0, 0x89, 0x05, 0, 0, 0, 0x10]));
add(T('lock cmp Ev,Gv (#UD)', [0xf0, 0x39, 0x05, 0, 0, 0, 0x10]));
add(T('lock nop (#UD)', [0xf0, 0x90]));
add(T('cs: mov Ev,Gv (#GP: write through CS)', [0x2e, 0x89, 0x05, 0, 0x01, 0, 0x10]));
add(T('fs: mov Gv,Ev (#GP: null FS)', [0x64, 0x8b, 0x05, 0, 0x01, 0, 0x10]));
add(T('jmp Jw (EIP wraps to 16 bits)', [0x66, 0xe9, 0x10, 0x00]));
add(T('a16 movsb (SI/DI below 64 KiB)', [0x67, 0xa4]));

TABLE.push(...X87_ROWS);
TABLE.push(...SSE_ROWS);
TABLE.push(...MODERN_ROWS);

/** Rows picked at random (templates and plain rows; setup-only rows excluded). */
export function pickable(table: Spec[] = TABLE): Spec[] {
  return table.filter((s) => !s.internal && (s.weight ?? 1) > 0);
}

/** Registers a Cpu-dependent unit may read (used by reports). */
export type { Cpu };
void EDI; void EBX; void OF;
