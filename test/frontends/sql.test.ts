import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { loadSqlParser } from '../../src/frontends/sql/index.js';
import type { SqlParser } from '../../src/frontends/sql/api.js';
import { formatTypeText } from '../../src/frontends/sql/types.js';
import { SIMPLE, SQL_STATEMENTS } from '../../src/frontends/sql/convert.js';
import { parseSync } from 'libpg-query';
import { prepare } from '../../src/frontends/sql/lexer.js';
import { parseAlembic } from '../../src/frontends/alembic/index.js';
import { expandEmbeddedSql } from '../../src/engine/sql-pass.js';
import type { Dialect, Loc, Migration, Operation, OperationBase } from '../../src/model/types.js';

let parser: SqlParser;
test.before(async () => {
  parser = await loadSqlParser();
});

const BASE: Omit<OperationBase, 'loc' | 'fromSql'> = {
  conditional: false,
  repeated: false,
  transactional: true,
  batch: false,
  via: null,
  callee: 'sql',
};
const FALLBACK: Loc = { line: 99, column: 1, endLine: 99, endColumn: 2 };

/** Operations of a text that IS the host file (offsets null). */
function read(text: string, holes: [number, number][] = []): Operation[] {
  return parser.toOperations(text, { offsets: null, source: text, holes, base: BASE, fallback: FALLBACK });
}

function one<K extends Operation['kind']>(text: string, kind: K, holes: [number, number][] = []): Extract<Operation, { kind: K }> {
  const ops = read(text, holes);
  assert.is(ops.length, 1, `expected one operation, got ${JSON.stringify(ops.map((o) => o.kind))}`);
  assert.is(ops[0]!.kind, kind, JSON.stringify(ops[0]));
  return ops[0] as Extract<Operation, { kind: K }>;
}

function loc(line: number, column: number, endLine: number, endColumn: number): Loc {
  return { line, column, endLine, endColumn };
}

/** The fields of an operation other than the base ones, for compact comparisons. */
function fields(op: Operation): Record<string, unknown> {
  const { conditional: _c, repeated: _r, transactional: _t, batch: _b, via: _v, callee: _e, loc: _l, fromSql: _f, ...rest } = op;
  return rest;
}

// ---------------------------------------------------------------------------------------------
// Splitting and locations

test('blank text, whitespace, semicolons and comments only give no operations', () => {
  assert.equal(read(''), []);
  assert.equal(read('   \n\t'), []);
  assert.equal(read(';;\n;'), []);
  assert.equal(read('-- nothing here;\n/* nor ; /* nested */ here */\n'), []);
});

test('each statement runs from its first token to its last, comments excluded, with its index', () => {
  const text = "-- header; not a statement\nUPDATE a SET x = 1; /* c */ DELETE FROM b -- trailing\n;\n  SELECT 1";
  const ops = read(text);
  assert.equal(
    ops.map((o) => [o.kind, o.fromSql, o.loc]),
    [
      ['data_change', { statement: 'UPDATE a SET x = 1', index: 0, hasHoles: false }, loc(2, 1, 2, 19)],
      ['data_change', { statement: 'DELETE FROM b', index: 1, hasHoles: false }, loc(2, 29, 2, 42)],
      ['sql', { statement: 'SELECT 1', index: 2, hasHoles: false }, loc(4, 3, 4, 11)],
    ],
  );
  assert.equal(ops[0]!.callee, 'sql');
});

test('CREATE FUNCTION with ; inside $$ and BEGIN ATOMIC bodies are one statement, also when another statement fails', () => {
  const fn = "CREATE OR REPLACE FUNCTION touch() RETURNS trigger AS $$ BEGIN NEW.at := now(); RETURN NEW; END; $$ LANGUAGE plpgsql";
  const atomic = 'CREATE FUNCTION two() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END';
  const good = read(`${fn};\n${atomic};\nSELECT 3`);
  assert.equal(good.map((o) => [o.kind, (o as { keyword?: string }).keyword]), [
    ['sql', 'CREATE FUNCTION'],
    ['sql', 'CREATE FUNCTION'],
    ['sql', 'SELECT'],
  ]);
  // A syntax error forces the scanner split: the bodies must still not be cut.
  const bad = read(`${fn};\n${atomic};\nSELECT 1 FRM t;\nBEGIN;\nSELECT 3`);
  assert.equal(bad.map((o) => o.kind), ['sql', 'sql', 'sql_error', 'transaction_control', 'sql']);
  assert.is(bad[0]!.fromSql!.statement, fn);
  assert.is(bad[1]!.fromSql!.statement, atomic);
  assert.equal(bad.map((o) => o.fromSql!.index), [0, 1, 2, 3, 4]);
});

test('a syntax error in the middle of three statements: the others are read, the error is at PostgreSQL\'s position', () => {
  const text = 'ALTER TABLE a ADD COLUMN x int;\nSELECT 1 FRM t;\nDROP TABLE old_things';
  const ops = read(text);
  assert.equal(ops.map((o) => o.kind), ['add_column', 'sql_error', 'drop_table']);
  const err = ops[1] as Extract<Operation, { kind: 'sql_error' }>;
  assert.is(err.message, 'syntax error at or near "t"');
  assert.equal(err.loc, loc(2, 14, 2, 15));
  assert.is(err.hint, null);
  assert.is(err.fromSql!.statement, 'SELECT 1 FRM t');
  assert.equal(ops[2]!.loc, loc(3, 1, 3, 22));
});

