// The alternate signal stack as signal delivery and return see it (kernel/signal.c and
// include/linux/sched/signal.h: on_sig_stack, sas_ss_flags, sas_ss_reset, restore_altstack).
import type { Mm } from '../mm/mmStruct.js';
import { getUser32 } from '../mm/uaccess.js';
import { SS_FLAG_BITS, SS_AUTODISARM, SS_FLAGS, SS_SIZE, SS_SP } from './frameLayout.js';
import { MINSIGSTKSZ, SS_DISABLE, SS_ONSTACK } from './signal.js';

/** The task's sigaltstack (sas_ss_sp, sas_ss_flags, sas_ss_size; SignalState.altStack fits). */
export interface AltStack {
  sp: number;
  flags: number;
  size: number;
}

/** __on_sig_stack: sp is within (ss_sp, ss_sp + ss_size] (the stack grows down). */
export function onSigStackRange(alt: AltStack, sp: number): boolean {
  return sp >>> 0 > alt.sp >>> 0 && ((sp - alt.sp) >>> 0) <= alt.size >>> 0;
}

/** on_sig_stack: an SS_AUTODISARM stack never counts as in use (a handler may switch away). */
export function onSigStack(alt: AltStack, sp: number): boolean {
  if (alt.flags & SS_AUTODISARM) return false;
  return onSigStackRange(alt, sp);
}

/** sas_ss_flags: SS_DISABLE without a stack, SS_ONSTACK while sp is on it, else 0. */
export function sasSsFlags(alt: AltStack, sp: number): number {
  if (!alt.size) return SS_DISABLE;
  return onSigStack(alt, sp) ? SS_ONSTACK : 0;
}

/** sas_ss_reset: no alternate stack. */
export function sasSsReset(alt: AltStack): void {
  alt.sp = 0;
  alt.size = 0;
  alt.flags = SS_DISABLE;
}

/**
 * restore_altstack: do_sigaltstack with the stack_t at uss and the restored ESP. Only a fault
 * reading uss fails (USER_FAULT); the other errors (on the alternate stack, bad mode, too
 * small) are ignored as Linux ignores them.
 */
export function restoreAltstack(mm: Mm, alt: AltStack, uss: number, sp: number): void {
  const ssSp = getUser32(mm, uss + SS_SP) >>> 0;
  const ssFlags = getUser32(mm, uss + SS_FLAGS);
  const ssSize = getUser32(mm, uss + SS_SIZE) >>> 0;
  if (onSigStack(alt, sp)) return; // -EPERM
  const mode = ssFlags & ~SS_FLAG_BITS;
  if (mode !== SS_DISABLE && mode !== SS_ONSTACK && mode !== 0) return; // -EINVAL
  if (mode === SS_DISABLE) {
    alt.sp = 0;
    alt.size = 0;
  } else {
    if (ssSize < MINSIGSTKSZ) return; // -ENOMEM
    alt.sp = ssSp;
    alt.size = ssSize;
  }
  alt.flags = ssFlags;
}
