// Terminal ioctls (drivers/tty/tty_ioctl.c) for descriptors backed by a host terminal:
// TCGETS/TCSETS* with a struct termios (36 bytes on i386) kept per terminal, TIOCGWINSZ from
// the host's window size, the process-group calls. Non-terminals answer -ENOTTY.
import { ENOTTY } from '../errno.js';
import { copyFromUser, copyToUser, putUser32 } from '../mm/uaccess.js';
import type { IoctlContext } from './file.js';

export const TCGETS = 0x5401, TCSETS = 0x5402, TCSETSW = 0x5403, TCSETSF = 0x5404;
export const TCGETA = 0x5405, TCSBRK = 0x5409, TCXONC = 0x540a, TCFLSH = 0x540b;
export const TIOCSCTTY = 0x540e, TIOCGPGRP = 0x540f, TIOCSPGRP = 0x5410, TIOCOUTQ = 0x5411;
export const TIOCGWINSZ = 0x5413, TIOCSWINSZ = 0x5414, FIONREAD = 0x541b, TIOCGSID = 0x5429;
export const FIONBIO = 0x5421, FIONCLEX = 0x5450, FIOCLEX = 0x5451, TIOCGPTN = 0x80045430;

export const TERMIOS_SIZE = 36;

/** The termios a fresh terminal has (`stty sane` on Linux): ICRNL|IXON, OPOST|ONLCR, B38400|CS8|CREAD, ISIG|ICANON|ECHO... */
export function defaultTermios(): Uint8Array {
  const b = new Uint8Array(TERMIOS_SIZE);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, 0x0500, true); // c_iflag: ICRNL | IXON
  dv.setUint32(4, 0x0005, true); // c_oflag: OPOST | ONLCR
  dv.setUint32(8, 0x00bf, true); // c_cflag: B38400 | CS8 | CREAD
  dv.setUint32(12, 0x8a3b, true); // c_lflag: ISIG ICANON ECHO ECHOE ECHOK ECHOCTL ECHOKE IEXTEN
  b[16] = 0; // c_line
  const cc = [3, 0x1c, 0x7f, 0x15, 4, 0, 1, 0, 0x11, 0x13, 0x1a, 0, 0x12, 0x0f, 0x17, 0x16, 0, 0, 0];
  b.set(cc, 17);
  return b;
}

export interface TtyState {
  termios: Uint8Array;
  rows: () => number;
  cols: () => number;
  pgrp: number;
  /** Makes a new termios take effect on the real terminal (hostTermios.ts), if there is one. */
  apply?: (termios: Uint8Array) => void;
}

/** Handles a terminal ioctl; -ENOTTY for requests that are not terminal requests. */
export function ttyIoctl(tty: TtyState, cmd: number, arg: number, ctx: IoctlContext): number {
  const mm = ctx.mm;
  switch (cmd >>> 0) {
    case TCGETS:
      copyToUser(mm, arg, tty.termios);
      return 0;
    case TCSETS: case TCSETSW: case TCSETSF:
      tty.termios = copyFromUser(mm, arg, TERMIOS_SIZE);
      tty.apply?.(tty.termios);
      return 0;
    case TIOCGWINSZ: {
      const b = new Uint8Array(8);
      const dv = new DataView(b.buffer);
      dv.setUint16(0, tty.rows(), true);
      dv.setUint16(2, tty.cols(), true);
      copyToUser(mm, arg, b);
      return 0;
    }
    case TIOCSWINSZ:
      return 0;
    case TIOCGPGRP: case TIOCGSID:
      putUser32(mm, arg, tty.pgrp);
      return 0;
    case TIOCSPGRP: case TCSBRK: case TCXONC: case TCFLSH: case TIOCSCTTY:
      return 0;
    case TIOCOUTQ: case FIONREAD:
      putUser32(mm, arg, 0);
      return 0;
    default:
      return -ENOTTY;
  }
}

