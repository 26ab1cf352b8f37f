// The address-space picture (`i386emu layout`, the debugger's `layout`): from 0xFFFFFFFF down to
// 0, kernel space above TASK_SIZE, then every VMA as a box labelled with its addresses, name,
// role (text, data, BSS, heap, a library's pieces, the vDSO, the stack) and size, and the
// unmapped gaps between them with their sizes. As text, or as SVG where every box has the same
// height whatever its size (a 4 GiB space drawn to scale would show the stack as a hairline).
import { vmaDisplayName } from '../../kernel/fs/procfs.js';
import type { Mm } from '../../kernel/mm/mmStruct.js';
import { vmaPermString } from '../../kernel/mm/vma.js';

export interface LayoutArea {
  start: number;
  end: number;
  perms: string;
  /** The maps name ('' for an unnamed anonymous area). */
  name: string;
}

export interface LayoutInput {
  taskSize: number;
  areas: LayoutArea[];
  /** mm->start_data and mm->start_brk: an unnamed area between them is the BSS. */
  startData: number;
  startBrk: number;
  /** The program's own file (its areas are text, rodata, data). */
  exe: string | null;
}

/** The picture's input from an address space; the program is the file mapped at start_code. */
export function layoutOfMm(mm: Mm): LayoutInput {
  const exe = mm.vmas.find((v) => v.start <= mm.startCode && mm.startCode < v.end)?.file?.path ?? null;
  return {
    taskSize: mm.taskSize,
    areas: mm.vmas.map((v) => ({ start: v.start, end: v.end, perms: vmaPermString(v.flags), name: vmaDisplayName(mm, v) ?? '' })),
    startData: mm.startData,
    startBrk: mm.startBrk,
    exe,
  };
}

/** 4096 → "4 KiB", 0x100000 → "1 MiB", 0x1234000 → "18.2 MiB". */
export function formatSize(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  const text = Number.isInteger(v) ? String(v) : v.toFixed(1);
  return `${text} ${units[u]}`;
}

const hex8 = (n: number) => '0x' + (n >>> 0).toString(16).padStart(8, '0');

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** What an area is, in the seeds' words. */
function role(a: LayoutArea, input: LayoutInput): string {
  if (a.name.startsWith('[')) return a.name.slice(1, -1);
  const isFile = a.name.startsWith('/');
  const piece = a.perms.includes('x') ? 'text' : a.perms[1] === 'w' ? 'data' : 'read-only';
  if (isFile) return piece;
  if (a.name === '' && a.start >= input.startData && a.end <= input.startBrk && input.startBrk !== 0) return 'bss';
  return 'anonymous';
}

interface Row {
  kind: 'kernel' | 'area' | 'gap';
  top: number;
  /** Exclusive end above; bottom is the lowest address. */
  bottom: number;
  label: string;
  size: string;
  /** Set on the first (highest) area of a region: stack, mmap area, heap, program. */
  region: string;
}

function regionOf(a: LayoutArea, input: LayoutInput): string {
  if (a.name === '[stack]') return 'stack';
  if (a.name === '[heap]') return 'heap';
  if (a.name === input.exe || (input.startBrk !== 0 && a.end <= input.startBrk)) return 'program (text, data, bss)';
  return 'mmap area (libraries, anonymous maps, vDSO)';
}

