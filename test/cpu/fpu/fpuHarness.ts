// Differential x87 testing: the same case runs on the host CPU (native/fpuharness.c, built with
// gcc -m32) and on the emulator's Fpu, and both report the FNSAVE image, the memory operand
// bytes, EAX and the arithmetic EFLAGS afterwards.
//
// A case: an FNSAVE-format FPU state to start from (loaded with FRSTOR), memory bytes at
// DATA_ADDR (ESI points there, so the x87 code uses [esi] / [esi+disp8] operands), EAX, EFLAGS
// and the code: x87 instructions (D8..DF with ModRM), FWAIT (9B) and FXSAVE/FXRSTOR (0F AE /0,
// /1). Code sits at CODE_ADDR in both worlds, so FIP and FDP compare directly.
//
// Where the host cannot run i386 code (x64Replay()), the harness is built as a 64-bit program
// instead and replays the same bytes in 64-bit mode: [esi]/[esi+disp] become [rsi]/[rsi+disp]
// with RSI = DATA_ADDR, so every case means the same there (runNative checks that). What
// 64-bit mode itself changes is applied to the emulator's run (FXSAVE's XMM8-15) or to the
// expectation (the CS/DS selectors an AMD host records). On a host that is not Intel, in
// either mode, the x87 pointer fields it records differ from those of the Intel CPU the
// emulator models: runBoth() then holds the emulator's to the Intel rules and the host's to
// the AMD rules (x87Pointers.ts), and compares everything else directly.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Cpu } from '../../../src/cpu/cpu.js';
import { decodeAt } from '../../../src/cpu/decoder.js';
import { Mmu, PAGE_FAULT } from '../../../src/mmu/mmu.js';
import { PhysicalMemory } from '../../../src/mmu/physicalMemory.js';
import { PTE_P, PTE_RW, PTE_US } from '../../../src/mmu/paging.js';
import { hostVendor, nativeI386Unavailable, x64Replay } from '../../helpers/nativeI386.js';
import { runDir } from '../../helpers/runDir.js';
import { decode, expectPointers, HostTrace } from './x87Pointers.js';

export const CODE_ADDR = 0x20000000;
export const DATA_ADDR = 0x20010000;
const SAVE_ADDR = 0x30000000;

const SRC = fileURLToPath(new URL('./native/fpuharness.c', import.meta.url));
/** True when the reference is the 64-bit build of the harness (see the header). */
export const REPLAY = x64Replay();
const GCC_ARGS = REPLAY ? ['-O1', '-no-pie', '-fno-pie'] : ['-m32', '-O1', '-no-pie', '-fno-pie'];

export interface FpuCase {
  /** 108-byte FNSAVE image to start from. */
  state: Uint8Array;
  mem: Uint8Array;
  eax: number;
  eflags: number;
  code: number[];
}

export interface FpuResult {
  state: Uint8Array;
  mem: Uint8Array;
  eax: number;
  eflags: number;
  /** OK, FPE (#MF), ILL (#UD), SEGV. */
  status: string;
  /** Set by runBoth on a non-Intel host when the pointer fields break the vendor's rules. */
  pointerError?: string;
}

/**
 * Null when the host can run the harness (i386 natively, or the x86-64 replay), else why not:
 * the one reason to skip. That the harness then builds and runs is checked by the first case.
 */
export function nativeUnavailable(): string | null {
  return REPLAY ? null : nativeI386Unavailable();
}

let bin: string | undefined;

/** Builds the native harness (once per process); throws when it does not build or run. */
function harness(): string {
  if (bin !== undefined && existsSync(bin)) return bin;
  const why = nativeUnavailable();
  if (why !== null) throw new Error(`the x87 harness cannot run here: ${why}`);
  const out = `${runDir('fpu')}/${REPLAY ? 'fpuharness-x64' : 'fpuharness'}`;
  const r = spawnSync('gcc', [...GCC_ARGS, '-o', out, SRC], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`gcc ${GCC_ARGS.join(' ')} cannot build the x87 harness: ${(r.stderr || String(r.error)).slice(0, 300)}`);
  const probe = spawnSync(out, [], { input: '', encoding: 'utf8' });
  if (probe.status !== 0) throw new Error(`the x87 harness does not run here (status ${probe.status}): ${probe.stderr}`);
  bin = out;
  return bin;
}

