// The i386 vDSO image (Linux's arch/x86/entry/vdso/vdso32): a small ELF shared object,
// "linux-gate.so.1", linked at 0 and mapped into every process, that glibc finds through
// AT_SYSINFO_EHDR and looks symbols up in by name and version (LINUX_2.6 for the __vdso_*
// clock functions, LINUX_2.5 for the __kernel_* entry points). It is assembled here byte by
// byte, deterministically, instead of being linked at build time.
//
// __kernel_vsyscall (AT_SYSINFO, what i386 glibc calls for every system call) has Linux's
// shape: save ECX, EDX and EBP, then `int $0x80` (in front of it Linux patches in
// `mov %esp,%ebp; sysenter` on CPUs that have SYSENTER; here those 4 bytes stay a NOP, so EBP
// still holds the sixth argument), then the landing pad that pops them back. A SYSENTER executed anywhere returns to that landing pad (syscallEntry's sysenter path),
// so a restarted call re-runs the `int $0x80` just before it, as on Linux. The clock functions make
// the system call, which is what Linux's do when the clocksource cannot be read from user space
// (vclock_mode VCLOCK_NONE, e.g. under most hypervisors without a stable TSC): they return
// -errno in EAX like the real fallback, so glibc sees the same results as from the kernel.
//
// For debuggers it carries what Linux's vdso32 carries: section headers inside the loaded
// segment (gdb reads the image from memory with symbol_file_add_from_memory), .dynsym names,
// and .eh_frame (+ .eh_frame_hdr, PT_GNU_EH_FRAME) with CFI for every function. The sigreturn
// trampolines' CIE has the 'S' augmentation and rules that find the interrupted registers in
// the signal frame's sigcontext, so an unwinder steps from a handler to the code it interrupted.
import { PAGE_SIZE } from '../../src/mmu/physicalMemory.js';
import {
  RT_UC, SC_AX, SC_BP, SC_BX, SC_CX, SC_DI, SC_DX, SC_IP, SC_SI, SC_SP, SF_SC, SF_SIG, UC_MCONTEXT,
} from '../signal/frameLayout.js';

/** The image is two pages, so the [vdso] area is two pages, as on Linux 6.18. */
export const VDSO_PAGES = 2;
/** Pages of [vvar] (the vdso_data pages) and [vvar_vclock] (pvclock/hvclock) below it. */
export const VVAR_PAGES = 4;
export const VVAR_VCLOCK_PAGES = 2;

const SYSCALL_FUNCTIONS: ReadonlyArray<[string, number]> = [
  ['__vdso_clock_gettime', 265],
  ['__vdso_gettimeofday', 78],
  ['__vdso_time', 13],
  ['__vdso_clock_getres', 266],
  ['__vdso_clock_gettime64', 403],
  ['__vdso_clock_getres_time64', 406],
  ['__vdso_getcpu', 318],
];

const KERNEL_VSYSCALL = [
  0x51, 0x52, 0x55, // push %ecx; push %edx; push %ebp
  0x0f, 0x1f, 0x40, 0x00, // nopl 0(%eax): where Linux's ALTERNATIVE puts mov %esp,%ebp; sysenter
  0xcd, 0x80, // int $0x80
  // int80_landing_pad:
  0x5d, 0x5a, 0x59, // pop %ebp; pop %edx; pop %ecx
  0xc3, // ret
];
/** int80_landing_pad's offset in __kernel_vsyscall: where SYSENTER returns to. */
const LANDING_PAD = 9;

/** Version indexes in .gnu.version (1 is the object's base version). */
const VER_LINUX_2_6 = 2, VER_LINUX_2_5 = 3;

interface VdsoSymbol {
  name: string;
  code: number[];
  version: number;
  /** The FDE's DW_CFA_* program (its rows start at the symbol, or at the lead nop). */
  cfi: number[];
  /** A signal trampoline: its FDE belongs to the 'S' CIE and also covers one NOP in front. */
  signal?: boolean;
}

