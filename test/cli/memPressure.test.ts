// Memory pressure through the real command line (guest-programs/src/mem_pressure.c): a program
// touching 48 MiB three times under --mem 16M --swap 64M computes what it computes without
// limits (on the reference, qemu-i386), with swap-outs and swap-ins in --stats; without swap
// the OOM killer kills it with the kernel's line and the one diagnostic line, exit status 137;
// a parent and a child sharing a buffer copy-on-write, both under pressure, still compute right;
// so do they sharing a MAP_SHARED|MAP_ANONYMOUS buffer (shmem pages through swap), and without
// swap such a buffer bigger than RAM is unreclaimable: the OOM killer;
// when another process is the bigger, the OOM killer takes it and the faulting one goes on;
// a system call filling a buffer bigger than RAM (busybox dd) works through swap, and without
// swap the OOM killer takes the process from inside the call; a thrashing livelock is OOM too.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { guestReference } from '../helpers/nativeI386.js';
import { makeTempDir } from '../helpers/tempDir.js';
import { ROOT, runCli } from './cliProcess.js';

/** Each run touches 48 MiB through swap: about 10 s on an idle machine, far more when loaded. */
const SLOW = 300_000;
const PROG = 'guest-programs/build/mem_pressure';
const BUSYBOX = 'guest-programs/debian/busybox-static/bin/busybox';
if (!existsSync(ROOT + PROG)) throw new Error(`${PROG} missing: run "bash guest-programs/build.sh"`);

/** The program's output without any limit, on the reference (or null when there is none). */
function reference(args: string[]): string | null {
  const ref = guestReference();
  if (typeof ref === 'string') return null;
  const [cmd, argv] = ref.argv(ROOT + PROG, args);
  const r = spawnSync(cmd, argv, { encoding: 'utf8', timeout: 120_000 });
  expect(r.status).toBe(0);
  return r.stdout;
}

function statsLine(stderr: string, prefix: string): string {
  const line = stderr.split('\n').find((l) => l.startsWith(`i386emu: stats: ${prefix}`));
  expect(line, `no "${prefix}" stats line in:\n${stderr}`).toBeDefined();
  return line!;
}

const MAIN_48 = [
  'main: pass 1: 48 MiB, checksum 3e2af800, 0 words wrong',
  'main: pass 2: 48 MiB, checksum c57cbc00, 0 words wrong',
  'main: pass 3: 48 MiB, checksum 5a322c00, 0 words wrong',
].join('\n') + '\n';

