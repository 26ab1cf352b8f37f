// Time system calls (kernel/time): clock_gettime with the 32-bit (old_timespec32) and 64-bit
// (__kernel_timespec) layouts, clock_getres, gettimeofday, time, and the sleeps
// (nanosleep, clock_nanosleep, pause) and ITIMER_REAL/alarm, which run on the kernel's virtual clock.
import { EINVAL } from '../errno.js';
import { copyFromUser, copyToUser, putUser32 } from '../mm/uaccess.js';
import { taskCpuNs } from '../proc/cputime.js';
import type { SyscallContext } from './types.js';

export const CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_PROCESS_CPUTIME_ID = 2;
export const CLOCK_THREAD_CPUTIME_ID = 3, CLOCK_MONOTONIC_RAW = 4, CLOCK_REALTIME_COARSE = 5;
export const CLOCK_MONOTONIC_COARSE = 6, CLOCK_BOOTTIME = 7, CLOCK_REALTIME_ALARM = 8;
export const CLOCK_BOOTTIME_ALARM = 9, CLOCK_TAI = 11;
const TIMER_ABSTIME = 1;
const NS = 1_000_000_000n;

/** Current value of a clock in nanoseconds, or null for an invalid clock id. */
export function clockNow(c: SyscallContext, clk: number): bigint | null {
  switch (clk) {
    case CLOCK_REALTIME: case CLOCK_REALTIME_COARSE: case CLOCK_REALTIME_ALARM: return c.realtimeNs();
    case CLOCK_TAI: return c.realtimeNs() + 37n * NS;
    case CLOCK_MONOTONIC: case CLOCK_MONOTONIC_RAW: case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME: case CLOCK_BOOTTIME_ALARM: return c.monotonicNs();
    case CLOCK_PROCESS_CPUTIME_ID: return taskCpuNs(c.task, 'self');
    case CLOCK_THREAD_CPUTIME_ID: return taskCpuNs(c.task, 'thread');
    default: return null;
  }
}

function putTimespec(c: SyscallContext, addr: number, ns: bigint, wide: boolean): void {
  const b = new Uint8Array(wide ? 16 : 8);
  const dv = new DataView(b.buffer);
  if (wide) {
    dv.setBigInt64(0, ns / NS, true);
    dv.setBigInt64(8, ns % NS, true);
  } else {
    dv.setInt32(0, Number(BigInt.asIntN(32, ns / NS)), true);
    dv.setInt32(4, Number(ns % NS), true);
  }
  copyToUser(c.mm, addr, b);
}

/** Reads a timespec; null when tv_nsec is out of range or tv_sec negative (-EINVAL). */
export function getTimespec(c: SyscallContext, addr: number, wide: boolean): bigint | null {
  const dv = new DataView(copyFromUser(c.mm, addr, wide ? 16 : 8).buffer);
  const sec = wide ? dv.getBigInt64(0, true) : BigInt(dv.getInt32(0, true));
  // The 64-bit layout's tv_nsec is a 32-bit long on i386 padded to 64 bits: use the low half.
  const nsec = wide ? BigInt(dv.getInt32(8, true)) : BigInt(dv.getInt32(4, true));
  if (sec < 0n || nsec < 0n || nsec >= NS) return null;
  return sec * NS + nsec;
}

function doClockGettime(c: SyscallContext, clk: number, tp: number, wide: boolean): number {
  const ns = clockNow(c, clk);
  if (ns === null) return -EINVAL;
  putTimespec(c, tp, ns, wide);
  return 0;
}

export function sysClockGettime(c: SyscallContext, clk: number, tp: number): number {
  return doClockGettime(c, clk, tp, false);
}

export function sysClockGettime64(c: SyscallContext, clk: number, tp: number): number {
  return doClockGettime(c, clk, tp, true);
}

function doClockGetres(c: SyscallContext, clk: number, tp: number, wide: boolean): number {
  if (clockNow(c, clk) === null) return -EINVAL;
  const coarse = clk === CLOCK_REALTIME_COARSE || clk === CLOCK_MONOTONIC_COARSE;
  if (tp !== 0) putTimespec(c, tp, coarse ? 4_000_000n : 1n, wide);
  return 0;
}

export function sysClockGetres(c: SyscallContext, clk: number, tp: number): number {
  return doClockGetres(c, clk, tp, false);
}

export function sysClockGetres64(c: SyscallContext, clk: number, tp: number): number {
  return doClockGetres(c, clk, tp, true);
}

export function sysGettimeofday(c: SyscallContext, tv: number, tz: number): number {
  const ns = c.realtimeNs();
  if (tv !== 0) {
    const b = new Uint8Array(8);
    const dv = new DataView(b.buffer);
    dv.setInt32(0, Number(BigInt.asIntN(32, ns / NS)), true);
    dv.setInt32(4, Number((ns % NS) / 1000n), true);
    copyToUser(c.mm, tv, b);
  }
  if (tz !== 0) copyToUser(c.mm, tz, new Uint8Array(8));
  return 0;
}