// DW_CFA_* opcodes, DWARF i386 register numbers and DW_OP_breg4 (ESP + offset).
const CFA_advance_loc = 0x40, CFA_offset = 0x80, CFA_restore = 0xc0;
const CFA_def_cfa = 0x0c, CFA_def_cfa_offset = 0x0e, CFA_def_cfa_expression = 0x0f, CFA_expression = 0x10;
const R_EAX = 0, R_ECX = 1, R_EDX = 2, R_EBX = 3, R_ESP = 4, R_EBP = 5, R_ESI = 6, R_EDI = 7, R_EIP = 8;
const OP_breg4 = 0x74, OP_deref = 0x06;

function uleb(v: number): number[] {
  const out: number[] = [];
  do { let b = v & 0x7f; v >>>= 7; if (v) b |= 0x80; out.push(b); } while (v);
  return out;
}
function sleb(v: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && !(b & 0x40)) || (v === -1 && b & 0x40)) { out.push(b); return out; }
    out.push(b | 0x80);
  }
}

/** The CFI of a push: CFA = ESP + cfa, reg saved at the new ESP (data alignment -4). */
const pushed = (reg: number, cfa: number): number[] => [CFA_advance_loc | 1, CFA_def_cfa_offset, cfa, CFA_offset | reg, cfa / 4];
/** The CFI of the matching pop. */
const popped = (reg: number, cfa: number): number[] => [CFA_advance_loc | 1, CFA_restore | reg, CFA_def_cfa_offset, cfa];

/**
 * Rules of a signal trampoline whose sigcontext lies at ESP + sc: the CFA is the interrupted
 * ESP (DW_CFA_def_cfa_expression: *(ESP + sc + SC_SP)), every other register is saved in the
 * sigcontext (DW_CFA_expression: at ESP + sc + its offset), as Linux's sigreturn.S describes them.
 */
function sigcontextRules(sc: number): number[] {
  const cfa = [OP_breg4, ...sleb(sc + SC_SP), OP_deref];
  const out = [CFA_def_cfa_expression, cfa.length, ...cfa];
  const saved: Array<[number, number]> = [[R_EAX, SC_AX], [R_ECX, SC_CX], [R_EDX, SC_DX], [R_EBX, SC_BX],
    [R_EBP, SC_BP], [R_ESI, SC_SI], [R_EDI, SC_DI], [R_EIP, SC_IP]];
  for (const [reg, off] of saved) {
    const e = [OP_breg4, ...sleb(sc + off)];
    out.push(CFA_expression, reg, e.length, ...e);
  }
  return out;
}

/** __kernel_vsyscall's CFI: ECX, EDX, EBP pushed (system_call.S's annotations), popped at the landing pad. */
const KERNEL_VSYSCALL_CFI = [
  ...pushed(R_ECX, 8), ...pushed(R_EDX, 12), ...pushed(R_EBP, 16),
  CFA_advance_loc | (LANDING_PAD + 1 - 3), CFA_restore | R_EBP, CFA_def_cfa_offset, 12,
  ...popped(R_EDX, 8), ...popped(R_ECX, 4),
];

/** A clock stub's CFI: EBX pushed first and popped after `int $0x80` (at offset 20). */
const SYSCALL_STUB_CFI = [...pushed(R_EBX, 8), CFA_advance_loc | 20, CFA_restore | R_EBX, CFA_def_cfa_offset, 4];

/**
 * __kernel_sigreturn runs on sigframe_ia32 with pretcode popped by the handler's RET: the
 * sigcontext is past `sig` until `pop %eax` takes that; the row starts at the lead NOP (a
 * return address minus one) and moves 2 bytes later, after the pop.
 */
const SIGRETURN_CFI = [...sigcontextRules(SF_SC - SF_SIG), CFA_advance_loc | 2, ...sigcontextRules(SF_SC - SF_SIG - 4)];
/** __kernel_rt_sigreturn: rt_sigframe_ia32 less pretcode; uc_mcontext is the sigcontext. */
const RT_SIGRETURN_CFI = sigcontextRules(RT_UC + UC_MCONTEXT - 4);

