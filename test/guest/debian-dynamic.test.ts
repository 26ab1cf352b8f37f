// Debian's own dynamically linked i386 programs (scripts/fetch-debian.sh unpacks them into
// guest-programs/debian/PACKAGE and merges them with their libraries into
// guest-programs/debian/sysroot): lua5.4, sqlite3, bash and busybox, run through Debian's
// ld-linux.so.2 on the reference and under the emulator, from the repository root with the
// same arguments, environment and stdin; stdout and the exit status must be identical.
//
// The emulator runs each case with `--sysroot guest-programs/debian/sysroot` (interpreter and
// libraries all from the extracted packages); the `hostLibc` cases run it without a sysroot,
// on the host's libc6-i386 (/lib/ld-linux.so.2, /usr/lib32) with the extracted libraries'
// directories in LD_LIBRARY_PATH. The reference is the host when it runs i386 code (with the
// same LD_LIBRARY_PATH), else qemu-i386 through a private binfmt_misc
// (test/helpers/execReference.ts) with QEMU_LD_PREFIX naming the sysroot, so that the
// programs the shells start run under it too.
//
// Shell scripts reach busybox's applets through guest-programs/debian/applets (links made by
// fetch-debian.sh) by PATH=$PWD/...: "/" on the emulator (whose root is the repository) and
// the repository's host path on the reference. They read the fixture tree
// test/fixtures/debian-tree. A case with `pending` needs what the emulator cannot do yet; its
// reference run is still checked and the comparison is an it.todo (DEBIAN_TESTS_ALL=1 runs
// them as real tests).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeRun as describeRunFor, execReference, firstDifference, limited, runCommand, type RunResult } from '../helpers/execReference.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const EMU = 'dist/i386emu.mjs';
const TIMEOUT_MS = 120_000;
const RUN_PENDING = process.env.DEBIAN_TESTS_ALL === '1';
const DEB = 'guest-programs/debian/';
const SYSROOT = DEB + 'sysroot';
const LUA = DEB + 'lua5.4/usr/bin/lua5.4';
const SQLITE = DEB + 'sqlite3/usr/bin/sqlite3';
const BASH = DEB + 'bash/bin/bash';
const BUSYBOX = DEB + 'busybox/bin/busybox';
/** Where the extracted library packages (all but libc6, which the host's libc6-i386 replaces) keep their libraries. */
const LIB_DIRS = ['libreadline8', 'libtinfo6', 'libsqlite3-0', 'zlib1g']
  .flatMap((p) => ['/lib/i386-linux-gnu', '/usr/lib/i386-linux-gnu'].map((d) => `${DEB}${p}${d}`))
  .filter((d) => existsSync(ROOT + d));
const ENV: Record<string, string> = { PATH: '/usr/bin:/bin', LC_ALL: 'C', TZ: 'UTC' };
/** Prefix of every shell script: busybox's applets on PATH, the fixture tree as cwd. */
const IN_TREE = 'PATH=$PWD/guest-programs/debian/applets; cd test/fixtures/debian-tree || exit 9; ';
/** Prefix of a script that creates files: a directory of its own in the repository root, removed at the end. */
// $RANDOM too, not $$ alone: the emulator's pids are the same on every run, and cases run side by side.
const IN_NEW_DIR = 'PATH=$PWD/guest-programs/debian/applets; d=$PWD/tmp-debian-$$-$RANDOM$RANDOM; mkdir $d && cd $d || exit 9; trap "rm -rf $d" EXIT; ';

interface DebCase {
  name: string;
  prog: string;
  args: string[];
  stdin?: string;
  /** Exit status of the reference run (a broken case fails instead of passing vacuously). */
  status?: number;
  /** Also run on the host's libc6-i386 instead of the sysroot. */
  hostLibc?: boolean;
  /** Why the emulator cannot run this case yet; delete the field once it can. */
  pending?: string;
}

