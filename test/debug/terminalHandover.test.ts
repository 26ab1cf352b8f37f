// The terminal hand-over in an interactive `i386emu debug` (on a pseudo-terminal): while the
// program runs it reads what is typed (the REPL has given the terminal up), the breakpoint
// after the read stops it and the prompt takes commands again; Ctrl-C while the program waits
// for input or computes interrupts it back to the prompt ("Program received signal SIGINT"),
// ^D is an end of file for the program only, and the terminal's settings are the same after
// the session as before it.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../cli/cliProcess.js';
import { makeTempDir, removeTempDir } from '../helpers/tempDir.js';
import { havePython3Pty, ptySession } from './ptySession.js';

const PROG = join(ROOT, 'guest-programs/build/dwarf_inline-g');
const BUSYBOX = join(ROOT, 'guest-programs/debian/busybox-static/bin/busybox');
const PROMPT = '(i386emu) ';
const home = makeTempDir('i386emu-home-');
afterAll(() => removeTempDir(home));

/**
 * `i386emu debug ARGS` under sh, which prints the terminal's settings before and after (and
 * traps SIGINT, which Ctrl-C sends it too, so that it lives on to print them).
 */
function debugArgv(args: string[]): string[] {
  const cmd = [process.execPath, join(ROOT, 'dist/i386emu.mjs'), 'debug', ...args].map((a) => `'${a}'`).join(' ');
  return ['env', `HOME=${home}`, 'TERM=xterm', 'NO_COLOR=1', 'sh', '-c', `trap : INT; echo "before $(stty -g)"; ${cmd}; echo "after $(stty -g)"`];
}

function settings(out: string): { before?: string; after?: string } {
  return { before: /before (\S+)/.exec(out)?.[1], after: /after (\S+)/.exec(out)?.[1] };
}

describe.skipIf(!havePython3Pty || !existsSync(PROG))('the program reads the terminal while it runs', () => {
  it('break after the read, run, type a line: the breakpoint hits and the prompt takes commands', async () => {
    const { out, failed } = await ptySession(debugArgv([PROG]), [
      { expect: PROMPT, send: 'break 29\r' },
      { expect: 'line 29.' },
      { expect: PROMPT, send: 'run\r' },
      { expect: 'type a line: ', send: 'hello world\r' },
      { expect: 'Breakpoint 1, main () at' },
      { expect: PROMPT, send: 'p n\r' },
      { expect: '$1 = 12' },
      { expect: PROMPT, send: 'p line\r' },
      { expect: '$2 = "hello world\\n' },
      { expect: PROMPT, send: 'continue\r' },
      { expect: 'read 12 bytes: hello world' },
      { expect: 'exited normally' },
      { expect: PROMPT, send: 'quit\r' },
      { expect: 'after ' },
    ]);
    expect(failed, out).toBeNull();
    // The typed line was echoed by the terminal once, not also as an unknown command.
    expect(out).not.toContain('Undefined command');
    const s = settings(out);
    expect(s.after).toBe(s.before);
  }, 90_000);

  it('several commands pasted at once all run in order; what follows `run` is the input of the program', async () => {
    // gdb's readline takes one line from the terminal; the rest stays there for the next
    // prompt, or for the program when the line runs it.
    const { out, failed } = await ptySession(debugArgv([PROG]), [
      { expect: PROMPT, send: 'break 29\rrun\rhello world\r' },
      { expect: 'Breakpoint 1, main () at', send: 'p n\rp line[0]\rinfo line\r' },
      // Typed at the terminal, display shows its expression at once (gdb's from_tty).
      { expect: 'Line 29 of', send: 'display n\r' },
      { expect: '1: n = 12', send: 'next\r\rquit\r' },
      { expect: 'after ' },
    ]);
    expect(failed, out).toBeNull();
    expect(out).toContain('Breakpoint 1 at 0x804983f: file');
    expect(out).toContain('$1 = 12');
    expect(out).toContain("$2 = 104 'h'");
    expect(out).toContain('read 12 bytes: hello world');
    // next, then an empty line repeats it: lines 30 and 31, in order.
    expect(out).toMatch(/\n30\t[^]*\n31\t/);
    expect(out).not.toContain('Undefined command');
  }, 90_000);

  it('Ctrl-C while the program waits for input stops it; ^D is its end of file; run again', async () => {
    const { out, failed } = await ptySession(debugArgv([PROG]), [
      { expect: PROMPT, send: 'run\r' },
      { expect: 'type a line: ', send: '\x03' },
      { expect: 'Program received signal SIGINT, Interrupt.' },
      { expect: PROMPT, send: 'bt\r' },
      { expect: 'main () at' },
      { expect: PROMPT, send: 'continue\r' },
      // Not passed to the program (gdb's `handle SIGINT nopass`): it still waits for its line.
      { expect: '\n', send: '\x04' },
      { expect: 'no input' },
      { expect: 'exited with code 01' },
      { expect: PROMPT, send: 'run\r' },
      { expect: 'type a line: ', send: 'again\r' },
      { expect: 'read 6 bytes: again' },
      { expect: PROMPT, send: 'quit\r' },
      { expect: 'after ' },
    ]);
    expect(failed, out).toBeNull();
    const s = settings(out);
    expect(s.after).toBe(s.before);
  }, 90_000);

  it.skipIf(!existsSync(BUSYBOX))('Ctrl-C while the program computes stops it', async () => {
    const { out, failed } = await ptySession(debugArgv([BUSYBOX, 'sh', '-c', 'echo spinning; while :; do :; done']), [
      { expect: PROMPT, send: 'run\r' },
      { expect: 'spinning', send: '\x03' },
      { expect: 'Program received signal SIGINT, Interrupt.' },
      { expect: PROMPT, send: 'kill\r' },
      { expect: PROMPT, send: 'quit\r' },
      { expect: 'after ' },
    ]);
    expect(failed, out).toBeNull();
  }, 90_000);

  it('a -x file that runs the program: it reads the terminal, Ctrl-C interrupts it, then the prompt', async () => {
    const dir = makeTempDir('i386emu-x-');
    try {
      writeFileSync(join(dir, 'cmds'), 'run\n');
      const { out, failed } = await ptySession(debugArgv(['-x', join(dir, 'cmds'), PROG]), [
        { expect: 'type a line: ', send: '\x03' },
        { expect: 'Program received signal SIGINT, Interrupt.' },
        { expect: PROMPT, send: 'continue\r' },
        { expect: '\n', send: 'from the file\r' },
        { expect: 'read 14 bytes: from the file' },
        { expect: PROMPT, send: 'quit\r' },
        { expect: 'after ' },
      ]);
      expect(failed, out).toBeNull();
    } finally {
      removeTempDir(dir);
    }
  }, 90_000);
});
