// Signal frame construction (kernel/signal/frame.ts): every field of struct rt_sigframe_ia32
// and struct sigframe_ia32 at its byte offset, the math frame's placement and contents, the
// stack alignment at handler entry, the handler's registers, the alternate stack choice
// (SA_ONSTACK, nested, SS_AUTODISARM, overflow), and failure on an unmapped stack.
import { CpuContext } from '../../../src/cpu/context.js';
import { Cpu } from '../../../src/cpu/cpu.js';
import { describe, expect, it } from 'vitest';
import { CS, DS, EAX, ECX, EDX, ES, ESP, GS, SS, TF, USER_CS, USER_DS } from '../../../src/cpu/registers.js';
import { setupFrame, setupRtFrame } from '../../../kernel/signal/frame.js';
import { SA_ONSTACK, SA_RESTORER, SA_SIGINFO, SIGUSR1, SS_DISABLE } from '../../../kernel/signal/signal.js';
import { SS_AUTODISARM } from '../../../kernel/signal/frameLayout.js';

/** The registers, EIP, EFLAGS and segments (what a failed frame must leave alone). */
function regsOf(cpu: Cpu): unknown {
  const ctx = new CpuContext();
  cpu.saveContext(ctx);
  return { regs: [...ctx.regs], eip: ctx.eip, eflags: ctx.eflags, sel: [...ctx.segSel], base: [...ctx.segBase] };
}
import { busyState, sigMachine, type SigMachine } from './machine.js';

const HANDLER = 0x08048100, RESTORER = 0x08048200;
const TRAP = { trapno: 14, err: 6, cr2: 0xdead0 };
const INFO = { signo: SIGUSR1, errno: 0, code: -6, kind: 'kill', pid: 42, uid: 1000 } as const;
const noAlt = () => ({ sp: 0, flags: SS_DISABLE, size: 0 });

/** Where get_sigframe puts the math frame and a frame of `size` bytes below sp. */
function expectedPlace(sp: number, size: number) {
  const bufFx = ((sp - 512) & ~63) >>> 0;
  const fpstate = bufFx - 112;
  const frame = (((fpstate - size + 4) & ~15) >>> 0) - 4;
  return { bufFx, fpstate, frame };
}

function sigcontextChecks(m: SigMachine, sc: number, esp: number, fpstate: number, oldmask: number): void {
  const w = (off: number) => m.u32(sc + off);
  expect(w(0)).toBe(0x33); // gs
  expect([w(4), w(8), w(12)]).toEqual([0, USER_DS, USER_DS]); // fs es ds
  // di si bp sp bx dx cx ax
  expect([w(16), w(20), w(24), w(28), w(32), w(36), w(40), w(44)]).toEqual(
    [0x88888888, 0x77777777, 0x66666666, esp, 0x44444444, 0x33333333, 0x22222222, 0x11111111]);
  expect([w(48), w(52)]).toEqual([14, 6]); // trapno err
  expect(w(56)).toBe(0x08049123); // ip
  expect(w(60)).toBe(USER_CS);
  expect(w(64)).toBe(0x202 | 0x1 | 0x800 | 0x400 | 0x40000 | TF); // flags
  expect(w(68)).toBe(esp); // sp_at_signal
  expect(w(72)).toBe(USER_DS);
  expect(w(76)).toBe(fpstate);
  expect(w(80)).toBe(oldmask);
  expect(w(84)).toBe(0xdead0); // cr2
}

