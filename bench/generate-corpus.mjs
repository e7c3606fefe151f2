// Generates a corpus of PostgreSQL migration files shaped like several real projects side by side:
// a Diesel project (up.sql + down.sql folders), a golang-migrate one (.up.sql/.down.sql pairs), a
// Flyway one (V<n>__name.sql), a dbmate one (-- migrate:up / -- migrate:down sections) and a goose
// one (-- +goose Up/Down), with the statement mix such projects have: tables with constraints,
// columns added and altered, indexes (some concurrent), backfills, functions and triggers,
// enum changes, views, grants, comments. Deterministic: the same arguments give the same files.
// Usage: node bench/generate-corpus.mjs <dir> [files=1712]
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const TABLES = ['accounts', 'orders', 'invoices', 'events', 'users', 'projects', 'payments', 'audit_log', 'sessions', 'tags'];

// Each template: [up, down] for migration n on table t.
const UPS = [
  (t, n) => [
    `CREATE TABLE ${t}_${n} (\n    id bigserial PRIMARY KEY,\n    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,\n    name text NOT NULL,\n    state varchar(32) NOT NULL DEFAULT 'new',\n    payload jsonb NOT NULL DEFAULT '{}'::jsonb,\n    created_at timestamptz NOT NULL DEFAULT now(),\n    updated_at timestamptz NOT NULL DEFAULT now(),\n    CONSTRAINT ${t}_${n}_name_check CHECK (char_length(name) <= 200)\n);\nCREATE INDEX ${t}_${n}_account_idx ON ${t}_${n} (account_id);`,
    `DROP TABLE ${t}_${n};`,
  ],
  (t, n) => [`ALTER TABLE ${t} ADD COLUMN note_${n} text;`, `ALTER TABLE ${t} DROP COLUMN note_${n};`],
  (t, n) => [
    `ALTER TABLE ${t} ADD COLUMN flag_${n} boolean NOT NULL DEFAULT false;\nCOMMENT ON COLUMN ${t}.flag_${n} IS 'set by the importer';`,
    `ALTER TABLE ${t} DROP COLUMN flag_${n};`,
  ],
  (t, n) => [`CREATE INDEX CONCURRENTLY IF NOT EXISTS ${t}_created_${n}_idx ON ${t} (created_at DESC);`, `DROP INDEX CONCURRENTLY IF EXISTS ${t}_created_${n}_idx;`],
  (t, n) => [`CREATE UNIQUE INDEX ${t}_email_${n}_key ON ${t} (lower(email)) WHERE deleted_at IS NULL;`, `DROP INDEX ${t}_email_${n}_key;`],
  (t, n) => [
    `ALTER TABLE ${t} ADD CONSTRAINT ${t}_owner_${n}_fkey FOREIGN KEY (owner_id) REFERENCES users (id) NOT VALID;\nALTER TABLE ${t} VALIDATE CONSTRAINT ${t}_owner_${n}_fkey;`,
    `ALTER TABLE ${t} DROP CONSTRAINT ${t}_owner_${n}_fkey;`,
  ],
  (t, n) => [
    `UPDATE ${t} SET state = 'archived' WHERE updated_at < now() - interval '1 year' AND state <> 'archived';`,
    `UPDATE ${t} SET state = 'active' WHERE state = 'archived';`,
  ],
  (t, n) => [`ALTER TABLE ${t} ALTER COLUMN amount_${n} TYPE numeric(14, 2) USING amount_${n}::numeric;`, `ALTER TABLE ${t} ALTER COLUMN amount_${n} TYPE integer;`],
  (t, n) => [
    `CREATE OR REPLACE FUNCTION ${t}_touch_${n}() RETURNS trigger\n    LANGUAGE plpgsql\n    AS $$\nBEGIN\n    NEW.updated_at := now();\n    RETURN NEW;\nEND;\n$$;\n\nCREATE TRIGGER ${t}_touch_${n}\n    BEFORE UPDATE ON ${t}\n    FOR EACH ROW EXECUTE FUNCTION ${t}_touch_${n}();`,
    `DROP TRIGGER ${t}_touch_${n} ON ${t};\nDROP FUNCTION ${t}_touch_${n}();`,
  ],
  (t, n) => [`ALTER TYPE ${t}_status ADD VALUE IF NOT EXISTS 'state_${n}';`, `SELECT 1;`],
  (t, n) => [
    `CREATE OR REPLACE VIEW ${t}_summary_${n} AS\n    SELECT account_id, count(*) AS total, max(created_at) AS last_at\n    FROM ${t}\n    GROUP BY account_id;`,
    `DROP VIEW ${t}_summary_${n};`,
  ],
  (t, n) => [`GRANT SELECT, INSERT, UPDATE ON ${t} TO app_rw;\nGRANT SELECT ON ${t} TO app_ro;`, `REVOKE ALL ON ${t} FROM app_rw, app_ro;`],
  (t, n) => [`ALTER TABLE ${t} RENAME COLUMN old_${n} TO new_${n};`, `ALTER TABLE ${t} RENAME COLUMN new_${n} TO old_${n};`],
  (t, n) => [`ALTER TABLE ${t} ALTER COLUMN name_${n} SET NOT NULL;`, `ALTER TABLE ${t} ALTER COLUMN name_${n} DROP NOT NULL;`],
  (t, n) => [
    `INSERT INTO settings (key, value) VALUES ('feature_${n}', 'on') ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value;`,
    `DELETE FROM settings WHERE key = 'feature_${n}';`,
  ],
  (t, n) => [`CREATE EXTENSION IF NOT EXISTS pg_trgm;\nCREATE INDEX ${t}_name_trgm_${n} ON ${t} USING gin (name gin_trgm_ops);`, `DROP INDEX ${t}_name_trgm_${n};`],
];

