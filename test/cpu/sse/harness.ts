// Differential harness for the MMX/SSE/SSE2 tests: the same code bytes run from the same state
// (XMM0-7, MM0-7, MXCSR, EAX..EDI, flags, a 256-byte memory window) on the real CPU through
// native/sseharness.c and on the emulator's CPU, and the resulting states are compared byte for
// byte (see the state layout in sseharness.c).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cpu } from '../../../src/cpu/cpu.js';
import { Stop } from '../../../src/cpu/stop.js';
import { nativeI386Unavailable } from '../../helpers/nativeI386.js';
import { ESP } from '../../../src/cpu/registers.js';
import { mmxOf } from '../../../src/cpu/sse/mmx.js';
import { Mmu } from '../../../src/mmu/mmu.js';
import { PhysicalMemory, PAGE_SIZE } from '../../../src/mmu/physicalMemory.js';
import { PTE_P, PTE_RW, PTE_US } from '../../../src/mmu/paging.js';

export const STATE_SIZE = 496;
export const OFF_XMM = 0, OFF_MM = 128, OFF_GPR = 192, OFF_EFLAGS = 224, OFF_MXCSR = 228;
export const OFF_FTW = 232, OFF_FSW = 236, OFF_MEM = 240;
export const MEM_ADDR = 0x10001f00;
export const MEM_SIZE = 256;
export const WIN_ADDR = 0x10000000;
const CODE_ADDR = 0x00400000;
const STACK_ADDR = 0x00800000;
const LOADABLE_FLAGS = 0x0cd5;

const SRC = fileURLToPath(new URL('./native/sseharness.c', import.meta.url));
const BUILD_DIR = join(tmpdir(), 'i386emu-sse');
const BIN = join(BUILD_DIR, 'sseharness');

let nativeStatus: string | null = null;

/** Builds the native harness if needed; returns null when ready, else why it cannot run. */
export function nativeUnavailable(): string | null {
  if (nativeStatus !== null) return nativeStatus === '' ? null : nativeStatus;
  const host = nativeI386Unavailable();
  if (host !== null) {
    nativeStatus = host;
    return nativeStatus;
  }
  try {
    if (!existsSync(BIN) || statSync(BIN).mtimeMs < statSync(SRC).mtimeMs) {
      mkdirSync(BUILD_DIR, { recursive: true });
      const r = spawnSync('gcc', ['-m32', '-O1', '-msse2', '-o', BIN, SRC], { encoding: 'utf8' });
      if (r.status !== 0) {
        nativeStatus = `gcc -m32 failed (is gcc-multilib installed?): ${r.error?.message ?? r.stderr}`;
        return nativeStatus;
      }
    }
  } catch (e) {
    nativeStatus = `cannot build the native harness: ${(e as Error).message}`;
    return nativeStatus;
  }
  nativeStatus = '';
  return null;
}

export interface Case {
  code: number[];
  state: Uint8Array;
}

export interface Outcome {
  /** 0 when the snippet ran to its end; otherwise the signal (native) or the Stop (emulator). */
  stop: number;
  siCode: number;
  state: Uint8Array;
}

function hex(b: Uint8Array | number[]): string {
  let s = '';
  for (let k = 0; k < b.length; k++) s += (b[k] & 0xff).toString(16).padStart(2, '0');
  return s;
}

function unhex(s: string): Uint8Array {
  const out = new Uint8Array(s.length >> 1);
  for (let k = 0; k < out.length; k++) out[k] = parseInt(s.substr(2 * k, 2), 16);
  return out;
}

/** Signal → the Stop the emulator should report (SIGSEGV split by si_code: 128 is #GP). */
export function expectedStop(sig: number, siCode: number): number {
  switch (sig) {
    case 0: return Stop.Breakpoint;
    case 4: return Stop.InvalidOpcode;
    case 8: return Stop.FloatingPoint;
    case 11: return siCode === 128 ? Stop.GeneralProtection : Stop.PageFault;
    default: return -sig;
  }
}

export function runNative(cases: Case[]): Outcome[] {
  const input = cases.map((c) => `${hex(c.code)} ${hex(c.state)}`).join('\n') + '\n';
  const r = spawnSync(BIN, [], { input, encoding: 'utf8', maxBuffer: 1 << 30, timeout: 300_000 });
  if (r.status !== 0) throw new Error(`sseharness failed (${r.status} ${r.signal}): ${r.stderr}`);
  const lines = r.stdout.split('\n').filter((l) => l.length > 0);
  if (lines.length !== cases.length) throw new Error(`sseharness: ${cases.length} cases, ${lines.length} results`);
  return lines.map((l) => {
    const f = l.split(' ');
    if (f[0] === 'OK') return { stop: 0, siCode: 0, state: unhex(f[1]) };
    return { stop: Number(f[1]), siCode: Number(f[2]), state: unhex(f[3]) };
  });
}

// ---- the emulator side --------------------------------------------------------------------

interface Machine {
  mem: PhysicalMemory;
  mmu: Mmu;
  cpu: Cpu;
  codePhys: number;
  stackPhys: number;
  winPhys: number[];
}
let machine: Machine | null = null;

