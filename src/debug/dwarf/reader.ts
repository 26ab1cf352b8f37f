// A cursor over a DWARF section: little-endian fixed-size integers, LEB128, C strings and
// the offset/address sizes a unit header chose. Reading past the end throws DwarfError, which
// the section parsers catch to skip a unit they cannot read.

export class DwarfError extends Error {}

export class ByteReader {
  pos: number;
  private readonly dv: DataView;

  constructor(readonly d: Uint8Array, pos = 0) {
    this.pos = pos;
    this.dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
  }

  get done(): boolean { return this.pos >= this.d.length; }

  private need(n: number): void {
    if (this.pos + n > this.d.length || this.pos < 0) throw new DwarfError(`read past the end of a DWARF section at ${this.pos}`);
  }

  u8(): number { this.need(1); return this.d[this.pos++]; }
  s8(): number { return (this.u8() << 24) >> 24; }
  u16(): number { this.need(2); const v = this.dv.getUint16(this.pos, true); this.pos += 2; return v; }
  s16(): number { this.need(2); const v = this.dv.getInt16(this.pos, true); this.pos += 2; return v; }
  u24(): number { const lo = this.u16(); return lo | (this.u8() << 16); }
  u32(): number { this.need(4); const v = this.dv.getUint32(this.pos, true); this.pos += 4; return v; }
  s32(): number { this.need(4); const v = this.dv.getInt32(this.pos, true); this.pos += 4; return v; }
  u64(): number { const lo = this.u32(); const hi = this.u32(); return hi * 2 ** 32 + lo; }
  u64big(): bigint { const lo = this.u32(); const hi = this.u32(); return (BigInt(hi) << 32n) | BigInt(lo); }
  /** An unsigned integer of n bytes (1, 2, 4 or 8). */
  uN(n: number): number { return n === 1 ? this.u8() : n === 2 ? this.u16() : n === 4 ? this.u32() : this.u64(); }
  offset(is64: boolean): number { return is64 ? this.u64() : this.u32(); }

  uleb(): number {
    let r = 0, mul = 1, b: number;
    do { b = this.u8(); r += (b & 0x7f) * mul; mul *= 128; } while (b & 0x80);
    return r;
  }

  sleb(): number {
    let r = 0, mul = 1, b: number;
    do { b = this.u8(); r += (b & 0x7f) * mul; mul *= 128; } while (b & 0x80);
    if (b & 0x40) r -= mul;
    return r;
  }

  cstr(): string {
    const s = this.pos;
    while (this.pos < this.d.length && this.d[this.pos] !== 0) this.pos++;
    const out = Buffer.from(this.d.subarray(s, this.pos)).toString('utf8');
    this.need(1);
    this.pos++;
    return out;
  }

  bytes(n: number): Uint8Array {
    this.need(n);
    const out = this.d.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** An initial length: the unit's length and whether it uses the 64-bit DWARF format. */
  initialLength(): { length: number; is64: boolean } {
    const l = this.u32();
    if (l === 0xffffffff) return { length: this.u64(), is64: true };
    return { length: l, is64: false };
  }
}

/** The NUL-terminated string at off in a string section ('' when out of range). */
export function stringAt(d: Uint8Array | undefined, off: number): string {
  if (!d || off < 0 || off >= d.length) return '';
  let e = off;
  while (e < d.length && d[e] !== 0) e++;
  return Buffer.from(d.subarray(off, e)).toString('utf8');
}
