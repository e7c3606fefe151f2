// How migrations will be run: Alembic env.py read statically, and the config's runner settings.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadMigrations } from '../src/engine/run.js';
import { configFor, writeProject } from './helpers/rule-tester.js';

const REV = `revision = "a1"\ndown_revision = None\ndef upgrade():\n    op.add_column("t", sa.Column("c", sa.Text()))\n`;

async function load(env: string | null, runner: Record<string, string> = {}) {
  const p = writeProject({ 'a1.py': REV });
  try {
    if (env !== null) writeFileSync(path.join(p.root, 'migrations', 'env.py'), env);
    else writeFileSync(path.join(p.root, 'migrations', 'env.py'), '');
    const config = { ...configFor(p.root, {}), runner };
    const { sets } = await loadMigrations({ cwd: p.root, paths: [p.versions], config });
    return sets[0]!.migrations[0]!;
  } finally {
    p.cleanup();
  }
}

test('default: one transaction around the whole run', async () => {
  const m = await load('from alembic import context\ncontext.configure(url="x")\n');
  assert.is(m.transaction.mode, 'single');
  assert.equal(m.runnerSettings, []);
});

test('transaction_per_migration=True, and SET lock_timeout on the connection (warehouse)', async () => {
  const m = await load(`from alembic import context
from sqlalchemy import text

def run_migrations_online():
    with connectable.connect() as connection:
        connection.execute(text("SET statement_timeout = 5000"))
        connection.execute(text("SET lock_timeout = 4000"))
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            transaction_per_migration=True,
        )
`);
  assert.is(m.transaction.mode, 'per-migration');
  assert.match(m.transaction.reason, /transaction_per_migration=True/);
  assert.is(m.transaction.loc?.line, 8);
  assert.equal(m.runnerSettings.map((s) => [s.name, s.value, s.loc?.line]), [
    ['statement_timeout', '5000', 6],
    ['lock_timeout', '4000', 7],
  ]);
});

test('the online configure decides: transactional_ddl=False (quay) means no transaction', async () => {
  const m = await load(`from alembic import context

def run_migrations_offline():
    context.configure(url=db_url, target_metadata=target_metadata, transactional_ddl=True)

def run_migrations_online():
    context.configure(connection=connection, target_metadata=target_metadata, transactional_ddl=False)
`);
  assert.is(m.transaction.mode, 'none');
  assert.is(m.transaction.loc?.line, 7);
});

test('connect_args options and the config runner settings count as set', async () => {
  const m = await load(
    `engine = create_engine(url, connect_args={"options": "-c lock_timeout=3s"})\n`,
    { statementTimeout: '15min' },
  );
  assert.equal(m.runnerSettings.map((s) => [s.name, s.value]), [
    ['lock_timeout', '3s'],
    ['statement_timeout', '15min'],
  ]);
});

test('the connection time zone: SET TIME ZONE, -c timezone= options (also URL-encoded), and runner.timeZone (issue 10)', async () => {
  const zones = async (env: string, runner: Record<string, string> = {}) =>
    (await load(env, runner)).runnerSettings.filter((s) => s.name === 'timezone').map((s) => s.value);
  assert.equal(await zones(`connection.execute(text("SET TIME ZONE 'UTC'"))\n`), ['UTC']);
  assert.equal(await zones(`connection.execute(text("SET timezone TO 'Etc/UTC'"))\n`), ['Etc/UTC']);
  assert.equal(await zones(`engine = create_engine(url, connect_args={"options": "-ctimezone=utc -c lock_timeout=3s"})\n`), ['utc']);
  assert.equal(await zones(`url = "postgresql://app@db/app?options=-c%20TimeZone%3DUTC"\n`), ['UTC']);
  assert.equal(await zones('', { timeZone: 'UTC' }), ['UTC']);
  assert.equal(await zones(`connection.execute(text("SET search_path = app"))\n`), []);
});

test.run();
