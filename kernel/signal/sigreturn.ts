// sigreturn and rt_sigreturn for i386 (arch/x86/kernel/signal_32.c: sys_sigreturn,
// sys_rt_sigreturn, ia32_restore_sigcontext; kernel/signal.c: restore_altstack): the
// handler's return path reads back the frame setupFrame/setupRtFrame wrote, with whatever
// the handler changed in it.
//
// For the syscall layer:
//  - the handlers return the restored EAX, so the dispatcher's write of EAX keeps it;
//  - a sigreturn is never restarted (Linux sets orig_eax = -1): a restored EAX that looks
//    like -ERESTARTSYS etc. is the interrupted program's value, not a restart request. The
//    dispatcher must skip restart handling for the numbers in SIGRETURN_NO_RESTART;
//  - a bad frame forces SIGSEGV (signal_fault → force_sig): forceSig below unblocks and
//    un-ignores it as force_sig_info does, then sends it with c.sendSignal(SIGSEGV,
//    SI_KERNEL); the return value is then 0.
import type { Cpu } from '../../src/cpu/cpu.js';
import { CPU_FAULT } from '../../src/cpu/cpu.js';
import { checkReturnTarget } from '../../src/cpu/ops/farTransfer.js';
import {
  AC, AF, CF, DF, DS, EAX, EBP, EBX, ECX, EDI, EDX, ES, ESI, ESP, FS, GS, OF, PF, RF, SF, TF,
  USER_CS, USER_DS, ZF,
} from '../../src/cpu/registers.js';
import type { Mm } from '../mm/mmStruct.js';
import { copyFromUser, getUser32, USER_FAULT } from '../mm/uaccess.js';
import type { SyscallContext } from '../syscalls/types.js';
import { fpuRestoreSig } from './fpuSignal.js';
import {
  NR_rt_sigreturn, NR_sigreturn, RT_UC, SC_AX, SC_BP, SC_BX, SC_CS, SC_CX, SC_DI, SC_DS, SC_DX, SC_ES,
  SC_FLAGS, SC_FPSTATE, SC_FS, SC_GS, SC_IP, SC_OLDMASK, SC_SI, SC_SP, SC_SS, SF_EXTRAMASK, SF_SC,
  SIGCONTEXT_SIZE, UC_MCONTEXT, UC_SIGMASK, UC_STACK,
} from './frameLayout.js';
import { SI_KERNEL, SIG_DFL, SIG_IGN, sigbit, SIGILL, SIGSEGV, UNBLOCKABLE } from './signal.js';
import { restoreAltstack } from './altstack.js';

/** Syscalls whose return must not go through syscall restart (orig_eax = -1 after them). */
export const SIGRETURN_NO_RESTART: ReadonlySet<number> = new Set([NR_sigreturn, NR_rt_sigreturn]);

/** EFLAGS bits a signal frame may change (FIX_EFLAGS, with RF on 32-bit). */
export const FIX_EFLAGS = AC | OF | DF | TF | SF | ZF | AF | PF | CF | RF;

const ILL_BADSTK = 8;

/**
 * force_sig: delivers sig even if the task blocks or ignores it (the action goes back to
 * SIG_DFL then, and a blocked signal is unblocked), through the context's sendSignal.
 */
export function forceSig(c: SyscallContext, sig: number, code: number): void {
  const s = c.task.signal;
  const act = s.actions[sig];
  const blocked = (s.blocked & sigbit(sig)) !== 0n;
  if (blocked || act.handler === SIG_IGN) {
    act.handler = SIG_DFL;
    if (blocked) s.blocked &= ~sigbit(sig);
  }
  c.sendSignal(sig, code);
}

/** A CPL-3 selector load with cpu.loadSegment's checks; false instead of #GP. */
export function trySegment(cpu: Cpu, seg: number, sel: number): boolean {
  const reason = cpu.stopReason, vector = cpu.trapVector;
  try {
    return cpu.loadSegment(seg, sel);
  } catch (e) {
    if (e !== CPU_FAULT) throw e;
    cpu.stopReason = reason;
    cpu.trapVector = vector;
    return false;
  }
}

/**
 * Whether the return IRET accepts CS:EIP = sel:eip (the far-return checks: __USER_CS, or an LDT
 * code segment at DPL 3 holding eip within its limit, a 16-bit one included).
 */
function returnCsOk(cpu: Cpu, sel: number, eip: number): boolean {
  const reason = cpu.stopReason, vector = cpu.trapVector, err = cpu.errorCode;
  try {
    checkReturnTarget(cpu, sel, eip);
    return true;
  } catch (e) {
    if (e !== CPU_FAULT) throw e;
    cpu.stopReason = reason;
    cpu.trapVector = vector;
    cpu.errorCode = err;
    return false;
  }
}

