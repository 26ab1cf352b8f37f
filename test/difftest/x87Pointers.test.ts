// The Intel pointer model (x87Pointers.ts) against the emulator on a hand-written sequence,
// host-independent: an unmasked #Z from a memory operand sets FOP and FDP, FIP follows the last
// non-control instruction, FNSTENV and FXSAVE store them with FCS = FDS = 0, FNINIT clears them.
// A planted FNSTENV that stores a wrong FOP and a planted FXRSTOR that loads a wrong FDP are
// both reported.
import { afterEach, describe, expect, it } from 'vitest';
import { getCpu, readScratch, runEmu } from './emu.js';
import { IntelPointerModel } from './x87Pointers.js';
import { type Case, CODE_ADDR, SCRATCH_ADDR } from './layout.js';

const abs = (a: number) => [a & 0xff, (a >> 8) & 0xff, (a >> 16) & 0xff, a >>> 24];
const ZERO = SCRATCH_ADDR + 0x300, ENV = SCRATCH_ADDR + 0x100, FX = SCRATCH_ADDR + 0x200;
/** [bytes, memory operand] per instruction. */
const SEQ: Array<[number[], number]> = [
  [[0xd9, 0xe8], 0], // fld1
  [[0xdc, 0x35, ...abs(ZERO)], ZERO], // fdiv qword [ZERO]: #Z, unmasked
  [[0xd9, 0x35, ...abs(ENV)], ENV], // fnstenv [ENV]
  [[0x0f, 0xae, 0x05, ...abs(FX)], FX], // fxsave [FX]
  [[0xdb, 0xe2], 0], // fnclex
  [[0xd9, 0xee], 0], // fldz
  [[0x0f, 0xae, 0x0d, ...abs(FX)], FX], // fxrstor [FX]: the pointers FXSAVE stored come back
  [[0xd9, 0x35, ...abs(ENV)], ENV], // fnstenv [ENV] again
];

function fxImage(cw: number): Uint8Array {
  const img = new Uint8Array(512);
  img[0] = cw & 0xff; img[1] = cw >> 8;
  img[24] = 0x80; img[25] = 0x1f; // MXCSR
  return img;
}

function runModel(upTo = SEQ.length): IntelPointerModel {
  const code = Uint8Array.from(SEQ.slice(0, upTo).flatMap(([b]) => b));
  const offs: number[] = [];
  SEQ.slice(0, upTo).reduce((o, [b]) => { offs.push(o); return o + b.length; }, 0);
  const c: Case = {
    code, regs: [0, 0, 0, 0, SCRATCH_ADDR + 0x3800, 0, 0, 0], eflags: 0, start: 0,
    patches: [{ off: ZERO - SCRATCH_ADDR, bytes: new Uint8Array(8) }],
    fx: fxImage(0x037b), // #Z unmasked
  };
  const model = new IntelPointerModel(c.fx);
  const out = runEmu(c, (cpu, eip) => {
    const k = offs.indexOf(eip - CODE_ADDR);
    model.begin(code, eip - CODE_ADDR, eip, k >= 0 ? SEQ[k][1] : 0, `insn ${k}`, (cpu.fpu.getSw() & 0x80) !== 0, readScratch);
  });
  expect(out.sig).toBe(0);
  model.settle((getCpu().fpu.getSw() & 0x80) !== 0, readScratch);
  model.checkFinal(out.fx!);
  return model;
}


describe('the Intel x87 pointer model', () => {
  const fpu = getCpu().fpu;
  afterEach(() => {
    delete (fpu as { fnstenv?: unknown }).fnstenv;
    delete (fpu as { fxrstor?: unknown }).fxrstor;
  });

  it('agrees with the emulator: FOP/FDP from the unmasked exception, FIP from the last non-control instruction', () => {
    const afterFdiv = runModel(3);
    expect(afterFdiv.p).toEqual({ fip: CODE_ADDR + 2, fop: 0x435, fdp: ZERO });
    const m = runModel();
    expect(m.mismatches).toEqual([]);
    // FLDZ after FNCLEX raised nothing: FIP moved, FOP and FDP stayed; FXRSTOR then loaded FDIV's back.
    expect(m.p).toEqual({ fip: CODE_ADDR + 2, fop: 0x435, fdp: ZERO });
  });

  it('reports a planted FNSTENV that stores a wrong FOP', () => {
    const fnstenv = Object.getPrototypeOf(fpu).fnstenv;
    fpu.fnstenv = function (this: typeof fpu, c, ea) {
      fnstenv.call(this, c, ea);
      c.mmu.write16((ea + 18) | 0, 0x7ff);
    };
    expect(runModel().mismatches.map((x) => x.field)).toEqual(['fop stored by insn 2 (Intel model)', 'fop stored by insn 7 (Intel model)']);
  });

  it('reports a planted FXRSTOR that loads a wrong FDP', () => {
    const fxrstor = Object.getPrototypeOf(fpu).fxrstor;
    fpu.fxrstor = function (this: typeof fpu, c, ea) {
      fxrstor.call(this, c, ea);
      this.fdp ^= 4;
    };
    expect(runModel().mismatches.map((x) => x.field)).toEqual(['fdp stored by insn 7 (Intel model)', 'fdp (Intel model)']);
  });
});
