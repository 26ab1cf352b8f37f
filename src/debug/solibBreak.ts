// Where a breakpoint on a function without line information goes, as gdb's i386 prologue
// analyser places it: past an endbr32, the "push %ebp; mov %esp,%ebp" frame setup, a
// "sub $N,%esp" for locals and the register pushes that follow. A function that sets up no
// %ebp frame keeps its entry address. (Libraries such as libc carry no .debug_line, so this is
// what `break puts` resolves to.)

/** The breakpoint address for a function entry, given a reader of its first bytes. */
export function libraryEntryBreakAddr(entry: number, read: (addr: number, len: number) => Uint8Array): number {
  const start = entry >>> 0;
  const code = read(start, 32);
  let i = 0;
  const is = (...bytes: number[]) => bytes.every((b, k) => code[i + k] === b);
  if (is(0xf3, 0x0f, 0x1e, 0xfb)) i += 4;
  if (!is(0x55)) return start;
  if (!(is(0x55, 0x89, 0xe5) || is(0x55, 0x8b, 0xec))) return start;
  i += 3;
  if (is(0x83, 0xec)) i += 3;
  else if (is(0x81, 0xec)) i += 6;
  while (i < code.length && code[i] >= 0x50 && code[i] <= 0x57) i++;
  return i <= code.length ? (start + i) >>> 0 : start;
}
