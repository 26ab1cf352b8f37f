// `i386emu compare [RUN OPTIONS] [--against FILE] PROG [ARGS...]`: runs PROG in the emulator
// (argv[0], environment and working directory as a native run gets them), keeps its stdout and
// the first process's /proc/PID/maps at exit, and compares both with the real kernel: a native
// run under `setarch -R` (`--3gb` for --layout=3gb) stopped by gdb at exit_group, or a saved
// reference (--against: stdout followed by maps lines, as test/fixtures/layout-reference).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseRunArgs, UsageError } from './args.js';
import { takeOptions } from './extraOptions.js';
import { CliError } from './cliError.js';
import { runCommand } from './runCommand.js';
import { formatMaps } from '../../kernel/fs/procfs.js';
import { compareRecords, normaliseBinDir, parseMaps, type RunRecord, splitRecord } from './mapsCompare.js';
import { nativeI386Unavailable, nativeRecord } from './nativeRecord.js';

export async function compareCommand(argv: string[]): Promise<number> {
  const { found, rest } = takeOptions(argv, ['--against']);
  const against = found.get('--against') ?? null;
  const o = parseRunArgs(rest);
  // Both runs exec the program by the same path, which becomes AT_EXECFN: a bare name means the
  // file in the working directory, as the emulator reads it.
  if (!o.program.includes('/')) o.program = `./${o.program}`;
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
    if (o.root !== null || o.sysroot !== null || o.binds.length > 0) {
      throw new CliError('compare: the native run uses the host\'s own files: --root, --sysroot and --bind need --against FILE', 2);
    }
    const why = nativeI386Unavailable();
    if (why !== null) {
      process.stderr.write(`i386emu: compare: ${why}; give --against FILE with a saved reference\n`);
      return 1;
    }
    // The native run gets PWD from the shell gdb starts it with; the emulated one gets the same.
    process.env.PWD = process.cwd();
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
