// A minimal /etc/ld.so.cache in glibc's "glibc-ld.so.cache1.1" format (elf/dl-cache.h): a
// header, one file_entry_new per library (flags FLAG_ELF_LIBC6, the soname and path as offsets
// into the string table, which follows the entries), padded to a chosen size. ld.so maps the
// whole file while it looks libraries up and unmaps it afterwards, so the size decides the hole
// it leaves in the mmap area; a test that must reproduce another machine's layout sets it.
const MAGIC = 'glibc-ld.so.cache1.1';
const HEADER_SIZE = 48;
const ENTRY_SIZE = 24;
const FLAG_ELF_LIBC6 = 0x0003;
/** cache_file_new_flags_endian_little. */
const ENDIAN_LITTLE = 2;

/** libs: [soname, path], sorted as ld.so's binary search expects (one entry needs none). */
export function ldSoCache(libs: ReadonlyArray<[string, string]>, size: number): Uint8Array {
  const strings: string[] = [];
  const offsets: Array<[number, number]> = [];
  let strOff = HEADER_SIZE + libs.length * ENTRY_SIZE;
  const stringsStart = strOff;
  for (const [key, value] of libs) {
    const k = strOff; strings.push(key); strOff += key.length + 1;
    const v = strOff; strings.push(value); strOff += value.length + 1;
    offsets.push([k, v]);
  }
  if (strOff > size) throw new Error(`ld.so.cache needs ${strOff} bytes, more than ${size}`);
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  out.set(Buffer.from(MAGIC, 'latin1'), 0);
  dv.setUint32(20, libs.length, true);
  dv.setUint32(24, strOff - stringsStart, true);
  dv.setUint8(28, ENDIAN_LITTLE);
  offsets.forEach(([k, v], i) => {
    const e = HEADER_SIZE + i * ENTRY_SIZE;
    dv.setInt32(e, FLAG_ELF_LIBC6, true);
    dv.setUint32(e + 4, k, true);
    dv.setUint32(e + 8, v, true);
  });
  out.set(Buffer.from(strings.map((s) => s + '\0').join(''), 'latin1'), stringsStart);
  return out;
}
