// Times `migralint lint` as a whole process on 1 and 1,000 generated revisions, next to bare
// `node -e 0`, interleaved round by round so machine noise hits every command alike.
// Usage: node bench/run.mjs [--rounds 15]   (build first: npm run build)
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
const rounds = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 15;

const one = generate(path.join(out, 'one'), 1);
const thousand = generate(path.join(out, 'thousand'), 1000);
const cli = path.join(root, 'bin', 'migralint.js');
const hasTime = existsSync('/usr/bin/time');

const commands = [
  { name: 'node -e 0', args: ['-e', '0'] },
  // No cache: what every run cost before the cache existed; warm: the cache the previous run left.
  { name: 'migralint lint (1 file)', args: [cli, 'lint', '--no-lock', '--no-cache', one] },
  { name: 'migralint lint (1 file, warm)', args: [cli, 'lint', '--no-lock', '--cache-location', path.join(out, 'cache-one'), one] },
  { name: 'migralint lint (1,000 files)', args: [cli, 'lint', '--no-lock', '--no-cache', '--format', 'json', thousand] },
  { name: 'migralint lint (1,000 files, warm)', args: [cli, 'lint', '--no-lock', '--cache-location', path.join(out, 'cache-thousand'), '--format', 'json', thousand] },
];
// --base <dir>: the same runs with another checkout's build (before/after in one session).
const baseArg = process.argv.indexOf('--base');
if (baseArg > 0) {
  const old = path.join(process.argv[baseArg + 1], 'bin', 'migralint.js');
  commands.push({ name: 'before (--base): 1 file', args: [old, 'lint', '--no-lock', '--no-cache', one] });
  commands.push({ name: 'before (--base): 1 file, warm', args: [old, 'lint', '--no-lock', '--cache-location', path.join(out, 'cache-one-base'), one] });
  commands.push({ name: 'before (--base): 1,000 files', args: [old, 'lint', '--no-lock', '--no-cache', '--format', 'json', thousand] });
  commands.push({ name: 'before (--base): 1,000 files, warm', args: [old, 'lint', '--no-lock', '--cache-location', path.join(out, 'cache-thousand-base'), '--format', 'json', thousand] });
}

function runOnce(args) {
  const started = process.hrtime.bigint();
  const res = hasTime
    ? spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, ...args], { encoding: 'utf8', cwd: out })
    : spawnSync(process.execPath, args, { encoding: 'utf8', cwd: out });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (res.status !== 0 && res.status !== 1) throw new Error(`${args.join(' ')} failed: ${res.stderr}`);
  const rssKb = hasTime ? Number(res.stderr.trim().split('\n').pop()) : NaN;
  return { ms, rssMb: rssKb / 1024 };
}

const samples = new Map(commands.map((c) => [c.name, []]));
for (let r = 0; r < rounds; r++) {
  const order = commands.map((_, i) => commands[(i + r) % commands.length]);
  for (const c of order) samples.get(c.name).push(runOnce(c.args));
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
console.log(`node ${process.version}, ${rounds} interleaved rounds, NODE_EXTRA_CA_CERTS ${process.env.NODE_EXTRA_CA_CERTS ? 'set' : 'unset'}`);
console.log('| command | median ms | p10 ms | p90 ms | peak RSS MB |');
console.log('|---|---:|---:|---:|---:|');
const base = median(samples.get('node -e 0').map((s) => s.ms));
for (const c of commands) {
  const ms = samples.get(c.name).map((s) => s.ms).sort((a, b) => a - b);
  const rss = Math.max(...samples.get(c.name).map((s) => s.rssMb));
  const p = (q) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))];
  console.log(`| ${c.name} | ${median(ms).toFixed(1)} | ${p(0.1).toFixed(1)} | ${p(0.9).toFixed(1)} | ${Number.isNaN(rss) ? 'n/a' : rss.toFixed(0)} |`);
}
console.log(`\n1 file over bare node: +${(median(samples.get('migralint lint (1 file)').map((s) => s.ms)) - base).toFixed(1)} ms`);