test('UPDATE ... LIMIT and DELETE ... LIMIT get the batching hint', () => {
  const ops = read('UPDATE accounts SET tier = 1 WHERE tier IS NULL LIMIT 1000;\nDELETE FROM logs LIMIT 10;\nSELECT 1 LIMIT ALL OFFSET x y');
  assert.equal(ops.map((o) => o.kind), ['sql_error', 'sql_error', 'sql_error']);
  const [u, d, s] = ops as Extract<Operation, { kind: 'sql_error' }>[];
  assert.is(u!.message, 'syntax error at or near "LIMIT"');
  assert.equal(u!.loc, loc(1, 49, 1, 54));
  assert.is(
    u!.hint,
    'PostgreSQL has no UPDATE ... LIMIT; batch with a keyed sub-select: UPDATE t SET ... WHERE id IN (SELECT id FROM t WHERE ... LIMIT n)',
  );
  assert.match(d!.hint ?? '', /^PostgreSQL has no DELETE \.\.\. LIMIT/);
  assert.is(s!.hint, null);
});

test('non-ASCII text before a statement: byte offsets are converted (whole parse and scanner split)', () => {
  const text = "SELECT 'héllo wörld ✓ 😀';\nUPDATE t SET a = 'é' WHERE b = 1";
  const ok = read(text);
  assert.is(ok[1]!.fromSql!.statement, "UPDATE t SET a = 'é' WHERE b = 1");
  assert.equal(ok[1]!.loc, loc(2, 1, 2, 33));
  const bad = read("SELECT '😀😀';\nUPDATE t SET a = 1 LIMIT 5;\nSELECT 'ü'");
  assert.equal(bad.map((o) => o.kind), ['sql', 'sql_error', 'sql']);
  // cursorPosition counts code points; the emoji are two UTF-16 units each.
  assert.equal(bad[1]!.loc, loc(2, 20, 2, 25));
  assert.is(bad[2]!.fromSql!.statement, "SELECT 'ü'");
  assert.equal(bad[2]!.loc, loc(3, 1, 3, 11));
});

test('an unterminated string or comment: the rest is one statement that fails; earlier ones are read', () => {
  const ops = read("UPDATE a SET x = 1;\nSELECT 'oops; DELETE FROM b");
  assert.equal(ops.map((o) => o.kind), ['data_change', 'sql_error']);
  const err = ops[1] as Extract<Operation, { kind: 'sql_error' }>;
  assert.match(err.message, /^unterminated quoted string/);
  assert.equal(err.loc.line, 2);
  assert.is(err.loc.column, 8);
  const comment = read('SELECT 1; /* never closed');
  assert.equal(comment.map((o) => o.kind), ['sql', 'sql_error']);
  assert.match((comment[1] as Extract<Operation, { kind: 'sql_error' }>).message, /unterminated \/\* comment/);
});

test('positions map through the host offsets; an unmapped position falls back', () => {
  // The SQL sits at offset 10 of the host, one character per character, except the last statement.
  const source = 'op.execute("UPDATE a SET x = 1; DELETE FROM b")\n';
  const sql = 'UPDATE a SET x = 1; DELETE FROM b';
  const offsets = new Int32Array(sql.length);
  for (let i = 0; i < sql.length; i++) offsets[i] = i < 20 ? 12 + i : -1;
  const ops = parser.toOperations(sql, { offsets, source, holes: [], base: BASE, fallback: FALLBACK });
  assert.equal(ops[0]!.loc, loc(1, 13, 1, 31));
  assert.equal(ops[1]!.loc, FALLBACK);
});

// ---------------------------------------------------------------------------------------------
// Holes and parameters

test('stand-ins keep the length and parse in identifier, value, literal and list positions', () => {
  const text = "UPDATE {} SET a = %s WHERE id IN %s AND b = %(name)s AND c::text = 'x:y' AND d = :d LIMIT :batch_size";
  const p = prepare(text, [[7, 9]]);
  assert.is(p.sql.length, text.length);
  assert.is(p.sql.slice(0, 9), 'UPDATE \u2026\u2026');
  assert.ok(p.sql.includes('IN(\u2026)'), p.sql);
  assert.ok(p.sql.includes("::text = 'x:y'"), 'casts and quoted colons are not parameters');
  assert.equal(p.standIns.length, 6);
  // A parameter followed by a cast is still a parameter; a slice bound is not.
  assert.is(prepare('SELECT :ts::date, a[1:n]', []).sql, 'SELECT \u2026\u2026\u2026::date, a[1:n]');
  // LIMIT :n after SELECT parses (the stand-in is a column reference there).
  const sel = one('SELECT id FROM t WHERE a = %s LIMIT :n', 'sql');
  assert.is(sel.fromSql!.hasHoles, true);
  // A hole inside a string literal is replaced only when the host says it is one.
  const quoted = "UPDATE t SET a = '{}'";
  assert.is(prepare(quoted, []).sql, quoted);
  assert.is(prepare(quoted, [[18, 20]]).sql, "UPDATE t SET a = '\u2026\u2026'");
});

test('an f-string table is unknown; hasHoles is set only on the statements that hold one', () => {
  const text = 'UPDATE {} SET x = 1; DELETE FROM logs';
  const ops = read(text, [[7, 9]]);
  assert.equal(ops.map(fields), [
    { kind: 'data_change', action: 'update', table: null, columns: ['x'], hasWhere: false },
    { kind: 'data_change', action: 'delete', table: 'logs', columns: [], hasWhere: false },
  ]);
  assert.equal(ops.map((o) => o.fromSql!.hasHoles), [true, false]);
  assert.is(ops[0]!.fromSql!.statement, 'UPDATE \u2026\u2026 SET x = 1');
});

