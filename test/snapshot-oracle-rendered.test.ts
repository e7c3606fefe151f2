// The catalog oracle for the chains that are not SQL files: each Alembic and TS/JS fixture chain is
// rendered to PostgreSQL statements (src/render), applied in history order to a real database,
// then snapshotted; the catalog's replay must equal the snapshot (see snapshot-oracle.test.ts for
// the SQL chains). What differs is listed below with its reason.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/index.js';
import { loadMigrations } from '../src/engine/run.js';
import { Catalog, historyOrder } from '../src/engine/catalog.js';
import { renderMigration } from '../src/render/index.js';
import { openDatabase } from '../src/verify/drivers.js';
import { sharedPostgres } from './helpers/postgres.js';
import { compare } from './helpers/snapshot-compare.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FAMILIES = ['alembic', 'alembic-shapes', 'knex', 'typeorm', 'node-pg-migrate', 'kysely', 'sequelize', 'mikroorm', 'db-migrate', 'generic'];

/**
 * Tables a chain references but never creates (a foreign key to a table of another service or of
 * the app's first, unshown migration), created before the chain and left out of the comparison.
 */
const PRELUDE: Record<string, { sql: string[]; outside: string[] }> = {
  // The chain also renames audit, a table it did not create, to audit_log.
  'knex/project/migrations': { sql: ['CREATE TABLE orgs (id integer PRIMARY KEY)', 'CREATE TABLE audit (id integer)'], outside: ['orgs', 'audit', 'audit_log'] },
  'typeorm/project/src/migrations': { sql: ['CREATE TABLE "user" (id uuid PRIMARY KEY)'], outside: ['user'] },
  // The chain renames orgs to organizations at its end.
  'node-pg-migrate/project/migrations': { sql: ['CREATE TABLE orgs (id integer PRIMARY KEY)'], outside: ['orgs', 'organizations'] },
  'kysely/project/migrations': { sql: ['CREATE TABLE orgs (id integer PRIMARY KEY)'], outside: ['orgs'] },
  'sequelize/project/migrations': { sql: ['CREATE TABLE collections (id uuid PRIMARY KEY)'], outside: ['collections'] },
};

/**
 * Each chain's differences, and the chains that cannot be applied, with why. Filled in from what
 * the database said; every entry is a known limit of the catalog, of the renderer or of the fixture.
 * A `not rendered:` line is an operation the renderer skipped, shown because the schema then differs.
 */
const EXPECTED: Record<string, string[]> = {
  // Rule fixtures that start mid-history: their first migrations alter a table (or a column) made
  // before the chain, which only the rule's point needs. Not applied, so not compared.
  'alembic/changing-column-type/migrations/versions': ['not applied: 7b3e0c5a9d16_tighten_customer_columns.py: query failed on {url}: column "referrer" of relation "customers" does not exist'],
  'alembic/dialect-issue10/migrations/versions': ['not applied: 5a2c8e1f3b90_event_indexes.py: query failed on {url}: relation "events" does not exist'],
  'alembic/foreign-ignore-embedded-sql/migrations/versions': ['not applied: 3c5e7a9b1d24_clean_up_accounts.py: query failed on {url}: relation "accounts" does not exist'],
  'alembic/timezone-issue10-ok/migrations/versions': ['not applied: 3c1e9a2b7d40_events_timestamptz.py: query failed on {url}: relation "events" does not exist'],
  'db-migrate/callback-invoked-early/migrations': ['not applied: 20240101120000-add-plan.js: query failed on {url}: relation "users" does not exist'],
  'db-migrate/callback-invoked-early-ok/migrations': ['not applied: 20240101120000-add-plan.js: query failed on {url}: relation "users" does not exist'],
  'generic/pg-promise/migrations': ['not applied: 20240101000000_index_email.js: query failed on {url}: relation "accounts" does not exist'],
  'generic/project/packages/schemas/alterations': ['not applied: 1.0.0-1700000100-add-user-nickname.ts: query failed on {url}: relation "users" does not exist'],
  // The parse-error rule's fixture: the file creating sites is not valid UTF-8 on purpose.
  'alembic/parse-error/migrations/versions': ['not applied: e2c8a6f0d391_site_timezone_index.py: query failed on {url}: relation "sites" does not exist'],
  // A migration that is a syntax error on purpose (the sql-syntax-error rule's fixture).
  'alembic/sql-syntax-error/migrations/versions': ['not applied: f5a0c7e2b918_backfill_customer_country.py: query failed on {url}: syntax error at or near "LIMIT"'],
  // The migration opens a SAVEPOINT, which needs the runner's transaction; the oracle sends no BEGIN.
  'alembic/transaction-nesting-ok/migrations/versions': ['not applied: e2b8c4a6d915_requeue_stuck_jobs.py: query failed on {url}: SAVEPOINT can only be used in transaction blocks'],

  // An operation under an `if` in the code: the catalog replays it (it may run), the renderer
  // cannot tell whether it runs and leaves it out.
  'alembic/empty-migration-ok/migrations/versions': [
    'not rendered: 0001_create_settings.py: op.create_table() runs only when a condition in the code holds',
    'table settings: in the catalog, not in the database',
  ],
  'alembic/mixed-schema-data-ok/migrations/versions': [
    'not rendered: 2022_04_21_095519_14dc68cc5853_add_state_name.py: op.create_index() runs only when a condition in the code holds',
    'not rendered: 2022_04_21_101205_b8d2f0e6a417_backfill_state_name.py: conn.execute() runs in a loop, as many times as the data says',
    'index ix_flow_run__state_name: in the catalog, not in the database',
  ],
  'alembic/unknown-operation-ok/migrations/versions': [
    'not rendered: 0001_create_bookings.py: constraint excl_bookings_room_id_during is of a kind migralint does not render',
    'not rendered: 0002_booking_notes.py: batch_op.add_column() runs only when a condition in the code holds',
    'not rendered: 0003_rename_tentative_status.py: update on bookings built in code (a query builder or SQLAlchemy expression)',
    'column bookings.notes: not in the database',
  ],
  // The renderer knows no PostgreSQL spelling for postgresql.BIGSERIAL() and skips the table.
  'alembic/prefer-identity/migrations/versions': [
    'not rendered: 9d4a2e6f8b07_create_invoices.py: CREATE TABLE invoices: column id: the type postgresql.BIGSERIAL() has no known PostgreSQL spelling',
    'table invoices: in the catalog, not in the database',
  ],
  // CHECK constraints declared in create_table are not in the model (see snapshot-oracle.test.ts).
  'alembic/prefer-text-ok/migrations/versions': ['check members.ck_members_email_length: in the database, not in the catalog'],
};

