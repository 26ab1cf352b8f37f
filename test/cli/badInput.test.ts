// Bad input gets one clear line on stderr and exit status 2 — never a JavaScript stack trace —
// from `run`, `debug` and `run --gdb` alike.
import { spawnSync } from 'node:child_process';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/tempDir.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dir = makeTempDir('i386emu-bad-');
const hello = readFileSync(join(ROOT, 'guest-programs/build/hello'));

function elfHeader(cls: number, machine: number): Buffer {
  const h = Buffer.alloc(52);
  h.set([0x7f, 0x45, 0x4c, 0x46, cls, 1, 1], 0);
  h.writeUInt16LE(2, 16); // ET_EXEC
  h.writeUInt16LE(machine, 18);
  h.writeUInt32LE(1, 20);
  return h;
}

const CASES: Array<[string, Buffer | null, RegExp]> = [
  ['text file', Buffer.from('hello\n'), /not an ELF file/],
  ['64-bit ELF', elfHeader(2, 62), /64-bit ELF/],
  ['ARM ELF', elfHeader(1, 40), /not an i386 ELF \(machine ARM\)/],
  ['truncated header', hello.subarray(0, 30), /truncated/],
  ['missing file', null, /no such file/],
];

const COMMANDS: string[][] = [['run'], ['debug', '--batch'], ['run', '--gdb', '0']];

describe('bad input', { timeout: 60_000 }, () => {
  for (const [what, bytes, message] of CASES) {
    for (const cmd of COMMANDS) {
      it(`${cmd.join(' ')}: ${what}`, () => {
        const path = join(dir, what.replace(/\W+/g, '_'));
        if (bytes) writeFileSync(path, bytes);
        const r = spawnSync(process.execPath, ['dist/i386emu.mjs', ...cmd, path], { cwd: ROOT, encoding: 'utf8', timeout: 20_000, input: '' });
        expect(r.status).toBe(2);
        const lines = r.stderr.trim().split('\n');
        expect(lines[0]).toMatch(/^i386emu: /);
        expect(lines[0]).toMatch(message);
        expect(r.stderr).not.toMatch(/\n\s+at /);
      });
    }
  }
});
