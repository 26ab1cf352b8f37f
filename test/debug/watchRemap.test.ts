// Watchpoints are on virtual addresses: they keep firing after the watched page is copied on
// write (the kernel's do_wp_page gives it a new frame) and after it is moved to another frame
// behind the CPU's back, because watched pages never get a TLB entry that could go stale.
import { describe, expect, it, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { Session } from '../../src/debug/session.js';
import { runScript } from '../../src/debug/repl.js';
import { launch, KernelTarget } from '../../src/debug/kernelTarget.js';
import { pteSlot } from '../../kernel/mm/pageTable.js';
import { PTE_COW, PTE_FRAME, PTE_RW } from '../../src/mmu/paging.js';
import { buildGuest, haveStaticGcc32, WATCH_SOURCE, ENVP, RANDOM } from './guestBuild.js';

describe.skipIf(!haveStaticGcc32())('watchpoints across remapping', () => {
  let prog = '';
  beforeAll(() => { prog = buildGuest('watch', WATCH_SOURCE); });

  it('fires after copy-on-write and after a move to another frame', async () => {
    let out = '';
    const image = readFileSync(prog);
    const s = new Session({
      out: (t) => { out += t; }, image, programPath: prog, args: [],
      createTarget: () => launch({ program: prog, args: [], envp: ENVP, image, random: RANDOM, memoryBytes: 64 << 20, stdout: () => {}, stdin: new Uint8Array(0) }),
    });
    await runScript(s, 'start\nwatch counter\n');
    const t = s.target as KernelTarget;
    const mm = t.kernel.task.mm;
    const addr = s.symbols.lookup('counter')!.addr;
    const dv = t.mem.dv;
    const frameOf = () => (dv.getInt32(pteSlot(mm, addr, false), true) & PTE_FRAME) >>> 12;

    // Share the frame and make the PTE copy-on-write, as fork does.
    const slot = pteSlot(mm, addr, true);
    const pfn0 = frameOf();
    t.mem.getFrame(pfn0);
    dv.setInt32(slot, (dv.getInt32(slot, true) & ~PTE_RW) | PTE_COW, true);
    t.mmu.invlpg(addr);
    await runScript(s, 'continue\n');
    expect(out).toMatch(/Hardware watchpoint 2: counter\n\nOld value = 0\nNew value = 3\n/);
    const pfn1 = frameOf();
    expect(pfn1).not.toBe(pfn0);
    expect(t.mem.refcount[pfn0]).toBe(1);

    // Move the page to a fresh frame.
    const pfn2 = t.mem.allocFrame();
    t.mem.bytes.copyWithin(pfn2 * 4096, pfn1 * 4096, pfn1 * 4096 + 4096);
    dv.setInt32(slot, (dv.getInt32(slot, true) & ~PTE_FRAME) | (pfn2 * 4096), true);
    t.mem.putFrame(pfn1);
    t.mmu.invlpg(addr);
    await runScript(s, 'continue\npagewalk &counter\n');
    expect(out).toMatch(/Old value = 3\nNew value = 9\n/);
    expect(out).toMatch(new RegExp(`physical 0x${(pfn2 * 4096 + (addr & 0xfff)).toString(16).padStart(8, '0')}`));
  });
});
