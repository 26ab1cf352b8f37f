// A CPU on a fresh address space with a 64 KiB stack mapping, a fake syscall context for the
// sigreturn handlers (it records the signals they send), and a distinctive register and
// FPU/SSE state to save and compare.
import { Cpu } from '../../../src/cpu/cpu.js';
import { TF } from '../../../src/cpu/registers.js';
import { doMmap, MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE } from '../../../kernel/mm/mmap.js';
import type { Mm } from '../../../kernel/mm/mmStruct.js';
import { copyFromUser } from '../../../kernel/mm/uaccess.js';
import { SigHand, SignalState } from '../../../kernel/signal/signal.js';
import type { SyscallContext } from '../../../kernel/syscalls/types.js';
import { makeMm } from '../helpers.js';

export interface SigMachine {
  cpu: Cpu;
  mm: Mm;
  /** Start of the 64 KiB read-write mapping. */
  stack: number;
  c: SyscallContext;
  signal: SignalState;
  /** [sig, code] of each sendSignal call. */
  sent: Array<[number, number]>;
  u32(addr: number): number;
  bytes(addr: number, n: number): Uint8Array;
}

export function sigMachine(): SigMachine {
  const mm = makeMm();
  const cpu = new Cpu(mm.mmu);
  const stack = doMmap(mm, 0, 0x10000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, null, 0);
  const signal = new SignalState(new SigHand());
  const sent: Array<[number, number]> = [];
  const c = {
    task: { signal }, mm, cpu,
    sendSignal: (sig: number, code: number) => { sent.push([sig, code]); },
  } as unknown as SyscallContext;
  return {
    cpu, mm, stack, c, signal, sent,
    u32: (a) => new DataView(copyFromUser(mm, a, 4).buffer).getUint32(0, true),
    bytes: (a, n) => copyFromUser(mm, a, n),
  };
}

/** Registers, flags (CF OF DF AC TF), a TLS GS, three x87 registers, XMM and MXCSR. */
export function busyState(m: SigMachine, esp: number): void {
  const { cpu } = m;
  for (let i = 0; i < 8; i++) cpu.regs[i] = (0x11111111 * (i + 1)) | 0;
  cpu.regs[4] = esp | 0;
  cpu.eip = 0x08049123;
  cpu.setEflags(0x202 | 0x1 | 0x800 | 0x400 | 0x40000 | TF);
  cpu.tls[0].present = true;
  cpu.tls[0].base = 0x0806f000;
  cpu.loadSegment(5, 0x33); // GS = TLS entry 6
  const f = cpu.fpu;
  f.cw = 0x027f;
  f.top = 5;
  f.empty = 0x1f;
  f.se[5] = 0x4000; f.hi[5] = 0xc90fdaa2; f.lo[5] = 0x2168c235; // π
  f.se[6] = 0; f.hi[6] = 0; f.lo[6] = 0;
  f.se[7] = 0x3fff; f.hi[7] = 0x80000000; f.lo[7] = 0;
  f.sw = 0x20;
  f.fip = 0x08049000;
  f.fop = 0x1e9;
  for (let i = 0; i < 32; i++) cpu.sse.xmm[i] = (0x01020304 * (i + 1)) | 0;
  cpu.sse.mxcsr = 0x9fa0;
}