export function hex(b: Uint8Array | number[]): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += (b[i] & 0xff).toString(16).padStart(2, '0');
  return s.length ? s : '-';
}

function unhex(s: string): Uint8Array {
  if (s === '-') return new Uint8Array(0);
  const b = new Uint8Array(s.length >> 1);
  for (let i = 0; i < b.length; i++) b[i] = parseInt(s.substr(2 * i, 2), 16);
  return b;
}

function be32(v: number): string {
  return (v >>> 0).toString(16).padStart(8, '0');
}

/**
 * Whether code is only x87 instructions (D8..DF, register or [esi]/[esi+disp] forms), FWAIT and
 * FXSAVE/FXRSTOR [esi+disp]: the bytes that mean the same in 64-bit mode. Other bytes could be
 * REX prefixes there (40..4F) or address RIP-relative (mod 00, r/m 101).
 */
function replayable(code: number[]): boolean {
  let p = 0;
  while (p < code.length) {
    let b = code[p++];
    if (b === 0x9b) continue;
    if (b === 0x0f) b = code[p++] === 0xae ? 0xae : -1;
    if (b !== 0xae && (b < 0xd8 || b > 0xdf)) return false;
    const modrm = code[p++];
    if (modrm === undefined) return false;
    if (b === 0xae && (modrm >= 0xc0 || ((modrm >> 3) & 7) > 1)) return false;
    if (modrm >= 0xc0) continue;
    if ((modrm & 7) !== 6) return false;
    p += modrm >> 6 === 1 ? 1 : modrm >> 6 === 2 ? 4 : 0;
  }
  return p === code.length;
}

export function runNative(cases: FpuCase[]): FpuResult[] {
  if (REPLAY) {
    // Every case written so far replays; a new kind of case must be checked before it is.
    const bad = cases.find((c) => !replayable(c.code));
    if (bad) throw new Error(`x86-64 replay cannot run code ${hex(bad.code)} as it runs in 32-bit mode`);
  }
  const out: FpuResult[] = [];
  const CHUNK = 20000;
  for (let k = 0; k < cases.length; k += CHUNK) {
    const part = cases.slice(k, k + CHUNK);
    const input = part.map((c) => `${hex(c.state)} ${hex(c.mem)} ${be32(c.eax)} ${be32(c.eflags)} ${hex(c.code)}`).join('\n') + '\n';
    const r = spawnSync(harness(), [], { input, encoding: 'utf8', maxBuffer: 1 << 30 });
    if (r.status !== 0) throw new Error(`fpuharness failed: ${r.stderr} ${String(r.error)}`);
    const lines = r.stdout.trim().split('\n');
    if (lines.length !== part.length) throw new Error(`fpuharness: ${lines.length} results for ${part.length} cases`);
    for (const line of lines) {
      const [st, mem, eax, efl, status] = line.split(' ');
      out.push({ state: unhex(st), mem: unhex(mem), eax: parseInt(eax, 16) >>> 0, eflags: parseInt(efl, 16) >>> 0, status });
    }
  }
  return out;
}

// ---- the emulator side ----------------------------------------------------------------------

let emuCpu: Cpu | null = null;

