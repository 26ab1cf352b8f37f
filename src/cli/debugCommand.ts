// `i386emu debug [run options] [-x FILE]... PROG [ARGS...]`: the debugger REPL on a guest
// program. With -x, the command files run first; then commands come from the terminal
// (interactive, with history and completion) or, when stdin is not a terminal and no -x was
// given, from stdin. With --batch, or -x and no terminal, the session ends after the files.
import { openSync, readFileSync } from 'node:fs';
import { applyEnvironment, type ProgramIo } from '../debug/programArgs.js';
import { parseRunArgs, UsageError } from './args.js';
import { CliError } from './cliError.js';
import { fsKernelOptions } from './fsOptions.js';
import { hostRlimits } from './hostRlimits.js';
import { hostEnvironment, programHostPath, readElfProgram } from './readProgram.js';
import { Session } from '../debug/session.js';
import { runInteractive, runScript, runStream } from '../debug/repl.js';
import { launch } from '../debug/kernelTarget.js';
import { COLOUR, PLAIN, useColour } from '../debug/colour.js';
import { cpuKernelOptions } from './cpuOption.js';
import { TerminalHandover } from '../debug/terminalHandover.js';
import type { TerminalFeed } from '../../kernel/fs/terminalFeed.js';

export const DEBUG_USAGE = `usage: i386emu debug [-x FILE]... [--batch] [--strace] [--root DIR] [--bind HOST:GUEST]... [--sysroot DIR] [--mem MIB] [--] PROG [ARGS...]
  -x FILE    run debugger commands from FILE first (several -x allowed)
  --batch    exit after the -x files instead of reading more commands
Commands come from the terminal (line editing, history, tab completion) or from stdin when
it is not a terminal. Type "help" for the command list.`;

export async function debugCommand(argv: string[]): Promise<number> {
  const scripts: string[] = [];
  let batch = false;
  const rest: string[] = [];
  // Debugger options may stand among the run options, before the program.
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    if (a === '-x' || a === '--command') {
      if (k + 1 >= argv.length) throw new UsageError(`option ${a} needs a file`);
      scripts.push(argv[++k]);
    } else if (a === '--batch' || a === '-batch') {
      batch = true;
    } else if (a === '--root' || a === '--bind' || a === '--sysroot' || a === '--mem' || a === '--gdb') {
      rest.push(a, ...argv.slice(k + 1, k + 2));
      k++;
    } else if (a.startsWith('-') && a !== '-' && a !== '--') {
      rest.push(a);
    } else {
      rest.push(...argv.slice(k));
      break;
    }
  }
  const o = parseRunArgs(rest);
  const image = readElfProgram(programHostPath(o.program, o.root));
  const scriptTexts = scripts.map((f) => {
    try {
      return readFileSync(f, 'utf8');
    } catch {
      throw new CliError(`${f}: cannot read command file`);
    }
  });
  const fsOpts = fsKernelOptions(o);
  const envp = hostEnvironment();
  const tty = process.stdin.isTTY === true;
  // In a terminal the program reads the terminal while it runs (the REPL yields it, as gdb does).
  let terminal: TerminalHandover | null = null;
  // Output piped into `head` and the like: stop quietly when the reader goes away.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
  });
  const s = new Session({
    out: (t) => { process.stdout.write(t); },
    palette: useColour(process.stdout) ? COLOUR : PLAIN,
    image,
    programPath: o.program,
    args: o.args,
    createTarget: (io) => launch({
      program: o.program, args: io?.args ?? o.args, envp: applyEnvironment(envp, io?.env), image,
      memoryBytes: o.memoryBytes,
      swapBytes: o.swapBytes,
      ...cpuKernelOptions(o),
      quantum: o.quantum ?? undefined,
      layout: o.layout,
      rlimitStack: o.rlimitStack ?? undefined,
      ...fsOpts,
      rlimits: hostRlimits(),
      strace: o.strace ? (line: string) => process.stderr.write(line + '\n') : undefined,
      ...redirections(io, terminal),
    }),
  });
  if (tty) {
    terminal = new TerminalHandover(process.stdin, () => s.engine.wakeUp());
    s.engine.terminal = terminal;
  }
  // Ctrl-C while a -x file runs the program in a terminal: interrupt it, as at the prompt.
  const onSigint = () => {
    s.engine.interruptRequested = true;
    s.engine.wakeUp();
  };
  if (terminal) process.on('SIGINT', onSigint);
  try {
    for (const text of scriptTexts) {
      await runScript(s, text);
      if (s.quitRequested) return 0;
    }
  } finally {
    if (terminal) process.off('SIGINT', onSigint);
  }
  if (batch) return 0;
  if (terminal) {
    await runInteractive(s, process.stdin, process.stdout, terminal);
    terminal.close();
  }
  else if (scripts.length === 0) await runStream(s, process.stdin);
  return 0;
}

/** run < IN > OUT: the program reads IN and writes OUT (host files); otherwise the terminal's (or the piped stdin's). */
function redirections(io: ProgramIo | undefined, terminal: TerminalHandover | null): { stdin: number | Uint8Array | TerminalFeed; stdout?: number } {
  let stdin: number | Uint8Array | TerminalFeed = terminal?.newFeed(io?.stdin === undefined) ?? 0;
  if (io?.stdin !== undefined) {
    try {
      stdin = readFileSync(io.stdin);
    } catch {
      throw new CliError(`${io.stdin}: No such file or directory.`);
    }
  }
  if (io?.stdout === undefined) return { stdin };
  try {
    return { stdin, stdout: openSync(io.stdout, io.append ? 'a' : 'w') };
  } catch {
    throw new CliError(`${io.stdout}: cannot open for writing.`);
  }
}
