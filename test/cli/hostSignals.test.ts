// Signals sent to the emulator reach the guest: SIGINT (Ctrl-C at a terminal) goes to the
// foreground process group even while every guest task sleeps, and SIGTERM kills a guest
// that is busy computing, with a one-line report and 128 + 15.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
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

/** The state letter of a host process (R, S, T, ...). */
function hostState(pid: number): string {
  return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0];
}

describe('host signals reach the guest', () => {
  it.skipIf(!existsSync(ROOT + BUSYBOX))('SIGTSTP stops the guest and the emulator with it; SIGCONT resumes both', async () => {
    const child = spawn(process.execPath, ['dist/i386emu.mjs', 'run', BUSYBOX, 'sh', '-c', 'echo ready; sleep 1; echo done; exit 5'], { cwd: ROOT });
    const kill = setTimeout(() => child.kill('SIGKILL'), 60_000);
    let stdout = '';
    const ready = new Promise<void>((res) => child.stdout.on('data', (b: Buffer) => { stdout += b.toString(); if (stdout.includes('ready')) res(); }));
    const closed = new Promise<number | null>((res) => child.on('close', (status) => res(status)));
    await ready;
    child.kill('SIGTSTP');
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    let state = '';
    for (let i = 0; i < 50 && state !== 'T'; i++) {
      await sleep(100);
      state = hostState(child.pid!);
    }
    expect(state).toBe('T');
    await sleep(1500);
    expect(stdout).toBe('ready\n');
    child.kill('SIGCONT');
    expect(await closed).toBe(5);
    clearTimeout(kill);
    expect(stdout).toBe('ready\ndone\n');
  }, 70_000);

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