test('the catalog replay of each rendered Alembic and TS/JS fixture chain equals a snapshot of a database built by it', async () => {
  const server = await sharedPostgres();
  const admin = await openDatabase(server.url(), root);
  await admin.query('CREATE DATABASE snapshot_oracle_rendered');
  await admin.close();
  const db = await openDatabase(server.url('postgres', 'snapshot_oracle_rendered'), root);
  const actual: Record<string, string[]> = {};
  let chains = 0;
  try {
    for (const family of FAMILIES) {
      const base = path.join(root, 'fixtures', family);
      for (const name of readdirSync(base).sort()) {
        const dir = path.join(base, name);
        if (!statSync(dir).isDirectory()) continue;
        const config = await loadConfig({ cwd: dir });
        const { sets } = await loadMigrations({ cwd: dir, paths: [], config });
        for (const set of sets) {
          if (set.dialect !== 'postgresql' || set.migrations.length === 0) continue;
          const label = `${family}/${name}/${path.relative(dir, set.dir).split(path.sep).join('/') || '.'}`;
          chains++;
          await db.query('DROP SCHEMA public CASCADE');
          await db.query('CREATE SCHEMA public');
          const prelude = PRELUDE[label];
          for (const st of prelude?.sql ?? []) await db.query(st);
          const catalog = new Catalog();
          let failed: string | null = null;
          // What the renderer could not write (mostly data changes: a loop, rows built in code)
          // is skipped; it matters only when the schema then differs, so it is shown with the diffs.
          const skipped: string[] = [];
          for (const m of historyOrder(set.migrations)) {
            catalog.applyUpgrade(m);
            for (const item of renderMigration(m, { direction: 'up' }).items) {
              if (item.kind !== 'sql') {
                if (item.notRendered) skipped.push(`not rendered: ${path.basename(m.file)}: ${item.text.replace(/^migralint: not rendered: /, '')}`);
                continue;
              }
              try {
                await db.query(item.sql);
              } catch (err) {
                failed = `not applied: ${path.basename(m.file)}: ${(err as Error).message.split(' (')[0]!.replace(db.label, '{url}')}`;
                break;
              }
            }
            if (failed) break;
          }
          const found = failed ? [] : await compare(db, catalog, new Set(prelude?.outside));
          const diffs = failed ? [failed] : found.length > 0 ? [...skipped, ...found] : [];
          if (diffs.length > 0) actual[label] = diffs;
        }
      }
    }
  } finally {
    await db.close();
  }
  // Every fixture family has a PostgreSQL chain here: a loader that found none would pass vacuously.
  assert.ok(chains >= 100, `only ${chains} chains`);
  assert.equal(actual, EXPECTED, JSON.stringify(actual, null, 2));
});

test.run();
