// `i386emu run --gdb 0 PROG` driven by Debian's real gdb in batch mode: the x87 and SSE register
// values gdb reads at a point where fpregs.c left known results in them, `monitor tlb` naming
// the pages just touched with the frames pagewalk finds, `monitor tasks`, gdb reading the
// program from the target when it has no local copy, and the emulator's exit status afterwards
// (the guest's, 128 + signal when a signal killed it, 137 when gdb kills it).
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { ROOT, exitOf, gdbBatch, haveTool, startGdbServer, symbolAddress } from './cliProcess.js';

const FPREGS = 'guest-programs/build/fpregs';
const CRASH = 'guest-programs/build/crash';
const missing = [FPREGS, CRASH].filter((p) => !existsSync(ROOT + p));
if (missing.length) throw new Error(`${missing.join(', ')} missing: run "bash guest-programs/build.sh"`);
const haveGdb = haveTool('gdb');
if (!haveGdb) console.warn('test/cli/gdbOption: gdb is not installed (apt-get install gdb): skipped');

const page = (v: number) => (v & ~0xfff) >>> 0;

/** Runs one gdb batch session against a fresh `run --gdb 0 PROG ARGS`; the emulator is always ended. */
async function session(prog: string, args: string[], commands: string[], localFile = true) {
  const server = await startGdbServer(prog, args);
  try {
    const out = await gdbBatch(localFile ? prog : null, server.port, commands);
    const emu = await exitOf(server);
    return { out, emu };
  } finally {
    server.kill();
  }
}

describe.skipIf(!haveGdb)('run --gdb with real gdb', () => {
  it('reads x87 and SSE registers after a known computation, monitor tlb and monitor tasks', async () => {
    const rodataA = symbolAddress(ROOT + FPREGS, 'regs_demo_a');
    const { out, emu } = await session(FPREGS, [], [
      'break *regs_demo_done', 'continue',
      'p $st0', 'info registers st0', 'p ($fstat >> 11) & 7', 'p $xmm0.v4_float', 'p/x $xmm0.v4_int32',
      'p/x $pc', 'p/x $sp', 'monitor tlb', 'monitor pagewalk $sp', 'monitor tasks', 'continue',
    ]);
    expect(out).toMatch(/Breakpoint 1, 0x[0-9a-f]+ in regs_demo \(\)/);
    // FLD1, FLDPI, FADDP: st0 = 1 + pi rounded to 64 bits of mantissa; two pushes, one pop: TOP = 7.
    expect(out).toContain('$1 = 4.1415926535897932383\n');
    expect(out).toMatch(/^st0 +4\.1415926535897932383 +\(raw 0x40018487ed5110b4611a\)$/m);
    expect(out).toContain('$2 = 7\n');
    // MULPS {1.5, 2.5, -3, 8} by {2, 2, 0.5, 0.25}.
    expect(out).toContain('$3 = {3, 5, -1.5, 2}\n');
    expect(out).toContain('$4 = {0x40400000, 0x40a00000, 0xbfc00000, 0x40000000}\n');
    const pc = parseInt(/^\$5 = 0x([0-9a-f]+)$/m.exec(out)![1], 16);
    const sp = parseInt(/^\$6 = 0x([0-9a-f]+)$/m.exec(out)![1], 16);
    expect(pc).toBe(symbolAddress(ROOT + FPREGS, 'regs_demo_done'));

    // monitor tlb: one line per cached page; the code page just run, the constants just loaded
    // and the stack page just written are there, with the frames the page tables give.
    const head = /^TLB: (\d+) entries cached; hits (\d+), misses (\d+) \((\d+\.\d\d)% hits\), flushes (\d+), page faults (\d+)$/m.exec(out);
    expect(head, out).not.toBeNull();
    const tlb = new Map<number, { frame: number; access: string }>();
    for (const m of out.matchAll(/^ {2}0x([0-9a-f]{8}) {5}0x([0-9a-f]{8}) {6}(read\/write|read)$/gm)) {
      tlb.set(parseInt(m[1], 16), { frame: parseInt(m[2], 16), access: m[3] });
    }
    expect(tlb.size).toBe(Number(head![1]));
    expect(tlb.get(page(pc))?.access).toBe('read');
    expect(tlb.get(page(rodataA))?.access).toBe('read');
    expect(tlb.get(page(sp))?.access).toBe('read/write');
    const walk = /^physical 0x([0-9a-f]{8})  \(frame/m.exec(out);
    expect(walk).not.toBeNull();
    expect(tlb.get(page(sp))!.frame).toBe(page(parseInt(walk![1], 16)));

    expect(out).toMatch(/^ +PID +TID +PPID +STATE +MM +NAME$/m);
    expect(out).toMatch(/^\* +1000 +1000 +\d+ +running +mm#\d+ users=1 count=1 cr3=0x[0-9a-f]{8} +fpregs$/m);
    expect(out).toMatch(/\[Inferior 1 \(process 1000\) exited normally\]/);
    expect(emu.status).toBe(0);
    expect(emu.stdout).toBe('regs_demo done\n');
  }, 120_000);

  it('serves the program to a gdb without a local copy; a SIGSEGV ends the emulator with 139', async () => {
    const { out, emu } = await session(CRASH, ['segv'], ['continue', 'x/i $pc', 'continue'], false);
    expect(out).toMatch(/Program received signal SIGSEGV, Segmentation fault\.\n0x[0-9a-f]+ in main \(\)/);
    expect(out).toMatch(/=> 0x[0-9a-f]+ <main\+\d+>:\tmovl +\$0x2a,\(%e[a-z]{2}\)/);
    expect(out).toMatch(/Program terminated with signal SIGSEGV/);
    expect(emu.status).toBe(139);
  }, 120_000);

  it('loads the dynamic linker and libc from the target (vFile) so it breaks in and unwinds through libc', async () => {
    const { out, emu } = await session('guest-programs/build/hello-dyn', [], [
      'break main', 'continue', 'info sharedlibrary', 'break puts', 'continue', 'bt', 'continue',
    ]);
    expect(out).toMatch(/^0x[0-9a-f]{8} +0x[0-9a-f]{8} +Yes.* target:\/lib\/ld-linux\.so\.2$/m);
    expect(out).toMatch(/^0x[0-9a-f]{8} +0x[0-9a-f]{8} +Yes.* target:\S*\/libc\.so\.6$/m);
    // A breakpoint on a libc function resolves and hits, and gdb unwinds from it back to main.
    expect(out).toMatch(/^Breakpoint 2, 0x[0-9a-f]{8} in (_IO_puts|puts) \(\) from target:\S*\/libc\.so\.6$/m);
    expect(out).toMatch(/^#1 +0x[0-9a-f]{8} in main \(\)$/m);
    expect(emu.status).toBe(0);
  }, 120_000);

  it('exits with 137 when gdb kills the program', async () => {
    const { out, emu } = await session(CRASH, ['touch', '1'], ['break main', 'continue', 'kill']);
    expect(out).toMatch(/Breakpoint 1, 0x[0-9a-f]+ in main \(\)/);
    expect(emu.status).toBe(137);
    expect(emu.stdout).toBe('');
  }, 120_000);
});
