// Bundles the CLI into dist/i386emu.mjs. The debugger and the gdb stub go into chunks under
// dist/chunks/ that `debug` and `run --gdb` import on demand, so `run` starts without parsing
// them. capstone-wasm stays external so its .wasm is found next to its own module and loaded
// only when something disassembles.
import { build } from 'esbuild';
import { chmodSync, rmSync } from 'node:fs';

rmSync('dist/chunks', { recursive: true, force: true });

await build({
  entryPoints: ['src/cli/main.ts'],
  outdir: 'dist',
  entryNames: 'i386emu',
  chunkNames: 'chunks/[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  splitting: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  // Whitespace and syntax only (names stay): V8 reads a third less source at every start-up.
  minifyWhitespace: true,
  minifySyntax: true,
  external: ['capstone-wasm'],
  banner: {
    // A larger interrupt budget lets V8 gather type feedback longer before optimizing: short
    // runs (hello world) stop paying for optimizations they never use, long runs lose nothing.
    js: "#!/usr/bin/env node\nimport { createRequire as __i386emuCreateRequire } from 'node:module';\nimport { setFlagsFromString as __i386emuV8Flags } from 'node:v8';\n__i386emuV8Flags('--interrupt-budget=300000');\nconst require = __i386emuCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
chmodSync('dist/i386emu.mjs', 0o755);
