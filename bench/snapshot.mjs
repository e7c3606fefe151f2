// What reading a snapshot costs lint: a generated 300-revision golang-migrate project, linted
// without and with a generated 2,000-table snapshot (half the revisions applied), as whole
// processes, interleaved round by round, with a bare `node -e 0` as the baseline.
// Usage: node bench/snapshot.mjs [--rounds 9] (build first).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSql } from './generate-sql.mjs';
import { renderSnapshot } from '../dist/index.js';

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
  const tables = [];
  for (let i = 0; i < TABLES; i++) {
    const name = i < named.length ? named[i] : `table_${String(i).padStart(4, '0')}`;
    const rows = Math.round(10 ** (1 + (i % 8)) * (1 + (i % 3)));
    tables.push({
      name,
      rows,
      bytes: rows * 120 + 8192,
      columns: [
        { name: 'id', type: 'bigint', nullable: false, default: `nextval('${name}_id_seq'::regclass)` },
        { name: 'account_id', type: 'bigint', nullable: false, default: null },
        { name: 'owner_id', type: 'bigint', nullable: true, default: null },
        { name: 'status', type: 'character varying(20)', nullable: false, default: "'active'::character varying" },
        { name: 'payload', type: 'jsonb', nullable: false, default: "'{}'::jsonb" },
        { name: 'amount', type: 'integer', nullable: true, default: null },
        { name: 'created_at', type: 'timestamp with time zone', nullable: false, default: 'now()' },
        { name: 'updated_at', type: 'timestamp with time zone', nullable: true, default: null },
      ],
      indexes: [
        { name: `${name}_account_id_idx`, columns: ['account_id'], unique: false, valid: true, partial: false, method: 'btree' },
        { name: `${name}_created_at_idx`, columns: ['created_at'], unique: false, valid: true, partial: false, method: 'btree' },
        { name: `${name}_pkey`, columns: ['id'], unique: true, valid: true, partial: false, method: 'btree' },
      ],
      constraints: [
        { name: `${name}_account_id_fkey`, kind: 'foreign_key', validated: true, columns: ['account_id'], definition: 'FOREIGN KEY (account_id) REFERENCES accounts(id)' },
        { name: `${name}_amount_check`, kind: 'check', validated: true, columns: ['amount'], definition: 'CHECK (amount >= 0)' },
        { name: `${name}_pkey`, kind: 'primary_key', validated: true, columns: ['id'], definition: 'PRIMARY KEY (id)' },
      ],
    });
  }
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
const hasTime = existsSync('/usr/bin/time');
const lint = [path.join(root, 'bin', 'migralint.js'), 'lint', '--no-lock', '--format', 'json', dir];
const commands = [
  { name: 'node -e 0', cmd: process.execPath, args: ['-e', '0'] },
  { name: 'lint', cmd: process.execPath, args: lint },
  { name: 'lint --snapshot', cmd: process.execPath, args: [...lint, '--snapshot', snapshotFile] },
];

function runOnce(c) {
  const started = process.hrtime.bigint();
  const res = hasTime
    ? spawnSync('/usr/bin/time', ['-f', '%M %U %S', c.cmd, ...c.args], { encoding: 'utf8', cwd: out, maxBuffer: 1 << 28 })
    : spawnSync(c.cmd, c.args, { encoding: 'utf8', cwd: out, maxBuffer: 1 << 28 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (res.error) throw res.error;
  // CPU time (user + system) as well as wall time: on a shared machine it is the steadier figure.
  const [rssKb, user, sys] = hasTime ? res.stderr.trim().split('\n').pop().split(' ').map(Number) : [NaN, NaN, NaN];
  const findings = res.stdout.startsWith('{') ? JSON.parse(res.stdout).findings.length : null;
  return { ms, cpuMs: (user + sys) * 1000, rssMb: rssKb / 1024, status: res.status, findings };
}

const samples = new Map(commands.map((c) => [c.name, []]));
for (let r = 0; r < rounds; r++) {
  for (let i = 0; i < commands.length; i++) {
    const c = commands[(i + r) % commands.length];
    samples.get(c.name).push(runOnce(c));
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
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
    `| ${c.name} | ${med[c.name].toFixed(0)} | ${min.toFixed(0)} | ${cpu[c.name].toFixed(0)} | ${minCpu.toFixed(0)} | ${Math.max(...s.map((x) => x.rssMb)).toFixed(0)} | ${s[0].findings ?? '-'} | ${s[0].status} |`,
  );
}
console.log(
  `\nreading the snapshot adds ${(med['lint --snapshot'] - med.lint).toFixed(0)} ms wall, ${(cpu['lint --snapshot'] - cpu.lint).toFixed(0)} ms CPU (medians; budget 30 ms)`,
);
