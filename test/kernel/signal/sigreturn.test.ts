// sigreturn and rt_sigreturn (kernel/signal/sigreturn.ts): a frame built by setupRtFrame /
// setupFrame, a handler that clobbers everything, and the return restoring registers, EFLAGS,
// segments, x87/SSE state and the mask exactly; edits the handler makes to the frame (EIP,
// EFLAGS beyond FIX_EFLAGS, selectors, fpstate, MXCSR, uc_stack) and bad frames.
import { describe, expect, it } from 'vitest';
import { DS, EAX, ESP, FS, GS, IF, TF } from '../../../src/cpu/registers.js';
import { setupFrame, setupRtFrame } from '../../../kernel/signal/frame.js';
import { SIGRETURN_NO_RESTART, sysRtSigreturn, sysSigreturn } from '../../../kernel/signal/sigreturn.js';
import { putUser32 } from '../../../kernel/mm/uaccess.js';
import {
  SA_ONSTACK, SA_SIGINFO, SI_KERNEL, SIG_IGN, sigbit, SIGILL, SIGKILL, SIGSEGV, SIGSTOP, SIGUSR1, SS_DISABLE,
} from '../../../kernel/signal/signal.js';
import { busyState, sigMachine, type SigMachine } from './machine.js';

const HANDLER = 0x08048100;
const TRAP = { trapno: 0, err: 0, cr2: 0 };
const INFO = { signo: SIGUSR1, errno: 0, code: 0, kind: 'kill', pid: 1, uid: 0 } as const;
const SC_RT = 164, SC_OLD = 8; // the sigcontext's offset in each frame

interface Saved { regs: number[]; eip: number; eflags: number; seg: number[]; fpu: unknown; xmm: number[]; mxcsr: number }

function capture(m: SigMachine): Saved {
  const { cpu } = m;
  return {
    regs: Array.from(cpu.regs.subarray(0, 8)), eip: cpu.eip, eflags: cpu.getEflags(),
    seg: Array.from(cpu.segSel), fpu: { ...cpu.fpu.snapshot(), fcs: 0, fds: 0 },
    xmm: Array.from(cpu.sse.xmm), mxcsr: cpu.sse.mxcsr,
  };
}

/** Delivers an rt (or old-style) frame, runs a "handler" that clobbers state, and returns to the int 0x80. */
function deliver(m: SigMachine, rt: boolean, blocked: bigint): number {
  busyState(m, m.stack + 0x8000 - 6);
  m.signal.blocked = blocked;
  const act = { handler: HANDLER, flags: rt ? SA_SIGINFO : 0, restorer: 0, mask: 0n };
  const ok = rt
    ? setupRtFrame(m.cpu, m.mm, SIGUSR1, INFO, act, blocked, m.signal.altStack, TRAP)
    : setupFrame(m.cpu, m.mm, SIGUSR1, act, blocked, m.signal.altStack, TRAP);
  expect(ok).toBe(true);
  const frame = m.cpu.regs[ESP] >>> 0;
  // The handler: registers, flags, FPU and mask all change; then RET pops pretcode (and the
  // old frame's retcode pops sig) before int 0x80.
  for (let i = 0; i < 8; i++) m.cpu.regs[i] = -1;
  m.cpu.regs[ESP] = frame + (rt ? 4 : 8);
  m.cpu.eip = 0x1234;
  m.cpu.setEflags(0x202 | 0x80 | 0x40);
  m.cpu.fpu.exec(m.cpu, 0xd9, 0xe8, 0); // FLD1
  m.cpu.sse.xmm.fill(7);
  m.cpu.sse.mxcsr = 0x1f80;
  m.signal.blocked = sigbit(SIGUSR1);
  return frame;
}

