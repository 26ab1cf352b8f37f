// A read-only view of one host directory as the guest's root file system. Guest paths are
// normalised before they reach here ("/.." stays "/"), and every host path is resolved with
// realpath and must stay inside the root, so neither ".." nor a symbolic link can reach the
// rest of the host. Only regular files and directories can be opened.
import {
  accessSync, closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readlinkSync, readSync,
  realpathSync, statSync,
} from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { EACCES, EINVAL, EISDIR, ENOTDIR, EROFS, errnoFromHost } from '../errno.js';
import type { VmFile } from '../mm/vma.js';
import { DT_BLK, DT_CHR, DT_DIR, DT_FIFO, DT_LNK, DT_REG, DT_SOCK, DT_UNKNOWN, type DirEntry, type Inode } from './file.js';
import { kstatFromHost, type KStat } from './stat.js';

export class HostFs {
  /** The real (symlink-free) host path of the root. */
  readonly root: string;

  constructor(rootDir: string) {
    this.root = realpathSync(rootDir);
  }

  private inside(real: string): boolean {
    return real === this.root || real.startsWith(this.root.endsWith(sep) ? this.root : this.root + sep);
  }

  /**
   * The host path for a normalised absolute guest path, symlinks resolved (the last component
   * only when followLast). Returns -ENOENT, -ENOTDIR, -EACCES (escape attempt), ...
   */
  resolve(guestPath: string, followLast: boolean): string | number {
    const host = join(this.root, guestPath);
    try {
      if (followLast || guestPath === '/') {
        const real = realpathSync(host);
        return this.inside(real) ? real : -EACCES;
      }
      const parent = realpathSync(dirname(host));
      if (!this.inside(parent)) return -EACCES;
      const p = join(parent, basename(host));
      lstatSync(p);
      return p;
    } catch (e) {
      return -errnoFromHost(e);
    }
  }

  /** The guest path of a host path inside the root, or null. */
  guestPathOf(hostPath: string): string | null {
    let real: string;
    try {
      real = realpathSync(hostPath);
    } catch {
      return null;
    }
    if (!this.inside(real)) return null;
    const rel = relative(this.root, real);
    return '/' + rel.split(sep).join('/');
  }

  stat(hostPath: string, follow: boolean): KStat | number {
    try {
      return kstatFromHost(follow ? statSync(hostPath, { bigint: true }) : lstatSync(hostPath, { bigint: true }));
    } catch (e) {
      return -errnoFromHost(e);
    }
  }

  readlink(hostPath: string): string | number {
    try {
      if (!lstatSync(hostPath).isSymbolicLink()) return -EINVAL;
      return readlinkSync(hostPath);
    } catch (e) {
      return -errnoFromHost(e);
    }
  }

  /** access(2): F_OK/R_OK/X_OK as the host allows; W_OK is -EROFS (read-only file system). */
  access(hostPath: string, mode: number): number {
    try {
      if (mode & 2) {
        statSync(hostPath);
        return -EROFS;
      }
      accessSync(hostPath, (mode & 4 ? constants.R_OK : 0) | (mode & 1 ? constants.X_OK : 0) | constants.F_OK);
      return 0;
    } catch (e) {
      return -errnoFromHost(e);
    }
  }

  /** Opens a regular file or directory for reading. */
  open(hostPath: string, guestPath: string, write: boolean, wantDir: boolean): Inode | number {
    let st;
    try {
      st = statSync(hostPath);
    } catch (e) {
      return -errnoFromHost(e);
    }
    if (st.isDirectory()) {
      if (write) return -EISDIR;
      return new HostDirInode(hostPath);
    }
    if (wantDir) return -ENOTDIR;
    if (write) return -EROFS;
    if (!st.isFile()) return -EACCES;
    try {
      return new HostFileInode(openSync(hostPath, 'r'), guestPath);
    } catch (e) {
      return -errnoFromHost(e);
    }
  }
}

export class HostFileInode implements Inode {
  private fd: number;
  private readonly guestPath: string;
  private snapshot: VmFile | null = null;

  constructor(fd: number, guestPath: string) {
    this.fd = fd;
    this.guestPath = guestPath;
  }

  stat(): KStat {
    return kstatFromHost(fstatSync(this.fd, { bigint: true }));
  }

  size(): number {
    return fstatSync(this.fd).size;
  }

  readAt(pos: number, len: number): Uint8Array | number {
    const buf = new Uint8Array(Math.min(len, 1 << 24));
    try {
      const n = readSync(this.fd, buf, 0, buf.length, pos);
      return buf.subarray(0, n);
    } catch (e) {
      return -errnoFromHost(e);
    }
  }

  mapping(): VmFile | number {
    if (this.snapshot === null) {
      const st = this.stat();
      const size = this.size();
      const bytes = new Uint8Array(size);
      let off = 0;
      while (off < size) {
        const n = readSync(this.fd, bytes, off, size - off, off);
        if (n <= 0) break;
        off += n;
      }
      this.snapshot = { bytes, path: this.guestPath, devMajor: st.devMajor, devMinor: st.devMinor, ino: Number(st.ino) };
    }
    return this.snapshot;
  }

  release(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

export class HostDirInode implements Inode {
  private readonly hostPath: string;

  constructor(hostPath: string) {
    this.hostPath = hostPath;
  }

  stat(): KStat {
    return kstatFromHost(statSync(this.hostPath, { bigint: true }));
  }

  readdir(): DirEntry[] | number {
    try {
      const self = statSync(this.hostPath, { bigint: true });
      const parent = statSync(join(this.hostPath, '..'), { bigint: true });
      const out: DirEntry[] = [{ name: '.', ino: self.ino, type: DT_DIR }, { name: '..', ino: parent.ino, type: DT_DIR }];
      for (const d of readdirSync(this.hostPath, { withFileTypes: true })) {
        let ino = 0n;
        try {
          ino = lstatSync(join(this.hostPath, d.name), { bigint: true }).ino;
        } catch { /* vanished */ }
        const type = d.isFile() ? DT_REG : d.isDirectory() ? DT_DIR : d.isSymbolicLink() ? DT_LNK
          : d.isFIFO() ? DT_FIFO : d.isCharacterDevice() ? DT_CHR : d.isBlockDevice() ? DT_BLK
            : d.isSocket() ? DT_SOCK : DT_UNKNOWN;
        out.push({ name: d.name, ino, type });
      }
      return out;
    } catch (e) {
      return -errnoFromHost(e);
    }
  }
}

