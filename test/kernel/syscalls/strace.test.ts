import { describe, expect, it } from 'vitest';
import { formatSyscall, quoteBytes } from '../../../kernel/syscalls/strace.js';
import { SYSCALL_TABLE, implementedSyscalls } from '../../../kernel/syscalls/table.js';
import { bootKernel } from './sysHelpers.js';

describe('strace formatting', () => {
  it('quotes like strace: escapes, octal, truncation', () => {
    expect(quoteBytes(Buffer.from('hello\n'))).toBe('"hello\\n"');
    expect(quoteBytes(Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 1, 1, 0, 0x31]))).toBe('"\\177ELF\\1\\1\\0001"');
    expect(quoteBytes(Buffer.from('a'.repeat(40)))).toBe(`"${'a'.repeat(32)}"...`);
    expect(quoteBytes(Buffer.from('say "hi"\\'))).toBe('"say \\"hi\\"\\\\"');
  });

  it('formats mmap2, brk, open errors and exit like strace', () => {
    const b = bootKernel();
    const line = (nr: number, args: number[], ret: number, exited = false) => formatSyscall({
      mm: b.k.mm, row: SYSCALL_TABLE[nr], name: SYSCALL_TABLE[nr]!.name, args, ret, before: new Map(), note: null, exited,
    });
    expect(line(192, [0, 4096, 3, 0x22, -1, 0], 0xb7fff000 | 0))
      .toBe('mmap2(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0xb7fff000');
    expect(line(45, [0], 0x080e5000)).toBe('brk(NULL) = 0x80e5000');
    const p = b.str('/nope');
    expect(line(5, [p, 0, 0], -2)).toBe('open("/nope", O_RDONLY) = -1 ENOENT (No such file or directory)');
    expect(line(295, [-100, p, 0o2000101, 0o644], 3)).toBe('openat(AT_FDCWD, "/nope", O_WRONLY|O_CREAT|O_CLOEXEC, 0644) = 3');
    expect(line(252, [0], 0, true)).toBe('exit_group(0) = ?');
  });

  it('every row carries the Linux name for its number', () => {
    expect(SYSCALL_TABLE[4]!.name).toBe('write');
    expect(SYSCALL_TABLE[243]!.name).toBe('set_thread_area');
    expect(SYSCALL_TABLE[403]!.name).toBe('clock_gettime64');
    expect(implementedSyscalls().length).toBeGreaterThan(100);
  });
});