function getMachine(): Machine {
  if (machine) return machine;
  const mem = new PhysicalMemory(1 << 20);
  const pd = mem.allocFrame() * PAGE_SIZE;
  const map = (lin: number): number => {
    const pdeAddr = pd + (lin >>> 22) * 4;
    let pde = mem.dv.getInt32(pdeAddr, true);
    if (!(pde & PTE_P)) {
      pde = (mem.allocFrame() * PAGE_SIZE) | PTE_P | PTE_RW | PTE_US;
      mem.dv.setInt32(pdeAddr, pde, true);
    }
    const phys = mem.allocFrame() * PAGE_SIZE;
    const pteAddr = ((pde & ~0xfff) >>> 0) + ((lin >>> 12) & 0x3ff) * 4;
    mem.dv.setInt32(pteAddr, phys | PTE_P | PTE_RW | PTE_US, true);
    return phys;
  };
  const codePhys = map(CODE_ADDR);
  const stackPhys = map(STACK_ADDR);
  const winPhys = [map(WIN_ADDR), map(WIN_ADDR + 0x1000)];
  const mmu = new Mmu(mem);
  mmu.setCr3(pd);
  const cpu = new Cpu(mmu);
  machine = { mem, mmu, cpu, codePhys, stackPhys, winPhys };
  return machine;
}

const i32 = (b: Uint8Array, o: number): number => (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24));
const put32 = (b: Uint8Array, o: number, v: number): void => {
  b[o] = v; b[o + 1] = v >> 8; b[o + 2] = v >> 16; b[o + 3] = v >> 24;
};

export function runEmu(cs: Case): Outcome {
  const m = getMachine();
  const { mem, cpu } = m;
  const st = cs.state;
  mem.bytes.fill(0xcc, m.codePhys, m.codePhys + PAGE_SIZE);
  mem.bytes.set(cs.code, m.codePhys);
  mem.bytes.fill(0, m.stackPhys, m.stackPhys + PAGE_SIZE);
  mem.bytes.fill(0, m.winPhys[0], m.winPhys[0] + PAGE_SIZE);
  mem.bytes.fill(0, m.winPhys[1], m.winPhys[1] + PAGE_SIZE);
  mem.bytes.set(st.subarray(OFF_MEM, OFF_MEM + MEM_SIZE), m.winPhys[1] + (MEM_ADDR & 0xfff));
  cpu.flushCodeCache();
  m.mmu.flushTlb();
  cpu.resetSegments();
  for (let r = 0; r < 8; r++) cpu.regs[r] = i32(st, OFF_GPR + 4 * r);
  cpu.regs[ESP] = STACK_ADDR + PAGE_SIZE;
  cpu.setEflags((i32(st, OFF_EFLAGS) & LOADABLE_FLAGS) | 0x202);
  cpu.sse.u8.set(st.subarray(OFF_XMM, OFF_XMM + 128));
  cpu.sse.mxcsr = i32(st, OFF_MXCSR);
  const mmx = mmxOf(cpu);
  for (let r = 0; r < 8; r++) mmx.setMmx(r, i32(st, OFF_MM + 8 * r), i32(st, OFF_MM + 8 * r + 4));
  // As FXRSTOR leaves the x87 unit natively: TOP = 0, tags from the abridged tag byte.
  cpu.fpu.top = (st[OFF_FSW + 1] >> 3) & 7;
  cpu.fpu.empty = ~st[OFF_FTW] & 0xff;
  cpu.fpu.sw = st[OFF_FSW];
  cpu.fpu.cw = 0x37f & ~(st[OFF_FSW] & 0x3f);
  cpu.eip = CODE_ADDR;
  let stop: number = Stop.Budget;
  for (let n = 0; n < 100 && stop === Stop.Budget; n++) stop = cpu.run(1000);

  const out = new Uint8Array(STATE_SIZE);
  out.set(cpu.sse.u8, OFF_XMM);
  out[OFF_FTW] = ~cpu.fpu.empty & 0xff;
  put32(out, OFF_FSW, cpu.fpu.getSw() & 0xffff);
  for (let r = 0; r < 8; r++) {
    const v = cpu.fpu.peekMmx(r);
    put32(out, OFF_MM + 8 * r, v.lo);
    put32(out, OFF_MM + 8 * r + 4, v.hi);
  }
  for (let r = 0; r < 8; r++) put32(out, OFF_GPR + 4 * r, r === ESP ? 0 : cpu.regs[r]);
  if (stop === Stop.PageFault) put32(out, OFF_GPR + 4 * ESP, m.mmu.cr2);
  put32(out, OFF_EFLAGS, cpu.getEflags());
  put32(out, OFF_MXCSR, cpu.sse.mxcsr);
  out.set(mem.bytes.subarray(m.winPhys[1] + (MEM_ADDR & 0xfff), m.winPhys[1] + (MEM_ADDR & 0xfff) + MEM_SIZE), OFF_MEM);
  return { stop, siCode: 0, state: out };
}

