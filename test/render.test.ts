// `migralint sql`: every operation kind has a renderer, and the SQL rendered for the fixture
// projects of every framework is the SQL written by hand below (for Alembic, also what Alembic's
// own offline mode prints, when Debian's python3-alembic is installed).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadMigrations } from '../src/engine/run.js';
import { selectRange } from '../src/commands/sql.js';
import { RENDERERS, renderMigration, renderScript, runSteps, type RenderedMigration } from '../src/render/index.js';
import { loadSqlParser } from '../src/frontends/sql/index.js';
import { configFor } from './helpers/rule-tester.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function renderDir(dir: string, opts: { down?: boolean; from?: string; to?: string } = {}): Promise<RenderedMigration[]> {
  const abs = path.resolve(root, dir);
  const config = configFor(abs, {});
  const { sets } = await loadMigrations({ cwd: abs, paths: [abs], config });
  const out: RenderedMigration[] = [];
  for (const ms of selectRange(sets, opts.from, opts.to)) {
    for (const m of opts.down ? [...ms].reverse() : ms) out.push(renderMigration(m, { direction: opts.down ? 'down' : 'up' }));
  }
  return out;
}

/** Each migration's statements (not-rendered operations as `-- migralint: not rendered: ...`), by file name. */
function statements(rendered: RenderedMigration[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const r of rendered) {
    out[path.basename(r.migration.file)] = r.items.map((i) => (i.kind === 'sql' ? i.sql : `-- ${i.text}`));
  }
  return out;
}

test('every operation kind of the model has a renderer', () => {
  const types = readFileSync(path.join(root, 'src/model/types.ts'), 'utf8');
  const union = /export type Operation =([^;]+);/.exec(types)![1]!;
  const members = [...union.matchAll(/(\w+Op)\b/g)].map((m) => m[1]!);
  assert.ok(members.length >= 14, `found ${members.length} operation types`);
  for (const name of members) {
    const body = new RegExp(`interface ${name} extends OperationBase \\{[^}]*?kind: '(\\w+)'`).exec(types);
    assert.ok(body, `${name}: no kind found`);
    assert.type((RENDERERS as Record<string, unknown>)[body![1]!], 'function', `no renderer for operation kind ${body![1]}`);
  }
});

test('knex: the fixture project renders to the SQL written by hand', async () => {
  assert.equal(statements(await renderDir('fixtures/knex/project')), {
  '20240101120000_create_users.js': [
    "CREATE TABLE users (\n    id bigserial NOT NULL, \n    email varchar(320) NOT NULL, \n    name text, \n    created_at timestamptz DEFAULT CURRENT_TIMESTAMP NOT NULL, \n    updated_at timestamptz DEFAULT CURRENT_TIMESTAMP NOT NULL, \n    PRIMARY KEY (id), \n    UNIQUE (email)\n)",
  ],
  '20240102090000_add_plan.js': [
    "ALTER TABLE users ADD COLUMN plan text NOT NULL",
    "ALTER TABLE users ADD COLUMN org_id integer",
    "ALTER TABLE users ADD FOREIGN KEY(org_id) REFERENCES orgs (id)",
    "CREATE INDEX users_email_plan_idx ON users (email, plan)",
  ],
  '20240103100000_backfill_status.ts': [
    "ALTER TABLE users ADD COLUMN status text DEFAULT 'active' NOT NULL",
    "-- migralint: not rendered: update on users built in code (a query builder or SQLAlchemy expression)",
    "UPDATE users SET status = 'active' WHERE status IS NULL",
  ],
  '20240104110000_index_email.ts': [
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS users_created_idx ON users (created_at)",
    "ALTER TABLE audit RENAME TO audit_log",
    "CREATE TABLE IF NOT EXISTS tags (\n    id serial NOT NULL, \n    label varchar(255), \n    PRIMARY KEY (id)\n)",
    "-- migralint: not rendered: knex.migrate is not a knex call migralint understands",
  ],
  '20240105120000_change_type.js': [
    "ALTER TABLE users ALTER COLUMN org_id TYPE bigint",
    "ALTER TABLE users ALTER COLUMN org_id SET NOT NULL",
    "ALTER TABLE users RENAME name TO full_name",
    "CREATE INDEX users_name_idx ON users (full_name)",
  ],
  });
});