test('templates: Go {{ }}, ${...}, psql :\'v\', COMMENT ... IS %s, INTERVAL :i', () => {
  const ops = read(
    'INSERT INTO {{ .Table }} (id) VALUES ({{ index .Options "Namespace" }}); CREATE TABLE ${schema}.t (id int); ' +
      "COMMENT ON TABLE t IS %s; SELECT now() - INTERVAL :i; SELECT :'v'",
  );
  assert.equal(ops.map((o) => o.kind), ['data_change', 'create_table', 'sql', 'sql', 'sql']);
  assert.is((ops[0] as Extract<Operation, { kind: 'data_change' }>).table, null);
  assert.equal([(ops[1] as Extract<Operation, { kind: 'create_table' }>).table, (ops[1] as Extract<Operation, { kind: 'create_table' }>).schema], ['t', null]);
  assert.ok(ops.every((o) => o.fromSql!.hasHoles));
  // A Go template function with arguments (ory popx) stands in for a name too.
  const [ct] = read('CREATE TABLE {{ identifier .Parameters.tableName }} ( "id" UUID NOT NULL, PRIMARY KEY ("id"));');
  assert.is(ct!.kind, 'create_table');
  // A two-dimensional array literal is not a template.
  const [ins] = read("INSERT INTO t (m) VALUES ('{{a,b},{c,d}}')");
  assert.equal([ins!.kind, ins!.fromSql!.hasHoles], ['data_change', false]);
});

// ---------------------------------------------------------------------------------------------
// Statements to operations

test('CREATE TABLE: columns, canonical types, nullability, defaults, generated columns, constraints', () => {
  const op = one(
    `CREATE TABLE IF NOT EXISTS billing.plans (
  id bigserial PRIMARY KEY,
  name varchar(50) NOT NULL UNIQUE,
  created_at timestamptz DEFAULT now(),
  price numeric(10,2) DEFAULT 0 NOT NULL,
  seats int GENERATED ALWAYS AS IDENTITY,
  kind text NULL DEFAULT 'basic'::text,
  account_id bigint REFERENCES accounts (id),
  CONSTRAINT name_not_blank CHECK (name <> '')
)`,
    'create_table',
  );
  assert.equal([op.table, op.schema], ['plans', 'billing']);
  assert.equal(
    op.columns.map((c) => [c.name, c.type, c.nullable, c.primaryKey, c.unique, c.generated, c.serverDefault && [c.serverDefault.sql, c.serverDefault.kind]]),
    [
      ['id', 'bigserial', false, true, false, true, null],
      ['name', 'character varying(50)', false, false, true, false, null],
      ['created_at', 'timestamp with time zone', null, false, false, false, ['now()', 'expression']],
      ['price', 'numeric(10,2)', false, false, false, false, ['0', 'literal']],
      ['seats', 'integer', null, false, false, true, null],
      ['kind', 'text', true, false, false, false, ["'basic'::text", 'literal']],
      ['account_id', 'bigint', null, false, false, false, null],
    ],
  );
  assert.equal(op.columns[1]!.loc, loc(3, 3, 3, 35));
  assert.equal(
    op.constraints.map((c) => [c.type, c.name, c.loc.line]),
    [
      ['foreign_key', null, 8],
      ['check', 'name_not_blank', 9],
    ],
  );
});

test('CREATE TABLE AS and SELECT INTO: a create_table and an insert', () => {
  assert.equal(read('CREATE TABLE archive AS SELECT * FROM orders; SELECT * INTO TEMP snap FROM t').map(fields), [
    { kind: 'create_table', table: 'archive', schema: null, columns: [], constraints: [] },
    { kind: 'data_change', action: 'insert', table: 'archive', columns: [], hasWhere: null },
    { kind: 'create_table', table: 'snap', schema: null, columns: [], constraints: [] },
    { kind: 'data_change', action: 'insert', table: 'snap', columns: [], hasWhere: null },
  ]);
  assert.equal(read('CREATE TABLE e AS SELECT 1 WITH NO DATA').map((o) => o.kind), ['create_table']);
});

