// The vDSO: an ELF shared object glibc can parse, mapped as Linux 6.18 maps it, and used —
// every system call of a dynamically linked glibc program enters the kernel from
// __kernel_vsyscall (AT_SYSINFO), and clock_gettime goes through __vdso_clock_gettime64, in
// static and dynamic programs alike. qemu-i386 (the reference on hosts that cannot run i386
// code) maps no vDSO for i386 guests, so `vdso present` is Linux's documented behaviour, a literal.
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { Kernel } from '../../../kernel/kernel.js';
import { parseElf, ET_DYN } from '../../../kernel/exec/elfHeader.js';
import { VDSO_PAGES, vdsoImage, vdsoLandingPadOffset, vdsoSymbolOffset } from '../../../kernel/exec/vdsoImage.js';
import { AT_SYSINFO, AT_SYSINFO_EHDR } from '../../../kernel/exec/elfTables.js';
import { asm, DATA, program } from '../programs.js';
import { getUser32 } from '../../../kernel/mm/uaccess.js';

const BUILD = new URL('../../../guest-programs/build/', import.meta.url).pathname;

interface Traced { k: Kernel; out: () => string; calls: Array<{ line: string; eip: number }> }

function runTraced(prog: string, layout: 'compat' | '3gb' = 'compat', image?: Uint8Array,
  onCall?: (line: string, k: Kernel) => void): Traced {
  const out: number[] = [];
  const calls: Array<{ line: string; eip: number }> = [];
  const k: Kernel = new Kernel({
    memoryBytes: 64 << 20, layout, stdout: (d) => out.push(...d), stderr: (d) => out.push(...d), stdin: new Uint8Array(0),
    // The tracer runs inside the system call: EIP is the return address, just after the int $0x80.
    strace: (line) => {
      calls.push({ line, eip: k.cpu.eip >>> 0 });
      onCall?.(line, k);
    },
    realTimeSleep: false,
  });
  k.execve(prog, [prog], ['PATH=/usr/bin:/bin'], image);
  return { k, out: () => Buffer.from(out).toString(), calls };
}

function vdsoRange(k: Kernel): [number, number] {
  const v = k.task.mm.vmas.find((a) => a.file?.path === '[vdso]');
  expect(v).toBeDefined();
  return [v!.start, v!.end];
}

const EXPECTED_OUTPUT = [
  'vdso present',
  'monotonic 0 0, never backwards 1, nsec in range 1',
  'realtime 0, gettimeofday 0, agree within 2s 1 1, after 2020 1',
  'getres 0, resolution at most 1ms 1',
  'bad clock -1',
  'six-argument call ok',
  '',
].join('\n');

describe('the vDSO image', () => {
  it('is a two-page i386 ET_DYN with __kernel_vsyscall and the clock functions', () => {
    const img = vdsoImage();
    expect(img.length).toBe(VDSO_PAGES * 4096);
    const elf = parseElf(img);
    expect(elf.type).toBe(ET_DYN);
    for (const name of ['__kernel_vsyscall', '__vdso_clock_gettime', '__vdso_clock_gettime64', '__vdso_gettimeofday',
      '__vdso_time', '__vdso_clock_getres']) {
      expect(vdsoSymbolOffset(name), name).toBeGreaterThan(0);
    }
    const pad = vdsoLandingPadOffset();
    expect(pad - vdsoSymbolOffset('__kernel_vsyscall')).toBe(9);
    expect([...img.subarray(pad - 2, pad + 4)]).toEqual([0xcd, 0x80, 0x5d, 0x5a, 0x59, 0xc3]); // int $0x80; pop ebp, edx, ecx; ret
  });

  it('carries what debuggers read: section headers inside PT_LOAD, .eh_frame found through PT_GNU_EH_FRAME with one FDE per function', () => {
    const img = vdsoImage();
    const dv = new DataView(img.buffer, img.byteOffset);
    const phs = Array.from({ length: dv.getUint16(44, true) }, (_, i) => 52 + i * 32)
      .map((o) => ({ type: dv.getUint32(o, true), off: dv.getUint32(o + 4, true), filesz: dv.getUint32(o + 16, true) }));
    const load = phs.find((p) => p.type === 1)!;
    // gdb reads the image from memory (bfd_elf_bfd_from_remote_memory): it keeps the section headers only if they are loaded.
    expect(dv.getUint32(32, true) + dv.getUint16(48, true) * 40).toBeLessThanOrEqual(load.off + load.filesz);
    const shoff = dv.getUint32(32, true), shstr = shoff + dv.getUint16(50, true) * 40;
    const names = new Map<string, number>();
    for (let i = 0; i < dv.getUint16(48, true); i++) {
      const o = shoff + i * 40;
      let n = dv.getUint32(shstr + 16, true) + dv.getUint32(o, true), name = '';
      while (img[n]) name += String.fromCharCode(img[n++]);
      names.set(name, dv.getUint32(o + 12, true));
    }
    const hdr = phs.find((p) => p.type === 0x6474e550)!;
    expect(hdr.off).toBe(names.get('.eh_frame_hdr'));
    expect([...img.subarray(hdr.off, hdr.off + 4)]).toEqual([1, 0x1b, 0x03, 0x3b]);
    expect(hdr.off + 4 + dv.getInt32(hdr.off + 4, true)).toBe(names.get('.eh_frame'));
    const count = dv.getUint32(hdr.off + 8, true);
    expect(count).toBe(10);
    const pcs = Array.from({ length: count }, (_, k) => hdr.off + dv.getInt32(hdr.off + 12 + k * 8, true));
    expect(pcs).toEqual([...pcs].sort((a, b) => a - b));
    expect(pcs).toContain(vdsoSymbolOffset('__kernel_vsyscall'));
    // A trampoline's FDE starts one byte early, at a NOP: unwinders look a return address up minus one.
    expect(pcs).toContain(vdsoSymbolOffset('__kernel_rt_sigreturn') - 1);
    expect(img[vdsoSymbolOffset('__kernel_sigreturn') - 1]).toBe(0x90);
  });

  it('is mapped after [vvar] (4 pages) and [vvar_vclock] (2 pages), named in the auxv', () => {
    const { k } = runTraced('/prog', 'compat', program(asm.exit(0)));
    const mm = k.task.mm;
    const names = mm.vmas.map((v) => [v.start, v.end, v.name ?? v.file?.path]);
    expect(names).toContainEqual([0xf7ff6000, 0xf7ffa000, '[vvar]']);
    expect(names).toContainEqual([0xf7ffa000, 0xf7ffc000, '[vvar_vclock]']);
    expect(names).toContainEqual([0xf7ffc000, 0xf7ffe000, '[vdso]']);
    const aux = new Map(mm.savedAuxv);
    expect(aux.get(AT_SYSINFO_EHDR)).toBe(0xf7ffc000);
    expect(aux.get(AT_SYSINFO)).toBe(0xf7ffc000 + vdsoSymbolOffset('__kernel_vsyscall'));
    expect(k.run()).toEqual({ exitCode: 0, signal: 0 });
  });
});

