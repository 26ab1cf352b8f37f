import { describe, expect, it } from 'vitest';
import { Kernel } from '../../kernel/kernel.js';
import { formatMaps } from '../../kernel/fs/procfs.js';
import { asm, CODE, DATA, program } from './programs.js';
import { makeTempDir } from '../helpers/tempDir.js';

function boot(image: Uint8Array, opts: { strace?: string[]; layout?: 'compat' | '3gb' | 'i386' } = {}) {
  const out: number[] = [];
  const k = new Kernel({
    memoryBytes: 16 << 20, stdout: (d) => out.push(...d), stderr: (d) => out.push(...d), stdin: new Uint8Array(0),
    strace: opts.strace ? (l) => opts.strace!.push(l) : undefined, layout: opts.layout, rootDir: process.cwd(),
    random: new Uint8Array(16),
  });
  k.execve('/prog', ['prog'], ['A=1'], image);
  return { k, out: () => Buffer.from(out).toString() };
}

describe('Kernel', () => {
  it('runs write + exit through int 0x80 and traces them like strace', () => {
    const msg = Buffer.from('hello\n');
    const trace: string[] = [];
    const { k, out } = boot(program([...asm.write(1, DATA, msg.length), ...asm.exit(3)], { bytes: msg }), { strace: trace });
    const r = k.run();
    expect(r).toEqual({ exitCode: 3, signal: 0 });
    expect(out()).toBe('hello\n');
    expect(trace.slice(1)).toEqual(['write(1, "hello\\n", 6) = 6', 'exit(3) = ?', '+++ exited with 3 +++']);
  });

  it('a bad pointer is -EFAULT, an unknown syscall -ENOSYS', () => {
    const trace: string[] = [];
    const { k } = boot(program([...asm.write(1, 0x10, 4), ...asm.movEax(999), ...asm.int80(), ...asm.exit(0)]), { strace: trace });
    k.run();
    expect(trace[1]).toBe('write(1, 0x10, 4) = -1 EFAULT (Bad address)');
    expect(trace[2]).toMatch(/^syscall_999\(.*\) = -1 ENOSYS \(Function not implemented\)$/);
  });

  it('a load from an unmapped address is SIGSEGV/SEGV_MAPERR with a diagnostic', () => {
    const { k } = boot(program([...asm.loadEax(0x10), ...asm.exit(0)]));
    const r = k.run();
    expect(r.signal).toBe(11);
    expect(r.exitCode).toBe(128 + 11);
    expect(r.diagnostic).toMatchObject({ signal: 'SIGSEGV', code: 'SEGV_MAPERR', faultAddr: 0x10, vma: null, eip: CODE });
  });

  it('a store into the text segment is SEGV_ACCERR and names the area', () => {
    const { k } = boot(program([...asm.storeEax(CODE), ...asm.exit(0)]));
    const r = k.run();
    expect(r.diagnostic).toMatchObject({ signal: 'SIGSEGV', code: 'SEGV_ACCERR', faultAddr: CODE });
    expect(r.diagnostic!.vma).toMatch(/^08049000-0804a000 r-xp 00001000 .* \/prog$/);
  });

  it('an undefined opcode is SIGILL, int3 is SIGTRAP', () => {
    expect(boot(program([...asm.ud2()])).k.run().diagnostic).toMatchObject({ signal: 'SIGILL', code: 'ILL_ILLOPN', eip: CODE });
    expect(boot(program([...asm.int3()])).k.run().diagnostic).toMatchObject({ signal: 'SIGTRAP' });
  });

  it('grows the stack on demand and zeroes BSS past the file bytes', () => {
    const data = new Uint8Array(64).fill(0x41);
    // Data has 16 file bytes; the rest of the page must read as zero.
    const { k } = boot(program([
      ...asm.subEsp(0x40000), ...asm.storeEsp(),
      ...asm.loadEax(DATA + 16), 0x89, 0xc3 /* mov ebx, eax */, ...asm.movEax(1), ...asm.int80(),
    ], { bytes: data.subarray(0, 16), memsz: 0x3000 }));
    const r = k.run();
    expect(r).toEqual({ exitCode: 0, signal: 0 });
    expect(k.stats().faults.stackGrowth).toBeGreaterThan(0);
  });

  it('lays out the address space like Linux: text, data, bss, stack', () => {
    const { k } = boot(program([...asm.exit(0)], { bytes: new Uint8Array(16), memsz: 0x3000 }));
    const lines = formatMaps(k.task).trimEnd().split('\n');
    // The default layout is a 64-bit kernel's: the vDSO top-down below mmap_base (TASK_SIZE
    // 0xFFFFE000 - 128 MiB), the stack at TASK_SIZE, names padded to 73 columns.
    expect(lines.map((l) => l.slice(0, 22))).toEqual([
      '08049000-0804a000 r-xp', '0804b000-0804c000 rw-p', '0804c000-0804e000 rw-p',
      'f7ff6000-f7ffa000 r--p', 'f7ffa000-f7ffc000 r--p', 'f7ffc000-f7ffe000 r-xp', 'fffdd000-ffffe000 rwxp',
    ]);
    expect(lines[0]).toBe('08049000-0804a000 r-xp 00001000 00:00 0'.padEnd(72) + ' /prog');
    expect(lines[2]).toBe('0804c000-0804e000 rw-p 00000000 00:00 0 ');
    expect(lines.slice(3).map((l) => l.slice(72))).toEqual([' [vvar]', ' [vvar_vclock]', ' [vdso]', ' [stack]']);
    expect(k.task.mm.startBrk).toBe(0x0804e000);
  });

  it('--layout=3gb: TASK_SIZE 0xC0000000 on a 64-bit kernel (personality ADDR_LIMIT_3GB)', () => {
    const { k } = boot(program([...asm.exit(0)]), { layout: '3gb' });
    const lines = formatMaps(k.task).trimEnd().split('\n');
    expect(lines[lines.length - 2]).toBe('b7ffe000-b8000000 r-xp 00000000 00:00 0                                  [vdso]');
    expect(lines[lines.length - 1]).toBe('bffdf000-c0000000 rwxp 00000000 00:00 0                                  [stack]');
    expect(k.task.personality).toBe(0x8040000);
  });

  it('--layout=i386: a native 32-bit kernel (maps padded for 4-byte words)', () => {
    const { k } = boot(program([...asm.exit(0)]), { layout: 'i386' });
    const lines = formatMaps(k.task).trimEnd().split('\n');
    expect(lines[lines.length - 1]).toBe('bffdf000-c0000000 rwxp 00000000 00:00 0          [stack]');
  });
});

