// File descriptor system calls (fs/read_write.c, fs/open.c, fs/fcntl.c, fs/ioctl.c,
// fs/readdir.c): read/write and their vector and positional forms, open/openat/close,
// lseek/_llseek, dup/dup2/dup3, fcntl, ioctl, getdents/getdents64.
import { fchownSync } from 'node:fs';
import { EAGAIN, EBADF, EINVAL, EPERM, EISDIR, ENOTDIR, ENOTTY, ENXIO, EOVERFLOW, EPIPE, ESPIPE, errnoFromHost } from '../errno.js';
import {
  File, O_APPEND, O_ASYNC, O_CLOEXEC, O_CREAT, O_DIRECT, O_NOATIME, O_NONBLOCK, O_TRUNC, O_WRONLY, type DirEntry,
} from '../fs/file.js';
import { HostFileInode } from '../fs/hostfs.js';
import { fcntlLock, releasePosixLocks } from './flock.js';
import { AT_FDCWD, openPath, PATH_MAX } from '../fs/vfs.js';
import { FIOCLEX, FIONBIO, FIONCLEX, FIONREAD } from '../fs/tty.js';
import { PipeEnd } from '../fs/pipe.js';
import { copyFromUser, copyToUser, getUser32, getUser64, putUser16, putUser32, putUser64, strncpyFromUser } from '../mm/uaccess.js';
import { SIGPIPE } from '../signal/signal.js';
import type { SyscallContext } from './types.js';

/** MAX_RW_COUNT: Linux caps one read or write at INT_MAX rounded down to a page. */
const MAX_RW_COUNT = 0x7ffff000;
const UIO_MAXIOV = 1024;

export function fget(c: SyscallContext, fd: number): File | undefined {
  return c.task.files.get(fd);
}

function fileSize(f: File): number {
  return f.inode.size ? f.inode.size() : Number(f.inode.stat().size);
}

/** Reads up to len bytes at the file position (or from the stream), advancing it. */
function fileRead(f: File, len: number): Uint8Array | number {
  if (f.inode.readdir) return -EISDIR;
  if (f.inode.readAt) {
    const r = f.inode.readAt(f.pos, len);
    if (typeof r !== 'number') f.pos += r.length;
    return r;
  }
  if (f.inode.read) return f.inode.read(len);
  return -EINVAL;
}

function fileWrite(c: SyscallContext, f: File, data: Uint8Array): number {
  if (f.inode.writeAt) {
    // O_APPEND: every write goes to the end of the file as it is now (other writers too).
    const pos = f.flags & O_APPEND ? fileSize(f) : f.pos;
    const n = f.inode.writeAt(pos, data);
    if (n >= 0) f.pos = pos + n;
    return n;
  }
  if (!f.inode.write) return -EINVAL;
  const n = f.inode.write(data);
  if (n === -EPIPE) c.sendSignal(SIGPIPE, 0);
  if (n > 0 && f.inode.readAt) f.pos += n;
  return n;
}

/** A read or write that found nothing to do sleeps until the file's queue is woken. */
function wouldBlock(c: SyscallContext, f: File): boolean {
  return f.inode.waitQueue !== undefined && !(f.flags & O_NONBLOCK);
}

export function sysRead(c: SyscallContext, fd: number, buf: number, count: number): number {
  const f = fget(c, fd);
  if (f === undefined || !f.readable) return -EBADF;
  const len = Math.min(count >>> 0, MAX_RW_COUNT);
  if (len === 0) return 0;
  const r = fileRead(f, len);
  if (r === -EAGAIN && wouldBlock(c, f)) return c.block([f.inode.waitQueue!], -1n);
  if (typeof r === 'number') return r;
  copyToUser(c.mm, buf, r);
  return r.length;
}

export function sysWrite(c: SyscallContext, fd: number, buf: number, count: number): number {
  const f = fget(c, fd);
  if (f === undefined || !f.writable) return -EBADF;
  const len = Math.min(count >>> 0, MAX_RW_COUNT);
  const data = copyFromUser(c.mm, buf, len);
  if (len === 0) return 0;
  return writeAll(c, f, data);
}

/**
 * A blocking write to a stream that can fill up (a pipe) writes everything, sleeping while it
 * is full; the bytes written so far survive the re-runs in the restart block, and are what the
 * call returns if a signal interrupts it.
 */
