// Generates N synthetic but realistic PostgreSQL migration files in golang-migrate layout
// (`<version>_<name>.up.sql`), 3-6 statements each, for benchmarks against other SQL linters.
// Usage: node bench/generate-sql.mjs <dir> <count>
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const TABLES = ['accounts', 'orders', 'invoices', 'events', 'users', 'projects'];

const STATEMENTS = [
  (t, n) => `CREATE TABLE ${t}_${n} (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    account_id bigint NOT NULL REFERENCES accounts (id),\n    payload jsonb NOT NULL DEFAULT '{}'::jsonb,\n    created_at timestamptz NOT NULL DEFAULT now()\n);`,
  (t, n) => `ALTER TABLE ${t} ADD COLUMN note_${n} text;`,
  (t, n) => `CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_${t}_note_${n} ON ${t} (note_${n});`,
  (t, n) => `ALTER TABLE ${t} ADD COLUMN status_${n} varchar(20) NOT NULL DEFAULT 'active';`,
  (t, n) => `ALTER TABLE ${t} ADD CONSTRAINT fk_${t}_owner_${n} FOREIGN KEY (owner_id) REFERENCES accounts (id) NOT VALID;`,
  (t, n) => `ALTER TABLE ${t} VALIDATE CONSTRAINT fk_${t}_owner_${n};`,
  (t, n) => `UPDATE ${t} SET flag_${n} = false WHERE flag_${n} IS NULL AND id < 100000;`,
  (t, n) => `COMMENT ON COLUMN ${t}.note_${n} IS 'free text, migration ${n}';`,
  (t, n) => `CREATE INDEX ix_${t}_created_${n} ON ${t} (created_at);`,
  (t, n) => `ALTER TABLE ${t} ALTER COLUMN amount_${n} TYPE bigint;`,
  (t, n) => `INSERT INTO settings (key, value) VALUES ('k${n}', 'v') ON CONFLICT DO NOTHING;`,
  (t, n) => `ALTER TABLE ${t} RENAME COLUMN old_${n} TO new_${n};`,
];

export function generateSql(dir, count) {
  rmSync(dir, { recursive: true, force: true });
  const migrations = path.join(dir, 'migrations');
  mkdirSync(migrations, { recursive: true });
  for (let n = 0; n < count; n++) {
    const t = TABLES[n % TABLES.length];
    const k = 3 + (n % 4);
    const body = [`-- synthetic migration ${n}`, "SET lock_timeout = '5s';"];
    for (let i = 0; i < k; i++) body.push(STATEMENTS[(n * 7 + i * 5) % STATEMENTS.length](t, n));
    const version = String(20240101000000 + n);
    writeFileSync(path.join(migrations, `${version}_rev_${n}.up.sql`), body.join('\n\n') + '\n');
  }
  return migrations;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [dir, count] = process.argv.slice(2);
  if (!dir || !count) {
    console.error('usage: node bench/generate-sql.mjs <dir> <count>');
    process.exit(2);
  }
  console.log(generateSql(path.resolve(dir), Number(count)));
}
