// Stack frames for bt, frame N, up/down, info frame and variables of outer frames: unwinding
// by the CFI rows of .eh_frame/.debug_frame (code without frame pointers unwinds too), falling
// back to the EBP chain where no FDE covers the pc. Each frame carries the registers the
// unwinder recovered (DWARF i386 numbering; undefined where unknown) and its CFA.
import { DW_REG_EIP } from './dwarf/constants.js';
import { evalAddress, evalLocation } from './dwarf/expression.js';
import type { CfiRow, SymbolTable } from './symbols.js';
import { DW_AT } from './dwarf/constants.js';
import type { Die } from './dwarf/info.js';

export interface Frame {
  level: number;
  pc: number;
  /** Registers eax..edi, eip in DWARF numbering; undefined when the unwinder cannot know. */
  regs: Array<number | undefined>;
  /** The canonical frame address (ESP before the CALL that made this frame), if known. */
  cfa: number | undefined;
  /** Where the unwinder found each saved register of the caller (for info frame). */
  saved: Map<number, number>;
  /** Frame > 0 and not a signal frame: its pc is a return address (look up pc - 1). */
  caller: boolean;
  /** This frame is the signal trampoline (sigreturn): gdb shows <signal handler called>. */
  sigtramp?: boolean;
  /**
   * Which function at this pc the frame is (DebugInfo.scopeGroupsAt): 0 the innermost inlined
   * call, ..., the real function last. Inlined calls are frames of their own, as in gdb.
   */
  fn?: number;
  /** The DW_TAG_inlined_subroutine of an inlined frame. */
  inlined?: Die;
  /** A frame that an inlined call was made from: its line is the call's (DW_AT_call_line). */
  callLine?: number;
  /** A function that tail-called the next inner one (gdb's TAILCALL frame; its registers are unknown). */
  tailCall?: boolean;
}

export interface UnwindResult {
  frames: Frame[];
  /** Why unwinding stopped early, or null. */
  stopped: string | null;
}

/** Where line, function and scope lookups for a frame should look. */
export function lookupPc(f: Frame): number {
  return f.caller ? (f.pc - 1) >>> 0 : f.pc;
}

/** The CFA of a frame from its CFI row (the program's or the vDSO's; undefined without one). */
function cfaOf(symbols: SymbolTable, f: Frame, readU32: (a: number) => number): { cfa: number; row: CfiRow } | undefined {
  const r = symbols.cfiAt(lookupPc(f));
  if (!r) return undefined;
  const rule = r.row.cfa;
  let cfa: number;
  if (rule.kind === 'regOffset') {
    const base = f.regs[rule.reg];
    if (base === undefined) return undefined;
    cfa = (base + rule.offset) >>> 0;
  } else {
    cfa = evalAddress(rule.expr, { reg: (n) => f.regs[n], readU32, relocate: r.relocate });
  }
  return { cfa, row: r };
}

export function unwind(symbols: SymbolTable, first: Array<number | undefined>, readU32: (a: number) => number, max = 64, pastMain = false): UnwindResult {
  const r = unwindReal(symbols, first, readU32, max, pastMain);
  return r.frames.length > max ? { frames: r.frames.slice(0, max), stopped: null } : r;
}

/** Frames for the inlined calls active at f's pc, innermost first, then f itself (renumbered from f.level). */
function withInlined(symbols: SymbolTable, f: Frame): Frame[] {
  const dw = symbols.dwarf;
  if (!dw) return [f];
  const groups = safe(() => dw.scopeGroupsAt(lookupPc(f))) ?? [];
  if (groups.length <= 1) {
    if (groups.length === 1) f.fn = 0;
    return [f];
  }
  const out: Frame[] = [];
  const level = f.level;
  for (let k = 0; k < groups.length; k++) {
    const g = groups[k];
    const callLine = k > 0 ? groups[k - 1][groups[k - 1].length - 1].num(DW_AT.call_line) : undefined;
    const inlined = k < groups.length - 1 ? g[g.length - 1] : undefined;
    const frame: Frame = k === groups.length - 1 ? f : { ...f };
    frame.level = level + k;
    frame.fn = k;
    frame.inlined = inlined;
    frame.callLine = callLine;
    out.push(frame);
  }
  return out;
}