function writeAll(c: SyscallContext, f: File, data: Uint8Array): number {
  const r = c.task.restart;
  const done = r !== null ? r.progress : 0;
  const n = fileWrite(c, f, data.subarray(done));
  if (n === -EAGAIN || (n >= 0 && done + n < data.length && wouldBlock(c, f))) {
    const total = done + Math.max(n, 0);
    if (!wouldBlock(c, f)) return total > 0 ? total : -EAGAIN;
    const ret = c.block([f.inode.waitQueue!], -1n);
    c.task.restart!.progress = total;
    return ret;
  }
  if (n < 0) return done > 0 ? done : n;
  return done + n;
}

/** Reads a struct iovec array: [base, len] pairs; null for an invalid count or total. */
function readIovec(c: SyscallContext, iov: number, iovcnt: number): Array<[number, number]> | number {
  if (iovcnt < 0 || iovcnt > UIO_MAXIOV) return -EINVAL;
  const raw = copyFromUser(c.mm, iov, iovcnt * 8);
  const dv = new DataView(raw.buffer);
  const out: Array<[number, number]> = [];
  let total = 0;
  for (let i = 0; i < iovcnt; i++) {
    const len = dv.getUint32(i * 8 + 4, true);
    if (len > 0x7fffffff) return -EINVAL;
    total += len;
    if (total > 0x7fffffff) return -EINVAL;
    out.push([dv.getUint32(i * 8, true), len]);
  }
  return out;
}

export function sysWritev(c: SyscallContext, fd: number, iov: number, iovcnt: number): number {
  const f = fget(c, fd);
  if (f === undefined || !f.writable) return -EBADF;
  const vec = readIovec(c, iov, iovcnt);
  if (typeof vec === 'number') return vec;
  const parts = vec.map(([base, len]) => copyFromUser(c.mm, base, len));
  const total = parts.reduce((s, p) => s + p.length, 0);
  if (total === 0) return 0;
  const data = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    data.set(p, o);
    o += p.length;
  }
  return writeAll(c, f, data);
}

export function sysReadv(c: SyscallContext, fd: number, iov: number, iovcnt: number): number {
  const f = fget(c, fd);
  if (f === undefined || !f.readable) return -EBADF;
  const vec = readIovec(c, iov, iovcnt);
  if (typeof vec === 'number') return vec;
  const total = vec.reduce((s, [, len]) => s + len, 0);
  if (total === 0) return 0;
  const r = fileRead(f, total);
  if (r === -EAGAIN && wouldBlock(c, f)) return c.block([f.inode.waitQueue!], -1n);
  if (typeof r === 'number') return r;
  let o = 0;
  for (const [base, len] of vec) {
    if (o >= r.length) break;
    const n = Math.min(len, r.length - o);
    copyToUser(c.mm, base, r.subarray(o, o + n));
    o += n;
  }
  return r.length;
}

function pos64(lo: number, hi: number): number {
  return (hi | 0) * 0x100000000 + (lo >>> 0);
}

export function sysPread64(c: SyscallContext, fd: number, buf: number, count: number, lo: number, hi: number): number {
  const f = fget(c, fd);
  if (f === undefined || !f.readable) return -EBADF;
  if (!f.inode.readAt) return f.inode.readdir ? -EISDIR : -ESPIPE;
  const pos = pos64(lo, hi);
  if (pos < 0) return -EINVAL;
  const len = Math.min(count >>> 0, MAX_RW_COUNT);
  const r = f.inode.readAt(pos, len);
  if (typeof r === 'number') return r;
  copyToUser(c.mm, buf, r);
  return r.length;
}

export function sysPwrite64(c: SyscallContext, fd: number, buf: number, count: number, lo: number, hi: number): number {
  const f = fget(c, fd);
  if (f === undefined || !f.writable) return -EBADF;
  if (!f.inode.writeAt) return -ESPIPE;
  let pos = pos64(lo, hi);
  if (pos < 0) return -EINVAL;
  const len = Math.min(count >>> 0, MAX_RW_COUNT);
  const data = copyFromUser(c.mm, buf, len);
  if (len === 0) return 0;
  // Linux's pwrite on an O_APPEND file appends (a documented bug kept for compatibility).
  if (f.flags & O_APPEND) pos = fileSize(f);
  return f.inode.writeAt(pos, data);
}

/** do_sys_open */
export function doOpen(c: SyscallContext, dirfd: number, pathPtr: number, flags: number, mode: number): number {
  const path = strncpyFromUser(c.mm, pathPtr, PATH_MAX);
  const f = openPath(c.vfs, dirfd, path, flags, mode & 0o7777);
  noteLibraryLookup(c, path, typeof f !== 'number');
  if (typeof f === 'number') return f;
  return c.task.files.install(f, (flags & O_CLOEXEC) !== 0);
}

