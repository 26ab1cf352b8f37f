// Which prefix/opcode/ModRM combinations of the SSE parts of the 0F map and of the 0F 38 /
// 0F 3A maps are valid: every encoding is run natively and on the emulator, and #UD (SIGILL)
// must agree, except that the host's later extensions (SSE4, AES, SHA, MOVBE, ...) may be #UD
// here.
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

/** 0F 38 / 0F 3A rows this CPU implements (SSSE3), valid without prefix and with 66. */
const SSSE3_38 = new Set([0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x1c, 0x1d, 0x1e]);
function implemented(map: number, p: number, op: number): boolean {
  if (map === 0) return true;
  if (p > 1) return false;
  return map === 0x38 ? SSSE3_38.has(op) : op === 0x0f;
}

describe.skipIf(skip !== null)('SSE opcode validity vs native', () => {
  it('agrees on #UD for every prefix, opcode and operand form', () => {
    const cases: Case[] = [];
    const labels: string[] = [];
    const meta: Array<[number, number, number]> = [];
    const encodings: Array<[number, number]> = OPS.map((op) => [0, op]);
    for (let op = 0; op < 256; op++) encodings.push([0x38, op], [0x3a, op]);
    for (const [map, op] of encodings) {
      for (let p = 0; p < 4; p++) {
        for (const modrm of [0xc1, 0xd1, 0xe9, 0xf1, 0x03, 0x13, 0x33, 0x3b]) {
          const code = [...PREFIXES[p], 0x0f, ...(map ? [map] : []), op, modrm];
          if (map === 0x3a || (map === 0 && IMM.has(op))) code.push(3);
          const st = new Uint8Array(STATE_SIZE);
          const w = new Int32Array(st.buffer);
          w[(OFF_GPR >> 2) + 3] = MEM_ADDR; // ebx
          w[(OFF_GPR >> 2) + 7] = MEM_ADDR + 64; // edi (MASKMOV*)
          w[OFF_MXCSR >> 2] = 0x1f80;
          cases.push({ code, state: st });
          labels.push(`${NAMES[p]} 0F ${map ? `${map.toString(16)} ` : ''}${op.toString(16)} /${modrm.toString(16)}`);
          meta.push([p, map, op]);
        }
      }
    }
    const nat = runNative(cases);
    const bad: string[] = [];
    let nativeUD = 0, emuUD = 0;
    for (let k = 0; k < cases.length; k++) {
      const nUD = nat[k].stop === 4;
      const eUD = runEmu(cases[k]).stop === Stop.InvalidOpcode;
      const [p, map, op] = meta[k];
      if (nUD) nativeUD++;
      if (eUD) emuUD++;
      if (nUD !== eUD && !(eUD && !implemented(map, p, op))) bad.push(`${labels[k]}: native ${nUD ? '#UD' : `ok/${nat[k].stop}`}, emulator ${eUD ? '#UD' : 'ok'}`);
    }
    console.log(`${cases.length} encodings: #UD natively ${nativeUD}, on the emulator ${emuUD}`);
    if (bad.length) console.log(`${bad.length} disagreements:\n  ${bad.slice(0, 60).join('\n  ')}`);
    expect(bad.length).toBe(0);
  }, 120_000);
});
