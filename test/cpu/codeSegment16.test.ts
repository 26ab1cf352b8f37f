// LDT code segments that are not flat 32-bit ones (Intel SDM vol. 1, 3.6 "Operand-size and
// Address-size Attributes"; vol. 3, 5.3 "Limit Checking"): a 16-bit segment (D = 0) decodes with
// 16-bit operand and address sizes (0x66/0x67 select 32), its IP wraps at 64 KiB, near CALL/RET/
// PUSH/POP move 16-bit values; code is fetched at CS.base + EIP; a fetch or a near branch past
// CS's limit is #GP(0); the same bytes decoded as 32-bit code are never run as 16-bit. Also the
// data-side checks: the limit covers every byte of an operand, a read-only data segment refuses
// writes and an execute-only code segment refuses CS-override reads, all #GP(0).
import { describe, expect, it } from 'vitest';
import { Cpu } from '../../src/cpu/cpu.js';
import { CpuContext } from '../../src/cpu/context.js';
import { Ldt } from '../../src/cpu/ldt.js';
import { CS, EAX, EBX, ECX, EDI, EDX, ESI, ESP } from '../../src/cpu/registers.js';
import { Stop } from '../../src/cpu/stop.js';
import { Mmu } from '../../src/mmu/mmu.js';
import { PhysicalMemory } from '../../src/mmu/physicalMemory.js';
import { pageMapper } from '../helpers/pageTables.js';

const CODE = 0x00400000, SEG16 = 0x00500000, WRAP_BASE = 0x00600000, DATA = 0x10000000;
const STACK_TOP = 0x00801000, SP = STACK_TOP - 0x100;

function desc(base: number, limit: number, type: number, o: { d?: boolean; g?: boolean } = {}): [number, number] {
  const lo = (limit & 0xffff) | ((base & 0xffff) << 16);
  const hi = ((base >>> 16) & 0xff) | (type << 8) | 0xf000 | (limit & 0xf0000) |
    (o.d === false ? 0 : 1 << 22) | (o.g ? 1 << 23 : 0) | (base & 0xff000000);
  return [lo, hi];
}
const DATA_RO = 0x1, DATA_RW = 0x3, CODE_X = 0x9, CODE_RX = 0xb;

// Selectors (entry << 3 | 7).
const S16 = 0x07, S16_SMALL = 0x0f, S16_WRAP = 0x17, FS_LIMITED = 0x1f, FS_RO = 0x27, CODE_XONLY = 0x2f;

function table(): Ldt {
  const l = new Ldt();
  l.set(0, ...desc(SEG16, 0xfff, CODE_RX, { d: false })); // 16-bit code at SEG16, 4 KiB
  l.set(1, ...desc(SEG16, 0x1f, CODE_RX, { d: false })); // the same, 32 bytes
  l.set(2, ...desc(WRAP_BASE, 0xffff, CODE_RX, { d: false })); // 64 KiB of 16-bit code
  l.set(3, ...desc(DATA, 0xff, DATA_RW)); // 256 bytes of data
  l.set(4, ...desc(0, 0xfffff, DATA_RO, { g: true })); // flat read-only data
  l.set(5, ...desc(0, 0xfffff, CODE_X, { g: true })); // flat execute-only 32-bit code
  return l;
}

interface Machine { cpu: Cpu; poke(lin: number, bytes: number[]): void }

function machine(code: number[]): Machine {
  const mem = new PhysicalMemory(1 << 20);
  const { pd, map } = pageMapper(mem);
  const pages = new Map<number, number>();
  for (const lin of [CODE, SEG16, WRAP_BASE, WRAP_BASE + 0xf000, STACK_TOP - 0x1000, DATA]) {
    const phys = map(lin);
    pages.set(lin, phys);
    mem.bytes.fill(0xcc, phys, phys + 0x1000);
  }
  const poke = (lin: number, bytes: number[]) => mem.bytes.set(bytes, pages.get(lin & ~0xfff)! + (lin & 0xfff));
  poke(CODE, code);
  const mmu = new Mmu(mem);
  mmu.setCr3(pd);
  const cpu = new Cpu(mmu);
  cpu.eip = CODE;
  cpu.regs[ESP] = SP;
  cpu.ldt = table();
  return { cpu, poke };
}

