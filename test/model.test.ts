// Model helpers shared by rules: the column type normaliser and the lock table.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { canonicalType, createdBefore, emptyMigration, isUtcTimeZone, lockBlocks, lockOf, locksConflict, lockStrength, sessionTimeZoneIsUtc, tablesCreated } from '../src/model/index.js';
import type { Body, Operation, OperationBase } from '../src/model/index.js';

const canon = (t: string | null) => {
  const c = canonicalType(t);
  return c && { name: c.name, params: c.params, array: c.array };
};

test('canonicalType: SQL spellings', () => {
  assert.equal(canon('character varying(50)'), { name: 'varchar', params: [50], array: false });
  assert.equal(canon('varchar(50)'), { name: 'varchar', params: [50], array: false });
  assert.equal(canon('VARCHAR(255)'), { name: 'varchar', params: [255], array: false });
  assert.equal(canon('int4'), { name: 'integer', params: [], array: false });
  assert.equal(canon('INTEGER'), { name: 'integer', params: [], array: false });
  assert.equal(canon('int2')?.name, 'smallint');
  assert.equal(canon('int8')?.name, 'bigint');
  assert.equal(canon('serial4')?.name, 'serial');
  assert.equal(canon('BIGSERIAL')?.name, 'bigserial');
  assert.equal(canon('timestamp without time zone'), { name: 'timestamp', params: [], array: false });
  assert.equal(canon('timestamp(3) with time zone'), { name: 'timestamptz', params: [3], array: false });
  assert.equal(canon('TIMESTAMP WITH TIME ZONE')?.name, 'timestamptz');
  assert.equal(canon('time with time zone')?.name, 'timetz');
  assert.equal(canon('numeric(10, 2)'), { name: 'numeric', params: [10, 2], array: false });
  assert.equal(canon('double precision')?.name, 'double precision');
  assert.equal(canon('integer[]'), { name: 'integer', params: [], array: true });
  assert.equal(canon('int ARRAY'), { name: 'integer', params: [], array: true });
  assert.equal(canon('"char"')?.name, 'char');
  assert.is(canon(''), null);
  assert.is(canon(null), null);
});

test('canonicalType: SQLAlchemy spellings', () => {
  assert.equal(canon('sa.String(length=50)'), { name: 'varchar', params: [50], array: false });
  assert.equal(canon('sa.String(50)'), { name: 'varchar', params: [50], array: false });
  assert.equal(canon('sa.String(50, collation="C")'), { name: 'varchar', params: [50], array: false });
  assert.equal(canon('sa.String()'), { name: 'varchar', params: [], array: false });
  assert.equal(canon('sa.Unicode(200)')?.params, [200]);
  assert.equal(canon('sa.Integer()')?.name, 'integer');
  assert.equal(canon('sa.Integer')?.name, 'integer');
  assert.equal(canon('mysql.INTEGER(display_width=11)')?.name, 'integer');
  assert.equal(canon('sa.SmallInteger()')?.name, 'smallint');
  assert.equal(canon('sa.types.BigInteger()')?.name, 'bigint');
  assert.equal(canon('sa.DateTime()')?.name, 'timestamp');
  assert.equal(canon('sa.DateTime(timezone=True)')?.name, 'timestamptz');
  assert.equal(canon('sa.DateTime(True)')?.name, 'timestamptz');
  assert.equal(canon('sa.DateTime(timezone=False)')?.name, 'timestamp');
  assert.equal(canon('postgresql.TIMESTAMP(timezone=True)')?.name, 'timestamptz');
  assert.equal(canon('postgresql.TIMESTAMP(precision=6)'), { name: 'timestamp', params: [6], array: false });
  assert.equal(canon('sa.Time(timezone=True)')?.name, 'timetz');
  assert.equal(canon('postgresql.JSON()')?.name, 'json');
  assert.equal(canon('sa.JSON')?.name, 'json');
  assert.equal(canon('postgresql.JSONB(astext_type=sa.Text())')?.name, 'jsonb');
  assert.equal(canon('sa.Numeric(precision=10, scale=2)')?.params, [10, 2]);
  assert.equal(canon('sa.Float()')?.name, 'double precision');
  assert.equal(canon('sa.ARRAY(sa.Integer())'), { name: 'integer', params: [], array: true });
  assert.equal(canon('postgresql.ENUM("a", "b", name="status", create_type=False)')?.name, 'enum');
  // A type of the application's own keeps its name.
  assert.equal(canon('sqlalchemy_utils.UUIDType(binary=False)')?.name, 'uuidtype');
});

