// Which prefix/opcode/ModRM combinations of the SSE parts of the 0F map are valid: every
// encoding is run natively and on the emulator, and #UD (SIGILL) must agree, except for the
// instructions of later extensions (SSE3 and up) that this CPU does not implement.
import { describe, expect, it } from 'vitest';
import { type Case, MEM_ADDR, OFF_GPR, OFF_MXCSR, STATE_SIZE, nativeUnavailable, runEmu, runNative } from './harness.js';
import { Stop } from '../../../src/cpu/stop.js';

const skip = nativeUnavailable();

const OPS: number[] = [];
for (let op = 0x10; op <= 0x17; op++) OPS.push(op);
for (let op = 0x28; op <= 0x2f; op++) OPS.push(op);
for (let op = 0x50; op <= 0x7f; op++) OPS.push(op);
for (let op = 0xc2; op <= 0xc6; op++) OPS.push(op);
for (let op = 0xd0; op <= 0xff; op++) OPS.push(op);
const IMM = new Set([0x70, 0x71, 0x72, 0x73, 0xc2, 0xc4, 0xc5, 0xc6]);
const PREFIXES = [[], [0x66], [0xf3], [0xf2]];
const NAMES = ['none', '66', 'F3', 'F2'];

/** Encodings of SSE3 (and later) instructions: valid on the host, #UD here by design. */
function laterExtension(p: number, op: number): boolean {
  if (op === 0x12 && (p === 2 || p === 3)) return true; // MOVSLDUP, MOVDDUP
  if (op === 0x16 && p === 2) return true; // MOVSHDUP
  if ((op === 0x7c || op === 0x7d) && (p === 1 || p === 3)) return true; // HADDPx HSUBPx
  if (op === 0xd0 && (p === 1 || p === 3)) return true; // ADDSUBPD/PS
  if (op === 0xf0 && p === 3) return true; // LDDQU
  if ((op === 0x78 || op === 0x79) && (p === 1 || p === 3)) return true; // SSE4a EXTRQ/INSERTQ (AMD)
  return false;
}

describe.skipIf(skip !== null)('SSE opcode validity vs native', () => {
  it('agrees on #UD for every prefix, opcode and operand form', () => {
    const cases: Case[] = [];
    const labels: string[] = [];
    const meta: Array<[number, number]> = [];
    for (const op of OPS) {
      for (let p = 0; p < 4; p++) {
        for (const modrm of [0xc1, 0xd1, 0xe9, 0xf1, 0x03, 0x13, 0x33, 0x3b]) {
          const code = [...PREFIXES[p], 0x0f, op, modrm];
          if (IMM.has(op)) code.push(3);
          const st = new Uint8Array(STATE_SIZE);
          const w = new Int32Array(st.buffer);
          w[(OFF_GPR >> 2) + 3] = MEM_ADDR; // ebx
          w[(OFF_GPR >> 2) + 7] = MEM_ADDR + 64; // edi (MASKMOV*)
          w[OFF_MXCSR >> 2] = 0x1f80;
          cases.push({ code, state: st });
          labels.push(`${NAMES[p]} 0F ${op.toString(16)} /${modrm.toString(16)}`);
          meta.push([p, op]);
        }
      }
    }
    const nat = runNative(cases);
    const bad: string[] = [];
    let nativeUD = 0, emuUD = 0;
    for (let k = 0; k < cases.length; k++) {
      const nUD = nat[k].stop === 4;
      const eUD = runEmu(cases[k]).stop === Stop.InvalidOpcode;
      const [p, op] = meta[k];
      if (nUD) nativeUD++;
      if (eUD) emuUD++;
      if (nUD !== eUD && !(eUD && laterExtension(p, op))) bad.push(`${labels[k]}: native ${nUD ? '#UD' : `ok/${nat[k].stop}`}, emulator ${eUD ? '#UD' : 'ok'}`);
    }
    console.log(`${cases.length} encodings: #UD natively ${nativeUD}, on the emulator ${emuUD}`);
    if (bad.length) console.log(`${bad.length} disagreements:\n  ${bad.slice(0, 60).join('\n  ')}`);
    expect(bad.length).toBe(0);
  }, 120_000);
});
