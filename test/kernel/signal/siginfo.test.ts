// The i386 siginfo_t layout written by writeSiginfo: the header, each union member at
// offset 12, and the zeroed remainder of the 128 bytes.
import { describe, expect, it } from 'vitest';
import { SIGINFO_SIZE, writeSiginfo, type SigInfo } from '../../../kernel/signal/siginfo.js';

function words(info: SigInfo, n: number): number[] {
  const buf = new Uint8Array(SIGINFO_SIZE + 8).fill(0xaa);
  writeSiginfo(buf.subarray(4), info);
  const dv = new DataView(buf.buffer);
  expect(dv.getUint32(0, true)).toBe(0xaaaaaaaa); // nothing before
  expect(dv.getUint32(4 + SIGINFO_SIZE, true)).toBe(0xaaaaaaaa); // nothing after
  expect(buf.subarray(4 + 4 * n, 4 + SIGINFO_SIZE).every((b) => b === 0)).toBe(true);
  return Array.from({ length: n }, (_, i) => dv.getInt32(4 + 4 * i, true));
}

describe('writeSiginfo', () => {
  it('kill: pid, uid', () => {
    expect(words({ signo: 10, errno: 0, code: -6, kind: 'kill', pid: 77, uid: 1000 }, 5)).toEqual([10, 0, -6, 77, 1000]);
  });
  it('timer: tid, overrun, sigval', () => {
    expect(words({ signo: 14, errno: 0, code: -2, kind: 'timer', tid: 3, overrun: 2, value: 0x1234 }, 6)).toEqual([14, 0, -2, 3, 2, 0x1234]);
  });
  it('rt: pid, uid, sigval', () => {
    expect(words({ signo: 34, errno: 0, code: -1, kind: 'rt', pid: 5, uid: 6, value: -7 }, 6)).toEqual([34, 0, -1, 5, 6, -7]);
  });
  it('chld: pid, uid, status, utime, stime', () => {
    expect(words({ signo: 17, errno: 0, code: 1, kind: 'chld', pid: 9, uid: 0, status: 3, utime: 11, stime: 12 }, 8)).toEqual([17, 0, 1, 9, 0, 3, 11, 12]);
  });
  it('fault: addr, then addr_lsb as a short', () => {
    expect(words({ signo: 11, errno: 0, code: 1, kind: 'fault', addr: 0xdeadbeef | 0 }, 4)).toEqual([11, 0, 1, 0xdeadbeef | 0]);
    expect(words({ signo: 7, errno: 0, code: 4, kind: 'fault', addr: 0x1000, addrLsb: 12 }, 5)).toEqual([7, 0, 4, 0x1000, 12]);
  });
  it('poll: band, fd; errno in its place', () => {
    expect(words({ signo: 29, errno: 5, code: 1, kind: 'poll', band: 0x41, fd: 4 }, 5)).toEqual([29, 5, 1, 0x41, 4]);
  });
});
