// What a host whose vendor is not Intel answers differently from the Intel CPU the emulator
// models (CPUID GenuineIntel; its microcode-level behaviour was measured on an Intel host).
// Each entry was seen on an AMD Zen 5 and is the narrowest rule that covers it: rows left out,
// rows without deliberately faulting operands, and shrunk mismatches recognised by their shape,
// which the summary counts as vendor differences instead of mismatches.
import type { Spec } from './gen.js';
import { isMmxRow } from './opcodesSse.js';

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

/** The parts of a shrunk mismatch a vendor rule looks at. */
export interface MismatchShape {
  name: string;
  /** Fields that differ. */
  fields: string[];
  /** The native side's value of each differing field (hex for registers and state fields). */
  nativeValues: string[];
  nativeSig: number;
  emuSig: number;
  /** The window's initial FXSAVE image, if it has x87 state. */
  fx: Uint8Array | null;
}

const onlyFields = (fields: string[], ok: RegExp): boolean => fields.length > 0 && fields.every((f) => ok.test(f));

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
  return null;
}
