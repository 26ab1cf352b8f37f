// set_thread_area / get_thread_area (arch/x86/kernel/tls.c): the three GDT TLS slots (entries
// 6..8) glibc points %gs at. entry_number -1 picks the first empty slot and is written back.
import { EINVAL, ESRCH } from '../errno.js';
import { copyFromUser, copyToUser, putUser32 } from '../mm/uaccess.js';
import { GDT_ENTRY_TLS_ENTRIES, GDT_ENTRY_TLS_MIN } from '../../src/cpu/registers.js';
import type { SyscallContext } from './types.js';

// struct user_desc flag bits (the bitfield word at offset 12).
const SEG_32BIT = 1, CONTENTS_SHIFT = 1, READ_EXEC_ONLY = 8;
const SEG_NOT_PRESENT = 32;

function isEmptyDesc(base: number, limit: number, flags: number): boolean {
  // LDT_zero: everything zero; LDT_empty: read_exec_only and seg_not_present, rest zero.
  const lowFlags = flags & 0x7f;
  return base === 0 && limit === 0 && (lowFlags === 0 || lowFlags === (READ_EXEC_ONLY | SEG_NOT_PRESENT));
}

export function sysSetThreadArea(c: SyscallContext, uinfo: number): number {
  const dv = new DataView(copyFromUser(c.mm, uinfo, 16).buffer);
  let entry = dv.getInt32(0, true);
  const base = dv.getUint32(4, true);
  const limit = dv.getUint32(8, true);
  const flags = dv.getUint32(12, true);
  const tls = c.cpu.tls;
  if (entry === -1) {
    const free = tls.findIndex((d) => !d.present && d.base === 0 && d.limit === 0);
    if (free < 0) return -ESRCH;
    entry = GDT_ENTRY_TLS_MIN + free;
    putUser32(c.mm, uinfo, entry);
    c.straceNote = ` (entry_number=${entry})`;
  }
  if (entry < GDT_ENTRY_TLS_MIN || entry >= GDT_ENTRY_TLS_MIN + GDT_ENTRY_TLS_ENTRIES) return -EINVAL;
  const empty = isEmptyDesc(base, limit, flags);
  if (!empty) {
    if (!(flags & SEG_32BIT)) return -EINVAL;
    if (((flags >> CONTENTS_SHIFT) & 3) > 1) return -EINVAL;
    if (flags & SEG_NOT_PRESENT) return -EINVAL;
  }
  const d = empty ? { base: 0, limit: 0, flags: 0, present: false } : { base, limit, flags, present: true };
  const i = entry - GDT_ENTRY_TLS_MIN;
  tls[i] = d;
  c.cpu.reloadTlsSegments();
  return 0;
}

export function sysGetThreadArea(c: SyscallContext, uinfo: number): number {
  const dv = new DataView(copyFromUser(c.mm, uinfo, 4).buffer);
  const entry = dv.getInt32(0, true);
  if (entry < GDT_ENTRY_TLS_MIN || entry >= GDT_ENTRY_TLS_MIN + GDT_ENTRY_TLS_ENTRIES) return -EINVAL;
  const d = c.cpu.tls[entry - GDT_ENTRY_TLS_MIN];
  const out = new Uint8Array(16);
  const o = new DataView(out.buffer);
  o.setInt32(0, entry, true);
  o.setUint32(4, d.base, true);
  o.setUint32(8, d.limit, true);
  o.setUint32(12, d.present ? d.flags & ~SEG_NOT_PRESENT : (READ_EXEC_ONLY | SEG_NOT_PRESENT), true);
  copyToUser(c.mm, uinfo, out);
  return 0;
}

