// The sequence generator: turns the opcode table (opcodes.ts) into random instruction
// sequences with operands that stay inside the shared scratch area, and keeps the static
// facts a sequence needs to stay comparable: the exact ESP, the direction flag, and which
// arithmetic flags may be undefined at each point (a flag reader is preceded by a flag
// definer when it would read a possibly undefined flag).
import type { Cpu } from '../../src/cpu/cpu.js';
import { Rng } from './rng.js';
import {
  type Case, type Patch, AF, ARITH, CASE_FLAGS, CF, CODE_ADDR, DATA_ADDR, DATA_END, DF, EBP, ECX,
  ESP, GUARD_ABOVE, GUARD_BELOW, MAX_CODE, OF, PF, SCRATCH_ADDR, SCRATCH_SIZE, SF, STACK_HIGH,
  STACK_LOW, ZF,
} from './layout.js';

export type Size = 8 | 16 | 32;

/** Flags written by one execution: d with defined values, u with undefined ones. */
export interface FlagEffect {
  d: number;
  u: number;
}

/** What the runtime flag rules get to look at. */
export interface DynInfo {
  /** Shift/rotate count before masking (imm8, 1, or CL). */
  count: number;
  sz: Size;
  cpu: Cpu | null;
  unit: Unit;
}

export interface FlagSpec {
  /** Flags the instruction reads (a function of the unit for Jcc/SETcc/CMOVcc). */
  r: number | ((u: Unit) => number);
  /** Flags always written with defined values. */
  d: number;
  /** Flags that may be left undefined (for a dyn rule: the union over all operand values). */
  u: number;
  /** Exact rule from the operand values; d/u above are then its static under/over bounds. */
  dyn?: (x: DynInfo) => FlagEffect;
}

/** x87 status-word condition codes (C0 0x100, C1 0x200, C2 0x400, C3 0x4000): read, defined, undefined. */
export interface FswSpec {
  r: number;
  d: number;
  u: number;
}

export type ImmKind = 'b' | 'bs' | 'w' | 'z' | 'd' | 'count' | 'none';

/** One row of the opcode table. */
export interface Spec {
  /** Coverage key, Intel operand notation: "add Ev,Gv". */
  name: string;
  /** Group for mismatch counts and the skip list. */
  group: string;
  /** Opcode bytes (after prefixes). */
  op?: number[];
  /** Mandatory prefix bytes, emitted right before the opcode. */
  pfx?: number[];
  /** Operand size: b = 8, w = 16, d = 32, v = 16 or 32 (0x66), n = none (no 0x66). */
  size?: 'b' | 'w' | 'd' | 'v' | 'n';
  /** ModRM: reg is a fixed /digit or G (a register); rm is E (reg or mem), M (mem), R (reg). */
  modrm?: { reg: number | 'G'; rm: 'E' | 'M' | 'R' };
  /** Register number added to the last opcode byte (50+r, B8+r, ...). */
  opreg?: boolean;
  imm?: ImmKind;
  /** Written register operands: E (rm register form), G, O (opreg). */
  wr?: string;
  /** Implicitly written registers (bit per register number). */
  iw?: number;
  /** Bytes accessed at the memory operand (default: operand size). */
  mem?: (sz: Size) => number;
  /** The memory operand is not accessed (LEA, NOP Ev, prefetch): any address will do. */
  noAccess?: boolean;
  /** The memory operand is only read (a CS override is allowed). */
  readOnly?: boolean;
  /** LOCK is legal with the memory form. */
  lock?: boolean;
  /** Shift count source. */
  count?: 'imm' | 'one' | 'cl';
  /** ESP change (static). */
  stack?: (sz: Size) => number;
  /** ESP-based addresses are computed after ESP moves by this much (POP Ev). */
  espAdjust?: (sz: Size) => number;
  fl: FlagSpec;
  /** x87 condition codes (rows in opcodesX87.ts). */
  fsw?: FswSpec;
  /** Setup before the instruction (runs after the operands are chosen). */
  pre?: (g: Gen, e: Enc) => void;
  /** Setup after the memory operand's setup (e.keep then holds its base/index registers). */
  post?: (g: Gen, e: Enc) => void;
  /** Custom emission for templates (control flow, strings, stack frames). */
  emit?: (g: Gen) => void;
  /** Instruction may end the sequence (nothing after it is generated). */
  terminal?: boolean;
  /** Relative frequency (default 1). */
  weight?: number;
  /** Memory operands are usually aligned to this many bytes (SSE m128 forms: misaligned is #GP, so rarer). */
  align?: number;
  /** Probability of a deliberately faulting memory operand (default: Gen.faultRate). */
  faultRate?: number;
  /** Not picked at random (used as setup or inside templates). */
  internal?: boolean;
}