test('canonicalType: with_variant picks the dialect', () => {
  const t = 'sa.JSON().with_variant(postgresql.JSONB(), "postgresql")';
  assert.equal(canonicalType(t)?.name, 'jsonb');
  assert.equal(canonicalType(t, 'sqlite')?.name, 'json');
  assert.equal(canonicalType('sa.BigInteger().with_variant(sa.Integer(), "sqlite")')?.name, 'bigint');
  assert.equal(canonicalType('sa.BigInteger().with_variant(sa.Integer(), "sqlite")', 'sqlite')?.name, 'integer');
});

const base: OperationBase = {
  loc: { line: 1, column: 1, endLine: 1, endColumn: 1 },
  conditional: false,
  repeated: false,
  transactional: true,
  batch: false,
  via: null,
  callee: 'op.x',
};

test('lockOf: the lock each operation takes', () => {
  const lock = (op: Partial<Operation> & { kind: Operation['kind'] }) => lockOf({ ...base, ...op } as Operation);
  assert.is(lock({ kind: 'create_table', table: 't', schema: null, columns: [], constraints: [] }), null);
  // A new table's foreign keys lock each referenced table (not the new table itself), once.
  const fk = (referredTable: string | null) => ({ type: 'foreign_key' as const, name: null, loc: base.loc, referredTable });
  assert.equal(lock({ kind: 'create_table', table: 't', schema: null, columns: [], constraints: [fk('a'), fk('t'), fk(null), fk('b'), fk('A')] }), {
    mode: 'SHARE ROW EXCLUSIVE',
    table: 'a',
    also: [{ mode: 'SHARE ROW EXCLUSIVE', table: 'b' }],
  });
  assert.is(lock({ kind: 'create_table', table: 't', schema: null, columns: [], constraints: [fk('t'), { type: 'check', name: null, loc: base.loc }] }), null);
  assert.equal(lock({ kind: 'drop_table', table: 't', schema: null }), { mode: 'ACCESS EXCLUSIVE', table: 't' });
  assert.equal(lock({ kind: 'drop_column', table: 't', schema: null, column: 'c' }), { mode: 'ACCESS EXCLUSIVE', table: 't' });
  const alter = { kind: 'alter_column' as const, table: 't', schema: null, column: 'c', existingType: null, existingNullable: null };
  assert.equal(lock({ ...alter, nullable: false }), { mode: 'ACCESS EXCLUSIVE', table: 't' });
  assert.is(lock(alter), null);
  const index = { kind: 'create_index' as const, name: 'ix', table: 't', schema: null, columns: ['c'], unique: false, ifNotExists: false };
  assert.equal(lock({ ...index, concurrently: false })?.mode, 'SHARE');
  assert.equal(lock({ ...index, concurrently: true })?.mode, 'SHARE UPDATE EXCLUSIVE');
  const drop = { kind: 'drop_index' as const, name: 'ix', table: null, schema: null, ifExists: false };
  assert.equal(lock({ ...drop, concurrently: false }), { mode: 'ACCESS EXCLUSIVE', table: null });
  assert.equal(lockOf({ ...base, ...drop, concurrently: false } as Operation, { indexTable: () => 'accounts' }), {
    mode: 'ACCESS EXCLUSIVE',
    table: 'accounts',
  });
  assert.equal(lock({ ...drop, concurrently: true })?.mode, 'SHARE UPDATE EXCLUSIVE');
  const constraint = {
    kind: 'add_constraint' as const,
    name: 'c',
    table: 'orders',
    schema: null,
    columns: [],
    referredTable: null,
    referredColumns: [],
    condition: null,
    notValid: false,
  };
  assert.equal(lock({ ...constraint, constraintType: 'foreign_key', referredTable: 'users', notValid: true }), {
    mode: 'SHARE ROW EXCLUSIVE',
    table: 'orders',
    also: [{ mode: 'SHARE ROW EXCLUSIVE', table: 'users' }],
  });
  assert.equal(lock({ ...constraint, constraintType: 'check' })?.mode, 'ACCESS EXCLUSIVE');
  assert.equal(lock({ ...constraint, constraintType: 'unique', usingIndex: 'ix' })?.mode, 'ACCESS EXCLUSIVE');
  assert.equal(lock({ kind: 'validate_constraint', table: 't', schema: null, name: 'c' })?.mode, 'SHARE UPDATE EXCLUSIVE');
  const data = { kind: 'data_change' as const, table: 't', columns: [], hasWhere: null };
  assert.equal(lock({ ...data, action: 'truncate' })?.mode, 'ACCESS EXCLUSIVE');
  assert.equal(lock({ ...data, action: 'update' })?.mode, 'ROW EXCLUSIVE');
  assert.is(lock({ ...data, action: 'unknown' }), null);
  assert.equal(lock({ kind: 'sql', keyword: 'CLUSTER', category: 'schema', table: 't', lock: 'ACCESS EXCLUSIVE', node: 'ClusterStmt' }), {
    mode: 'ACCESS EXCLUSIVE',
    table: 't',
  });
  assert.is(lock({ kind: 'set_setting', name: 'lock_timeout', value: "'5s'", local: true }), null);
  assert.is(lock({ kind: 'execute_sql', sql: 'x', hasHoles: false, textKnown: true, statements: [] }), null);
});

