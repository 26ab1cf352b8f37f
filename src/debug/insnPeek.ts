// Just enough x86 decoding, from bytes the debugger peeked, to steer stepping: is the next
// instruction a CALL (and how long is it), a RET, a system call, or an x87/SSE instruction.

const PREFIXES = new Set([0x66, 0x67, 0xf2, 0xf3, 0xf0, 0x2e, 0x36, 0x3e, 0x26, 0x64, 0x65]);

function skipPrefixes(b: Uint8Array): { i: number; a16: boolean } {
  let i = 0;
  let a16 = false;
  while (i < b.length && PREFIXES.has(b[i])) {
    if (b[i] === 0x67) a16 = true;
    i++;
  }
  return { i, a16 };
}

/** Length of a ModRM operand (ModRM byte included) starting at b[i]. */
function modrmLen(b: Uint8Array, i: number, a16: boolean): number {
  const modrm = b[i];
  const mod = modrm >> 6, rm = modrm & 7;
  if (mod === 3) return 1;
  if (a16) {
    if (mod === 0) return rm === 6 ? 3 : 1;
    return mod === 1 ? 2 : 3;
  }
  let len = 1;
  let base = rm;
  if (rm === 4) { len++; base = b[i + 1] & 7; }
  if (mod === 0) { if (rm === 5 || (rm === 4 && base === 5)) len += 4; }
  else len += mod === 1 ? 1 : 4;
  return len;
}

/** Length of the CALL at the start of b, or 0 when it is not a call. */
export function callLength(b: Uint8Array): number {
  const { i, a16 } = skipPrefixes(b);
  if (i >= b.length) return 0;
  const op = b[i];
  const o16 = b.subarray(0, i).includes(0x66);
  if (op === 0xe8) return i + 1 + (o16 ? 2 : 4);
  if (op === 0x9a) return i + 1 + (o16 ? 4 : 6);
  if (op === 0xff && i + 1 < b.length) {
    const reg = (b[i + 1] >> 3) & 7;
    if (reg === 2 || reg === 3) return i + 1 + modrmLen(b, i + 1, a16);
  }
  return 0;
}

export function isRet(b: Uint8Array): boolean {
  const { i } = skipPrefixes(b);
  return i < b.length && (b[i] === 0xc3 || b[i] === 0xc2 || b[i] === 0xcb || b[i] === 0xca || b[i] === 0xcf);
}

/** INT 0x80, SYSENTER or SYSCALL. */
export function isSyscall(b: Uint8Array): boolean {
  const { i } = skipPrefixes(b);
  return (b[i] === 0xcd && b[i + 1] === 0x80) || (b[i] === 0x0f && (b[i + 1] === 0x34 || b[i + 1] === 0x05));
}

/** Might change x87, MMX or SSE state (conservative: true when unsure). */
export function touchesFpu(b: Uint8Array): boolean {
  const { i } = skipPrefixes(b);
  if (i >= b.length) return true;
  const op = b[i];
  if (op >= 0xd8 && op <= 0xdf) return true;
  if (op === 0x9b) return true;
  if (op !== 0x0f) return false;
  const op2 = b[i + 1];
  if (op2 === undefined) return true;
  return (op2 >= 0x10 && op2 <= 0x17) || (op2 >= 0x28 && op2 <= 0x2f) || (op2 >= 0x50 && op2 <= 0x7f)
    || op2 === 0xae || (op2 >= 0xc2 && op2 <= 0xc6) || op2 >= 0xd0 || op2 === 0x38 || op2 === 0x3a;
}
