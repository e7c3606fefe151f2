// Bundles src/ into dist/ with esbuild, in two shapes:
// - ESM, split into chunks so each part is loaded only when used: the library API (index.js), the
//   ESLint plugin (eslint.js) and the SQL worker threads (sql-worker.js).
// - The command line as one CommonJS file, dist/cli.cjs, that bin/migralint.js compiles through
//   vm.Script with a V8 code cache (src/code-cache.ts, built to dist/code-cache.cjs): Node 20 has no
//   cache for ES modules, and one script with its compiled code cached starts faster than ~40
//   chunks compiled on every run (docs/cache.md, "Start-up").
// Runtime dependencies stay external (resolved from node_modules), except py-ast, a pure
// JavaScript parser that every Alembic run loads: inside the bundle its compiled code is cached too.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const started = performance.now();
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
// typescript is loaded by cosmiconfig only for a .ts config file, from the user's project;
// eslint and @typescript-eslint/parser (dist/eslint.js) are the user's (peer dependencies).
const external = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {}), 'typescript'];
const define = { __MIGRALINT_VERSION__: JSON.stringify(pkg.version) };
await build({
  // sql-worker: the worker threads of engine/sql-workers.ts load it by this name, beside the chunks.
  entryPoints: { index: 'src/index.ts', eslint: 'src/eslint/index.ts', 'sql-worker': 'src/engine/sql-worker.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  external,
  define,
  // Generated ajv validators are CommonJS and require() ajv's runtime helpers.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  logLevel: 'warning',
});

const cli = await build({
  entryPoints: ['src/cli.ts'],
  outfile: 'dist/cli.cjs',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  metafile: true,
  write: false,
  // Fewer bytes to read on every run (comments go too); identifiers stay, for stack traces.
  minifyWhitespace: true,
  external: external.filter((d) => d !== 'py-ast'),
  // The loader passes the bundle's own URL (workers and build-id.txt are found beside it).
  define: { ...define, 'import.meta.url': '__importMetaUrl' },
  plugins: [importThroughLoader()],
  logLevel: 'warning',
});
// Dynamic imports of packages and built-ins must all have gone through the loader's __import.
const left = cli.metafile.outputs['dist/cli.cjs'].imports.filter((i) => i.kind === 'dynamic-import' && i.external);
if (left.length > 0) throw new Error(`dist/cli.cjs: import() left in the bundle: ${left.map((i) => i.path).join(', ')}`);
for (const out of cli.outputFiles) {
  let text = out.text;
  if (out.path.endsWith('.cjs')) {
    text = recordLazyModules(text);
    // Nor any other import(), e.g. one with a computed specifier in a bundled package.
    const dynamic = text.search(/(?<![\w$.])import\(/);
    if (dynamic >= 0) throw new Error(`dist/cli.cjs: import() fails in a script compiled from a code cache: ${JSON.stringify(text.slice(dynamic - 60, dynamic + 40))}`);
    // The loader reads the bundle as latin1 (no UTF-8 decoding), which is exact only for ASCII.
    const at = text.search(/[^\x00-\x7f]/);
    if (at >= 0) throw new Error(`dist/cli.cjs is not ASCII at ${at}: ${JSON.stringify(text.slice(Math.max(0, at - 60), at + 20))}`);
  }
  writeFileSync(out.path, text);
}
await build({
  entryPoints: ['src/code-cache.ts'],
  outfile: 'dist/code-cache.cjs',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
});

// The cache (src/cache) keys every entry by this hash of the bundle: a rebuild from changed
// sources never reads what the previous build stored. The code cache is keyed by it too.
const dist = new URL('../dist/', import.meta.url);
const hash = createHash('sha1');
for (const name of readdirSync(dist).filter((n) => /\.c?js$/.test(n)).sort()) hash.update(name).update(readFileSync(new URL(name, dist)));
writeFileSync(new URL('build-id.txt', dist), `${hash.digest('hex')}\n`);
// Progress goes to stderr: `npm pack` runs this as prepack/prepare, and whoever reads pack's stdout
// (pre-commit's node support) takes all of it as the tarball's file name.
if (process.env.MIGRALINT_BUILD_QUIET !== '1') {
  console.error(`built dist/ in ${Math.round(performance.now() - started)} ms`);
}

/**
 * `import('pkg')` inside a script compiled from a V8 code cache fails on Node 20 (the cached code
 * loses the dynamic-import callback), so the bundle imports packages and built-ins through
 * `__import`, a function the loader passes in, which is a real `import()` (loader hooks see it).
 * Relative imports are bundled and untouched; `typeof import('x')` is a type.
 */
function importThroughLoader() {
  return {
    name: 'import-through-loader',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        const text = readFileSync(args.path, 'utf8');
        return { contents: text.replace(/(?<![\w$.]|typeof\s)import\((\s*['"])(?![./])/g, '__import($1'), loader: 'ts' };
      });
    },
  };
}

/**
 * Every module of the bundle but the entry runs inside an esbuild `__esm` wrapper on its first
 * use. The loader passes `__codeUsed`, told the name of each module as it starts, so that it knows
 * whether a run used modules the cached code does not cover (and the cache should be rewritten).
 */
function recordLazyModules(text) {
  const helper = 'var __esm=(fn,res,err)=>function __init(){';
  const at = text.indexOf(helper);
  if (at < 0 || text.indexOf(helper, at + 1) >= 0) throw new Error("dist/cli.cjs: esbuild's __esm helper not found once; update recordLazyModules in scripts/build.mjs");
  return `${text.slice(0, at + helper.length)}if(fn)__codeUsed(__getOwnPropNames(fn)[0]);${text.slice(at + helper.length)}`;
}
