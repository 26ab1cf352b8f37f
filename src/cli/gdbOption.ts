// `i386emu run --gdb PORT PROG`: load the program, stop it at its first instruction and serve
// gdb's remote protocol on 127.0.0.1:PORT (connect with `target remote :PORT`). The exit status
// is the program's when it runs to its end; 137 (killed) when gdb kills it.
import type { RunOptions } from './args.js';
import { CliError } from './cliError.js';
import { fsKernelOptions } from './fsOptions.js';
import { hostRlimits } from './hostRlimits.js';
import { hostEnvironment, programHostPath, readElfProgram } from './readProgram.js';
import { launch } from '../debug/kernelTarget.js';
import { GdbStub } from '../debug/gdb/stub.js';
import { ElfError } from '../../kernel/exec/elfError.js';
import { checkSysroot, execFailure } from './execError.js';
import { cpuKernelOptions } from './cpuOption.js';

export async function runWithGdb(o: RunOptions): Promise<number> {
  const image = readElfProgram(programHostPath(o.program, o.root));
  const envp = hostEnvironment();
  checkSysroot(o.sysroot);
  let target;
  try {
    target = launch({
      program: o.program, args: o.args, envp, image,
      memoryBytes: o.memoryBytes,
      swapBytes: o.swapBytes,
      ...cpuKernelOptions(o),
      quantum: o.quantum ?? undefined,
      layout: o.layout,
      rlimitStack: o.rlimitStack ?? undefined,
      ...fsKernelOptions(o),
      rlimits: hostRlimits(),
      strace: o.strace ? (line: string) => process.stderr.write(line + '\n') : undefined,
    });
  } catch (e) {
    if (e instanceof ElfError) throw execFailure(o.program, e, o.sysroot);
    throw e;
  }
  const stub = new GdbStub(target, image, { port: o.gdbPort ?? 1234, trace: !!process.env.I386EMU_GDB_TRACE });
  let r;
  try {
    r = await stub.serve();
  } catch (e) {
    throw new CliError(`--gdb ${o.gdbPort}: ${(e as Error).message}`);
  }
  if (r.exit) return r.exit.signal ? 128 + r.exit.signal : r.exit.code;
  return 137;
}
