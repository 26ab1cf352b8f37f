// A program's DWARF as the debugger asks for it: the function covering a pc, the scopes
// (subprogram, lexical blocks, inlined subroutines) around it and the variables they declare,
// global variables and named types, and the CFI row for unwinding. Addresses in and out are
// run-time addresses: the load bias of a PIE is added to what the file says.
import { DW_AT, DW_TAG } from './constants.js';
import { Die, FormClass, Unit, parseDebugInfo, addrIndex } from './info.js';
import { Ranges, dieRanges, inRanges } from './ranges.js';
import { DType, GDB_BASE_NAMES, TypeBuilder } from './types.js';
import { Fde, FrameRow, findFde, parseFrames, rowAt } from './cfi.js';
import type { DwarfSections } from './sections.js';

export interface FunctionInfo {
  die: Die;
  name: string;
  ranges: Ranges;
  /** Lowest address (link-time). */
  low: number;
}

export class DebugInfo {
  bias = 0;
  readonly units: Unit[];
  readonly dies: Map<number, Die>;
  readonly functions: FunctionInfo[] = [];
  readonly globals = new Map<string, Die>();
  readonly typesByName = new Map<string, Die>();
  /** Enumeration constants (RED, BLUE...): the enum type entry and the value. */
  readonly enumerators = new Map<string, { type: Die; value: bigint }>();
  readonly types: TypeBuilder;
  private ehFdes: Fde[] | null = null;
  private debugFdes: Fde[] | null = null;
  private inlinedByName: Map<string, number[]> | null = null;
  private callSites: Map<number, Die> | null = null;

  constructor(readonly secs: DwarfSections) {
    const { units, dies } = parseDebugInfo(secs);
    this.units = units;
    this.dies = dies;
    this.types = new TypeBuilder((off) => this.dies.get(off));
    for (const u of units) this.index(u.die, true);
    this.functions.sort((a, b) => a.low - b.low);
  }

  private index(die: Die, top: boolean): void {
    for (const c of die.children) {
      if (c.tag === DW_TAG.subprogram) {
        const ranges = dieRanges(c, this.secs);
        if (ranges.length) this.functions.push({ die: c, name: this.nameOf(c), ranges, low: Math.min(...ranges.map((r) => r[0])) });
      } else if (top && c.tag === DW_TAG.variable) {
        const name = this.nameOf(c);
        if (name && c.has(DW_AT.location)) {
          const old = this.globals.get(name);
          // An external definition wins over a file-static one of another unit.
          if (!old || (c.has(DW_AT.external) && !old.has(DW_AT.external))) this.globals.set(name, c);
        }
      } else if (top && (c.tag === DW_TAG.structure_type || c.tag === DW_TAG.union_type || c.tag === DW_TAG.enumeration_type || c.tag === DW_TAG.typedef || c.tag === DW_TAG.base_type)) {
        if (c.tag === DW_TAG.enumeration_type) {
          for (const e of c.children) {
            const en = e.str(DW_AT.name);
            const v = e.get(DW_AT.const_value);
            if (en && !this.enumerators.has(en)) this.enumerators.set(en, { type: c, value: typeof v === 'bigint' ? v : BigInt(typeof v === 'number' ? v : 0) });
          }
        }
        const n = c.str(DW_AT.name);
        if (!n || c.has(DW_AT.declaration)) continue;
        const key = c.tag === DW_TAG.structure_type ? `struct ${n}` : c.tag === DW_TAG.union_type ? `union ${n}` : c.tag === DW_TAG.enumeration_type ? `enum ${n}` : n;
        if (!this.typesByName.has(key)) this.typesByName.set(key, c);
        // gcc's "long unsigned int" is what a user (and gdb) calls "unsigned long".
        const alias = c.tag === DW_TAG.base_type ? GDB_BASE_NAMES[n] : undefined;
        if (alias && !this.typesByName.has(alias)) this.typesByName.set(alias, c);
      }
    }
  }

  get hasInfo(): boolean { return this.units.length > 0; }

