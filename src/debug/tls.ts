// Where a thread-local variable of the program lives in a thread. i386 TLS is variant II: the
// thread pointer (GS's base) points at the thread control block, and the static TLS blocks lie
// below it, the program's own (module 1) right under it, its PT_TLS size rounded up to the
// segment's alignment (glibc's l_tls_offset for the executable, static or dynamic). A
// variable's DWARF location gives its offset in that block (DW_OP_form_tls_address).

/** The program's TLS segment: PT_TLS memsz and alignment. */
export interface TlsSegment {
  memsz: number;
  align: number;
}

/** The run-time address of offset in the program's TLS block of the thread whose GS base is tp. */
export function tlsVariableAddress(tp: number, tls: TlsSegment, offset: number): number {
  const align = Math.max(1, tls.align);
  const block = Math.ceil(tls.memsz / align) * align;
  return ((tp >>> 0) - block + offset) >>> 0;
}
