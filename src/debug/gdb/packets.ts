// The gdb remote serial protocol's framing: $payload#checksum packets, +/- acknowledgements,
// the 0x03 interrupt byte, and the binary escape (} followed by byte ^ 0x20) used by X packets
// and qXfer/vFile replies. Also hex helpers for register and memory payloads.

export type WireEvent = { kind: 'packet'; data: string } | { kind: 'interrupt' } | { kind: 'ack'; ok: boolean } | { kind: 'bad'; data: string };

export function checksum(s: string): number {
  let sum = 0;
  for (let i = 0; i < s.length; i++) sum = (sum + s.charCodeAt(i)) & 0xff;
  return sum;
}

/** Frames a payload (a latin1 string, already escaped if binary). */
export function frame(payload: string): string {
  return `$${payload}#${checksum(payload).toString(16).padStart(2, '0')}`;
}

/** Escapes bytes for a binary payload: $ # } * become } and the byte XOR 0x20. */
export function escapeBinary(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) {
    if (b === 0x23 || b === 0x24 || b === 0x7d || b === 0x2a) s += '}' + String.fromCharCode(b ^ 0x20);
    else s += String.fromCharCode(b);
  }
  return s;
}

export function unescapeBinary(s: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x7d && i + 1 < s.length) out.push(s.charCodeAt(++i) ^ 0x20);
    else out.push(c & 0xff);
  }
  return Uint8Array.from(out);
}

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

export function fromHex(s: string): Uint8Array {
  if (s.length % 2 !== 0 || /[^0-9a-fA-F]/.test(s)) throw new Error('bad hex');
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.substr(2 * i, 2), 16);
  return out;
}

export function textToHex(s: string): string {
  return toHex(Buffer.from(s, 'utf8'));
}

export function hexToText(h: string): string {
  return Buffer.from(fromHex(h)).toString('utf8');
}

/** Little-endian hex of an unsigned value of `size` bytes. */
export function leHex(v: number | bigint, size: number): string {
  let b = BigInt.asUintN(size * 8, BigInt(v));
  let s = '';
  for (let i = 0; i < size; i++) {
    s += Number(b & 0xffn).toString(16).padStart(2, '0');
    b >>= 8n;
  }
  return s;
}

export function parseLeHex(h: string): bigint {
  let v = 0n;
  for (let i = h.length - 2; i >= 0; i -= 2) v = (v << 8n) | BigInt(parseInt(h.substr(i, 2), 16));
  return v;
}

/** Splits an incoming byte stream into packets, acks and interrupts (bad checksums too). */
export class PacketReader {
  private buf = '';

  push(chunk: string): WireEvent[] {
    this.buf += chunk;
    const out: WireEvent[] = [];
    for (;;) {
      if (this.buf.length === 0) break;
      const c = this.buf[0];
      if (c === '+' || c === '-') { out.push({ kind: 'ack', ok: c === '+' }); this.buf = this.buf.slice(1); continue; }
      if (c === '\x03') { out.push({ kind: 'interrupt' }); this.buf = this.buf.slice(1); continue; }
      if (c !== '$') { this.buf = this.buf.slice(1); continue; }
      const hash = this.buf.indexOf('#');
      if (hash < 0 || hash + 3 > this.buf.length) break;
      const data = this.buf.slice(1, hash);
      const sum = parseInt(this.buf.slice(hash + 1, hash + 3), 16);
      this.buf = this.buf.slice(hash + 3);
      out.push(sum === checksum(data) ? { kind: 'packet', data } : { kind: 'bad', data });
    }
    return out;
  }
}
