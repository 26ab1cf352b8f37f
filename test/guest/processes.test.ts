// Processes, threads, signals and pipes: differential tests of the kernel's fork/vfork/clone,
// execve, wait, futex, signal delivery and pipes. Each case runs a guest program (from
// guest-programs/src: fork_cow, vfork_exec, pipes, threads, signals, each taking the name of
// one check) or one of Debian's static shells on the reference and under the emulator
//
//     node dist/i386emu.mjs run -- PROG ARGS...
//
// from the repository root with the same arguments, environment and stdin; stdout and the
// exit status must be identical. The reference is the host when it runs i386 code, else
// qemu-i386 registered with a private binfmt_misc so that execve works
// (test/helpers/execReference.ts).
//
// A case with `pending` is one the emulator does not pass yet: its reference run is still
// checked, and the comparison is an it.todo. Delete the field to turn the case on;
// PROC_TESTS_ALL=1 runs every pending case as a real test, to see which pass now:
//
//     PROC_TESTS_ALL=1 npx vitest run test/guest/processes.test.ts
//
// A case with `linux` is one where qemu-i386 7.2 is not a faithful reference (checked against
// the host kernel with the same program built as x86-64): the emulator must print that
// literal output, and a native reference must too.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeRun as describeRunFor, execReference, firstDifference, limited, runCommand, type RunResult } from '../helpers/execReference.js';

const describeRun = (r: RunResult): string => describeRunFor(r, TIMEOUT_MS);

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const EMU = 'dist/i386emu.mjs';
const TIMEOUT_MS = 60_000;
const RUN_PENDING = process.env.PROC_TESTS_ALL === '1';
const ENV: Record<string, string> = { PATH: '/usr/bin:/bin', LC_ALL: 'C' };
const BUILD = 'guest-programs/build/';
const BUSYBOX = 'guest-programs/debian/busybox-static/bin/busybox';
const BASH = 'guest-programs/debian/bash-static/bin/bash-static';

interface ProcCase {
  /** A program in guest-programs/build, or a path from the repository root. */
  prog: string;
  args: string[];
  stdin?: string;
  /** Exit status of the reference run (a broken case fails instead of passing vacuously); with
   * `linux`, the status on Linux, which a qemu-i386 reference need not give. */
  status: number;
  /** Why the emulator does not pass this case yet; delete the field once it does. */
  pending?: string;
  /** The output Linux gives where qemu-i386 differs, and why. */
  linux?: { stdout: string; why: string };
  /** A name for the test, when the command line is long (the shell cases). */
  name?: string;
}


const PROCESSES: ProcCase[] = [
  { prog: 'fork_cow', args: ['cow'], status: 0 },
  { prog: 'fork_cow', args: ['bigcow'], status: 0 },
  { prog: 'fork_cow', args: ['status'], status: 0 },
  { prog: 'fork_cow', args: ['reap50'], status: 0 },
  { prog: 'fork_cow', args: ['wnohang'], status: 0 },
  { prog: 'fork_cow', args: ['zombie'], status: 0 },
  { prog: 'fork_cow', args: ['orphan'], status: 0 },
  {
    prog: 'fork_cow', args: ['subreaper'], status: 0,
    linux: {
      why: 'qemu-i386 7.2 does not implement prctl(PR_SET_CHILD_SUBREAPER) (EINVAL); Linux reparents the orphan to the subreaper',
      stdout: '== subreaper\nPR_GET_CHILD_SUBREAPER: 1\nmiddle child: exited 3\nreaped the orphaned grandchild: yes\n'
        + "grandchild's parent was the middle child: yes\ngrandchild's parent then became the subreaper: yes\n",
    },
  },
  { prog: 'fork_cow', args: ['rusage'], status: 0 },
  { prog: 'vfork_exec', args: ['vfork'], status: 0 },
  {
    prog: 'vfork_exec', args: ['vfork_shared'], status: 0,
    linux: {
      why: 'qemu-user runs vfork as fork (it drops CLONE_VM|CLONE_VFORK); Linux runs the child in the parent\'s memory and suspends the parent until the child exits',
      stdout: '== vfork_shared\nthe child ran to _exit before vfork returned in the parent: yes\n'
        + 'global written by the vfork child: 42\nstack variable written by the vfork child: 2\nvfork child: exited 0\n',
    },
  },
  { prog: 'vfork_exec', args: ['spawn'], status: 0 },
  { prog: 'vfork_exec', args: ['script'], status: 0 },
  { prog: 'vfork_exec', args: ['execfail'], status: 0 },
  { prog: 'vfork_exec', args: ['exec'], status: 0 },
  { prog: 'vfork_exec', args: ['exec_script'], status: 0 },
  { prog: 'vfork_exec', args: ['cloexec'], status: 0 },
  { prog: 'vfork_exec', args: ['sigreset'], status: 0 },
  {
    prog: 'proc_mem', args: [], status: 0,
    linux: {
      why: 'qemu-i386 7.2 fakes /proc/self/smaps (every counter 0) and passes status through from its own host process; '
        + 'on Linux (checked with proc_mem.c built as x86-64 on the host) smaps, smaps_rollup, status and statm agree',
      stdout: ['rss totals agree', 'sizes agree', 'pss below rss', 'rss split', 'fork-shared pss is half', 'anonymous private',
        'file shared', 'file private', 'high-water marks', 'exe', 'fd', 'auxv'].map((c) => `${c}: ok\n`).join(''),
    },
  },
];

