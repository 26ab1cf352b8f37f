// execve (fs/exec.c): the path is looked up in the guest's file system, argv and envp are
// copied in, and the image replaces the process; a "#!" script runs its interpreter. A file
// that is not a runnable i386 ELF gives -ENOEXEC, a missing PT_INTERP interpreter -ENOENT, a
// broken one -ELIBBAD (the reason goes to strace); on success the call does not return to
// the old program: the new one starts with EAX = 0.
import { accessSync, constants } from 'node:fs';
import { E2BIG, EACCES, ELOOP, ENOEXEC } from '../errno.js';
import { ElfError } from '../exec/elfError.js';
import { argStringsLimit, MAX_ARG_STRLEN } from '../exec/elfTables.js';
import { HostFileInode, hostOpen } from '../fs/hostfs.js';
import { S_IFMT, S_IFREG } from '../fs/stat.js';
import { AT_FDCWD, lookup, PATH_MAX } from '../fs/vfs.js';
import { getUser32, strncpyFromUser, USER_STRING_TOO_LONG } from '../mm/uaccess.js';
import type { SyscallContext } from './types.js';

/** MAX_ARG_STRINGS */
const MAX_ARG_STRINGS = 0x7fffffff;

function readStringArray(c: SyscallContext, ptr: number): string[] | number {
  const out: string[] = [];
  if (ptr === 0) return out;
  let total = 0;
  for (let i = 0; i < MAX_ARG_STRINGS; i++) {
    const p = getUser32(c.mm, (ptr + i * 4) >>> 0) >>> 0;
    if (p === 0) break;
    let s: string;
    try {
      s = strncpyFromUser(c.mm, p, MAX_ARG_STRLEN - 1);
    } catch (e) {
      if (e === USER_STRING_TOO_LONG) return -E2BIG;
      throw e;
    }
    total += s.length + 1 + 4;
    if (total > argStringsLimit(c.mm.stackRlimit)) return -E2BIG;
    out.push(s);
  }
  return out;
}

export function sysExecve(c: SyscallContext, pathPtr: number, argvPtr: number, envpPtr: number): number {
  const path = strncpyFromUser(c.mm, pathPtr, PATH_MAX);
  const argv = readStringArray(c, argvPtr);
  if (typeof argv === 'number') return argv;
  const envp = readStringArray(c, envpPtr);
  if (typeof envp === 'number') return envp;
  return doExecve(c, path, path, argv, envp, 0);
}

/** BINPRM_BUF_SIZE: how much of a "#!" line is looked at. */
const BINPRM_BUF_SIZE = 256;

/**
 * "#!interpreter [one argument]" (fs/binfmt_script.c): the interpreter runs with argv
 * [interpreter, argument?, the script's path, the original argv[1..]]; up to 4 levels.
 */
function scriptArgs(bytes: Uint8Array, path: string, argv: readonly string[]): { interp: string; argv: string[] } | number | null {
  if (bytes[0] !== 0x23 || bytes[1] !== 0x21) return null;
  const head = Buffer.from(bytes.subarray(2, BINPRM_BUF_SIZE)).toString('latin1');
  const nl = head.indexOf('\n');
  if (nl < 0 && bytes.length > BINPRM_BUF_SIZE) return -ENOEXEC;
  const line = (nl < 0 ? head : head.slice(0, nl)).replace(/^[ \t]+/, '').replace(/[ \t]+$/, '');
  if (line === '') return -ENOEXEC;
  const m = /^(\S+)(?:[ \t]+(.*))?$/.exec(line)!;
  const interp = m[1];
  const out = [interp];
  if (m[2] !== undefined && m[2] !== '') out.push(m[2]);
  out.push(path, ...argv.slice(1));
  return { interp, argv: out };
}

function doExecve(c: SyscallContext, path: string, execfn: string, argv: readonly string[], envp: readonly string[], depth: number): number {
  if (depth > 4) return -ELOOP;
  const l = lookup(c.vfs, AT_FDCWD, path, true);
  if (typeof l === 'number') return l;
  if (l.kind !== 'host' || l.st === null) return -EACCES;
  if ((Number(l.st.mode) & S_IFMT) !== S_IFREG) return -EACCES;
  try {
    accessSync(l.hostPath, constants.X_OK);
  } catch {
    return -EACCES;
  }
  // Read through a checked open (hostfs.hostOpen): the file the walk found, inside the root.
  const inode = hostOpen({
    hostPath: l.hostPath, guestPath: l.guestPath, flags: 0, mode: 0, check: { expect: l.st, confine: l.confine },
    cache: c.vfs.mounts.pageCache,
  });
  if (typeof inode === 'number') return inode;
  // The open is released at the end: the new image's areas hold the page cache by then.
  try {
    const file = inode instanceof HostFileInode ? inode.mapping() : -EACCES;
    if (typeof file === 'number') return file;
    const bytes = file.mapping.readAll();
    const script = scriptArgs(bytes, path, argv);
    if (typeof script === 'number') return script;
    if (script !== null) return doExecve(c, script.interp, execfn, script.argv, envp, depth + 1);
    c.execImage(l.hostPath, l.guestPath, execfn, argv, envp, bytes, file);
  } catch (e) {
    if (e instanceof ElfError) {
      c.straceNote = ` (${e.message})`;
      return -(e.errno ?? ENOEXEC);
    }
    throw e;
  } finally {
    inode.release?.();
  }
  return 0;
}
