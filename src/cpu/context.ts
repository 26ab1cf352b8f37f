// A thread's architectural user state while it is off the CPU (Linux keeps it in pt_regs and
// the task's fpu struct): general registers, EIP, EFLAGS, segment selectors and bases, the
// three GDT TLS descriptors, and the x87/SSE state. Preallocated once per thread, so a
// context switch copies typed arrays and allocates nothing.
import type { TlsDescriptor } from './cpu.js';
import { GDT_ENTRY_TLS_ENTRIES } from './registers.js';

export class CpuContext {
  readonly regs = new Int32Array(8);
  eip = 0;
  eflags = 0x202;
  readonly segSel = new Uint16Array(6);
  readonly segBase = new Int32Array(7);
  /** Cpu.segLimited / segLimitLo / segLimitHi: the LDT segment limits being enforced. */
  segLimited = 0;
  readonly segLimitLo = new Uint32Array(6);
  readonly segLimitHi = new Uint32Array(6);
  /** Cpu.segNoWrite / segNoRead: read-only and execute-only segments. */
  segNoWrite = 0;
  segNoRead = 0;
  /** Cpu.code16: CS is a 16-bit code segment (its base and limit are in segBase/segLimit*). */
  code16 = false;
  readonly tls: TlsDescriptor[] = [];
  // x87
  fcw = 0x037f;
  fsw = 0;
  ftop = 0;
  fempty = 0xff;
  readonly fse = new Uint16Array(8);
  readonly fhi = new Uint32Array(8);
  readonly flo = new Uint32Array(8);
  fip = 0;
  fcs = 0;
  fop = 0;
  fdp = 0;
  fds = 0;
  // SSE
  readonly xmm = new Int32Array(32);
  mxcsr = 0x1f80;

  constructor() {
    for (let i = 0; i < GDT_ENTRY_TLS_ENTRIES; i++) this.tls.push({ base: 0, limit: 0, flags: 0, present: false });
  }

  /** Copies another context (fork/clone: the child starts as a copy of the parent). */
  copyFrom(o: CpuContext): void {
    this.regs.set(o.regs);
    this.eip = o.eip;
    this.eflags = o.eflags;
    this.segSel.set(o.segSel);
    this.segBase.set(o.segBase);
    this.segLimited = o.segLimited;
    this.segLimitLo.set(o.segLimitLo);
    this.segLimitHi.set(o.segLimitHi);
    this.segNoWrite = o.segNoWrite;
    this.segNoRead = o.segNoRead;
    this.code16 = o.code16;
    for (let i = 0; i < this.tls.length; i++) Object.assign(this.tls[i], o.tls[i]);
    this.fcw = o.fcw; this.fsw = o.fsw; this.ftop = o.ftop; this.fempty = o.fempty;
    this.fse.set(o.fse); this.fhi.set(o.fhi); this.flo.set(o.flo);
    this.fip = o.fip; this.fcs = o.fcs; this.fop = o.fop; this.fdp = o.fdp; this.fds = o.fds;
    this.xmm.set(o.xmm);
    this.mxcsr = o.mxcsr;
  }
}
