// The mount table (fs/namespace.c): which file system serves each part of the guest's tree.
// Path lookup (pathWalk.ts) asks it for the mount with the longest mount point at or above a
// guest path. The guest's "/" is a host directory: the host's own "/" by default (the guest
// sees the host as a native process of the same user would), or --root DIR (a confinement, as
// chroot). On top of it: procfs at /proc, devfs at /dev, --bind HOST:GUEST host directories,
// and the read-only library overlay (libraryMounts.ts) when --root or --sysroot is given.
// /dev/shm (POSIX shared memory: shm_open) is a host directory mounted over devfs: the host's
// own /dev/shm in the default view, so guest and host programs share objects as two host
// processes would; under --root the guest must not reach the host's, so it is DIR/dev/shm when
// DIR has one, else a directory private to this emulator run (made under the host's temporary
// directory, removed at exit), shared by every guest process of the run as a tmpfs would be.
// Its files are ordinary host files, mapped through the page cache like any other.
//
// A mount point need not exist in the file system below it (as with proot): the lookup finds
// the mount before it looks at the directory underneath.
import { mkdtempSync, realpathSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { posix, sep } from 'node:path';
import type { PageCache } from '../mm/pageCache.js';
import type { KernelRandom } from '../mm/randomize.js';
import { LIBRARY_PATHS, LibraryMounts } from './libraryMounts.js';

export interface HostMount {
  kind: 'host';
  /** Normalised absolute guest path of the mount point. */
  at: string;
  /** The real (symlink-free) host directory mounted there. */
  hostRoot: string;
  readOnly: boolean;
  /**
   * A host file reached through this mount must lie under hostRoot (--root and --bind): the
   * open checks the opened file's real path. False for the host's own "/".
   */
  confined: boolean;
}

export interface LibraryMount {
  kind: 'lib';
  at: string;
  libs: LibraryMounts;
}

export interface SyntheticMount {
  kind: 'proc' | 'dev';
  at: string;
}

export type Mount = HostMount | LibraryMount | SyntheticMount;

export interface Bind {
  host: string;
  guest: string;
  readOnly?: boolean;
}

export interface MountOptions {
  /** Host directory that is the guest's "/" (default: the host's "/", no confinement). */
  root?: string;
  binds?: readonly Bind[];
  /** --sysroot: searched first for the interpreter and libraries. */
  sysroot?: string | null;
  /** Host tree whose library directories are overlaid (tests; default "/"). */
  libraryHost?: string;
}

export class MountError extends Error {}

function realDir(p: string, what: string): string {
  let real: string;
  try {
    real = realpathSync(p);
  } catch {
    throw new MountError(`${what} ${p}: no such directory`);
  }
  if (!statSync(real).isDirectory()) throw new MountError(`${what} ${p}: not a directory`);
  return real;
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

let privateShm: string | null = null;

/**
 * The mount at /dev/shm for a guest root (see the file comment). A private directory is made
 * only when a path under /dev/shm is first looked up, so runs that never use it leave nothing.
 */
function shmMount(rootDir: string, confined: boolean): HostMount {
  const own = rootDir === '/' ? '/dev/shm' : posix.join(rootDir, 'dev/shm');
  if (isDir(own)) return { kind: 'host', at: '/dev/shm', hostRoot: realpathSync(own), readOnly: false, confined };
  return {
    kind: 'host', at: '/dev/shm', readOnly: false, confined,
    get hostRoot() {
      return privateShmDir();
    },
  };
}

/** Whether m is /dev/shm's private directory not made yet (no host file can lie inside it). */
function isUnmadeShm(m: HostMount): boolean {
  return m.at === '/dev/shm' && privateShm === null && Object.getOwnPropertyDescriptor(m, 'hostRoot')?.get !== undefined;
}

function privateShmDir(): string {
  if (privateShm === null) {
    const dir = mkdtempSync(posix.join(tmpdir(), 'i386emu-shm-'));
    privateShm = realpathSync(dir);
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return privateShm;
}

export function isInside(real: string, root: string): boolean {
  if (root === '/') return true;
  return real === root || real.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** Kernel settings /proc/sys shows (read-only to the guest). */
export interface Sysctl {
  /** kernel.randomize_va_space: 0 off, 2 full randomization (--aslr). */
  randomizeVaSpace: number;
}

export class MountTable {
  /**
   * The kernel's page cache, which the host mounts' files share (set by the Kernel; null in
   * tests without guest memory: files are then read and written directly and cannot be mapped).
   */
  pageCache: PageCache | null = null;
  /** The sysctls /proc/sys shows (set by the Kernel). */
  readonly sysctl: Sysctl = { randomizeVaSpace: 0 };
  /** The kernel's random source, which /dev/random and /dev/urandom read (set by the Kernel). */
  random: KernelRandom | null = null;
  /** Longest mount point first. */
  readonly mounts: Mount[] = [];
  /** The mount at "/". */
  readonly root: HostMount;
  readonly libs: LibraryMounts | null;

  constructor(o: MountOptions = {}) {
    const rootDir = realDir(o.root ?? '/', '--root');
    this.root = { kind: 'host', at: '/', hostRoot: rootDir, readOnly: false, confined: rootDir !== '/' };
    this.add(this.root);
    this.add({ kind: 'proc', at: '/proc' });
    this.add({ kind: 'dev', at: '/dev' });
    this.add(shmMount(rootDir, this.root.confined));
    // Without --root the host's library directories are already where ld.so looks; the overlay
    // is needed to put a sysroot first, or to show the libraries inside a confined root.
    const sysroot = o.sysroot ?? null;
    if (this.root.confined || sysroot !== null) {
      this.libs = new LibraryMounts(sysroot, o.libraryHost ?? '/');
      for (const at of LIBRARY_PATHS) this.add({ kind: 'lib', at, libs: this.libs });
    } else {
      this.libs = null;
    }
    for (const b of o.binds ?? []) {
      const at = posix.normalize(b.guest.startsWith('/') ? b.guest : '/' + b.guest).replace(/(.)\/$/, '$1');
      const hostRoot = realDir(b.host, '--bind');
      this.add({ kind: 'host', at, hostRoot, readOnly: b.readOnly ?? false, confined: hostRoot !== '/' });
    }
  }

  private add(m: Mount): void {
    const i = this.mounts.findIndex((x) => x.at === m.at);
    if (i >= 0) this.mounts.splice(i, 1);
    this.mounts.push(m);
    this.mounts.sort((a, b) => b.at.length - a.at.length);
  }

  /** The mount serving a normalised absolute guest path. */
  find(path: string): Mount {
    for (const m of this.mounts) {
      if (m.at === '/' || path === m.at || path.startsWith(m.at + '/')) return m;
    }
    return this.root;
  }

  /** Mount points directly below a guest directory (listed by getdents when absent there). */
  mountPointsIn(dir: string): string[] {
    const out: string[] = [];
    for (const m of this.mounts) {
      if (m.at !== '/' && posix.dirname(m.at) === dir) out.push(posix.basename(m.at));
    }
    return out;
  }

  /** The guest path of a host path (the deepest host mount that holds it), or null. */
  guestPathOf(hostPath: string): string | null {
    let real: string;
    try {
      real = realpathSync(hostPath);
    } catch {
      return null;
    }
    for (const m of this.mounts) {
      if (m.kind !== 'host' || isUnmadeShm(m) || !isInside(real, m.hostRoot)) continue;
      const rel = real.slice(m.hostRoot === '/' ? 0 : m.hostRoot.length).split(sep).filter((c) => c !== '');
      return posix.join(m.at, ...rel);
    }
    return null;
  }
}