/** A CPU with the code, data and save pages mapped user read/write. */
export function makeCpu(): Cpu {
  const mem = new PhysicalMemory(16 << 20);
  const mmu = new Mmu(mem);
  const c = new Cpu(mmu);
  const dv = mem.dv;
  const PD = 0x1000;
  let nextTable = 0x2000;
  let nextFrame = 0x100000;
  const map = (lin: number) => {
    const pdi = lin >>> 22, pti = (lin >>> 12) & 0x3ff;
    let pde = dv.getUint32(PD + pdi * 4, true);
    if (!(pde & PTE_P)) {
      pde = nextTable | PTE_P | PTE_RW | PTE_US;
      nextTable += 0x1000;
      dv.setUint32(PD + pdi * 4, pde, true);
    }
    const pt = pde & ~0xfff;
    dv.setUint32(pt + pti * 4, nextFrame | PTE_P | PTE_RW | PTE_US, true);
    nextFrame += 0x1000;
  };
  for (let a = 0; a < 0x3000; a += 0x1000) map(DATA_ADDR + a);
  map(CODE_ADDR);
  map(SAVE_ADDR);
  map(SAVE_ADDR + 0x1000);
  mmu.setCr3(PD);
  return c;
}

function writeBytes(c: Cpu, a: number, b: Uint8Array): void {
  for (let i = 0; i < b.length; i++) c.mmu.write8(a + i, b[i]);
}

function readBytes(c: Cpu, a: number, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = c.mmu.read8(a + i);
  return b;
}

/** Cpu.fault() throws a sentinel (after setting stopReason); older CPUs just returned. */
export function isCpuFault(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { kind?: string }).kind === 'cpu-fault';
}

// The selectors an AMD host records: 64-bit user CS and a null DS in replay (an artifact of
// 64-bit mode), else the i386 user CS and DS.
const HOST_CS = REPLAY ? 0x33 : 0x23;
const HOST_DS = REPLAY ? 0 : 0x2b;

/** Runs one case's code through the emulator's Fpu; returns the status string. */
function runCode(c: Cpu, code: number[]): string {
  if (code.length > 0x1000) throw new Error('harness: the code page holds 4096 bytes');
  writeBytes(c, CODE_ADDR, Uint8Array.from(code));
  let p = 0;
  const esi = DATA_ADDR;
  while (p < code.length) {
    const start = p;
    let b = code[p++];
    let twoByte = false, modrm = 0, ea = 0;
    c.prevEip = CODE_ADDR + start;
    c.stopReason = -1;
    if (b === 0x9b) {
      try {
        c.fpu.fwait(c);
      } catch (e) {
        if (!isCpuFault(e)) throw e;
      }
    } else {
      if (b === 0x0f) { twoByte = true; b = code[p++]; } // 0F AE
      modrm = code[p++];
      if (modrm < 0xc0) {
        const mod = modrm >> 6, rm = modrm & 7;
        if (rm !== 6) throw new Error('test code must address memory through [esi]');
        if (mod === 0) ea = esi;
        else if (mod === 1) { ea = esi + ((code[p++] << 24) >> 24); }
        else { ea = esi + (code[p] | (code[p + 1] << 8) | (code[p + 2] << 16) | (code[p + 3] << 24)); p += 4; }
      }
      try {
        if (twoByte) {
          const r = (modrm >> 3) & 7;
          if (r === 0) c.fpu.fxsave(c, ea);
          else c.fpu.fxrstor(c, ea);
        } else {
          // Through the decoder, as the run loop does: the hot forms have decode-time
          // handlers of their own (src/cpu/fpu/fpuHandlers.ts), the rest go to Fpu.exec.
          const insn = decodeAt(c, CODE_ADDR + start);
          if (insn.len !== p - start || (insn.isMem && c.ea(insn) !== ea)) throw new Error('harness: the decoder disagrees on the instruction');
          insn.fn(c, insn);
        }
      } catch (e) {
        if (e === PAGE_FAULT) return 'SEGV';
        if (!isCpuFault(e)) throw e;
      }
    }
    if (c.stopReason >= 0) {
      return c.trapVector === 16 ? 'FPE' : c.trapVector === 6 ? 'ILL' : 'SEGV';
    }
    // 64-bit FXSAVE also stores XMM8-XMM15 (zeroed by the harness) in bytes 288..415, which in
    // 32-bit mode are reserved and left alone: a replay artifact.
    if (REPLAY && twoByte && ((modrm >> 3) & 7) === 0) for (let i = 288; i < 416; i++) c.mmu.write8(ea + i, 0);
  }
  return 'OK';
}

