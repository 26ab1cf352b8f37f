// The VFS calls that create, remove and change files by name (fs/namei.c vfs_mkdir,
// vfs_rmdir, vfs_unlink, vfs_rename, vfs_link, vfs_symlink; fs/open.c chmod_common,
// chown_common, do_truncate; fs/utimes.c; fs/statfs.c). Names are resolved with pathWalk
// in the guest's namespace, so the host paths they act on lie in the mount that serves
// them. A path-based host call cannot be tied to the directory the walk saw (Node has no
// mkdirat/unlinkat), so on a confined mount the parent directory's real path is checked
// just before the call: only a host process racing the emulator could still move it (the
// guest's own threads cannot: a system call runs to completion before another task runs).
import {
  chmodSync, chownSync, closeSync, fstatSync, ftruncateSync, lchownSync, linkSync, lutimesSync, mkdirSync, realpathSync,
  renameSync, rmdirSync, statfsSync, symlinkSync, unlinkSync, utimesSync,
} from 'node:fs';
import { posix } from 'node:path';
import {
  EACCES, EBUSY, EEXIST, EINVAL, EISDIR, ENOENT, ENOTDIR, ENOTEMPTY, EOPNOTSUPP, EPERM, EROFS, EXDEV, errnoFromHost,
} from '../errno.js';
import { O_WRONLY } from './file.js';
import { hostOpenFd } from './hostfs.js';
import { isInside, type Mount } from './mount.js';
import { lookup, pathWalk, type HostLookup, type Lookup, type VfsContext } from './pathWalk.js';
import { S_IFDIR, S_IFMT } from './stat.js';

function host<T>(fn: () => T): number {
  try {
    fn();
    return 0;
  } catch (e) {
    return -errnoFromHost(e);
  }
}

/** On a confined mount: the parent directory must still be inside it right before the call. */
function parentInside(l: HostLookup): number {
  if (l.confine === null || l.confine === '/') return 0;
  try {
    return isInside(realpathSync(posix.dirname(l.hostPath)), l.confine) ? 0 : -EACCES;
  } catch (e) {
    return -errnoFromHost(e);
  }
}

function isDir(l: HostLookup): boolean {
  return l.st !== null && (Number(l.st.mode) & S_IFMT) === S_IFDIR;
}

function mountOf(ctx: VfsContext, l: Lookup): Mount {
  return ctx.mounts.find(l.guestPath);
}

function isMountPoint(ctx: VfsContext, guestPath: string): boolean {
  return guestPath === '/' || ctx.mounts.mounts.some((m) => m.at === guestPath);
}

/** Walks to the target of a create: it must not exist yet (EEXIST), and be on a writable host mount. */
function walkNew(ctx: VfsContext, dirfd: number, pathname: string): HostLookup | number {
  const w = pathWalk(ctx, dirfd, pathname, false, true);
  if (typeof w === 'number') return w;
  const l = w.found;
  if (l.kind === 'node' || l.st !== null) return -EEXIST;
  if (l.readOnly) return -EROFS;
  return l;
}

export function vfsMkdir(ctx: VfsContext, dirfd: number, pathname: string, mode: number): number {
  const l = walkNew(ctx, dirfd, pathname);
  if (typeof l === 'number') return l;
  const err = parentInside(l);
  if (err < 0) return err;
  const m = mode & ~ctx.task.umask & 0o7777;
  return host(() => {
    mkdirSync(l.hostPath, { mode: m });
    chmodSync(l.hostPath, m);
  });
}

export function vfsSymlink(ctx: VfsContext, target: string, dirfd: number, pathname: string): number {
  if (target === '') return -ENOENT;
  const l = walkNew(ctx, dirfd, pathname);
  if (typeof l === 'number') return l;
  const err = parentInside(l);
  if (err < 0) return err;
  // The text is stored as given; the guest's lookups interpret it in the guest's namespace.
  return host(() => symlinkSync(target, l.hostPath));
}

/** The existing file a name refers to (the last component not followed), on a host mount. */
function walkExisting(ctx: VfsContext, dirfd: number, pathname: string): { l: HostLookup; lastName: string; slash: boolean } | number {
  const w = pathWalk(ctx, dirfd, pathname, false);
  if (typeof w === 'number') return w;
  if (w.found.kind === 'node') return isMountPoint(ctx, w.found.guestPath) ? -EBUSY : -EACCES;
  return { l: w.found, lastName: w.lastName, slash: w.trailingSlash };
}

