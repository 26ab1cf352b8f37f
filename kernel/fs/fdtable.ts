// The file descriptor table (Linux's struct files_struct): lowest-free allocation, the
// close-on-exec flag, dup semantics, and RLIMIT_NOFILE.
import { EBADF, EINVAL, EMFILE } from '../errno.js';
import type { File } from './file.js';

interface FdEntry {
  file: File;
  cloexec: boolean;
}

export class FdTable {
  private readonly fds: Array<FdEntry | undefined> = [];
  /** RLIMIT_NOFILE soft limit. */
  maxFds = 1024;
  /** Tasks sharing this table (CLONE_FILES). */
  refs = 1;

  get(fd: number): File | undefined {
    return fd >= 0 ? this.fds[fd]?.file : undefined;
  }

  getCloexec(fd: number): boolean {
    return this.fds[fd]?.cloexec ?? false;
  }

  setCloexec(fd: number, on: boolean): void {
    const e = this.fds[fd];
    if (e) e.cloexec = on;
  }

  /** Installs file at the lowest free descriptor >= min (takes over the caller's reference). */
  install(file: File, cloexec = false, min = 0): number {
    if (min >= this.maxFds) return -EINVAL;
    for (let fd = min; fd < this.maxFds; fd++) {
      if (this.fds[fd] === undefined) {
        this.fds[fd] = { file, cloexec };
        return fd;
      }
    }
    file.put();
    return -EMFILE;
  }

  /** Puts file at exactly fd, closing what was there (dup2/dup3). */
  installAt(fd: number, file: File, cloexec: boolean): number {
    if (fd < 0 || fd >= this.maxFds) {
      file.put();
      return -EBADF;
    }
    const old = this.fds[fd];
    this.fds[fd] = { file, cloexec };
    old?.file.put();
    return fd;
  }

  close(fd: number): number {
    const e = fd >= 0 ? this.fds[fd] : undefined;
    if (e === undefined) return -EBADF;
    this.fds[fd] = undefined;
    e.file.put();
    return 0;
  }

  /** Closes descriptors marked close-on-exec (at execve). */
  closeOnExec(): void {
    this.fds.forEach((e, fd) => {
      if (e?.cloexec) this.close(fd);
    });
  }

  closeAll(): void {
    this.fds.forEach((e, fd) => {
      if (e) this.close(fd);
    });
  }

  /** Open descriptors, ascending. */
  list(): number[] {
    const out: number[] = [];
    this.fds.forEach((e, fd) => {
      if (e) out.push(fd);
    });
    return out;
  }

  /** A copy sharing the open files (fork). */
  clone(): FdTable {
    const t = new FdTable();
    t.maxFds = this.maxFds;
    this.fds.forEach((e, fd) => {
      if (e) t.fds[fd] = { file: e.file.get(), cloexec: e.cloexec };
    });
    return t;
  }
}
