// REP MOVS and REP STOS against an element-by-element model of the SDM's definition: both
// directions (DF), all three sizes, overlapping source and destination (a forward MOVSB whose
// destination is just above its source replicates a pattern; a backward one just below does the
// same downwards), unaligned elements, and runs that reach an unmapped page above or below,
// where the instruction faults with ECX at the count left, the earlier elements done, ESI/EDI
// at the element that faulted and CR2 the first byte that is not mapped. The CPU copies whole
// page chunks with copyWithin/fill where that gives the same result; this checks it does.
import { describe, expect, it } from 'vitest';
import { Cpu } from '../../src/cpu/cpu.js';
import { DF, EAX, ECX, EDI, ESI, ESP } from '../../src/cpu/registers.js';
import { Stop } from '../../src/cpu/stop.js';
import { Mmu } from '../../src/mmu/mmu.js';
import { PhysicalMemory } from '../../src/mmu/physicalMemory.js';
import { pageMapper } from '../helpers/pageTables.js';

const CODE = 0x00400000, DATA = 0x00600000, DATA_PAGES = 4, STACK_TOP = 0x00801000;
const DATA_END = DATA + DATA_PAGES * 0x1000;

interface Case { op: 'movs' | 'stos'; size: 1 | 2 | 4; df: boolean; esi: number; edi: number; ecx: number; eax: number }

interface Outcome { stop: Stop; esi: number; edi: number; ecx: number; eip: number; cr2: number | null; data: number[] }

function opcode(c: Case): number[] {
  const base = c.op === 'movs' ? 0xa4 : 0xaa;
  const op = c.size === 1 ? [0xf3, base] : c.size === 2 ? [0x66, 0xf3, base + 1] : [0xf3, base + 1];
  return [...op, 0xcc]; // rep movs/stos; int3
}

/** First byte of [lin, lin+size) outside the data pages, or -1. */
function unmappedByte(lin: number, size: number): number {
  for (let k = 0; k < size; k++) if (lin + k < DATA || lin + k >= DATA_END) return lin + k;
  return -1;
}

function model(c: Case, init: Uint8Array): Outcome {
  const data = Array.from(init);
  let { esi, edi, ecx } = c;
  const d = c.df ? -c.size : c.size;
  while (ecx !== 0) {
    let v = c.eax;
    if (c.op === 'movs') {
      const bad = unmappedByte(esi, c.size);
      if (bad >= 0) return { stop: Stop.PageFault, esi, edi, ecx, eip: CODE, cr2: bad, data };
      v = 0;
      for (let k = 0; k < c.size; k++) v |= data[esi - DATA + k] << (8 * k);
    }
    const bad = unmappedByte(edi, c.size);
    if (bad >= 0) return { stop: Stop.PageFault, esi, edi, ecx, eip: CODE, cr2: bad, data };
    for (let k = 0; k < c.size; k++) data[edi - DATA + k] = (v >>> (8 * k)) & 0xff;
    if (c.op === 'movs') esi += d;
    edi += d;
    ecx--;
  }
  return { stop: Stop.Breakpoint, esi, edi, ecx, eip: CODE + opcode(c).length, cr2: null, data };
}

interface Machine { cpu: Cpu; mmu: Mmu; mem: PhysicalMemory; codePhys: number; phys: number[]; flags0: number }

let shared: Machine | null = null;

/** One machine for all cases (a fresh MMU per case means 8 MiB of TLB arrays each time). */
function machine(): Machine {
  if (shared !== null) return shared;
  const mem = new PhysicalMemory(1 << 20);
  const { pd, map } = pageMapper(mem);
  const codePhys = map(CODE);
  map(STACK_TOP - 0x1000);
  const phys: number[] = [];
  for (let p = 0; p < DATA_PAGES; p++) {
    // Frames out of order, so that physical adjacency never stands in for linear adjacency.
    phys[(p * 3) % DATA_PAGES] = map(DATA + ((p * 3) % DATA_PAGES) * 0x1000);
  }
  const mmu = new Mmu(mem);
  mmu.setCr3(pd);
  const cpu = new Cpu(mmu);
  shared = { cpu, mmu, mem, codePhys, phys, flags0: cpu.flags };
  return shared;
}

