// The host terminal behind the guest's standard streams. The guest's terminal *is* the host's:
// when a shell's line editor turns off ICANON and ECHO (TCSETS), the host's line discipline
// must stop echoing and hand over each key at once, or every line is echoed twice and
// nothing arrives before Enter. Node cannot set a termios, but stty can, and `stty -g`
// prints one in the kernel's own layout: c_iflag:c_oflag:c_cflag:c_lflag:c_cc[0..31] in hex
// (glibc's c_cc indexes are the kernel's; the i386 kernel keeps 19 of them). So:
//
// - all host descriptors on one terminal (fds 0, 1 and 2 of `i386emu run` in a terminal)
//   share one TtyState, as on Linux they are one tty: a TCSETS on fd 0 shows in TCGETS on fd 2;
// - the guest starts with the host terminal's termios (`stty -g`), not an invented one;
// - a TCSETS* that changes anything runs `stty SETTINGS` on that terminal with the guest's
//   iflag, oflag, lflag and control characters (c_cflag stays the host's: speeds and
//   character size are the host terminal's business);
// - the host's settings are put back when the emulator exits.
//
// Where stty is missing or fails, the state is kept for the guest only, as before.
import { fstatSync } from 'node:fs';
import { createRequire } from 'node:module';
import { defaultTermios, TERMIOS_SIZE, type TtyState } from './tty.js';

/** glibc's NCCS: how many c_cc values `stty -g` prints. */
const STTY_NCCS = 32;
/** The i386 kernel's NCCS (struct termios in the guest: 4 flags, c_line, 19 c_cc). */
const KERNEL_NCCS = 19;

interface HostTerminal {
  state: TtyState;
  /** The descriptor stty runs on. */
  fd: number;
  /** The host's settings when we first changed them, to restore at exit; null until then. */
  saved: string | null;
  /** The settings last applied (or read), to skip a TCSETS that changes nothing. */
  applied: string | null;
}

const terminals = new Map<string, HostTerminal>();

// node:child_process and node:tty are loaded only for a terminal: a run with its streams on
// files and pipes does not pay for loading them (and node:net, which node:tty needs). Node's
// built-ins resolve from any path (import.meta.url is not there in the CLI bundle).
const requireBuiltin = createRequire(process.execPath);

/**
 * isatty(3) on a host descriptor. Only a character device can be a terminal, and on Linux
 * none of major 1 is (/dev/null, /dev/zero, /dev/urandom...), so node:tty is loaded only
 * for another character device.
 */
export function hostIsatty(fd: number): boolean {
  try {
    const st = fstatSync(fd);
    if (!st.isCharacterDevice()) return false;
    if (process.platform === 'linux' && ((st.rdev >>> 8) & 0xfff) === 1) return false;
  } catch {
    return false;
  }
  return (requireBuiltin('node:tty') as typeof import('node:tty')).isatty(fd);
}

/** Runs stty on fd with args; its stdout, or null when stty is missing or fails. */
function stty(fd: number, args: string[]): string | null {
  try {
    const { spawnSync } = requireBuiltin('node:child_process') as typeof import('node:child_process');
    const r = spawnSync('stty', args, { stdio: [fd, 'pipe', 'ignore'], encoding: 'utf8', timeout: 5000 });
    return r.status === 0 ? r.stdout.trim() : null;
  } catch {
    return null;
  }
}

/** The guest termios (36 bytes) from `stty -g` output, or null when it is not in that form. */
export function termiosFromStty(g: string): Uint8Array | null {
  const f = g.split(':');
  if (f.length < 4 + KERNEL_NCCS || f.some((x) => !/^[0-9a-f]+$/i.test(x))) return null;
  const b = new Uint8Array(TERMIOS_SIZE);
  const dv = new DataView(b.buffer);
  for (let i = 0; i < 4; i++) dv.setUint32(i * 4, parseInt(f[i], 16) >>> 0, true);
  b[16] = 0; // c_line: N_TTY
  for (let i = 0; i < KERNEL_NCCS; i++) b[17 + i] = parseInt(f[4 + i], 16) & 0xff;
  return b;
}

/** `stty SETTINGS` for the guest's termios, keeping c_cflag from the host's settings `host`. */
export function sttyFromTermios(t: Uint8Array, host: string): string {
  const dv = new DataView(t.buffer, t.byteOffset, t.byteLength);
  const hostFields = host.split(':');
  const hex = (n: number): string => (n >>> 0).toString(16);
  const cc: string[] = [];
  for (let i = 0; i < STTY_NCCS; i++) cc.push(i < KERNEL_NCCS ? hex(t[17 + i]) : hostFields[4 + i] ?? '0');
  return [hex(dv.getUint32(0, true)), hex(dv.getUint32(4, true)), hostFields[2] ?? hex(dv.getUint32(8, true)),
    hex(dv.getUint32(12, true)), ...cc].join(':');
}

function restoreAll(): void {
  for (const t of terminals.values()) {
    if (t.saved !== null && t.applied !== t.saved) stty(t.fd, [t.saved]);
  }
}

/** The shared terminal state of host descriptor fd (a terminal). */
export function hostTtyState(fd: number, pgrp: number): TtyState {
  let key: string;
  try {
    const st = fstatSync(fd);
    key = `${st.dev}:${st.rdev}:${st.ino}`;
  } catch {
    key = `fd${fd}`;
  }
  const known = terminals.get(key);
  if (known) return known.state;
  const initial = stty(fd, ['-g']);
  const term: HostTerminal = { fd, saved: null, applied: initial, state: null as unknown as TtyState };
  term.state = {
    termios: (initial !== null && termiosFromStty(initial)) || defaultTermios(),
    rows: () => process.stdout.rows || 24,
    cols: () => process.stdout.columns || 80,
    pgrp,
    apply: (t) => {
      if (initial === null) return;
      const want = sttyFromTermios(t, initial);
      if (want === term.applied) return;
      term.saved ??= initial;
      if (stty(fd, [want]) !== null) term.applied = want;
    },
  };
  if (terminals.size === 0) process.once('exit', restoreAll);
  terminals.set(key, term);
  return term.state;
}
