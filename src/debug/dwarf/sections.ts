// The ELF sections the DWARF reader looks at, by name, as elfy hands them over (with the
// address of the ones that are loaded, for .eh_frame's pc-relative pointers).

export interface DwarfSections {
  info?: Uint8Array;
  abbrev?: Uint8Array;
  str?: Uint8Array;
  lineStr?: Uint8Array;
  strOffsets?: Uint8Array;
  addr?: Uint8Array;
  line?: Uint8Array;
  rnglists?: Uint8Array;
  ranges?: Uint8Array;
  loclists?: Uint8Array;
  loc?: Uint8Array;
  debugFrame?: Uint8Array;
  ehFrame?: Uint8Array;
  /** Link-time address of .eh_frame. */
  ehFrameAddr?: number;
}

const NAMES: Record<string, keyof DwarfSections> = {
  '.debug_info': 'info', '.debug_abbrev': 'abbrev', '.debug_str': 'str', '.debug_line_str': 'lineStr',
  '.debug_str_offsets': 'strOffsets', '.debug_addr': 'addr', '.debug_line': 'line',
  '.debug_rnglists': 'rnglists', '.debug_ranges': 'ranges', '.debug_loclists': 'loclists', '.debug_loc': 'loc',
  '.debug_frame': 'debugFrame', '.eh_frame': 'ehFrame',
};

/** Picks the DWARF sections out of an ELF section list. */
export function dwarfSections(secs: Array<{ name: string; addr: number; data: Uint8Array }>): DwarfSections {
  const out: DwarfSections = {};
  for (const s of secs) {
    const key = NAMES[s.name];
    if (!key || out[key] !== undefined) continue;
    (out as Record<string, unknown>)[key] = new Uint8Array(s.data.buffer, s.data.byteOffset, s.data.byteLength);
    if (key === 'ehFrame') out.ehFrameAddr = s.addr >>> 0;
  }
  return out;
}
