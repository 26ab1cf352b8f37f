// Path lookup and open (fs/namei.c, fs/open.c) over three file systems: /proc (procfs.ts),
// /dev (devfs.ts) and everything else from the sandboxed host directory (hostfs.ts), with the
// library directories overlaid read-only from --sysroot and the host (libraryMounts.ts). Paths
// are normalised first, so ".." never climbs above "/". Writing to host files is refused
// with EROFS: the sandbox is read-only.
import { posix } from 'node:path';
import { EBADF, EEXIST, ELOOP, ENAMETOOLONG, ENOENT, ENOTDIR, EROFS } from '../errno.js';
import type { Task } from '../proc/task.js';
import { devfsLookup } from './devfs.js';
import {
  File, O_ACCMODE, O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_PATH, O_RDONLY, O_TRUNC, type Inode,
} from './file.js';
import type { HostFs } from './hostfs.js';
import type { LibraryMounts } from './libraryMounts.js';
import type { SyntheticNode } from './node.js';
import { procfsLookup } from './procfs.js';
import { S_IFDIR, S_IFLNK, S_IFMT, syntheticStat, type KStat } from './stat.js';

export const AT_FDCWD = -100;
export const AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200, AT_SYMLINK_FOLLOW = 0x400;
export const AT_NO_AUTOMOUNT = 0x800, AT_EMPTY_PATH = 0x1000, AT_EACCESS = 0x200;
export const PATH_MAX = 4096;

export interface VfsContext {
  hostfs: HostFs;
  /** The interpreter and library directories (absent: the root alone). */
  libs?: LibraryMounts;
  task: Task;
  /** Another task by pid (procfs); absent outside a running kernel. */
  findTask?: (pid: number) => Task | undefined;
}

export type Lookup =
  | { kind: 'host'; hostPath: string; guestPath: string }
  | { kind: 'node'; node: SyntheticNode; guestPath: string };

/** The absolute guest directory a relative path starts from (cwd or an open directory). */
function baseDir(ctx: VfsContext, dirfd: number): string | number {
  if (dirfd === AT_FDCWD) return ctx.task.cwd;
  const f = ctx.task.files.get(dirfd);
  if (f === undefined) return -EBADF;
  if ((f.inode.stat().mode & S_IFMT) !== S_IFDIR) return -ENOTDIR;
  return f.path;
}

/** Absolute, normalised guest path ("/a/../b/" → "/b"); trailing slash reported separately. */
export function normalizePath(base: string, path: string): { path: string; trailingSlash: boolean } {
  const abs = path.startsWith('/') ? path : posix.join(base, path);
  let p = posix.normalize(abs);
  const trailingSlash = p.length > 1 && p.endsWith('/');
  if (trailingSlash) p = p.slice(0, -1);
  return { path: p, trailingSlash };
}

/** Resolves a guest path to a host file or a synthetic node. */
export function lookup(ctx: VfsContext, dirfd: number, pathname: string, followLast: boolean, depth = 0): Lookup | number {
  if (pathname === '') return -ENOENT;
  if (pathname.length >= PATH_MAX) return -ENAMETOOLONG;
  if (depth > 8) return -ELOOP;
  const base = pathname.startsWith('/') ? '/' : baseDir(ctx, dirfd);
  if (typeof base === 'number') return base;
  const { path, trailingSlash } = normalizePath(base, pathname);
  const follow = followLast || trailingSlash;

  let node: SyntheticNode | number | null = null;
  if (path === '/proc' || path.startsWith('/proc/')) node = procfsLookup(ctx.task, path.slice(6), ctx.findTask);
  else if (path === '/dev' || path.startsWith('/dev/')) node = devfsLookup(path.slice(5));
  if (node !== null) {
    if (typeof node === 'number') return node;
    if (follow && node.readlink && !node.openLinked) {
      const target = node.readlink();
      const next = target.startsWith('/') ? target : posix.join(posix.dirname(path), target);
      return lookup(ctx, AT_FDCWD, next, true, depth + 1);
    }
    if (trailingSlash && !node.isDir && !node.openLinked) return -ENOTDIR;
    return { kind: 'node', node, guestPath: path };
  }
  if (ctx.libs?.covers(path)) {
    const r = ctx.libs.resolve(path, follow);
    if (typeof r === 'number') return r;
    if ('redirect' in r) return lookup(ctx, AT_FDCWD, r.redirect + (trailingSlash ? '/' : ''), follow, depth + 1);
    if (trailingSlash) {
      const st = ctx.hostfs.stat(r.hostPath, true);
      if (typeof st !== 'number' && (st.mode & S_IFMT) !== S_IFDIR) return -ENOTDIR;
    }
    return { kind: 'host', hostPath: r.hostPath, guestPath: r.guestPath };
  }
  const hostPath = ctx.hostfs.resolve(path, follow);
  if (typeof hostPath === 'number') return hostPath;
  if (trailingSlash) {
    const st = ctx.hostfs.stat(hostPath, true);
    if (typeof st !== 'number' && (st.mode & S_IFMT) !== S_IFDIR) return -ENOTDIR;
  }
  return { kind: 'host', hostPath, guestPath: path };
}