export function runEmu(cases: FpuCase[]): FpuResult[] {
  if (!emuCpu) emuCpu = makeCpu();
  const c = emuCpu;
  const out: FpuResult[] = [];
  const zero = new Uint8Array(0x2000);
  for (const k of cases) {
    c.fpu.reset();
    c.sse.mxcsr = 0x1f80;
    c.sse.xmm.fill(0);
    writeBytes(c, SAVE_ADDR, k.state);
    c.fpu.frstor(c, SAVE_ADDR);
    writeBytes(c, DATA_ADDR, zero);
    writeBytes(c, DATA_ADDR, k.mem);
    c.regs[0] = k.eax | 0;
    c.regs[6] = DATA_ADDR;
    c.setEflags((k.eflags & 0x8d5) | 0x202);
    const status = runCode(c, k.code);
    c.fpu.fnsave(c, SAVE_ADDR);
    out.push({
      state: readBytes(c, SAVE_ADDR, 108),
      mem: readBytes(c, DATA_ADDR, k.mem.length),
      eax: c.regs[0] >>> 0,
      eflags: (c.getEflags() & 0x8d5) >>> 0,
      status,
    });
  }
  return out;
}

/**
 * Runs the cases natively and on the emulator. On an Intel host that is all: the host is the
 * reference for every field. On any other host the pointer fields (FIP, FCS, FOP, FDP, FDS in
 * the final state and in every image the code stores, and FXSAVE's MXCSR_MASK) are held to
 * the rules of each side's vendor (x87Pointers.ts): the emulator's to Intel's, the host's to
 * AMD's (pointerError says which broke them); where both keep to them, the emulator's result
 * gets the host's bytes there so that everything else still compares exactly.
 */
export function runBoth(cases: FpuCase[]): { nat: FpuResult[]; emu: FpuResult[] } {
  const nat = runNative(cases), emu = runEmu(cases);
  if (hostVendor() !== 'intel') checkPointers(cases, nat, emu);
  return { nat, emu };
}

/** Runs every prefix of each case on the host: ES at each instruction boundary, and where it stopped. */
function hostTraces(cases: FpuCase[], nat: FpuResult[]): HostTrace[] {
  const probes: FpuCase[] = [], owner: number[] = [];
  const insns = cases.map((c) => decode(c.code, DATA_ADDR));
  cases.forEach((c, i) => {
    const ends = [0, ...insns[i].map((x) => x.end)].slice(0, -1);
    for (const e of ends) { probes.push({ ...c, code: c.code.slice(0, e) }); owner.push(i); }
  });
  const res = runNative(probes);
  const traces: HostTrace[] = cases.map(() => ({ es: [], stop: -1 }));
  const statusOf: string[][] = cases.map(() => []);
  res.forEach((r, j) => {
    traces[owner[j]].es.push(r.status === 'OK' && (r.state[4] & 0x80) !== 0);
    statusOf[owner[j]].push(r.status);
  });
  cases.forEach((_, i) => {
    const t = traces[i], st = statusOf[i];
    t.es.push(nat[i].status === 'OK' && (nat[i].state[4] & 0x80) !== 0);
    st.push(nat[i].status);
    // st[k] is the status after instructions 0..k-1: the first non-OK one stopped at k - 1.
    const k = st.findIndex((x) => x !== 'OK');
    t.stop = k < 0 ? insns[i].length : k - 1;
    if (t.stop < 0) throw new Error(`the harness faulted before case ${i}'s code ran`);
  });
  return traces;
}

/** Whether the host's own pointer fields (final state and stored images) keep to the AMD rules. */
function hostKeepsAmdRules(n: FpuResult, amd: ReturnType<typeof expectPointers>): boolean {
  if (n.status === 'OK' && hex(n.state.subarray(12, 28)) !== hex(amd.final)) return false;
  for (const [o, v] of amd.mem) if (o < n.mem.length && n.mem[o] !== v) return false;
  return true;
}

