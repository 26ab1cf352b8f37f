// The gdb remote stub: the packet codec and register layout on their own, then Debian's real
// gdb in batch mode against the stub serving a static glibc program: connect, break at main,
// step, read registers and memory, a watchpoint hit, a monitor pagewalk, info proc mappings,
// continue to exit; and gdb's registers must equal the REPL's at the same breakpoint.
import { describe, expect, it, beforeAll } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Cpu } from '../../src/cpu/cpu.js';
import { Mmu } from '../../src/mmu/mmu.js';
import { PhysicalMemory } from '../../src/mmu/physicalMemory.js';
import { PacketReader, frame, checksum, escapeBinary, unescapeBinary, leHex, parseLeHex } from '../../src/debug/gdb/packets.js';
import { GDB_REGS, allRegsHex, setAllRegsHex, regHex, targetXml } from '../../src/debug/gdb/registers.js';
import { GdbStub } from '../../src/debug/gdb/stub.js';
import { launch } from '../../src/debug/kernelTarget.js';
import { buildGuest, haveStaticGcc32, WATCH_SOURCE, replSession, ENVP, RANDOM } from './guestBuild.js';

describe('gdb packet codec', () => {
  it('frames, checksums and splits packets, acks and Ctrl-C', () => {
    expect(frame('OK')).toBe('$OK#9a');
    expect(checksum('qSupported')).toBe(0x37);
    const r = new PacketReader();
    expect(r.push('+$g#67$m10')).toEqual([{ kind: 'ack', ok: true }, { kind: 'packet', data: 'g' }]);
    expect(r.push(`,4#${checksum('m10,4').toString(16)}\x03$g#00`)).toEqual([{ kind: 'packet', data: 'm10,4' }, { kind: 'interrupt' }, { kind: 'bad', data: 'g' }]);
  });

  it('escapes binary data', () => {
    const b = Uint8Array.from([0x23, 0x24, 0x7d, 0x2a, 0x41]);
    expect(escapeBinary(b)).toBe('}\x03}\x04}]}\x0aA');
    expect(Array.from(unescapeBinary(escapeBinary(b)))).toEqual(Array.from(b));
    expect(leHex(0x12345678, 4)).toBe('78563412');
    expect(parseLeHex('78563412')).toBe(0x12345678n);
  });

  it('lays out the g packet in the target description order', () => {
    const cpu = new Cpu(new Mmu(new PhysicalMemory(1 << 20)));
    cpu.regs[0] = 0x11223344;
    cpu.eip = 0x08049000;
    const g = allRegsHex(cpu);
    expect(g.length).toBe(2 * (16 * 4 + 8 * 10 + 8 * 4 + 8 * 16 + 4 + 4));
    expect(g.slice(0, 8)).toBe('44332211');
    expect(regHex(cpu, 8)).toBe('00900408');
    const h = g.slice(0, 8 * 2 * 4) + '00a00408' + g.slice(9 * 8);
    expect(setAllRegsHex(cpu, h)).toBe(true);
    expect(cpu.eip).toBe(0x0804a000);
    const xml = targetXml();
    for (const r of GDB_REGS) expect(xml).toContain(`name="${r.name}"`);
    expect(xml).toContain('org.gnu.gdb.i386.core');
    expect(xml).toContain('org.gnu.gdb.i386.sse');
    expect(xml).toContain('org.gnu.gdb.i386.linux');
  });
});

const haveGdb = spawnSync('gdb', ['--version']).status === 0;
const gcc = haveStaticGcc32();
if (!haveGdb) console.warn('gdbStub.test: gdb is not installed (apt-get install gdb): skipping the gdb batch session');

/** Serves prog with the stub and runs gdb -batch with the given commands; returns gdb's output. */
async function gdbSession(prog: string, commands: string[]): Promise<{ out: string; exit: unknown; guest: string }> {
  const image = readFileSync(prog);
  let guest = '';
  const target = launch({
    program: prog, args: [], envp: ENVP, image, random: RANDOM, memoryBytes: 64 << 20,
    stdout: (d) => { guest += Buffer.from(d).toString('latin1'); }, stdin: new Uint8Array(0),
  });
  const stub = new GdbStub(target, image, { port: 0, log: () => {} });
  let port = 0;
  const served = stub.serve((p) => { port = p; });
  while (port === 0) await new Promise((r) => setTimeout(r, 10));
  const args = ['-batch', '-nx', '-ex', 'set confirm off', '-ex', 'set pagination off', '-ex', `file ${prog}`,
    '-ex', `target remote 127.0.0.1:${port}`, ...commands.flatMap((c) => ['-ex', c])];
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn('gdb', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (d) => { text += d; });
    child.stderr.on('data', (d) => { text += d; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`gdb timed out:\n${text}`)); }, 60_000);
    child.on('close', () => { clearTimeout(timer); resolve(text); });
  });
  const r = await Promise.race([served, new Promise((res) => setTimeout(() => res('stub still serving'), 5000))]);
  return { out, exit: r, guest };
}

