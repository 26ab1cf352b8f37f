// The terminal shared by the debugger and the program, handed over as gdb does: at the prompt
// the REPL reads it (readline's raw mode and line editing); while the program runs (the
// engine calls giveToProgram/takeBack around each resume), the terminal is in the program's
// own mode (cooked unless the program set another, so the host's line discipline edits and
// echoes lines and Ctrl-C is a SIGINT that interrupts the program back to the prompt) and
// what is typed goes to the program's stdin, a TerminalFeed the kernel's read sleeps on.
// Raw mode is readline's to set and clear: the REPL closes its interface before each command
// and opens a new one after, so no command runs with the terminal raw.
import { ReadStream } from 'node:tty';
import type { Readable } from 'node:stream';
import { TerminalFeed } from '../../kernel/fs/terminalFeed.js';

export class TerminalHandover {
  /** The program's stdin for the current run (a new one per run, as a new process gets). */
  private feed: TerminalFeed | null = null;
  private given = false;
  private ended = false;
  private readonly onData = (d: Buffer | string) => {
    this.feed?.push(typeof d === 'string' ? Buffer.from(d) : d);
    this.wake();
  };
  /** ^D at the start of a line ends the stream: end of file for the program, once. */
  private readonly onEnd = () => {
    this.ended = true;
    this.feed?.pushEof();
    this.wake();
  };

  private readonly original: Readable;

  constructor(private stream: Readable, private readonly wake: () => void) {
    this.original = stream;
  }

  /** The session is over: a stream opened here would keep the process alive. */
  close(): void {
    if (this.stream !== this.original) this.stream.destroy();
  }

  /** What the REPL reads its commands from (a fresh stream after the program read an end of file). */
  get input(): Readable {
    return this.stream;
  }

  /** The stdin of a program about to start: the terminal, or (null) a file given with run < FILE. */
  newFeed(fromTerminal: boolean): TerminalFeed | null {
    this.feed = fromTerminal ? new TerminalFeed(0) : null;
    return this.feed;
  }

  /** The program runs: typed input goes to it. */
  giveToProgram(): void {
    if (this.given || this.feed === null) return;
    this.given = true;
    this.stream.on('data', this.onData);
    this.stream.once('end', this.onEnd);
    this.stream.resume();
  }

  /** The program stopped: the REPL reads the terminal again. */
  takeBack(): void {
    if (!this.given) return;
    this.given = false;
    this.stream.off('data', this.onData);
    this.stream.off('end', this.onEnd);
    this.stream.pause();
    if (this.ended) {
      // An ended stream never reads again; the terminal itself is still there.
      this.ended = false;
      this.stream = new ReadStream(0);
    }
  }
}
