// --aslr and --seed: Linux 6.18's randomization per region for a 32-bit task, repeatable with
// a seed. qemu-i386 does not randomize as Linux does (it places the guest itself), so the
// ranges are asserted as literals from the kernel source, each citing its function:
//   stack top        randomize_stack_top (0x7ff pages, STACK_RND_MASK) then arch_align_stack
//                    and PAGE_ALIGN in setup_arg_pages: [STACK_TOP - 0x7ff000 - 0x2000, STACK_TOP]
//   tables           arch_align_stack in create_elf_tables: 0..8191 bytes below the strings, then /16
//   mmap_base        mmap_base(): TASK_SIZE - 128 MiB - arch_mmap_rnd (8 page bits)
//   PIE base         load_elf_binary: ELF_ET_DYN_BASE + arch_mmap_rnd
//   heap             arch_randomize_brk: randomize_page(brk, 32 MiB), brk one page past BSS
//                    (or ELF_ET_DYN_BASE for a static-pie)
// The programs: the shared layout reference's seed_layout (prints its addresses, then its maps),
// maps_self-pie (a dynamic PIE), and setarch (the guest's setarch -R / -L).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './cliProcess.js';

const BIN = 'test/fixtures/layout-reference/bin';
const STATIC = `${BIN}/static`;
const STATIC_PIE = `${BIN}/static-pie`;
const PIE = 'guest-programs/build/maps_self-pie';
const SETARCH = 'guest-programs/build/setarch';
const BUSYBOX = 'guest-programs/debian/busybox-static/bin/busybox';
const SEEDS = [1, 2, 3, 4];
const PAGE = 0x1000;
const SLOW = 120_000;

interface Area { start: number; end: number; perms: string; name: string }
interface Run { out: string; values: Map<string, number>; maps: Area[] }

function run(args: string[]): Run {
  const r = runCli(['run', ...args]);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const values = new Map<string, number>();
  const maps: Area[] = [];
  for (const line of r.stdout.split('\n')) {
    const m = /^([0-9a-f]{8})-([0-9a-f]{8}) (\S{4}) \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (m !== null) maps.push({ start: parseInt(m[1], 16), end: parseInt(m[2], 16), perms: m[3], name: m[4] });
    const v = /^(\w+) (?:0x)?([0-9a-f]+)\s*$/.exec(line);
    if (v !== null && m === null) values.set(v[1], parseInt(v[2], 16));
  }
  return { out: r.stdout, values, maps };
}

function area(r: Run, name: string): Area {
  const a = r.maps.find((x) => x.name === name);
  if (a === undefined) throw new Error(`no ${name} in\n${r.out}`);
  return a;
}

/** The first and the last mapping of a file whose path ends in suffix. */
function fileSpan(r: Run, suffix: string): { start: number; end: number } {
  const f = r.maps.filter((x) => x.name.endsWith(suffix));
  if (f.length === 0) throw new Error(`no ${suffix} in\n${r.out}`);
  return { start: f[0].start, end: f[f.length - 1].end };
}

/** The end of the mapping just below [heap]: the page-aligned end of BSS. */
function bssEnd(r: Run): number {
  const heap = area(r, '[heap]');
  return Math.max(...r.maps.filter((x) => x.end <= heap.start).map((x) => x.end));
}

function within(v: number, lo: number, hi: number, align: number): void {
  expect(v, `0x${v.toString(16)} in [0x${lo.toString(16)}, 0x${hi.toString(16)}]`).toBeGreaterThanOrEqual(lo);
  expect(v, `0x${v.toString(16)} in [0x${lo.toString(16)}, 0x${hi.toString(16)}]`).toBeLessThanOrEqual(hi);
  expect(v % align).toBe(0);
}

function allDifferent(values: number[]): void {
  expect(new Set(values).size).toBe(values.length);
}

