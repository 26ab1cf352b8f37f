// `info sharedlibrary` in gdb's layout: each loaded shared object's .text range (From, To),
// whether its symbols are read, and its path; "(*)" marks one without debugging information.
import type { Session } from './session.js';
import { hex8 } from './format.js';

export function infoSharedLibrary(s: Session): void {
  const t = s.engine.target;
  if (t && !t.exit) s.refreshLibraries(t);
  const libs = t && !t.exit ? s.solibs.list : [];
  if (libs.length === 0) {
    s.out('No shared libraries loaded at this time.');
    return;
  }
  const lines = ['From        To          Syms Read   Shared Object Library'];
  for (const l of libs) {
    lines.push(`${hex8(l.textFrom)}  ${hex8(l.textTo)}  ${(l.debugInfo ? 'Yes' : 'Yes (*)').padEnd(12)}${l.name}`);
  }
  if (libs.some((l) => !l.debugInfo)) lines.push('(*): Shared library is missing debugging information.');
  s.out(lines.join('\n'));
}
