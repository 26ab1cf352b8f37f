// The library directories overlaid on the guest's root: the sysroot first, then the host's
// tree; symbolic links resolved in the guest's namespace; /etc/ld.so.cache from the sysroot only.
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENOENT } from '../../../kernel/errno.js';
import { LibraryMounts } from '../../../kernel/fs/libraryMounts.js';
import { makeTempDir } from '../../helpers/tempDir.js';

function tree(files: Record<string, string>, links: Record<string, string> = {}): string {
  const dir = makeTempDir('i386emu-libs-');
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  for (const [p, target] of Object.entries(links)) {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    symlinkSync(target, join(dir, p));
  }
  return dir;
}

describe('LibraryMounts', () => {
  const host = tree({ 'usr/lib32/libc.so.6': 'host libc', 'usr/lib32/libm.so.6': 'host libm', 'etc/ld.so.cache': 'cache', 'etc/passwd': 'x' },
    { lib32: 'usr/lib32' });
  const sysroot = tree({ 'usr/lib32/libc.so.6': 'sysroot libc', 'usr/lib32/ld-linux.so.2': 'ld' },
    { lib32: 'usr/lib32', 'lib/ld-linux.so.2': '/lib32/ld-linux.so.2' });

  it('covers the library directories and the ld.so cache only', () => {
    const m = new LibraryMounts(null, host);
    expect(['/lib', '/lib/x', '/usr/lib32/libc.so.6', '/etc/ld.so.cache'].every((p) => m.covers(p))).toBe(true);
    expect(['/etc/passwd', '/usr/bin/ls', '/library', '/home'].some((p) => m.covers(p))).toBe(false);
  });

  it('searches the sysroot first, then the host', () => {
    const m = new LibraryMounts(sysroot, host);
    expect(m.resolve('/usr/lib32/libc.so.6', true)).toEqual({ hostPath: join(sysroot, 'usr/lib32/libc.so.6'), guestPath: '/usr/lib32/libc.so.6' });
    expect(m.resolve('/usr/lib32/libm.so.6', true)).toEqual({ hostPath: join(host, 'usr/lib32/libm.so.6'), guestPath: '/usr/lib32/libm.so.6' });
    expect(m.resolve('/usr/lib32/libz.so.1', true)).toBe(-ENOENT);
  });

  it('hands symbolic links back as guest paths to look up again (absolute ones stay in the guest)', () => {
    const m = new LibraryMounts(sysroot, host);
    expect(m.resolve('/lib/ld-linux.so.2', true)).toEqual({ redirect: '/lib32/ld-linux.so.2' });
    expect(m.resolve('/lib32/ld-linux.so.2', true)).toEqual({ redirect: '/usr/lib32/ld-linux.so.2' });
    expect(m.resolve('/lib/ld-linux.so.2', false)).toEqual({ hostPath: join(sysroot, 'lib/ld-linux.so.2'), guestPath: '/lib/ld-linux.so.2' });
  });

  it('takes /etc/ld.so.cache from the sysroot only (the host cache names host libraries)', () => {
    expect(new LibraryMounts(null, host).resolve('/etc/ld.so.cache', true)).toEqual({ hostPath: join(host, 'etc/ld.so.cache'), guestPath: '/etc/ld.so.cache' });
    expect(new LibraryMounts(sysroot, host).resolve('/etc/ld.so.cache', true)).toBe(-ENOENT);
  });
});
