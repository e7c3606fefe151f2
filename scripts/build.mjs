// Bundles src/ into dist/ with esbuild: ESM, split into chunks so each command and front end
// is loaded only when used. Runtime dependencies stay external (resolved from node_modules).
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const started = performance.now();
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
  // sql-worker: the worker threads of engine/sql-workers.ts load it by this name, beside the chunks.
  entryPoints: { cli: 'src/cli.ts', index: 'src/index.ts', eslint: 'src/eslint/index.ts', 'sql-worker': 'src/engine/sql-worker.ts' },
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
// The cache (src/cache) keys every entry by this hash of the bundle: a rebuild from changed
// sources never reads what the previous build stored.
const dist = new URL('../dist/', import.meta.url);
const hash = createHash('sha1');
for (const name of readdirSync(dist).filter((n) => n.endsWith('.js')).sort()) hash.update(name).update(readFileSync(new URL(name, dist)));
writeFileSync(new URL('build-id.txt', dist), `${hash.digest('hex')}\n`);
// Progress goes to stderr: `npm pack` runs this as prepack/prepare, and whoever reads pack's stdout
// (pre-commit's node support) takes all of it as the tarball's file name.
if (process.env.MIGRALINT_BUILD_QUIET !== '1') {
  console.error(`built dist/ in ${Math.round(performance.now() - started)} ms`);
}
