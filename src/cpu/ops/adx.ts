// ADCX and ADOX (ADX): add with carry through CF only (ADCX) or through OF only (ADOX), the
// other flags untouched, so two carry chains can interleave.
import type { Cpu } from '../cpu.js';
import type { Insn } from '../insn.js';
import { CF, OF } from '../registers.js';

/** ADCX (sub 0) / ADOX (sub 1) Gd, Ed */
export function adcxAdox(c: Cpu, i: Insn): void {
  const s = (i.isMem ? c.readMem(2, c.ea(i)) : c.regs[i.rm]) >>> 0;
  c.materializeFlags();
  const bit = i.sub === 0 ? CF : OF;
  const sum = (c.regs[i.reg] >>> 0) + s + ((c.flags & bit) !== 0 ? 1 : 0);
  c.regs[i.reg] = sum | 0;
  c.flags = sum > 0xffffffff ? c.flags | bit : c.flags & ~bit;
}