function checkPointers(cases: FpuCase[], nat: FpuResult[], emu: FpuResult[]): void {
  const traces = hostTraces(cases, nat);
  const at = { codeAddr: CODE_ADDR, dataAddr: DATA_ADDR, cs: HOST_CS, ds: HOST_DS };
  const h = (b: Uint8Array | number[]) => hex(b);
  // An AMD core drops FIP/FOP/FDP when its x87 state is saved and restored with no exception
  // pending. The harness repeats a case its own kernel switched away from, but a hypervisor
  // (this may be a PVM guest) can do the same unseen: a case whose host side broke the AMD
  // rules is run again, and only a deviation that repeats counts against the model.
  for (let round = 0; round < 4; round++) {
    const redo = cases.map((_, i) => i).filter((i) => !hostKeepsAmdRules(nat[i], expectPointers('amd', cases[i].code, cases[i].state, cases[i].mem, traces[i], at)));
    if (redo.length === 0) break;
    const again = runNative(redo.map((i) => cases[i]));
    redo.forEach((i, k) => { if (again[k].status === nat[i].status) nat[i] = again[k]; });
  }
  cases.forEach((c, i) => {
    const intel = expectPointers('intel', c.code, c.state, c.mem, traces[i], at);
    const amd = expectPointers('amd', c.code, c.state, c.mem, traces[i], at);
    const n = nat[i], e = emu[i];
    const errs: string[] = [];
    const got = e.state.subarray(12, 28);
    if (h(got) !== h(intel.final)) errs.push(`emulator's FIP..FDS ${describePointers(got)}, Intel records ${describePointers(intel.final)}`);
    // A faulting case's native state comes from the signal frame, whose pointer fields the
    // kernel partly fills in itself: there only the emulator's are checked.
    if (n.status === 'OK' && h(n.state.subarray(12, 28)) !== h(amd.final)) {
      errs.push(`host's FIP..FDS ${describePointers(n.state.subarray(12, 28))}, the AMD rules say ${describePointers(amd.final)} (the model is wrong)`);
    }
    for (const [o, v] of intel.mem) {
      if (o >= e.mem.length) continue;
      if (e.mem[o] !== v) { errs.push(`emulator's stored image byte [${o}] = ${e.mem[o].toString(16)}, Intel stores ${v.toString(16)}`); break; }
    }
    for (const [o, v] of amd.mem) {
      if (o >= n.mem.length) continue;
      if (n.mem[o] !== v) { errs.push(`host's stored image byte [${o}] = ${n.mem[o].toString(16)}, the AMD rules say ${v.toString(16)} (the model is wrong)`); break; }
    }
    if (errs.length) { e.pointerError = errs.join('; '); return; }
    e.state.set(n.state.subarray(12, 28), 12);
    for (const o of intel.mem.keys()) if (o < e.mem.length && o < n.mem.length) e.mem[o] = n.mem[o];
  });
}

function describePointers(b: Uint8Array): string {
  const dv = new DataView(b.buffer, b.byteOffset, 16);
  const w = dv.getUint32(4, true);
  return `fip=${dv.getUint32(0, true).toString(16)} fcs=${(w & 0xffff).toString(16)} fop=${(w >>> 16).toString(16)} fdp=${dv.getUint32(8, true).toString(16)} fds=${dv.getUint32(12, true).toString(16)}`;
}

// ---- building cases ---------------------------------------------------------------------------

/** An 80-bit value as [se, hi, lo]. */
export type X80 = [number, number, number];

/**
 * An FNSAVE image: control word, status word (TOP from `top`), the given ST(0).. values (the
 * rest empty), FIP/FDP 0 unless given.
 */
