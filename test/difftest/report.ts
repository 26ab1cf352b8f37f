// Text output of the differential tester: the summary line, per-group mismatch counts,
// coverage, and each mismatch as a reproducer (bytes, disassembly, initial state, both results,
// the differing fields marked).
import { disassemble, isDisassemblerLoaded, loadDisassembler } from '../../src/debug/disassembler.js';
import { type Mismatch, type Summary, caseLine, sigText } from './difftest.js';
import { TABLE } from './opcodes.js';
import { type Outcome, CODE_ADDR, REG_NAMES, flagNames, hex } from './layout.js';

export async function ensureDisassembler(): Promise<boolean> {
  try {
    await loadDisassembler();
    return true;
  } catch {
    return false;
  }
}

const h8 = (v: number) => (v >>> 0).toString(16).padStart(8, '0');

/** Disassembles the bytes of a window, one line per instruction. */
export function disasmLines(code: Uint8Array, start: number, end = code.length): string[] {
  const out: string[] = [];
  let p = start;
  while (p < end) {
    let text = '(undecodable)';
    let size = 1;
    if (isDisassemblerLoaded()) {
      try {
        const d = disassemble(code.subarray(p, Math.min(end, p + 15)), CODE_ADDR + p, 1);
        if (d.length > 0) { text = d[0].text; size = d[0].size; }
      } catch { /* undecodable: one byte */ }
    } else {
      size = end - p;
      text = '(capstone not loaded)';
    }
    out.push(`    ${h8(CODE_ADDR + p)}  ${hex(code.subarray(p, p + size)).padEnd(30)} ${text}`);
    p += size;
  }
  return out;
}

function stateLines(o: Outcome, diffFields: Set<string>, mark: boolean): string {
  const regs = REG_NAMES.map((n, r) => {
    const s = `${n}=${h8(o.regs[r])}`;
    return mark && diffFields.has(n) ? `*${s}*` : s;
  }).join(' ');
  return `${regs} eip=${h8(o.eip)} eflags=${h8(o.eflags)} (${flagNames(o.eflags)})`;
}

/** The x87 part of an FXSAVE image: control/status/tag words and the stack (ST order). */
export function x87Lines(fx: Uint8Array, head: string): string[] {
  const dv = new DataView(fx.buffer, fx.byteOffset, fx.byteLength);
  const sw = dv.getUint16(2, true), top = (sw >> 11) & 7, ftw = fx[4];
  const out = [`${head}fcw=${dv.getUint16(0, true).toString(16)} fsw=${sw.toString(16)} (top ${top}) ftw=${ftw.toString(16)} mxcsr=${dv.getUint32(24, true).toString(16)}`];
  const regs: string[] = [];
  for (let i = 0; i < 8; i++) {
    const se = dv.getUint16(40 + 16 * i, true), hi = dv.getUint32(36 + 16 * i, true), lo = dv.getUint32(32 + 16 * i, true);
    const empty = !((ftw >> ((top + i) & 7)) & 1);
    regs.push(`st${i}=${se.toString(16).padStart(4, '0')}:${h8(hi)}${h8(lo)}${empty ? '(empty)' : ''}`);
  }
  out.push(' '.repeat(head.length) + regs.slice(0, 4).join(' '));
  out.push(' '.repeat(head.length) + regs.slice(4).join(' '));
  return out;
}

export function formatMismatch(m: Mismatch, index: number): string {
  const c = m.repro;
  const lines: string[] = [];
  lines.push(`#${index + 1} [${m.group}] ${m.name}   (case seed ${m.caseSeed}${m.shrunk ? '' : ', NOT shrunk: the whole sequence'})`);
  lines.push('  code:');
  lines.push(...disasmLines(c.code, c.start));
  lines.push(`  initial: ${REG_NAMES.map((n, r) => `${n}=${h8(c.regs[r])}`).join(' ')}`);
  lines.push(`           eflags=${h8(c.eflags)} (${flagNames(c.eflags)}); scratch 0x10000000-0x10003fff = pattern${c.patches.length ? ` + ${c.patches.reduce((a, p) => a + p.bytes.length, 0)} patched bytes` : ''}`);
  if (c.fx) lines.push(...x87Lines(c.fx, '  initial x87: '));
  if (m.undef) lines.push(`  undefined flags masked: ${flagNames(m.undef)}`);
  const fields = new Set(m.diffs.map((d) => d.field));
  lines.push(`  native:   ${sigText(m.native)}; ${stateLines(m.native, fields, true)}`);
  lines.push(`  emulator: ${sigText(m.emu)}; ${stateLines(m.emu, fields, true)}`);
  lines.push('  differs:');
  for (const d of m.diffs) lines.push(`    ${d.field.padEnd(22)} native ${d.native}   emulator ${d.emu}`);
  if (m.emu.error) lines.push(`  emulator threw: ${m.emu.error.split('\n').slice(0, 4).join('\n    ')}`);
  lines.push(`  replay: npm run difftest -- --replay '${caseLine(c)}'`);
  return lines.join('\n');
}

export function formatSummary(s: Summary, opts: { coverage?: boolean; verbose?: boolean } = {}): string {
  const lines: string[] = [];
  lines.push(`difftest: ${s.instructions} instructions in ${s.sequences} sequences, ${s.mismatches} mismatches`
    + ` (${s.faults} sequences ended in a fault; ${(s.ms / 1000).toFixed(1)} s)`);
  for (const [why, n] of s.vendor) lines.push(`  not counted, the host vendor's own behaviour (test/difftest/vendor.ts): ${n} x ${why}`);
  if (s.mismatches > 0) {
    lines.push('mismatches by group:');
    for (const [g, n] of [...s.byGroup].sort((a, b) => b[1] - a[1])) lines.push(`  ${g.padEnd(14)} ${n}`);
    lines.push('mismatches by instruction:');
    for (const [g, n] of [...s.byName].sort((a, b) => b[1] - a[1])) lines.push(`  ${g.padEnd(40)} ${n}`);
  }
  if (opts.coverage) {
    lines.push('coverage (instructions executed per table row):');
    // Template rows (control flow, strings, stack frames) emit instructions counted under
    // their own rows; they are listed as templates, not as never executed.
    const rows = TABLE.map((r) => [r.name, r.group, s.coverage.get(r.name) ?? 0, r.emit !== undefined] as const);
    for (const [n, g, k, t] of rows) lines.push(`  ${g.padEnd(10)} ${n.padEnd(44)} ${k === 0 && t ? '(template)' : k}`);
    const never = rows.filter(([, , k, t]) => k === 0 && !t).map(([n]) => n);
    lines.push(`rows executed: ${rows.length - never.length} of ${rows.length}${never.length ? `; never: ${never.join(', ')}` : ''}`);
  }
  s.reports.forEach((m, k) => {
    lines.push('');
    lines.push(formatMismatch(m, k));
  });
  return lines.join('\n');
}
