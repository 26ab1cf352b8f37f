// pipe and pipe2 (fs/pipe.c): two descriptors, read end first, with O_CLOEXEC and O_NONBLOCK.
import { EFAULT, EINVAL } from '../errno.js';
import { O_CLOEXEC, O_DIRECT, O_NONBLOCK } from '../fs/file.js';
import { createPipe } from '../fs/pipe.js';
import { copyToUser, USER_FAULT } from '../mm/uaccess.js';
import type { SyscallContext } from './types.js';

export function sysPipe2(c: SyscallContext, fdsPtr: number, flags: number): number {
  if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT)) return -EINVAL;
  const [r, w] = createPipe(flags & (O_NONBLOCK | O_DIRECT));
  const cloexec = (flags & O_CLOEXEC) !== 0;
  const files = c.task.files;
  const rfd = files.install(r, cloexec);
  if (rfd < 0) {
    w.put();
    return rfd;
  }
  const wfd = files.install(w, cloexec);
  if (wfd < 0) {
    files.close(rfd);
    return wfd;
  }
  const b = new Uint8Array(8);
  const dv = new DataView(b.buffer);
  dv.setInt32(0, rfd, true);
  dv.setInt32(4, wfd, true);
  try {
    copyToUser(c.mm, fdsPtr, b);
  } catch (e) {
    if (e !== USER_FAULT) throw e;
    files.close(rfd);
    files.close(wfd);
    return -EFAULT;
  }
  c.straceNote = ` [${rfd}, ${wfd}]`;
  return 0;
}

export function sysPipe(c: SyscallContext, fdsPtr: number): number {
  return sysPipe2(c, fdsPtr, 0);
}
