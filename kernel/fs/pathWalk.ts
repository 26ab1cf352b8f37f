// Path lookup (fs/namei.c's link_path_walk and walk_component): a guest path is resolved one
// component at a time in the guest's namespace. Each component is looked for in the mount
// that serves it (mount.ts): lstat of the host file under a host mount, a procfs or devfs
// node. ".." removes the last resolved component and never climbs above the guest's "/";
// a symbolic link's text is spliced into the rest of the path and resolved the same way
// (an absolute target starts again at the guest's "/"), so no host link is ever followed by
// the host. /proc/PID/fd/N and the like ("magic" links) continue at the open file's guest
// path. Up to 40 links are followed (ELOOP), as on Linux.
import { realpathSync, type BigIntStats } from 'node:fs';
import { posix } from 'node:path';
import { EBADF, ELOOP, ENAMETOOLONG, ENOENT, ENOTDIR } from '../errno.js';
import type { Task } from '../proc/task.js';
import { devfsLookup } from './devfs.js';
import { hostLstat, hostReadlink } from './hostfs.js';
import type { MountTable } from './mount.js';
import type { SyntheticNode } from './node.js';
import { procfsLookup } from './procfs.js';
import { S_IFDIR, S_IFMT, syntheticStat } from './stat.js';
import { DT_DIR } from './file.js';

export const AT_FDCWD = -100;
export const PATH_MAX = 4096;
const NAME_MAX = 255;
const MAXSYMLINKS = 40;

export interface VfsContext {
  mounts: MountTable;
  task: Task;
  /** Another task by pid (procfs); absent outside a running kernel. */
  findTask?: (pid: number) => Task | undefined;
}

export interface HostLookup {
  kind: 'host';
  hostPath: string;
  guestPath: string;
  /** lstat of the file; null when it does not exist (the target of a create). */
  st: BigIntStats | null;
  /** A read-only mount (the library overlay, --bind ...:ro): changes get EROFS. */
  readOnly: boolean;
  /** On a confined mount (--root, --bind), the host directory opened files must lie in. */
  confine: string | null;
}

export interface NodeLookup {
  kind: 'node';
  node: SyntheticNode;
  guestPath: string;
}

export type Lookup = HostLookup | NodeLookup;

export interface WalkResult {
  found: Lookup;
  /** The path's last component as written ("." and ".." matter to rmdir and rename). */
  lastName: string;
  /** The path ended with "/". */
  trailingSlash: boolean;
}

function split(p: string): string[] {
  return p.split('/').filter((c) => c !== '');
}

function isDirStat(st: BigIntStats): boolean {
  return (Number(st.mode) & S_IFMT) === S_IFDIR;
}

/** The guest directory a relative path starts from: the cwd, or the open directory dirfd. */
export function startDir(ctx: VfsContext, dirfd: number): string | number {
  if (dirfd === AT_FDCWD) return ctx.task.cwd;
  const f = ctx.task.files.get(dirfd);
  if (f === undefined) return -EBADF;
  if ((f.inode.stat().mode & S_IFMT) !== S_IFDIR) return -ENOTDIR;
  if (!f.path.startsWith('/')) return -ENOENT;
  return f.path;
}

const layerReal = new Map<string, string | null>();

function realLayer(layer: string): string | null {
  let r = layerReal.get(layer);
  if (r === undefined) {
    try {
      r = realpathSync(layer);
    } catch {
      r = null;
    }
    layerReal.set(layer, r);
  }
  return r;
}

/** An empty read-only directory that holds mount points only. */
function mountpointDir(ctx: VfsContext, guest: string): SyntheticNode {
  const ino = 0x7000n + BigInt(guest.length);
  return {
    isDir: true,
    stat: () => syntheticStat(S_IFDIR | 0o755, { ino, nlink: 2 }),
    readdir: () => [
      { name: '.', ino, type: DT_DIR }, { name: '..', ino: 1n, type: DT_DIR },
      ...ctx.mounts.mountPointsIn(guest).map((name) => ({ name, ino: 1n, type: DT_DIR })),
    ],
  };
}

