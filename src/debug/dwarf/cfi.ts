// Call frame information (.eh_frame and .debug_frame): CIEs and FDEs, and the DW_CFA_*
// programs that give, at any pc, the rule for the canonical frame address (register + offset,
// or an expression) and for each saved register (at CFA+N, in another register, unchanged...).
// This is what unwinds frames of code built without frame pointers (gcc -O2, glibc).
import { ByteReader, DwarfError } from './reader.js';

export type RegRule =
  | { kind: 'undefined' }
  | { kind: 'same' }
  | { kind: 'offset'; offset: number }
  | { kind: 'valOffset'; offset: number }
  | { kind: 'register'; reg: number }
  | { kind: 'expression'; expr: Uint8Array }
  | { kind: 'valExpression'; expr: Uint8Array };

export type CfaRule = { kind: 'regOffset'; reg: number; offset: number } | { kind: 'expression'; expr: Uint8Array };

export interface FrameRow {
  /** The first address the row applies to (link-time). */
  loc: number;
  cfa: CfaRule;
  regs: Map<number, RegRule>;
}

interface Cie {
  codeAlign: number;
  dataAlign: number;
  raReg: number;
  fdeEncoding: number;
  signal: boolean;
  /** The augmentation starts with 'z': FDEs carry an augmentation data length. */
  hasAug: boolean;
  initial: Uint8Array;
}

export interface Fde {
  start: number;
  end: number;
  cie: Cie;
  program: Uint8Array;
}

/** Pointer encodings of .eh_frame (DW_EH_PE_*). */
function readEncoded(r: ByteReader, enc: number, secAddr: number): number {
  if (enc === 0xff) return 0;
  const fieldAddr = secAddr + r.pos;
  let v: number;
  switch (enc & 0x0f) {
    case 0x00: v = r.u32(); break;
    case 0x01: v = r.uleb(); break;
    case 0x02: v = r.u16(); break;
    case 0x03: v = r.u32(); break;
    case 0x04: v = r.u64(); break;
    case 0x09: v = r.sleb(); break;
    case 0x0a: v = r.s16(); break;
    case 0x0b: v = r.s32(); break;
    case 0x0c: v = r.u64(); break;
    default: throw new DwarfError(`pointer encoding 0x${enc.toString(16)}`);
  }
  if ((enc & 0x70) === 0x10) v += fieldAddr;
  return v >>> 0;
}

/** The FDEs of a .eh_frame (ehFrame true; secAddr its link-time address) or .debug_frame. */
export function parseFrames(d: Uint8Array, ehFrame: boolean, secAddr = 0): Fde[] {
  const r = new ByteReader(d);
  const cies = new Map<number, Cie>();
  const fdes: Fde[] = [];
  const cieAt = (off: number): Cie => {
    let c = cies.get(off);
    if (!c) { c = parseCie(d, off, ehFrame, secAddr); cies.set(off, c); }
    return c;
  };
  while (r.pos + 4 <= d.length) {
    const { length, is64 } = r.initialLength();
    if (length === 0) { if (ehFrame) break; continue; }
    const end = r.pos + length;
    try {
      const idPos = r.pos;
      const id = r.offset(is64);
      const isCie = ehFrame ? id === 0 : id === (is64 ? 2 ** 64 - 1 : 0xffffffff);
      if (!isCie) {
        const cie = cieAt(ehFrame ? idPos - id : id);
        const enc = ehFrame ? cie.fdeEncoding : 0x00;
        const pc = readEncoded(r, enc, secAddr);
        const range = readEncoded(r, enc & 0x0f, secAddr);
        if (ehFrame && cie.hasAug) { const n = r.uleb(); r.pos += n; }
        if (pc !== 0 || !ehFrame) fdes.push({ start: pc, end: pc + range, cie, program: d.subarray(r.pos, end) });
      }
    } catch {
      // An entry we cannot read: skip it.
    }
    r.pos = end;
  }
  return fdes.sort((a, b) => a.start - b.start);
}

function parseCie(d: Uint8Array, off: number, ehFrame: boolean, secAddr: number): Cie {
  const r = new ByteReader(d, off);
  const { length, is64 } = r.initialLength();
  const end = r.pos + length;
  r.offset(is64);
  const version = r.u8();
  const aug = r.cstr();
  if (!ehFrame && version >= 4) { r.u8(); r.u8(); } // address_size, segment_size
  const codeAlign = r.uleb();
  const dataAlign = r.sleb();
  const raReg = version === 1 ? r.u8() : r.uleb();
  let fdeEncoding = 0;
  let signal = false;
  const hasAug = aug.startsWith('z');
  if (hasAug) {
    const n = r.uleb();
    const augEnd = r.pos + n;
    for (const ch of aug.slice(1)) {
      if (ch === 'R') fdeEncoding = r.u8();
      else if (ch === 'P') { const e = r.u8(); readEncoded(r, e & 0x7f, secAddr); }
      else if (ch === 'L') r.u8();
      else if (ch === 'S') signal = true;
    }
    r.pos = augEnd;
  }
  return { codeAlign, dataAlign, raReg, fdeEncoding, signal, hasAug, initial: d.subarray(r.pos, end) };
}

