// The guest's file system from the command line: --root DIR (the guest's "/", a confinement;
// default: the host's "/", as a native process sees it), --bind HOST[:GUEST][:ro] mounts and
// --sysroot DIR. Bad directories are one line and exit 2, before the guest starts.
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Bind } from '../../kernel/fs/mount.js';
import type { RunOptions } from './args.js';
import { CliError } from './cliError.js';

function mustBeDir(option: string, dir: string): void {
  let ok = false;
  try {
    ok = statSync(dir).isDirectory();
  } catch { /* missing */ }
  if (!ok) throw new CliError(`${option} ${dir}: not a directory`);
}

/** "HOST", "HOST:GUEST" or either with ":ro": a bind mount (GUEST defaults to HOST's path). */
export function parseBind(spec: string): Bind {
  let s = spec;
  let readOnly = false;
  if (s.endsWith(':ro')) {
    readOnly = true;
    s = s.slice(0, -3);
  }
  const i = s.lastIndexOf(':');
  const host = i < 0 ? s : s.slice(0, i);
  const guest = i < 0 ? resolve(s) : s.slice(i + 1);
  if (host === '' || !guest.startsWith('/')) throw new CliError(`--bind ${spec}: expected HOST:GUEST with an absolute GUEST path`);
  return { host: resolve(host), guest, readOnly };
}

export interface FsKernelOptions {
  rootDir?: string;
  binds: Bind[];
  sysroot?: string;
}

export function fsKernelOptions(o: RunOptions): FsKernelOptions {
  if (o.root !== null) mustBeDir('--root', o.root);
  const binds = o.binds.map(parseBind);
  for (const b of binds) mustBeDir('--bind', b.host);
  return {
    rootDir: o.root === null ? undefined : resolve(o.root),
    binds,
    sysroot: o.sysroot === null ? undefined : resolve(o.sysroot),
  };
}