/** What the mount serving an absolute, resolved guest path has there. */
export function probe(ctx: VfsContext, guest: string): Lookup | number {
  const m = ctx.mounts.find(guest);
  const rel = m.at === '/' ? guest : guest.slice(m.at.length);
  switch (m.kind) {
    case 'proc': {
      const n = procfsLookup(ctx.task, rel.replace(/^\//, ''), ctx.findTask, ctx.mounts.sysctl);
      return typeof n === 'number' ? n : { kind: 'node', node: n, guestPath: guest };
    }
    case 'dev': {
      const n = devfsLookup(rel.replace(/^\//, ''), ctx.task, ctx.mounts.random ?? undefined);
      return typeof n === 'number' ? n : { kind: 'node', node: n, guestPath: guest };
    }
    case 'lib': {
      const layers = m.libs.layersFor(guest);
      for (const layer of layers) {
        const hostPath = posix.join(layer, guest);
        const st = hostLstat(hostPath);
        if (st === -ENOENT) continue;
        if (typeof st === 'number') return st;
        return { kind: 'host', hostPath, guestPath: guest, st, readOnly: true, confine: realLayer(layer) };
      }
      return { kind: 'host', hostPath: posix.join(layers[0], guest), guestPath: guest, st: null, readOnly: true, confine: realLayer(layers[0]) };
    }
    case 'host': {
      const hostPath = posix.join(m.hostRoot, rel);
      const st = hostLstat(hostPath);
      const confine = m.confined ? m.hostRoot : null;
      if (st === -ENOENT) {
        // A directory the root lacks on the way to a mount point (/usr of /usr/lib).
        if (ctx.mounts.mounts.some((x) => x.at.startsWith(guest + '/'))) return { kind: 'node', node: mountpointDir(ctx, guest), guestPath: guest };
        return { kind: 'host', hostPath, guestPath: guest, st: null, readOnly: m.readOnly, confine };
      }
      if (typeof st === 'number') return st;
      return { kind: 'host', hostPath, guestPath: guest, st, readOnly: m.readOnly, confine };
    }
  }
}

/**
 * Resolves pathname (relative to dirfd) in the guest's namespace. followLast: follow a link
 * in the last component. allowMissing: a missing last component is a result (st === null)
 * whose parent exists, for the calls that create it.
 */
export function pathWalk(ctx: VfsContext, dirfd: number, pathname: string, followLast: boolean, allowMissing = false): WalkResult | number {
  if (pathname === '') return -ENOENT;
  if (pathname.length >= PATH_MAX) return -ENAMETOOLONG;
  let resolved: string[];
  if (pathname.startsWith('/')) {
    resolved = [];
  } else {
    const base = startDir(ctx, dirfd);
    if (typeof base === 'number') return base;
    resolved = split(base);
  }
  const todo = split(pathname);
  const trailingSlash = /[^/]\/+$/.test(pathname);
  const lastName = todo.length > 0 ? todo[todo.length - 1] : '/';
  let links = 0;
  // The original path's trailing slash applies to whatever its last component resolves to.
  let mustDir = trailingSlash;
  while (todo.length > 0) {
    const c = todo.shift()!;
    if (c === '.') continue;
    if (c === '..') {
      resolved.pop();
      continue;
    }
    if (Buffer.byteLength(c) > NAME_MAX) return -ENAMETOOLONG;
    const last = todo.length === 0;
    const guest = '/' + [...resolved, c].join('/');
    const r = probe(ctx, guest);
    if (typeof r === 'number') return r;
    if (r.kind === 'node') {
      const node = r.node;
      if (node.readlink && (!last || followLast || mustDir)) {
        if (node.openLinked) {
          if (last) return { found: r, lastName, trailingSlash };
          // A magic link in the middle: continue from the open file's guest path.
          const f = node.openLinked();
          if (typeof f === 'number') return f;
          const p = f.path;
          const dir = (f.inode.stat().mode & S_IFMT) === S_IFDIR;
          f.put();
          if (!dir) return -ENOTDIR;
          if (!p.startsWith('/')) return -ENOENT;
          resolved = split(p);
          continue;
        }
        if (++links > MAXSYMLINKS) return -ELOOP;
        const target = node.readlink();
        if (target.startsWith('/')) resolved = [];
        todo.unshift(...split(target));
        continue;
      }
      if (!last && !node.isDir) return -ENOTDIR;
      resolved.push(c);
      if (last) {
        if (mustDir && !node.isDir && !node.readlink) return -ENOTDIR;
        return { found: r, lastName, trailingSlash };
      }
      continue;
    }
    if (r.st === null) {
      if (last && allowMissing) return { found: r, lastName, trailingSlash };
      return -ENOENT;
    }
    if (r.st.isSymbolicLink() && (!last || followLast || mustDir)) {
      if (++links > MAXSYMLINKS) return -ELOOP;
      const target = hostReadlink(r.hostPath);
      if (typeof target === 'number') return target;
      if (target.startsWith('/')) resolved = [];
      const parts = split(target);
      todo.unshift(...parts);
      // "link/" where the link's text names a file: the slash still asks for a directory.
      if (last && parts.length === 0 && !target.startsWith('/')) return -ENOENT;
      continue;
    }
    if (!last && !isDirStat(r.st)) return -ENOTDIR;
    resolved.push(c);
    if (last) {
      if (mustDir && !isDirStat(r.st) && !r.st.isSymbolicLink()) return -ENOTDIR;
      return { found: r, lastName, trailingSlash };
    }
  }
  // The path ended at a directory already resolved ("/", ".", "a/..", "a/.").
  const guest = '/' + resolved.join('/');
  const r = probe(ctx, guest);
  if (typeof r === 'number') return r;
  if (r.kind === 'host' && r.st === null) return -ENOENT;
  mustDir = false;
  return { found: r, lastName, trailingSlash };
}

/** pathWalk for an existing file. */
export function lookup(ctx: VfsContext, dirfd: number, pathname: string, followLast: boolean): Lookup | number {
  const w = pathWalk(ctx, dirfd, pathname, followLast);
  return typeof w === 'number' ? w : w.found;
}