function migration(n) {
  const t = TABLES[n % TABLES.length];
  const k = 1 + (n % 3);
  const up = [];
  const down = [];
  for (let i = 0; i < k; i++) {
    const [u, d] = UPS[(n * 7 + i * 3) % UPS.length](t, n * 10 + i);
    up.push(u);
    down.unshift(d);
  }
  return { name: `change_${t}_${n}`, up: up.join('\n\n') + '\n', down: down.join('\n\n') + '\n' };
}

const pad = (n, w) => String(n).padStart(w, '0');

const LAYOUTS = {
  // Two files per migration.
  diesel(dir, start, count) {
    for (let i = 0; i < count; i++) {
      const m = migration(start + i);
      const folder = path.join(dir, `2021-01-${pad(1 + (i % 28), 2)}-${pad(i, 6)}_${m.name}`);
      mkdirSync(folder, { recursive: true });
      writeFileSync(path.join(folder, 'up.sql'), m.up);
      writeFileSync(path.join(folder, 'down.sql'), m.down);
    }
    return count * 2;
  },
  'golang-migrate'(dir, start, count) {
    for (let i = 0; i < count; i++) {
      const m = migration(start + i);
      const v = pad(i + 1, 6);
      writeFileSync(path.join(dir, `${v}_${m.name}.up.sql`), m.up);
      writeFileSync(path.join(dir, `${v}_${m.name}.down.sql`), m.down);
    }
    return count * 2;
  },
  flyway(dir, start, count) {
    for (let i = 0; i < count; i++) {
      const m = migration(start + i);
      writeFileSync(path.join(dir, `V${i + 1}__${m.name}.sql`), m.up);
    }
    return count;
  },
  dbmate(dir, start, count) {
    for (let i = 0; i < count; i++) {
      const m = migration(start + i);
      writeFileSync(path.join(dir, `${20220101000000 + i}_${m.name}.sql`), `-- migrate:up\n${m.up}\n-- migrate:down\n${m.down}`);
    }
    return count;
  },
  goose(dir, start, count) {
    for (let i = 0; i < count; i++) {
      const m = migration(start + i);
      writeFileSync(path.join(dir, `${20230101000000 + i}_${m.name}.sql`), `-- +goose Up\n${m.up}\n-- +goose Down\n${m.down}`);
    }
    return count;
  },
};

/** One project of `count` migrations in one layout under dir/migrations; returns that directory. */
export function generateProject(dir, layout, count) {
  rmSync(dir, { recursive: true, force: true });
  const d = path.join(dir, 'migrations');
  mkdirSync(d, { recursive: true });
  LAYOUTS[layout](d, 0, count);
  return d;
}

/**
 * Writes `total` files under dir/<project>/migrations, split across the five layouts in the
 * proportions below; returns the migration directories.
 */
export function generateCorpus(dir, total = 1712) {
  rmSync(dir, { recursive: true, force: true });
  const share = [
    ['diesel', 0.3],
    ['golang-migrate', 0.3],
    ['flyway', 0.15],
    ['dbmate', 0.13],
    ['goose', 0.12],
  ];
  const dirs = [];
  let written = 0;
  let start = 0;
  share.forEach(([layout, part], idx) => {
    const perMigration = layout === 'diesel' || layout === 'golang-migrate' ? 2 : 1;
    const files = idx === share.length - 1 ? total - written : Math.round((total * part) / perMigration) * perMigration;
    const d = path.join(dir, `${layout}-project`, 'migrations');
    mkdirSync(d, { recursive: true });
    written += LAYOUTS[layout](d, start, files / perMigration);
    start += files;
    dirs.push(d);
  });
  return dirs;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [dir, count] = process.argv.slice(2);
  if (!dir) {
    console.error('usage: node bench/generate-corpus.mjs <dir> [files=1712]');
    process.exit(2);
  }
  for (const d of generateCorpus(path.resolve(dir), count ? Number(count) : 1712)) console.log(d);
}
