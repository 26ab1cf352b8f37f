// What a host whose vendor is not Intel answers differently from the Intel CPU the emulator
// models (CPUID GenuineIntel; its microcode-level behaviour was measured on an Intel host).
// Each entry was seen on an AMD Zen 5 and is the narrowest rule that covers it: rows left out,
// rows without deliberately faulting operands, and shrunk mismatches recognised by their shape,
// which the summary counts as vendor differences instead of mismatches.
import type { Spec } from './gen.js';
import { isMmxRow } from './opcodesSse.js';
import { POINTER_FIELDS, type ImageFormat } from './x87Pointers.js';

export type Vendor = 'intel' | 'amd' | 'other';

/**
 * Rows whose results are each vendor's own: the x87 transcendentals' last bit (microcode
 * approximations) and RCPPS/RSQRTPS (approximation tables).
 */
export function vendorSkips(vendor: Vendor): string[] {
  if (vendor === 'intel') return [];
  return ['x87-transcendental', 'rsqrtps Vps,Wps', 'rsqrtss Vss,Wss', 'rcpps Vps,Wps', 'rcpss Vss,Wss'];
}

/**
 * Rows whose deliberately faulting memory operands fault differently: AMD reports
 * MASKMOVQ/MASKMOVDQU's page fault at the first byte of the unmapped page (Intel: at the
 * upper qword it checks first), and leaves the x87 state alone when an MMX instruction faults
 * (Intel has made the x87-to-MMX transition by then).
 */
export function vendorNoFault(vendor: Vendor, table: Spec[]): string[] {
  if (vendor === 'intel') return [];
  return table.filter((s) => s.group === 'sse' && isMmxRow(s.name)).map((s) => s.name)
    .concat(['maskmovq Pq,Nq', 'maskmovdqu Vdq,Udq']);
}

/** One instruction of the shrunk window: its row, bytes and memory operand's address (0 if none). */
export interface WindowUnit {
  name: string;
  bytes: number[];
  addr: number;
}

/** The parts of a shrunk mismatch a vendor rule looks at. */
export interface MismatchShape {
  name: string;
  /** Fields that differ. */
  fields: string[];
  /** The native side's value of each differing field (hex for registers and state fields). */
  nativeValues: string[];
  /**
   * The emulator's value of each differing field. A memory field lists "ADDR:XX" per differing
   * byte, "ADDR:(XX)" where that side left the initial byte.
   */
  emuValues?: string[];
  nativeSig: number;
  emuSig: number;
  /** The window's initial FXSAVE image, if it has x87 state. */
  fx: Uint8Array | null;
  /** The window's instructions, in order. */
  units?: WindowUnit[];
}

const onlyFields = (fields: string[], ok: RegExp): boolean => fields.length > 0 && fields.every((f) => ok.test(f));

/** A memory field's bytes, by address: the value and whether that side wrote it. */
export function memoryBytes(text: string): Map<number, { v: number; wrote: boolean }> {
  const out = new Map<number, { v: number; wrote: boolean }>();
  for (const tok of text.trim().split(/\s+/)) {
    const m = /^([0-9a-f]{8}):(\(?)([0-9a-f]{2})\)?$/.exec(tok);
    if (m) out.set(parseInt(m[1], 16), { v: parseInt(m[3], 16), wrote: m[2] === '' });
  }
  return out;
}

/** The differing bytes of the one memory field of a shape (all of them listed), or null. */
function memoryField(m: MismatchShape): { native: Map<number, { v: number; wrote: boolean }>; emu: Map<number, { v: number; wrote: boolean }> } | null {
  const k = m.fields.findIndex((f) => /^memory \(\d+ bytes?\)$/.test(f));
  if (k < 0 || !m.emuValues) return null;
  const count = parseInt(/\d+/.exec(m.fields[k])![0], 10);
  const native = memoryBytes(m.nativeValues[k]), emu = memoryBytes(m.emuValues[k]);
  if (native.size !== count || emu.size !== count) return null;
  return { native, emu };
}

/** The image formats of the x87 state stores, by row. */
const IMAGE_ROWS: Record<string, ImageFormat> = {
  'fnstenv m28': 'env32', 'fnsave m108': 'env32', 'fnstenv m14 (o16)': 'env16', 'fnsave m94 (o16)': 'env16', 'fxsave M512': 'fx',
};
/** -ENOSYS and -EFAULT as EAX holds them. */
const ENOSYS = 'ffffffda', EFAULT = 'fffffff2';