/** cdecl with up to three arguments → EBX, ECX, EDX; `int $0x80`; the result stays in EAX. */
function syscallStub(nr: number): number[] {
  return [
    0x53, // push %ebx
    0x8b, 0x5c, 0x24, 0x08, // mov 8(%esp),%ebx
    0x8b, 0x4c, 0x24, 0x0c, // mov 12(%esp),%ecx
    0x8b, 0x54, 0x24, 0x10, // mov 16(%esp),%edx
    0xb8, nr & 0xff, (nr >> 8) & 0xff, 0, 0, // mov $nr,%eax
    0xcd, 0x80, // int $0x80
    0x5b, // pop %ebx
    0xc3, // ret
  ];
}

function symbols(): VdsoSymbol[] {
  const s: VdsoSymbol[] = SYSCALL_FUNCTIONS.map(([name, nr]) => ({ name, code: syscallStub(nr), version: VER_LINUX_2_6, cfi: SYSCALL_STUB_CFI }));
  s.push({ name: '__kernel_vsyscall', code: KERNEL_VSYSCALL, version: VER_LINUX_2_5, cfi: KERNEL_VSYSCALL_CFI });
  // pop %eax; mov $__NR_sigreturn,%eax; int $0x80 (the old-style frame's restorer)
  s.push({ name: '__kernel_sigreturn', code: [0x58, 0xb8, 119, 0, 0, 0, 0xcd, 0x80], version: VER_LINUX_2_5, cfi: SIGRETURN_CFI, signal: true });
  s.push({ name: '__kernel_rt_sigreturn', code: [0xb8, 173, 0, 0, 0, 0xcd, 0x80], version: VER_LINUX_2_5, cfi: RT_SIGRETURN_CFI, signal: true });
  return s;
}

/** The SysV ELF hash (DT_HASH buckets, vd_hash). */
export function elfHash(name: string): number {
  let h = 0;
  for (let i = 0; i < name.length; i++) {
    h = ((h << 4) + name.charCodeAt(i)) >>> 0;
    const g = h & 0xf0000000;
    if (g !== 0) h ^= g >>> 24;
    h &= ~g;
  }
  return h >>> 0;
}

class Writer {
  readonly bytes: Uint8Array;
  private readonly dv: DataView;
  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.dv = new DataView(this.bytes.buffer);
  }
  u8(off: number, v: number): void { this.dv.setUint8(off, v); }
  u16(off: number, v: number): void { this.dv.setUint16(off, v, true); }
  u32(off: number, v: number): void { this.dv.setUint32(off, v >>> 0, true); }
}

const align = (n: number, a: number): number => Math.ceil(n / a) * a;

const SHT_PROGBITS = 1, SHT_STRTAB = 3, SHT_HASH = 5, SHT_DYNAMIC = 6, SHT_DYNSYM = 11;
const SHT_GNU_VERDEF = 0x6ffffffd, SHT_GNU_VERSYM = 0x6fffffff;
const SHF_WRITE = 1, SHF_ALLOC = 2, SHF_EXECINSTR = 4;
const DT_NULL = 0, DT_HASH = 4, DT_STRTAB = 5, DT_SYMTAB = 6, DT_STRSZ = 10, DT_SYMENT = 11, DT_SONAME = 14;
const DT_VERSYM = 0x6ffffff0, DT_VERDEF = 0x6ffffffc, DT_VERDEFNUM = 0x6ffffffd;

let cached: Uint8Array | null = null;

/** The vDSO's bytes, VDSO_PAGES pages long (built once). */
export function vdsoImage(): Uint8Array {
  cached ??= buildVdso();
  return cached;
}

/** CIE: version 1, augmentation, code alignment 1, data alignment -4, return address EIP, FDE pointers pcrel|sdata4. */
function cie(augmentation: string, initial: number[]): number[] {
  const aug = [...Buffer.from(augmentation + '\0')];
  return [0, 0, 0, 0, 1, ...aug, 1, ...sleb(-4), R_EIP, 1, DW_EH_PE_pcrel_sdata4, ...initial];
}
const DW_EH_PE_pcrel_sdata4 = 0x1b, DW_EH_PE_udata4 = 0x03, DW_EH_PE_datarel_sdata4 = 0x3b;
const PT_LOAD = 1, PT_DYNAMIC = 2, PT_GNU_EH_FRAME = 0x6474e550;

