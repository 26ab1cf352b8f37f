// A few hand-checked programs through the decoder and run loop (the exhaustive checks against
// the real CPU live in insn-native.test.ts).
import { describe, expect, it } from 'vitest';
import { runSnippet } from '../helpers/snippet.js';
import { Stop } from '../../src/cpu/stop.js';

describe('CPU smoke', () => {
  it('sums 1..10 with a loop', () => {
    // xor eax,eax; mov ecx,10; l: add eax,ecx; loop l
    const r = runSnippet([0x31, 0xc0, 0xb9, 10, 0, 0, 0, 0x01, 0xc8, 0xe2, 0xfc], { regs: [0, 0, 0, 0, 0, 0, 0], eflags: 0 });
    expect(r.stop).toBe(Stop.Breakpoint);
    expect(r.regs[0]).toBe(55);
    expect(r.regs[1]).toBe(0);
  });

  it('compares and branches signed and unsigned', () => {
    // mov eax,-1; cmp eax,1; setl bl; setb cl
    const r = runSnippet([0xb8, 0xff, 0xff, 0xff, 0xff, 0x83, 0xf8, 0x01, 0x0f, 0x9c, 0xc3, 0x0f, 0x92, 0xc1],
      { regs: [0, 0, 0, 0, 0, 0, 0], eflags: 0 });
    expect(r.regs[3] & 0xff).toBe(1);
    expect(r.regs[1] & 0xff).toBe(0);
  });

  it('pushes, calls and returns', () => {
    // call f; jmp end; f: mov eax, 42; ret; end:
    const r = runSnippet([0xe8, 0x02, 0, 0, 0, 0xeb, 0x06, 0xb8, 42, 0, 0, 0, 0xc3],
      { regs: [0, 0, 0, 0, 0, 0, 0], eflags: 0 });
    expect(r.regs[0]).toBe(42);
    expect(r.esp).toBe(0x00801000);
  });

  it('divides 64 by 32 bits and raises #DE on overflow', () => {
    // mov edx, 5; mov eax, 0x12345678; mov ecx, 0x10000; div ecx
    const r = runSnippet([0xba, 5, 0, 0, 0, 0xb8, 0x78, 0x56, 0x34, 0x12, 0xb9, 0, 0, 1, 0, 0xf7, 0xf1],
      { regs: [0, 0, 0, 0, 0, 0, 0], eflags: 0 });
    const n = 5n * (1n << 32n) + 0x12345678n;
    expect(r.regs[0]).toBe(Number(n / 0x10000n));
    expect(r.regs[2]).toBe(Number(n % 0x10000n));
    const de = runSnippet([0xf7, 0xf1], { regs: [0, 0, 0, 0, 0, 0, 0], eflags: 0 });
    expect(de.stop).toBe(Stop.DivideError);
  });

  it('stops with #UD on an undefined opcode', () => {
    expect(runSnippet([0x0f, 0x0b], { regs: [0, 0, 0, 0, 0, 0, 0], eflags: 0 }).stop).toBe(Stop.InvalidOpcode);
  });

  it('rep stosd and rep movsb move memory', () => {
    // mov edi, 0x10000000; mov ecx, 4; mov eax, 0x11223344; rep stosd;
    // mov esi, 0x10000000; mov edi, 0x10000100; mov ecx, 16; rep movsb
    const r = runSnippet([
      0xbf, 0, 0, 0, 0x10, 0xb9, 4, 0, 0, 0, 0xb8, 0x44, 0x33, 0x22, 0x11, 0xf3, 0xab,
      0xbe, 0, 0, 0, 0x10, 0xbf, 0x80, 0, 0, 0x10, 0xb9, 16, 0, 0, 0, 0xf3, 0xa4,
    ], { regs: [0, 0, 0, 0, 0, 0, 0], eflags: 0 });
    expect(Array.from(r.scratch.subarray(0x80, 0x88))).toEqual([0x44, 0x33, 0x22, 0x11, 0x44, 0x33, 0x22, 0x11]);
    expect(r.regs[1]).toBe(0);
  });
});