test('TypeORM: the fixture project renders to the SQL written by hand', async () => {
  assert.equal(statements(await renderDir('fixtures/typeorm/project')), {
  '1700000000000-CreatePosts.ts': [
    "CREATE TABLE post (\n    id uuid NOT NULL, \n    title text NOT NULL, \n    created_at timestamptz DEFAULT now() NOT NULL, \n    PRIMARY KEY (id)\n)",
  ],
  '1700000100000-AddPostSlug.ts': [
    "ALTER TABLE post ADD COLUMN slug varchar(200) NOT NULL",
    "ALTER TABLE post ADD COLUMN author_id uuid",
    "CREATE UNIQUE INDEX \"IDX_post_slug\" ON post (slug)",
    "ALTER TABLE post ADD FOREIGN KEY(author_id) REFERENCES \"user\" (id)",
  ],
  '1700000200000-RawSql.ts': [
    "-- migralint: not rendered: the statement has parts filled in at run time (placeholders, f-string fields, parameters)",
    "CREATE INDEX CONCURRENTLY \"IDX_post_title\" ON \"post\" (\"title\")",
    "ALTER TABLE post ALTER COLUMN title TYPE varchar",
    "ALTER TABLE post ALTER COLUMN title SET NOT NULL",
    "ALTER TABLE post RENAME title TO headline",
    "-- migralint: not rendered: queryRunner.manager...clear() is not an operation migralint understands",
  ],
  '1700000300000-ConcurrentIndex.ts': [
    "CREATE INDEX CONCURRENTLY \"IDX_post_created\" ON \"post\" (\"created_at\")",
  ],
  });
});

test('node-pg-migrate: the fixture project renders to the SQL written by hand', async () => {
  assert.equal(statements(await renderDir('fixtures/node-pg-migrate/project')), {
  '1700000000000_create-users.js': [
    "CREATE TABLE users (\n    id serial NOT NULL, \n    email varchar(320) NOT NULL, \n    org_id integer, \n    created_at timestamptz DEFAULT now() NOT NULL, \n    PRIMARY KEY (id), \n    UNIQUE (email), \n    FOREIGN KEY(org_id) REFERENCES orgs ON DELETE CASCADE\n)",
    "CREATE INDEX users_org_id_index ON users (org_id)",
  ],
  '1700000100000_add-plan.ts': [
    "ALTER TABLE users ADD COLUMN plan text NOT NULL",
    "ALTER TABLE users ADD COLUMN referrer_id integer",
    "ALTER TABLE users ADD FOREIGN KEY(referrer_id) REFERENCES users (id)",
    "ALTER TABLE users ADD CONSTRAINT users_plan_check CHECK (plan IN ('free', 'pro'))",
    "ALTER TABLE users ADD CONSTRAINT users_org_fk FOREIGN KEY(org_id) REFERENCES orgs (id) NOT VALID",
  ],
  '1700000200000_index-email-concurrently.js': [
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_created_idx ON users (email, created_at)",
    "SET lock_timeout = '2s'",
    "-- migralint: not rendered: the statement has parts filled in at run time (placeholders, f-string fields, parameters)",
  ],
  '1700000300000_backfill-plan.ts': [
    "UPDATE users SET plan = 'free'",
    "ALTER TABLE users ALTER COLUMN plan SET NOT NULL",
    "ALTER TABLE users ALTER COLUMN plan SET DEFAULT 'free'",
    "CREATE INDEX users_plan_index ON users (plan) WHERE plan <> 'free'",
  ],
  '1700000400000_rename-orgs.js': [
    "ALTER TABLE orgs RENAME TO organizations",
    "ALTER TABLE users RENAME org_id TO organization_id",
  ],
  });
});

test('Kysely: the fixture project renders to the SQL written by hand', async () => {
  assert.equal(statements(await renderDir('fixtures/kysely/project')), {
  '2024-01-01T00-00-00_create-users.ts': [
    "CREATE TABLE users (\n    id bigserial NOT NULL, \n    email varchar(320) NOT NULL, \n    org_id integer, \n    created_at timestamptz DEFAULT now() NOT NULL, \n    PRIMARY KEY (id), \n    UNIQUE (email), \n    FOREIGN KEY(org_id) REFERENCES orgs (id)\n)",
    "CREATE INDEX users_org_id_idx ON users (org_id)",
  ],
  '2024-01-02T00-00-00_add-plan.ts': [
    "ALTER TABLE users ADD COLUMN plan text NOT NULL",
    "ALTER TABLE users ADD COLUMN note text",
    "ALTER TABLE users ADD CONSTRAINT users_plan_check CHECK (plan in ('free', 'pro'))",
    "CREATE INDEX users_plan_idx ON users (plan, created_at) WHERE plan <> 'free'",
  ],
  '2024-01-03T00-00-00_backfill-and-raw.ts': [
    "-- migralint: not rendered: update on users built in code (a query builder or SQLAlchemy expression)",
    "-- migralint: not rendered: the statement has parts filled in at run time (placeholders, f-string fields, parameters)",
    "CREATE INDEX CONCURRENTLY users_note_idx ON users (note)",
    "-- migralint: not rendered: delete on sessions built in code (a query builder or SQLAlchemy expression)",
  ],
  '2024-01-04T00-00-00_rename.ts': [
    "ALTER TABLE users RENAME note TO remark",
    "ALTER TABLE users ALTER COLUMN org_id TYPE bigint",
    "-- migralint: not rendered: db.schema.createType() is not an operation migralint understands",
  ],
  });
});

