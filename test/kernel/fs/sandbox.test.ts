// The --root confinement at the VFS level: path walks in the guest's namespace, and the
// checks an open makes against a host process that swaps a path component for a symbolic
// link (or another file) between the walk and the open (the guest's own threads cannot: a
// system call runs to completion before another task runs).
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EACCES, EEXIST, ELOOP, ENOENT, ENOTDIR, EXDEV } from '../../../kernel/errno.js';
import { O_CREAT, O_RDONLY, O_WRONLY } from '../../../kernel/fs/file.js';
import { hostOpen } from '../../../kernel/fs/hostfs.js';
import { MountTable } from '../../../kernel/fs/mount.js';
import { AT_FDCWD, lookup, pathWalk, type HostLookup, type VfsContext } from '../../../kernel/fs/pathWalk.js';
import { openPath } from '../../../kernel/fs/vfs.js';
import { vfsLink, vfsMkdir, vfsRename, vfsSymlink } from '../../../kernel/fs/vfsOps.js';
import { makeTempDir } from '../../helpers/tempDir.js';
import { bootKernel } from '../syscalls/sysHelpers.js';

/** base/root (the guest's "/") and base/out (a secret outside it). */
function layout(): { base: string; root: string; out: string } {
  const base = makeTempDir('i386emu-sbx-');
  const root = join(base, 'root');
  const out = join(base, 'out');
  mkdirSync(join(root, 'd'), { recursive: true });
  mkdirSync(out);
  writeFileSync(join(out, 'secret'), 'SECRET');
  writeFileSync(join(out, 'f'), 'outside f');
  writeFileSync(join(root, 'd', 'f'), 'inside f');
  writeFileSync(join(root, 'f'), 'inside');
  return { base, root, out };
}

function ctxFor(root: string, binds: Array<{ host: string; guest: string }> = []): VfsContext {
  const b = bootKernel();
  return { mounts: new MountTable({ root, binds }), task: b.k.task };
}

function hostLookup(ctx: VfsContext, path: string, create = false): HostLookup {
  const w = pathWalk(ctx, AT_FDCWD, path, true, create);
  if (typeof w === 'number' || w.found.kind !== 'host') throw new Error(`walk ${path}: ${String(w)}`);
  return w.found;
}

const open = (l: HostLookup, flags = O_RDONLY) =>
  hostOpen({ hostPath: l.hostPath, guestPath: l.guestPath, flags, mode: 0o644, check: { expect: l.st, confine: l.confine } });

