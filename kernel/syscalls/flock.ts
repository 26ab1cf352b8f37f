// flock(2) and the fcntl lock commands (fs/locks.c): F_GETLK/F_SETLK/F_SETLKW with struct
// flock (16 bytes on i386) and their 64-bit forms with struct flock64 (24 bytes, 4-byte
// aligned fields), and the open-file-description locks F_OFD_*. A lock that cannot be had
// makes F_SETLKW and a blocking flock sleep; they look again whenever a lock is released
// (and every millisecond of virtual time, for owners that went away without a release).
import { EBADF, EINVAL } from '../errno.js';
import type { File } from '../fs/file.js';
import { F_RDLCK, F_UNLCK, F_WRLCK, LOCK_NB, lockKey, type RecordLock } from '../fs/locks.js';
import { copyFromUser, copyToUser } from '../mm/uaccess.js';
import type { SyscallContext } from './types.js';

const F_GETLK = 5, F_SETLK = 6, F_SETLKW = 7, F_GETLK64 = 12, F_SETLK64 = 13, F_SETLKW64 = 14;
const F_OFD_GETLK = 36, F_OFD_SETLK = 37, F_OFD_SETLKW = 38;
const SEEK_SET = 0, SEEK_CUR = 1, SEEK_END = 2;
const RECHECK_NS = 1_000_000n;

function sleepForLock(c: SyscallContext): number {
  return c.block([c.fileLocks.wait], c.now() + RECHECK_NS);
}

export function sysFlock(c: SyscallContext, fd: number, op: number): number {
  const f = c.task.files.get(fd);
  if (f === undefined) return -EBADF;
  const r = c.fileLocks.flock(lockKey(f), f, op);
  if (r === -11 && !(op & LOCK_NB)) return sleepForLock(c);
  return r;
}

/** POSIX locks of the calling process on f's file go when it closes any descriptor of it. */
export function releasePosixLocks(c: SyscallContext, f: File): void {
  if (f.inode.readAt === undefined && f.inode.readdir === undefined) return;
  c.fileLocks.dropOwner(lockKey(f), c.task.pid);
}

export function fcntlLock(c: SyscallContext, f: File, cmd: number, arg: number): number {
  const wide = cmd !== F_GETLK && cmd !== F_SETLK && cmd !== F_SETLKW;
  const ofd = cmd === F_OFD_GETLK || cmd === F_OFD_SETLK || cmd === F_OFD_SETLKW;
  const size = wide ? 24 : 16;
  const raw = copyFromUser(c.mm, arg, size);
  const dv = new DataView(raw.buffer, raw.byteOffset, size);
  const type = dv.getInt16(0, true);
  const whence = dv.getInt16(2, true);
  const start = wide ? Number(dv.getBigInt64(4, true)) : dv.getInt32(4, true);
  const len = wide ? Number(dv.getBigInt64(12, true)) : dv.getInt32(8, true);
  if (ofd && (wide ? dv.getInt32(20, true) : 0) !== 0) return -EINVAL; // l_pid must be 0
  if (type !== F_RDLCK && type !== F_WRLCK && type !== F_UNLCK) return -EINVAL;
  let base: number;
  switch (whence) {
    case SEEK_SET: base = 0; break;
    case SEEK_CUR: base = f.pos; break;
    case SEEK_END: base = f.inode.size ? f.inode.size() : Number(f.inode.stat().size); break;
    default: return -EINVAL;
  }
  let from = base + start;
  let to = len === 0 ? Infinity : from + len - 1;
  if (len < 0) {
    to = from - 1;
    from += len;
  }
  if (from < 0) return -EINVAL;
  const want: RecordLock = { owner: ofd ? f : c.task.pid, pid: ofd ? -1 : c.task.pid, type, start: from, end: to };
  const key = lockKey(f);
  if (cmd === F_GETLK || cmd === F_GETLK64 || cmd === F_OFD_GETLK) {
    if (type === F_UNLCK) return -EINVAL;
    const l = c.fileLocks.conflicting(key, want);
    const out = new Uint8Array(size);
    const o = new DataView(out.buffer);
    if (l === null) {
      out.set(raw);
      o.setInt16(0, F_UNLCK, true);
    } else {
      o.setInt16(0, l.type, true);
      o.setInt16(2, SEEK_SET, true);
      const llen = l.end === Infinity ? 0 : l.end - l.start + 1;
      if (wide) {
        o.setBigInt64(4, BigInt(l.start), true);
        o.setBigInt64(12, BigInt(llen), true);
        o.setInt32(20, l.pid, true);
      } else {
        o.setInt32(4, l.start, true);
        o.setInt32(8, llen, true);
        o.setInt32(12, l.pid, true);
      }
    }
    copyToUser(c.mm, arg, out);
    return 0;
  }
  if (type === F_RDLCK && !f.readable) return -EBADF;
  if (type === F_WRLCK && !f.writable) return -EBADF;
  const r = c.fileLocks.setRecord(key, want, f);
  if (r === -11 && (cmd === F_SETLKW || cmd === F_SETLKW64 || cmd === F_OFD_SETLKW)) return sleepForLock(c);
  return r;
}
