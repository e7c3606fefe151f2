// The 1,712-file class: a generated corpus shaped like five real projects (bench/generate-corpus.mjs:
// Diesel, golang-migrate, Flyway, dbmate, goose), linted whole by migralint cold (empty cache),
// warm (cache from the previous run), and without a cache, next to squawk on the same files and
// bare `node -e 0`, interleaved round by round. --base <dir> adds a checkout built before the cache.
// Usage: node bench/run-corpus.mjs [--rounds 7] [--files 1712] [--base /path/to/old/checkout]
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCorpus } from './generate-corpus.mjs';
import { toolBin } from '../scripts/tools.mjs';
import { arg, header, interleave, table } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const out = path.join(here, 'out');
mkdirSync(out, { recursive: true });
const rounds = Number(arg('--rounds', '7'));
const total = Number(arg('--files', '1712'));
const base = arg('--base', null);

const corpus = path.join(out, 'corpus');
const dirs = generateCorpus(corpus, total);
const files = [];
const walk = (d) => {
  for (const n of readdirSync(d).sort()) {
    const f = path.join(d, n);
    if (statSync(f).isDirectory()) walk(f);
    else files.push(f);
  }
};
for (const d of dirs) walk(d);
const cache = path.join(out, 'cache-corpus');
const cli = path.join(root, 'bin', 'migralint.js');
const lint = (extra) => [cli, 'lint', '--no-lock', '--format', 'json', '--cache-location', cache, ...extra, ...dirs];
const commands = [
  { name: 'node -e 0', cmd: process.execPath, args: ['-e', '0'] },
  { name: 'squawk', cmd: toolBin('squawk'), args: ['--reporter', 'json', ...files] },
  { name: 'migralint cold (empty cache)', cmd: process.execPath, args: lint([]), before: () => rmSync(cache, { recursive: true, force: true }) },
  { name: 'migralint warm', cmd: process.execPath, args: lint([]) },
  { name: 'migralint --no-cache', cmd: process.execPath, args: lint(['--no-cache']) },
];
if (base) {
  // The base build with its own cache, cold and warm, so that its rows mean what the rows above mean.
  const baseCache = `${cache}-base`;
  const old = [path.join(base, 'bin', 'migralint.js'), 'lint', '--no-lock', '--format', 'json', '--cache-location', baseCache, ...dirs];
  commands.push(
    { name: 'before: cold', cmd: process.execPath, args: old, before: () => rmSync(baseCache, { recursive: true, force: true }) },
    { name: 'before: warm', cmd: process.execPath, args: old },
  );
}
console.log(header(`${files.length} files in ${dirs.length} projects`, rounds));
const samples = interleave(commands, rounds, out);
const { text, med } = table(commands, samples, 'squawk');
console.log(text);
console.log(`\ncold / squawk ${(med['migralint cold (empty cache)'] / med.squawk).toFixed(2)}x; warm / squawk ${(med['migralint warm'] / med.squawk).toFixed(2)}x`);