const LUA_STRINGS = `local s = "Hello, World"
print(s:upper(), s:lower(), #s, s:rep(2, "-"), s:sub(3, 7), s:byte(1), string.char(72, 105))
print(string.format("%5.2f|%-5d|%x|%q|%g|%.17g", math.pi, 42, 255, "a\\nb", 1e100, 0.1))
for w in string.gmatch("one two three", "%a+") do io.write(w, ";") end print()
print(string.gsub("hello world", "o", "0"))
print(("key=val"):match("(%w+)=(%w+)"))
print(("abcabc"):find("ca", 1, true), ("%d"):rep(3), utf8.char(228, 8364), utf8.len("\\u{e4}\\u{f6}"))`;
const LUA_TABLES = `local t = {} for i = 1, 10 do t[#t + 1] = i * i end
table.sort(t, function(a, b) return a > b end) print(table.concat(t, ","))
table.insert(t, 1, 0) print(table.remove(t), #t, table.unpack({1, 2, 3}))
local m = setmetatable({}, {__index = function(_, k) return k .. "!" end, __len = function() return 42 end})
print(m.x, #m)
local keys = {} for k in pairs({a = 1, b = 2, c = 3}) do keys[#keys + 1] = k end table.sort(keys) print(table.concat(keys))
local big = {} for i = 1, 100000 do big[i] = i % 7 end local n = 0 for _, v in ipairs(big) do n = n + v end print(n)
print(select("#", 1, nil, 3), table.pack(1, 2, nil).n, next({}))`;
const LUA_MATH = `print(math.floor(3.7), math.ceil(3.2), math.max(1, 9, 3), math.sqrt(2), math.sin(1), math.exp(1), math.log(10, 2))
print(7 // 2, 7 % 3, -7 // 2, -7 % 3, 7.5 // 2, 2^0.5, math.tointeger(3.0), math.maxinteger, math.mininteger, math.maxinteger + 1 == math.mininteger)
print(1/0, -1/0, 0/0 ~= 0/0, 3 & 5, 3 | 5, 3 ~ 5, ~0, 1 << 62, 256 >> 4, 10 / 3, math.fmod(-7, 3), math.abs(-2^63))
print(string.format("%.14g %.14g %.14g", math.atan(1, 2), math.cos(0.5), math.tan(1.2)), math.ult(1, -1), 2^53 + 1)
math.randomseed(42) print(math.random(1, 1000) >= 1)`;
const LUA_CLOSURES = `local function counter() local n = 0 return function() n = n + 1 return n end end
local c1, c2 = counter(), counter() c1() c1() print(c1(), c2())
local co = coroutine.wrap(function(a) local b = coroutine.yield(a + 1) return b * 2 end) print(co(1), co(10))
local gen = coroutine.create(function() for i = 1, 3 do coroutine.yield(i) end end)
while true do local ok, v = coroutine.resume(gen) if not v then break end io.write(v, " ") end print(coroutine.status(gen))
local fib; fib = function(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end print(fib(24))
print(pcall(error, "boom"), pcall(function() local x = nil; return x.y end))
local adders = {} for i = 1, 3 do adders[i] = function(x) return x + i end end print(adders[1](10), adders[3](10))
print(load("return 6 * 7")(), string.dump ~= nil, os.time{year = 2020, month = 1, day = 1, hour = 0}, os.date("!%Y-%m-%d %H:%M", 86400 * 365))`;

const SQL_MEMORY = `CREATE TABLE emp(id INTEGER PRIMARY KEY, name TEXT, dept TEXT, salary REAL);
INSERT INTO emp(name, dept, salary) VALUES ('ann','eng',120.5),('bob','eng',99),('cid','ops',75.25),('dee','ops',80),('eve','mgmt',200);
SELECT dept, count(*), sum(salary), avg(salary), min(name), max(salary) FROM emp GROUP BY dept ORDER BY dept;
SELECT total(salary), group_concat(name, '|'), round(avg(salary), 3), 7/2, 7.0/2, 1e308*10, typeof(1.5) FROM emp;
UPDATE emp SET salary = salary * 1.1 WHERE dept = 'ops'; DELETE FROM emp WHERE name = 'bob';
SELECT name, printf('%.4f', salary) FROM emp ORDER BY salary DESC;
`;
const SQL_MODES = `CREATE TABLE t(a INTEGER, b TEXT, c REAL);
INSERT INTO t VALUES (1, 'x', 1.5), (2, 'yy', NULL), (3, 'z"q', -0.25);
.mode column
.headers on
SELECT a, b, c FROM t;
.mode csv
SELECT * FROM t;
.mode json
SELECT a, b, upper(b) AS u, hex(b) AS h FROM t;
.mode line
SELECT count(*) AS n, sum(a) AS s FROM t;
.mode list
.headers off
SELECT name, rank() OVER (ORDER BY x DESC) FROM (SELECT b AS name, a * 10 AS x FROM t);
CREATE INDEX ib ON t(b);
EXPLAIN QUERY PLAN SELECT * FROM t WHERE b = 'x';
`;
const SQL_CTE = `WITH RECURSIVE fib(n, a, b) AS (SELECT 1, 0, 1 UNION ALL SELECT n + 1, b, a + b FROM fib WHERE n < 60)
SELECT n, a FROM fib WHERE n % 10 = 0;
WITH RECURSIVE cnt(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM cnt WHERE x < 10000)
SELECT count(*), sum(x), avg(x), max(x) FROM cnt;
WITH sq AS (SELECT value AS v FROM json_each('[3,1,4,1,5,9,2,6]')) SELECT group_concat(v * v, ' ') FROM (SELECT v FROM sq ORDER BY v);
SELECT datetime(0, 'unixepoch'), date('2024-02-28', '+1 day'), julianday('2000-01-01'), strftime('%j', '2023-12-31');
`;

