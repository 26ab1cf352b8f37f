// strace-style rendering of a system call: `write(1, "hello\n", 6) = 6`,
// `mmap2(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0xb7fff000`,
// `open("/x", O_RDONLY) = -1 ENOENT (No such file or directory)`. Memory is only peeked
// (never faulted in), so tracing cannot change what the guest sees.
import { errnoMessage, errnoName } from '../errno.js';
import { formatMode } from '../fs/stat.js';
import type { Mm } from '../mm/mmStruct.js';
import { peekString, peekUser } from '../mm/uaccess.js';
import { RLIMIT_NAMES, RLIM_INFINITY } from '../proc/task.js';
import { signalName } from '../signal/signal.js';
import type { ArgFormat, SyscallRow } from './types.js';

const STRLEN = 32;

/** strace's quoting: C escapes, octal for other non-printables, "..." past 32 bytes. */
const CLONE_FLAG_NAMES: Array<[number, string]> = [
  [0x100, 'CLONE_VM'], [0x200, 'CLONE_FS'], [0x400, 'CLONE_FILES'], [0x800, 'CLONE_SIGHAND'], [0x1000, 'CLONE_PIDFD'],
  [0x2000, 'CLONE_PTRACE'], [0x4000, 'CLONE_VFORK'], [0x8000, 'CLONE_PARENT'], [0x10000, 'CLONE_THREAD'],
  [0x20000, 'CLONE_NEWNS'], [0x40000, 'CLONE_SYSVSEM'], [0x80000, 'CLONE_SETTLS'], [0x100000, 'CLONE_PARENT_SETTID'],
  [0x200000, 'CLONE_CHILD_CLEARTID'], [0x400000, 'CLONE_DETACHED'], [0x800000, 'CLONE_UNTRACED'],
  [0x1000000, 'CLONE_CHILD_SETTID'],
];

export function quoteBytes(b: Uint8Array, limit = STRLEN, moreAfter = false): string {
  let s = '"';
  const n = Math.min(b.length, limit);
  for (let i = 0; i < n; i++) {
    const c = b[i];
    switch (c) {
      case 0x22: s += '\\"'; break;
      case 0x5c: s += '\\\\'; break;
      case 0x0a: s += '\\n'; break;
      case 0x09: s += '\\t'; break;
      case 0x0d: s += '\\r'; break;
      case 0x0b: s += '\\v'; break;
      case 0x0c: s += '\\f'; break;
      default:
        if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
        else {
          const next = i + 1 < n ? b[i + 1] : -1;
          const oct = c.toString(8);
          s += '\\' + (next >= 0x30 && next <= 0x37 ? oct.padStart(3, '0') : oct);
        }
    }
  }
  s += '"';
  if (b.length > limit || moreAfter) s += '...';
  return s;
}

export function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16);
}

function ptr(n: number): string {
  return n === 0 ? 'NULL' : hex(n);
}

function flagNames(v: number, table: Array<[number, string]>, zero = '0'): string {
  const parts: string[] = [];
  let rest = v >>> 0;
  for (const [bit, name] of table) {
    if (bit !== 0 && (rest & bit) === bit) {
      parts.push(name);
      rest = (rest & ~bit) >>> 0;
    }
  }
  if (rest) parts.push(hex(rest));
  return parts.length ? parts.join('|') : zero;
}

const OPEN_FLAGS: Array<[number, string]> = [
  [0o100, 'O_CREAT'], [0o200, 'O_EXCL'], [0o400, 'O_NOCTTY'], [0o1000, 'O_TRUNC'], [0o2000, 'O_APPEND'],
  [0o4000, 'O_NONBLOCK'], [0o4010000, 'O_SYNC'], [0o10000, 'O_DSYNC'], [0o20000, 'O_ASYNC'], [0o40000, 'O_DIRECT'],
  [0o100000, 'O_LARGEFILE'], [0o200000, 'O_DIRECTORY'], [0o400000, 'O_NOFOLLOW'], [0o1000000, 'O_NOATIME'],
  [0o2000000, 'O_CLOEXEC'], [0o10000000, 'O_PATH'],
];
const PROT: Array<[number, string]> = [[1, 'PROT_READ'], [2, 'PROT_WRITE'], [4, 'PROT_EXEC'], [8, 'PROT_SEM'],
  [0x01000000, 'PROT_GROWSDOWN'], [0x02000000, 'PROT_GROWSUP']];
