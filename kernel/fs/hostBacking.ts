// The host file behind a page-cache AddressSpace (the a_ops of a host mount). It holds a
// descriptor of its own, reopened through /proc/self/fd (which also reaches an unlinked or
// O_TMPFILE file), so cached pages outlive the guest's open file; a second, writable
// descriptor is opened only when a dirty page is first written back.
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import type { FileBacking } from '../mm/pageCache.js';

export class HostBacking implements FileBacking {
  private fd: number;
  private wfd = -1;

  /** Opens a descriptor of its own on the file open as host descriptor fd. Throws on host errors. */
  constructor(fd: number) {
    this.fd = openSync(`/proc/self/fd/${fd}`, 'r');
  }

  readAt(pos: number, buf: Uint8Array): number {
    return readSync(this.fd, buf, 0, buf.length, pos);
  }

  writeAt(pos: number, data: Uint8Array): void {
    if (this.wfd < 0) this.wfd = openSync(`/proc/self/fd/${this.fd}`, 'r+');
    let done = 0;
    while (done < data.length) done += writeSync(this.wfd, data, done, data.length - done, pos + done);
  }

  size(): number {
    return fstatSync(this.fd).size;
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    if (this.wfd >= 0) closeSync(this.wfd);
    this.fd = this.wfd = -1;
  }
}
