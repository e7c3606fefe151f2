// Behaviour that needs a whole SQL migration directory: how the runner's transaction is modelled
// per layout, and rules that depend on it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lint, loadMigrations } from '../src/engine/run.js';
import { configFor } from './helpers/rule-tester.js';

function project(files: Record<string, string>): { root: string; dir: string; cleanup(): void } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'migralint-sql-'));
  const dir = path.join(root, 'db', 'migrations');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return { root, dir, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

async function findings(files: Record<string, string>, rules: string[]) {
  const p = project(files);
  try {
    const enabled = Object.fromEntries(rules.map((r) => [r, { severity: 'error' as const, options: {} }]));
    const { findings } = await lint({ cwd: p.root, paths: [p.dir], config: configFor(p.root, enabled), lockfile: null });
    return findings.map((f) => [f.ruleId, path.relative(p.dir, f.file), f.line]);
  } finally {
    p.cleanup();
  }
}

test('golang-migrate: BEGIN ... COMMIT takes over the implicit transaction (the tool\'s own tutorial)', async () => {
  const found = await findings(
    {
      '000002_add_mood.up.sql': 'BEGIN;\nCREATE TYPE mood AS ENUM (\'happy\', \'sad\');\nALTER TABLE users ADD COLUMN mood mood;\nCOMMIT;\n',
      '000002_add_mood.down.sql': 'BEGIN;\nALTER TABLE users DROP COLUMN mood;\nDROP TYPE mood;\nCOMMIT;\n',
    },
    ['transaction-nesting'],
  );
  assert.equal(found, []);
});

test('dbmate transaction:false with two statements still runs them in one implicit transaction', async () => {
  const p = project({
    '20240101000000_ix.sql':
      '-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY ix_a ON users (a);\nCREATE INDEX CONCURRENTLY ix_b ON users (b);\n\n-- migrate:down\nDROP INDEX ix_a;\n',
    '20240102000000_one.sql': '-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY ix_c ON users (c);\n\n-- migrate:down\nDROP INDEX ix_c;\n',
  });
  try {
    const { sets } = await loadMigrations({ cwd: p.root, paths: [p.dir], config: configFor(p.root, {}) });
    const ms = sets.flatMap((s) => s.migrations).sort((a, b) => (a.file < b.file ? -1 : 1));
    assert.equal(ms.map((m) => [m.transaction.mode, m.transaction.implicit ?? false]), [
      ['per-migration', true],
      ['none', false],
    ]);
    const config = configFor(p.root, { 'concurrent-index-in-transaction': { severity: 'error', options: {} } });
    const { findings } = await lint({ cwd: p.root, paths: [p.dir], config, lockfile: null });
    assert.equal(findings.map((f) => [path.basename(f.file), f.line]), [
      ['20240101000000_ix.sql', 2],
      ['20240101000000_ix.sql', 3],
    ]);
  } finally {
    p.cleanup();
  }
});

test('incomplete-downgrade knows PostgreSQL\'s default constraint names and the columns a CHECK reads', async () => {
  const found = await findings(
    {
      '000001_keys.up.sql': 'ALTER TABLE audit ADD PRIMARY KEY (id);\nALTER TABLE accounts ADD CHECK (tier IN (\'free\', \'pro\')) NOT VALID;\n',
      '000001_keys.down.sql': 'ALTER TABLE accounts DROP COLUMN tier;\nALTER TABLE audit DROP CONSTRAINT audit_pkey;\n',
    },
    ['incomplete-downgrade'],
  );
  assert.equal(found, []);
});

test('mixed-schema-data ignores schema changes that touch no table (CREATE FUNCTION)', async () => {
  const found = await findings(
    {
      '000001_fn.up.sql':
        "CREATE FUNCTION slugify(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT lower(t) $$;\nUPDATE accounts SET slug = slugify(name) WHERE slug IS NULL;\n",
      '000002_col.up.sql': 'ALTER TABLE accounts ADD COLUMN note text;\nUPDATE accounts SET note = \'\' WHERE note IS NULL;\n',
    },
    ['mixed-schema-data'],
  );
  assert.equal(found, [['mixed-schema-data', '000002_col.up.sql', 2]]);
});

test.run();
