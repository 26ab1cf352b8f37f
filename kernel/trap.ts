// CPU exceptions become signals, as arch/x86/kernel/traps.c and mm/fault.c decide: #PF goes to
// handleMmFault (demand paging, stack growth, copy-on-write) and only then to SIGSEGV/SIGBUS;
// #UD → SIGILL, #DE → SIGFPE/FPE_INTDIV, #MF/#XM → SIGFPE with the exception's code, #GP, #TS
// and stray INT n → SIGSEGV, #NP → SIGBUS, INT3 → SIGTRAP/TRAP_BRKPT, a single-step trap →
// SIGTRAP/TRAP_TRACE.
import { Stop } from '../src/cpu/stop.js';
import type { Kernel } from './kernel.js';
import { type FaultResult, handleMmFault, stackOverflowNote } from './mm/fault.js';
import { type OomCandidate, oomKillMessage, oomReap, selectBadProcess } from './mm/oom.js';
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

/**
 * out_of_memory for a page fault of t that found no frame even after reclaim: the OOM killer
 * picks the process with the largest badness. When that is t, it dies of SIGKILL here (with
 * the usual diagnostic); otherwise the victim is killed and reaped and t retries the access
 * (returns true).
 */
export function outOfMemory(k: Kernel, t: Task, addr: number, err: number): boolean {
  const candidates: OomCandidate[] = [];
  const seen = new Set<unknown>();
  for (const x of k.sched.tasks.values()) {
    if (x.exited || x.mm.pgd === 0 || seen.has(x.group)) continue;
    seen.add(x.group);
    const adj = (x.group as { oomScoreAdj?: number }).oomScoreAdj ?? 0;
    candidates.push({ pid: x.pid, comm: x.comm, uid: x.cred.uid, mm: x.mm, oomScoreAdj: adj });
  }
  const swapPages = k.swap?.totalPages ?? 0;
  const self = candidates.find((c) => c.mm === t.mm);
  const victim = selectBadProcess(candidates, k.mem.frameCount + swapPages) ?? self ?? null;
  const invokerAdj = (t.group as { oomScoreAdj?: number }).oomScoreAdj ?? 0;
  if (victim !== null) for (const line of oomKillMessage({ comm: t.comm, oomScoreAdj: invokerAdj }, victim)) k.kernelLog(line);
  k.oomKills++;
  // Every process sharing the victim's memory goes with it (process_shares_mm).
  const victimMm = victim?.mm ?? t.mm;
  for (const x of [...k.sched.tasks.values()]) {
    if (x.exited || x.mm !== victimMm || x.group === t.group) continue;
    k.signalTask(x, makeSigInfo(SIGKILL, SI_KERNEL), true);
  }
  if (victimMm === t.mm) {
    forceSigFault(k, t, SIGKILL, SI_KERNEL, addr, k.cpu.eip, 14, err, 'out of guest physical memory');
    return false;
  }
  oomReap(victimMm);
  return true;
}

/**
 * Free frames below which a page fault is not resolved in place: with fewer, the allocation
 * may run reclaim, which can take back a page the faulting instruction has already touched,
 * and only the trap path (thrashing() below) notices an instruction that never completes.
 * Generous for a fault's own allocations (a page table, the page, file readahead).
 */
const IN_PLACE_MIN_FREE = 1024;

/**
 * Page faults resolved while the CPU runs (Mmu.faultHook): the instruction that faulted goes
 * on without unwinding to the scheduler and back, which is most of what a demand-zero or
 * copy-on-write fault costs. handleMmFault runs exactly as on the trap path; a fault it cannot
 * resolve ('segv-…', 'sigbus', 'oom') is kept here and raised as #PF, and handleTrap takes the
 * kept result instead of handling the same fault twice.
 */
export class FaultsInPlace {
  private task: Task | null = null;
  private keptAddr = 0;
  private keptCode = 0;
  private kept: FaultResult | null = null;
  private readonly hook = (lin: number, code: number): boolean => this.resolve(lin, code);

  constructor(private readonly k: Kernel) {}

  /** Before running t: in-place faults on, unless a debugger watches the run. */
  arm(t: Task): void {
    const k = this.k;
    this.kept = null;
    this.task = t;
    k.mmu.faultHook = k.cpu.debugHook === null && k.mmu.onAccess === null && !k.mmu.hookWrites && !k.traceSignals ? this.hook : null;
  }

  disarm(): void {
    this.k.mmu.faultHook = null;
    this.task = null;
  }

