// Checks the hand-written encodings in insn-cases.ts against GNU as: every spec's assembly
// (with a sample immediate) must assemble to exactly its hex bytes, so a typo in a ModRM byte
// cannot silently turn a test of one instruction into a test of another. Skipped where
// binutils' `as` is missing (it comes with gcc, which the guest programs need anyway).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SPECS, asmOf, codeOf, sampleImm } from './insn-cases.js';

const hex = (b: number[]): string => b.map((x) => x.toString(16).padStart(2, '0')).join('');
const haveAs = spawnSync('as', ['--version'], { encoding: 'utf8' }).status === 0;

describe.skipIf(!haveAs)('instruction encodings (checked with GNU as)', () => {
  it('every spec has a unique assembly string', () => {
    const seen = new Set<string>();
    const dups = SPECS.map((s) => s.asm).filter((a) => (seen.has(a) ? true : (seen.add(a), false)));
    expect(dups).toEqual([]);
  });

  it('every spec assembles to its hex', () => {
    const dir = mkdtempSync(join(tmpdir(), 'insn-enc-'));
    try {
      const lines = ['.intel_syntax noprefix'];
      SPECS.forEach((s, i) => {
        lines.push(`.section .t${i},"ax"`, asmOf(s, sampleImm(s.imm)));
      });
      writeFileSync(join(dir, 'a.s'), lines.join('\n') + '\n');
      const as = spawnSync('as', ['--32', '-o', join(dir, 'a.o'), join(dir, 'a.s')], { encoding: 'utf8' });
      expect(as.stderr, 'as reported errors').toBe('');
      const dump = spawnSync('objdump', ['-s', join(dir, 'a.o')], { encoding: 'utf8', maxBuffer: 1 << 26 });
      expect(dump.status).toBe(0);
      // "Contents of section .tN:" followed by " 0000 0fa4d005 ...  ascii" lines
      const got = new Map<number, string>();
      let cur = -1;
      for (const line of dump.stdout.split('\n')) {
        const m = /^Contents of section \.t(\d+):/.exec(line);
        if (m) {
          cur = Number(m[1]);
          got.set(cur, '');
          continue;
        }
        const d = /^ [0-9a-f]{4,} ((?:[0-9a-f]{2,8} ?){1,4})/.exec(line);
        if (d && cur >= 0) got.set(cur, got.get(cur)! + d[1].replace(/ /g, ''));
      }
      const bad: string[] = [];
      SPECS.forEach((s, i) => {
        const want = hex(codeOf(s, sampleImm(s.imm)));
        const have = got.get(i) ?? '(nothing)';
        if (want !== have) bad.push(`${asmOf(s, sampleImm(s.imm))}: spec ${want}, as ${have}`);
      });
      expect(bad).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