describe.skipIf(!existsSync(BUILD + 'vdso_time-dyn'))('glibc uses the vDSO', () => {
  for (const flavour of ['vdso_time', 'vdso_time-dyn', 'vdso_time-pie', 'vdso_time-spie']) {
    it(`${flavour}: clock_gettime through __vdso_clock_gettime64, results as from the kernel`, () => {
      const { k, out, calls } = runTraced(BUILD + flavour);
      const [start, end] = vdsoRange(k);
      expect(k.run()).toEqual({ exitCode: 0, signal: 0 });
      expect(out()).toBe(EXPECTED_OUTPUT);
      const clock = calls.filter((c) => c.line.startsWith('clock_gettime64('));
      // Four clock_gettime calls; glibc 2.36's gettimeofday and time are clock_gettime64 too.
      expect(clock.length).toBe(6);
      const fn = start + vdsoSymbolOffset('__vdso_clock_gettime64');
      for (const c of clock) expect(c.eip - fn, c.line).toBeLessThan(32);
      for (const c of clock) expect(c.eip - fn, c.line).toBeGreaterThan(0);
      expect(calls.filter((c) => c.line.startsWith('clock_getres_time64(')).every((c) => c.eip >= start && c.eip < end)).toBe(true);
    });
  }

  it('a dynamically linked program makes its system calls through __kernel_vsyscall (AT_SYSINFO)', () => {
    const { k, calls } = runTraced(BUILD + 'vdso_time-dyn');
    const [start] = vdsoRange(k);
    k.run();
    const writes = calls.filter((c) => c.line.startsWith('write('));
    expect(writes.length).toBeGreaterThan(0);
    const afterInt80 = start + vdsoLandingPadOffset();
    for (const w of writes) expect(w.eip, w.line).toBe(afterInt80);
  });
});

describe('SYSENTER', () => {
  // write(1, msg, 6) through a copy of the vDSO's entry sequence ending in sysenter; the kernel
  // returns to the vDSO's landing pad, which pops the registers and returns to the caller.
  const msg = Buffer.from('fast!\n');
  const code = [
    0xb8, 4, 0, 0, 0, 0xbb, 1, 0, 0, 0, // mov $4,%eax; mov $1,%ebx
    0xb9, DATA & 0xff, (DATA >> 8) & 0xff, (DATA >> 16) & 0xff, DATA >>> 24, 0xba, msg.length, 0, 0, 0, // mov $msg,%ecx; mov $6,%edx
    0xe8, 9, 0, 0, 0, // call stub
    0x89, 0xc3, 0xb8, 1, 0, 0, 0, 0xcd, 0x80, // exit(eax)
    0x51, 0x52, 0x55, 0x89, 0xe5, 0x0f, 0x34, // stub: push ecx, edx, ebp; mov %esp,%ebp; sysenter
  ];

  it('returns through the vDSO landing pad with the result in EAX and ECX, EDX, EBP restored', () => {
    const { k, out } = runTraced('/prog', 'compat', program(code, { bytes: msg }));
    expect(k.run()).toEqual({ exitCode: msg.length, signal: 0 });
    expect(out()).toBe('fast!\n');
  });

  it('with an unreadable stack (EBP) it returns -EFAULT without making the call', () => {
    // EBP = 0: the kernel cannot read the stashed EBP, skips the write and returns to the landing
    // pad with ESP = 0, whose first pop faults.
    const bad = [0xbd, 0, 0, 0, 0, ...code.slice(0, 20), 0x0f, 0x34];
    const { k, out } = runTraced('/prog', 'compat', program(bad, { bytes: msg }));
    expect(k.run()).toMatchObject({ signal: 11 });
    expect(out()).toBe('');
  });
});

