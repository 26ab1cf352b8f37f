// record / reverse-stepi with a bounded log: after wrapping around the ring, stepping back
// stops at the oldest kept instruction with registers and memory exactly as they were when
// that instruction was reached going forwards.
import { describe, expect, it, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { Session } from '../../src/debug/session.js';
import { runScript } from '../../src/debug/repl.js';
import { buildFreestanding, haveGcc32, loadBare } from './bareMachine.js';

const SOURCE = `
int counter;
int buf[64];
void bump(int i) { counter += i; buf[i & 63] = counter; }
void _start(void) { for (int i = 0; i < 1000; i++) bump(i); asm volatile("int $0x80" :: "a"(1), "b"(0)); }
`;

describe.skipIf(!haveGcc32())('record and reverse', () => {
  let prog = '';
  beforeAll(() => { prog = buildFreestanding(SOURCE, 'rec'); });

  async function run(script: string): Promise<string> {
    let out = '';
    const s = new Session({ out: (t) => { out += t; }, createTarget: () => loadBare(prog), image: readFileSync(prog), programPath: prog, args: [] });
    await runScript(s, script);
    return out;
  }

  const state = (out: string) => {
    const i = out.lastIndexOf('eax ');
    return out.slice(i);
  };

  it('goes back exactly to the oldest kept instruction', async () => {
    const back = await run(`
starti
set record full insn-number-max 50
record
stepi 200
reverse-stepi 100
info record
info registers
x/8dw &buf
p counter
p *(int *)&counter
`);
    expect(back).toMatch(/No more reverse-execution history\./);
    expect(back).toMatch(/Log contains 0 instructions \(150 older ones dropped\)/);
    const fwd = await run(`
starti
stepi 150
info registers
x/8dw &buf
p counter
p *(int *)&counter
`);
    expect(state(back)).toBe(state(fwd));
    expect(back).toMatch(/\$\d+ = [1-9]\d*\n$/); // counter is non-zero by then
  });
});