test('Sequelize: the fixture project renders to the SQL written by hand', async () => {
  assert.equal(statements(await renderDir('fixtures/sequelize/project')), {
  '20240101100000-create-documents.js': [
    "CREATE TABLE documents (\n    id uuid NOT NULL, \n    title varchar(255) NOT NULL, \n    text text, \n    \"collectionId\" uuid, \n    \"createdAt\" timestamptz NOT NULL, \n    \"updatedAt\" timestamptz NOT NULL, \n    PRIMARY KEY (id), \n    FOREIGN KEY(\"collectionId\") REFERENCES collections (id)\n)",
  ],
  '20240102100000-add-archived.js': [
    "ALTER TABLE documents ADD COLUMN \"archivedAt\" timestamptz",
    "ALTER TABLE documents ADD COLUMN version smallint NOT NULL",
  ],
  '20240103100000-documents-indexes.js': [
    "CREATE INDEX CONCURRENTLY documents_collection_id ON documents (\"collectionId\")",
    "-- migralint: not rendered: the index or table name is not a literal",
  ],
  '20240104100000-backfill-titles.js': [
    "-- migralint: not rendered: update on documents built in code (a query builder or SQLAlchemy expression)",
    "UPDATE documents SET \"text\" = '' WHERE \"text\" IS NULL",
    "-- migralint: not rendered: delete on documents built in code (a query builder or SQLAlchemy expression)",
  ],
  '20240105100000-constraints.js': [
    "ALTER TABLE documents ALTER COLUMN title TYPE text",
    "ALTER TABLE documents ALTER COLUMN title SET NOT NULL",
    "ALTER TABLE documents ADD CONSTRAINT documents_collection_fk FOREIGN KEY(\"collectionId\") REFERENCES collections (id)",
    "ALTER TABLE documents RENAME text TO content",
    "-- migralint: not rendered: queryInterface.createFunction() is not an operation migralint understands",
  ],
  });
});

test('MikroORM: the fixture project renders to the SQL written by hand', async () => {
  assert.equal(statements(await renderDir('fixtures/mikroorm/project')), {
  'Migration20240101120000.ts': [
    "create table \"author\" (\"id\" serial primary key, \"name\" varchar(255) not null, \"email\" varchar(255) not null)",
    "create table \"book\" (\"id\" serial primary key, \"title\" varchar(255) not null, \"author_id\" int not null)",
    "alter table \"book\" add constraint \"book_author_id_foreign\" foreign key (\"author_id\") references \"author\" (\"id\") on update cascade",
  ],
  'Migration20240215093000.ts': [
    "alter table \"author\" add column \"bio\" text null",
    "alter table \"book\" add column \"isbn\" varchar(13) not null",
    "alter table \"book\" alter column \"title\" type text using (\"title\"::text)",
    "create index \"book_isbn_index\" on \"book\" (\"isbn\")",
    "-- migralint: not rendered: this.addSql() is given this.getKnex().schema.alterTable('autho…, not SQL text migralint can read (a knex builder, a variable...)",
  ],
  'Migration20240301100000.ts': [
    "create index concurrently \"author_email_index\" on \"author\" (\"email\")",
  ],
  });
});

test('db-migrate: the fixture project renders to the SQL written by hand', async () => {
  assert.equal(statements(await renderDir('fixtures/db-migrate/project')), {
  '20230101090000-create-features.js': [
    "CREATE TABLE features (\n    id serial NOT NULL, \n    name varchar(255) NOT NULL, \n    enabled boolean DEFAULT false NOT NULL, \n    created_at timestamp DEFAULT CURRENT_TIMESTAMP, \n    PRIMARY KEY (id), \n    UNIQUE (name)\n)",
  ],
  '20230215100000-add-feature-strategies.js': [
    "CREATE TABLE IF NOT EXISTS strategies (\n      name varchar(255) PRIMARY KEY NOT NULL,\n      description text,\n      parameters json\n    )",
    "ALTER TABLE features ADD COLUMN strategy_name varchar(255) REFERENCES strategies (name)",
  ],
  '20230320110000-feature-project.js': [
    "ALTER TABLE features ADD COLUMN project varchar DEFAULT 'default' NOT NULL",
    "CREATE INDEX features_project_idx ON features (project)",
  ],
  '20230410120000-backfill-stale.js': [
    "-- migralint: not rendered: callback invoked early: cb() is called and its result passed to db.runSql(), so db-migrate moves on before the call has finished; pass cb itself",
    "UPDATE features SET enabled = false WHERE name LIKE 'legacy-%'",
  ],
  '20230502130000-events-owner.js': [
    "ALTER TABLE features ALTER COLUMN name TYPE text",
    "ALTER TABLE features ALTER COLUMN name SET NOT NULL",
    "ALTER TABLE features ALTER COLUMN name DROP DEFAULT",
    "ALTER TABLE strategies RENAME TO feature_strategies",
    "-- migralint: not rendered: db.connection...query() is not an operation migralint understands",
  ],
  });
});