type Restored = 'ok' | 'badframe' | 'badiret';

/**
 * ia32_restore_sigcontext from the sigcontext at sc. GS is loaded as loadsegment does (a
 * bad selector becomes 0); DS/ES/FS go back through the exit path's segment pops, which
 * also load 0 for a bad selector; CS (| 3) must pass the return IRET's checks (__USER_CS, or
 * an LDT code segment such as a 16-bit one the signal interrupted, which is entered again with
 * its base, size and limit) and SS (| 3) be the flat user selector, or the IRET faults (Linux:
 * SIGILL, ILL_BADSTK). Only FIX_EFLAGS bits are taken.
 */
function restoreSigcontext(cpu: Cpu, mm: Mm, sc: number): Restored {
  const b = copyFromUser(mm, sc, SIGCONTEXT_SIZE);
  const dv = new DataView(b.buffer);
  const u = (off: number) => dv.getInt32(off, true);
  for (const [seg, off] of [[GS, SC_GS], [FS, SC_FS], [ES, SC_ES], [DS, SC_DS]]) {
    if (!trySegment(cpu, seg, u(off) & 0xffff)) trySegment(cpu, seg, 0);
  }
  const r = cpu.regs;
  r[EDI] = u(SC_DI); r[ESI] = u(SC_SI); r[EBP] = u(SC_BP); r[ESP] = u(SC_SP);
  r[EBX] = u(SC_BX); r[EDX] = u(SC_DX); r[ECX] = u(SC_CX); r[EAX] = u(SC_AX);
  cpu.eip = u(SC_IP);
  cpu.setEflags((cpu.getEflags() & ~FIX_EFLAGS) | (u(SC_FLAGS) & FIX_EFLAGS));
  const cs = (u(SC_CS) | 3) & 0xffff, ss = (u(SC_SS) | 3) & 0xffff;
  const iretOk = (cs === USER_CS || returnCsOk(cpu, cs, cpu.eip)) && ss === USER_DS;
  if (iretOk) cpu.setCodeSegment(cs);
  if (!fpuRestoreSig(cpu, mm, u(SC_FPSTATE))) return 'badframe';
  return iretOk ? 'ok' : 'badiret';
}

/** set_current_blocked: the new mask without SIGKILL and SIGSTOP. */
function setCurrentBlocked(c: SyscallContext, set: bigint): void {
  c.task.signal.blocked = set & ~UNBLOCKABLE;
}

/** After a failed frame or IRET: the signal, and the syscall's return value 0 as Linux's. */
function finish(c: SyscallContext, how: Restored): number {
  if (how === 'badframe') {
    forceSig(c, SIGSEGV, SI_KERNEL);
    return 0;
  }
  if (how === 'badiret') forceSig(c, SIGILL, ILL_BADSTK);
  return c.cpu.regs[EAX];
}

/** sigreturn (119): the frame is at ESP - 8 (the handler's RET and the retcode's POP took 8). */
export function sysSigreturn(c: SyscallContext): number {
  const { cpu, mm } = c;
  const frame = (cpu.regs[ESP] - 8) >>> 0;
  let how: Restored;
  try {
    const lo = BigInt(getUser32(mm, frame + SF_SC + SC_OLDMASK) >>> 0);
    const hi = BigInt(getUser32(mm, frame + SF_EXTRAMASK) >>> 0);
    setCurrentBlocked(c, (hi << 32n) | lo);
    how = restoreSigcontext(cpu, mm, frame + SF_SC);
  } catch (e) {
    if (e !== USER_FAULT) throw e;
    how = 'badframe';
  }
  return finish(c, how);
}

/** rt_sigreturn (173): the frame is at ESP - 4 (the handler's RET took pretcode). */
export function sysRtSigreturn(c: SyscallContext): number {
  const { cpu, mm } = c;
  const frame = (cpu.regs[ESP] - 4) >>> 0;
  let how: Restored;
  try {
    const lo = BigInt(getUser32(mm, frame + RT_UC + UC_SIGMASK) >>> 0);
    const hi = BigInt(getUser32(mm, frame + RT_UC + UC_SIGMASK + 4) >>> 0);
    setCurrentBlocked(c, (hi << 32n) | lo);
    how = restoreSigcontext(cpu, mm, frame + RT_UC + UC_MCONTEXT);
    if (how !== 'badframe') restoreAltstack(mm, c.task.signal.altStack, frame + RT_UC + UC_STACK, cpu.regs[ESP]);
  } catch (e) {
    if (e !== USER_FAULT) throw e;
    how = 'badframe';
  }
  return finish(c, how);
}