const MAP: Array<[number, string]> = [[0x10, 'MAP_FIXED'], [0x20, 'MAP_ANONYMOUS'], [0x100, 'MAP_GROWSDOWN'],
  [0x800, 'MAP_DENYWRITE'], [0x1000, 'MAP_EXECUTABLE'], [0x2000, 'MAP_LOCKED'], [0x4000, 'MAP_NORESERVE'],
  [0x8000, 'MAP_POPULATE'], [0x10000, 'MAP_NONBLOCK'], [0x20000, 'MAP_STACK'], [0x40000, 'MAP_HUGETLB'],
  [0x80000, 'MAP_SYNC'], [0x100000, 'MAP_FIXED_NOREPLACE']];
const AT_FLAGS: Array<[number, string]> = [[0x6000, 'AT_STATX_DONT_SYNC'], [0x2000, 'AT_STATX_FORCE_SYNC'],
  [0x100, 'AT_SYMLINK_NOFOLLOW'], [0x200, 'AT_REMOVEDIR'], [0x400, 'AT_SYMLINK_FOLLOW'],
  [0x800, 'AT_NO_AUTOMOUNT'], [0x1000, 'AT_EMPTY_PATH']];
const STATX: Array<[number, string]> = [[0x7ff, 'STATX_BASIC_STATS'], [0x1, 'STATX_TYPE'], [0x2, 'STATX_MODE'],
  [0x4, 'STATX_NLINK'], [0x8, 'STATX_UID'], [0x10, 'STATX_GID'], [0x20, 'STATX_ATIME'], [0x40, 'STATX_MTIME'],
  [0x80, 'STATX_CTIME'], [0x100, 'STATX_INO'], [0x200, 'STATX_SIZE'], [0x400, 'STATX_BLOCKS'],
  [0x800, 'STATX_BTIME'], [0x1000, 'STATX_MNT_ID']];
const CLOCKS = ['CLOCK_REALTIME', 'CLOCK_MONOTONIC', 'CLOCK_PROCESS_CPUTIME_ID', 'CLOCK_THREAD_CPUTIME_ID',
  'CLOCK_MONOTONIC_RAW', 'CLOCK_REALTIME_COARSE', 'CLOCK_MONOTONIC_COARSE', 'CLOCK_BOOTTIME',
  'CLOCK_REALTIME_ALARM', 'CLOCK_BOOTTIME_ALARM', '10', 'CLOCK_TAI'];
const FCNTL: Record<number, string> = { 0: 'F_DUPFD', 1: 'F_GETFD', 2: 'F_SETFD', 3: 'F_GETFL', 4: 'F_SETFL',
  5: 'F_GETLK', 6: 'F_SETLK', 7: 'F_SETLKW', 8: 'F_SETOWN', 9: 'F_GETOWN', 12: 'F_GETLK64', 13: 'F_SETLK64',
  14: 'F_SETLKW64', 1030: 'F_DUPFD_CLOEXEC' };
const IOCTL: Record<number, string> = { 0x5401: 'TCGETS', 0x5402: 'TCSETS', 0x5403: 'TCSETSW', 0x5404: 'TCSETSF',
  0x540f: 'TIOCGPGRP', 0x5410: 'TIOCSPGRP', 0x5413: 'TIOCGWINSZ', 0x5414: 'TIOCSWINSZ', 0x541b: 'FIONREAD',
  0x5421: 'FIONBIO', 0x5450: 'FIONCLEX', 0x5451: 'FIOCLEX' };
const FUTEX = ['FUTEX_WAIT', 'FUTEX_WAKE', 'FUTEX_FD', 'FUTEX_REQUEUE', 'FUTEX_CMP_REQUEUE', 'FUTEX_WAKE_OP',
  'FUTEX_LOCK_PI', 'FUTEX_UNLOCK_PI', 'FUTEX_TRYLOCK_PI', 'FUTEX_WAIT_BITSET', 'FUTEX_WAKE_BITSET'];
const MADV: Record<number, string> = { 0: 'MADV_NORMAL', 1: 'MADV_RANDOM', 2: 'MADV_SEQUENTIAL', 3: 'MADV_WILLNEED',
  4: 'MADV_DONTNEED', 8: 'MADV_FREE', 9: 'MADV_REMOVE', 10: 'MADV_DONTFORK', 11: 'MADV_DOFORK',
  14: 'MADV_HUGEPAGE', 15: 'MADV_NOHUGEPAGE' };

