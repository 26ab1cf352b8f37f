// `i386emu run` options through the real command line: --strace (one decoded line per system
// call, on stderr, the guest's stdout untouched), --stats (counters that must move with what the
// guest does: 256 more pages touched give 256 more anonymous page faults), --mem (a guest that
// needs more than the given memory is OOM-killed, one that fits runs; sizes with K/M/G), --swap, and the exit status of a
// guest killed by a signal (128 + signal) with its one diagnostic line, or by the deadlock check.
import { describe, expect, it } from 'vitest';
import { existsSync, realpathSync } from 'node:fs';
import { ROOT, runCli, symbolAddress } from './cliProcess.js';

/** Per test: each spawns node a few times, which takes seconds on a loaded machine. */
const SLOW = 60_000;

const HELLO = 'guest-programs/build/hello';
const CRASH = 'guest-programs/build/crash';
const HELLO_OUT = 'Hello, world!\nHello, world!\n';
const missing = [HELLO, CRASH].filter((p) => !existsSync(ROOT + p));
if (missing.length) throw new Error(`${missing.join(', ')} missing: run "bash guest-programs/build.sh"`);

/** A syscall line of --strace: name(args) = result, or one of strace's ---/+++ lines. */
const SYSCALL_LINE = /^[a-z_0-9]+\(.*\) = (-?\d+|0x[0-9a-f]+|\?)( .*)?$/;

interface Stats { instructions: number; syscalls: number; tlbHits: number; tlbMisses: number; pageFaults: number; anon: number; file: number; frames: number }

function parseStats(stderr: string): Stats {
  // The block compiler's line comes only when it compiled something (I386EMU_JIT, --jit).
  const lines = stderr.split('\n').filter((l) => l.startsWith('i386emu: stats: ') && !l.startsWith('i386emu: stats: block compiler: '));
  expect(lines).toHaveLength(7);
  const m0 = /^i386emu: stats: (\d+) instructions in (\d+\.\d{3}) s \((\d+\.\d) MIPS\), (\d+) syscalls$/.exec(lines[0]);
  const m1 = /^i386emu: stats: TLB (\d+) hits \(outside compiled code\), (\d+) misses, (\d+) flushes; decoded (\d+) instructions, (\d+) code-page invalidations$/.exec(lines[1]);
  const m2 = /^i386emu: stats: page faults (\d+): anon (\d+), file (\d+), cow (\d+), stack growth (\d+), spurious (\d+), segv (\d+), sigbus (\d+); frames in use at most (\d+)$/.exec(lines[2]);
  expect(m0, lines[0]).not.toBeNull();
  expect(m1, lines[1]).not.toBeNull();
  expect(m2, lines[2]).not.toBeNull();
  // One task, so no context switch and nothing shared by fork.
  expect(lines[3]).toMatch(/^i386emu: stats: tasks 1, context switches \d+, frames shared by fork 0, copied on write \d+$/);
  expect(lines[4]).toMatch(/^i386emu: stats: page cache: \d+ pages read, \d+ hits, \d+ written back; \d+ files cached at exit$/);
  // No pressure in the default 2 GiB: no swap, no reclaim.
  expect(lines[5]).toMatch(/^i386emu: stats: memory: resident \d+ pages at exit, \d+ at most; faults major \d+, minor [1-9]\d*; cow copies \d+; swap-outs 0, swap-ins 0 \(0 from the swap cache\), swap used 0 of 0 pages; page-cache hits \d+$/);
  expect(lines[6]).toBe('i386emu: stats: reclaim: 0 runs, 0 pages scanned, 0 referenced, 0 unmapped, 0 frames freed; page cache 0 dropped, 0 written back first; OOM kills 0');
  return {
    instructions: Number(m0![1]), syscalls: Number(m0![4]), tlbHits: Number(m1![1]), tlbMisses: Number(m1![2]),
    pageFaults: Number(m2![1]), anon: Number(m2![2]), file: Number(m2![3]), frames: Number(m2![9]),
  };
}