const lcall = (off: number, sel: number) => [0x9a, off & 0xff, (off >> 8) & 0xff, (off >> 16) & 0xff, off >>> 24, sel, 0];

describe('16-bit code segments', () => {
  // At SEG16 + 0x10, 16-bit code: arithmetic, PUSH/POP, a near CALL/RET, LOOP on CX, o32 RETF.
  const BODY16 = [
    0xb8, 0x34, 0x12, // 10: mov ax, 0x1234
    0xbb, 0x01, 0x00, // 13: mov bx, 1
    0x01, 0xd8, // 16: add ax, bx
    0x50, // 18: push ax
    0xe8, 0x09, 0x00, // 19: call 0x25
    0x58, // 1c: pop ax
    0xb9, 0x05, 0x00, // 1d: mov cx, 5
    0x43, // 20: inc bx
    0xe2, 0xfd, // 21: loop 0x20
    0x66, 0xcb, // 23: o32 retf
    0xb2, 0x07, // 25: mov dl, 7
    0x89, 0xe6, // 27: mov si, sp
    0xc3, // 29: ret (16-bit)
  ];

  it('runs 16-bit code entered with lcall and left with o32 lret', () => {
    const { cpu, poke } = machine(lcall(0x10, S16));
    poke(SEG16 + 0x10, BODY16);
    cpu.regs[EAX] = 0xaaaa0000 | 0;
    cpu.regs[ECX] = 0x77770000;
    expect(cpu.run(1000)).toBe(Stop.Breakpoint);
    expect(cpu.eip).toBe(CODE + 8); // after the int3 that follows the lcall
    expect([cpu.segSel[CS], cpu.code16, cpu.segBase[CS], cpu.regs[ESP]]).toEqual([0x73, false, 0, SP]);
    expect(cpu.regs[EAX] >>> 0).toBe(0xaaaa1235); // 16-bit operations keep the upper half
    expect([cpu.regs[EBX] & 0xffff, cpu.regs[ECX] >>> 0, cpu.regs[EDX] & 0xff]).toEqual([6, 0x77770000, 7]);
    // In the subroutine SP was below the far return (8), the pushed AX (2) and a 2-byte IP.
    expect(cpu.regs[ESI] & 0xffff).toBe((SP - 12) & 0xffff);
    expect(cpu.mmu.read16(SP - 12)).toBe(0x1c); // the near CALL pushed the 16-bit offset
  });

  it('keeps EIP the offset in CS while running there', () => {
    const { cpu, poke } = machine(lcall(0x10, S16));
    poke(SEG16 + 0x10, [0x40, 0xcc]); // inc ax; int3
    expect(cpu.run(1000)).toBe(Stop.Breakpoint);
    expect([cpu.eip, cpu.segSel[CS], cpu.code16, cpu.segBase[CS]]).toEqual([0x12, S16, true, SEG16]);
  });

  it('wraps IP at 64 KiB, falling through and jumping', () => {
    const fall = machine([]);
    fall.poke(WRAP_BASE + 0xffff, [0x40]); // inc ax at 0xffff, then offset 0 (int3)
    fall.cpu.setCodeSegment(S16_WRAP);
    fall.cpu.eip = 0xffff;
    expect(fall.cpu.run(1000)).toBe(Stop.Breakpoint);
    expect([fall.cpu.eip, fall.cpu.regs[EAX]]).toEqual([1, 1]);

    const jump = machine([]);
    jump.poke(WRAP_BASE + 0xfffd, [0xeb, 0x03]); // jmp short: 0xffff + 3 wraps to 2
    jump.poke(WRAP_BASE + 2, [0x43, 0xcc]); // inc bx; int3
    jump.cpu.setCodeSegment(S16_WRAP);
    jump.cpu.eip = 0xfffd;
    expect(jump.cpu.run(1000)).toBe(Stop.Breakpoint);
    expect([jump.cpu.eip, jump.cpu.regs[EBX]]).toEqual([4, 1]);
  });

  it('selects 32-bit operands and addresses with 0x66 and 0x67', () => {
    const { cpu, poke } = machine([]);
    // mov eax, 0x12345678; mov ecx, [ebx*4 + 0x10]... via 67: mov eax, [ebx] with EBX > 64 KiB
    poke(SEG16, [0x66, 0xb8, 0x78, 0x56, 0x34, 0x12, 0x67, 0x66, 0x8b, 0x0b, 0xcc]);
    cpu.regs[EBX] = DATA;
    cpu.mmu.mem.bytes.set([1, 2, 3, 4], cpu.mmu.translate(DATA, false));
    cpu.setCodeSegment(S16);
    cpu.eip = 0;
    expect(cpu.run(1000)).toBe(Stop.Breakpoint);
    expect([cpu.regs[EAX], cpu.regs[ECX]]).toEqual([0x12345678, 0x04030201]);
  });

  it('faults #GP(0) fetching past the CS limit, at the instruction that would cross it', () => {
    const run = (at: number, bytes: number[]) => {
      const { cpu, poke } = machine([]);
      poke(SEG16 + at, bytes);
      cpu.setCodeSegment(S16_SMALL);
      cpu.eip = at;
      return cpu;
    };
    const past = run(0x1c, [0x40, 0x40, 0x40, 0x40, 0x40]); // inc ax x 4 fit, the fifth is at 0x20
    expect([past.run(1000), past.errorCode, past.eip, past.regs[EAX]]).toEqual([Stop.GeneralProtection, 0, 0x20, 4]);
    const straddle = run(0x1e, [0xb8, 0x01, 0x00]); // mov ax, 1 ends at 0x20
    expect([straddle.run(1000), straddle.eip, straddle.regs[EAX]]).toEqual([Stop.GeneralProtection, 0x1e, 0]);
  });

  it('faults #GP(0) at a near branch whose target is past the limit, changing nothing', () => {
    const { cpu, poke } = machine([]);
    poke(SEG16 + 0x10, [0xe8, 0x00, 0x01]); // call 0x113
    cpu.setCodeSegment(S16_SMALL);
    cpu.eip = 0x10;
    expect([cpu.run(1000), cpu.errorCode, cpu.eip, cpu.regs[ESP]]).toEqual([Stop.GeneralProtection, 0, 0x10, SP]);
  });

  it('never runs bytes decoded as 32-bit code as 16-bit code (the cache knows the mode)', () => {
    const { cpu, poke } = machine([]);
    poke(SEG16, [0xb8, 0x01, 0x00, 0x40, 0x40, 0xcc]); // 32: mov eax, 0x40400001 / 16: mov ax, 1; inc ax; inc ax
    cpu.eip = SEG16;
    expect(cpu.run(1000)).toBe(Stop.Breakpoint);
    expect(cpu.regs[EAX]).toBe(0x40400001);
    cpu.regs[EAX] = 0;
    cpu.setCodeSegment(S16);
    cpu.eip = 0;
    expect(cpu.run(1000)).toBe(Stop.Breakpoint);
    expect(cpu.regs[EAX]).toBe(3);
  });

  it('makes 16-bit far calls and returns inside the segment (CS and IP in 2-byte slots)', () => {
    const { cpu, poke } = machine([]);
    poke(SEG16, [0x9a, 0x20, 0x00, S16, 0x00, 0xcc]); // lcall 0x07:0x20 (ptr16:16); int3
    poke(SEG16 + 0x20, [0x40, 0xcb]); // inc ax; retf (16-bit)
    cpu.setCodeSegment(S16);
    cpu.eip = 0;
    cpu.regs[ESP] = SP;
    expect(cpu.run(1)).toBe(Stop.Budget);
    expect([cpu.eip, cpu.regs[ESP], cpu.mmu.read16(SP - 2), cpu.mmu.read16(SP - 4)]).toEqual([0x20, SP - 4, S16, 5]);
    expect(cpu.run(1000)).toBe(Stop.Breakpoint);
    expect([cpu.eip, cpu.regs[ESP], cpu.regs[EAX], cpu.code16]).toEqual([6, SP, 1, true]);
  });

  it('enters a 16-bit segment with iret and leaves it to the flat segment with o32 iret', () => {
    // push 0x202 (EFLAGS); push 0x07; push 0x10; iret; int3 (reached after the o32 iret back)
    const { cpu, poke } = machine([0x68, 0x02, 0x02, 0, 0, 0x6a, S16, 0x6a, 0x10, 0xcf, 0xcc]);
    // inc ax; then the o32 iret frame for CODE + 10: push dword 0x202, push dword 0x73, push dword CODE + 10
    const back = CODE + 10;
    poke(SEG16 + 0x10, [0x40, 0x66, 0x68, 0x02, 0x02, 0, 0, 0x66, 0x6a, 0x73,
      0x66, 0x68, back & 0xff, (back >> 8) & 0xff, (back >> 16) & 0xff, back >>> 24, 0x66, 0xcf]);
    expect(cpu.run(1000)).toBe(Stop.Breakpoint);
    expect([cpu.eip, cpu.regs[ESP], cpu.regs[EAX], cpu.code16, cpu.segSel[CS]]).toEqual([CODE + 11, SP, 1, false, 0x73]);
  });

  it('keeps a thread in its 16-bit segment across a context switch', () => {
    const { cpu, poke } = machine([]);
    poke(SEG16, [0xb8, 0x01, 0x00, 0x40, 0xcc]);
    cpu.setCodeSegment(S16);
    cpu.eip = 0;
    const ctx = new CpuContext();
    cpu.saveContext(ctx);
    cpu.resetSegments();
    cpu.loadContext(ctx);
    expect(cpu.run(1000)).toBe(Stop.Breakpoint);
    expect([cpu.regs[EAX], cpu.eip, cpu.code16]).toEqual([2, 5, true]);
  });
});