/** Why a shrunk mismatch is this vendor's documented difference, or null when it is not one. */
export function vendorDifference(vendor: Vendor, m: MismatchShape): string | null {
  if (vendor === 'intel') return null;
  // A 10-byte store (FSTP m80, FBSTP) crossing into an unmapped page: AMD stores nothing,
  // Intel stores the first 8 bytes before the fault (the emulator does as Intel).
  if ((m.name === 'fbstp m80bcd' || m.name === 'fstp m80fp') && m.nativeSig === 11 && onlyFields(m.fields, /^memory /)) {
    return 'FSTP m80/FBSTP page-crossing fault: AMD stores no byte';
  }
  // An x87 store whose operand raises an unmasked exception (#IA, say) to an unmapped address:
  // AMD takes the page fault first; Intel suppresses the store, so there is no access and
  // the exception stays pending until the next waiting instruction.
  if (/^(fst|fstp|fist|fistp|fisttp|fbstp) m/.test(m.name) && m.nativeSig === 11 && m.emuSig === 0
    && onlyFields(m.fields, /^(signal|eip|fsw)/)) {
    return 'x87 store with an unmasked exception to an unmapped address: AMD takes the page fault';
  }
  // FPREM/FPREM1 of a denormal by ±infinity with #U unmasked: AMD takes the underflow and
  // returns ST(0) scaled by 2^24576; Intel returns ST(0) unchanged without #U (the result is exact).
  if ((m.name === 'fprem' || m.name === 'fprem1') && m.fx && onlyFields(m.fields, /^(fsw|st\d)/)) {
    const fx = m.fx; // FXSAVE keeps ST(i) in stack order: ST(0) at 32, ST(1) at 48
    const exp = (o: number) => (fx[o + 8] | (fx[o + 9] << 8)) & 0x7fff;
    const sigZero = (o: number, skipTop: boolean) => {
      for (let k = 0; k < 8; k++) if (fx[o + k] & (skipTop && k === 7 ? 0x7f : 0xff)) return false;
      return true;
    };
    const st0Denormal = exp(32) === 0 && !sigZero(32, false);
    const st1Inf = exp(48) === 0x7fff && fx[48 + 7] === 0x80 && sigZero(48, true);
    const umUnmasked = (fx[0] & 0x10) === 0;
    if (st0Denormal && st1Inf && umUnmasked) return 'FPREM/FPREM1 of a denormal by infinity, #U unmasked: AMD takes the underflow';
  }
  // LDMXCSR/FXRSTOR loading MXCSR bit 17: AMD's MM (misaligned-SSE exception mask, in its
  // MXCSR_MASK 0x2FFFF) takes it; Intel's MXCSR_MASK is 0xFFFF and the load is #GP.
  if ((m.name === 'ldmxcsr Md' || m.name === 'fxrstor M512') && m.nativeSig === 0 && m.emuSig === 11) {
    const k = m.fields.indexOf('mxcsr');
    if (k >= 0 && (parseInt(m.nativeValues[k], 16) & 0x20000) !== 0) return 'MXCSR bit 17 loaded: AMD\'s MM mask, #GP on Intel';
  }
  return pushSegment(m) ?? x87Image(m) ?? syscall(m);
}

/**
 * PUSH FS with a 32-bit operand size: AMD writes the selector zero-extended to 4 bytes. Intel
 * SDM, PUSH: "If the source operand is a segment register (16 bits) and the operand size is
 * 32-bits, either a zero-extended value is pushed on the stack or the segment selector is
 * written on the stack using a 16-bit move. For the last case, all recent Core and Atom
 * processors perform a 16-bit move, leaving the upper portion of the stack location
 * unmodified." The emulator does the latter. Shape: the window's last instruction is PUSH FS
 * without 0x66, and the only difference is two adjacent bytes the host zeroed and the
 * emulator left as they were.
 */