export function makeState(cw: number, stack: X80[], opts: { sw?: number; top?: number; fdp?: number; fip?: number; fop?: number } = {}): Uint8Array {
  const b = new Uint8Array(108);
  const dv = new DataView(b.buffer);
  const top = opts.top ?? ((8 - stack.length) & 7);
  dv.setUint32(0, cw, true);
  dv.setUint32(4, ((opts.sw ?? 0) & ~0x3800) | (top << 11), true);
  let tw = 0xffff;
  for (let i = 0; i < stack.length; i++) {
    const p = (top + i) & 7;
    tw &= ~(3 << (2 * p));
  }
  dv.setUint32(8, tw, true);
  dv.setUint32(12, opts.fip ?? 0, true);
  dv.setUint32(16, (opts.fop ?? 0) << 16, true);
  dv.setUint32(20, opts.fdp ?? 0, true);
  for (let i = 0; i < stack.length; i++) {
    const a = 28 + 10 * i;
    dv.setUint32(a, stack[i][2] >>> 0, true);
    dv.setUint32(a + 4, stack[i][1] >>> 0, true);
    dv.setUint16(a + 8, stack[i][0], true);
  }
  return b;
}

/** Readable description of an FNSAVE image. */
export function describeState(s: Uint8Array): string {
  const dv = new DataView(s.buffer, s.byteOffset, s.byteLength);
  const w = (o: number) => dv.getUint32(o, true).toString(16).padStart(8, '0');
  let r = `cw=${w(0)} sw=${w(4)} tw=${w(8)} fip=${w(12)} fop=${w(16)} fdp=${w(20)} fds=${w(24)}`;
  for (let i = 0; i < 8; i++) {
    const a = 28 + 10 * i;
    r += ` st${i}=${dv.getUint16(a + 8, true).toString(16).padStart(4, '0')}:${dv.getUint32(a + 4, true).toString(16).padStart(8, '0')}${dv.getUint32(a, true).toString(16).padStart(8, '0')}`;
  }
  return r;
}

/** Compares results; returns a description of the first difference or null. */
export function diff(a: FpuResult, b: FpuResult, opts: { ignoreEflags?: boolean } = {}): string | null {
  if (a.status !== b.status) return `status ${a.status} vs ${b.status}`;
  if (b.pointerError) return `pointer fields: ${b.pointerError}`;
  if (a.status !== 'OK') {
    // The native state then comes from the signal frame, whose pointer fields (12..27) the
    // kernel fills in partly itself: the rest of the state, memory and EAX are compared.
    const cut = (x: Uint8Array) => hex(x.subarray(0, 12)) + hex(x.subarray(28));
    if (cut(a.state) !== cut(b.state)) return `state at the fault\n  native ${describeState(a.state)}\n  emu    ${describeState(b.state)}`;
  } else if (hex(a.state) !== hex(b.state)) return `state\n  native ${describeState(a.state)}\n  emu    ${describeState(b.state)}`;
  if (hex(a.mem) !== hex(b.mem)) {
    const d: string[] = [];
    for (let i = 0; i < a.mem.length && d.length < 12; i++) {
      if (a.mem[i] !== b.mem[i]) d.push(`[${i}] ${a.mem[i].toString(16)} vs ${b.mem[i].toString(16)}`);
    }
    return `mem differs: ${d.join(', ')}`;
  }
  if (a.eax !== b.eax) return `eax ${a.eax.toString(16)} vs ${b.eax.toString(16)}`;
  if (!opts.ignoreEflags && a.eflags !== b.eflags) return `eflags ${a.eflags.toString(16)} vs ${b.eflags.toString(16)}`;
  return null;
}

// ---- random operands --------------------------------------------------------------------------

/** Small deterministic PRNG (xorshift32). */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }
  u32(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  int(n: number): number {
    return this.u32() % n;
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)];
  }
}

