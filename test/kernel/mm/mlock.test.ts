// The mlock family as accounting (kernel/mm/mlock.ts): VM_LOCKED areas (split at the range's
// ends), populated unless on-fault, counted in lockedVmPages (VmLck); RLIMIT_MEMLOCK holds an
// unprivileged caller (ENOMEM over it, EPERM when it is 0, EAGAIN for MAP_LOCKED) and not one
// with CAP_IPC_LOCK; mlockall(MCL_FUTURE) locks later mappings and the heap; a fork child
// inherits no locks. qemu-user passes these calls to the host, where the test runs privileged,
// so the limits are asserted here as Linux documents them (mlock(2), mm/mlock.c).
import { describe, expect, it } from 'vitest';
import { PTE_P } from '../../../src/mmu/paging.js';
import { doBrk } from '../../../kernel/mm/brk.js';
import { dupMm } from '../../../kernel/mm/fork.js';
import {
  doMlock, doMlockall, doMunlock, doMunlockall, lockedVmPages, MCL_CURRENT, MCL_FUTURE, MCL_ONFAULT, MLOCK_ONFAULT,
  UNLIMITED_LOCK, type LockLimit,
} from '../../../kernel/mm/mlock.js';
import { doMmap, MAP_ANONYMOUS, MAP_LOCKED, MAP_PRIVATE, PROT_READ, PROT_WRITE } from '../../../kernel/mm/mmap.js';
import { getPte } from '../../../kernel/mm/pageTable.js';
import { VM_LOCKED, VM_LOCKONFAULT } from '../../../kernel/mm/vma.js';
import { makeMm } from '../helpers.js';

const PG = 4096;
const RW = PROT_READ | PROT_WRITE;
const EINVAL = 22, ENOMEM = 12, EPERM = 1, EAGAIN = 11;
const USER_64K: LockLimit = { limitBytes: 16 * PG, capIpcLock: false };
const present = (mm: ReturnType<typeof makeMm>, a: number, n: number) =>
  Array.from({ length: n }, (_, i) => (getPte(mm, a + i * PG) & PTE_P ? 1 : 0)).join('');

describe('mlock', () => {
  it('locks and populates whole pages of the range, splitting the area, and unlocks', () => {
    const mm = makeMm();
    const a = doMmap(mm, 0, 4 * PG, RW, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
    expect(doMlock(mm, a + PG + 10, PG, 0, UNLIMITED_LOCK)).toBe(0); // covers pages 1 and 2
    expect(present(mm, a, 4)).toBe('0110');
    expect(mm.vmas.map((v) => (v.flags & VM_LOCKED ? 'L' : '-')).join('')).toBe('-L-');
    expect(lockedVmPages(mm)).toBe(2);
    expect(doMunlock(mm, a, 4 * PG)).toBe(0);
    expect(mm.vmas.length).toBe(1);
    expect(lockedVmPages(mm)).toBe(0);
    expect(doMlock(mm, a, PG, MLOCK_ONFAULT, UNLIMITED_LOCK)).toBe(0);
    expect(mm.vmas[0].flags & (VM_LOCKED | VM_LOCKONFAULT)).toBe(VM_LOCKED | VM_LOCKONFAULT);
    expect(present(mm, a, 1)).toBe('0');
    expect(doMlock(mm, a, PG, 2, UNLIMITED_LOCK)).toBe(-EINVAL);
    expect(doMlock(mm, 0x10000000, PG, 0, UNLIMITED_LOCK)).toBe(-ENOMEM); // nothing mapped there
  });

  it('holds an unprivileged caller to RLIMIT_MEMLOCK', () => {
    const mm = makeMm();
    const a = doMmap(mm, 0, 32 * PG, RW, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
    expect(doMlock(mm, a, 8 * PG, 0, USER_64K)).toBe(0);
    expect(doMlock(mm, a, 16 * PG, 0, USER_64K)).toBe(0); // the 8 already locked are not counted twice
    expect(doMlock(mm, a + 16 * PG, PG, 0, USER_64K)).toBe(-ENOMEM);
    expect(doMmap(mm, 0, PG, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, null, 0, USER_64K)).toBe(-EAGAIN);
    expect(doMlockall(mm, MCL_CURRENT, USER_64K)).toBe(-ENOMEM);
    expect(doMlock(mm, a + 16 * PG, 16 * PG, 0, { limitBytes: 0, capIpcLock: false })).toBe(-EPERM);
    expect(doMlockall(mm, MCL_FUTURE, { limitBytes: 0, capIpcLock: false })).toBe(-EPERM);
    // CAP_IPC_LOCK (uid 0) has no limit, even a zero one.
    expect(doMlock(mm, a + 16 * PG, 16 * PG, 0, { limitBytes: 0, capIpcLock: true })).toBe(0);
    expect(lockedVmPages(mm)).toBe(32);
  });

  it('mlockall locks every area now and every later one, munlockall undoes it; fork inherits no locks', () => {
    const mm = makeMm();
    mm.startBrk = mm.brk = 0x0900_0000;
    const a = doMmap(mm, 0, 2 * PG, RW, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
    expect(doMlockall(mm, 0, UNLIMITED_LOCK)).toBe(-EINVAL);
    expect(doMlockall(mm, MCL_ONFAULT, UNLIMITED_LOCK)).toBe(-EINVAL);
    expect(doMlockall(mm, MCL_CURRENT | MCL_FUTURE, UNLIMITED_LOCK)).toBe(0);
    expect(present(mm, a, 2)).toBe('11');
    const b = doMmap(mm, 0, 2 * PG, RW, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
    expect(mm.vmas.find((v) => v.start === b)!.flags & VM_LOCKED).toBe(VM_LOCKED);
    expect(present(mm, b, 2)).toBe('11');
    expect(doBrk(mm, 0x0900_2000)).toBe(0x0900_2000);
    expect(present(mm, 0x0900_0000, 2)).toBe('11');
    const child = dupMm(mm, { framesShared: 0 })!;
    expect(lockedVmPages(child)).toBe(0);
    expect(child.defFlags).toBe(0);
    expect(doMunlockall(mm)).toBe(0);
    expect(lockedVmPages(mm)).toBe(0);
    const c = doMmap(mm, 0, PG, RW, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
    expect(present(mm, c, 1)).toBe('0');
    expect(doMlockall(mm, MCL_FUTURE | MCL_ONFAULT, UNLIMITED_LOCK)).toBe(0);
    const d = doMmap(mm, 0, PG, RW, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
    expect(present(mm, d, 1)).toBe('0');
    expect(mm.vmas.find((v) => v.start === d)!.flags & VM_LOCKONFAULT).toBe(VM_LOCKONFAULT);
  });
});
