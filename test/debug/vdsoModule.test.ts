// The vDSO read as a debugger module (src/debug/vdsoModule.ts): its names at the mapped address,
// and the CFI of its image (kernel/exec/vdsoImage.ts) evaluated against signal frames laid out
// as the kernel lays them out: the rules must find the interrupted registers in the sigcontext.
import { describe, expect, it } from 'vitest';
import { vdsoImage, vdsoLandingPadOffset, vdsoSymbolOffset } from '../../kernel/exec/vdsoImage.js';
import { RT_UC, SC_AX, SC_BP, SC_IP, SC_SP, SF_SC, UC_MCONTEXT } from '../../kernel/signal/frameLayout.js';
import { loadVdso, sysinfoEhdr } from '../../src/debug/vdsoModule.js';
import { evalAddress, evalLocation } from '../../src/debug/dwarf/expression.js';
import type { CfiRow } from '../../src/debug/symbols.js';

const BASE = 0xf7ffc000;
const img = vdsoImage();
const vdso = loadVdso(BASE, (a, n) => {
  if (a < BASE || a + n > BASE + img.length) throw new Error('outside the vDSO');
  return img.slice(a - BASE, a - BASE + n);
})!;

/** Where a register rule of a row says the register is saved, with ESP = sp and a small memory. */
function savedAt(r: CfiRow, reg: number, sp: number, mem: Map<number, number>): { cfa: number; at: number } {
  const readU32 = (a: number) => mem.get(a) ?? 0;
  const ctx = { reg: (n: number) => (n === 4 ? sp : undefined), readU32, relocate: r.relocate };
  if (r.row.cfa.kind !== 'expression') throw new Error('a signal frame CFA is an expression');
  const cfa = evalAddress(r.row.cfa.expr, ctx);
  const rule = r.row.regs.get(reg);
  if (rule?.kind !== 'expression') throw new Error(`no expression for r${reg}`);
  const loc = evalLocation(rule.expr, { ...ctx, cfa: () => cfa }, [cfa]);
  if (loc.kind !== 'mem') throw new Error('not a memory location');
  return { cfa, at: loc.addr };
}

describe('the vDSO as a debugger module', () => {
  it('is found through AT_SYSINFO_EHDR and names its functions at their mapped addresses', () => {
    const auxv = new Uint8Array(32);
    const dv = new DataView(auxv.buffer);
    dv.setUint32(0, 6, true); dv.setUint32(4, 4096, true); dv.setUint32(8, 33, true); dv.setUint32(12, BASE, true);
    expect(sysinfoEhdr(auxv)).toBe(BASE);
    expect(vdso).not.toBeNull();
    for (const name of ['__kernel_vsyscall', '__kernel_sigreturn', '__kernel_rt_sigreturn', '__vdso_clock_gettime64']) {
      expect(vdso.lookup(name)?.addr, name).toBe(BASE + vdsoSymbolOffset(name));
    }
    expect(vdso.describe(BASE + vdsoLandingPadOffset())).toBe('__kernel_vsyscall+9');
    expect(loadVdso(BASE, () => new Uint8Array(64))).toBeNull();
  });

  it('__kernel_vsyscall: CFA and the ECX/EDX/EBP slots follow the pushes and the pops', () => {
    const v = BASE + vdsoSymbolOffset('__kernel_vsyscall');
    const entry = vdso.cfiAt(v)!;
    expect(entry.row.cfa).toEqual({ kind: 'regOffset', reg: 4, offset: 4 });
    expect(entry.row.regs.get(8)).toEqual({ kind: 'offset', offset: -4 });
    const pushed = vdso.cfiAt(v + 3)!;
    expect(pushed.row.cfa).toEqual({ kind: 'regOffset', reg: 4, offset: 16 });
    expect([1, 2, 5].map((r) => pushed.row.regs.get(r))).toEqual([-8, -12, -16].map((offset) => ({ kind: 'offset', offset })));
    // At the landing pad (int $0x80 returned) nothing has been popped yet.
    expect(vdso.cfiAt(BASE + vdsoLandingPadOffset())!.row.cfa).toEqual({ kind: 'regOffset', reg: 4, offset: 16 });
    const afterEbp = vdso.cfiAt(BASE + vdsoLandingPadOffset() + 1)!;
    expect(afterEbp.row.cfa).toEqual({ kind: 'regOffset', reg: 4, offset: 12 });
    expect(afterEbp.row.regs.has(5)).toBe(false);
    const atRet = vdso.cfiAt(BASE + vdsoLandingPadOffset() + 3)!;
    expect(atRet.row.cfa).toEqual({ kind: 'regOffset', reg: 4, offset: 4 });
    expect([1, 2, 5].some((r) => atRet.row.regs.has(r))).toBe(false);
  });

  it('__kernel_sigreturn (a signal frame, also at its address minus one): registers from sigframe_ia32\'s sigcontext', () => {
    const t = BASE + vdsoSymbolOffset('__kernel_sigreturn');
    const frame = 0xffffd000; // where pretcode was; the handler's RET popped it
    const sc = frame + SF_SC;
    const mem = new Map([[sc + SC_SP, 0xffffdc60], [sc + SC_IP, 0x0805aa41]]);
    for (const [pc, sp] of [[t - 1, frame + 4], [t, frame + 4], [t + 1, frame + 8]]) {
      const r = vdso.cfiAt(pc)!;
      expect(r.signal, `pc ${pc - t}`).toBe(true);
      expect(savedAt(r, 8, sp, mem)).toEqual({ cfa: 0xffffdc60, at: sc + SC_IP });
      expect(savedAt(r, 0, sp, mem).at).toBe(sc + SC_AX);
      expect(savedAt(r, 5, sp, mem).at).toBe(sc + SC_BP);
    }
  });

  it('__kernel_rt_sigreturn: registers from the rt frame\'s uc_mcontext', () => {
    const t = BASE + vdsoSymbolOffset('__kernel_rt_sigreturn');
    const frame = 0xffffd000;
    const sc = frame + RT_UC + UC_MCONTEXT;
    const mem = new Map([[sc + SC_SP, 0xffffdc40], [sc + SC_IP, 0xf7ffc3c9]]);
    for (const pc of [t - 1, t, t + 5]) {
      const r = vdso.cfiAt(pc)!;
      expect(r.signal).toBe(true);
      expect(savedAt(r, 8, frame + 4, mem)).toEqual({ cfa: 0xffffdc40, at: sc + SC_IP });
    }
  });
});
