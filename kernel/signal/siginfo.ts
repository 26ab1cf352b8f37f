// The i386 siginfo_t as a signal frame carries it (include/uapi/asm-generic/siginfo.h with
// 32-bit int/long/pointers, no __ARCH_SI_TRAPNO on x86): si_signo, si_errno, si_code, then
// at offset 12 the union member that si_code selects; 128 bytes, unused bytes zero.

/** sizeof(siginfo_t) (SI_MAX_SIZE). */
export const SIGINFO_SIZE = 128;
/** Offset of the union (_sifields). */
export const SI_FIELDS = 12;

export type SigInfoFields =
  /** kill, tkill, raise, SI_USER / SI_TKILL / SI_KERNEL without more: _kill {pid, uid}. */
  | { kind: 'kill'; pid: number; uid: number }
  /** POSIX timers: _timer {tid, overrun, sigval}. */
  | { kind: 'timer'; tid: number; overrun: number; value: number }
  /** sigqueue / rt_sigqueueinfo / mq_notify: _rt {pid, uid, sigval}. */
  | { kind: 'rt'; pid: number; uid: number; value: number }
  /** SIGCHLD: _sigchld {pid, uid, status, utime, stime} (clock_t is 32-bit). */
  | { kind: 'chld'; pid: number; uid: number; status: number; utime: number; stime: number }
  /** SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP: _sigfault {addr, addr_lsb (short)}. */
  | { kind: 'fault'; addr: number; addrLsb?: number }
  /** SIGPOLL / SIGIO: _sigpoll {band (long), fd}. */
  | { kind: 'poll'; band: number; fd: number };

export type SigInfo = { signo: number; errno: number; code: number } & SigInfoFields;

/** Writes info into buf[0..127] (at least SIGINFO_SIZE bytes), zeroing what it leaves out. */
export function writeSiginfo(buf: Uint8Array, info: SigInfo): void {
  buf.fill(0, 0, SIGINFO_SIZE);
  const dv = new DataView(buf.buffer, buf.byteOffset, SIGINFO_SIZE);
  dv.setInt32(0, info.signo, true);
  dv.setInt32(4, info.errno, true);
  dv.setInt32(8, info.code, true);
  const f = SI_FIELDS;
  switch (info.kind) {
    case 'kill':
      dv.setInt32(f, info.pid, true);
      dv.setInt32(f + 4, info.uid, true);
      break;
    case 'timer':
      dv.setInt32(f, info.tid, true);
      dv.setInt32(f + 4, info.overrun, true);
      dv.setInt32(f + 8, info.value, true);
      break;
    case 'rt':
      dv.setInt32(f, info.pid, true);
      dv.setInt32(f + 4, info.uid, true);
      dv.setInt32(f + 8, info.value, true);
      break;
    case 'chld':
      dv.setInt32(f, info.pid, true);
      dv.setInt32(f + 4, info.uid, true);
      dv.setInt32(f + 8, info.status, true);
      dv.setInt32(f + 12, info.utime, true);
      dv.setInt32(f + 16, info.stime, true);
      break;
    case 'fault':
      dv.setInt32(f, info.addr, true);
      dv.setInt16(f + 4, info.addrLsb ?? 0, true);
      break;
    case 'poll':
      dv.setInt32(f, info.band, true);
      dv.setInt32(f + 4, info.fd, true);
      break;
  }
}
