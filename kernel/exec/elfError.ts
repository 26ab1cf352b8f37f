// Why a file cannot be executed, in one line a user can act on. Thrown by Kernel.execve and
// the ELF parser; Linux would answer -ENOEXEC (or -ENOENT for a missing interpreter).
export class ElfError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ElfError';
  }
}
