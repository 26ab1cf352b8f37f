// Signal numbers, names and default actions for i386 Linux (arch/x86/include/uapi/asm/
// signal.h), the per-process handler table (struct k_sigaction as rt_sigaction sees it), the
// blocked and pending sets, and the si_code values of synchronous faults.
export const SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGILL = 4, SIGTRAP = 5, SIGABRT = 6, SIGBUS = 7;
export const SIGFPE = 8, SIGKILL = 9, SIGUSR1 = 10, SIGSEGV = 11, SIGUSR2 = 12, SIGPIPE = 13;
export const SIGALRM = 14, SIGTERM = 15, SIGSTKFLT = 16, SIGCHLD = 17, SIGCONT = 18, SIGSTOP = 19;
export const SIGTSTP = 20, SIGTTIN = 21, SIGTTOU = 22, SIGURG = 23, SIGXCPU = 24, SIGXFSZ = 25;
export const SIGVTALRM = 26, SIGPROF = 27, SIGWINCH = 28, SIGIO = 29, SIGPWR = 30, SIGSYS = 31;
export const SIGRTMIN = 32, NSIG = 64;

const NAMES = ['', 'SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGILL', 'SIGTRAP', 'SIGABRT', 'SIGBUS', 'SIGFPE',
  'SIGKILL', 'SIGUSR1', 'SIGSEGV', 'SIGUSR2', 'SIGPIPE', 'SIGALRM', 'SIGTERM', 'SIGSTKFLT', 'SIGCHLD',
  'SIGCONT', 'SIGSTOP', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU', 'SIGURG', 'SIGXCPU', 'SIGXFSZ', 'SIGVTALRM',
  'SIGPROF', 'SIGWINCH', 'SIGIO', 'SIGPWR', 'SIGSYS'];

export function signalName(sig: number): string {
  if (sig > 0 && sig < NAMES.length) return NAMES[sig];
  if (sig >= SIGRTMIN && sig <= NSIG) return sig === SIGRTMIN ? 'SIGRTMIN' : `SIGRT_${sig - SIGRTMIN}`;
  return `signal ${sig}`;
}

export const SIG_DFL = 0, SIG_IGN = 1;
export const SA_NOCLDSTOP = 1, SA_NOCLDWAIT = 2, SA_SIGINFO = 4, SA_RESTORER = 0x04000000;
export const SA_ONSTACK = 0x08000000, SA_RESTART = 0x10000000, SA_NODEFER = 0x40000000;
export const SA_RESETHAND = 0x80000000 | 0;
export const SIG_BLOCK = 0, SIG_UNBLOCK = 1, SIG_SETMASK = 2;
export const SS_ONSTACK = 1, SS_DISABLE = 2, MINSIGSTKSZ = 2048;

// si_code values.
export const SI_USER = 0, SI_KERNEL = 0x80, SI_TKILL = -6;
export const SEGV_MAPERR = 1, SEGV_ACCERR = 2;
export const BUS_ADRERR = 2;
export const ILL_ILLOPN = 2, ILL_PRVOPC = 5;
export const FPE_INTDIV = 1, FPE_INTOVF = 2, FPE_FLTDIV = 3, FPE_FLTOVF = 4, FPE_FLTUND = 5, FPE_FLTRES = 6, FPE_FLTINV = 7;
const FPE_NAMES = ['', 'FPE_INTDIV', 'FPE_INTOVF', 'FPE_FLTDIV', 'FPE_FLTOVF', 'FPE_FLTUND', 'FPE_FLTRES', 'FPE_FLTINV'];

/**
 * si_code of the SIGFPE for an x87 #MF (vector 16) or SSE #XM (19), as Linux's
 * fpu__exception_code derives it: the first unmasked exception that is set, by priority.
 */
export function fpuExceptionCode(vector: number, fpuControl: number, fpuStatus: number, mxcsr: number): number {
  const err = vector === 19 ? mxcsr & ~(mxcsr >> 7) & 0x3f : fpuStatus & ~fpuControl & 0x3f;
  if (err & 0x01) return FPE_FLTINV;
  if (err & 0x04) return FPE_FLTDIV;
  if (err & 0x08) return FPE_FLTOVF;
  if (err & 0x12) return FPE_FLTUND;
  if (err & 0x20) return FPE_FLTRES;
  return FPE_FLTINV;
}
export const TRAP_BRKPT = 1, TRAP_TRACE = 2;
export const CLD_EXITED = 1, CLD_KILLED = 2, CLD_DUMPED = 3, CLD_TRAPPED = 4, CLD_STOPPED = 5, CLD_CONTINUED = 6;
export const SI_QUEUE = -1, SI_TIMER = -2;

