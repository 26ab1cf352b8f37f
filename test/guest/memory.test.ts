// The memory manager's calls beyond plain mmap, run under the emulator and compared with the
// reference: guest-programs/src/mm_advice.c, one check per argument (shared anonymous memory
// and MAP_SHARED /dev/zero across fork, madvise, mincore, mlock, map flags, POSIX shared memory
// under /dev/shm). The reference is the host when it runs i386 code, else qemu-i386; a case
// with `linux` is one where qemu-i386 7.2 is not faithful (it answers madvise and some mmap
// flags itself): its literal output is Linux's, checked against the host kernel with the same
// program built as x86-64. The overcommit cases depend on the emulated RAM (--mem), which no
// reference has: they assert Linux's heuristic (OVERCOMMIT_GUESS) as literals.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeRun as describeRunFor, firstDifference, limited, runCommand, type RunResult } from '../helpers/execReference.js';
import { guestReference } from '../helpers/nativeI386.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const EMU = 'dist/i386emu.mjs';
const PROG = 'guest-programs/build/mm_advice';
const TIMEOUT_MS = 60_000;
const ENV: Record<string, string> = { PATH: '/usr/bin:/bin', LC_ALL: 'C' };
const describeRun = (r: RunResult): string => describeRunFor(r, TIMEOUT_MS);

interface MmCase {
  args: string[];
  /** The output Linux gives where qemu-i386 differs, and why. */
  linux?: { stdout: string; why: string };
}

const CASES: MmCase[] = [
  { args: ['shared'] },
  { args: ['mincore'] },
  { args: ['mincore_hole'] },
  { args: ['shm'] },
  {
    args: ['dontneed'],
    linux: {
      why: "qemu-i386 7.2's madvise returns 0 for every advice but WIPEONFORK and passes only DONTNEED to the host: no EINVAL for unknown advice, MADV_FREE on shared memory or MADV_REMOVE on private memory, no ENOMEM for a hole, no EACCES",
      stdout: "== dontneed\n"
        + "madvise(DONTNEED) private anonymous: ok\n"
        + "  pages read back: a 0 0 a\n"
        + "madvise(FREE) private anonymous: ok, page reads 'b' or 0: yes\n"
        + "madvise(DONTNEED) shared anonymous: ok, reads back s\n"
        + "madvise(FREE) shared anonymous: EINVAL\n"
        + "madvise(REMOVE) shared anonymous: ok, reads back 0, the other page s\n"
        + "madvise(REMOVE) private anonymous: EINVAL\n"
        + "madvise(DONTNEED) private file mapping: ok, reads back the file: f\n"
        + "madvise(REMOVE) private file mapping: EACCES\n"
        + "madvise(DONTNEED) shared file mapping: ok, keeps the store: Y\n"
        + "madvise(WILLNEED) file mapping: ok\n"
        + "madvise(SEQUENTIAL), (RANDOM), (NORMAL): ok ok ok\n"
        + "madvise unaligned start: EINVAL\n"
        + "madvise unknown advice: EINVAL\n"
        + "madvise length 0: ok\n"
        + "madvise over a hole: ENOMEM\n"
        + "madvise(WIPEONFORK) shared: EINVAL\n"
        + "madvise(HUGEPAGE), (NOHUGEPAGE): ok ok\n"
        + "madvise(DONTDUMP), (DODUMP): ok ok\n",
    },
  },
  {
    args: ['forkadvice'],
    linux: {
      why: "qemu-i386 7.2 ignores MADV_DONTFORK and MADV_WIPEONFORK (it forks with all of its memory); Linux leaves a DONTFORK area out of the child and zero-fills a WIPEONFORK one",
      stdout: "== forkadvice\n"
        + "madvise(DONTFORK): ok\n"
        + "madvise(WIPEONFORK) first page: ok\n"
        + "madvise(DONTFORK) then (DOFORK): ok ok\n"
        + "child: plain area: kept\n"
        + "child: DONTFORK area: mincore ENOMEM\n"
        + "child: DONTFORK area read: SIGSEGV\n"
        + "child: WIPEONFORK page: 0, the next page: not wiped\n"
        + "child: DOFORK area: dofork\n"
        + "child exit 0\n"
        + "parent keeps: gone wiped not wiped\n"
        + "madvise(KEEPONFORK): ok\n"
        + "child after KEEPONFORK: wiped\n",
    },
  },
  {
    args: ['mlock'],
    linux: {
      why: "qemu-i386 7.2 does not know mlock2 (EINVAL)",
      stdout: "== mlock\n"
        + "mlock 2 pages (unaligned start): ok, resident 0110\n"
        + "munlock: ok\n"
        + "mlock2(ONFAULT): ok, resident 0000\n"
        + "mlock2 bad flags: EINVAL\n"
        + "mlockall(0): EINVAL, (MCL_ONFAULT): EINVAL\n"
        + "munlockall: ok\n"
        + "MAP_LOCKED: ok, resident 111\n"
        + "mlock over a hole: ENOMEM\n",
    },
  },
  {
    args: ['mapflags'],
    linux: {
      why: "qemu-i386 7.2 maps guest memory without MAP_POPULATE and implements MAP_FIXED_NOREPLACE and MAP_SHARED_VALIDATE its own way, and does not grow a MAP_GROWSDOWN area (SIGSEGV); Linux populates, refuses to replace (EEXIST), validates the flags and grows the area",
      stdout: "== mapflags\n"
        + "MAP_POPULATE private: ok, resident 1111\n"
        + "MAP_POPULATE shared: ok, resident 11\n"
        + "MAP_NORESERVE: ok, resident 0000\n"
        + "MAP_NORESERVE after a store: 7\n"
        + "MAP_FIXED_NOREPLACE over a mapping: EEXIST\n"
        + "MAP_FIXED_NOREPLACE on a free range: ok, at the address: yes\n"
        + "MAP_FIXED|MAP_FIXED_NOREPLACE over a mapping: EEXIST\n"
        + "MAP_PRIVATE with an unknown flag: ok\n"
        + "MAP_SHARED_VALIDATE with an unknown flag: EOPNOTSUPP\n"
        + "MAP_SHARED with an unknown flag: ok\n"
        + "MAP_SHARED_VALIDATE|MAP_POPULATE file: ok, resident 11\n"
        + "MAP_SHARED|MAP_GROWSDOWN anonymous: EINVAL\n"
        + "MAP_GROWSDOWN: ok\n"
        + "the page below before a touch: mincore ENOMEM\n"
        + "a store below the start: 5, the page below is now mapped: ok\n",
    },
  },
];

