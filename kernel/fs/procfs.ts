// A small /proc (fs/proc): /proc/self, /proc/thread-self, /proc/sys/kernel/randomize_va_space,
// /proc/PID/{maps,smaps,smaps_rollup,
// cmdline,environ,status,stat,statm,limits,auxv,exe,cwd,root,fd/N,fdinfo/N,task/TID/...}. formatMaps produces exactly
// Linux's /proc/PID/maps lines (show_map_vma in fs/proc/task_mmu.c), including its padding and
// the [heap]/[stack] naming rules; the memory views are in procTaskMmu.ts, status and stat in
// procArray.ts.
import { EACCES, ENOENT, ENOTDIR } from '../errno.js';
import type { Mm } from '../mm/mmStruct.js';
import { copyFromUser } from '../mm/uaccess.js';
import { vmaPermString, type VmArea } from '../mm/vma.js';
import { RLIM_INFINITY, type Task } from '../proc/task.js';
import { DT_DIR, DT_LNK, DT_REG, O_ACCMODE, O_CLOEXEC, O_RDONLY, type DirEntry, type File, type Inode } from './file.js';
import { formatStat, formatStatus } from './procArray.js';
import { meminfoText } from './procMeminfo.js';
import { formatSmaps, formatSmapsRollup, formatStatm } from './procTaskMmu.js';
import type { Sysctl } from './mount.js';
import type { SyntheticNode } from './node.js';
import { S_IFDIR, S_IFLNK, S_IFREG, syntheticStat, type KStat } from './stat.js';

const PROC_DEV = { devMajor: 0, devMinor: 22 };
/** The mount id fdinfo reports (the emulator has one mount table and does not number mounts). */
const PROC_MNT_ID = 1;

