// The DWARF numbers the reader uses (DWARF 5 standard, section 7, and GNU extensions).

export const DW_TAG = {
  array_type: 0x01, enumeration_type: 0x04, formal_parameter: 0x05, label: 0x0a, lexical_block: 0x0b,
  member: 0x0d, pointer_type: 0x0f, compile_unit: 0x11, structure_type: 0x13, subroutine_type: 0x15,
  typedef: 0x16, union_type: 0x17, unspecified_parameters: 0x18, variable: 0x34, inlined_subroutine: 0x1d,
  subrange_type: 0x21, base_type: 0x24, const_type: 0x26, enumerator: 0x28, subprogram: 0x2e,
  volatile_type: 0x35, restrict_type: 0x37, partial_unit: 0x3c, atomic_type: 0x47,
  call_site: 0x48, GNU_call_site: 0x4109, call_site_parameter: 0x49, GNU_call_site_parameter: 0x410a,
} as const;

export const DW_AT = {
  sibling: 0x01, location: 0x02, name: 0x03, byte_size: 0x0b, stmt_list: 0x10, low_pc: 0x11, high_pc: 0x12,
  language: 0x13, comp_dir: 0x1b, const_value: 0x1c, inline: 0x20, upper_bound: 0x2f, abstract_origin: 0x31, call_file: 0x58, call_line: 0x59, call_return_pc: 0x7d, call_value: 0x7e, call_origin: 0x7f, call_tail_call: 0x82, GNU_tail_call: 0x2115,
  GNU_call_site_value: 0x2111,
  count: 0x37, data_member_location: 0x38, decl_file: 0x3a, decl_line: 0x3b, declaration: 0x3c,
  encoding: 0x3e, external: 0x3f, frame_base: 0x40, specification: 0x47, type: 0x49, ranges: 0x55,
  data_bit_offset: 0x6b, bit_size: 0x0d, bit_offset: 0x0c, entry_pc: 0x52, prototyped: 0x27,
  str_offsets_base: 0x72, addr_base: 0x73, rnglists_base: 0x74, loclists_base: 0x8c,
  GNU_addr_base: 0x2133, GNU_ranges_base: 0x2132,
} as const;

export const DW_ATE = {
  address: 0x1, boolean: 0x2, complex_float: 0x3, float: 0x4, signed: 0x5, signed_char: 0x6,
  unsigned: 0x7, unsigned_char: 0x8, UTF: 0x10,
} as const;

/** DWARF register numbers of i386 (System V psABI): the CPU's register order, then EIP. */
export const I386_REG_NAMES = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi', 'eip'];
export const DW_REG_EIP = 8;