function mathFrameChecks(m: SigMachine, fpstate: number): void {
  const h = (off: number) => m.u32(fpstate + off);
  expect(h(0)).toBe(0xffff027f); // cw
  const sw = 0x20 | (5 << 11);
  expect(h(4)).toBe((0xffff0000 | sw) >>> 0);
  expect(h(8)).toBe(0xffff13ff); // R5 valid, R6 zero, R7 valid, R0-R4 empty
  expect(h(12)).toBe(0x08049000); // ipoff
  expect(h(16)).toBe(0x1e9 << 16); // cssel: FOP in the upper half
  expect(m.bytes(fpstate + 28, 10)).toEqual(Uint8Array.from([0x35, 0xc2, 0x68, 0x21, 0xa2, 0xda, 0x0f, 0xc9, 0x00, 0x40])); // ST(0) = π
  expect(h(108) & 0xffff).toBe(sw); // status
  expect(h(108) >>> 16).toBe(0); // magic: X86_FXSR_MAGIC
  const fx = fpstate + 112;
  expect(fx & 63).toBe(0);
  expect(m.u32(fx) & 0xffff).toBe(0x027f);
  expect(m.u32(fx + 4) & 0xff).toBe(0xe0); // abridged tags
  expect(m.u32(fx + 24)).toBe(0x9fa0); // mxcsr
  expect(m.u32(fx + 28)).toBe(0xffff); // mxcsr_mask
  expect(m.u32(fx + 160)).toBe(0x01020304); // xmm0[0]
  expect(m.u32(fx + 160 + 124)).toBe((0x01020304 * 32) >>> 0); // xmm7[3]
  expect(m.u32(fx + 464)).toBe(0); // sw_reserved: no FP_XSTATE_MAGIC1 without XSAVE
}

function handlerEntryChecks(m: SigMachine): void {
  const { cpu } = m;
  expect((cpu.regs[ESP] + 4) & 15).toBe(0);
  expect(cpu.eip).toBe(HANDLER);
  expect(cpu.getEflags() & (TF | 0x400 | 0x10000)).toBe(0); // TF DF RF cleared
  expect(cpu.getEflags() & 0x801).toBe(0x801); // CF OF kept
  expect([cpu.segSel[DS], cpu.segSel[ES], cpu.segSel[SS], cpu.segSel[CS]]).toEqual([USER_DS, USER_DS, USER_DS, USER_CS]);
  expect(cpu.segSel[GS]).toBe(0x33); // the TLS stays
  expect([cpu.fpu.cw, cpu.fpu.getSw(), cpu.fpu.empty, cpu.sse.mxcsr]).toEqual([0x37f, 0, 0xff, 0x1f80]);
  expect(cpu.sse.xmm.every((x) => x === 0)).toBe(true);
}

describe('setupRtFrame', () => {
  it('writes struct rt_sigframe_ia32 and its math frame field by field', () => {
    const m = sigMachine();
    const esp = m.stack + 0x8000 - 3;
    busyState(m, esp);
    const blocked = (1n << 40n) | 0x400n;
    const ok = setupRtFrame(m.cpu, m.mm, SIGUSR1, INFO, { handler: HANDLER, flags: SA_SIGINFO | SA_RESTORER, restorer: RESTORER, mask: 0n }, blocked, noAlt(), TRAP);
    expect(ok).toBe(true);
    const { frame, fpstate } = expectedPlace(esp, 268);
    expect(m.cpu.regs[ESP] >>> 0).toBe(frame);
    expect(m.u32(frame)).toBe(RESTORER); // pretcode
    expect(m.u32(frame + 4)).toBe(SIGUSR1);
    expect(m.u32(frame + 8)).toBe(frame + 16); // pinfo
    expect(m.u32(frame + 12)).toBe(frame + 144); // puc
    expect([m.u32(frame + 16), m.u32(frame + 20), m.u32(frame + 24) | 0, m.u32(frame + 28), m.u32(frame + 32)]).toEqual([SIGUSR1, 0, -6, 42, 1000]);
    expect([m.u32(frame + 144), m.u32(frame + 148)]).toEqual([0, 0]); // uc_flags, uc_link
    expect([m.u32(frame + 152), m.u32(frame + 156), m.u32(frame + 160)]).toEqual([0, SS_DISABLE, 0]); // uc_stack
    sigcontextChecks(m, frame + 164, esp, fpstate, 0x400);
    expect([m.u32(frame + 252), m.u32(frame + 256)]).toEqual([0x400, 1 << 8]); // uc_sigmask
    expect(m.bytes(frame + 260, 8)).toEqual(Uint8Array.from([0xb8, 173, 0, 0, 0, 0xcd, 0x80, 0]));
    mathFrameChecks(m, fpstate);
    expect(m.cpu.regs[EAX]).toBe(SIGUSR1);
    expect(m.cpu.regs[EDX] >>> 0).toBe(frame + 16);
    expect(m.cpu.regs[ECX] >>> 0).toBe(frame + 144);
    handlerEntryChecks(m);
  });

  it('returns through the frame\'s retcode without SA_RESTORER, and aligns from any ESP', () => {
    for (let k = 0; k < 16; k++) {
      const m = sigMachine();
      const esp = m.stack + 0x9000 - k;
      busyState(m, esp);
      expect(setupRtFrame(m.cpu, m.mm, SIGUSR1, INFO, { handler: HANDLER, flags: SA_SIGINFO, restorer: 0, mask: 0n }, 0n, noAlt(), TRAP)).toBe(true);
      const frame = m.cpu.regs[ESP] >>> 0;
      expect(frame).toBe(expectedPlace(esp, 268).frame);
      expect((frame + 4) & 15).toBe(0);
      expect(m.u32(frame)).toBe(frame + 260);
    }
  });
});

