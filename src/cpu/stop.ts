// Why Cpu.run() returned. The CPU never decides what a trap means; the kernel (or the
// debugger) reads the reason and the fields the CPU left (trapVector, Mmu.cr2/faultCode).
export const enum Stop {
  /** The instruction budget ran out; nothing happened. */
  Budget = 0,
  /** INT n (vector in cpu.trapVector), EIP after the instruction. int 0x80 is the syscall gate. */
  Interrupt = 1,
  /** SYSENTER, EIP after the instruction (the kernel returns through the vDSO's sysexit path). */
  Sysenter = 2,
  /** #PF: mmu.cr2 and mmu.faultCode hold the address and error code; EIP at the instruction. */
  PageFault = 3,
  /** #UD: undefined or unimplemented encoding; EIP at the instruction. */
  InvalidOpcode = 4,
  /** #DE: divide error; EIP at the instruction. */
  DivideError = 5,
  /** #GP: privileged instruction or bad selector at CPL 3; EIP at the instruction. */
  GeneralProtection = 6,
  /** INT3 (#BP), EIP after the 0xCC byte. */
  Breakpoint = 7,
  /** #MF / #XM: unmasked x87 or SSE exception; EIP at the instruction. */
  FloatingPoint = 8,
  /** INTO with OF set (#OF), or BOUND out of range (#BR); vector in trapVector. */
  Trap = 9,
  /** A debugger hook asked to stop (breakpoint address or watchpoint). */
  Debug = 10,
  /**
   * #DB single-step trap (vector 1): the instruction started with EFLAGS.TF set and retired;
   * EIP after it (at a REP string instruction itself while iterations remain).
   */
  SingleStep = 11,
  /** #NP(selector): a far transfer to a not-present code segment; error code in cpu.errorCode. */
  SegmentNotPresent = 12,
  /** #TS(selector): IRET with EFLAGS.NT set found no task to return to; EIP at the instruction. */
  InvalidTss = 13,
  /** #SS(selector): SS loaded with a not-present LDT stack segment; error code in cpu.errorCode. */
  StackSegment = 14,
}

export const STOP_NAMES = [
  'budget', 'interrupt', 'sysenter', 'page-fault', 'invalid-opcode', 'divide-error',
  'general-protection', 'breakpoint', 'floating-point', 'trap', 'debug', 'single-step',
  'segment-not-present', 'invalid-tss', 'stack-segment',
];
