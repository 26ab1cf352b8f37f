// Byte layouts of the i386 signal frames (arch/x86/include/asm/sigframe.h,
// arch/x86/include/uapi/asm/sigcontext.h, ucontext.h, for a native 32-bit kernel where
// sigframe_ia32 is struct sigframe and rt_sigframe_ia32 is struct rt_sigframe), and the
// syscall numbers and flags the frames need.
import { FREGS_STATE_SIZE, FXSAVE_SIZE } from '../../src/cpu/fpu/fpu.js';
import { SIGINFO_SIZE } from './siginfo.js';

export const NR_sigreturn = 119, NR_rt_sigreturn = 173;

/** stack_t flag bit: disarm the alternate stack while a handler runs on it. */
export const SS_AUTODISARM = 0x80000000 | 0;
export const SS_FLAG_BITS = SS_AUTODISARM;

// struct sigcontext_32: segment words (16-bit selector + padding), the eight registers in
// POPA order reversed, trap number, error code, EIP, CS, EFLAGS, ESP, SS, fpstate, oldmask, cr2.
export const SC_GS = 0, SC_FS = 4, SC_ES = 8, SC_DS = 12;
export const SC_DI = 16, SC_SI = 20, SC_BP = 24, SC_SP = 28, SC_BX = 32, SC_DX = 36, SC_CX = 40, SC_AX = 44;
export const SC_TRAPNO = 48, SC_ERR = 52, SC_IP = 56, SC_CS = 60, SC_FLAGS = 64, SC_SP_AT_SIGNAL = 68;
export const SC_SS = 72, SC_FPSTATE = 76, SC_OLDMASK = 80, SC_CR2 = 84;
export const SIGCONTEXT_SIZE = 88;

/** struct _fpstate_32: fregs_state, then the FXSAVE image (whose bytes 464..511 are sw_reserved). */
export const FPSTATE_SIZE = FREGS_STATE_SIZE + FXSAVE_SIZE; // 624

// struct sigframe_ia32 (the non-RT frame).
export const SF_PRETCODE = 0, SF_SIG = 4, SF_SC = 8;
export const SF_FPSTATE_UNUSED = SF_SC + SIGCONTEXT_SIZE; // 96
export const SF_EXTRAMASK = SF_FPSTATE_UNUSED + FPSTATE_SIZE; // 720
export const SF_RETCODE = SF_EXTRAMASK + 4; // 724
export const SIGFRAME_SIZE = SF_RETCODE + 8; // 732

// struct rt_sigframe_ia32 and its struct ucontext_ia32.
export const RT_PRETCODE = 0, RT_SIG = 4, RT_PINFO = 8, RT_PUC = 12, RT_INFO = 16;
export const RT_UC = RT_INFO + SIGINFO_SIZE; // 144
export const UC_FLAGS = 0, UC_LINK = 4, UC_STACK = 8, UC_MCONTEXT = 20;
export const UC_SIGMASK = UC_MCONTEXT + SIGCONTEXT_SIZE; // 108
export const UCONTEXT_SIZE = UC_SIGMASK + 8; // 116
export const RT_RETCODE = RT_UC + UCONTEXT_SIZE; // 260
export const RT_SIGFRAME_SIZE = RT_RETCODE + 8; // 268
/** stack_t: ss_sp, ss_flags, ss_size. */
export const SS_SP = 0, SS_FLAGS = 4, SS_SIZE = 8;

/** popl %eax; movl $__NR_sigreturn, %eax; int $0x80 (only gdb looks at it; pretcode is used). */
export const SIGRETURN_CODE = [0x58, 0xb8, NR_sigreturn, 0, 0, 0, 0xcd, 0x80];
/** movl $__NR_rt_sigreturn, %eax; int $0x80; pad. */
export const RT_SIGRETURN_CODE = [0xb8, NR_rt_sigreturn, 0, 0, 0, 0xcd, 0x80, 0];