const CASES: DebCase[] = [
  { name: 'lua5.4 -e print(1+1)', prog: LUA, args: ['-e', 'print(1+1)'], hostLibc: true },
  { name: 'lua5.4 -v', prog: LUA, args: ['-v'] },
  { name: 'lua5.4: strings', prog: LUA, args: ['-e', LUA_STRINGS] },
  { name: 'lua5.4: tables', prog: LUA, args: ['-e', LUA_TABLES] },
  { name: 'lua5.4: math', prog: LUA, args: ['-e', LUA_MATH], hostLibc: true },
  { name: 'lua5.4: closures and coroutines', prog: LUA, args: ['-e', LUA_CLOSURES] },
  { name: 'lua5.4: script from stdin', prog: LUA, args: ['-'], stdin: LUA_CLOSURES },
  { name: 'lua5.4: error exit', prog: LUA, args: ['-e', 'io.write("before\\n") error("bad")'], status: 1 },
  { name: 'lua5.4: io.lines of a file', prog: LUA, args: ['-e', 'local n = 0 for l in io.lines("test/fixtures/debian-tree/fruits.txt") do n = n + 1 print(n, l:upper()) end'] },
  { name: 'sqlite3: in-memory CREATE, INSERT, SELECT, aggregates', prog: SQLITE, args: [':memory:'], stdin: SQL_MEMORY, hostLibc: true },
  { name: 'sqlite3: .mode column/csv/json/line/list', prog: SQLITE, args: [':memory:'], stdin: SQL_MODES },
  { name: 'sqlite3: CTEs, JSON, dates', prog: SQLITE, args: [':memory:'], stdin: SQL_CTE },
  { name: 'sqlite3 -version', prog: SQLITE, args: ['-version'] },
  { name: 'sqlite3: SQL on the command line', prog: SQLITE, args: ['-csv', ':memory:', 'SELECT 1, \'a\', 2.5; SELECT sqlite_version() IS NOT NULL'] },
  { name: 'sqlite3: an SQL error', prog: SQLITE, args: [':memory:', 'SELECT 6 * 7; SELECT nosuch FROM nowhere; SELECT 1'], status: 1 },
  {
    name: 'bash: ls -l, find, sort, sed, tar t of the fixture tree', prog: BASH, hostLibc: true,
    args: ['-c', IN_TREE + 'ls -ln; ls -lnR sub; find . -type f | sort; sort -k2n sub/pairs.txt; sed -n "s/a/A/gp" fruits.txt; tar tvf archive.tar; tar tzf archive.tar.gz'],
  },
  {
    name: 'bash: pipelines, substitutions, loops over files', prog: BASH,
    args: ['-c', IN_TREE + 'sort fruits.txt | uniq -c | sort -rn; n=$(find . | wc -l); echo "$n entries"; for f in $(find sub -name "*.txt" | sort); do echo "$f: $(wc -l < $f) lines, $(md5sum < $f | cut -c1-8)"; done; declare -A sizes; for f in *; do sizes[$f]=$(stat -c %s "$f"); done; for k in $(printf "%s\\n" "${!sizes[@]}" | sort); do echo "$k=${sizes[$k]}"; done'],
  },
  {
    name: 'bash: functions, read loop, case, here-doc', prog: BASH,
    args: ['-c', IN_TREE + 'total() { local s=0; while read -r name n; do case $name in a*|e*) s=$((s + n));; esac; done; echo $s; }; total < sub/pairs.txt; cat <<EOF | sed "s/^/> /"\nfirst $((6*7))\n$(head -2 fruits.txt | tr "\\n" " ")\nEOF\nawk \'{ print NR": "$1 }\' sub/pairs.txt | tail -2'],
  },
  {
    name: 'busybox sh: ls -l, find, sort, sed, tar t of the fixture tree', prog: BUSYBOX,
    args: ['sh', '-c', IN_TREE + 'ls -ln; find . -name "*.txt" | sort; find . -type d | sort; sort -k2n sub/pairs.txt; sed -n "s/a/A/gp" fruits.txt; tar tvf archive.tar; tar tzf archive.tar.gz; du -s sub; stat -c "%n %s %a" fruits.txt sub/deeper/run.sh'],
  },
  {
    name: 'busybox sh: pipelines and arithmetic', prog: BUSYBOX,
    args: ['sh', '-c', IN_TREE + 'sort fruits.txt | uniq -c | sort -rn; cat sub/deeper/fox.txt | wc -w; md5sum fruits.txt; awk "{s+=\\$2} END {print s}" sub/pairs.txt; for f in *; do echo "[$f]"; done; x=$(ls | wc -l); echo $((x * 7))'],
  },
  {
    name: 'sqlite3: a file database created, closed and reopened', prog: BASH,
    args: ['-c', IN_NEW_DIR + 'q=$OLDPWD/' + SQLITE + '; $q t.db "CREATE TABLE kv(k TEXT PRIMARY KEY, v INTEGER); INSERT INTO kv VALUES (\'a\', 1), (\'b\', 2);" && $q t.db "INSERT INTO kv VALUES (\'c\', 3); SELECT k, v FROM kv ORDER BY k; SELECT sum(v) FROM kv;" && $q t.db "PRAGMA integrity_check; SELECT count(*) FROM kv;"; ls t.db'],
  },
  {
    name: 'bash: a directory tree created, listed, archived and removed', prog: BASH,
    args: ['-c', IN_NEW_DIR + 'mkdir -p a/b/c; for i in 1 2 3; do echo "line $i" > a/b/f$i.txt; done; printf "%s\\n" z y x > a/list; sort a/list > a/sorted; sed -i "s/line/LINE/" a/b/f2.txt; cat a/b/f2.txt a/sorted; find a | sort; ls -ln a/b | awk \'NR > 1 { print $1, ($1 ~ /^d/ ? "dir" : $5), $NF }\'; tar cf t.tar a; rm -r a; tar xf t.tar; tar tf t.tar | sort; mv a/b/f1.txt a/moved; ls a; rm -rf a t.tar; ls'],
  },
  {
    name: 'busybox sh: files created, edited with sed -i, extracted with tar x', prog: BUSYBOX,
    args: ['sh', '-c', IN_NEW_DIR + 'tar xf $OLDPWD/test/fixtures/debian-tree/archive.tar; find tree | sort; sed -i "s/apple/APPLE/" tree/fruits.txt; cat tree/fruits.txt; echo new > tree/new.txt; ls tree; gzip tree/new.txt; ls tree; rm -r tree; ls'],
  },
];

