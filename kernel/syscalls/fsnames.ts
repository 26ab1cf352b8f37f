// System calls that create, remove, rename and change files by name (fs/namei.c, fs/open.c,
// fs/utimes.c, fs/statfs.c): mkdir(at), rmdir, unlink(at), rename(at/2), link(at),
// symlink(at), chmod/fchmodat(2), chown and its 16/32-bit and *at forms, utime/utimes/
// utimensat, truncate(64), statfs(64). The work is in kernel/fs/vfsOps.ts.
import { EINVAL, ENOENT } from '../errno.js';
import { AT_EMPTY_PATH, AT_FDCWD, AT_REMOVEDIR, AT_SYMLINK_FOLLOW, AT_SYMLINK_NOFOLLOW, PATH_MAX } from '../fs/vfs.js';
import {
  statfsOf, UTIME_NOW, UTIME_OMIT, vfsChmod, vfsChown, vfsLink, vfsMkdir, vfsRename, vfsRmdir, vfsStatfs, vfsSymlink,
  vfsTruncate, vfsUnlink, vfsUtimens, type KStatfs, type Utimes,
} from '../fs/vfsOps.js';
import { HostDirInode, HostFileInode } from '../fs/hostfs.js';
import { copyFromUser, copyToUser, strncpyFromUser } from '../mm/uaccess.js';
import { statfsSync } from 'node:fs';
import { errnoFromHost } from '../errno.js';
import type { SyscallContext } from './types.js';

function path(c: SyscallContext, ptr: number): string {
  return strncpyFromUser(c.mm, ptr, PATH_MAX);
}

export function sysMkdir(c: SyscallContext, p: number, mode: number): number {
  return vfsMkdir(c.vfs, AT_FDCWD, path(c, p), mode);
}

export function sysMkdirat(c: SyscallContext, dirfd: number, p: number, mode: number): number {
  return vfsMkdir(c.vfs, dirfd, path(c, p), mode);
}

export function sysRmdir(c: SyscallContext, p: number): number {
  return vfsRmdir(c.vfs, AT_FDCWD, path(c, p));
}

export function sysUnlink(c: SyscallContext, p: number): number {
  return vfsUnlink(c.vfs, AT_FDCWD, path(c, p));
}

export function sysUnlinkat(c: SyscallContext, dirfd: number, p: number, flags: number): number {
  if (flags & ~AT_REMOVEDIR) return -EINVAL;
  const name = path(c, p);
  return flags & AT_REMOVEDIR ? vfsRmdir(c.vfs, dirfd, name) : vfsUnlink(c.vfs, dirfd, name);
}

export function sysRename(c: SyscallContext, o: number, n: number): number {
  return vfsRename(c.vfs, AT_FDCWD, path(c, o), AT_FDCWD, path(c, n), 0);
}

export function sysRenameat(c: SyscallContext, od: number, o: number, nd: number, n: number): number {
  return vfsRename(c.vfs, od, path(c, o), nd, path(c, n), 0);
}

export function sysRenameat2(c: SyscallContext, od: number, o: number, nd: number, n: number, flags: number): number {
  return vfsRename(c.vfs, od, path(c, o), nd, path(c, n), flags >>> 0);
}

export function sysLink(c: SyscallContext, o: number, n: number): number {
  return vfsLink(c.vfs, AT_FDCWD, path(c, o), AT_FDCWD, path(c, n), false);
}

export function sysLinkat(c: SyscallContext, od: number, o: number, nd: number, n: number, flags: number): number {
  if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) return -EINVAL;
  return vfsLink(c.vfs, od, path(c, o), nd, path(c, n), (flags & AT_SYMLINK_FOLLOW) !== 0);
}

export function sysSymlink(c: SyscallContext, t: number, n: number): number {
  return vfsSymlink(c.vfs, path(c, t), AT_FDCWD, path(c, n));
}

export function sysSymlinkat(c: SyscallContext, t: number, nd: number, n: number): number {
  return vfsSymlink(c.vfs, path(c, t), nd, path(c, n));
}

export function sysChmod(c: SyscallContext, p: number, mode: number): number {
  return vfsChmod(c.vfs, AT_FDCWD, path(c, p), mode);
}

export function sysFchmodat(c: SyscallContext, dirfd: number, p: number, mode: number): number {
  return vfsChmod(c.vfs, dirfd, path(c, p), mode);
}