describe('rt_sigreturn', () => {
  it('restores registers, EFLAGS, segments, x87, XMM, MXCSR and the mask exactly', () => {
    const m = sigMachine();
    busyState(m, m.stack + 0x8000 - 6);
    const want = capture(m);
    const blocked = sigbit(SIGKILL) | sigbit(SIGSTOP) | (1n << 40n) | 0x2000n;
    deliver(m, true, blocked);
    expect(sysRtSigreturn(m.c)).toBe(want.regs[EAX]);
    expect(capture(m)).toEqual(want);
    expect(m.signal.blocked).toBe((1n << 40n) | 0x2000n); // SIGKILL and SIGSTOP never blocked
    expect(m.sent).toEqual([]);
    expect(m.cpu.getEflags() & TF).toBe(TF); // TF comes back (FIX_EFLAGS), for single-stepping
  });

  it('takes an edited EIP and only FIX_EFLAGS bits of an edited EFLAGS', () => {
    const m = sigMachine();
    const frame = deliver(m, true, 0n);
    putUser32(m.mm, frame + SC_RT + 56, 0x08050000); // ip
    putUser32(m.mm, frame + SC_RT + 64, 0x3000 | 0x4000 | 0x200000 | 0x1 | 0x80); // IOPL NT ID, CF SF
    putUser32(m.mm, frame + SC_RT + 44, -514); // ax: looks like -ERESTARTNOHAND
    expect(sysRtSigreturn(m.c)).toBe(-514);
    expect(m.cpu.eip).toBe(0x08050000);
    expect(m.cpu.getEflags()).toBe(IF | 0x2 | 0x1 | 0x80); // IF from before; IOPL, NT, ID not taken
    expect(SIGRETURN_NO_RESTART.has(173) && SIGRETURN_NO_RESTART.has(119)).toBe(true);
  });

  it('fpstate 0 gives the init FPU state; the fregs_state copy of the registers wins', () => {
    const m = sigMachine();
    let frame = deliver(m, true, 0n);
    putUser32(m.mm, frame + SC_RT + 76, 0);
    sysRtSigreturn(m.c);
    expect([m.cpu.fpu.cw, m.cpu.fpu.empty, m.cpu.sse.mxcsr, m.cpu.sse.xmm[5]]).toEqual([0x37f, 0xff, 0x1f80, 0]);
    frame = deliver(m, true, 0n);
    const fpstate = m.u32(frame + SC_RT + 76);
    putUser32(m.mm, fpstate + 28 + 4, 0x80000000); // ST(0) in the header: 2.0
    putUser32(m.mm, fpstate + 28 + 8, 0x4000);
    putUser32(m.mm, fpstate + 28, 0);
    sysRtSigreturn(m.c);
    expect(m.cpu.fpu.stValue(0)).toBe(2);
  });

  it('a reserved MXCSR bit in the image is a bad frame: SIGSEGV, FPU reinitialised', () => {
    const m = sigMachine();
    const frame = deliver(m, true, 0n);
    const fpstate = m.u32(frame + SC_RT + 76);
    putUser32(m.mm, fpstate + 112 + 24, 0x21f80);
    expect(sysRtSigreturn(m.c)).toBe(0);
    expect(m.sent).toEqual([[SIGSEGV, SI_KERNEL]]);
    expect(m.cpu.sse.mxcsr).toBe(0x1f80);
  });

  it('bad data selectors become 0 (GS as loadsegment, DS/ES/FS as the exit path); a bad CS/SS is SIGILL', () => {
    const m = sigMachine();
    let frame = deliver(m, true, 0n);
    putUser32(m.mm, frame + SC_RT + 0, 0x43); // gs: TLS entry 8, not present
    putUser32(m.mm, frame + SC_RT + 4, 0x33); // fs: TLS entry 6, present
    putUser32(m.mm, frame + SC_RT + 12, 0x1234); // ds: no such descriptor
    sysRtSigreturn(m.c);
    expect([m.cpu.segSel[GS], m.cpu.segSel[FS], m.cpu.segSel[DS]]).toEqual([0, 0x33, 0]);
    expect(m.cpu.segBase[FS]).toBe(0x0806f000);
    expect(m.sent).toEqual([]);
    frame = deliver(m, true, 0n);
    putUser32(m.mm, frame + SC_RT + 60, 0x23); // cs
    sysRtSigreturn(m.c);
    expect(m.sent).toEqual([[SIGILL, 8]]);
  });

  it('an unreadable frame forces SIGSEGV even when it is blocked or ignored', () => {
    const m = sigMachine();
    m.cpu.regs[ESP] = 0x30000000;
    m.signal.blocked = sigbit(SIGSEGV);
    m.signal.actions[SIGSEGV].handler = SIG_IGN;
    expect(sysRtSigreturn(m.c)).toBe(0);
    expect(m.sent).toEqual([[SIGSEGV, SI_KERNEL]]);
    expect(m.signal.blocked & sigbit(SIGSEGV)).toBe(0n);
    expect(m.signal.actions[SIGSEGV].handler).toBe(0);
  });

  it('restores the alternate stack from uc_stack (restore_altstack)', () => {
    const m = sigMachine();
    const frame = deliver(m, true, 0n);
    putUser32(m.mm, frame + 144 + 8, m.stack + 0x1000);
    putUser32(m.mm, frame + 144 + 12, 0);
    putUser32(m.mm, frame + 144 + 16, 0x4000);
    sysRtSigreturn(m.c);
    expect(m.signal.altStack).toEqual({ sp: m.stack + 0x1000, flags: 0, size: 0x4000 });
    // Too small: ignored, as do_sigaltstack's -ENOMEM is.
    const f2 = deliver(m, true, 0n);
    putUser32(m.mm, f2 + 144 + 16, 100);
    sysRtSigreturn(m.c);
    expect(m.signal.altStack.size).toBe(0x4000);
  });

  it('round-trips a handler that ran on the alternate stack', () => {
    const m = sigMachine();
    busyState(m, m.stack + 0xf000);
    const want = capture(m);
    m.signal.altStack = { sp: m.stack + 0x1000, flags: 0, size: 0x2000 };
    const act = { handler: HANDLER, flags: SA_SIGINFO | SA_ONSTACK, restorer: 0, mask: 0n };
    expect(setupRtFrame(m.cpu, m.mm, SIGUSR1, INFO, act, 0n, m.signal.altStack, TRAP)).toBe(true);
    m.cpu.regs[ESP] += 4;
    expect(sysRtSigreturn(m.c)).toBe(want.regs[EAX]);
    expect(capture(m)).toEqual(want);
    expect(m.signal.altStack).toEqual({ sp: m.stack + 0x1000, flags: 0, size: 0x2000 });
  });
});

describe('sigreturn', () => {
  it('restores everything from the old frame, the mask from oldmask and extramask', () => {
    const m = sigMachine();
    busyState(m, m.stack + 0x8000 - 6);
    const want = capture(m);
    deliver(m, false, (5n << 32n) | 0x600n);
    expect(sysSigreturn(m.c)).toBe(want.regs[EAX]);
    expect(capture(m)).toEqual(want);
    expect(m.signal.blocked).toBe((5n << 32n) | 0x600n);
    expect(m.signal.altStack.flags).toBe(SS_DISABLE);
  });

  it('takes an edited EIP; an unreadable frame is SIGSEGV', () => {
    const m = sigMachine();
    const frame = deliver(m, false, 0n);
    putUser32(m.mm, frame + SC_OLD + 56, 0x08050000);
    sysSigreturn(m.c);
    expect(m.cpu.eip).toBe(0x08050000);
    m.cpu.regs[ESP] = 0x30000008;
    expect(sysSigreturn(m.c)).toBe(0);
    expect(m.sent).toEqual([[SIGSEGV, SI_KERNEL]]);
  });
});
