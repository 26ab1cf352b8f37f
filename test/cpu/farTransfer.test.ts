// Far CALL, JMP, RET and IRET at CPL 3 against Linux i386's GDT (__USER_CS 0x73, __USER_DS
// 0x7b, kernel CS 0x60, TLS entries 6-8, TSS 0x80, 32 entries, no LDT). What they do and the
// order of their checks are the Intel SDM's (vol. 2, the protected-mode "same privilege
// level" branches of CALL, JMP, RET and IRET); the whole-program counterpart, compared with
// qemu-i386, is guest-programs/src/far_smc.c. A failing check is #GP with the selector (RPL
// cleared) as error code, or 0 for a null selector, and changes nothing: EIP stays at the
// instruction and ESP, CS and EFLAGS keep their values.
import { describe, expect, it } from 'vitest';
import { Cpu } from '../../src/cpu/cpu.js';
import {
  CF, CS, DF, EAX, ESP, IF, IOPL, NT, OF, TF, USER_CS, USER_DS, VM, ZF,
} from '../../src/cpu/registers.js';
import { Stop } from '../../src/cpu/stop.js';
import { Mmu } from '../../src/mmu/mmu.js';
import { PhysicalMemory } from '../../src/mmu/physicalMemory.js';
import { pageMapper } from '../helpers/pageTables.js';

const CODE = 0x00400000, TARGET = 0x00400800, LOW = 0x00001000, STACK_TOP = 0x00801000, DATA = 0x10000000;
const SP = STACK_TOP - 0x100;
const INT3 = 0xcc, INC_EAX = 0x40;

const le16 = (v: number) => [v & 0xff, (v >>> 8) & 0xff];
const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];

/** Code at CODE, "inc eax; int3" at TARGET and at LOW (a target below 64 KiB for 16-bit forms). */
function machine(code: number[]): Cpu {
  const mem = new PhysicalMemory(1 << 20);
  const { pd, map } = pageMapper(mem);
  const phys = map(CODE);
  const low = map(LOW);
  map(STACK_TOP - 0x1000);
  map(DATA);
  mem.bytes.fill(INT3, phys, phys + 0x1000);
  mem.bytes.set(code, phys);
  mem.bytes.set([INC_EAX, INT3], phys + (TARGET - CODE));
  mem.bytes.fill(INT3, low, low + 0x1000);
  mem.bytes.set([INC_EAX, INT3], low);
  const mmu = new Mmu(mem);
  mmu.setCr3(pd);
  const cpu = new Cpu(mmu);
  cpu.eip = CODE;
  cpu.regs[ESP] = SP;
  return cpu;
}

/** Writes dwords upwards from ESP. */
function stack(cpu: Cpu, ...dwords: number[]): void {
  dwords.forEach((v, k) => cpu.mmu.write32(SP + 4 * k, v));
}

/** Runs to the INT3 after "inc eax" at the target; returns the CPU. */
function reachesTarget(cpu: Cpu, at = TARGET): Cpu {
  expect(cpu.run(1000)).toBe(Stop.Breakpoint);
  expect(cpu.regs[EAX]).toBe(1);
  expect(cpu.eip).toBe(at + 2);
  expect(cpu.segSel[CS]).toBe(USER_CS);
  return cpu;
}

/** Expects #GP(err) at the first instruction with ESP, CS and EFLAGS unchanged. */
function expectGp(cpu: Cpu, err: number): void {
  const flags = cpu.getEflags();
  expect(cpu.run(1000)).toBe(Stop.GeneralProtection);
  expect(cpu.trapVector).toBe(13);
  expect(cpu.errorCode).toBe(err);
  expect(cpu.eip).toBe(CODE);
  expect(cpu.regs[ESP]).toBe(SP);
  expect(cpu.segSel[CS]).toBe(USER_CS);
  expect(cpu.getEflags()).toBe(flags);
}

/**
 * Selectors a CPL-3 far transfer may not load, with the error code of the #GP, in the SDM's
 * check order: null → #GP(0); beyond the GDT limit (or in the absent LDT) → #GP(sel); not a
 * code segment → #GP(sel); then the privilege checks.
 */
const NOT_CODE: Array<[string, number, number]> = [
  ['null', 0x0000, 0],
  ['null with RPL 3', 0x0003, 0],
  ['beyond the GDT limit', 0x1003, 0x1000],
  ['the last selector', 0xffff, 0xfffc],
  ['an LDT selector (there is no LDT)', 0x000f, 0x000c],
  ['LDT index 0 (not a null selector)', 0x0004, 0x0004],
  ['__USER_DS (data)', USER_DS, 0x78],
  ['an empty TLS slot', 0x0033, 0x30],
  ['the TSS (a system descriptor)', 0x0083, 0x80],
  ['an unused GDT entry', 0x0023, 0x20],
];