  /** The result kept for the #PF at addr with this error code, once. */
  take(addr: number, code: number): FaultResult | null {
    const r = this.kept;
    this.kept = null;
    return r !== null && this.keptAddr === addr && this.keptCode === code ? r : null;
  }

  private resolve(lin: number, code: number): boolean {
    const t = this.task;
    if (t === null || this.k.mem.freeFrames() < IN_PLACE_MIN_FREE) return false;
    const addr = lin >>> 0;
    const r = handleMmFault(t.mm, addr, code);
    if (r === 'ok') return true;
    this.kept = r;
    this.keptAddr = addr;
    this.keptCode = code;
    return false;
  }
}

/** Resolved faults in a row, without an instruction retired in between, that mean livelock. */
const THRASH_LIMIT = 64;
const faultProgress = new WeakMap<Task, { instructions: number; faults: number }>();

/**
 * True when t keeps faulting without the CPU retiring any instruction: memory so short that
 * reclaim takes back a page the faulting instruction needs to make room for the next one. Each
 * fault succeeds, so no allocation fails; without this the guest would hang instead of meeting
 * the OOM killer.
 */
function thrashing(k: Kernel, t: Task): boolean {
  const now = k.cpu.instructions;
  const p = faultProgress.get(t);
  if (p === undefined) {
    faultProgress.set(t, { instructions: now, faults: 1 });
    return false;
  }
  if (p.instructions !== now) {
    p.instructions = now;
    p.faults = 1;
    return false;
  }
  if (++p.faults < THRASH_LIMIT) return false;
  p.faults = 0;
  return true;
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
      const r = k.faultsInPlace.take(addr, err) ?? handleMmFault(t.mm, addr, err);
      if (r === 'ok') {
        if (thrashing(k, t)) outOfMemory(k, t, addr, err);
        return;
      }
      if (r === 'sigbus') forceSigFault(k, t, SIGBUS, BUS_ADRERR, addr, cpu.eip, 14, err, 'access beyond the end of a mapped file');
      else if (r === 'oom') outOfMemory(k, t, addr, err);
      else if (r === 'segv-maperr') forceSigFault(k, t, SIGSEGV, SEGV_MAPERR, addr, cpu.eip, 14, err, stackOverflowNote(t.mm, addr));
      else forceSigFault(k, t, SIGSEGV, SEGV_ACCERR, addr, cpu.eip, 14, err);
      return;
    }
    case Stop.InvalidOpcode:
      forceSigFault(k, t, SIGILL, ILL_ILLOPN, cpu.eip, cpu.eip, 6, 0, describeOpcode(k, cpu.codeLinear(cpu.eip)));
      return;
    case Stop.DivideError:
      forceSigFault(k, t, SIGFPE, FPE_INTDIV, cpu.eip, cpu.eip, 0, 0);
      return;
    case Stop.FloatingPoint:
      forceSigFault(k, t, SIGFPE, fpuExceptionCode(cpu.trapVector, cpu.fpu.cw, cpu.fpu.getSw(), cpu.sse.mxcsr), cpu.eip, cpu.eip, cpu.trapVector, 0);
      return;
    case Stop.GeneralProtection:
      forceSigFault(k, t, SIGSEGV, SI_KERNEL, 0, cpu.eip, 13, cpu.errorCode,
        cpu.errorCode !== 0 ? `general protection fault, error code 0x${cpu.errorCode.toString(16)}` : 'general protection fault');
      return;
    case Stop.SegmentNotPresent:
      // exc_segment_not_present → do_error_trap(..., SIGBUS, 0, NULL) → force_sig: SI_KERNEL.
      forceSigFault(k, t, SIGBUS, SI_KERNEL, 0, cpu.eip, 11, cpu.errorCode,
        `segment not present, error code 0x${cpu.errorCode.toString(16)}`);
      return;
    case Stop.StackSegment:
      // exc_stack_segment → do_error_trap(..., SIGBUS, 0, NULL) → force_sig: SI_KERNEL.
      forceSigFault(k, t, SIGBUS, SI_KERNEL, 0, cpu.eip, 12, cpu.errorCode,
        `stack segment fault, error code 0x${cpu.errorCode.toString(16)}`);
      return;
    case Stop.InvalidTss:
      // exc_invalid_tss → do_error_trap(..., SIGSEGV, 0, NULL) → force_sig: SI_KERNEL.
      forceSigFault(k, t, SIGSEGV, SI_KERNEL, 0, cpu.eip, 10, cpu.errorCode, 'invalid TSS (IRET with EFLAGS.NT set)');
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
