// `i386emu run`: load the guest, run it to exit, report a fatal signal in one diagnostic line,
// and exit with the guest's status (128 + signal number when a signal killed it).
import type { RunOptions } from './args.js';
import { CliError } from './cliError.js';
import { fsKernelOptions } from './fsOptions.js';
import { hostRlimits } from './hostRlimits.js';
import { hostEnvironment, programHostPath, readProgram } from './readProgram.js';
import { Kernel } from '../../kernel/kernel.js';
import { ElfError } from '../../kernel/exec/elfError.js';
import { describeFatalSignal } from './diagnostic.js';
import { formatStats } from './stats.js';
import { runInEventLoop } from './hostLoop.js';
import { checkSysroot, execFailure } from './execError.js';
import { SIGPIPE } from '../../kernel/signal/signal.js';
import { cpuKernelOptions } from './cpuOption.js';
import type { Task } from '../../kernel/proc/task.js';
import { formatPmapX } from '../debug/pmapView.js';

/** What other subcommands built on `run` (compare, layout) add: the guest's stdout, and a look at the mm at exit. */
export interface RunHooks {
  stdout?: (data: Uint8Array) => void;
  atInitExit?: (task: Task) => void;
}

export async function runCommand(o: RunOptions, hooks: RunHooks = {}): Promise<number> {
  const programPath = programHostPath(o.program, o.root);
  const image = readProgram(programPath);
  checkSysroot(o.sysroot);
  const kernel = new Kernel({
    memoryBytes: o.memoryBytes,
    swapBytes: o.swapBytes,
    ...cpuKernelOptions(o),
    quantum: o.quantum ?? undefined,
    layout: o.layout,
    rlimitStack: o.rlimitStack ?? undefined,
    ...fsKernelOptions(o),
    rlimits: hostRlimits(),
    strace: o.strace ? (line: string) => process.stderr.write(line + '\n') : undefined,
    stdout: hooks.stdout,
    atInitExit: o.pmapAtExit
      ? (t) => {
        process.stderr.write(formatPmapX(t.mm, t.pid, [o.program, ...o.args].join(' ')));
        hooks.atInitExit?.(t);
      }
      : hooks.atInitExit,
  });
  const envp = hostEnvironment();
  try {
    kernel.execve(o.program, [o.program, ...o.args], envp, image, programPath);
  } catch (e) {
    if (e instanceof ElfError) throw execFailure(o.program, e, o.sysroot);
    throw e;
  }
  const t0 = process.hrtime.bigint();
  const result = await runInEventLoop(kernel);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  // A shell prints nothing for a process killed by SIGPIPE; neither do we.
  if (result.signal && result.signal !== SIGPIPE) process.stderr.write(await describeFatalSignal(kernel, result) + '\n');
  if (o.stats) process.stderr.write(formatStats(kernel, seconds) + '\n');
  const missing = result.exitCode === 127 ? kernel.missingLibraries() : [];
  if (missing.length > 0) {
    const where = o.sysroot === null ? '' : ` (nor in --sysroot ${o.sysroot})`;
    process.stderr.write(`i386emu: shared librar${missing.length > 1 ? 'ies' : 'y'} not found${where}: ${missing.join(', ')}; `
      + `install the i386 package that has ${missing.length > 1 ? 'them' : 'it'} (apt-get install PACKAGE:i386) or pass --sysroot DIR with an i386 system tree\n`);
  }
  return result.signal ? 128 + result.signal : result.exitCode;
}