function registerTable(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split('\n')) {
    const r = /^(eax|ecx|edx|ebx|esp|ebp|esi|edi|eip|eflags|cs|ss|ds|es|fs|gs)\s+(0x[0-9a-f]+)\s/.exec(line);
    if (r && !m.has(r[1])) m.set(r[1], r[2]);
  }
  return m;
}

describe.skipIf(!haveGdb || !gcc)('real gdb against the stub', () => {
  let prog = '';
  beforeAll(() => {
    prog = buildGuest('watch', WATCH_SOURCE);
  });

  it('breaks at main, steps, reads registers and memory, hits a watchpoint and runs to exit', async () => {
    const { out, exit, guest } = await gdbSession(prog, [
      'break main', 'continue', 'next', 'step', 'info registers', 'x/4xw $esp', 'p counter',
      'watch counter', 'continue', 'monitor pagewalk $esp', 'monitor maps', 'info proc mappings',
      'info threads', 'delete', 'continue',
    ]);
    expect(out).toMatch(/Breakpoint 1 at 0x[0-9a-f]+: file .*watch\.c, line 9\./);
    expect(out).toMatch(/Breakpoint 1, main \(\) at .*watch\.c:9\n9\t  int x = 1;/);
    expect(out).toMatch(/\n10\t  x = add\(x, 2\);\n/);
    expect(out).toMatch(/add \(a=1, b=2\) at .*watch\.c:4\n4\t  int s = a \+ b;/);
    expect(out).toMatch(/eip +0x[0-9a-f]+ +0x[0-9a-f]+ <add\+\d+>/);
    expect(out).toMatch(/eflags +0x[0-9a-f]+ +\[ .*\]/);
    expect(out).toMatch(/0xfff[0-9a-f]+:\t0x[0-9a-f]{8}\t0x[0-9a-f]{8}\t0x[0-9a-f]{8}\t0x[0-9a-f]{8}/);
    expect(out).toMatch(/\$1 = 0/);
    expect(out).toMatch(/Hardware watchpoint 2: counter\n\nOld value = 0\nNew value = 3\n/);
    expect(out).toMatch(/PDE\[1023\] at 0x[0-9a-f]{8} = 0x[0-9a-f]{8}  P RW U/);
    expect(out).toMatch(/\[stack\]/);
    expect(out).toMatch(/0x8049000 +0x80b7000 +0x6e000 +0x1000 +r-xp +.*watch/);
    expect(out).toMatch(/Thread 1000\.1000/);
    expect(out).toMatch(/\[Inferior 1 \(process 1000\) exited normally\]/);
    expect(guest).toBe('x=6 counter=9\n');
    expect(exit).toMatchObject({ exit: { code: 0, signal: 0 } });
  }, 90_000);

  it('steps backwards with monitor record and reverse-stepi', async () => {
    const { out } = await gdbSession(prog, ['break add', 'continue', 'monitor record', 'p $pc', 'p $esp', 'stepi', 'stepi', 'stepi',
      'reverse-stepi', 'reverse-stepi', 'reverse-stepi', 'p $pc', 'p $esp', 'kill']);
    expect(out).toMatch(/Recording: reverse-stepi and reverse-continue now work/);
    const pcs = [...out.matchAll(/= \(void \(\*\)\(\)\) (0x[0-9a-f]+)/g)].map((m) => m[1]);
    const sps = [...out.matchAll(/= \(void \*\) (0x[0-9a-f]+)/g)].map((m) => m[1]);
    expect(pcs).toHaveLength(2);
    expect(pcs[1]).toBe(pcs[0]);
    expect(sps[1]).toBe(sps[0]);
  }, 90_000);

  it('shows the same registers as the REPL at the same breakpoint', async () => {
    const gdb = await gdbSession(prog, ['break add', 'continue', 'info registers', 'kill']);
    const repl = await replSession(prog, 'break add\nrun\ninfo registers\n');
    const a = registerTable(gdb.out);
    const b = registerTable(repl.out);
    expect(a.size).toBe(16);
    expect(Object.fromEntries(b)).toEqual(Object.fromEntries(a));
  }, 90_000);
});
