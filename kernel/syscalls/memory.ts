// Memory system calls (mm/mmap.c, mm/mprotect.c, mm/madvise.c, arch/x86/kernel/sys_ia32.c):
// brk, mmap2 (offset in pages), the old mmap with its argument block, munmap, mprotect,
// madvise, mremap, and the no-op locking/sync calls.
import { EACCES, EBADF, EINVAL, ENODEV } from '../errno.js';
import { doBrk } from '../mm/brk.js';
import { doMmap, doMunmap, MAP_ANONYMOUS, type MmapFile } from '../mm/mmap.js';
import { doMadvise, doMprotect } from '../mm/mprotect.js';
import { doMremap } from '../mm/mremap.js';
import { copyFromUser } from '../mm/uaccess.js';
import type { SyscallContext } from './types.js';

export function sysBrk(c: SyscallContext, addr: number): number {
  return doBrk(c.mm, addr);
}

function mmapPgoff(c: SyscallContext, addr: number, len: number, prot: number, flags: number, fd: number, pgoff: number): number {
  let file: MmapFile | null = null;
  if (!(flags & MAP_ANONYMOUS)) {
    const f = c.task.files.get(fd);
    if (f === undefined) return -EBADF;
    if (!f.readable) return -EACCES;
    const m = f.inode.mapping ? f.inode.mapping() : -ENODEV;
    if (typeof m === 'number') return m;
    file = { file: m, writable: f.writable };
  }
  return doMmap(c.mm, addr, len, prot, flags, file, pgoff >>> 0);
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

export function sysMremap(c: SyscallContext, oldAddr: number, oldLen: number, newLen: number, flags: number, newAddr: number): number {
  return doMremap(c.mm, oldAddr, oldLen, newLen, flags, newAddr);
}

export function sysNoop(): number {
  return 0;
}