describe('random bytes as 16-bit code', () => {
  it('end in a stop the kernel can deliver, never a host exception', () => {
    let seed = 12345;
    const rnd = () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed >>> 16; };
    const seen = new Set<Stop>();
    for (let run = 0; run < 200; run++) {
      const { cpu, poke } = machine([]);
      poke(SEG16, Array.from({ length: 0x1000 }, () => rnd() & 0xff));
      cpu.setCodeSegment(run % 2 === 0 ? S16 : S16_SMALL);
      cpu.eip = rnd() & 0x3f;
      for (let r = 0; r < 8; r++) cpu.regs[r] = (rnd() << 16) | rnd();
      cpu.regs[ESP] = SP;
      const stop = cpu.run(5000);
      expect(typeof stop).toBe('number');
      seen.add(stop);
    }
    expect(seen.has(Stop.GeneralProtection)).toBe(true);
  });
});

describe('segment checks over the whole operand and by type', () => {
  /** mov fs, ax, then the given instruction (FS-relative), then int3. */
  function fsOp(sel: number, insn: number[]): Machine {
    const m = machine([0x8e, 0xe0, ...insn]);
    m.cpu.regs[EAX] = sel;
    return m;
  }
  const cases: Array<[string, number[], number, boolean]> = [
    ['a dword at limit - 3', [0x64, 0x8b, 0x0b], 0xfc, true],
    ['a dword at limit - 2', [0x64, 0x8b, 0x0b], 0xfd, false],
    ['a word at the limit', [0x66, 0x64, 0x8b, 0x0b], 0xff, false],
    ['a byte at the limit', [0x64, 0x8a, 0x0b], 0xff, true],
    ['movzx of a byte at the limit', [0x64, 0x0f, 0xb6, 0x0b], 0xff, true],
    ['a qword fld at limit - 7', [0x64, 0xdd, 0x03], 0xf8, true],
    ['a qword fld at limit - 6', [0x64, 0xdd, 0x03], 0xf9, false],
    ['cmpxchg8b at limit - 6', [0x64, 0x0f, 0xc7, 0x0b], 0xf9, false],
    ['movups from limit - 15', [0x64, 0x0f, 0x10, 0x03], 0xf0, true],
    ['movups from limit - 14', [0x64, 0x0f, 0x10, 0x03], 0xf1, false],
    ['movsd to limit - 6', [0xf2, 0x64, 0x0f, 0x11, 0x03], 0xf9, false],
    ['movq mm0 from limit - 7', [0x64, 0x0f, 0x6f, 0x03], 0xf8, true],
    ['movq mm0 from limit - 6', [0x64, 0x0f, 0x6f, 0x03], 0xf9, false],
    ['paddd mm0 from limit - 6', [0x64, 0x0f, 0xfe, 0x03], 0xf9, false],
    ['paddd mm0 from limit - 7', [0x64, 0x0f, 0xfe, 0x03], 0xf8, true],
    ['movss from limit - 3', [0xf3, 0x64, 0x0f, 0x10, 0x03], 0xfc, true],
  ];
  for (const [what, insn, off, ok] of cases) {
    it(`${ok ? 'allows' : 'faults #GP(0) on'} ${what}`, () => {
      const { cpu } = fsOp(FS_LIMITED, insn);
      cpu.regs[EBX] = off;
      const stop = cpu.run(1000);
      if (ok) expect(stop).toBe(Stop.Breakpoint);
      else expect([stop, cpu.errorCode, cpu.eip]).toEqual([Stop.GeneralProtection, 0, CODE + 2]);
    });
  }

  it('rep stosd stops at the element that would cross the limit', () => {
    // mov es, ax; rep stosd
    const { cpu } = machine([0x8e, 0xc0, 0xf3, 0xab]);
    cpu.regs[EAX] = FS_LIMITED;
    cpu.regs[EDI] = 0xf6;
    cpu.regs[ECX] = 4;
    expect([cpu.run(1000), cpu.regs[EDI], cpu.regs[ECX]]).toEqual([Stop.GeneralProtection, 0xfe, 2]);
  });

  it('reads through a read-only data segment and faults #GP(0) on a write', () => {
    const read = fsOp(FS_RO, [0x64, 0x8b, 0x0b]);
    read.cpu.regs[EBX] = DATA;
    expect(read.cpu.run(1000)).toBe(Stop.Breakpoint);
    for (const write of [[0x64, 0x89, 0x0b], [0x64, 0xff, 0x03], [0x64, 0x0f, 0xc1, 0x0b]]) {
      const { cpu } = fsOp(FS_RO, write);
      cpu.regs[EBX] = DATA;
      expect([cpu.run(1000), cpu.errorCode, cpu.eip]).toEqual([Stop.GeneralProtection, 0, CODE + 2]);
    }
    const stos = machine([0x8e, 0xc0, 0xaa]); // mov es, ax; stosb
    stos.cpu.regs[EAX] = FS_RO;
    stos.cpu.regs[EDI] = DATA;
    expect([stos.cpu.run(1000), stos.cpu.eip]).toEqual([Stop.GeneralProtection, CODE + 2]);
  });

  it('faults #GP(0) writing through DS loaded with the (readable, unwritable) __USER_CS', () => {
    const { cpu } = machine([0x8e, 0xd8, 0x8b, 0x0b, 0x89, 0x0b]); // mov ds, ax; mov ecx, [ebx]; mov [ebx], ecx
    cpu.regs[EAX] = 0x73;
    cpu.regs[EBX] = DATA;
    expect([cpu.run(1000), cpu.eip]).toEqual([Stop.GeneralProtection, CODE + 4]);
  });

  it('faults #GP(0) reading through an execute-only CS', () => {
    const { cpu, poke } = machine(lcall(CODE + 0x100, CODE_XONLY));
    poke(CODE + 0x100, [0x40, 0x2e, 0x8b, 0x0b]); // inc eax; mov ecx, cs:[ebx]
    cpu.regs[EBX] = DATA;
    expect([cpu.run(1000), cpu.errorCode, cpu.eip, cpu.regs[EAX]]).toEqual([Stop.GeneralProtection, 0, CODE + 0x101, 1]);
  });
});