function unwindReal(symbols: SymbolTable, first: Array<number | undefined>, readU32: (a: number) => number, max: number, pastMain: boolean): UnwindResult {
  const dw = symbols.dwarf;
  const frames: Frame[] = [];
  let cur: Frame = { level: 0, pc: first[DW_REG_EIP]! >>> 0, regs: first.slice(), cfa: undefined, saved: new Map(), caller: false };
  for (;;) {
    const name = dw?.functionAt(lookupPc(cur))?.name ?? symbols.symbolFor(lookupPc(cur))?.name;
    const here = safe(() => cfaOf(symbols, cur, readU32));
    if (here) { cur.cfa = here.cfa; if (here.row.signal) cur.sigtramp = true; }
    frames.push(...withInlined(symbols, cur));
    if (frames.length >= max) return { frames, stopped: null };
    // gdb stops at main (backtrace past-main is off): what calls it is libc's start code.
    if (name === 'main' && !pastMain) return { frames, stopped: null };
    let next: Frame | null = null;
    let why: string | null = null;
    try {
      const tramp = sigtrampContext(cur, readU32);
      const c = tramp === null ? cfaOf(symbols, cur, readU32) : undefined;
      if (tramp !== null) {
        // The kernel's signal frame: the interrupted registers are in the sigcontext.
        cur.sigtramp = true;
        const regs: Array<number | undefined> = [];
        for (let n = 0; n < 8; n++) { const at = (tramp + SIGCONTEXT_REG[n]) >>> 0; regs.push(readU32(at)); cur.saved.set(n, at); }
        regs.push(readU32((tramp + 56) >>> 0));
        cur.saved.set(DW_REG_EIP, (tramp + 56) >>> 0);
        // Its CFA is the interrupted ESP where CFI says so (the vDSO's, glibc's restorers), as gdb has it.
        cur.cfa = here?.cfa ?? cur.regs[4];
        next = { level: cur.level + 1, pc: regs[DW_REG_EIP]! >>> 0, regs, cfa: undefined, saved: new Map(), caller: false };
      } else if (c) {
        cur.cfa = c.cfa;
        const regs: Array<number | undefined> = cur.regs.slice();
        regs[4] = c.cfa;
        for (let n = 0; n <= 8; n++) {
          const rule = c.row.row.regs.get(n);
          if (!rule) continue;
          switch (rule.kind) {
            case 'offset': { const at = (c.cfa + rule.offset) >>> 0; regs[n] = readU32(at); cur.saved.set(n, at); break; }
            case 'valOffset': regs[n] = (c.cfa + rule.offset) >>> 0; break;
            case 'register': regs[n] = cur.regs[rule.reg]; break;
            case 'undefined': regs[n] = undefined; break;
            case 'same': break;
            case 'expression': case 'valExpression': {
              // The expression starts with the CFA pushed (glibc's __restore_rt describes the
              // signal frame's saved registers this way).
              const loc = evalLocation(rule.expr, { reg: (k) => cur.regs[k], readU32, relocate: c.row.relocate, cfa: () => c.cfa }, [c.cfa]);
              const at = loc.kind === 'mem' ? loc.addr : loc.kind === 'value' ? Number(BigInt.asUintN(32, loc.value)) : undefined;
              if (at === undefined) { regs[n] = undefined; break; }
              if (rule.kind === 'expression') { regs[n] = readU32(at); cur.saved.set(n, at); } else regs[n] = at;
              break;
            }
          }
        }
        // Without a rule for the return address register, there is no caller (end of the stack).
        const ra = c.row.row.regs.get(c.row.raReg);
        if (!ra || ra.kind === 'undefined') return { frames, stopped: null };
        regs[DW_REG_EIP] = regs[c.row.raReg];
        if (regs[DW_REG_EIP] === undefined) return { frames, stopped: null };
        // The frame a signal interrupted resumes at its pc itself (not after a CALL).
        next = { level: cur.level + 1, pc: regs[DW_REG_EIP]! >>> 0, regs, cfa: undefined, saved: new Map(), caller: !c.row.signal };
      } else {
        // No CFI: the EBP chain (saved EBP at [EBP], return address at [EBP+4]).
        const ebp = cur.regs[5];
        const esp = cur.regs[4];
        if (ebp === undefined || ebp === 0) return { frames, stopped: null };
        if (esp !== undefined && (ebp >>> 0) < (esp >>> 0)) return { frames, stopped: `frame pointer ${hexs(ebp)} does not point into the stack above ESP: cannot unwind further` };
        const regs = cur.regs.slice();
        regs[5] = readU32(ebp);
        regs[DW_REG_EIP] = readU32((ebp + 4) >>> 0);
        regs[4] = (ebp + 8) >>> 0;
        cur.cfa = (ebp + 8) >>> 0;
        cur.saved.set(5, ebp >>> 0);
        cur.saved.set(DW_REG_EIP, (ebp + 4) >>> 0);
        next = { level: cur.level + 1, pc: regs[DW_REG_EIP]! >>> 0, regs, cfa: undefined, saved: new Map(), caller: true };
      }
    } catch (e) {
      why = e instanceof Error ? e.message : String(e);
    }
    if (!next) return { frames, stopped: why };
    if (next.pc === 0) return { frames, stopped: null };
    if (cur.cfa !== undefined && next.regs[4] !== undefined && cur.level > 0 && (next.regs[4]! >>> 0) <= (cur.regs[4]! >>> 0)) {
      return { frames, stopped: 'previous frame inner to this frame (corrupt stack?)' };
    }
    // A tail call between the two (cur's function was jumped to by the one the caller
    // called): gdb shows that function as a frame of its own, whose registers are not known.
    const calleeName = dw?.functionAt(lookupPc(cur))?.name;
    const tailPc = next.caller && calleeName ? safe(() => dw!.tailCallFrom(next!.pc, calleeName)) : undefined;
    if (tailPc !== undefined) {
      const regs: Array<number | undefined> = new Array(9).fill(undefined);
      regs[4] = next.regs[4];
      regs[DW_REG_EIP] = tailPc;
      frames.push({ level: next.level, pc: tailPc, regs, cfa: undefined, saved: new Map(), caller: true, fn: 0, tailCall: true });
      next.level++;
    }
    // A return address may lie just past a noreturn function's end (exit): look up pc - 1.
    const at = lookupPc(next);
    // (A signal trampoline's return address minus one is the NOP its CFI covers in front of it.)
    if (!symbols.symbolFor(at) && !dw?.functionAt(at) && !symbols.cfiAt(at) && symbols.symbols.length) return { frames, stopped: null };
    cur = next;
  }
}