function openFlags(v: number): string {
  const acc = ['O_RDONLY', 'O_WRONLY', 'O_RDWR', '3'][v & 3];
  const rest = flagNames(v & ~3, OPEN_FLAGS, '');
  return rest ? `${acc}|${rest}` : acc;
}

function mapFlags(v: number): string {
  const type = { 1: 'MAP_SHARED', 2: 'MAP_PRIVATE', 3: 'MAP_SHARED_VALIDATE' }[v & 0xf] ?? hex(v & 0xf);
  const rest = flagNames(v & ~0xf, MAP, '');
  return rest ? `${type}|${rest}` : type;
}

function sigset(mm: Mm, addr: number): string {
  if (addr === 0) return 'NULL';
  const b = peekUser(mm, addr, 8);
  if (b === null) return hex(addr);
  const set = new DataView(b.buffer).getBigUint64(0, true);
  if (set === 0n) return '[]';
  if (set === 0xffffffffffffffffn) return '~[]';
  const names: string[] = [];
  for (let s = 1; s <= 64; s++) if (set & (1n << BigInt(s - 1))) names.push(signalName(s).replace(/^SIG/, ''));
  return `[${names.join(' ')}]`;
}

function rlimValue(v: bigint): string {
  if (v === RLIM_INFINITY) return 'RLIM_INFINITY';
  if (v > 0n && v % 1024n === 0n) return `${v / 1024n}*1024`;
  return String(v);
}

function timespec(mm: Mm, addr: number, wide: boolean): string {
  if (addr === 0) return 'NULL';
  const b = peekUser(mm, addr, wide ? 16 : 8);
  if (b === null) return hex(addr);
  const dv = new DataView(b.buffer);
  const sec = wide ? dv.getBigInt64(0, true) : BigInt(dv.getInt32(0, true));
  const nsec = wide ? dv.getBigInt64(8, true) : BigInt(dv.getInt32(4, true));
  return `{tv_sec=${sec}, tv_nsec=${nsec}}`;
}

export interface TraceInput {
  mm: Mm;
  row: SyscallRow | undefined;
  name: string;
  args: readonly number[];
  ret: number;
  /** Sigsets and other inputs captured before the call (by argument index). */
  before: Map<number, string>;
  note: string | null;
  exited: boolean;
}

