// The native side of `i386emu compare`: whether this host runs i386 code at all, and a run of a
// program under the real kernel (`setarch -R`, `--3gb` for --layout=3gb) stopped by gdb at
// exit_group, its stdout and /proc/PID/maps kept. The run must not move anything on the stack:
// gdb's own LINES/COLUMNS are unset, and perl (Essential on Debian) execs the program by the path
// it was given with the argv[0] it was given (bash's `exec -a` would pass the absolute path, which
// becomes AT_EXECFN and moves every stack address).
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CliError } from './cliError.js';
import { parseMaps, type RunRecord, splitRecord } from './mapsCompare.js';

/**
 * A static i386 ELF of 91 bytes that calls exit(42): the probe for whether this host runs i386
 * code (a kernel without IA32 emulation, or a PVM guest, refuses it with ENOEXEC).
 */
function exit42Elf(): Uint8Array {
  const b = new Uint8Array(52 + 32 + 12);
  const v = new DataView(b.buffer);
  b.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
  v.setUint16(16, 2, true); // ET_EXEC
  v.setUint16(18, 3, true); // EM_386
  v.setUint32(20, 1, true);
  v.setUint32(24, 0x08048054, true); // entry
  v.setUint32(28, 52, true); // e_phoff
  v.setUint16(40, 52, true);
  v.setUint16(42, 32, true);
  v.setUint16(44, 1, true);
  v.setUint32(52, 1, true); // PT_LOAD
  v.setUint32(60, 0x08048000, true);
  v.setUint32(64, 0x08048000, true);
  v.setUint32(68, b.length, true);
  v.setUint32(72, b.length, true);
  v.setUint32(76, 5, true); // R+X
  v.setUint32(80, 0x1000, true);
  b.set([0xb8, 1, 0, 0, 0, 0xbb, 42, 0, 0, 0, 0xcd, 0x80], 84); // mov eax,1; mov ebx,42; int 0x80
  return b;
}

/** Null when this host runs i386 code natively; otherwise why not. */
export function nativeI386Unavailable(): string | null {
  if (process.platform !== 'linux' || process.arch !== 'x64') return `the host is ${process.platform}/${process.arch}, not x86 Linux`;
  const dir = mkdtempSync(join(tmpdir(), 'i386emu-probe-'));
  try {
    const probe = join(dir, 'exit42');
    writeFileSync(probe, exit42Elf());
    chmodSync(probe, 0o755);
    const r = spawnSync(probe, [], { timeout: 10_000 });
    if (r.status === 42) return null;
    return 'this host cannot run i386 code natively (it refuses a 32-bit ELF: no IA32 emulation, or a PVM guest)';
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The native run: setarch -R (--3gb) and gdb, stopped at exit_group, the maps read then.
 * program is executed by exactly that path (relative to the working directory when it has no
 * leading slash; give `./name`, not `name`, which perl would look up in PATH).
 */
export function nativeRecord(program: string, args: string[], layout: string, cwd = process.cwd()): RunRecord {
  const dir = mkdtempSync(join(tmpdir(), 'i386emu-compare-'));
  try {
    const out = join(dir, 'stdout');
    const maps = join(dir, 'maps');
    const py = `python open(${JSON.stringify(maps)}, "w").write(open("/proc/%d/maps" % gdb.selected_inferior().pid).read())`;
    const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    // gdb starts the wrapper with the program's absolute path first; perl drops it and execs the
    // path given here (hex, so no quoting reaches the shell gdb starts it with).
    const hex = Buffer.from(program, 'utf8').toString('hex');
    const wrapper = `set exec-wrapper perl -e 'shift; my $p = pack("H*", "${hex}"); exec {$p} $p, @ARGV or die "exec $p: $!"'`;
    // The shell gdb starts the program with sets PWD to the working directory: so must the
    // caller's environment, for the emulated run to see the same strings (compareCommand does).
    // gdb starts the program through $SHELL: /bin/sh changes nothing in the environment (bash
    // adds SHLVL when it is missing), and the program is given the caller's SHELL back.
    const shell = process.env.SHELL;
    const r = spawnSync('setarch', ['-R', ...(layout === '3gb' ? ['--3gb'] : []), 'gdb', '-batch', '-nx',
      '-ex', 'unset environment LINES', '-ex', 'unset environment COLUMNS',
      '-ex', shell === undefined ? 'unset environment SHELL' : `set environment SHELL ${shell}`, '-ex', wrapper, '-ex', 'catch syscall exit_group',
      '-ex', `run ${quoted} > ${out}`, '-ex', py, '-ex', 'kill', program], { cwd, env: { ...process.env, PWD: cwd, SHELL: '/bin/sh' }, encoding: 'utf8', timeout: 600_000 });
    if (r.error || r.status !== 0) throw new CliError(`compare: the native run under gdb failed: ${(r.stderr || String(r.error)).split('\n')[0]}`, 1);
    return { stdout: splitRecord(readFileSync(out, 'utf8')).stdout, maps: parseMaps(readFileSync(maps, 'utf8')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
