// Host files behind a host mount: stat, open and the open-file inodes (regular files read and
// written at a position with synchronous host I/O, directories listed). A regular file that
// some process maps has a page cache (kernel/mm/pageCache.ts): its reads, writes, truncates
// and syncs then go through it, so write() and MAP_SHARED stores see each other. Paths reaching
// here were resolved component by component in the guest's namespace (pathWalk.ts), so their
// last component is not a symbolic link; hostOpen still opens with O_NOFOLLOW and checks that it
// opened what the walk saw (device and inode) and, on a confined mount, that the file's real
// path (the host's /proc/self/fd/N) lies inside the mount: a host process that swaps a path
// component for a link between the walk and the open cannot lead the guest out.
import {
  closeSync, constants, fchmodSync, fdatasyncSync, fstatSync, fsyncSync, ftruncateSync, lstatSync, openSync,
  readdirSync, readlinkSync, readSync, statSync, unlinkSync, writeSync, type BigIntStats,
} from 'node:fs';
import { join } from 'node:path';
import { EACCES, EINVAL, EISDIR, ENODEV, errnoFromHost } from '../errno.js';
import type { AddressSpace, PageCache } from '../mm/pageCache.js';
import type { VmFile } from '../mm/vma.js';
import { HostBacking } from './hostBacking.js';
import {
  DT_BLK, DT_CHR, DT_DIR, DT_FIFO, DT_LNK, DT_REG, DT_SOCK, DT_UNKNOWN, O_ACCMODE, O_APPEND, O_CREAT, O_DIRECTORY,
  O_EXCL, O_NOATIME, O_TMPFILE, O_TRUNC, O_RDONLY, type DirEntry, type Inode,
} from './file.js';
import { isInside } from './mount.js';
import { kstatFromHost, type KStat } from './stat.js';

export function hostLstat(hostPath: string): BigIntStats | number {
  try {
    return lstatSync(hostPath, { bigint: true });
  } catch (e) {
    return -errnoFromHost(e);
  }
}

export function hostStat(hostPath: string, follow: boolean): KStat | number {
  try {
    return kstatFromHost(follow ? statSync(hostPath, { bigint: true }) : lstatSync(hostPath, { bigint: true }));
  } catch (e) {
    return -errnoFromHost(e);
  }
}

export function hostReadlink(hostPath: string): string | number {
  try {
    if (!lstatSync(hostPath).isSymbolicLink()) return -EINVAL;
    return readlinkSync(hostPath);
  } catch (e) {
    return -errnoFromHost(e);
  }
}

/** Where a host open must land: the walk's (dev, ino) and, on a confined mount, its root. */
export interface OpenCheck {
  expect: BigIntStats | null;
  confine: string | null;
}

/** The real path of an open host descriptor (Linux's /proc/self/fd/N), or null. */
function fdRealPath(fd: number): string | null {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return null;
  }
}

/**
 * open(2) of a host path the walk resolved, with O_NOFOLLOW, then the checks of OpenCheck.
 * Returns the host descriptor or -errno (-EACCES when the file is not what was looked up).
 */
export function hostOpenFd(hostPath: string, flags: number, mode: number, check: OpenCheck): number {
  // A create the walk found missing creates a new file or fails: never opens one a host
  // process put there since (and a file it created in the wrong place can be taken back).
  const creating = (flags & O_CREAT) !== 0 && check.expect === null;
  const hostFlags = (flags & O_ACCMODE) | (flags & O_CREAT ? constants.O_CREAT : 0) | (flags & O_EXCL || creating ? constants.O_EXCL : 0)
    | (flags & O_TRUNC ? constants.O_TRUNC : 0) | (flags & O_DIRECTORY ? constants.O_DIRECTORY : 0)
    | (flags & O_NOATIME ? constants.O_NOATIME : 0) | constants.O_NOFOLLOW
    | ((flags & O_TMPFILE) === O_TMPFILE ? 0o20200000 : 0);
  let fd: number;
  try {
    fd = openSync(hostPath, hostFlags, mode);
  } catch (e) {
    return -errnoFromHost(e);
  }
  const st = fstatSync(fd, { bigint: true });
  const moved = check.expect !== null && (check.expect.dev !== st.dev || check.expect.ino !== st.ino);
  let outside = false;
  let real: string | null = null;
  if (check.confine !== null && check.confine !== '/') {
    real = fdRealPath(fd);
    outside = real === null || !isInside(real.replace(/ \(deleted\)$/, ''), check.confine);
  }
  if (moved || outside) {
    closeSync(fd);
    if (outside && creating && real !== null) {
      try {
        unlinkSync(real);
      } catch { /* already gone */ }
    }
    return -EACCES;
  }
  return fd;
}

