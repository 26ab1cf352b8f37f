// SSE/SSE2 comparisons, conversions and reciprocal approximations against the host CPU.
import type { Spec } from './gen.js';
import { suite } from './suite.js';

const P = [0x0f], P66 = [0x66, 0x0f], PF3 = [0xf3, 0x0f], PF2 = [0xf2, 0x0f];
// Predicates 0-7; imm8 bits 7:3 are ignored by the legacy encodings, so any byte is tried.
const PRED = 'any' as const;

const x = (op: number[], lane: Spec['lane'], memSize: number, align = false, extra: Partial<Spec> = {}): Spec =>
  ({ op, reg: 'xmm', rm: 'xmm', lane, forms: 'both', memSize, align, ...extra });

suite('SSE compares vs native', [
  ['cmpps', x([...P, 0xc2], 'f32', 16, true, { imm: PRED })],
  ['cmpss', x([...PF3, 0xc2], 'f32', 4, false, { imm: PRED })],
  ['cmppd', x([...P66, 0xc2], 'f64', 16, true, { imm: PRED })],
  ['cmpsd', x([...PF2, 0xc2], 'f64', 8, false, { imm: PRED })],
  ['comiss', x([...P, 0x2f], 'f32', 4)],
  ['ucomiss', x([...P, 0x2e], 'f32', 4)],
  ['comisd', x([...P66, 0x2f], 'f64', 8)],
  ['ucomisd', x([...P66, 0x2e], 'f64', 8)],
], { ignoreMmx: true });

suite('SSE conversions vs native', [
  ['cvtsi2ss', { ...x([...PF3, 0x2a], 'i32', 4), rm: 'gpr' }],
  ['cvtsi2sd', { ...x([...PF2, 0x2a], 'i32', 4), rm: 'gpr' }],
  ['cvtss2si', { ...x([...PF3, 0x2d], 'f32', 4), reg: 'gpr' }],
  ['cvttss2si', { ...x([...PF3, 0x2c], 'f32', 4), reg: 'gpr' }],
  ['cvtsd2si', { ...x([...PF2, 0x2d], 'f64', 8), reg: 'gpr' }],
  ['cvttsd2si', { ...x([...PF2, 0x2c], 'f64', 8), reg: 'gpr' }],
  ['cvtss2sd', x([...PF3, 0x5a], 'f32', 4)],
  ['cvtsd2ss', x([...PF2, 0x5a], 'f64', 8)],
  ['cvtps2pd', x([...P, 0x5a], 'f32', 8)],
  ['cvtpd2ps', x([...P66, 0x5a], 'f64', 16, true)],
  ['cvtdq2ps', x([...P, 0x5b], 'i32', 16, true)],
  ['cvtps2dq', x([...P66, 0x5b], 'f32', 16, true)],
  ['cvttps2dq', x([...PF3, 0x5b], 'f32', 16, true)],
  ['cvtdq2pd', x([...PF3, 0xe6], 'i32', 8)],
  ['cvtpd2dq', x([...PF2, 0xe6], 'f64', 16, true)],
  ['cvttpd2dq', x([...P66, 0xe6], 'f64', 16, true)],
  ['cvtpi2ps', { ...x([...P, 0x2a], 'i32', 8), rm: 'mmx' }],
  ['cvtpi2pd', { ...x([...P66, 0x2a], 'i32', 8), rm: 'mmx' }],
  ['cvtps2pi', { ...x([...P, 0x2d], 'f32', 8), reg: 'mmx' }],
  ['cvttps2pi', { ...x([...P, 0x2c], 'f32', 8), reg: 'mmx' }],
  ['cvtpd2pi', { ...x([...P66, 0x2d], 'f64', 16, true), reg: 'mmx' }],
  ['cvttpd2pi', { ...x([...P66, 0x2c], 'f64', 16, true), reg: 'mmx' }],
]);

suite('SSE reciprocal approximations vs native', [
  ['rcpps', x([...P, 0x53], 'f32', 16, true)],
  ['rcpss', x([...PF3, 0x53], 'f32', 4)],
  ['rsqrtps', x([...P, 0x52], 'f32', 16, true)],
  ['rsqrtss', x([...PF3, 0x52], 'f32', 4)],
], { ignoreMmx: true });
