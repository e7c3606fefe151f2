// Times `migralint trace --snapshot` on generated snapshots of 100 and 2,000 tables (the shape of
// bench/snapshot.mjs's: 8 columns, 3 indexes, 3 constraints each, rows 10..200M estimated), tracing
// the one pending migration of a small golang-migrate project, beside a plain trace of the same
// migration (its history replayed: one CREATE TABLE). Cold: no template cache; warm: the schema
// built from the 2,000-table snapshot loaded from the cache. Only the tables the pending migration
// needs are built (here accounts); a run whose pending migration calls a function builds them all.
// Whole processes, interleaved round by round.
// The JSON output splits the time: reading + linting, building the schema + filling rows.
// Usage: node bench/trace-snapshot.mjs [--rounds 3]   (build first: npm run build)
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { arg, header, interleave, median, runOnce } from './lib.mjs';
import { renderSnapshot } from '../dist/index.js';
import { snapshotTables } from './generate-snapshot.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const out = path.join(here, 'out', 'trace-snapshot');
rmSync(out, { recursive: true, force: true });
mkdirSync(path.join(out, 'migrations'), { recursive: true });
const rounds = Number(arg('--rounds', '3'));

const write = (name, text) => writeFileSync(path.join(out, 'migrations', name), text);
write('000001_accounts.up.sql', 'CREATE TABLE accounts (id bigserial PRIMARY KEY, account_id bigint NOT NULL REFERENCES accounts (id), status varchar(20) NOT NULL DEFAULT \'active\');\n');
write('000001_accounts.down.sql', 'DROP TABLE accounts;\n');
write('000002_accounts_region.up.sql', "SET lock_timeout = '5s';\nALTER TABLE accounts ADD COLUMN region text NOT NULL DEFAULT 'eu';\nALTER TABLE accounts ALTER COLUMN status TYPE varchar(40);\n");
write('000002_accounts_region.down.sql', 'ALTER TABLE accounts DROP COLUMN region;\n');
writeFileSync(path.join(out, 'migralint.config.json'), JSON.stringify({ cache: false }));
// The same change behind a function call, whose tables cannot be known: the whole snapshot is built.
mkdirSync(path.join(out, 'migrations-whole'));
for (const name of ['000001_accounts.up.sql', '000001_accounts.down.sql', '000002_accounts_region.down.sql']) {
  writeFileSync(path.join(out, 'migrations-whole', name), readFileSync(path.join(out, 'migrations', name)));
}
writeFileSync(path.join(out, 'migrations-whole', '000002_accounts_region.up.sql'), "SELECT now();\nALTER TABLE accounts ADD COLUMN region text NOT NULL DEFAULT 'eu';\n");

function snapshotOf(count) {
  const tables = snapshotTables(count, ['accounts']);
  const file = path.join(out, `snapshot-${count}.json`);
  writeFileSync(
    file,
    renderSnapshot({
      format: 1,
      server: '16.4',
      serverMajor: 16,
      redacted: false,
      applied: [{ kind: 'golang-migrate', table: 'schema_migrations', heads: ['1'], listed: [], failed: [] }],
      tables,
    }),
  );
  return file;
}

const trace = [path.join(root, 'bin', 'migralint.js'), 'trace', '--format', 'json'];
const small = snapshotOf(100);
const large = snapshotOf(2000);
// Cold runs get an empty template cache of their own; warm runs share one, filled before the first round.
const cold = (name, args) => ({ name: `${name}, cold`, cmd: process.execPath, args, before: () => rmSync(path.join(out, '.cache'), { recursive: true, force: true }) });
// Its own root directory (the config's), so its template cache (<root>/.cache) is not the cold runs'.
mkdirSync(path.join(out, 'warm'));
writeFileSync(path.join(out, 'warm', 'migralint.config.json'), JSON.stringify({ cache: false }));
const warm = (name, args) => ({ name: `${name}, warm`, cmd: process.execPath, args: [...args.slice(0, 2), '-c', path.join(out, 'warm', 'migralint.config.json'), ...args.slice(2)] });
const plain = [...trace, path.join(out, 'migrations', '000002_accounts_region.up.sql')];
const s100 = [...trace, '--snapshot', small, 'migrations'];
const s2000 = [...trace, '--snapshot', large, 'migrations'];
const commands = [
  cold('trace (history replayed)', plain),
  cold('trace --snapshot, 100 tables', s100),
  cold('trace --snapshot, 2,000 tables', s2000),
  cold('trace --snapshot, 2,000 tables, whole schema (a function call)', [...trace, '--snapshot', large, 'migrations-whole']),
  warm('trace --snapshot, 2,000 tables', s2000),
];

runOnce(commands.at(-1), out); // builds the warm runs' template
const samples = interleave(commands, rounds, out);
console.log(header('trace of 1 pending migration', rounds));
console.log('| run | median wall ms | median CPU ms | peak RSS MB | lint ms | database ready ms | rows filled | tables built/created of | exit |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const c of commands) {
  const s = samples.get(c.name);
  const j = s.map((x) => JSON.parse(x.stdout));
  const filled = j[0].rowsFilled.filter((f) => !f.error).reduce((n, f) => n + f.rows, 0);
  console.log(
    `| ${c.name} | ${median(s.map((x) => x.ms)).toFixed(0)} | ${median(s.map((x) => x.cpuMs)).toFixed(0)} | ${Math.max(...s.map((x) => x.rssMb)).toFixed(0)} | ` +
      `${median(j.map((x) => x.lintMs))} | ${median(j.map((x) => x.databaseMs))} | ${filled} | ${j[0].snapshot ? `${j[0].snapshot.built ?? j[0].snapshot.tables}/${j[0].snapshot.created} of ${j[0].snapshot.tables}` : '-'} | ${s[0].status} |`,
  );
}
