// Path and attribute system calls (fs/stat.c, fs/namei.c, fs/open.c, fs/d_path.c): the stat
// family (stat64, fstatat64, statx, old stat), access/faccessat, readlink/readlinkat, getcwd,
// chdir/fchdir.
import { EBADF, EINVAL, ENOENT, ENOTDIR, ERANGE } from '../errno.js';
import { putOldStat, putStat64, putStatx, S_IFDIR, S_IFMT, type KStat } from '../fs/stat.js';
import {
  accessPath, AT_EACCESS, AT_EMPTY_PATH, AT_FDCWD, AT_NO_AUTOMOUNT, AT_SYMLINK_NOFOLLOW, lookup, lookupStat, PATH_MAX,
  readlinkPath, statPath,
} from '../fs/vfs.js';
import { copyToUser, strncpyFromUser } from '../mm/uaccess.js';
import type { SyscallContext } from './types.js';

const AT_STATX_SYNC_TYPE = 0x6000;

function path(c: SyscallContext, ptr: number): string {
  return strncpyFromUser(c.mm, ptr, PATH_MAX);
}

function fstatFd(c: SyscallContext, fd: number): KStat | number {
  const f = c.task.files.get(fd);
  if (f === undefined) return -EBADF;
  return f.inode.stat();
}

/** The attributes for the *at() calls: an fd with AT_EMPTY_PATH and "", else a path lookup. */
function statAt(c: SyscallContext, dirfd: number, pathPtr: number, flags: number): KStat | number {
  const p = path(c, pathPtr);
  if (p === '' && flags & AT_EMPTY_PATH) {
    if (dirfd === AT_FDCWD) return statPath(c.vfs, AT_FDCWD, '.', true);
    return fstatFd(c, dirfd);
  }
  return statPath(c.vfs, dirfd, p, !(flags & AT_SYMLINK_NOFOLLOW));
}

export function sysStat64(c: SyscallContext, p: number, buf: number): number {
  const st = statPath(c.vfs, AT_FDCWD, path(c, p), true);
  if (typeof st === 'number') return st;
  putStat64(c.mm, buf, st);
  return 0;
}

export function sysLstat64(c: SyscallContext, p: number, buf: number): number {
  const st = statPath(c.vfs, AT_FDCWD, path(c, p), false);
  if (typeof st === 'number') return st;
  putStat64(c.mm, buf, st);
  return 0;
}

export function sysFstat64(c: SyscallContext, fd: number, buf: number): number {
  const st = fstatFd(c, fd);
  if (typeof st === 'number') return st;
  putStat64(c.mm, buf, st);
  return 0;
}

export function sysFstatat64(c: SyscallContext, dirfd: number, p: number, buf: number, flags: number): number {
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH)) return -EINVAL;
  const st = statAt(c, dirfd, p, flags);
  if (typeof st === 'number') return st;
  putStat64(c.mm, buf, st);
  return 0;
}

export function sysStatx(c: SyscallContext, dirfd: number, p: number, flags: number, mask: number, buf: number): number {
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH | AT_STATX_SYNC_TYPE)) return -EINVAL;
  if ((flags & AT_STATX_SYNC_TYPE) === AT_STATX_SYNC_TYPE) return -EINVAL;
  if (mask & 0x80000000) return -EINVAL;
  const st = statAt(c, dirfd, p, flags);
  if (typeof st === 'number') return st;
  putStatx(c.mm, buf, st);
  return 0;
}

export function sysOldStat(c: SyscallContext, p: number, buf: number): number {
  const st = statPath(c.vfs, AT_FDCWD, path(c, p), true);
  return typeof st === 'number' ? st : putOldStat(c.mm, buf, st);
}

export function sysOldLstat(c: SyscallContext, p: number, buf: number): number {
  const st = statPath(c.vfs, AT_FDCWD, path(c, p), false);
  return typeof st === 'number' ? st : putOldStat(c.mm, buf, st);
}

export function sysOldFstat(c: SyscallContext, fd: number, buf: number): number {
  const st = fstatFd(c, fd);
  return typeof st === 'number' ? st : putOldStat(c.mm, buf, st);
}

export function sysAccess(c: SyscallContext, p: number, mode: number): number {
  if (mode & ~7) return -EINVAL;
  return accessPath(c.vfs, AT_FDCWD, path(c, p), mode);
}

export function sysFaccessat(c: SyscallContext, dirfd: number, p: number, mode: number): number {
  if (mode & ~7) return -EINVAL;
  return accessPath(c.vfs, dirfd, path(c, p), mode);
}

export function sysFaccessat2(c: SyscallContext, dirfd: number, p: number, mode: number, flags: number): number {
  if (mode & ~7 || flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -EINVAL;
  const name = path(c, p);
  if (name === '' && flags & AT_EMPTY_PATH) return c.task.files.get(dirfd) ? 0 : -EBADF;
  return accessPath(c.vfs, dirfd, name, mode, !(flags & AT_SYMLINK_NOFOLLOW));
}

function doReadlink(c: SyscallContext, dirfd: number, p: number, buf: number, size: number): number {
  if (size <= 0) return -EINVAL;
  const target = readlinkPath(c.vfs, dirfd, path(c, p));
  if (typeof target === 'number') return target;
  const bytes = Buffer.from(target, 'utf8');
  const n = Math.min(bytes.length, size);
  copyToUser(c.mm, buf, bytes.subarray(0, n));
  return n;
}

export function sysReadlink(c: SyscallContext, p: number, buf: number, size: number): number {
  return doReadlink(c, AT_FDCWD, p, buf, size);
}

export function sysReadlinkat(c: SyscallContext, dirfd: number, p: number, buf: number, size: number): number {
  return doReadlink(c, dirfd, p, buf, size);
}

export function sysGetcwd(c: SyscallContext, buf: number, size: number): number {
  const bytes = Buffer.from(c.task.cwd + '\0', 'utf8');
  if ((size >>> 0) < bytes.length) return -ERANGE;
  copyToUser(c.mm, buf, bytes);
  return bytes.length;
}

export function sysChdir(c: SyscallContext, p: number): number {
  const l = lookup(c.vfs, AT_FDCWD, path(c, p), true);
  if (typeof l === 'number') return l;
  const st = lookupStat(l);
  if (typeof st === 'number') return st;
  if ((st.mode & S_IFMT) !== S_IFDIR) return -ENOTDIR;
  c.task.cwd = l.guestPath;
  return 0;
}

export function sysFchdir(c: SyscallContext, fd: number): number {
  const f = c.task.files.get(fd);
  if (f === undefined) return -EBADF;
  if ((f.inode.stat().mode & S_IFMT) !== S_IFDIR) return -ENOTDIR;
  if (!f.path.startsWith('/')) return -ENOENT;
  c.task.cwd = f.path;
  return 0;
}
