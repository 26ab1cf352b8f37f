// The block compiler against the interpreter: the same code run with compiling off, forced (every
// block compiled on its first run) and at the normal threshold must leave identical registers,
// EFLAGS, EIP, memory and instruction counts, also when an instruction in the middle of a
// compiled block faults, when a compiled block stores into its own next instruction, and when
// the budget ends between blocks.
import { beforeEach, describe, expect, it } from 'vitest';
import { Cpu } from '../../../src/cpu/cpu.js';
import { EAX, ECX, EDI, EDX, ESI, ESP } from '../../../src/cpu/registers.js';
import { Stop } from '../../../src/cpu/stop.js';
import { Mmu } from '../../../src/mmu/mmu.js';
import { PhysicalMemory } from '../../../src/mmu/physicalMemory.js';
import { JIT_HOT_RUNS } from '../../../src/cpu/jit/jitMode.js';
import { jitStats, resetJitStats } from '../../../src/cpu/jit/jitStats.js';
import { blockSource } from '../../../src/cpu/jit/compileBlock.js';
import { decodeBlock } from '../../../src/cpu/decoder.js';
import { pageMapper } from '../../helpers/pageTables.js';

const CODE = 0x00400000, DATA = 0x10000000, STACK_TOP = 0x00801000;

interface Machine { cpu: Cpu; mem: PhysicalMemory; codePhys: number; dataPhys: number }

function machine(code: number[], threshold: number, at = CODE): Machine {
  const mem = new PhysicalMemory(1 << 20);
  const { pd, map } = pageMapper(mem);
  const codePhys = map(at);
  const dataPhys = map(DATA);
  map(STACK_TOP - 0x1000);
  mem.bytes.fill(0xcc, codePhys, codePhys + 0x1000);
  mem.bytes.set(code, codePhys);
  for (let k = 0; k < 0x1000; k++) mem.bytes[dataPhys + k] = (k * 7 + 3) & 0xff;
  const mmu = new Mmu(mem);
  mmu.setCr3(pd);
  const cpu = new Cpu(mmu);
  cpu.jitThreshold = threshold;
  cpu.eip = at;
  cpu.regs[ESP] = STACK_TOP;
  return { cpu, mem, codePhys, dataPhys };
}

interface State { stop: Stop; eip: number; regs: number[]; eflags: number; instructions: number; data: number[]; cr2: number }

function state(m: Machine, stop: Stop): State {
  const { cpu, mem, dataPhys } = m;
  return {
    stop, eip: cpu.eip >>> 0, regs: Array.from(cpu.regs.subarray(0, 8)), eflags: cpu.getEflags(),
    instructions: cpu.instructions, data: Array.from(mem.bytes.subarray(dataPhys, dataPhys + 0x1000)), cr2: cpu.mmu.cr2,
  };
}

/** Runs code to its stop with the given threshold, after setup(cpu). */
function runWith(code: number[], threshold: number, setup: (c: Cpu) => void = () => {}, at = CODE): State {
  const m = machine(code, threshold, at);
  setup(m.cpu);
  return state(m, m.cpu.run(1_000_000));
}

/** The interpreter's outcome, and a check that forced and threshold compiling give the same. */
function expectSameCompiled(code: number[], setup?: (c: Cpu) => void, at = CODE): State {
  const interp = runWith(code, 0, setup, at);
  resetJitStats();
  expect(runWith(code, 1, setup, at)).toEqual(interp);
  expect(jitStats.blocksCompiled).toBeGreaterThan(0);
  expect(jitStats.failures).toBe(0);
  expect(runWith(code, JIT_HOT_RUNS, setup, at)).toEqual(interp);
  return interp;
}

const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];