function pushSegment(m: MismatchShape): string | null {
  if (m.name !== 'push FS' || m.nativeSig !== m.emuSig || !onlyFields(m.fields, /^memory /)) return null;
  const push = m.units?.filter((u) => u.name === 'push FS').pop();
  if (!push || push.bytes.length !== 2 || push.bytes[0] !== 0x0f || push.bytes[1] !== 0xa0) return null;
  const mem = memoryField(m);
  if (!mem || mem.native.size !== 2) return null;
  const [a, b] = [...mem.native.keys()].sort((x, y) => x - y);
  if (b !== a + 1) return null;
  for (const at of [a, b]) {
    const n = mem.native.get(at)!, e = mem.emu.get(at)!;
    if (!n.wrote || n.v !== 0 || e.wrote) return null;
  }
  return 'PUSH FS with a 32-bit operand size: AMD zero-extends the selector, Intel writes 16 bits';
}

/**
 * The pointer fields of an x87 state image (FNSTENV, FNSAVE, FXSAVE): the host's follow AMD's
 * rules, the emulator's Intel's (and are held to the Intel model, x87Pointers.ts, which adds
 * its own fields to a shape when they are wrong, so such a shape is no longer this one). Intel
 * SDM vol. 1, 8.1.8: CPUID.(EAX=07H,ECX=0):EBX[13] = 1 "deprecates FCS and FDS" (stored as 0;
 * AMD stores the selector it recorded, 0x23/0x2B in a 32-bit process, or the one FLDENV,
 * FRSTOR or FXRSTOR loaded); EBX[6] = 1, "FDP_EXCPTN_ONLY": FDP is updated only for an
 * unmasked x87 exception, and with FOP-code compatibility off so is FOP (AMD records both for
 * every non-control x87 instruction, AMD64 APM vol. 1, x87 pointers); AMD's FXSAVE stores no
 * pointers while FSW.ES is clear (AMD64 APM vol. 4, FXSAVE). Shape: the window's last
 * instruction stores an image, and every differing byte lies in that image's FIP, FCS, FOP,
 * FDP or FDS field, FOP within its 11 bits (or is AMD's MXCSR_MASK bit 17 in an FXSAVE image).
 */
function x87Image(m: MismatchShape): string | null {
  const fmt = IMAGE_ROWS[m.name];
  if (!fmt || m.nativeSig !== m.emuSig || !onlyFields(m.fields, /^memory /)) return null;
  const store = m.units?.filter((u) => u.name === m.name).pop();
  const mem = memoryField(m);
  if (!store || !mem) return null;
  for (const [at, { v }] of mem.native) {
    const off = at - store.addr;
    // FXSAVE's MXCSR_MASK: AMD's is 0x2FFFF (bit 17, MM, as in the MXCSR rule above), Intel's 0xFFFF.
    if (fmt === 'fx' && off === 30 && v === 0x02) continue;
    const field = POINTER_FIELDS[fmt].find(([, o, n]) => off >= o && off < o + n);
    if (!field) return null;
    if (field[0] === 'fop' && off - field[1] === 1 && (v & 0xf8) !== 0) return null;
  }
  return 'x87 image pointers (FCS/FDS selectors, FOP/FDP of every instruction, FXSAVE without ES): AMD\'s rules, Intel\'s in the emulator';
}

/**
 * SYSCALL (0F 05) in a 32-bit process: AMD executes it (legacy/compatibility-mode SYSCALL when
 * EFER.SCE = 1, AMD APM vol. 3, SYSCALL) and Linux answers it through its compat entry, which
 * returns through the vDSO's landing pad with EAX = -ENOSYS (or -EFAULT when [ESP] is
 * unreadable), its POPs then load a wild return address and the process faults there. Intel
 * SDM, SYSCALL: "#UD If not in 64-bit mode", which the emulator raises (SIGILL). Shape: the
 * window ends in SYSCALL (after the row's MOV of an invalid system call number to EAX), the
 * emulator stopped with SIGILL, the host with another signal and EAX = -ENOSYS or -EFAULT.
 */
function syscall(m: MismatchShape): string | null {
  if (m.name !== 'syscall' || m.emuSig !== 4 || m.nativeSig === 0) return null;
  const last = m.units?.[m.units.length - 1];
  if (!last || last.name !== 'syscall') return null;
  const b = last.bytes;
  if (b.length < 2 || b[b.length - 2] !== 0x0f || b[b.length - 1] !== 0x05) return null;
  const k = m.fields.indexOf('eax');
  if (k < 0 || (m.nativeValues[k] !== ENOSYS && m.nativeValues[k] !== EFAULT)) return null;
  return 'SYSCALL in a 32-bit process: AMD enters the kernel (-ENOSYS, then a wild return), Intel raises #UD';
}