describe('path walk under --root', () => {
  it('resolves .., absolute and relative links in the guest namespace', () => {
    const { root, out } = layout();
    symlinkSync(join(out, 'secret'), join(root, 'abs'));
    symlinkSync('../out/secret', join(root, 'rel'));
    symlinkSync('/d', join(root, 'dlink'));
    symlinkSync('loop2', join(root, 'loop1'));
    symlinkSync('loop1', join(root, 'loop2'));
    const ctx = ctxFor(root);
    expect(lookup(ctx, AT_FDCWD, '/../../../out/secret', true)).toBe(-ENOENT);
    expect(lookup(ctx, AT_FDCWD, '/abs', true)).toBe(-ENOENT);
    expect(lookup(ctx, AT_FDCWD, '/rel', true)).toBe(-ENOENT);
    expect((lookup(ctx, AT_FDCWD, '/dlink/../f', true) as HostLookup).hostPath).toBe(join(root, 'f'));
    expect((lookup(ctx, AT_FDCWD, '/dlink/f', true) as HostLookup).hostPath).toBe(join(root, 'd', 'f'));
    expect(lookup(ctx, AT_FDCWD, '/loop1', true)).toBe(-ELOOP);
    expect(lookup(ctx, AT_FDCWD, '/f/x', true)).toBe(-ENOTDIR);
    expect(lookup(ctx, AT_FDCWD, '/f/', true)).toBe(-ENOTDIR);
    expect((lookup(ctx, AT_FDCWD, '/abs', false) as HostLookup).st?.isSymbolicLink()).toBe(true);
  });

  it('a bind mount\'s .. is the guest directory above the mount point', () => {
    const { root, out } = layout();
    const ctx = ctxFor(root, [{ host: out, guest: '/mnt' }]);
    expect((lookup(ctx, AT_FDCWD, '/mnt/secret', true) as HostLookup).hostPath).toBe(join(out, 'secret'));
    expect((lookup(ctx, AT_FDCWD, '/mnt/../f', true) as HostLookup).hostPath).toBe(join(root, 'f'));
    // Across mounts: EXDEV, as Linux.
    expect(vfsRename(ctx, AT_FDCWD, '/mnt/secret', AT_FDCWD, '/stolen', 0)).toBe(-EXDEV);
    expect(vfsLink(ctx, AT_FDCWD, '/mnt/secret', AT_FDCWD, '/hard', false)).toBe(-EXDEV);
  });

  it('creates only inside: mkdir, symlink and O_CREAT through links that point out', () => {
    const { root, out } = layout();
    symlinkSync(out, join(root, 'outdir'));
    symlinkSync(join(out, 'new'), join(root, 'dangling'));
    const ctx = ctxFor(root);
    expect(vfsMkdir(ctx, AT_FDCWD, '/outdir/x', 0o755)).toBe(-ENOENT);
    expect(vfsSymlink(ctx, '/etc/passwd', AT_FDCWD, '/outdir/l')).toBe(-ENOENT);
    expect(openPath(ctx, AT_FDCWD, '/dangling', O_CREAT | O_WRONLY, 0o644)).toBe(-ENOENT);
    expect(readdirSync(out).sort()).toEqual(['f', 'secret']);
  });
});

describe('opens checked against a host-side swap after the walk', () => {
  it('the last component replaced by a symbolic link out: O_NOFOLLOW refuses it', () => {
    const { root, out } = layout();
    const ctx = ctxFor(root);
    const l = hostLookup(ctx, '/f');
    renameSync(join(root, 'f'), join(root, 'f.old'));
    symlinkSync(join(out, 'secret'), join(root, 'f'));
    expect(open(l)).toBe(-ELOOP);
  });

  it('the last component replaced by another file: the (dev, ino) check refuses it', () => {
    const { root } = layout();
    const ctx = ctxFor(root);
    const l = hostLookup(ctx, '/f');
    writeFileSync(join(root, 'other'), 'other');
    renameSync(join(root, 'other'), join(root, 'f'));
    expect(open(l)).toBe(-EACCES);
  });

  it('a directory on the way replaced by a link out: the (dev, ino) and real-path checks refuse it', () => {
    const { root, out } = layout();
    const ctx = ctxFor(root);
    const l = hostLookup(ctx, '/d/f');
    renameSync(join(root, 'd'), join(root, 'd.old'));
    symlinkSync(out, join(root, 'd'));
    expect(open(l)).toBe(-EACCES);
    // Without the (dev, ino) expectation, the real path of the opened file still gives it away.
    expect(hostOpen({ hostPath: l.hostPath, guestPath: l.guestPath, flags: O_RDONLY, mode: 0, check: { expect: null, confine: l.confine } })).toBe(-EACCES);
  });

  it('a create whose directory was swapped for a link out: refused, and the file taken back', () => {
    const { root, out } = layout();
    const ctx = ctxFor(root);
    const l = hostLookup(ctx, '/d/new', true);
    expect(l.st).toBeNull();
    renameSync(join(root, 'd'), join(root, 'd.old'));
    symlinkSync(out, join(root, 'd'));
    expect(open(l, O_CREAT | O_WRONLY)).toBe(-EACCES);
    expect(existsSync(join(out, 'new'))).toBe(false);
  });

  it('a create that finds a file a host process made meanwhile fails with EEXIST', () => {
    const { root } = layout();
    const ctx = ctxFor(root);
    const l = hostLookup(ctx, '/late', true);
    writeFileSync(join(root, 'late'), 'someone else');
    expect(open(l, O_CREAT | O_WRONLY)).toBe(-EEXIST);
  });
});
