// Bundles src/ into dist/ with esbuild: ESM, split into chunks so each command and front end
// is loaded only when used. Runtime dependencies stay external (resolved from node_modules).
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const started = performance.now();
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: { cli: 'src/cli.ts', index: 'src/index.ts', eslint: 'src/eslint/index.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  // typescript is loaded by cosmiconfig only for a .ts config file, from the user's project;
  // eslint and @typescript-eslint/parser (dist/eslint.js) are the user's (peer dependencies).
  external: [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {}), 'typescript'],
  define: { __MIGRALINT_VERSION__: JSON.stringify(pkg.version) },
  // Generated ajv validators are CommonJS and require() ajv's runtime helpers.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
});
// Progress goes to stderr: `npm pack` runs this as prepack/prepare, and whoever reads pack's stdout
// (pre-commit's node support) takes all of it as the tarball's file name.
if (process.env.MIGRALINT_BUILD_QUIET !== '1') {
  console.error(`built dist/ in ${Math.round(performance.now() - started)} ms`);
}
