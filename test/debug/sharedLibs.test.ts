// Shared libraries in the REPL against real gdb through the stub: the libraries a dynamic
// program maps (info sharedlibrary's .text ranges), a breakpoint on a libc function set before
// `run` (pending until libc loads), bt from inside libc back to main, info symbol naming a libc
// address; and a library loaded later by dlopen resolving a pending breakpoint.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { replSession } from './guestBuild.js';
import { gdbBatch } from './gdbBatch.js';
import { offsetZeroMappings } from '../../src/debug/sharedLibs.js';
import { libraryEntryBreakAddr } from '../../src/debug/solibBreak.js';

const build = join(__dirname, '../../guest-programs/build');
const prog = (n: string) => join(build, n);
const haveGdb = spawnSync('gdb', ['--version']).status === 0;
const haveDyn = existsSync(prog('hello-dyn')) && existsSync(prog('printf_ints-dyn')) && existsSync(prog('dlopen_libm-dyn'));

/** info sharedlibrary's rows (gdb names files it reads through the stub "target:PATH"). */
function libRows(text: string): string[] {
  return text.split('\n').filter((l) => /^0x[0-9a-f]{8} +0x[0-9a-f]{8} +Yes/.test(l)).map((l) => l.replace('target:', ''));
}

describe('shared library discovery helpers', () => {
  it('takes the first offset-0 file mapping of each file', () => {
    const maps = [
      '08048000-08049000 r--p 00000000 fe:00 1 /bin/prog',
      'f7d8d000-f7daf000 r--p 00000000 fe:00 2                            /usr/lib32/libc.so.6',
      'f7daf000-f7f28000 r-xp 00022000 fe:00 2                            /usr/lib32/libc.so.6',
      'f7fc7000-f7fc9000 r-xp 00000000 00:00 0                            [vdso]',
      'f7fab000-f7fb5000 rw-p 00000000 00:00 0 ',
    ].join('\n');
    expect(offsetZeroMappings(maps)).toEqual([{ path: '/bin/prog', start: 0x08048000 }, { path: '/usr/lib32/libc.so.6', start: 0xf7d8d000 }]);
  });

  it("places a no-line-info breakpoint as gdb's prologue analyser does", () => {
    const at = (bytes: number[]) => libraryEntryBreakAddr(0x1000, (a, n) => new Uint8Array(bytes.slice(a - 0x1000, a - 0x1000 + n)));
    // push ebp; mov ebp,esp; push edi; call ...: past the frame setup and the register save.
    expect(at([0x55, 0x89, 0xe5, 0x57, 0xe8, 0, 0, 0, 0])).toBe(0x1004);
    // endbr32; push ebp; mov ebp,esp; sub esp,8; push ebx; push esi; mov ...
    expect(at([0xf3, 0x0f, 0x1e, 0xfb, 0x55, 0x89, 0xe5, 0x83, 0xec, 8, 0x53, 0x56, 0x8b])).toBe(0x100c);
    // No %ebp frame: the entry itself (gdb, even after an endbr32).
    expect(at([0xf3, 0x0f, 0x1e, 0xfb, 0x57, 0x56])).toBe(0x1000);
    expect(at([0x53, 0x83, 0xec, 8])).toBe(0x1000);
  });
});

