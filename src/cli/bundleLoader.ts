// The start of dist/i386emu.mjs: loads the CLI bundle (dist/i386emu.cjs, one CommonJS-format
// script) through vm.Script with a V8 code cache, so that a run deserializes the bytecode of
// the functions it needs instead of parsing 600 KB of JavaScript (Node 20 has no compile cache
// for ES modules). The cache is written once, at the exit of the first run of a build, and
// holds every function that run compiled; it lives in dist/.cache, or under $XDG_CACHE_HOME
// (~/.cache) when dist is read-only. A missing, stale or rejected cache only costs the parse:
// nothing here may fail a run. I386EMU_NO_CODE_CACHE=1 turns it off.
//
// Node's modules come from process.getBuiltinModule, not import statements: an ES module's
// import of a node: module builds a facade that reads every export, and node:fs's lazy
// ReadStream getter then loads Node's streams. Before Node 20.16, which lacks it, a require
// function stands in.
type Builtin = <T>(id: string) => T;
const builtin: Builtin = (process.getBuiltinModule as Builtin | undefined) ?? (await import('node:module')).createRequire(import.meta.url);
const { mkdirSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } = builtin<typeof import('node:fs')>('node:fs');
const { createRequire } = builtin<typeof import('node:module')>('node:module');
const { dirname, join } = builtin<typeof import('node:path')>('node:path');
const { fileURLToPath } = builtin<typeof import('node:url')>('node:url');
const { setFlagsFromString } = builtin<typeof import('node:v8')>('node:v8');
const { Script } = builtin<typeof import('node:vm')>('node:vm');

/** The bundle's content hash, put in by scripts/build.mjs: part of the cache file's name. */
declare const BUNDLE_ID: string;

// A larger interrupt budget lets V8 gather type feedback longer before optimizing: short runs
// (hello world) stop paying for optimizations they never use, long runs lose nothing. V8 keys
// code caches by its flags, so this comes before the bundle is compiled (and its cache made),
// and the bundle loads node: modules only after it: any that were not yet loaded are compiled
// from source, Node's own embedded cache no longer matching.
setFlagsFromString('--interrupt-budget=300000');

const distDir = dirname(fileURLToPath(import.meta.url));
const bundlePath = join(distDir, 'i386emu.cjs');
// V8 rejects a cache made under other flags: each Node version and set of Node options
// (--cpu-prof, NODE_OPTIONS...) keeps its own file instead of rewriting a shared one.
const cachePrefix = `i386emu-${BUNDLE_ID}-`;
const cacheName = `${cachePrefix}${process.version}-${process.arch}-${fnv1a(`${process.execArgv.join(' ')}|${process.env.NODE_OPTIONS ?? ''}`)}.v8cache`;
const cacheDirs = [join(distDir, '.cache')];
{
  const xdg = process.env.XDG_CACHE_HOME || (process.env.HOME ? join(process.env.HOME, '.cache') : '');
  if (xdg) cacheDirs.push(join(xdg, 'i386emu'));
}
const useCache = !process.env.I386EMU_NO_CODE_CACHE;

function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

function readCache(): Buffer | undefined {
  if (!useCache) return undefined;
  for (const dir of cacheDirs) {
    try {
      return readFileSync(join(dir, cacheName));
    } catch {
      // not there: try the next place
    }
  }
  return undefined;
}

/** Writes the cache atomically (several runs may race) to the first writable place. */
function writeCache(data: Buffer): void {
  for (const dir of cacheDirs) {
    try {
      mkdirSync(dir, { recursive: true });
      // Caches of other builds a week old go (several checkouts may share $XDG_CACHE_HOME).
      const old = Date.now() - 7 * 86400_000;
      for (const f of readdirSync(dir)) {
        const path = join(dir, f);
        try {
          if (f.startsWith('i386emu-') && !f.startsWith(cachePrefix) && statSync(path).mtimeMs < old) unlinkSync(path);
        } catch {
          // another run removed it first
        }
      }
      const tmp = join(dir, `${cacheName}.${process.pid}.tmp`);
      writeFileSync(tmp, data);
      renameSync(tmp, join(dir, cacheName));
      return;
    } catch {
      // unwritable: try the next place
    }
  }
}

// The bundle is ASCII (esbuild escapes everything else), so latin1 reads it without decoding.
// scripts/build.mjs wrapped it in the CommonJS function already: a wrapper added here would
// make a second, concatenated copy of the source for V8 to flatten.
const source = readFileSync(bundlePath, 'latin1');
const cachedData = readCache();
const script = new Script(source, { filename: bundlePath, cachedData });
if (useCache && (cachedData === undefined || script.cachedDataRejected === true)) {
  // At exit the cache also holds the functions this run compiled lazily, not only the top level.
  process.once('exit', () => writeCache(script.createCachedData()));
}
const bundle = { exports: {} as { cliMain(argv: string[]): void } };
(script.runInThisContext() as (...a: unknown[]) => void)(bundle.exports, createRequire(bundlePath), bundle, bundlePath, distDir);
bundle.exports.cliMain(process.argv.slice(2));
