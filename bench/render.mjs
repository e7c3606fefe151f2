// Times `migralint sql` (render every revision's upgrade to SQL) as a whole process on 1,000
// generated Alembic revisions, next to `migralint lint` on the same files (the reading both pay)
// and bare `node -e 0`, interleaved round by round so machine noise hits every command alike.
// Usage: node bench/render.mjs [--rounds 7]   (build first: npm run build)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from './generate.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const out = path.join(here, 'out');
mkdirSync(out, { recursive: true });
const roundsArg = process.argv.indexOf('--rounds');
const rounds = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 7;

const thousand = generate(path.join(out, 'render-thousand'), 1000);
const cli = path.join(root, 'bin', 'migralint.js');
const hasTime = existsSync('/usr/bin/time');

const commands = [
  { name: 'node -e 0', args: ['-e', '0'] },
  { name: 'migralint sql (1,000 revisions)', args: [cli, 'sql', thousand] },
  { name: 'migralint sql --down (1,000 revisions)', args: [cli, 'sql', '--down', thousand] },
  { name: 'migralint lint (1,000 revisions)', args: [cli, 'lint', '--no-lock', '--format', 'json', thousand] },
];

let statements = 0;
let notRendered = 0;
function runOnce(c) {
  const started = process.hrtime.bigint();
  const res = hasTime
    ? spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, ...c.args], { encoding: 'utf8', cwd: out, maxBuffer: 1 << 28 })
    : spawnSync(process.execPath, c.args, { encoding: 'utf8', cwd: out, maxBuffer: 1 << 28 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (res.status !== 0 && res.status !== 1) throw new Error(`${c.args.join(' ')} failed: ${res.stderr}`);
  if (c.name.startsWith('migralint sql (')) {
    statements = (res.stdout.match(/;\n/g) ?? []).length;
    notRendered = (res.stdout.match(/-- migralint: not rendered/g) ?? []).length;
  }
  const rssKb = hasTime ? Number(res.stderr.trim().split('\n').pop()) : NaN;
  return { ms, rssMb: rssKb / 1024 };
}

const samples = new Map(commands.map((c) => [c.name, []]));
for (let r = 0; r < rounds; r++) {
  const order = commands.map((_, i) => commands[(i + r) % commands.length]);
  for (const c of order) samples.get(c.name).push(runOnce(c));
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
console.log(`node ${process.version}, ${rounds} interleaved rounds`);
console.log(`migralint sql printed ${statements} statements (BEGIN/COMMIT included) and ${notRendered} not-rendered comments`);
console.log('| command | median ms | p10 ms | p90 ms | peak RSS MB |');
console.log('|---|---:|---:|---:|---:|');
for (const c of commands) {
  const ms = samples.get(c.name).map((s) => s.ms).sort((a, b) => a - b);
  const rss = Math.max(...samples.get(c.name).map((s) => s.rssMb));
  const p = (q) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))];
  console.log(`| ${c.name} | ${median(ms).toFixed(1)} | ${p(0.1).toFixed(1)} | ${p(0.9).toFixed(1)} | ${Number.isNaN(rss) ? 'n/a' : rss.toFixed(0)} |`);
}
