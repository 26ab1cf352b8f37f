// npm run bench: runs the CPU-bound guest benchmark natively, under qemu-i386 and under i386emu,
// side by side in one run, and prints guest MIPS and the ratios (medians of several runs), then
// the real-world table (below).
// Usage: node scripts/bench.mjs [--runs N] [--iters N] [--prog PATH] [--x87] [--real] [--real-mib N] [--jit on|off|force]
//   --jit passes i386emu run --jit MODE (the block compiler; default: i386emu's own default)
//   --x87 runs the x87 mix (guest-programs/build/bench_x87, 280 iterations unless --iters)
//   --prog guest-programs/build/bench_faults   the page-fault and TLB mix (32 k faults)
//   --real runs only the real-world table: Debian's static i386 busybox (guest-programs/debian,
//          from scripts/fetch-debian.sh) `sha256sum` and `gzip -c` over --real-mib MiB (default
//          1) of deterministic text written to .bench/. Its native row is the host's own
//          sha256sum and gzip: the same work by other programs, so it has no MIPS figure.
//   --startup times the start-up instead: `i386emu run` of the static hello world, alternating
//          with `node -e 0` (Node's own start-up), wall and CPU medians of --runs (default 20)
// On a host that cannot run i386 binaries (no IA32 emulation, as in a PVM guest) the native
// row is an x86-64 build of the same source (guest-programs/src/bench.c, gcc -O2), labelled so:
// the same work, though not the same instructions (guest-programs/src/NAME.c for --prog .../NAME).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';

const args = process.argv.slice(2);
const opt = (name, def) => {
  const k = args.indexOf(name);
  return k >= 0 ? args[k + 1] : def;
};
const startup = args.includes('--startup');
const runs = Number(opt('--runs', startup ? '20' : '3'));
const x87 = args.includes('--x87');
const realOnly = args.includes('--real');
const jit = opt('--jit', null);
const prog = opt('--prog', x87 ? 'guest-programs/build/bench_x87' : 'guest-programs/build/bench');
// --iters '' runs the program with no argument (its own default).
const iters = opt('--iters', prog === 'guest-programs/build/bench' ? '600' : prog === 'guest-programs/build/bench_x87' ? '280' : '');
const progArgs = iters ? [iters] : [];
/** Options given to every i386emu run (before the program). */
const emuOptions = ['--stats', ...(jit ? ['--jit', jit] : [])];

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

/** i386emu on argv (program and its arguments): the timing and the guest's instruction count. */
function timeEmu(argv) {
  const e = timeIt(process.execPath, ['dist/i386emu.mjs', 'run', ...emuOptions, ...argv]);
  const m = /(\d+) instructions in ([\d.]+) s/.exec(e.stderr ?? '');
  if (!m) {
    console.error('bench: no stats line from i386emu:\n' + (e.stderr ?? e.error));
    process.exit(1);
  }
  return { ...e, insns: Number(m[1]), loop: Number(m[2]) };
}

