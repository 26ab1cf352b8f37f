// The one line `run` prints when the program cannot start, and its exit status: 2 for a file
// that is not a runnable i386 ELF, 127 (what a shell returns for a command it cannot run) when
// the dynamic linker named by PT_INTERP is missing, with how to get one.
import { statSync } from 'node:fs';
import { ENOENT } from '../../kernel/errno.js';
import type { ElfError } from '../../kernel/exec/elfError.js';
import { CliError } from './cliError.js';

export const EXIT_NOT_FOUND = 127;

export function execFailure(program: string, e: ElfError, sysroot: string | null): CliError {
  const m = /^interpreter (\S+): /.exec(e.message);
  if (m !== null && e.errno === ENOENT) {
    const where = sysroot === null ? '' : ` (nor in --sysroot ${sysroot})`;
    return new CliError(`${program}: dynamic linker ${m[1]} not found${where}; install Debian's 32-bit libc `
      + `(apt-get install libc6-i386) or pass --sysroot DIR with an i386 system tree`, EXIT_NOT_FOUND);
  }
  return new CliError(`${program}: ${e.message}`, m !== null ? EXIT_NOT_FOUND - 1 : 2);
}

/** --sysroot must name a directory (checked before the guest starts). */
export function checkSysroot(dir: string | null): void {
  if (dir === null) return;
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch { /* reported below */ }
  if (!isDir) throw new CliError(`--sysroot ${dir}: not a directory`);
}
