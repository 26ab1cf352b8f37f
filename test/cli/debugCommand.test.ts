// `i386emu debug` through the real command line: the README's piped-stdin session (break at
// main, registers, pagewalk of the stack pointer, si 5, continue to exit) checked against nm and
// objdump, commands from -x files (in order, ending the session when stdin is not a terminal),
// and pagewalk of a text page: a read-only, user PTE.
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, runCli, runTool, symbolAddress } from './cliProcess.js';
import { makeTempDir } from '../helpers/tempDir.js';

/** Per test: each spawns node a few times, which takes seconds on a loaded machine. */
const SLOW = 60_000;

const HELLO = 'guest-programs/build/hello';
const HELLO_OUT = 'Hello, world!\nHello, world!\n';
const dir = makeTempDir('i386emu-debugcli-');

const hex = (v: number) => '0x' + v.toString(16);
const hex8 = (v: number) => '0x' + v.toString(16).padStart(8, '0');

/** Addresses of the first n instructions from addr, by objdump. */
function instructionAddresses(prog: string, addr: number, n: number): number[] {
  const r = runTool('objdump', ['-d', '--no-show-raw-insn', `--start-address=${hex(addr)}`, `--stop-address=${hex(addr + 64)}`, prog]);
  return [...r.stdout.matchAll(/^ *([0-9a-f]+):\t/gm)].map((m) => parseInt(m[1], 16)).slice(0, n);
}

/** The register table of `info registers`: name -> value. */
function registers(out: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const x of out.matchAll(/^([a-z_]+) +0x([0-9a-f]+) /gm)) if (!m.has(x[1])) m.set(x[1], parseInt(x[2], 16));
  return m;
}

/** The PDE or PTE line of pagewalk: its value and flag names. */
function entry(out: string, kind: 'PDE' | 'PTE'): { index: number; value: number; flags: string[] } {
  const m = new RegExp(`^${kind}\\[(\\d+)\\] at 0x[0-9a-f]{8} = 0x([0-9a-f]{8})  (.*)$`, 'm').exec(out);
  expect(m, `no ${kind} line in:\n${out}`).not.toBeNull();
  return { index: Number(m![1]), value: parseInt(m![2], 16), flags: m![3].split(' ') };
}

describe("the README's piped debug session", { timeout: SLOW }, () => {
  it('breaks at main, shows registers and the stack page, steps 5 instructions and runs to exit', () => {
    const main = symbolAddress(ROOT + HELLO, 'main');
    const r = runCli(['debug', HELLO], 'break main\nrun\ninfo registers\npagewalk $esp\nsi 5\ncontinue\n');
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const out = r.stdout;
    expect(out).toContain(`Breakpoint 1 at ${hex(main)} <main>\n`);
    expect(out).toContain(`\nBreakpoint 1, ${hex8(main)} in main ()\n`);
    const regs = registers(out);
    expect(regs.get('eip')).toBe(main);
    const esp = regs.get('esp')!;
    expect(esp >>> 22).toBe(1023); // the stack, just below 0xffffe000 (the default compat layout)
    // pagewalk $esp: the walk of the address info registers showed, a present user RW page.
    expect(out).toContain(`linear ${hex8(esp)}: directory index ${esp >>> 22}, table index ${(esp >>> 12) & 0x3ff}, offset ${hex(esp & 0xfff)}\n`);
    const pde = entry(out, 'PDE'), pte = entry(out, 'PTE');
    expect(pde.index).toBe(esp >>> 22);
    expect(pte.index).toBe((esp >>> 12) & 0x3ff);
    expect(pte.flags).toEqual(expect.arrayContaining(['P', 'RW', 'U']));
    expect(pte.value & 7).toBe(7);
    const phys = /^physical 0x([0-9a-f]{8})  \(frame 0x([0-9a-f]+), refcount (\d+)\)$/m.exec(out);
    expect(phys).not.toBeNull();
    expect(parseInt(phys![1], 16)).toBe(((pte.value & ~0xfff) | (esp & 0xfff)) >>> 0);
    expect(out).toMatch(/^user write: ok$/m);
    expect(out).toMatch(/^area: [0-9a-f]{8}-ffffe000 rw-p 00000000 00:00 0 +\[stack\]$/m);
    // si 5 stops at the sixth instruction of main, as objdump decodes it.
    const sixth = instructionAddresses(ROOT + HELLO, main, 6)[5];
    expect(out).toContain(`\n${hex8(sixth)} in main ()\n=> ${hex(sixth)} <main+${sixth - main}>:\t`);
    expect(out).toContain(`\n${HELLO_OUT}[Inferior 1 (process 1000) exited normally]\n`);
  });
});

