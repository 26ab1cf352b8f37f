// The VFS entry points for opening and inspecting files by name (fs/open.c do_sys_open,
// fs/stat.c vfs_statx, fs/namei.c): each resolves the path with pathWalk in the guest's
// namespace over the mount table, then asks the file system that holds the result: the host
// (hostfs.ts), procfs or devfs (synthetic nodes). The calls that change names (mkdir, unlink,
// rename, ...) are in vfsOps.ts.
import { constants, accessSync } from 'node:fs';
import { EEXIST, EINVAL, EISDIR, ELOOP, ENOENT, ENOTDIR, EOPNOTSUPP, EROFS, errnoFromHost } from '../errno.js';
import {
  File, O_ACCMODE, O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_PATH, O_RDONLY, O_TMPFILE, O_TRUNC, type Inode,
} from './file.js';
import { HostDirInode, hostOpen, hostReadlink } from './hostfs.js';
import type { SyntheticNode } from './node.js';
import { lookup, pathWalk, type HostLookup, type Lookup, type VfsContext } from './pathWalk.js';
import { kstatFromHost, S_IFDIR, S_IFMT, syntheticStat, type KStat } from './stat.js';

export { AT_FDCWD, PATH_MAX, lookup, pathWalk, type Lookup, type VfsContext } from './pathWalk.js';
export const AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200, AT_SYMLINK_FOLLOW = 0x400;
export const AT_NO_AUTOMOUNT = 0x800, AT_EMPTY_PATH = 0x1000, AT_EACCESS = 0x200;

/** The attributes a lookup found (a host file's lstat, after the walk followed any link). */
export function lookupStat(l: Lookup): KStat | number {
  if (l.kind === 'host') return l.st === null ? -ENOENT : kstatFromHost(l.st);
  return l.node.stat();
}

/** stat/lstat of a path. */
export function statPath(ctx: VfsContext, dirfd: number, pathname: string, follow: boolean): KStat | number {
  const l = lookup(ctx, dirfd, pathname, follow);
  if (typeof l === 'number') return l;
  if (l.kind === 'node' && follow && l.node.openLinked) {
    const f = l.node.openLinked();
    if (typeof f === 'number') return f;
    const st = f.inode.stat();
    f.put();
    return st;
  }
  return lookupStat(l);
}

export function readlinkPath(ctx: VfsContext, dirfd: number, pathname: string): string | number {
  const l = lookup(ctx, dirfd, pathname, false);
  if (typeof l === 'number') return l;
  if (l.kind === 'host') return hostReadlink(l.hostPath);
  return l.node.readlink ? l.node.readlink() : -EINVAL;
}

/** access/faccessat: existence and permission as the host allows; W_OK on a read-only mount is EROFS. */
export function accessPath(ctx: VfsContext, dirfd: number, pathname: string, mode: number, follow = true): number {
  const l = lookup(ctx, dirfd, pathname, follow);
  if (typeof l === 'number') return l;
  if (l.kind === 'node') return 0;
  if (mode & 2 && l.readOnly) return -EROFS;
  try {
    accessSync(l.hostPath, (mode & 4 ? constants.R_OK : 0) | (mode & 2 ? constants.W_OK : 0) | (mode & 1 ? constants.X_OK : 0));
    return 0;
  } catch (e) {
    return -errnoFromHost(e);
  }
}

class SyntheticDirInode implements Inode {
  private readonly node: SyntheticNode;

  constructor(node: SyntheticNode) {
    this.node = node;
  }

  stat(): KStat {
    return this.node.stat();
  }

  readdir() {
    return this.node.readdir!();
  }
}

class PathOnlyInode implements Inode {
  private readonly st: () => KStat | number;

  constructor(st: () => KStat | number) {
    this.st = st;
  }

  stat(): KStat {
    const s = this.st();
    return typeof s === 'number' ? syntheticStat(0) : s;
  }
}

function wantsWrite(flags: number): boolean {
  return (flags & O_ACCMODE) !== O_RDONLY || (flags & O_TRUNC) !== 0;
}