/** The FDE covering pc (link-time), by binary search. */
export function findFde(fdes: Fde[], pc: number): Fde | undefined {
  let lo = 0, hi = fdes.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (fdes[mid].start <= pc) lo = mid + 1;
    else hi = mid;
  }
  const f = fdes[lo - 1];
  return f && pc < f.end ? f : undefined;
}

/** Runs the CIE's initial instructions and the FDE's program up to pc: the row in force at pc. */
export function rowAt(fde: Fde, pc: number): FrameRow {
  const cie = fde.cie;
  const row: FrameRow = { loc: fde.start, cfa: { kind: 'regOffset', reg: 4, offset: 4 }, regs: new Map() };
  run(cie.initial, cie, row, Infinity, null);
  const initialRegs = new Map(row.regs);
  run(fde.program, cie, row, pc, initialRegs);
  return row;
}

function run(prog: Uint8Array, cie: Cie, row: FrameRow, pc: number, initial: Map<number, RegRule> | null): void {
  const r = new ByteReader(prog);
  const saved: Array<{ cfa: CfaRule; regs: Map<number, RegRule> }> = [];
  let loc = row.loc;
  const advance = (delta: number): boolean => {
    const next = loc + delta * cie.codeAlign;
    if (next > pc) return false;
    loc = next;
    row.loc = loc;
    return true;
  };
  const restore = (reg: number) => {
    const rule = initial?.get(reg);
    if (rule) row.regs.set(reg, rule);
    else row.regs.delete(reg);
  };
  const setCfaOffset = (offset: number) => {
    if (row.cfa.kind === 'regOffset') row.cfa = { ...row.cfa, offset };
  };
  while (!r.done) {
    const b = r.u8();
    const hi = b & 0xc0, low = b & 0x3f;
    if (hi === 0x40) { if (!advance(low)) return; continue; }
    if (hi === 0x80) { row.regs.set(low, { kind: 'offset', offset: r.uleb() * cie.dataAlign }); continue; }
    if (hi === 0xc0) { restore(low); continue; }
    switch (b) {
      case 0x00: break;
      case 0x01: { const a = r.u32(); if (a > pc) return; loc = a; row.loc = a; break; }
      case 0x02: if (!advance(r.u8())) return; break;
      case 0x03: if (!advance(r.u16())) return; break;
      case 0x04: if (!advance(r.u32())) return; break;
      case 0x05: { const reg = r.uleb(); row.regs.set(reg, { kind: 'offset', offset: r.uleb() * cie.dataAlign }); break; }
      case 0x06: restore(r.uleb()); break;
      case 0x07: row.regs.set(r.uleb(), { kind: 'undefined' }); break;
      case 0x08: row.regs.set(r.uleb(), { kind: 'same' }); break;
      case 0x09: { const reg = r.uleb(); row.regs.set(reg, { kind: 'register', reg: r.uleb() }); break; }
      case 0x0a: saved.push({ cfa: row.cfa, regs: new Map(row.regs) }); break;
      case 0x0b: { const s = saved.pop(); if (s) { row.cfa = s.cfa; row.regs = s.regs; } break; }
      case 0x0c: { const reg = r.uleb(); row.cfa = { kind: 'regOffset', reg, offset: r.uleb() }; break; }
      case 0x0d: { const reg = r.uleb(); row.cfa = { kind: 'regOffset', reg, offset: row.cfa.kind === 'regOffset' ? row.cfa.offset : 0 }; break; }
      case 0x0e: setCfaOffset(r.uleb()); break;
      case 0x0f: row.cfa = { kind: 'expression', expr: r.bytes(r.uleb()) }; break;
      case 0x10: { const reg = r.uleb(); row.regs.set(reg, { kind: 'expression', expr: r.bytes(r.uleb()) }); break; }
      case 0x11: { const reg = r.uleb(); row.regs.set(reg, { kind: 'offset', offset: r.sleb() * cie.dataAlign }); break; }
      case 0x12: { const reg = r.uleb(); row.cfa = { kind: 'regOffset', reg, offset: r.sleb() * cie.dataAlign }; break; }
      case 0x13: setCfaOffset(r.sleb() * cie.dataAlign); break;
      case 0x14: { const reg = r.uleb(); row.regs.set(reg, { kind: 'valOffset', offset: r.uleb() * cie.dataAlign }); break; }
      case 0x15: { const reg = r.uleb(); row.regs.set(reg, { kind: 'valOffset', offset: r.sleb() * cie.dataAlign }); break; }
      case 0x16: { const reg = r.uleb(); row.regs.set(reg, { kind: 'valExpression', expr: r.bytes(r.uleb()) }); break; }
      case 0x2e: r.uleb(); break; // GNU_args_size
      case 0x2f: { const reg = r.uleb(); row.regs.set(reg, { kind: 'offset', offset: -r.uleb() * cie.dataAlign }); break; }
      default: throw new DwarfError(`unknown DW_CFA 0x${b.toString(16)}`);
    }
  }
}

/** The return-address register of the FDE's CIE, and whether it describes a signal frame. */
export function fdeInfo(fde: Fde): { raReg: number; signal: boolean } {
  return { raReg: fde.cie.raReg, signal: fde.cie.signal };
}
