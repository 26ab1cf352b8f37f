// The x87 state images: FNSTENV/FLDENV environments (28 bytes, 14 under 0x66), FNSAVE/FRSTOR
// (the environment and ST(0)..ST(7) as 10-byte values), FXSAVE/FXRSTOR (512 bytes, of which
// 32-bit mode writes 0..287), and the same images in a caller's buffer for the kernel's signal
// frames (struct fxregs_state and the fregs_state header Linux puts in front of it).
import type { Cpu } from '../cpu.js';
import { Stop } from '../stop.js';
import { MXCSR_MASK, type Sse } from '../sse/sse.js';
import { FpuRegs } from './fpuRegs.js';

/** FXSAVE in 32-bit mode writes bytes 0..287 (through XMM7). */
export const FXSAVE_WRITTEN = 288;
/** Size of the 32-bit FNSTENV environment that starts an FNSAVE image / fregs_state. */
const FNSAVE_ENV = 28;
/** sizeof(struct fregs_state): the FNSAVE image (108 bytes), status and magic. */
export const FREGS_STATE_SIZE = 112;
/** sizeof(struct fxregs_state). */
export const FXSAVE_SIZE = 512;

/**
 * The environment/save image stores check their first field, then their last byte: an image
 * that runs into a bad page faults at its last byte, as the host reports.
 */
function probeImage(c: Cpu, ea: number, size: number, firstField: number): void {
  c.mmu.probeWrite(ea, firstField);
  c.mmu.probeWrite((ea + size - 1) | 0, 1);
  c.mmu.probeWrite(ea, size);
}

export class FpuImages extends FpuRegs {
  protected readonly envWords = new Int32Array(6);
  protected readonly rstorScratch = new Int32Array(24);
  /** FXSAVE/FXRSTOR stage the image here between the MMU and fxsaveTo/fxrstorFrom. */
  protected readonly fxScratch = new DataView(new ArrayBuffer(512));

  // ---- environment and state images --------------------------------------------------------

  /** Size of the environment image: 28 bytes, or 14 with a 0x66 prefix (16-bit format). */
  protected envSize(): number {
    return this.o16 ? 14 : 28;
  }

  /** Writes the protected-mode environment image (32-bit format, or 16-bit under 0x66). */
  protected writeEnv(c: Cpu, ea: number): void {
    const m = c.mmu;
    probeImage(c, ea, this.envSize(), this.o16 ? 2 : 4);
    if (this.o16) {
      m.write16(ea, this.cw);
      m.write16((ea + 2) | 0, this.getSw());
      m.write16((ea + 4) | 0, this.getTagWord());
      m.write16((ea + 6) | 0, this.fip);
      m.write16((ea + 8) | 0, this.fcs);
      m.write16((ea + 10) | 0, this.fdp);
      m.write16((ea + 12) | 0, this.fds);
      return;
    }
    m.write32(ea, this.cw | 0xffff0000);
    m.write32((ea + 4) | 0, this.getSw() | 0xffff0000);
    m.write32((ea + 8) | 0, this.getTagWord() | 0xffff0000);
    m.write32((ea + 12) | 0, this.fip);
    m.write32((ea + 16) | 0, (this.fcs & 0xffff) | ((this.fop & 0x7ff) << 16));
    m.write32((ea + 20) | 0, this.fdp);
    m.write32((ea + 24) | 0, (this.fds & 0xffff) | 0xffff0000);
  }

  /** Reads the environment image into envWords (cw, sw, tw, fip, fop, fdp) without applying it. */
  protected readEnv(c: Cpu, ea: number): void {
    const m = c.mmu;
    const w = this.envWords;
    if (this.o16) {
      w[0] = m.read16(ea); w[1] = m.read16((ea + 2) | 0); w[2] = m.read16((ea + 4) | 0);
      w[3] = m.read16((ea + 6) | 0); w[4] = 0; w[5] = m.read16((ea + 10) | 0);
      return;
    }
    w[0] = m.read32(ea); w[1] = m.read32((ea + 4) | 0); w[2] = m.read32((ea + 8) | 0);
    w[3] = m.read32((ea + 12) | 0); w[4] = (m.read32((ea + 16) | 0) >>> 16) & 0x7ff; w[5] = m.read32((ea + 20) | 0);
  }

  protected applyEnv(): void {
    const [cw, sw, tw, fip, fop, fdp] = this.envWords;
    this.cw = (cw & 0x1f3f) | 0x40;
    this.sw = sw & 0xffff & ~0x3800;
    this.top = (sw >> 11) & 7;
    let e = 0;
    for (let i = 0; i < 8; i++) if (((tw >> (2 * i)) & 3) === 3) e |= 1 << i;
    this.empty = e;
    this.fip = fip;
    this.fcs = 0; // FCS and FDS read as 0 on this CPU generation whatever was loaded
    this.fop = fop;
    this.fdp = fdp;
    this.fds = 0;
    this.updateEs();
  }

