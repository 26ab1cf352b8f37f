// Reads the guest program named on the command line, turning host errors into one-line CliErrors.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import { CliError } from './cliError.js';
import { parseElf } from '../../kernel/exec/elfHeader.js';
import { ElfError } from '../../kernel/exec/elfError.js';

export function readProgram(path: string): Uint8Array {
  try {
    if (statSync(path).isDirectory()) throw new CliError(`${path}: is a directory`);
    return readFileSync(path);
  } catch (e) {
    if (e instanceof CliError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e instanceof Error ? e.message : String(e));
    throw new CliError(`${path}: ${why}`);
  }
}

/**
 * Where the program named on the command line is on the host. With --root DIR, an absolute
 * path that exists under DIR names the file there, as `chroot DIR PROG` would
 * (`i386emu run --root tree --sysroot tree /usr/bin/lua5.4` for a tree of extracted packages);
 * otherwise the path is the host's, as it always was.
 */
export function programHostPath(program: string, root: string | null): string {
  if (root === null || !program.startsWith('/')) return program;
  const inRoot = posix.join(root, program);
  return existsSync(inRoot) ? inRoot : program;
}

/** readProgram, then the ELF checks `run` makes, so a bad program is refused up front. */
export function readElfProgram(path: string): Uint8Array {
  const image = readProgram(path);
  try {
    parseElf(image);
  } catch (e) {
    if (e instanceof ElfError) throw new CliError(`${path}: ${e.message}`);
    throw e;
  }
  return image;
}

/**
 * The host environment as envp strings (what the guest gets unless told otherwise), less
 * I386EMU_JIT, which sets the emulator's block compiler and is no business of the guest's (so a
 * test suite run with it set sees the same guest environments).
 */
export function hostEnvironment(): string[] {
  return Object.entries(process.env).filter(([k]) => k !== 'I386EMU_JIT').map(([k, v]) => `${k}=${v}`);
}
