// Third-party i386 binaries from Debian's archive (scripts/fetch-debian.sh puts them in
// guest-programs/debian/): Debian's static busybox runs a set of applets that exercise the CPU
// broadly (hashes, compressors, awk's arithmetic, regular expressions, big-number dc), and
// its static bash and zsh run scripts that need no fork (arithmetic, arrays, parameter
// expansion, zsh's floating point), under the emulator and under the reference (the host when
// it runs i386 code, else qemu-i386: test/helpers/nativeI386.ts); stdout and the exit status
// must be identical. Each package's cases are skipped, with the reason, when that package has
// not been fetched; the others still run.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { guestReference } from '../helpers/nativeI386.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BUSYBOX = 'guest-programs/debian/busybox-static/bin/busybox';
const BASH = 'guest-programs/debian/bash-static/bin/bash-static';
const ZSH = 'guest-programs/debian/zsh-static/bin/zsh-static';
const ENV: Record<string, string> = { PATH: '/usr/bin:/bin', LC_ALL: 'C' };
const TEXT = 'README.md';

const REF = guestReference();
const PACKAGES: Array<{ name: string; prog: string }> = [
  { name: 'busybox-static', prog: BUSYBOX },
  { name: 'bash-static', prog: BASH },
  { name: 'zsh-static', prog: ZSH },
];

/** Why one package's cases cannot run, or null. */
function skipReason(prog: string): string | null {
  if (!existsSync(ROOT + prog)) return `${prog} missing: run "bash scripts/fetch-debian.sh"`;
  return typeof REF === 'string' ? REF : null;
}

/** Command lines (paths relative to the repository root, which is the guest's root too); prog defaults to busybox. */
const CASES: Array<{ prog?: string; args: string[]; input?: string }> = [
  { args: ['echo', 'hello', 'world'] },
  { args: ['expr', '6', '*', '7'] },
  { args: ['seq', '-s', ',', '1', '3', '40'] },
  { args: ['printf', '%08.3f %x %e\\n', '3.14159', '48879', '6.02e23'] },
  { args: ['awk', 'BEGIN { x = 1; for (i = 1; i < 24; i++) { x = x * 1.37 + i / 7; printf("%.17g %.6e %d\\n", x, i * 1e10 / 7, x % 1000) } }'] },
  { args: ['awk', '{ n += length($0); w += NF } END { print NR, w, n, n / NR }', TEXT] },
  { args: ['md5sum', TEXT] },
  { args: ['sha1sum', TEXT] },
  { args: ['sha256sum', TEXT] },
  { args: ['sha512sum', TEXT] },
  { args: ['sha3sum', TEXT] },
  { args: ['crc32', TEXT] },
  { args: ['gzip', '-9', '-c', TEXT] },
  { args: ['bzip2', '-c', TEXT] },
  { args: ['lzop', '-c', TEXT] },
  { args: ['base64', TEXT] },
  { args: ['od', '-A', 'x', '-t', 'x1', '-N', '256', BUSYBOX] },
  { args: ['sed', '-n', 's/\\(e[a-z]*\\)\\b/<\\1>/gp', TEXT] },
  { args: ['grep', '-c', '-E', '[0-9]+ (MIPS|s)', TEXT] },
  { args: ['sort', '-r', TEXT] },
  { args: ['wc', TEXT] },
  { args: ['tr', 'a-z', 'A-Z'], input: 'the quick brown fox\n' },
  { args: ['dc', '-e', '40k 2 v p 10 3 / p 2 64 ^ p'] },
  { args: ['factor', '600851475143', '4294967291', '9007199254740993'] },
  { args: ['false'] },
  { prog: BASH, args: ['-c', 'echo $((2**62)) $((-7/2)) $((-7%3)); printf "%s-%05d %x\\n" abc 42 255'] },
  { prog: BASH, args: ['-c', 'a=(5 3 9 1); for x in "${a[@]}"; do echo $((x*x)); done; echo ${#a[@]} ${a[@]:1:2}'] },
  { prog: BASH, args: ['-c', 's="hello world"; echo ${s^^} ${s//o/0} ${#s} ${s:3:4}; [[ $s =~ w(or)ld ]] && echo ${BASH_REMATCH[1]}'] },
  { prog: BASH, args: ['-c', 'for ((i=0;i<3000;i++)); do s=$(( (s*31 + i) % 1000003 )); done; echo $s'] },
  { prog: ZSH, args: ['-c', 'echo $(( 1.0/3 )) $(( 2.0**0.5 )) $(( 10.0**-300 * 1e300 )); typeset -F 20 x=3.14159265358979; echo $x'] },
  { prog: ZSH, args: ['-c', 'print -l ${(o)${(s: :)${:-pear apple fig banana}}}; typeset -A h; h=(a 1 b 2); echo ${(k)h} $(( h[a] + h[b] ))'] },
  { prog: ZSH, args: ['-c', 'x=0.1; for i in {1..200}; do x=$(( x * 1.0001 + 1e-7 )); done; printf "%.17g\\n" $x'] },
];

function run(cmd: string, args: string[], input?: string): { stdout: string; status: number | null; stderr: string } {
  const r = spawnSync(cmd, args, { cwd: ROOT, env: ENV, input: input ?? '', encoding: 'latin1', timeout: 120_000, maxBuffer: 64 << 20 });
  return { stdout: r.stdout, status: r.status, stderr: r.stderr };
}

/** One command line, run on the reference and on the emulator. */
function defineCase(c: (typeof CASES)[number]): void {
  const prog = c.prog ?? BUSYBOX;
  it(`${prog.split('/').pop()} ${c.args.join(' ')}`.slice(0, 70), () => {
    const ref = REF as Exclude<typeof REF, string>;
    const want = run(...ref.argv(prog, c.args), c.input);
    // Every case prints something on the reference (but `false`): a case both sides fail alike would prove nothing.
    expect(want.stdout.length > 0 || c.args[0] === 'false', `reference printed nothing: ${want.stderr}`).toBe(true);
    const got = run(process.execPath, ['dist/i386emu.mjs', 'run', '--', prog, ...c.args], c.input);
    expect(got.stderr.startsWith('i386emu:'), got.stderr).toBe(false);
    expect(got.stdout).toBe(want.stdout);
    expect(got.status).toBe(want.status);
  }, 150_000);
}

for (const pkg of PACKAGES) {
  const skip = skipReason(pkg.prog);
  if (skip) console.warn(`Debian ${pkg.name} tests skipped: ${skip}`);
  const title = `Debian ${pkg.name} (i386): ${typeof REF === 'string' ? 'reference' : REF.name} vs emulator${skip ? ` (skipped: ${skip})` : ''}`;
  describe.skipIf(skip !== null)(title, () => {
    for (const c of CASES.filter((k) => (k.prog ?? BUSYBOX) === pkg.prog)) defineCase(c);
  });
}