// What `alembic upgrade head --sql` prints for test/render-fixtures/alembic (Alembic 1.8,
// SQLAlchemy 1.4), without its alembic_version bookkeeping and the runner's BEGIN/COMMIT.
const ALEMBIC_UP = {
  'a1_accounts.py': [
    "CREATE TYPE mood AS ENUM ('happy', 'sad')",
    `CREATE TABLE accounts (
    id SERIAL NOT NULL, 
    email VARCHAR(200) NOT NULL, 
    name VARCHAR(50) DEFAULT 'anon', 
    created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, 
    active BOOLEAN DEFAULT true NOT NULL, 
    settings JSONB, 
    balance NUMERIC(10, 2), 
    external_id UUID, 
    parent_id INTEGER, 
    mood mood, 
    tags TEXT[], 
    "order" SMALLINT, 
    PRIMARY KEY (id), 
    CONSTRAINT ck_accounts_balance CHECK (balance >= 0), 
    CONSTRAINT uq_accounts_name_external UNIQUE (name, external_id), 
    UNIQUE (email), 
    FOREIGN KEY(parent_id) REFERENCES accounts (id) ON DELETE CASCADE
)`,
    `CREATE TABLE audit.events (
    id BIGSERIAL NOT NULL, 
    account_id INTEGER NOT NULL, 
    at TIMESTAMP WITHOUT TIME ZONE, 
    PRIMARY KEY (id), 
    CONSTRAINT fk_events_account FOREIGN KEY(account_id) REFERENCES accounts (id) ON DELETE SET NULL
)`,
    'CREATE UNIQUE INDEX ix_accounts_lower_email ON accounts (lower(email))',
    "INSERT INTO accounts (email) VALUES ('root@example.com')",
  ],
  'b2_changes.py': [
    "ALTER TABLE accounts ADD COLUMN tier TEXT DEFAULT 'free' NOT NULL",
    'ALTER TABLE accounts ADD COLUMN seen_at TIMESTAMP WITHOUT TIME ZONE',
    'ALTER TABLE accounts ADD COLUMN owner_id INTEGER',
    'ALTER TABLE accounts ADD FOREIGN KEY(owner_id) REFERENCES accounts (id)',
    'CREATE INDEX ix_accounts_owner_id ON accounts (owner_id)',
    'ALTER TABLE accounts DROP COLUMN "order"',
    'ALTER TABLE accounts ALTER COLUMN name TYPE VARCHAR(100)',
    'ALTER TABLE accounts ALTER COLUMN name SET NOT NULL',
    'ALTER TABLE accounts ALTER COLUMN name DROP DEFAULT',
    'ALTER TABLE accounts ALTER COLUMN balance TYPE NUMERIC(12, 2) USING balance::numeric(12, 2)',
    "ALTER TABLE accounts ALTER COLUMN tier SET DEFAULT 'basic'",
    'ALTER TABLE accounts RENAME seen_at TO last_seen_at',
    'ALTER TABLE accounts ADD CONSTRAINT fk_accounts_owner FOREIGN KEY(owner_id) REFERENCES accounts (id) NOT VALID',
    "ALTER TABLE accounts ADD CONSTRAINT ck_accounts_tier CHECK (tier <> '') NOT VALID",
    'ALTER TABLE accounts ADD CONSTRAINT uq_accounts_email UNIQUE (email)',
    'ALTER TABLE accounts DROP CONSTRAINT uq_accounts_name_external',
    "CREATE INDEX ix_accounts_tier ON accounts USING btree (tier) WHERE tier <> 'free'",
    'ALTER TABLE accounts ADD COLUMN note TEXT',
    'ALTER TABLE accounts ALTER COLUMN note SET NOT NULL',
    'ALTER TABLE accounts DROP COLUMN note',
    'ALTER TABLE accounts RENAME TO members',
    "UPDATE members SET tier = 'free' WHERE tier IS NULL",
    'CREATE INDEX CONCURRENTLY ix_members_email ON members (email)',
    'DROP INDEX ix_accounts_tier',
  ],
  'c3_columns.py': [
    'ALTER TABLE members ADD COLUMN handle TEXT',
    'ALTER TABLE members ADD UNIQUE (handle)',
    'ALTER TABLE members ADD COLUMN seq BIGINT GENERATED ALWAYS AS IDENTITY',
    'ALTER TABLE members ADD COLUMN total INTEGER GENERATED ALWAYS AS (balance * 2) STORED',
    "ALTER TABLE members ADD COLUMN prefs JSONB DEFAULT '{}'::jsonb NOT NULL",
    'ALTER TABLE members ADD COLUMN note TEXT',
    "COMMENT ON COLUMN members.note IS 'free text'",
    'ALTER TABLE members ADD COLUMN "Nick" VARCHAR(20)',
    'ALTER TABLE members ADD COLUMN hidden BOOLEAN DEFAULT false',
    "ALTER TABLE audit.members ADD COLUMN rank INTEGER DEFAULT '0'",
    `CREATE TABLE badges (
    id INTEGER GENERATED BY DEFAULT AS IDENTITY (INCREMENT BY 5 START WITH 10), 
    code VARCHAR(8) NOT NULL, 
    label TEXT, 
    CONSTRAINT pk_badges PRIMARY KEY (id), 
    UNIQUE (code)
)`,
    'CREATE INDEX ix_badges_label ON badges (label)',
    "COMMENT ON TABLE badges IS 'badges members earn'",
    "COMMENT ON COLUMN badges.label IS 'shown to users'",
    'ALTER TABLE members ADD FOREIGN KEY(rank) REFERENCES badges (id) ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED',
    'ALTER TABLE badges ADD UNIQUE (label, code)',
    'DROP INDEX audit.ix_badges_label',
    "ALTER TABLE badges ADD CONSTRAINT ck_badges_code CHECK (code <> '')",
    "COMMENT ON COLUMN members.note IS 'longer text'",
    'ALTER TABLE members RENAME note TO remark',
  ],  // SQLAlchemy type names as its PostgreSQL compiler writes them.
  'd4_types.py': [
    'CREATE TABLE typed (\n    a INTEGER, \n    b INTEGER, \n    c SMALLINT, \n    d BIGINT, \n    e VARCHAR, \n    f VARCHAR(20), \n    g VARCHAR(30), \n    h TEXT, \n    i CHAR(3), \n    j VARCHAR(10), \n    k TIMESTAMP WITHOUT TIME ZONE, \n    l TIMESTAMP WITH TIME ZONE, \n    m TIMESTAMP WITH TIME ZONE, \n    n TIMESTAMP(3) WITHOUT TIME ZONE, \n    o DATE, \n    p TIME WITHOUT TIME ZONE, \n    q TIME WITH TIME ZONE, \n    r INTERVAL, \n    s FLOAT, \n    t FLOAT(53), \n    u REAL, \n    v DOUBLE PRECISION, \n    w NUMERIC, \n    x NUMERIC(10, 2), \n    y NUMERIC(10), \n    z DECIMAL(5, 1), \n    aa BYTEA, \n    ab JSON, \n    ac JSON, \n    ad UUID, \n    ae INET, \n    af CIDR, \n    ag MACADDR, \n    ah VARCHAR(20)[], \n    ai TEXT[][], \n    aj existing_kind, \n    ak TSVECTOR, \n    al HSTORE, \n    am MONEY, \n    an BIT(3), \n    ao DATERANGE, \n    ap BIGINT, \n    aq BOOLEAN, \n    ar BYTEA\n)',
    "INSERT INTO typed (a, e, aq) VALUES (1, 'it''s', true)",
    'INSERT INTO typed (a, aq) VALUES (-2, NULL)',
    'ALTER TABLE typed ALTER COLUMN a TYPE BIGINT',
  ],
};

