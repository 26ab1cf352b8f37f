// The one line printed when a signal kills the guest: the signal, the faulting address, the VMA
// it falls in (or none), and EIP with the instruction there disassembled.
import type { ExitResult, Kernel } from '../../kernel/kernel.js';
import { disassemble, loadDisassembler } from '../debug/disassembler.js';

function hex(v: number): string {
  return '0x' + (v >>> 0).toString(16).padStart(8, '0');
}

/** Reads up to 15 bytes of guest code at eip without faulting (stops at an unmapped page). */
function codeBytes(kernel: Kernel, eip: number): Uint8Array {
  const out: number[] = [];
  for (let k = 0; k < 15; k++) {
    const p = kernel.mmu.walk((eip + k) | 0, false);
    if (p < 0) break;
    out.push(kernel.mem.bytes[p]);
  }
  return Uint8Array.from(out);
}

export async function describeFatalSignal(kernel: Kernel, r: ExitResult): Promise<string> {
  const d = r.diagnostic;
  if (!d) return `i386emu: guest killed by signal ${r.signal}`;
  // A signal sent to the guest (kill, the terminal, a deadlock) rather than raised by an
  // instruction: where the CPU stood says nothing about it.
  if (d.codeBytes === undefined && d.faultAddr === null && d.note === undefined) {
    const note = d.note ? ` [${d.note}]` : '';
    return `i386emu: guest killed by ${d.signal} (${d.code}${d.core ? ', core dumped' : ''})${note}`;
  }
  let insn = '(code not readable)';
  const bytes = d.codeBytes ?? codeBytes(kernel, d.eip);
  if (bytes.length > 0) {
    try {
      await loadDisassembler();
      const lines = disassemble(bytes, d.eip >>> 0, 1);
      insn = lines.length ? lines[0].text : `(bytes ${Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ')} do not decode)`;
    } catch {
      insn = '(disassembler unavailable)';
    }
  }
  const addr = d.faultAddr === null ? '' : ` at ${hex(d.faultAddr)}`;
  const vma = d.faultAddr === null ? '' : d.vma ? ` (in ${d.vma.trim().replace(/\s+/g, ' ')})` : ' (no VMA)';
  const note = d.note ? ` [${d.note}]` : '';
  const core = d.core ? ', core dumped' : '';
  return `i386emu: guest killed by ${d.signal} (${d.code}${core})${addr}${vma}; eip ${hex(d.eip)}: ${insn}${note}`;
}