const PIPES: ProcCase[] = [
  { prog: 'pipes', args: ['bulk'], status: 0 },
  { prog: 'pipes', args: ['pipeline'], stdin: 'one line\nSecond Line\n\tthird, with a tab\n', status: 0 },
  { prog: 'pipes', args: ['atomic'], status: 0 },
  { prog: 'pipes', args: ['sigpipe'], status: 0 },
  { prog: 'pipes', args: ['epipe'], status: 0 },
  { prog: 'pipes', args: ['poll'], status: 0 },
  { prog: 'pipes', args: ['nonblock'], status: 0 },
  { prog: 'pipes', args: ['fcntl'], status: 0 },
];


const THREADS: ProcCase[] = [
  { prog: 'threads', args: ['mutex'], status: 0 },
  { prog: 'threads', args: ['condvar'], status: 0 },
  { prog: 'threads', args: ['barrier'], status: 0 },
  { prog: 'threads', args: ['tls'], status: 0 },
  { prog: 'threads', args: ['atomics'], status: 0 },
  { prog: 'threads', args: ['detach'], status: 0 },
  { prog: 'threads', args: ['join'], status: 0 },
  { prog: 'threads', args: ['ids'], status: 0 },
  { prog: 'threads', args: ['fork'], status: 0 },
  { prog: 'threads', args: ['exit'], status: 7 },
  { prog: 'threads', args: ['leaderexit'], status: 0 },
];


const SIGNALS: ProcCase[] = [
  { prog: 'signals', args: ['raise'], status: 0 },
  { prog: 'signals', args: ['segv'], status: 0 },
  {
    prog: 'signals', args: ['faultregs'], status: 0,
    linux: {
      why: 'qemu-i386 7.2 leaves sigcontext.trapno at -1; Linux stores 14 (#PF) and the page-fault error code',
      stdout: '== faultregs\nread of an unmapped address: trapno 14, err 4\nwrite to a read-only page: trapno 14, err 7\n',
    },
  },
  { prog: 'signals', args: ['fpe'], status: 0 },
  { prog: 'signals', args: ['eip'], status: 0 },
  {
    prog: 'signals', args: ['fpstate'], status: 0,
    linux: {
      why: 'qemu-i386 7.2 does not restore the x87 registers and control word from the signal frame; Linux does (fxsave/xsave area of the frame)',
      stdout: '== fpstate\nhandler ran: 1\nx87 st(0) kept: yes\nx87 control word kept: 067f\nMXCSR kept: 1fa0\nxmm1 kept: yes, xmm7 kept: yes\n',
    },
  },
  { prog: 'signals', args: ['altstack'], status: 0 },
  { prog: 'signals', args: ['sigchld'], status: 0 },
  { prog: 'signals', args: ['alarm'], status: 0 },
  { prog: 'signals', args: ['itimer'], status: 0 },
  { prog: 'signals', args: ['mask'], status: 0 },
  { prog: 'signals', args: ['order'], status: 0 },
  { prog: 'signals', args: ['resethand'], status: 0 },
  { prog: 'signals', args: ['nodefer'], status: 0 },
  { prog: 'signals', args: ['sigsuspend'], status: 0 },
  { prog: 'signals', args: ['eintr'], status: 0 },
  { prog: 'signals', args: ['sigtimedwait'], status: 0 },
  { prog: 'signals', args: ['trapflag'], status: 0 },
  { prog: 'signals', args: ['jobstop'], status: 0 },
  {
    prog: 'signals', args: ['timeleft'], status: 0,
    linux: {
      why: 'qemu-i386 7.2 does not write the time left back when a handler interrupts select or ppoll; Linux does (poll_select_finish)',
      stdout: '== timeleft\nselect timed out: 0, timeval now 0.000000\n'
        + 'select interrupted: -1 EINTR, time left between 1.5 and 1.8 s: yes\n'
        + 'ppoll interrupted: -1 EINTR, time left between 1.5 and 1.8 s: yes\n'
        + 'ppoll ready at once: 1, time left above 2.9 s: yes\n'
        + [7.3, 14.6, 21.9, 29.2, 36.5].map((ms) => `clock_nanosleep TIMER_ABSTIME +${ms.toFixed(1)} ms: 0, woke at or after the deadline: yes\n`).join(''),
    },
  },
  {
    prog: 'signals', args: ['trapcode'], status: 0,
    linux: {
      why: 'qemu-i386 7.2 reports TRAP_BRKPT for a single-step trap; Linux reports TRAP_TRACE (exc_debug_user: get_si_code(dr6) with DR_STEP set)',
      stdout: '== trapcode\nsingle-step SIGTRAP: TRAP_TRACE\nint3: 1 SIGTRAP, SI_KERNEL, saved EIP after the int3 yes\n',
    },
  },
];


