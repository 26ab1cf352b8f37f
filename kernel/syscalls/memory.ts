// Memory system calls (mm/mmap.c, mm/mprotect.c, mm/madvise.c, arch/x86/kernel/sys_ia32.c):
// brk, mmap2 (offset in pages), the old mmap with its argument block, munmap, mprotect,
// madvise, mincore, mremap, msync (writes the shared file pages back), and the mlock family.
import { EACCES, EBADF, EINVAL, ENODEV, ENOMEM, errnoFromHost } from '../errno.js';
import { RLIMIT_MEMLOCK } from '../proc/task.js';
import { doBrk } from '../mm/brk.js';
import { msyncRange } from '../mm/filemap.js';
import { doMmap, doMunmap, MAP_ANONYMOUS, MAP_PRIVATE, MAP_TYPE, pageAlign, PROT_WRITE, type MmapFile } from '../mm/mmap.js';
import { doMadvise } from '../mm/madvise.js';
import { doMincore } from '../mm/mincore.js';
import { doMlock, doMlockall, doMunlock, doMunlockall, type LockLimit } from '../mm/mlock.js';
import { doMprotect } from '../mm/mprotect.js';
import { doMremap } from '../mm/mremap.js';
import { copyFromUser } from '../mm/uaccess.js';
import { rangeFullyMapped } from '../mm/vma.js';
import type { SyscallContext } from './types.js';

export function sysBrk(c: SyscallContext, addr: number): number {
  return doBrk(c.mm, addr);
}

/** RLIMIT_MEMLOCK and CAP_IPC_LOCK (which uid 0 has) of the calling task. */
export function lockLimit(c: SyscallContext): LockLimit {
  const cur = c.task.rlimits[RLIMIT_MEMLOCK].cur;
  return { limitBytes: cur >= 0xffffffffn ? Infinity : Number(cur), capIpcLock: c.task.cred.euid === 0 };
}

function mmapPgoff(c: SyscallContext, addr: number, len: number, prot: number, flags: number, fd: number, pgoff: number): number {
  let file: MmapFile | null = null;
  if (!(flags & MAP_ANONYMOUS)) {
    const f = c.task.files.get(fd);
    if (f === undefined) return -EBADF;
    if (!f.readable) return -EACCES;
    // /dev/zero maps as anonymous memory: private, or a new shmem object when shared.
    if (f.inode.mapsAsZero === true) {
      if ((flags & MAP_TYPE) !== MAP_PRIVATE && prot & PROT_WRITE && !f.writable) return -EACCES;
      return doMmap(c.mm, addr, len, prot, flags | MAP_ANONYMOUS, null, 0, lockLimit(c));
    }
    const m = f.inode.mapping ? f.inode.mapping() : -ENODEV;
    if (typeof m === 'number') return m;
    file = { file: m, writable: f.writable };
  }
  return doMmap(c.mm, addr, len, prot, flags, file, pgoff >>> 0, lockLimit(c));
}

export function sysMmap2(c: SyscallContext, addr: number, len: number, prot: number, flags: number, fd: number, pgoff: number): number {
  return mmapPgoff(c, addr, len, prot, flags, fd, pgoff);
}

/** The old mmap (nr 90): one pointer to {addr, len, prot, flags, fd, offset}. */
export function sysOldMmap(c: SyscallContext, argp: number): number {
  const a = new DataView(copyFromUser(c.mm, argp, 24).buffer);
  const offset = a.getUint32(20, true);
  if (offset & 0xfff) return -EINVAL;
  return mmapPgoff(c, a.getUint32(0, true), a.getUint32(4, true), a.getUint32(8, true), a.getUint32(12, true),
    a.getInt32(16, true), offset >>> 12);
}

export function sysMunmap(c: SyscallContext, addr: number, len: number): number {
  return doMunmap(c.mm, addr, len);
}

export function sysMprotect(c: SyscallContext, addr: number, len: number, prot: number): number {
  return doMprotect(c.mm, addr, len, prot);
}

export function sysMadvise(c: SyscallContext, addr: number, len: number, advice: number): number {
  return doMadvise(c.mm, addr, len, advice);
}

export function sysMincore(c: SyscallContext, addr: number, len: number, vec: number): number {
  return doMincore(c.mm, addr, len, vec);
}

export function sysMlock(c: SyscallContext, addr: number, len: number): number {
  return doMlock(c.mm, addr, len, 0, lockLimit(c));
}

export function sysMlock2(c: SyscallContext, addr: number, len: number, flags: number): number {
  return doMlock(c.mm, addr, len, flags, lockLimit(c));
}

export function sysMunlock(c: SyscallContext, addr: number, len: number): number {
  return doMunlock(c.mm, addr, len);
}

export function sysMlockall(c: SyscallContext, flags: number): number {
  return doMlockall(c.mm, flags, lockLimit(c));
}

export function sysMunlockall(c: SyscallContext): number {
  return doMunlockall(c.mm);
}

export function sysMremap(c: SyscallContext, oldAddr: number, oldLen: number, newLen: number, flags: number, newAddr: number): number {
  return doMremap(c.mm, oldAddr, oldLen, newLen, flags, newAddr);
}

const MS_ASYNC = 1, MS_INVALIDATE = 2, MS_SYNC = 4;

/**
 * msync: the dirty pages of the shared file mappings in the range go back to their files
 * (MS_ASYNC too: writing at once is one of the times "later" may be). ENOMEM for a hole.
 */
export function sysMsync(c: SyscallContext, addr: number, len: number, flags: number): number {
  addr >>>= 0;
  len >>>= 0;
  if (addr & 0xfff || flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) return -EINVAL;
  if ((flags & (MS_ASYNC | MS_SYNC)) === (MS_ASYNC | MS_SYNC)) return -EINVAL;
  const end = addr + pageAlign(len);
  if (end > c.mm.taskSize) return -ENOMEM;
  if (end === addr) return 0;
  if (!rangeFullyMapped(c.mm.vmas, addr, end)) return -ENOMEM;
  try {
    msyncRange(c.mm, addr, end);
  } catch (e) {
    return -errnoFromHost(e);
  }
  return 0;
}

export function sysNoop(): number {
  return 0;
}
