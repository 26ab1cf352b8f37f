// Decimal arithmetic adjustments: DAA DAS AAA AAS AAM AAD, following the Intel manual's
// pseudo-code (AAA/AAS adjust the whole of AX, as current processors do).
import type { Cpu } from '../cpu.js';
import { L_NONE, PARITY } from '../cpu.js';
import type { Insn } from '../insn.js';
import { Stop } from '../stop.js';
import { AF, ARITH_FLAGS, CF, EAX, SF, ZF } from '../registers.js';

function szp(v: number): number {
  v &= 0xff;
  return PARITY[v] | (v === 0 ? ZF : 0) | (v & 0x80 ? SF : 0);
}

function setFlags(c: Cpu, f: number): void {
  c.flags = (c.flags & ~ARITH_FLAGS) | f;
  c.lazyOp = L_NONE;
}

export function daa(c: Cpu, _i: Insn): void {
  const r = c.regs;
  const oldAl = r[EAX] & 0xff;
  const oldCf = c.getCF();
  let al = oldAl;
  let cf = 0, af = 0;
  if ((al & 0xf) > 9 || c.getAF()) {
    al += 6;
    cf = oldCf | (al > 0xff ? 1 : 0);
    af = 1;
  }
  if (oldAl > 0x99 || oldCf) {
    al += 0x60;
    cf = 1;
  } else {
    cf = 0;
  }
  al &= 0xff;
  r[EAX] = (r[EAX] & ~0xff) | al;
  setFlags(c, szp(al) | (cf ? CF : 0) | (af ? AF : 0));
}

export function das(c: Cpu, _i: Insn): void {
  const r = c.regs;
  const oldAl = r[EAX] & 0xff;
  const oldCf = c.getCF();
  let al = oldAl;
  let cf = 0, af = 0;
  if ((al & 0xf) > 9 || c.getAF()) {
    cf = oldCf | (al < 6 ? 1 : 0);
    al -= 6;
    af = 1;
  }
  if (oldAl > 0x99 || oldCf) {
    al -= 0x60;
    cf = 1;
  }
  al &= 0xff;
  r[EAX] = (r[EAX] & ~0xff) | al;
  setFlags(c, szp(al) | (cf ? CF : 0) | (af ? AF : 0));
}

export function aaa(c: Cpu, i: Insn): void {
  const r = c.regs;
  let ax = r[EAX] & 0xffff;
  const adjust = (ax & 0xf) > 9 || c.getAF();
  if (i.sub === 0) { // AAA
    if (adjust) ax = (ax + 0x106) & 0xffff;
  } else if (adjust) { // AAS: AX - 6, then AH - 1
    ax = (ax - 6 - 0x100) & 0xffff;
  }
  ax = (ax & 0xff00) | (ax & 0x0f);
  r[EAX] = (r[EAX] & ~0xffff) | ax;
  setFlags(c, szp(ax) | (adjust ? CF | AF : 0));
}

export function aam(c: Cpu, i: Insn): void {
  const r = c.regs;
  const base = i.imm & 0xff;
  if (base === 0) { c.fault(Stop.DivideError, 0); return; }
  const al = r[EAX] & 0xff;
  const ah = Math.floor(al / base), nal = al % base;
  r[EAX] = (r[EAX] & ~0xffff) | (ah << 8) | nal;
  setFlags(c, szp(nal));
}

export function aad(c: Cpu, i: Insn): void {
  const r = c.regs;
  const base = i.imm & 0xff;
  const al = ((r[EAX] & 0xff) + ((r[EAX] >> 8) & 0xff) * base) & 0xff;
  r[EAX] = (r[EAX] & ~0xffff) | al;
  setFlags(c, szp(al));
}
