// Why a file cannot be executed, in one line a user can act on. Thrown by Kernel.execve and
// the ELF parser; Linux's execve answers -ENOEXEC, or the errno given here (-ENOENT for a
// missing interpreter, -ELIBBAD for one that is not a valid ELF).
export class ElfError extends Error {
  constructor(message: string, readonly errno: number | null = null) {
    super(message);
    this.name = 'ElfError';
  }
}
