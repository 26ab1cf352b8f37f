// Shifts and rotates (group 2: ROL ROR RCL RCR SHL SHR SAL SAR) and the double shifts SHLD/SHRD.
// A masked count of 0 changes nothing, flags included. Flags are computed eagerly here.
import type { Cpu } from '../cpu.js';
import { L_NONE, PARITY, SZ_BITS, SZ_MASK } from '../cpu.js';
import type { Insn } from '../insn.js';
import { ARITH_FLAGS, CF, ECX, OF, SF, ZF } from '../registers.js';

function szpFlags(r: number, sz: number): number {
  const m = SZ_MASK[sz];
  let f = PARITY[r & 0xff];
  if ((r & m) === 0) f |= ZF;
  if ((r >> (SZ_BITS[sz] - 1)) & 1) f |= SF;
  return f;
}

function setShiftFlags(c: Cpu, f: number): void {
  c.flags = (c.flags & ~ARITH_FLAGS) | f;
  c.lazyOp = L_NONE;
}

function setRotateFlags(c: Cpu, cf: number, of: number): void {
  c.materializeFlags();
  c.flags = (c.flags & ~(CF | OF)) | (cf ? CF : 0) | (of ? OF : 0);
}

export function doShift(c: Cpu, i: Insn, count: number): void {
  const sz = i.sz;
  const bits = SZ_BITS[sz];
  const m = SZ_MASK[sz];
  const a = i.isMem ? c.ea(i) : 0;
  const x = i.isMem ? c.readMem(sz, a) : c.getReg(sz, i.rm);
  const cnt = count & 31;
  if (cnt === 0) return;
  const ux = (x & m) >>> 0;
  let r: number;
  let f = 0;
  switch (i.sub) {
    case 0: { // ROL
      const n = cnt % bits;
      r = n === 0 ? ux : ((ux << n) | (ux >>> (bits - n))) & m;
      const cf = r & 1;
      write(c, i, a, r);
      setRotateFlags(c, cf, ((r >>> (bits - 1)) & 1) ^ cf);
      return;
    }
    case 1: { // ROR
      const n = cnt % bits;
      r = n === 0 ? ux : ((ux >>> n) | (ux << (bits - n))) & m;
      const msb = (r >>> (bits - 1)) & 1;
      write(c, i, a, r);
      setRotateFlags(c, msb, msb ^ ((r >>> (bits - 2)) & 1));
      return;
    }
    case 2: { // RCL
      const n = bits === 32 ? cnt : cnt % (bits + 1);
      let cf = c.getCF();
      r = ux;
      for (let k = 0; k < n; k++) {
        const out = (r >>> (bits - 1)) & 1;
        r = ((r << 1) | cf) & m;
        cf = out;
      }
      write(c, i, a, r);
      setRotateFlags(c, cf, ((r >>> (bits - 1)) & 1) ^ cf);
      return;
    }
    case 3: { // RCR
      const n = bits === 32 ? cnt : cnt % (bits + 1);
      let cf = c.getCF();
      const of = ((ux >>> (bits - 1)) & 1) ^ cf;
      r = ux;
      for (let k = 0; k < n; k++) {
        const out = r & 1;
        r = ((r >>> 1) | (cf << (bits - 1))) & m;
        cf = out;
      }
      write(c, i, a, r);
      setRotateFlags(c, cf, of);
      return;
    }
    case 4: case 6: { // SHL/SAL
      r = cnt >= bits ? 0 : (ux << cnt) & m;
      const cf = cnt <= bits ? (ux >>> (bits - cnt)) & 1 : 0;
      f = szpFlags(r, sz) | (cf ? CF : 0) | ((((r >>> (bits - 1)) & 1) ^ cf) ? OF : 0);
      break;
    }
    case 5: { // SHR
      r = cnt >= bits ? 0 : ux >>> cnt;
      const cf = cnt <= bits ? (ux >>> (cnt - 1)) & 1 : 0;
      f = szpFlags(r, sz) | (cf ? CF : 0) | ((ux >>> (bits - 1)) & 1 ? OF : 0);
      break;
    }
    default: { // SAR
      const sx = (ux << (32 - bits)) >> (32 - bits);
      r = (sx >> Math.min(cnt, 31)) & m;
      const cf = (sx >> Math.min(cnt - 1, 31)) & 1;
      f = szpFlags(r, sz) | (cf ? CF : 0);
      break;
    }
  }
  write(c, i, a, r);
  setShiftFlags(c, f);
}