// mov ecx,200; xor eax,eax; mov ebx,DATA; L: add eax,ecx; adc edx,eax; sbb esi,3;
// mov [ebx+ecx*4],eax; movzx edi,byte [ebx+ecx]; movsx ebp,word [ebx+2]; or eax,[ebx+8];
// and al,0x7f; xor ah,bl; sub word [ebx+16],cx; test dl,1; setnz byte [ebx+20]; cmovs edi,eax;
// inc dword [ebx+24]; dec cx; lea esi,[esi+eax*2+5]; push eax; pop edx; shl edx,3;
// imul edx,eax,7; cmp ecx,100; setb bl; mov bl,0; sub ecx,1; jnz L; int3
const MIX = [
  0xb9, 0xc8, 0x00, 0x00, 0x00, 0x31, 0xc0, 0xbb, 0x00, 0x00, 0x00, 0x10, 0x01, 0xc8, 0x11, 0xc2,
  0x83, 0xde, 0x03, 0x89, 0x04, 0x8b, 0x0f, 0xb6, 0x3c, 0x0b, 0x0f, 0xbf, 0x6b, 0x02, 0x0b, 0x43,
  0x08, 0x24, 0x7f, 0x30, 0xdc, 0x66, 0x29, 0x4b, 0x10, 0xf6, 0xc2, 0x01, 0x0f, 0x95, 0x43, 0x14,
  0x0f, 0x48, 0xf8, 0xff, 0x43, 0x18, 0x66, 0x49, 0x8d, 0x74, 0x46, 0x05, 0x50, 0x5a, 0xc1, 0xe2,
  0x03, 0x6b, 0xd0, 0x07, 0x83, 0xf9, 0x64, 0x0f, 0x92, 0xc3, 0xb3, 0x00, 0x83, 0xe9, 0x01, 0x75,
  0xbb, 0xcc,
];
// L: mov eax,[esi]; add esi,4; add edx,eax; cmp esi,0x7fffffff; jb L; int3
const WALK = [0x8b, 0x06, 0x83, 0xc6, 0x04, 0x01, 0xc2, 0x81, 0xfe, 0xff, 0xff, 0xff, 0x7f, 0x72, 0xf1, 0xcc];
// mov ecx,100; xor eax,eax; L: cmp ecx,40; mov esi,DATA; cmove esi,edi; mov byte [esi],0x48;
// P: inc eax; dec ecx; jnz L; int3       (edi = P: at ecx = 40 the store turns P into dec eax)
const SMC = [
  0xb9, 0x64, 0x00, 0x00, 0x00, 0x31, 0xc0, 0x83, 0xf9, 0x28, 0xbe, 0x00, 0x00, 0x00, 0x10, 0x0f,
  0x44, 0xf7, 0xc6, 0x06, 0x48, 0x40, 0x49, 0x75, 0xee, 0xcc,
];
const SMC_P = CODE + 0x15;

