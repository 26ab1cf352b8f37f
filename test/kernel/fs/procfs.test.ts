// /proc/PID memory and process views in Linux 6.x's formats: every line of smaps,
// smaps_rollup and status parsed with a regex of Linux's format, the totals agreeing with each
// other, Pss halved by a fork's sharing, the high-water marks, auxv, fd/ and fdinfo/.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as fio from '../../../kernel/syscalls/fileio.js';
import * as nm from '../../../kernel/syscalls/namei.js';
import * as mem from '../../../kernel/syscalls/memory.js';
import { dupMm } from '../../../kernel/mm/fork.js';
import { sysFork } from '../../../kernel/syscalls/fork.js';
import { sysGetrusage } from '../../../kernel/syscalls/process.js';
import { freeAddressSpace } from '../../../kernel/mm/pageTable.js';
import { bootKernel, type Booted } from '../syscalls/sysHelpers.js';

const O_RDONLY = 0, O_DIRECTORY = 0o200000;

/** A booted kernel whose 64 KiB scratch area is all resident (reading /proc into it then changes nothing). */
function boot(files: Record<string, string> = {}): Booted {
  const b = bootKernel(files);
  for (let off = 0; off < 0x10000; off += 0x1000) b.write(b.buf + off, Uint8Array.of(7));
  return b;
}

function readProc(b: Booted, path: string): string {
  const fd = fio.sysOpen(b.k, b.str(path), O_RDONLY);
  expect(fd, path).toBeGreaterThanOrEqual(0);
  let text = '';
  for (;;) {
    const n = fio.sysRead(b.k, fd, b.buf + 0x1000, 0x6000);
    if (n <= 0) break;
    text += Buffer.from(b.read(b.buf + 0x1000, n)).toString('latin1');
  }
  fio.sysClose(b.k, fd);
  return text;
}

function readRaw(b: Booted, path: string): Uint8Array {
  const fd = fio.sysOpen(b.k, b.str(path), O_RDONLY);
  expect(fd, path).toBeGreaterThanOrEqual(0);
  const n = fio.sysRead(b.k, fd, b.buf + 0x1000, 0x6000);
  fio.sysClose(b.k, fd);
  return b.read(b.buf + 0x1000, n);
}

function listDir(b: Booted, path: string): string[] {
  const fd = fio.sysOpen(b.k, b.str(path), O_RDONLY | O_DIRECTORY);
  expect(fd, path).toBeGreaterThanOrEqual(0);
  const n = fio.sysGetdents64(b.k, fd, b.buf + 0x1000, 0x6000);
  const raw = b.read(b.buf + 0x1000, n);
  const dv = new DataView(raw.buffer, raw.byteOffset);
  const names: string[] = [];
  for (let o = 0; o < n; o += dv.getUint16(o + 16, true)) names.push(Buffer.from(raw.subarray(o + 19, raw.indexOf(0, o + 19))).toString());
  fio.sysClose(b.k, fd);
  return names;
}

function readlink(b: Booted, path: string): string {
  const n = nm.sysReadlink(b.k, b.str(path), b.buf + 0x1000, 256);
  expect(n, path).toBeGreaterThan(0);
  return Buffer.from(b.read(b.buf + 0x1000, n)).toString();
}

const MAPS_LINE = /^[0-9a-f]{8}-[0-9a-f]{8} [r-][w-][x-][ps] [0-9a-f]{8} [0-9a-f]{2,}:[0-9a-f]{2,} \d+ (?: *\S.*)?$/;
const kb = (name: string) => new RegExp(`^${name}:${' '.repeat(Math.max(1, 15 - name.length))} *(\\d+) kB$`);
/** show_smap's lines after the maps line, in order (Linux 6.x, no protection keys). */
const SMAP_FIELDS = ['Size', 'KernelPageSize', 'MMUPageSize', 'Rss', 'Pss', 'Pss_Dirty', 'Shared_Clean', 'Shared_Dirty',
  'Private_Clean', 'Private_Dirty', 'Referenced', 'Anonymous', 'KSM', 'LazyFree', 'AnonHugePages', 'ShmemPmdMapped',
  'FilePmdMapped', 'Shared_Hugetlb', 'Private_Hugetlb', 'Swap', 'SwapPss', 'Locked'];
const ROLLUP_FIELDS = ['Rss', 'Pss', 'Pss_Dirty', 'Pss_Anon', 'Pss_File', 'Pss_Shmem', 'Shared_Clean', 'Shared_Dirty',
  'Private_Clean', 'Private_Dirty', 'Referenced', 'Anonymous', 'KSM', 'LazyFree', 'AnonHugePages', 'ShmemPmdMapped',
  'FilePmdMapped', 'Shared_Hugetlb', 'Private_Hugetlb', 'Swap', 'SwapPss', 'Locked'];
