// Alembic itself as the oracle for history order. Each project under fixtures/alembic-shapes/ is
// one graph shape (linear, branch and merge, two merges in a row, depends_on, two bases, branch
// labels, a mid-history branch). Real Alembic (Debian's python3-alembic, through
// test/helpers/alembic_oracle.py) runs its revisions on SQLite and on a throwaway PostgreSQL from
// every starting revision; `alembic heads`, `alembic history` and the order of its "Running
// upgrade" lines must be what `migralint graph` and `migralint verify` report. The fixtures are
// ours, so running them is fine; migralint itself never runs a migration.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { loadConfig } from '../src/config/index.js';
import { runGraph } from '../src/commands/graph.js';
import { runVerify } from '../src/commands/verify.js';
import { loadMigrations } from '../src/engine/run.js';
import { buildGraph } from '../src/graph/index.js';
import { sharedPostgres, type PostgresServer } from './helpers/postgres.js';
import { hasAlembic, hasPsycopg2, PYTHON, requireClient } from './helpers/clients.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shapesDir = path.join(root, 'fixtures', 'alembic-shapes');
const driver = path.join(root, 'test', 'helpers', 'alembic_oracle.py');
const SHAPES = ['linear', 'branch-merge', 'two-merges', 'depends-on', 'two-bases', 'branch-labels', 'mid-history-branch'];

interface Oracle {
  alembic: string;
  heads: string;
  history: string;
  scenarios: { start: string[]; versionTable: string[]; ran: string[]; after: string[] }[];
}

function alembic(project: string, url: string, scenarios: string[][]): Oracle {
  const r = spawnSync(PYTHON, [driver, project, url], { input: JSON.stringify(scenarios), encoding: 'utf8', maxBuffer: 1 << 24 });
  assert.is(r.status, 0, `alembic on ${path.basename(project)} (${url.split(':')[0]}): ${r.stderr}`);
  return JSON.parse(r.stdout) as Oracle;
}

async function graphOf(dir: string): Promise<{ heads: string[]; history: string[] }> {
  let out = '';
  const config = await loadConfig({ cwd: dir });
  await runGraph({ cwd: dir, paths: [], config, format: 'json', write: (s) => (out += s) });
  const view = JSON.parse(out).directories[0];
  return { heads: view.heads, history: view.history.map((h: { revision: string }) => h.revision) };
}

/**
 * Pairs of revisions neither of which needs the other (through down_revision or depends_on): a
 * database at both has two heads in alembic_version.
 */
async function unrelatedPairs(dir: string): Promise<string[][]> {
  const config = await loadConfig({ cwd: dir });
  const { sets } = await loadMigrations({ cwd: dir, paths: [], config });
  const graph = buildGraph(sets[0]!.migrations);
  const needs = (id: string): Set<string> => {
    const out = new Set<string>();
    const todo = [id];
    while (todo.length > 0) {
      const node = graph.nodes.get(todo.pop()!)!;
      for (const p of [...node.parents, ...(node.migration.dependsOn?.value ?? []).map((d) => graph.labels.get(d) ?? d)]) {
        if (!out.has(p)) todo.push(p);
        out.add(p);
      }
    }
    return out;
  };
  const ids = [...graph.nodes.keys()].sort();
  const pairs: string[][] = [];
  for (const [i, a] of ids.entries()) for (const b of ids.slice(i + 1)) if (!needs(a).has(b) && !needs(b).has(a)) pairs.push([a, b]);
  return pairs;
}

async function pendingOf(dir: string, url: string): Promise<string[]> {
  let out = '';
  const config = await loadConfig({ cwd: dir });
  await runVerify({ cwd: dir, paths: [], config, lockfile: null, format: 'json', databaseUrl: url, policy: undefined, attest: [], versionTable: undefined, write: (s) => (out += s) });
  return JSON.parse(out).pending.map((p: { revision: string }) => p.revision);
}

const present = hasAlembic() && hasPsycopg2();

let server: PostgresServer | undefined;
let tmp = '';

