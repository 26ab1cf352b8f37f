// The few device nodes programs expect under /dev: null, zero, full, random, urandom, tty
// (the controlling terminal is the host's stdin when it is one), plus the /dev/stdin,
// /dev/stdout, /dev/stderr and /dev/fd links into /proc/self/fd. /dev/zero maps as anonymous
// memory (mapsAsZero); /dev/shm is a mount of its own (mount.ts).
import { hostRandomFill } from '../../src/cpu/hostRandom.js';
import { ENOENT, ENOSPC, ENXIO } from '../errno.js';
import type { DirEntry, Inode } from './file.js';
import { DT_CHR, DT_DIR, DT_LNK } from './file.js';
import type { SyntheticNode } from './node.js';
import type { Task } from '../proc/task.js';
import type { KernelRandom } from '../mm/randomize.js';
import { S_IFCHR, S_IFDIR, S_IFLNK, syntheticStat, type KStat } from './stat.js';

const DEV_DEV = { devMajor: 0, devMinor: 5 };

interface CharDev {
  minorMajor: [number, number];
  ino: bigint;
  read(len: number): Uint8Array;
  write(data: Uint8Array): number;
}

const CHARDEVS: Record<string, CharDev> = {
  null: { minorMajor: [1, 3], ino: 4n, read: () => new Uint8Array(0), write: (d) => d.length },
  zero: { minorMajor: [1, 5], ino: 8n, read: (n) => new Uint8Array(Math.min(n, 1 << 20)), write: (d) => d.length },
  full: { minorMajor: [1, 7], ino: 9n, read: (n) => new Uint8Array(Math.min(n, 1 << 20)), write: () => -ENOSPC },
  random: { minorMajor: [1, 8], ino: 10n, read: (n) => hostRandomFill(new Uint8Array(Math.min(n, 1 << 20))), write: (d) => d.length },
  urandom: { minorMajor: [1, 9], ino: 11n, read: (n) => hostRandomFill(new Uint8Array(Math.min(n, 1 << 20))), write: (d) => d.length },
};

function charStat(d: CharDev): KStat {
  return syntheticStat(S_IFCHR | 0o666, { ...DEV_DEV, ino: d.ino, rdevMajor: d.minorMajor[0], rdevMinor: d.minorMajor[1] });
}

class CharDevInode implements Inode {
  private readonly dev: CharDev;
  readonly mapsAsZero: boolean;

  constructor(dev: CharDev) {
    this.dev = dev;
    this.mapsAsZero = dev === CHARDEVS.zero;
  }

  stat(): KStat {
    return charStat(this.dev);
  }

  // Character devices ignore the file position but accept lseek, so they read "at" it.
  readAt(_pos: number, len: number): Uint8Array {
    return this.dev.read(len);
  }

  write(data: Uint8Array): number {
    return this.dev.write(data);
  }
}

const LINKS: Record<string, string> = {
  stdin: '/proc/self/fd/0', stdout: '/proc/self/fd/1', stderr: '/proc/self/fd/2', fd: '/proc/self/fd',
};

/**
 * /dev/tty: the process's controlling terminal, which here is the terminal its standard
 * streams are on (the host's, when it has one); ENXIO without one, as Linux.
 */
function ttyNode(task: Task | undefined): SyntheticNode {
  const st = () => syntheticStat(S_IFCHR | 0o666, { ...DEV_DEV, ino: 12n, rdevMajor: 5, rdevMinor: 0 });
  return {
    stat: st,
    open: () => {
      for (const fd of [0, 1, 2]) {
        const f = task?.files.get(fd);
        if (f?.inode.isTty) return f.inode;
      }
      return -ENXIO;
    },
  };
}

/**
 * Looks up a /dev path ("/dev" or "/dev/NAME"); task: whose /dev/tty; random: what /dev/random
 * and /dev/urandom read (the kernel's generator, fixed by --seed), default the host's entropy.
 */
export function devfsLookup(rest: string, task?: Task, random?: KernelRandom): SyntheticNode | number {
  if (rest === 'tty') return ttyNode(task);
  if (rest === '') {
    return {
      isDir: true,
      stat: () => syntheticStat(S_IFDIR | 0o755, { ...DEV_DEV, ino: 1n, nlink: 2 }),
      readdir: (): DirEntry[] => [
        { name: '.', ino: 1n, type: DT_DIR }, { name: '..', ino: 1n, type: DT_DIR },
        ...Object.entries(CHARDEVS).map(([name, d]) => ({ name, ino: d.ino, type: DT_CHR })),
        { name: 'tty', ino: 12n, type: DT_CHR },
        // The mount point of /dev/shm (a host directory: mount.ts), which lookup never reaches here.
        { name: 'shm', ino: 13n, type: DT_DIR },
        ...Object.keys(LINKS).map((name, i) => ({ name, ino: BigInt(20 + i), type: DT_LNK })),
      ],
      open: () => -ENXIO,
    };
  }
  let d: CharDev | undefined = CHARDEVS[rest];
  if (random !== undefined && (d === CHARDEVS.random || d === CHARDEVS.urandom)) {
    d = { ...d, read: (n) => random.bytes(Math.min(n, 1 << 20)) };
  }
  if (d) return { stat: () => charStat(d), open: () => new CharDevInode(d) };
  // /dev/fd is a link to /proc/self/fd, so /dev/fd/N is /proc/self/fd/N (bash's <(...)).
  if (rest.startsWith('fd/')) {
    const target = `/proc/self/${rest}`;
    return { stat: () => syntheticStat(S_IFLNK | 0o777, { ...DEV_DEV, ino: 20n }), readlink: () => target };
  }
  const link = LINKS[rest];
  if (link) return { stat: () => syntheticStat(S_IFLNK | 0o777, { ...DEV_DEV, ino: 20n }), readlink: () => link };
  return -ENOENT;
}