/** Busybox sh scripts (applets run in forked children or through execve of /proc/self/exe). */
const BUSYBOX_SH: Array<[name: string, script: string]> = [
  ['pipeline', 'echo a b c | tr " " "\\n" | sort -r; printf "3\\n1\\n2\\n" | sort -n | while read n; do echo "n=$n"; done'],
  ['subshell and command substitution', 'x=1; (x=2; echo in $x); echo out $x; y=$(echo hi | tr a-z A-Z); echo "[$y]"; echo $(( $(echo 6) * $(echo 7) )); z=$(exit 4); echo "status $?"'],
  ['background jobs and wait', '(exit 3) & p1=$!; (exit 5) & p2=$!; wait $p1; echo "first $?"; wait $p2; echo "second $?"; true & false & wait; echo "all waited $?"'],
  ['status of killed children', 'sleep 5 & kill -9 $!; wait $!; echo "SIGKILL: $?"; sh -c "kill -TERM \\$\\$"; echo "SIGTERM: $?"; sh -c "exit 7"; echo "exit 7: $?"'],
  ['redirections, here-document, xargs', 'echo hidden >/dev/null; ls /no/such/file 2>/dev/null; echo "ls status $?"; cat <<EOF\nhere $((1+2))\nEOF\necho 1 2 3 | xargs -n 1 echo num; exec 3>&1; echo via fd 3 >&3'],
  ['trap', 'trap "echo caught USR1" USR1; kill -USR1 $$; echo after; trap "echo exit trap" EXIT; exit 3'],
];

/** bash scripts; bash runs no external commands but busybox ($bb). */
const BASH_SH: Array<[name: string, script: string]> = [
  ['pipeline and PIPESTATUS', `bb=${BUSYBOX}; echo a b c | $bb tr " " "\\n" | $bb sort -r; true | false | (exit 3); echo "\${PIPESTATUS[@]}"`],
  ['subshell and command substitution', 'x=1; (x=2; echo in $x); echo out $x; y=$(echo hi; echo there); echo "[$y]"; [ "$(echo $BASHPID)" != $$ ] && echo "subshell has its own pid"; echo $(( $(echo 6) * $(echo 7) ))'],
  ['background jobs and wait', 'for i in 1 2 3; do (exit $i) & pids+=($!); done; for p in "${pids[@]}"; do wait $p; echo "job exited $?"; done; wait; echo "all done"'],
  ['status of killed children', `bb=${BUSYBOX}; ( kill -9 $BASHPID ); echo "SIGKILL: $?"; $bb sleep 5 & kill -TERM $!; wait $!; echo "SIGTERM: $? $(kill -l $?)"`],
  ['redirections and process substitution', `bb=${BUSYBOX}; { echo out; echo err >&2; } 2>/dev/null; $bb cat /no/such/file 2>/dev/null || echo "cat failed $?"; $bb tr a-z A-Z <<< "here string"; while read l; do echo "got $l"; done < <(printf "x\\ny\\n"); exec 3>&1; echo via fd 3 >&3`],
  ['trap', 'trap "echo caught USR1" USR1; kill -USR1 $$; echo after; trap "echo exit trap" EXIT; exit 4'],
];

const expectedStatus = (script: string): number => Number(/exit (\d+)$/.exec(script)?.[1] ?? 0);

