// Building the i386 signal frames on the user stack (arch/x86/kernel/signal_32.c:
// ia32_setup_rt_frame, ia32_setup_frame; arch/x86/kernel/signal.c: get_sigframe and the
// register changes of handle_signal) for the task that is on the CPU. sigreturn and
// rt_sigreturn live in sigreturn.ts and are re-exported here.
import type { Cpu } from '../../src/cpu/cpu.js';
import { CS, DF, DS, EAX, EBP, EBX, ECX, EDI, EDX, ES, ESI, ESP, FS, GS, RF, SS, TF, USER_CS, USER_DS } from '../../src/cpu/registers.js';
import type { Mm } from '../mm/mmStruct.js';
import { copyToUser, USER_FAULT } from '../mm/uaccess.js';
import { copyFpstateToSigframe, fpuAllocMathframe, fpuClearUserStates } from './fpuSignal.js';
import {
  RT_INFO, RT_PINFO, RT_PRETCODE, RT_PUC, RT_RETCODE, RT_SIG, RT_SIGFRAME_SIZE, RT_SIGRETURN_CODE, RT_UC,
  SC_AX, SC_BP, SC_BX, SC_CR2, SC_CS, SC_CX, SC_DI, SC_DS, SC_DX, SC_ERR, SC_ES, SC_FLAGS, SC_FPSTATE,
  SC_FS, SC_GS, SC_IP, SC_OLDMASK, SC_SI, SC_SP, SC_SP_AT_SIGNAL, SC_SS, SC_TRAPNO, SF_EXTRAMASK,
  SF_PRETCODE, SF_RETCODE, SF_SC, SF_SIG, SIGFRAME_SIZE, SIGRETURN_CODE, SS_AUTODISARM, SS_FLAGS,
  SS_SIZE, SS_SP, UC_FLAGS, UC_LINK, UC_MCONTEXT, UC_SIGMASK, UC_STACK,
} from './frameLayout.js';
import { writeSiginfo, type SigInfo } from './siginfo.js';
import { SA_ONSTACK, SA_RESTORER } from './signal.js';
import { vdsoSymbolAddress } from '../exec/vdso.js';
import { onSigStack, onSigStackRange, sasSsFlags, sasSsReset, type AltStack } from './altstack.js';

export type { SigInfo, SigInfoFields } from './siginfo.js';
export { writeSiginfo, SIGINFO_SIZE } from './siginfo.js';
export { sysSigreturn, sysRtSigreturn, SIGRETURN_NO_RESTART } from './sigreturn.js';
export type { AltStack } from './altstack.js';

/** The handler's struct k_sigaction (SignalState.actions[sig] fits). */
export interface FrameAction {
  handler: number;
  flags: number;
  restorer: number;
  mask: bigint;
}

/** thread.trap_nr, thread.error_code and thread.cr2: the task's last trap (0s if none). */
export interface TrapInfo {
  trapno: number;
  err: number;
  cr2: number;
}

/**
 * get_sigframe: the frame's address, and the math frame's (fpstate) above it, or null when an
 * alternate stack would overflow. The stack is the current ESP, or the top of the alternate
 * stack for an SA_ONSTACK handler not already running on it. (The legacy stack switch to
 * sa_restorer needs an SS other than __USER_DS, which this CPU never has.)
 */
export function getSigframe(cpu: Cpu, act: FrameAction, alt: AltStack, frameSize: number): { frame: number; fpstate: number } | null {
  let sp = cpu.regs[ESP] >>> 0;
  const nested = onSigStack(alt, sp);
  let entering = false;
  if ((act.flags & SA_ONSTACK) !== 0 && sasSsFlags(alt, sp) === 0) {
    sp = (alt.sp + alt.size) >>> 0;
    entering = true;
  }
  const fpstate = fpuAllocMathframe(sp);
  // align_sigframe: ((sp + 4) & 15) == 0 at the handler's entry, as after a CALL.
  const frame = ((((fpstate - frameSize + 4) & ~15) >>> 0) - 4) >>> 0;
  if ((nested || entering) && !onSigStackRange(alt, frame)) return null;
  return { frame, fpstate };
}

