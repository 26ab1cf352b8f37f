// What an Intel and an AMD CPU record in the x87 pointer fields (FIP, FCS, FOP, FDP, FDS, and
// FXSAVE's MXCSR_MASK) over one case's code, written from the vendors' rules alone: the
// expectation for the emulator (which models Intel) and for a non-Intel host, so that on such
// a host both are checked instead of the one being copied into the other.
//
// Intel (the emulator's model; SDM vol. 1 §8.1.8-8.1.10): every non-control x87 instruction sets
// FIP to its address; FOP and FDP are recorded only by an instruction that raises an unmasked
// exception (FOP compatibility mode off, FDP_EXCPTN_ONLY: CPUID.7.0:EBX[6]); FCS and FDS are
// deprecated and read as 0 whatever was loaded (CPUID.7.0:EBX[13]); MXCSR_MASK is 0xFFFF.
// AMD (APM vol. 1 x87 pointer state, vol. 4 FXSAVE; measured on a Zen 5): every non-control
// instruction records FIP, FOP, FCS and, for a memory operand, FDP and FDS; loaded FCS/FDS are
// kept; FXSAVE stores the five fields only while an exception is pending (FSW.ES) and zeros
// otherwise; MXCSR_MASK has bit 17 (misaligned-SSE mask) besides 0xFFFF.
// Both: the control instructions (FLDENV, FLDCW, FNSTENV, FNSTCW, FRSTOR, FNSAVE, FNSTSW, FNCLEX,
// FNINIT and the 287 no-ops FNENI/FNDISI/FNSETPM) leave the fields alone, except that the image
// loads set them and FNINIT/FNSAVE clear them; FWAIT is not an x87 instruction.
//
// Whether an instruction raised an unmasked exception, and where a faulting case stopped, come
// from the host (the caller runs each prefix of the code natively), not from the emulator.

export type Vendor = 'intel' | 'amd';

/** One instruction of a case's code (x87 D8..DF with [esi+disp] operands, FWAIT, FXSAVE/FXRSTOR). */
export interface Insn {
  off: number;
  end: number;
  /** D8..DF, 0x9B, or 0xAE for 0F AE. */
  op: number;
  modrm: number;
  /** Memory operand address, or -1. */
  ea: number;
}

export function decode(code: number[], esi: number): Insn[] {
  const out: Insn[] = [];
  let p = 0;
  while (p < code.length) {
    const off = p;
    let op = code[p++];
    if (op === 0x9b) { out.push({ off, end: p, op, modrm: 0, ea: -1 }); continue; }
    if (op === 0x0f) op = code[p++] === 0xae ? 0xae : -1;
    if (op !== 0xae && (op < 0xd8 || op > 0xdf)) throw new Error(`x87Pointers: not an x87 instruction at ${off}`);
    const modrm = code[p++];
    let ea = -1;
    if (modrm < 0xc0) {
      if ((modrm & 7) !== 6) throw new Error('x87Pointers: memory operands must be [esi+disp]');
      const mod = modrm >> 6;
      if (mod === 0) ea = esi;
      else if (mod === 1) ea = (esi + ((code[p++] << 24) >> 24)) >>> 0;
      else { ea = (esi + (code[p] | (code[p + 1] << 8) | (code[p + 2] << 16) | (code[p + 3] << 24))) >>> 0; p += 4; }
    }
    out.push({ off, end: p, op, modrm, ea });
  }
  return out;
}

const reg = (i: Insn): number => (i.modrm >> 3) & 7;

/** A control instruction (or FXSAVE/FXRSTOR): leaves the pointer fields alone unless it loads or clears them. */
function isControl(i: Insn): boolean {
  if (i.op === 0xae) return true;
  if (i.ea >= 0) return (i.op === 0xd9 && reg(i) >= 4) || (i.op === 0xdd && (reg(i) === 4 || reg(i) >= 6));
  return (i.op === 0xdb && i.modrm >= 0xe0 && i.modrm <= 0xe4) || (i.op === 0xdf && i.modrm === 0xe0);
}

/** How many bytes the instruction may write at its operand (0 for none). */
function storeSize(i: Insn): number {
  if (i.ea < 0) return 0;
  const r = reg(i);
  switch (i.op) {
    case 0xae: return r === 0 ? 512 : 0;
    case 0xd9: return r === 2 || r === 3 ? 4 : r === 6 ? 28 : r === 7 ? 2 : 0;
    case 0xdd: return r >= 1 && r <= 3 ? 8 : r === 6 ? 108 : r === 7 ? 2 : 0;
    case 0xdb: return r >= 1 && r <= 3 ? 4 : r === 7 ? 10 : 0;
    case 0xdf: return r >= 1 && r <= 3 ? 2 : r === 6 ? 10 : r === 7 ? 8 : 0;
    default: return 0;
  }
}

interface Ptrs { fip: number; fcs: number; fop: number; fdp: number; fds: number }

/** What the host tells about one case: ES before each instruction and after the last, and where it stopped. */
export interface HostTrace {
  /** es[k]: an unmasked exception pending before instruction k (es[n]: after the last). */
  es: boolean[];
  /** Index of the instruction that faulted, or the instruction count when none did. */
  stop: number;
}

