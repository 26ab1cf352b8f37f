// A terminal whose input the embedder reads for the guest: the debugger owns the host
// terminal between stops, so it reads the keys itself while the guest runs and push()es them
// here. A read with nothing typed sleeps on the wait queue instead of blocking the host in
// read(2), so the host's event loop (and with it Ctrl-C) keeps running; the kernel sees such
// a sleeper as waiting for the host (Kernel.waitingForHost). Termios, window size and process
// group are the host terminal's (hostTtyState), so the guest sees the terminal it runs on.
import { fstatSync, writeSync } from 'node:fs';
import { EAGAIN, EIO } from '../errno.js';
import type { Inode, IoctlContext } from './file.js';
import { POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM } from './pipe.js';
import { kstatFromHost, S_IFCHR, syntheticStat, type KStat } from './stat.js';
import { hostTtyState } from './hostTermios.js';
import { ttyIoctl, type TtyState } from './tty.js';
import { WaitQueue } from '../proc/waitQueue.js';

/** Typed input on its way to the guest; one per run of the program. */
export class TerminalFeed {
  /** The host terminal's descriptor (for its termios and fstat). */
  readonly fd: number;
  readonly waitQueue = new WaitQueue(true);
  private chunks: Uint8Array[] = [];
  /** End of file typed (^D at the start of a line): the next read returns 0, once. */
  private eofs = 0;

  constructor(fd = 0) {
    this.fd = fd;
  }

  push(data: Uint8Array): void {
    if (data.length === 0) return;
    this.chunks.push(data.slice());
    this.waitQueue.wakeAll();
  }

  /** ^D on an empty line: one read returns 0, later ones wait for more, as on a terminal. */
  pushEof(): void {
    this.eofs++;
    this.waitQueue.wakeAll();
  }

  get available(): number {
    return this.chunks.reduce((n, c) => n + c.length, 0);
  }

  /** Up to len bytes, 0 at a typed end of file, -EAGAIN when nothing waits. */
  take(len: number): Uint8Array | number {
    if (this.chunks.length === 0) {
      if (this.eofs === 0) return -EAGAIN;
      this.eofs--;
      return new Uint8Array(0);
    }
    const first = this.chunks[0];
    if (first.length <= len) {
      this.chunks.shift();
      return first;
    }
    this.chunks[0] = first.subarray(len);
    return first.subarray(0, len);
  }

  get ready(): boolean {
    return this.chunks.length > 0 || this.eofs > 0;
  }
}

/** The guest's side of a TerminalFeed (its stdin). */
export class TerminalFeedInode implements Inode {
  readonly isTty = true;
  readonly tty: TtyState;
  readonly waitQueue: WaitQueue;

  constructor(readonly feed: TerminalFeed, pgrp: number) {
    this.tty = hostTtyState(feed.fd, pgrp);
    this.waitQueue = feed.waitQueue;
  }

  stat(): KStat {
    try {
      return kstatFromHost(fstatSync(this.feed.fd, { bigint: true }));
    } catch {
      return syntheticStat(S_IFCHR | 0o620);
    }
  }

  read(len: number): Uint8Array | number {
    return this.feed.take(len);
  }

  /** A write to the guest's fd 0 goes to the terminal, as on Linux (fd 0 of a tty is O_RDWR). */
  write(data: Uint8Array): number {
    let done = 0;
    for (let tries = 0; done < data.length && tries < 1000; tries++) {
      try {
        done += writeSync(this.feed.fd, data, done, data.length - done);
      } catch (e) {
        if ((e as { code?: string }).code !== 'EAGAIN') return done > 0 ? done : -EIO;
      }
    }
    return done;
  }

  poll(): number {
    return (this.feed.ready ? POLLIN | POLLRDNORM : 0) | POLLOUT | POLLWRNORM;
  }

  /** FIONREAD */
  available(): number {
    return this.feed.available;
  }

  ioctl(cmd: number, arg: number, ctx: IoctlContext): number {
    return ttyIoctl(this.tty, cmd, arg, ctx);
  }
}
