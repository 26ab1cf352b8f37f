// Third-party i386 binaries from Debian's archive (scripts/fetch-debian.sh puts them in
// guest-programs/debian/): Debian's static busybox runs a set of applets that exercise the CPU
// broadly (hashes, compressors, awk's floating point, regular expressions, big-number dc) under
// the emulator and under the reference (the host when it runs i386 code, else qemu-i386:
// test/helpers/nativeI386.ts); stdout and the exit status must be identical.
// Skipped, with the reason, when the package has not been fetched.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { guestReference } from '../helpers/nativeI386.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BUSYBOX = 'guest-programs/debian/busybox-static/bin/busybox';
const ENV: Record<string, string> = { PATH: '/usr/bin:/bin', LC_ALL: 'C' };
const TEXT = 'README.md';

const REF = guestReference();
const missing = !existsSync(ROOT + BUSYBOX) ? `${BUSYBOX} is missing: run "bash scripts/fetch-debian.sh"` : null;
const skip = missing ?? (typeof REF === 'string' ? REF : null);
if (skip) console.warn(`Debian busybox tests skipped: ${skip}`);

/** Applet command lines (paths relative to the repository root, which is the guest's root too). */
const CASES: Array<{ args: string[]; input?: string }> = [
  { args: ['echo', 'hello', 'world'] },
  { args: ['expr', '6', '*', '7'] },
  { args: ['seq', '-s', ',', '1', '3', '40'] },
  { args: ['printf', '%08.3f %x %e\\n', '3.14159', '48879', '6.02e23'] },
  { args: ['awk', 'BEGIN { for (i = 0; i < 24; i++) printf("%.17g %.17g\\n", sin(i / 3) * exp(i / 5), atan2(i, 7) * log(i + 1)) }'] },
  { args: ['awk', '{ n += length($0); w += NF } END { print NR, w, n, n / NR }', TEXT] },
  { args: ['md5sum', TEXT] },
  { args: ['sha1sum', TEXT] },
  { args: ['sha256sum', TEXT] },
  { args: ['sha512sum', TEXT] },
  { args: ['sha3sum', TEXT] },
  { args: ['crc32', TEXT] },
  { args: ['cksum', TEXT] },
  { args: ['gzip', '-9', '-c', TEXT] },
  { args: ['bzip2', '-c', TEXT] },
  { args: ['lzop', '-c', TEXT] },
  { args: ['base64', TEXT] },
  { args: ['od', '-A', 'x', '-t', 'x1z', '-N', '256', BUSYBOX] },
  { args: ['sed', '-n', 's/\\(e[a-z]*\\)\\b/<\\1>/gp', TEXT] },
  { args: ['grep', '-c', '-E', '[0-9]+ (MIPS|s)', TEXT] },
  { args: ['sort', '-r', TEXT] },
  { args: ['wc', TEXT] },
  { args: ['tr', 'a-z', 'A-Z'], input: 'the quick brown fox\n' },
  { args: ['dc', '-e', '40k 2 v p 10 3 / p 2 64 ^ p'] },
  { args: ['factor', '600851475143', '4294967291', '9007199254740993'] },
  { args: ['false'] },
];

function run(cmd: string, args: string[], input?: string): { stdout: string; status: number | null; stderr: string } {
  const r = spawnSync(cmd, args, { cwd: ROOT, env: ENV, input: input ?? '', encoding: 'latin1', timeout: 120_000, maxBuffer: 64 << 20 });
  return { stdout: r.stdout, status: r.status, stderr: r.stderr };
}

describe.skipIf(skip !== null)(`Debian busybox-static:i386: ${typeof REF === 'string' ? 'reference' : REF.name} vs emulator`, () => {
  for (const c of CASES) {
    it(c.args.join(' ').slice(0, 60), () => {
      const ref = REF as Exclude<typeof REF, string>;
      const want = run(...ref.argv(BUSYBOX, c.args), c.input);
      const got = run(process.execPath, ['dist/i386emu.mjs', 'run', '--', BUSYBOX, ...c.args], c.input);
      expect(got.stderr.startsWith('i386emu:'), got.stderr).toBe(false);
      expect(got.stdout).toBe(want.stdout);
      expect(got.status).toBe(want.status);
    }, 150_000);
  }
});
