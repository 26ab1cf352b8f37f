// Pipes (fs/pipe.c): a 64 KiB ring shared by a read end and a write end, each an inode whose
// open-file count tells the other side about readers and writers. Reads and writes never block
// here: they return -EAGAIN and the system call sleeps on the pipe's wait queue (the kernel's
// restart protocol re-runs it when woken). Writes of at most PIPE_BUF bytes are atomic.
import { EAGAIN, EPIPE } from '../errno.js';
import { WaitQueue } from '../proc/waitQueue.js';
import { File, O_RDONLY, O_WRONLY, type Inode } from './file.js';
import { S_IFIFO, syntheticStat, type KStat } from './stat.js';

export const PIPE_BUF = 4096;
const PIPE_SIZE = 65536;
export const POLLIN = 0x1, POLLPRI = 0x2, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10, POLLNVAL = 0x20;
export const POLLRDNORM = 0x40, POLLWRNORM = 0x100;

let nextPipeIno = 70000n;

export class Pipe {
  private readonly buf = new Uint8Array(PIPE_SIZE);
  private head = 0;
  length = 0;
  readers = 0;
  writers = 0;
  /** Readers and writers (and pollers) sleep here; any change wakes them all. */
  readonly wait = new WaitQueue();
  readonly ino = nextPipeIno++;

  read(len: number): Uint8Array | number {
    if (this.length === 0) return this.writers === 0 ? new Uint8Array(0) : -EAGAIN;
    const n = Math.min(len, this.length);
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.buf[(this.head + i) % PIPE_SIZE];
    this.head = (this.head + n) % PIPE_SIZE;
    this.length -= n;
    this.wait.wakeAll();
    return out;
  }

  write(data: Uint8Array): number {
    if (this.readers === 0) return -EPIPE;
    const free = PIPE_SIZE - this.length;
    if (free === 0 || (data.length <= PIPE_BUF && free < data.length)) return -EAGAIN;
    const n = Math.min(free, data.length);
    const tail = (this.head + this.length) % PIPE_SIZE;
    for (let i = 0; i < n; i++) this.buf[(tail + i) % PIPE_SIZE] = data[i];
    this.length += n;
    this.wait.wakeAll();
    return n;
  }

  /** poll mask for one end. */
  poll(writeEnd: boolean): number {
    if (writeEnd) {
      const m = PIPE_SIZE - this.length >= PIPE_BUF ? POLLOUT | POLLWRNORM : 0;
      return this.readers === 0 ? m | POLLERR : m;
    }
    let m = this.length > 0 ? POLLIN | POLLRDNORM : 0;
    if (this.writers === 0) m |= POLLHUP;
    return m;
  }
}

/** One end of a pipe; its release drops the reader or writer count. */
export class PipeEnd implements Inode {
  readonly pipe: Pipe;
  readonly writeEnd: boolean;
  readonly waitQueue: WaitQueue;

  constructor(pipe: Pipe, writeEnd: boolean) {
    this.pipe = pipe;
    this.writeEnd = writeEnd;
    this.waitQueue = pipe.wait;
    if (writeEnd) pipe.writers++;
    else pipe.readers++;
  }

  stat(): KStat {
    return syntheticStat(S_IFIFO | 0o600, { devMajor: 0, devMinor: 14, ino: this.pipe.ino, uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 });
  }

  read(len: number): Uint8Array | number {
    return this.pipe.read(len);
  }

  write(data: Uint8Array): number {
    return this.pipe.write(data);
  }

  poll(): number {
    return this.pipe.poll(this.writeEnd);
  }

  /** FIONREAD */
  available(): number {
    return this.pipe.length;
  }

  release(): void {
    if (this.writeEnd) this.pipe.writers--;
    else this.pipe.readers--;
    this.pipe.wait.wakeAll();
  }
}

/** pipe2: the two open files (read end, write end). */
export function createPipe(flags: number): [File, File] {
  const p = new Pipe();
  const name = `pipe:[${p.ino}]`;
  return [new File(new PipeEnd(p, false), O_RDONLY | flags, name), new File(new PipeEnd(p, true), O_WRONLY | flags, name)];
}
