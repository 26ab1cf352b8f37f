// `i386emu compare [RUN OPTIONS] [--against FILE] PROG [ARGS...]`: runs PROG in the emulator
// (argv[0], environment and working directory as a native run gets them), keeps its stdout and
// the first process's /proc/PID/maps at exit, and compares both with the real kernel: a native
// run under `setarch -R` (`--3gb` for --layout=3gb) stopped by gdb at exit_group, or a saved
// reference (--against: stdout followed by maps lines, as test/fixtures/layout-reference).
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseRunArgs, UsageError } from './args.js';
import { takeOptions } from './extraOptions.js';
import { CliError } from './cliError.js';
import { runCommand } from './runCommand.js';
import { formatMaps } from '../../kernel/fs/procfs.js';
import { compareRecords, normaliseBinDir, parseMaps, type RunRecord, splitRecord } from './mapsCompare.js';

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
 * The native run: setarch -R (--3gb) and gdb, stopped at exit_group, the maps read then. The
 * environment gdb adds (LINES, COLUMNS) is removed. Not exercised on hosts that cannot run
 * i386 code (the tests' host among them).
 */
function nativeRecord(program: string, args: string[], layout: string): RunRecord {
  const dir = mkdtempSync(join(tmpdir(), 'i386emu-compare-'));
  try {
    const out = join(dir, 'stdout');
    const maps = join(dir, 'maps');
    const py = `python open(${JSON.stringify(maps)}, "w").write(open("/proc/%d/maps" % gdb.selected_inferior().pid).read())`;
    const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    // gdb starts the program by its full path; the wrapper gives it the argv[0] it was given here.
    const wrapper = `set exec-wrapper bash -c 'exec -a "${program.replace(/["'$`\\]/g, '')}" "$0" "$@"'`;
    const r = spawnSync('setarch', ['-R', ...(layout === '3gb' ? ['--3gb'] : []), 'gdb', '-batch', '-nx',
      '-ex', 'unset environment LINES', '-ex', 'unset environment COLUMNS', '-ex', wrapper, '-ex', 'catch syscall exit_group',
      '-ex', `run ${quoted} > ${out}`, '-ex', py, '-ex', 'kill', program], { encoding: 'utf8', timeout: 600_000 });
    if (r.error || r.status !== 0) throw new CliError(`compare: the native run under gdb failed: ${(r.stderr || String(r.error)).split('\n')[0]}`, 1);
    return { stdout: splitRecord(readFileSync(out, 'utf8')).stdout, maps: parseMaps(readFileSync(maps, 'utf8')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function compareCommand(argv: string[]): Promise<number> {
  const { found, rest } = takeOptions(argv, ['--against']);
  const against = found.get('--against') ?? null;
  const o = parseRunArgs(rest);
  if (o.gdbPort !== null) throw new UsageError('compare does not take --gdb');
  // The native side runs under setarch -R: a randomized layout could never match it.
  if (o.aslr) throw new UsageError('compare does not take --aslr (it compares with Linux\'s layout with randomization off)');
  let reference: RunRecord;
  let label: string;
  if (against !== null) {
    let text: string;
    try {
      text = readFileSync(against, 'utf8');
    } catch (e) {
      throw new CliError(`compare: cannot read ${against}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, 2);
    }
    reference = splitRecord(text);
    label = basename(against);
  } else {
    const why = nativeI386Unavailable();
    if (why !== null) {
      process.stderr.write(`i386emu: compare: ${why}; give --against FILE with a saved reference\n`);
      return 1;
    }
    reference = nativeRecord(o.program, o.args, o.layout);
    label = 'Linux';
  }

  const chunks: Buffer[] = [];
  let exitMaps = '';
  const status = await runCommand(o, {
    stdout: (d) => chunks.push(Buffer.from(d)),
    atInitExit: (t) => {
      exitMaps = formatMaps(t);
    },
  });
  const ours: RunRecord = { stdout: splitRecord(Buffer.concat(chunks).toString('utf8')).stdout, maps: parseMaps(exitMaps) };
  const base = basename(o.program);
  ours.maps = normaliseBinDir(ours.maps, base);
  reference.maps = normaliseBinDir(reference.maps, base);
  const c = compareRecords(ours, reference, label);
  process.stdout.write(c.text);
  if (status !== 0) process.stdout.write(`(the program exited with status ${status} in i386emu)\n`);
  return c.identical ? 0 : 1;
}
