// File attributes (Linux's struct kstat) and their i386 user-space layouts: struct stat64
// (96 bytes, stat64/fstat64/fstatat64), the old struct stat (64 bytes, stat/fstat) and
// struct statx (256 bytes), plus conversion from Node's host stat results.
import type { BigIntStats } from 'node:fs';
import { EOVERFLOW } from '../errno.js';
import type { Mm } from '../mm/mmStruct.js';
import { copyToUser } from '../mm/uaccess.js';

export const S_IFMT = 0o170000, S_IFSOCK = 0o140000, S_IFLNK = 0o120000, S_IFREG = 0o100000;
export const S_IFBLK = 0o060000, S_IFDIR = 0o040000, S_IFCHR = 0o020000, S_IFIFO = 0o010000;

export interface Timespec {
  sec: bigint;
  nsec: number;
}

export interface KStat {
  devMajor: number;
  devMinor: number;
  ino: bigint;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  rdevMajor: number;
  rdevMinor: number;
  size: bigint;
  blksize: number;
  blocks: bigint;
  atime: Timespec;
  mtime: Timespec;
  ctime: Timespec;
  btime: Timespec;
}

/** Splits a glibc/Linux user-space dev_t into major and minor. */
export function decodeDev(dev: bigint): [number, number] {
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
  return [Number(major & 0xffffffffn), Number(minor & 0xffffffffn)];
}

/** Linux's new_encode_dev (the 32-bit dev_t of the stat structures). */
export function encodeDev(major: number, minor: number): number {
  return ((minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xff) << 12)) >>> 0;
}

function ts(ns: bigint): Timespec {
  return { sec: ns / 1_000_000_000n, nsec: Number(ns % 1_000_000_000n) };
}

export function kstatFromHost(s: BigIntStats): KStat {
  const [devMajor, devMinor] = decodeDev(s.dev);
  const [rdevMajor, rdevMinor] = decodeDev(s.rdev);
  return {
    devMajor, devMinor, ino: s.ino, mode: Number(s.mode), nlink: Number(s.nlink), uid: Number(s.uid),
    gid: Number(s.gid), rdevMajor, rdevMinor, size: s.size, blksize: Number(s.blksize), blocks: s.blocks,
    atime: ts(s.atimeNs), mtime: ts(s.mtimeNs), ctime: ts(s.ctimeNs), btime: ts(s.birthtimeNs),
  };
}

/** A synthetic inode's attributes (procfs, devfs, pipes). */
export function syntheticStat(mode: number, opts: Partial<KStat> = {}): KStat {
  const now = ts(BigInt(Date.now()) * 1_000_000n);
  return {
    devMajor: 0, devMinor: 0, ino: 1n, mode, nlink: 1, uid: 0, gid: 0, rdevMajor: 0, rdevMinor: 0, size: 0n,
    blksize: 4096, blocks: 0n, atime: now, mtime: now, ctime: now, btime: now, ...opts,
  };
}

/** struct stat64 for i386 (96 bytes). */
export function encodeStat64(st: KStat): Uint8Array {
  const b = new Uint8Array(96);
  const dv = new DataView(b.buffer);
  dv.setBigUint64(0, BigInt(encodeDev(st.devMajor, st.devMinor)), true);
  dv.setUint32(12, Number(st.ino & 0xffffffffn), true); // __st_ino
  dv.setUint32(16, st.mode, true);
  dv.setUint32(20, st.nlink, true);
  dv.setUint32(24, st.uid, true);
  dv.setUint32(28, st.gid, true);
  dv.setBigUint64(32, BigInt(encodeDev(st.rdevMajor, st.rdevMinor)), true);
  dv.setBigInt64(44, st.size, true);
  dv.setUint32(52, st.blksize, true);
  dv.setBigUint64(56, st.blocks, true);
  dv.setUint32(64, Number(st.atime.sec & 0xffffffffn), true);
  dv.setUint32(68, st.atime.nsec, true);
  dv.setUint32(72, Number(st.mtime.sec & 0xffffffffn), true);
  dv.setUint32(76, st.mtime.nsec, true);
  dv.setUint32(80, Number(st.ctime.sec & 0xffffffffn), true);
  dv.setUint32(84, st.ctime.nsec, true);
  dv.setBigUint64(88, st.ino, true);
  return b;
}

