// Whatever is typed, the REPL prints a message and goes on: random and hostile command lines
// before and during a run, then a normal command still works. Also tab completion.
import { describe, expect, it, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { Session } from '../../src/debug/session.js';
import { runCommand, complete, COMMANDS } from '../../src/debug/commands.js';
import { buildFreestanding, haveGcc32, loadBare } from './bareMachine.js';

const SOURCE = `
int counter;
void bump(void) { counter++; }
void _start(void) { for (int i = 0; i < 100; i++) bump(); asm volatile("int $0x80" :: "a"(1), "b"(0)); }
`;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
}

describe.skipIf(!haveGcc32())('REPL robustness', () => {
  let prog = '';
  beforeAll(() => { prog = buildFreestanding(SOURCE, 'bump'); });

  function session(): { s: Session; out: () => string } {
    let text = '';
    const s = new Session({ out: (t) => { text += t; }, createTarget: () => loadBare(prog), image: readFileSync(prog), programPath: prog, args: [] });
    return { s, out: () => text };
  }

  it('survives random input', async () => {
    const { s, out } = session();
    const r = rng(12345);
    const words = [...COMMANDS.flatMap((c) => c.names), '$eax', '*', '(', ')', '0x', '-1', 'bump', 'counter', '/x', '/4s', 'if', '==', '{int}', '"', "'", '\\', '%', ',', '+9', 'all', 'stop', 'mappings'];
    for (let k = 0; k < 600; k++) {
      if (k === 300) await runCommand(s, 'starti');
      const n = 1 + Math.floor(r() * 5);
      const parts: string[] = [];
      for (let i = 0; i < n; i++) {
        parts.push(r() < 0.7 ? words[Math.floor(r() * words.length)] : String.fromCharCode(...Array.from({ length: 1 + Math.floor(r() * 6) }, () => 32 + Math.floor(r() * 95))));
      }
      const line = parts.join(r() < 0.5 ? ' ' : '');
      if (/^(q|quit|exit)\b/.test(line)) continue;
      await expect(runCommand(s, line)).resolves.toBeUndefined();
      s.quitRequested = false;
    }
    const before = out().length;
    await runCommand(s, 'run');
    await runCommand(s, 'p 1 + 2');
    expect(out().slice(before)).toMatch(/\$\d+ = 3/);
  }, 60_000);

  it('completes commands, info subcommands, symbols and registers', () => {
    const { s } = session();
    expect(complete(s, 'disas')).toEqual(['disas', 'disassemble']);
    expect(complete(s, 'info tl')).toEqual(['tlb']);
    expect(complete(s, 'break bu')).toEqual(['bump']);
    expect(complete(s, 'p $ea')).toEqual(['$eax']);
    expect(complete(s, 'x/4x &cou')).toEqual(['&counter']);
  });

  it('explains every command in help', async () => {
    const { s, out } = session();
    await runCommand(s, 'help');
    for (const c of COMMANDS) expect(out()).toContain(c.names[0]);
    await runCommand(s, 'help pagewalk');
    expect(out()).toMatch(/PDE index and entry/);
  });
});
