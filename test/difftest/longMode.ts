// Which opcode-table rows the tester can replay in 64-bit mode, on a host that cannot run
// i386 code (test/helpers/nativeI386.ts): the native harness is then an x86-64 build of
// guest-programs/harness/difftest.c, and a row qualifies only when its bytes do the same
// thing in 64-bit mode with the 32-bit register values zero-extended. The generator keeps the
// rest of the bargain in x64 mode (Gen.x64): memory operands whose 64-bit address sum equals
// the 32-bit one, [disp32] through the SIB form, no 0x67, no PUSH+POPF flag setup.
import type { Spec } from './gen.js';

/** First opcode bytes that are invalid or mean something else in 64-bit mode. */
const NOT_IN_LONG_MODE = new Set([
  0x06, 0x07, 0x0e, 0x16, 0x17, 0x1e, 0x1f, // PUSH/POP ES CS SS DS
  0x27, 0x2f, 0x37, 0x3f, // DAA DAS AAA AAS
  0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, // INC r32: REX prefixes
  0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f, // DEC r32: REX prefixes
  0x60, 0x61, 0x62, 0x63, // PUSHA POPA BOUND ARPL (0x62 is EVEX, 0x63 MOVSXD)
  0x82, 0x9a, 0xc4, 0xc5, 0xce, 0xd4, 0xd5, 0xd6, 0xea, // 0x82 alias, CALLF, LES/LDS (VEX), INTO, AAM, AAD, SALC, JMPF
  0xa0, 0xa1, 0xa2, 0xa3, // MOV moffs: the offset is 8 bytes in 64-bit mode
]);

/** Templates and raw rows whose bytes or effects differ in 64-bit mode, by name. */
const NOT_REPLAYABLE = new Set([
  'mov AL,Ob / Ob,AL / eAX,Ov / Ov,eAX', // moffs
  'mov Ev,FS', 'mov FS,Ew (null selector)', // FS is glibc's TLS base in the x86-64 harness
  'salc', 'arpl Ew,Gw', 'bound Gv,Ma', 'into',
  'call Jz ... ret', 'call Ev / jmp Ev', // 8-byte return addresses
  'jmp far ptr16:32 (#GP)',
  'cs: mov Ev,Gv (#GP: write through CS)', // no CS limit or type checks in 64-bit mode
  'fs: mov Gv,Ev (#GP: null FS)',
  'jmp Jw (EIP wraps to 16 bits)', // 0x66 on a near branch: ignored by Intel, honoured by AMD
  'a16 movsb (SI/DI below 64 KiB)', // 0x67 selects 32-bit addressing in 64-bit mode
  'syscall', // #UD in the emulator's i386 user mode; a real system call in 64-bit mode
  // FNSTENV/FNSAVE and their loads carry the code and data selectors, which are the 64-bit
  // kernel's there; FXSAVE/FXRSTOR store and load XMM8-15 in bytes 288-415 in 64-bit mode.
  'fnstenv m28', 'fnstenv m14 (o16)', 'fnsave m108', 'fnsave m94 (o16)', 'fxsave M512',
]);

/** Whether the row's bytes and effects are the same in 64-bit mode. */
export function replayableInLongMode(s: Spec): boolean {
  if (NOT_REPLAYABLE.has(s.name)) return false;
  if (s.group === 'bcd' || s.group === 'stack') return false; // stack slots are 8 bytes wide
  if (s.stack) return false;
  const first = s.pfx && s.pfx.length ? undefined : s.op?.[0];
  if (first !== undefined && NOT_IN_LONG_MODE.has(first)) return false;
  return true;
}