describe('RET far (CB, CA iw)', () => {
  it('returns to the same CS: pops EIP, then CS from the low half of a dword slot', () => {
    const cpu = machine([0xcb]);
    stack(cpu, TARGET, 0xdead0000 | USER_CS);
    reachesTarget(cpu);
    expect(cpu.regs[ESP]).toBe(SP + 8);
  });

  it('RET far imm16 releases the immediate after both pops', () => {
    const cpu = machine([0xca, ...le16(12)]);
    stack(cpu, TARGET, USER_CS, 1, 2, 3);
    reachesTarget(cpu);
    expect(cpu.regs[ESP]).toBe(SP + 8 + 12);
  });

  it('66 CB pops a 16-bit IP and CS', () => {
    const cpu = machine([0x66, 0xcb]);
    cpu.mmu.write16(SP, LOW);
    cpu.mmu.write16(SP + 2, USER_CS);
    reachesTarget(cpu, LOW);
    expect(cpu.regs[ESP]).toBe(SP + 4);
  });

  it('runs after "push cs; call" in the same block as the code around it', () => {
    // push cs; call f; inc eax; int3; f: lret
    const cpu = machine([0x0e, 0xe8, ...le32(2), INC_EAX, INT3, 0xcb]);
    expect(cpu.run(1000)).toBe(Stop.Breakpoint);
    expect(cpu.regs[EAX]).toBe(1);
    expect(cpu.regs[ESP]).toBe(SP);
    expect(cpu.eip).toBe(CODE + 8);
  });

  for (const [what, sel, err] of NOT_CODE) {
    it(`#GP(${err.toString(16)}) returning to ${what} (0x${sel.toString(16)})`, () => {
      const cpu = machine([0xcb]);
      stack(cpu, TARGET, sel);
      expectGp(cpu, err);
    });
  }

  it('#GP(sel) when RPL < CPL: __USER_CS with RPL 0, 1 and 2', () => {
    for (const rpl of [0, 1, 2]) {
      const cpu = machine([0xcb]);
      stack(cpu, TARGET, (USER_CS & ~3) | rpl);
      expectGp(cpu, USER_CS & ~3);
    }
  });

  it('#GP(sel) for a non-conforming code segment whose DPL is not the RPL (the kernel CS, RPL 3)', () => {
    const cpu = machine([0xcb]);
    stack(cpu, TARGET, 0x63);
    expectGp(cpu, 0x60);
  });

  it('a page fault reading the return address leaves everything as it was', () => {
    const cpu = machine([0xcb]);
    cpu.regs[ESP] = STACK_TOP - 4; // the CS slot lies in the unmapped page above the stack
    cpu.mmu.write32(STACK_TOP - 4, TARGET);
    expect(cpu.run(1000)).toBe(Stop.PageFault);
    expect(cpu.eip).toBe(CODE);
    expect(cpu.regs[ESP]).toBe(STACK_TOP - 4);
  });
});

describe('IRET (CF)', () => {
  it('returns to the same CS with the arithmetic flags and DF from the stack', () => {
    const cpu = machine([0xcf]);
    stack(cpu, TARGET, USER_CS, 0x202 | CF | DF | ZF | OF);
    reachesTarget(cpu);
    expect(cpu.regs[ESP]).toBe(SP + 12);
    // (the INC at the target rewrote ZF and OF; it keeps CF)
    expect(cpu.getEflags() & (CF | DF)).toBe(CF | DF);
  });

  it('at CPL 3 with IOPL 0 leaves IF, IOPL and VM alone', () => {
    const cpu = machine([0xcf]);
    stack(cpu, TARGET, USER_CS, 0x2 | IOPL | VM);
    reachesTarget(cpu);
    expect(cpu.getEflags() & (IF | IOPL | VM)).toBe(IF);
  });

  it('66 CF pops 16-bit IP, CS and FLAGS and keeps the upper half of EFLAGS', () => {
    const cpu = machine([0x66, 0xcf]);
    cpu.setEflags(0x202 | 0x40000); // AC
    cpu.mmu.write16(SP, LOW);
    cpu.mmu.write16(SP + 2, USER_CS);
    cpu.mmu.write16(SP + 4, 0x2 | CF);
    reachesTarget(cpu, LOW);
    expect(cpu.regs[ESP]).toBe(SP + 6);
    expect(cpu.getEflags() & (0x40000 | CF | IF)).toBe(0x40000 | CF | IF);
  });

  it('setting TF traps after the instruction it returns to, not after the IRET', () => {
    const cpu = machine([0xcf]);
    stack(cpu, TARGET, USER_CS, 0x202 | TF);
    expect(cpu.run(1000)).toBe(Stop.SingleStep);
    expect(cpu.eip).toBe(TARGET + 1);
    expect(cpu.regs[EAX]).toBe(1);
  });

  it('with NT set is a task return: #TS(0) from the null back link of Linux\'s TSS', () => {
    const cpu = machine([0xcf]);
    cpu.setEflags(0x202 | NT);
    stack(cpu, TARGET, USER_CS, 0x202);
    expect(cpu.run(1000)).toBe(Stop.InvalidTss);
    expect(cpu.trapVector).toBe(10);
    expect(cpu.errorCode).toBe(0);
    expect(cpu.eip).toBe(CODE);
    expect(cpu.regs[ESP]).toBe(SP);
  });

  for (const [what, sel, err] of NOT_CODE) {
    it(`#GP(${err.toString(16)}) returning to ${what}`, () => {
      const cpu = machine([0xcf]);
      stack(cpu, TARGET, sel, 0x202 | CF);
      expectGp(cpu, err);
    });
  }

  it('#GP(sel) for RPL < CPL and for the kernel CS', () => {
    for (const [sel, err] of [[0x70, 0x70], [0x60, 0x60], [0x63, 0x60]]) {
      const cpu = machine([0xcf]);
      stack(cpu, TARGET, sel, 0x202);
      expectGp(cpu, err);
    }
  });
});