test('Alembic: every operation of the fixture renders to the SQL written by hand', async () => {
  assert.equal(statements(await renderDir('test/render-fixtures/alembic/versions')), ALEMBIC_UP);
});

test('Alembic: downgrades, newest first', async () => {
  assert.equal(statements(await renderDir('test/render-fixtures/alembic/versions', { down: true })), {
    'd4_types.py': ['DROP TABLE typed'],
    'c3_columns.py': ['DROP TABLE badges'],
    'b2_changes.py': [
      'ALTER TABLE members RENAME TO accounts',
      'ALTER TABLE accounts DROP CONSTRAINT fk_accounts_owner',
      'ALTER TABLE accounts DROP COLUMN owner_id',
      'ALTER TABLE accounts DROP COLUMN tier',
    ],
    'a1_accounts.py': ['DROP INDEX ix_accounts_lower_email', 'DROP TABLE audit.events', 'DROP TABLE accounts'],
  });
});

test('--from is exclusive and --to inclusive, as in alembic upgrade from:to --sql', async () => {
  assert.equal(Object.keys(statements(await renderDir('test/render-fixtures/alembic/versions', { from: 'a1' }))), ['b2_changes.py', 'c3_columns.py', 'd4_types.py']);
  assert.equal(Object.keys(statements(await renderDir('test/render-fixtures/alembic/versions', { from: 'a1', to: 'b2' }))), ['b2_changes.py']);
  assert.equal(Object.keys(statements(await renderDir('test/render-fixtures/alembic/versions', { to: 'a1' }))), ['a1_accounts.py']);
  await renderDir('test/render-fixtures/alembic/versions', { to: 'zz' }).then(
    () => assert.unreachable('an unknown revision must fail'),
    (err: Error) => assert.match(err.message, /no migration has the revision "zz"/),
  );
});