describe('--layout=3gb', () => {
  it('user access to the top gigabyte faults (SIGSEGV)', () => {
    const { k } = runTraced('/prog', '3gb', program([...asm.loadEax(0xc0001000), ...asm.exit(0)]));
    expect(k.task.mm.taskSize).toBe(0xc0000000);
    expect(k.run()).toMatchObject({ exitCode: 128 + 11, signal: 11 });
  });

  it('the next exec follows the task personality flag (ADDR_LIMIT_3GB), which fork copies', () => {
    const { k } = runTraced('/prog', '3gb', program(asm.exit(0)));
    expect(k.task.personality & 0x8000000).toBe(0x8000000);
    expect(k.personality.taskSize).toBe(0xc0000000);
    k.task.personality = 0;
    expect(k.personality.taskSize).toBe(0xffffe000);
  });
});

describe('ADDR_COMPAT_LAYOUT (setarch -L)', () => {
  it('the next exec gets the legacy bottom-up layout from TASK_UNMAPPED_BASE', () => {
    const { k } = runTraced('/prog', 'compat', program(asm.exit(0)));
    k.task.personality |= 0x0200000;
    k.execve('/prog', ['prog'], [], program(asm.exit(0)));
    const mm = k.task.mm;
    expect(mm.mmapLegacy).toBe(true);
    // 0xffffe000 / 3, page-aligned: the vDSO is the first mapping, at the bottom of the area.
    const names = mm.vmas.map((v) => [v.start, v.name ?? v.file?.path]);
    expect(names).toContainEqual([0x55555000, '[vvar]']);
    expect(names).toContainEqual([0x5555b000, '[vdso]']);
    expect(k.run()).toEqual({ exitCode: 0, signal: 0 });
  });
});

describe('signal frames without SA_RESTORER', () => {
  // rt_sigaction(SIGUSR1, {handler, flags}) with no restorer, kill(getpid(), SIGUSR1), then
  // exit(the word the handler stored); the handler returns with a plain RET.
  const le = (v: number) => [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >>> 24];
  const CODE = 0x08049000, RESULT = DATA + 32, HANDLER = CODE + 58;
  const code = [
    0xb8, 174, 0, 0, 0, 0xbb, 10, 0, 0, 0, 0xb9, ...le(DATA), 0x31, 0xd2, 0xbe, 8, 0, 0, 0, 0xcd, 0x80,
    0xb8, 20, 0, 0, 0, 0xcd, 0x80, 0x89, 0xc3, 0xb9, 10, 0, 0, 0, 0xb8, 37, 0, 0, 0, 0xcd, 0x80,
    0x8b, 0x1d, ...le(RESULT), 0xb8, 1, 0, 0, 0, 0xcd, 0x80,
    // handler: its return address (the frame's pretcode) to DATA+28; movl $7, result; ret
    0x8b, 0x04, 0x24, 0xa3, ...le(DATA + 28), 0xc7, 0x05, ...le(RESULT), 7, 0, 0, 0, 0xc3,
  ];
  for (const [flags, ret] of [[0, 'sigreturn('], [4 /* SA_SIGINFO */, 'rt_sigreturn(']] as const) {
    it(`return through the vDSO's ${flags ? '__kernel_rt_sigreturn' : '__kernel_sigreturn'}`, () => {
      expect(code.length).toBe(77);
      const data = new Uint8Array(36);
      data.set([...le(HANDLER), ...le(flags)]);
      const pretcode: number[] = [];
      const { k, calls } = runTraced('/prog', 'compat', program(code, { bytes: data }), (line, kk) => {
        if (line.startsWith(ret)) pretcode.push(getUser32(kk.task.mm, DATA + 28) >>> 0);
      });
      const [start, end] = vdsoRange(k);
      expect(k.run()).toEqual({ exitCode: 7, signal: 0 });
      expect(calls.filter((c) => c.line.startsWith(ret)).length).toBe(1);
      expect(pretcode.length).toBe(1);
      expect(pretcode[0]).toBe(start + vdsoSymbolOffset(flags ? '__kernel_rt_sigreturn' : '__kernel_sigreturn'));
      expect(end - start).toBe(8192);
    });
  }
});
