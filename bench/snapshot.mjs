// What reading a snapshot costs lint: a generated 300-revision golang-migrate project, linted
// without and with a generated 2,000-table snapshot (half the revisions applied), as whole
// processes, interleaved round by round, with a bare `node -e 0` as the baseline.
// Usage: node bench/snapshot.mjs [--rounds 9] [--cache] (build first).
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSql } from './generate-sql.mjs';
import { interleave, median } from './lib.mjs';
import { renderSnapshot } from '../dist/index.js';
import { snapshotTables } from './generate-snapshot.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const out = path.join(here, 'out');
mkdirSync(out, { recursive: true });
const roundsArg = process.argv.indexOf('--rounds');
const rounds = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 9;

const REVISIONS = 300;
const TABLES = 2000;
const dir = generateSql(path.join(out, 'snapshot-sql'), REVISIONS);

/** A snapshot in the format `migralint snapshot` writes: every table with columns, indexes, constraints. */
function generateSnapshot(file) {
  const named = ['accounts', 'orders', 'invoices', 'events', 'users', 'projects', 'settings'];
  const tables = snapshotTables(TABLES, named);
  const snapshot = {
    format: 1,
    server: '16.4',
    serverMajor: 16,
    redacted: false,
    applied: [{ kind: 'golang-migrate', table: 'schema_migrations', heads: [String(20240101000000 + REVISIONS / 2 - 1)], listed: [], failed: [] }],
    tables,
  };
  // Written as `migralint snapshot` writes it.
  writeFileSync(file, renderSnapshot(snapshot));
  return file;
}

const snapshotFile = generateSnapshot(path.join(out, 'snapshot-2000.json'));
// Without the result cache: a cached run skips the rules, while a run judged against a snapshot
// never takes findings from the cache (the cache's keys do not cover production), so a cached
// baseline would time the rules, not the reading of the snapshot. --cache compares the two
// as a user meets them.
const cached = process.argv.includes('--cache');
const lint = [path.join(root, 'bin', 'migralint.js'), 'lint', '--no-lock', '--format', 'json', ...(cached ? [] : ['--no-cache']), dir];
const commands = [
  { name: 'node -e 0', cmd: process.execPath, args: ['-e', '0'] },
  { name: 'lint', cmd: process.execPath, args: lint },
  { name: 'lint --snapshot', cmd: process.execPath, args: [...lint, '--snapshot', snapshotFile] },
];

const samples = interleave(commands, rounds, out);
const findings = (x) => (x.stdout.startsWith('{') ? JSON.parse(x.stdout).findings.length : null);
const kb = Math.round(statSync(snapshotFile).size / 1024);
console.log(`node ${process.version}, ${rounds} interleaved rounds, ${REVISIONS} revisions, snapshot of ${TABLES} tables (${kb} kB, ${REVISIONS / 2} revisions applied)`);
console.log('| run | median wall ms | min wall ms | median CPU ms | min CPU ms | peak RSS MB | findings | exit |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
const med = {};
const cpu = {};
for (const c of commands) {
  const s = samples.get(c.name);
  med[c.name] = median(s.map((x) => x.ms));
  cpu[c.name] = median(s.map((x) => x.cpuMs));
  const min = Math.min(...s.map((x) => x.ms));
  const minCpu = Math.min(...s.map((x) => x.cpuMs));
  console.log(
    `| ${c.name} | ${med[c.name].toFixed(0)} | ${min.toFixed(0)} | ${cpu[c.name].toFixed(0)} | ${minCpu.toFixed(0)} | ${Math.max(...s.map((x) => x.rssMb)).toFixed(0)} | ${findings(s[0]) ?? '-'} | ${s[0].status} |`,
  );
}
console.log(
  `\nreading the snapshot adds ${(med['lint --snapshot'] - med.lint).toFixed(0)} ms wall, ${(cpu['lint --snapshot'] - cpu.lint).toFixed(0)} ms CPU (medians; budget 30 ms)`,
);
