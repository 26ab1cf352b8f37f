import { describe, expect, it } from 'vitest';
import {
  argStringsLimit, createElfTables, AT_EXECFN, AT_NULL, AT_PAGESZ, AT_PHDR, AT_PLATFORM, AT_RANDOM, AT_ENTRY, AT_SYSINFO,
  AT_SYSINFO_EHDR, AT_RSEQ_FEATURE_SIZE, AT_RSEQ_ALIGN,
} from '../../../kernel/exec/elfTables.js';
import { PERSONALITY_COMPAT64, PERSONALITY_I386 } from '../../../kernel/mm/layout.js';
import { copyFromUser, getUser32, strncpyFromUser } from '../../../kernel/mm/uaccess.js';
import { layout, makeMm } from '../helpers.js';
import { createMm } from '../../../kernel/mm/pageTable.js';
import { newFaultStats } from '../../../kernel/mm/mmStruct.js';

const base = { hwcap: 0x8111, phdr: 0x08048034, phent: 32, phnum: 8, entry: 0x08049000 };

/** Parses argc/argv/envp/auxv back from the stack like a C runtime would. */
function parseStack(mm: ReturnType<typeof makeMm>, sp: number) {
  const argc = getUser32(mm, sp);
  const argv: string[] = [];
  let p = sp + 4;
  for (let i = 0; i < argc; i++, p += 4) argv.push(strncpyFromUser(mm, getUser32(mm, p) >>> 0, 4096));
  expect(getUser32(mm, p)).toBe(0);
  p += 4;
  const envp: string[] = [];
  for (let e; (e = getUser32(mm, p)) !== 0; p += 4) envp.push(strncpyFromUser(mm, e >>> 0, 4096));
  p += 4;
  const auxv = new Map<number, number>();
  for (;;) {
    const k = getUser32(mm, p), v = getUser32(mm, p + 4) >>> 0;
    p += 8;
    if (k === AT_NULL) break;
    auxv.set(k, v);
  }
  return { argc, argv, envp, auxv };
}

describe('createElfTables', () => {
  it('writes argc, argv, envp and auxv that parse back', () => {
    const mm = makeMm();
    const r = createElfTables(mm, PERSONALITY_I386, { ...base, argv: ['./prog', 'a b', ''], envp: ['HOME=/', 'X=1'], execfn: './prog', random: new Uint8Array(16).fill(7) });
    expect(r.sp % 16).toBe(0);
    const s = parseStack(mm, r.sp);
    expect(s.argc).toBe(3);
    expect(s.argv).toEqual(['./prog', 'a b', '']);
    expect(s.envp).toEqual(['HOME=/', 'X=1']);
    expect(s.auxv.get(AT_PAGESZ)).toBe(4096);
    expect(s.auxv.get(AT_PHDR)).toBe(0x08048034);
    expect(s.auxv.get(AT_ENTRY)).toBe(0x08049000);
    expect(strncpyFromUser(mm, s.auxv.get(AT_PLATFORM)!, 16)).toBe('i686');
    expect(strncpyFromUser(mm, s.auxv.get(AT_EXECFN)!, 16)).toBe('./prog');
    expect([...copyFromUser(mm, s.auxv.get(AT_RANDOM)!, 16)]).toEqual(new Array(16).fill(7));
    expect(mm.startStack).toBe(r.sp);
    expect(strncpyFromUser(mm, mm.argStart, 100)).toBe('./prog');
  });

  it('matches the string layout a 64-bit Linux kernel gives a 32-bit process', () => {
    // Observed natively with `env -i A=1 BB=22 setarch -R ./s x yy`.
    const base32 = makeMm();
    const mm = createMm(base32.mem, base32.mmu, PERSONALITY_COMPAT64.taskSize, newFaultStats());
    const r = createElfTables(mm, PERSONALITY_COMPAT64, {
      ...base, argv: ['./s', 'x', 'yy'], envp: ['A=1', 'BB=22'], execfn: './s', sysinfo: 0xf7fc7580, sysinfoEhdr: 0xf7fc7000,
    });
    expect(r.argv).toEqual([0xffffdfe1, 0xffffdfe5, 0xffffdfe7]);
    expect(r.envp).toEqual([0xffffdfea, 0xffffdfee]);
    expect(r.execfnAddr).toBe(0xffffdff4);
    expect(r.platformAddr).toBe(0xffffdfdb);
    expect(r.randomAddr).toBe(0xffffdfcb);
    // 24 auxv pairs, as Linux 6.18 writes: AT_SYSINFO and AT_SYSINFO_EHDR first, the rseq pair last.
    expect(r.sp).toBe(0xffffdee0);
    expect(r.auxv.slice(0, 2)).toEqual([[AT_SYSINFO, 0xf7fc7580], [AT_SYSINFO_EHDR, 0xf7fc7000]]);
    expect(r.auxv.slice(-3).map(([k]) => k)).toEqual([AT_RSEQ_FEATURE_SIZE, AT_RSEQ_ALIGN, AT_NULL]);
    expect(layout(mm.vmas)).toEqual(['fffdd000-ffffe000 rw-p [stack]']);
  });

  it('a 3 GiB-split stack ends at 0xC0000000 and spans 132 KiB', () => {
    const mm = makeMm();
    createElfTables(mm, PERSONALITY_I386, { ...base, argv: ['p'], envp: [], execfn: 'p', execStack: true });
    expect(layout(mm.vmas)).toEqual(['bffdf000-c0000000 rwxp [stack]']);
  });

  it('a stack rlimit below 132 KiB caps the initial area at the limit; one below the strings leaves their pages', () => {
    const mm = makeMm();
    mm.stackRlimit = 64 * 1024;
    createElfTables(mm, PERSONALITY_I386, { ...base, argv: ['p'], envp: [], execfn: 'p' });
    expect(layout(mm.vmas)).toEqual(['bfff0000-c0000000 rw-p [stack]']);
    const tiny = makeMm();
    tiny.stackRlimit = 4096;
    createElfTables(tiny, PERSONALITY_I386, { ...base, argv: ['p', 'x'.repeat(6000)], envp: [], execfn: 'p' });
    expect(layout(tiny.vmas)).toEqual(['bfffe000-c0000000 rw-p [stack]']);
  });

  it('argv and envp may take a quarter of RLIMIT_STACK, between ARG_MAX and 6 MiB (prepare_arg_pages)', () => {
    expect(argStringsLimit(8 << 20)).toBe(2 << 20);
    expect(argStringsLimit(256 << 10)).toBe(128 << 10);
    expect(argStringsLimit(0xffff_ffff)).toBe(6 << 20);
    const mm = makeMm();
    mm.stackRlimit = 512 << 10;
    const args = (n: number) => ['p', ...Array.from({ length: n }, () => 'y'.repeat(1023))];
    expect(() => createElfTables(mm, PERSONALITY_I386, { ...base, argv: args(120), envp: [], execfn: 'p' })).not.toThrow();
    expect(() => createElfTables(makeMm(), PERSONALITY_I386, { ...base, argv: args(130), envp: [], execfn: 'p' }))
      .not.toThrow();
    const small = makeMm();
    small.stackRlimit = 512 << 10;
    expect(() => createElfTables(small, PERSONALITY_I386, { ...base, argv: args(130), envp: [], execfn: 'p' })).toThrow(/argument list too long/);
  });
});
