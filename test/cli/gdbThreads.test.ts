// gdb sees the guest's threads through the remote stub: `info threads` lists every thread of
// the process with its own registers, `thread N` + `bt` reads another thread's stack, and
// stepping over a breakpoint after looking at another thread (vCont;s:THREAD) steps the right
// one, so gdb's own bookkeeping holds and the program runs to its end.
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { ROOT, exitOf, gdbBatch, haveTool, startGdbServer } from './cliProcess.js';

const THREADS = 'guest-programs/build/threads';
if (!existsSync(ROOT + THREADS)) throw new Error(`${THREADS} missing: run "bash guest-programs/build.sh"`);
const haveGdb = haveTool('gdb');

describe.skipIf(!haveGdb)('gdb and guest threads', () => {
  it('lists the threads, shows another thread, steps over a breakpoint and runs to the end', async () => {
    const server = await startGdbServer(THREADS, ['barrier']);
    try {
      const out = await gdbBatch(THREADS, server.port, [
        'break pthread_barrier_wait', 'continue', 'continue', 'continue', 'info threads',
        // Continue while showing thread 2: gdb first steps the thread stopped at the breakpoint.
        'thread 2', 'p $pc != 0', 'continue', 'delete', 'continue',
      ]);
      // The main thread and the four workers: five threads, all of process 1000.
      const rows = [...out.matchAll(/^[* ] +(\d+) +Thread 1000\.(\d+) /gm)];
      expect(rows.length, out).toBe(5);
      expect(new Set(rows.map((r) => r[2])).size).toBe(5);
      expect(out).toContain('[Switching to thread 2 (Thread 1000.');
      expect(out).not.toContain('internal-error');
      expect(out).toMatch(/\[Inferior 1 \(process 1000\) exited normally\]/);
      expect((await exitOf(server)).status).toBe(0);
    } finally {
      server.kill();
    }
  }, 120_000);
});
