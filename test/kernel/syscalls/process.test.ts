import { describe, expect, it } from 'vitest';
import * as proc from '../../../kernel/syscalls/process.js';
import * as sig from '../../../kernel/syscalls/signals.js';
import * as tls from '../../../kernel/syscalls/tls.js';
import * as time from '../../../kernel/syscalls/time.js';
import * as mem from '../../../kernel/syscalls/memory.js';
import { EINVAL, EPERM, ESRCH } from '../../../kernel/errno.js';
import { copyToUser } from '../../../kernel/mm/uaccess.js';
import { bootKernel } from './sysHelpers.js';

describe('process system calls', () => {
  it('uname reports Linux i686', () => {
    const b = bootKernel();
    expect(proc.sysUname(b.k, b.buf)).toBe(0);
    const field = (i: number) => Buffer.from(b.read(b.buf + i * 65, 65)).toString().replace(/\0.*$/s, '');
    expect(field(0)).toBe('Linux');
    expect(field(4)).toBe('i686');
  });

  it('set_thread_area with entry -1 takes GDT entry 6 and loads the CPU descriptor', () => {
    const b = bootKernel();
    const d = new DataView(new ArrayBuffer(16));
    d.setInt32(0, -1, true); d.setUint32(4, 0x080f1380, true); d.setUint32(8, 0xfffff, true); d.setUint32(12, 0x51, true);
    copyToUser(b.k.mm, b.buf, new Uint8Array(d.buffer));
    expect(tls.sysSetThreadArea(b.k, b.buf)).toBe(0);
    expect(b.u32(b.buf)).toBe(6);
    expect(b.k.cpu.tls[0]).toMatchObject({ base: 0x080f1380, present: true });
    expect(b.k.straceNote).toBe(' (entry_number=6)');
    copyToUser(b.k.mm, b.buf + 32, new Uint8Array([6, 0, 0, 0]));
    expect(tls.sysGetThreadArea(b.k, b.buf + 32)).toBe(0);
    expect(b.u32(b.buf + 36)).toBe(0x080f1380);
    d.setInt32(0, 3, true);
    copyToUser(b.k.mm, b.buf, new Uint8Array(d.buffer));
    expect(tls.sysSetThreadArea(b.k, b.buf)).toBe(-EINVAL);
  });

  it('prlimit64 and ugetrlimit report the stack limit', () => {
    const b = bootKernel();
    expect(proc.sysPrlimit64(b.k, 0, 3, 0, b.buf)).toBe(0);
    expect(b.u32(b.buf)).toBe(8 << 20);
    expect(b.u32(b.buf + 8)).toBe(0xffffffff);
    expect(proc.sysUgetrlimit(b.k, 3, b.buf)).toBe(0);
    expect(b.u32(b.buf + 4)).toBe(0xffffffff);
    expect(proc.sysOldGetrlimit(b.k, 3, b.buf)).toBe(0);
    expect(b.u32(b.buf + 4)).toBe(0x7fffffff);
    expect(proc.sysPrlimit64(b.k, 4242, 3, 0, b.buf)).toBe(-ESRCH);
    expect(proc.sysPrlimit64(b.k, 0, 99, 0, b.buf)).toBe(-EINVAL);
  });

  it('setrlimit(RLIMIT_STACK) sets the limit stack growth checks; only root raises a hard limit', () => {
    const b = bootKernel();
    const put = (cur: number, max: number) => copyToUser(b.k.mm, b.buf, new Uint8Array(new Uint32Array([cur, max]).buffer));
    put(256 << 10, 1 << 20);
    expect(proc.sysSetrlimit(b.k, 3, b.buf)).toBe(0);
    expect(b.k.mm.stackRlimit).toBe(256 << 10);
    expect(b.k.task.rlimits[3]).toEqual({ cur: 256n << 10n, max: 1n << 20n });
    put(2 << 20, 1 << 20);
    expect(proc.sysSetrlimit(b.k, 3, b.buf)).toBe(-EINVAL);
    b.k.task.cred.euid = 1000;
    put(256 << 10, 2 << 20);
    expect(proc.sysSetrlimit(b.k, 3, b.buf)).toBe(-EPERM);
    put(512 << 10, 1 << 20);
    expect(proc.sysSetrlimit(b.k, 3, b.buf)).toBe(0);
    expect(b.k.mm.stackRlimit).toBe(512 << 10);
    put(0xffffffff, 0xffffffff);
    b.k.task.cred.euid = 0;
    expect(proc.sysSetrlimit(b.k, 3, b.buf)).toBe(0);
    expect(b.k.task.rlimits[3].cur).toBe(0xffffffffffffffffn);
    expect(b.k.mm.stackRlimit).toBe(0xffffffff);
  });

  it('brk through the syscall', () => {
    const b = bootKernel();
    const start = mem.sysBrk(b.k, 0);
    expect(mem.sysBrk(b.k, start + 0x1880)).toBe(start + 0x1880);
    copyToUser(b.k.mm, start + 0x1000, new Uint8Array([1, 2, 3]));
    expect(mem.sysBrk(b.k, start - 1)).toBe(start + 0x1880);
  });

  it('clock_gettime: both layouts, and EINVAL for a bad clock', () => {
    const b = bootKernel();
    expect(time.sysClockGettime64(b.k, 0, b.buf)).toBe(0);
    const sec = Number(new DataView(b.read(b.buf, 8).buffer).getBigInt64(0, true));
    expect(Math.abs(sec - Date.now() / 1000)).toBeLessThan(5);
    expect(time.sysClockGettime(b.k, 1, b.buf)).toBe(0);
    expect(time.sysClockGettime(b.k, 99, b.buf)).toBe(-EINVAL);
  });

  it('rt_sigaction stores handlers and refuses SIGKILL', () => {
    const b = bootKernel();
    const act = new DataView(new ArrayBuffer(20));
    act.setUint32(0, 0x08049123, true);
    copyToUser(b.k.mm, b.buf, new Uint8Array(act.buffer));
    expect(sig.sysRtSigaction(b.k, 10, b.buf, 0, 8)).toBe(0);
    expect(sig.sysRtSigaction(b.k, 10, 0, b.buf + 64, 8)).toBe(0);
    expect(b.u32(b.buf + 64)).toBe(0x08049123);
    expect(sig.sysRtSigaction(b.k, 9, b.buf, 0, 8)).toBe(-EINVAL);
    expect(sig.sysRtSigaction(b.k, 10, b.buf, 0, 4)).toBe(-EINVAL);
  });

  it('tgkill of SIGABRT kills; a blocked one waits until unblocked', () => {
    const b = bootKernel();
    const set = new Uint8Array(8);
    set[0] = 1 << 5; // SIGABRT (6)
    copyToUser(b.k.mm, b.buf, set);
    expect(sig.sysRtSigprocmask(b.k, 0, b.buf, 0, 8)).toBe(0);
    expect(sig.sysTgkill(b.k, 1000, 1000, 6)).toBe(0);
    expect(b.k.task.state).toBe('running');
    b.k.exitToUserMode(b.k.task);
    expect(b.k.task.state).toBe('running');
    expect(sig.sysRtSigprocmask(b.k, 1, b.buf, 0, 8)).toBe(0);
    // Delivery happens on the way back to user mode.
    const t = b.k.task;
    b.k.exitToUserMode(t);
    expect(t.state).toBe('zombie');
    expect(t.termSignal).toBe(6);
    expect(t.exitCode & 0x80).toBe(0); // no core dump under the default RLIMIT_CORE of 0
  });

  it('kill with signal 0 probes; SIGCHLD is ignored by default', () => {
    const b = bootKernel();
    expect(sig.sysKill(b.k, 1000, 0)).toBe(0);
    expect(sig.sysKill(b.k, 999, 0)).toBe(-ESRCH);
    expect(sig.sysKill(b.k, 1000, 17)).toBe(0);
    b.k.exitToUserMode(b.k.task);
    expect(b.k.task.state).toBe('running');
  });
});