/** Formats one argument. */
function formatArg(t: TraceInput, i: number, f: ArgFormat): string {
  const v = t.args[i];
  const u = v >>> 0;
  const mm = t.mm;
  const pre = t.before.get(i);
  if (pre !== undefined) return pre;
  switch (f) {
    case 'int': case 'fd': case 'size': return String(f === 'size' ? u : v);
    case 'uint': return String(u);
    case 'hex': return hex(v);
    case 'ptr': return ptr(u);
    case 'octal': return '0' + u.toString(8);
    case 'dirfd': return v === -100 ? 'AT_FDCWD' : String(v);
    case 'argv': case 'envp': {
      if (u === 0) return 'NULL';
      const items: string[] = [];
      for (let k = 0; k < 4096; k++) {
        const w = peekUser(mm, u + k * 4, 4);
        if (w === null) return hex(u);
        const p = new DataView(w.buffer).getUint32(0, true);
        if (p === 0) break;
        const s = peekString(mm, p, 4096);
        items.push(s === null ? hex(p) : quoteBytes(s.bytes, STRLEN, s.truncated));
      }
      return f === 'envp' ? `${hex(u)} /* ${items.length} vars */` : `[${items.join(', ')}]`;
    }
    case 'epath':
    case 'path': {
      if (u === 0) return 'NULL';
      const s = peekString(mm, u, 4096);
      return s === null ? hex(u) : quoteBytes(s.bytes, 4096, s.truncated);
    }
    case 'buf': {
      const len = t.args[i + 1] >>> 0;
      const b = peekUser(mm, u, Math.min(len, STRLEN));
      return b === null ? hex(u) : quoteBytes(b, STRLEN, len > STRLEN);
    }
    case 'obuf': case 'ostr': {
      if (t.ret < 0) return hex(u);
      const b = peekUser(mm, u, Math.min(t.ret, f === 'ostr' ? 4096 : STRLEN));
      return b === null ? hex(u) : quoteBytes(b, f === 'ostr' ? 4096 : STRLEN, f === 'obuf' && t.ret > STRLEN);
    }
    case 'iovec': case 'oiovec': {
      const cnt = f === 'iovec' ? t.args[i + 1] >>> 0 : t.args[i + 1] >>> 0;
      const vec = peekUser(mm, u, Math.min(cnt, 8) * 8);
      if (vec === null || cnt > 1024) return hex(u);
      const dv = new DataView(vec.buffer);
      let budget = f === 'oiovec' ? Math.max(t.ret, 0) : Infinity;
      const parts: string[] = [];
      for (let k = 0; k < Math.min(cnt, 8); k++) {
        const base = dv.getUint32(k * 8, true), len = dv.getUint32(k * 8 + 4, true);
        const show = Math.min(len, budget);
        budget -= show;
        const data = peekUser(mm, base, Math.min(show, STRLEN));
        parts.push(`{iov_base=${data === null ? hex(base) : quoteBytes(data, STRLEN, show > STRLEN)}, iov_len=${len}}`);
      }
      return `[${parts.join(', ')}${cnt > 8 ? ', ...' : ''}]`;
    }
    case 'oflags': return openFlags(v);
    case 'omode': return t.args[i - 1] & 0o20000100 ? '0' + u.toString(8).padStart(3, '0') : '';
    case 'mremapflags': return flagNames(v, [[1, 'MREMAP_MAYMOVE'], [2, 'MREMAP_FIXED'], [4, 'MREMAP_DONTUNMAP']]);
    case 'cloneflags': {
      const names = flagNames(v & ~0xff, CLONE_FLAG_NAMES);
      const sig = v & 0xff;
      if (sig === 0) return names;
      const sn = signalName(sig);
      return names === '0' ? sn : `${names}|${sn}`;
    }
    case 'llhi': return String(BigInt.asIntN(64, (BigInt(v) << 32n) | BigInt(t.args[i + 1] >>> 0)));
    case 'omitted': return '';
    case 'oloff': {
      const b = t.ret < 0 ? null : peekUser(mm, u, 8);
      return b === null ? hex(u) : `[${new DataView(b.buffer).getBigInt64(0, true)}]`;
    }
    case 'pgoff': return u === 0 ? '0' : hex(u * 4096);
    case 'statxflags': return (v & 0x6000 ? '' : 'AT_STATX_SYNC_AS_STAT|') + flagNames(v, AT_FLAGS);
    case 'prot': return flagNames(v, PROT, 'PROT_NONE');
    case 'mapflags': return mapFlags(v);
    case 'madvice': return MADV[v] ?? String(v);
    case 'signal': return v > 0 && v <= 64 ? signalName(v) : String(v);
    case 'sighow': return ['SIG_BLOCK', 'SIG_UNBLOCK', 'SIG_SETMASK'][v] ?? String(v);
    case 'clock': return CLOCKS[v] ?? String(v);
    case 'whence': return ['SEEK_SET', 'SEEK_CUR', 'SEEK_END', 'SEEK_DATA', 'SEEK_HOLE'][v] ?? String(v);
    case 'ioctl': return IOCTL[u] ?? hex(u);
    case 'fcntl': return FCNTL[v] ?? String(v);
    case 'rlimit': return RLIMIT_NAMES[v] ?? String(v);
    case 'atflags': return flagNames(v, AT_FLAGS);
    case 'statxmask': return flagNames(v, STATX);
    case 'accessmode': return v === 0 ? 'F_OK' : flagNames(v, [[4, 'R_OK'], [2, 'W_OK'], [1, 'X_OK']]);
    case 'grndflags': return flagNames(v, [[1, 'GRND_NONBLOCK'], [2, 'GRND_RANDOM'], [4, 'GRND_INSECURE']]);
    case 'futexop': {
      const name = FUTEX[v & 127] ?? String(v & 127);
      return name + (v & 128 ? '_PRIVATE' : '') + (v & 256 ? '|FUTEX_CLOCK_REALTIME' : '');
    }
    case 'sigset': case 'osigset': return f === 'osigset' && t.ret < 0 ? ptr(u) : sigset(mm, u);
    case 'timespec': case 'otimespec': return f === 'otimespec' && t.ret < 0 ? ptr(u) : timespec(mm, u, false);
    case 'timespec64': case 'otimespec64': return f === 'otimespec64' && t.ret < 0 ? ptr(u) : timespec(mm, u, true);
    case 'rlim64': case 'orlim64': case 'orlim': {
      if (u === 0) return 'NULL';
      if (f !== 'rlim64' && t.ret < 0) return hex(u);
      const wide = f !== 'orlim';
      const b = peekUser(mm, u, wide ? 16 : 8);
      if (b === null) return hex(u);
      const dv = new DataView(b.buffer);
      const cur = wide ? dv.getBigUint64(0, true) : BigInt(dv.getUint32(0, true));
      const max = wide ? dv.getBigUint64(8, true) : BigInt(dv.getUint32(4, true));
      const conv = (x: bigint) => (!wide && x === 0xffffffffn ? RLIM_INFINITY : x);
      return `{rlim_cur=${rlimValue(conv(cur))}, rlim_max=${rlimValue(conv(max))}}`;
    }
    case 'userdesc': {
      const b = peekUser(mm, u, 16);
      if (b === null) return hex(u);
      const dv = new DataView(b.buffer);
      const fl = dv.getUint32(12, true);
      return `{entry_number=${dv.getInt32(0, true)}, base_addr=${hex(dv.getUint32(4, true))}, limit=0x${dv.getUint32(8, true).toString(16).padStart(6, '0')}, seg_32bit=${fl & 1}, contents=${(fl >> 1) & 3}, read_exec_only=${(fl >> 3) & 1}, limit_in_pages=${(fl >> 4) & 1}, seg_not_present=${(fl >> 5) & 1}, useable=${(fl >> 6) & 1}}`;
    }
    case 'utsname': {
      if (t.ret < 0) return hex(u);
      const b = peekUser(mm, u, 130);
      if (b === null) return hex(u);
      const field = (o: number) => Buffer.from(b.subarray(o, b.indexOf(0, o) < 0 ? o + 65 : b.indexOf(0, o))).toString('latin1');
      return `{sysname="${field(0)}", nodename="${field(65)}", ...}`;
    }
    case 'stat': case 'statx': {
      if (t.ret < 0) return hex(u);
      const b = peekUser(mm, u, f === 'stat' ? 96 : 64);
      if (b === null) return hex(u);
      const dv = new DataView(b.buffer);
      if (f === 'statx') return `{stx_mask=${flagNames(dv.getUint32(0, true), STATX)}, stx_attributes=0, stx_mode=${formatMode(dv.getUint16(28, true))}, stx_size=${dv.getBigUint64(40, true)}, ...}`;
      return `{st_mode=${formatMode(dv.getUint32(16, true))}, st_size=${dv.getBigInt64(44, true)}, ...}`;
    }
    default:
      return hex(v);
  }
}

