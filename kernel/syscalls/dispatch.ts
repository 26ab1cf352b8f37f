// Calling a system call handler the way the entry code does: a bad user pointer (USER_FAULT
// from uaccess) becomes -EFAULT, an over-long string -ENAMETOOLONG, guest memory exhausted
// even after reclaim (a page table or page directory exec or fork needed) -ENOMEM, and any other exception
// is a kernel bug: reported in one line on stderr, the call fails with -ENOSYS, and the
// emulator keeps running.
import { OutOfFramesError } from '../../src/mmu/physicalMemory.js';
import { EFAULT, ENAMETOOLONG, ENOMEM, ENOSYS } from '../errno.js';
import { USER_FAULT, USER_STRING_TOO_LONG } from '../mm/uaccess.js';
import type { SyscallContext, SyscallHandler } from './types.js';

export function invokeSyscall(handler: SyscallHandler, c: SyscallContext, name: string,
  a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0): number {
  try {
    return handler(c, a0, a1, a2, a3, a4, a5);
  } catch (e) {
    if (e === USER_FAULT) return -EFAULT;
    if (e === USER_STRING_TOO_LONG) return -ENAMETOOLONG;
    if (e instanceof OutOfFramesError) return -ENOMEM;
    process.stderr.write(`i386emu: internal error in syscall ${name}: ${e instanceof Error ? e.message : String(e)}\n`);
    return -ENOSYS;
  }
}
