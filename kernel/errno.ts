// Linux errno values (include/uapi/asm-generic/errno-base.h, errno.h) with their names and the
// strerror() texts strace prints. Syscall handlers return -ERRNO.
export const EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, ENXIO = 6, E2BIG = 7;
export const ENOEXEC = 8, EBADF = 9, ECHILD = 10, EAGAIN = 11, ENOMEM = 12, EACCES = 13;
export const EFAULT = 14, EBUSY = 16, EEXIST = 17, EXDEV = 18, ENODEV = 19, ENOTDIR = 20;
export const EISDIR = 21, EINVAL = 22, ENFILE = 23, EMFILE = 24, ENOTTY = 25, EFBIG = 27;
export const ENOSPC = 28, ESPIPE = 29, EROFS = 30, EMLINK = 31, EPIPE = 32, EDOM = 33;
export const ERANGE = 34, EDEADLK = 35, ENAMETOOLONG = 36, ENOLCK = 37, ENOSYS = 38;
export const ENOTEMPTY = 39, ELOOP = 40, ENODATA = 61, EOVERFLOW = 75, ELIBBAD = 80, ENOTSOCK = 88;
export const EOPNOTSUPP = 95, ETIMEDOUT = 110;

const TABLE: Array<[number, string, string]> = [
  [EPERM, 'EPERM', 'Operation not permitted'],
  [ENOENT, 'ENOENT', 'No such file or directory'],
  [ESRCH, 'ESRCH', 'No such process'],
  [EINTR, 'EINTR', 'Interrupted system call'],
  [EIO, 'EIO', 'Input/output error'],
  [ENXIO, 'ENXIO', 'No such device or address'],
  [E2BIG, 'E2BIG', 'Argument list too long'],
  [ENOEXEC, 'ENOEXEC', 'Exec format error'],
  [EBADF, 'EBADF', 'Bad file descriptor'],
  [ECHILD, 'ECHILD', 'No child processes'],
  [EAGAIN, 'EAGAIN', 'Resource temporarily unavailable'],
  [ENOMEM, 'ENOMEM', 'Cannot allocate memory'],
  [EACCES, 'EACCES', 'Permission denied'],
  [EFAULT, 'EFAULT', 'Bad address'],
  [EBUSY, 'EBUSY', 'Device or resource busy'],
  [EEXIST, 'EEXIST', 'File exists'],
  [EXDEV, 'EXDEV', 'Invalid cross-device link'],
  [ENODEV, 'ENODEV', 'No such device'],
  [ENOTDIR, 'ENOTDIR', 'Not a directory'],
  [EISDIR, 'EISDIR', 'Is a directory'],
  [EINVAL, 'EINVAL', 'Invalid argument'],
  [ENFILE, 'ENFILE', 'Too many open files in system'],
  [EMFILE, 'EMFILE', 'Too many open files'],
  [ENOTTY, 'ENOTTY', 'Inappropriate ioctl for device'],
  [EFBIG, 'EFBIG', 'File too large'],
  [ENOSPC, 'ENOSPC', 'No space left on device'],
  [ESPIPE, 'ESPIPE', 'Illegal seek'],
  [EROFS, 'EROFS', 'Read-only file system'],
  [EMLINK, 'EMLINK', 'Too many links'],
  [EPIPE, 'EPIPE', 'Broken pipe'],
  [EDOM, 'EDOM', 'Numerical argument out of domain'],
  [ERANGE, 'ERANGE', 'Numerical result out of range'],
  [EDEADLK, 'EDEADLK', 'Resource deadlock avoided'],
  [ENAMETOOLONG, 'ENAMETOOLONG', 'File name too long'],
  [ENOLCK, 'ENOLCK', 'No locks available'],
  [ENOSYS, 'ENOSYS', 'Function not implemented'],
  [ENOTEMPTY, 'ENOTEMPTY', 'Directory not empty'],
  [ELOOP, 'ELOOP', 'Too many levels of symbolic links'],
  [ENODATA, 'ENODATA', 'No data available'],
  [EOVERFLOW, 'EOVERFLOW', 'Value too large for defined data type'],
  [ELIBBAD, 'ELIBBAD', 'Accessing a corrupted shared library'],
  [ENOTSOCK, 'ENOTSOCK', 'Socket operation on non-socket'],
  [EOPNOTSUPP, 'EOPNOTSUPP', 'Operation not supported'],
  [ETIMEDOUT, 'ETIMEDOUT', 'Connection timed out'],
];

const NAMES = new Map<number, [string, string]>(TABLE.map(([n, s, m]) => [n, [s, m]]));

export function errnoName(e: number): string {
  return NAMES.get(e)?.[0] ?? `E${e}`;
}

export function errnoMessage(e: number): string {
  return NAMES.get(e)?.[1] ?? `Unknown error ${e}`;
}

/** Maps a Node.js system error code ('ENOENT', ...) to a Linux errno (EIO when unknown). */
export function errnoFromHost(err: unknown): number {
  const code = (err as { code?: string } | null)?.code;
  if (code !== undefined) for (const [n, s] of TABLE) if (s === code) return n;
  return EIO;
}
