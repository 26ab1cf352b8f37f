// `i386emu layout [run options] [--svg FILE] PROG [ARGS...]`: runs PROG to its exit (its own
// output passes through) and then draws the first process's address space as it was at exit,
// just before it was torn down: as text on stdout, or as SVG in FILE.
import { writeFileSync } from 'node:fs';
import { parseRunArgs, UsageError } from './args.js';
import { CliError } from './cliError.js';
import { takeOptions } from './extraOptions.js';
import { runCommand } from './runCommand.js';
import { type LayoutInput, layoutOfMm, layoutSvg, layoutText } from '../debug/layoutDiagram.js';

export async function layoutCommand(argv: string[]): Promise<number> {
  const { found, rest } = takeOptions(argv, ['--svg']);
  const o = parseRunArgs(rest);
  if (o.gdbPort !== null) throw new UsageError('layout does not take --gdb');
  let input: LayoutInput | null = null;
  const status = await runCommand(o, {
    atInitExit: (t) => {
      input = layoutOfMm(t.mm);
    },
  });
  if (input === null) throw new CliError('layout: the program ended without an address space to draw', 1);
  const svg = found.get('--svg');
  if (svg !== undefined) {
    try {
      writeFileSync(svg, layoutSvg(input));
    } catch (e) {
      throw new CliError(`layout: cannot write ${svg}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, 1);
    }
  } else {
    process.stdout.write(layoutText(input));
  }
  return status;
}