describe('memory pressure', { timeout: SLOW }, () => {
  it('--mem 16M --swap 64M: 48 MiB touched three times come out right, through swap', () => {
    const r = runCli(['run', '--stats', '--mem', '16M', '--swap', '64M', PROG, '48'], '', SLOW);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(MAIN_48);
    const ref = reference(['48']);
    if (ref !== null) expect(r.stdout).toBe(ref);
    const m = /memory: resident (\d+) pages at exit, (\d+) at most; faults major (\d+), minor (\d+); cow copies (\d+); swap-outs (\d+), swap-ins (\d+) \((\d+) from the swap cache\), swap used (\d+) of (\d+) pages; page-cache hits (\d+)$/
      .exec(statsLine(r.stderr, 'memory:'));
    expect(m).not.toBeNull();
    const [peak, major, swapOuts, swapIns, swapTotal] = [m![2], m![3], m![6], m![7], m![10]].map(Number);
    expect(peak).toBeLessThanOrEqual(4095); // 16 MiB of frames, frame 0 reserved
    // 48 MiB cannot stay in 16: most of it went out and came back at least once.
    expect(swapOuts).toBeGreaterThan(8192);
    expect(swapIns).toBeGreaterThan(8192);
    expect(major).toBeGreaterThanOrEqual(swapIns);
    expect(swapTotal).toBe(16383); // 64 MiB less the header slot
    expect(statsLine(r.stderr, 'reclaim:')).toMatch(/^i386emu: stats: reclaim: [1-9]\d* runs, \d+ pages scanned, [1-9]\d* referenced, .*; OOM kills 0$/);
  });

  it('--mem 16M without swap: the OOM killer kills it (kernel line, SIGKILL, status 137, no JS stack)', () => {
    const r = runCli(['run', '--mem', '16M', PROG, '48'], '', SLOW);
    expect(r.status).toBe(137);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('i386emu: kernel: mem_pressure invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=0');
    expect(lines[1]).toMatch(/^i386emu: kernel: Out of memory: Killed process \d+ \(mem_pressure\) total-vm:\d+kB, anon-rss:(\d+)kB, file-rss:\d+kB, shmem-rss:0kB, UID:\d+ pgtables:\d+kB oom_score_adj:0$/);
    // Nearly all of the 16 MiB is the program's anonymous memory when it dies.
    expect(Number(/anon-rss:(\d+)kB/.exec(lines[1])![1])).toBeGreaterThan(12 * 1024);
    expect(lines[2]).toMatch(/^i386emu: guest killed by SIGKILL \(SI_KERNEL\) .*\[out of guest physical memory\]$/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('the OOM killer picks the bigger process, not the faulting one, which then goes on', () => {
    // Linux's choice, as a literal: qemu-user runs without a memory limit (the reference's
    // child dies of the parent's SIGTERM instead).
    const r = runCli(['run', '--stats', '--mem', '16M', PROG, '10', 'oom-child'], '', SLOW);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('parent touched 10 MiB, 0 words wrong; child killed by signal 9\n');
    const lines = r.stderr.split('\n');
    expect(lines[1]).toMatch(/^i386emu: kernel: Out of memory: Killed process 1001 \(mem_pressure\) total-vm:\d+kB, anon-rss:(\d+)kB, /);
    expect(statsLine(r.stderr, 'reclaim:')).toMatch(/OOM kills 1$/);
    // With swap there is room for both.
    const s = runCli(['run', '--mem', '16M', '--swap', '64M', PROG, '10', 'oom-child'], '', SLOW);
    expect([s.status, s.stdout, s.stderr]).toEqual([0, 'parent touched 10 MiB, 0 words wrong; child killed by signal 15\n', '']);
  });

  it('a livelock (one instruction\'s own pages reclaimed for each other) ends in the OOM killer, not a hang', () => {
    const r = runCli(['run', '--mem', '4M', PROG, '0', 'livelock'], '', 120_000);
    expect(r.status).toBe(137);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[1]).toMatch(/^i386emu: kernel: Out of memory: Killed process \d+ \(mem_pressure\) /);
    expect(lines[2]).toMatch(/^i386emu: guest killed by SIGKILL \(SI_KERNEL\) .*\[out of guest physical memory\]$/);
  });

  it('a parent and a child sharing 24 MiB copy-on-write, both under pressure, compute right', () => {
    const r = runCli(['run', '--stats', '--mem', '16M', '--swap', '64M', PROG, '24', 'fork'], '', SLOW);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe([
      'both: pass 1: 24 MiB, checksum aeea9300, 0 words wrong',
      'child: pass 2: 24 MiB, checksum 1cd6f900, 0 words wrong',
      'child: pass 3: 24 MiB, checksum fadda700, 0 words wrong',
      'parent: pass 2: 24 MiB, checksum dcd6f900, 0 words wrong',
      'parent: pass 3: 24 MiB, checksum badda700, 0 words wrong',
      'child exit 0',
    ].join('\n') + '\n');
    const ref = reference(['24', 'fork']);
    if (ref !== null) expect(r.stdout).toBe(ref);
    const m = /swap-outs (\d+), swap-ins (\d+) \((\d+) from the swap cache\)/.exec(statsLine(r.stderr, 'memory:'));
    expect(Number(m![1])).toBeGreaterThan(0);
    expect(Number(m![2])).toBeGreaterThan(0);
  });

  it('a parent and a child sharing 24 MiB of MAP_SHARED|MAP_ANONYMOUS memory: shmem pages go through swap', () => {
    const r = runCli(['run', '--stats', '--mem', '16M', '--swap', '64M', PROG, '24', 'shared'], '', SLOW);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe([
      'parent: pass 1: 24 MiB, checksum aeea9300, 0 words wrong',
      'child: pass 2: 24 MiB, checksum dcd6f900, 0 words wrong',
      'child exit 0',
      'parent: pass 3: 24 MiB, checksum badda700, 0 words wrong',
      'parent: pass 4: 24 MiB, checksum 5a19cf00, 0 words wrong',
    ].join('\n') + '\n');
    const ref = reference(['24', 'shared']);
    if (ref !== null) expect(r.stdout).toBe(ref);
    const m = /swap-outs (\d+), swap-ins (\d+) .*, swap used (\d+) of/.exec(statsLine(r.stderr, 'memory:'));
    // 24 MiB of shmem cannot stay in 16: pages went out and came back (and no slot leaked).
    expect(Number(m![1])).toBeGreaterThan(2048);
    expect(Number(m![2])).toBeGreaterThan(2048);
    expect(Number(m![3])).toBe(0);
    expect(statsLine(r.stderr, 'reclaim:')).toMatch(/OOM kills 0$/);
  });

  it('--mem 16M without swap: a shared anonymous buffer bigger than RAM is unreclaimable, the OOM killer takes it', () => {
    // Linux's behaviour, as literals (qemu-user has no memory limit): shmem without swap
    // cannot be reclaimed, so the process holding it is killed, its shmem-rss nearly all of RAM.
    const r = runCli(['run', '--mem', '16M', PROG, '24', 'shared'], '', SLOW);
    expect(r.status).toBe(137);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('i386emu: kernel: mem_pressure invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=0');
    expect(lines[1]).toMatch(/^i386emu: kernel: Out of memory: Killed process \d+ \(mem_pressure\) total-vm:\d+kB, anon-rss:\d+kB, file-rss:\d+kB, shmem-rss:(\d+)kB, /);
    expect(Number(/shmem-rss:(\d+)kB/.exec(lines[1])![1])).toBeGreaterThan(12 * 1024);
    expect(lines[2]).toMatch(/^i386emu: guest killed by SIGKILL \(SI_KERNEL\) .*\[out of guest physical memory\]$/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it.skipIf(!existsSync(ROOT + BUSYBOX))('read() and write() of a 16 MiB buffer under --mem 8M: through swap, or refused by the overcommit heuristic without swap', () => {
    const dir = makeTempDir('i386emu-mempressure-');
    const src = join(dir, 'in'), dst = join(dir, 'out');
    const data = Buffer.alloc(16 << 20);
    for (let i = 0; i < data.length; i += 4) data.writeUInt32LE((i * 2654435761) >>> 0, i);
    writeFileSync(src, data);
    const dd = ['dd', `if=${src}`, `of=${dst}`, 'bs=16M', 'count=1'];
    const r = runCli(['run', '--mem', '8M', '--swap', '32M', BUSYBOX, ...dd], '', SLOW);
    expect([r.status, r.stderr]).toEqual([0, '1+0 records in\n1+0 records out\n']);
    expect(readFileSync(dst).equals(data)).toBe(true);
    // Without swap, Linux's heuristic overcommit refuses dd's 16 MiB buffer outright (bigger
    // than RAM + swap): busybox's xmalloc dies with its message (Linux's behaviour, a literal).
    const k = runCli(['run', '--mem', '8M', BUSYBOX, ...dd], '', SLOW);
    expect([k.status, k.stderr]).toEqual([1, 'dd: out of memory\n']);
  });
});
