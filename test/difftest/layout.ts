// The address space both halves of the differential tester share (see
// guest-programs/harness/difftest.c): a 16 KiB scratch area between two guard pages, the code
// page, and the scratch area's initial pseudo-random pattern.

export const SCRATCH_ADDR = 0x10000000;
export const SCRATCH_SIZE = 0x4000;
/** Memory operands land in [DATA_ADDR, DATA_END); the stack lives above. */
export const DATA_ADDR = SCRATCH_ADDR;
export const DATA_END = SCRATCH_ADDR + 0x3000;
export const STACK_LOW = SCRATCH_ADDR + 0x3000;
export const STACK_HIGH = SCRATCH_ADDR + SCRATCH_SIZE;
/** Guard pages (PROT_NONE natively, present but supervisor-only in the emulator). */
export const GUARD_BELOW = SCRATCH_ADDR - 0x1000;
export const GUARD_ABOVE = SCRATCH_ADDR + SCRATCH_SIZE;
export const CODE_ADDR = 0x20000000;
/** Longest sequence (the native harness appends its epilogue on the same page). */
export const MAX_CODE = 3800;
export const PATTERN_SEED = 0x2545f491;

/** The scratch area's initial contents before a case's patches (xorshift32, low byte). */
export function scratchPattern(): Uint8Array {
  const p = new Uint8Array(SCRATCH_SIZE);
  let x = PATTERN_SEED;
  for (let i = 0; i < SCRATCH_SIZE; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    p[i] = x & 0xff;
  }
  return p;
}

export const PATTERN = scratchPattern();

// EFLAGS bits.
export const CF = 0x001, PF = 0x004, AF = 0x010, ZF = 0x040, SF = 0x080, TF = 0x100, IF = 0x200;
export const DF = 0x400, OF = 0x800, NT = 0x4000, RF = 0x10000, AC = 0x40000, ID = 0x200000;
export const ARITH = CF | PF | AF | ZF | SF | OF;
/** EFLAGS bits a case may start with and that are compared: the arithmetic flags, DF, ID. */
export const CASE_FLAGS = ARITH | DF | ID;

export const REG_NAMES = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
export const EAX = 0, ECX = 1, EDX = 2, EBX = 3, ESP = 4, EBP = 5, ESI = 6, EDI = 7;

export function flagNames(f: number): string {
  const names: Array<[number, string]> = [[CF, 'CF'], [PF, 'PF'], [AF, 'AF'], [ZF, 'ZF'], [SF, 'SF'], [DF, 'DF'], [OF, 'OF'], [ID, 'ID']];
  return names.filter(([b]) => f & b).map(([, n]) => n).join(' ') || '-';
}

/** A patch of the scratch area: bytes at an offset from SCRATCH_ADDR. */
export interface Patch {
  off: number;
  bytes: Uint8Array;
}

/** One case: a sequence and the machine state it starts from. */
export interface Case {
  code: Uint8Array;
  /** eax ecx edx ebx esp ebp esi edi (machine order), unsigned. */
  regs: number[];
  eflags: number;
  patches: Patch[];
  /** A 512-byte FXSAVE image of the x87/SSE state, or null when not in play. */
  fx: Uint8Array | null;
  /** Offset of the first instruction to execute (reproducers start mid-sequence). */
  start: number;
}

/** What a run left: how it ended and the state at that point. */
export interface Outcome {
  /** 0: ran off the end; else the (native) signal, or the emulator's equivalent. */
  sig: number;
  code: number;
  addr: number;
  eip: number;
  regs: number[];
  eflags: number;
  /** Runs of scratch bytes that differ from the initial image, "OFF=HEX,..." or "-". */
  mem: string;
  fx: Uint8Array | null;
}

export function hex(bytes: ArrayLike<number>): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += (bytes[i] & 0xff).toString(16).padStart(2, '0');
  return s;
}

export function fromHex(s: string): Uint8Array {
  const b = new Uint8Array(s.length >> 1);
  for (let i = 0; i < b.length; i++) b[i] = parseInt(s.substr(2 * i, 2), 16);
  return b;
}

/** The scratch image a case starts from. */
export function initialScratch(c: Case): Uint8Array {
  const m = PATTERN.slice();
  for (const p of c.patches) m.set(p.bytes, p.off);
  return m;
}

/** Runs of `now` that differ from `initial`, in the native harness's format. */
export function memDiff(initial: Uint8Array, now: Uint8Array): string {
  let s = '';
  let k = 0;
  const n = initial.length;
  while (k < n) {
    if (now[k] === initial[k]) { k++; continue; }
    let j = k;
    while (j < n && now[j] !== initial[j]) j++;
    if (s) s += ',';
    s += k.toString(16) + '=' + hex(now.subarray(k, j));
    k = j;
  }
  return s || '-';
}

/** Expands a memory diff into offset → byte. */
export function parseMemDiff(s: string): Map<number, number> {
  const m = new Map<number, number>();
  if (s === '-') return m;
  for (const run of s.split(',')) {
    const [o, h] = run.split('=');
    const off = parseInt(o, 16);
    for (let i = 0; i < h.length / 2; i++) m.set(off + i, parseInt(h.substr(2 * i, 2), 16));
  }
  return m;
}