const SHELLS: ProcCase[] = [
  ...BUSYBOX_SH.map(([name, script]): ProcCase => ({
    name: `busybox sh: ${name}`, prog: BUSYBOX, args: ['sh', '-c', script], status: expectedStatus(script),
  })),
  ...BASH_SH.map(([name, script]): ProcCase => ({
    name: `bash: ${name}`, prog: BASH, args: ['-c', script], status: expectedStatus(script),
  })),
];

const AREAS: Array<[string, ProcCase[]]> = [
  ['processes: fork, wait, vfork, execve', PROCESSES],
  ['pipes', PIPES],
  ['threads', THREADS],
  ['signals', SIGNALS],
  ['shells: Debian static busybox sh and bash', SHELLS],
];

const REF = execReference();
if (typeof REF === 'string') console.warn(`process tests: no reference to compare with: ${REF}`);

const progPath = (c: ProcCase): string => (c.prog.includes('/') ? c.prog : BUILD + c.prog);
const label = (c: ProcCase): string => c.name ?? [c.prog, ...c.args].join(' ');


const refRuns = new Map<ProcCase, Promise<RunResult>>();
function runReference(c: ProcCase): Promise<RunResult> {
  let p = refRuns.get(c);
  if (!p) {
    const [cmd, args, env] = (REF as Exclude<typeof REF, string>).command(progPath(c), c.args, ENV);
    p = limited(() => runCommand(cmd, args, env, c.stdin ?? '', TIMEOUT_MS));
    refRuns.set(c, p);
  }
  return p;
}

/** The reference run must have the case's status and print something (the literal, if any, on a native reference). */
async function checkReference(c: ProcCase): Promise<RunResult> {
  const r = await runReference(c);
  const native = (REF as Exclude<typeof REF, string>).name === 'native';
  expect(r.error, `reference did not start: ${r.error?.message}`).toBeUndefined();
  expect(r.timedOut, `reference run of ${label(c)}: ${describeRun(r)}`).toBe(false);
  if (!c.linux || native) {
    expect(r.status, `reference run of ${label(c)}: ${describeRun(r)}\n${r.stderr.slice(-1500)}`).toBe(c.status);
  }
  expect(r.stdout.length, 'the reference printed nothing').toBeGreaterThan(0);
  if (c.linux && native) {
    expect(r.stdout, 'the host kernel no longer gives the literal Linux output of this case').toBe(c.linux.stdout);
  }
  return r;
}

async function checkEmulator(c: ProcCase): Promise<void> {
  const ref = await checkReference(c);
  const emu = await limited(() => runCommand(process.execPath, [EMU, 'run', '--', progPath(c), ...c.args], ENV, c.stdin ?? '', TIMEOUT_MS));
  const want = c.linux?.stdout ?? ref.stdout;
  const context =
    `${label(c)}\n  reference: ${describeRun(ref)}, ${ref.stdout.length} bytes of stdout` +
    `${c.linux ? ` (expected output: Linux's literal, ${c.linux.why})` : ''}\n` +
    `  emulator: ${describeRun(emu)}, ${emu.stdout.length} bytes of stdout\n` +
    `  ${firstDifference(want, emu.stdout)}\n` +
    `  emulator stderr (last 1500 chars):\n${emu.stderr.slice(-1500)}\n` +
    `  reproduce: cd ${ROOT} && env -i ${Object.entries(ENV).map(([k, v]) => `${k}=${v}`).join(' ')} ${process.execPath} ${EMU} run -- ${progPath(c)} ${c.args.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ')}`;
  expect(emu.stdout === want && emu.status === c.status && !emu.signal, context).toBe(true);
}

describe.skipIf(typeof REF === 'string')(`processes, threads, signals: ${typeof REF === 'string' ? 'reference' : REF.name} vs emulator`, () => {
  it('the guest programs, the Debian shells and the emulator bundle are there', () => {
    const all = AREAS.flatMap(([, cases]) => cases);
    const missing = [...new Set(all.map(progPath))].filter((p) => !existsSync(ROOT + p));
    expect(missing, 'run "bash guest-programs/build.sh" and "bash scripts/fetch-debian.sh"').toEqual([]);
    expect(existsSync(ROOT + EMU), `${EMU} is missing: run "node scripts/build.mjs"`).toBe(true);
  });

  for (const [area, cases] of AREAS) {
    describe(area, () => {
      for (const c of cases) {
        if (c.pending && !RUN_PENDING) {
          it.concurrent(`${label(c)} (reference only)`, async () => {
            await checkReference(c);
          }, TIMEOUT_MS + 10_000);
          it.todo(`${label(c)} on the emulator: ${c.pending}`);
        } else {
          it.concurrent(label(c), () => checkEmulator(c), 2 * TIMEOUT_MS + 10_000);
        }
      }
    });
  }
});
