// Command-line parsing for `i386emu`: subcommand, options, then the guest program and its argv.
import { LAYOUT_NAMES, type LayoutName } from '../../kernel/mm/layout.js';
import { MAX_SWAP_BYTES } from '../../kernel/mm/swap.js';
import { CPU_MODELS, DEFAULT_CPU_MODEL, cpuModelNamed } from '../cpu/cpuid.js';
import { DEFAULT_JIT_MODE, JIT_MODES, type JitMode } from '../cpu/jit/jitMode.js';

export class UsageError extends Error {}

const MIB = 1024 * 1024;
/**
 * Default guest RAM: 2 GiB, the most a frame number shifted into a 32-bit physical address
 * allows, so that Linux's overcommit heuristic (a single mapping may not exceed RAM + swap)
 * accepts what it would on a typical machine; the host commits memory only for frames the
 * guest actually touches, so an untouched default costs nothing.
 */
export const DEFAULT_MEM_BYTES = 2048 * MIB;
export const MIN_MEM_BYTES = 4 * MIB;
export const MAX_MEM_BYTES = 2048 * MIB;

export interface RunOptions {
  strace: boolean;
  stats: boolean;
  root: string | null;
  /** --bind HOST[:GUEST][:ro], in order. */
  binds: string[];
  /** --sysroot: searched first for the interpreter and shared libraries. */
  sysroot: string | null;
  /** Guest RAM (--mem) and swap (--swap) in bytes, whole pages. */
  memoryBytes: number;
  swapBytes: number;
  gdbPort: number | null;
  /** Instructions per scheduling quantum (null: the kernel's default). */
  quantum: number | null;
  /** --layout: the kernel and personality the address space is laid out for. */
  layout: LayoutName;
  /** --rlimit-stack (undocumented, for tests): the first process's RLIMIT_STACK soft limit. */
  rlimitStack: bigint | null;
  /** --cpu: a CPU model name (cpuid.ts), null for the default. */
  cpu: string | null;
  /** --seed: seeds RDRAND/RDSEED and the kernel's random choices. */
  seed: number | null;
  /** --aslr: randomize each exec's layout as Linux does (randomize_va_space 2). */
  aslr: boolean;
  /** --jit: the block compiler's mode (null: I386EMU_JIT or the default, src/cpu/jit/jitMode.ts). */
  jit: JitMode | null;
  /** --pmap-at-exit: pmap -x of the first process at its exit, on stderr. */
  pmapAtExit: boolean;
  program: string;
  args: string[];
}

export const USAGE = `usage: i386emu run [--strace] [--stats] [--pmap-at-exit] [--root DIR] [--bind HOST:GUEST]... [--sysroot DIR] [--mem SIZE] [--swap SIZE] [--quantum N] [--layout compat|3gb] [--aslr] [--cpu MODEL] [--seed N] [--jit on|off|force] [--gdb PORT] [--] PROG [ARGS...]
       i386emu debug [-x FILE]... [--batch] [run options] PROG [ARGS...]
       i386emu compare [run options] [--against FILE] PROG [ARGS...]
       i386emu layout [run options] [--svg FILE] PROG [ARGS...]
       i386emu --help | --version

Runs a 32-bit x86 (i386) Linux ELF program on an emulated CPU, MMU and mini kernel.
  --strace     log every system call with decoded arguments to stderr
  --stats      print instructions, MIPS, TLB and page-fault counters to stderr at exit
  --pmap-at-exit  print \`pmap -x\` of the first process to stderr as it exits (its address
               space just before it is torn down; the totals are those of /proc/PID/smaps)
  --root DIR   confine the guest to DIR, its "/" (as chroot); default: the guest sees the
               host's files as a native process of the same user would
  --bind HOST:GUEST  mount the host directory HOST at GUEST in the guest's tree (with --root);
               HOST alone mounts it at its own path; a trailing :ro makes it read-only
  --sysroot DIR  an i386 system tree searched first for the dynamic linker and libraries
               (/lib, /lib32, /usr/lib, /usr/lib32), before the host's (qemu-i386 -L)
  --mem SIZE   guest physical memory (RAM): 16M, 1G, 512K; a plain number is MiB. From 4M to
               2G; default 2G (page frames must fit 32-bit physical addresses; the host only
               commits what the guest touches, and a large RAM lets big untouched mallocs
               pass the overcommit check as on a real machine)
  --swap SIZE  a swap area of SIZE kept in host memory (same units; at most 1G; default none):
               under memory pressure anonymous pages are swapped out and faulted back in
  --quantum N  guest instructions per time slice when several tasks run (default 100000);
               scheduling is deterministic, so another N gives another interleaving
  --layout L   the address-space layout, as on Linux 6.18 with randomization off: compat
               (default; a 64-bit kernel, user space up to 0xffffe000, as \`setarch -R\`) or
               3gb (the 3 GB/1 GB split, as \`setarch -R --3gb\`; inherited by children);
               i386 lays it out as a native 32-bit kernel would
  --aslr       randomize the layout as Linux does with randomize_va_space=2 (stack, mmap
               base, PIE base, heap; Linux's ranges); a guest's \`setarch -R\` (ADDR_NO_RANDOMIZE)
               turns it off for what it runs; --stats prints the seed that repeats the run
  --cpu MODEL  the CPU to emulate: ${CPU_MODELS.map((m) => `${m.name} (${m.description})`).join(';\n               ')}.
               Default ${DEFAULT_CPU_MODEL.name}; its instructions and CPUID bits, no others
  --seed N     seed RDRAND/RDSEED, AT_RANDOM, getrandom, /dev/urandom and --aslr's choices so
               they repeat from run to run (default: random)
  --jit MODE   the block compiler: on (compile blocks once they are hot, and the loops they
               form), off (interpret only), force (compile every block on its first run and
               every loop on its second; for testing); default ${DEFAULT_JIT_MODE},
               or the environment's I386EMU_JIT
  --gdb PORT   stop at the first instruction and wait for gdb on 127.0.0.1:PORT (target remote :PORT);
               PORT 0 picks a free port and prints it
debug opens the debugger REPL (type help); -x FILE runs debugger commands from FILE.
compare runs PROG here and on Linux (setarch -R under gdb; --against FILE: a saved run, its
stdout then its maps lines) and lines up the /proc/PID/maps at exit and stdout: exit 0 only
when every mapping and line is identical (so it refuses --aslr).
layout runs PROG to its exit and draws its address space then, from 0xffffffff down to 0
(kernel space, stack, mmap area, heap, bss, data, text, the gaps); --svg FILE writes it as SVG
(not to scale: every area the same height, sizes in the labels).`;