/** unsafe_put_sigcontext: the interrupted registers at buf[off..off+88]. */
function putSigcontext(cpu: Cpu, dv: DataView, off: number, fpstate: number, oldmask: number, trap: TrapInfo): void {
  const r = cpu.regs;
  dv.setUint32(off + SC_GS, cpu.segSel[GS], true);
  dv.setUint32(off + SC_FS, cpu.segSel[FS], true);
  dv.setUint32(off + SC_ES, cpu.segSel[ES], true);
  dv.setUint32(off + SC_DS, cpu.segSel[DS], true);
  dv.setInt32(off + SC_DI, r[EDI], true);
  dv.setInt32(off + SC_SI, r[ESI], true);
  dv.setInt32(off + SC_BP, r[EBP], true);
  dv.setInt32(off + SC_SP, r[ESP], true);
  dv.setInt32(off + SC_BX, r[EBX], true);
  dv.setInt32(off + SC_DX, r[EDX], true);
  dv.setInt32(off + SC_CX, r[ECX], true);
  dv.setInt32(off + SC_AX, r[EAX], true);
  dv.setInt32(off + SC_TRAPNO, trap.trapno, true);
  dv.setInt32(off + SC_ERR, trap.err, true);
  dv.setInt32(off + SC_IP, cpu.eip, true);
  dv.setUint32(off + SC_CS, cpu.segSel[CS], true);
  dv.setInt32(off + SC_FLAGS, cpu.getEflags(), true);
  dv.setInt32(off + SC_SP_AT_SIGNAL, r[ESP], true);
  dv.setUint32(off + SC_SS, cpu.segSel[SS], true);
  dv.setInt32(off + SC_FPSTATE, fpstate, true);
  dv.setInt32(off + SC_OLDMASK, oldmask, true);
  dv.setInt32(off + SC_CR2, trap.cr2, true);
}

/**
 * What setup_rt_frame/setup_frame and then handle_signal do to the registers: ESP at the
 * frame, EIP at the handler, EAX/EDX/ECX for -mregparm=3 handlers, DS/ES/CS/SS the flat user
 * selectors (FS and GS, the TLS, stay), DF, RF and TF cleared, the FPU in its init state.
 */
function enterHandler(cpu: Cpu, frame: number, act: FrameAction, sig: number, dx: number, cx: number): void {
  const r = cpu.regs;
  r[ESP] = frame | 0;
  cpu.eip = act.handler | 0;
  r[EAX] = sig;
  r[EDX] = dx | 0;
  r[ECX] = cx | 0;
  for (const seg of [DS, ES, SS]) {
    cpu.segSel[seg] = USER_DS;
    cpu.segBase[seg] = 0;
    cpu.clearSegLimit(seg);
  }
  cpu.setCodeSegment(USER_CS); // flat and 32-bit, whatever segment the signal interrupted
  cpu.materializeFlags();
  cpu.flags &= ~(DF | RF | TF);
  fpuClearUserStates(cpu);
}

/**
 * ia32_setup_rt_frame (an SA_SIGINFO handler): writes the math frame and struct
 * rt_sigframe_ia32 {pretcode, sig, pinfo, puc, siginfo, ucontext, retcode} and enters the
 * handler with EAX = sig, EDX = &info, ECX = &uc. `blocked` is the mask to restore on return
 * (sigmask_to_save). pretcode is sa_restorer under SA_RESTORER, else the vDSO's
 * __kernel_rt_sigreturn, else (no vDSO) the frame's retcode. An SS_AUTODISARM alternate stack is saved into uc_stack and then reset
 * (alt is modified: sp 0, size 0, flags SS_DISABLE), as __save_altstack does.
 * Returns false, with the registers untouched, when the frame cannot be written (bad
 * stack or alternate stack overflow): the caller forces SIGSEGV (force_sigsegv). The caller
 * also does signal_delivered's part: blocked |= act.mask | (SA_NODEFER ? 0 : sig).
 */