describe('setupFrame', () => {
  it('writes struct sigframe_ia32 field by field', () => {
    const m = sigMachine();
    const esp = m.stack + 0x8000 - 7;
    busyState(m, esp);
    const ok = setupFrame(m.cpu, m.mm, SIGUSR1, { handler: HANDLER, flags: 0, restorer: 0, mask: 0n }, (3n << 32n) | 0x10n, noAlt(), TRAP);
    expect(ok).toBe(true);
    const { frame, fpstate } = expectedPlace(esp, 732);
    expect(m.cpu.regs[ESP] >>> 0).toBe(frame);
    expect(m.u32(frame)).toBe(frame + 724); // pretcode → retcode
    expect(m.u32(frame + 4)).toBe(SIGUSR1);
    sigcontextChecks(m, frame + 8, esp, fpstate, 0x10);
    expect(m.bytes(frame + 96, 624).every((b) => b === 0)).toBe(true); // fpstate_unused
    expect(m.u32(frame + 720)).toBe(3); // extramask
    expect(m.bytes(frame + 724, 8)).toEqual(Uint8Array.from([0x58, 0xb8, 119, 0, 0, 0, 0xcd, 0x80]));
    mathFrameChecks(m, fpstate);
    expect([m.cpu.regs[EAX], m.cpu.regs[EDX], m.cpu.regs[ECX]]).toEqual([SIGUSR1, 0, 0]);
    handlerEntryChecks(m);
  });
});

