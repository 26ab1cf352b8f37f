// Options a subcommand built on `run` adds (compare's --against, layout's --svg, run's
// --pmap-at-exit): taken out of argv before the program, the rest left for parseRunArgs.
import { UsageError } from './args.js';

/** run's options that take a value: the word after them is not the program. */
const RUN_VALUE_OPTIONS = /^--(root|bind|sysroot|mem|swap|quantum|layout|cpu|seed|jit|rlimit-stack|gdb)$/;

/**
 * Removes the options named in withValue (`--name VALUE` or `--name=VALUE`) and flags (`--name`)
 * that come before the program; returns their values ('' for a flag) and the rest of argv.
 */
export function takeOptions(argv: string[], withValue: string[], flags: string[] = []): { found: Map<string, string>; rest: string[] } {
  const found = new Map<string, string>();
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    const eq = a.indexOf('=');
    const name = eq < 0 ? a : a.slice(0, eq);
    if (withValue.includes(name)) {
      const v = eq < 0 ? argv[++i] : a.slice(eq + 1);
      if (v === undefined || v === '') throw new UsageError(`${name} needs a value`);
      found.set(name, v);
      continue;
    }
    if (flags.includes(a)) {
      found.set(a, '');
      continue;
    }
    rest.push(a);
    // The first word that is neither an option nor an option's value is the program.
    if (!a.startsWith('-') && !RUN_VALUE_OPTIONS.test(argv[i - 1] ?? '')) {
      rest.push(...argv.slice(i + 1));
      break;
    }
  }
  return { found, rest };
}
