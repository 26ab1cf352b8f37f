// EFLAGS.TF single-stepping: the #DB trap (Stop.SingleStep, vector 1, EIP after the
// instruction) after each instruction that started with TF set, the delay after the POPF that
// sets it, POPF inside a large batch, REP string instructions one iteration per trap, and
// TF loaded between batches (as the kernel's loadState or sigreturn does).
import { describe, expect, it } from 'vitest';
import { Cpu } from '../../src/cpu/cpu.js';
import { CpuContext } from '../../src/cpu/context.js';
import { EAX, ECX, EDI, ESP, TF } from '../../src/cpu/registers.js';
import { Stop, STOP_NAMES } from '../../src/cpu/stop.js';
import { Mmu } from '../../src/mmu/mmu.js';
import { PhysicalMemory } from '../../src/mmu/physicalMemory.js';
import { pageMapper } from '../helpers/pageTables.js';

const CODE = 0x00400000, STACK_TOP = 0x00801000, DATA = 0x10000000;

function machine(code: number[]): Cpu {
  const mem = new PhysicalMemory(1 << 20);
  const { pd, map } = pageMapper(mem);
  const codePhys = map(CODE);
  map(STACK_TOP - 0x1000);
  map(DATA);
  mem.bytes.fill(0xcc, codePhys, codePhys + 0x1000);
  mem.bytes.set(code, codePhys);
  const mmu = new Mmu(mem);
  mmu.setCr3(pd);
  const cpu = new Cpu(mmu);
  cpu.eip = CODE;
  cpu.regs[ESP] = STACK_TOP;
  return cpu;
}

// pushfd; or dword [esp], 0x100; popfd
const SET_TF = [0x9c, 0x81, 0x0c, 0x24, 0x00, 0x01, 0x00, 0x00, 0x9d];
// pushfd; and dword [esp], ~0x100; popfd
const CLEAR_TF = [0x9c, 0x81, 0x24, 0x24, 0xff, 0xfe, 0xff, 0xff, 0x9d];
const INC_EAX = 0x40, NOP = 0x90;

describe('single-step (EFLAGS.TF)', () => {
  it('names the new stop reason', () => {
    expect(STOP_NAMES[Stop.SingleStep]).toBe('single-step');
  });

  it('does not trap the POPF that sets TF, traps after the next instruction and each one after', () => {
    const cpu = machine([...SET_TF, INC_EAX, INC_EAX, NOP]);
    const popfEnd = CODE + SET_TF.length;
    expect(cpu.run(10_000)).toBe(Stop.SingleStep);
    expect(cpu.trapVector).toBe(1);
    expect(cpu.eip).toBe(popfEnd + 1); // after the first INC, not after the POPF
    expect(cpu.regs[EAX]).toBe(1);
    expect(cpu.run(10_000)).toBe(Stop.SingleStep);
    expect(cpu.eip).toBe(popfEnd + 2);
    expect(cpu.regs[EAX]).toBe(2);
  });

  it('a POPF that clears TF is itself trapped; execution then runs freely', () => {
    const cpu = machine([...SET_TF, ...CLEAR_TF, INC_EAX, INC_EAX]);
    const stops: number[] = [];
    for (;;) {
      const s = cpu.run(10_000);
      if (s !== Stop.SingleStep) { stops.push(s); break; }
      stops.push(cpu.eip - CODE);
    }
    // PUSHFD, OR and POPFD of CLEAR_TF each trap; the INCs do not; then the INT3.
    expect(stops).toEqual([10, 17, 18, Stop.Breakpoint]);
    expect(cpu.regs[EAX]).toBe(2);
    expect(cpu.flags & TF).toBe(0);
  });

  it('MOV SS and POP SS hold the trap back until after the next instruction', () => {
    // mov ecx, ss (8C D1); mov ss, ecx (8E D1); inc eax; push ecx; pop ss; inc eax; nop
    const cpu = machine([...SET_TF, 0x8c, 0xd1, 0x8e, 0xd1, INC_EAX, 0x51, 0x17, INC_EAX, NOP]);
    const stops: number[] = [];
    for (let k = 0; k < 5; k++) {
      expect(cpu.run(10_000)).toBe(Stop.SingleStep);
      stops.push(cpu.eip - CODE);
    }
    // after MOV ECX,SS (11); none after MOV SS (13); after the INC (14), PUSH (15); none after
    // POP SS (16); after the INC (17), the NOP (18); then the INT3.
    expect(stops).toEqual([11, 14, 15, 17, 18]);
    expect(cpu.run(10_000)).toBe(Stop.Breakpoint);
    expect(cpu.regs[EAX]).toBe(2);
  });

  it('counts instructions exactly when POPF ends a large batch', () => {
    const cpu = machine([NOP, NOP, ...SET_TF, NOP]);
    expect(cpu.run(100_000)).toBe(Stop.SingleStep);
    expect(cpu.instructions).toBe(6); // 2 NOPs, PUSHFD, OR, POPFD, NOP
  });

  it('traps after each iteration of a REP string instruction, EIP back at it', () => {
    // mov edi, DATA; mov ecx, 3; xor eax, eax; (set TF); rep stosb
    const cpu = machine([0xbf, 0x00, 0x00, 0x00, 0x10, 0xb9, 3, 0, 0, 0, 0x31, 0xc0, ...SET_TF, 0xf3, 0xaa]);
    const rep = CODE + 12 + SET_TF.length;
    expect(cpu.run(10_000)).toBe(Stop.SingleStep);
    expect([cpu.eip, cpu.regs[ECX], cpu.regs[EDI]]).toEqual([rep, 2, DATA + 1]);
    expect(cpu.run(10_000)).toBe(Stop.SingleStep);
    expect([cpu.eip, cpu.regs[ECX]]).toEqual([rep, 1]);
    expect(cpu.run(10_000)).toBe(Stop.SingleStep);
    expect([cpu.eip, cpu.regs[ECX], cpu.regs[EDI]]).toEqual([rep + 2, 0, DATA + 3]);
  });

  it('honours TF set between batches (loadContext), in large and small batches', () => {
    for (const budget of [10, 100_000]) {
      const cpu = machine([INC_EAX, INC_EAX, INC_EAX]);
      const s = new CpuContext();
      cpu.saveContext(s);
      s.eflags |= TF;
      cpu.loadContext(s);
      expect(cpu.run(budget)).toBe(Stop.SingleStep);
      expect(cpu.eip).toBe(CODE + 1);
      expect(cpu.instructions).toBe(1);
    }
  });

  it('a faulting instruction reports its fault, not the trap; INT3 reports the breakpoint', () => {
    const cpu = machine([0x8b, 0x05, 0, 0, 0, 0x20]); // mov eax, [0x20000000] (unmapped)
    cpu.setEflags(0x202 | TF);
    expect(cpu.run(10_000)).toBe(Stop.PageFault);
    expect(cpu.eip).toBe(CODE);
    const bp = machine([]);
    bp.setEflags(0x202 | TF);
    expect(bp.run(10_000)).toBe(Stop.Breakpoint);
  });
});