const SHARED_OBJECT = /([^/]+\.so(?:\.[0-9]+)*)$/;

/** Remembers whether a shared object the loader searched for was found anywhere. */
function noteLibraryLookup(c: SyscallContext, path: string, found: boolean): void {
  const m = SHARED_OBJECT.exec(path);
  if (m === null) return;
  const seen = c.task.group.libraryLookups;
  if (found || !seen.has(m[1])) seen.set(m[1], found || seen.get(m[1]) === true);
}

export function sysOpen(c: SyscallContext, path: number, flags: number, mode = 0): number {
  return doOpen(c, AT_FDCWD, path, flags, mode);
}

export function sysOpenat(c: SyscallContext, dirfd: number, path: number, flags: number, mode = 0): number {
  return doOpen(c, dirfd, path, flags, mode);
}

export function sysCreat(c: SyscallContext, path: number, mode: number): number {
  return doOpen(c, AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

/** ftruncate: the file must be a regular file open for writing (EINVAL otherwise). */
function doFtruncate(c: SyscallContext, fd: number, len: number): number {
  const f = fget(c, fd);
  if (f === undefined) return -EBADF;
  if (len < 0) return -EINVAL;
  if (!f.writable || !f.inode.truncate) return -EINVAL;
  return f.inode.truncate(len);
}

export function sysFtruncate(c: SyscallContext, fd: number, len: number): number {
  return doFtruncate(c, fd, len);
}

export function sysFtruncate64(c: SyscallContext, fd: number, lo: number, hi: number): number {
  return doFtruncate(c, fd, pos64(lo, hi));
}

function doFsync(c: SyscallContext, fd: number, dataOnly: boolean): number {
  const f = fget(c, fd);
  if (f === undefined) return -EBADF;
  return f.inode.sync ? f.inode.sync(dataOnly) : -EINVAL;
}

export function sysFsync(c: SyscallContext, fd: number): number {
  return doFsync(c, fd, false);
}

export function sysFdatasync(c: SyscallContext, fd: number): number {
  return doFsync(c, fd, true);
}

export function sysFchmod(c: SyscallContext, fd: number, mode: number): number {
  const f = fget(c, fd);
  if (f === undefined) return -EBADF;
  return f.inode.chmod ? f.inode.chmod(mode & 0o7777) : 0;
}

export function sysFchown(c: SyscallContext, fd: number, uid: number, gid: number): number {
  const f = fget(c, fd);
  if (f === undefined) return -EBADF;
  if (!(f.inode instanceof HostFileInode)) return 0;
  const st = f.inode.stat();
  try {
    fchownSync(f.inode.hostFd, uid === -1 ? st.uid : uid >>> 0, gid === -1 ? st.gid : gid >>> 0);
    return 0;
  } catch (e) {
    return -errnoFromHost(e);
  }
}

export function sysFchown16(c: SyscallContext, fd: number, uid: number, gid: number): number {
  const id16 = (v: number) => ((v & 0xffff) === 0xffff ? -1 : v & 0xffff);
  return sysFchown(c, fd, id16(uid), id16(gid));
}

/**
 * sendfile/sendfile64: copies from a file that can be read at a position to any writable
 * file, at *offset (which is updated) or at the input's position (which advances).
 */
function doSendfile(c: SyscallContext, outFd: number, inFd: number, offPtr: number, count: number, wide: boolean): number {
  const input = fget(c, inFd);
  const output = fget(c, outFd);
  if (input === undefined || !input.readable || output === undefined || !output.writable) return -EBADF;
  if (!input.inode.readAt || input.inode.readdir) return -EINVAL;
  if (output.flags & O_APPEND) return -EINVAL;
  let pos = input.pos;
  if (offPtr !== 0) {
    pos = wide ? Number(getUser64(c.mm, offPtr)) : getUser32(c.mm, offPtr);
    if (pos < 0) return -EINVAL;
  }
  const len = Math.min(count >>> 0, MAX_RW_COUNT, 1 << 20);
  if (len === 0) return 0;
  const data = input.inode.readAt(pos, len);
  if (typeof data === 'number') return data;
  if (data.length === 0) return 0;
  const n = writeAll(c, output, data);
  if (n <= 0) return n;
  if (offPtr !== 0) {
    if (wide) putUser64(c.mm, offPtr, BigInt(pos + n));
    else putUser32(c.mm, offPtr, pos + n);
  } else {
    input.pos = pos + n;
  }
  return n;
}

export function sysSendfile(c: SyscallContext, outFd: number, inFd: number, off: number, count: number): number {
  return doSendfile(c, outFd, inFd, off, count, false);
}

export function sysSendfile64(c: SyscallContext, outFd: number, inFd: number, off: number, count: number): number {
  return doSendfile(c, outFd, inFd, off, count, true);
}

export function sysClose(c: SyscallContext, fd: number): number {
  const f = fget(c, fd);
  if (f !== undefined) releasePosixLocks(c, f);
  return c.task.files.close(fd);
}

const SEEK_SET = 0, SEEK_CUR = 1, SEEK_END = 2, SEEK_DATA = 3, SEEK_HOLE = 4;

function doLseek(f: File, offset: number, whence: number): number {
  if (!f.seekable) return -ESPIPE;
  let base: number;
  switch (whence) {
    case SEEK_SET: base = 0; break;
    case SEEK_CUR: base = f.pos; break;
    case SEEK_END: base = fileSize(f); break;
    case SEEK_DATA: case SEEK_HOLE: {
      // No holes are reported: data up to the end, one hole at the end.
      const size = fileSize(f);
      if (offset < 0 || offset >= size) return -ENXIO;
      base = whence === SEEK_DATA ? 0 : size - offset;
      break;
    }
    default: return -EINVAL;
  }
  const pos = base + offset;
  if (pos < 0) return -EINVAL;
  if (f.inode.readdir && pos !== f.pos) f.dirCache = null;
  f.pos = pos;
  return pos;
}

export function sysLseek(c: SyscallContext, fd: number, offset: number, whence: number): number {
  const f = fget(c, fd);
  if (f === undefined) return -EBADF;
  const r = doLseek(f, offset, whence);
  if (r > 0x7fffffff) return -EOVERFLOW;
  return r;
}

export function sysLlseek(c: SyscallContext, fd: number, hi: number, lo: number, result: number, whence: number): number {
  const f = fget(c, fd);
  if (f === undefined) return -EBADF;
  const r = doLseek(f, pos64(lo, hi), whence);
  if (r < 0) return r;
  putUser64(c.mm, result, BigInt(r));
  return 0;
}

export function sysDup(c: SyscallContext, fd: number): number {
  const f = fget(c, fd);
  if (f === undefined) return -EBADF;
  return c.task.files.install(f.get());
}

export function sysDup2(c: SyscallContext, oldfd: number, newfd: number): number {
  const f = fget(c, oldfd);
  if (f === undefined) return -EBADF;
  if (oldfd === newfd) return newfd;
  return c.task.files.installAt(newfd, f.get(), false);
}

export function sysDup3(c: SyscallContext, oldfd: number, newfd: number, flags: number): number {
  if (flags & ~O_CLOEXEC) return -EINVAL;
  if (oldfd === newfd) return -EINVAL;
  const f = fget(c, oldfd);
  if (f === undefined) return -EBADF;
  return c.task.files.installAt(newfd, f.get(), (flags & O_CLOEXEC) !== 0);
}

const F_DUPFD = 0, F_GETFD = 1, F_SETFD = 2, F_GETFL = 3, F_SETFL = 4, F_GETLK = 5, F_SETLK = 6;
const F_SETLKW = 7, F_SETOWN = 8, F_GETOWN = 9, F_GETLK64 = 12, F_SETLK64 = 13, F_SETLKW64 = 14;
const F_DUPFD_CLOEXEC = 1030, F_SETPIPE_SZ = 1031, F_GETPIPE_SZ = 1032, FD_CLOEXEC = 1;
const F_OFD_GETLK = 36, F_OFD_SETLK = 37, F_OFD_SETLKW = 38;
const SETFL_MASK = O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME;

export function sysFcntl64(c: SyscallContext, fd: number, cmd: number, arg: number): number {
  const f = fget(c, fd);
  if (f === undefined) return -EBADF;
  const files = c.task.files;
  switch (cmd) {
    case F_DUPFD: case F_DUPFD_CLOEXEC:
      if (arg < 0) return -EINVAL;
      return files.install(f.get(), cmd === F_DUPFD_CLOEXEC, arg);
    case F_GETFD: return files.getCloexec(fd) ? FD_CLOEXEC : 0;
    case F_SETFD:
      files.setCloexec(fd, (arg & FD_CLOEXEC) !== 0);
      return 0;
    case F_GETFL: return f.flags & ~O_CLOEXEC;
    case F_SETFL:
      f.flags = (f.flags & ~SETFL_MASK) | (arg & SETFL_MASK);
      return 0;
    case F_GETLK: case F_SETLK: case F_SETLKW: case F_GETLK64: case F_SETLK64: case F_SETLKW64:
    case F_OFD_GETLK: case F_OFD_SETLK: case F_OFD_SETLKW:
      return fcntlLock(c, f, cmd, arg);
    case F_SETOWN:
      return 0;
    case F_GETOWN: return 0;
    case F_SETPIPE_SZ: case F_GETPIPE_SZ:
      // The pipe keeps its 64 KiB ring; a request is accepted up to that size.
      if (!(f.inode instanceof PipeEnd)) return -EBADF;
      if (cmd === F_SETPIPE_SZ && (arg >>> 0) > 1048576) return -EPERM;
      return 65536;
    default: return -EINVAL;
  }
}

export function sysIoctl(c: SyscallContext, fd: number, cmd: number, arg: number): number {
  const f = fget(c, fd);
  if (f === undefined) return -EBADF;
  switch (cmd >>> 0) {
    case FIOCLEX: c.task.files.setCloexec(fd, true); return 0;
    case FIONCLEX: c.task.files.setCloexec(fd, false); return 0;
    case FIONREAD:
      if (f.inode instanceof PipeEnd) {
        putUser32(c.mm, arg, f.inode.available());
        return 0;
      }
      if (f.inode instanceof HostFileInode) {
        putUser32(c.mm, arg, Math.max(0, Math.min(0x7fffffff, f.inode.size() - f.pos)));
        return 0;
      }
      return f.inode.ioctl ? f.inode.ioctl(cmd, arg, { mm: c.mm }) : -ENOTTY;
    case FIONBIO:
      if (getUser32(c.mm, arg)) f.flags |= O_NONBLOCK;
      else f.flags &= ~O_NONBLOCK;
      return 0;
    default:
      return f.inode.ioctl ? f.inode.ioctl(cmd, arg, { mm: c.mm }) : -ENOTTY;
  }
}

function dirEntries(f: File): DirEntry[] | number {
  if (!f.inode.readdir) return -ENOTDIR;
  if (f.dirCache === null) {
    const r = f.inode.readdir();
    if (typeof r === 'number') return r;
    f.dirCache = r;
  }
  return f.dirCache;
}

/**
 * The getdents loop: packs records from f.pos on into a buffer of `count` bytes with `put`
 * (which returns the record length for a name, or a negative errno), then copies it out.
 */
function packDirents(
  c: SyscallContext, fd: number, dirp: number, count: number,
  recordLength: (nameLength: number) => number,
  put: (dv: DataView, out: Uint8Array, o: number, e: DirEntry, index: number, reclen: number, name: Uint8Array) => number,
): number {
  const f = fget(c, fd);
  if (f === undefined) return -EBADF;
  const ents = dirEntries(f);
  if (typeof ents === 'number') return ents;
  const out = new Uint8Array(Math.min(count >>> 0, 1 << 20));
  const dv = new DataView(out.buffer);
  let o = 0;
  while (f.pos < ents.length) {
    const e = ents[f.pos];
    const name = Buffer.from(e.name, 'utf8');
    const reclen = recordLength(name.length);
    if (o + reclen > out.length) {
      if (o === 0) return -EINVAL;
      break;
    }
    const err = put(dv, out, o, e, f.pos, reclen, name);
    if (err < 0) return err;
    o += reclen;
    f.pos++;
  }
  copyToUser(c.mm, dirp, out.subarray(0, o));
  return o;
}

/** getdents64: struct linux_dirent64 records, 8-byte aligned; f.pos is the entry index. */
export function sysGetdents64(c: SyscallContext, fd: number, dirp: number, count: number): number {
  return packDirents(c, fd, dirp, count, (n) => Math.ceil((19 + n + 1) / 8) * 8, (dv, out, o, e, index, reclen, name) => {
    dv.setBigUint64(o, e.ino, true);
    dv.setBigInt64(o + 8, BigInt(index + 1), true);
    dv.setUint16(o + 16, reclen, true);
    out[o + 18] = e.type;
    out.set(name, o + 19);
    return 0;
  });
}

/** getdents: the old struct linux_dirent (32-bit inode, type byte at the end of the record). */
export function sysGetdents(c: SyscallContext, fd: number, dirp: number, count: number): number {
  return packDirents(c, fd, dirp, count, (n) => Math.ceil((10 + n + 2) / 4) * 4, (dv, out, o, e, index, reclen, name) => {
    if (e.ino > 0xffffffffn) return -EOVERFLOW;
    dv.setUint32(o, Number(e.ino), true);
    dv.setUint32(o + 4, index + 1, true);
    dv.setUint16(o + 8, reclen, true);
    out.set(name, o + 10);
    out[o + reclen - 1] = e.type;
    return 0;
  });
}

