// Command-line parsing for `i386emu`: subcommand, options, then the guest program and its argv.
import { LAYOUT_NAMES, type LayoutName } from '../../kernel/mm/layout.js';

export class UsageError extends Error {}

export interface RunOptions {
  strace: boolean;
  stats: boolean;
  root: string | null;
  /** --bind HOST[:GUEST][:ro], in order. */
  binds: string[];
  /** --sysroot: searched first for the interpreter and shared libraries. */
  sysroot: string | null;
  memoryMiB: number;
  gdbPort: number | null;
  /** Instructions per scheduling quantum (null: the kernel's default). */
  quantum: number | null;
  /** --layout: the kernel and personality the address space is laid out for. */
  layout: LayoutName;
  /** --rlimit-stack (undocumented, for tests): the first process's RLIMIT_STACK soft limit. */
  rlimitStack: bigint | null;
  program: string;
  args: string[];
}

export const USAGE = `usage: i386emu run [--strace] [--stats] [--root DIR] [--bind HOST:GUEST]... [--sysroot DIR] [--mem MIB] [--quantum N] [--layout compat|3gb] [--gdb PORT] [--] PROG [ARGS...]
       i386emu debug [-x FILE]... [--batch] [run options] PROG [ARGS...]
       i386emu --help | --version

Runs a 32-bit x86 (i386) Linux ELF program on an emulated CPU, MMU and mini kernel.
  --strace     log every system call with decoded arguments to stderr
  --stats      print instructions, MIPS, TLB and page-fault counters to stderr at exit
  --root DIR   confine the guest to DIR, its "/" (as chroot); default: the guest sees the
               host's files as a native process of the same user would
  --bind HOST:GUEST  mount the host directory HOST at GUEST in the guest's tree (with --root);
               HOST alone mounts it at its own path; a trailing :ro makes it read-only
  --sysroot DIR  an i386 system tree searched first for the dynamic linker and libraries
               (/lib, /lib32, /usr/lib, /usr/lib32), before the host's (qemu-i386 -L)
  --mem MIB    guest physical memory in MiB (default 512)
  --quantum N  guest instructions per time slice when several tasks run (default 100000);
               scheduling is deterministic, so another N gives another interleaving
  --layout L   the address-space layout, as on Linux 6.18 with randomization off: compat
               (default; a 64-bit kernel, user space up to 0xffffe000, as \`setarch -R\`) or
               3gb (the 3 GB/1 GB split, as \`setarch -R --3gb\`; inherited by children);
               i386 lays it out as a native 32-bit kernel would
  --gdb PORT   stop at the first instruction and wait for gdb on 127.0.0.1:PORT (target remote :PORT);
               PORT 0 picks a free port and prints it
debug opens the debugger REPL (type help); -x FILE runs debugger commands from FILE.`;

/** Parses the options of `run` (argv after the subcommand). */
export function parseRunArgs(argv: string[]): RunOptions {
  const o: RunOptions = { strace: false, stats: false, root: null, binds: [], sysroot: null, memoryMiB: 512, gdbPort: null, quantum: null, layout: 'compat', rlimitStack: null, program: '', args: [] };
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
      case '--root': o.root = value(a); break;
      case '--bind': o.binds.push(value(a)); break;
      case '--sysroot': o.sysroot = value(a); break;
      case '--mem': {
        const v = Number(value(a));
        if (!Number.isInteger(v) || v < 4 || v > 3072) throw new UsageError('--mem takes a whole number of MiB from 4 to 3072');
        o.memoryMiB = v;
        break;
      }
      case '--quantum': {
        const v = Number(value(a));
        if (!Number.isInteger(v) || v < 1 || v > 1e9) throw new UsageError('--quantum takes a whole number of instructions from 1 to 1000000000');
        o.quantum = v;
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