describe('alternate signal stack', () => {
  const act = { handler: HANDLER, flags: SA_SIGINFO | SA_ONSTACK, restorer: 0, mask: 0n };

  it('SA_ONSTACK starts at the top of the alternate stack and saves it in uc_stack', () => {
    const m = sigMachine();
    busyState(m, m.stack + 0xf000);
    const alt = { sp: m.stack + 0x1000, flags: 0, size: 0x2000 };
    expect(setupRtFrame(m.cpu, m.mm, SIGUSR1, INFO, act, 0n, alt, TRAP)).toBe(true);
    const frame = m.cpu.regs[ESP] >>> 0;
    expect(frame).toBe(expectedPlace(m.stack + 0x3000, 268).frame);
    expect([m.u32(frame + 152), m.u32(frame + 156), m.u32(frame + 160)]).toEqual([m.stack + 0x1000, 0, 0x2000]);
    expect(alt).toEqual({ sp: m.stack + 0x1000, flags: 0, size: 0x2000 });
  });

  it('a handler already on the alternate stack nests below its ESP', () => {
    const m = sigMachine();
    const esp = m.stack + 0x2800;
    busyState(m, esp);
    const alt = { sp: m.stack + 0x1000, flags: 0, size: 0x2000 };
    expect(setupRtFrame(m.cpu, m.mm, SIGUSR1, INFO, act, 0n, alt, TRAP)).toBe(true);
    expect(m.cpu.regs[ESP] >>> 0).toBe(expectedPlace(esp, 268).frame);
    expect(m.u32((m.cpu.regs[ESP] >>> 0) + 156)).toBe(0); // ss_flags as stored (sas_ss_flags)
  });

  it('without SA_ONSTACK the normal stack is used', () => {
    const m = sigMachine();
    const esp = m.stack + 0xf000;
    busyState(m, esp);
    const alt = { sp: m.stack + 0x1000, flags: 0, size: 0x2000 };
    expect(setupRtFrame(m.cpu, m.mm, SIGUSR1, INFO, { ...act, flags: SA_SIGINFO }, 0n, alt, TRAP)).toBe(true);
    expect(m.cpu.regs[ESP] >>> 0).toBe(expectedPlace(esp, 268).frame);
  });

  it('SS_AUTODISARM: used even when ESP is on it, saved with the flag, then disarmed', () => {
    const m = sigMachine();
    busyState(m, m.stack + 0x2800);
    const alt = { sp: m.stack + 0x1000, flags: SS_AUTODISARM, size: 0x2000 };
    expect(setupRtFrame(m.cpu, m.mm, SIGUSR1, INFO, act, 0n, alt, TRAP)).toBe(true);
    const frame = m.cpu.regs[ESP] >>> 0;
    expect(frame).toBe(expectedPlace(m.stack + 0x3000, 268).frame);
    expect(m.u32(frame + 156)).toBe(SS_AUTODISARM >>> 0);
    expect(alt).toEqual({ sp: 0, flags: SS_DISABLE, size: 0 });
  });

  it('an overflowing alternate stack fails and leaves the registers alone', () => {
    const m = sigMachine();
    busyState(m, m.stack + 0xf000);
    const alt = { sp: m.stack + 0x1000, flags: 0, size: 0x300 };
    const before = regsOf(m.cpu);
    expect(setupRtFrame(m.cpu, m.mm, SIGUSR1, INFO, act, 0n, alt, TRAP)).toBe(false);
    expect(regsOf(m.cpu)).toEqual(before);
    // Nested near the bottom of the alternate stack.
    busyState(m, m.stack + 0x1100);
    const alt2 = { sp: m.stack + 0x1000, flags: 0, size: 0x2000 };
    expect(setupRtFrame(m.cpu, m.mm, SIGUSR1, INFO, act, 0n, alt2, TRAP)).toBe(false);
  });
});

describe('bad stacks', () => {
  it('fails on an unmapped stack, registers and FPU untouched', () => {
    for (const setup of [setupRtFrame, setupFrame] as const) {
      const m = sigMachine();
      busyState(m, 0x30000000);
      const before = regsOf(m.cpu);
      const fpu = m.cpu.fpu.snapshot();
      const act = { handler: HANDLER, flags: SA_SIGINFO, restorer: 0, mask: 0n };
      const ok = setup === setupRtFrame
        ? setupRtFrame(m.cpu, m.mm, SIGUSR1, INFO, act, 0n, noAlt(), TRAP)
        : setupFrame(m.cpu, m.mm, SIGUSR1, act, 0n, noAlt(), TRAP);
      expect(ok).toBe(false);
      expect(regsOf(m.cpu)).toEqual(before);
      expect(m.cpu.fpu.snapshot()).toEqual(fpu);
      expect(m.cpu.sse.mxcsr).toBe(0x9fa0);
    }
  });
});
