// `info scope`: the variables of the block at a location and where each lives, in gdb's
// words (registers, the constant, a location list's ranges, DWARF expressions disassembled
// with DW_OP_convert's type), compared with gdb on the same file at -O0 and -O2, DWARF 5 and 4.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { replSession } from './guestBuild.js';

const prog = (n: string) => join(__dirname, '../../guest-programs/build', n);
const haveGdb = spawnSync('gdb', ['--version']).status === 0;
const SCOPES = ['main', 'square', 'sum', 'area', 'factorial', 'dwarf_demo.c:58', 'dwarf_demo.c:70'].map((l) => `info scope ${l}`);

describe.skipIf(!haveGdb || !existsSync(prog('dwarf_demo-g')))('info scope compared with gdb', () => {
  for (const name of ['dwarf_demo-g', 'dwarf_demo-g-O2', 'dwarf_demo-g4-O2']) {
    it(name, async () => {
      const gdb = spawnSync('gdb', ['-batch', '-nx', ...SCOPES.flatMap((c) => ['-ex', c]), prog(name)], { encoding: 'utf8' });
      expect(gdb.stdout).toContain('Symbol total is ');
      const ours = (await replSession(prog(name), SCOPES.join('\n') + '\n')).out;
      expect(ours).toBe(gdb.stdout);
    }, 60_000);
  }
});