/** The statements of a script, one per entry, without comments and blank lines. */
function scriptStatements(text: string): string[] {
  const lines = text.split('\n').filter((l) => !l.startsWith('--') && !/^\S+\.py:\d+: \w*Warning/.test(l) && !/^\s+op\./.test(l));
  return lines
    .join('\n')
    .split(/;\n/)
    .map((s) => s.trim())
    .filter((s) => s !== '' && !/alembic_version/.test(s));
}

test('Alembic: the script has the transactions Alembic opens (per migration, autocommit block)', async () => {
  const script = renderScript(await renderDir('test/render-fixtures/alembic/versions'));
  const flat = scriptStatements(script);
  const expected = [
    'BEGIN',
    ...ALEMBIC_UP['a1_accounts.py'],
    'COMMIT',
    'BEGIN',
    ...ALEMBIC_UP['b2_changes.py'].slice(0, -2),
    'COMMIT',
    ALEMBIC_UP['b2_changes.py'].at(-2)!,
    'BEGIN',
    ALEMBIC_UP['b2_changes.py'].at(-1)!,
    'COMMIT',
    'BEGIN',
    ...ALEMBIC_UP['c3_columns.py'],
    'COMMIT',
    'BEGIN',
    ...ALEMBIC_UP['d4_types.py'],
    'COMMIT',
  ];
  assert.equal(flat, expected);
  assert.match(script, /-- migralint: the runner opens a transaction for this migration \(env\.py configures transaction_per_migration=True\)\nBEGIN;/);
});

test('runSteps: the runner statements with the migration they belong to, for a caller that executes them', async () => {
  const rendered = await renderDir('test/render-fixtures/alembic/versions', { to: 'b2' });
  const runner = runSteps(rendered)
    .filter((s) => s.kind === 'runner' || (s.kind === 'item' && s.item.kind === 'sql' && !s.item.transactional))
    .map((s) => (s.kind === 'runner' ? `${s.migration}:${s.sql}` : `${s.migration}:outside`));
  assert.equal(runner, ['0:BEGIN', '0:COMMIT', '1:BEGIN', '1:COMMIT', '1:outside', '1:BEGIN', '1:COMMIT']);
});

/** The script cut into one piece per migration: the statements after each `-- Running` heading. */
function perMigration(script: string): string[][] {
  return script
    .split(/^-- Running .*$/m)
    .slice(1)
    .map(scriptStatements);
}

test('SQL files: a transaction per migration, none, or the implicit one of a multi-statement query', async () => {
  // dbmate: a transaction per migration, except for the file that says transaction:false.
  const dbmate = perMigration(renderScript(await renderDir('fixtures/sql/layout-dbmate')));
  assert.equal(dbmate[0]![0], 'BEGIN');
  assert.equal(dbmate[0]!.at(-1), 'COMMIT');
  assert.not.ok(dbmate[2]!.includes('BEGIN'), dbmate[2]!.join('; '));
  // golang-migrate sends a file as one query: PostgreSQL's implicit transaction, no BEGIN sent.
  const golang = renderScript(await renderDir('fixtures/sql/layout-golang-migrate'));
  assert.not.match(golang, /^BEGIN;$/m);
  assert.match(golang, /-- migralint: golang-migrate sends the file as one query: PostgreSQL runs its 3 statements in one implicit transaction \(no BEGIN is sent\)/);
  // TypeORM's default: one transaction around the whole run, closed before a migration that opts out.
  const typeorm = perMigration(renderScript(await renderDir('fixtures/typeorm/project')));
  assert.is(typeorm[0]![0], 'BEGIN');
  assert.not.ok(typeorm[1]!.includes('BEGIN') || typeorm[2]!.includes('BEGIN'));
  assert.is(typeorm[3]![0], 'COMMIT');
  assert.not.ok(typeorm[3]!.slice(1).includes('BEGIN'));
});

