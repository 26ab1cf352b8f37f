// guest-programs/src/far_smc.c under the emulator: far RET/CALL/JMP/IRET within the user code
// segment, bad selectors caught as SIGSEGV, and self-modifying code, with stdout compared with
// the reference (native i386, else qemu-i386). The "faultregs" mode prints the trap number and
// error code Linux stores in the sigcontext of each bad-selector SIGSEGV; qemu-user does not
// fill them in (trapno -1), so those lines are Linux's documented behaviour, stated here:
// exc_general_protection records the #GP error code (the selector with its RPL bits cleared,
// 0 for a null selector) and trap number 13 (arch/x86/kernel/traps.c), with Linux i386's
// selectors (__USER_CS 0x73, __USER_DS 0x7b, glibc's TLS %gs 0x33); and IRET with EFLAGS.NT
// set, which finds no task to return to (#TS, trapno 10).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { guestReference } from '../helpers/nativeI386.js';
import { describeRun, expectSameAsReference, runUnderEmulator } from '../helpers/execReference.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const EMU = 'dist/i386emu.mjs';
const PROG = 'guest-programs/build/far_smc';
const TIMEOUT_MS = 60_000;
const REF = guestReference();

const emu = (args: string[]) => runUnderEmulator(PROG, args, TIMEOUT_MS);

describe('far transfers and self-modifying code (far_smc)', () => {
  it('is built', () => {
    expect(existsSync(`${ROOT}/${PROG}`), 'run "bash guest-programs/build.sh"').toBe(true);
    expect(existsSync(`${ROOT}/${EMU}`), 'run "node scripts/build.mjs"').toBe(true);
  });

  it.skipIf(typeof REF === 'string')('prints what the reference prints', async () => {
    const got = await expectSameAsReference(PROG, TIMEOUT_MS, expect);
    // The program really got that far: the last checks are the self-modifying code ones.
    expect(got.stdout).toContain('mmap buffer, store 6 bytes ahead: 3000 of 3000 as stored\n');
    expect(got.stdout).toContain('opcode patched just ahead: 9\n');
  }, 2 * TIMEOUT_MS + 10_000);

  it('puts trapno 13 and the #GP error code in the sigcontext, as Linux does', async () => {
    const got = await emu(['faultregs']);
    expect(got.status, `${describeRun(got, TIMEOUT_MS)}\n${got.stderr.slice(-1500)}`).toBe(0);
    const errs: Array<[number, number | null, number | null]> = [
      // selector, #GP error code for lret/iret, for lcall/ljmp (null: no fault)
      [0x0000, 0, 0],
      [0x0003, 0, 0],
      [0x007b, 0x78, 0x78],
      [0x0070, 0x70, null], // RPL 0 < CPL: a return may not, a call or jump may
      [0x0071, 0x70, null],
      [0x0060, 0x60, 0x60],
      [0x0063, 0x60, 0x60],
      [0x0033, 0x30, 0x30],
      [0x0083, 0x80, 0x80],
      [0x000f, 0x0c, 0x0c],
      [0x1003, 0x1000, 0x1000],
    ];
    const line = (kind: string, sel: number, err: number | null) =>
      `${kind} to 0x${sel.toString(16).padStart(4, '0')}: ` + (err === null ? 'no fault' : `trapno 13 err 0x${err.toString(16)}`);
    const want: string[] = [];
    for (const kind of ['lret', 'lcall', 'ljmp', 'iret']) {
      for (const [sel, ret, branch] of errs) want.push(line(kind, sel, kind === 'lret' || kind === 'iret' ? ret : branch));
    }
    // IRET with NT set: a task return through the null back link of Linux's TSS, #TS(0) →
    // exc_invalid_tss → SIGSEGV, SI_KERNEL, trapno 10.
    want.push('iret with NT: signal 11 si_code 0x80 trapno 10 err 0x0');
    expect(got.stdout).toBe(want.join('\n') + '\n');
  }, TIMEOUT_MS + 10_000);
});