test('lock strength, conflicts and what a lock blocks', () => {
  assert.ok(lockStrength('ACCESS EXCLUSIVE') > lockStrength('SHARE ROW EXCLUSIVE'));
  assert.ok(lockStrength('SHARE ROW EXCLUSIVE') > lockStrength('SHARE'));
  assert.ok(locksConflict('SHARE', 'ROW EXCLUSIVE'));
  assert.ok(locksConflict('ROW EXCLUSIVE', 'SHARE'));
  assert.not.ok(locksConflict('SHARE', 'SHARE'));
  assert.not.ok(locksConflict('SHARE UPDATE EXCLUSIVE', 'ROW EXCLUSIVE'));
  assert.is(lockBlocks('ACCESS EXCLUSIVE'), 'reads and writes');
  assert.is(lockBlocks('SHARE ROW EXCLUSIVE'), 'writes');
  assert.is(lockBlocks('SHARE UPDATE EXCLUSIVE'), 'schema changes');
});

test('createdBefore agrees with tablesCreated over the operations before each index', () => {
  const ops: Operation[] = [
    { ...base, kind: 'drop_table', table: 'old', schema: null },
    { ...base, kind: 'create_table', table: 'Tmp', schema: null, columns: [], constraints: [] },
    { ...base, kind: 'rename_table', table: 'tmp', newName: 'plans', schema: null },
    { ...base, kind: 'execute_sql', sql: 'CREATE TABLE audit (id int)', hasHoles: false, textKnown: true, statements: [{ text: 'CREATE TABLE audit (id int)', category: 'schema', keyword: 'CREATE TABLE', table: 'audit', loc: base.loc }] },
    { ...base, kind: 'rename_table', table: 'accounts', newName: 'users', schema: null },
  ];
  const body: Body = { shape: 'operations', loc: null, operations: ops };
  for (let i = 0; i <= ops.length; i++) {
    const expected = tablesCreated({ ...body, operations: ops.slice(0, i) });
    for (const t of ['old', 'tmp', 'TMP', 'plans', 'audit', 'users', 'accounts', null]) {
      assert.is(createdBefore(body, i, t), t !== null && expected.has(t.toLowerCase()), `${t} before ${i}`);
    }
  }
});