describe('run --strace', { timeout: SLOW }, () => {
  it('logs every system call of hello on stderr, decoded, and leaves stdout to the guest', () => {
    const r = runCli(['run', '--strace', HELLO]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(HELLO_OUT);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe(`execve("${HELLO}", ["${HELLO}"], 0x2 /* 2 vars */) = 0`);
    expect(lines).toContain('write(1, "Hello, world!\\nHello, world!\\n", 28) = 28');
    // The guest sees the host's files (no --root): /proc/self/exe is the program's real path.
    const exe = realpathSync(ROOT + HELLO);
    expect(lines).toContain(`readlink("/proc/self/exe", "${exe}", 4096) = ${exe.length}`);
    expect(lines.filter((l) => /^brk\(/.test(l)).length).toBeGreaterThanOrEqual(2);
    expect(lines.at(-2)).toBe('exit_group(0) = ?');
    expect(lines.at(-1)).toBe('+++ exited with 0 +++');
    for (const l of lines.slice(0, -1)) expect(l).toMatch(SYSCALL_LINE);
  });

  it('shows the signal that killed the guest', () => {
    const r = runCli(['run', '--strace', CRASH, 'segv']);
    expect(r.status).toBe(139);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines.at(-3)).toBe('--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x10} ---');
    expect(lines.at(-2)).toBe('+++ killed by SIGSEGV +++');
    expect(lines.at(-1)).toMatch(/^i386emu: guest killed by SIGSEGV/);
  });
});

describe('run --stats', { timeout: SLOW }, () => {
  it('counts the system calls strace shows', () => {
    const r = runCli(['run', '--strace', '--stats', HELLO]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(HELLO_OUT);
    const s = parseStats(r.stderr);
    const calls = r.stderr.split('\n').filter((l) => SYSCALL_LINE.test(l));
    // The first line, execve, is the loader starting the guest, not a system call the guest made.
    expect(calls[0]).toMatch(/^execve\(/);
    expect(s.syscalls).toBe(calls.length - 1);
    expect(s.instructions).toBeGreaterThan(10_000);
    expect(s.tlbHits).toBeGreaterThan(s.tlbMisses);
    expect(s.file).toBeGreaterThan(0);
    expect(s.frames).toBeGreaterThan(s.anon + s.file - 1);
  });

  it('moves by 256 anonymous page faults and 256 frames when the guest touches 1 MiB more', () => {
    const a = runCli(['run', '--stats', CRASH, 'touch', '4']);
    const b = runCli(['run', '--stats', CRASH, 'touch', '5']);
    expect([a.status, a.stdout, b.status, b.stdout]).toEqual([0, 'touched 4 MiB\n', 0, 'touched 5 MiB\n']);
    const sa = parseStats(a.stderr), sb = parseStats(b.stderr);
    expect(sb.anon - sa.anon).toBe(256);
    expect(sb.pageFaults - sa.pageFaults).toBe(256);
    expect(sb.tlbMisses - sa.tlbMisses).toBeGreaterThanOrEqual(256);
    // 256 data frames, plus at most one more page table.
    expect(sb.frames - sa.frames).toBeGreaterThanOrEqual(256);
    expect(sb.frames - sa.frames).toBeLessThanOrEqual(257);
    expect(sb.instructions - sa.instructions).toBeGreaterThan(256 * 2);
  });
});

describe('run --mem', { timeout: SLOW }, () => {
  it('kills a guest that needs more guest memory than --mem gives, runs it with enough', () => {
    // 8 MiB could never fit in 4 MiB: malloc fails (ENOMEM from mmap and brk under Linux's
    // overcommit heuristic); 4 MiB is committed but there are not enough frames when touched.
    const never = runCli(['run', '--mem', '4', CRASH, 'touch', '8']);
    expect([never.status, never.stdout, never.stderr]).toEqual([1, 'malloc failed\n', '']);
    const small = runCli(['run', '--mem', '4', CRASH, 'touch', '4']);
    expect(small.status).toBe(128 + 9);
    expect(small.stdout).toBe('');
    // The OOM killer's two kernel lines, then the diagnostic. The faulting access may be the
    // store into the heap or an instruction fetch: reclaim drops clean text pages too.
    expect(small.stderr).toMatch(/^i386emu: kernel: crash invoked oom-killer: .*\ni386emu: kernel: Out of memory: Killed process \d+ \(crash\) .*\ni386emu: guest killed by SIGKILL \(SI_KERNEL\) at 0x[0-9a-f]{8} \(in [0-9a-f]{8}-[0-9a-f]{8} r[w-][x-]p .*\); eip 0x[0-9a-f]{8}: .*\[out of guest physical memory\]\n$/);
    const enough = runCli(['run', '--mem', '16', CRASH, 'touch', '8']);
    expect([enough.status, enough.stdout, enough.stderr]).toEqual([0, 'touched 8 MiB\n', '']);
  });

  it('takes sizes with K/M/G (a plain number is MiB) and refuses those outside 4M..2G', () => {
    for (const v of ['16', '16M', '16384K', '1G']) {
      const r = runCli(['run', '--mem', v, '--swap', '8M', HELLO]);
      expect([r.status, r.stdout, r.stderr]).toEqual([0, HELLO_OUT, '']);
    }
    for (const v of ['3', '2049', '3M', '3G', 'x', '16X']) {
      const r = runCli(['run', '--mem', v, HELLO]);
      expect(r.status).toBe(2);
      expect(r.stderr.split('\n')[0]).toBe('i386emu: --mem takes a size from 4M to 2G (16M, 1G, 512K; a plain number is MiB)');
    }
    for (const v of ['2G', '-1', 'lots']) {
      const r = runCli(['run', '--swap', v, HELLO]);
      expect(r.status).toBe(2);
      expect(r.stderr.split('\n')[0]).toBe('i386emu: --swap takes a size from 0 to 1G (64M, 1G, 512K; a plain number is MiB)');
    }
  });
});

describe('exit status of a guest killed by a signal', { timeout: SLOW }, () => {
  const main = symbolAddress(ROOT + CRASH, 'main');
  const hex8 = (v: number) => '0x' + v.toString(16).padStart(8, '0');
  const inMain = (line: string) => {
    const eip = parseInt(/; eip 0x([0-9a-f]{8}):/.exec(line)![1], 16);
    expect(eip, `${hex8(eip)} should be in main at ${hex8(main)}`).toBeGreaterThanOrEqual(main);
    expect(eip - main).toBeLessThan(0x200);
  };

  it('SIGSEGV: 139 and one line naming the address, no VMA, and the faulting store', () => {
    const r = runCli(['run', CRASH, 'segv']);
    expect(r.status).toBe(128 + 11);
    expect(r.stdout).toBe('');
    expect(r.stderr.endsWith('\n') && r.stderr.split('\n').length).toBe(2);
    expect(r.stderr).toMatch(/^i386emu: guest killed by SIGSEGV \(SEGV_MAPERR\) at 0x00000010 \(no VMA\); eip 0x[0-9a-f]{8}: mov dword ptr \[e[a-z]{2}\], 0x2a\n$/);
    inMain(r.stderr);
  });

  it('SIGFPE: 136 and one line naming the division', () => {
    const r = runCli(['run', CRASH, 'div0']);
    expect(r.status).toBe(128 + 8);
    expect(r.stderr.endsWith('\n') && r.stderr.split('\n').length).toBe(2);
    expect(r.stderr).toMatch(/^i386emu: guest killed by SIGFPE \(FPE_INTDIV\) at 0x([0-9a-f]{8}) \(in [0-9a-f]{8}-[0-9a-f]{8} r-xp [0-9a-f]{8} [0-9a-f]{2}:[0-9a-f]{2} \d+ \/.*\/guest-programs\/build\/crash\); eip 0x\1: idiv e[a-z]{2}\n$/);
    inMain(r.stderr);
  });

  it('a normal exit keeps the guest status and prints nothing of its own', () => {
    const r = runCli(['run', 'guest-programs/build/exit_codes', '_exit', '77']);
    expect([r.status, r.stdout, r.stderr]).toEqual([77, '', '']);
  });
  it('a deadlock after the main thread left with pthread_exit: 137 and the deadlock line, not exit 0', () => {
    const r = runCli(['run', 'guest-programs/build/threads', 'deadlock']);
    expect(r.status).toBe(128 + 9);
    expect(r.stdout).toBe('== deadlock\nmain thread leaves\n');
    expect(r.stderr).toMatch(/^i386emu: every task is asleep and nothing can wake one \(deadlock\); killing the guest\ni386emu: guest killed by SIGKILL \(SI_KERNEL\); eip 0x[0-9a-f]{8}: .*\[deadlock: every task asleep\]\n$/);
  });
});