  /** DW_AT_name, through DW_AT_abstract_origin and DW_AT_specification. */
  nameOf(die: Die): string {
    for (let d: Die | undefined = die, k = 0; d && k < 8; k++) {
      const n = d.str(DW_AT.name);
      if (n !== undefined) return n;
      const next: number | undefined = d.ref(DW_AT.abstract_origin) ?? d.ref(DW_AT.specification);
      d = next !== undefined ? this.dies.get(next) : undefined;
    }
    return '';
  }

  /** The entry holding attribute `at` for die: itself or its abstract origin/specification. */
  origin(die: Die, at: number): Die | undefined {
    for (let d: Die | undefined = die, k = 0; d && k < 8; k++) {
      if (d.has(at)) return d;
      const next: number | undefined = d.ref(DW_AT.abstract_origin) ?? d.ref(DW_AT.specification);
      d = next !== undefined ? this.dies.get(next) : undefined;
    }
    return undefined;
  }

  typeOfDie(die: Die): DType {
    const d = this.origin(die, DW_AT.type) ?? die;
    return this.types.typeOf(d);
  }

  typeNamed(name: string): DType | undefined {
    const d = this.typesByName.get(name);
    return d ? this.types.build(d) : undefined;
  }

  private link(pc: number): number { return (pc - this.bias) >>> 0; }

  functionAt(pc: number): FunctionInfo | undefined {
    const a = this.link(pc);
    let best: FunctionInfo | undefined;
    for (const f of this.functions) {
      if (f.low > a) break;
      if (inRanges(f.ranges, a)) best = f;
    }
    return best;
  }

  functionNamed(name: string): FunctionInfo | undefined {
    return this.functions.find((f) => f.name === name && f.die.has(DW_AT.external)) ?? this.functions.find((f) => f.name === name);
  }

  /**
   * Run-time entry addresses of the calls to `name` that were inlined, lowest first: the
   * DW_AT_entry_pc when code of the call starts there, else the lowest address the call
   * covers (gcc's entry_pc may sit in an empty range, as gdb then uses the range's start too).
   */
  inlinedEntries(name: string): number[] {
    if (this.inlinedByName === null) {
      this.inlinedByName = new Map();
      for (const d of this.dies.values()) {
        if (d.tag !== DW_TAG.inlined_subroutine) continue;
        const n = this.nameOf(d);
        const entry = this.linkEntryOf(d);
        if (!n || entry === undefined) continue;
        const list = this.inlinedByName.get(n) ?? [];
        list.push(entry);
        this.inlinedByName.set(n, list);
      }
    }
    return [...new Set(this.inlinedByName.get(name) ?? [])].sort((a, b) => a - b).map(this.relocate);
  }

  /** Link-time entry of an inlined call (see inlinedEntries); undefined when it covers no code. */
  private linkEntryOf(d: Die): number | undefined {
    const ranges = dieRanges(d, this.secs).filter((r) => r[1] > r[0]);
    if (ranges.length === 0) return undefined;
    let entry = Math.min(...ranges.map((r) => r[0]));
    const e = d.num(DW_AT.entry_pc);
    if (e !== undefined) {
      const at = d.classes.get(DW_AT.entry_pc) === FormClass.Address ? e : (entry + e) >>> 0;
      if (inRanges(ranges, at)) entry = at;
    }
    return entry;
  }

  /**
   * The inlined calls at pc, innermost first: how many (depth), how many of the innermost
   * begin exactly at pc (entered: gdb first shows such a call's call site, and `step` goes
   * into it without running), and the call line of each.
   */
  inlineStateAt(pc: number): { depth: number; entered: number; callLines: number[]; calls: Die[] } {
    const groups = this.scopeGroupsAt(pc);
    const calls = groups.slice(0, -1).map((g) => g[g.length - 1]);
    let entered = 0;
    while (entered < calls.length && this.linkEntryOf(calls[entered]) === this.link(pc)) entered++;
    return { depth: calls.length, entered, callLines: calls.map((d) => d.num(DW_AT.call_line) ?? 0), calls };
  }