/** proc_pid_status's keys in order (Linux 6.x on x86). */
const STATUS_KEYS = ['Name', 'Umask', 'State', 'Tgid', 'Ngid', 'Pid', 'PPid', 'TracerPid', 'Uid', 'Gid', 'FDSize', 'Groups',
  'NStgid', 'NSpid', 'NSpgid', 'NSsid', 'Kthread', 'VmPeak', 'VmSize', 'VmLck', 'VmPin', 'VmHWM', 'VmRSS', 'RssAnon',
  'RssFile', 'RssShmem', 'VmData', 'VmStk', 'VmExe', 'VmLib', 'VmPTE', 'VmSwap', 'HugetlbPages', 'CoreDumping',
  'THP_enabled', 'untag_mask', 'Threads', 'SigQ', 'SigPnd', 'ShdPnd', 'SigBlk', 'SigIgn', 'SigCgt', 'CapInh', 'CapPrm',
  'CapEff', 'CapBnd', 'CapAmb', 'NoNewPrivs', 'Seccomp', 'Seccomp_filters', 'Speculation_Store_Bypass',
  'SpeculationIndirectBranch', 'Cpus_allowed', 'Cpus_allowed_list', 'Mems_allowed', 'Mems_allowed_list',
  'voluntary_ctxt_switches', 'nonvoluntary_ctxt_switches'];

interface SmapsArea { header: string; fields: Record<string, number>; flags: string[] }

/** Parses smaps, asserting every line's format and the fields' order. */
function parseSmaps(text: string): SmapsArea[] {
  const lines = text.split('\n');
  expect(lines.pop()).toBe('');
  const areas: SmapsArea[] = [];
  const per = 1 + SMAP_FIELDS.length + 2;
  expect(lines.length % per).toBe(0);
  for (let i = 0; i < lines.length; i += per) {
    expect(lines[i]).toMatch(MAPS_LINE);
    const fields: Record<string, number> = {};
    SMAP_FIELDS.forEach((f, k) => {
      const m = kb(f).exec(lines[i + 1 + k]);
      expect(m, `${f} in ${JSON.stringify(lines[i + 1 + k])}`).not.toBeNull();
      expect(lines[i + 1 + k].length).toBe(27); // "%-16s%8lu kB"
      fields[f] = Number(m![1]);
    });
    expect(lines[i + per - 2]).toBe('THPeligible:           0');
    expect(lines[i + per - 1]).toMatch(/^VmFlags:( [a-z]{2})+ $/);
    areas.push({ header: lines[i], fields, flags: lines[i + per - 1].trim().split(' ').slice(1) });
  }
  return areas;
}