/** .eh_frame at offset `at`: the two CIEs, one FDE per symbol, the zero terminator; and each FDE's offset. */
function ehFrame(syms: VdsoSymbol[], codeOff: number[], at: number): { bytes: number[]; fdes: Array<[number, number]> } {
  const out: number[] = [];
  const entry = (body: number[]): number => {
    while ((body.length + 4) % 4) body.push(0); // DW_CFA_nop padding
    const off = out.length;
    out.push(...u32le(body.length), ...body);
    return off;
  };
  // The usual CIE: CFA = ESP + 4, return address at CFA - 4; the signal one has no initial rules.
  const normal = entry(cie('zR', [CFA_def_cfa, R_ESP, 4, CFA_offset | R_EIP, 1]));
  const signal = entry(cie('zRS', []));
  const fdes: Array<[number, number]> = [];
  syms.forEach((s, k) => {
    const start = codeOff[k] - (s.signal ? 1 : 0);
    const len = codeOff[k] + s.code.length - start;
    const fdeOff = out.length;
    const cieField = fdeOff + 4, pcField = fdeOff + 8;
    const body = [...u32le(cieField - (s.signal ? signal : normal)), ...u32le(start - (at + pcField)), ...u32le(len), 0, ...s.cfi];
    entry(body);
    fdes.push([start, fdeOff]);
  });
  out.push(0, 0, 0, 0);
  return { bytes: out, fdes };
}

const u32le = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];

