// sysinfo(2) and /proc/meminfo of a kernel with --swap: totalswap/freeswap (what free(1) shows)
// and SwapTotal/SwapFree give the swap area's size, less the header page Linux keeps in slot 0.
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../../kernel/kernel.js';
import { meminfoText } from '../../../kernel/fs/procMeminfo.js';
import { doMmap, MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE } from '../../../kernel/mm/mmap.js';
import { copyFromUser } from '../../../kernel/mm/uaccess.js';
import { sysSysinfo } from '../../../kernel/syscalls/process.js';
import { asm, program } from '../programs.js';

describe('sysinfo with swap', () => {
  it('reports the swap area in totalswap/freeswap and /proc/meminfo', () => {
    const k = new Kernel({ memoryBytes: 16 << 20, swapBytes: 8 << 20, stdin: new Uint8Array(0), random: new Uint8Array(16) });
    k.execve('/prog', ['prog'], [], program(asm.exit(0)));
    const buf = doMmap(k.mm, 0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
    expect(sysSysinfo(k, buf)).toBe(0);
    const dv = new DataView(copyFromUser(k.mm, buf, 64).slice().buffer);
    expect(dv.getUint32(16, true)).toBe(16 << 20); // totalram
    expect(dv.getUint32(32, true)).toBe((8 << 20) - 4096); // totalswap
    expect(dv.getUint32(36, true)).toBe((8 << 20) - 4096); // freeswap
    expect(dv.getUint32(52, true)).toBe(1); // mem_unit
    expect(meminfoText(k.mem)).toMatch(/\nSwapTotal: +8188 kB\nSwapFree: +8188 kB\n/);
  });
});
