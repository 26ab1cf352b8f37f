// Bundles the CLI into one runnable file, dist/i386emu.mjs. capstone-wasm stays external so its
// .wasm is found next to its own module and loaded only when something disassembles.
import { build } from 'esbuild';
import { chmodSync } from 'node:fs';

await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/i386emu.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  external: ['capstone-wasm'],
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __i386emuCreateRequire } from 'node:module';\nconst require = __i386emuCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
chmodSync('dist/i386emu.mjs', 0o755);