describe('static-pie', () => {
  it('loads an ET_DYN image top-down below mmap_base, with the break at ELF_ET_DYN_BASE', async () => {
    const { buildElf } = await import('./exec/elfBuilder.js');
    const image = buildElf({
      type: 3, entry: 0x1000,
      segments: [{ vaddr: 0x1000, data: Uint8Array.from(asm.exit(5)), flags: 5 }, { vaddr: 0x3000, data: new Uint8Array(8), memsz: 0x2000, flags: 6 }],
    });
    const { k } = boot(image, { layout: 'compat' });
    const lines = formatMaps(k.task).trimEnd().split('\n').map((l) => l.slice(0, 22));
    expect(lines).toEqual([
      'f7ff2000-f7ff6000 r--p', 'f7ff6000-f7ff8000 r--p', 'f7ff8000-f7ffa000 r-xp', // the vDSO, mapped after the image
      'f7ffa000-f7ffb000 r-xp', 'f7ffc000-f7ffd000 rw-p', 'f7ffd000-f7ffe000 rw-p', 'fffdd000-ffffe000 rwxp',
    ]);
    expect(k.task.mm.startBrk).toBe(0x56555000);
    expect(k.run()).toEqual({ exitCode: 5, signal: 0 });
  });
});

describe('execve from the guest', () => {
  it('replaces the image, keeps the pid, returns -ENOEXEC for non-ELF files', async () => {
    const { writeFileSync, chmodSync } = await import('node:fs');
    const { join } = await import('node:path');
    const root = makeTempDir('i386emu-exec-');
    writeFileSync(join(root, 'second'), program(asm.exit(42)));
    chmodSync(join(root, 'second'), 0o755);
    writeFileSync(join(root, 'script'), 'echo not a program\n');
    chmodSync(join(root, 'script'), 0o755);
    // execve("/script", NULL, NULL), then execve("/second", NULL, NULL), then exit(1).
    const names = Buffer.from('/script\0/second\0');
    const code = [
      ...asm.movEax(11), ...asm.movEbx(DATA), ...asm.movEcx(0), ...asm.movEdx(0), ...asm.int80(),
      ...asm.movEax(11), ...asm.movEbx(DATA + 8), ...asm.int80(),
      ...asm.exit(1),
    ];
    const trace: string[] = [];
    const k = new Kernel({ memoryBytes: 16 << 20, rootDir: root, stdout: () => {}, stdin: new Uint8Array(0), strace: (l) => trace.push(l) });
    k.execve('/first', ['first'], [], program(code, { bytes: names }));
    expect(k.run()).toEqual({ exitCode: 42, signal: 0 });
    expect(trace[1]).toMatch(/^execve\("\/script", NULL, NULL\) = -1 ENOEXEC \(Exec format error\) \(not an ELF file/);
    expect(trace[2]).toBe('execve("/second", NULL, NULL) = 0');
    expect(k.task.exePath).toBe('/second');
  });

  it('runs a "#!" script\'s interpreter', async () => {
    const { mkdtempSync, writeFileSync, chmodSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const root = mkdtempSync(join(tmpdir(), 'i386emu-exec-'));
    writeFileSync(join(root, 'interp'), program(asm.exit(42)));
    chmodSync(join(root, 'interp'), 0o755);
    writeFileSync(join(root, 'script'), '#!/interp  -x \nignored\n');
    chmodSync(join(root, 'script'), 0o755);
    const code = [...asm.movEax(11), ...asm.movEbx(DATA), ...asm.movEcx(0), ...asm.movEdx(0), ...asm.int80(), ...asm.exit(1)];
    const k = new Kernel({ memoryBytes: 16 << 20, rootDir: root, stdout: () => {}, stdin: new Uint8Array(0) });
    k.execve('/first', ['first'], [], program(code, { bytes: Buffer.from('/script\0') }));
    expect(k.run()).toEqual({ exitCode: 42, signal: 0 });
    expect(k.task.exePath).toBe('/interp');
  });
});