test('ALTER TABLE: one operation per subcommand, each at its clause', () => {
  const text =
    'ALTER TABLE public.accounts ADD COLUMN IF NOT EXISTS tier text NOT NULL DEFAULT \'free\', DROP COLUMN legacy, ' +
    'ALTER COLUMN seats TYPE bigint USING seats::bigint, ALTER COLUMN owner SET NOT NULL, ALTER COLUMN note DROP NOT NULL, ' +
    'ALTER COLUMN at SET DEFAULT now(), ALTER COLUMN at DROP DEFAULT';
  const ops = read(text);
  assert.equal(ops.map(fields), [
    {
      kind: 'add_column',
      table: 'accounts',
      schema: 'public',
      column: {
        name: 'tier',
        type: 'text',
        nullable: false,
        serverDefault: { text: "'free'", sql: "'free'", kind: 'literal' },
        clientDefault: false,
        primaryKey: false,
        unique: false,
        generated: false,
        loc: loc(1, 54, 1, 87),
      },
    },
    { kind: 'drop_column', table: 'accounts', schema: 'public', column: 'legacy' },
    { kind: 'alter_column', table: 'accounts', schema: 'public', column: 'seats', existingType: null, existingNullable: null, type: 'bigint', using: 'seats::bigint' },
    { kind: 'alter_column', table: 'accounts', schema: 'public', column: 'owner', existingType: null, existingNullable: null, nullable: false },
    { kind: 'alter_column', table: 'accounts', schema: 'public', column: 'note', existingType: null, existingNullable: null, nullable: true },
    {
      kind: 'alter_column',
      table: 'accounts',
      schema: 'public',
      column: 'at',
      existingType: null,
      existingNullable: null,
      serverDefault: { text: 'now()', sql: 'now()', kind: 'expression' },
    },
    { kind: 'alter_column', table: 'accounts', schema: 'public', column: 'at', existingType: null, existingNullable: null, serverDefault: null },
  ]);
  // Issue 10: each operation points at its own clause (the text is one line: columns are offsets).
  assert.equal(
    ops.map((o) => [o.loc.line, o.loc.endLine, text.slice(o.loc.column - 1, o.loc.endColumn - 1)]),
    [
      "ADD COLUMN IF NOT EXISTS tier text NOT NULL DEFAULT 'free'",
      'DROP COLUMN legacy',
      'ALTER COLUMN seats TYPE bigint USING seats::bigint',
      'ALTER COLUMN owner SET NOT NULL',
      'ALTER COLUMN note DROP NOT NULL',
      'ALTER COLUMN at SET DEFAULT now()',
      'ALTER COLUMN at DROP DEFAULT',
    ].map((clause) => [1, 1, clause]),
  );
  // The statement is remembered, so that an ignore above it still covers each clause.
  assert.ok(ops.every((o) => JSON.stringify(o.fromSql?.statementLoc) === JSON.stringify(loc(1, 1, 1, text.length + 1))));
});

test('clause positions: multi-line ALTER TABLE, ONLY / quoted / qualified names, DROP TABLE a, b; one clause keeps the statement (issue 10)', () => {
  const text = 'ALTER TABLE ONLY "billing"."Accounts"\n  ADD COLUMN tier text,\n  ALTER COLUMN email SET NOT NULL;\nDROP TABLE IF EXISTS a, s.b CASCADE;\nDROP TABLE c;\nALTER TABLE d DROP COLUMN e;';
  const ops = read(text);
  assert.equal(
    ops.map((o) => [o.kind, o.loc.line, o.loc.column, o.loc.endLine, o.loc.endColumn]),
    [
      ['add_column', 2, 3, 2, 23],
      ['alter_column', 3, 3, 3, 34],
      ['drop_table', 4, 22, 4, 23],
      ['drop_table', 4, 25, 4, 28],
      ['drop_table', 5, 1, 5, 13],
      ['drop_column', 6, 1, 6, 28],
    ],
  );
  assert.is(ops[4]!.fromSql?.statementLoc, undefined);
});

test('ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID, then VALIDATE; UNIQUE USING INDEX; CHECK; DROP CONSTRAINT', () => {
  const ops = read(
    'ALTER TABLE orders ADD CONSTRAINT orders_account_fk FOREIGN KEY (account_id) REFERENCES billing.accounts (id) NOT VALID;\n' +
      'ALTER TABLE orders VALIDATE CONSTRAINT orders_account_fk;\n' +
      'ALTER TABLE orders ADD CONSTRAINT orders_code_key UNIQUE USING INDEX ix_orders_code;\n' +
      'ALTER TABLE orders ADD CONSTRAINT positive CHECK (total >= 0) NOT VALID, DROP CONSTRAINT old_check',
  );
  assert.equal(ops.map(fields), [
    {
      kind: 'add_constraint',
      constraintType: 'foreign_key',
      name: 'orders_account_fk',
      table: 'orders',
      schema: null,
      columns: ['account_id'],
      referredTable: 'accounts',
      referredColumns: ['id'],
      condition: null,
      notValid: true,
      usingIndex: null,
    },
    { kind: 'validate_constraint', table: 'orders', schema: null, name: 'orders_account_fk' },
    {
      kind: 'add_constraint',
      constraintType: 'unique',
      name: 'orders_code_key',
      table: 'orders',
      schema: null,
      columns: [],
      referredTable: null,
      referredColumns: [],
      condition: null,
      notValid: false,
      usingIndex: 'ix_orders_code',
    },
    {
      kind: 'add_constraint',
      constraintType: 'check',
      name: 'positive',
      table: 'orders',
      schema: null,
      // The columns a CHECK reads: dropping one of them drops the constraint.
      columns: ['total'],
      referredTable: null,
      referredColumns: [],
      condition: 'total >= 0',
      notValid: true,
      usingIndex: null,
    },
    { kind: 'drop_constraint', name: 'old_check', table: 'orders', schema: null, constraintType: null },
  ]);
  assert.equal(ops.map((o) => o.loc.line), [1, 2, 3, 4, 4]);
});

test('an added column\'s inline REFERENCES and CHECK also give add_constraint', () => {
  const ops = read('ALTER TABLE orders ADD COLUMN account_id bigint REFERENCES accounts (id) CHECK (account_id > 0)');
  assert.equal(ops.map((o) => o.kind), ['add_column', 'add_constraint', 'add_constraint']);
  assert.equal(
    ops.slice(1).map((o) => {
      const c = o as Extract<Operation, { kind: 'add_constraint' }>;
      return [c.constraintType, c.columns, c.referredTable, c.condition];
    }),
    [
      ['foreign_key', ['account_id'], 'accounts', null],
      ['check', ['account_id'], null, 'account_id > 0'],
    ],
  );
});

