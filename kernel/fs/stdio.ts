// The process's standard streams: inodes over the host's descriptors (blocking reads and
// complete writes, the host's file type in fstat, terminal ioctls when the host fd is a tty),
// and in-memory variants for embedding and tests (a byte buffer for stdin, a callback sink
// for output).
import { constants, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { EAGAIN, EIO, EPIPE, errnoFromHost } from '../errno.js';
import { File as FileClass, type Inode } from './file.js';
import { POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM } from './pipe.js';
import { kstatFromHost, S_IFCHR, S_IFIFO, syntheticStat, type KStat } from './stat.js';
import { hostIsatty, hostTtyState } from './hostTermios.js';
import { ttyIoctl, type TtyState } from './tty.js';
import { TerminalFeed, TerminalFeedInode } from './terminalFeed.js';

const sleepCell = new Int32Array(new SharedArrayBuffer(4));
function sleepMs(ms: number): void {
  Atomics.wait(sleepCell, 0, 0, ms);
}

function errCode(e: unknown): string | undefined {
  return (e as { code?: string } | null)?.code;
}

/** A host file descriptor (0, 1, 2 or any other the embedder passes). */
export class HostFdInode implements Inode {
  readonly fd: number;
  readonly isTty: boolean;
  private readonly tty: TtyState | null;
  /** Terminal input a zero-timeout poll read ahead (see poll). */
  private pending: Uint8Array | null = null;
  /** The non-blocking description poll probes with; -1 when it cannot be opened. */
  private probeFd: number | null = null;

  constructor(fd: number, pgrp: number) {
    this.fd = fd;
    this.isTty = hostIsatty(fd);
    this.tty = this.isTty ? hostTtyState(fd, pgrp) : null;
  }

  stat(): KStat {
    try {
      return kstatFromHost(fstatSync(this.fd, { bigint: true }));
    } catch {
      return syntheticStat(this.isTty ? S_IFCHR | 0o620 : S_IFIFO | 0o600);
    }
  }

  read(len: number): Uint8Array | number {
    if (this.pending !== null) {
      const out = this.pending.subarray(0, len);
      this.pending = out.length < this.pending.length ? this.pending.subarray(out.length) : null;
      return out;
    }
    const buf = new Uint8Array(Math.min(len, 1 << 20));
    for (;;) {
      try {
        const n = readSync(this.fd, buf, 0, buf.length, null);
        return buf.subarray(0, n);
      } catch (e) {
        const c = errCode(e);
        if (c === 'EAGAIN') {
          sleepMs(5);
          continue;
        }
        if (c === 'EOF') return new Uint8Array(0);
        return -errnoFromHost(e);
      }
    }
  }

  write(data: Uint8Array): number {
    let done = 0;
    while (done < data.length) {
      try {
        done += writeSync(this.fd, data, done, data.length - done);
      } catch (e) {
        const c = errCode(e);
        if (c === 'EAGAIN') {
          sleepMs(1);
          continue;
        }
        if (done > 0) return done;
        return c === 'EPIPE' ? -EPIPE : -(errnoFromHost(e) || EIO);
      }
    }
    return done;
  }

  /**
   * A terminal is ready for reading only when input is waiting, which a zero-timeout poll
   * must see (busybox's line editor sends its cursor-position query ESC[6n only when no key
   * is pending). Node has no poll on a descriptor, so input is probed with a non-blocking read
   * of a second open file description of the same terminal (/proc/self/fd/N with O_NONBLOCK,
   * leaving the shared one blocking); what it reads is kept for the next read().
   */
  poll(wait: boolean): number {
    const ready = POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM;
    if (!this.isTty || wait || this.pending !== null) return ready;
    if (this.probeFd === null) {
      try {
        this.probeFd = openSync(`/proc/self/fd/${this.fd}`, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
      } catch {
        this.probeFd = -1;
      }
    }
    if (this.probeFd < 0) return ready;
    const buf = new Uint8Array(4096);
    try {
      const n = readSync(this.probeFd, buf, 0, buf.length, null);
      if (n > 0) this.pending = buf.slice(0, n);
      return ready;
    } catch (e) {
      return errCode(e) === 'EAGAIN' ? POLLOUT | POLLWRNORM : ready;
    }
  }

  ioctl(cmd: number, arg: number, ctx: Parameters<NonNullable<Inode['ioctl']>>[2]): number {
    if (this.tty === null) return -25; // ENOTTY
    return ttyIoctl(this.tty, cmd, arg, ctx);
  }
}

/** Output that goes to a callback (embedding, tests); looks like a pipe. */
export class SinkInode implements Inode {
  private readonly sink: (data: Uint8Array) => void;

  constructor(sink: (data: Uint8Array) => void) {
    this.sink = sink;
  }

  stat(): KStat {
    return syntheticStat(S_IFIFO | 0o600, { devMajor: 0, devMinor: 14, ino: 4242n });
  }

  write(data: Uint8Array): number {
    this.sink(data.slice());
    return data.length;
  }

  read(): number {
    return -EAGAIN;
  }
}

/** Input from a fixed byte buffer; end of file after it. Looks like a pipe. */
export class BufferInode implements Inode {
  private data: Uint8Array;

  constructor(data: Uint8Array) {
    this.data = data;
  }

  stat(): KStat {
    return syntheticStat(S_IFIFO | 0o600, { devMajor: 0, devMinor: 14, ino: 4241n });
  }

  read(len: number): Uint8Array {
    const out = this.data.subarray(0, len);
    this.data = this.data.subarray(out.length);
    return out;
  }
}

/** Where a standard stream comes from: a host fd, a byte buffer (stdin), a callback (output) or typed input the embedder feeds. */
export type StdioSource = number | Uint8Array | ((data: Uint8Array) => void) | TerminalFeed;

/** The open file for descriptor fd (0, 1, 2) of a new process. */
export function stdioFile(fd: number, src: StdioSource, pgrp: number): FileClass {
  let inode: Inode;
  if (typeof src === 'number') inode = new HostFdInode(src, pgrp);
  else if (typeof src === 'function') inode = new SinkInode(src);
  else if (src instanceof TerminalFeed) inode = new TerminalFeedInode(src, pgrp);
  else inode = new BufferInode(src);
  const tty = inode.isTty === true;
  const flags = tty ? 2 : fd === 0 ? 0 : 1; // O_RDWR on a terminal, else read-only stdin / write-only output
  return new FileClass(inode, flags, tty ? '/dev/pts/0' : `pipe:[${4240 + fd}]`);
}
