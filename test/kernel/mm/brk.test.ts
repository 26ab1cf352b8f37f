import { describe, expect, it } from 'vitest';
import { doBrk } from '../../../kernel/mm/brk.js';
import { handleMmFault } from '../../../kernel/mm/fault.js';
import { insertVma, VM_READ, VM_WRITE, VmArea } from '../../../kernel/mm/vma.js';
import { PF_USER, PF_WRITE } from '../../../src/mmu/paging.js';
import { layout, makeMm } from '../helpers.js';

describe('sys_brk', () => {
  function heapMm() {
    const mm = makeMm();
    insertVma(mm.vmas, new VmArea(0x080e_9000, 0x080f_1000, VM_READ | VM_WRITE));
    mm.startBrk = mm.brk = 0x080f_1000;
    return mm;
  }

  it('brk(0) and brk below start_brk return the current break', () => {
    const mm = heapMm();
    expect(doBrk(mm, 0)).toBe(0x080f_1000);
    expect(doBrk(mm, 0x0800_0000)).toBe(0x080f_1000);
  });

  it('growing creates and extends the [heap] area; unaligned breaks are kept', () => {
    const mm = heapMm();
    expect(doBrk(mm, 0x080f_1880)).toBe(0x080f_1880);
    expect(layout(mm.vmas)).toEqual(['080e9000-080f1000 rw-p', '080f1000-080f2000 rw-p [heap]']);
    expect(doBrk(mm, 0x0811_2880)).toBe(0x0811_2880);
    expect(layout(mm.vmas)[1]).toBe('080f1000-08113000 rw-p [heap]');
    expect(handleMmFault(mm, 0x0811_2000, PF_USER | PF_WRITE)).toBe('ok');
  });

  it('shrinking unmaps whole pages and frees their frames', () => {
    const mm = heapMm();
    doBrk(mm, 0x0810_0000);
    expect(handleMmFault(mm, 0x080f_f000, PF_USER | PF_WRITE)).toBe('ok');
    const used = mm.mem.framesInUse;
    expect(doBrk(mm, 0x080f_2001)).toBe(0x080f_2001);
    expect(layout(mm.vmas)[1]).toBe('080f1000-080f3000 rw-p [heap]');
    expect(mm.mem.framesInUse).toBeLessThan(used);
    expect(doBrk(mm, 0x080f_1000)).toBe(0x080f_1000);
    expect(mm.vmas).toHaveLength(1);
  });

  it('refuses to grow into the next mapping', () => {
    const mm = heapMm();
    insertVma(mm.vmas, new VmArea(0x0820_0000, 0x0821_0000, VM_READ));
    expect(doBrk(mm, 0x081f_f800)).toBe(0x080f_1000);
    expect(doBrk(mm, 0x081f_0000)).toBe(0x081f_0000);
  });
});