test('other ALTER TABLE forms: sql operations with the subcommand and PostgreSQL\'s lock', () => {
  const ops = read(
    'ALTER TABLE t SET TABLESPACE fast, ALTER COLUMN a SET STATISTICS 500, ENABLE TRIGGER ALL, SET (fillfactor = 70), ' +
      'SET (user_catalog_table = true), CLUSTER ON ix, SET LOGGED, OWNER TO admin;\n' +
      'ALTER TABLE p DETACH PARTITION p2019 CONCURRENTLY;\n' +
      'ALTER TABLE p DETACH PARTITION p2018;\n' +
      'ALTER TABLE p ATTACH PARTITION p2020 FOR VALUES FROM (1) TO (2)',
  );
  assert.equal(
    ops.map((o) => {
      const s = o as Extract<Operation, { kind: 'sql' }>;
      return [s.kind, s.keyword, s.category, s.table, s.node, s.lock, s.concurrently];
    }),
    [
      ['sql', 'ALTER TABLE', 'schema', 't', 'AT_SetTableSpace', 'ACCESS EXCLUSIVE', undefined],
      ['sql', 'ALTER TABLE', 'schema', 't', 'AT_SetStatistics', 'SHARE UPDATE EXCLUSIVE', undefined],
      ['sql', 'ALTER TABLE', 'schema', 't', 'AT_EnableTrigAll', 'SHARE ROW EXCLUSIVE', undefined],
      ['sql', 'ALTER TABLE', 'schema', 't', 'AT_SetRelOptions', 'SHARE UPDATE EXCLUSIVE', undefined],
      ['sql', 'ALTER TABLE', 'schema', 't', 'AT_SetRelOptions', 'ACCESS EXCLUSIVE', undefined],
      ['sql', 'ALTER TABLE', 'schema', 't', 'AT_ClusterOn', 'SHARE UPDATE EXCLUSIVE', undefined],
      ['sql', 'ALTER TABLE', 'schema', 't', 'AT_SetLogged', 'ACCESS EXCLUSIVE', undefined],
      ['sql', 'ALTER TABLE', 'schema', 't', 'AT_ChangeOwner', 'ACCESS EXCLUSIVE', undefined],
      ['sql', 'ALTER TABLE', 'schema', 'p', 'AT_DetachPartition', 'SHARE UPDATE EXCLUSIVE', true],
      ['sql', 'ALTER TABLE', 'schema', 'p', 'AT_DetachPartition', 'ACCESS EXCLUSIVE', false],
      ['sql', 'ALTER TABLE', 'schema', 'p', 'AT_AttachPartition', 'SHARE UPDATE EXCLUSIVE', undefined],
    ],
  );
});

test('renames: RENAME COLUMN is alter_column newName, RENAME TO is rename_table, others are sql', () => {
  assert.equal(read('ALTER TABLE t RENAME COLUMN a TO b; ALTER TABLE s.t RENAME TO u; ALTER INDEX i RENAME TO j; ALTER TABLE t RENAME CONSTRAINT c TO d').map(fields), [
    { kind: 'alter_column', table: 't', schema: null, column: 'a', newName: 'b', existingType: null, existingNullable: null },
    { kind: 'rename_table', table: 't', newName: 'u', schema: 's' },
    { kind: 'sql', keyword: 'ALTER INDEX', category: 'schema', table: null, lock: null, node: 'RenameStmt' },
    { kind: 'sql', keyword: 'ALTER TABLE', category: 'schema', table: 't', lock: 'ACCESS EXCLUSIVE', node: 'RenameStmt' },
  ]);
});

test('CREATE INDEX CONCURRENTLY IF NOT EXISTS with expressions, method and predicate; DROP INDEX CONCURRENTLY; DROP TABLE', () => {
  const ops = read(
    'CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ix_users_email ON app.users USING btree (lower(email) text_pattern_ops, (a + b) DESC, tenant_id) WHERE deleted_at IS NULL;\n' +
      'CREATE INDEX ON t (x);\n' +
      'DROP INDEX CONCURRENTLY IF EXISTS ix_a, app.ix_b;\n' +
      'DROP TABLE IF EXISTS old_a, app.old_b CASCADE',
  );
  assert.equal(ops.map(fields), [
    {
      kind: 'create_index',
      name: 'ix_users_email',
      table: 'users',
      schema: 'app',
      columns: ['lower(email)', 'a + b', 'tenant_id'],
      unique: true,
      concurrently: true,
      ifNotExists: true,
      method: 'btree',
      where: 'deleted_at IS NULL',
    },
    { kind: 'create_index', name: null, table: 't', schema: null, columns: ['x'], unique: false, concurrently: false, ifNotExists: false, method: null, where: null },
    { kind: 'drop_index', name: 'ix_a', table: null, schema: null, concurrently: true, ifExists: true },
    { kind: 'drop_index', name: 'ix_b', table: null, schema: 'app', concurrently: true, ifExists: true },
    { kind: 'drop_table', table: 'old_a', schema: null },
    { kind: 'drop_table', table: 'old_b', schema: 'app' },
  ]);
});

