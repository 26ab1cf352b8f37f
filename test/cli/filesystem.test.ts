// The guest's file system policy through the command line: by default the guest sees the
// host's files as a native process would (absolute and relative paths, writes); --root DIR
// confines it, and guest-programs/src/sandbox.c's attacks (absolute paths, ../ chains,
// symbolic links out, /proc/self/root, /proc/self/fd/N of a directory, openat with a dirfd,
// rename/link/symlink out, chdir("..") from the root, execve of a program outside) all stay
// inside; --bind mounts a host directory inside the root.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/tempDir.js';
import { CLI_ENV, ROOT } from './cliProcess.js';

const SLOW = 60_000;
const EMU = join(ROOT, 'dist/i386emu.mjs');
const BUILD = join(ROOT, 'guest-programs/build');

function run(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [EMU, 'run', ...args], {
    cwd, env: CLI_ENV, encoding: 'utf8', timeout: SLOW, killSignal: 'SIGKILL',
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('default: the host view of a native process', { timeout: SLOW }, () => {
  it('reads a file by its absolute path and by a relative one, from that very folder', () => {
    const dir = makeTempDir('i386emu-fs-');
    writeFileSync(join(dir, 'input.txt'), 'the input\n');
    const r = run([join(BUILD, 'readfile'), join(dir, 'input.txt'), 'input.txt'], dir);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('the input\nthe input\n');
    expect(r.status).toBe(0);
  });

  it('creates, writes and removes files (guest-programs/src/files.c in a directory of ours)', () => {
    const dir = makeTempDir('i386emu-fs-');
    const r = run([join(BUILD, 'files'), dir], dir);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('cat shared: [start\nchild\nparent\n] (19 bytes)');
    expect(r.stdout.trimEnd().split('\n').slice(-2)).toEqual(['rmdir tmp: ok', 'done']);
    expect(readdirSync(dir)).toEqual([]);
  });
});

/** The expected output of sandbox.c: nothing reaches the secret. */
const SANDBOX_OUT = `inside file: read [inside]
absolute host path: ENOENT
../ chain + host path: ENOENT
relative ../ chain: ENOENT
absolute symlink out: ENOENT
relative symlink out: read [decoy inside the root]
symlink to outside dir: ENOENT
symlink of ../ chain: ENOENT
/proc/self/root: ENOENT
readlink /proc/self/root: [/]
/proc/self/cwd/..: ENOENT
openat(dirfd, ../ chain): ENOENT
openat(dirfd, host path): ENOENT
openat(dirfd, ../rel_link): read [decoy inside the root]
/proc/self/fd/N of a directory: ENOENT
/dev/fd/N of a directory: ENOENT
cwd after chdir("..") x20: [/]
relative after chdir ..: ENOENT
/.. is /: 1
rename into outside dir: ENOENT
rename through dir_link: ENOENT
link into outside dir: ENOENT
link of outside file: ENOENT
symlink to host path: ok
open the new symlink: ENOENT
mkdir outside: ENOENT
O_CREAT outside: ENOENT
O_TRUNC through abs_link: ENOENT
truncate host path: ENOENT
chmod host path: ENOENT
unlink host path: ENOENT
unlink through dir_link: ENOENT
rename host path away: ENOENT
execve outside program: ENOENT
execve through dir_link: ENOENT
done
`;

describe('--root DIR confines the guest', { timeout: SLOW }, () => {
  it('no path, link, .. chain, /proc trick, dirfd, rename or exec reaches outside', () => {
    const base = makeTempDir('i386emu-sandbox-');
    const root = join(base, 'root');
    const outside = join(base, 'outside');
    mkdirSync(join(root, 'sub'), { recursive: true });
    mkdirSync(join(root, 'outside'));
    mkdirSync(outside);
    writeFileSync(join(outside, 'secret.txt'), 'SECRET\n');
    copyFileSync(join(BUILD, 'hello'), join(outside, 'hello'));
    copyFileSync(join(BUILD, 'sandbox'), join(root, 'sandbox'));
    writeFileSync(join(root, 'inside.txt'), 'inside\n');
    // Where ../outside/secret.txt lands when ".." stops at the guest's "/".
    writeFileSync(join(root, 'outside', 'secret.txt'), 'decoy inside the root\n');
    symlinkSync(join(outside, 'secret.txt'), join(root, 'abs_link'));
    symlinkSync('../outside/secret.txt', join(root, 'rel_link'));
    symlinkSync(outside, join(root, 'dir_link'));
    symlinkSync('../../../../../..', join(root, 'up_link'));
    const before = readdirSync(outside).sort();
    const r = run(['--root', root, '--', join(root, 'sandbox'), join(outside, 'secret.txt'), outside, join(outside, 'hello')], base);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(SANDBOX_OUT);
    expect(r.status).toBe(0);
    expect(readdirSync(outside).sort()).toEqual(before);
    expect(readFileSync(join(outside, 'secret.txt'), 'utf8')).toBe('SECRET\n');
  });

  it('--bind HOST:GUEST mounts a host directory inside; its .. is the guest directory above it', () => {
    const base = makeTempDir('i386emu-bind-');
    const root = join(base, 'root');
    const data = join(base, 'data');
    mkdirSync(root);
    mkdirSync(data);
    writeFileSync(join(data, 'f'), 'bound\n');
    writeFileSync(join(root, 'top'), 'top of the root\n');
    writeFileSync(join(base, 'top'), 'outside\n');
    const r = run(['--root', root, '--bind', `${data}:/mnt/data`, '--', join(BUILD, 'readfile'), '/mnt/data/f', '/mnt/data/../../top'], base);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('bound\ntop of the root\n');
  });

  it('a dynamically linked program runs in an empty root (the library overlay)', () => {
    const root = makeTempDir('i386emu-emptyroot-');
    const r = run(['--root', root, '--', join(BUILD, 'hello-dyn')], root);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('Hello, world!\nHello, world!\n');
  });

  it('a missing --root or --bind directory is one line and exit 2', () => {
    const r = run(['--root', '/nonexistent/dir', '--', join(BUILD, 'hello')], ROOT);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('i386emu: --root /nonexistent/dir: not a directory\n');
    const b = run(['--bind', '/nonexistent/dir:/x', '--', join(BUILD, 'hello')], ROOT);
    expect(b.status).toBe(2);
    expect(b.stderr).toBe('i386emu: --bind /nonexistent/dir: not a directory\n');
  });
});