const REF = execReference();
const missing = [...new Set(CASES.map((c) => c.prog)), SYSROOT].filter((p) => !existsSync(ROOT + p));
const SKIP = missing.length > 0
  ? `${missing.join(', ')} missing: run "bash scripts/fetch-debian.sh"`
  : typeof REF === 'string' ? REF : null;
if (SKIP) console.warn(`Debian dynamic program tests skipped: ${SKIP}`);
/** The host's libc6-i386, which the hostLibc cases run on. */
const HOST_LIBC = existsSync('/lib/ld-linux.so.2') ? null : 'the host has no /lib/ld-linux.so.2 (apt-get install libc6-i386)';

/** The environment of the reference run: the sysroot's libraries. */
function referenceEnv(): Record<string, string> {
  const ref = REF as Exclude<typeof REF, string>;
  if (ref.name === 'native') return { ...ENV, LD_LIBRARY_PATH: LIB_DIRS.map((d) => ROOT + d).join(':') };
  return { ...ENV, QEMU_LD_PREFIX: ROOT + SYSROOT };
}


const refRuns = new Map<DebCase, Promise<RunResult>>();
function runReference(c: DebCase): Promise<RunResult> {
  let p = refRuns.get(c);
  if (!p) {
    const [cmd, args, env] = (REF as Exclude<typeof REF, string>).command(c.prog, c.args, referenceEnv());
    p = limited(() => runCommand(cmd, args, env, c.stdin ?? '', TIMEOUT_MS));
    refRuns.set(c, p);
  }
  return p;
}

