// Scripted REPL sessions against a freestanding program on a hand-built machine (no kernel):
// breakpoints, stepping by instruction and by source line, registers, x/, print and set,
// watchpoints, pagewalk, record and reverse-stepi, and bad input that must not crash.
import { describe, expect, it, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { Session } from '../../src/debug/session.js';
import { runScript } from '../../src/debug/repl.js';
import { buildFreestanding, haveGcc32, loadBare } from './bareMachine.js';

const SOURCE = `
int counter = 0;
int add(int a, int b) {
  int s = a + b;
  counter += s;
  return s;
}
void _start(void) {
  int x = 1;
  x = add(x, 2);
  x = add(x, 3);
  asm volatile("int $0x80" :: "a"(1), "b"(x));
  for (;;) {}
}
`;

const gcc = haveGcc32();
let prog = '';

async function session(script: string): Promise<string> {
  let out = '';
  const s = new Session({
    out: (t) => { out += t; },
    createTarget: () => loadBare(prog),
    image: readFileSync(prog),
    programPath: prog,
    args: [],
  });
  await runScript(s, script);
  return out;
}

describe.skipIf(!gcc)('debugger REPL on a bare machine', () => {
  beforeAll(() => {
    prog = buildFreestanding(SOURCE);
  });

  it('breaks at a function, shows registers, steps and finishes', async () => {
    const out = await session(`
break add
run
info registers
p $eip
p/x $esp
bt
finish
p counter
p *(int*)&counter
x/2dw &counter
continue
delete
continue
`);
    expect(out).toMatch(/Breakpoint 1 at 0x[0-9a-f]+: file .*prog\.c, line 4\./);
    expect(out).toMatch(/Breakpoint 1, add \(a=\d+, b=\d+\) at .*prog\.c:4\n4\t  int s = a \+ b;/);
    expect(out).toMatch(/eax\s+0x[0-9a-f]+\s+-?\d+/);
    expect(out).toMatch(/eflags\s+0x[0-9a-f]+\s+\[ .*\]/);
    expect(out).toMatch(/\$1 = \(void \(\*\)\(\)\) 0x[0-9a-f]+ <add\+\d+>/);
    expect(out).toMatch(/#0  add \(a=\d+, b=\d+\) at .*prog\.c:4\n#1  0x[0-9a-f]+ in _start \(\) at .*prog\.c:10/);
    // Commands from a script are not from the terminal: gdb's finish says nothing before it runs.
    expect(out).not.toMatch(/Run till exit from/);
    expect(out).toMatch(/Value returned is \$\d+ = 3/);
    expect(out).toMatch(/\$\d+ = 3\n/);
    expect(out).toMatch(/<counter>:\t3\t0/);
    expect(out).toMatch(/Breakpoint 1, add/);
    expect(out).toMatch(/\[Inferior 1 \(process 1\) exited with code 06\]/);
  });

  it('steps by source line and by instruction', async () => {
    const out = await session(`
start
next
next
step
stepi
nexti 2
`);
    expect(out).toMatch(/No symbol "main": stopping at the entry point/);
    expect(out).toMatch(/\n9\t  int x = 1;\n/);
    expect(out).toMatch(/\n10\t  x = add\(x, 2\);\n/);
    expect(out).toMatch(/add \(a=\d+, b=\d+\) at .*prog\.c:4\n4\t  int s = a \+ b;/);
    expect(out).toMatch(/=> 0x[0-9a-f]+ <add\+\d+>:\t/);
  });

  it('fires a watchpoint, walks pages, records and reverses', async () => {
    const out = await session(`
break _start
run
watch counter
continue
continue
pagewalk $esp
pagewalk 0x40000000
record
stepi
p $eax = 77
stepi 3
reverse-stepi 3
p $eax
info record
`);
    expect(out).toMatch(/Hardware watchpoint 2: counter/);
    expect(out).toMatch(/Hardware watchpoint 2: counter\n\nOld value = 0\nNew value = 3/);
    expect(out).toMatch(/Old value = 3\nNew value = 9/);
    expect(out).toMatch(/PDE\[767\] at 0x[0-9a-f]+ = 0x[0-9a-f]+  P RW U/);
    expect(out).toMatch(/user write: ok/);
    expect(out).toMatch(/PDE\[256\] at 0x[0-9a-f]+ = 0x00000000  not present/);
    expect(out).toMatch(/user read: #PF: page directory entry not present/);
    expect(out).toMatch(/\$\d+ = 77\n(.|\n)*\$\d+ = 77\n/);
  });

  it('has read and access watchpoints of 1, 2 and 8 bytes', async () => {
    const out = await session(`
break _start
run
rwatch *(char *)&counter
continue
delete
awatch *(short *)&counter
continue
continue
delete
watch *(long long *)&counter
info breakpoints
continue
`);
    expect(out).toMatch(/Hardware read watchpoint 2: \*\(char \*\)&counter\n\nValue = 0 '\\000'/);
    expect(out).toMatch(/Hardware access \(read\/write\) watchpoint 3: \*\(short \*\)&counter\n\nOld value = 0\nNew value = 3/);
    expect(out).toMatch(/Hardware access \(read\/write\) watchpoint 3: \*\(short \*\)&counter\n\nValue = 3/);
    expect(out).toMatch(/hw watchpoint +keep y +\*\(long long \*\)&counter \(8 bytes at 0x[0-9a-f]+\)/);
    expect(out).toMatch(/Hardware watchpoint 4: \*\(long long \*\)&counter\n\nOld value = 3\nNew value = 9/);
  });

  it('manages breakpoints: tbreak, disable, enable, conditions, until, advance', async () => {
    const out = await session(`
break add if *(int *)($ebp + 8) == 3
tbreak _start
info breakpoints
disable 1
run
info breakpoints
enable 1
continue
p *(int *)($ebp + 8)
condition 1
info breakpoints
delete 1
break _start
run
advance add
until
until *0x0
`);
    expect(out).toMatch(/1       breakpoint      keep y   0x[0-9a-f]{8} <add\+6> \(add\)\n\tstop only if \*\(int \*\)\(\$ebp \+ 8\) == 3/);
    expect(out).toMatch(/2       breakpoint      del  y   0x[0-9a-f]{8} <_start\+\d+> \(_start\)/);
    expect(out).toMatch(/Temporary breakpoint 2, _start \(\)/);
    expect(out).toMatch(/1       breakpoint      keep n/);
    expect(out).toMatch(/Breakpoint 1, add \(a=\d+, b=\d+\)[^]*\$1 = 3\n/);
    expect(out).toMatch(/Breakpoint 1 now unconditional\./);
    expect(out).toMatch(/breakpoint already hit 1 time/);
    expect(out).toMatch(/Breakpoint 3, _start \(\)/);
    expect(out).toMatch(/add \(a=\d+, b=\d+\) at [^\n]*prog\.c:4\n[^]*\n5\t  counter \+= s;\n/);
  });

  it('never crashes on bad input', async () => {
    const out = await session(`
p $eax
x/4x 0
frobnicate
p 1 +
p (int
break nowhere
info registers
run
p 1/0
x/4q $esp
x/4x 0xdead0000
set $nosuch = 5
p $nosuch
info bogus
disassemble 0xffffffff
watch 5
delete 99
`);
    expect(out).toMatch(/No registers\./);
    expect(out).toMatch(/Undefined command: "frobnicate"/);
    expect(out).toMatch(/Function "nowhere" not defined\./);
    // gdb: info registers without a process.
    expect(out).toMatch(/The program has no registers now\./);
    expect(out).toMatch(/Division by zero/);
    expect(out).toMatch(/Cannot access memory at address 0xdead0000/);
    expect(out).toMatch(/Undefined output format "q"/);
  });
});
