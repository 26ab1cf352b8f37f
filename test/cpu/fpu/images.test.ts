// The FXSAVE image and the fregs_state header written to and read from a caller's buffer
// (what the kernel's signal frames use): the same bytes as FXSAVE/FNSAVE through the MMU,
// round trips, and MXCSR validation.
import { describe, expect, it } from 'vitest';
import { FREGS_STATE_SIZE, FXSAVE_WRITTEN } from '../../../src/cpu/fpu/fpu.js';
import type { Cpu } from '../../../src/cpu/cpu.js';
import { DATA_ADDR, makeCpu } from './fpuHarness.js';

/** A state with every tag class, TOP = 5, FIP/FOP/FDP set, and distinctive XMM/MXCSR. */
function busyCpu(): Cpu {
  const c = makeCpu();
  const f = c.fpu;
  f.exec(c, 0xd9, 0xe8, 0); // FLD1
  f.exec(c, 0xd9, 0xee, 0); // FLDZ
  f.exec(c, 0xd9, 0xeb, 0); // FLDPI
  f.se[f.top] = 0x7fff; // ST(0) = infinity (special)
  f.hi[f.top] = 0x80000000;
  f.lo[f.top] = 0;
  f.fip = 0x08049abc;
  f.fop = 0x5e9;
  f.fdp = 0x0804c010;
  f.cw = 0x027f;
  f.sw = 0x0021;
  for (let i = 0; i < 32; i++) c.sse.xmm[i] = (0x01010101 * (i + 1)) | 0;
  c.sse.mxcsr = 0x9fc0;
  return c;
}

function bytes(c: Cpu, ea: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = c.mmu.read8(ea + i);
  return out;
}

describe('Fpu FXSAVE images in a buffer', () => {
  it('fxsaveTo writes the bytes FXSAVE writes, and leaves 288..511 alone', () => {
    const c = busyCpu();
    const buf = new Uint8Array(512).fill(0xcc);
    c.fpu.fxsaveTo(new DataView(buf.buffer), 0, c.sse.mxcsr, c.sse.xmm);
    c.fpu.fxsave(c, DATA_ADDR);
    expect(buf.subarray(0, FXSAVE_WRITTEN)).toEqual(bytes(c, DATA_ADDR, FXSAVE_WRITTEN));
    expect(buf.subarray(FXSAVE_WRITTEN).every((b) => b === 0xcc)).toBe(true);
    const dv = new DataView(buf.buffer);
    expect(dv.getUint16(0, true)).toBe(0x027f);
    expect(dv.getUint16(2, true)).toBe(0x0021 | (5 << 11));
    expect(dv.getUint8(4)).toBe(0xe0); // abridged tags: R5..R7 in use
    expect(dv.getUint16(6, true)).toBe(0x5e9);
    expect(dv.getUint32(8, true)).toBe(0x08049abc);
    expect(dv.getUint32(16, true)).toBe(0x0804c010);
    expect(dv.getUint32(24, true)).toBe(0x9fc0);
    expect(dv.getUint32(28, true)).toBe(0xffff);
    expect(dv.getUint16(32 + 8, true)).toBe(0x7fff); // ST(0)
    expect(dv.getUint32(32 + 16 + 4, true)).toBe(0); // ST(1) = +0
    expect(dv.getUint32(32 + 32 + 4, true)).toBe(0x80000000); // ST(2) = 1
    expect(dv.getInt32(160, true)).toBe(0x01010101);
    expect(dv.getInt32(160 + 124, true)).toBe(0x20202020);
  });

  it('fxrstorFrom restores what fxsaveTo saved', () => {
    const a = busyCpu();
    const buf = new DataView(new ArrayBuffer(600));
    a.fpu.fxsaveTo(buf, 16, a.sse.mxcsr, a.sse.xmm);
    const b = makeCpu();
    expect(b.fpu.fxrstorFrom(buf, 16, b.sse)).toBe(true);
    const sa = a.fpu.snapshot(), sb = b.fpu.snapshot();
    expect(sb).toEqual({ ...sa, fcs: 0, fds: 0 });
    expect(b.sse.mxcsr).toBe(0x9fc0);
    expect(Array.from(b.sse.xmm)).toEqual(Array.from(a.sse.xmm));
  });

  it('fxrstorFrom rejects reserved MXCSR bits and changes nothing', () => {
    const a = busyCpu();
    const buf = new DataView(new ArrayBuffer(512));
    a.fpu.fxsaveTo(buf, 0, 0x11f80, a.sse.xmm);
    const b = makeCpu();
    const before = b.fpu.snapshot();
    expect(b.fpu.fxrstorFrom(buf, 0, b.sse)).toBe(false);
    expect(b.fpu.snapshot()).toEqual(before);
    expect(b.sse.mxcsr).toBe(0x1f80);
    expect(b.sse.xmm.every((x) => x === 0)).toBe(true);
  });

  it('fsaveHeaderTo is FNSAVE\'s image (FDS without the reserved half) plus status and magic 0', () => {
    const c = busyCpu();
    const buf = new Uint8Array(FREGS_STATE_SIZE).fill(0xcc);
    const dv = new DataView(buf.buffer);
    c.fpu.fsaveHeaderTo(dv, 0);
    const sw = c.fpu.getSw();
    const tags = c.fpu.getTagWord();
    expect(tags).toBe(0x1bff); // ST(0) = R5 special, R6 zero, R7 valid; R0-R4 empty
    c.fpu.fnsave(c, DATA_ADDR);
    const image = bytes(c, DATA_ADDR, 108);
    expect(dv.getUint32(0, true)).toBe((0x027f | 0xffff0000) >>> 0);
    expect(dv.getUint32(4, true)).toBe((sw | 0xffff0000) >>> 0);
    expect(dv.getUint32(8, true)).toBe((tags | 0xffff0000) >>> 0);
    expect(dv.getUint32(12, true)).toBe(0x08049abc);
    expect(dv.getUint32(16, true)).toBe(0x5e9 << 16);
    expect(dv.getUint32(20, true)).toBe(0x0804c010);
    expect(dv.getUint32(24, true)).toBe(0);
    expect(buf.subarray(0, 24)).toEqual(image.subarray(0, 24));
    expect(buf.subarray(28, 108)).toEqual(image.subarray(28, 108));
    expect(dv.getUint16(108, true)).toBe(sw);
    expect(dv.getUint16(110, true)).toBe(0);
  });

  it('fsaveHeaderFrom loads the x87 part (registers in ST order, tags, FOP from FCS\'s upper half)', () => {
    const a = busyCpu();
    const dv = new DataView(new ArrayBuffer(FREGS_STATE_SIZE));
    a.fpu.fsaveHeaderTo(dv, 0);
    dv.setUint16(28 + 10 + 8, 0x4000, true); // ST(1) = 2.0 instead of 0
    dv.setUint32(28 + 10 + 4, 0x80000000, true);
    const b = makeCpu();
    b.fpu.fsaveHeaderFrom(dv, 0);
    expect(b.fpu.getSw()).toBe(a.fpu.getSw());
    expect(b.fpu.cw).toBe(0x027f);
    expect(b.fpu.fop).toBe(0x5e9);
    expect(b.fpu.fip).toBe(0x08049abc);
    expect(b.fpu.fdp).toBe(0x0804c010);
    expect(b.fpu.empty).toBe(0x1f);
    expect(b.fpu.st(0).se).toBe(0x7fff);
    expect(b.fpu.stValue(1)).toBe(2);
    expect(b.fpu.stValue(2)).toBe(1);
  });
});