test('renderers: a column, default or name that is not a literal is not rendered', () => {
  const at = { line: 3, column: 5, endLine: 3, endColumn: 40 };
  const base = { loc: at, conditional: false, repeated: false, transactional: true, batch: false, via: null, callee: 't.unique' };
  const ctx = { migration: null as never, direction: 'up' as const };
  const unique = RENDERERS.add_constraint(
    { ...base, kind: 'add_constraint', constraintType: 'unique', name: null, table: 'users', schema: null, columns: ['?'], referredTable: null, referredColumns: [], condition: null, notValid: false },
    ctx,
  );
  assert.equal(unique, [{ notRendered: 'constraint (unnamed): a column name is not a literal' }]);
  const column = { name: 'plan', type: 'text', nullable: null, serverDefault: { text: 'planFor(x)', sql: null, kind: 'unknown' as const }, clientDefault: false, primaryKey: false, unique: false, generated: false, loc: at };
  assert.equal(RENDERERS.add_column({ ...base, kind: 'add_column', table: 'users', schema: null, column }, ctx), [
    { notRendered: 'column plan: the default planFor(x) is known only at run time' },
  ]);
  assert.equal(RENDERERS.drop_table({ ...base, kind: 'drop_table', table: null, schema: null }, ctx), [{ notRendered: 'the table name is not a literal' }]);
  assert.equal(RENDERERS.drop_table({ ...base, kind: 'drop_table', table: 'Order', schema: 'app', ifExists: true, cascade: true }, ctx), [
    { sql: 'DROP TABLE IF EXISTS app."Order" CASCADE' },
  ]);
});

test('--down names a downgrade kept in a file of its own', async () => {
  const script = renderScript(await renderDir('fixtures/sql/layout-golang-migrate', { down: true }));
  assert.match(script, /^-- Running downgrade 3 -> 2 \(\S+000003_index_users_last_login_at\.down\.sql\)/);
});

const python = '/usr/bin/python3';
const haveAlembic = existsSync(python) && spawnSync(python, ['-c', 'import alembic'], { encoding: 'utf8' }).status === 0;

test('Alembic: the script is what alembic upgrade --sql prints (real Alembic, offline mode)', async () => {
  if (!haveAlembic) {
    console.log('  (skipped: python3-alembic is not installed)');
    return;
  }
  const dir = path.join(root, 'test/render-fixtures/alembic');
  const run = spawnSync(python, ['-m', 'alembic', 'upgrade', 'head', '--sql'], { cwd: dir, encoding: 'utf8' });
  assert.is(run.status, 0, run.stderr);
  const ours = scriptStatements(renderScript(await renderDir('test/render-fixtures/alembic/versions')));
  assert.equal(ours, scriptStatements(run.stdout));
});

test('what cannot be told statically is a comment with the reason and the line, never a guess', async () => {
  const rendered = await renderDir('test/render-fixtures/alembic-unrenderable/versions');
  assert.equal(statements(rendered), {
    'c3_data.py': [
      'ALTER TABLE accounts ADD COLUMN score INTEGER',
      '-- migralint: not rendered: op.execute() runs in a loop, as many times as the data says',
      '-- migralint: not rendered: op.add_column() runs only when a condition in the code holds',
      '-- migralint: not rendered: bulk_insert into accounts: the rows are known only at run time (not literal, or of a type migralint does not write literals for)',
      '-- migralint: not rendered: an ORM session writes rows known only at run time',
      '-- migralint: not rendered: the statement has parts filled in at run time (placeholders, f-string fields, parameters)',
      '-- migralint: not rendered: column kind: the type MyType() has no known PostgreSQL spelling',
      '-- migralint: not rendered: op.create_index(): migralint does not read postgresql_include=, which changes its SQL',
      'ALTER TABLE accounts DROP COLUMN legacy',
    ],
  });
  assert.is(rendered[0]!.notRendered, 7);
  const script = renderScript(rendered, { fileName: (f) => path.relative(root, f) });
  assert.match(script, /-- migralint: not rendered: op\.execute\(\) runs in a loop, as many times as the data says \(test\/render-fixtures\/alembic-unrenderable\/versions\/c3_data\.py:15\)/);
  // The default transaction mode of Alembic (no transaction_per_migration): one for the whole run.
  assert.match(script, /one transaction for the whole run/);
});