export interface PointerExpectation {
  /** The pointer bytes (offsets 12..27) of the FNSAVE image taken at the end or at the fault. */
  final: Uint8Array;
  /** Expected bytes of the pointer fields in images stored to the case's memory (offset → byte). */
  mem: Map<number, number>;
}

const u16 = (b: Uint8Array, o: number): number => (b[o] ?? 0) | ((b[o + 1] ?? 0) << 8);
const u32 = (b: Uint8Array, o: number): number => (u16(b, o) | (u16(b, o + 2) << 16)) >>> 0;

function envBytes(p: Ptrs): number[] {
  const w = [p.fip, (p.fcs & 0xffff) | ((p.fop & 0x7ff) << 16), p.fdp, (p.fds & 0xffff) | 0xffff0000];
  const b: number[] = [];
  for (const v of w) b.push(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
  return b;
}

/**
 * The pointer fields `vendor` records over the case. `state` is the FNSAVE image the case
 * starts from, `mem` the bytes at `dataAddr`, `codeAddr` where the code sits; `cs`/`ds` the
 * selectors an AMD CPU records.
 */
export function expectPointers(vendor: Vendor, code: number[], state: Uint8Array, mem: Uint8Array, trace: HostTrace,
  at: { codeAddr: number; dataAddr: number; cs: number; ds: number }): PointerExpectation {
  const amd = vendor === 'amd';
  const p: Ptrs = { fip: 0, fcs: 0, fop: 0, fdp: 0, fds: 0 };
  const loadEnv = (img: Uint8Array, o: number) => {
    p.fip = u32(img, o + 12);
    p.fop = (u32(img, o + 16) >>> 16) & 0x7ff;
    p.fdp = u32(img, o + 20);
    p.fcs = amd ? u16(img, o + 16) : 0;
    p.fds = amd ? u16(img, o + 24) : 0;
  };
  loadEnv(state, 0); // the harness starts each case with FRSTOR
  const out = new Map<number, number>();
  const put = (o: number, bytes: number[]) => bytes.forEach((v, k) => out.set(o + k, v & 0xff));
  const insns = decode(code, at.dataAddr);
  let stored = false;
  for (let k = 0; k <= Math.min(trace.stop, insns.length - 1); k++) {
    const i = insns[k];
    const o = i.ea - at.dataAddr;
    const size = storeSize(i);
    // Whatever it writes overwrites earlier images. A store that faults has checked its whole
    // operand first and written nothing, except the 10-byte ones (FSTP m80, FBSTP): their first
    // 8 bytes are written before the last 2 fault when these cross into a bad page.
    const wrote = k < trace.stop ? size : size === 10 ? 8 : 0;
    for (let b = 0; b < wrote; b++) out.delete(o + b);
    if (k === trace.stop) break;
    stored ||= size > 0;
    if (i.op === 0x9b) continue;
    if (!isControl(i)) {
      p.fip = (at.codeAddr + i.off) >>> 0;
      if (amd || trace.es[k + 1]) {
        p.fop = ((i.op & 7) << 8) | i.modrm;
        if (i.ea >= 0) p.fdp = i.ea;
      }
      if (amd) {
        p.fcs = at.cs;
        if (i.ea >= 0) p.fds = at.ds;
      }
      continue;
    }
    const r = reg(i);
    const loads = i.ea >= 0 && ((i.op === 0xd9 || i.op === 0xdd) && r === 4 || i.op === 0xae && r === 1);
    if (loads && stored) throw new Error('x87Pointers: an image is loaded after a store (memory is not followed)');
    if (i.op === 0xae) {
      if (r === 1) {
        p.fop = u16(mem, o + 6) & 0x7ff;
        p.fip = u32(mem, o + 8);
        p.fdp = u32(mem, o + 16);
        p.fcs = amd ? u16(mem, o + 12) : 0;
        p.fds = amd ? u16(mem, o + 20) : 0;
      } else {
        const keep = !amd || trace.es[k];
        const f = keep ? p : { fip: 0, fcs: 0, fop: 0, fdp: 0, fds: 0 };
        put(o + 6, [f.fop & 0xff, (f.fop >> 8) & 7]);
        put(o + 8, envBytes(f).slice(0, 4));
        put(o + 12, [f.fcs & 0xff, f.fcs >> 8 & 0xff, 0, 0]);
        put(o + 16, envBytes(f).slice(8, 12));
        put(o + 20, [f.fds & 0xff, f.fds >> 8 & 0xff, 0, 0]);
        put(o + 28, amd ? [0xff, 0xff, 0x02, 0] : [0xff, 0xff, 0, 0]);
      }
    } else if (i.ea >= 0 && r === 4) {
      loadEnv(mem, o); // FLDENV, FRSTOR
    } else if (i.ea >= 0 && r === 6) {
      put(o + 12, envBytes(p)); // FNSTENV, FNSAVE
      if (i.op === 0xdd) Object.assign(p, { fip: 0, fcs: 0, fop: 0, fdp: 0, fds: 0 });
    } else if (i.op === 0xdb && i.modrm === 0xe3) {
      Object.assign(p, { fip: 0, fcs: 0, fop: 0, fdp: 0, fds: 0 }); // FNINIT
    }
  }
  return { final: Uint8Array.from(envBytes(p)), mem: out };
}
