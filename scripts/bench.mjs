// npm run bench: runs the CPU-bound guest benchmark natively, under qemu-i386 and under i386emu,
// side by side in one run, and prints guest MIPS and the ratios (medians of several runs).
// Usage: node scripts/bench.mjs [--runs N] [--iters N] [--prog PATH]
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const args = process.argv.slice(2);
const opt = (name, def) => {
  const k = args.indexOf(name);
  return k >= 0 ? args[k + 1] : def;
};
const runs = Number(opt('--runs', '5'));
const prog = opt('--prog', 'guest-programs/build/bench');
const iters = opt('--iters', '');
const progArgs = iters ? [iters] : [];

if (!existsSync(prog)) {
  console.error(`bench: ${prog} is missing; run: bash guest-programs/build.sh`);
  process.exit(2);
}

function timeIt(cmd, argv) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 64 << 20 });
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.error) return { error: r.error.message };
  return { s, stdout: r.stdout, stderr: r.stderr, status: r.status };
}

const median = (xs) => {
  const a = [...xs].sort((x, y) => x - y);
  return a.length % 2 ? a[(a.length - 1) / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
};

const results = { native: [], qemu: [], emuWall: [], emuCpu: [] };
let insns = 0;
let expected = null;
const qemu = ['qemu-i386', 'qemu-i386-static'].find((q) => spawnSync('sh', ['-c', `command -v ${q}`]).status === 0);

for (let r = 0; r < runs; r++) {
  const n = timeIt(prog, progArgs);
  results.native.push(n.s);
  expected ??= n.stdout;
  if (qemu) {
    const q = timeIt(qemu, [prog, ...progArgs]);
    if (!q.error) results.qemu.push(q.s);
    if (q.stdout !== expected) console.error('bench: qemu output differs from native');
  }
  const e = timeIt(process.execPath, ['dist/i386emu.mjs', 'run', '--stats', prog, ...progArgs]);
  if (e.stdout !== expected) {
    console.error('bench: i386emu output differs from native:\n' + e.stdout + e.stderr);
    process.exit(1);
  }
  const m = /(\d+) instructions in ([\d.]+) s/.exec(e.stderr);
  if (!m) {
    console.error('bench: no stats line from i386emu:\n' + e.stderr);
    process.exit(1);
  }
  insns = Number(m[1]);
  results.emuWall.push(e.s);
  results.emuCpu.push(Number(m[2]));
}

const nat = median(results.native);
const emu = median(results.emuWall);
const emuRun = median(results.emuCpu);
const q = results.qemu.length ? median(results.qemu) : NaN;
const fmt = (x, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
console.log(`program: ${prog} ${progArgs.join(' ')}   runs: ${runs} (medians)`);
console.log(`guest instructions: ${insns}`);
console.log('| runner | seconds (wall) | guest MIPS | slowdown vs native |');
console.log('|---|---|---|---|');
console.log(`| native | ${fmt(nat)} | ${fmt(insns / nat / 1e6, 0)} | 1.0x |`);
if (qemu) console.log(`| ${qemu} | ${fmt(q)} | ${fmt(insns / q / 1e6, 0)} | ${fmt(q / nat, 1)}x |`);
console.log(`| i386emu (wall, incl. start-up) | ${fmt(emu)} | ${fmt(insns / emu / 1e6, 1)} | ${fmt(emu / nat, 1)}x |`);
console.log(`| i386emu (guest run loop only) | ${fmt(emuRun)} | ${fmt(insns / emuRun / 1e6, 1)} | ${fmt(emuRun / nat, 1)}x |`);
if (qemu) console.log(`i386emu / qemu-i386 time ratio: ${fmt(emu / q, 1)}x`);