export function sysFchmodat2(c: SyscallContext, dirfd: number, p: number, mode: number, flags: number): number {
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -EINVAL;
  return vfsChmod(c.vfs, dirfd, path(c, p), mode, !(flags & AT_SYMLINK_NOFOLLOW));
}

/** 16-bit uid/gid: 0xffff means "unchanged" as -1 does. */
function id16(v: number): number {
  return (v & 0xffff) === 0xffff ? -1 : v & 0xffff;
}

export function sysChown16(c: SyscallContext, p: number, u: number, g: number): number {
  return vfsChown(c.vfs, AT_FDCWD, path(c, p), id16(u), id16(g), true);
}

export function sysLchown16(c: SyscallContext, p: number, u: number, g: number): number {
  return vfsChown(c.vfs, AT_FDCWD, path(c, p), id16(u), id16(g), false);
}

export function sysChown(c: SyscallContext, p: number, u: number, g: number): number {
  return vfsChown(c.vfs, AT_FDCWD, path(c, p), u, g, true);
}

export function sysLchown(c: SyscallContext, p: number, u: number, g: number): number {
  return vfsChown(c.vfs, AT_FDCWD, path(c, p), u, g, false);
}

export function sysFchownat(c: SyscallContext, dirfd: number, p: number, u: number, g: number, flags: number): number {
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -EINVAL;
  return vfsChown(c.vfs, dirfd, path(c, p), u, g, !(flags & AT_SYMLINK_NOFOLLOW));
}

/** Reads two struct timespec (8 bytes each, or 16 with 64-bit seconds); null pointer: now. */
function readTimespecs(c: SyscallContext, ptr: number, wide: boolean): Utimes | null | number {
  if (ptr === 0) return null;
  const size = wide ? 16 : 8;
  const raw = copyFromUser(c.mm, ptr, 2 * size);
  const dv = new DataView(raw.buffer, raw.byteOffset);
  const one = (o: number): [number, number] => {
    const sec = wide ? Number(dv.getBigInt64(o, true)) : dv.getInt32(o, true);
    const nsec = wide ? dv.getUint32(o + 8, true) : dv.getUint32(o + 4, true);
    return [sec, nsec];
  };
  const t = { atime: one(0), mtime: one(size) };
  for (const [, ns] of [t.atime, t.mtime]) if (ns !== UTIME_NOW && ns !== UTIME_OMIT && ns >= 1e9) return -EINVAL;
  return t;
}

function doUtimensat(c: SyscallContext, dirfd: number, p: number, times: number, flags: number, wide: boolean): number {
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return -EINVAL;
  const t = readTimespecs(c, times, wide);
  if (typeof t === 'number') return t;
  const now = c.realtimeNs();
  // utimensat(fd, NULL, ...) is futimens: the open file itself.
  if (p === 0) {
    const f = c.task.files.get(dirfd);
    if (f === undefined) return -9;
    if (!f.path.startsWith('/')) return -EINVAL;
    return vfsUtimens(c.vfs, AT_FDCWD, f.path, t, true, now);
  }
  const name = path(c, p);
  if (name === '' && !(flags & AT_EMPTY_PATH)) return -ENOENT;
  return vfsUtimens(c.vfs, dirfd, name, t, !(flags & AT_SYMLINK_NOFOLLOW), now);
}

export function sysUtimensat(c: SyscallContext, dirfd: number, p: number, times: number, flags: number): number {
  return doUtimensat(c, dirfd, p, times, flags, false);
}

export function sysUtimensatTime64(c: SyscallContext, dirfd: number, p: number, times: number, flags: number): number {
  return doUtimensat(c, dirfd, p, times, flags, true);
}

/** utimes/futimesat: struct timeval[2] (microseconds). */
export function sysFutimesat(c: SyscallContext, dirfd: number, p: number, tv: number): number {
  let t: Utimes | null = null;
  if (tv !== 0) {
    const raw = copyFromUser(c.mm, tv, 16);
    const dv = new DataView(raw.buffer, raw.byteOffset);
    const us = [dv.getInt32(4, true), dv.getInt32(12, true)];
    if (us.some((u) => u < 0 || u >= 1_000_000)) return -EINVAL;
    t = { atime: [dv.getInt32(0, true), us[0] * 1000], mtime: [dv.getInt32(8, true), us[1] * 1000] };
  }
  return vfsUtimens(c.vfs, dirfd, path(c, p), t, true, c.realtimeNs());
}

export function sysUtimes(c: SyscallContext, p: number, tv: number): number {
  return sysFutimesat(c, AT_FDCWD, p, tv);
}