// ---- comparison -----------------------------------------------------------------------------

export interface CompareOptions {
  /** Skip MMX registers (instructions that do not touch them while the FPU lacks aliasing). */
  ignoreMmx?: boolean;
}

/** Describes how the emulator's outcome differs from the native one, or returns null. */
export function compare(cs: Case, nat: Outcome, emu: Outcome, opt: CompareOptions = {}): string | null {
  const want = expectedStop(nat.stop, nat.siCode);
  const diffs: string[] = [];
  if (want !== emu.stop) diffs.push(`stop: native ${nat.stop === 0 ? 'ok' : `signal ${nat.stop}/${nat.siCode}`} (want ${want}), emulator ${emu.stop}`);
  const a = nat.state, b = emu.state;
  for (let r = 0; r < 8; r++) {
    const o = OFF_XMM + 16 * r;
    if (hex(a.subarray(o, o + 16)) !== hex(b.subarray(o, o + 16))) {
      diffs.push(`xmm${r}: native ${xmmStr(a, o)} emu ${xmmStr(b, o)}`);
    }
  }
  if (!opt.ignoreMmx) {
    for (let r = 0; r < 8; r++) {
      const o = OFF_MM + 8 * r;
      if (hex(a.subarray(o, o + 8)) !== hex(b.subarray(o, o + 8))) {
        diffs.push(`mm${r}: native ${hex(a.slice(o, o + 8).reverse())} emu ${hex(b.slice(o, o + 8).reverse())}`);
      }
    }
  }
  const names = ['eax', 'ecx', 'edx', 'ebx', 'fault address', 'ebp', 'esi', 'edi'];
  for (let r = 0; r < 8; r++) {
    const va = i32(a, OFF_GPR + 4 * r) >>> 0, vb = i32(b, OFF_GPR + 4 * r) >>> 0;
    if (va !== vb) diffs.push(`${names[r]}: native ${va.toString(16)} emu ${vb.toString(16)}`);
  }
  const fmask = nat.stop === 0 ? 0xffffffff : LOADABLE_FLAGS;
  const fa = (i32(a, OFF_EFLAGS) & fmask) >>> 0, fb = (i32(b, OFF_EFLAGS) & fmask) >>> 0;
  if (fa !== fb) diffs.push(`eflags: native ${fa.toString(16)} emu ${fb.toString(16)}`);
  if (a[OFF_FTW] !== b[OFF_FTW]) diffs.push(`x87 tags: native ${a[OFF_FTW].toString(16)} emu ${b[OFF_FTW].toString(16)}`);
  const ta = (i32(a, OFF_FSW) >> 11) & 7, tb = (i32(b, OFF_FSW) >> 11) & 7;
  if (ta !== tb) diffs.push(`x87 TOP: native ${ta} emu ${tb}`);
  const ma = i32(a, OFF_MXCSR) >>> 0, mb = i32(b, OFF_MXCSR) >>> 0;
  if (ma !== mb) diffs.push(`mxcsr: native ${ma.toString(16)} emu ${mb.toString(16)}`);
  for (let k = 0; k < MEM_SIZE; k++) {
    if (a[OFF_MEM + k] !== b[OFF_MEM + k]) {
      diffs.push(`mem differs from +${k.toString(16)}: native ${hex(a.subarray(OFF_MEM + (k & ~15), OFF_MEM + (k & ~15) + 16))} emu ${hex(b.subarray(OFF_MEM + (k & ~15), OFF_MEM + (k & ~15) + 16))}`);
      break;
    }
  }
  if (diffs.length === 0) return null;
  return `code ${hex(cs.code)} from ${describeState(cs.state)}\n    ${diffs.join('\n    ')}`;
}

function xmmStr(b: Uint8Array, o: number): string {
  const d: string[] = [];
  for (let k = 3; k >= 0; k--) d.push((i32(b, o + 4 * k) >>> 0).toString(16).padStart(8, '0'));
  return d.join('_');
}

export function describeState(s: Uint8Array): string {
  const parts: string[] = [];
  for (let r = 0; r < 8; r++) parts.push(`xmm${r}=${xmmStr(s, OFF_XMM + 16 * r)}`);
  parts.push(`mxcsr=${(i32(s, OFF_MXCSR) >>> 0).toString(16)}`);
  parts.push(`ebx=${(i32(s, OFF_GPR + 12) >>> 0).toString(16)}`);
  return parts.join(' ');
}

/**
 * Runs all cases natively and on the emulator and returns the mismatches (at most `limit`
 * described) and their count.
 */
export function differential(cases: Case[], opt: CompareOptions = {}, limit = 8): { count: number; shown: string[]; total: number } {
  const nat = runNative(cases);
  const shown: string[] = [];
  let count = 0;
  for (let k = 0; k < cases.length; k++) {
    const emu = runEmu(cases[k]);
    const d = compare(cases[k], nat[k], emu, opt);
    if (d !== null) {
      count++;
      if (shown.length < limit) shown.push(d);
    }
  }
  return { count, shown, total: cases.length };
}