  fnstenv(c: Cpu, ea: number): void {
    this.writeEnv(c, ea);
    this.cw |= 0x3f; // masks everything, which also clears ES and B
    this.updateEs();
  }

  fldenv(c: Cpu, ea: number): void {
    // The host reads the image's first field, then checks its last byte (as FNSTENV does).
    if (this.o16) c.mmu.read16(ea); else c.mmu.read32(ea);
    c.mmu.read8((ea + this.envSize() - 1) | 0);
    this.readEnv(c, ea);
    this.applyEnv();
  }

  /** FNSAVE: the environment then ST(0)..ST(7) as 10-byte values; then FNINIT. */
  fnsave(c: Cpu, ea: number): void {
    const m = c.mmu;
    const env = this.envSize();
    probeImage(c, ea, env + 80, this.o16 ? 2 : 4);
    this.writeEnv(c, ea);
    for (let i = 0; i < 8; i++) {
      const p = this.phys(i);
      const a = (ea + env + 10 * i) | 0;
      m.write32(a, this.lo[p] | 0);
      m.write32((a + 4) | 0, this.hi[p] | 0);
      m.write16((a + 8) | 0, this.se[p]);
    }
    this.reset();
  }

  /** FRSTOR: reads the environment first (a fault reports its address), then the registers. */
  frstor(c: Cpu, ea: number): void {
    const m = c.mmu;
    const env = this.envSize();
    if (this.o16) m.read16(ea); else m.read32(ea); // the first field, then the last byte
    m.read8((ea + env + 80 - 1) | 0);
    this.readEnv(c, ea);
    const r = this.rstorScratch;
    for (let i = 0; i < 8; i++) {
      const a = (ea + env + 10 * i) | 0;
      r[3 * i] = m.read32(a);
      r[3 * i + 1] = m.read32((a + 4) | 0);
      r[3 * i + 2] = m.read16((a + 8) | 0);
    }
    this.applyEnv();
    for (let i = 0; i < 8; i++) {
      const p = this.phys(i);
      this.lo[p] = r[3 * i] >>> 0;
      this.hi[p] = r[3 * i + 1] >>> 0;
      this.se[p] = r[3 * i + 2];
    }
  }

  /** FXSAVE: the 512-byte image (bytes 288..511 are left untouched, as the CPU does). */
  fxsave(c: Cpu, ea: number): void {
    if (ea & 15) c.fault(Stop.GeneralProtection, 13); // the image must be 16-byte aligned
    const m = c.mmu;
    m.probeWrite((ea + 511) | 0, 1); // the host touches the image's last byte first
    m.probeWrite(ea, 288);
    const s = this.fxScratch;
    this.fxsaveTo(s, 0, c.sse.mxcsr, c.sse.xmm);
    for (let k = 0; k < FXSAVE_WRITTEN; k += 4) m.write32((ea + k) | 0, s.getInt32(k, true));
  }

  fxrstor(c: Cpu, ea: number): void {
    if (ea & 15) c.fault(Stop.GeneralProtection, 13);
    const m = c.mmu;
    m.read8((ea + 511) | 0); // the host touches the image's last byte first
    const s = this.fxScratch;
    for (let k = 0; k < FXSAVE_WRITTEN; k += 4) s.setInt32(k, m.read32((ea + k) | 0), true);
    if (!this.fxrstorFrom(s, 0, c.sse)) c.fault(Stop.GeneralProtection, 13);
  }

  // ---- images in a caller's buffer (the kernel's signal frames) ---------------------------

  /**
   * Writes the FXSAVE image at dv[off..]: bytes 0..287 as FXSAVE stores them in 32-bit mode
   * (abridged tag byte, registers in ST order in 16-byte slots, XMM0-7); 288..511 untouched.
   */
  fxsaveTo(dv: DataView, off: number, mxcsr: number, xmm: Int32Array): void {
    let ftw = 0;
    for (let i = 0; i < 8; i++) if (!((this.empty >> i) & 1)) ftw |= 1 << i;
    dv.setUint16(off, this.cw, true);
    dv.setUint16(off + 2, this.getSw(), true);
    dv.setUint16(off + 4, ftw, true);
    dv.setUint16(off + 6, this.fop & 0x7ff, true);
    dv.setInt32(off + 8, this.fip, true);
    dv.setInt32(off + 12, this.fcs & 0xffff, true);
    dv.setInt32(off + 16, this.fdp, true);
    dv.setInt32(off + 20, this.fds & 0xffff, true);
    dv.setInt32(off + 24, mxcsr, true);
    dv.setInt32(off + 28, MXCSR_MASK, true);
    for (let i = 0; i < 8; i++) {
      const p = this.phys(i);
      const a = off + 32 + 16 * i;
      dv.setUint32(a, this.lo[p], true);
      dv.setUint32(a + 4, this.hi[p], true);
      dv.setInt32(a + 8, this.se[p], true);
      dv.setInt32(a + 12, 0, true);
    }
    for (let i = 0; i < 32; i++) dv.setInt32(off + 160 + 4 * i, xmm[i], true);
  }