export function vfsRmdir(ctx: VfsContext, dirfd: number, pathname: string): number {
  const r = walkExisting(ctx, dirfd, pathname);
  if (typeof r === 'number') return r;
  if (r.lastName === '.') return -EINVAL;
  if (r.lastName === '..') return -ENOTEMPTY;
  if (!isDir(r.l)) return -ENOTDIR;
  if (isMountPoint(ctx, r.l.guestPath)) return -EBUSY;
  if (r.l.readOnly) return -EROFS;
  const err = parentInside(r.l);
  if (err < 0) return err;
  return host(() => rmdirSync(r.l.hostPath));
}

export function vfsUnlink(ctx: VfsContext, dirfd: number, pathname: string): number {
  const r = walkExisting(ctx, dirfd, pathname);
  if (typeof r === 'number') return r;
  if (isDir(r.l)) return -EISDIR;
  if (r.slash) return -ENOTDIR;
  if (r.l.readOnly) return -EROFS;
  const err = parentInside(r.l);
  if (err < 0) return err;
  return host(() => unlinkSync(r.l.hostPath));
}

export const RENAME_NOREPLACE = 1, RENAME_EXCHANGE = 2, RENAME_WHITEOUT = 4;

export function vfsRename(ctx: VfsContext, olddirfd: number, oldpath: string, newdirfd: number, newpath: string, flags: number): number {
  if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT)) return -EINVAL;
  if (flags & RENAME_NOREPLACE && flags & RENAME_EXCHANGE) return -EINVAL;
  if (flags & (RENAME_EXCHANGE | RENAME_WHITEOUT)) return -EINVAL; // not available through Node
  const o = walkExisting(ctx, olddirfd, oldpath);
  if (typeof o === 'number') return o;
  const w = pathWalk(ctx, newdirfd, newpath, false, true);
  if (typeof w === 'number') return w;
  if (o.lastName === '.' || o.lastName === '..' || w.lastName === '.' || w.lastName === '..') return -EBUSY;
  const n = w.found;
  if (n.kind === 'node') return -EXDEV;
  if (mountOf(ctx, o.l) !== mountOf(ctx, n)) return -EXDEV;
  if (isMountPoint(ctx, o.l.guestPath) || isMountPoint(ctx, n.guestPath)) return -EBUSY;
  if (o.l.readOnly) return -EROFS;
  if (n.st !== null && flags & RENAME_NOREPLACE) return -EEXIST;
  if (o.slash && !isDir(o.l)) return -ENOTDIR;
  const err = parentInside(o.l) || parentInside(n);
  if (err < 0) return err;
  return host(() => renameSync(o.l.hostPath, n.hostPath));
}

export function vfsLink(ctx: VfsContext, olddirfd: number, oldpath: string, newdirfd: number, newpath: string, follow: boolean): number {
  const w = pathWalk(ctx, olddirfd, oldpath, follow);
  if (typeof w === 'number') return w;
  const o = w.found;
  if (o.kind === 'node') return -EXDEV;
  if (isDir(o)) return -EPERM;
  const n = walkNew(ctx, newdirfd, newpath);
  if (typeof n === 'number') return n;
  if (mountOf(ctx, o) !== mountOf(ctx, n)) return -EXDEV;
  const err = parentInside(o) || parentInside(n);
  if (err < 0) return err;
  return host(() => linkSync(o.hostPath, n.hostPath));
}

/** The host file a path names for an attribute change (the link itself when !follow). */
function walkAttr(ctx: VfsContext, dirfd: number, pathname: string, follow: boolean): HostLookup | number {
  const l = lookup(ctx, dirfd, pathname, follow);
  if (typeof l === 'number') return l;
  if (l.kind === 'node') return -EPERM;
  if (l.readOnly) return -EROFS;
  return l;
}

export function vfsChmod(ctx: VfsContext, dirfd: number, pathname: string, mode: number, follow = true): number {
  const l = walkAttr(ctx, dirfd, pathname, follow);
  if (typeof l === 'number') return l;
  if (l.st!.isSymbolicLink()) return -EOPNOTSUPP;
  const err = parentInside(l);
  if (err < 0) return err;
  return host(() => chmodSync(l.hostPath, mode & 0o7777));
}