describe('--aslr --seed N', { timeout: SLOW }, () => {
  it('the same seed gives the same addresses and maps, static and dynamic', () => {
    expect(run(['--aslr', '--seed', '11', STATIC_PIE]).out).toBe(run(['--aslr', '--seed', '11', STATIC_PIE]).out);
    expect(run(['--aslr', '--seed', '11', PIE]).out).toBe(run(['--aslr', '--seed', '11', PIE]).out);
  });

  it('without --aslr nothing moves: --seed changes no address', () => {
    const plain = run([STATIC_PIE]).out;
    expect(run(['--seed', '1', STATIC_PIE]).out).toBe(plain);
    expect(run(['--seed', '2', STATIC_PIE]).out).toBe(plain);
    // Linux with randomization off (test/fixtures/layout-reference/expected/static-pie.compat.txt).
    expect(area(run([STATIC_PIE]), '[stack]').end).toBe(0xffffe000);
  });

  it('--seed fixes what /dev/urandom reads, with or without --aslr', () => {
    const od = (seed: string) => run(['--seed', seed, BUSYBOX, 'od', '-An', '-tx1', '-N16', '/dev/urandom']).out;
    expect(od('3')).toBe(od('3'));
    expect(od('4')).not.toBe(od('3'));
    const odAslr = () => run(['--aslr', '--seed', '3', BUSYBOX, 'od', '-An', '-tx1', '-N16', '/dev/urandom']).out;
    expect(odAslr()).toBe(odAslr());
  });

  it('compat: stack, tables, mmap_base, vDSO and static-pie heap move per seed, within Linux\'s ranges', () => {
    const runs = SEEDS.map((s) => run(['--aslr', '--seed', String(s), STATIC_PIE]));
    const stackTops = runs.map((r) => area(r, '[stack]').end);
    for (const top of stackTops) within(top, 0xffffe000 - 0x7ff000 - 0x2000, 0xffffe000, PAGE);
    allDifferent(stackTops);

    const tableOffsets = runs.map((r) => {
      // "i686\0" sits right below arch_align_stack(the lowest string, argv[0]).
      const aligned = r.values.get('at_platform')! + 5;
      expect(aligned % 16).toBe(0);
      const off = r.values.get('argv0')! - aligned;
      within(off, 0, 8191 + 15, 1);
      expect(r.values.get('argc')! % 16).toBe(0);
      return off;
    });
    allDifferent(tableOffsets);

    // A static-pie is the first mmap: it ends at mmap_base; the vDSO comes right below it.
    const bases = runs.map((r) => fileSpan(r, '/static-pie').end);
    for (const b of bases) within(b, 0xf7ffe000 - 0xff000, 0xf7ffe000, PAGE);
    allDifferent(bases);
    for (const r of runs) expect(area(r, '[vdso]').end).toBe(fileSpan(r, '/static-pie').start);

    // load_elf_binary moves a static-pie's break to ELF_ET_DYN_BASE, then randomizes it.
    const heaps = runs.map((r) => area(r, '[heap]').start);
    for (const h of heaps) within(h, 0x56555000, 0x56555000 + 0x2000000 - PAGE, PAGE);
    allDifferent(heaps);
  });

  it('compat: a non-PIE program\'s heap starts one page to 32 MiB past its BSS', () => {
    const runs = SEEDS.map((s) => run(['--aslr', '--seed', String(s), STATIC]));
    const gaps = runs.map((r) => {
      const end = r.values.get('end')!;
      expect(bssEnd(r)).toBe(Math.ceil(end / PAGE) * PAGE);
      return area(r, '[heap]').start - bssEnd(r);
    });
    for (const g of gaps) within(g, PAGE, 0x2000000, PAGE);
    allDifferent(gaps);
    // ET_EXEC stays at its link address.
    for (const r of runs) expect(r.maps[0].start).toBe(0x08048000);
  });

  it('compat: a dynamic PIE\'s base, its interpreter (at mmap_base) and heap move, within Linux\'s ranges', () => {
    const runs = SEEDS.map((s) => run(['--aslr', '--seed', String(s), PIE]));
    const pieBases = runs.map((r) => fileSpan(r, '/maps_self-pie').start);
    for (const b of pieBases) within(b, 0x56555000, 0x56555000 + 0xff000, PAGE);
    allDifferent(pieBases);
    const ldEnds = runs.map((r) => fileSpan(r, '/ld-linux.so.2').end);
    for (const e of ldEnds) within(e, 0xf7ffe000 - 0xff000, 0xf7ffe000, PAGE);
    allDifferent(ldEnds);
    for (const r of runs) within(area(r, '[heap]').start - bssEnd(r), PAGE, 0x2000000, PAGE);
  });

  it('3gb: the same ranges below TASK_SIZE 0xc0000000 and ELF_ET_DYN_BASE 0x41000000', () => {
    const runs = SEEDS.map((s) => run(['--aslr', '--seed', String(s), '--layout=3gb', STATIC_PIE]));
    for (const r of runs) {
      within(area(r, '[stack]').end, 0xc0000000 - 0x7ff000 - 0x2000, 0xc0000000, PAGE);
      within(fileSpan(r, '/static-pie').end, 0xb8000000 - 0xff000, 0xb8000000, PAGE);
      within(area(r, '[heap]').start, 0x41000000, 0x41000000 + 0x2000000 - PAGE, PAGE);
    }
    allDifferent(runs.map((r) => area(r, '[stack]').end));
  });

  it('legacy layout (setarch -L in the guest): bottom-up from TASK_UNMAPPED_BASE + arch_mmap_rnd', () => {
    const runs = SEEDS.map((s) => run(['--aslr', '--seed', String(s), SETARCH, '-L', STATIC_PIE]));
    // mmap_legacy_base: PAGE_ALIGN(0xffffe000 / 3) = 0x55555000, plus up to 0xff pages.
    const bases = runs.map((r) => fileSpan(r, '/static-pie').start);
    for (const b of bases) within(b, 0x55555000, 0x55555000 + 0xff000, PAGE);
    allDifferent(bases);
  });

  it('ADDR_NO_RANDOMIZE (setarch -R in the guest) gives the unrandomized layout to what it runs', () => {
    expect(run(['--aslr', '--seed', '9', SETARCH, '-R', STATIC_PIE]).out).toBe(run([STATIC_PIE]).out);
    expect(run(['--aslr', '--seed', '9', SETARCH, '-R', PIE]).out).toBe(run([PIE]).out);
  });

  it('the personality and /proc/sys/kernel/randomize_va_space say whether the run randomizes', () => {
    // As `setarch -R` (ADDR_NO_RANDOMIZE 0x40000) by default; as a plain Linux login under --aslr.
    expect(run([SETARCH, '--show']).out).toBe('personality 0x40000\nrandomize_va_space 0\n');
    expect(run(['--aslr', SETARCH, '--show']).out).toBe('personality 0x0\nrandomize_va_space 2\n');
    expect(run(['--aslr', '--layout=3gb', SETARCH, '--show']).out).toBe('personality 0x8000000\nrandomize_va_space 2\n');
  });

  it('--stats prints the seed an --aslr run picked, and --seed with it repeats the run', () => {
    const r = runCli(['run', '--aslr', '--stats', STATIC_PIE]);
    expect(r.status).toBe(0);
    const m = /^i386emu: stats: aslr: seed (\d+) \(--seed \1 repeats this layout\)$/m.exec(r.stderr);
    expect(m).not.toBeNull();
    expect(run(['--aslr', '--seed', m![1], STATIC_PIE]).out).toBe(r.stdout);
    expect(runCli(['run', '--stats', STATIC_PIE]).stderr).not.toMatch(/aslr/);
  });

  it('debug takes --aslr and --seed as run does; compare refuses --aslr in one line', () => {
    const script = join(mkdtempSync(join(tmpdir(), 'i386emu-aslr-')), 'maps.gdb');
    writeFileSync(script, 'break main\nrun\nmaps\n');
    const d = runCli(['debug', '--batch', '-x', script, '--aslr', '--seed', '5', STATIC_PIE]);
    expect(d.status).toBe(0);
    const r = run(['--aslr', '--seed', '5', STATIC_PIE]);
    const line = (text: string, name: string) => text.split('\n').find((l) => l.endsWith(name));
    expect(line(d.stdout, '[vdso]')).toBe(line(r.out, '[vdso]'));
    expect(line(d.stdout, '[stack]')?.slice(8, 17)).toBe(line(r.out, '[stack]')?.slice(8, 17));
    const c = runCli(['compare', '--aslr', STATIC_PIE]);
    expect(c.status).toBe(2);
    expect(c.stderr.split('\n')[0]).toBe("i386emu: compare does not take --aslr (it compares with Linux's layout with randomization off)");
  });
});
