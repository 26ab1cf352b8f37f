// x87 FPU state and execution. (Placeholder until the x87 work lands: every x87 opcode is #UD.)
import type { Cpu } from '../cpu.js';
import { Stop } from '../stop.js';

export class Fpu {
  /** x87 control word (FNINIT value 0x037F). */
  cw = 0x037f;
  sw = 0;

  reset(): void {
    this.cw = 0x037f;
    this.sw = 0;
  }

  /** FWAIT/WAIT (9B): raises a pending unmasked exception. */
  fwait(_c: Cpu): void {}

  /** FXSAVE/FXRSTOR of the 512-byte image (placeholder: #UD until the x87 work lands). */
  fxsave(c: Cpu, _ea: number): void {
    c.fault(Stop.InvalidOpcode, 6);
  }
  fxrstor(c: Cpu, _ea: number): void {
    c.fault(Stop.InvalidOpcode, 6);
  }

  /** Executes opcode 0xD8..0xDF with its ModRM byte; ea is the linear address for memory forms. */
  exec(c: Cpu, _op: number, _modrm: number, _ea: number): void {
    c.fault(Stop.InvalidOpcode, 6);
  }
}