describe('CALL far and JMP far (9A, FF /3, EA, FF /5)', () => {
  const ptr32 = (sel: number, off = TARGET) => [...le32(off), ...le16(sel)];

  it('9A pushes CS zero-extended in a dword slot, then the return EIP', () => {
    const cpu = machine([0x9a, ...ptr32(USER_CS)]);
    stack(cpu, 0, 0, 0, 0);
    cpu.mmu.write32(SP - 4, -1);
    reachesTarget(cpu);
    expect(cpu.regs[ESP]).toBe(SP - 8);
    expect(cpu.mmu.read32(SP - 8)).toBe(CODE + 7);
    expect(cpu.mmu.read32(SP - 4)).toBe(USER_CS);
  });

  it('FF /3 reads the far pointer (offset, then selector) from memory', () => {
    // call far [DATA]
    const cpu = machine([0xff, 0x1d, ...le32(DATA)]);
    cpu.mmu.write32(DATA, TARGET);
    cpu.mmu.write16(DATA + 4, USER_CS);
    reachesTarget(cpu);
    expect(cpu.mmu.read32(SP - 8)).toBe(CODE + 6);
  });

  it('66 9A pushes 16-bit CS and IP and clears the upper half of EIP', () => {
    const cpu = machine([0x66, 0x9a, ...le16(LOW), ...le16(USER_CS)]);
    reachesTarget(cpu, LOW);
    expect(cpu.regs[ESP]).toBe(SP - 4);
    expect(cpu.mmu.read16(SP - 4)).toBe((CODE + 6) & 0xffff);
    expect(cpu.mmu.read16(SP - 2)).toBe(USER_CS);
  });

  it('a call and a far return come back to the instruction after the call', () => {
    // call far 0x73:TARGET+3; int3 ... TARGET+3: inc eax; retf
    const cpu = machine([0x9a, ...ptr32(USER_CS, TARGET + 3), INT3]);
    cpu.mmu.write8(TARGET + 3, INC_EAX);
    cpu.mmu.write8(TARGET + 4, 0xcb);
    expect(cpu.run(1000)).toBe(Stop.Breakpoint);
    expect(cpu.eip).toBe(CODE + 8);
    expect(cpu.regs[EAX]).toBe(1);
    expect(cpu.regs[ESP]).toBe(SP);
  });

  it('EA and FF /5 jump without touching the stack', () => {
    const a = machine([0xea, ...ptr32(USER_CS)]);
    reachesTarget(a);
    expect(a.regs[ESP]).toBe(SP);
    const b = machine([0xff, 0x2d, ...le32(DATA)]);
    b.mmu.write32(DATA, TARGET);
    b.mmu.write16(DATA + 4, USER_CS);
    reachesTarget(b);
    expect(b.regs[ESP]).toBe(SP);
  });

  it('accepts __USER_CS with RPL 0-2 (RPL <= CPL) and loads CS with RPL 3', () => {
    for (const rpl of [0, 1, 2]) {
      reachesTarget(machine([0x9a, ...ptr32((USER_CS & ~3) | rpl)]));
      reachesTarget(machine([0xea, ...ptr32((USER_CS & ~3) | rpl)]));
    }
  });

  const NOT_BRANCHABLE: Array<[string, number, number]> = [
    ...NOT_CODE, ['the kernel CS', 0x60, 0x60], ['the kernel CS, RPL 3', 0x63, 0x60],
  ];
  for (const [what, sel, err] of NOT_BRANCHABLE) {
    it(`#GP(${err.toString(16)}) for ${what}, with nothing pushed`, () => {
      const call = machine([0x9a, ...ptr32(sel)]);
      stack(call, 0, 0);
      call.mmu.write32(SP - 4, 0x11111111);
      call.mmu.write32(SP - 8, 0x22222222);
      expectGp(call, err);
      expect(call.mmu.read32(SP - 4)).toBe(0x11111111);
      expect(call.mmu.read32(SP - 8)).toBe(0x22222222);
      expectGp(machine([0xea, ...ptr32(sel)]), err);
    });
  }

  it('FF /3 and FF /5 with a register operand are #UD', () => {
    for (const modrm of [0xd8, 0xe8]) {
      const cpu = machine([0xff, modrm]);
      expect(cpu.run(1000)).toBe(Stop.InvalidOpcode);
    }
  });
});
