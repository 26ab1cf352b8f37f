// SSE3 and SSSE3 against the host CPU.
import type { Spec } from './gen.js';
import { suite } from './suite.js';

const x = (op: number[], lane: Spec['lane'], memSize: number, align: boolean, extra: Partial<Spec> = {}): Spec =>
  ({ op, reg: 'xmm', rm: 'xmm', lane, forms: 'both', memSize, align, ...extra });
const m = (op: number[], extra: Partial<Spec> = {}): Spec =>
  ({ op, reg: 'mmx', rm: 'mmx', lane: 'i32', forms: 'both', memSize: 8, ...extra });

suite('SSE3 vs native', [
  ['addsubps', x([0xf2, 0x0f, 0xd0], 'f32', 16, true)],
  ['addsubpd', x([0x66, 0x0f, 0xd0], 'f64', 16, true)],
  ['haddps', x([0xf2, 0x0f, 0x7c], 'f32', 16, true)],
  ['haddpd', x([0x66, 0x0f, 0x7c], 'f64', 16, true)],
  ['hsubps', x([0xf2, 0x0f, 0x7d], 'f32', 16, true)],
  ['hsubpd', x([0x66, 0x0f, 0x7d], 'f64', 16, true)],
  ['movsldup', x([0xf3, 0x0f, 0x12], 'i32', 16, true)],
  ['movshdup', x([0xf3, 0x0f, 0x16], 'i32', 16, true)],
  ['movddup', x([0xf2, 0x0f, 0x12], 'i32', 8, false)],
  ['lddqu', x([0xf2, 0x0f, 0xf0], 'i32', 16, false, { forms: 'mem' })],
]);

const SSSE3: Array<[string, number]> = [
  ['pshufb', 0x00], ['phaddw', 0x01], ['phaddd', 0x02], ['phaddsw', 0x03], ['pmaddubsw', 0x04],
  ['phsubw', 0x05], ['phsubd', 0x06], ['phsubsw', 0x07], ['psignb', 0x08], ['psignw', 0x09],
  ['psignd', 0x0a], ['pmulhrsw', 0x0b], ['pabsb', 0x1c], ['pabsw', 0x1d], ['pabsd', 0x1e],
];
const specs: Array<[string, Spec]> = [];
for (const [name, op] of SSSE3) {
  specs.push([`${name} mm`, m([0x0f, 0x38, op])]);
  specs.push([`${name} xmm`, x([0x66, 0x0f, 0x38, op], 'i32', 16, true)]);
}
specs.push(['palignr mm', m([0x0f, 0x3a, 0x0f], { imm: 'any' })]);
specs.push(['palignr xmm', x([0x66, 0x0f, 0x3a, 0x0f], 'i32', 16, true, { imm: 'any' })]);
suite('SSSE3 vs native', specs);
