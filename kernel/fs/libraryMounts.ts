// Where the guest finds the dynamic linker and shared libraries. Under --root DIR the guest's
// files come from DIR, but an i386 program's interpreter (/lib/ld-linux.so.2) and libraries
// (/usr/lib32, /lib/i386-linux-gnu, ...) live outside it; with --sysroot they come from
// another tree first. As qemu-user's -L does, the library directories below are then
// overlaid read-only at their own paths (mount.ts mounts them): each is a union of
// --sysroot DIR (searched first) and the host's directory of the same name. They act as
// read-only bind mounts over the root: they hide what the root has there.
//
// Symbolic links inside a layer are resolved in the guest's namespace, as in a chroot: an
// absolute target (Debian's /lib/ld-linux.so.2 -> /lib32/ld-linux.so.2) starts again from the
// guest's "/", so a copied or dpkg -x'ed tree works without the host's files. The resolved
// guest path is what /proc/PID/maps shows, as Linux shows the canonical path.
//
// With a sysroot, /etc/ld.so.cache comes from the sysroot only: the host's cache names host
// libraries, which would mix with the sysroot's ld.so.
import { lstatSync, readlinkSync } from 'node:fs';
import { posix } from 'node:path';
import { ENOENT, ENOTDIR, errnoFromHost } from '../errno.js';

/** The overlaid paths: the library directories of i386 Debian (multiarch and multilib). */
export const LIBRARY_PATHS: readonly string[] = ['/lib', '/lib32', '/usr/lib', '/usr/lib32', '/etc/ld.so.cache'];
const LD_SO_CACHE = '/etc/ld.so.cache';

export type LibraryLookup =
  | { hostPath: string; guestPath: string }
  /** A symbolic link: look this guest path up again from the top. */
  | { redirect: string };

export class LibraryMounts {
  /** Host directory trees, searched in order: the sysroot (if any), then the host's root. */
  readonly layers: readonly string[];

  constructor(readonly sysroot: string | null, hostRoot = '/') {
    this.layers = sysroot === null ? [hostRoot] : [sysroot, hostRoot];
  }

  /** True when a normalised absolute guest path lies under one of the overlaid paths. */
  covers(path: string): boolean {
    return LIBRARY_PATHS.some((p) => path === p || path.startsWith(p + '/'));
  }

  /** The layers searched for a guest path, in order (with a sysroot, ld.so.cache is its own). */
  layersFor(path: string): readonly string[] {
    return path === LD_SO_CACHE && this.sysroot !== null ? [this.sysroot] : this.layers;
  }

  /** Resolves a normalised guest path under an overlaid path (see covers). */
  resolve(path: string, followLast: boolean): LibraryLookup | number {
    const layers = this.layersFor(path);
    for (const layer of layers) {
      const r = resolveInLayer(layer, path, followLast);
      if (r !== -ENOENT) return r;
    }
    return -ENOENT;
  }
}

/** Walks path's components under the host directory layer, stopping at a symbolic link. */
function resolveInLayer(layer: string, path: string, followLast: boolean): LibraryLookup | number {
  const parts = path.split('/').filter((c) => c !== '');
  let guest = '';
  for (let i = 0; i < parts.length; i++) {
    const next = `${guest}/${parts[i]}`;
    const host = posix.join(layer, next);
    let st;
    try {
      st = lstatSync(host);
    } catch (e) {
      return -errnoFromHost(e);
    }
    const last = i === parts.length - 1;
    if (st.isSymbolicLink() && (!last || followLast)) {
      let target: string;
      try {
        target = readlinkSync(host);
      } catch (e) {
        return -errnoFromHost(e);
      }
      const base = target.startsWith('/') ? target : posix.join(guest || '/', target);
      return { redirect: posix.normalize(posix.join(base, ...parts.slice(i + 1))) };
    }
    if (!last && !st.isDirectory()) return -ENOTDIR;
    guest = next;
  }
  return { hostPath: posix.join(layer, guest || '/'), guestPath: guest || '/' };
}
