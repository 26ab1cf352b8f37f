// The shared layout reference (test/fixtures/layout-reference, a copy of ../shared/layout-reference)
// and the trees its runs need. The reference's i386 glibc (ld.so and libc.so.6 from Debian 12's
// libc6-i386 2.36-9+deb12u14) is not tracked in git: it is found by the checksums HOST.txt
// gives, in $I386EMU_LAYOUT_REFERENCE's or ../shared's sysroot, or in the host's /usr/lib32,
// where gcc-multilib on Debian 12 installs exactly that package. Without it the dynamic
// flavours cannot be run (their layout depends on libc's size) and say so.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ldSoCache } from './ldSoCache.js';
import { makeTempDir } from './tempDir.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LIBS = ['ld-linux.so.2', 'libc.so.6'] as const;
/** The reference machine's ld.so.cache left a ten-page hole (38015 bytes on the machine that made it). */
export const LD_SO_CACHE_SIZE = 38015;

/** The reference folder (binaries, expected outputs, HOST.txt), or null. */
export function findReference(): string | null {
  const candidates = [process.env.I386EMU_LAYOUT_REFERENCE, join(ROOT, 'test/fixtures/layout-reference'), resolve(ROOT, '../shared/layout-reference')];
  for (const c of candidates) if (c && existsSync(join(c, 'HOST.txt'))) return c;
  return null;
}

/** HOST.txt's checksums: relative path → sha256. */
function hostChecksums(ref: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const l of readFileSync(join(ref, 'HOST.txt'), 'utf8').split('\n')) {
    const m = /^([0-9a-f]{64})\s+(\S+)$/.exec(l);
    if (m) out.set(m[2], m[1]);
  }
  return out;
}

const sha256 = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

/** The files HOST.txt lists outside sysroot/ (binaries, sources), all present and unchanged. */
export function checksumsMatch(ref: string): boolean {
  const sums = [...hostChecksums(ref)].filter(([f]) => !f.startsWith('sysroot/'));
  return sums.length > 0 && sums.every(([f, sum]) => existsSync(join(ref, f)) && sha256(join(ref, f)) === sum);
}

/** Where the reference's exact ld.so and libc are on this machine (name → path), or null. */
export function referenceGlibc(ref: string): Map<string, string> | null {
  const sums = hostChecksums(ref);
  const dirs = [ref, process.env.I386EMU_LAYOUT_REFERENCE, resolve(ROOT, '../shared/layout-reference')]
    .filter((d): d is string => !!d).map((d) => join(d, 'sysroot/usr/lib32'));
  dirs.push('/usr/lib32');
  const found = new Map<string, string>();
  for (const lib of LIBS) {
    const want = sums.get(`sysroot/usr/lib32/${lib}`);
    const p = dirs.map((d) => join(d, lib)).find((c) => existsSync(c) && sha256(c) === want);
    if (want === undefined || p === undefined) return null;
    found.set(lib, p);
  }
  return found;
}

/**
 * A --root tree with the given binaries at /layout-ref/bin (a folder name as long as the
 * reference machine's), and, when the reference glibc is here, a --sysroot with it, a real
 * /lib/ld-linux.so.2 link (the reference stores it flattened) and an ld.so.cache of the
 * reference's size.
 */
export function makeLayoutTrees(ref: string, binaries: readonly string[]): { root: string; bin: string; sysroot: string | null } {
  const root = makeTempDir('i386emu-layout-root-');
  const bin = join(root, 'layout-ref/bin');
  mkdirSync(bin, { recursive: true });
  for (const f of binaries) copyFileSync(join(ref, 'bin', f), join(bin, f));
  const glibc = referenceGlibc(ref);
  if (glibc === null) return { root, bin, sysroot: null };
  const sysroot = makeTempDir('i386emu-layout-sysroot-');
  mkdirSync(join(sysroot, 'usr/lib32'), { recursive: true });
  mkdirSync(join(sysroot, 'lib'));
  mkdirSync(join(sysroot, 'etc'));
  for (const [lib, p] of glibc) copyFileSync(p, join(sysroot, 'usr/lib32', lib));
  symlinkSync('../usr/lib32/ld-linux.so.2', join(sysroot, 'lib/ld-linux.so.2'));
  writeFileSync(join(sysroot, 'etc/ld.so.cache'), ldSoCache([['libc.so.6', '/usr/lib32/libc.so.6']], LD_SO_CACHE_SIZE));
  return { root, bin, sysroot };
}

export const GLIBC_MISSING = 'the reference\'s i386 glibc (Debian 12 libc6-i386 2.36-9+deb12u14, checksums in HOST.txt) is not on this machine: the dynamic flavours are skipped';