/** Linux's overcommit heuristic against the emulated RAM (no swap): [--mem MiB, malloc MiB, output]. */
const OVERCOMMIT: Array<[number, number, string]> = [
  // A 1 GiB malloc that is never touched fits in 2 GiB and costs no frames (first and last byte written).
  [2048, 1024, '== overcommit\nmalloc(1024 MiB): ok\nfirst and last byte: 1 2\nmmap(1024 MiB, MAP_NORESERVE): ok\n'],
  // 1.5 GiB could never fit in 1 GiB: mmap and then brk refuse it (ENOMEM); MAP_NORESERVE is not charged.
  [1024, 1536, '== overcommit\nmalloc(1536 MiB): failed\nmmap(1536 MiB, MAP_NORESERVE): ok\n'],
];

const REF = guestReference();
if (typeof REF === 'string') console.warn(`memory tests: no reference to compare with: ${REF}`);

function emulator(args: string[], emuFlags: string[] = []): Promise<RunResult> {
  return limited(() => runCommand(process.execPath, [EMU, 'run', ...emuFlags, '--', PROG, ...args], ENV, '', TIMEOUT_MS));
}

function context(label: string, want: string, emu: RunResult): string {
  return `${label}\n  emulator: ${describeRun(emu)}\n  ${firstDifference(want, emu.stdout)}\n`
    + `  emulator stderr (last 1500 chars):\n${emu.stderr.slice(-1500)}`;
}

describe('mm_advice: emulator', () => {
  it('the guest program and the emulator bundle are there', () => {
    expect(existsSync(ROOT + PROG), 'run "bash guest-programs/build.sh"').toBe(true);
    expect(existsSync(ROOT + EMU), `${EMU} is missing: run "node scripts/build.mjs"`).toBe(true);
  });

  describe.skipIf(typeof REF === 'string')(`compared with ${typeof REF === 'string' ? 'the reference' : REF.name}`, () => {
    for (const c of CASES) {
      it.concurrent(`mm_advice ${c.args.join(' ')}`, async () => {
        const ref = REF as Exclude<typeof REF, string>;
        const [cmd, argv] = ref.argv(PROG, c.args);
        const r = await limited(() => runCommand(cmd, argv, ref.env(ENV), '', TIMEOUT_MS));
        // Where qemu-i386 is not faithful it may also end differently (it does not grow MAP_GROWSDOWN areas).
        if (!c.linux || ref.name === 'native') expect(r.status, `reference: ${describeRun(r)}\n${r.stderr.slice(-1500)}`).toBe(0);
        expect(r.stdout.length, 'the reference printed nothing').toBeGreaterThan(0);
        if (c.linux && ref.name === 'native') expect(r.stdout, 'the host no longer gives the literal Linux output').toBe(c.linux.stdout);
        const want = c.linux?.stdout ?? r.stdout;
        const emu = await emulator(c.args);
        expect(emu.stdout === want && emu.status === 0, context(`mm_advice ${c.args.join(' ')}`, want, emu)).toBe(true);
      }, 2 * TIMEOUT_MS + 10_000);
    }
  });

  for (const [mem, mib, want] of OVERCOMMIT) {
    it.concurrent(`--mem ${mem}: malloc(${mib} MiB) under Linux's overcommit heuristic`, async () => {
      const emu = await emulator(['overcommit', String(mib)], ['--mem', String(mem)]);
      expect(emu.stdout === want && emu.status === 0, context(`--mem ${mem} mm_advice overcommit ${mib}`, want, emu)).toBe(true);
    }, TIMEOUT_MS + 10_000);
  }

  it('/dev/shm under --root is the emulator\'s own, not the host\'s', async () => {
    // The program's shm objects live in a directory private to the run: nothing of it is left
    // in the host's /dev/shm, and the check passes the same way.
    const want = (await emulator(['shm'])).stdout;
    const r = await limited(() => runCommand(process.execPath, [EMU, 'run', '--root', ROOT + 'guest-programs/build', '--', '/mm_advice', 'shm'],
      ENV, '', TIMEOUT_MS));
    expect(r.stdout, r.stderr).toBe(want);
    expect(want).toContain('parent reads: written by the child through its own shm_open');
  }, 2 * TIMEOUT_MS + 10_000);
});
