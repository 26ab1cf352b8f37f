// The architectural contract of RCPSS/RCPPS and RSQRTSS/RSQRTPS (Intel SDM vol. 2; AMD's APM
// gives the same bound): the tests check it instead of bit equality on hosts that are not
// Intel, whose approximation tables differ from Intel's (which the emulator reproduces).
//
//   |relative error| <= 1.5 * 2^-12 against the exact 1/x or 1/sqrt(x), for normal results;
//   ±0 and denormal inputs (always treated as zero) give ±infinity; ±infinity gives ±0 (RCP)
//   and +infinity gives +0 (RSQRT); a NaN comes back quieted; RSQRT of any other negative input
//   gives the default QNaN FFC00000; RCP's tiny results are flushed to zero with the input's
//   sign.
const f32 = new DataView(new ArrayBuffer(4));
const asFloat = (b: number): number => {
  f32.setInt32(0, b, true);
  return f32.getFloat32(0, true);
};

const BOUND = 1.5 * 2 ** -12;
// The SDM's wording of this range has its comparisons swapped: inputs up to
// 1.11111111110100000000000B*2^125 never give tiny reciprocals, inputs from
// 1.00000000000110000000001B*2^126 always do, and in between it is the implementation's choice.
const RCP_NEVER_TINY = 0x7e7fe800;
const RCP_ALWAYS_TINY = 0x7e800c01;

/** Whether r is an acceptable result of RCP (kind 'rcp') or RSQRT for the single x (bit patterns). */
export function recipAcceptable(kind: 'rcp' | 'rsqrt', x: number, r: number): boolean {
  x |= 0;
  r |= 0;
  const sign = x & 0x80000000, mag = x & 0x7fffffff, exp = mag >>> 23;
  if (mag > 0x7f800000) return r === (x | 0x400000);
  if (exp === 0) return r === (sign | 0x7f800000);
  if (kind === 'rcp') {
    if (mag === 0x7f800000 || mag >= RCP_ALWAYS_TINY) return r === sign;
    if (mag > RCP_NEVER_TINY && r === sign) return true;
  } else {
    if (sign) return r === (0xffc00000 | 0);
    if (mag === 0x7f800000) return r === 0;
  }
  if ((r & 0x80000000) !== sign || ((r >>> 23) & 0xff) === 0 || ((r >>> 23) & 0xff) === 0xff) return false;
  const v = asFloat(x);
  const exact = kind === 'rcp' ? 1 / v : 1 / Math.sqrt(v);
  return Math.abs(asFloat(r) - exact) <= BOUND * Math.abs(exact);
}
