import { describe, expect, it } from 'vitest';
import { doMmap, MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE } from '../../../kernel/mm/mmap.js';
import { doMremap, MREMAP_MAYMOVE } from '../../../kernel/mm/mremap.js';
import { copyFromUser, copyToUser } from '../../../kernel/mm/uaccess.js';
import { EFAULT, EINVAL, ENOMEM } from '../../../kernel/errno.js';
import { layout, makeMm } from '../helpers.js';

const RW = PROT_READ | PROT_WRITE, ANON = MAP_PRIVATE | MAP_ANONYMOUS;

describe('mremap', () => {
  it('shrinks in place', () => {
    const mm = makeMm();
    const a = doMmap(mm, 0, 0x4000, RW, ANON, null, 0);
    expect(doMremap(mm, a, 0x4000, 0x1000, 0, 0)).toBe(a);
    expect(layout(mm.vmas)).toEqual([`${a.toString(16)}-${(a + 0x1000).toString(16)} rw-p`]);
  });

  it('grows in place when the pages above are free, else moves with MAYMOVE keeping contents', () => {
    const mm = makeMm();
    const a = doMmap(mm, 0x4000_0000, 0x2000, RW, ANON | 0x10, null, 0);
    expect(doMremap(mm, a, 0x2000, 0x3000, 0, 0)).toBe(a);
    const blocker = doMmap(mm, 0x4000_3000, 0x1000, PROT_READ, ANON | 0x10, null, 0);
    expect(blocker).toBe(0x4000_3000);
    copyToUser(mm, a + 0x10, new Uint8Array([1, 2, 3]));
    expect(doMremap(mm, a, 0x3000, 0x8000, 0, 0)).toBe(-ENOMEM);
    const b = doMremap(mm, a, 0x3000, 0x8000, MREMAP_MAYMOVE, 0);
    expect(b).not.toBe(a);
    expect([...copyFromUser(mm, b + 0x10, 3)]).toEqual([1, 2, 3]);
    expect(layout(mm.vmas).some((l) => l.startsWith('40000000'))).toBe(false);
  });

  it('rejects bad arguments', () => {
    const mm = makeMm();
    expect(doMremap(mm, 0x1001, 0x1000, 0x2000, 0, 0)).toBe(-EINVAL);
    expect(doMremap(mm, 0x1000_0000, 0x1000, 0x2000, 0, 0)).toBe(-EFAULT);
    expect(doMremap(mm, 0x1000_0000, 0x1000, 0x2000, 2, 0)).toBe(-EINVAL);
  });
});
