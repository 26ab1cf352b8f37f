// Time system calls (kernel/time): clock_gettime with the 32-bit (old_timespec32) and 64-bit
// (__kernel_timespec) layouts, clock_getres, gettimeofday, time, and the sleeps
// (nanosleep, clock_nanosleep), which really sleep the host thread.
import { EINVAL } from '../errno.js';
import { copyFromUser, copyToUser, putUser32 } from '../mm/uaccess.js';
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
    case CLOCK_PROCESS_CPUTIME_ID: case CLOCK_THREAD_CPUTIME_ID: {
      const u = process.cpuUsage();
      return BigInt(u.user + u.system) * 1000n;
    }
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
function getTimespec(c: SyscallContext, addr: number, wide: boolean): bigint | null {
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

const sleepCell = new Int32Array(new SharedArrayBuffer(4));
function sleepNs(ns: bigint): void {
  let ms = Number(ns / 1_000_000n);
  while (ms > 0) {
    const step = Math.min(ms, 1_000_000);
    Atomics.wait(sleepCell, 0, 0, step);
    ms -= step;
  }
}

function doSleep(c: SyscallContext, clk: number, flags: number, req: number, rem: number, wide: boolean): number {
  const now = clockNow(c, clk);
  if (now === null || clk === CLOCK_THREAD_CPUTIME_ID) return -EINVAL;
  const t = getTimespec(c, req, wide);
  if (t === null) return -EINVAL;
  const delta = flags & TIMER_ABSTIME ? t - now : t;
  if (delta > 0n) sleepNs(delta);
  if (rem !== 0 && !(flags & TIMER_ABSTIME)) putTimespec(c, rem, 0n, wide);
  return 0;
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
