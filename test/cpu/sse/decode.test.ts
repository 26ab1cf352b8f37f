// Which prefix/opcode/ModRM combinations of the SSE parts of the 0F map and of the 0F 38 /
// 0F 3A maps are valid: every encoding is run natively and on the emulator, and #UD (SIGILL)
// must agree, except that the host's later extensions (SSE4, AES, SHA, MOVBE, ...) may be #UD
// here.
//
// In the x86-64 replay (harness.ts) every encoding here is one that decodes the same in 64-bit
// mode: each starts with 66/F2/F3 or 0F, never with 40-4F (REX) or C4/C5/62 (VEX/EVEX there,
// LES/LDS/BOUND here), so the host's AVX/AVX-512 never come into it; x64ReplayCode checks this
// and leaves out anything else.
import { describe, expect, it } from 'vitest';
import { type Case, MEM_ADDR, OFF_GPR, OFF_MXCSR, STATE_SIZE, nativeUnavailable, runEmu, runNative } from './harness.js';
import { hostVendor } from '../../helpers/nativeI386.js';
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

/**
 * AMD's SSE4a, absent from the Intel CPU the emulator models (#UD there): EXTRQ 66 0F 78 /0 ib ib
 * and INSERTQ F2 0F 78 /r ib ib, EXTRQ 66 0F 79 /r and INSERTQ F2 0F 79 /r (register forms),
 * MOVNTSS F3 0F 2B and MOVNTSD F2 0F 2B (memory forms). On other hosts than Intel these are not
 * run natively (the 0F 78 forms would take their immediates from the harness's own code); the
 * emulator must still raise #UD for them.
 */
function amdSse4a(p: number, map: number, op: number, modrm: number): boolean {
  if (map !== 0) return false;
  const reg = (modrm >> 3) & 7, isReg = modrm >= 0xc0;
  if (op === 0x78) return isReg && (p === 3 || (p === 1 && reg === 0));
  if (op === 0x79) return isReg && (p === 1 || p === 3);
  return op === 0x2b && !isReg && p >= 2;
}
const vendorOnly = hostVendor() !== 'intel';

describe.skipIf(skip !== null)('SSE opcode validity vs native', () => {
  it('agrees on #UD for every prefix, opcode and operand form', () => {
    const cases: Case[] = [];
    const sse4a: Case[] = [];
    const labels: string[] = [];
    const meta: Array<[number, number, number]> = [];
    const encodings: Array<[number, number]> = OPS.map((op) => [0, op]);
    for (let op = 0; op < 256; op++) encodings.push([0x38, op], [0x3a, op]);
    for (const [map, op] of encodings) {
      for (let p = 0; p < 4; p++) {
        // EMMS (0F 77) has no ModRM: a byte after it would start another instruction.
        for (const modrm of map === 0 && op === 0x77 ? [-1] : [0xc1, 0xd1, 0xe9, 0xf1, 0x03, 0x13, 0x33, 0x3b]) {
          const code = [...PREFIXES[p], 0x0f, ...(map ? [map] : []), op, ...(modrm >= 0 ? [modrm] : [])];
          if (vendorOnly && amdSse4a(p, map, op, modrm)) {
            sse4a.push({ code, state: new Uint8Array(STATE_SIZE) });
            continue;
          }
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
    let nativeUD = 0, emuUD = 0, leftOut = 0;
    for (let k = 0; k < cases.length; k++) {
      const n = nat[k];
      if (typeof n === 'string') {
        leftOut++;
        continue;
      }
      const nUD = n.stop === 4;
      const eUD = runEmu(cases[k]).stop === Stop.InvalidOpcode;
      const [p, map, op] = meta[k];
      if (nUD) nativeUD++;
      if (eUD) emuUD++;
      if (nUD !== eUD && !(eUD && !implemented(map, p, op))) bad.push(`${labels[k]}: native ${nUD ? '#UD' : `ok/${n.stop}`}, emulator ${eUD ? '#UD' : 'ok'}`);
    }
    console.log(`${cases.length - leftOut} encodings (${leftOut} left out of the x86-64 replay): #UD natively ${nativeUD}, on the emulator ${emuUD}`);
    for (const c of sse4a) if (runEmu(c).stop !== Stop.InvalidOpcode) bad.push(`${c.code.map((b) => b.toString(16)).join(' ')}: SSE4a, emulator not #UD`);
    if (sse4a.length) console.log(`${sse4a.length} AMD SSE4a encodings checked for #UD on the emulator only`);
    if (bad.length) console.log(`${bad.length} disagreements:\n  ${bad.slice(0, 60).join('\n  ')}`);
    expect(bad.length).toBe(0);
  }, 120_000);
});