/** An instruction being encoded, then the record of an emitted one. */
export interface Enc {
  spec: Spec;
  sz: Size;
  reg: number;
  rm: number;
  isMem: boolean;
  /** Linear address of the memory operand (when isMem). */
  addr: number;
  imm: number;
  rep: number;
  /** Registers whose values setup code chose and later setup must not overwrite. */
  keep: number;
}

export interface Unit extends Enc {
  off: number;
  len: number;
  /** A boundary where a sequence may be cut (outside templates). */
  top: boolean;
}

export const NO_FLAGS: FlagSpec = { r: 0, d: 0, u: 0 };

/** Parses "r=C d=OSZAPC u=A" (O S Z A P C; D for DF) into a FlagSpec. */
export function fl(s: string, dyn?: (x: DynInfo) => FlagEffect): FlagSpec {
  const out: FlagSpec = { r: 0, d: 0, u: 0, dyn };
  for (const part of s.split(/\s+/).filter(Boolean)) {
    const [k, v] = part.split('=');
    let m = 0;
    for (const ch of v) {
      m |= { O: OF, S: SF, Z: ZF, A: AF, P: PF, C: CF, D: DF, '-': 0 }[ch] ?? 0;
    }
    if (k === 'r') out.r = m;
    else if (k === 'd') out.d = m;
    else if (k === 'u') out.u = m;
  }
  return out;
}

/** Flags read by condition code cc (Jcc/SETcc/CMOVcc encoding). */
export function ccReads(cc: number): number {
  return [OF, CF, ZF, CF | ZF, SF, PF, SF | OF, ZF | SF | OF][cc >> 1];
}

const REGS_DATA = [0, 1, 2, 3, 5, 6, 7];

/** The per-case generator. */
export class Gen {
  readonly rng: Rng;
  readonly bytes: number[] = [];
  readonly units: Unit[] = [];
  readonly patches = new Map<number, number>();
  readonly regs: number[] = [];
  readonly eflags: number;
  esp: number;
  /** Direction flag: 0, 1, or -1 when unknown (after a skipped-over std/cld). */
  df: number;
  /** Arithmetic flags that may be undefined here. */
  undef = 0;
  /** x87 condition codes that may be undefined here. */
  fswUndef = 0;
  /** The sequence uses the x87 (it then starts from a random FXSAVE image). */
  usesFpu = false;
  /** Registers that random instructions must not write (ESP always). */
  locked = 1 << ESP;
  /** Inside a template body: no nested control flow, no stack changes, no terminals. */
  inBody = 0;
  ended = false;
  /** Emitting a unit that belongs to a template (not a top-level boundary). */
  private inTemplate = 0;
  readonly table: Spec[];
  private readonly picks: Spec[];
  private readonly cum: number[];
  readonly byName: Map<string, Spec>;
  /** Probability of a deliberately faulting memory operand. */
  faultRate = 0.004;
  /** Address ranges [lo, hi) that memory operands must not touch (return addresses in call bodies). */
  readonly guard: Array<[number, number]> = [];
  /** Rows that never get a deliberately faulting memory operand. */
  noFault: ReadonlySet<string> = new Set();
  /**
   * The native side replays the sequence in 64-bit mode (longMode.ts): registers are
   * zero-extended there and disp32 sign-extended, so a memory operand's registers and
   * displacement must add up to its address without wrapping at 4 GiB; [disp32] is encoded
   * through SIB (ModRM 05 is RIP-relative there); no PUSH+POPF setup (8-byte stack slots).
   */
  x64 = false;

