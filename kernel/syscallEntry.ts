// The system call entry (int 0x80): dispatch through the table, strace lines (with the TID once
// there is more than one task), and Linux's restart protocol for calls that sleep: a handler
// that blocks returns BLOCKED, EIP is rewound onto the int 0x80 with EAX = orig_eax, and the
// call runs again from the start when the task wakes (or returns EINTR if a handler interrupts it).
import { EAX, EBP, EBX, ECX, EDI, EDX, ESI } from '../src/cpu/registers.js';
import { EINTR, ENOSYS } from './errno.js';
import type { Kernel } from './kernel.js';
import type { Task } from './proc/task.js';
import { invokeSyscall } from './syscalls/dispatch.js';
import { syscallName } from './syscalls/names.js';
import { formatInputs, formatSyscall } from './syscalls/strace.js';
import { SYSCALL_TABLE } from './syscalls/table.js';

/** What a handler returns after putting the task to sleep (never reaches the guest). */
export const BLOCKED = -0x7fff0001;

export interface SyscallTracer {
  write: ((line: string) => void) | null;
  /** More than one task has existed: lines carry the TID. */
  multi: boolean;
  /** The fatal signal's "--- SIG... ---" line has been traced. */
  faultTraced: boolean;
}

export function doSyscall(k: Kernel, t: Task): void {
  const cpu = k.cpu;
  const r = cpu.regs;
  const nr = r[EAX];
  const a0 = r[EBX], a1 = r[ECX], a2 = r[EDX], a3 = r[ESI], a4 = r[EDI], a5 = r[EBP];
  const row = nr >= 0 ? SYSCALL_TABLE[nr] : undefined;
  const name = row?.name ?? syscallName(nr);
  if (t.restart !== null && t.restart.nr !== nr) t.restart = null;
  const rerun = t.restart !== null;
  k.syscallCount++;
  k.straceNote = null;
  k.currentNr = nr;
  const w = k.tracer.write;
  const prefix = w !== null ? k.tracePrefix(t) : '';
  const before = w !== null ? formatInputs(t.mm, row, [a0, a1, a2, a3, a4, a5]) : null;
  const ret = row === undefined ? -ENOSYS : invokeSyscall(row.handler, k, name, a0, a1, a2, a3, a4, a5);
  if (ret === BLOCKED) {
    r[EAX] = nr;
    cpu.eip = (cpu.eip - 2) | 0;
    if (w !== null && !rerun) {
      // strace's "<unfinished ...>": the call with its input arguments, before it sleeps.
      const line = formatSyscall({ mm: t.mm, row, name, args: [a0, a1, a2, a3, a4, a5], ret: -EINTR, before: before!, note: null, exited: false });
      const cut = line.lastIndexOf(') = ');
      w(`${prefix}${cut >= 0 ? line.slice(0, cut) : line} <unfinished ...>`);
    }
    return;
  }
  t.restart = null;
  // A task that exec'd has new registers; one that exited has none to write.
  const exited = t.exited || k.task !== t;
  if (!exited) r[EAX] = ret | 0;
  if (w !== null) {
    const cur = k.sched.current ?? t;
    w(prefix + formatSyscall({
      // A call that raised a fatal signal returned before the signal was delivered (like strace shows).
      mm: cur.mm.pgd !== 0 ? cur.mm : t.mm, row, name, args: [a0, a1, a2, a3, a4, a5], ret: ret | 0, before: before!, note: k.straceNote,
      exited: t.exited && t.termSignal === 0,
    }));
  }
}