  /**
   * The DW_AT_call_value of the parameter passed in `loc` (a DW_OP_regN expression) at the
   * call that returns to run-time address returnPc (DW_TAG_call_site and the GNU form before
   * DWARF 5) into function `callee`, or undefined when the compiler did not describe it.
   */
  callSiteValue(returnPc: number, loc: Uint8Array, callee: string): Uint8Array | undefined {
    this.indexCallSites();
    let site = this.callSites!.get(this.link(returnPc));
    if (!site) return undefined;
    if (this.callTarget(site) !== callee) {
      // The function called there made a tail call to callee (its frame is gone).
      const tail = this.tailCallSite(site, callee);
      if (!tail) return undefined;
      site = tail;
    }
    for (const p of site.children) {
      if (p.tag !== DW_TAG.call_site_parameter && p.tag !== DW_TAG.GNU_call_site_parameter) continue;
      const at = p.get(DW_AT.location);
      if (!(at instanceof Uint8Array) || at.length !== loc.length || !at.every((b, i) => b === loc[i])) continue;
      const v = p.get(DW_AT.call_value) ?? p.get(DW_AT.GNU_call_site_value);
      return v instanceof Uint8Array ? v : undefined;
    }
    return undefined;
  }

  /** The only tail call to callee in the function that call site `site` calls (gdb's tail-call chain of one), if any. */
  private tailCallSite(site: Die, callee: string): Die | undefined {
    const target = this.callTarget(site);
    const fn = target ? this.functionNamed(target) : undefined;
    if (!fn) return undefined;
    const tails: Die[] = [];
    const walk = (d: Die) => {
      for (const c of d.children) {
        if ((c.tag === DW_TAG.call_site || c.tag === DW_TAG.GNU_call_site) && (c.has(DW_AT.call_tail_call) || c.has(DW_AT.GNU_tail_call))
          && this.callTarget(c) === callee) tails.push(c);
        walk(c);
      }
    };
    walk(fn.die);
    return tails.length === 1 ? tails[0] : undefined;
  }

  /**
   * When the call that returns to run-time returnPc called another function than callee,
   * which then tail-called callee: the run-time address after that tail call (where gdb puts
   * the tail-call frame it shows between the two).
   */
  tailCallFrom(returnPc: number, callee: string): number | undefined {
    this.indexCallSites();
    const site = this.callSites!.get(this.link(returnPc));
    if (!site || this.callTarget(site) === callee || this.callTarget(site) === undefined) return undefined;
    const tail = this.tailCallSite(site, callee);
    const ret = tail ? tail.num(DW_AT.call_return_pc) ?? tail.num(DW_AT.low_pc) : undefined;
    return ret === undefined ? undefined : this.relocate(ret);
  }

  /** The name of the function a call site calls (DW_AT_call_origin; DW_AT_abstract_origin in the GNU form). */
  private callTarget(site: Die): string | undefined {
    const ref = site.ref(DW_AT.call_origin) ?? site.ref(DW_AT.abstract_origin);
    const d = ref !== undefined ? this.dies.get(ref) : undefined;
    return d ? this.nameOf(d) : undefined;
  }

  private indexCallSites(): void {
    if (this.callSites === null) {
      this.callSites = new Map();
      for (const d of this.dies.values()) {
        if (d.tag === DW_TAG.call_site) {
          const ret = d.num(DW_AT.call_return_pc);
          if (ret !== undefined) this.callSites.set(ret, d);
        } else if (d.tag === DW_TAG.GNU_call_site) {
          // The GNU form names the return address with DW_AT_low_pc.
          const ret = d.num(DW_AT.low_pc);
          if (ret !== undefined) this.callSites.set(ret, d);
        }
      }
    }
  }

  /** Run-time entry address of a function. */
  entryOf(f: FunctionInfo): number { return (f.low + this.bias) >>> 0; }

  /** Scopes around pc, innermost first, ending with the subprogram. */
  scopesAt(pc: number): Die[] {
    const f = this.functionAt(pc);
    if (!f) return [];
    const a = this.link(pc);
    const chain: Die[] = [f.die];
    let cur = f.die;
    for (;;) {
      const inner = cur.children.find((c) => (c.tag === DW_TAG.lexical_block || c.tag === DW_TAG.inlined_subroutine) && inRanges(dieRanges(c, this.secs), a));
      if (!inner) break;
      chain.push(inner);
      cur = inner;
    }
    return chain.reverse();
  }

