// Times migralint, squawk and pgfence on the same 1,000 generated SQL migration files, as whole
// processes, interleaved round by round. Usage: node bench/run-sql.mjs [--rounds 7] (build first).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSql } from './generate-sql.mjs';
import { toolBin } from '../scripts/tools.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const out = path.join(here, 'out');
mkdirSync(out, { recursive: true });
const roundsArg = process.argv.indexOf('--rounds');
const rounds = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 7;

const dir = generateSql(path.join(out, 'sql'), 1000);
const files = readdirSync(dir).map((f) => path.join(dir, f));
// squawk and pgfence are installed on first use into .cache/tools (scripts/tools.mjs).
const bin = (name) => toolBin(name);
const hasTime = existsSync('/usr/bin/time');

const commands = [
  { name: 'node -e 0', cmd: process.execPath, args: ['-e', '0'] },
  // Cold: no cache (as every run was before the cache); warm: the cache the previous warm run left.
  { name: 'migralint', cmd: process.execPath, args: [path.join(root, 'bin', 'migralint.js'), 'lint', '--no-lock', '--no-cache', '--format', 'json', dir] },
  { name: 'migralint warm', cmd: process.execPath, args: [path.join(root, 'bin', 'migralint.js'), 'lint', '--no-lock', '--cache-location', path.join(out, 'cache-sql'), '--format', 'json', dir] },
  { name: 'squawk', cmd: bin('squawk'), args: ['--reporter', 'json', ...files] },
  { name: 'pgfence', cmd: bin('pgfence'), args: ['analyze', '--output', 'json', ...files] },
];
// --base <dir>: the same run with another checkout's build (before/after in one session).
const baseArg = process.argv.indexOf('--base');
if (baseArg > 0) {
  const old = path.join(process.argv[baseArg + 1], 'bin', 'migralint.js');
  commands.push(
    { name: 'before (--base)', cmd: process.execPath, args: [old, 'lint', '--no-lock', '--no-cache', '--format', 'json', dir] },
    { name: 'before (--base) warm', cmd: process.execPath, args: [old, 'lint', '--no-lock', '--cache-location', path.join(out, 'cache-sql-base'), '--format', 'json', dir] },
  );
}

function runOnce(c) {
  const started = process.hrtime.bigint();
  const res = hasTime
    ? spawnSync('/usr/bin/time', ['-f', '%M', c.cmd, ...c.args], { encoding: 'utf8', cwd: out, maxBuffer: 1 << 28 })
    : spawnSync(c.cmd, c.args, { encoding: 'utf8', cwd: out, maxBuffer: 1 << 28 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (res.error) throw res.error;
  const rssKb = hasTime ? Number(res.stderr.trim().split('\n').pop()) : NaN;
  return { ms, rssMb: rssKb / 1024, status: res.status };
}

const samples = new Map(commands.map((c) => [c.name, []]));
for (let r = 0; r < rounds; r++) {
  for (let i = 0; i < commands.length; i++) {
    const c = commands[(i + r) % commands.length];
    samples.get(c.name).push(runOnce(c));
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`node ${process.version}, ${rounds} interleaved rounds, 1,000 files (${files.length}), NODE_EXTRA_CA_CERTS ${process.env.NODE_EXTRA_CA_CERTS ? 'set' : 'unset'}`);
console.log('| tool | median ms | peak RSS MB | exit |');
console.log('|---|---:|---:|---:|');
const med = {};
for (const c of commands) {
  const s = samples.get(c.name);
  med[c.name] = median(s.map((x) => x.ms));
  console.log(`| ${c.name} | ${med[c.name].toFixed(0)} | ${Math.max(...s.map((x) => x.rssMb)).toFixed(0)} | ${s[0].status} |`);
}
console.log(`\nmigralint / squawk: ${(med.migralint / med.squawk).toFixed(2)}x; warm / squawk: ${(med['migralint warm'] / med.squawk).toFixed(2)}x; migralint / pgfence: ${(med.migralint / med.pgfence).toFixed(2)}x`);
