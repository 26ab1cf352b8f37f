// Decoding of the SSE/SSE2/MMX parts of the 0F map. (None is implemented yet: everything is #UD,
// and CPUID does not advertise MMX/SSE/SSE2.)
import type { Decoder } from '../decoder.js';
import type { Handler, Insn } from '../insn.js';

export function decodeSse(_d: Decoder, _i: Insn, _op: number): Handler | null {
  return null;
}
