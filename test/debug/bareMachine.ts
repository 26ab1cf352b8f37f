// Test helper: a small freestanding i386 program (gcc -nostdlib, with -g) loaded into a
// hand-built machine (page tables, stack) and wrapped in a BareTarget, so the debugger can be
// tested without the kernel. Programs end with int $0x80 (eax=1: exit, eax=4: write). They are
// built in a temporary directory removed when the test file is done.
import { pageMapper } from '../helpers/pageTables.js';
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../helpers/tempDir.js';
import elfy from 'elfy';
import { Cpu } from '../../src/cpu/cpu.js';
import { ESP } from '../../src/cpu/registers.js';
import { Mmu } from '../../src/mmu/mmu.js';
import { PhysicalMemory, PAGE_SIZE } from '../../src/mmu/physicalMemory.js';
import { PTE_P, PTE_RW, PTE_US } from '../../src/mmu/paging.js';
import { BareTarget } from '../../src/debug/target.js';

export const STACK_TOP = 0xbfff0000;

export function haveGcc32(): boolean {
  const r = spawnSync('gcc', ['-m32', '-nostdlib', '-x', 'c', '-c', '-o', '/dev/null', '-'], { input: 'int x;', encoding: 'utf8' });
  return r.status === 0;
}

/** Compiles C source (freestanding, -O0 -g, frame pointers) and returns the ELF path. */
export function buildFreestanding(source: string, name = 'prog'): string {
  const dir = makeTempDir('i386emu-dbg-');
  const src = join(dir, `${name}.c`);
  const out = join(dir, name);
  writeFileSync(src, source);
  execFileSync('gcc', ['-m32', '-nostdlib', '-static', '-O0', '-g', '-fno-pie', '-no-pie', '-fno-stack-protector',
    '-fno-asynchronous-unwind-tables', '-o', out, src]);
  return out;
}

/** Loads an ELF's PT_LOAD segments into a fresh machine; stack of 16 pages below STACK_TOP. */
export function loadBare(path: string): BareTarget {
  const image = readFileSync(path);
  const e = elfy.parse(image);
  const mem = new PhysicalMemory(8 << 20);
  const { pd, map: mapFlags } = pageMapper(mem);
  const map = (lin: number, writable: boolean): number => mapFlags(lin, PTE_P | PTE_US | (writable ? PTE_RW : 0));
  for (const p of e.body.programs) {
    if (p.type !== 'load') continue;
    const writable = (p.flags as { w?: boolean }).w === true;
    for (let a = p.vaddr & ~0xfff; a < p.vaddr + p.memsz; a += PAGE_SIZE) map(a, writable);
    for (let k = 0; k < p.filesz; k++) {
      const lin = p.vaddr + k;
      const w = mem.dv.getInt32(pd + (lin >>> 22) * 4, true);
      const pte = mem.dv.getInt32(((w & ~0xfff) >>> 0) + ((lin >>> 12) & 0x3ff) * 4, true);
      mem.bytes[((pte & ~0xfff) >>> 0) + (lin & 0xfff)] = p.data[k];
    }
  }
  for (let k = 1; k <= 16; k++) map(STACK_TOP - k * PAGE_SIZE, true);
  const mmu = new Mmu(mem);
  mmu.setCr3(pd);
  const cpu = new Cpu(mmu);
  cpu.eip = e.entry;
  cpu.regs[ESP] = STACK_TOP - 16;
  return new BareTarget(cpu, path);
}