  /**
   * The scopes at pc split by function, innermost first: one group per inlined call (its
   * blocks, ending with the DW_TAG_inlined_subroutine) and last the subprogram's. Each group is
   * a frame of its own in gdb's backtrace (same pc, the call site's line for the outer ones).
   */
  scopeGroupsAt(pc: number): Die[][] {
    const groups: Die[][] = [[]];
    for (const d of this.scopesAt(pc)) {
      groups[groups.length - 1].push(d);
      if (d.tag === DW_TAG.inlined_subroutine) groups.push([]);
    }
    if (groups[groups.length - 1].length === 0) groups.pop();
    return groups;
  }

  /** How many inlined calls are active at pc (the frames gdb shows above the real one). */
  inlineDepth(pc: number): number {
    return Math.max(0, this.scopeGroupsAt(pc).length - 1);
  }

  /** The scopes of function group fn at pc (see scopeGroupsAt); undefined: every scope. */
  private scopesOf(pc: number, fn: number | undefined): Die[] {
    if (fn === undefined) return this.scopesAt(pc);
    return this.scopeGroupsAt(pc)[fn] ?? [];
  }

  /** The formal parameters of the function at pc (its subprogram's, or inlined call fn's, in order). */
  paramsAt(pc: number, fn?: number): Die[] {
    if (fn !== undefined) {
      const scopes = this.scopesOf(pc, fn);
      const die = scopes[scopes.length - 1];
      return die ? die.children.filter((c) => c.tag === DW_TAG.formal_parameter) : [];
    }
    const f = this.functionAt(pc);
    return f ? f.die.children.filter((c) => c.tag === DW_TAG.formal_parameter) : [];
  }

  /** Local variables visible at pc, innermost scope first (as gdb's info locals lists them); fn: of one function group only. */
  localsAt(pc: number, fn?: number): Die[] {
    const out: Die[] = [];
    for (const s of this.scopesOf(pc, fn)) {
      for (const c of s.children) {
        if (c.tag === DW_TAG.variable) out.push(c);
        else if (c.tag === DW_TAG.formal_parameter && s.tag === DW_TAG.inlined_subroutine && fn === undefined) out.push(c);
      }
    }
    return out;
  }

  /** A variable or parameter named `name` visible at pc (null pc: globals only). */
  lookupVariable(name: string, pc: number | null, fn?: number): Die | undefined {
    if (pc !== null) {
      for (const s of this.scopesOf(pc, fn)) {
        for (const c of s.children) {
          if ((c.tag === DW_TAG.variable || c.tag === DW_TAG.formal_parameter) && this.nameOf(c) === name) return c;
        }
      }
      // A file-static of the unit the pc is in comes before other units' globals.
      const f = this.functionAt(pc);
      if (f) {
        for (const c of f.die.unit.die.children) if (c.tag === DW_TAG.variable && c.has(DW_AT.location) && this.nameOf(c) === name) return c;
      }
    }
    return this.globals.get(name);
  }

  /** Link-time address → run-time address. */
  relocate = (addr: number): number => (addr + this.bias) >>> 0;

  addrIndex(unit: Unit, i: number): number { return addrIndex(this.secs, unit, i); }

  /** The CFI row in force at a run-time pc (from .eh_frame, else .debug_frame), or null. */
  frameRowAt(pc: number): { row: FrameRow; raReg: number; signal: boolean } | null {
    const a = this.link(pc);
    if (this.ehFdes === null) this.ehFdes = this.secs.ehFrame ? safeFrames(this.secs.ehFrame, true, this.secs.ehFrameAddr ?? 0) : [];
    let fde = findFde(this.ehFdes, a);
    if (!fde) {
      if (this.debugFdes === null) this.debugFdes = this.secs.debugFrame ? safeFrames(this.secs.debugFrame, false) : [];
      fde = findFde(this.debugFdes, a);
    }
    if (!fde) return null;
    try {
      return { row: rowAt(fde, a), raReg: fde.cie.raReg, signal: fde.cie.signal };
    } catch {
      return null;
    }
  }

  /** Declaration line of an entry (through its abstract origin). */
  declLine(die: Die): number | undefined {
    return this.origin(die, DW_AT.decl_line)?.num(DW_AT.decl_line);
  }
}

function safeFrames(d: Uint8Array, eh: boolean, addr = 0): Fde[] {
  try {
    return parseFrames(d, eh, addr);
  } catch {
    return [];
  }
}
