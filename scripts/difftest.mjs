// npm run difftest -- --count N --seed S [--coverage] ...: the random-sequence differential
// tester (test/difftest/). Bundles test/difftest/cli.ts with esbuild into dist/ and runs it.
import { build } from 'esbuild';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outfile = root + 'dist/difftest.mjs';
await build({
  entryPoints: [root + 'test/difftest/cli.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['capstone-wasm'],
  banner: { js: "import { createRequire as __difftestCreateRequire } from 'node:module'; const require = __difftestCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
await import(pathToFileURL(outfile).href);
