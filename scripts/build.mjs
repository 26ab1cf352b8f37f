// Bundles the CLI: dist/i386emu.cjs holds the whole command line as one CommonJS-format script
// (the debugger, the gdb stub and the other commands are modules it initializes only when they
// are imported, so `run` does not execute them), and dist/i386emu.mjs is the small entry that
// loads it through a V8 code cache (src/cli/bundleLoader.ts). capstone-wasm stays external so
// its .wasm is found next to its own module and loaded only when something disassembles.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { chmodSync, readFileSync, rmSync } from 'node:fs';

// Earlier layouts (an ES module bundle with chunks) and caches of earlier builds.
rmSync('dist/chunks', { recursive: true, force: true });
rmSync('dist/.cache', { recursive: true, force: true });

// elfy requires node:assert at load (about 4 ms of start-up: Node compiles five modules) and
// uses it only to check section string tables, which the kernel never parses: the bundle gives
// it a stand-in that loads node:assert on first use.
const lazyAssertForElfy = {
  name: 'lazy-assert-for-elfy',
  setup(b) {
    b.onResolve({ filter: /^assert$/ }, (args) =>
      /[\\/]node_modules[\\/]elfy[\\/]/.test(args.importer) ? { path: 'assert', namespace: 'lazy-assert' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'lazy-assert' }, () => ({
      contents:
        "let a; const load = () => (a ??= require('node:assert'));\n" +
        'module.exports = new Proxy(function () {}, { apply: (_, t, args) => load()(...args), get: (_, k) => load()[k] });\n',
      loader: 'js',
    }));
  },
};

await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/i386emu.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'linked',
  // Minified, local names too (property names stay; nothing reads a function's or class's
  // .name): every start-up reads the bundle into a string of its size.
  minifyWhitespace: true,
  minifySyntax: true,
  minifyIdentifiers: true,
  // The CommonJS wrapper the loader compiles the bundle as (its source maps count it).
  banner: { js: '(function (exports, require, module, __filename, __dirname) {' },
  footer: { js: '})' },
  external: ['capstone-wasm'],
  // import() would need a dynamic-import callback the vm.Script cannot keep through a code
  // cache: capstone-wasm is required (its CommonJS build) when first used instead.
  supported: { 'dynamic-import': false },
  plugins: [lazyAssertForElfy],
  // import.meta is empty in a CommonJS-format bundle: code that needs its own URL must not
  // build into a CLI that quietly lacks it.
  logOverride: { 'empty-import-meta': 'error' },
  logLevel: 'warning',
});

const bundleId = createHash('sha256').update(readFileSync('dist/i386emu.cjs')).digest('hex').slice(0, 16);

await build({
  entryPoints: ['src/cli/bundleLoader.ts'],
  outfile: 'dist/i386emu.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  define: { BUNDLE_ID: JSON.stringify(bundleId) },
  banner: { js: '#!/usr/bin/env node' },
  logLevel: 'warning',
});
chmodSync('dist/i386emu.mjs', 0o755);