/** The rows from the top of the 4 GiB space down. */
function rows(input: LayoutInput): Row[] {
  const out: Row[] = [];
  const top = 0x1_0000_0000;
  if (input.taskSize < top) out.push({ kind: 'kernel', top, bottom: input.taskSize, label: 'kernel space (above TASK_SIZE)', size: formatSize(top - input.taskSize), region: '' });
  let lastRegion = '';
  let cursor = input.taskSize;
  const areas = [...input.areas].sort((a, b) => b.start - a.start);
  for (const a of areas) {
    if (a.end < cursor) out.push({ kind: 'gap', top: cursor, bottom: a.end, label: 'unmapped', size: formatSize(cursor - a.end), region: '' });
    const region = regionOf(a, input);
    const r = role(a, input);
    const name = a.name === '' ? '' : a.name.startsWith('[') ? a.name : baseName(a.name);
    const label = [name, a.perms, name === `[${r}]` || r === name ? '' : r].filter((s) => s !== '').join('  ');
    out.push({ kind: 'area', top: a.end, bottom: a.start, label, size: formatSize(a.end - a.start), region: region === lastRegion ? '' : region });
    lastRegion = region;
    cursor = a.start;
  }
  if (cursor > 0) out.push({ kind: 'gap', top: cursor, bottom: 0, label: 'unmapped', size: formatSize(cursor), region: '' });
  return out;
}

/** The picture as text: one box per area, dotted sides for a gap, addresses on the borders. */
export function layoutText(input: LayoutInput): string {
  const rs = rows(input);
  const inner = Math.max(40, ...rs.map((r) => r.label.length + r.size.length + 4));
  const border = '+' + '-'.repeat(inner) + '+';
  const out: string[] = [];
  let lastBorder = -1;
  for (const r of rs) {
    const topAddr = r.top === 0x1_0000_0000 ? 0xffffffff : r.top;
    if (lastBorder !== r.top) out.push(`${hex8(topAddr)} ${border}`);
    const fill = inner - 2 - r.label.length - r.size.length;
    const body = ` ${r.label}${' '.repeat(fill)}${r.size} `;
    const note = r.region === '' ? '' : ` <- ${r.region}`;
    out.push(r.kind === 'gap' ? `           :${body}:` : `           |${body}|${note}`);
    out.push(`${hex8(r.bottom)} ${border}`);
    lastBorder = r.bottom;
  }
  return out.join('\n') + '\n';
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const FILL: Record<Row['kind'], string> = { kernel: '#d0d0d0', area: '#cfe3ff', gap: '#ffffff' };

/**
 * The picture as SVG. Heights are fixed (areas 30 px, gaps 20 px): not to scale, on purpose —
 * the sizes are in the labels.
 */
export function layoutSvg(input: LayoutInput): string {
  const rs = rows(input);
  const x = 110;
  const w = 420;
  const regionWidth = 370;
  let y = 20;
  const parts: string[] = [];
  const addr = (yy: number, a: number) => parts.push(`<text x="${x - 6}" y="${yy + 4}" text-anchor="end" class="addr">${hex8(a)}</text>`);
  addr(y, 0xffffffff);
  for (const r of rs) {
    const h = r.kind === 'gap' ? 20 : 30;
    const dash = r.kind === 'gap' ? ' stroke-dasharray="4 3"' : '';
    const colour = r.kind === 'area' && r.label.startsWith('[') ? '#ffe2b8' : FILL[r.kind];
    parts.push(`<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="${colour}" stroke="#333"${dash}/>`);
    parts.push(`<text x="${x + 8}" y="${y + h / 2 + 4}">${xmlEscape(r.label)}</text>`);
    parts.push(`<text x="${x + w - 8}" y="${y + h / 2 + 4}" text-anchor="end">${xmlEscape(r.size)}</text>`);
    if (r.region !== '') parts.push(`<text x="${x + w + 10}" y="${y + h / 2 + 4}" class="region">${xmlEscape(r.region)}</text>`);
    y += h;
    addr(y, r.bottom);
  }
  const height = y + 20;
  const width = x + w + regionWidth;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">\n`
    + '<!-- Not to scale: every area is the same height, every gap a smaller one; sizes are in the labels. -->\n'
    + '<style>text { font-family: monospace; font-size: 12px; } .addr { fill: #555; } .region { fill: #036; font-style: italic; }</style>\n'
    + `<rect width="100%" height="100%" fill="white"/>\n${parts.join('\n')}\n</svg>\n`;
}
