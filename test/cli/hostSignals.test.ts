// Signals sent to the emulator reach the guest: SIGINT (Ctrl-C at a terminal) goes to the
// foreground process group even while every guest task sleeps, and SIGTERM kills a guest
// that is busy computing, with a one-line report and 128 + 15.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROOT } from './cliProcess.js';

const BUSYBOX = 'guest-programs/debian/busybox-static/bin/busybox';

/** Starts the emulator, sends sig once the guest has printed `ready`, and collects the end. */
function runAndSignal(args: string[], ready: string, sig: NodeJS.Signals) {
  return new Promise<{ status: number | null; stdout: string; stderr: string; ms: number }>((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, ['dist/i386emu.mjs', 'run', ...args], { cwd: ROOT });
    let stdout = '', stderr = '', sent = false;
    const kill = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
      if (!sent && stdout.includes(ready)) {
        sent = true;
        setTimeout(() => child.kill(sig), 200);
      }
    });
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    child.on('close', (status) => {
      clearTimeout(kill);
      resolve({ status, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

describe('host signals reach the guest', () => {
  it.skipIf(!existsSync(ROOT + BUSYBOX))('SIGINT interrupts a sleeping shell, which runs its trap', async () => {
    const r = await runAndSignal([BUSYBOX, 'sh', '-c', 'trap "echo got INT; exit 7" INT; echo ready; sleep 30; echo not reached'], 'ready', 'SIGINT');
    expect(r.stdout).toBe('ready\ngot INT\n');
    expect(r.status).toBe(7);
    expect(r.ms).toBeLessThan(20_000);
  }, 70_000);

  it.skipIf(!existsSync(ROOT + BUSYBOX))('SIGTERM kills a computing guest: 143 and one line', async () => {
    const r = await runAndSignal([BUSYBOX, 'sh', '-c', 'echo ready; while :; do :; done'], 'ready', 'SIGTERM');
    expect(r.status).toBe(143);
    expect(r.stderr).toBe('i386emu: guest killed by SIGTERM (SI_USER)\n');
  }, 70_000);
});