test.before(async () => {
  if (!present) return;
  server = await sharedPostgres();
  tmp = mkdtempSync(path.join(os.tmpdir(), 'migralint-oracle-'));
  const admin = new pg.Client({ connectionString: server.url() });
  await admin.connect();
  await admin.query('CREATE DATABASE oracle');
  await admin.query('CREATE DATABASE verify_state');
  await admin.end();
});

test.after(async () => {
  // The server is shared with the other test files (stopped when the process ends).
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('Alembic and psycopg2 are installed for /usr/bin/python3 (under CI a failure, elsewhere a printed skip)', () => {
  requireClient(hasAlembic(), 'Alembic for /usr/bin/python3', 'python3-alembic', 'the Alembic oracle tests') &&
    requireClient(hasPsycopg2(), 'psycopg2 for /usr/bin/python3', 'python3-psycopg2', 'the Alembic oracle tests');
});

// The promise this file checks, as the README and docs/verify.md word it: if the wording changes,
// this test must be looked at again.
test('README and docs/verify.md promise the order this oracle checks', () => {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8').replace(/\s+/g, ' ');
  const verifyDoc = readFileSync(path.join(root, 'docs/verify.md'), 'utf8').replace(/\s+/g, ' ');
  assert.ok(readme.includes('in the order the runner applies them: for Alembic, the order `alembic upgrade heads` runs them'));
  assert.ok(verifyDoc.includes('for Alembic, the order `alembic upgrade heads` runs them'));
  assert.ok(verifyDoc.includes('test/alembic-oracle.test.ts'));
});

test('every graph shape has a fixture project', () => {
  assert.equal(readdirSync(shapesDir).sort(), [...SHAPES].sort());
});

for (const shape of SHAPES) {
  test(`alembic-shapes/${shape}: heads, history and the upgrade order from every revision are Alembic's`, async () => {
    if (!present) return;
    const dir = path.join(shapesDir, shape);
    const graph = await graphOf(dir);
    // From an empty database, from each revision (`alembic upgrade <rev>` first), and from two
    // unrelated revisions (two heads in alembic_version).
    const scenarios = [[], ...[...graph.history].reverse().map((id) => [id]), ...(await unrelatedPairs(dir))];
    const onSqlite = alembic(dir, `sqlite:///${path.join(tmp, `${shape}.db`)}`, scenarios);
    const onPostgres = alembic(dir, server!.url('postgres', 'oracle').replace(/^postgres:/, 'postgresql:'), scenarios);

    const heads = onSqlite.heads.trim().split('\n').map((l) => l.split(' ')[0]!).sort();
    assert.equal(graph.heads, heads, 'alembic heads');
    const history = onSqlite.history.trim().split('\n').map((l) => /-> (\w+)/.exec(l)![1]!);
    assert.equal(graph.history, history, 'alembic history (newest first)');

    const state = new pg.Client({ connectionString: server!.url('postgres', 'verify_state') });
    await state.connect();
    try {
      for (const [i, scenario] of onPostgres.scenarios.entries()) {
        const from = scenario.start.length === 0 ? 'an empty database' : `upgrade ${scenario.start.join(' ')}`;
        assert.equal(onSqlite.scenarios[i]!.ran, scenario.ran, `${shape} from ${from}: SQLite and PostgreSQL ran the same order`);
        assert.equal(scenario.after, heads, `${shape} from ${from}: upgrade heads reached every head`);
        if (scenario.start.length === 2) assert.is(scenario.versionTable.length, 2, `${shape} from ${from}: two heads in alembic_version`);
        // migralint reads the version table Alembic left, as verify does before a deploy.
        await state.query('DROP TABLE IF EXISTS alembic_version');
        if (scenario.start.length > 0) {
          await state.query('CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY)');
          for (const v of scenario.versionTable) await state.query('INSERT INTO alembic_version VALUES ($1)', [v]);
        }
        const pending = await pendingOf(dir, server!.url('postgres', 'verify_state'));
        assert.equal(pending, scenario.ran, `${shape} from ${from} (alembic_version: ${scenario.versionTable.join(', ') || 'none'}): verify's pending list`);
      }
    } finally {
      await state.end();
    }
  });
}

test.run();
