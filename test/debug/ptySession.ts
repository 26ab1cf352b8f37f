// Test helper: runs a command on a pseudo-terminal (python3's pty module, so the program sees a
// real terminal: isatty, raw mode, Ctrl-C as SIGINT from the line discipline) and plays a
// dialogue: wait until the output since the last step contains `expect`, then type `send`.
// Returns everything the terminal showed, with ANSI colour and cursor sequences removed.
import { spawn, spawnSync } from 'node:child_process';

export interface PtyStep {
  expect: string;
  send?: string;
}

const DRIVER = String.raw`
import json, os, pty, select, sys, time
argv, steps, timeout = json.loads(sys.argv[1])
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)
out = b''
def pump(until):
    global out
    while time.time() < until:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                d = os.read(fd, 4096)
            except OSError:
                return False
            if not d:
                return False
            out += d
    return True
failed = None
mark = 0
for step in steps:
    end = time.time() + timeout
    want = step['expect'].encode()
    while want not in out[mark:] and time.time() < end:
        if not pump(time.time() + 0.05):
            break
    if want not in out[mark:]:
        failed = step['expect']
        break
    mark = out.index(want, mark) + len(want)
    if 'send' in step:
        time.sleep(0.1)
        os.write(fd, step['send'].encode())
pump(time.time() + 0.5)
try:
    os.kill(pid, 9)
except OSError:
    pass
sys.stdout.write(json.dumps({'out': out.decode('utf-8', 'replace'), 'failed': failed}))
`;

export const havePython3Pty = spawnSync('python3', ['-c', 'import pty, select, json'], { stdio: 'ignore' }).status === 0;

/** Plays the steps on argv under a pseudo-terminal; failed names the first expectation not met. */
export async function ptySession(argv: string[], steps: PtyStep[], stepTimeoutSeconds = 30): Promise<{ out: string; failed: string | null }> {
  const child = spawn('python3', ['-c', DRIVER, JSON.stringify([argv, steps, stepTimeoutSeconds])], { stdio: ['ignore', 'pipe', 'inherit'] });
  let text = '';
  child.stdout.on('data', (d) => { text += d; });
  await new Promise((res) => child.on('close', res));
  const r = JSON.parse(text) as { out: string; failed: string | null };
  // eslint-disable-next-line no-control-regex
  return { out: r.out.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, ''), failed: r.failed };
}