  /**
   * Loads an FXSAVE image from dv[off..] into the x87 state and sse (MXCSR, XMM0-7). Returns
   * false, changing nothing, when MXCSR has reserved bits set (FXRSTOR's #GP; the kernel
   * rejects such a signal frame).
   */
  fxrstorFrom(dv: DataView, off: number, sse: Sse): boolean {
    const mxcsr = dv.getInt32(off + 24, true);
    if (mxcsr & ~MXCSR_MASK) return false;
    const sw = dv.getUint16(off + 2, true);
    this.cw = (dv.getUint16(off, true) & 0x1f3f) | 0x40;
    this.sw = sw & ~0x3800;
    this.top = (sw >> 11) & 7;
    this.empty = ~dv.getUint8(off + 4) & 0xff;
    this.fop = dv.getUint16(off + 6, true) & 0x7ff;
    this.fip = dv.getInt32(off + 8, true);
    this.fcs = 0; // FCS and FDS read as 0 on this CPU generation whatever was loaded
    this.fdp = dv.getInt32(off + 16, true);
    this.fds = 0;
    for (let i = 0; i < 8; i++) {
      const p = this.phys(i);
      const a = off + 32 + 16 * i;
      this.lo[p] = dv.getUint32(a, true);
      this.hi[p] = dv.getUint32(a + 4, true);
      this.se[p] = dv.getUint16(a + 8, true);
    }
    sse.mxcsr = mxcsr;
    for (let i = 0; i < 32; i++) sse.xmm[i] = dv.getInt32(off + 160 + 4 * i, true);
    this.updateEs();
    return true;
  }

  /**
   * The 112-byte struct fregs_state an i386 signal frame carries in front of the FXSAVE image,
   * filled as Linux's save_fsave_header does from FXSAVE data (convert_from_fxsr): cw, sw and
   * the full tag word with 0xFFFF upper halves, FIP, FCS | FOP << 16, FDP, FDS, ST(0)..ST(7)
   * as 10-byte values, then the status word and magic 0 (X86_FXSR_MAGIC: FXSAVE data follows).
   */
  fsaveHeaderTo(dv: DataView, off: number): void {
    dv.setInt32(off, this.cw | 0xffff0000, true);
    dv.setInt32(off + 4, this.getSw() | 0xffff0000, true);
    dv.setInt32(off + 8, this.getTagWord() | 0xffff0000, true);
    dv.setInt32(off + 12, this.fip, true);
    dv.setInt32(off + 16, (this.fcs & 0xffff) | ((this.fop & 0x7ff) << 16), true);
    dv.setInt32(off + 20, this.fdp, true);
    dv.setInt32(off + 24, this.fds & 0xffff, true);
    for (let i = 0; i < 8; i++) {
      const p = this.phys(i);
      const a = off + FNSAVE_ENV + 10 * i;
      dv.setUint32(a, this.lo[p], true);
      dv.setUint32(a + 4, this.hi[p], true);
      dv.setUint16(a + 8, this.se[p], true);
    }
    dv.setUint16(off + 108, this.getSw(), true);
    dv.setUint16(off + 110, 0, true);
  }

  /**
   * Folds a fregs_state header into the state as Linux's convert_to_fxsr does on sigreturn
   * (after the FXSAVE image was loaded, the header's x87 part wins): cw, sw, tags (empty where
   * the 2-bit tag is 3), FIP, FOP from FCS's upper half, FDP and the eight registers.
   */
  fsaveHeaderFrom(dv: DataView, off: number): void {
    const sw = dv.getUint16(off + 4, true);
    const tw = dv.getUint16(off + 8, true);
    this.cw = (dv.getUint16(off, true) & 0x1f3f) | 0x40;
    this.sw = sw & ~0x3800;
    this.top = (sw >> 11) & 7;
    let e = 0;
    for (let i = 0; i < 8; i++) if (((tw >> (2 * i)) & 3) === 3) e |= 1 << i;
    this.empty = e;
    this.fip = dv.getInt32(off + 12, true);
    this.fop = dv.getUint16(off + 18, true) & 0x7ff;
    this.fdp = dv.getInt32(off + 20, true);
    this.fcs = 0;
    this.fds = 0;
    for (let i = 0; i < 8; i++) {
      const p = this.phys(i);
      const a = off + FNSAVE_ENV + 10 * i;
      this.lo[p] = dv.getUint32(a, true);
      this.hi[p] = dv.getUint32(a + 4, true);
      this.se[p] = dv.getUint16(a + 8, true);
    }
    this.updateEs();
  }
}