describe('block compiler', () => {
  beforeEach(() => resetJitStats());

  it('runs an integer mix (ALU of every size, memory operands, flags, SETcc/CMOVcc, push/pop, a loop) as the interpreter does', () => {
    const s = expectSameCompiled(MIX, (c) => { c.regs[EDX] = 0x1234567; c.regs[ESI] = -5; });
    expect(s.stop).toBe(Stop.Breakpoint);
    // dec cx takes ECX down too: 100 rounds of 25 instructions.
    expect(s.instructions).toBe(3 + 100 * 25 + 1);
  });

  it('compiles code above 2 GiB (EIPs that are negative as int32, as in the vDSO)', () => {
    const s = expectSameCompiled(MIX, (c) => { c.regs[EDX] = 5; }, 0xf7ff0000 | 0);
    expect(s.stop).toBe(Stop.Breakpoint);
    expect(s.eip).toBe(0xf7ff0000 + MIX.length);
  });

  it('every instruction of the mix gets a template, dead flags are not stored, and the source compiles', () => {
    const m = machine(MIX, 0);
    const b = decodeBlock(m.cpu, CODE + 12);
    const { body, templated, called } = blockSource(b.insns);
    expect(templated + called).toBe(b.insns.length);
    expect(called).toBe(0);
    // shl and imul set EFLAGS eagerly, but the cmp after them overwrites it before anything can
    // read it or fault: neither stores flags (in the flag locals). add's flags are read by adc:
    // stored.
    expect(body).not.toContain('ff = (ff');
    expect(body).toContain('fo = 1;');
    // Registers live in locals, back on the Cpu at the exits.
    expect(body).not.toMatch(/\br\[\d\] \+/);
    expect(body).toContain('r[0] = R0;');
    expect(() => new Function('I', 'P', 'CC', body)).not.toThrow();
    // The loop body jumps back to itself: it runs as a loop inside the function.
    expect(body).toContain('for (;;)');
    expect(blockSource(decodeBlock(m.cpu, CODE).insns).body).not.toContain('for (;;)');
  });

  it('a fault in the middle of a compiled block reports that instruction: EIP, registers, flags, count', () => {
    // mov eax,1; add ebx,eax; mov ecx,[0x30000000]; inc eax; int3
    const code = [0xb8, ...le32(1), 0x01, 0xc3, 0x8b, 0x0d, ...le32(0x30000000), 0x40, 0xcc];
    const s = expectSameCompiled(code, (c) => { c.regs[1] = 77; c.regs[3] = -1; });
    expect(s.stop).toBe(Stop.PageFault);
    expect(s.eip).toBe(CODE + 7);
    expect(s.regs[EAX]).toBe(1);
    expect(s.regs[ECX]).toBe(77);
    expect(s.eflags & 0x8d5).toBe(0x55); // -1 + 1: CF ZF PF AF, as the ADD left them
    expect(s.instructions).toBe(2);
    expect(s.cr2).toBe(0x30000000);
  });

  it('a hot loop that runs off the end of its data page faults at the exact iteration', () => {
    const s = expectSameCompiled(WALK, (c) => { c.regs[ESI] = DATA; });
    expect(s.stop).toBe(Stop.PageFault);
    expect(s.eip).toBe(CODE);
    expect(s.regs[ESI]).toBe(DATA + 0x1000);
    expect(s.instructions).toBe(1024 * 5);
  });

  it('a compiled block storing into its own next instruction runs the new instruction at once', () => {
    const s = expectSameCompiled(SMC, (c) => { c.regs[EDI] = SMC_P; });
    expect(s.stop).toBe(Stop.Breakpoint);
    // 60 rounds of inc eax (ecx 100..41), then the patch turns it into dec eax (ecx 40..1).
    expect(s.regs[EAX]).toBe(60 - 40);
    expect(s.instructions).toBe(2 + 100 * 7 + 1);
  });

  it('a loop storing into its own code page (never writable the fast way) every round runs to the same end', () => {
    // mov ecx,1000; L: mov [CODE+0x800],ecx; add eax,ecx; dec ecx; jnz L; int3
    const code = [0xb9, ...le32(1000), 0x89, 0x0d, ...le32(CODE + 0x800), 0x01, 0xc8, 0x49, 0x75, 0xf5, 0xcc];
    const s = expectSameCompiled(code);
    expect(s.stop).toBe(Stop.Breakpoint);
    expect(s.regs[EAX]).toBe((1000 * 1001) / 2);
    expect(s.instructions).toBe(1 + 1000 * 4 + 1);
  });

  it('the budget stays exact: runs of 300 instructions (a block does not fit the rest: one at a time) end at the same points', () => {
    const counts = (threshold: number): number[][] => {
      const m = machine(MIX, threshold);
      const out: number[][] = [];
      for (;;) {
        const stop = m.cpu.run(300);
        out.push([stop, m.cpu.instructions, m.cpu.eip, ...m.cpu.regs.subarray(0, 8)]);
        if (stop !== Stop.Budget) return out;
      }
    };
    const interp = counts(0);
    expect(interp.length).toBeGreaterThan(5);
    expect(interp.slice(0, -1).every(([, n], k) => n === (k + 1) * 300)).toBe(true);
    expect(counts(1)).toEqual(interp);
    expect(counts(JIT_HOT_RUNS)).toEqual(interp);
  });

  it('compiles nothing when off and nothing before a block is hot', () => {
    runWith(MIX, 0);
    expect(jitStats.blocksCompiled).toBe(0);
    // The straight-line code before the loop runs once: only the loop body is compiled.
    runWith(MIX, JIT_HOT_RUNS);
    expect(jitStats.blocksCompiled).toBe(1);
  });
});
