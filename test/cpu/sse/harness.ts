// Differential harness for the MMX/SSE/SSE2 tests: the same code bytes run from the same state
// (XMM0-7, MM0-7, MXCSR, EAX..EDI, flags, a 256-byte memory window) on the real CPU through
// native/sseharness.c and on the emulator's CPU, and the resulting states are compared byte for
// byte (see the state layout in sseharness.c).
//
// On hosts that cannot run i386 code at all (x64Replay()), the harness is built as a 64-bit
// program instead and each snippet is replayed in 64-bit mode, re-encoded by x64ReplayCode
// (test/helpers/x64Replay.ts: [disp32] through SIB, 0x67 on every address so that it wraps at
// 4 GiB as in 32-bit mode); cases whose bytes cannot mean the same there are left out and counted.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cpu } from '../../../src/cpu/cpu.js';
import { Stop } from '../../../src/cpu/stop.js';
import { hostVendor, nativeI386Unavailable, x64Replay } from '../../helpers/nativeI386.js';
import { runDir } from '../../helpers/runDir.js';
import { recipAcceptable } from './recip.js';
import { x64ReplayCode } from '../../helpers/x64Replay.js';
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

/**
 * Null when the host can run the harness (i386 natively, or the x86-64 replay), else why not:
 * the one reason to skip. That the harness then builds and runs is checked on first use.
 */
export function nativeUnavailable(): string | null {
  const host = nativeI386Unavailable();
  return host === null || x64Replay() ? null : host;
}

/** True when the native results come from the x86-64 replay. */
export function replayMode(): boolean {
  return nativeI386Unavailable() !== null && x64Replay();
}

let bin: string | undefined;