test('data changes: UPDATE SET targets and WHERE, DELETE, INSERT, MERGE, COPY FROM (not TO), TRUNCATE of two tables', () => {
  assert.equal(
    read(
      'UPDATE ONLY accounts SET tier = \'free\', (seats, plan) = (1, 2) WHERE tier IS NULL; DELETE FROM sessions; ' +
        'INSERT INTO plans (id, name) VALUES (1, \'x\') ON CONFLICT DO NOTHING; ' +
        'MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN UPDATE SET a = s.a WHEN NOT MATCHED THEN INSERT (id) VALUES (s.id); ' +
        'COPY plans (id, name) FROM STDIN; COPY plans TO STDOUT; TRUNCATE a, ONLY app.b RESTART IDENTITY',
    ).map(fields),
    [
      { kind: 'data_change', action: 'update', table: 'accounts', columns: ['tier', 'seats', 'plan'], hasWhere: true },
      { kind: 'data_change', action: 'delete', table: 'sessions', columns: [], hasWhere: false },
      { kind: 'data_change', action: 'insert', table: 'plans', columns: ['id', 'name'], hasWhere: null },
      { kind: 'data_change', action: 'merge', table: 't', columns: ['a'], hasWhere: null },
      { kind: 'data_change', action: 'copy', table: 'plans', columns: ['id', 'name'], hasWhere: null },
      { kind: 'sql', keyword: 'COPY', category: 'other', table: 'plans', lock: null, node: 'CopyStmt' },
      { kind: 'data_change', action: 'truncate', table: 'a', columns: [], hasWhere: null },
      { kind: 'data_change', action: 'truncate', table: 'b', columns: [], hasWhere: null },
    ],
  );
});

test('WITH x AS (...) UPDATE is the update; a data-modifying CTE under SELECT is its own change', () => {
  assert.equal(
    read(
      'WITH stale AS (SELECT id FROM accounts WHERE seen < now() - interval \'1 year\') UPDATE accounts SET active = false WHERE id IN (SELECT id FROM stale);\n' +
        'WITH moved AS (DELETE FROM queue WHERE done RETURNING *) INSERT INTO archive SELECT * FROM moved;\n' +
        'WITH x AS (UPDATE t SET a = 1 RETURNING id) SELECT count(*) FROM x',
    ).map(fields),
    [
      { kind: 'data_change', action: 'update', table: 'accounts', columns: ['active'], hasWhere: true },
      { kind: 'data_change', action: 'delete', table: 'queue', columns: [], hasWhere: true },
      { kind: 'data_change', action: 'insert', table: 'archive', columns: [], hasWhere: null },
      { kind: 'data_change', action: 'update', table: 't', columns: ['a'], hasWhere: false },
    ],
  );
});

test('SET, SET LOCAL, RESET, SET ... TO DEFAULT and SELECT set_config(...) are set_setting', () => {
  assert.equal(
    read(
      "SET lock_timeout = '5s'; SET LOCAL statement_timeout TO 5000; RESET lock_timeout; SET search_path TO DEFAULT; " +
        "SET search_path = app, public; SELECT set_config('lock_timeout', '2s', true); SELECT pg_catalog.set_config('Statement_Timeout', '0', false)",
    ).map(fields),
    [
      { kind: 'set_setting', name: 'lock_timeout', value: '5s', local: false },
      { kind: 'set_setting', name: 'statement_timeout', value: '5000', local: true },
      { kind: 'set_setting', name: 'lock_timeout', value: null, local: false },
      { kind: 'set_setting', name: 'search_path', value: null, local: false },
      { kind: 'set_setting', name: 'search_path', value: 'app, public', local: false },
      { kind: 'set_setting', name: 'lock_timeout', value: '2s', local: true },
      { kind: 'set_setting', name: 'statement_timeout', value: '0', local: false },
    ],
  );
  // set_config over rows is a query, not a setting.
  assert.is(one("SELECT set_config('a.b', x, false) FROM t", 'sql').keyword, 'SELECT');
});

test('transaction statements', () => {
  assert.equal(
    read('BEGIN; START TRANSACTION; SAVEPOINT s; RELEASE SAVEPOINT s; ROLLBACK TO SAVEPOINT s; ROLLBACK; ABORT; COMMIT; END').map((o) =>
      o.kind === 'transaction_control' ? o.action : o.kind,
    ),
    ['begin', 'begin', 'savepoint', 'release', 'rollback_to', 'rollback', 'rollback', 'commit', 'commit'],
  );
});

