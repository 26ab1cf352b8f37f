// BMI1 (ANDN, BEXTR, BLSI, BLSMSK, BLSR, TZCNT), BMI2 (BZHI, MULX, PDEP, PEXT, RORX, SARX, SHLX,
// SHRX) and LZCNT. The VEX forms are always 32-bit here (VEX.W is ignored outside 64-bit mode);
// i.imm2 holds the VEX.vvvv register. Flags the SDM calls undefined (AF and PF for most, SF
// and OF for the counts) are cleared.
import type { Cpu } from '../cpu.js';
import { L_NONE } from '../cpu.js';
import type { Insn } from '../insn.js';
import { ARITH_FLAGS, CF, EDX, SF, ZF } from '../registers.js';

function src32(c: Cpu, i: Insn): number {
  return i.isMem ? c.readMem(2, c.ea(i)) : c.regs[i.rm];
}

/** Sets ZF and SF from r, CF from cf; OF, AF, PF cleared. */
function logicFlags(c: Cpu, r: number, cf: number): void {
  c.flags = (c.flags & ~ARITH_FLAGS) | (r === 0 ? ZF : 0) | (r < 0 ? SF : 0) | cf;
  c.lazyOp = L_NONE;
}

/** ANDN Gd, Bd, Ed: Gd = ~Bd & Ed */
export function andn(c: Cpu, i: Insn): void {
  const r = ~c.regs[i.imm2] & src32(c, i);
  c.regs[i.reg] = r;
  logicFlags(c, r, 0);
}

/** BEXTR Gd, Ed, Bd: the field of Ed starting at Bd[7:0], Bd[15:8] bits long. */
export function bextr(c: Cpu, i: Insn): void {
  const s = src32(c, i);
  const ctl = c.regs[i.imm2];
  const start = ctl & 0xff, len = (ctl >> 8) & 0xff;
  let r = start >= 32 ? 0 : s >>> start;
  if (len < 32) r = len === 0 ? 0 : r & (0xffffffff >>> (32 - len));
  r |= 0;
  c.regs[i.reg] = r;
  c.flags = (c.flags & ~ARITH_FLAGS) | (r === 0 ? ZF : 0);
  c.lazyOp = L_NONE;
}

/** Group 17 (VEX 0F38 F3): BLSR /1, BLSMSK /2, BLSI /3 into Bd. */
export function blsGroup(c: Cpu, i: Insn): void {
  const s = src32(c, i);
  let r: number;
  let cf: number;
  switch (i.sub) {
    case 1: r = s & (s - 1); cf = s === 0 ? CF : 0; break;
    case 2: r = s ^ (s - 1); cf = s === 0 ? CF : 0; break;
    default: r = s & -s; cf = s !== 0 ? CF : 0; break;
  }
  c.regs[i.imm2] = r;
  logicFlags(c, r, cf);
  if (i.sub === 2) c.flags &= ~ZF; // BLSMSK: ZF always cleared
}

/** BZHI Gd, Ed, Bd: Ed with the bits from index Bd[7:0] up cleared; CF when the index > 31. */
export function bzhi(c: Cpu, i: Insn): void {
  const s = src32(c, i);
  const n = c.regs[i.imm2] & 0xff;
  const r = n >= 32 ? s : n === 0 ? 0 : s & (0xffffffff >>> (32 - n));
  c.regs[i.reg] = r;
  logicFlags(c, r, n > 31 ? CF : 0);
}

/** MULX Gd(high), Bd(low), Ed: EDX * Ed unsigned, flags untouched; the high half is written last. */
export function mulx(c: Cpu, i: Insn): void {
  const a = c.regs[EDX] >>> 0, b = src32(c, i) >>> 0;
  const al = a & 0xffff, ah = a >>> 16, bl = b & 0xffff, bh = b >>> 16;
  const ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  const lo = ((mid & 0xffff) << 16) | (ll & 0xffff);
  const hi = hh + (lh >>> 16) + (hl >>> 16) + Math.floor(mid / 0x10000);
  c.regs[i.imm2] = lo;
  c.regs[i.reg] = hi | 0;
}

/** PDEP Gd, Bd, Ed: deposit the low bits of Bd at the set bits of the mask Ed. */
export function pdep(c: Cpu, i: Insn): void {
  const v = c.regs[i.imm2];
  let m = src32(c, i), r = 0, k = 0;
  while (m !== 0) {
    const low = m & -m;
    if ((v >>> k) & 1) r |= low;
    m &= m - 1;
    k++;
  }
  c.regs[i.reg] = r;
}

/** PEXT Gd, Bd, Ed: gather the bits of Bd at the set bits of the mask Ed into the low bits. */
export function pext(c: Cpu, i: Insn): void {
  const v = c.regs[i.imm2];
  let m = src32(c, i), r = 0, k = 0;
  while (m !== 0) {
    const low = m & -m;
    if (v & low) r |= 1 << k;
    m &= m - 1;
    k++;
  }
  c.regs[i.reg] = r;
}

/** RORX Gd, Ed, imm8: rotate right, flags untouched. */
export function rorx(c: Cpu, i: Insn): void {
  const s = src32(c, i), n = i.imm & 31;
  c.regs[i.reg] = n === 0 ? s : (s >>> n) | (s << (32 - n));
}

/** SARX (sub 0) / SHLX (1) / SHRX (2) Gd, Ed, Bd: count Bd & 31, flags untouched. */
export function shiftx(c: Cpu, i: Insn): void {
  const s = src32(c, i), n = c.regs[i.imm2] & 31;
  c.regs[i.reg] = i.sub === 0 ? s >> n : i.sub === 1 ? s << n : (s >>> n) | 0;
}

/** LZCNT (sub 1) / TZCNT (sub 0) Gv, Ev: CF when the source is zero, ZF when the count is. */
export function lzcntTzcnt(c: Cpu, i: Insn): void {
  const bits = i.sz === 1 ? 16 : 32;
  const v = c.readRm(i) & (bits === 16 ? 0xffff : -1);
  let n: number;
  if (v === 0) n = bits;
  else if (i.sub === 1) n = Math.clz32(v) - (32 - bits);
  else n = 31 - Math.clz32(v & -v);
  c.setReg(i.sz, i.reg, n);
  c.flags = (c.flags & ~ARITH_FLAGS) | (v === 0 ? CF : 0) | (n === 0 ? ZF : 0);
  c.lazyOp = L_NONE;
}

