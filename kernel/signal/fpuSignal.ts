// The x87/SSE state in i386 signal frames (arch/x86/kernel/fpu/signal.c for a 32-bit kernel
// on an FXSR CPU without XSAVE, which is what CPUID reports): the math frame is a
// struct fregs_state (the FNSAVE-format copy legacy code reads) followed by the FXSAVE image.
import type { Cpu } from '../../src/cpu/cpu.js';
import { FREGS_STATE_SIZE, FXSAVE_SIZE } from '../../src/cpu/fpu/fpu.js';
import type { Mm } from '../mm/mmStruct.js';
import { copyFromUser, copyToUser, USER_FAULT } from '../mm/uaccess.js';
import { FPSTATE_SIZE } from './frameLayout.js';

/** MXCSR_DEFAULT: all exceptions masked, round to nearest. */
const MXCSR_DEFAULT = 0x1f80;

/**
 * Where fpu__alloc_mathframe puts the math frame below sp: the FXSAVE image 64-byte aligned,
 * the fregs_state right below it. Returns the frame's start (the sigcontext's fpstate).
 */
export function fpuAllocMathframe(sp: number): number {
  const bufFx = ((sp - FXSAVE_SIZE) & ~63) >>> 0;
  return (bufFx - FREGS_STATE_SIZE) >>> 0;
}

/**
 * copy_fpstate_to_sigframe: writes the fregs_state header and the FXSAVE image at fpstate
 * (throws USER_FAULT). The image's bytes FXSAVE does not write (288..511, which include the
 * sw_reserved words XSAVE kernels fill) are zero: without XSAVE there is no FP_XSTATE_MAGIC1.
 */
export function copyFpstateToSigframe(cpu: Cpu, mm: Mm, fpstate: number): void {
  const buf = new Uint8Array(FPSTATE_SIZE);
  const dv = new DataView(buf.buffer);
  cpu.fpu.fsaveHeaderTo(dv, 0);
  cpu.fpu.fxsaveTo(dv, FREGS_STATE_SIZE, cpu.sse.mxcsr, cpu.sse.xmm);
  copyToUser(mm, fpstate, buf);
}

/**
 * fpu__clear_user_states: the init state a handler starts with (and a sigreturn without
 * fpstate, or with a bad one, leaves): FNINIT's control/status/tags, every x87 register and
 * XMM register zero, MXCSR_DEFAULT.
 */
export function fpuClearUserStates(cpu: Cpu): void {
  const f = cpu.fpu;
  f.reset();
  f.se.fill(0);
  f.hi.fill(0);
  f.lo.fill(0);
  cpu.sse.mxcsr = MXCSR_DEFAULT;
  cpu.sse.xmm.fill(0);
}

/**
 * fpu__restore_sig for an ia32 frame: buf 0 reinitialises; otherwise the FXSAVE image at
 * buf + 112 is loaded (a reserved MXCSR bit rejects it) and then the fregs_state header's
 * x87 part is folded over it (convert_to_fxsr), so edits to either copy of the registers take
 * effect. On failure the state is reinitialised and false returned (the caller's SIGSEGV).
 */
export function fpuRestoreSig(cpu: Cpu, mm: Mm, buf: number): boolean {
  if (buf === 0) {
    fpuClearUserStates(cpu);
    return true;
  }
  let bytes: Uint8Array;
  try {
    bytes = copyFromUser(mm, buf, FPSTATE_SIZE);
  } catch (e) {
    if (e !== USER_FAULT) throw e;
    fpuClearUserStates(cpu);
    return false;
  }
  const dv = new DataView(bytes.buffer);
  if (!cpu.fpu.fxrstorFrom(dv, FREGS_STATE_SIZE, cpu.sse)) {
    fpuClearUserStates(cpu);
    return false;
  }
  cpu.fpu.fsaveHeaderFrom(dv, 0);
  return true;
}
