// The program's command line as `run ARGS`, `start ARGS` and `set args` give it: words split the
// way a shell would (quotes, backslashes) and gdb's redirections `< FILE`, `> FILE`, `>> FILE`
// (host paths, opened when the program starts).
import { ExprError } from './expr.js';

export interface ProgramIo {
  args: string[];
  /** Host file to read the program's standard input from. */
  stdin?: string;
  /** Host file for the program's standard output, and whether to append to it. */
  stdout?: string;
  append?: boolean;
  /** set environment / unset environment: NAME -> value (null: removed) over the inherited environment. */
  env?: Map<string, string | null>;
}

/** The environment the program starts with: the inherited one with set/unset environment applied. */
export function applyEnvironment(envp: string[], changes: Map<string, string | null> | undefined): string[] {
  if (!changes || changes.size === 0) return envp;
  const out = envp.filter((e) => !changes.has(e.slice(0, e.indexOf('=') < 0 ? e.length : e.indexOf('='))));
  for (const [k, v] of changes) if (v !== null) out.push(`${k}=${v}`);
  return out;
}

/** Splits a command line into arguments and redirections. */
export function parseProgramArgs(text: string): ProgramIo {
  const words: Array<{ w: string; op: boolean }> = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) { i++; continue; }
    if (c === '<' || c === '>') {
      const op = text.startsWith('>>', i) ? '>>' : c;
      words.push({ w: op, op: true });
      i += op.length;
      continue;
    }
    let w = '';
    while (i < text.length && !/[\s<>]/.test(text[i])) {
      const ch = text[i];
      if (ch === "'" || ch === '"') {
        const end = text.indexOf(ch, i + 1);
        if (end < 0) throw new ExprError(`Unmatched ${ch === '"' ? 'double' : 'single'} quote.`);
        const inner = text.slice(i + 1, end);
        w += ch === '"' ? inner.replace(/\\(["\\$`])/g, '$1') : inner;
        i = end + 1;
      } else if (ch === '\\' && i + 1 < text.length) {
        w += text[i + 1];
        i += 2;
      } else {
        w += ch;
        i++;
      }
    }
    words.push({ w, op: false });
  }
  const io: ProgramIo = { args: [] };
  for (let k = 0; k < words.length; k++) {
    const { w, op } = words[k];
    if (!op) { io.args.push(w); continue; }
    const file = words[k + 1];
    if (!file || file.op) throw new ExprError(`Missing file name after ${w}.`);
    k++;
    if (w === '<') io.stdin = file.w;
    else { io.stdout = file.w; io.append = w === '>>'; }
  }
  return io;
}

/** The command line as gdb's show args prints it. */
export function programArgsText(io: ProgramIo): string {
  const q = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  return [...io.args.map(q), ...(io.stdin ? ['<', q(io.stdin)] : []), ...(io.stdout ? [io.append ? '>>' : '>', q(io.stdout)] : [])].join(' ');
}
