// The post-Core-2 general-purpose rows (group 'modern'): LZCNT, TZCNT, MOVBE, CRC32, ADCX,
// ADOX, and the VEX-encoded BMI1/BMI2 instructions (register forms: written as templates, with
// the destination fixed to EAX and, for MULX, the low half to ECX, the sources random data
// registers). The default CPU model has all of them. Flags: the SDM's "Flags Affected".
// RDRAND/RDSEED are not generated (their values are random on both sides).
import { type Gen, type Spec, fl, NO_FLAGS } from './gen.js';

export const MODERN_ROWS: Spec[] = [];
const add = (s: Spec): void => { MODERN_ROWS.push(s); };
const CNT = fl('d=CZ u=OSAP');

add({ name: 'lzcnt Gv,Ev', group: 'modern', pfx: [0xf3], op: [0x0f, 0xbd], modrm: { reg: 'G', rm: 'E' }, wr: 'G', readOnly: true, fl: CNT });
add({ name: 'tzcnt Gv,Ev', group: 'modern', pfx: [0xf3], op: [0x0f, 0xbc], modrm: { reg: 'G', rm: 'E' }, wr: 'G', readOnly: true, fl: CNT });
add({ name: 'movbe Gv,Mv', group: 'modern', op: [0x0f, 0x38, 0xf0], modrm: { reg: 'G', rm: 'M' }, wr: 'G', readOnly: true, fl: NO_FLAGS });
add({ name: 'movbe Mv,Gv', group: 'modern', op: [0x0f, 0x38, 0xf1], modrm: { reg: 'G', rm: 'M' }, fl: NO_FLAGS });
add({ name: 'crc32 Gd,Eb', group: 'modern', pfx: [0xf2], op: [0x0f, 0x38, 0xf0], size: 'd', mem: () => 1, modrm: { reg: 'G', rm: 'E' }, wr: 'G', readOnly: true, fl: NO_FLAGS });
add({ name: 'crc32 Gd,Ev', group: 'modern', pfx: [0xf2], op: [0x0f, 0x38, 0xf1], modrm: { reg: 'G', rm: 'E' }, wr: 'G', readOnly: true, fl: NO_FLAGS });
add({ name: 'adcx Gd,Ed', group: 'modern', pfx: [0x66], op: [0x0f, 0x38, 0xf6], size: 'n', mem: () => 4, modrm: { reg: 'G', rm: 'E' }, wr: 'G', readOnly: true, fl: fl('r=C d=C') });
add({ name: 'adox Gd,Ed', group: 'modern', pfx: [0xf3], op: [0x0f, 0x38, 0xf6], size: 'n', mem: () => 4, modrm: { reg: 'G', rm: 'E' }, wr: 'G', readOnly: true, fl: fl('r=O d=O') });

const EAX = 0, ECX = 1;
/** A source register: any data register (not ESP). */
function src(g: Gen): number {
  return g.rng.pick([0, 1, 2, 3, 5, 6, 7]);
}

/**
 * A VEX row, register form: map (2 = 0F38, 3 = 0F3A), pp, opcode; `dest` says which field
 * holds EAX (the destination): 'reg' or 'vvvv'; digit fixes ModRM.reg (BLS* group).
 */
function vex(name: string, map: number, pp: number, opc: number, dest: 'reg' | 'vvvv', flags = NO_FLAGS, o: { digit?: number; imm?: boolean; noV?: boolean; iw?: number } = {}): void {
  add({
    name, group: 'modern', fl: flags, iw: o.iw ?? 1 << EAX, weight: 0.5,
    emit: (g: Gen) => {
      const reg = o.digit ?? (dest === 'reg' ? EAX : src(g));
      const vvvv = o.noV ? 0 : dest === 'vvvv' ? EAX : o.iw ? ECX : src(g);
      const rm = src(g);
      // Half the time make a control/count register small (BEXTR, BZHI, shifts) where it matters.
      if (g.rng.chance(0.3) && !o.noV && dest === 'reg' && !(g.locked & (1 << vvvv))) g.movImm(vvvv, g.rng.int(0x2a) | (g.rng.chance(0.5) ? g.rng.int(0x2a) << 8 : 0));
      const bytes = [0xc4, 0xe0 | map, ((~vvvv & 0xf) << 3) | pp, opc, 0xc0 | (reg << 3) | rm];
      if (o.imm) bytes.push(g.rng.int(256));
      g.raw(g.spec(name), bytes);
    },
  });
}
const LOGIC = fl('d=OSZC u=AP');
vex('andn Gd,Bd,Ed', 2, 0, 0xf2, 'reg', LOGIC);
vex('bextr Gd,Ed,Bd', 2, 0, 0xf7, 'reg', fl('d=OZC u=ASP'));
vex('blsr Bd,Ed', 2, 0, 0xf3, 'vvvv', LOGIC, { digit: 1 });
vex('blsmsk Bd,Ed', 2, 0, 0xf3, 'vvvv', LOGIC, { digit: 2 });
vex('blsi Bd,Ed', 2, 0, 0xf3, 'vvvv', LOGIC, { digit: 3 });
vex('bzhi Gd,Ed,Bd', 2, 0, 0xf5, 'reg', LOGIC);
vex('pext Gd,Bd,Ed', 2, 2, 0xf5, 'reg');
vex('pdep Gd,Bd,Ed', 2, 3, 0xf5, 'reg');
vex('mulx Gd,Bd,Ed', 2, 3, 0xf6, 'reg', NO_FLAGS, { iw: (1 << EAX) | (1 << ECX) });
vex('sarx Gd,Ed,Bd', 2, 2, 0xf7, 'reg');
vex('shlx Gd,Ed,Bd', 2, 1, 0xf7, 'reg');
vex('shrx Gd,Ed,Bd', 2, 3, 0xf7, 'reg');
vex('rorx Gd,Ed,Ib', 3, 3, 0xf0, 'reg', NO_FLAGS, { imm: true, noV: true });
