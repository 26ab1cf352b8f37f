// Dynamically linked programs at the command line: where the interpreter and libraries come
// from (the host's libc6-i386, or --sysroot DIR first), what a missing interpreter gives (one
// line naming it and how to get one, exit 127; a missing library: ld.so's line and one naming
// it), and the layout exec and ld.so leave.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/tempDir.js';
import { runCli } from './cliProcess.js';

const MAPS_DYN = 'guest-programs/build/maps_self-dyn';
const MAPS_PIE = 'guest-programs/build/maps_self-pie';
const HOST_LIBS = '/usr/lib32';

/** maps lines whose path ends with name: [range, perms, offset, inode]. */
function mapsOf(stdout: string, name: string): string[][] {
  return stdout.split('\n').filter((l) => l.endsWith('/' + name)).map((l) => {
    const f = l.split(/\s+/);
    return [f[0], f[1], f[2], f[4]];
  });
}

/** A copied i386 tree shaped like Debian's: files in usr/lib32, lib32 -> usr/lib32, an absolute link for ld.so. */
function makeSysroot(): string {
  const dir = makeTempDir('i386emu-sysroot-');
  mkdirSync(join(dir, 'usr/lib32'), { recursive: true });
  mkdirSync(join(dir, 'lib'));
  for (const f of ['ld-linux.so.2', 'libc.so.6', 'libm.so.6']) copyFileSync(join(HOST_LIBS, f), join(dir, 'usr/lib32', f));
  symlinkSync('usr/lib32', join(dir, 'lib32'));
  symlinkSync('/lib32/ld-linux.so.2', join(dir, 'lib/ld-linux.so.2'));
  return dir;
}

