// The catalog's correctness oracle: each SQL fixture chain (fixtures/sql/*) is applied to a real
// PostgreSQL database, up files in history order, then snapshotted; the schema migralint's own
// catalog replay predicts for the chain must equal it (tables, columns, types, nullability,
// indexes, CHECK constraints). What the catalog does not model is listed below with its reason.
// Alembic and TS/JS chains, rendered to SQL first, are in snapshot-oracle-rendered.test.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/index.js';
import { loadMigrations } from '../src/engine/run.js';
import { Catalog, historyOrder } from '../src/engine/catalog.js';
import type { Migration } from '../src/model/index.js';
import { openDatabase } from '../src/verify/drivers.js';
import { sharedPostgres } from './helpers/postgres.js';
import { compare } from './helpers/snapshot-compare.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const fixtures = path.join(root, 'fixtures', 'sql');

/** The statements of a migration's upgrade, in order, as the front end split them. */
function upStatements(m: Migration): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const op of m.upgrade.operations) {
    if (op.fromSql) {
      const key = `${op.loc.file ?? m.file}#${op.fromSql.index}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(op.fromSql.statement);
    } else if (op.kind === 'execute_sql') {
      for (const st of op.statements) out.push(st.text);
    }
  }
  return out;
}

/**
 * Each chain's differences, and the chains that cannot be applied, with why. Filled in from what
 * the database said; every entry is a known limit of the catalog or of the fixture.
 */
const EXPECTED: Record<string, string[]> = {
  // CHECK constraints declared in CREATE TABLE are not in the model (a table's constraint specs
  // carry no condition), so the catalog knows only those added by ALTER TABLE. A rule that looks
  // for a validated CHECK (col IS NOT NULL) misses them: at worst a finding too many.
  'constraint-not-valid-ok/db/migration': ['check orders.orders_total_check: in the database, not in the catalog'],
  'prefer-types-ok/migrations': ['check events.events_name_check: in the database, not in the catalog'],
  // Starts mid-history: its first migration alters accounts, created before the chain began.
  'dialect-issue10/db/postgres/migrations': [
    'not applied: 20240101000000_accounts_tier.sql: query failed on {url}: relation "accounts" does not exist',
  ],
  // Template placeholders (${schema}, {{.Schema}}) that only the runner fills in.
  'holes-flyway-placeholder/db/migration': ['not applied: V1__create_accounts.sql: query failed on {url}: schema "………………………" does not exist'],
  'holes-go-template/migrations': [
    'not applied: 20210710035447_create_identities.up.sql: query failed on {url}: schema "………………………………………………………" does not exist',
  ],
  // A migration that is a syntax error on purpose (the sql-syntax-error rule's fixture).
  'sql-syntax-error/migrations': ['not applied: 000002_accounts_status.up.sql: query failed on {url}: syntax error at or near "LIMIT"'],
};

test('the catalog replay of each SQL fixture chain equals a snapshot of a database built by it', async () => {
  const server = await sharedPostgres();
  const admin = await openDatabase(server.url(), root);
  await admin.query('CREATE DATABASE snapshot_oracle');
  await admin.close();
  const db = await openDatabase(server.url('postgres', 'snapshot_oracle'), root);
  const actual: Record<string, string[]> = {};
  try {
    for (const name of readdirSync(fixtures).sort()) {
      const dir = path.join(fixtures, name);
      const config = await loadConfig({ cwd: dir });
      const { sets } = await loadMigrations({ cwd: dir, paths: [], config });
      for (const set of sets) {
        if (set.dialect !== 'postgresql' || set.migrations.length === 0) continue;
        const label = `${name}/${path.relative(dir, set.dir).split(path.sep).join('/') || '.'}`;
        await db.query('DROP SCHEMA public CASCADE');
        await db.query('CREATE SCHEMA public');
        const catalog = new Catalog();
        let failed: string | null = null;
        for (const m of historyOrder(set.migrations)) {
          catalog.applyUpgrade(m);
          for (const st of upStatements(m)) {
            try {
              await db.query(st);
            } catch (err) {
              failed ??= `not applied: ${path.basename(m.file)}: ${(err as Error).message.split(' (')[0]!.replace(db.label, '{url}')}`;
            }
          }
        }
        const diffs = failed ? [failed] : await compare(db, catalog);
        if (diffs.length > 0) actual[label] = diffs;
      }
    }
  } finally {
    await db.close();
  }
  assert.equal(actual, EXPECTED, JSON.stringify(actual, null, 2));
});

test.run();