export function sysTime(c: SyscallContext, tloc: number): number {
  const sec = Number(BigInt.asIntN(32, c.realtimeNs() / NS));
  if (tloc !== 0) putUser32(c.mm, tloc, sec);
  return sec;
}

/**
 * The sleeps run on the virtual clock: the task sleeps until the deadline (the scheduler runs
 * others, or idles the clock forward). A handler interrupts them with EINTR and the time left
 * in rem; without one they resume (restart_syscall).
 */
function doSleep(c: SyscallContext, clk: number, flags: number, req: number, rem: number, wide: boolean): number {
  const r = c.task.restart;
  if (r !== null) {
    if (c.now() >= r.deadline) return 0;
    return c.block([], r.deadline, 'nohand');
  }
  const now = clockNow(c, clk);
  if (now === null || clk === CLOCK_THREAD_CPUTIME_ID) return -EINVAL;
  const t = getTimespec(c, req, wide);
  if (t === null) return -EINVAL;
  const delta = flags & TIMER_ABSTIME ? t - now : t;
  if (delta <= 0n) return 0;
  const deadline = c.now() + delta;
  const ret = c.block([], deadline, 'nohand');
  if (rem !== 0 && !(flags & TIMER_ABSTIME)) {
    c.task.restart!.onInterrupt = () => {
      const left = deadline - c.now();
      putTimespec(c, rem, left > 0n ? left : 0n, wide);
    };
  }
  return ret;
}

export function sysNanosleep(c: SyscallContext, req: number, rem: number): number {
  return doSleep(c, CLOCK_MONOTONIC, 0, req, rem, false);
}

export function sysClockNanosleep(c: SyscallContext, clk: number, flags: number, req: number, rem: number): number {
  return doSleep(c, clk, flags, req, rem, false);
}

export function sysClockNanosleep64(c: SyscallContext, clk: number, flags: number, req: number, rem: number): number {
  return doSleep(c, clk, flags, req, rem, true);
}

/** pause: sleeps until a signal handler has run (always EINTR then). */
export function sysPause(c: SyscallContext): number {
  return c.block([], -1n, 'nohand');
}

// ---- ITIMER_REAL and alarm (the process's one real-time timer, on the virtual clock) --------

const ITIMER_REAL = 0, ITIMER_VIRTUAL = 1, ITIMER_PROF = 2;
const US = 1000n;

function timerLeft(c: SyscallContext): { value: bigint; interval: bigint } {
  const rt = c.task.group.realTimer;
  if (rt === null) return { value: 0n, interval: 0n };
  const left = rt.deadline - c.now();
  return { value: left > 0n ? left : 1000n, interval: rt.interval };
}

function setRealTimer(c: SyscallContext, value: bigint, interval: bigint): void {
  c.task.group.realTimer = value > 0n ? { deadline: c.now() + value, interval } : null;
}

export function sysAlarm(c: SyscallContext, seconds: number): number {
  const old = timerLeft(c).value;
  setRealTimer(c, BigInt(seconds >>> 0) * NS, 0n);
  // Whole seconds left, rounded to nearest (and at least 1 while one is pending).
  return old === 0n ? 0 : Math.max(1, Number((old + NS / 2n) / NS));
}

function putItimerval(c: SyscallContext, addr: number, t: { value: bigint; interval: bigint }): void {
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  dv.setInt32(0, Number(t.interval / NS), true);
  dv.setInt32(4, Number((t.interval % NS) / US), true);
  dv.setInt32(8, Number(t.value / NS), true);
  dv.setInt32(12, Number((t.value % NS) / US), true);
  copyToUser(c.mm, addr, b);
}

export function sysGetitimer(c: SyscallContext, which: number, value: number): number {
  if (which === ITIMER_REAL) putItimerval(c, value, timerLeft(c));
  else if (which === ITIMER_VIRTUAL || which === ITIMER_PROF) putItimerval(c, value, { value: 0n, interval: 0n });
  else return -EINVAL;
  return 0;
}

export function sysSetitimer(c: SyscallContext, which: number, newp: number, oldp: number): number {
  if (which !== ITIMER_REAL && which !== ITIMER_VIRTUAL && which !== ITIMER_PROF) return -EINVAL;
  let next: { value: bigint; interval: bigint } | null = null;
  if (newp !== 0) {
    const dv = new DataView(copyFromUser(c.mm, newp, 16).buffer);
    const isec = dv.getInt32(0, true), iusec = dv.getInt32(4, true), vsec = dv.getInt32(8, true), vusec = dv.getInt32(12, true);
    if (iusec < 0 || iusec >= 1e6 || vusec < 0 || vusec >= 1e6 || isec < 0 || vsec < 0) return -EINVAL;
    next = { interval: BigInt(isec) * NS + BigInt(iusec) * US, value: BigInt(vsec) * NS + BigInt(vusec) * US };
  }
  if (oldp !== 0) putItimerval(c, oldp, which === ITIMER_REAL ? timerLeft(c) : { value: 0n, interval: 0n });
  if (next !== null && which === ITIMER_REAL) setRealTimer(c, next.value, next.interval);
  return 0;
}