function parseRollup(text: string): Record<string, number> {
  const lines = text.split('\n');
  expect(lines.pop()).toBe('');
  expect(lines[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{8} ---p 00000000 00:00 0 +\[rollup\]$/);
  expect(lines[0].indexOf('[rollup]')).toBe(73); // padded to 25 + 6 * sizeof(void *) (a 64-bit kernel, the default layout), plus a space
  expect(lines.length).toBe(1 + ROLLUP_FIELDS.length);
  const out: Record<string, number> = {};
  ROLLUP_FIELDS.forEach((f, k) => {
    const m = kb(f).exec(lines[1 + k]);
    expect(m, f).not.toBeNull();
    out[f] = Number(m![1]);
  });
  return out;
}

function parseStatus(text: string): Map<string, string> {
  const lines = text.split('\n');
  expect(lines.pop()).toBe('');
  const map = new Map<string, string>();
  for (const l of lines) {
    const m = /^([A-Za-z_]+):\t(.*)$/.exec(l);
    expect(m, l).not.toBeNull();
    map.set(m![1], m![2]);
  }
  expect([...map.keys()]).toEqual(STATUS_KEYS);
  return map;
}

const statusKb = (s: Map<string, string>, k: string): number => {
  const m = /^ *(\d+) kB$/.exec(s.get(k)!);
  expect(m, k).not.toBeNull();
  expect(s.get(k)!.length).toBe(11); // "%8lu kB"
  return Number(m![1]);
};

describe('/proc/PID memory views', () => {
  it('smaps, smaps_rollup, status and statm agree on the resident set', () => {
    const b = boot({ 'data.bin': 'x'.repeat(3 * 4096) });
    const fd = fio.sysOpen(b.k, b.str('/data.bin'), O_RDONLY);
    const addr = mem.sysMmap2(b.k, 0, 3 * 4096, 1, 2, fd, 0) >>> 0;
    b.read(addr, 1);
    b.read(addr + 8192, 1);

    const areas = parseSmaps(readProc(b, '/proc/self/smaps'));
    const rollup = parseRollup(readProc(b, '/proc/self/smaps_rollup'));
    const status = parseStatus(readProc(b, '/proc/self/status'));
    const statm = readProc(b, '/proc/self/statm').trimEnd().split(' ').map(Number);
    const sum = (f: string) => areas.reduce((s, a) => s + a.fields[f], 0);

    expect(sum('Rss')).toBeGreaterThan(0);
    expect(rollup.Rss).toBe(sum('Rss'));
    expect(statusKb(status, 'VmRSS')).toBe(rollup.Rss);
    expect(statm[1] * 4).toBe(rollup.Rss);
    expect(b.k.mm.rss * 4).toBe(rollup.Rss); // the counter mapPage/zapRange keep, against the walk
    expect(statusKb(status, 'VmSize')).toBe(sum('Size'));
    expect(statm[0] * 4).toBe(sum('Size'));
    expect(statusKb(status, 'RssAnon')).toBe(rollup.Anonymous);
    expect(statusKb(status, 'RssAnon') + statusKb(status, 'RssFile') + statusKb(status, 'RssShmem')).toBe(rollup.Rss);
    expect(statm[2] * 4).toBe(statusKb(status, 'RssFile') + statusKb(status, 'RssShmem'));
    for (const a of areas) {
      const f = a.fields;
      expect(f.Pss).toBeLessThanOrEqual(f.Rss);
      expect(f.Shared_Clean + f.Shared_Dirty + f.Private_Clean + f.Private_Dirty).toBe(f.Rss);
      expect(f.KernelPageSize).toBe(4);
    }

    // The file mapping: two pages read, both clean page-cache pages mapped once (Pss = Rss).
    const fileArea = areas.find((a) => a.header.endsWith('/data.bin'))!;
    expect(fileArea.header).toMatch(/ r--p 00000000 [0-9a-f]{2,}:[0-9a-f]{2,} [1-9]\d* +\/data\.bin$/);
    expect(fileArea.fields).toMatchObject({ Size: 12, Rss: 8, Pss: 8, Private_Clean: 8, Anonymous: 0, Referenced: 8 });
    expect(fileArea.flags).toEqual(['rd', 'mr', 'mw', 'me']);
    // The scratch area: 16 dirty anonymous pages, private and writable.
    const scratch = areas.find((a) => a.header.startsWith((b.buf >>> 0).toString(16).padStart(8, '0')))!;
    expect(scratch.fields).toMatchObject({ Size: 64, Rss: 64, Pss: 64, Private_Dirty: 64, Anonymous: 64 });
    expect(scratch.flags).toEqual(['rd', 'wr', 'mr', 'mw', 'me', 'ac']);
    const stack = areas.find((a) => a.header.endsWith('[stack]'))!;
    // (This test program has no PT_GNU_STACK, so its stack is executable too.)
    expect(stack.flags).toEqual(expect.arrayContaining(['rd', 'wr', 'mr', 'mw', 'me', 'gd', 'ac']));
  });

  it('a page shared with a fork child counts half in Pss and as Shared', () => {
    const b = boot();
    // An area of its own (executable, so it does not merge with the scratch buffer, which every /proc read writes).
    const area = mem.sysMmap2(b.k, 0, 0x4000, 7, 0x22, -1, 0) >>> 0;
    for (let off = 0; off < 0x4000; off += 0x1000) b.write(area + off, Uint8Array.of(1));
    const areaOf = () => parseSmaps(readProc(b, '/proc/self/smaps'))
      .find((a) => a.header.startsWith(area.toString(16).padStart(8, '0')))!.fields;
    expect(areaOf()).toMatchObject({ Rss: 16, Pss: 16, Private_Dirty: 16, Shared_Dirty: 0 });
    const child = dupMm(b.k.mm, { framesShared: 0 })!;
    expect(areaOf()).toMatchObject({ Rss: 16, Pss: 8, Private_Dirty: 0, Shared_Dirty: 16, Anonymous: 16 });
    const rollup = parseRollup(readProc(b, '/proc/self/smaps_rollup'));
    expect(rollup.Pss).toBeLessThan(rollup.Rss);
    expect(Math.abs(rollup.Pss_Anon + rollup.Pss_File + rollup.Pss_Shmem - rollup.Pss)).toBeLessThanOrEqual(2);
    // A copy-on-write break makes one page private again.
    b.write(area, Uint8Array.of(2));
    expect(areaOf()).toMatchObject({ Rss: 16, Pss: 4 + 6, Private_Dirty: 4, Shared_Dirty: 12 });
    freeAddressSpace(child);
    expect(areaOf()).toMatchObject({ Rss: 16, Pss: 16, Private_Dirty: 16 });
  });

  it('VmHWM and VmPeak keep the high-water marks after munmap', () => {
    const b = boot();
    const big = mem.sysMmap2(b.k, 0, 0x40000, 3, 0x22, -1, 0) >>> 0;
    for (let off = 0; off < 0x40000; off += 0x1000) b.write(big + off, Uint8Array.of(1));
    const full = parseStatus(readProc(b, '/proc/self/status'));
    expect(statusKb(full, 'VmHWM')).toBe(statusKb(full, 'VmRSS'));
    expect(mem.sysMunmap(b.k, big, 0x40000)).toBe(0);
    const s = parseStatus(readProc(b, '/proc/self/status'));
    expect(statusKb(s, 'VmRSS')).toBe(statusKb(full, 'VmRSS') - 256);
    expect(statusKb(s, 'VmHWM')).toBe(statusKb(full, 'VmRSS'));
    expect(b.k.mm.rss * 4).toBe(statusKb(s, 'VmRSS'));
    // getrusage's ru_maxrss (after the two timevals) is the same peak.
    expect(sysGetrusage(b.k, 0, b.buf + 0x100)).toBe(0);
    expect(b.u32(b.buf + 0x100 + 16)).toBe(statusKb(s, 'VmHWM'));
    expect(statusKb(s, 'VmSize')).toBe(statusKb(full, 'VmSize') - 256);
    expect(statusKb(s, 'VmPeak')).toBe(statusKb(full, 'VmSize'));
    expect(statusKb(s, 'VmData')).toBeGreaterThanOrEqual(64);
    expect(statusKb(s, 'VmStk')).toBeGreaterThan(0);
    expect(statusKb(s, 'VmPTE')).toBeGreaterThanOrEqual(4);
    expect(s.get('Groups')).toBe(' ');
    expect(s.get('Umask')).toBe('0022');
    expect(s.get('SigQ')).toMatch(/^0\/\d+$/);
    expect(s.get('SigBlk')).toMatch(/^[0-9a-f]{16}$/);
  });

  it('status and smaps use the line names and order of the host kernel (this host runs Linux)', () => {
    let host: string;
    try {
      host = readFileSync('/proc/self/status', 'utf8');
    } catch {
      return; // not a Linux host: the literal key lists above are the reference
    }
    const hostKeys = host.split('\n').filter((l) => l !== '').map((l) => l.slice(0, l.indexOf(':')))
      // x86 shadow-stack lines appear only on kernels built with user shadow stacks.
      .filter((k) => !k.startsWith('x86_Thread_features'));
    if (!hostKeys.includes('Kthread') || !hostKeys.includes('untag_mask')) return; // older than 6.x
    expect(hostKeys).toEqual(STATUS_KEYS);
    const hostSmaps = readFileSync('/proc/self/smaps', 'utf8').split('\n');
    const names = hostSmaps.slice(1, 1 + SMAP_FIELDS.length).map((l) => l.slice(0, l.indexOf(':')));
    if (names.includes('ProtectionKey')) return;
    expect(names).toEqual(SMAP_FIELDS);
  });

  it('statm and stat', () => {
    const b = boot();
    const statm = readProc(b, '/proc/self/statm');
    expect(statm).toMatch(/^\d+ \d+ \d+ \d+ 0 \d+ 0\n$/);
    const stat = readProc(b, '/proc/self/stat');
    const fields = stat.trimEnd().split(' ');
    expect(fields).toHaveLength(52);
    expect(fields[1]).toBe('(prog)');
    expect(Number(fields[22])).toBe(Number(statm.split(' ')[0]) * 4096);
    expect(Number(fields[23])).toBe(Number(statm.split(' ')[1]));
    expect(Number(fields[25]) >>> 0).toBe(b.k.mm.startCode);
    b.k.task.comm = 'a\nb\\c';
    expect(readProc(b, '/proc/self/status').split('\n')[0]).toBe('Name:\ta\\nb\\\\c');
    expect(parseStatus(readProc(b, '/proc/self/status')).get('SigQ')).toBe('0/' + String(b.k.task.rlimits[11].cur));
  });
});

describe('/proc/PID links, auxv, fd and fdinfo', () => {
  it("/proc lists every process; a child's status and smaps are readable by pid", () => {
    const b = boot();
    const pid = b.k.task.pid;
    const child = sysFork(b.k);
    expect(child).toBeGreaterThan(pid);
    expect(listDir(b, '/proc')).toEqual(expect.arrayContaining(['self', 'meminfo', String(pid), String(child)]));
    const s = parseStatus(readProc(b, `/proc/${child}/status`));
    expect(s.get('Pid')).toBe(String(child));
    expect(s.get('PPid')).toBe(String(pid));
    // The child shares what it maps with its parent, but for the scratch pages the parent has
    // written since (each /proc read here writes two: the path and the data), copied on write.
    const r = parseRollup(readProc(b, `/proc/${child}/smaps_rollup`));
    expect(r.Rss).toBe(statusKb(s, 'VmRSS'));
    expect(r.Private_Clean + r.Private_Dirty).toBe(8);
    expect(r.Shared_Clean + r.Shared_Dirty).toBe(r.Rss - 8);
    expect(readlink(b, `/proc/${child}/exe`)).toBe('/prog');
  });

  it('/proc/sys/kernel/randomize_va_space: 0 without --aslr, listed, not writable', () => {
    const b = boot();
    expect(listDir(b, '/proc')).toContain('sys');
    expect(listDir(b, '/proc/sys')).toContain('kernel');
    expect(listDir(b, '/proc/sys/kernel')).toContain('randomize_va_space');
    expect(readProc(b, '/proc/sys/kernel/randomize_va_space')).toBe('0\n');
    expect(fio.sysOpen(b.k, b.str('/proc/sys/kernel/randomize_va_space'), 1)).toBe(-13); // O_WRONLY: EACCES
    expect(fio.sysOpen(b.k, b.str('/proc/sys/kernel/nope'), O_RDONLY)).toBe(-2);
  });

  it('auxv is the vector exec wrote, in 8-byte entries ending with AT_NULL', () => {
    const b = boot();
    const raw = readRaw(b, '/proc/self/auxv');
    expect(raw.length % 8).toBe(0);
    const dv = new DataView(raw.buffer, raw.byteOffset, raw.length);
    const entries = new Map<number, number>();
    for (let o = 0; o < raw.length; o += 8) entries.set(dv.getUint32(o, true), dv.getUint32(o + 4, true));
    expect(dv.getUint32(raw.length - 8, true)).toBe(0);
    expect(entries.get(6)).toBe(4096); // AT_PAGESZ
    expect(entries.get(9)).toBe(0x8049000); // AT_ENTRY: the test program's entry
    // The same vector sits on the initial stack, where AT_RANDOM points into.
    expect(entries.get(25)! >>> 0).toBeGreaterThan(b.k.mm.startStack);
  });

  it('fd/ lists the open descriptors as links; fdinfo/N gives pos and flags; exe, cwd, root', () => {
    const b = boot({ 'f.txt': 'hello' });
    const fd = fio.sysOpen(b.k, b.str('/f.txt'), O_RDONLY);
    expect(fio.sysRead(b.k, fd, b.buf, 2)).toBe(2);
    const names = listDir(b, '/proc/self/fd');
    expect(names).toEqual(expect.arrayContaining(['.', '..', '0', '1', '2', String(fd)]));
    expect(readlink(b, `/proc/self/fd/${fd}`)).toBe('/f.txt');
    expect(readProc(b, `/proc/self/fdinfo/${fd}`)).toMatch(/^pos:\t2\nflags:\t0[0-7]*0\nmnt_id:\t\d+\nino:\t\d+\n$/);
    expect(listDir(b, '/proc/self/fdinfo')).toEqual(expect.arrayContaining(['0', '1', '2', String(fd)]));
    expect(readlink(b, '/proc/self/exe')).toBe('/prog');
    expect(readlink(b, '/proc/self/cwd')).toBe('/');
    expect(readlink(b, '/proc/self/root')).toBe('/');
    expect(listDir(b, '/proc/self')).toEqual(expect.arrayContaining(['smaps', 'smaps_rollup', 'auxv', 'fdinfo', 'status']));
    const tid = b.k.task.tid;
    expect(listDir(b, '/proc/self/task')).toEqual(['.', '..', String(tid)]);
    expect(readlink(b, '/proc/thread-self')).toBe(`${b.k.task.pid}/task/${tid}`);
    expect(parseStatus(readProc(b, '/proc/thread-self/status')).get('Pid')).toBe(String(tid));
    expect(listDir(b, `/proc/self/task/${tid}`)).not.toContain('task');
  });
});