test('other statements: keyword, category, table, lock, node, concurrently', () => {
  const ops = read(
    [
      'CLUSTER accounts USING accounts_pkey',
      'VACUUM FULL accounts',
      'VACUUM (ANALYZE) accounts',
      'REINDEX TABLE accounts',
      'REINDEX INDEX CONCURRENTLY ix_a',
      'LOCK TABLE accounts IN SHARE ROW EXCLUSIVE MODE',
      'LOCK orders',
      'REFRESH MATERIALIZED VIEW CONCURRENTLY mv_totals',
      'REFRESH MATERIALIZED VIEW mv_totals',
      "ALTER TYPE mood ADD VALUE 'meh'",
      'CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$',
      'DO $$ BEGIN PERFORM 1; END $$',
      "COMMENT ON COLUMN app.accounts.tier IS 'plan'",
      'GRANT SELECT ON accounts TO reader',
      'CREATE EXTENSION IF NOT EXISTS pg_trgm',
      'CREATE TRIGGER trg BEFORE UPDATE ON accounts FOR EACH ROW EXECUTE FUNCTION f()',
      'SELECT pg_advisory_lock(1)',
    ].join(';\n'),
  );
  assert.equal(
    ops.map((o) => {
      const s = o as Extract<Operation, { kind: 'sql' }>;
      return [s.keyword, s.category, s.table, s.lock, s.node, s.concurrently];
    }),
    [
      ['CLUSTER', 'schema', 'accounts', 'ACCESS EXCLUSIVE', 'ClusterStmt', undefined],
      ['VACUUM', 'other', 'accounts', 'ACCESS EXCLUSIVE', 'VacuumStmt', undefined],
      ['VACUUM', 'other', 'accounts', 'SHARE UPDATE EXCLUSIVE', 'VacuumStmt', undefined],
      ['REINDEX', 'schema', 'accounts', 'SHARE', 'ReindexStmt', false],
      ['REINDEX', 'schema', null, 'SHARE UPDATE EXCLUSIVE', 'ReindexStmt', true],
      ['LOCK TABLE', 'other', 'accounts', 'SHARE ROW EXCLUSIVE', 'LockStmt', undefined],
      ['LOCK TABLE', 'other', 'orders', 'ACCESS EXCLUSIVE', 'LockStmt', undefined],
      ['REFRESH MATERIALIZED VIEW', 'schema', 'mv_totals', 'EXCLUSIVE', 'RefreshMatViewStmt', true],
      ['REFRESH MATERIALIZED VIEW', 'schema', 'mv_totals', 'ACCESS EXCLUSIVE', 'RefreshMatViewStmt', false],
      ['ALTER TYPE', 'schema', null, null, 'AlterEnumStmt', undefined],
      ['CREATE FUNCTION', 'schema', null, null, 'CreateFunctionStmt', undefined],
      ['DO', 'other', null, null, 'DoStmt', undefined],
      ['COMMENT ON', 'schema', 'accounts', 'SHARE UPDATE EXCLUSIVE', 'CommentStmt', undefined],
      ['GRANT', 'schema', null, null, 'GrantStmt', undefined],
      ['CREATE EXTENSION', 'schema', null, null, 'CreateExtensionStmt', undefined],
      ['CREATE TRIGGER', 'schema', 'accounts', 'SHARE ROW EXCLUSIVE', 'CreateTrigStmt', undefined],
      ['SELECT', 'other', null, null, 'SelectStmt', undefined],
    ],
  );
});

test('canonical type spelling (format_type): written forms agree with rendered ones', () => {
  const cases: [string, string][] = [
    ['INT', 'integer'],
    ['int4', 'integer'],
    ['VARCHAR(50)', 'character varying(50)'],
    ['character varying(50)', 'character varying(50)'],
    ['timestamptz', 'timestamp with time zone'],
    ['TIMESTAMP(3) WITH TIME ZONE', 'timestamp(3) with time zone'],
    ['timestamp', 'timestamp without time zone'],
    ['float8', 'double precision'],
    ['float(10)', 'real'],
    ['bool', 'boolean'],
    ['decimal(10, 2)', 'numeric(10,2)'],
    ['char', 'character(1)'],
    ['int[]', 'integer[]'],
    ['serial8', 'bigserial'],
    ['public.mood', 'public.mood'],
    ['"MyType"', '"MyType"'],
    ['interval day to second(3)', 'interval day to second(3)'],
  ];
  for (const [written, canonical] of cases) assert.is(formatTypeText(written), canonical, written);
  const ct = one(
    'CREATE TABLE t (a INT, b VARCHAR(50), c timestamptz, d TIMESTAMP(3) WITH TIME ZONE, e float8, f decimal(10,2), g char, h int[], i interval day to second(3), j "MyType")',
    'create_table',
  );
  for (const c of ct.columns) assert.is(c.type, formatTypeText(c.type!), c.name!);
  assert.equal(
    ct.columns.map((c) => c.type),
    ['integer', 'character varying(50)', 'timestamp with time zone', 'timestamp(3) with time zone', 'double precision', 'numeric(10,2)', 'character(1)', 'integer[]', 'interval day to second(3)', '"MyType"'],
  );
});

// ---------------------------------------------------------------------------------------------
// Embedded SQL in Alembic migrations

const HEAD = 'from alembic import op\nimport sqlalchemy as sa\n\nrevision = "b2"\ndown_revision = "a1"\n\n';

function migration(body: string, dialect: Dialect = 'postgresql'): Migration {
  const lines = body.replace(/^\n/, '').replace(/\s+$/, '').split('\n');
  const src = `${HEAD}def upgrade():\n${lines.map((l) => (l ? `    ${l}` : l)).join('\n')}\n`;
  const m = parseAlembic({
    file: join(tmpdir(), 'migralint-sql-test', 'versions', 'b2.py'),
    bytes: new TextEncoder().encode(src),
    projectRoot: join(tmpdir(), 'migralint-sql-test'),
    dialect,
  });
  assert.is(m.parseError, null, m.parseError?.message);
  return m;
}

