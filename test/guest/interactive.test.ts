// An interactive shell on a terminal: Debian's static busybox sh under the emulator, its
// standard streams a pseudo-terminal made by script(1) (util-linux), driven one command at a
// time (each sent once the prompt is back) as a person would type them. The line editor puts
// the terminal in raw mode (TCSETS) and echoes itself, so each command must appear once in the
// transcript (twice would mean the host's line discipline still echoes); it queries the cursor
// with ESC[6n when no key is waiting (a zero-timeout poll of the terminal). The same session
// runs on the reference when there is one (qemu-i386): from `cd /` on, where the prompts stop
// showing the host's working directory, the transcripts must be identical.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { guestReference } from '../helpers/nativeI386.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BUSYBOX = 'guest-programs/debian/busybox-static/bin/busybox';
const EMU = 'dist/i386emu.mjs';
const COMMANDS = ['echo hi', 'cd /', 'pwd', 'x=6; echo $((x * 7)) $((1 << 20))', 'echo $-', 'exit 3'];
const PROMPT = '# ';

const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
const SKIP = !existsSync(ROOT + BUSYBOX) ? `${BUSYBOX} missing: run "bash scripts/fetch-debian.sh"`
  : !hasScript ? 'script(1) is not installed (util-linux)' : null;
if (SKIP) console.warn(`interactive shell tests skipped: ${SKIP}`);

const shellQuote = (a: string): string => `'${a.replace(/'/g, "'\\''")}'`;

/** Runs argv on a new pty, typing each command once the transcript shows one more prompt. */
function session(argv: string[]): Promise<{ transcript: string; status: number | null }> {
  return new Promise((resolve, reject) => {
    const cmd = argv.map(shellQuote).join(' ');
    const child = spawn('script', ['-qec', cmd, '/dev/null'], {
      cwd: ROOT, env: { PATH: '/usr/bin:/bin', TERM: 'dumb', LC_ALL: 'C', HOME: '/' }, stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let sent = 0;
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`session timed out; transcript:\n${out}`)); }, 60_000);
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString('latin1');
      const prompts = out.split(PROMPT).length - 1;
      if (prompts > sent && sent < COMMANDS.length) child.stdin.write(COMMANDS[sent++] + '\n');
    });
    child.stdin.on('error', () => { /* the shell may be gone */ });
    child.on('close', (status) => { clearTimeout(timer); resolve({ transcript: out, status }); });
  });
}

describe.skipIf(SKIP !== null)(`busybox sh on a pty${SKIP ? ` (skipped: ${SKIP})` : ''}`, () => {
  it('runs commands typed at the prompt, echoing each once, and exits with their status', async () => {
    const { transcript, status } = await session([process.execPath, EMU, 'run', '--', BUSYBOX, 'sh']);
    const t = transcript.replace(/\x1b\[6n/g, '');
    expect(status, t).toBe(3);
    expect(t).toContain('built-in shell (ash)');
    for (const c of COMMANDS) expect(t.split(`${PROMPT}${c}\r\n`).length - 1, `"${c}" echoed once in:\n${t}`).toBe(1);
    expect(t).toContain('echo hi\r\nhi\r\n');
    expect(t).toContain('/ # pwd\r\n/\r\n/ # ');
    expect(t).toContain('42 1048576\r\n');
    // an interactive shell: $- has i
    expect(t).toMatch(/echo \$-\r\n[a-zA-Z]*i[a-zA-Z]*\r\n/);
  }, 90_000);

  const REF = guestReference();
  it.skipIf(typeof REF === 'string')('prints what it prints on the reference (qemu-i386 or native)', async () => {
    const ref = REF as Exclude<typeof REF, string>;
    const [cmd, args] = ref.argv(BUSYBOX, ['sh']);
    const [want, got] = await Promise.all([session([cmd, ...args]), session([process.execPath, EMU, 'run', '--', BUSYBOX, 'sh'])]);
    const from = (t: string): string => t.slice(t.indexOf(`${PROMPT}\x1b[6ncd /\r\n`) >= 0 ? t.indexOf(`${PROMPT}\x1b[6ncd /\r\n`) : t.indexOf('cd /'));
    expect(want.status).toBe(3);
    expect(from(got.transcript)).toBe(from(want.transcript));
    expect(got.status).toBe(want.status);
  }, 90_000);
});