function emulate(c: Case, init: Uint8Array): Outcome {
  const { cpu, mmu, mem, codePhys, phys, flags0 } = machine();
  mem.bytes.fill(0xcc, codePhys, codePhys + 0x1000);
  mem.bytes.set(opcode(c), codePhys);
  for (let p = 0; p < DATA_PAGES; p++) mem.bytes.set(init.subarray(p * 0x1000, (p + 1) * 0x1000), phys[p]);
  cpu.flushCodeCache();
  mmu.flushTlb();
  cpu.eip = CODE;
  cpu.flags = flags0 | (c.df ? DF : 0);
  cpu.regs[ESP] = STACK_TOP;
  cpu.regs[ESI] = c.esi;
  cpu.regs[EDI] = c.edi;
  cpu.regs[ECX] = c.ecx;
  cpu.regs[EAX] = c.eax;
  let stop = Stop.Budget;
  for (let guard = 0; guard < 100 && stop === Stop.Budget; guard++) stop = cpu.run(1_000_000);
  const data: number[] = [];
  for (let p = 0; p < DATA_PAGES; p++) data.push(...mem.bytes.subarray(phys[p], phys[p] + 0x1000));
  return {
    stop, esi: cpu.regs[ESI], edi: cpu.regs[EDI], ecx: cpu.regs[ECX], eip: cpu.eip,
    cr2: stop === Stop.PageFault ? mmu.cr2 >>> 0 : null, data,
  };
}

/** xorshift32: the cases are the same on every run. */
function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

function cases(): Case[] {
  const next = rng(0x2545f491);
  const pick = <T>(xs: T[]): T => xs[next() % xs.length];
  const out: Case[] = [];
  for (let n = 0; n < 400; n++) {
    const op = pick(['movs', 'stos'] as const);
    const size = pick([1, 2, 4] as const);
    const df = (next() & 1) === 1;
    // Near a page boundary (inside the data or just outside it) or anywhere in it.
    const near = () => DATA + pick([0, 0x1000, 0x2000, 0x3000, 0x4000]) + (next() % 96) - 48;
    const anywhere = () => DATA + (next() % (DATA_PAGES * 0x1000));
    const esi = pick([near, anywhere])();
    const align = (a: number) => (next() % 3 === 0 ? a : a - (a % size));
    const edi = align(pick([
      () => esi + (next() % 24) - 12, // overlapping the source closely
      () => esi + pick([-1, 1, -2, 2, -4, 4]) * size,
      near, anywhere,
    ])());
    const ecx = pick([1, 2, 7, 64, 1000, 3000, 5000]) + (next() % 5);
    out.push({ op, size, df, esi: align(esi), edi, ecx, eax: next() | 0 });
  }
  return out;
}

describe('REP MOVS / REP STOS', () => {
  const init = new Uint8Array(DATA_PAGES * 0x1000);
  const fill = rng(99);
  for (let k = 0; k < init.length; k++) init[k] = fill() & 0xff;

  it('match the element-by-element definition, faults mid-way included (400 cases)', () => {
    let faults = 0;
    for (const c of cases()) {
      const want = model(c, init);
      const got = emulate(c, init);
      if (want.stop === Stop.PageFault) faults++;
      const label = JSON.stringify({ ...c, esi: c.esi.toString(16), edi: c.edi.toString(16) });
      const { data: wd, ...wr } = want;
      const { data: gd, ...gr } = got;
      expect(gr, label).toEqual(wr);
      const diff = wd.findIndex((b, k) => b !== gd[k]);
      expect(diff, `${label}: memory differs at ${(DATA + diff).toString(16)}`).toBe(-1);
    }
    expect(faults).toBeGreaterThan(20); // the generator does reach the unmapped pages
  }, 60_000);

  it('a forward MOVSB onto source+1 replicates the first byte, a backward one onto source-1 the last', () => {
    const init2 = new Uint8Array(init);
    const fwd = emulate({ op: 'movs', size: 1, df: false, esi: DATA + 0x100, edi: DATA + 0x101, ecx: 3000, eax: 0 }, init2);
    expect(fwd.data.slice(0x100, 0x100 + 3001).every((b) => b === init2[0x100])).toBe(true);
    const back = emulate({ op: 'movs', size: 1, df: true, esi: DATA + 0x2100, edi: DATA + 0x20ff, ecx: 3000, eax: 0 }, init2);
    expect(back.data.slice(0x2100 - 3000, 0x2100).every((b) => b === init2[0x2100])).toBe(true);
  });
});
