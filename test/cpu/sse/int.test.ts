// MMX and SSE2 integer SIMD against the host CPU, in both register files.
import type { Spec } from './gen.js';
import { suite } from './suite.js';

const INT_OPS: Array<[string, number]> = [
  ['punpcklbw', 0x60], ['punpcklwd', 0x61], ['punpckldq', 0x62], ['packsswb', 0x63],
  ['pcmpgtb', 0x64], ['pcmpgtw', 0x65], ['pcmpgtd', 0x66], ['packuswb', 0x67],
  ['punpckhbw', 0x68], ['punpckhwd', 0x69], ['punpckhdq', 0x6a], ['packssdw', 0x6b],
  ['pcmpeqb', 0x74], ['pcmpeqw', 0x75], ['pcmpeqd', 0x76],
  ['psrlw', 0xd1], ['psrld', 0xd2], ['psrlq', 0xd3], ['paddq', 0xd4], ['pmullw', 0xd5],
  ['psubusb', 0xd8], ['psubusw', 0xd9], ['pminub', 0xda], ['pand', 0xdb], ['paddusb', 0xdc],
  ['paddusw', 0xdd], ['pmaxub', 0xde], ['pandn', 0xdf], ['pavgb', 0xe0], ['psraw', 0xe1],
  ['psrad', 0xe2], ['pavgw', 0xe3], ['pmulhuw', 0xe4], ['pmulhw', 0xe5], ['psubsb', 0xe8],
  ['psubsw', 0xe9], ['pminsw', 0xea], ['por', 0xeb], ['paddsb', 0xec], ['paddsw', 0xed],
  ['pmaxsw', 0xee], ['pxor', 0xef], ['psllw', 0xf1], ['pslld', 0xf2], ['psllq', 0xf3],
  ['pmuludq', 0xf4], ['pmaddwd', 0xf5], ['psadbw', 0xf6], ['psubb', 0xf8], ['psubw', 0xf9],
  ['psubd', 0xfa], ['psubq', 0xfb], ['paddb', 0xfc], ['paddw', 0xfd], ['paddd', 0xfe],
];

const mmx = (op: number[], extra: Partial<Spec> = {}): Spec =>
  ({ op, reg: 'mmx', rm: 'mmx', lane: 'i32', forms: 'both', memSize: 8, ...extra });
const xmm = (op: number[], extra: Partial<Spec> = {}): Spec =>
  ({ op, reg: 'xmm', rm: 'xmm', lane: 'i32', forms: 'both', memSize: 16, align: true, ...extra });

const specs: Array<[string, Spec]> = [];
for (const [name, op] of INT_OPS) {
  specs.push([`${name} mm`, mmx([0x0f, op])]);
  specs.push([`${name} xmm`, xmm([0x66, 0x0f, op])]);
}
specs.push(['punpcklqdq', xmm([0x66, 0x0f, 0x6c])], ['punpckhqdq', xmm([0x66, 0x0f, 0x6d])]);
const groups: Array<[string, number, number]> = [
  ['psrlw', 0x71, 2], ['psraw', 0x71, 4], ['psllw', 0x71, 6],
  ['psrld', 0x72, 2], ['psrad', 0x72, 4], ['pslld', 0x72, 6],
  ['psrlq', 0x73, 2], ['psllq', 0x73, 6],
];
const COUNTS = [0, 1, 2, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 255];
for (const [name, op, r] of groups) {
  specs.push([`${name} mm, imm`, mmx([0x0f, op], { forms: 'reg', fixedReg: r, imm: COUNTS })]);
  specs.push([`${name} xmm, imm`, xmm([0x66, 0x0f, op], { forms: 'reg', fixedReg: r, imm: COUNTS })]);
}
specs.push(['psrldq', xmm([0x66, 0x0f, 0x73], { forms: 'reg', fixedReg: 3, imm: COUNTS })]);
specs.push(['pslldq', xmm([0x66, 0x0f, 0x73], { forms: 'reg', fixedReg: 7, imm: COUNTS })]);
specs.push(
  ['pshufw', mmx([0x0f, 0x70], { imm: 'any' })],
  ['pshufd', xmm([0x66, 0x0f, 0x70], { imm: 'any' })],
  ['pshufhw', xmm([0xf3, 0x0f, 0x70], { imm: 'any' })],
  ['pshuflw', xmm([0xf2, 0x0f, 0x70], { imm: 'any' })],
  ['pinsrw mm', mmx([0x0f, 0xc4], { rm: 'gpr', memSize: 2, imm: 'any' })],
  ['pinsrw xmm', xmm([0x66, 0x0f, 0xc4], { rm: 'gpr', memSize: 2, align: false, imm: 'any' })],
  ['pextrw mm', mmx([0x0f, 0xc5], { reg: 'gpr', forms: 'reg', imm: 'any' })],
  ['pextrw xmm', xmm([0x66, 0x0f, 0xc5], { reg: 'gpr', forms: 'reg', imm: 'any' })],
  ['pmovmskb mm', mmx([0x0f, 0xd7], { reg: 'gpr', forms: 'reg' })],
  ['pmovmskb xmm', xmm([0x66, 0x0f, 0xd7], { reg: 'gpr', forms: 'reg' })],
);

suite('MMX/SSE2 integer SIMD vs native', specs);