test('raw SQL is kept as written, one statement once even when it holds several operations', async () => {
  const rendered = await renderDir('fixtures/sql/rename-column');
  const sql = rendered.flatMap((r) => r.items).filter((i) => i.kind === 'sql');
  assert.ok(sql.length > 0);
  for (const i of sql) if (i.kind === 'sql') assert.is(i.origin, 'written');
});

test('every statement rendered for every fixture project parses, and reads back as the operation it came from', async () => {
  const parser = await loadSqlParser();
  const fixtures = path.join(root, 'fixtures');
  const base = { conditional: false, repeated: false, transactional: true, batch: false, via: null, callee: '' };
  const at = { line: 1, column: 1, endLine: 1, endColumn: 1 };
  let checked = 0;
  const bad: string[] = [];
  for (const framework of readdirSync(fixtures)) {
    for (const name of readdirSync(path.join(fixtures, framework))) {
      const dir = path.join(fixtures, framework, name);
      if (!statSync(dir).isDirectory()) continue;
      const { sets } = await loadMigrations({ cwd: dir, paths: [dir], config: configFor(dir, {}) });
      for (const m of sets.flatMap((s) => s.migrations)) {
        for (const direction of ['up', 'down'] as const) {
          const body = direction === 'up' ? m.upgrade : m.downgrade;
          for (const item of renderMigration(m, { direction }).items) {
            if (item.kind !== 'sql' || item.origin !== 'rendered') continue;
            checked++;
            const kinds = parser.toOperations(item.sql, { offsets: null, source: item.sql, holes: [], base, fallback: at }).map((o) => o.kind);
            const from = body.operations[item.opIndex]!.kind;
            // The enum types a new table declares, and the comments of a table or column, have no
            // operation of their own: they read back as plain statements.
            const expected = /^(CREATE TYPE|COMMENT ON) /.test(item.sql) ? 'sql' : from;
            if (!kinds.includes(expected) || kinds.includes('sql_error')) bad.push(`${framework}/${name}: ${from} -> ${kinds.join(', ')}: ${item.sql}`);
          }
        }
      }
    }
  }
  assert.ok(checked > 400, `only ${checked} statements rendered`);
  assert.equal(bad, []);
});

function cli(args: string[]) {
  const res = spawnSync(process.execPath, [path.join(root, 'bin', 'migralint.js'), ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

test('migralint sql prints the script; --format json the statements with their positions', () => {
  const text = cli(['sql', 'test/render-fixtures/alembic/versions', '--to', 'a1']);
  assert.is(text.code, 0, text.stderr);
  assert.match(text.stdout, /^-- Running upgrade -> a1 \(test\/render-fixtures\/alembic\/versions\/a1_accounts\.py\): accounts\n/);
  assert.match(text.stdout, /\nBEGIN;\n\nCREATE TYPE mood AS ENUM \('happy', 'sad'\);\n/);
  assert.not.match(text.stdout, /ALTER TABLE accounts ADD COLUMN tier/);
  const json = cli(['sql', 'test/render-fixtures/alembic/versions', '--from', 'a1', '--to', 'b2', '--down', '--format', 'json']);
  assert.is(json.code, 0, json.stderr);
  const out = JSON.parse(json.stdout) as { migrations: { revision: string; direction: string; items: { kind: string; sql?: string; loc: { line: number } }[] }[] };
  assert.equal(out.migrations.map((m) => [m.revision, m.direction]), [['b2', 'down']]);
  assert.equal(out.migrations[0]!.items[0], { ...out.migrations[0]!.items[0], kind: 'sql', sql: 'ALTER TABLE members RENAME TO accounts' });
  assert.is(out.migrations[0]!.items[0]!.loc.line, 35);
});

test('migralint sql: a file that cannot be read is a comment with its line, and the exit code is 1', () => {
  const r = cli(['sql', 'fixtures/alembic/parse-error']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /7b3f9e1c5a48_site_timezone\.py:15: Unexpected token in expression/);
  assert.match(r.stdout, /-- migralint: not rendered: the file could not be read: Unexpected token in expression \(fixtures\/alembic\/parse-error\/migrations\/versions\/7b3f9e1c5a48_site_timezone\.py:15\)/);
  // The other files are still rendered.
  assert.match(r.stdout, /CREATE INDEX ix_sites_timezone ON sites \(timezone\);/);
});

test('migralint sql: usage errors exit 2', () => {
  const lintDown = cli(['lint', '--down', 'test/render-fixtures/alembic/versions']);
  assert.is(lintDown.code, 2);
  assert.match(lintDown.stderr, /--down applies to sql only/);
  const unknown = cli(['sql', 'test/render-fixtures/alembic/versions', '--from', 'nope']);
  assert.is(unknown.code, 2);
  assert.match(unknown.stderr, /no migration has the revision "nope"/);
});

test.run();