function hex8(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

/** The name column of a maps line: the file, or [heap]/[stack] by Linux's rules, or the area's own name. */
export function vmaDisplayName(mm: Mm, v: VmArea): string | null {
  if (v.file !== null) return v.file.path;
  if (v.start <= mm.startStack && v.end >= mm.startStack) return '[stack]';
  if (v.start < mm.brk && v.end > mm.startBrk) return '[heap]';
  if (v.name === '[heap]') return null;
  return v.name;
}

/**
 * One /proc/PID/maps line (without the newline). The name starts at the column Linux pads to:
 * 25 + 6 * sizeof(void *) of the kernel, plus one space.
 */
export function formatVmaLine(mm: Mm, v: VmArea): string {
  const ptrSize = mm.kernelPtrSize;
  const width = 25 + 6 * ptrSize - 1;
  const dev = v.file ? `${hex2(v.file.devMajor)}:${hex2(v.file.devMinor)}` : '00:00';
  const ino = v.file ? v.file.ino : 0;
  const off = v.file ? v.pgoff * 4096 : 0;
  let line = `${hex8(v.start)}-${hex8(v.end)} ${vmaPermString(v.flags)} ${off.toString(16).padStart(8, '0')} ${dev} ${ino} `;
  const name = vmaDisplayName(mm, v);
  if (name !== null) {
    if (line.length < width) line += ' '.repeat(width - line.length);
    line += ' ' + name;
  }
  return line;
}

/** The whole of /proc/PID/maps for a task. */
export function formatMaps(task: Task): string {
  return task.mm.vmas.map((v) => formatVmaLine(task.mm, v) + '\n').join('');
}

function readUserRange(mm: Mm, start: number, end: number): Uint8Array {
  if (mm.pgd === 0) return new Uint8Array(0);
  if (end <= start) return new Uint8Array(0);
  try {
    return copyFromUser(mm, start, end - start);
  } catch {
    return new Uint8Array(0);
  }
}

const LIMIT_ROWS: Array<[string, string]> = [
  ['Max cpu time', 'seconds'], ['Max file size', 'bytes'], ['Max data size', 'bytes'], ['Max stack size', 'bytes'],
  ['Max core file size', 'bytes'], ['Max resident set', 'bytes'], ['Max processes', 'processes'],
  ['Max open files', 'files'], ['Max locked memory', 'bytes'], ['Max address space', 'bytes'],
  ['Max file locks', 'locks'], ['Max pending signals', 'signals'], ['Max msgqueue size', 'bytes'],
  ['Max nice priority', ''], ['Max realtime priority', ''], ['Max realtime timeout', 'us'],
];

/** /proc/PID/limits in proc_pid_limits' columns. */
function limitsText(t: Task): string {
  const v = (x: bigint) => (x === RLIM_INFINITY ? 'unlimited' : String(x));
  let out = `${'Limit'.padEnd(25)} ${'Soft Limit'.padEnd(20)} ${'Hard Limit'.padEnd(20)} ${'Units'.padEnd(10)}\n`;
  LIMIT_ROWS.forEach(([name, unit], i) => {
    const r = t.rlimits[i];
    out += unit === '' ? `${name.padEnd(25)} ${v(r.cur).padEnd(20)} ${v(r.max).padEnd(20)} \n` : `${name.padEnd(25)} ${v(r.cur).padEnd(20)} ${v(r.max).padEnd(20)} ${unit.padEnd(10)}\n`;
  });
  return out;
}

/** /proc/PID/auxv: the saved vector as exec wrote it, (a_type, a_val) pairs of 32-bit words. */
function auxvBytes(mm: Mm): Uint8Array {
  const out = new Uint8Array(mm.savedAuxv.length * 8);
  const dv = new DataView(out.buffer);
  mm.savedAuxv.forEach(([k, v], i) => {
    dv.setUint32(i * 8, k >>> 0, true);
    dv.setUint32(i * 8 + 4, v >>> 0, true);
  });
  return out;
}

/** /proc/PID/fdinfo/N (seq_show in fs/proc/fd.c): the offset, the open flags in octal, the mount and inode. */
function fdinfoText(file: File, cloexec: boolean): string {
  let ino = 0n;
  try {
    ino = file.inode.stat().ino;
  } catch { /* a host file gone from under it */ }
  const flags = (file.flags & ~O_CLOEXEC) | (cloexec ? O_CLOEXEC : 0);
  return `pos:\t${file.pos}\nflags:\t0${flags.toString(8)}\nmnt_id:\t${PROC_MNT_ID}\nino:\t${ino}\n`;
}

/** A read-only file whose content is produced when opened. */
class ProcFileInode implements Inode {
  private readonly content: Uint8Array;
  private readonly st: KStat;

  constructor(content: Uint8Array, st: KStat) {
    this.content = content;
    this.st = st;
  }

  stat(): KStat {
    return this.st;
  }

  readAt(pos: number, len: number): Uint8Array {
    return this.content.subarray(Math.min(pos, this.content.length), Math.min(pos + len, this.content.length));
  }

  size(): number {
    return 0;
  }
}

function fileNode(ino: bigint, produce: () => Uint8Array | string, mode = 0o444): SyntheticNode {
  const st = () => syntheticStat(S_IFREG | mode, { ...PROC_DEV, ino });
  return {
    stat: st,
    open: (flags) => {
      if ((flags & O_ACCMODE) !== O_RDONLY) return -EACCES;
      const c = produce();
      return new ProcFileInode(typeof c === 'string' ? Buffer.from(c, 'utf8') : c, st());
    },
  };
}

function linkNode(ino: bigint, target: () => string, extra: Partial<SyntheticNode> = {}): SyntheticNode {
  return { stat: () => syntheticStat(S_IFLNK | 0o777, { ...PROC_DEV, ino }), readlink: target, ...extra };
}

function dirNode(ino: bigint, entries: () => DirEntry[]): SyntheticNode {
  return {
    isDir: true,
    stat: () => syntheticStat(S_IFDIR | 0o555, { ...PROC_DEV, ino, nlink: 2 }),
    readdir: () => [{ name: '.', ino, type: DT_DIR }, { name: '..', ino: 1n, type: DT_DIR }, ...entries()],
  };
}

/**
 * The live processes (zombies too, as Linux lists them): the process tree from its root down,
 * found from self, since orphans are reparented to init or a subreaper within the tree.
 */
function allProcesses(self: Task): Task[] {
  let top = self.group.leader;
  while (top.group.leader.parent !== null) top = top.group.leader.parent.group.leader;
  const seen = new Map<number, Task>();
  const stack: Task[] = [top];
  while (stack.length > 0) {
    const t = stack.pop()!.group.leader;
    if (seen.has(t.pid) || t.state === 'dead') continue;
    seen.set(t.pid, t);
    for (const th of t.group.threads) stack.push(...th.children);
  }
  if (!seen.has(self.pid)) seen.set(self.pid, self);
  return [...seen.values()].sort((a, b) => a.pid - b.pid);
}

const PID_FILES = ['maps', 'cmdline', 'environ', 'status', 'comm', 'stat', 'statm', 'limits', 'smaps', 'smaps_rollup', 'auxv'];
const PID_LINKS = ['exe', 'cwd', 'root'];

/** Resolves a path below /proc ("" for /proc itself, "self/maps", "1000/fd/1", ...). */
export function procfsLookup(self: Task, rest: string, findTask?: (pid: number) => Task | undefined,
  sysctl: Sysctl = { randomizeVaSpace: 0 }): SyntheticNode | number {
  const parts = rest === '' ? [] : rest.split('/');
  if (parts.length === 0) {
    return dirNode(1n, () => [
      { name: 'self', ino: 2n, type: DT_LNK },
      { name: 'thread-self', ino: 3n, type: DT_LNK },
      { name: 'meminfo', ino: 4n, type: DT_REG },
      { name: 'sys', ino: 5n, type: DT_DIR },
      ...allProcesses(self).map((t) => ({ name: String(t.pid), ino: pidIno(t.pid), type: DT_DIR })),
    ]);
  }
  if (parts[0] === 'self' && parts.length === 1) return linkNode(2n, () => String(self.pid));
  if (parts[0] === 'thread-self' && parts.length === 1) return linkNode(3n, () => `${self.pid}/task/${self.tid}`);
  if (parts[0] === 'meminfo') return parts.length === 1 ? fileNode(4n, () => meminfoText(self.mm.mem)) : -ENOTDIR;
  if (parts[0] === 'sys') return sysEntry(parts.slice(1), sysctl);
  const leader = self.group.leader.state === 'dead' ? self : self.group.leader;
  const found = parts[0] === 'self' || parts[0] === String(self.pid) ? leader
    : /^\d+$/.test(parts[0]) ? findTask?.(Number(parts[0])) : undefined;
  // A thread's directory is reachable by its tid too (Linux hides it from the listing only).
  if (found === undefined || found.state === 'dead') return -ENOENT;
  return pidEntry(found, parts.slice(1), false);
}

/** /proc/sys: only kernel/randomize_va_space, read-only (a write needs root on Linux too). */
function sysEntry(parts: string[], sysctl: Sysctl): SyntheticNode | number {
  const [dir, name, ...more] = parts;
  if (dir === undefined) return dirNode(5n, () => [{ name: 'kernel', ino: 6n, type: DT_DIR }]);
  if (dir !== 'kernel') return -ENOENT;
  if (name === undefined) return dirNode(6n, () => [{ name: 'randomize_va_space', ino: 7n, type: DT_REG }]);
  if (name !== 'randomize_va_space') return -ENOENT;
  if (more.length > 0) return -ENOTDIR;
  return fileNode(7n, () => `${sysctl.randomizeVaSpace}\n`, 0o644);
}

/** Inode numbers of a /proc/PID (or task/TID) directory and what is below it. */
function pidIno(tid: number): bigint {
  return BigInt(tid) << 16n;
}

/**
 * Resolves below /proc/PID (thread=false) or /proc/PID/task/TID (thread=true, which has the
 * same entries but task/): parts are the names after the directory.
 */
function pidEntry(task: Task, parts: string[], thread: boolean): SyntheticNode | number {
  const base = pidIno(thread ? task.tid : task.pid);
  const [name, sub, ...more] = parts;
  if (name === undefined) {
    return dirNode(base, () => [
      ...PID_FILES.map((n, i) => ({ name: n, ino: base + BigInt(i + 1), type: DT_REG })),
      ...PID_LINKS.map((n, i) => ({ name: n, ino: base + BigInt(i + 16), type: DT_LNK })),
      { name: 'fd', ino: base + 32n, type: DT_DIR },
      { name: 'fdinfo', ino: base + 33n, type: DT_DIR },
      ...(thread ? [] : [{ name: 'task', ino: base + 34n, type: DT_DIR }]),
    ]);
  }
  if (sub !== undefined && name !== 'fd' && name !== 'fdinfo' && !(name === 'task' && !thread)) return -ENOTDIR;
  const mm = task.mm;
  switch (name) {
    case 'maps': return fileNode(base + 1n, () => formatMaps(task));
    case 'cmdline': return fileNode(base + 2n, () => readUserRange(mm, mm.argStart, mm.argEnd));
    case 'environ': return fileNode(base + 3n, () => readUserRange(mm, mm.envStart, mm.envEnd), 0o400);
    case 'status': return fileNode(base + 4n, () => formatStatus(task));
    case 'comm': return fileNode(base + 5n, () => task.comm + '\n', 0o644);
    case 'stat': return fileNode(base + 6n, () => formatStat(task));
    case 'statm': return fileNode(base + 7n, () => formatStatm(mm));
    case 'limits': return fileNode(base + 8n, () => limitsText(task));
    case 'smaps': return fileNode(base + 9n, () => formatSmaps(mm));
    case 'smaps_rollup': return fileNode(base + 10n, () => formatSmapsRollup(mm));
    case 'auxv': return fileNode(base + 11n, () => auxvBytes(mm), 0o400);
    case 'exe': return linkNode(base + 16n, () => task.exePath);
    case 'cwd': return linkNode(base + 17n, () => task.cwd);
    case 'root': return linkNode(base + 18n, () => '/');
    case 'fd': {
      if (sub === undefined) {
        return dirNode(base + 32n, () => task.files.list().map((fd) => ({ name: String(fd), ino: base + 0x1000n + BigInt(fd), type: DT_LNK })));
      }
      if (more.length > 0) return -ENOTDIR;
      const fd = /^\d+$/.test(sub) ? Number(sub) : -1;
      const file = task.files.get(fd);
      if (file === undefined) return -ENOENT;
      return linkNode(base + 0x1000n + BigInt(fd), () => file.path, { openLinked: () => file.get() });
    }
    case 'fdinfo': {
      if (sub === undefined) {
        return dirNode(base + 33n, () => task.files.list().map((fd) => ({ name: String(fd), ino: base + 0x8000n + BigInt(fd), type: DT_REG })));
      }
      if (more.length > 0) return -ENOTDIR;
      const fd = /^\d+$/.test(sub) ? Number(sub) : -1;
      const file = task.files.get(fd);
      if (file === undefined) return -ENOENT;
      return fileNode(base + 0x8000n + BigInt(fd), () => fdinfoText(file, task.files.getCloexec(fd)));
    }
    case 'task': {
      const live = () => task.group.threads.filter((t) => t.state !== 'dead');
      if (thread) return -ENOENT;
      if (sub === undefined) return dirNode(base + 34n, () => live().map((t) => ({ name: String(t.tid), ino: pidIno(t.tid), type: DT_DIR })));
      const t = live().find((x) => String(x.tid) === sub);
      return t === undefined ? -ENOENT : pidEntry(t, more, true);
    }
    default:
      return -ENOENT;
  }
}
