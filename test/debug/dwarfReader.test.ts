// The DWARF reader against Debian binutils on dwarf_demo built with -g: every line-table row
// objdump --dwarf=decodedline prints, the CFA rule of every row readelf
// --debug-dump=frames-interp prints (.eh_frame, with and without frame pointers), and every
// location-list entry of the -O2 build's variables as readelf --debug-dump=loc lists them.
import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import elfy from 'elfy';
import { dwarfSections } from '../../src/debug/dwarf/sections.js';
import { DebugInfo } from '../../src/debug/dwarf/debugInfo.js';
import { parseFrames, rowAt } from '../../src/debug/dwarf/cfi.js';
import { locationList } from '../../src/debug/dwarf/locations.js';
import { DW_AT, DW_TAG } from '../../src/debug/dwarf/constants.js';
import { parseDebugLine } from '../../src/debug/dwarfLine.js';
import { guestReference } from '../helpers/nativeI386.js';
import { runCli, ROOT } from '../cli/cliProcess.js';

const build = join(__dirname, '../../guest-programs/build');
const haveTools = spawnSync('readelf', ['--version']).status === 0 && spawnSync('objdump', ['--version']).status === 0;
const have = (n: string) => existsSync(join(build, n));

function load(name: string) {
  const e = elfy.parse(readFileSync(join(build, name)));
  return dwarfSections(e.body.sections);
}

const REGS = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi', 'eip'];

describe.skipIf(!haveTools || !have('dwarf_demo-g') || !have('dwarf_demo-g-O2'))('DWARF reader vs binutils', () => {
  for (const name of ['dwarf_demo-g', 'dwarf_demo-g-O2', 'dwarf_demo-g4']) {
    it(`${name}: line table rows equal objdump --dwarf=decodedline`, () => {
      const secs = load(name);
      const ours = parseDebugLine(secs.line!, secs.lineStr, secs.str).rows.filter((r) => !r.end).map((r) => `${r.addr.toString(16)} ${r.line} ${r.isStmt ? 'x' : ''}`);
      const text = execFileSync('objdump', ['--dwarf=decodedline', join(build, name)], { encoding: 'utf8' });
      const theirs: string[] = [];
      for (const l of text.split('\n')) {
        const m = /^\S+\s+(\d+)\s+0x([0-9a-f]+)(?:\s+\d+)?(\s+x)?\s*$/.exec(l);
        if (m) theirs.push(`${m[2]} ${m[1]} ${m[3] ? 'x' : ''}`);
      }
      expect(theirs.length).toBeGreaterThan(40);
      // Sequences (main in .text.startup at -O2) come in address order in our table.
      const byAddr = (a: string, b: string) => parseInt(a, 16) - parseInt(b, 16);
      expect(ours).toEqual([...theirs].sort(byAddr));
    });
  }

  for (const name of ['dwarf_demo-g', 'dwarf_demo-g-O2']) {
    it(`${name}: the CFA rule of every .eh_frame row equals readelf --debug-dump=frames-interp`, () => {
      const secs = load(name);
      const fdes = parseFrames(secs.ehFrame!, true, secs.ehFrameAddr);
      const text = execFileSync('readelf', ['--debug-dump=frames-interp', join(build, name)], { encoding: 'utf8' });
      let checked = 0;
      let fde: ReturnType<typeof parseFrames>[number] | undefined;
      for (const l of text.split('\n')) {
        const h = /FDE cie=\S+ pc=([0-9a-f]+)\.\.([0-9a-f]+)/.exec(l);
        if (h) {
          fde = fdes.find((f) => f.start === parseInt(h[1], 16));
          expect(fde, `FDE at ${h[1]}`).toBeDefined();
          expect(fde!.end).toBe(parseInt(h[2], 16));
          continue;
        }
        if (/ CIE/.test(l) || / ZERO terminator/.test(l)) { fde = undefined; continue; }
        const row = /^([0-9a-f]{8}) ([a-z]+[+-]\d+|exp)\s/.exec(l);
        if (!row || !fde) continue;
        const r = rowAt(fde, parseInt(row[1], 16));
        const cfa = r.cfa.kind === 'regOffset' ? `${REGS[r.cfa.reg]}${r.cfa.offset < 0 ? '' : '+'}${r.cfa.offset}` : 'exp';
        expect(cfa, `CFA at ${row[1]}`).toBe(row[2]);
        const ra = r.regs.get(8);
        if (ra?.kind === 'offset') expect(l).toMatch(new RegExp(`c${ra.offset}\\s*$`));
        checked++;
      }
      expect(checked).toBeGreaterThan(1000);
    });
  }

  it('dwarf_demo-g-O2: every location-list entry of every variable is one readelf --debug-dump=loc lists', () => {
    const secs = load('dwarf_demo-g-O2');
    const di = new DebugInfo(secs);
    const text = execFileSync('readelf', ['--debug-dump=loc', join(build, 'dwarf_demo-g-O2')], { encoding: 'utf8' });
    const listed = new Set<string>();
    for (const l of text.split('\n')) {
      const m = /^\s+([0-9a-f]{8}) ([0-9a-f]{8}) \((.*)\)\s*$/.exec(l);
      if (m) listed.add(`${m[1]} ${m[2]}`);
    }
    let n = 0;
    for (const d of di.dies.values()) {
      if (d.tag !== DW_TAG.variable && d.tag !== DW_TAG.formal_parameter) continue;
      if (typeof d.get(DW_AT.location) !== 'number') continue;
      for (const e of locationList(d, DW_AT.location, secs)) {
        expect(listed.has(`${e.start.toString(16).padStart(8, '0')} ${e.end.toString(16).padStart(8, '0')}`), `${di.nameOf(d)} ${e.start.toString(16)}`).toBe(true);
        n++;
      }
    }
    expect(n).toBeGreaterThan(10);
  });
});

const REF = guestReference();
describe.skipIf(typeof REF === 'string' || !have('dwarf_demo-g'))('the -g guests themselves', () => {
  it('print under the emulator what they print under the reference (every flavour)', () => {
    const ref = REF as Exclude<typeof REF, string>;
    for (const name of ['dwarf_demo-g', 'dwarf_demo-g-O2', 'dwarf_demo-g4', 'dwarf_demo-g4-O2', 'dwarf_demo-g-spie', 'dwarf_demo-g-pie', 'dwarf_types-g', 'dwarf_types-g-O2']) {
      const prog = `guest-programs/build/${name}`;
      if (!existsSync(join(ROOT, prog))) continue;
      const [cmd, args] = ref.argv(prog, []);
      const want = spawnSync(cmd, args, { cwd: ROOT, env: ref.env({ PATH: '/usr/bin:/bin', LC_ALL: 'C' }), encoding: 'utf8' });
      const got = runCli(['run', prog]);
      expect(got.stdout, name).toBe(want.stdout);
      expect(got.status, name).toBe(want.status);
    }
  }, 120_000);
});
