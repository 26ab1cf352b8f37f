// The SYSENTER system-call entry (Linux's entry_SYSENTER_compat and do_fast_syscall_32).
// SYSENTER keeps neither a return address nor the user stack pointer, so it only works through
// the vDSO's __kernel_vsyscall, which pushed ECX, EDX and EBP and copied ESP to EBP: the kernel
// takes the user stack from EBP, reloads EBP (the sixth argument) from where the vDSO stashed
// it, and returns to the vDSO's int80 landing pad, which pops the three registers and returns.
// The call then runs as through `int $0x80`, and a restart (EIP - 2) re-runs the `int $0x80`
// that precedes the landing pad. Without a vDSO there is nowhere to return: SIGSEGV (trap.ts).
import { EAX, EBP, ESP, USER_CS } from '../src/cpu/registers.js';
import { EFAULT } from './errno.js';
import { VDSO_NAME } from './exec/vdso.js';
import { vdsoLandingPadOffset } from './exec/vdsoImage.js';
import type { Kernel } from './kernel.js';
import { getUser32, USER_FAULT } from './mm/uaccess.js';
import type { Task } from './proc/task.js';

/**
 * Sets up the registers of a SYSENTER as Linux does before the system call. 'syscall': run it
 * now; 'efault': the stashed EBP was unreadable, EAX is -EFAULT (no call); 'no-vdso': fault it.
 */
export function sysenterEntry(k: Kernel, t: Task): 'syscall' | 'efault' | 'no-vdso' {
  const vdso = t.mm.vmas.find((v) => v.file?.path === VDSO_NAME && v.pgoff === 0);
  if (vdso === undefined) return 'no-vdso';
  const r = k.cpu.regs;
  r[ESP] = r[EBP];
  k.cpu.eip = (vdso.start + vdsoLandingPadOffset()) | 0;
  k.cpu.setCodeSegment(USER_CS); // SYSEXIT returns to the flat __USER_CS, whatever CS entered
  try {
    r[EBP] = getUser32(t.mm, r[ESP] >>> 0);
  } catch (e) {
    if (e !== USER_FAULT) throw e;
    r[EAX] = -EFAULT;
    return 'efault';
  }
  return 'syscall';
}
