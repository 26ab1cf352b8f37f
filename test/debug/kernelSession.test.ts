// A scripted REPL session on real static glibc programs run by the mini kernel: breaking at
// main, stepping by instruction and by line, a watchpoint firing, pagewalks of a stack address
// and of an unmapped one, maps, and record / reverse-stepi restoring a register exactly.
import { describe, expect, it, beforeAll } from 'vitest';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildGuest, haveStaticGcc32, WATCH_SOURCE, replSession } from './guestBuild.js';

const HELLO = fileURLToPath(new URL('../../guest-programs/build/hello', import.meta.url));
const gcc = haveStaticGcc32();

describe.skipIf(!existsSync(HELLO))('REPL on a static glibc program without -g', () => {
  it('breaks at main, steps, walks the stack page and an unmapped one, shows maps', async () => {
    const { out, guest } = await replSession(HELLO, `
break main
run
info registers eip
stepi
nexti 2
x/2i $pc
pagewalk $esp
pagewalk 0x10
info proc mappings
bt
step
info tasks
stats
continue
`);
    expect(out).toMatch(/Breakpoint 1 at 0x[0-9a-f]+ <main>/);
    expect(out).toMatch(/Breakpoint 1, 0x[0-9a-f]{8} in main \(\)\n=> 0x[0-9a-f]+ <main>:\t\S+/);
    expect(out).toMatch(/eip            0x[0-9a-f]+ +0x[0-9a-f]+ <main>/);
    expect(out).toMatch(/0x[0-9a-f]{8} in main \(\)\n=> 0x[0-9a-f]+ <main\+\d+>:/);
    // The stack page: present, user, writable, inside [stack].
    expect(out).toMatch(/PDE\[1023\] at 0x[0-9a-f]{8} = 0x[0-9a-f]{8}  P RW U/);
    expect(out).toMatch(/PTE\[\d+\] at 0x[0-9a-f]{8} = 0x[0-9a-f]{8}  P RW U A D\nphysical 0x[0-9a-f]{8}/);
    expect(out).toMatch(/area: [0-9a-f]+-ffffe000 rw-p .*\[stack\]/);
    // An unmapped address: no page table, no area.
    expect(out).toMatch(/linear 0x00000010[^\n]*\n[^\n]*\nPDE\[0\] at 0x[0-9a-f]{8} = 0x00000000  not present \(no page table[^\n]*\nphysical none\nuser read: #PF: page directory entry not present/);
    expect(out).toMatch(/area: none \(an access is SIGSEGV\)/);
    expect(out).toMatch(/r-xp 00001000 .*hello/);
    expect(out).toMatch(/no DWARF line information/);
    expect(out).toMatch(/\*  1000   1000/);
    expect(out).toMatch(/instructions \d+/);
    expect(out).toMatch(/\[Inferior 1 \(process 1000\) exited normally\]/);
    expect(guest).toBe('Hello, world!\nHello, world!\n');
  });
});

describe.skipIf(!gcc)('REPL on a static glibc program with -g', () => {
  let prog = '';
  beforeAll(() => {
    prog = buildGuest('watch', WATCH_SOURCE);
  });

  it('steps by line, fires a watchpoint and reverse-steps a register back', async () => {
    const { out, guest } = await replSession(prog, `
start
next
step
info breakpoints
watch counter
continue
bt
record
p/x $ebp
stepi 2
p/x $ebp
reverse-stepi 2
p/x $ebp
continue
reverse-continue
x/dw &counter
info record
record stop
delete
continue
`);
    expect(out).toMatch(/Temporary breakpoint 1, main \(\) at .*watch\.c:9\n9\t  int x = 1;/);
    expect(out).toMatch(/\n10\t  x = add\(x, 2\);\n/);
    expect(out).toMatch(/add \(a=\d+, b=\d+\) at .*watch\.c:4\n4\t  int s = a \+ b;/);
    expect(out).toMatch(/Hardware watchpoint 2: counter\n\nOld value = 0\nNew value = 3\n/);
    expect(out).toMatch(/#0  add \(a=\d+, b=\d+\) at .*watch\.c:6\n#1  0x[0-9a-f]+ in main \(\) at .*watch\.c:10/);
    expect(out).toMatch(/Recording: registers and memory writes of the last 200000 instructions/);
    // leave changes EBP; reverse-stepi puts it back exactly.
    const ebp = [...out.matchAll(/\$\d+ = (0x[0-9a-f]+)\n/g)].map((m) => m[1]);
    expect(ebp).toHaveLength(3);
    expect(ebp[1]).not.toBe(ebp[0]);
    expect(ebp[2]).toBe(ebp[0]);
    // Forward to the second write (3 -> 9), then back over it: memory is restored.
    expect(out).toMatch(/Old value = 3\nNew value = 9\n/);
    expect(out).toMatch(/Hardware watchpoint 2: counter\n\nOld value = 9\nNew value = 3\n/);
    expect(out).toMatch(/<counter>:\t3\n/);
    expect(out).toMatch(/Log contains \d+ instructions/);
    expect(out).toMatch(/exited normally/);
    expect(guest).toBe('x=6 counter=9\n');
  });
});

describe.skipIf(!gcc)('REPL on a program that faults', () => {
  it('stops at the faulting instruction, then reports the death', async () => {
    const prog = buildGuest('segv', 'int main(void) { *(volatile int *)0x10 = 1; return 0; }\n');
    const { out } = await replSession(prog, 'run\ninfo registers eip\npagewalk 0x10\ncontinue\ninfo registers\n');
    expect(out).toMatch(/Program received signal SIGSEGV, Segmentation fault\. \(fault address 0x10\)\n0x[0-9a-f]{8} in main \(\) at .*segv\.c:1\n/);
    expect(out).toMatch(/=> 0x[0-9a-f]+ <main\+\d+>:\tmov dword ptr \[eax\], 1/);
    expect(out).toMatch(/eip +0x[0-9a-f]+ +0x[0-9a-f]+ <main\+\d+>/);
    expect(out).toMatch(/area: none \(an access is SIGSEGV\)/);
    // info registers with no process left: gdb's message.
    expect(out).toMatch(/Program terminated with signal SIGSEGV, Segmentation fault\.\nThe program no longer exists\.\nThe program has no registers now\./);
  });
});

const READ_SOURCE = `
#include <stdio.h>
#include <string.h>
#include <unistd.h>
char buf[16];
int main(void) {
  memset(buf, 'A', sizeof buf);
  ssize_t n = read(0, buf, 8);
  printf("%d %.16s\\n", (int)n, buf);
  return 0;
}
`;

describe.skipIf(!gcc)('reverse execution over a system call', () => {
  it('restores the user memory the kernel wrote', async () => {
    const prog = buildGuest('readbuf', READ_SOURCE);
    const { out, guest } = await replSession(prog, `
break read
run
record
finish
x/8xb buf
reverse-finish
x/8xb buf
continue
`, Buffer.from('hello123'));
    const dumps = out.match(/<buf>:\t[^\n]*/g) ?? [];
    expect(dumps.length).toBe(2);
    expect(dumps[0]).toMatch(/0x68\t0x65\t0x6c\t0x6c\t0x6f\t0x31\t0x32\t0x33/); // "hello123" after read
    expect(dumps[1]).toMatch(/(0x41\t){7}0x41/); // back to 'A's before it
    expect(out).toMatch(/stepped back over 1 system call/);
    // Running forward again re-executes read() live: the input was consumed the first time.
    expect(guest).toBe('0 AAAAAAAAAAAAAAAA\n');
  });
});

describe.skipIf(!gcc)('REPL on a position-independent program', () => {
  it('moves symbols, lines and breakpoints set before run to where exec put the PIE', async () => {
    const prog = buildGuest('pie', 'int twice(int x) { return x * 2; }\nint main(void) {\n  return twice(21) - 42;\n}\n', 'pie');
    const { out } = await replSession(prog, 'break twice\ninfo breakpoints\nrun\nbt\ncontinue\n');
    // Before run: the link address (a PIE links at 0); after: the load bias is added.
    const before = /Breakpoint 1 at 0x([0-9a-f]+): file .*pie\.c, line 1\./.exec(out);
    expect(before, out).not.toBeNull();
    expect(parseInt(before![1], 16)).toBeLessThan(0x10000);
    expect(out).toMatch(/Breakpoint 1, twice \(x=21\) at .*pie\.c:1\n/);
    expect(out).toMatch(/#1 {2}0x[0-9a-f]{8} in main \(\) at .*pie\.c:3/);
    expect(out).toMatch(/exited normally/);
  });
});