/** Parses the options of `run` (argv after the subcommand). */
export function parseRunArgs(argv: string[]): RunOptions {
  const o: RunOptions = {
    strace: false, stats: false, root: null, binds: [], sysroot: null, memoryBytes: DEFAULT_MEM_BYTES, swapBytes: 0, gdbPort: null,
    quantum: null, layout: 'compat', rlimitStack: null, cpu: null, seed: null, aslr: false, jit: null, pmapAtExit: false, program: '', args: [],
  };
  let k = 0;
  const value = (name: string): string => {
    if (k + 1 >= argv.length) throw new UsageError(`option ${name} needs a value`);
    return argv[++k];
  };
  for (; k < argv.length; k++) {
    const a = argv[k];
    if (a === '--') { k++; break; }
    if (!a.startsWith('-') || a === '-') break;
    if (a.startsWith('--layout=') || a === '--layout') {
      const v = a === '--layout' ? value(a) : a.slice('--layout='.length);
      if (!(LAYOUT_NAMES as readonly string[]).includes(v)) throw new UsageError('--layout takes compat, 3gb or i386');
      o.layout = v as LayoutName;
      continue;
    }
    switch (a) {
      case '--rlimit-stack': {
        const v = value(a);
        if (v === 'unlimited') o.rlimitStack = 0xffffffffffffffffn;
        else if (/^[0-9]+$/.test(v)) o.rlimitStack = BigInt(v);
        else throw new UsageError('--rlimit-stack takes a number of bytes or unlimited');
        break;
      }
      case '--strace': o.strace = true; break;
      case '--stats': o.stats = true; break;
      case '--aslr': o.aslr = true; break;
      case '--pmap-at-exit': o.pmapAtExit = true; break;
      case '--root': o.root = value(a); break;
      case '--bind': o.binds.push(value(a)); break;
      case '--sysroot': o.sysroot = value(a); break;
      case '--mem': {
        const v = parseSize(value(a));
        if (v === null || v < MIN_MEM_BYTES || v > MAX_MEM_BYTES) throw new UsageError('--mem takes a size from 4M to 2G (16M, 1G, 512K; a plain number is MiB)');
        o.memoryBytes = v;
        break;
      }
      case '--swap': {
        const v = parseSize(value(a));
        if (v === null || v > MAX_SWAP_BYTES) throw new UsageError('--swap takes a size from 0 to 1G (64M, 1G, 512K; a plain number is MiB)');
        o.swapBytes = v;
        break;
      }
      case '--quantum': {
        const v = Number(value(a));
        if (!Number.isInteger(v) || v < 1 || v > 1e9) throw new UsageError('--quantum takes a whole number of instructions from 1 to 1000000000');
        o.quantum = v;
        break;
      }
      case '--cpu': {
        const v = value(a);
        if (cpuModelNamed(v) === null) throw new UsageError(`--cpu takes one of: ${CPU_MODELS.map((m) => m.name).join(', ')}, modern`);
        o.cpu = v;
        break;
      }
      case '--seed': {
        const v = Number(value(a));
        if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new UsageError('--seed takes a whole number from 0 to 4294967295');
        o.seed = v;
        break;
      }
      case '--jit': {
        const v = value(a);
        if (!(JIT_MODES as readonly string[]).includes(v)) throw new UsageError('--jit takes on, off or force');
        o.jit = v as JitMode;
        break;
      }
      case '--gdb': {
        const v = Number(value(a));
        // Port 0: the system picks a free port; the "waiting for gdb" line names it.
        if (!Number.isInteger(v) || v < 0 || v > 65535) throw new UsageError('--gdb takes a TCP port number (0: any free port)');
        o.gdbPort = v;
        break;
      }
      default: throw new UsageError(`unknown option ${a}`);
    }
  }
  if (k >= argv.length) throw new UsageError('no program given');
  o.program = argv[k];
  o.args = argv.slice(k + 1);
  return o;
}

/**
 * A size with an optional K, M or G suffix (KiB, MiB, GiB; "B"/"iB" may follow); a plain
 * number is MiB. Rounded down to whole 4 KiB pages. null when it does not parse.
 */
export function parseSize(text: string): number | null {
  const m = /^(\d+)(?:([kKmMgG])(?:i?[bB])?)?$/.exec(text);
  if (m === null) return null;
  const unit = { k: 1024, m: MIB, g: 1024 * MIB }[(m[2] ?? 'm').toLowerCase() as 'k' | 'm' | 'g'];
  const bytes = Number(m[1]) * unit;
  if (!Number.isSafeInteger(bytes)) return null;
  return bytes - (bytes % 4096);
}
