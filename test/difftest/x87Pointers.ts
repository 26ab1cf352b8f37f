// The x87 last-instruction pointers (FIP, FOP, FDP, FCS, FDS) the emulator must hold, worked out
// from the sequence alone with the rules of the Intel CPU it models. On a host that is not Intel
// the native values follow that vendor's rules (vendor.ts), so the emulator's pointers are
// checked against this expectation instead: in the final FXSAVE image and in every image a
// sequence stores (FNSTENV, FNSAVE, FXSAVE).
//
// The rules (Intel SDM vol. 1, 8.1.8-8.1.10 and CPUID.(EAX=07H,ECX=0):EBX):
// - FIP is the address of the last non-control x87 instruction (prefixes included); the control
//   instructions FNINIT, FNCLEX, FLDCW, FNSTCW, FNSTSW, FNSTENV, FLDENV, FNSAVE, FRSTOR and
//   FWAIT leave it alone.
// - FOP and FDP change only for an instruction that raises an unmasked exception (FOP-code
//   compatibility off; EBX bit 6, "FDP_EXCPTN_ONLY"): FOP = its opcode's low 11 bits, FDP = its
//   memory operand's address (register forms leave FDP).
// - FCS and FDS read as zero (EBX bit 13, "deprecates FCS and FDS").
// - FLDENV, FRSTOR and FXRSTOR load FIP, FOP, FDP from their image (the 16-bit formats have no
//   FOP); FNINIT and FNSAVE clear them.
import { SCRATCH_ADDR, SCRATCH_SIZE } from './layout.js';

export interface Pointers {
  fip: number;
  fop: number;
  fdp: number;
}

/** Image formats whose pointer fields are checked: offset and size of each field. */
export type ImageFormat = 'env32' | 'env16' | 'fx';
export const POINTER_FIELDS: Record<ImageFormat, Array<[keyof Pointers | 'fcs' | 'fds', number, number]>> = {
  // FNSTENV/FNSAVE, 32-bit protected mode: FIP, FCS | FOP << 16, FDP, FDS (upper half reserved).
  env32: [['fip', 12, 4], ['fcs', 16, 2], ['fop', 18, 2], ['fdp', 20, 4], ['fds', 24, 2]],
  // 16-bit protected mode (0x66): FIP, FCS, FDP, FDS as words; no FOP.
  env16: [['fip', 6, 2], ['fcs', 8, 2], ['fdp', 10, 2], ['fds', 12, 2]],
  // FXSAVE: FOP, FIP, FCS (dword), FDP, FDS (dword).
  fx: [['fop', 6, 2], ['fip', 8, 4], ['fcs', 12, 4], ['fdp', 16, 4], ['fds', 20, 4]],
};

const PREFIXES = new Set([0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x66, 0x67, 0xf0, 0xf2, 0xf3]);

function le(b: Uint8Array, off: number, n: number): number {
  let v = 0;
  for (let k = n - 1; k >= 0; k--) v = v * 256 + b[off + k];
  return v;
}

/** What an instruction does to the pointers, decoded from its bytes. */
type Effect =
  | { kind: 'none' }
  | { kind: 'clear' }
  | { kind: 'load'; fmt: ImageFormat }
  | { kind: 'store'; fmt: ImageFormat; clear: boolean }
  | { kind: 'x87'; fop: number; mem: boolean };

export function pointerEffect(code: Uint8Array, off: number): Effect {
  let p = off, o16 = false;
  while (p < code.length && PREFIXES.has(code[p])) { if (code[p] === 0x66) o16 = true; p++; }
  const b = code[p], modrm = code[p + 1];
  if (b === 0x0f && code[p + 1] === 0xae && code[p + 2] < 0xc0) {
    const reg = (code[p + 2] >> 3) & 7;
    if (reg === 0) return { kind: 'store', fmt: 'fx', clear: false };
    if (reg === 1) return { kind: 'load', fmt: 'fx' };
    return { kind: 'none' };
  }
  if (b < 0xd8 || b > 0xdf || modrm === undefined) return { kind: 'none' };
  const reg = (modrm >> 3) & 7;
  const env: ImageFormat = o16 ? 'env16' : 'env32';
  if (modrm < 0xc0) {
    if (b === 0xd9 && reg === 4) return { kind: 'load', fmt: env }; // FLDENV
    if (b === 0xdd && reg === 4) return { kind: 'load', fmt: env }; // FRSTOR: the environment comes first
    if (b === 0xd9 && reg === 6) return { kind: 'store', fmt: env, clear: false }; // FNSTENV
    if (b === 0xdd && reg === 6) return { kind: 'store', fmt: env, clear: true }; // FNSAVE, then FNINIT
    if ((b === 0xd9 && (reg === 5 || reg === 7)) || (b === 0xdd && reg === 7)) return { kind: 'none' }; // FLDCW FNSTCW FNSTSW
  } else {
    if (b === 0xdb && modrm === 0xe3) return { kind: 'clear' }; // FNINIT
    if (b === 0xdb && modrm >= 0xe0 && modrm <= 0xe4) return { kind: 'none' }; // FNCLEX, 387 no-ops
    if (b === 0xdf && modrm === 0xe0) return { kind: 'none' }; // FNSTSW AX
  }
  return { kind: 'x87', fop: ((b & 7) << 8) | modrm, mem: modrm < 0xc0 };
}