export function vfsChown(ctx: VfsContext, dirfd: number, pathname: string, uid: number, gid: number, follow: boolean): number {
  const l = walkAttr(ctx, dirfd, pathname, follow);
  if (typeof l === 'number') return l;
  const err = parentInside(l);
  if (err < 0) return err;
  const st = l.st!;
  const u = uid === -1 ? Number(st.uid) : uid >>> 0;
  const g = gid === -1 ? Number(st.gid) : gid >>> 0;
  return host(() => (st.isSymbolicLink() ? lchownSync : chownSync)(l.hostPath, u, g));
}

export const UTIME_NOW = 0x3fffffff, UTIME_OMIT = 0x3ffffffe;

export interface Utimes {
  /** [seconds, nanoseconds] or UTIME_NOW/UTIME_OMIT in the nanoseconds; null: both now. */
  atime: [number, number];
  mtime: [number, number];
}

/** The (seconds) values Node's utimes takes for a utimensat request on a file with stat st. */
export function utimesValues(t: Utimes | null, atimeNs: bigint, mtimeNs: bigint, nowNs: bigint): [number, number] {
  const pick = (v: [number, number] | undefined, old: bigint): number => {
    if (v === undefined || v[1] === UTIME_NOW) return Number(nowNs) / 1e9;
    if (v[1] === UTIME_OMIT) return Number(old) / 1e9;
    return v[0] + v[1] / 1e9;
  };
  return [pick(t?.atime, atimeNs), pick(t?.mtime, mtimeNs)];
}

export function vfsUtimens(ctx: VfsContext, dirfd: number, pathname: string, t: Utimes | null, follow: boolean, nowNs: bigint): number {
  const l = walkAttr(ctx, dirfd, pathname, follow);
  if (typeof l === 'number') return l;
  const st = l.st!;
  const [a, m] = utimesValues(t, st.atimeNs, st.mtimeNs, nowNs);
  return host(() => (st.isSymbolicLink() ? lutimesSync : utimesSync)(l.hostPath, a, m));
}

/** truncate(2): opens the file for writing (with the open's checks) and truncates it. */
export function vfsTruncate(ctx: VfsContext, pathname: string, len: number): number {
  const l = lookup(ctx, -100, pathname, true);
  if (typeof l === 'number') return l;
  if (l.kind === 'node') return -EINVAL;
  if (isDir(l)) return -EISDIR;
  if (l.readOnly) return -EROFS;
  const fd = hostOpenFd(l.hostPath, O_WRONLY, 0, { expect: l.st, confine: l.confine });
  if (fd < 0) return fd;
  const r = host(() => ftruncateSync(fd, len));
  // Mappings of the file lose the pages past its new end (truncate_pagecache).
  if (r === 0) {
    const st = fstatSync(fd, { bigint: true });
    ctx.mounts.pageCache?.find(`${st.dev}:${st.ino}`)?.truncate(len);
  }
  closeSync(fd);
  return r;
}

export interface KStatfs {
  type: number;
  bsize: number;
  blocks: bigint;
  bfree: bigint;
  bavail: bigint;
  files: bigint;
  ffree: bigint;
  namelen: number;
  frsize: number;
  flags: number;
}

const PROC_SUPER_MAGIC = 0x9fa0, TMPFS_MAGIC = 0x01021994, ST_VALID = 0x20, ST_RDONLY = 1;

function syntheticStatfs(type: number): KStatfs {
  return { type, bsize: 4096, blocks: 0n, bfree: 0n, bavail: 0n, files: 0n, ffree: 0n, namelen: 255, frsize: 4096, flags: ST_VALID };
}

/** statfs of what a lookup found. */
export function statfsOf(ctx: VfsContext, l: Lookup): KStatfs | number {
  if (l.kind === 'node') return syntheticStatfs(mountOf(ctx, l).kind === 'proc' ? PROC_SUPER_MAGIC : TMPFS_MAGIC);
  try {
    const s = statfsSync(l.hostPath, { bigint: true });
    return {
      type: Number(s.type), bsize: Number(s.bsize), blocks: s.blocks, bfree: s.bfree, bavail: s.bavail, files: s.files,
      ffree: s.ffree, namelen: 255, frsize: Number(s.bsize), flags: ST_VALID | (l.readOnly ? ST_RDONLY : 0),
    };
  } catch (e) {
    return -errnoFromHost(e);
  }
}

export function vfsStatfs(ctx: VfsContext, pathname: string): KStatfs | number {
  const l = lookup(ctx, -100, pathname, true);
  if (typeof l === 'number') return l;
  return statfsOf(ctx, l);
}
