// Linux i386's descriptor tables as a CPL-3 far transfer sees them: the 32-entry GDT of
// arch/x86/include/asm/segment.h (kernel and BIOS segments at DPL 0, the user code and data
// segments at DPL 3, the three TLS slots set_thread_area fills) and the process's LDT (Cpu.ldt,
// null until modify_ldt writes one). A descriptor is described by its access byte (byte 5 of
// the 8-byte descriptor): P, DPL, S and the 4-bit type.
import type { Cpu } from './cpu.js';
import { GDT_ENTRY_TLS_ENTRIES, GDT_ENTRY_TLS_MIN } from './registers.js';

export const DESC_P = 0x80;
export const DESC_DPL_SHIFT = 5;
/** S: a code or data segment (clear for system descriptors: TSS, LDT, gates). */
export const DESC_S = 0x10;
/** Type bit 3 with S set: a code segment; type bit 2 of a code segment: conforming. */
export const DESC_CODE = 0x08;
export const DESC_CONFORMING = 0x04;
/** Type bit 1: a data segment is writable, a code segment readable. */
export const DESC_WRITABLE = 0x02;
export const DESC_READABLE = 0x02;
/** Type bit 2 of a data segment: expand-down (valid offsets lie above the limit). */
export const DESC_EXPAND_DOWN = 0x04;

/** GDT_ENTRIES = 32: the GDTR limit is 32 * 8 - 1. */
const GDT_LIMIT = 32 * 8 - 1;

// Access bytes of the fixed entries (GDT_ENTRY_INIT's DESC_CODE32 / DESC_DATA32 / DESC_USER,
// with the accessed bit as the CPU leaves it; 16 and 31 are available 32-bit TSSs).
const KERNEL_CODE = 0x9b, KERNEL_DATA = 0x93, USER_CODE = 0xfb, USER_DATA = 0xf3, TSS = 0x89;
const FIXED = new Uint8Array(32);
FIXED[12] = KERNEL_CODE; // GDT_ENTRY_KERNEL_CS
FIXED[13] = KERNEL_DATA; // GDT_ENTRY_KERNEL_DS
FIXED[14] = USER_CODE; // GDT_ENTRY_DEFAULT_USER_CS (__USER_CS 0x73)
FIXED[15] = USER_DATA; // GDT_ENTRY_DEFAULT_USER_DS (__USER_DS 0x7b)
FIXED[16] = TSS; // GDT_ENTRY_TSS
for (const e of [18, 19, 23, 24]) FIXED[e] = KERNEL_CODE; // PNPBIOS and APM BIOS code
for (const e of [20, 21, 22, 25, 26, 27]) FIXED[e] = KERNEL_DATA; // their data, ESPFIX_SS, PERCPU
FIXED[31] = TSS; // GDT_ENTRY_DOUBLEFAULT_TSS

/**
 * The access byte of the descriptor a selector names, or -1 when the selector lies beyond its
 * table's limit (an LDT selector while there is no LDT). An empty slot reads as 0 (not present,
 * a system type that is no segment at all). Selector 0's RPL/TI bits are the caller's concern.
 */
export function descriptorAccess(c: Cpu, sel: number): number {
  if ((sel & 4) !== 0) {
    const ldt = c.ldt;
    return ldt === null || (sel >> 3) >= ldt.nrEntries ? -1 : ldt.access(sel >> 3);
  }
  if ((sel | 7) > GDT_LIMIT) return -1;
  const index = sel >> 3;
  if (index >= GDT_ENTRY_TLS_MIN && index < GDT_ENTRY_TLS_MIN + GDT_ENTRY_TLS_ENTRIES) {
    const d = c.tls[index - GDT_ENTRY_TLS_MIN];
    if (!d.present) return 0;
    // fill_ldt(): type = contents << 2 | (read_exec_only ^ 1) << 1, plus accessed once used;
    // set_thread_area accepts only data contents (0, 1), so a TLS slot is never code.
    const contents = (d.flags >> 1) & 3;
    const readExecOnly = (d.flags >> 3) & 1;
    return DESC_P | (3 << DESC_DPL_SHIFT) | DESC_S | (contents << 2) | ((readExecOnly ^ 1) << 1) | 1;
  }
  return FIXED[index];
}
