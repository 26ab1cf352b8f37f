// Builds small i386 ELF files in memory for the loader tests.
export interface SegmentSpec {
  type?: number;
  vaddr: number;
  data?: Uint8Array;
  memsz?: number;
  flags: number;
  /** File offset; defaults to the next page-congruent offset after the previous segment. */
  offset?: number;
  /** p_align (default 4096). */
  align?: number;
}

export interface ElfSpec {
  type?: number;
  machine?: number;
  entry: number;
  segments: SegmentSpec[];
}

export function buildElf(spec: ElfSpec): Uint8Array {
  const phnum = spec.segments.length;
  const headerEnd = 52 + phnum * 32;
  const placed: Array<{ s: SegmentSpec; offset: number; filesz: number }> = [];
  let cursor = headerEnd;
  for (const s of spec.segments) {
    const filesz = s.data?.length ?? 0;
    let offset = s.offset;
    if (offset === undefined) {
      const want = s.vaddr % 4096;
      offset = cursor - (cursor % 4096) + want;
      if (offset < cursor) offset += 4096;
    }
    placed.push({ s, offset, filesz });
    cursor = Math.max(cursor, offset + filesz);
  }
  const out = new Uint8Array(cursor);
  const dv = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0]);
  dv.setUint16(16, spec.type ?? 2, true);
  dv.setUint16(18, spec.machine ?? 3, true);
  dv.setUint32(20, 1, true);
  dv.setUint32(24, spec.entry, true);
  dv.setUint32(28, 52, true);
  dv.setUint16(40, 52, true);
  dv.setUint16(42, 32, true);
  dv.setUint16(44, phnum, true);
  placed.forEach(({ s, offset, filesz }, i) => {
    const ph = 52 + i * 32;
    dv.setUint32(ph, s.type ?? 1, true);
    dv.setUint32(ph + 4, offset, true);
    dv.setUint32(ph + 8, s.vaddr, true);
    dv.setUint32(ph + 12, s.vaddr, true);
    dv.setUint32(ph + 16, filesz, true);
    dv.setUint32(ph + 20, s.memsz ?? filesz, true);
    dv.setUint32(ph + 24, s.flags, true);
    dv.setUint32(ph + 28, s.align ?? 4096, true);
    if (s.data) out.set(s.data, offset);
  });
  return out;
}