/** Offsets of eax..edi in the i386 struct sigcontext (gs fs es ds edi esi ebp esp ebx edx ecx eax ...; eip at 56). */
const SIGCONTEXT_REG = [44, 40, 36, 32, 28, 24, 20, 16];

/**
 * The sigcontext address when the frame is the sigreturn trampoline a handler returns to
 * (`pop eax; mov eax, 119; int 0x80` or `mov eax, 173; int 0x80`, as gdb recognises them), else null.
 */
function sigtrampContext(f: Frame, readU32: (a: number) => number): number | null {
  if (f.level === 0 && !f.caller && f.regs[4] === undefined) return null;
  const sp = f.regs[4];
  if (sp === undefined) return null;
  let w0: number, w1: number;
  try { w0 = readU32(f.pc); w1 = readU32((f.pc + 4) >>> 0); } catch { return null; }
  const b = [w0 & 0xff, (w0 >>> 8) & 0xff, (w0 >>> 16) & 0xff, w0 >>> 24, w1 & 0xff, (w1 >>> 8) & 0xff, (w1 >>> 16) & 0xff, w1 >>> 24];
  const is = (seq: number[]) => seq.every((x, i) => b[i] === x);
  if (is([0x58, 0xb8, 0x77, 0x00, 0x00, 0x00, 0xcd, 0x80])) return (sp + 4) >>> 0; // before pop eax
  if (is([0xb8, 0x77, 0x00, 0x00, 0x00, 0xcd, 0x80])) return sp >>> 0; // after pop eax
  if (is([0xb8, 0xad, 0x00, 0x00, 0x00, 0xcd, 0x80])) {
    // rt_sigframe: sig, pinfo, puc, ...; uc_mcontext is 20 bytes into the ucontext.
    try { return (readU32((sp + 8) >>> 0) + 20) >>> 0; } catch { return null; }
  }
  return null;
}

function safe<T>(f: () => T): T | undefined {
  try { return f(); } catch { return undefined; }
}

const hexs = (n: number) => '0x' + (n >>> 0).toString(16);
