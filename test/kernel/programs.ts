// Tiny hand-assembled i386 programs for the kernel tests (no compiler needed): each is a
// static ELF whose code starts at 0x08048000 + 0x1000.
import { PF_R, PF_W, PF_X } from '../../kernel/exec/elfHeader.js';
import { buildElf, type SegmentSpec } from './exec/elfBuilder.js';

export const CODE = 0x08049000;
export const DATA = 0x0804b000;

const le = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
export const asm = {
  movEax: (v: number) => [0xb8, ...le(v)],
  movEbx: (v: number) => [0xbb, ...le(v)],
  movEcx: (v: number) => [0xb9, ...le(v)],
  movEdx: (v: number) => [0xba, ...le(v)],
  movEsi: (v: number) => [0xbe, ...le(v)],
  int80: () => [0xcd, 0x80],
  /** mov eax, [abs] */
  loadEax: (a: number) => [0xa1, ...le(a)],
  /** mov [abs], eax */
  storeEax: (a: number) => [0xa3, ...le(a)],
  /** sub esp, imm32 */
  subEsp: (v: number) => [0x81, 0xec, ...le(v)],
  /** mov [esp], eax */
  storeEsp: () => [0x89, 0x04, 0x24],
  ud2: () => [0x0f, 0x0b],
  int3: () => [0xcc],
  /** exit(ebx = status) */
  exit: (status: number) => [0xb8, 1, 0, 0, 0, 0xbb, ...le(status), 0xcd, 0x80],
  /** write(fd, addr, len) */
  write: (fd: number, addr: number, len: number) => [
    0xb8, 4, 0, 0, 0, 0xbb, ...le(fd), 0xb9, ...le(addr), 0xba, ...le(len), 0xcd, 0x80,
  ],
};

/** A program: code bytes at CODE, optional data (with BSS) at DATA. */
export function program(code: number[], data?: { bytes: Uint8Array; memsz?: number }): Uint8Array {
  const segments: SegmentSpec[] = [{ vaddr: CODE, data: Uint8Array.from(code), flags: PF_R | PF_X }];
  if (data) segments.push({ vaddr: DATA, data: data.bytes, memsz: data.memsz, flags: PF_R | PF_W });
  return buildElf({ entry: CODE, segments });
}