test('a triple-quoted string: each operation on its own line, callee and base fields kept', async () => {
  const m = migration(`
with op.get_context().autocommit_block():
    op.execute("""
        ALTER TABLE accounts ADD COLUMN tier text;
        -- a comment; with a semicolon
        UPDATE accounts
           SET tier = 'free'
         WHERE tier IS NULL;
        CREATE INDEX CONCURRENTLY ix_tier ON accounts (tier);
    """)
`);
  await expandEmbeddedSql([m]);
  const ops = m.upgrade.operations;
  assert.equal(
    ops.map((o) => [o.kind, o.loc, o.callee, o.transactional]),
    [
      ['add_column', loc(10, 13, 10, 54), 'op.execute', false],
      ['data_change', loc(12, 13, 14, 32), 'op.execute', false],
      ['create_index', loc(15, 13, 15, 65), 'op.execute', false],
    ],
  );
  assert.equal(ops.map((o) => o.fromSql!.index), [0, 1, 2]);
  const upd = ops[1] as Extract<Operation, { kind: 'data_change' }>;
  assert.equal([upd.action, upd.table, upd.columns, upd.hasWhere], ['update', 'accounts', ['tier'], true]);
});

test('holes and parameters from Python: f-string table, sa.text(":batch_size"), %s', async () => {
  const m = migration(`
table = "accounts"
op.execute(f"UPDATE {table} SET x = 1")
conn = op.get_bind()
conn.execute(sa.text("UPDATE accounts SET tier = 'free' WHERE id IN (SELECT id FROM accounts WHERE tier IS NULL LIMIT :batch_size)"), {"batch_size": 1000})
conn.execute("DELETE FROM sessions WHERE created_at < %s", (cutoff,))
op.execute("UPDATE {} SET y = 2".format(table))
`);
  await expandEmbeddedSql([m]);
  assert.equal(
    m.upgrade.operations.map((o) => [o.kind, (o as { table?: string | null }).table, (o as { columns?: string[] }).columns, o.fromSql?.hasHoles, o.loc.line]),
    [
      ['data_change', null, ['x'], true, 9],
      ['data_change', 'accounts', ['tier'], true, 11],
      ['data_change', 'sessions', [], true, 12],
      ['data_change', null, ['y'], true, 13],
    ],
  );
  // The f-string op points at the statement inside the literal.
  assert.equal(m.upgrade.operations[0]!.loc, loc(9, 18, 9, 42));
});

test('a bad statement between good ones in op.execute: sql_error at its token, the others still read', async () => {
  const m = migration(`
op.execute("""
    ALTER TABLE a ADD COLUMN x int;
    UPDATE a SET x = 1 LIMIT 100;
    DROP TABLE b;
""")
`);
  await expandEmbeddedSql([m]);
  const ops = m.upgrade.operations;
  assert.equal(ops.map((o) => o.kind), ['add_column', 'sql_error', 'drop_table']);
  assert.equal(ops[1]!.loc, loc(10, 28, 10, 33));
  assert.ok((ops[1] as Extract<Operation, { kind: 'sql_error' }>).hint);
});

test('expandEmbeddedSql leaves SQLite migrations and unreadable SQL alone', async () => {
  const lite = migration('op.execute("UPDATE a SET x = 1")', 'sqlite');
  const pg = migration('op.execute(statement)\nop.execute("")');
  await expandEmbeddedSql([lite, pg]);
  assert.equal(lite.upgrade.operations.map((o) => o.kind), ['execute_sql']);
  assert.equal(pg.upgrade.operations.map((o) => [o.kind, (o as { textKnown?: boolean }).textKnown]), [
    ['execute_sql', false],
    ['execute_sql', true],
  ]);
  const unknown = migration('op.execute("SELECT 1; COMMIT")', 'unknown');
  await expandEmbeddedSql([unknown]);
  assert.equal(unknown.upgrade.operations.map((o) => o.kind), ['sql', 'transaction_control']);
});

test('a statement that fails to parse only because of its holes is unknown, not a syntax error', async () => {
  const m = migration(`
op.execute(f"CREATE TYPE connectiontype AS ENUM ({', '.join(values)})")
op.execute(f"UPDATE orgs SET {set_clause} WHERE key = 'x'")
op.execute("UPDATE orgs SET a = 1 LIMIT 5")
`);
  await expandEmbeddedSql([m]);
  const ops = m.upgrade.operations;
  assert.equal(ops.map((o) => o.kind), ['unknown', 'unknown', 'sql_error']);
  assert.match((ops[0] as Extract<Operation, { kind: 'unknown' }>).reason, /interpolated parts/);
});

test('SQL_STATEMENTS: each example is a statement of its type, read as the table says', () => {
  for (const [type, { example, becomes }] of Object.entries(SQL_STATEMENTS)) {
    const parsed = parseSync(example) as { stmts: { stmt: Record<string, unknown> }[] };
    assert.is(Object.keys(parsed.stmts[0]!.stmt)[0], type, example);
    const first = read(example)[0]!;
    if (first.kind === 'sql') {
      assert.is(first.node, type, example);
      if (first.lock) assert.ok(becomes.includes(first.lock), `${type}: ${first.lock} is not in "${becomes}"`);
    } else {
      assert.ok(becomes.includes(first.kind), `${type}: ${first.kind} is not in "${becomes}"`);
    }
  }
  // A statement in neither table is named by its keywords, with no lock on a table.
  const other = one("CREATE TABLESPACE ts LOCATION '/x'", 'sql');
  assert.is(other.node, 'CreateTableSpaceStmt');
  assert.is(other.lock, null);
  assert.not.ok(Object.hasOwn(SQL_STATEMENTS, 'CreateTableSpaceStmt') || Object.hasOwn(SIMPLE, 'CreateTableSpaceStmt'));
  assert.is(one('CREATE EXTENSION pg_trgm', 'sql').keyword, 'CREATE EXTENSION');
});

test.run();