/** A check of the emulator's pointers against the model: field, expected, actual. */
export interface PointerMismatch {
  /** fip, fop, fdp, fcs or fds. */
  name: string;
  /** In the final state, or in an image the sequence stored. */
  where: 'final' | 'image';
  field: string;
  expected: number;
  actual: number;
}

/** Reads the expected pointer fields out of an image. */
function fromImage(img: Uint8Array, off: number, fmt: ImageFormat): Pointers {
  if (fmt === 'fx') return { fop: le(img, off + 6, 2) & 0x7ff, fip: le(img, off + 8, 4), fdp: le(img, off + 16, 4) };
  if (fmt === 'env16') return { fip: le(img, off + 6, 2), fop: 0, fdp: le(img, off + 10, 2) };
  return { fip: le(img, off + 12, 4), fop: (le(img, off + 16, 4) >>> 16) & 0x7ff, fdp: le(img, off + 20, 4) };
}

/** The value a format stores for a field (the 16-bit formats keep the low half). */
function stored(p: Pointers, field: string, fmt: ImageFormat): number {
  const v = field === 'fcs' || field === 'fds' ? 0 : p[field as keyof Pointers];
  return fmt === 'env16' ? v & 0xffff : v >>> 0;
}

/**
 * Follows one run of a sequence on the emulator: `begin` before each instruction (with the
 * emulator's ES bit then, which the comparison with the host checks through FSW), `end` once
 * the run stopped with no fault, `checkFinal` against the final FXSAVE image.
 */
export class IntelPointerModel {
  p: Pointers;
  readonly mismatches: PointerMismatch[] = [];
  private pending: { effect: Effect; eip: number; addr: number; esBefore: boolean; name: string; expect: Pointers } | null = null;

  constructor(fx: Uint8Array | null) {
    this.p = fx ? fromImage(fx, 0, 'fx') : { fip: 0, fop: 0, fdp: 0 };
  }

  /**
   * Before the instruction at `eip` (code offset `off`, memory operand `addr`): settles the
   * previous one. `scratch` reads the emulator's scratch area (only called for image loads
   * and stores).
   */
  begin(code: Uint8Array, off: number, eip: number, addr: number, name: string, es: boolean, scratch: () => Uint8Array): void {
    this.settle(es, scratch);
    const effect = pointerEffect(code, off);
    if (effect.kind === 'none') return;
    let expect = this.p;
    if (effect.kind === 'load') {
      const img = scratch();
      const o = addr - SCRATCH_ADDR;
      // Outside the scratch area the load faults and is never settled.
      if (o >= 0 && o + 28 <= SCRATCH_SIZE) expect = fromImage(img, o, effect.fmt);
    }
    this.pending = { effect, eip, addr, esBefore: es, name, expect };
  }

  /** The previous instruction completed: apply its effect (ES now tells whether it raised an unmasked exception). */
  settle(es: boolean, scratch: () => Uint8Array): void {
    const q = this.pending;
    this.pending = null;
    if (!q) return;
    const e = q.effect;
    if (e.kind === 'clear') this.p = { fip: 0, fop: 0, fdp: 0 };
    else if (e.kind === 'load') this.p = { ...q.expect };
    else if (e.kind === 'x87') {
      const raised = !q.esBefore && es;
      this.p = {
        fip: q.eip >>> 0,
        fop: raised ? e.fop : this.p.fop,
        fdp: raised && e.mem ? q.addr >>> 0 : this.p.fdp,
      };
    } else if (e.kind === 'store') {
      const img = scratch();
      const o = q.addr - SCRATCH_ADDR;
      for (const [field, at, n] of POINTER_FIELDS[e.fmt]) {
        if (o + at < 0 || o + at + n > SCRATCH_SIZE) continue;
        const actual = le(img, o + at, n);
        const expected = stored(this.p, field, e.fmt);
        if (actual !== expected) this.mismatches.push({ name: field, where: 'image', field: `${field} stored by ${q.name} (Intel model)`, expected, actual });
      }
      if (e.clear) this.p = { fip: 0, fop: 0, fdp: 0 };
    }
  }

  /** Compares the final state (an FXSAVE image) with the model. */
  checkFinal(fx: Uint8Array): void {
    for (const [field, at, n] of POINTER_FIELDS.fx) {
      const actual = le(fx, at, n) & (field === 'fop' ? 0x7ff : 0xffffffff);
      const expected = stored(this.p, field, 'fx');
      if (actual >>> 0 !== expected) this.mismatches.push({ name: field, where: 'final', field: `${field} (Intel model)`, expected, actual: actual >>> 0 });
    }
  }
}