function buildVdso(): Uint8Array {
  const syms = symbols();
  // .dynstr: "", the soname, the version names, the symbol names.
  const strs = ['', 'linux-gate.so.1', 'LINUX_2.6', 'LINUX_2.5', ...syms.map((s) => s.name)];
  const strOff = new Map<string, number>();
  let dynstrSize = 0;
  for (const s of strs) { strOff.set(s, dynstrSize); dynstrSize += Buffer.byteLength(s) + 1; }

  const nsyms = syms.length + 1;
  const nphdr = 3;
  const hashOff = align(52 + nphdr * 32, 4);
  const nbucket = 3;
  const hashSize = (2 + nbucket + nsyms) * 4;
  const dynsymOff = align(hashOff + hashSize, 4);
  const dynstrOff = dynsymOff + nsyms * 16;
  const versymOff = align(dynstrOff + dynstrSize, 2);
  const verdefOff = align(versymOff + nsyms * 2, 4);
  const verdefSize = 3 * 28;
  const textOff = align(verdefOff + verdefSize, 16);
  const codeOff: number[] = [];
  let textSize = 0;
  for (const s of syms) {
    textSize = align(textSize, 16);
    if (s.signal) textSize++; // the NOP in front of a trampoline (a return address minus one)
    codeOff.push(textOff + textSize);
    textSize += s.code.length;
  }
  const ehHdrOff = align(textOff + textSize, 4);
  const ehHdrSize = 12 + syms.length * 8;
  const ehFrameOff = ehHdrOff + ehHdrSize;
  const eh = ehFrame(syms, codeOff, ehFrameOff);
  const dynamicOff = align(ehFrameOff + eh.bytes.length, 4);
  const dyn: Array<[number, number]> = [
    [DT_HASH, hashOff], [DT_STRTAB, dynstrOff], [DT_SYMTAB, dynsymOff], [DT_STRSZ, dynstrSize], [DT_SYMENT, 16],
    [DT_SONAME, strOff.get('linux-gate.so.1')!], [DT_VERSYM, versymOff], [DT_VERDEF, verdefOff], [DT_VERDEFNUM, 3],
    [DT_NULL, 0],
  ];
  const dynamicSize = dyn.length * 8;
  const shstr = ['', '.hash', '.dynsym', '.dynstr', '.gnu.version', '.gnu.version_d', '.text', '.eh_frame_hdr', '.eh_frame',
    '.dynamic', '.shstrtab'];
  const shstrOff = align(dynamicOff + dynamicSize, 1);
  const shName = new Map<string, number>();
  let shstrSize = 0;
  for (const s of shstr) { shName.set(s, shstrSize); shstrSize += s.length + 1; }
  const shOff = align(shstrOff + shstrSize, 4);
  const nsh = shstr.length;
  const fileSize = shOff + nsh * 40;
  const size = VDSO_PAGES * PAGE_SIZE;
  if (fileSize > size) throw new Error('vDSO image larger than its pages');
  const w = new Writer(size);

  // ELF header: ELFCLASS32, little-endian, ET_DYN, EM_386.
  w.bytes.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0], 0);
  w.u16(16, 3); w.u16(18, 3); w.u32(20, 1);
  w.u32(24, codeOff[syms.findIndex((s) => s.name === '__kernel_vsyscall')]);
  w.u32(28, 52); w.u32(32, shOff); w.u32(36, 0);
  w.u16(40, 52); w.u16(42, 32); w.u16(44, nphdr); w.u16(46, 40); w.u16(48, nsh); w.u16(50, nsh - 1);

  // PT_LOAD (the whole image with its section headers, r-x), PT_DYNAMIC and PT_GNU_EH_FRAME.
  const ph = (i: number, type: number, off: number, filesz: number, flags: number, alignment: number): void => {
    const o = 52 + i * 32;
    w.u32(o, type); w.u32(o + 4, off); w.u32(o + 8, off); w.u32(o + 12, off);
    w.u32(o + 16, filesz); w.u32(o + 20, filesz); w.u32(o + 24, flags); w.u32(o + 28, alignment);
  };
  ph(0, PT_LOAD, 0, fileSize, 5, PAGE_SIZE);
  ph(1, PT_DYNAMIC, dynamicOff, dynamicSize, 4, 4);
  ph(2, PT_GNU_EH_FRAME, ehHdrOff, ehHdrSize, 4, 4);

  // DT_HASH: every symbol chained from the bucket of its hash.
  w.u32(hashOff, nbucket); w.u32(hashOff + 4, nsyms);
  const buckets = new Array<number>(nbucket).fill(0);
  for (let i = nsyms - 1; i >= 1; i--) {
    const b = elfHash(syms[i - 1].name) % nbucket;
    w.u32(hashOff + 8 + nbucket * 4 + i * 4, buckets[b]);
    buckets[b] = i;
  }
  buckets.forEach((v, b) => w.u32(hashOff + 8 + b * 4, v));

  // .dynsym: STB_GLOBAL STT_FUNC in .text (section 6); .gnu.version: their version indexes.
  syms.forEach((s, k) => {
    const o = dynsymOff + (k + 1) * 16;
    w.u32(o, strOff.get(s.name)!); w.u32(o + 4, codeOff[k]); w.u32(o + 8, s.code.length);
    w.u8(o + 12, 0x12); w.u8(o + 13, 0); w.u16(o + 14, 6);
    w.u16(versymOff + (k + 1) * 2, s.version);
  });
  for (const s of strs) w.bytes.set(Buffer.from(s + '\0'), dynstrOff + strOff.get(s)!);

  // .gnu.version_d: the base version (the soname), LINUX_2.6, LINUX_2.5.
  const verdefs: Array<[number, string]> = [[1, 'linux-gate.so.1'], [VER_LINUX_2_6, 'LINUX_2.6'], [VER_LINUX_2_5, 'LINUX_2.5']];
  verdefs.forEach(([ndx, name], k) => {
    const o = verdefOff + k * 28;
    w.u16(o, 1); w.u16(o + 2, k === 0 ? 1 : 0); w.u16(o + 4, ndx); w.u16(o + 6, 1);
    w.u32(o + 8, elfHash(name)); w.u32(o + 12, 20); w.u32(o + 16, k < verdefs.length - 1 ? 28 : 0);
    w.u32(o + 20, strOff.get(name)!); w.u32(o + 24, 0);
  });

  syms.forEach((s, k) => { w.bytes.set(s.code, codeOff[k]); if (s.signal) w.u8(codeOff[k] - 1, 0x90); });

  // .eh_frame_hdr: version 1, the .eh_frame pointer, the FDE count, the sorted (pc, FDE) table.
  w.bytes.set([1, DW_EH_PE_pcrel_sdata4, DW_EH_PE_udata4, DW_EH_PE_datarel_sdata4], ehHdrOff);
  w.u32(ehHdrOff + 4, ehFrameOff - (ehHdrOff + 4));
  w.u32(ehHdrOff + 8, eh.fdes.length);
  [...eh.fdes].sort((a, b) => a[0] - b[0]).forEach(([pc, fde], k) => {
    w.u32(ehHdrOff + 12 + k * 8, pc - ehHdrOff);
    w.u32(ehHdrOff + 16 + k * 8, ehFrameOff + fde - ehHdrOff);
  });
  w.bytes.set(eh.bytes, ehFrameOff);

  dyn.forEach(([tag, val], k) => { w.u32(dynamicOff + k * 8, tag); w.u32(dynamicOff + k * 8 + 4, val); });
  for (const s of shstr) w.bytes.set(Buffer.from(s + '\0'), shstrOff + shName.get(s)!);

  // Section headers, for tools (readelf, gdb's symbol reader); glibc reads only the segments.
  const sh = (i: number, name: string, type: number, flags: number, off: number, sz: number, link: number,
    info: number, alignment: number, entsize: number): void => {
    const o = shOff + i * 40;
    w.u32(o, shName.get(name)!); w.u32(o + 4, type); w.u32(o + 8, flags); w.u32(o + 12, flags & SHF_ALLOC ? off : 0);
    w.u32(o + 16, off); w.u32(o + 20, sz); w.u32(o + 24, link); w.u32(o + 28, info); w.u32(o + 32, alignment);
    w.u32(o + 36, entsize);
  };
  sh(1, '.hash', SHT_HASH, SHF_ALLOC, hashOff, hashSize, 2, 0, 4, 4);
  sh(2, '.dynsym', SHT_DYNSYM, SHF_ALLOC, dynsymOff, nsyms * 16, 3, 1, 4, 16);
  sh(3, '.dynstr', SHT_STRTAB, SHF_ALLOC, dynstrOff, dynstrSize, 0, 0, 1, 0);
  sh(4, '.gnu.version', SHT_GNU_VERSYM, SHF_ALLOC, versymOff, nsyms * 2, 2, 0, 2, 2);
  sh(5, '.gnu.version_d', SHT_GNU_VERDEF, SHF_ALLOC, verdefOff, verdefSize, 3, 3, 4, 0);
  sh(6, '.text', SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, textOff, textSize, 0, 0, 16, 0);
  sh(7, '.eh_frame_hdr', SHT_PROGBITS, SHF_ALLOC, ehHdrOff, ehHdrSize, 0, 0, 4, 0);
  sh(8, '.eh_frame', SHT_PROGBITS, SHF_ALLOC, ehFrameOff, eh.bytes.length, 0, 0, 4, 0);
  sh(9, '.dynamic', SHT_DYNAMIC, SHF_ALLOC | SHF_WRITE, dynamicOff, dynamicSize, 3, 0, 4, 8);
  sh(10, '.shstrtab', SHT_STRTAB, 0, shstrOff, shstrSize, 0, 0, 1, 0);
  return w.bytes;
}

/** The offset of the int80 landing pad in the image (vdso_image_32.sym_int80_landing_pad). */
export function vdsoLandingPadOffset(): number {
  return vdsoSymbolOffset('__kernel_vsyscall') + LANDING_PAD;
}

/** The offset of a symbol's code in the image (AT_SYSINFO is the vDSO base + this). */
export function vdsoSymbolOffset(name: string): number {
  const img = vdsoImage();
  const dv = new DataView(img.buffer, img.byteOffset);
  const shoff = dv.getUint32(32, true);
  const dynsym = shoff + 2 * 40;
  const symOff = dv.getUint32(dynsym + 16, true), symSize = dv.getUint32(dynsym + 20, true);
  const strOff = dv.getUint32(shoff + 3 * 40 + 16, true);
  for (let o = symOff + 16; o < symOff + symSize; o += 16) {
    const n = strOff + dv.getUint32(o, true);
    let end = n;
    while (img[end] !== 0) end++;
    if (Buffer.from(img.subarray(n, end)).toString() === name) return dv.getUint32(o + 4, true);
  }
  throw new Error(`vDSO has no symbol ${name}`);
}