describe.skipIf(!haveDyn)('shared libraries in the REPL', () => {
  it('resolves a pending breakpoint when a dlopen()ed library loads', async () => {
    const { out } = await replSession(prog('dlopen_libm-dyn'), 'break pow\nrun\nbt\ninfo sharedlibrary\n');
    expect(out).toContain('Function "pow" not defined.\nBreakpoint 1 (pow) pending.');
    // pow@@GLIBC_2.29 shares its address with powf64@@GLIBC_2.27: gdb names it powf64 (the
    // greatest name there), in the stop line and in bt, as it does through the stub.
    expect(out).toMatch(/^Breakpoint 1, 0x[0-9a-f]{8} in powf64 \(\) from \S*\/libm\.so\.6$/m);
    expect(out).toMatch(/^#1 +0x[0-9a-f]{8} in main \(\)$/m);
    // The dynamic linker's names (link_map l_name, PT_INTERP), in the order they loaded.
    expect(libRows(out).map((r) => r.split(/ +/).pop())).toEqual(['/lib/ld-linux.so.2', '/lib32/libc.so.6', '/lib32/libm.so.6']);
  }, 60_000);

  it('re-resolves a libc breakpoint when the program is run again', async () => {
    const { out } = await replSession(prog('hello-dyn'), 'break main\nrun\nbreak puts\nstarti\ninfo breakpoints\ncontinue\ncontinue\nbt\n');
    const set = /^Breakpoint 2 at (0x[0-9a-f]+) <puts\+4>$/m.exec(out);
    expect(set).not.toBeNull();
    // At the first instruction libc is not mapped yet: the breakpoint waits for it again.
    expect(out).toMatch(/^2 +breakpoint +keep y +<PENDING> +puts$/m);
    expect(out).toMatch(new RegExp(`^Breakpoint 2, 0x0*${set![1].slice(2)} in puts \\(\\) from /lib32/libc\\.so\\.6$`, 'm'));
    expect(out).toMatch(/^#1 +0x[0-9a-f]{8} in main \(\)$/m);
  }, 60_000);

  it('shows a pending breakpoint in info breakpoints and has no libraries before run', async () => {
    const { out } = await replSession(prog('hello-dyn'), 'info sharedlibrary\nbreak puts\ninfo breakpoints\n');
    expect(out).toContain('No shared libraries loaded at this time.');
    expect(out).toMatch(/^1 +breakpoint +keep y +<PENDING> +puts$/m);
    // A static program loads no libraries: an unknown function stays an error.
    if (existsSync(prog('hello'))) {
      const st = (await replSession(prog('hello'), 'break nosuch\ninfo breakpoints\n')).out;
      expect(st).toContain('Function "nosuch" not defined.');
      expect(st).not.toContain('pending');
      expect(st).toContain('No breakpoints or watchpoints.');
    }
  }, 60_000);
});

describe.skipIf(!haveGdb || !haveDyn)('shared libraries compared with gdb', () => {
  for (const [name, fn] of [['hello-dyn', 'puts'], ['printf_ints-dyn', 'printf']] as const) {
    it(`${name}: info sharedlibrary, break ${fn} before run, bt and info symbol in libc`, async () => {
      const cmds = (start: string) => [`break ${fn}`, 'break main', start, 'info sharedlibrary', 'continue', 'bt', 'info symbol $pc'];
      // gdb is attached at the entry point and continues; the REPL starts the program with run.
      const gdb = await gdbBatch(prog(name), cmds('continue'));
      const ours = (await replSession(prog(name), cmds('run').join('\n') + '\n')).out;
      // The same libraries at the same addresses with the same .text ranges.
      expect(libRows(ours)).toEqual(libRows(gdb));
      expect(libRows(ours)).toHaveLength(2);
      // The libc breakpoint stops at the same address, named the same, and bt reaches main.
      const stop = (t: string) => new RegExp(`^Breakpoint 1, 0x[0-9a-f]{8} in ${fn} \\(\\) from \\S*/libc\\.so\\.6$`, 'm').exec(t)?.[0].replace('target:', '');
      expect(stop(ours)).toBeDefined();
      expect(stop(ours)).toBe(stop(gdb));
      const caller = (t: string) => /^#1 +(0x[0-9a-f]{8}) in main \(\)$/m.exec(t)?.[1];
      expect(caller(ours)).toBeDefined();
      expect(caller(ours)).toBe(caller(gdb));
      const sym = (t: string) => new RegExp(`^${fn}(?: \\+ \\d+)? in section \\.text of \\S*/libc\\.so\\.6$`, 'm').exec(t)?.[0].replace('target:', '');
      expect(sym(ours)).toBeDefined();
      expect(sym(ours)).toBe(sym(gdb));
    }, 120_000);
  }

  it('dwarf_demo-g-pie: bt from printf in libc reaches main with its arguments and source line', async () => {
    const p = prog('dwarf_demo-g-pie');
    if (!existsSync(p)) return;
    const gdb = await gdbBatch(p, ['break printf', 'continue', 'bt']);
    const ours = (await replSession(p, 'break printf\nrun\nbt\n')).out;
    const frame1 = (t: string) => /^#1 +0x[0-9a-f]{8} in main \(argc=1, argv=0x[0-9a-f]+\) at \S+dwarf_demo\.c:\d+$/m.exec(t)?.[0];
    expect(frame1(ours)).toBeDefined();
    expect(frame1(ours)).toBe(frame1(gdb));
  }, 120_000);
});
