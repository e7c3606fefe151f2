// The pre-commit case: one changed migration in a big project, linted as a hook runs it (the file
// named, its directory read as context), next to bare `node -e 0`. Projects: 300 generated Alembic
// revisions and 350 generated Diesel migrations (up.sql + down.sql). Rows:
// - cold: no cache (the cache directory is deleted before each run);
// - warm, 1 changed: the cache holds the project, and the named file was changed since (a new
//   comment each run), which is what a hook sees on each commit;
// - warm, unchanged: everything cached;
// - --no-cache; and the same command with another build when --base <dir> names one (a checkout
//   built before the cache existed, for before/after in one run).
// Usage: node bench/precommit.mjs [--rounds 11] [--base /path/to/old/checkout]   (build first)
import { appendFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from './generate.mjs';
import { generateProject } from './generate-corpus.mjs';
import { arg, header, interleave, table } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const out = path.join(here, 'out');
mkdirSync(out, { recursive: true });
const rounds = Number(arg('--rounds', '11'));
const base = arg('--base', null);
const cli = path.join(root, 'bin', 'migralint.js');

const alembicDir = generate(path.join(out, 'alembic-300'), 300);
const alembicFile = path.join(alembicDir, readdirSync(alembicDir).sort().at(-1));
const dieselDir = generateProject(path.join(out, 'diesel-350'), 'diesel', 350);
const dieselFile = path.join(dieselDir, readdirSync(dieselDir).sort().at(-1), 'up.sql');

let edits = 0;
const change = (file) => () => appendFileSync(file, file.endsWith('.py') ? `# edit ${edits++}\n` : `-- edit ${edits++}\n`);

console.log(header('pre-commit: one named file', rounds));
for (const [name, file] of [
  ['Alembic, 300 revisions', alembicFile],
  ['Diesel, 350 migrations', dieselFile],
]) {
  const cache = path.join(out, `cache-${name.split(',')[0].toLowerCase()}`);
  const lint = (extra) => [cli, 'lint', '--no-lock', '--cache-location', cache, ...extra, file];
  const commands = [
    { name: 'node -e 0', cmd: process.execPath, args: ['-e', '0'] },
    { name: 'cold (empty cache)', cmd: process.execPath, args: lint([]), before: () => rmSync(cache, { recursive: true, force: true }) },
    { name: 'warm, the file changed', cmd: process.execPath, args: lint([]), before: change(file) },
    { name: 'warm, unchanged', cmd: process.execPath, args: lint([]) },
    { name: '--no-cache', cmd: process.execPath, args: lint(['--no-cache']) },
  ];
  if (base) {
    // The base build gets its own cache, so each of its rows means what the same row means above
    // (a base that has a cache would otherwise run warm in its default location).
    const baseCache = `${cache}-base`;
    const old = (extra) => [path.join(base, 'bin', 'migralint.js'), 'lint', '--no-lock', '--cache-location', baseCache, ...extra, file];
    commands.push(
      { name: 'before: cold', cmd: process.execPath, args: old([]), before: () => rmSync(baseCache, { recursive: true, force: true }) },
      { name: 'before: warm, the file changed', cmd: process.execPath, args: old([]), before: change(file) },
      { name: 'before: warm, unchanged', cmd: process.execPath, args: old([]) },
    );
  }
  const samples = interleave(commands, rounds, out);
  const { text, med } = table(commands, samples, 'node -e 0');
  console.log(`\n${name}: ${path.relative(root, file)}\n${text}`);
  console.log(`warm, changed: node + ${(med['warm, the file changed'] - med['node -e 0']).toFixed(0)} ms; warm, unchanged: node + ${(med['warm, unchanged'] - med['node -e 0']).toFixed(0)} ms`);
}
