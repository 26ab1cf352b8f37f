// i386emu's command line: dispatches subcommands and turns every error into one line on stderr
// with a non-zero exit (2 for bad usage or input), never a JavaScript stack trace.
import { USAGE, UsageError, parseRunArgs } from './args.js';
import { runCommand } from './runCommand.js';
import { CliError } from './cliError.js';

const VERSION = '0.1.0';

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE + '\n');
      return cmd === undefined ? 2 : 0;
    case '--version':
    case '-V':
      process.stdout.write(`i386emu ${VERSION}\n`);
      return 0;
    case 'run': {
      if (rest[0] === '--help' || rest[0] === '-h') {
        process.stdout.write(USAGE + '\n');
        return 0;
      }
      const o = parseRunArgs(rest);
      // The debugger and the gdb stub (and node:net, node:readline) load only when asked for.
      if (o.gdbPort !== null) return (await import('./gdbOption.js')).runWithGdb(o);
      return runCommand(o);
    }
    case 'compare':
      return (await import('./compareCommand.js')).compareCommand(rest);
    case 'layout':
      return (await import('./layoutCommand.js')).layoutCommand(rest);
    case 'debug':
      return (await import('./debugCommand.js')).debugCommand(rest);
    default:
      throw new UsageError(`unknown command '${cmd}' (try: i386emu run PROG)`);
  }
}

/**
 * Runs the command line (dist/i386emu.mjs calls this with process.argv after loading the
 * bundle); sets process.exitCode when the command is done.
 */
export function cliMain(argv: string[]): void {
  main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      if (e instanceof UsageError) {
        process.stderr.write(`i386emu: ${e.message}\n${USAGE.split('\n')[0]}\n`);
        process.exitCode = 2;
      } else if (e instanceof CliError) {
        process.stderr.write(`i386emu: ${e.message}\n`);
        process.exitCode = e.exitCode;
      } else {
        const msg = e instanceof Error ? e.message : String(e);
        process.stderr.write(`i386emu: internal error: ${msg}\n`);
        if (process.env.I386EMU_DEBUG) console.error(e);
        process.exitCode = 70;
      }
    },
  );
}
