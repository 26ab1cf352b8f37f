// A small /proc (fs/proc): /proc/self, /proc/PID/{maps,cmdline,environ,status,exe,cwd,fd/N}.
// formatMaps produces exactly Linux's /proc/PID/maps lines (show_map_vma in
// fs/proc/task_mmu.c), including its padding and the [heap]/[stack] naming rules.
import { EACCES, ENOENT, ENOTDIR } from '../errno.js';
import type { Mm } from '../mm/mmStruct.js';
import { copyFromUser } from '../mm/uaccess.js';
import { pteSlot } from '../mm/pageTable.js';
import { VM_GROWSDOWN, VM_SHARED, VM_WRITE, vmaPermString, type VmArea } from '../mm/vma.js';
import { RLIM_INFINITY, type Task } from '../proc/task.js';
import { PTE_P } from '../../src/mmu/paging.js';
import { meminfoText } from './procMeminfo.js';
import { DT_DIR, DT_LNK, DT_REG, O_ACCMODE, O_RDONLY, type DirEntry, type Inode } from './file.js';
import type { SyntheticNode } from './node.js';
import { S_IFDIR, S_IFLNK, S_IFREG, syntheticStat, type KStat } from './stat.js';

const PROC_DEV = { devMajor: 0, devMinor: 22 };

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
  const ptrSize = mm.taskSize > 0xc0000000 ? 8 : 4;
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

const STATE_LETTER: Record<string, string> = { running: 'R (running)', sleeping: 'S (sleeping)', stopped: 'T (stopped)', zombie: 'Z (zombie)', dead: 'X (dead)' };

/** /proc/PID/stat: the fields ps reads (pid, comm, state, ppid, pgrp, session, ... threads). */
function statText(t: Task): string {
  const state = STATE_LETTER[t.state][0];
  const mm = t.mm;
  const vsize = mm.pgd === 0 ? 0 : mm.vmas.reduce((s, v) => s + (v.end - v.start), 0);
  const f = [t.pid, `(${t.comm})`, state, t.ppid, t.pgid, t.sid, 0, -1, 0x400000, 0, 0, 0, 0,
    Math.floor(t.instructions / 1e6), 0, 0, 0, 20, 0, t.group.threads.filter((x) => !x.exited).length, 0, 0, vsize, 0];
  return f.join(' ') + '\n';
}

function statusText(t: Task): string {
  const kb = (n: number) => `${String(Math.ceil(n / 1024)).padStart(8)} kB`;
  const size = t.mm.vmas.reduce((s, v) => s + (v.end - v.start), 0);
  const stack = t.mm.vmas.find((v) => v.start <= t.mm.startStack && v.end >= t.mm.startStack);
  const { uid, euid, gid, egid } = t.cred;
  return [
    `Name:\t${t.comm}`, `Umask:\t${t.umask.toString(8).padStart(4, '0')}`, `State:\t${STATE_LETTER[t.state]}`,
    `Tgid:\t${t.pid}`, `Ngid:\t0`, `Pid:\t${t.tid}`, `PPid:\t${t.ppid}`, 'TracerPid:\t0',
    `Uid:\t${uid}\t${euid}\t${euid}\t${euid}`, `Gid:\t${gid}\t${egid}\t${egid}\t${egid}`,
    `FDSize:\t64`, `VmSize:\t${kb(size)}`, `VmStk:\t${kb(stack ? stack.end - stack.start : 0)}`,
    `Threads:\t${t.group.threads.filter((x) => !x.exited).length}`, `SigBlk:\t${t.signal.blocked.toString(16).padStart(16, '0')}`, '',
  ].join('\n');
}

/** Present pages of [start, end) (skipping 4 MiB at a time where there is no page table). */
function residentPages(mm: Mm, start: number, end: number): number {
  let n = 0;
  for (let a = start; a < end;) {
    const slot = pteSlot(mm, a, false);
    if (slot < 0) {
      a = (Math.floor(a / 0x400000) + 1) * 0x400000;
      continue;
    }
    if (mm.mem.dv.getInt32(slot, true) & PTE_P) n++;
    a += 4096;
  }
  return n;
}

