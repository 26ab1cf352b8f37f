// SSE/SSE2/MMX data movement, logic, shuffles and sign masks against the host CPU.
import type { Spec } from './gen.js';
import { suite } from './suite.js';

const P = [0x0f], P66 = [0x66, 0x0f], PF3 = [0xf3, 0x0f], PF2 = [0xf2, 0x0f];
const x = (op: number[], memSize: number, align: boolean, extra: Partial<Spec> = {}): Spec =>
  ({ op, reg: 'xmm', rm: 'xmm', lane: 'i32', forms: 'both', memSize, align, ...extra });

suite('SSE/SSE2/MMX moves vs native', [
  ['movups load', x([...P, 0x10], 16, false)],
  ['movups store', x([...P, 0x11], 16, false)],
  ['movupd load', x([...P66, 0x10], 16, false)],
  ['movupd store', x([...P66, 0x11], 16, false)],
  ['movss load', x([...PF3, 0x10], 4, false)],
  ['movss store', x([...PF3, 0x11], 4, false)],
  ['movsd load', x([...PF2, 0x10], 8, false)],
  ['movsd store', x([...PF2, 0x11], 8, false)],
  ['movlps/movhlps', x([...P, 0x12], 8, false)],
  ['movlpd load', x([...P66, 0x12], 8, false, { forms: 'mem' })],
  ['movlps store', x([...P, 0x13], 8, false, { forms: 'mem' })],
  ['movlpd store', x([...P66, 0x13], 8, false, { forms: 'mem' })],
  ['movhps/movlhps', x([...P, 0x16], 8, false)],
  ['movhpd load', x([...P66, 0x16], 8, false, { forms: 'mem' })],
  ['movhps store', x([...P, 0x17], 8, false, { forms: 'mem' })],
  ['movhpd store', x([...P66, 0x17], 8, false, { forms: 'mem' })],
  ['movaps load', x([...P, 0x28], 16, true)],
  ['movaps store', x([...P, 0x29], 16, true)],
  ['movapd load', x([...P66, 0x28], 16, true)],
  ['movapd store', x([...P66, 0x29], 16, true)],
  ['movntps', x([...P, 0x2b], 16, true, { forms: 'mem' })],
  ['movntpd', x([...P66, 0x2b], 16, true, { forms: 'mem' })],
  ['movd mm, r/m32', x([...P, 0x6e], 4, false, { reg: 'mmx', rm: 'gpr' })],
  ['movd xmm, r/m32', x([...P66, 0x6e], 4, false, { rm: 'gpr' })],
  ['movq mm, mm/m64', x([...P, 0x6f], 8, false, { reg: 'mmx', rm: 'mmx' })],
  ['movdqa load', x([...P66, 0x6f], 16, true)],
  ['movdqu load', x([...PF3, 0x6f], 16, false)],
  ['movd r/m32, mm', x([...P, 0x7e], 4, false, { reg: 'mmx', rm: 'gpr' })],
  ['movd r/m32, xmm', x([...P66, 0x7e], 4, false, { rm: 'gpr' })],
  ['movq xmm, xmm/m64', x([...PF3, 0x7e], 8, false)],
  ['movq mm/m64, mm', x([...P, 0x7f], 8, false, { reg: 'mmx', rm: 'mmx' })],
  ['movdqa store', x([...P66, 0x7f], 16, true)],
  ['movdqu store', x([...PF3, 0x7f], 16, false)],
  ['movnti', x([...P, 0xc3], 4, false, { reg: 'gpr', forms: 'mem' })],
  ['movq xmm/m64, xmm', x([...P66, 0xd6], 8, false)],
  ['movq2dq', x([...PF3, 0xd6], 8, false, { rm: 'mmx', forms: 'reg' })],
  ['movdq2q', x([...PF2, 0xd6], 8, false, { reg: 'mmx', forms: 'reg' })],
  ['movntq', x([...P, 0xe7], 8, false, { reg: 'mmx', forms: 'mem' })],
  ['movntdq', x([...P66, 0xe7], 16, true, { forms: 'mem' })],
  ['maskmovq', x([...P, 0xf7], 8, false, { reg: 'mmx', rm: 'mmx', forms: 'reg', ediMem: true })],
  ['maskmovdqu', x([...P66, 0xf7], 16, false, { forms: 'reg', ediMem: true })],
  ['emms', x([...P, 0x77], 16, false, { forms: 'reg', noModrm: true })],
  ['paddb mm; emms', x([...P, 0xfc, 0xc1, ...P, 0x77], 16, false, { forms: 'reg', noModrm: true })],
  ['movq mm, mm; movd eax, mm3', x([...P, 0x6f, 0xda, ...P, 0x7e, 0xd8], 16, false, { forms: 'reg', noModrm: true })],
]);

suite('SSE logic/shuffle/mask vs native', [
  ['andps', x([...P, 0x54], 16, true)], ['andnps', x([...P, 0x55], 16, true)],
  ['orps', x([...P, 0x56], 16, true)], ['xorps', x([...P, 0x57], 16, true)],
  ['andpd', x([...P66, 0x54], 16, true)], ['andnpd', x([...P66, 0x55], 16, true)],
  ['orpd', x([...P66, 0x56], 16, true)], ['xorpd', x([...P66, 0x57], 16, true)],
  ['shufps', x([...P, 0xc6], 16, true, { imm: 'any' })],
  ['shufpd', x([...P66, 0xc6], 16, true, { imm: 'any' })],
  ['unpcklps', x([...P, 0x14], 16, true)], ['unpckhps', x([...P, 0x15], 16, true)],
  ['unpcklpd', x([...P66, 0x14], 16, true)], ['unpckhpd', x([...P66, 0x15], 16, true)],
  ['movmskps', x([...P, 0x50], 16, false, { reg: 'gpr', forms: 'reg' })],
  ['movmskpd', x([...P66, 0x50], 16, false, { reg: 'gpr', forms: 'reg' })],
], { ignoreMmx: true });
