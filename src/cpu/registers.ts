// Register numbering as the Intel manual encodes it in ModRM/opcode fields.
export const EAX = 0, ECX = 1, EDX = 2, EBX = 3, ESP = 4, EBP = 5, ESI = 6, EDI = 7;
/** Index of a register slot that always reads 0 (used for absent base/index in addressing). */
export const ZERO = 8;
export const REG32_NAMES = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
export const REG16_NAMES = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'];
export const REG8_NAMES = ['al', 'cl', 'dl', 'bl', 'ah', 'ch', 'dh', 'bh'];

// Segment registers in ModRM encoding order.
export const ES = 0, CS = 1, SS = 2, DS = 3, FS = 4, GS = 5;
export const SEG_NAMES = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];

// EFLAGS bits.
export const CF = 0x0001;
export const PF = 0x0004;
export const AF = 0x0010;
export const ZF = 0x0040;
export const SF = 0x0080;
export const TF = 0x0100;
export const IF = 0x0200;
export const DF = 0x0400;
export const OF = 0x0800;
export const IOPL = 0x3000;
export const NT = 0x4000;
export const RF = 0x10000;
export const VM = 0x20000;
export const AC = 0x40000;
export const VIF = 0x80000;
export const VIP = 0x100000;
export const ID = 0x200000;
export const ARITH_FLAGS = CF | PF | AF | ZF | SF | OF;
/** Bits a CPL-3 POPF may change (IOPL, IF, VM, RF, VIF, VIP stay). */
export const POPF_USER_MASK = CF | PF | AF | ZF | SF | TF | DF | OF | NT | AC | ID;

export const FLAG_NAMES: Array<[number, string]> = [
  [CF, 'CF'], [PF, 'PF'], [AF, 'AF'], [ZF, 'ZF'], [SF, 'SF'], [TF, 'TF'], [IF, 'IF'],
  [DF, 'DF'], [OF, 'OF'], [NT, 'NT'], [RF, 'RF'], [AC, 'AC'], [ID, 'ID'],
];

export function flagNames(eflags: number): string {
  return FLAG_NAMES.filter(([bit]) => eflags & bit).map(([, n]) => n).join(' ');
}

/** Linux i386 user selectors (GDT_ENTRY_DEFAULT_USER_CS = 14, _DS = 15, TLS entries 6..8). */
export const USER_CS = 0x73;
export const USER_DS = 0x7b;
export const GDT_ENTRY_TLS_MIN = 6;
export const GDT_ENTRY_TLS_ENTRIES = 3;
