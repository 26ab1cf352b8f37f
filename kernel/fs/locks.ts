// Advisory file locks (fs/locks.c) between the guest's processes: flock(2) locks, owned by an
// open file description, and fcntl record locks, owned by a process (F_SETLK) or by an open
// file description (F_OFD_SETLK). Files are identified by the host's (dev, ino), so two
// names or two opens of one file share their locks. Locks are not taken on the host: other
// host processes do not see them. A lock is released when its owner unlocks it, when the
// owning open file is closed for the last time, or (process locks) when the process closes
// a descriptor of the file or exits.
import { EAGAIN, EINVAL } from '../errno.js';
import type { File } from './file.js';
import { WaitQueue } from '../proc/waitQueue.js';

export const LOCK_SH = 1, LOCK_EX = 2, LOCK_NB = 4, LOCK_UN = 8;
export const F_RDLCK = 0, F_WRLCK = 1, F_UNLCK = 2;

/** A byte-range lock; end is inclusive (Infinity: to the end of the file and beyond). */
export interface RecordLock {
  /** The process's pid (POSIX locks) or the open file (OFD locks). */
  owner: number | File;
  pid: number;
  type: number;
  start: number;
  end: number;
}

interface FlockEntry {
  file: File;
  exclusive: boolean;
}

export class FileLocks {
  private readonly flocks = new Map<string, FlockEntry[]>();
  private readonly records = new Map<string, RecordLock[]>();
  /** Everyone waiting for a lock sleeps here; any release wakes them. */
  readonly wait = new WaitQueue();
  /** Whether a process still exists (its locks die with it). */
  alive: (pid: number) => boolean = () => true;

  /** flock: 0, -EAGAIN (EWOULDBLOCK) on a conflict. */
  flock(key: string, file: File, op: number): number {
    const list = this.flocks.get(key) ?? [];
    const mine = list.findIndex((e) => e.file === file);
    const kind = op & ~LOCK_NB;
    if (kind === LOCK_UN) {
      if (mine >= 0) {
        list.splice(mine, 1);
        this.wait.wakeAll();
      }
      return 0;
    }
    if (kind !== LOCK_SH && kind !== LOCK_EX) return -EINVAL;
    const exclusive = kind === LOCK_EX;
    const conflict = list.some((e) => e.file !== file && e.file.refs > 0 && (exclusive || e.exclusive));
    if (conflict) return -EAGAIN;
    if (mine >= 0) {
      // A conversion drops the old lock first (others waiting may get in).
      if (list[mine].exclusive && !exclusive) this.wait.wakeAll();
      list[mine].exclusive = exclusive;
    } else {
      list.push({ file, exclusive });
      this.flocks.set(key, list);
      file.onRelease.push(() => this.flock(key, file, LOCK_UN));
    }
    return 0;
  }

  private live(key: string): RecordLock[] {
    const list = (this.records.get(key) ?? []).filter((l) => (typeof l.owner === 'number' ? this.alive(l.owner) : l.owner.refs > 0));
    this.records.set(key, list);
    return list;
  }

  /** F_GETLK: the first lock of another owner that conflicts with want, or null. */
  conflicting(key: string, want: RecordLock): RecordLock | null {
    for (const l of this.live(key)) {
      if (l.owner === want.owner) continue;
      if (l.end < want.start || l.start > want.end) continue;
      if (want.type === F_WRLCK || l.type === F_WRLCK) return l;
    }
    return null;
  }

  /** F_SETLK: 0, or -EAGAIN when another owner holds a conflicting lock. */
  setRecord(key: string, want: RecordLock, file: File): number {
    if (want.type !== F_UNLCK && this.conflicting(key, want) !== null) return -EAGAIN;
    const out: RecordLock[] = [];
    for (const l of this.live(key)) {
      if (l.owner !== want.owner || l.end < want.start || l.start > want.end) {
        out.push(l);
        continue;
      }
      // Keep the parts of the owner's old lock outside the new range.
      if (l.start < want.start) out.push({ ...l, end: want.start - 1 });
      if (l.end > want.end) out.push({ ...l, start: want.end + 1 });
    }
    if (want.type !== F_UNLCK) out.push(want);
    this.records.set(key, out);
    this.wait.wakeAll();
    if (want.type !== F_UNLCK && typeof want.owner !== 'number') {
      const owner = want.owner;
      if (!owner.onRelease.some((h) => (h as { lockKey?: string }).lockKey === key)) {
        const h = Object.assign(() => this.dropOwner(key, owner), { lockKey: key });
        owner.onRelease.push(h);
      }
    }
    void file;
    return 0;
  }

  /** Releases every record lock owner holds on the file (close of a descriptor, exit). */
  dropOwner(key: string, owner: number | File): void {
    const list = this.records.get(key);
    if (list === undefined) return;
    const kept = list.filter((l) => l.owner !== owner);
    if (kept.length !== list.length) this.wait.wakeAll();
    this.records.set(key, kept);
  }
}

/** The lock key of an open file: its host (dev, ino), or the inode object's identity. */
export function lockKey(f: File): string {
  const st = f.inode.stat();
  return `${st.devMajor}:${st.devMinor}:${st.ino}`;
}
