// ANSI colours for the REPL, used only when stdout is a terminal (and NO_COLOR is unset).
export interface Palette {
  addr(s: string): string;
  sym(s: string): string;
  err(s: string): string;
  head(s: string): string;
  ok(s: string): string;
}

const wrap = (code: string) => (s: string) => `\x1b[${code}m${s}\x1b[0m`;

export const COLOUR: Palette = { addr: wrap('34'), sym: wrap('33'), err: wrap('31'), head: wrap('1'), ok: wrap('32') };
const id = (s: string) => s;
export const PLAIN: Palette = { addr: id, sym: id, err: id, head: id, ok: id };

export function useColour(stream: { isTTY?: boolean }): boolean {
  return stream.isTTY === true && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
}