export interface HostFileOpen {
  hostPath: string;
  guestPath: string;
  flags: number;
  mode: number;
  check: OpenCheck;
  /** The kernel's page cache (absent: the file is read and written directly and cannot be mapped). */
  cache?: PageCache | null;
}

/** Opens a regular file or directory (other host file types are refused with EACCES). */
export function hostOpen(o: HostFileOpen): Inode | number {
  const fd = hostOpenFd(o.hostPath, o.flags, o.mode, o.check);
  if (fd < 0) return fd;
  const st = fstatSync(fd);
  if (st.isDirectory()) {
    if ((o.flags & O_ACCMODE) !== O_RDONLY && (o.flags & O_TMPFILE) !== O_TMPFILE) {
      closeSync(fd);
      return -EISDIR;
    }
    if ((o.flags & O_TMPFILE) !== O_TMPFILE) return new HostDirInode(fd, o.hostPath);
  } else if (!st.isFile()) {
    // FIFOs, sockets and devices outside /dev: opening them could block the whole emulator.
    closeSync(fd);
    return -EACCES;
  }
  const bst = fstatSync(fd, { bigint: true });
  const key = `${bst.dev}:${bst.ino}`;
  // O_TRUNC emptied a file some process may map: its cached pages go (truncate_pagecache).
  if (o.flags & O_TRUNC) o.cache?.find(key)?.truncate(0);
  return new HostFileInode(fd, o.guestPath, o.cache ?? null, key);
}

export class HostFileInode implements Inode {
  private fd: number;
  private readonly guestPath: string;
  private readonly cache: PageCache | null;
  /** "dev:ino", the file's key in the page cache. */
  private readonly key: string;
  /** What this open's mmaps map (one object, so that its adjacent areas merge). */
  private vmFile: VmFile | null = null;

  constructor(fd: number, guestPath: string, cache: PageCache | null = null, key = '') {
    this.fd = fd;
    this.guestPath = guestPath;
    this.cache = cache;
    this.key = key;
  }

  get hostFd(): number {
    return this.fd;
  }

  /** The file's page cache when some process maps it (looked up each time: another open may have made it). */
  private get pageCache(): AddressSpace | undefined {
    return this.cache?.find(this.key);
  }

  stat(): KStat {
    return kstatFromHost(fstatSync(this.fd, { bigint: true }));
  }

  size(): number {
    return fstatSync(this.fd).size;
  }

  readAt(pos: number, len: number): Uint8Array | number {
    try {
      const as = this.pageCache;
      if (as !== undefined) return as.read(pos, Math.min(len, 1 << 24));
      const buf = new Uint8Array(Math.min(len, 1 << 24));
      const n = readSync(this.fd, buf, 0, buf.length, pos);
      return buf.subarray(0, n);
    } catch (e) {
      return -errnoFromHost(e);
    }
  }

  writeAt(pos: number, data: Uint8Array): number {
    try {
      const as = this.pageCache;
      if (as !== undefined) {
        as.write(pos, data);
        return data.length;
      }
      let done = 0;
      while (done < data.length) done += writeSync(this.fd, data, done, data.length - done, pos + done);
      return done;
    } catch (e) {
      return -errnoFromHost(e);
    }
  }