/** stat/lstat of a path. */
export function statPath(ctx: VfsContext, dirfd: number, pathname: string, follow: boolean): KStat | number {
  const l = lookup(ctx, dirfd, pathname, follow);
  if (typeof l === 'number') return l;
  if (l.kind === 'host') return ctx.hostfs.stat(l.hostPath, follow);
  if (follow && l.node.openLinked) {
    const f = l.node.openLinked();
    if (typeof f === 'number') return f;
    const st = f.inode.stat();
    f.put();
    return st;
  }
  return l.node.stat();
}

export function readlinkPath(ctx: VfsContext, dirfd: number, pathname: string): string | number {
  const l = lookup(ctx, dirfd, pathname, false);
  if (typeof l === 'number') return l;
  if (l.kind === 'host') return ctx.hostfs.readlink(l.hostPath);
  return l.node.readlink ? l.node.readlink() : -22; // EINVAL: not a link
}

/** access/faccessat: existence and permission (W_OK on the read-only sandbox is EROFS). */
export function accessPath(ctx: VfsContext, dirfd: number, pathname: string, mode: number, follow = true): number {
  const l = lookup(ctx, dirfd, pathname, follow);
  if (typeof l === 'number') return l;
  if (l.kind === 'host') return ctx.hostfs.access(l.hostPath, mode);
  return 0;
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

/** open/openat: a new open file, or -errno. */
export function openPath(ctx: VfsContext, dirfd: number, pathname: string, flags: number): File | number {
  const write = (flags & O_ACCMODE) !== O_RDONLY || (flags & O_TRUNC) !== 0;
  const l = lookup(ctx, dirfd, pathname, !(flags & O_NOFOLLOW));
  if (typeof l === 'number') {
    if (l === -ENOENT && flags & O_CREAT) {
      const { path } = normalizePath('/', pathname);
      return path.startsWith('/proc/') || path.startsWith('/dev/') ? -ENOENT : -EROFS;
    }
    return l;
  }
  if (flags & O_CREAT && flags & O_EXCL) return -EEXIST;
  if (flags & O_PATH) {
    const st = l.kind === 'host' ? () => ctx.hostfs.stat(l.hostPath, !(flags & O_NOFOLLOW)) : () => l.node.stat();
    return new File(new PathOnlyInode(st), flags, l.guestPath);
  }
  if (l.kind === 'host') {
    if (flags & O_NOFOLLOW) {
      const st = ctx.hostfs.stat(l.hostPath, false);
      if (typeof st !== 'number' && (st.mode & S_IFMT) === S_IFLNK) return -ELOOP;
    }
    const inode = ctx.hostfs.open(l.hostPath, l.guestPath, write, (flags & O_DIRECTORY) !== 0);
    if (typeof inode === 'number') return inode;
    return new File(inode, flags, l.guestPath);
  }
  const node = l.node;
  if (node.openLinked) return node.openLinked();
  if (node.readlink) return -ELOOP; // O_NOFOLLOW on a link
  if (node.isDir) {
    if (write) return -21; // EISDIR
    return new File(new SyntheticDirInode(node), flags, l.guestPath);
  }
  if (flags & O_DIRECTORY) return -ENOTDIR;
  if (!node.open) return -ENOENT;
  const inode = node.open(flags);
  if (typeof inode === 'number') return inode;
  return new File(inode, flags, l.guestPath);
}