/** Random extended values weighted toward edge cases. */
export function randX80(r: Rng, near?: X80): X80 {
  const s = r.int(2) << 15;
  const k = r.int(100);
  const rsig = (): [number, number] => {
    const t = r.int(6);
    if (t === 0) return [0x80000000, 0];
    if (t === 1) return [0xffffffff, 0xffffffff];
    if (t === 2) return [(0x80000000 | r.u32()) >>> 0, 0];
    if (t === 3) return [(0x80000000 | r.u32()) >>> 0, r.u32() & 0xfffff800];
    return [(0x80000000 | r.u32()) >>> 0, r.u32()];
  };
  if (near && k < 25) {
    // Close to another operand: same or neighbouring exponent, similar significand.
    const [h, l] = r.int(2) ? [near[1], (near[2] + r.int(5) - 2) >>> 0] : rsig();
    const e = Math.max(1, Math.min(0x7ffe, (near[0] & 0x7fff) + r.int(5) - 2));
    return [s | e, h, l];
  }
  if (k < 40) {
    const [h, l] = rsig();
    return [s | (0x3fff + r.int(128) - 64), h, l];
  }
  if (k < 55) {
    const [h, l] = rsig();
    return [s | (1 + r.int(0x7ffe)), h, l];
  }
  if (k < 62) {
    const [h, l] = rsig();
    return [s | (r.int(2) ? 1 + r.int(70) : 0x7ffe - r.int(70)), h, l];
  }
  if (k < 67) return [s, 0, 0];
  if (k < 72) return [s, r.u32() >>> (r.int(32)), r.u32()]; // denormal
  if (k < 75) return [s | 0x7fff, 0x80000000, 0];
  if (k < 78) return [s | 0x7fff, (0xc0000000 | r.u32()) >>> 0, r.u32()]; // QNaN
  if (k < 80) return [s | 0x7fff, (0x80000000 | (r.u32() & 0x3fffffff) | 1) >>> 0, r.u32()]; // SNaN
  if (k < 81) return [s | (r.int(2) ? 0x7fff : 1 + r.int(0x7ffe)), r.u32() & 0x7fffffff, r.u32()]; // unsupported
  if (k < 82) return [s, (0x80000000 | r.u32()) >>> 0, r.u32()]; // pseudo-denormal
  if (k < 90) {
    // a double-representable value
    const [h, l] = rsig();
    return [s | (0x3fff + r.int(2100) - 1050), h, l & 0xfffff800];
  }
  // small integers and simple fractions
  const v = r.int(2000) - 1000;
  if (v === 0) return [s, 0, 0];
  const a = Math.abs(v);
  const z = Math.clz32(a);
  return [((v < 0 ? 0x8000 : 0) | (0x3fff + 31 - z - r.int(3))) >>> 0, (a << z) >>> 0, 0];
}

/** Control words to sweep: all rounding modes × precisions, exceptions masked (mostly). */
export function randCw(r: Rng, unmaskSometimes = true): number {
  const rc = r.int(4), pc = r.pick([0, 1, 2, 3, 3]);
  let masks = 0x3f;
  if (unmaskSometimes && r.int(10) === 0) masks = r.u32() & 0x3f;
  return 0x40 | masks | (pc << 8) | (rc << 10);
}

/** A random float32 bit pattern weighted toward edge cases. */
export function randF32(r: Rng): number {
  const k = r.int(10);
  const s = r.int(2) << 31;
  if (k === 0) return (s | (r.u32() & 0x7fffff)) >>> 0; // denormal / zero
  if (k === 1) return (s | 0x7f800000 | (r.int(3) ? r.u32() & 0x7fffff : 0)) >>> 0; // inf/NaN
  if (k === 2) return (s | ((127 + r.int(20) - 10) << 23) | (r.u32() & 0x7fff00)) >>> 0;
  return (s | (r.u32() & 0x7fffffff)) >>> 0;
}

export function randF64(r: Rng): [number, number] {
  const k = r.int(10);
  const s = r.int(2) << 31;
  if (k === 0) return [(s | (r.u32() & 0xfffff >>> r.int(21))) >>> 0, r.u32()];
  if (k === 1) return [(s | 0x7ff00000 | (r.int(3) ? r.u32() & 0xfffff : 0)) >>> 0, r.int(3) ? r.u32() : 0];
  if (k === 2) return [(s | ((1023 + r.int(40) - 20) << 20) | (r.u32() & 0xfffff)) >>> 0, r.u32() & 0xffff0000];
  return [(s | (r.u32() & 0x7fffffff)) >>> 0, r.u32()];
}
