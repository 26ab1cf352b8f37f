// The vDSO as a debugger module, as gdb's add_vsyscall_page loads it: the ELF image the kernel
// maps at AT_SYSINFO_EHDR is read from guest memory (its PT_LOAD segments, which include the
// section headers), parsed like a file, and moved to where it is mapped. Its .dynsym names
// (__kernel_vsyscall, __kernel_rt_sigreturn...) and .eh_frame CFI are what let bt name and step
// through the frames of a system call and of a signal trampoline.
import { SymbolTable } from './symbols.js';

const AT_SYSINFO_EHDR = 33;
const PT_LOAD = 1;
/** Larger than any vDSO: a corrupt header does not make the debugger read megabytes. */
const MAX_IMAGE = 64 * 1024;

/** AT_SYSINFO_EHDR from an auxiliary vector image, or null. */
export function sysinfoEhdr(auxv: Uint8Array): number | null {
  const dv = new DataView(auxv.buffer, auxv.byteOffset, auxv.byteLength);
  for (let off = 0; off + 8 <= auxv.length; off += 8) {
    const type = dv.getUint32(off, true);
    if (type === 0) break;
    if (type === AT_SYSINFO_EHDR) return dv.getUint32(off + 4, true);
  }
  return null;
}

/** The vDSO's symbols and CFI at their run-time addresses, or null when it cannot be read. */
export function loadVdso(base: number, read: (addr: number, len: number) => Uint8Array): SymbolTable | null {
  try {
    const eh = read(base, 52);
    const dv = new DataView(eh.buffer, eh.byteOffset, eh.byteLength);
    if (dv.getUint32(0, false) !== 0x7f454c46) return null;
    const phoff = dv.getUint32(28, true), phentsize = dv.getUint16(42, true), phnum = dv.getUint16(44, true);
    if (phentsize < 32 || phnum === 0 || phoff + phnum * phentsize > MAX_IMAGE) return null;
    const ph = read((base + phoff) >>> 0, phnum * phentsize);
    const pv = new DataView(ph.buffer, ph.byteOffset, ph.byteLength);
    let size = 0;
    for (let i = 0; i < phnum; i++) {
      const o = i * phentsize;
      if (pv.getUint32(o, true) === PT_LOAD) size = Math.max(size, pv.getUint32(o + 4, true) + pv.getUint32(o + 16, true));
    }
    if (size === 0 || size > MAX_IMAGE) return null;
    const t = SymbolTable.fromImage(read(base, size));
    if (t.symbols.length === 0) return null;
    t.relocate(base);
    return t;
  } catch {
    return null;
  }
}
