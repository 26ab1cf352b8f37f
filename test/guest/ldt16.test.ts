// guest-programs/src/ldt16.c under the emulator: a 16-bit code segment written with modify_ldt,
// called with lcall and left with a 32-bit lret (16-bit arithmetic, stack, near CALL/RET, LOOP,
// JCXZ, a rel16 JMP, 16-bit addressing through an LDT %fs, a %cs read, an int3 whose handler
// sees the 16-bit CS:IP and returns into the segment), with stdout compared with the reference
// (native i386, else qemu-i386). qemu-i386 checks neither segment limits nor segment types, so
// the limits mode asserts the SDM's outcome (#GP(0), which Linux delivers as SIGSEGV, with the
// faulting CS:IP in the sigcontext and the handler in the flat __USER_CS).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { guestReference } from '../helpers/nativeI386.js';
import { describeRun, expectSameAsReference, runUnderEmulator } from '../helpers/execReference.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const EMU = 'dist/i386emu.mjs';
const PROG = 'guest-programs/build/ldt16';
const TIMEOUT_MS = 60_000;
const REF = guestReference();

describe('16-bit LDT code segments (ldt16)', () => {
  it('is built', () => {
    expect(existsSync(`${ROOT}/${PROG}`), 'run "bash guest-programs/build.sh"').toBe(true);
    expect(existsSync(`${ROOT}/${EMU}`), 'run "node scripts/build.mjs"').toBe(true);
  });

  it.skipIf(typeof REF === 'string')('prints what the reference prints', async () => {
    const got = await expectSameAsReference(PROG, TIMEOUT_MS, expect);
    expect(got.stdout).toContain('arith16: none eax aaaa0246 ebx bbbb0028 ecx cccc0000 edx dddd0123 esi-high eeee sp-even 1\n');
    expect(got.stdout).toContain('jumps16 cx=3: none ax 0111\n');
    expect(got.stdout).toContain('trap16: none ax 5678; SIGTRAP at cs 0x7 ip +0, handler in the flat cs 1\n');
  }, 2 * TIMEOUT_MS + 10_000);

  it('faults on limits, read-only and execute-only segments as the SDM says', async () => {
    const got = await runUnderEmulator(PROG, ['limits'], TIMEOUT_MS);
    expect(got.status, `${describeRun(got, TIMEOUT_MS)}\n${got.stderr.slice(-1500)}`).toBe(0);
    expect(got.stdout).toBe([
      'write entry 0: 0',
      'write entry 1: 0',
      'fetch past the limit: SIGSEGV at cs 0xf ip +3, flat handler 1',
      'write entry 2: 0',
      'dword at 12: none eax 44444444',
      'dword at 13: SIGSEGV',
      'write entry 3: 0',
      'read-only read: 22222222',
      'read-only write: SIGSEGV, buf[1] 22222222',
      'write entry 4: 0',
      'execute-only cs read: SIGSEGV at ip +0',
      '',
    ].join('\n'));
  }, TIMEOUT_MS + 10_000);
});
