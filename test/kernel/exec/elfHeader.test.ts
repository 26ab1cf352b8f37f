import { describe, expect, it } from 'vitest';
import { parseElf, PF_R, PF_X, PT_INTERP, PT_LOAD } from '../../../kernel/exec/elfHeader.js';
import { ElfError } from '../../../kernel/exec/elfError.js';
import { buildElf } from './elfBuilder.js';

function reason(bytes: Uint8Array): string {
  try {
    parseElf(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(ElfError);
    return (e as Error).message;
  }
  return 'accepted';
}

const code = new Uint8Array([0xb8, 1, 0, 0, 0, 0xcd, 0x80]);

describe('ELF validation', () => {
  it('accepts a minimal static i386 executable', () => {
    const img = parseElf(buildElf({ entry: 0x08048000, segments: [{ vaddr: 0x08048000, data: code, flags: PF_R | PF_X }] }));
    expect(img.entry).toBe(0x08048000);
    expect(img.segments[0]).toMatchObject({ type: PT_LOAD, vaddr: 0x08048000, filesz: 7, flags: PF_R | PF_X });
  });

  it('rejects non-ELF files and scripts', () => {
    expect(reason(new Uint8Array([1, 2, 3]))).toBe('not an ELF file');
    expect(reason(Buffer.from('hello world, this is text'))).toBe('not an ELF file');
    expect(reason(Buffer.from('#!/bin/sh\necho hi\n'))).toMatch(/^not an ELF file \(a script/);
  });

  it('rejects 64-bit and foreign-machine ELF files', () => {
    const b = buildElf({ entry: 0, segments: [{ vaddr: 0x1000, data: code, flags: PF_R }] });
    const b64 = b.slice();
    b64[4] = 2;
    expect(reason(b64)).toBe('64-bit ELF (ELFCLASS64) not supported');
    expect(reason(buildElf({ entry: 0, machine: 40, segments: [{ vaddr: 0x1000, data: code, flags: PF_R }] })))
      .toBe('not an i386 ELF (machine ARM)');
    expect(reason(buildElf({ entry: 0, machine: 62, segments: [{ vaddr: 0x1000, data: code, flags: PF_R }] })))
      .toBe('not an i386 ELF (machine x86-64)');
  });

  it('rejects truncated files with the reason', () => {
    const b = buildElf({ entry: 0, segments: [{ vaddr: 0x08048000, data: new Uint8Array(5000), flags: PF_R }] });
    expect(reason(b.slice(0, 10))).toBe('truncated ELF header (10 bytes)');
    expect(reason(b.slice(0, 40))).toBe('truncated ELF header (40 bytes, need 52)');
    expect(reason(b.slice(0, 60))).toMatch(/^truncated file: program headers out of file/);
    expect(reason(b.slice(0, 3000))).toMatch(/^truncated file: segment 0 .* extends past the end/);
  });

  it('rejects relocatable objects and core dumps', () => {
    expect(reason(buildElf({ type: 1, entry: 0, segments: [{ vaddr: 0x1000, flags: PF_R }] })))
      .toBe('not an executable (relocatable object file, ET_REL)');
    expect(reason(buildElf({ type: 4, entry: 0, segments: [{ vaddr: 0x1000, flags: PF_R }] })))
      .toBe('not an executable (core dump, ET_CORE)');
  });

  it('reads the interpreter of dynamically linked executables (PT_INTERP)', () => {
    const interp = Buffer.from('/lib/ld-linux.so.2\0');
    const seg = (data: Uint8Array) => buildElf({
      entry: 0x08048000,
      segments: [{ type: PT_INTERP, vaddr: 0x08048200, data, flags: PF_R }, { vaddr: 0x08048000, data: code, flags: PF_R | PF_X }],
    });
    expect(parseElf(seg(interp)).interp).toBe('/lib/ld-linux.so.2');
    expect(reason(seg(Buffer.from('/lib/ld.so')))).toBe('PT_INTERP path is not NUL-terminated');
    expect(reason(seg(Buffer.from('\0')))).toBe('bad PT_INTERP size 1');
  });
});
