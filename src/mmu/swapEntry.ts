// The not-present PTE that names a page in swap (Linux's arch/x86/include/asm/pgtable-2level.h):
// P clear, the swap type in bits 1-5 and the slot offset from bit 14 up. A not-present PTE
// that is not 0 is always a swap entry; the CPU ignores every bit but P, so it faults.
export const SWP_TYPE_SHIFT = 1;
export const SWP_TYPE_BITS = 5;
export const SWP_OFFSET_SHIFT = 14;
/** Slots a swap entry can name (18 bits of offset). */
export const SWP_MAX_OFFSET = (1 << (32 - SWP_OFFSET_SHIFT)) - 1;

/** The PTE for slot offset of swap area type (Linux's __swp_entry + __swp_entry_to_pte). */
export function swpEntry(type: number, offset: number): number {
  return ((type & ((1 << SWP_TYPE_BITS) - 1)) << SWP_TYPE_SHIFT) | (offset << SWP_OFFSET_SHIFT) | 0;
}

/** True when pte is a swap entry (not present, not empty). */
export function isSwapPte(pte: number): boolean {
  return (pte & 1) === 0 && pte !== 0;
}

export function swpType(pte: number): number {
  return (pte >>> SWP_TYPE_SHIFT) & ((1 << SWP_TYPE_BITS) - 1);
}

export function swpOffset(pte: number): number {
  return pte >>> SWP_OFFSET_SHIFT;
}