/** The old struct stat (64 bytes); null when a field overflows (-EOVERFLOW). */
export function encodeOldStat(st: KStat): Uint8Array | null {
  if (st.ino > 0xffffffffn || st.size > 0x7fffffffn) return null;
  const b = new Uint8Array(64);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, encodeDev(st.devMajor, st.devMinor), true);
  dv.setUint32(4, Number(st.ino), true);
  dv.setUint16(8, st.mode, true);
  dv.setUint16(10, Math.min(st.nlink, 0xffff), true);
  dv.setUint16(12, st.uid & 0xffff, true);
  dv.setUint16(14, st.gid & 0xffff, true);
  dv.setUint32(16, encodeDev(st.rdevMajor, st.rdevMinor), true);
  dv.setUint32(20, Number(st.size), true);
  dv.setUint32(24, st.blksize, true);
  dv.setUint32(28, Number(st.blocks & 0xffffffffn), true);
  dv.setUint32(32, Number(st.atime.sec & 0xffffffffn), true);
  dv.setUint32(36, st.atime.nsec, true);
  dv.setUint32(40, Number(st.mtime.sec & 0xffffffffn), true);
  dv.setUint32(44, st.mtime.nsec, true);
  dv.setUint32(48, Number(st.ctime.sec & 0xffffffffn), true);
  dv.setUint32(52, st.ctime.nsec, true);
  return b;
}

export const STATX_TYPE = 0x1, STATX_MODE = 0x2, STATX_NLINK = 0x4, STATX_UID = 0x8, STATX_GID = 0x10;
export const STATX_ATIME = 0x20, STATX_MTIME = 0x40, STATX_CTIME = 0x80, STATX_INO = 0x100;
export const STATX_SIZE = 0x200, STATX_BLOCKS = 0x400, STATX_BASIC_STATS = 0x7ff, STATX_BTIME = 0x800;
export const STATX_MNT_ID = 0x1000;

/** struct statx (256 bytes). */
export function encodeStatx(st: KStat): Uint8Array {
  const b = new Uint8Array(256);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, STATX_BASIC_STATS | STATX_BTIME, true);
  dv.setUint32(4, st.blksize, true);
  dv.setBigUint64(8, 0n, true); // attributes
  dv.setUint32(16, st.nlink, true);
  dv.setUint32(20, st.uid, true);
  dv.setUint32(24, st.gid, true);
  dv.setUint16(28, st.mode, true);
  dv.setBigUint64(32, st.ino, true);
  dv.setBigUint64(40, st.size, true);
  dv.setBigUint64(48, st.blocks, true);
  dv.setBigUint64(56, 0n, true); // attributes_mask
  const putTs = (off: number, t: Timespec) => {
    dv.setBigInt64(off, t.sec, true);
    dv.setUint32(off + 8, t.nsec, true);
  };
  putTs(64, st.atime);
  putTs(80, st.btime);
  putTs(96, st.ctime);
  putTs(112, st.mtime);
  dv.setUint32(128, st.rdevMajor, true);
  dv.setUint32(132, st.rdevMinor, true);
  dv.setUint32(136, st.devMajor, true);
  dv.setUint32(140, st.devMinor, true);
  return b;
}

export function putStat64(mm: Mm, addr: number, st: KStat): void {
  copyToUser(mm, addr, encodeStat64(st));
}

export function putOldStat(mm: Mm, addr: number, st: KStat): number {
  const b = encodeOldStat(st);
  if (b === null) return -EOVERFLOW;
  copyToUser(mm, addr, b);
  return 0;
}

export function putStatx(mm: Mm, addr: number, st: KStat): void {
  copyToUser(mm, addr, encodeStatx(st));
}

/** "S_IFREG|0644" as strace prints st_mode. */
export function formatMode(mode: number): string {
  const types: Array<[number, string]> = [[S_IFREG, 'S_IFREG'], [S_IFDIR, 'S_IFDIR'], [S_IFCHR, 'S_IFCHR'],
    [S_IFBLK, 'S_IFBLK'], [S_IFIFO, 'S_IFIFO'], [S_IFLNK, 'S_IFLNK'], [S_IFSOCK, 'S_IFSOCK']];
  const t = types.find(([v]) => (mode & S_IFMT) === v);
  return `${t ? t[1] : '0'}|0${(mode & 0o7777).toString(8).padStart(3, '0')}`;
}