/** Builds the native harness (once per test file); throws when it does not build or run. */
function harness(): string {
  if (bin !== undefined && existsSync(bin)) return bin;
  const why = nativeUnavailable();
  if (why !== null) throw new Error(`the SSE harness cannot run here: ${why}`);
  const replay = replayMode();
  const out = join(runDir('sse'), replay ? 'sseharness64' : 'sseharness');
  const flags = replay ? [] : ['-m32'];
  const r = spawnSync('gcc', [...flags, '-O1', '-msse2', '-o', out, SRC], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`gcc ${flags.join(' ')} -msse2 cannot build the SSE harness${replay ? '' : ' (is gcc-multilib installed?)'}: ${(r.stderr || String(r.error)).slice(0, 300)}`);
  // XORPS xmm0, xmm0 from a zero state must come back as the same state.
  const probe = spawnSync(out, [], { input: `0f57c0 ${'00'.repeat(STATE_SIZE)}\n`, encoding: 'utf8', timeout: 10_000 });
  if (probe.status !== 0 || !probe.stdout.startsWith(`OK ${'00'.repeat(OFF_EFLAGS)}`)) {
    throw new Error(`the SSE harness does not run here (status ${probe.status}: ${(probe.stderr ?? '').slice(0, 120)})`);
  }
  bin = out;
  return bin;
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

/**
 * Runs the cases on the host. In replay mode an entry is the reason instead when the case was
 * left out (see x64ReplayCode).
 */
export function runNative(cases: Case[]): Array<Outcome | string> {
  const exe = harness();
  const replay = replayMode();
  const result: Array<Outcome | string> = [];
  const lines: string[] = [];
  const ran: number[] = [];
  cases.forEach((c, k) => {
    const x = replay ? x64ReplayCode(c.code) : { code: c.code };
    result.push('reason' in x ? x.reason : '');
    if ('reason' in x) return;
    const code = x.code;
    lines.push(`${hex(code)} ${hex(c.state)}`);
    ran.push(k);
  });
  if (ran.length === 0) return result;
  const r = spawnSync(exe, [], { input: lines.join('\n') + '\n', encoding: 'utf8', maxBuffer: 1 << 30, timeout: 300_000 });
  if (r.status !== 0) throw new Error(`sseharness failed (${r.status} ${r.signal}): ${r.stderr}`);
  const out = r.stdout.split('\n').filter((l) => l.length > 0);
  if (out.length !== ran.length) throw new Error(`sseharness: ${ran.length} cases, ${out.length} results`);
  out.forEach((l, j) => {
    const f = l.split(' ');
    result[ran[j]] = f[0] === 'OK'
      ? { stop: 0, siCode: 0, state: unhex(f[1]) }
      : { stop: Number(f[1]), siCode: Number(f[2]), state: unhex(f[3]) };
  });
  return result;
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
  const a = nat.state, b = hostVendor() === 'intel' ? emu.state : maskVendor(cs, nat, emu, diffs);
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

const GUARD_ADDR = WIN_ADDR + 0x2000;

/**
 * For hosts that are not Intel (whichever mode they run in): the fields in which the host's
 * vendor is known to differ from Intel, whom the emulator follows, each only for the
 * instruction and outcome it was seen in. There the emulator's value is held to Intel's rule
 * and the host's to its vendor's (failures go to diffs); only when both keep to them does the
 * emulator's state get the host's value, so that the rest still compares exactly.
 */
function maskVendor(cs: Case, nat: Outcome, emu: Outcome, diffs: string[]): Uint8Array {
  const code = cs.code, st = cs.state, a = nat.state, out = emu.state.slice();
  const p = code[0] === 0x66 || code[0] === 0xf3 ? code[0] : 0;
  const i = p ? 1 : 0;
  if (code[i] !== 0x0f || code.length < i + 3) return out;
  const op = code[i + 1], modrm = code[i + 2], isMem = modrm < 0xc0, reg = (modrm >> 3) & 7;
  const faulted = nat.stop === 11 && nat.siCode !== 128 && emu.stop === Stop.PageFault;
  if ((op === 0x52 || op === 0x53) && (p === 0 || p === 0xf3) && code.length === i + 3 && nat.stop === 0 && emu.stop === Stop.Breakpoint) {
    // RCPPS/RCPSS/RSQRTPS/RSQRTSS: AMD's approximation tables are not Intel's (which the
    // emulator has bit for bit), so each result lane is held to the architectural bound instead.
    const kind = op === 0x53 ? 'rcp' : 'rsqrt';
    const src = isMem ? OFF_MEM + (i32(st, OFF_GPR + 12) - MEM_ADDR) : OFF_XMM + 16 * (modrm & 7);
    for (let k = 0; k < (p ? 1 : 4); k++) {
      const x = i32(st, src + 4 * k), o = OFF_XMM + 16 * reg + 4 * k, nv = i32(a, o), ev = i32(out, o);
      const lane = `${kind} xmm${reg}[${k}] of ${(x >>> 0).toString(16)}`;
      if (!recipAcceptable(kind, x, ev)) diffs.push(`${lane}: emulator ${(ev >>> 0).toString(16)} is outside the architectural bound`);
      else if (!recipAcceptable(kind, x, nv)) diffs.push(`${lane}: host ${(nv >>> 0).toString(16)} is outside the bound as checked (the check is wrong)`);
      else put32(out, o, nv);
    }
  }
  if ((op === 0x7e || op === 0x7f || op === 0xe7) && p === 0 && isMem && faulted) {
    // MOVD m32, mm / MOVQ m64, mm / MOVNTQ m64, mm that page-fault: Intel sets TOP = 0 before
    // the access (the emulator must too); AMD leaves TOP as it was. The tags stay as they were
    // on both, and MASKMOVQ enters MMX mode before its fault on both.
    const topIn = (st[OFF_FSW + 1] >> 3) & 7, topNat = (a[OFF_FSW + 1] >> 3) & 7, topEmu = (out[OFF_FSW + 1] >> 3) & 7;
    if (topEmu !== 0) diffs.push(`TOP after the faulting MMX store: emulator ${topEmu}, Intel sets 0`);
    else if (topNat !== topIn) diffs.push(`TOP after the faulting MMX store: host ${topNat}, AMD keeps ${topIn} (the rule is wrong)`);
    else out[OFF_FSW + 1] = (out[OFF_FSW + 1] & ~0x38) | (topNat << 3);
  }
  if (op === 0xf7 && p === 0x66 && !isMem && faulted) {
    // MASKMOVDQU into the guard page: Intel checks the upper qword first, so a fault there
    // reports its first unmapped byte (EDI+8 when that is in the guard page); AMD reports the
    // first unmapped byte of the whole 16. Only where the two differ is the emulator held to
    // Intel's address instead of the host's.
    const edi = i32(st, OFF_GPR + 28) >>> 0, fa = i32(a, OFF_GPR + 16) >>> 0, fe = i32(out, OFF_GPR + 16) >>> 0;
    const amd = Math.max(edi, GUARD_ADDR), intel = Math.max(edi + 8, GUARD_ADDR);
    if (edi + 16 > GUARD_ADDR && edi < GUARD_ADDR + 0x1000 && amd !== intel) {
      if (fe !== intel) diffs.push(`MASKMOVDQU fault address: emulator ${fe.toString(16)}, Intel reports ${intel.toString(16)}`);
      else if (fa !== amd) diffs.push(`MASKMOVDQU fault address: host ${fa.toString(16)}, AMD reports ${amd.toString(16)} (the rule is wrong)`);
      else put32(out, OFF_GPR + 16, fa);
    }
  }
  return out;
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

export interface DiffResult {
  count: number;
  shown: string[];
  /** Cases compared. */
  total: number;
  /** Cases left out of the x86-64 replay, and why (reason → count). */
  leftOut: number;
  reasons: Map<string, number>;
}

/**
 * Runs all cases natively and on the emulator and returns the mismatches (at most `limit`
 * described) and their count.
 */
export function differential(cases: Case[], opt: CompareOptions = {}, limit = 8): DiffResult {
  const nat = runNative(cases);
  const shown: string[] = [];
  const reasons = new Map<string, number>();
  let count = 0, leftOut = 0;
  for (let k = 0; k < cases.length; k++) {
    const n = nat[k];
    if (typeof n === 'string') {
      leftOut++;
      reasons.set(n, (reasons.get(n) ?? 0) + 1);
      continue;
    }
    const emu = runEmu(cases[k]);
    const d = compare(cases[k], n, emu, opt);
    if (d !== null) {
      count++;
      if (shown.length < limit) shown.push(d);
    }
  }
  return { count, shown, total: cases.length - leftOut, leftOut, reasons };
}

/** One line saying how many cases ran in replay mode and how many were left out (else ''). */
export function replayNote(name: string, r: DiffResult): string {
  if (!replayMode()) return '';
  const why = [...r.reasons].map(([k, v]) => `${v}× ${k}`).join('; ');
  return `${name}: x86-64 replay, ${r.total} cases compared, ${r.leftOut} left out${why ? ` (${why})` : ''}`;
}
