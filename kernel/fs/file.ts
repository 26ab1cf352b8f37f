// Open files (Linux's struct file) and what they point at (a small struct inode with its
// operations). Regular files are read at a position; streams (ttys, pipes, the host's stdio)
// just read and write. All operations return a count or -errno and never throw.
import type { VmFile } from '../mm/vma.js';
import type { WaitQueue } from '../proc/waitQueue.js';
import type { KStat } from './stat.js';

export const O_ACCMODE = 0o3, O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2;
export const O_CREAT = 0o100, O_EXCL = 0o200, O_NOCTTY = 0o400, O_TRUNC = 0o1000, O_APPEND = 0o2000;
export const O_NONBLOCK = 0o4000, O_DSYNC = 0o10000, O_ASYNC = 0o20000, O_DIRECT = 0o40000;
export const O_LARGEFILE = 0o100000, O_DIRECTORY = 0o200000, O_NOFOLLOW = 0o400000;
export const O_NOATIME = 0o1000000, O_CLOEXEC = 0o2000000, O_SYNC = 0o4010000, O_PATH = 0o10000000;
export const O_TMPFILE = 0o20200000;

export const DT_UNKNOWN = 0, DT_FIFO = 1, DT_CHR = 2, DT_DIR = 4, DT_BLK = 6, DT_REG = 8, DT_LNK = 10, DT_SOCK = 12;

export interface DirEntry {
  name: string;
  ino: bigint;
  type: number;
}

/** Context an ioctl may need (the caller's memory). */
export interface IoctlContext {
  readonly mm: import('../mm/mmStruct.js').Mm;
}

export interface Inode {
  stat(): KStat;
  /** Positional read of a seekable file; absent for streams. */
  readAt?(pos: number, len: number): Uint8Array | number;
  /** Stream read (ttys, pipes); used when readAt is absent. */
  read?(len: number): Uint8Array | number;
  write?(data: Uint8Array): number;
  /** Positional write of a seekable file (pwrite; write at the file position). */
  writeAt?(pos: number, data: Uint8Array): number;
  /** ftruncate */
  truncate?(len: number): number;
  /** fsync/fdatasync */
  sync?(dataOnly: boolean): number;
  /** fchmod */
  chmod?(mode: number): number;
  /** Size for SEEK_END. */
  size?(): number;
  ioctl?(cmd: number, arg: number, ctx: IoctlContext): number;
  readdir?(): DirEntry[] | number;
  /** The bytes a file mmap maps (a snapshot). */
  mapping?(): VmFile | number;
  /** /dev/zero: mmap gives anonymous memory (a shmem object when MAP_SHARED) instead of a file mapping. */
  readonly mapsAsZero?: boolean;
  /** Target of a symbolic link (procfs's exe, fd/N). */
  readlink?(): string;
  /** Called when the last open file referring to it is closed. */
  release?(): void;
  readonly isTty?: boolean;
  /** Where a reader or writer that got -EAGAIN sleeps (pipes); absent: the inode never blocks. */
  readonly waitQueue?: WaitQueue;
  /**
   * Readiness for poll/select (POLLIN, POLLOUT, POLLHUP, ...); absent: always ready. `wait`:
   * the caller would sleep if nothing were ready (a timeout other than zero); an inode whose
   * readiness no wait queue reports (the host's terminal) then says ready, and the read blocks.
   */
  poll?(wait: boolean): number;
}

export class File {
  readonly inode: Inode;
  /** O_ flags given to open (access mode and status flags). */
  flags: number;
  pos = 0;
  /** Path as the guest named it (for /proc/self/fd and diagnostics). */
  readonly path: string;
  refs = 1;
  /** Directory read cursor data (getdents). */
  dirCache: DirEntry[] | null = null;
  /** Run when the last reference goes (flock and OFD locks are released then). */
  readonly onRelease: Array<() => void> = [];

  constructor(inode: Inode, flags: number, path: string) {
    this.inode = inode;
    this.flags = flags;
    this.path = path;
  }

  get readable(): boolean {
    return (this.flags & O_ACCMODE) !== O_WRONLY && !(this.flags & O_PATH);
  }

  get writable(): boolean {
    const m = this.flags & O_ACCMODE;
    return (m === O_WRONLY || m === O_RDWR) && !(this.flags & O_PATH);
  }

  get seekable(): boolean {
    return this.inode.readAt !== undefined || this.inode.writeAt !== undefined || this.inode.readdir !== undefined;
  }

  get(): File {
    this.refs++;
    return this;
  }

  put(): void {
    if (--this.refs !== 0) return;
    for (const h of this.onRelease.splice(0)) h();
    this.inode.release?.();
  }
}
