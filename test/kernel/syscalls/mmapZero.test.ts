// mmap of length 0 sent by a guest through int 0x80 (the syscall entry, argument registers,
// dispatch and strace), not by calling doMmap: Linux's do_mmap refuses it with -EINVAL, for
// mmap2 (nr 192) and for the old mmap with its argument block (nr 90).
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../../kernel/kernel.js';
import { asm, DATA, program } from '../programs.js';

const le = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
const movEdi = (v: number) => [0xbf, ...le(v)];
const movEbp = (v: number) => [0xbd, ...le(v)];
/** exit(-eax): the negated system call result becomes the exit status. */
const exitWithMinusEax = [0x89, 0xc3, 0xf7, 0xdb, 0xb8, 1, 0, 0, 0, 0xcd, 0x80];
const PROT_RW = 3, MAP_PRIVATE_ANON = 0x22;

function run(code: number[], data?: Uint8Array): { exit: { exitCode: number; signal: number }; trace: string[] } {
  const trace: string[] = [];
  const k = new Kernel({ memoryBytes: 16 << 20, stdout: () => {}, stdin: new Uint8Array(0), strace: (l) => trace.push(l) });
  k.execve('/mmap0', ['mmap0'], [], program(code, data ? { bytes: data } : undefined));
  return { exit: k.run(), trace };
}

describe('mmap of length 0 through the system call entry', () => {
  it('mmap2(NULL, 0, ...) returns -EINVAL', () => {
    const { exit, trace } = run([
      ...asm.movEax(192), ...asm.movEbx(0), ...asm.movEcx(0), ...asm.movEdx(PROT_RW), ...asm.movEsi(MAP_PRIVATE_ANON),
      ...movEdi(-1), ...movEbp(0), ...asm.int80(), ...exitWithMinusEax,
    ]);
    expect(exit).toEqual({ exitCode: 22, signal: 0 });
    expect(trace).toContain('mmap2(NULL, 0, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = -1 EINVAL (Invalid argument)');
  });

  it('the old mmap with length 0 in its argument block returns -EINVAL', () => {
    const block = Uint8Array.from([...le(0), ...le(0), ...le(PROT_RW), ...le(MAP_PRIVATE_ANON), ...le(-1), ...le(0)]);
    const { exit } = run([...asm.movEax(90), ...asm.movEbx(DATA), ...asm.int80(), ...exitWithMinusEax], block);
    expect(exit).toEqual({ exitCode: 22, signal: 0 });
  });
});
