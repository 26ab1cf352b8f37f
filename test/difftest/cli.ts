// npm run difftest -- [--count N] [--seed S] [--coverage] [--len L] [--batch B]
//                     [--reports K] [--skip-known] [--skip a,b] [--only a,b] [--replay LINE]
// Exit status: 0 without mismatches, 1 with, 2 on a usage or harness error.
import { run, replay } from './difftest.js';
import { ensureDisassembler, formatMismatch, formatSummary } from './report.js';
import { knownSkips } from './knownFailing.js';
import { QEMU_REFERENCE, ensureHarness } from './native.js';
import { nativeI386Unavailable, x64Replay } from '../helpers/nativeI386.js';

const USAGE = `usage: npm run difftest -- [options]
  --count N       instructions to execute (default 100000)
  --seed S        random seed (default: time-based; printed)
  --len L         instructions per sequence, setup included (default 24)
  --batch B       sequences per native batch (default 1000)
  --coverage      print executed-instruction counts per opcode-table row
  --reports K     mismatches to print in full (default 20)
  --skip-known    do not generate the rows listed in test/difftest/knownFailing.ts
  --skip LIST     comma-separated row names or groups not to generate
  --only LIST     generate only these row names or groups
  --replay LINE   run one harness input line (printed with each reproducer) on both sides
  --jit force     also run each sequence through the block compiler (every block compiled on
                  its first run) and require the outcome of the interpreted block loop exactly`;

function main(argv: string[]): Promise<number> | number {
  let count = 100_000, seed = (Date.now() ^ (process.pid << 16)) >>> 0, len = 24, batch = 1000, reports = 20;
  let coverage = false, skipKnown = false, replayLine: string | null = null;
  let jit = process.env.I386EMU_JIT === 'force';
  const skip = new Set<string>(), only = new Set<string>();
  let noFault = new Set<string>();
  for (let k = 0; k < argv.length; k++) {
    const a = argv[k];
    const val = (): string => {
      const v = argv[++k];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const num = (): number => {
      const v = val();
      const n = Number(v.replace(/_/g, ''));
      if (!Number.isFinite(n) || n < 0) throw new Error(`${a}: not a number: ${v}`);
      return n;
    };
    switch (a) {
      case '--count': count = num(); break;
      case '--seed': seed = num() >>> 0; break;
      case '--len': len = num(); break;
      case '--batch': batch = num(); break;
      case '--reports': reports = num(); break;
      case '--coverage': coverage = true; break;
      case '--skip-known': skipKnown = true; break;
      case '--skip': for (const x of val().split(',')) skip.add(x.trim()); break;
      case '--only': for (const x of val().split(',')) only.add(x.trim()); break;
      case '--replay': replayLine = val(); break;
      case '--jit': {
        const v = val();
        if (v !== 'force' && v !== 'off') throw new Error('--jit takes force or off');
        jit = v === 'force';
        break;
      }
      case '-h': case '--help': console.log(USAGE); return 0;
      default: throw new Error(`unknown option ${a}\n${USAGE}`);
    }
  }
  if (skipKnown) {
    const k = knownSkips();
    for (const r of k.skip) skip.add(r);
    noFault = k.noFault;
  }
  const host = nativeI386Unavailable();
  if (QEMU_REFERENCE) console.log('difftest: the reference is qemu-i386 running the i386 harness (I386_REFERENCE), not the host CPU');
  else if (host !== null && !x64Replay()) throw new Error(`the reference is the host CPU running i386 code, and ${host}`);
  else if (host !== null) console.log(`difftest: ${host}; replaying in 64-bit mode the rows whose bytes mean the same there (test/difftest/longMode.ts)`);
  ensureHarness();
  return (async () => {
    await ensureDisassembler();
    if (replayLine !== null) {
      const r = replay(replayLine);
      console.log(formatMismatch({
        caseSeed: 0, name: '(replay)', group: '-', repro: r.c, units: [], native: r.native, emu: r.emu,
        diffs: r.diffs, undef: 0, shrunk: true,
      }, 0));
      console.log(r.diffs.length === 0 ? 'replay: no difference (no flags masked)' : `replay: ${r.diffs.length} differing fields (no flags masked)`);
      return r.diffs.length === 0 ? 0 : 1;
    }
    console.log(`difftest: seed ${seed}, ${count} instructions${skip.size ? `, skipping ${[...skip].join(', ')}` : ''}`);
    const s = run({
      count, seed, seqLen: len, batch, skip, only, noFault, maxReports: reports, jit,
      log: (line) => { if (process.stderr.isTTY) process.stderr.write(`\r${line}`); },
    });
    if (process.stderr.isTTY) process.stderr.write('\n');
    console.log(formatSummary(s, { coverage }));
    if (jit) {
      for (const r of s.jitReports) console.log(`block compiler mismatch: ${r}`);
      console.log(`difftest: block compiler (forced): ${s.jitSequences} sequences compiled and interpreted, ${s.jitMismatches} mismatches`);
    }
    return s.mismatches === 0 && s.jitMismatches === 0 ? 0 : 1;
  })();
}

try {
  const r = main(process.argv.slice(2));
  Promise.resolve(r).then((code) => { process.exitCode = code; }, (e) => {
    console.error(`difftest: ${e instanceof Error ? e.stack : e}`);
    process.exitCode = 2;
  });
} catch (e) {
  console.error(`difftest: ${e instanceof Error ? e.message : e}`);
  process.exitCode = 2;
}