export function setupRtFrame(cpu: Cpu, mm: Mm, sig: number, info: SigInfo, act: FrameAction, blocked: bigint,
  alt: AltStack, trap: TrapInfo): boolean {
  const at = getSigframe(cpu, act, alt, RT_SIGFRAME_SIZE);
  if (at === null) return false;
  const { frame, fpstate } = at;
  const buf = new Uint8Array(RT_SIGFRAME_SIZE);
  const dv = new DataView(buf.buffer);
  const retcode = (frame + RT_RETCODE) >>> 0;
  dv.setInt32(RT_PRETCODE, act.flags & SA_RESTORER ? act.restorer : vdsoSymbolAddress(mm, '__kernel_rt_sigreturn') ?? retcode, true);
  dv.setInt32(RT_SIG, sig, true);
  dv.setInt32(RT_PINFO, frame + RT_INFO, true);
  dv.setInt32(RT_PUC, frame + RT_UC, true);
  writeSiginfo(buf.subarray(RT_INFO), info);
  dv.setInt32(RT_UC + UC_FLAGS, 0, true); // UC_FP_XSTATE only with XSAVE
  dv.setInt32(RT_UC + UC_LINK, 0, true);
  dv.setInt32(RT_UC + UC_STACK + SS_SP, alt.sp, true);
  dv.setInt32(RT_UC + UC_STACK + SS_FLAGS, alt.flags, true);
  dv.setInt32(RT_UC + UC_STACK + SS_SIZE, alt.size, true);
  putSigcontext(cpu, dv, RT_UC + UC_MCONTEXT, fpstate, Number(BigInt.asIntN(32, blocked)), trap);
  dv.setBigUint64(RT_UC + UC_SIGMASK, BigInt.asUintN(64, blocked), true);
  buf.set(RT_SIGRETURN_CODE, RT_RETCODE);
  if (!writeFrame(cpu, mm, fpstate, frame, buf)) return false;
  if (alt.flags & SS_AUTODISARM) sasSsReset(alt);
  enterHandler(cpu, frame, act, sig, frame + RT_INFO, frame + RT_UC);
  return true;
}

/** Writes the math frame and the frame itself; false when the stack cannot take them. */
function writeFrame(cpu: Cpu, mm: Mm, fpstate: number, frame: number, buf: Uint8Array): boolean {
  try {
    copyFpstateToSigframe(cpu, mm, fpstate);
    copyToUser(mm, frame, buf);
    return true;
  } catch (e) {
    if (e !== USER_FAULT) throw e;
    return false;
  }
}

/**
 * ia32_setup_frame (a handler without SA_SIGINFO): writes the math frame and struct
 * sigframe_ia32 {pretcode, sig, sigcontext, fpstate_unused (zero), extramask, retcode} and
 * enters the handler with EAX = sig, EDX = ECX = 0. Otherwise as setupRtFrame (the
 * alternate stack is chosen the same way but not saved, so not disarmed).
 */
export function setupFrame(cpu: Cpu, mm: Mm, sig: number, act: FrameAction, blocked: bigint,
  alt: AltStack, trap: TrapInfo): boolean {
  const at = getSigframe(cpu, act, alt, SIGFRAME_SIZE);
  if (at === null) return false;
  const { frame, fpstate } = at;
  const buf = new Uint8Array(SIGFRAME_SIZE);
  const dv = new DataView(buf.buffer);
  dv.setInt32(SF_PRETCODE, act.flags & SA_RESTORER ? act.restorer : vdsoSymbolAddress(mm, '__kernel_sigreturn') ?? frame + SF_RETCODE, true);
  dv.setInt32(SF_SIG, sig, true);
  putSigcontext(cpu, dv, SF_SC, fpstate, Number(BigInt.asIntN(32, blocked)), trap);
  dv.setInt32(SF_EXTRAMASK, Number(BigInt.asIntN(32, blocked >> 32n)), true);
  buf.set(SIGRETURN_CODE, SF_RETCODE);
  if (!writeFrame(cpu, mm, fpstate, frame, buf)) return false;
  enterHandler(cpu, frame, act, sig, 0, 0);
  return true;
}