const describeRun = (r: RunResult): string => describeRunFor(r, TIMEOUT_MS);

/** The reference run must end with the case's status and print something. */
async function checkReference(c: DebCase): Promise<RunResult> {
  const r = await runReference(c);
  expect(r.error, `reference did not start: ${r.error?.message}`).toBeUndefined();
  expect(r.status, `reference run of ${c.name}: ${describeRun(r)}\n${r.stderr.slice(-1500)}`).toBe(c.status ?? 0);
  expect(r.stdout.length, `the reference printed nothing: ${r.stderr.slice(-500)}`).toBeGreaterThan(0);
  return r;
}

async function checkEmulator(c: DebCase, hostLibc: boolean): Promise<void> {
  const ref = await checkReference(c);
  const opts = hostLibc ? [] : ['--sysroot', SYSROOT];
  const env = hostLibc ? { ...ENV, LD_LIBRARY_PATH: LIB_DIRS.join(':') } : ENV;
  const emu = await limited(() => runCommand(process.execPath, [EMU, 'run', ...opts, '--', c.prog, ...c.args], env, c.stdin ?? '', TIMEOUT_MS));
  const context =
    `${c.name}\n  reference: ${describeRun(ref)}, ${ref.stdout.length} bytes of stdout\n` +
    `  emulator: ${describeRun(emu)}, ${emu.stdout.length} bytes of stdout\n` +
    `  ${firstDifference(ref.stdout, emu.stdout)}\n` +
    `  emulator stderr (last 1500 chars):\n${emu.stderr.slice(-1500)}\n` +
    `  reproduce: cd ${ROOT} && env -i ${Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ')} ${process.execPath} ${EMU} run ${opts.join(' ')} -- ${c.prog} ${c.args.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ')}`;
  expect(emu.stdout === ref.stdout && emu.status === ref.status && !emu.signal, context).toBe(true);
}

describe.skipIf(SKIP !== null)(`Debian dynamic i386 programs: ${SKIP === null ? (REF as Exclude<typeof REF, string>).name : 'reference'} vs emulator${SKIP ? ` (skipped: ${SKIP})` : ''}`, () => {
  it('the emulator bundle is there', () => {
    expect(existsSync(ROOT + EMU), `${EMU} is missing: run "node scripts/build.mjs"`).toBe(true);
  });
  it('a tree of extracted packages as --root and --sysroot: /usr/bin/lua5.4 -e print(1+1) prints 2', async () => {
    const r = await runCommand(process.execPath, [EMU, 'run', '--root', SYSROOT, '--sysroot', SYSROOT, '/usr/bin/lua5.4', '-e', 'print(1+1)'], ENV, '', TIMEOUT_MS);
    expect({ stdout: r.stdout, status: r.status, stderr: r.stderr }).toEqual({ stdout: '2\n', status: 0, stderr: '' });
    const q = await runCommand(process.execPath, [EMU, 'run', '--root', SYSROOT, '--sysroot', SYSROOT, '/bin/bash', '-c', 'echo $0; /usr/bin/sqlite3 :memory: "SELECT 6 * 7"'], { ...ENV, HOME: '/' }, '', TIMEOUT_MS);
    expect({ stdout: q.stdout, status: q.status, stderr: q.stderr }).toEqual({ stdout: '/bin/bash\n42\n', status: 0, stderr: '' });
  }, 2 * TIMEOUT_MS);
  for (const c of CASES) {
    if (c.pending && !RUN_PENDING) {
      it.concurrent(`${c.name} (reference only)`, async () => {
        await checkReference(c);
      }, TIMEOUT_MS + 10_000);
      it.todo(`${c.name} on the emulator: ${c.pending}`);
      continue;
    }
    it.concurrent(`${c.name} (--sysroot)`, () => checkEmulator(c, false), 2 * TIMEOUT_MS + 10_000);
    if (c.hostLibc) {
      it.skipIf(HOST_LIBC !== null).concurrent(`${c.name} (host libc6-i386, LD_LIBRARY_PATH)${HOST_LIBC ? ` (skipped: ${HOST_LIBC})` : ''}`,
        () => checkEmulator(c, true), 2 * TIMEOUT_MS + 10_000);
    }
  }
});
