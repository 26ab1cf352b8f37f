// The comparison behind `i386emu compare`: two runs' /proc/PID/maps at exit and stdout, lined
// up VMA by VMA (by start address) and line by line, with the differences marked.
//
// A run's record is its stdout followed by its maps lines (the format of the layout reference,
// test/fixtures/layout-reference/expected). A program that prints its own maps last, as the
// seeds' layout experiment does, makes the same file with the maps already at its end, so a
// trailing block of maps lines is taken to be the maps and the rest to be stdout.

export interface MapsEntry {
  start: number;
  end: number;
  perms: string;
  offset: string;
  /** The path or [name], the binary's folder written BINDIR/; device and inode dropped. */
  name: string;
}

export interface RunRecord {
  stdout: string[];
  maps: MapsEntry[];
}

const MAPS_LINE = /^([0-9a-f]+)-([0-9a-f]+) ([-rwxps]{4}) ([0-9a-f]+) [0-9a-f]+:[0-9a-f]+ \d+ *(.*)$/;

function parseMapsLine(line: string): MapsEntry | null {
  const m = MAPS_LINE.exec(line);
  if (m === null) return null;
  return { start: parseInt(m[1], 16), end: parseInt(m[2], 16), perms: m[3], offset: m[4], name: m[5] };
}

/** The lines of text (without the final empty one after a trailing newline). */
function lines(text: string): string[] {
  const l = text.split('\n');
  if (l.length > 0 && l[l.length - 1] === '') l.pop();
  return l;
}

/** Splits stdout-then-maps text: the trailing run of maps lines is the maps. */
export function splitRecord(text: string): RunRecord {
  const all = lines(text);
  let k = all.length;
  while (k > 0 && parseMapsLine(all[k - 1]) !== null) k--;
  return { stdout: all.slice(0, k), maps: all.slice(k).map((l) => parseMapsLine(l)!) };
}

/** Parses maps lines alone (ignoring anything that is not one). */
export function parseMaps(text: string): MapsEntry[] {
  return lines(text).map(parseMapsLine).filter((e): e is MapsEntry => e !== null);
}

/**
 * Writes the binary's folder as BINDIR/ (the reference's convention): the folder of the first
 * file mapping named like the program (basename given).
 */
export function normaliseBinDir(maps: MapsEntry[], programBase: string): MapsEntry[] {
  const exe = maps.find((e) => e.name.startsWith('/') && e.name.endsWith('/' + programBase));
  if (exe === undefined) return maps;
  const dir = exe.name.slice(0, exe.name.length - programBase.length);
  return maps.map((e) => (e.name.startsWith(dir) && !e.name.slice(dir.length).includes('/')
    ? { ...e, name: 'BINDIR/' + e.name.slice(dir.length) } : e));
}

const hex8 = (n: number) => n.toString(16).padStart(8, '0');

function cell(e: MapsEntry | undefined): string {
  return e === undefined ? '(none)' : `${hex8(e.start)}-${hex8(e.end)} ${e.perms} ${e.offset} ${e.name}`.trimEnd();
}

function sameEntry(a: MapsEntry | undefined, b: MapsEntry | undefined): boolean {
  return a !== undefined && b !== undefined && a.start === b.start && a.end === b.end && a.perms === b.perms
    && a.offset === b.offset && a.name === b.name;
}

export interface Comparison {
  text: string;
  identical: boolean;
}

/** The table, the differing stdout lines and the summary line. */
export function compareRecords(ours: RunRecord, theirs: RunRecord, theirLabel: string): Comparison {
  const starts = [...new Set([...ours.maps.map((e) => e.start), ...theirs.maps.map((e) => e.start)])].sort((a, b) => a - b);
  const rows = starts.map((s) => {
    const a = ours.maps.find((e) => e.start === s);
    const b = theirs.maps.find((e) => e.start === s);
    return { same: sameEntry(a, b), left: cell(a), right: cell(b) };
  });
  const width = Math.max('i386emu'.length, ...rows.map((r) => r.left.length));
  const out: string[] = [];
  out.push(`     ${'i386emu'.padEnd(width)} | ${theirLabel}`);
  for (const r of rows) out.push(`${r.same ? 'same' : 'DIFF'} ${r.left.padEnd(width)} | ${r.right}`);
  const sameRows = rows.filter((r) => r.same).length;

  const n = Math.max(ours.stdout.length, theirs.stdout.length);
  let stdoutDiffs = 0;
  for (let i = 0; i < n; i++) {
    const a = ours.stdout[i];
    const b = theirs.stdout[i];
    if (a === b) continue;
    if (stdoutDiffs++ === 0) out.push('stdout lines that differ:');
    const w = Math.max('i386emu'.length, theirLabel.length);
    const at = `  line ${i + 1}: `;
    out.push(`${at}${'i386emu'.padStart(w)}: ${a ?? '(none)'}`);
    out.push(`${' '.repeat(at.length)}${theirLabel.padStart(w)}: ${b ?? '(none)'}`);
  }
  const stdoutSummary = stdoutDiffs === 0 ? 'stdout identical' : `stdout differs in ${stdoutDiffs} line${stdoutDiffs > 1 ? 's' : ''}`;
  out.push(`${sameRows} of ${rows.length} mappings identical, ${stdoutSummary}`);
  return { text: out.join('\n') + '\n', identical: sameRows === rows.length && stdoutDiffs === 0 };
}