/** utime: struct utimbuf {actime, modtime} in seconds. */
export function sysUtime(c: SyscallContext, p: number, buf: number): number {
  let t: Utimes | null = null;
  if (buf !== 0) {
    const raw = copyFromUser(c.mm, buf, 8);
    const dv = new DataView(raw.buffer, raw.byteOffset);
    t = { atime: [dv.getInt32(0, true), 0], mtime: [dv.getInt32(4, true), 0] };
  }
  return vfsUtimens(c.vfs, AT_FDCWD, path(c, p), t, true, c.realtimeNs());
}

export function sysTruncate(c: SyscallContext, p: number, len: number): number {
  if (len < 0) return -EINVAL;
  return vfsTruncate(c.vfs, path(c, p), len);
}

export function sysTruncate64(c: SyscallContext, p: number, lo: number, hi: number): number {
  const len = (hi | 0) * 0x100000000 + (lo >>> 0);
  if (len < 0) return -EINVAL;
  return vfsTruncate(c.vfs, path(c, p), len);
}

/** struct statfs64 (84 bytes on i386) or the old struct statfs (64 bytes, 32-bit counts). */
function putStatfs(c: SyscallContext, buf: number, s: KStatfs, wide: boolean): number {
  const b = new Uint8Array(wide ? 84 : 64);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, s.type, true);
  dv.setUint32(4, s.bsize, true);
  if (wide) {
    [s.blocks, s.bfree, s.bavail, s.files, s.ffree].forEach((v, i) => dv.setBigUint64(8 + 8 * i, v, true));
    dv.setUint32(56, s.namelen, true);
    dv.setUint32(60, s.frsize, true);
    dv.setUint32(64, s.flags, true);
  } else {
    const counts = [s.blocks, s.bfree, s.bavail, s.files, s.ffree];
    if (counts.some((v) => v > 0xffffffffn)) return -75; // EOVERFLOW
    counts.forEach((v, i) => dv.setUint32(8 + 4 * i, Number(v), true));
    dv.setUint32(36, s.namelen, true);
    dv.setUint32(40, s.frsize, true);
    dv.setUint32(44, s.flags, true);
  }
  copyToUser(c.mm, buf, b);
  return 0;
}

function fdStatfs(c: SyscallContext, fd: number): KStatfs | number {
  const f = c.task.files.get(fd);
  if (f === undefined) return -9;
  if (f.inode instanceof HostFileInode || f.inode instanceof HostDirInode) {
    try {
      const s = statfsSync(`/proc/self/fd/${f.inode.hostFd}`, { bigint: true });
      return {
        type: Number(s.type), bsize: Number(s.bsize), blocks: s.blocks, bfree: s.bfree, bavail: s.bavail, files: s.files,
        ffree: s.ffree, namelen: 255, frsize: Number(s.bsize), flags: 0x20,
      };
    } catch (e) {
      return -errnoFromHost(e);
    }
  }
  if (f.path.startsWith('/')) {
    const l = c.vfs.mounts.find(f.path);
    return statfsOf(c.vfs, { kind: 'node', node: { stat: () => f.inode.stat() }, guestPath: l.at });
  }
  // Pipes and the host's stdio: pipefs.
  return { type: 0x50495045, bsize: 4096, blocks: 0n, bfree: 0n, bavail: 0n, files: 0n, ffree: 0n, namelen: 255, frsize: 4096, flags: 0x20 };
}

export function sysStatfs64(c: SyscallContext, p: number, size: number, buf: number): number {
  if (size !== 84) return -EINVAL;
  const s = vfsStatfs(c.vfs, path(c, p));
  return typeof s === 'number' ? s : putStatfs(c, buf, s, true);
}

export function sysFstatfs64(c: SyscallContext, fd: number, size: number, buf: number): number {
  if (size !== 84) return -EINVAL;
  const s = fdStatfs(c, fd);
  return typeof s === 'number' ? s : putStatfs(c, buf, s, true);
}

export function sysStatfs(c: SyscallContext, p: number, buf: number): number {
  const s = vfsStatfs(c.vfs, path(c, p));
  return typeof s === 'number' ? s : putStatfs(c, buf, s, false);
}

export function sysFstatfs(c: SyscallContext, fd: number, buf: number): number {
  const s = fdStatfs(c, fd);
  return typeof s === 'number' ? s : putStatfs(c, buf, s, false);
}