  truncate(len: number): number {
    try {
      ftruncateSync(this.fd, len);
      this.pageCache?.truncate(len);
      return 0;
    } catch (e) {
      return -errnoFromHost(e);
    }
  }

  /** fsync/fdatasync: the dirty cached pages first (stores through shared mappings). */
  sync(dataOnly: boolean): number {
    try {
      this.pageCache?.writeback();
      if (dataOnly) fdatasyncSync(this.fd);
      else fsyncSync(this.fd);
      return 0;
    } catch (e) {
      return -errnoFromHost(e);
    }
  }

  chmod(mode: number): number {
    try {
      fchmodSync(this.fd, mode);
      return 0;
    } catch (e) {
      return -errnoFromHost(e);
    }
  }

  /** The file's page cache and identity for mmap (-ENODEV without a page cache). */
  mapping(): VmFile | number {
    if (this.cache === null) return -ENODEV;
    if (this.vmFile === null || this.vmFile.mapping.released) {
      const st = this.stat();
      let as: AddressSpace;
      try {
        as = this.cache.findOrCreate(this.key, () => new HostBacking(this.fd));
      } catch (e) {
        return -errnoFromHost(e);
      }
      this.vmFile = { mapping: as, path: this.guestPath, devMajor: st.devMajor, devMinor: st.devMinor, ino: Number(st.ino) };
    }
    return this.vmFile;
  }

  /** close of the last open file: dirty pages go back, and a cache no mm maps is dropped. */
  release(): void {
    const as = this.pageCache;
    if (as !== undefined) {
      try {
        as.writeback();
      } catch { /* reported by an earlier fsync or lost, as a close(2) that ignores errors */ }
      as.releaseIfUnmapped();
    }
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

function direntType(d: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean; isFIFO(): boolean;
  isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): number {
  return d.isFile() ? DT_REG : d.isDirectory() ? DT_DIR : d.isSymbolicLink() ? DT_LNK
    : d.isFIFO() ? DT_FIFO : d.isCharacterDevice() ? DT_CHR : d.isBlockDevice() ? DT_BLK
      : d.isSocket() ? DT_SOCK : DT_UNKNOWN;
}

export class HostDirInode implements Inode {
  private fd: number;
  private readonly hostPath: string;
  /** Mount points below this directory the host directory lacks (added by the VFS). */
  extraNames: string[] = [];

  constructor(fd: number, hostPath: string) {
    this.fd = fd;
    this.hostPath = hostPath;
  }

  get hostFd(): number {
    return this.fd;
  }

  stat(): KStat {
    return kstatFromHost(fstatSync(this.fd, { bigint: true }));
  }

  readdir(): DirEntry[] | number {
    try {
      const self = fstatSync(this.fd, { bigint: true });
      // The directory that was opened, even if a host process renamed it since.
      const dir = `/proc/self/fd/${this.fd}`;
      let parentIno = self.ino;
      try {
        parentIno = statSync(join(this.hostPath, '..'), { bigint: true }).ino;
      } catch { /* unreachable parent */ }
      const out: DirEntry[] = [{ name: '.', ino: self.ino, type: DT_DIR }, { name: '..', ino: parentIno, type: DT_DIR }];
      const names = new Set<string>();
      for (const d of readdirSync(dir, { withFileTypes: true })) {
        let ino = 0n;
        try {
          ino = lstatSync(join(dir, d.name), { bigint: true }).ino;
        } catch { /* vanished */ }
        names.add(d.name);
        out.push({ name: d.name, ino, type: direntType(d) });
      }
      for (const n of this.extraNames) if (!names.has(n)) out.push({ name: n, ino: 1n, type: DT_DIR });
      return out;
    } catch (e) {
      return -errnoFromHost(e);
    }
  }

  sync(): number {
    return 0;
  }

  release(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}
