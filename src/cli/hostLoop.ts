// Runs the kernel from Node's event loop instead of in one blocking call, so that signals the
// host process receives (Ctrl-C, Ctrl-\, Ctrl-Z at the terminal, kill of the emulator, a window
// resize) reach the guest's foreground process group, and so that an idle guest (every task
// asleep until a deadline) waits with a timer the signal can cut short.
import type { ExitResult, Kernel } from '../../kernel/kernel.js';

/** Host signals forwarded to the guest, with their i386 numbers. */
const FORWARDED: Array<[NodeJS.Signals, number]> = [
  ['SIGINT', 2], ['SIGQUIT', 3], ['SIGTERM', 15], ['SIGHUP', 1], ['SIGTSTP', 20], ['SIGWINCH', 28],
  ['SIGCONT', 18],
];
/** How long the guest runs before the event loop gets a turn. */
const SLICE_MS = 25;

export async function runInEventLoop(kernel: Kernel): Promise<ExitResult> {
  kernel.deferIdle = true;
  let wake: (() => void) | null = null;
  const handlers = FORWARDED.map(([name, sig]) => {
    const h = () => {
      kernel.hostSignal(sig);
      wake?.();
    };
    process.on(name, h);
    return [name, h] as const;
  });
  try {
    let last = Date.now();
    for (;;) {
      const r = kernel.step(kernel.batchBudget);
      if (r !== null && r !== 'debug' && r !== 'signal') return r;
      if (kernel.waitingForHost) {
        kernel.waitingForHost = false;
        // The guest's job stopped (Ctrl-Z): stop the emulator too, so the host shell's job
        // control sees it; `fg` sends SIGCONT, which goes on to the guest.
        if (kernel.initStopped) process.kill(process.pid, 'SIGSTOP');
        // A signal listener does not keep Node's event loop alive; this timer does.
        const keepAlive = setInterval(() => {}, 1 << 30);
        await new Promise<void>((resolve) => { wake = () => { wake = null; resolve(); }; });
        clearInterval(keepAlive);
        last = Date.now();
        continue;
      }
      const debt = kernel.idleDebtNs;
      kernel.idleDebtNs = 0n;
      if (debt > 0n || Date.now() - last >= SLICE_MS) {
        // The whole idle time, not whole milliseconds: a guest sleeping until an absolute
        // CLOCK_MONOTONIC time (the host's clock) must not read an earlier time when it wakes.
        const until = process.hrtime.bigint() + debt;
        let interrupted = false;
        do {
          const ms = Math.ceil(Number(until - process.hrtime.bigint()) / 1e6);
          await new Promise<void>((resolve) => {
            const timer = setTimeout(() => { wake = null; resolve(); }, Math.max(0, ms));
            wake = () => { clearTimeout(timer); wake = null; interrupted = true; resolve(); };
          });
        } while (!interrupted && process.hrtime.bigint() < until);
        last = Date.now();
      }
    }
  } finally {
    for (const [name, h] of handlers) process.off(name, h);
  }
}
