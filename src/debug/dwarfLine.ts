// DWARF .debug_line (versions 2 to 5): runs each unit's line-number program and keeps the rows
// (address, file, line, is_stmt) so that `step`/`next` can stop at the first instruction of a
// source line and `break FILE:LINE` can find addresses. Nothing else of DWARF is read.

export interface LineRow {
  addr: number;
  file: string;
  line: number;
  isStmt: boolean;
  /** The row ends a sequence: addr is one past the last instruction covered. */
  end: boolean;
}

class Reader {
  pos = 0;
  constructor(readonly d: Uint8Array, readonly dv = new DataView(d.buffer, d.byteOffset, d.byteLength)) {}
  u8(): number { return this.d[this.pos++]; }
  u16(): number { const v = this.dv.getUint16(this.pos, true); this.pos += 2; return v; }
  u32(): number { const v = this.dv.getUint32(this.pos, true); this.pos += 4; return v; }
  u64(): number { const lo = this.u32(); const hi = this.u32(); return hi * 2 ** 32 + lo; }
  uleb(): number {
    let r = 0, mul = 1, b: number;
    do { b = this.u8(); r += (b & 0x7f) * mul; mul *= 128; } while (b & 0x80 && this.pos < this.d.length);
    return r;
  }
  sleb(): number {
    let r = 0, mul = 1, b: number;
    do { b = this.u8(); r += (b & 0x7f) * mul; mul *= 128; } while (b & 0x80 && this.pos < this.d.length);
    if (b & 0x40) r -= mul;
    return r;
  }
  cstr(): string {
    const s = this.pos;
    while (this.pos < this.d.length && this.d[this.pos] !== 0) this.pos++;
    const out = Buffer.from(this.d.subarray(s, this.pos)).toString('utf8');
    this.pos++;
    return out;
  }
}

function strAt(d: Uint8Array | undefined, off: number): string {
  if (!d || off >= d.length) return '?';
  let e = off;
  while (e < d.length && d[e] !== 0) e++;
  return Buffer.from(d.subarray(off, e)).toString('utf8');
}

export class LineTable {
  /** All rows, sorted by address (end-of-sequence rows included). */
  readonly rows: LineRow[];
  private readonly stmtStarts = new Map<number, LineRow>();

  constructor(rows: LineRow[]) {
    this.rows = rows.sort((a, b) => a.addr - b.addr || Number(b.end) - Number(a.end));
    this.indexStatements();
  }

  private indexStatements(): void {
    this.stmtStarts.clear();
    // Several rows at one address (gcc -O2's location views): the last statement row wins, as in gdb.
    for (const r of this.rows) if (r.isStmt && !r.end) this.stmtStarts.set(r.addr, r);
  }

  /** Moves every row by delta (a position-independent program loaded at its load bias). */
  shift(delta: number): void {
    for (const r of this.rows) r.addr = (r.addr + delta) >>> 0;
    this.indexStatements();
  }

  /** The row whose range covers addr, or undefined where no line information exists. */
  rowFor(addr: number): LineRow | undefined {
    const a = addr >>> 0;
    let lo = 0, hi = this.rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.rows[mid].addr <= a) lo = mid + 1;
      else hi = mid;
    }
    const r = this.rows[lo - 1];
    if (!r || r.end) return undefined;
    return r.isStmt ? r : this.stmtStarts.get(r.addr) ?? r;
  }

  /** The is_stmt row starting exactly at addr (a place `step` may stop). */
  stmtAt(addr: number): LineRow | undefined {
    return this.stmtAtMap(addr >>> 0);
  }

  private stmtAtMap(a: number): LineRow | undefined {
    return this.stmtStarts.get(a);
  }

  /** Addresses where a statement of `line` in a file ending with `file` (any file when '') begins. */
  addressesFor(file: string, line: number): number[] {
    const out: number[] = [];
    // Every statement row counts, also one that a later row at the same address overrides (-O2).
    for (const r of this.rows) {
      if (r.isStmt && !r.end && r.line === line && (file === '' || r.file === file || r.file.endsWith('/' + file))) out.push(r.addr);
    }
    return [...new Set(out)].sort((a, b) => a - b);
  }

  /**
   * Where a breakpoint on a function should go: the first statement after the one at its entry
   * (past the prologue), staying inside [start, end). Returns start when nothing better is known.
   */
  afterPrologue(start: number, end: number): number {
    const first = this.stmtAt(start);
    if (!first) return start;
    // A second line already at the entry address (-O2): gdb puts the breakpoint on the entry itself.
    const lines = new Set(this.rows.filter((r) => r.addr === start && !r.end).map((r) => r.line));
    if (lines.size > 1) return start;
    for (const r of this.stmtStarts.values()) {
      if (r.addr > start && r.addr < end && r.line !== first.line) {
        let best = r.addr;
        for (const q of this.stmtStarts.values()) if (q.addr > start && q.addr < best && q.line !== first.line) best = q.addr;
        return best;
      }
    }
    return start;
  }
}

