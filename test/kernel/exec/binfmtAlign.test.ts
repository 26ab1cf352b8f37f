// PT_LOAD alignment beyond a page (maximum_alignment in fs/binfmt_elf.c, Linux 6.10+): a
// static-pie's mmap-chosen address is aligned down to its largest p_align, with or without
// --aslr; the break still starts at ELF_ET_DYN_BASE (0x56555000 for compat), or within the
// 32 MiB above it under --aslr.
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../../kernel/kernel.js';
import { ET_DYN, PF_R, PF_X } from '../../../kernel/exec/elfHeader.js';
import { asm } from '../programs.js';
import { buildElf } from './elfBuilder.js';

function staticPie(align: number, aslr: boolean, seed = 1): Kernel {
  const k = new Kernel({ memoryBytes: 16 << 20, stdout: () => {}, stderr: () => {}, stdin: new Uint8Array(0), aslr, cpuSeed: seed });
  const code = Uint8Array.from(asm.exit(0));
  k.execve('/prog', ['prog'], [], buildElf({ type: ET_DYN, entry: 0, segments: [{ vaddr: 0, data: code, flags: PF_R | PF_X, align }] }));
  return k;
}

/** Where the program's first segment went (the vDSO's areas lie below it). */
function programStart(k: Kernel): number {
  return k.mm.vmas.find((v) => v.file !== null && v.file.path !== '[vdso]')!.start;
}

describe('a static-pie with a large p_align', () => {
  it('lands on a multiple of it below mmap_base (0xf7ffe000 - one page, aligned down to 2 MiB)', () => {
    const k = staticPie(0x200000, false);
    expect(programStart(k)).toBe(0xf7e00000);
    expect(k.mm.startBrk).toBe(0x56555000);
    // A page-aligned one is the first mmap below mmap_base, as before.
    expect(programStart(staticPie(0x1000, false))).toBe(0xf7ffd000);
  });

  it('under --aslr it stays aligned, and the break is randomized from ELF_ET_DYN_BASE', () => {
    for (const seed of [1, 2, 3]) {
      const k = staticPie(0x200000, true, seed);
      expect(programStart(k) % 0x200000).toBe(0);
      expect(k.mm.startBrk).toBeGreaterThanOrEqual(0x56555000);
      expect(k.mm.startBrk).toBeLessThan(0x56555000 + 0x2000000);
    }
  });
});
