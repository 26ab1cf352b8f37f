import { describe, expect, it } from 'vitest';
import { existsSync, symlinkSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as fio from '../../../kernel/syscalls/fileio.js';
import * as nm from '../../../kernel/syscalls/namei.js';
import * as mem from '../../../kernel/syscalls/memory.js';
import { EACCES, EBADF, ENOENT, ESPIPE, EFAULT, ENOTDIR } from '../../../kernel/errno.js';
import { bootKernel, call } from './sysHelpers.js';

const O_RDONLY = 0, O_WRONLY = 1, O_CREAT = 0o100, O_DIRECTORY = 0o200000;
const AT_FDCWD = -100;

describe('file system calls', () => {
  it('open/read/lseek/close a sandbox file', () => {
    const b = bootKernel({ 'data.txt': 'hello world\n' });
    const fd = fio.sysOpen(b.k, b.str('/data.txt'), O_RDONLY);
    expect(fd).toBe(3);
    expect(fio.sysRead(b.k, fd, b.buf, 5)).toBe(5);
    expect(Buffer.from(b.read(b.buf, 5)).toString()).toBe('hello');
    expect(fio.sysLseek(b.k, fd, -3, 2)).toBe(9);
    expect(fio.sysRead(b.k, fd, b.buf, 100)).toBe(3);
    expect(fio.sysRead(b.k, fd, b.buf, 100)).toBe(0);
    expect(fio.sysClose(b.k, fd)).toBe(0);
    expect(fio.sysClose(b.k, fd)).toBe(-EBADF);
    expect(fio.sysRead(b.k, 1, b.buf, 1)).toBe(-EBADF); // stdout is write-only here
  });

  it('writes go to the stdout sink; writev gathers', () => {
    const b = bootKernel();
    b.str('abc', 0);
    b.str('de', 16);
    expect(fio.sysWrite(b.k, 1, b.buf, 3)).toBe(3);
    const iov = b.buf + 0x100;
    const dv = new DataView(new ArrayBuffer(16));
    dv.setUint32(0, b.buf, true); dv.setUint32(4, 3, true); dv.setUint32(8, b.buf + 16, true); dv.setUint32(12, 2, true);
    b.write(iov, new Uint8Array(dv.buffer));
    expect(fio.sysWritev(b.k, 1, iov, 2)).toBe(5);
    expect(Buffer.from(b.out).toString()).toBe('abcabcde');
    expect(call(fio.sysWrite, b.k, 1, 0x10, 4)).toBe(-EFAULT);
    expect(fio.sysLseek(b.k, 1, 0, 0)).toBe(-ESPIPE);
  });

  it('the --root sandbox is writable and cannot be left with .. or symlinks', () => {
    const b = bootKernel({ 'f': 'x' });
    symlinkSync('/etc/passwd', join(b.root, 'escape'));
    mkdirSync(join(b.root, 'sub'));
    expect(fio.sysOpen(b.k, b.str('/f'), O_WRONLY)).toBe(3);
    expect(fio.sysOpen(b.k, b.str('/new'), O_WRONLY | O_CREAT, 0o644)).toBe(4);
    expect(existsSync(join(b.root, 'new'))).toBe(true);
    expect(fio.sysOpen(b.k, b.str('../../../../etc/hostname'), O_RDONLY)).toBe(-ENOENT);
    expect(fio.sysOpen(b.k, b.str('/sub/../../f'), O_RDONLY)).toBe(5);
    // The link's text is read in the guest's namespace: <root>/etc/passwd, which is not there.
    expect(fio.sysOpen(b.k, b.str('/escape'), O_RDONLY)).toBe(-ENOENT);
    expect(fio.sysOpen(b.k, b.str('/f'), O_RDONLY | O_DIRECTORY)).toBe(-ENOTDIR);
  });

  it('/dev/tty is the terminal of the standard streams; ENXIO without one', () => {
    const b = bootKernel();
    expect(fio.sysOpen(b.k, b.str('/dev/tty'), 2)).toBe(-6);
    expect(nm.sysStat64(b.k, b.str('/dev/tty'), b.buf)).toBe(0);
  });

  it('getdents64 lists a directory', () => {
    const b = bootKernel({ 'a': '1', 'bb': '22' });
    const fd = fio.sysOpenat(b.k, AT_FDCWD, b.str('/'), O_RDONLY | O_DIRECTORY);
    const n = fio.sysGetdents64(b.k, fd, b.buf, 4096);
    const raw = b.read(b.buf, n);
    const dv = new DataView(raw.buffer);
    const names: string[] = [];
    for (let o = 0; o < n; o += dv.getUint16(o + 16, true)) {
      const end = raw.indexOf(0, o + 19);
      names.push(Buffer.from(raw.subarray(o + 19, end)).toString());
    }
    // Mount points the root lacks are listed too (/dev, /proc, the library directories).
    expect(names.sort().filter((n) => !['dev', 'proc', 'lib', 'lib32', 'usr', 'etc'].includes(n))).toEqual(['.', '..', 'a', 'bb']);
    expect(fio.sysGetdents64(b.k, fd, b.buf, 4096)).toBe(0);
  });

  it('stat64 fills the i386 struct stat64 layout', () => {
    const b = bootKernel({ 'seven': '1234567' });
    expect(nm.sysStat64(b.k, b.str('/seven'), b.buf)).toBe(0);
    const dv = new DataView(b.read(b.buf, 96).buffer);
    expect(dv.getUint32(16, true) & 0o170000).toBe(0o100000);
    expect(dv.getBigInt64(44, true)).toBe(7n);
    expect(dv.getUint32(52, true)).toBeGreaterThan(0); // st_blksize
    expect(dv.getBigUint64(88, true) & 0xffffffffn).toBe(BigInt(dv.getUint32(12, true)));
    expect(nm.sysStat64(b.k, b.str('/missing'), b.buf)).toBe(-ENOENT);
    expect(call(nm.sysStat64, b.k, b.str('/seven'), 0x10)).toBe(-EFAULT);
  });

  it('/proc/self/maps and /proc/self/exe', () => {
    const b = bootKernel();
    const fd = fio.sysOpen(b.k, b.str('/proc/self/maps'), O_RDONLY);
    const n = fio.sysRead(b.k, fd, b.buf, 4096);
    const text = Buffer.from(b.read(b.buf, n)).toString();
    expect(text.split('\n')[0]).toMatch(/^08049000-0804a000 r-xp 00001000 00:00 0 +\/prog$/);
    expect(text).toMatch(/\[stack\]\n$/);
    const len = nm.sysReadlink(b.k, b.str('/proc/self/exe'), b.buf, 100);
    expect(Buffer.from(b.read(b.buf, len)).toString()).toBe('/prog');
    expect(nm.sysGetcwd(b.k, b.buf, 1)).toBe(-34);
  });

  it('/proc/self/statm, /proc/self/limits and /proc/meminfo in Linux\'s formats', () => {
    const b = bootKernel();
    const read = (path: string): string => {
      const fd = fio.sysOpen(b.k, b.str(path), O_RDONLY);
      expect(fd).toBeGreaterThanOrEqual(0);
      const n = fio.sysRead(b.k, fd, b.buf, 4096);
      fio.sysClose(b.k, fd);
      return Buffer.from(b.read(b.buf, n)).toString();
    };
    // The 64 KiB scratch mapping is touched page by page: resident grows by 16.
    const statm = () => read('/proc/self/statm').trimEnd().split(' ').map(Number);
    const before = statm();
    expect(before).toHaveLength(7);
    for (let off = 0; off < 0x10000; off += 0x1000) b.write(b.buf + off, Uint8Array.of(1));
    const after = statm();
    expect(after[0]).toBe(before[0]);
    expect(after[1] - before[1]).toBe(16 - 1); // the first page was already touched by read()
    const limits = read('/proc/self/limits').split('\n');
    expect(limits[0]).toBe('Limit                     Soft Limit           Hard Limit           Units     ');
    expect(limits[4]).toBe('Max stack size            8388608              unlimited            bytes     ');
    expect(limits[14]).toBe('Max nice priority         0                    0                    ');
    const meminfo = read('/proc/meminfo');
    expect(meminfo).toMatch(/^MemTotal: {8}\s*16380 kB\nMemFree: +\d+ kB\n/);
    // Half of RAM (vm.overcommit_ratio 50) plus no swap; the process's writable private memory is committed.
    expect(meminfo).toMatch(/\nCommitLimit: {7}\s*8188 kB\nCommitted_AS: {6}\s*[1-9]\d* kB\n/);
  });

  it('mmap2 of a file maps its bytes', () => {
    const b = bootKernel({ 'm': 'mapped bytes' });
    const fd = fio.sysOpen(b.k, b.str('/m'), O_RDONLY);
    const addr = mem.sysMmap2(b.k, 0, 4096, 1, 2, fd, 0) >>> 0;
    expect(Buffer.from(b.read(addr, 12)).toString()).toBe('mapped bytes');
    expect(b.read(addr + 12, 4)).toEqual(new Uint8Array(4));
    expect(mem.sysMmap2(b.k, 0, 4096, 3, 1, fd, 0)).toBe(-EACCES); // shared + write on a read-only fd
  });
});