/** Opens (or creates) a host file the walk found, with the checks of hostfs.hostOpen. */
function openHost(ctx: VfsContext, l: HostLookup, flags: number, mode: number): File | number {
  const inode = hostOpen({
    hostPath: l.hostPath, guestPath: l.guestPath, flags, mode: mode & ~ctx.task.umask & 0o7777,
    check: { expect: l.st, confine: l.confine }, cache: ctx.mounts.pageCache,
  });
  if (typeof inode === 'number') return inode;
  // A new file gets the guest's umask, not the emulator's.
  if (l.st === null && inode.chmod) inode.chmod(mode & ~ctx.task.umask & 0o7777);
  if (inode instanceof HostDirInode) inode.extraNames = ctx.mounts.mountPointsIn(l.guestPath);
  return new File(inode, flags, l.guestPath);
}

/** O_TMPFILE: an unnamed file in the directory pathname. */
function openTmpfile(ctx: VfsContext, dirfd: number, pathname: string, flags: number, mode: number): File | number {
  if ((flags & O_ACCMODE) === O_RDONLY) return -EINVAL;
  const l = lookup(ctx, dirfd, pathname, true);
  if (typeof l === 'number') return l;
  if (l.kind !== 'host') return -EOPNOTSUPP;
  if (l.readOnly) return -EROFS;
  // The new file is not the directory the walk found: only its real path is checked.
  const inode = hostOpen({
    hostPath: l.hostPath, guestPath: l.guestPath, flags, mode: mode & ~ctx.task.umask & 0o7777,
    check: { expect: null, confine: l.confine }, cache: ctx.mounts.pageCache,
  });
  if (typeof inode === 'number') return inode;
  const ino = inode.stat().ino;
  return new File(inode, flags, `${l.guestPath === '/' ? '' : l.guestPath}/#${ino} (deleted)`);
}

/** open/openat/creat (do_sys_open): a new open file, or -errno. */
export function openPath(ctx: VfsContext, dirfd: number, pathname: string, flags: number, mode = 0): File | number {
  if ((flags & O_TMPFILE) === O_TMPFILE) return openTmpfile(ctx, dirfd, pathname, flags, mode);
  const create = (flags & O_CREAT) !== 0 && !(flags & O_PATH);
  const excl = create && (flags & O_EXCL) !== 0;
  // O_CREAT|O_EXCL never follows a link in the last component (it fails with EEXIST).
  const w = pathWalk(ctx, dirfd, pathname, !(flags & O_NOFOLLOW) && !excl, create);
  if (typeof w === 'number') return w;
  const l = w.found;
  if (l.kind === 'host' && l.st === null) {
    if (w.trailingSlash) return -EISDIR;
    if (l.readOnly) return -EROFS;
    return openHost(ctx, l, flags, mode);
  }
  if (excl) return -EEXIST;
  if (create && w.trailingSlash) return -EISDIR;
  if (flags & O_PATH) {
    const st = () => lookupStat(l);
    return new File(new PathOnlyInode(st), flags, l.guestPath);
  }
  if (l.kind === 'host') {
    const st = l.st!;
    if (st.isSymbolicLink()) return -ELOOP; // O_NOFOLLOW
    const isDir = (Number(st.mode) & S_IFMT) === S_IFDIR;
    if (flags & O_DIRECTORY && !isDir) return -ENOTDIR;
    if (isDir && wantsWrite(flags)) return -EISDIR;
    if (l.readOnly && wantsWrite(flags)) return -EROFS;
    return openHost(ctx, l, flags & ~(O_CREAT | O_EXCL), mode);
  }
  const node = l.node;
  if (node.openLinked) return node.openLinked();
  if (node.readlink) return -ELOOP; // O_NOFOLLOW on a link
  if (node.isDir) {
    if (wantsWrite(flags)) return -EISDIR;
    return new File(new SyntheticDirInode(node), flags, l.guestPath);
  }
  if (flags & O_DIRECTORY) return -ENOTDIR;
  if (!node.open) return -ENOENT;
  const inode = node.open(flags);
  if (typeof inode === 'number') return inode;
  return new File(inode, flags, l.guestPath);
}

/** The type bits of what a lookup found (S_IFLNK for a link left unfollowed). */
export function lookupType(l: Lookup): number {
  const st = lookupStat(l);
  return typeof st === 'number' ? 0 : st.mode & S_IFMT;
}
