// MMX registers live in the x87 unit (MMi aliases the low 64 bits of physical register Ri).
// The FPU provides the accessors below; every MMX instruction but EMMS goes through them,
// and setMmx also puts the x87 unit in MMX state (TOS = 0, all tags valid, exponent 0xFFFF).
import type { Cpu } from '../cpu.js';
import { Fpu } from '../fpu/fpu.js';

export interface MmxRegs {
  getMmxLo(n: number): number;
  getMmxHi(n: number): number;
  setMmx(n: number, lo: number, hi: number): void;
  emms(): void;
}

export function mmxOf(c: Cpu): MmxRegs {
  return c.fpu as unknown as MmxRegs;
}

// Stand-in used only while the FPU does not provide the accessors yet: MMX values kept beside
// the FPU object (no x87 aliasing, no tag-word effects). Removed once Fpu has them.
const proto = Fpu.prototype as unknown as Partial<MmxRegs> & object;
if (typeof proto.getMmxLo !== 'function') {
  const store = new WeakMap<object, Int32Array>();
  const regsOf = (f: object): Int32Array => {
    let r = store.get(f);
    if (r === undefined) {
      r = new Int32Array(16);
      store.set(f, r);
    }
    return r;
  };
  Object.defineProperties(proto, {
    getMmxLo: { value(this: object, n: number): number { return regsOf(this)[2 * n]; }, configurable: true, writable: true },
    getMmxHi: { value(this: object, n: number): number { return regsOf(this)[2 * n + 1]; }, configurable: true, writable: true },
    setMmx: {
      value(this: object, n: number, lo: number, hi: number): void {
        const r = regsOf(this);
        r[2 * n] = lo;
        r[2 * n + 1] = hi;
      },
      configurable: true, writable: true,
    },
    emms: { value(): void {}, configurable: true, writable: true },
  });
}