/** Parses a whole .debug_line section; units that cannot be read are skipped. */
export function parseDebugLine(sec: Uint8Array, lineStr?: Uint8Array, str?: Uint8Array): LineTable {
  const rows: LineRow[] = [];
  const r = new Reader(sec);
  while (r.pos + 4 <= sec.length) {
    let unitLen = r.u32();
    let off64 = false;
    if (unitLen === 0xffffffff) { unitLen = r.u64(); off64 = true; }
    const unitEnd = r.pos + unitLen;
    if (unitEnd > sec.length) break;
    try {
      parseUnit(r, unitEnd, off64, rows, lineStr, str);
    } catch {
      // A unit we cannot read: skip it.
    }
    r.pos = unitEnd;
  }
  return new LineTable(rows);
}

function parseUnit(r: Reader, unitEnd: number, off64: boolean, rows: LineRow[], lineStr?: Uint8Array, str?: Uint8Array): void {
  const version = r.u16();
  if (version < 2 || version > 5) return;
  if (version >= 5) { r.u8(); r.u8(); } // address_size, segment_selector_size
  const headerLen = off64 ? r.u64() : r.u32();
  const progStart = r.pos + headerLen;
  const minInst = r.u8();
  if (version >= 4) r.u8(); // maximum_operations_per_instruction
  const defaultIsStmt = r.u8() !== 0;
  const lineBase = (r.u8() << 24) >> 24;
  const lineRange = r.u8();
  const opcodeBase = r.u8();
  const stdLens: number[] = [0];
  for (let i = 1; i < opcodeBase; i++) stdLens.push(r.u8());
  const dirs: string[] = [];
  const files: string[] = [];
  if (version >= 5) {
    const readEntries = (): Array<Map<number, string | number>> => {
      const fmtCount = r.u8();
      const fmts: Array<[number, number]> = [];
      for (let i = 0; i < fmtCount; i++) fmts.push([r.uleb(), r.uleb()]);
      const n = r.uleb();
      const out: Array<Map<number, string | number>> = [];
      for (let i = 0; i < n; i++) {
        const m = new Map<number, string | number>();
        for (const [ct, form] of fmts) m.set(ct, readForm(r, form, off64, lineStr, str));
        out.push(m);
      }
      return out;
    };
    for (const e of readEntries()) dirs.push(String(e.get(1) ?? ''));
    for (const e of readEntries()) {
      const name = String(e.get(1) ?? '?');
      const dir = dirs[Number(e.get(2) ?? 0)] ?? '';
      files.push(name.startsWith('/') || dir === '' ? name : `${dir}/${name}`);
    }
  } else {
    dirs.push('');
    for (;;) { const s = r.cstr(); if (s === '') break; dirs.push(s); }
    files.push('?');
    for (;;) {
      const name = r.cstr();
      if (name === '') break;
      const dir = dirs[r.uleb()] ?? '';
      r.uleb(); r.uleb();
      files.push(name.startsWith('/') || dir === '' ? name : `${dir}/${name}`);
    }
  }
  r.pos = progStart;
  let addr = 0, file = 1, line = 1, isStmt = defaultIsStmt;
  const seqStart = { at: rows.length };
  const emit = (end: boolean) => {
    // Rows at the very address the sequence ends at cover nothing (gcc leaves one after a
    // tail call's jmp); gdb drops them, else code after the sequence would seem to have a line.
    if (end) while (rows.length > seqStart.at && rows[rows.length - 1].addr === addr >>> 0) rows.pop();
    rows.push({ addr: addr >>> 0, file: files[file] ?? '?', line, isStmt, end });
    if (end) seqStart.at = rows.length;
  };
  const reset = () => { addr = 0; file = 1; line = 1; isStmt = defaultIsStmt; };
  while (r.pos < unitEnd) {
    const op = r.u8();
    if (op >= opcodeBase) {
      const adj = op - opcodeBase;
      addr += Math.floor(adj / lineRange) * minInst;
      line += lineBase + (adj % lineRange);
      emit(false);
      continue;
    }
    switch (op) {
      case 0: {
        const len = r.uleb();
        const next = r.pos + len;
        const sub = r.u8();
        if (sub === 1) { emit(true); reset(); }
        else if (sub === 2) addr = len - 1 === 8 ? r.u64() : r.u32();
        r.pos = next;
        break;
      }
      case 1: emit(false); break;
      case 2: addr += r.uleb() * minInst; break;
      case 3: line += r.sleb(); break;
      case 4: file = r.uleb(); break;
      case 5: r.uleb(); break;
      case 6: isStmt = !isStmt; break;
      case 7: break;
      case 8: addr += Math.floor((255 - opcodeBase) / lineRange) * minInst; break;
      case 9: addr += r.u16(); break;
      case 10: case 11: break;
      case 12: r.uleb(); break;
      default: for (let i = 0; i < stdLens[op]; i++) r.uleb();
    }
  }
}

function readForm(r: Reader, form: number, off64: boolean, lineStr?: Uint8Array, str?: Uint8Array): string | number {
  switch (form) {
    case 0x08: return r.cstr(); // string
    case 0x1f: return strAt(lineStr, off64 ? r.u64() : r.u32()); // line_strp
    case 0x0e: return strAt(str, off64 ? r.u64() : r.u32()); // strp
    case 0x0f: return r.uleb(); // udata
    case 0x0b: return r.u8();
    case 0x05: return r.u16();
    case 0x06: return r.u32();
    case 0x07: return r.u64();
    case 0x1e: r.pos += 16; return 0; // data16 (MD5)
    case 0x09: { const n = r.uleb(); r.pos += n; return 0; } // block
    default: throw new Error(`unsupported DWARF form 0x${form.toString(16)}`);
  }
}
