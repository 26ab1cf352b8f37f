// guest-programs/src/ldt.c under the emulator: modify_ldt writes (old and new formats), reads
// and errors, %fs/%gs loaded from LDT selectors, not-present (SIGBUS) and out-of-table
// (SIGSEGV) selectors, a far call into a flat LDT code segment, and fork, with stdout compared
// with the reference (native i386, else qemu-i386). qemu-i386 does not check segment limits,
// so the limits mode asserts the SDM's outcome (an offset outside a data segment's limit, or
// at or below an expand-down segment's, is #GP(0), which Linux delivers as SIGSEGV). The exec mode is asserted as Linux's
// behaviour (exec gives the process a new mm, which has no LDT): qemu-user cannot exec an
// i386 program on a host that does not run them natively.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { guestReference } from '../helpers/nativeI386.js';
import { describeRun, expectSameAsReference, runUnderEmulator } from '../helpers/execReference.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const EMU = 'dist/i386emu.mjs';
const PROG = 'guest-programs/build/ldt';
const TIMEOUT_MS = 60_000;
const REF = guestReference();

const emu = (args: string[]) => runUnderEmulator(PROG, args, TIMEOUT_MS);

describe('modify_ldt and LDT segments (ldt)', () => {
  it('is built', () => {
    expect(existsSync(`${ROOT}/${PROG}`), 'run "bash guest-programs/build.sh"').toBe(true);
    expect(existsSync(`${ROOT}/${EMU}`), 'run "node scripts/build.mjs"').toBe(true);
  });

  it.skipIf(typeof REF === 'string')('prints what the reference prints', async () => {
    const got = await expectSameAsReference(PROG, TIMEOUT_MS, expect);
    // The program got through the segment checks to the fork.
    expect(got.stdout).toContain('fs=0x7 [4]: sig 0 value 22222222\n');
    expect(got.stdout).toContain('lcall 0x17: sig 0 result 42\n');
    expect(got.stdout).toContain('child: fs=0x7 [0]: sig 0 value 11111111\n');
  }, 2 * TIMEOUT_MS + 10_000);

  it('faults past a segment limit and below an expand-down limit, as the SDM says', async () => {
    const got = await emu(['limits']);
    expect(got.status, `${describeRun(got, TIMEOUT_MS)}\n${got.stderr.slice(-1500)}`).toBe(0);
    expect(got.stdout).toContain([
      'write 0x11 entry 3 limit 15: 0',
      'write 0x11 entry 4 expand-down: 0',
      'fs=0x1f [12]: sig 0 value 44444444',
      'fs=0x1f [16] (past the limit): SIGSEGV',
      'fs=0x1f [-4] (past the limit): SIGSEGV',
      'fs=0x27 [0x1004]: sig 0 value 22222222',
      'fs=0x27 [0xffc] (below an expand-down limit): SIGSEGV',
      'fs=0x27 [-4]: sig 0',
      '',
    ].join('\n'));
  }, TIMEOUT_MS + 10_000);

  it('drops the LDT at exec, as Linux does', async () => {
    const got = await emu(['exec']);
    expect(got.status, `${describeRun(got, TIMEOUT_MS)}\n${got.stderr.slice(-1500)}`).toBe(0);
    expect(got.stdout).toContain('fs=0x7 [4]: sig 0 value 22222222\n');
    expect(got.stdout.endsWith('exec: read 0\nexec: load 0x7 -> SIGSEGV\n')).toBe(true);
  }, TIMEOUT_MS + 10_000);
});
