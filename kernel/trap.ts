// CPU exceptions become signals, as arch/x86/kernel/traps.c and mm/fault.c decide: #PF goes to
// handleMmFault (demand paging, stack growth, copy-on-write) and only then to SIGSEGV/SIGBUS;
// #UD → SIGILL, #DE → SIGFPE/FPE_INTDIV, #MF/#XM → SIGFPE with the exception's code, #GP and
// stray INT n → SIGSEGV, INT3 → SIGTRAP/TRAP_BRKPT, a single-step trap → SIGTRAP/TRAP_TRACE.
import { Stop } from '../src/cpu/stop.js';
import type { Kernel } from './kernel.js';
import { handleMmFault } from './mm/fault.js';
import type { Task } from './proc/task.js';
import { forceSig } from './signal/deliver.js';
import {
  BUS_ADRERR, fpuExceptionCode, FPE_INTDIV, ILL_ILLOPN, makeSigInfo, SEGV_ACCERR, SEGV_MAPERR, SI_KERNEL,
  SIGBUS, SIGFPE, SIGILL, SIGKILL, SIGSEGV, SIGTRAP, TRAP_TRACE,
} from './signal/signal.js';

/** Forces a synchronous signal on t, recording the trap for the sigcontext and the diagnostic. */
export function forceSigFault(k: Kernel, t: Task, sig: number, code: number, addr: number | null, eip: number,
  trapno: number, err: number, note?: string): void {
  t.trapno = trapno;
  t.trapErr = err;
  if (trapno === 14 && addr !== null) t.trapCr2 = addr;
  k.noteFault(t, sig, code, addr, eip, note);
  forceSig(t, makeSigInfo(sig, code, { addr: addr ?? 0 }), k);
}

function describeOpcode(k: Kernel, eip: number): string {
  const bytes: string[] = [];
  for (let i = 0; i < 8; i++) {
    const p = k.mmu.walk((eip + i) | 0, false);
    if (p < 0) break;
    bytes.push(k.mem.bytes[p].toString(16).padStart(2, '0'));
  }
  return `invalid or unimplemented instruction (bytes ${bytes.join(' ')})`;
}

export function handleTrap(k: Kernel, t: Task, stop: Stop): void {
  const cpu = k.cpu;
  switch (stop) {
    case Stop.Interrupt:
      forceSigFault(k, t, SIGSEGV, SI_KERNEL, null, cpu.prevEip, 13, (cpu.trapVector << 3) | 2,
        `int 0x${cpu.trapVector.toString(16)}: no such interrupt gate for user mode`);
      return;
    case Stop.Sysenter:
      forceSigFault(k, t, SIGSEGV, SI_KERNEL, null, cpu.prevEip, 13, 0, 'sysenter with no vDSO to return to (use int 0x80)');
      return;
    case Stop.PageFault: {
      const addr = k.mmu.cr2 >>> 0;
      const err = k.mmu.faultCode;
      const r = handleMmFault(t.mm, addr, err);
      if (r === 'ok') return;
      if (r === 'sigbus') forceSigFault(k, t, SIGBUS, BUS_ADRERR, addr, cpu.eip, 14, err, 'access beyond the end of a mapped file');
      else if (r === 'oom') forceSigFault(k, t, SIGKILL, SI_KERNEL, addr, cpu.eip, 14, err, 'out of guest physical memory');
      else forceSigFault(k, t, SIGSEGV, r === 'segv-maperr' ? SEGV_MAPERR : SEGV_ACCERR, addr, cpu.eip, 14, err);
      return;
    }
    case Stop.InvalidOpcode:
      forceSigFault(k, t, SIGILL, ILL_ILLOPN, cpu.eip, cpu.eip, 6, 0, describeOpcode(k, cpu.eip));
      return;
    case Stop.DivideError:
      forceSigFault(k, t, SIGFPE, FPE_INTDIV, cpu.eip, cpu.eip, 0, 0);
      return;
    case Stop.FloatingPoint:
      forceSigFault(k, t, SIGFPE, fpuExceptionCode(cpu.trapVector, cpu.fpu.cw, cpu.fpu.getSw(), cpu.sse.mxcsr), cpu.eip, cpu.eip, cpu.trapVector, 0);
      return;
    case Stop.GeneralProtection:
      forceSigFault(k, t, SIGSEGV, SI_KERNEL, 0, cpu.eip, 13, 0, 'general protection fault');
      return;
    case Stop.Breakpoint:
      // do_int3_user → do_trap → force_sig: si_code SI_KERNEL, no address.
      forceSigFault(k, t, SIGTRAP, SI_KERNEL, null, cpu.prevEip, 3, 0, 'int3 breakpoint');
      return;
    case Stop.Trap:
      forceSigFault(k, t, SIGSEGV, SI_KERNEL, null, cpu.prevEip, cpu.trapVector, 0, cpu.trapVector === 4 ? 'INTO overflow trap' : 'BOUND range exceeded');
      return;
    default:
      if (stop === Stop.SingleStep) forceSigFault(k, t, SIGTRAP, TRAP_TRACE, cpu.eip, cpu.eip, 1, 0, 'single-step trap (EFLAGS.TF)');
  }
}