  constructor(seed: number, table: Spec[], pickable: Spec[]) {
    this.rng = new Rng(seed);
    this.table = table;
    this.byName = new Map(table.map((s) => [s.name, s]));
    this.picks = pickable;
    this.cum = [];
    let t = 0;
    for (const s of pickable) {
      t += s.weight ?? 1;
      this.cum.push(t);
    }
    const r = this.rng;
    for (let i = 0; i < 8; i++) this.regs.push(r.value());
    this.esp = (STACK_LOW + 0x400 + r.int(0x800)) & ~3;
    if (r.chance(0.05)) this.esp += r.range(1, 3);
    this.regs[ESP] = this.esp;
    this.eflags = r.u32() & CASE_FLAGS & ~DF;
    if (r.chance(0.15)) this.eflags |= DF;
    this.df = this.eflags & DF ? 1 : 0;
  }

  spec(name: string): Spec {
    const s = this.byName.get(name);
    if (!s) throw new Error(`difftest: no spec named ${name}`);
    return s;
  }

  /** Picks a random table row that can be emitted here. */
  pick(filter?: (s: Spec) => boolean): Spec {
    const total = this.cum[this.cum.length - 1];
    for (let tries = 0; tries < 200; tries++) {
      const x = (this.rng.u32() / 0x100000000) * total;
      let lo = 0, hi = this.cum.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.cum[mid] > x) hi = mid; else lo = mid + 1;
      }
      const s = this.picks[lo];
      if (!this.allowed(s)) continue;
      if (filter && !filter(s)) continue;
      return s;
    }
    return this.spec('nop');
  }

  private allowed(s: Spec): boolean {
    if (s.iw && (s.iw & this.locked)) return false;
    if (s.stack) {
      const after = this.esp + s.stack(32);
      if (after < STACK_LOW + 96 || after > STACK_HIGH - 8) return false;
    }
    if (this.inBody) {
      if (s.emit || s.terminal || s.stack || s.group === 'control' || s.group === 'stack') return false;
    }
    return true;
  }

  // ---- emission ------------------------------------------------------------------------

  get pc(): number {
    return this.bytes.length;
  }

  /** Emits one instruction from its row (choosing operands), with any setup it needs. */
  insn(spec: Spec, force: Partial<Enc> & { mem?: boolean } = {}): Unit | null {
    if (spec.emit && force.sz === undefined && Object.keys(force).length === 0) {
      this.inTemplate++;
      const start = this.units.length;
      spec.emit(this);
      this.inTemplate--;
      if (this.units.length > start && this.inTemplate === 0) this.units[start].top = true;
      return null;
    }
    const r = this.rng;
    let sz: Size;
    switch (spec.size ?? 'v') {
      case 'b': sz = 8; break;
      case 'w': sz = 16; break;
      case 'd': case 'n': sz = 32; break;
      default: sz = r.chance(0.3) ? 16 : 32;
    }
    if (force.sz) sz = force.sz;
    const e: Enc = { spec, sz, reg: 0, rm: 0, isMem: false, addr: 0, imm: 0, rep: 0, keep: 0 };
    const wr = spec.wr ?? '';
    // register operands
    if (spec.modrm) {
      if (spec.modrm.reg === 'G') e.reg = force.reg ?? this.pickReg(sz, wr.includes('G'));
      else e.reg = spec.modrm.reg;
      const memForm = spec.modrm.rm === 'M' || (spec.modrm.rm === 'E' && (force.mem ?? r.chance(0.45)));
      if (memForm) e.isMem = true;
      else e.rm = force.rm ?? this.pickReg(sz, wr.includes('E'));
    } else if (spec.opreg) {
      e.reg = force.reg ?? this.pickReg(sz, wr.includes('O'));
    }
    // immediate
    e.imm = force.imm ?? this.pickImm(spec.imm ?? 'none', sz);
    // flag readers need defined inputs
    const reads = typeof spec.fl.r === 'function' ? spec.fl.r(e as Unit) : spec.fl.r;
    if (reads & this.undef & ARITH) this.defineFlags();
    if (spec.fsw && (spec.fsw.r & this.fswUndef)) this.defineFsw();
    if (spec.pre) spec.pre(this, e);
    // memory operand (emits setup for base/index registers)
    let mem: { modrm: number; tail: number[] } | null = null;
    let segPfx = -1;
    if (e.isMem) {
      const bytes = spec.mem ? spec.mem(sz) : sz / 8;
      const m = this.memOperand(e, bytes, spec);
      mem = m;
      if (spec.post) spec.post(this, e);
      if (!spec.noAccess && r.chance(0.15)) {
        const segs = spec.readOnly ? [0x26, 0x36, 0x3e, 0x2e] : [0x26, 0x36, 0x3e];
        segPfx = r.pick(segs);
      }
    }
    else if (spec.post) spec.post(this, e);
    // bytes
    const start = this.pc;
    const b = this.bytes;
    if (r.chance(0.02)) b.push(r.pick([0x3e, 0x26, 0x36])); // redundant prefix noise
    if (segPfx >= 0) b.push(segPfx);
    if (sz === 16 && spec.size !== 'w') b.push(0x66);
    if (spec.size === 'w') b.push(0x66);
    if (spec.lock && e.isMem && r.chance(0.3)) b.push(0xf0);
    if (e.rep) b.push(e.rep === 1 ? 0xf3 : 0xf2);
    if (spec.pfx) b.push(...spec.pfx);
    const op = spec.op ?? [];
    for (let k = 0; k < op.length; k++) b.push(k === op.length - 1 && spec.opreg ? op[k] + e.reg : op[k]);
    if (spec.modrm) {
      if (mem) {
        b.push(mem.modrm | (e.reg << 3));
        b.push(...mem.tail);
      } else {
        b.push(0xc0 | (e.reg << 3) | e.rm);
      }
    }
    this.pushImm(spec.imm ?? 'none', sz, e.imm);
    return this.record(e, start);
  }

  /** Records the unit that starts at `start` and updates the static state. */
  record(e: Enc, start: number): Unit {
    const u: Unit = { ...e, off: start, len: this.pc - start, top: this.inTemplate === 0 };
    this.units.push(u);
    const s = e.spec;
    if (s.stack) this.esp = (this.esp + s.stack(e.sz)) | 0;
    const eff = staticFlagEffect(u);
    this.undef = (this.undef & ~eff.d) | eff.u;
    if (s.fsw) {
      this.fswUndef = (this.fswUndef & ~s.fsw.d) | s.fsw.u;
      this.usesFpu = true;
    }
    if (s.terminal) this.ended = true;
    return u;
  }

  /** Emits raw bytes as one unit of the given row (templates use this). */
  raw(spec: Spec, bytes: number[], extra: Partial<Enc> = {}): Unit {
    const start = this.pc;
    this.bytes.push(...bytes);
    const e: Enc = { spec, sz: 32, reg: 0, rm: 0, isMem: false, addr: 0, imm: 0, rep: 0, keep: 0, ...extra };
    return this.record(e, start);
  }

  /** Precedes a flag reader with an instruction that defines all six arithmetic flags. */
  defineFlags(): void {
    const r = this.rng;
    if (!this.x64 && !this.inBody && r.chance(0.15) && this.esp - 8 >= STACK_LOW) {
      this.pushfImm(r.u32());
      return;
    }
    const name = r.pick(['add Ev,Gv', 'sub Ev,Gv', 'cmp Ev,Gv', 'cmp Gv,Ev', 'add Eb,Gb', 'cmp AL,Ib', 'neg Ev', 'sub eAX,Iz', 'add Ev,Ib', 'cmp Ev,Iz', 'sbb Ev,Gv', 'adc Gv,Ev']);
    const s = this.spec(name);
    const reads = typeof s.fl.r === 'function' ? 0 : s.fl.r;
    if (reads & this.undef) {
      this.insn(this.spec('cmp Ev,Gv'), { mem: false });
    } else {
      this.insn(s, { mem: false });
    }
  }

  /** FXAM: defines C0-C3 before an instruction that stores the status word. */
  defineFsw(): void {
    this.raw(this.spec('fxam'), [0xd9, 0xe5]);
  }

  /** push imm32; popfd — loads known arithmetic flags, DF and ID. */
  pushfImm(v: number): void {
    v = (v & (CASE_FLAGS & ~DF)) | (this.df === 1 ? DF : 0);
    if (this.df === -1 && this.rng.chance(0.5)) v |= DF;
    const push = this.spec('push Iz');
    const popf = this.spec('popfd');
    this.inTemplate++;
    const u0 = this.raw(push, [0x68, v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff], { imm: v });
    this.raw(popf, [0x9d]);
    this.inTemplate--;
    if (this.inTemplate === 0) u0.top = true;
    this.df = v & DF ? 1 : 0;
  }

  /** mov r32, imm32 (B8+r) as setup. */
  movImm(reg: number, v: number): void {
    const s = this.spec('mov Zv,Iv');
    const start = this.pc;
    v >>>= 0;
    this.bytes.push(0xb8 + reg, v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >>> 24);
    this.record({ spec: s, sz: 32, reg, rm: 0, isMem: false, addr: 0, imm: v, rep: 0, keep: 0 }, start);
  }

  /** mov r8, imm8 (B0+r) as setup. */
  movImm8(reg8: number, v: number): void {
    const s = this.spec('mov Zb,Ib');
    const start = this.pc;
    this.bytes.push(0xb0 + reg8, v & 0xff);
    this.record({ spec: s, sz: 8, reg: reg8, rm: 0, isMem: false, addr: 0, imm: v & 0xff, rep: 0, keep: 0 }, start);
  }

  /** ModRM (register field `reg`) and the bytes after it for the absolute address `addr`. */
  absMem(reg: number, addr: number): number[] {
    const d = [addr & 0xff, (addr >> 8) & 0xff, (addr >> 16) & 0xff, addr >>> 24];
    return this.x64 ? [0x04 | (reg << 3), 0x25, ...d] : [0x05 | (reg << 3), ...d];
  }

  /** In x64 mode: whether base + index + disp, as 64-bit integers, is the 32-bit address. */
  private sumsIn64(base: number, index: number, disp: number, addr: number): boolean {
    if (!this.x64) return true;
    const b = base >>> 0, i = index >>> 0; // zero-extended registers
    return b + i + disp === addr >>> 0;
  }

  /** A register operand; `write` avoids locked registers. */
  pickReg(sz: Size, write: boolean): number {
    for (;;) {
      const n = this.rng.int(8);
      const real = sz === 8 ? n & 3 : n;
      if (write && (this.locked & (1 << real))) continue;
      return n;
    }
  }

  /** A data register that setup code may overwrite. */
  freeReg(avoid: number): number {
    const ok = REGS_DATA.filter((n) => !((this.locked | avoid) & (1 << n)));
    return this.rng.pick(ok);
  }

  pickImm(kind: ImmKind, sz: Size): number {
    const r = this.rng;
    switch (kind) {
      case 'b': case 'bs': return r.value(8);
      case 'w': return r.value(16);
      case 'z': return r.value(sz === 16 ? 16 : 32);
      case 'd': return r.value(32);
      case 'count': return r.chance(0.6) ? r.pick([0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 63, 0xff]) : r.int(256);
      default: return 0;
    }
  }

  pushImm(kind: ImmKind, sz: Size, v: number): void {
    const b = this.bytes;
    switch (kind) {
      case 'b': case 'bs': case 'count': b.push(v & 0xff); break;
      case 'w': b.push(v & 0xff, (v >> 8) & 0xff); break;
      case 'z':
        if (sz === 16) b.push(v & 0xff, (v >> 8) & 0xff);
        else b.push(v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff);
        break;
      case 'd': b.push(v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff); break;
    }
  }

  /** A random scratch address for an access of `bytes` bytes, `margin` bytes from the edges. */
  dataAddr(bytes: number, margin = 0, align = 0): number {
    for (let tries = 0; ; tries++) {
      const a = this.dataAddr1(bytes, margin, align);
      if (tries > 50 || !this.guarded(a, bytes)) return a;
    }
  }

  /** Whether [a, a+bytes) (or, for margin-extended operands, near it) touches a guarded range. */
  guarded(a: number, bytes: number): boolean {
    for (const [lo, hi] of this.guard) if (a - 80 < hi && a + bytes + 80 > lo) return true;
    return false;
  }

  private dataAddr1(bytes: number, margin: number, align: number): number {
    const r = this.rng;
    const lo = SCRATCH_ADDR + margin, hi = SCRATCH_ADDR + SCRATCH_SIZE - bytes - margin;
    let a = r.range(lo, hi);
    if (align > 0 && r.chance(0.97)) {
      a = Math.max(lo, a & ~(align - 1));
    } else if (r.chance(0.6)) {
      const al = Math.min(bytes, 16);
      a = Math.max(lo, a & ~(al - 1));
    }
    if (r.chance(0.03)) a = r.chance(0.5) ? SCRATCH_ADDR + 0x1000 - r.range(1, bytes) : SCRATCH_ADDR + 0x2000 - r.range(0, bytes);
    return Math.min(Math.max(a, lo), hi);
  }

  /** Writes bytes into the case's initial scratch image. */
  patch(addr: number, bytes: number[]): void {
    const off = (addr - SCRATCH_ADDR) | 0;
    if (off < 0 || off + bytes.length > SCRATCH_SIZE) return;
    for (let k = 0; k < bytes.length; k++) this.patches.set(addr - SCRATCH_ADDR + k, bytes[k] & 0xff);
  }

  /**
   * Chooses an addressing form for a memory operand at a scratch address and emits the
   * setup (mov base/index) it needs. Returns the ModRM mod/rm bits and the SIB/disp bytes.
   */
  memOperand(e: Enc, bytes: number, spec: Spec): { modrm: number; tail: number[] } {
    const r = this.rng;
    let addr: number;
    if (spec.noAccess) {
      addr = r.u32() | 0;
    } else if (!this.inBody && !this.noFault.has(spec.name) && r.chance(spec.faultRate ?? this.faultRate)) {
      const crossing = bytes > 1 && !this.noFault.has('fault:page-crossing') ? [GUARD_ABOVE - r.range(1, bytes - 1)] : [];
      addr = r.pick([...crossing, GUARD_ABOVE + r.int(64), GUARD_BELOW + 0xff0, 0, 0x10]) | 0;
    } else {
      const margin = e.spec.name.startsWith('bt') && e.spec.modrm?.reg === 'G' ? 72 : 0;
      addr = this.dataAddr(bytes, margin, spec.align ?? 0);
    }
    e.addr = addr;
    if (r.chance(0.05) && !spec.noAccess) this.patch(addr >>> 0 >= SCRATCH_ADDR && addr >>> 0 < SCRATCH_ADDR + SCRATCH_SIZE - bytes ? addr : SCRATCH_ADDR, this.valueBytes(bytes));
    const d32 = (v: number) => [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff];
    const avoid = e.keep | (1 << e.reg) | (spec.modrm?.reg === 'G' ? 0 : 0);
    const noSetup = spec.noAccess === true && r.chance(0.7);
    const form = r.int(spec.noAccess ? 6 : 7);
    const espAdj = spec.espAdjust ? spec.espAdjust(e.sz) : 0;
    // LEA and the hints compute no address that is used: any sum will do in x64 mode too.
    const x64 = this.x64 && !spec.noAccess;
    const abs = () => {
      const m = this.absMem(0, addr);
      return { modrm: m[0], tail: m.slice(1) };
    };
    switch (form) {
      case 0: // [disp32]
        return abs();
      case 1: { // [base], [base+disp8], [base+disp32]
        const base = this.freeReg(avoid);
        const mod = r.int(3);
        const disp = mod === 0 ? 0 : mod === 1 ? r.range(-128, 127) : (r.chance(0.5) || x64 ? r.range(-4096, 4096) : r.u32() | 0);
        if (mod === 0 && base === EBP) return this.memDisp8(e, addr, base, avoid, noSetup);
        if (x64 && !this.sumsIn64((addr - disp) | 0, 0, disp, addr)) return abs();
        if (!noSetup) this.movImm(base, (addr - disp) | 0);
        e.keep |= 1 << base;
        return { modrm: (mod << 6) | base, tail: mod === 0 ? [] : mod === 1 ? [disp & 0xff] : d32(disp) };
      }
      case 2: // [ebp+disp8] and friends
        return this.memDisp8(e, addr, this.freeReg(avoid), avoid, noSetup);
      case 3: case 4: { // SIB with base and index
        const base = this.freeReg(avoid);
        const index = this.freeReg(avoid | (1 << base));
        const scale = r.int(4);
        const iv = x64 ? r.range(0, 64) : r.chance(0.5) ? r.range(-64, 64) : r.u32() | 0;
        const mod = base === EBP ? 1 + r.int(2) : r.int(3);
        const disp = mod === 0 ? 0 : mod === 1 ? r.range(-128, 127) : r.range(-100000, 100000);
        if (x64 && !this.sumsIn64((addr - (iv << scale) - disp) | 0, iv << scale, disp, addr)) return abs();
        if (!noSetup) {
          this.movImm(index, iv);
          this.movImm(base, (addr - (iv << scale) - disp) | 0);
        }
        e.keep |= (1 << base) | (1 << index);
        return { modrm: (mod << 6) | 4, tail: [(scale << 6) | (index << 3) | base, ...(mod === 0 ? [] : mod === 1 ? [disp & 0xff] : d32(disp))] };
      }
      case 5: { // SIB without base: [index*scale + disp32]
        const index = this.freeReg(avoid);
        const scale = r.int(4);
        const iv = x64 ? r.range(0, 256) : r.range(-256, 256);
        if (!noSetup) this.movImm(index, iv);
        e.keep |= 1 << index;
        return { modrm: 0x04, tail: [(scale << 6) | (index << 3) | 5, ...d32((addr - (iv << scale)) | 0)] };
      }
      default: { // ESP-relative: the address moves near the stack
        const esp = (this.esp + espAdj) | 0;
        const lo = Math.max(SCRATCH_ADDR, esp - 120), hi = Math.min(SCRATCH_ADDR + SCRATCH_SIZE - bytes, esp + 120);
        if (addr >>> 0 >= SCRATCH_ADDR && addr >>> 0 < SCRATCH_ADDR + SCRATCH_SIZE) {
          addr = r.range(lo, hi);
          if (spec.align && r.chance(0.97)) addr = Math.max(lo + spec.align - 1, addr) & ~(spec.align - 1);
        }
        if (this.guarded(addr, bytes)) {
          e.addr = this.dataAddr(bytes);
          const m = this.absMem(0, e.addr);
          return { modrm: m[0], tail: m.slice(1) };
        }
        e.addr = addr;
        const disp = (addr - esp) | 0;
        if (disp === 0 && r.chance(0.5)) return { modrm: 0x04, tail: [0x24] };
        const small = disp >= -128 && disp <= 127;
        if (small) return { modrm: 0x44, tail: [(r.int(4) << 6) | 0x24, disp & 0xff] }; // index none, any scale
        return { modrm: 0x84, tail: [0x24, ...d32(disp)] };
      }
    }
  }

  private memDisp8(e: Enc, addr: number, base: number, _avoid: number, noSetup: boolean): { modrm: number; tail: number[] } {
    const disp = this.rng.range(-128, 127);
    if (this.x64 && !e.spec.noAccess && !this.sumsIn64((addr - disp) | 0, 0, disp, addr)) {
      e.addr = addr;
      const m = this.absMem(0, addr);
      return { modrm: m[0], tail: m.slice(1) };
    }
    if (!noSetup) this.movImm(base, (addr - disp) | 0);
    e.keep |= 1 << base;
    e.addr = addr;
    return { modrm: 0x40 | base, tail: [disp & 0xff] };
  }

  valueBytes(n: number): number[] {
    const out: number[] = [];
    for (let k = 0; k < n; k += 4) {
      const v = this.rng.value();
      out.push(v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >>> 24);
    }
    return out.slice(0, n);
  }

  /** Random units for a template body: no control flow, no stack changes, no terminals. */
  body(maxUnits: number): void {
    this.inBody++;
    const n = this.rng.int(maxUnits + 1);
    for (let k = 0; k < n; k++) this.insn(this.pick());
    this.inBody--;
  }

  /** Fills the case with about `n` instructions (setup included). */
  fill(n: number): void {
    while (!this.ended && this.units.length < n && this.pc < MAX_CODE - 200) {
      this.insn(this.pick());
    }
  }

  toCase(): Case {
    const patches: Patch[] = [];
    const offs = [...this.patches.keys()].sort((a, b) => a - b);
    let k = 0;
    while (k < offs.length) {
      let j = k;
      while (j + 1 < offs.length && offs[j + 1] === offs[j] + 1) j++;
      patches.push({ off: offs[k], bytes: Uint8Array.from(offs.slice(k, j + 1).map((o) => this.patches.get(o)!)) });
      k = j + 1;
    }
    return { code: Uint8Array.from(this.bytes), regs: this.regs.map((v) => v >>> 0), eflags: this.eflags, patches, fx: null, start: 0 };
  }
}

/** The flag effect of a unit known at generation time (dyn rules: from the immediate or the bounds). */
export function staticFlagEffect(u: Unit): FlagEffect {
  const f = u.spec.fl;
  if (f.dyn && (u.spec.count === 'imm' || u.spec.count === 'one')) {
    return f.dyn({ count: u.spec.count === 'one' ? 1 : u.imm, sz: u.sz, cpu: null, unit: u });
  }
  return { d: f.d, u: f.u };
}

/** The flag effect of a unit about to execute on `cpu`. */
export function runtimeFlagEffect(u: Unit, cpu: Cpu): FlagEffect {
  const f = u.spec.fl;
  if (!f.dyn) return { d: f.d, u: f.u };
  const count = u.spec.count === 'one' ? 1 : u.spec.count === 'cl' ? cpu.regs[ECX] & 0xff : u.imm;
  return f.dyn({ count, sz: u.sz, cpu, unit: u });
}

export { DATA_ADDR, DATA_END, CODE_ADDR, STACK_HIGH, STACK_LOW };