function write(c: Cpu, i: Insn, a: number, r: number): void {
  if (i.isMem) c.writeMem(i.sz, a, r);
  else c.setReg(i.sz, i.rm, r);
}

/** Group 2 with an immediate count or a count of 1 (in i.imm). */
export function shiftEI(c: Cpu, i: Insn): void {
  doShift(c, i, i.imm);
}
/** Group 2 with the count in CL. */
export function shiftECL(c: Cpu, i: Insn): void {
  doShift(c, i, c.regs[ECX] & 0xff);
}

// Fast 32-bit register forms with an immediate count.
export function shl_r32_imm(c: Cpu, i: Insn): void {
  const cnt = i.imm & 31;
  if (cnt === 0) return;
  const x = c.regs[i.rm];
  const r = x << cnt;
  c.regs[i.rm] = r;
  const cf = (x >>> (32 - cnt)) & 1;
  setShiftFlags(c, szpFlags(r, 2) | (cf ? CF : 0) | (((r >>> 31) ^ cf) ? OF : 0));
}
export function shr_r32_imm(c: Cpu, i: Insn): void {
  const cnt = i.imm & 31;
  if (cnt === 0) return;
  const x = c.regs[i.rm];
  const r = x >>> cnt;
  c.regs[i.rm] = r;
  setShiftFlags(c, szpFlags(r, 2) | ((x >>> (cnt - 1)) & 1 ? CF : 0) | (x < 0 ? OF : 0));
}
export function sar_r32_imm(c: Cpu, i: Insn): void {
  const cnt = i.imm & 31;
  if (cnt === 0) return;
  const x = c.regs[i.rm];
  const r = x >> cnt;
  c.regs[i.rm] = r;
  setShiftFlags(c, szpFlags(r, 2) | ((x >> (cnt - 1)) & 1 ? CF : 0));
}

/** SHLD (sub 0) / SHRD (sub 1) Ev, Gv, imm8 (i.imm) or CL (i.imm2 = 1). */
export function shldShrd(c: Cpu, i: Insn): void {
  const sz = i.sz;
  const bits = SZ_BITS[sz];
  const m = SZ_MASK[sz];
  const a = i.isMem ? c.ea(i) : 0;
  const x = ((i.isMem ? c.readMem(sz, a) : c.getReg(sz, i.rm)) & m) >>> 0;
  const y = (c.getReg(sz, i.reg) & m) >>> 0;
  const cnt = (i.imm2 === 1 ? c.regs[ECX] : i.imm) & 31;
  if (cnt === 0) return;
  let r: number, cf: number;
  if (bits === 32) {
    if (i.sub === 0) {
      r = (x << cnt) | (y >>> (32 - cnt));
      cf = (x >>> (32 - cnt)) & 1;
    } else {
      r = (x >>> cnt) | (y << (32 - cnt));
      cf = (x >>> (cnt - 1)) & 1;
    }
  } else {
    // 16-bit: shift within the 48-bit concatenation dest:src:dest (counts above 16 are undefined).
    const hi = x * 0x100000000 + y * 0x10000 + x; // 48 bits, exact in a double
    if (i.sub === 0) {
      const shifted = Math.floor(hi * Math.pow(2, cnt)) % 0x1000000000000;
      r = Math.floor(shifted / 0x100000000) & 0xffff;
      cf = Math.floor(hi / Math.pow(2, 48 - cnt)) & 1;
    } else {
      const v = x + y * 0x10000 + x * 0x100000000;
      r = Math.floor(v / Math.pow(2, cnt)) & 0xffff;
      cf = Math.floor(v / Math.pow(2, cnt - 1)) & 1;
    }
  }
  r &= m;
  write(c, i, a, r);
  const of = ((r ^ x) >>> (bits - 1)) & 1;
  setShiftFlags(c, szpFlags(r, sz) | (cf ? CF : 0) | (of ? OF : 0));
}