/** /proc/PID/statm: size resident shared text lib data dt, in pages (task_statm). */
function statmText(t: Task): string {
  const mm = t.mm;
  if (mm.pgd === 0) return '0 0 0 0 0 0 0\n';
  let size = 0, resident = 0, shared = 0, data = 0;
  for (const v of mm.vmas) {
    const pages = (v.end - v.start) / 4096;
    size += pages;
    const r = residentPages(mm, v.start, v.end);
    resident += r;
    if (v.file !== null) shared += r;
    // VmData + VmStk: private writable areas that are not the stack's, and the stack.
    if ((v.flags & (VM_WRITE | VM_SHARED)) === VM_WRITE || v.flags & VM_GROWSDOWN) data += pages;
  }
  const text = Math.ceil((mm.endCode - mm.startCode) / 4096);
  return `${size} ${resident} ${shared} ${text} 0 ${data} 0\n`;
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

const PID_FILES = ['maps', 'cmdline', 'environ', 'status', 'comm', 'stat', 'statm', 'limits'];
const PID_LINKS = ['exe', 'cwd', 'root'];

/** Resolves a path below /proc ("" for /proc itself, "self/maps", "1000/fd/1", ...). */
export function procfsLookup(self: Task, rest: string, findTask?: (pid: number) => Task | undefined): SyntheticNode | number {
  const parts = rest === '' ? [] : rest.split('/');
  if (parts.length === 0) {
    return dirNode(1n, () => [
      { name: 'self', ino: 2n, type: DT_LNK },
      { name: 'meminfo', ino: 4n, type: DT_REG },
      { name: String(self.pid), ino: 3n, type: DT_DIR },
    ]);
  }
  if (parts[0] === 'self' && parts.length === 1) return linkNode(2n, () => String(self.pid));
  if (parts[0] === 'meminfo') return parts.length === 1 ? fileNode(4n, () => meminfoText(self.mm.mem)) : -ENOTDIR;
  const found = parts[0] === 'self' || parts[0] === String(self.pid) ? self
    : /^\d+$/.test(parts[0]) ? findTask?.(Number(parts[0])) : undefined;
  if (found === undefined || found.state === 'dead') return -ENOENT;
  const task: Task = found;
  const base = BigInt(task.pid) << 8n;
  const [, name, sub, ...more] = parts;
  if (name === undefined) {
    return dirNode(base, () => [
      ...PID_FILES.map((n, i) => ({ name: n, ino: base + BigInt(i + 1), type: DT_REG })),
      ...PID_LINKS.map((n, i) => ({ name: n, ino: base + BigInt(i + 16), type: DT_LNK })),
      { name: 'fd', ino: base + 32n, type: DT_DIR },
    ]);
  }
  if (sub !== undefined && name !== 'fd') return -ENOTDIR;
  const mm = task.mm;
  switch (name) {
    case 'maps': return fileNode(base + 1n, () => formatMaps(task));
    case 'cmdline': return fileNode(base + 2n, () => readUserRange(mm, mm.argStart, mm.argEnd));
    case 'environ': return fileNode(base + 3n, () => readUserRange(mm, mm.envStart, mm.envEnd), 0o400);
    case 'status': return fileNode(base + 4n, () => statusText(task));
    case 'comm': return fileNode(base + 5n, () => task.comm + '\n', 0o644);
    case 'stat': return fileNode(base + 6n, () => statText(task));
    case 'statm': return fileNode(base + 7n, () => statmText(task));
    case 'limits': return fileNode(base + 8n, () => limitsText(task));
    case 'exe': return linkNode(base + 16n, () => task.exePath);
    case 'cwd': return linkNode(base + 17n, () => task.cwd);
    case 'root': return linkNode(base + 18n, () => '/');
    case 'fd': {
      if (sub === undefined) {
        return dirNode(base + 32n, () => task.files.list().map((fd) => ({ name: String(fd), ino: base + 64n + BigInt(fd), type: DT_LNK })));
      }
      if (more.length > 0) return -ENOTDIR;
      const fd = /^\d+$/.test(sub) ? Number(sub) : -1;
      const file = task.files.get(fd);
      if (file === undefined) return -ENOENT;
      return linkNode(base + 64n + BigInt(fd), () => file.path, { openLinked: () => file.get() });
    }
    default:
      return -ENOENT;
  }
}