const median = (xs) => {
  const a = [...xs].sort((x, y) => x - y);
  return a.length % 2 ? a[(a.length - 1) / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
};
const fmt = (x, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
const qemu = ['qemu-i386', 'qemu-i386-static'].find((q) => spawnSync('sh', ['-c', `command -v ${q}`]).status === 0);

if (startup) startupTable();
else {
  if (!realOnly) programTable();
  if (realOnly || (!x87 && !args.includes('--prog'))) realWorldTable();
}

function startupTable() {
  const hello = 'guest-programs/build/hello';
  const rows = [
    { name: 'node -e 0', cmd: [process.execPath, '-e', '0'], wall: [], cpu: [] },
    { name: `i386emu run ${hello}`, cmd: [process.execPath, 'dist/i386emu.mjs', 'run', hello], wall: [], cpu: [] },
  ];
  // One run first so that the code cache exists (a fresh build writes it at its first exit).
  timeIt(rows[1].cmd[0], rows[1].cmd.slice(1));
  for (let r = 0; r < runs; r++) {
    for (const row of rows) {
      const t = timeIt(row.cmd[0], row.cmd.slice(1));
      row.wall.push(t.wall);
      row.cpu.push(t.s);
    }
  }
  console.log(`start-up, ${runs} runs alternating (medians; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]} at the end)`);
  console.log('| command | wall ms | CPU ms |');
  console.log('|---|---|---|');
  for (const row of rows) console.log(`| ${row.name} | ${fmt(median(row.wall) * 1000, 0)} | ${fmt(median(row.cpu) * 1000, 0)} |`);
}

function programTable() {
  if (!existsSync(prog)) {
    console.error(`bench: ${prog} is missing; run: bash guest-programs/build.sh`);
    process.exit(2);
  }

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

  for (let r = 0; r < runs; r++) {
    const n = timeIt(nativeCmd, progArgs);
    results.native.push(n.s);
    expected ??= n.stdout;
    if (qemu) {
      const q = timeIt(qemu, [prog, ...progArgs]);
      if (!q.error) results.qemu.push(q.s);
      if (q.stdout !== expected) console.error('bench: qemu output differs from native');
    }
    const e = timeEmu([prog, ...progArgs]);
    if (e.stdout !== expected) {
      console.error('bench: i386emu output differs from native:\n' + e.stdout + e.stderr);
      process.exit(1);
    }
    insns = e.insns;
    results.emuWall.push(e.wall);
    results.emuCpu.push(e.s);
    results.emuLoop.push(e.loop);
  }

  const nat = median(results.native);
  const emu = median(results.emuCpu);
  const emuWall = median(results.emuWall);
  const emuRun = median(results.emuLoop);
  const q = results.qemu.length ? median(results.qemu) : NaN;
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
}

// ---- the real-world table -----------------------------------------------------------------

/** Deterministic text (words and numbers, about 4:1 under gzip), made once per size. */
function realInput(mib) {
  const path = `.bench/real-${mib}MiB.txt`;
  if (existsSync(path)) return path;
  mkdirSync('.bench', { recursive: true });
  const words = ['the', 'emulator', 'page', 'frame', 'table', 'kernel', 'signal', 'vector', 'x87', 'busybox', 'gzip',
    'sha256', 'memory', 'fault', 'block', 'decode', 'instruction', 'register', 'segment', 'process'];
  let seed = 12345;
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8;
  const size = Math.round(mib * 1048576);
  const lines = [];
  for (let n = 0; n < size; ) {
    const line = [];
    for (let k = 3 + (rand() % 10); k > 0; k--) line.push(rand() % 5 === 0 ? String(rand() % 100000) : words[rand() % words.length]);
    const l = line.join(' ') + '\n';
    lines.push(l);
    n += l.length;
  }
  writeFileSync(path, lines.join('').slice(0, size));
  return path;
}

function realWorldTable() {
  const busybox = 'guest-programs/debian/busybox-static/bin/busybox';
  if (!existsSync(busybox)) {
    console.error(`bench: ${busybox} is missing (bash scripts/fetch-debian.sh); no real-world table`);
    if (realOnly) process.exit(2);
    return;
  }
  const mib = Number(opt('--real-mib', '1'));
  const input = realInput(mib);
  const digest = (s) => createHash('sha256').update(s, 'latin1').digest('hex');
  const hostDigest = digest(readFileSync(input, 'latin1'));
  const tasks = [
    // sha256sum's output is checked against the digest computed here; gzip's against qemu's.
    { name: `sha256sum (${mib} MiB)`, applet: ['sha256sum', input], native: ['sha256sum', [input]], check: (out) => out.startsWith(hostDigest) },
    { name: `gzip -c (${mib} MiB)`, applet: ['gzip', '-c', input], native: ['gzip', ['-c', input]], check: null },
  ];
  if (!realOnly) console.log('');
  console.log(`real world: Debian's static i386 busybox over ${input}   runs: ${runs} (medians)`);
  console.log(haveTime ? 'times are CPU seconds (user + sys)' : 'times are wall seconds (/usr/bin/time missing)');
  console.log("native: the host's own sha256sum and gzip (x86-64 coreutils and GNU gzip): the same work, other programs");
  console.log('| work | native | qemu-i386 | i386emu | guest instructions | i386emu MIPS | qemu MIPS | i386emu / qemu |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const t of tasks) {
    const res = { native: [], qemu: [], emu: [] };
    let insns = 0;
    for (let r = 0; r < runs; r++) {
      res.native.push(timeIt(t.native[0], t.native[1]).s);
      let qemuOut = null;
      if (qemu) {
        const q = timeIt(qemu, [busybox, ...t.applet]);
        if (!q.error) res.qemu.push(q.s);
        qemuOut = q.stdout;
      }
      const e = timeEmu([busybox, ...t.applet]);
      const ok = t.check ? t.check(e.stdout) : qemuOut === null || digest(e.stdout) === digest(qemuOut);
      if (e.status !== 0 || !ok) {
        console.error(`bench: i386emu's ${t.name} output is wrong (status ${e.status}):\n${e.stderr}`);
        process.exit(1);
      }
      insns = e.insns;
      res.emu.push(e.s);
    }
    const n = median(res.native), q = res.qemu.length ? median(res.qemu) : NaN, e = median(res.emu);
    // /usr/bin/time counts in 10 ms steps.
    const nat = n < 0.01 ? '< 0.010' : fmt(n);
    console.log(`| ${t.name} | ${nat} | ${fmt(q)} | ${fmt(e)} | ${insns} | ${fmt(insns / e / 1e6, 1)} | ${fmt(insns / q / 1e6, 0)} | ${fmt(e / q, 1)}x |`);
  }
}