test('isUtcTimeZone: the names and offsets PostgreSQL reads as UTC', () => {
  for (const v of ["'UTC'", 'utc', 'Etc/UTC', 'GMT', 'Etc/GMT+0', 'Zulu', 'Universal', 'Z', '0', '+00:00', '"UTC"']) assert.ok(isUtcTimeZone(v), v);
  for (const v of ['Europe/London', 'America/New_York', '+01:00', 'EST', 'local', '', null]) assert.not.ok(isUtcTimeZone(v), String(v));
});

test('sessionTimeZoneIsUtc: runner setting, SET, SET LOCAL until COMMIT, RESET back to the runner', () => {
  const set = (value: string | null, local = false): Operation => ({ ...base, kind: 'set_setting', name: 'timezone', value, local }) as Operation;
  const commit = { ...base, kind: 'transaction_control', action: 'commit' } as Operation;
  const m = emptyMigration('/m.sql', 'sql', 'postgresql');
  const body = (...operations: Operation[]): Body => ({ shape: 'operations', loc: null, operations });
  const at = (b: Body) => b.operations.map((_, i) => sessionTimeZoneIsUtc(m, b, i + 1));
  assert.equal(at(body(set("'UTC'"), set("'Europe/Paris'"), set('UTC', true), commit, set(null))), [true, false, true, false, false]);
  m.runnerSettings = [{ name: 'timezone', value: 'UTC', origin: 'env.py', loc: null }];
  assert.equal(sessionTimeZoneIsUtc(m, body(), 0), true);
  assert.equal(at(body(set("'Asia/Tokyo'"), set(null))), [false, true]);
});


test('dialects: URL schemes, guards and which operations run on a dialect (issue 10)', async () => {
  const { dialectOfUrl, runsOnDialect, guardAnd, guardNot } = await import('../src/model/index.js');
  assert.equal(
    ['postgresql+psycopg2://u@h/db', 'postgres://h/db', 'mysql+pymysql://h/db', 'mariadb://h', 'sqlite:///app.db', 'mssql+pyodbc://dsn', 'oracle://h', 'cockroachdb://h', 'jdbc:h2:mem:test', 'driver://u:p@h/db', 'https://example.com'].map(dialectOfUrl),
    ['postgresql', 'postgresql', 'mysql', 'mysql', 'sqlite', 'mssql', 'oracle', 'cockroachdb', 'h2', null, null],
  );
  const op = (names: string[], negated: boolean) => ({ ...base, kind: 'unknown', reason: '', dialectGuard: { names, negated } }) as Operation;
  assert.ok(runsOnDialect(op(['postgresql'], false), 'postgresql'));
  assert.not.ok(runsOnDialect(op(['postgresql'], false), 'sqlite'));
  assert.ok(runsOnDialect(op(['mariadb'], false), 'mysql'));
  assert.not.ok(runsOnDialect(op(['sqlite'], true), 'sqlite'));
  assert.ok(runsOnDialect(op(['sqlite'], true), 'postgresql'));
  assert.ok(runsOnDialect(op(['sqlite'], false), 'unknown'));
  assert.equal(guardAnd({ names: ['a', 'b'], negated: false }, { names: ['b', 'c'], negated: false }), { names: ['b'], negated: false });
  assert.equal(guardAnd({ names: ['a', 'b'], negated: false }, guardNot({ names: ['a'], negated: false })), { names: ['b'], negated: false });
  assert.equal(guardAnd({ names: ['a'], negated: true }, { names: ['b'], negated: true }), { names: ['a', 'b'], negated: true });
});


test.run();