describe('dynamic linking at the command line', { timeout: 120_000 }, () => {
  it('a missing shared library: ld.so\'s own line, then one naming it and how to get it, exit 127', () => {
    const dir = makeTempDir('i386emu-nolib-');
    writeFileSync(join(dir, 'gone.c'), 'int gone(void) { return 1; }\n');
    writeFileSync(join(dir, 'main.c'), 'int gone(void);\nint main(void) { return gone(); }\n');
    execFileSync('gcc', ['-m32', '-shared', '-fPIC', '-o', join(dir, 'libi386emugone.so'), join(dir, 'gone.c')]);
    execFileSync('gcc', ['-m32', '-o', join(dir, 'needs'), join(dir, 'main.c'), '-L' + dir, '-li386emugone']);
    unlinkSync(join(dir, 'libi386emugone.so'));
    const r = runCli(['run', join(dir, 'needs')]);
    expect(r.status).toBe(127);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/error while loading shared libraries: libi386emugone\.so: cannot open shared object file/);
    expect(lines.at(-1)).toBe('i386emu: shared library not found: libi386emugone.so; install the i386 package that has it '
      + '(apt-get install PACKAGE:i386) or pass --sysroot DIR with an i386 system tree');
  });

  it('a missing interpreter is one line naming it and how to get one, exit 127', () => {
    for (const cmd of [['run'], ['run', '--gdb', '0']]) {
      const r = runCli([...cmd, 'guest-programs/build/hello-nointerp']);
      expect(r.status).toBe(127);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^i386emu: \S+hello-nointerp: dynamic linker \/nonexistent\/ld\.so not found; .*apt-get install libc6-i386.*--sysroot DIR.*\n$/);
    }
  });

  it('refuses a --sysroot that is not a directory', () => {
    const r = runCli(['run', '--sysroot', '/nonexistent-sysroot', MAPS_DYN]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('i386emu: --sysroot /nonexistent-sysroot: not a directory\n');
  });

  it('maps the host libc6-i386 at their canonical paths, ld.so just below mmap_base as Linux does', () => {
    const r = runCli(['run', '--layout=3gb', MAPS_DYN]);
    expect(r.status).toBe(0);
    const ld = mapsOf(r.stdout, 'ld-linux.so.2');
    // Linux (setarch -R --3gb): b7fcb000-b8000000 in five areas, the RELRO pages read-only.
    expect(ld.map((l) => l.slice(0, 3))).toEqual([
      ['b7fcb000-b7fcc000', 'r--p', '00000000'], ['b7fcc000-b7fef000', 'r-xp', '00001000'],
      ['b7fef000-b7ffd000', 'r--p', '00024000'], ['b7ffd000-b7fff000', 'r--p', '00031000'],
      ['b7fff000-b8000000', 'rw-p', '00033000'],
    ]);
    expect(ld[0][3]).toBe(String(statSync(join(HOST_LIBS, 'ld-linux.so.2')).ino));
    const libc = mapsOf(r.stdout, 'libc.so.6');
    expect(libc.map((l) => l[1])).toEqual(['r--p', 'r-xp', 'r--p', 'r--p', 'rw-p']);
    expect(r.stdout).toMatch(/^08048000-08049000 r--p 00000000 /);
    expect(r.stdout).toMatch(/\/usr\/lib32\/libc\.so\.6\n/);
  });

  it('loads a PIE at ELF_ET_DYN_BASE (0x56555000 on a 64-bit kernel, 0x41000000 with --3gb), the break after it', () => {
    const r = runCli(['run', MAPS_PIE]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^56555000-56556000 r--p 00000000 .*maps_self-pie\n/);
    expect(r.stdout).toMatch(/\n565[0-9a-f]{5}-[0-9a-f]{8} rw-p 00000000 00:00 0 +\[heap\]\n/);
    expect(r.stdout).toMatch(/\nmain 0x56556[0-9a-f]{3}\n/);
    const r3 = runCli(['run', '--layout=3gb', MAPS_PIE]);
    expect(r3.stdout).toMatch(/^41000000-41001000 r--p 00000000 .*maps_self-pie\n/);
    expect(r3.stdout).toMatch(/\nmain 0x41001[0-9a-f]{3}\n/);
  });

  it('--sysroot DIR: the interpreter and libraries come from DIR, absolute links resolved inside it', () => {
    const sysroot = makeSysroot();
    const r = runCli(['run', '--strace', '--sysroot', sysroot, MAPS_DYN]);
    expect(r.status).toBe(0);
    for (const name of ['ld-linux.so.2', 'libc.so.6']) {
      const areas = mapsOf(r.stdout, name);
      expect(areas.length, name).toBe(5);
      expect(new Set(areas.map((a) => a[3])), name).toEqual(new Set([String(statSync(join(sysroot, 'usr/lib32', name)).ino)]));
    }
    // No ld.so.cache in the sysroot: the host's is not used, ld.so searches its own directories.
    expect(r.stderr).toContain('openat(AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_LARGEFILE|O_CLOEXEC) = -1 ENOENT');
    expect(r.stderr).toContain('openat(AT_FDCWD, "/lib32/libc.so.6", O_RDONLY|O_LARGEFILE|O_CLOEXEC) = 3');
  });

  it('--strace of a dynamic hello shows ld.so at work as Linux strace does', () => {
    const r = runCli(['run', '--strace', 'guest-programs/build/hello-dyn']);
    expect(r.status).toBe(0);
    const calls = r.stderr.split('\n').map((l) => l.replace(/\(.*$/, '')).filter((c) => c !== '');
    // The first mmap2 is ld.so's own allocation (the vDSO's link map), as on Linux.
    expect(calls.slice(0, 9)).toEqual(['execve', 'brk', 'mmap2', 'access', 'openat', 'statx', 'mmap2', 'close', 'openat']);
    expect(r.stderr).toMatch(/\nmmap2\(NULL, \d+, PROT_READ, MAP_PRIVATE\|MAP_DENYWRITE, 3, 0\) = 0x/);
    expect(r.stderr).toMatch(/\nmmap2\(0x[0-9a-f]+, \d+, PROT_READ\|PROT_EXEC, MAP_PRIVATE\|MAP_FIXED\|MAP_DENYWRITE, 3, 0x22000\) = 0x/);
    expect(r.stderr).toMatch(/\nmprotect\(0x[0-9a-f]+, 8192, PROT_READ\) = 0\n/);
  });
});