export function siCodeName(sig: number, code: number): string {
  if (sig === SIGSEGV) return code === SEGV_MAPERR ? 'SEGV_MAPERR' : code === SEGV_ACCERR ? 'SEGV_ACCERR' : code === SI_KERNEL ? 'SI_KERNEL' : String(code);
  if (sig === SIGBUS && code === BUS_ADRERR) return 'BUS_ADRERR';
  if (sig === SIGILL) return code === ILL_ILLOPN ? 'ILL_ILLOPN' : code === ILL_PRVOPC ? 'ILL_PRVOPC' : String(code);
  if (sig === SIGFPE) return FPE_NAMES[code] ?? String(code);
  if (sig === SIGTRAP && code === TRAP_BRKPT) return 'TRAP_BRKPT';
  if (sig === SIGTRAP && code === TRAP_TRACE) return 'TRAP_TRACE';
  if (sig === SIGCHLD && code >= CLD_EXITED && code <= CLD_CONTINUED) return ['CLD_EXITED', 'CLD_KILLED', 'CLD_DUMPED', 'CLD_TRAPPED', 'CLD_STOPPED', 'CLD_CONTINUED'][code - 1];
  if (code === SI_USER) return 'SI_USER';
  if (code === SI_TKILL) return 'SI_TKILL';
  if (code === SI_KERNEL) return 'SI_KERNEL';
  return String(code);
}

export type DefaultAction = 'term' | 'core' | 'ignore' | 'stop' | 'cont';

export function defaultAction(sig: number): DefaultAction {
  switch (sig) {
    case SIGCHLD: case SIGURG: case SIGWINCH: return 'ignore';
    case SIGCONT: return 'cont';
    case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU: return 'stop';
    case SIGQUIT: case SIGILL: case SIGTRAP: case SIGABRT: case SIGBUS: case SIGFPE: case SIGSEGV:
    case SIGXCPU: case SIGXFSZ: case SIGSYS: return 'core';
    default: return 'term';
  }
}

export interface SigAction {
  handler: number;
  flags: number;
  restorer: number;
  mask: bigint;
}

/** Bit for signal sig in a 64-bit sigset. */
export function sigbit(sig: number): bigint {
  return 1n << BigInt(sig - 1);
}

export const UNBLOCKABLE = sigbit(SIGKILL) | sigbit(SIGSTOP);

/** What a queued signal carries (kernel_siginfo): the fields its si_code's union member uses. */
export interface SigInfo {
  signo: number;
  errno: number;
  code: number;
  /** Sender (kill, sigqueue, SIGCHLD). */
  pid: number;
  uid: number;
  /** Fault address (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP). */
  addr: number;
  /** SIGCHLD: exit code or signal number. */
  status: number;
  utime: number;
  stime: number;
  /** sigqueue / timer value. */
  value: number;
  /** POSIX timers. */
  tid: number;
  overrun: number;
}

export function makeSigInfo(signo: number, code: number, fields: Partial<SigInfo> = {}): SigInfo {
  return { signo, errno: 0, code, pid: 0, uid: 0, addr: 0, status: 0, utime: 0, stime: 0, value: 0, tid: 0, overrun: 0, ...fields };
}

/** The signal handlers (sighand_struct), shared by threads and CLONE_SIGHAND. */
export class SigHand {
  readonly actions: SigAction[] = [];
  refs = 1;

  constructor() {
    for (let i = 0; i <= NSIG; i++) this.actions.push({ handler: SIG_DFL, flags: 0, restorer: 0, mask: 0n });
  }

  copy(): SigHand {
    const h = new SigHand();
    for (let i = 0; i <= NSIG; i++) h.actions[i] = { ...this.actions[i] };
    return h;
  }
}

/** A pending set with its queued siginfo (struct sigpending): one per standard signal, all RT ones. */
export class SigPending {
  set = 0n;
  readonly queue: SigInfo[] = [];

  add(info: SigInfo): void {
    const bit = sigbit(info.signo);
    // A standard signal already pending is not queued twice (legacy_queue).
    if (info.signo < SIGRTMIN && (this.set & bit)) return;
    this.set |= bit;
    this.queue.push(info);
  }

  /** Removes and returns the first queued instance of sig (collect_signal). */
  take(sig: number): SigInfo | null {
    const i = this.queue.findIndex((q) => q.signo === sig);
    if (i < 0) {
      this.set &= ~sigbit(sig);
      return null;
    }
    const [info] = this.queue.splice(i, 1);
    if (!this.queue.some((q) => q.signo === sig)) this.set &= ~sigbit(sig);
    return info;
  }

  /** Drops every instance of the signals in mask (flush_sigqueue_mask). */
  flush(mask: bigint): void {
    this.set &= ~mask;
    for (let i = this.queue.length - 1; i >= 0; i--) if (sigbit(this.queue[i].signo) & mask) this.queue.splice(i, 1);
  }
}

/** A thread's signal state: the shared handlers and its own mask, pending set and altstack. */
export class SignalState {
  hand: SigHand;
  blocked = 0n;
  readonly pendingQ = new SigPending();
  altStack = { sp: 0, flags: SS_DISABLE, size: 0 };
  /** The mask before rt_sigtimedwait unblocked the set it waits for (real_blocked), or null. */
  realBlocked: bigint | null = null;

  constructor(hand: SigHand) {
    this.hand = hand;
  }

  get actions(): SigAction[] {
    return this.hand.actions;
  }

  /** The thread's private pending set. */
  get pending(): bigint {
    return this.pendingQ.set;
  }
}
