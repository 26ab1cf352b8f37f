// Thread-local variables (__thread): `p` finds each thread's copy through GS's base and the
// program's PT_TLS block, compared with gdb driving the gdb stub (which answers gdb's
// qGetTLSAddr the same way) and with the addresses the program prints itself, static, -O2,
// PIE and static-PIE, in the main thread and in a second thread.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { replSession } from './guestBuild.js';
import { gdbBatch, printedValues } from './gdbBatch.js';

const prog = (n: string) => join(__dirname, '../../guest-programs/build', n);
const haveGdb = spawnSync('gdb', ['--version']).status === 0;
const CMDS = ['break report', 'continue', 'p tls_counter', 'p &tls_counter', 'p tls_table', 'p tls_table[1]', 'p tls_pair', 'p tls_pair.b * 2',
  'p global_plain', 'continue', 'p tls_counter', 'p &tls_counter', 'p tls_pair', 'continue', 'p tls_counter'];

describe.skipIf(!existsSync(prog('dwarf_tls-g')))('thread-local variables', () => {
  for (const name of ['dwarf_tls-g', 'dwarf_tls-g-O2', 'dwarf_tls-g-pie', 'dwarf_tls-g-spie']) {
    it(`${name}: each thread's copy, as the program sees it${haveGdb ? ' and as gdb prints it' : ''}`, async () => {
      const { out, guest } = await replSession(prog(name), CMDS.map((c, i) => (i === 1 ? 'run' : c)).join('\n') + '\ncontinue\n');
      const ours = printedValues(out);
      expect(ours.slice(0, 3)).toEqual(['$1 = 6', expect.stringMatching(/^\$2 = \(int \*\) 0x[0-9a-f]+$/), '$3 = {7, 8, 90}']);
      // The program's own view: the address of its counter in each thread.
      const seen = [...guest.matchAll(/counter=(\d+) at (0x[0-9a-f]+)/g)].map((m) => [m[1], m[2]]);
      expect(seen.map((x) => x[0])).toEqual(['6', '101', '6']);
      expect(ours[1]).toBe(`$2 = (int *) ${seen[0][1]}`);
      expect(ours.slice(7)).toEqual(['$8 = 101', `$9 = (int *) ${seen[1][1]}`, '$10 = {a = 1, b = 42}', '$11 = 6']);
      if (haveGdb) expect(ours).toEqual(printedValues(await gdbBatch(prog(name), CMDS)));
    }, 120_000);
  }
});