describe('debug -x FILE', { timeout: SLOW }, () => {
  it('runs the command files in order and ends the session after them', () => {
    const a = join(dir, 'a.gdb'), b = join(dir, 'b.gdb');
    writeFileSync(a, 'break write\nrun\np 6 * 7\n');
    writeFileSync(b, 'p *(int*)($esp+12)\nbt\ncontinue\n');
    const r = runCli(['debug', '-x', a, '-x', b, HELLO], 'p 12345\n');
    expect(r.status).toBe(0);
    const out = r.stdout;
    const write = symbolAddress(ROOT + HELLO, 'write');
    expect(out).toMatch(new RegExp(`^Breakpoint 1, ${hex8(write)} in (__libc_)?write \\(\\)$`, 'm'));
    // b.gdb after a.gdb: the third argument of write(1, buf, 28) on the stack; then the exit.
    expect(out.indexOf('$1 = 42\n')).toBeGreaterThan(0);
    expect(out.indexOf('$2 = 28\n')).toBeGreaterThan(out.indexOf('$1 = 42\n'));
    expect(out).toMatch(/^#0 +0x[0-9a-f]+ in (__libc_)?write \(\)$/m);
    expect(out).toContain(`${HELLO_OUT}[Inferior 1 (process 1000) exited normally]\n`);
    // stdin is not read when -x is given.
    expect(out).not.toContain('12345');
  });

  it('refuses a command file it cannot read, with one line and exit status 2', () => {
    const r = runCli(['debug', '-x', join(dir, 'none.gdb'), HELLO]);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`i386emu: ${join(dir, 'none.gdb')}: cannot read command file\n`);
  });
});

describe('pagewalk of a text page', { timeout: SLOW }, () => {
  it('shows a present, user, read-only PTE and that a write would fault', () => {
    const main = symbolAddress(ROOT + HELLO, 'main');
    const script = join(dir, 'walk.gdb');
    writeFileSync(script, 'break main\nrun\npagewalk main\n');
    const r = runCli(['debug', '--batch', '-x', script, HELLO]);
    expect(r.status).toBe(0);
    const out = r.stdout.slice(r.stdout.indexOf(`linear ${hex8(main)}:`));
    const pte = entry(out, 'PTE');
    expect(pte.index).toBe((main >>> 12) & 0x3ff);
    // The bits themselves: P and U/S set, R/W clear; and the names shown for them.
    expect(pte.value & 7).toBe(5);
    expect(pte.flags.slice(0, 3)).toEqual(['P', 'RO', 'U']);
    expect(pte.flags).not.toContain('RW');
    expect(out).toMatch(/^user read: ok$/m);
    expect(out).toMatch(/^user write: #PF: read-only page/m);
    expect(out).toMatch(/^area: 08049000-[0-9a-f]{8} r-xp 00001000 .*\/guest-programs\/build\/hello$/m);
  });
});

describe('run ARGS, set args, show args and redirections', { timeout: SLOW }, () => {
  it('gives the program its arguments and connects its stdin and stdout to host files, as gdb', () => {
    const BUSYBOX = 'guest-programs/debian/busybox-static/bin/busybox';
    const input = join(dir, 'in.txt');
    const out1 = join(dir, 'out1.txt');
    const out2 = join(dir, 'out2.txt');
    writeFileSync(input, 'line one\nline two\n');
    const r = runCli(['debug', BUSYBOX], [
      'show args', `set args cat - > ${out1}`, 'show args', 'run', `run tr 'a-z' 'A-Z' < ${input} > ${out2}`, 'show args', 'run echo "two words" x',
    ].join('\n').replace('cat - >', `cat - < ${input} >`) + '\n');
    expect(r.status).toBe(0);
    const out = r.stdout;
    expect(out).toContain('Argument list to give program being debugged when it is started is "".\n');
    expect(out).toContain(`Argument list to give program being debugged when it is started is "cat - < ${input} > ${out1}".\n`);
    expect(out).toContain(`Starting program: ${BUSYBOX} tr a-z A-Z < ${input} > ${out2}\n`);
    expect(out).toContain('two words x\n');
    expect(readFileSync(out1, 'utf8')).toBe('line one\nline two\n');
    expect(readFileSync(out2, 'utf8')).toBe('LINE ONE\nLINE TWO\n');
  });

  it('set environment and unset environment change what the program inherits', () => {
    const BUSYBOX = 'guest-programs/debian/busybox-static/bin/busybox';
    const r = runCli(['debug', BUSYBOX], 'set environment GREETING=hello there\nunset environment PATH\nshow environment GREETING\nrun env\n');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('GREETING = hello there\n');
    expect(r.stdout).toMatch(/^GREETING=hello there$/m);
    expect(r.stdout).not.toMatch(/^PATH=/m);
  });
});
