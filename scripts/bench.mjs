// npm run bench: runs the CPU-bound guest benchmark natively, under qemu-i386 and under i386emu,
// side by side in one run, and prints guest MIPS and the ratios (medians of several runs).
// Usage: node scripts/bench.mjs [--runs N] [--iters N] [--prog PATH] [--x87] [--jit on|off|force]
//   --jit passes i386emu run --jit MODE (the block compiler; default: i386emu's own default)
//   --x87 runs the x87 mix (guest-programs/build/bench_x87, 280 iterations unless --iters)
//   --prog guest-programs/build/bench_faults   the page-fault and TLB mix (32 k faults)
// On a host that cannot run i386 binaries (no IA32 emulation, as in a PVM guest) the native
// row is an x86-64 build of the same source (guest-programs/src/bench.c, gcc -O2), labelled so:
// the same work, though not the same instructions (guest-programs/src/NAME.c for --prog .../NAME).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const args = process.argv.slice(2);
const opt = (name, def) => {
  const k = args.indexOf(name);
  return k >= 0 ? args[k + 1] : def;
};
const runs = Number(opt('--runs', '3'));
const x87 = args.includes('--x87');
const jit = opt('--jit', null);
const prog = opt('--prog', x87 ? 'guest-programs/build/bench_x87' : 'guest-programs/build/bench');
// --iters '' runs the program with no argument (its own default).
const iters = opt('--iters', prog === 'guest-programs/build/bench' ? '600' : prog === 'guest-programs/build/bench_x87' ? '280' : '');
const progArgs = iters ? [iters] : [];

if (!existsSync(prog)) {
  console.error(`bench: ${prog} is missing; run: bash guest-programs/build.sh`);
  process.exit(2);
}

// CPU time (user + sys, from /usr/bin/time) is what the ratios use: these machines are shared,
// and wall time mostly measures the neighbours. Wall time is reported beside it.
const haveTime = existsSync('/usr/bin/time');
function timeIt(cmd, argv) {
  const t0 = process.hrtime.bigint();
  const r = haveTime
    ? spawnSync('/usr/bin/time', ['-f', 'CPUTIME %U %S', cmd, ...argv], { encoding: 'utf8', maxBuffer: 64 << 20 })
    : spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 64 << 20 });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.error) return { error: r.error.message };
  let stderr = r.stderr;
  let cpu = wall;
  const m = /CPUTIME ([\d.]+) ([\d.]+)\s*$/.exec(stderr);
  if (m) {
    cpu = Number(m[1]) + Number(m[2]);
    stderr = stderr.slice(0, m.index);
  }
  return { s: cpu, wall, stdout: r.stdout, stderr, status: r.status };
}

const median = (xs) => {
  const a = [...xs].sort((x, y) => x - y);
  return a.length % 2 ? a[(a.length - 1) / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
};

// Native: the i386 binary itself when the host runs it, else an x86-64 build of its source.
let nativeCmd = prog;
let nativeLabel = 'native';
{
  const probe = spawnSync(prog, ['1'], { encoding: 'utf8' });
  const name = prog.replace(/^.*\//, '');
  if (probe.status !== 0) {
    const src = `guest-programs/src/${name}.c`;
    const bin = `guest-programs/build/${name}-x86_64`;
    // The x87 mix keeps its arithmetic on the x87 in the x86-64 build too (same roundings).
    const flags = name === 'bench_x87' ? ['-mfpmath=387'] : [];
    const b = existsSync(src) ? spawnSync('gcc', ['-O2', '-static', ...flags, '-o', bin, src], { encoding: 'utf8' }) : { status: 1 };
    if (b.status !== 0) {
      console.error(`bench: ${prog} does not run natively here and no x86-64 build of it can stand in`);
      process.exit(2);
    }
    nativeCmd = bin;
    nativeLabel = 'native (x86-64 build; this host cannot run i386)';
  }
}

const results = { native: [], qemu: [], emuWall: [], emuCpu: [], emuLoop: [] };
let insns = 0;
let expected = null;
const qemu = ['qemu-i386', 'qemu-i386-static'].find((q) => spawnSync('sh', ['-c', `command -v ${q}`]).status === 0);

for (let r = 0; r < runs; r++) {
  const n = timeIt(nativeCmd, progArgs);
  results.native.push(n.s);
  expected ??= n.stdout;
  if (qemu) {
    const q = timeIt(qemu, [prog, ...progArgs]);
    if (!q.error) results.qemu.push(q.s);
    if (q.stdout !== expected) console.error('bench: qemu output differs from native');
  }
  const e = timeIt(process.execPath, ['dist/i386emu.mjs', 'run', '--stats', ...(jit ? ['--jit', jit] : []), prog, ...progArgs]);
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
  results.emuWall.push(e.wall);
  results.emuCpu.push(e.s);
  results.emuLoop.push(Number(m[2]));
}

const nat = median(results.native);
const emu = median(results.emuCpu);
const emuWall = median(results.emuWall);
const emuRun = median(results.emuLoop);
const q = results.qemu.length ? median(results.qemu) : NaN;
const fmt = (x, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
console.log(`program: ${prog} ${progArgs.join(' ')}   runs: ${runs} (medians)`);
console.log(`guest instructions: ${insns}`);
console.log(haveTime ? 'times are CPU seconds (user + sys)' : 'times are wall seconds (/usr/bin/time missing)');
console.log('| runner | seconds | guest MIPS | slowdown vs native |');
console.log('|---|---|---|---|');
console.log(`| ${nativeLabel} | ${fmt(nat)} | ${nativeCmd === prog ? fmt(insns / nat / 1e6, 0) : 'n/a'} | 1.0x |`);
if (qemu) console.log(`| ${qemu} | ${fmt(q)} | ${fmt(insns / q / 1e6, 0)} | ${fmt(q / nat, 1)}x |`);
console.log(`| i386emu (whole process) | ${fmt(emu)} | ${fmt(insns / emu / 1e6, 1)} | ${fmt(emu / nat, 1)}x |`);
console.log(`| i386emu (guest run loop, wall) | ${fmt(emuRun)} | ${fmt(insns / emuRun / 1e6, 1)} | ${fmt(emuRun / nat, 1)}x |`);
console.log(`i386emu whole-process wall time: ${fmt(emuWall)} s`);
if (qemu) console.log(`i386emu / qemu-i386 time ratio: ${fmt(emu / q, 1)}x`);
