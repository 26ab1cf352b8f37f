// --aslr and --seed inside the kernel: one generator per kernel decides every random choice of
// an exec (mmap_base, stack, break, AT_RANDOM) and what getrandom(2) returns, so two kernels
// with the same seed agree on all of it; without --aslr the layout is fixed whatever the seed.
import { describe, expect, it } from 'vitest';
import { sysGetrandom } from '../../../kernel/syscalls/process.js';
import { AT_RANDOM } from '../../../kernel/exec/elfTables.js';
import { copyFromUser } from '../../../kernel/mm/uaccess.js';
import { bootKernel, call, type Booted } from '../syscalls/sysHelpers.js';

/** What exec chose, and 16 bytes of getrandom. */
function choices(b: Booted) {
  const mm = b.k.mm;
  const atRandom = mm.savedAuxv.find(([k]) => k === AT_RANDOM)![1];
  expect(call(sysGetrandom, b.k, b.buf, 16, 0)).toBe(16);
  return {
    mmapBase: mm.mmapBase, startStack: mm.startStack, startBrk: mm.startBrk,
    atRandom: Buffer.from(copyFromUser(mm, atRandom, 16)).toString('hex'),
    getrandom: Buffer.from(b.read(b.buf, 16)).toString('hex'),
  };
}

describe('the kernel\'s random choices', () => {
  it('the same seed under --aslr gives the same layout, AT_RANDOM and getrandom bytes; another seed others', () => {
    const a = choices(bootKernel({}, { aslr: true, cpuSeed: 7, random: undefined }));
    const b = choices(bootKernel({}, { aslr: true, cpuSeed: 7, random: undefined }));
    const c = choices(bootKernel({}, { aslr: true, cpuSeed: 8, random: undefined }));
    expect(b).toEqual(a);
    for (const k of Object.keys(a) as Array<keyof typeof a>) expect(c[k], k).not.toEqual(a[k]);
    // mmap_base (compat, 8 MiB stack limit): 0xf7ffe000 less arch_mmap_rnd's 0..0xff pages.
    expect(a.mmapBase).toBeGreaterThanOrEqual(0xf7eff000);
    expect(a.mmapBase).toBeLessThanOrEqual(0xf7ffe000);
  });

  it('without --aslr the layout does not move; --seed still fixes AT_RANDOM and getrandom', () => {
    const a = choices(bootKernel({}, { cpuSeed: 7, random: undefined }));
    const b = choices(bootKernel({}, { cpuSeed: 8, random: undefined }));
    expect(a.mmapBase).toBe(0xf7ffe000);
    expect([b.mmapBase, b.startStack, b.startBrk]).toEqual([a.mmapBase, a.startStack, a.startBrk]);
    expect(choices(bootKernel({}, { cpuSeed: 7, random: undefined }))).toEqual(a);
    expect(b.atRandom).not.toBe(a.atRandom);
    expect(b.getrandom).not.toBe(a.getrandom);
  });

  it('an --aslr kernel without a seed picks one and reports it', () => {
    const b = bootKernel({}, { aslr: true, random: undefined });
    expect(b.k.randomSeed).not.toBeNull();
    expect(b.k.randomizeVaSpace).toBe(2);
    const seeded = bootKernel({}, { aslr: true, cpuSeed: b.k.randomSeed!, random: undefined });
    expect(seeded.k.mm.mmapBase).toBe(b.k.mm.mmapBase);
    expect(seeded.k.mm.startStack).toBe(b.k.mm.startStack);
    expect(bootKernel().k.randomSeed).toBeNull();
  });
});
