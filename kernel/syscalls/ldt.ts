// modify_ldt (arch/x86/kernel/ldt.c): read the process's LDT (func 0), read the default LDT
// (func 2: zeros), write one descriptor from a struct user_desc in the old (func 1) or new
// (func 0x11) format. The LDT belongs to the mm: fork copies it, exec starts without one, and
// a segment register already loaded keeps the descriptor it cached until reloaded (i386 does
// not refresh them as x86-64's refresh_ldt_segments does).
import { EINVAL, ENOSYS } from '../errno.js';
import { clearUser, copyFromUser, copyToUser } from '../mm/uaccess.js';
import { Ldt, LDT_ENTRIES, LDT_ENTRY_SIZE, ldtBytes } from '../../src/cpu/ldt.js';
import { DS, ES, FS } from '../../src/cpu/registers.js';
import { trySegment } from '../signal/sigreturn.js';
import type { SyscallContext } from './types.js';

/** sizeof(struct user_desc) on i386 (no lm bit there; its place is ignored). */
const USER_DESC_SIZE = 16;
// The bitfield word at offset 12.
const SEG_32BIT = 1, CONTENTS_SHIFT = 1, READ_EXEC_ONLY = 8, LIMIT_IN_PAGES = 16;
const SEG_NOT_PRESENT = 32, USEABLE = 64;
/** read_default_ldt on CONFIG_X86_32: 5 * sizeof(struct desc_struct) zero bytes. */
const DEFAULT_LDT_SIZE = 5 * LDT_ENTRY_SIZE;

export function sysModifyLdt(c: SyscallContext, func: number, ptr: number, bytecount: number): number {
  switch (func) {
    case 0: return readLdt(c, ptr, bytecount >>> 0);
    case 1: return writeLdt(c, ptr, bytecount >>> 0, true);
    case 2: return readDefaultLdt(c, ptr, bytecount >>> 0);
    case 0x11: return writeLdt(c, ptr, bytecount >>> 0, false);
    default: return -ENOSYS;
  }
}

function readLdt(c: SyscallContext, ptr: number, bytecount: number): number {
  const ldt = c.mm.ldt;
  if (ldt === null) return 0;
  bytecount = Math.min(bytecount, LDT_ENTRY_SIZE * LDT_ENTRIES);
  const entriesSize = Math.min(ldt.nrEntries * LDT_ENTRY_SIZE, bytecount);
  copyToUser(c.mm, ptr, ldtBytes(ldt).slice(0, entriesSize));
  // Zero-fill the rest and pretend bytecount bytes were read.
  if (entriesSize !== bytecount) clearUser(c.mm, (ptr + entriesSize) | 0, bytecount - entriesSize);
  return bytecount;
}

function readDefaultLdt(c: SyscallContext, ptr: number, bytecount: number): number {
  bytecount = Math.min(bytecount, DEFAULT_LDT_SIZE);
  clearUser(c.mm, ptr, bytecount);
  return bytecount;
}

/** LDT_empty(): the one user_desc, besides old mode's base = limit = 0, that clears an entry. */
function isLdtEmpty(base: number, limit: number, flags: number): boolean {
  return base === 0 && limit === 0 && (flags & 0x7f) === (READ_EXEC_ONLY | SEG_NOT_PRESENT);
}

function writeLdt(c: SyscallContext, ptr: number, bytecount: number, oldmode: boolean): number {
  if (bytecount !== USER_DESC_SIZE) return -EINVAL;
  const dv = new DataView(copyFromUser(c.mm, ptr, USER_DESC_SIZE).buffer);
  const entry = dv.getUint32(0, true);
  const base = dv.getUint32(4, true);
  const limit = dv.getUint32(8, true);
  const flags = dv.getUint32(12, true);
  if (entry >= LDT_ENTRIES) return -EINVAL;
  const contents = (flags >> CONTENTS_SHIFT) & 3;
  // Contents 3 (conforming code) only as a not-present placeholder, and never in old mode.
  if (contents === 3 && (oldmode || (flags & SEG_NOT_PRESENT) === 0)) return -EINVAL;
  let lo = 0, hi = 0;
  if (!((oldmode && base === 0 && limit === 0) || isLdtEmpty(base, limit, flags))) {
    // fill_ldt(): DPL 3, S set, the accessed bit preset, L never set; old mode clears AVL.
    const type = (((flags & READ_EXEC_ONLY) !== 0 ? 0 : 1) << 1) | (contents << 2) | 1;
    const present = (flags & SEG_NOT_PRESENT) !== 0 ? 0 : 1;
    const avl = !oldmode && (flags & USEABLE) !== 0 ? 1 : 0;
    lo = (limit & 0xffff) | ((base & 0xffff) << 16);
    hi = ((base >>> 16) & 0xff) | (type << 8) | (1 << 12) | (3 << 13) | (present << 15) |
      (limit & 0xf0000) | (avl << 20) | ((flags & SEG_32BIT) << 22) |
      ((flags & LIMIT_IN_PAGES) !== 0 ? 1 << 23 : 0) | (base & 0xff000000);
  }
  // The table grows to entry + 1 descriptors (never shrinks); LDTR follows the new table.
  if (c.mm.ldt === null) c.mm.ldt = new Ldt();
  c.mm.ldt.set(entry, lo, hi);
  c.cpu.ldt = c.mm.ldt;
  reloadExitSegments(c);
  return 0;
}

/** The exit path's segment pops (RESTORE_REGS): DS, ES and FS re-read from the tables. */
function reloadExitSegments(c: SyscallContext): void {
  const cpu = c.cpu;
  for (const seg of [DS, ES, FS]) {
    const sel = cpu.segSel[seg];
    if ((sel & 4) !== 0 && !trySegment(cpu, seg, sel)) trySegment(cpu, seg, 0);
  }
}