/** Argument kinds that describe inputs: shown as they were before the call. */
const INPUT_FORMATS = new Set<ArgFormat>(['userdesc', 'sigset', 'rlim64', 'epath', 'argv', 'envp']);

/** Formats the input arguments before the call runs (the call may overwrite them). */
export function formatInputs(mm: Mm, row: SyscallRow | undefined, args: readonly number[]): Map<number, string> {
  const m = new Map<number, string>();
  if (!row) return m;
  const t: TraceInput = { mm, row, name: row.name, args, ret: 0, before: new Map(), note: null, exited: false };
  row.args.forEach((f, i) => {
    if (!INPUT_FORMATS.has(f)) return;
    const text = formatArg(t, i, f);
    // Memory the call has not touched yet may not be present: then format it afterwards.
    if (text !== hex(args[i])) m.set(i, text);
  });
  return m;
}

/** The whole strace line for a call that has returned (or ended the process). */
export function formatSyscall(t: TraceInput): string {
  const formats = t.row?.args ?? [];
  const shown = t.row ? formats.length : 6;
  const args: string[] = [];
  for (let i = 0; i < shown; i++) {
    const a = formatArg(t, i, formats[i] ?? 'hex');
    if (a !== '') args.push(a);
  }
  let retText: string;
  if (t.exited || t.row?.ret === 'none') retText = '?';
  else if (t.ret < 0 && t.ret >= -4095) retText = `-1 ${errnoName(-t.ret)} (${errnoMessage(-t.ret)})`;
  else if (t.row?.ret === 'hex') retText = hex(t.ret);
  else retText = String(t.ret);
  return `${t.name}(${args.join(', ')}) = ${retText}${t.note ?? ''}`;
}
