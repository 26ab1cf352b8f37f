// The REPL front ends: interactive (node:readline with history, tab completion of commands,
// symbols and registers; the terminal handed to the program while it runs, Ctrl-C to
// interrupt it) when stdin is a terminal, and scripted (lines from a -x FILE, or stdin when it
// is not a terminal) otherwise. Commands run one at a time; an error prints a message and the
// session goes on.
import { createInterface, emitKeypressEvents } from 'node:readline';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { readFileSync, appendFileSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { Session } from './session.js';
import { runCommand, complete } from './commands.js';
import type { TerminalHandover } from './terminalHandover.js';

const PROMPT = '(i386emu) ';
const HISTORY_FILE = join(homedir(), '.i386emu_history');

/** Runs each line of a script; echoes commands like gdb -batch -x does not (only output). */
export async function runScript(s: Session, text: string, echo = false): Promise<void> {
  for (const line of text.split(/\r?\n/)) {
    if (s.quitRequested) break;
    if (echo && line.trim()) s.opts.out(`${PROMPT}${line}\n`);
    await runCommand(s, line);
  }
}

/** Reads commands from a non-terminal stream until it ends or `quit`. */
export async function runStream(s: Session, input: Readable): Promise<void> {
  const rl = createInterface({ input, terminal: false, crlfDelay: Infinity });
  for await (const line of rl) {
    await runCommand(s, line);
    if (s.quitRequested) break;
  }
  rl.close();
}

/**
 * The interactive loop with line editing, history and completion. A readline interface reads
 * one command and is closed before the command runs (closing turns raw mode off), so that a
 * program the command runs gets the terminal as it set it (see terminalHandover.ts). What was
 * typed or pasted after that command is put back on the input, as gdb's readline leaves it in
 * the terminal: the next prompt (or the program, if the command runs it) reads it.
 */
export async function runInteractive(s: Session, input: Readable, output: Writable, terminal?: TerminalHandover): Promise<void> {
  let history: string[] = [];
  try {
    history = readFileSync(HISTORY_FILE, 'utf8').split('\n').filter(Boolean).reverse().slice(0, 500);
  } catch {
    // no history yet
  }
  // Ctrl-C while a command runs (the terminal is not raw then): interrupt the program.
  const onSigint = () => {
    s.engine.interruptRequested = true;
    s.engine.wakeUp();
  };
  process.on('SIGINT', onSigint);
  let lastLine = '';
  try {
    for (;;) {
      const raw = await readCommand(s, terminal?.input ?? input, output, history, (h) => { history = h; });
      if (raw === null) break;
      // An empty line repeats the last command, as in gdb.
      const line = raw.trim() === '' ? lastLine : raw;
      if (raw.trim() !== '') {
        lastLine = raw;
        try { appendFileSync(HISTORY_FILE, raw + '\n'); } catch { /* read-only home */ }
      }
      s.fromTty = true;
      try {
        await runCommand(s, line);
      } finally {
        s.fromTty = false;
      }
      if (s.quitRequested) break;
    }
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/** Prompts and reads one line with readline; null at end of input (Ctrl-D). */
function readCommand(s: Session, input: Readable, output: Writable, history: string[], keep: (h: string[]) => void): Promise<string | null> {
  // Registered before the interface's own listener, so it has seen a line's last key when
  // the interface emits the line.
  emitKeypressEvents(input);
  let lastKey = '';
  const trackKey = (seq: string | undefined) => { lastKey = seq ?? ''; };
  input.on('keypress', trackKey);
  const rl = createInterface({
    input, output, terminal: true, history: [...history], historySize: 500, prompt: PROMPT,
    completer: (line: string): [string[], string] => {
      try {
        const words = line.split(/\s+/);
        const last = words[words.length - 1];
        const hits = complete(s, line);
        return [hits, words.length <= 1 ? line : last];
      } catch {
        return [[], line];
      }
    },
  });
  rl.on('history', keep);
  rl.on('SIGINT', () => {
    // At the prompt Ctrl-C drops the line, as gdb's does.
    output.write('^C\n');
    rl.write(null, { ctrl: true, name: 'u' });
    rl.prompt();
  });
  return new Promise((resolve) => {
    let got: string | null = null;
    let lineSeen = false;
    // The keys after the line in the same chunk of input (a paste, or typing ahead).
    let rest = '';
    const keepRest = (seq: string | undefined) => { rest += seq ?? ''; };
    rl.once('line', (l) => {
      got = l;
      lineSeen = true;
      const endedByReturn = lastKey === '\r';
      input.off('keypress', trackKey);
      // Added while the line's key is being emitted: it sees only the keys after it, which
      // the closed interface no longer takes (nor echoes).
      input.on('keypress', keepRest);
      rl.close();
      // The rest of the chunk is emitted synchronously after this line.
      setImmediate(() => {
        input.off('keypress', keepRest);
        // readline takes "\r\n" as one end of line. Keys typed in raw mode missed the
        // terminal's CR-to-NL (icrnl): a program reading them in cooked mode wants "\n".
        if (endedByReturn && rest.startsWith('\n')) rest = rest.slice(1);
        rest = rest.replace(/\r\n?/g, '\n');
        if (rest) input.unshift(Buffer.from(rest));
        resolve(got);
      });
    });
    rl.once('close', () => {
      input.off('keypress', trackKey);
      if (!lineSeen) resolve(got);
    });
    rl.prompt();
  });
}
