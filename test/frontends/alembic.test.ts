import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { alembicFrontend, parseAlembic } from '../../src/frontends/alembic/index.js';
import { OP_METHODS } from '../../src/frontends/alembic/ops.js';
import type {
  AddColumnOp,
  AddConstraintOp,
  AlterColumnOp,
  CreateIndexOp,
  CreateTableOp,
  DataChangeOp,
  DropConstraintOp,
  DropIndexOp,
  ExecuteSqlOp,
  Loc,
  Migration,
  Operation,
} from '../../src/model/types.js';

const ROOT = mkdtempSync(join(tmpdir(), 'migralint-alembic-'));
test.after(() => rmSync(ROOT, { recursive: true, force: true }));

function parse(src: string | Uint8Array, projectRoot = ROOT): Migration {
  const bytes = typeof src === 'string' ? new TextEncoder().encode(src) : src;
  return parseAlembic({ file: join(ROOT, 'versions', 'm.py'), bytes, projectRoot, dialect: 'postgresql' });
}

const HEAD = 'from alembic import op\nimport sqlalchemy as sa\n\nrevision = "b2"\ndown_revision = "a1"\n\n';

/** Indents a block of body lines under `def upgrade():`. */
function module(body: string, extra = ''): string {
  const lines = body.replace(/^\n/, '').replace(/\s+$/, '').split('\n');
  return `${HEAD}${extra}def upgrade():\n${lines.map((l) => (l ? `    ${l}` : l)).join('\n')}\n`;
}

function ops(body: string, extra = ''): Operation[] {
  const m = parse(module(body, extra));
  assert.is(m.parseError, null, m.parseError?.message);
  return m.upgrade.operations;
}

function one<K extends Operation['kind']>(body: string, kind: K, extra = ''): Extract<Operation, { kind: K }> {
  const list = ops(body, extra);
  assert.is(list.length, 1, `expected one operation, got ${JSON.stringify(list.map((o) => o.kind))}`);
  assert.is(list[0]!.kind, kind);
  return list[0] as Extract<Operation, { kind: K }>;
}

function loc(line: number, column: number, endLine: number, endColumn: number): Loc {
  return { line, column, endLine, endColumn };
}

// ---------------------------------------------------------------------------------------------
// Identity

test('plain assignments, docstring message and locations', () => {
  const src = `"""Add tier to accounts

Revision ID: b2
Revises: a1
Create Date: 2024-01-01 10:00:00
"""
from alembic import op

revision = 'b2'
down_revision = 'a1'
branch_labels = None
depends_on = None
`;
  const m = parse(src);
  assert.is(m.framework, 'alembic');
  assert.is(m.dialect, 'postgresql');
  assert.is(m.file, join(ROOT, 'versions', 'm.py'));
  assert.equal(m.revision, { value: 'b2', loc: loc(9, 12, 9, 16) });
  assert.equal(m.parents, { value: ['a1'], loc: loc(10, 1, 10, 21) });
  assert.equal(m.branchLabels, { value: [], loc: loc(11, 1, 11, 21) });
  assert.equal(m.dependsOn?.value, []);
  assert.is(m.message, 'Add tier to accounts');
  assert.is(m.upgrade.shape, 'missing');
  assert.is(m.upgrade.loc, null);
  assert.is(m.downgrade.shape, 'missing');
  assert.is(m.parseError, null);
  assert.is(m.source, src);
});

test('annotated assignments (typing.Union, Sequence[str] | None)', () => {
  const m = parse(`from typing import Sequence, Union
revision: str = "c3"
down_revision: Union[str, None] = "b2"
branch_labels: Sequence[str] | None = ("billing",)
depends_on: Union[str, Sequence[str], None] = "x9"
`);
  assert.equal(m.revision, { value: 'c3', loc: loc(2, 17, 2, 21) });
  assert.equal(m.parents, { value: ['b2'], loc: loc(3, 1, 3, 39) });
  assert.equal(m.branchLabels?.value, ['billing']);
  assert.equal(m.dependsOn?.value, ['x9']);
});

test('merge revision: down_revision tuple or list; root: None', () => {
  assert.equal(parse('revision = "m"\ndown_revision = ("a1", "b2")\n').parents?.value, ['a1', 'b2']);
  assert.equal(parse('revision = "m"\ndown_revision = ["a1", "b2"]\n').parents?.value, ['a1', 'b2']);
  assert.equal(parse('revision = "r"\ndown_revision = None\n').parents?.value, []);
  const m = parse('revision = "m"\ndown_revision = (\n    "a1",\n    "b2",\n)\n');
  assert.equal(m.parents, { value: ['a1', 'b2'], loc: loc(2, 1, 5, 2) });
});

test('docstring header is the fallback when assignments are missing or not literals', () => {
  const m = parse(`"""merge heads

Revision ID: abc123
Revises: a1, b2
Create Date: 2024-01-01
"""
revision = make_id()
`);
  assert.equal(m.revision, { value: 'abc123', loc: loc(3, 14, 3, 20) });
  assert.equal(m.parents?.value, ['a1', 'b2']);
  assert.is(m.parents?.loc.line, 4);
  const root = parse('"""Revision ID: r1\nRevises:\n"""\n');
  assert.is(root.revision?.value, 'r1');
  assert.equal(root.parents?.value, []);
  // the message skips the header when the docstring starts with it
  assert.is(root.message, null);
  assert.is(parse('"""\nRevision ID: r1\nRevises: r0\n\nbackfill things\n"""\n').message, 'backfill things');
});

test('a Name value is followed to a module-level string', () => {
  const m = parse('PREV = "a1"\nrevision = "b2"\ndown_revision = PREV\n');
  assert.equal(m.parents?.value, ['a1']);
});

// ---------------------------------------------------------------------------------------------
// Bodies

test('body shapes: missing, empty, raises, operations', () => {
  const m = parse(`${HEAD}def upgrade():
    """Nothing to do."""
    # only a comment
    pass
    ...


def downgrade():
    """Irreversible."""
    raise RuntimeError("Cannot downgrade past b2")
`);
  assert.is(m.upgrade.shape, 'empty');
  assert.equal(m.upgrade.loc, loc(7, 1, 7, 12));
  assert.equal(m.upgrade.operations, []);
  assert.is(m.downgrade.shape, 'raises');
  assert.equal(m.downgrade.loc, loc(14, 1, 14, 14));

  const n = parse(`${HEAD}def upgrade() -> None:\n    op.drop_table("t")\n`);
  assert.is(n.upgrade.shape, 'operations');
  assert.is(n.downgrade.shape, 'missing');
  assert.is(parse(`${HEAD}async def downgrade():\n    pass\n`).downgrade.shape, 'empty');
  // an empty-looking function with other statements is 'operations' with no operations
  const o = parse(`${HEAD}def downgrade():\n    x = 1\n`);
  assert.is(o.downgrade.shape, 'operations');
  assert.equal(o.downgrade.operations, []);
});

test("quay's def upgrade(op, tables, tester): op is the parameter", () => {
  const m = parse(`"""quay"""
import sqlalchemy as sa

revision = "q2"
down_revision = "q1"


def upgrade(op, tables, tester):
    op.add_column("repository", sa.Column("state", sa.Integer(), nullable=True))
    tester.populate_column("repository", "state", tester.TestDataType.Integer)


def downgrade(op, tables, tester):
    op.drop_column("repository", "state")
`);
  assert.equal(
    m.upgrade.operations.map((o) => o.kind),
    ['add_column'],
  );
  assert.equal(
    m.downgrade.operations.map((o) => [o.kind, o.callee]),
    [['drop_column', 'op.drop_column']],
  );
});

// ---------------------------------------------------------------------------------------------
// Schema operations

test('add_column: positional and keyword forms, column fields, call loc', () => {
  const src = module(`
op.add_column("accounts", sa.Column("tier", sa.String(length=50), nullable=False, server_default="free"))
op.add_column(table_name="accounts", column=sa.Column("n", sa.Integer(), default=0), schema="billing")
`);
  const m = parse(src);
  const [a, b] = m.upgrade.operations as AddColumnOp[];
  assert.is(a!.kind, 'add_column');
  assert.is(a!.table, 'accounts');
  assert.is(a!.schema, null);
  assert.is(a!.callee, 'op.add_column');
  assert.equal(a!.loc, loc(8, 5, 8, 110));
  assert.equal(a!.column, {
    name: 'tier',
    type: 'sa.String(length=50)',
    sqlType: 'VARCHAR(50)',
    nullable: false,
    serverDefault: { text: '"free"', sql: "'free'", kind: 'literal' },
    clientDefault: false,
    primaryKey: false,
    unique: false,
    generated: false,
    loc: loc(8, 31, 8, 109),
  });
  assert.is(a!.conditional, false);
  assert.is(a!.transactional, true);
  assert.is(a!.batch, false);
  assert.is(a!.via, null);
  assert.is(b!.table, 'accounts');
  assert.is(b!.schema, 'billing');
  assert.is(b!.column.name, 'n');
  assert.is(b!.column.type, 'sa.Integer()');
  assert.is(b!.column.nullable, null);
  assert.is(b!.column.clientDefault, true);
  assert.is(b!.column.serverDefault, null);
});

test('Column: primary_key implies NOT NULL, unique, autoincrement/Identity are generated', () => {
  const list = ops(`
op.add_column("t", sa.Column("id", sa.Integer(), primary_key=True))
op.add_column("t", sa.Column("id2", sa.Integer(), primary_key=True, nullable=True))
op.add_column("t", sa.Column("e", sa.Text(), unique=True))
op.add_column("t", sa.Column("s", sa.BigInteger(), sa.Identity(always=True), nullable=False))
op.add_column("t", sa.Column("a", sa.Integer(), autoincrement=True))
op.add_column("t", Column("f", sa.Integer(), sa.ForeignKey("u.id")))
op.add_column("t", sqlalchemy.Column("g", type_=sa.Boolean()))
op.add_column("t", col)
`);
  const c = list.filter((o): o is AddColumnOp => o.kind === 'add_column').map((o) => o.column);
  assert.equal([c[0]!.primaryKey, c[0]!.nullable], [true, false]);
  // An integer primary key is rendered as SERIAL: the database fills it.
  assert.is(c[0]!.generated, true);
  // The inline ForeignKey becomes its own ADD CONSTRAINT, as Alembic emits it.
  const fk = list.find((o): o is AddConstraintOp => o.kind === 'add_constraint')!;
  assert.equal([fk.constraintType, fk.table, fk.columns, fk.referredTable, fk.referredColumns], ['foreign_key', 't', ['f'], 'u', ['id']]);
  assert.equal([c[1]!.primaryKey, c[1]!.nullable], [true, true]);
  assert.is(c[2]!.unique, true);
  assert.is(c[2]!.generated, false);
  assert.equal([c[3]!.generated, c[3]!.type, c[3]!.nullable], [true, 'sa.BigInteger()', false]);
  assert.is(c[4]!.generated, true);
  assert.equal([c[5]!.name, c[5]!.type], ['f', 'sa.Integer()']);
  assert.equal([c[6]!.name, c[6]!.type], ['g', 'sa.Boolean()']);
  assert.equal([c[7]!.name, c[7]!.type, c[7]!.nullable], [null, null, null]);
});

test('add_column with index=True also creates the (non-concurrent) index SQLAlchemy names ix_<table>_<column>', () => {
  const list = ops(`op.add_column("accounts", sa.Column("tier", sa.Text(), index=True))`);
  assert.equal(
    list.map((o) => [o.kind, (o as CreateIndexOp).name ?? null, (o as CreateIndexOp).concurrently ?? null]),
    [
      ['add_column', null, null],
      ['create_index', 'ix_accounts_tier', false],
    ],
  );
});

test('create_check_constraint reads postgresql_not_valid', () => {
  const [c] = ops(`op.create_check_constraint("ck", "t", "x > 0", postgresql_not_valid=True)`) as AddConstraintOp[];
  assert.is(c!.notValid, true);
});

test('server_default forms', () => {
  const cases: [string, unknown][] = [
    ['"free"', { text: '"free"', sql: "'free'", kind: 'literal' }],
    ['"0"', { text: '"0"', sql: "'0'", kind: 'literal' }],
    ['"it\'s"', { text: '"it\'s"', sql: "'it''s'", kind: 'literal' }],
    ['sa.text("now()")', { text: 'sa.text("now()")', sql: 'now()', kind: 'expression' }],
    ['text("\'x\'")', { text: 'text("\'x\'")', sql: "'x'", kind: 'expression' }],
    ['sa.func.now()', { text: 'sa.func.now()', sql: 'now()', kind: 'expression' }],
    ['sa.func.coalesce("a", 1)', { text: 'sa.func.coalesce("a", 1)', sql: "coalesce('a', 1)", kind: 'expression' }],
    ['sa.false()', { text: 'sa.false()', sql: 'false', kind: 'literal' }],
    ['sa.true()', { text: 'sa.true()', sql: 'true', kind: 'literal' }],
    ['sa.literal(5)', { text: 'sa.literal(5)', sql: '5', kind: 'literal' }],
    ['sa.literal("x")', { text: 'sa.literal("x")', sql: "'x'", kind: 'literal' }],
    ['op.inline_literal("x")', { text: 'op.inline_literal("x")', sql: "'x'", kind: 'literal' }],
    ['DEFAULT_TIER', { text: 'DEFAULT_TIER', sql: null, kind: 'unknown' }],
    ['make_default()', { text: 'make_default()', sql: null, kind: 'unknown' }],
    ['None', null],
  ];
  for (const [expr, expected] of cases) {
    const op = one(`op.add_column("t", sa.Column("c", sa.Text(), server_default=${expr}))`, 'add_column');
    assert.equal(op.column.serverDefault, expected, expr);
  }
});

test('drop_column and alter_column: positional, keyword, all fields', () => {
  const list = ops(`
op.drop_column("accounts", "tier")
op.drop_column(table_name="accounts", column_name="legacy", schema="s")
op.alter_column("accounts", "tier", nullable=False, type_=sa.String(100), existing_type=sa.String(50), existing_nullable=True)
op.alter_column(table_name="accounts", column_name="tier", new_column_name="plan", server_default=None)
op.alter_column("accounts", "plan", server_default=sa.text("'free'"))
op.alter_column("accounts", "plan", comment="x")
`);
  const [d1, d2, a1, a2, a3, a4] = list;
  assert.equal([d1!.kind, (d1 as any).table, (d1 as any).column], ['drop_column', 'accounts', 'tier']);
  assert.equal([(d2 as any).table, (d2 as any).column, (d2 as any).schema], ['accounts', 'legacy', 's']);
  const alt = a1 as AlterColumnOp;
  assert.is(alt.kind, 'alter_column');
  assert.equal(
    [alt.table, alt.column, alt.nullable, alt.type, alt.existingType, alt.existingNullable],
    ['accounts', 'tier', false, 'sa.String(100)', 'sa.String(50)', true],
  );
  assert.is(alt.serverDefault, undefined);
  assert.is(alt.newName, undefined);
  const ren = a2 as AlterColumnOp;
  assert.equal([ren.table, ren.column, ren.newName], ['accounts', 'tier', 'plan']);
  assert.is(ren.serverDefault, null);
  assert.is(ren.nullable, undefined);
  assert.equal((a3 as AlterColumnOp).serverDefault, { text: 'sa.text("\'free\'")', sql: "'free'", kind: 'expression' });
  const bare = a4 as AlterColumnOp;
  assert.equal([bare.nullable, bare.type, bare.serverDefault, bare.existingType, bare.existingNullable], [
    undefined,
    undefined,
    undefined,
    null,
    null,
  ]);
});

test('create_table with columns and inline constraints; drop_table; rename_table', () => {
  const list = ops(`
op.create_table(
    "accounts",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("org_id", sa.Integer(), sa.ForeignKey("orgs.id", name="fk_org"), nullable=True),
    sa.Column("email", sa.String(), nullable=False),
    sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
    sa.ForeignKeyConstraint(["org_id"], ["orgs.id"]),
    sa.UniqueConstraint("email", name="uq_email"),
    sa.CheckConstraint("id > 0", name="ck_id"),
    schema="billing",
)
op.drop_table("legacy")
op.drop_table(table_name="old", schema="s")
op.rename_table("a", "b")
op.rename_table(old_table_name="c", new_table_name="d", schema="s")
`);
  const ct = list[0] as CreateTableOp;
  assert.is(ct.kind, 'create_table');
  assert.equal([ct.table, ct.schema], ['accounts', 'billing']);
  assert.equal(
    ct.columns.map((c) => [c.name, c.type, c.nullable, c.primaryKey]),
    [
      ['id', 'sa.Integer()', false, true],
      ['org_id', 'sa.Integer()', true, false],
      ['email', 'sa.String()', false, false],
    ],
  );
  assert.equal(
    ct.constraints.map((c) => [c.type, c.name]),
    [
      ['foreign_key', 'fk_org'],
      ['primary_key', 'pk_accounts'],
      ['foreign_key', null],
      ['unique', 'uq_email'],
      ['check', 'ck_id'],
    ],
  );
  assert.equal(ct.constraints[1]!.loc, loc(13, 9, 13, 64));
  assert.equal(ct.loc, loc(8, 5, 18, 6));
  assert.equal(
    list.slice(1).map((o) => [o.kind, (o as any).table, (o as any).schema, (o as any).newName]),
    [
      ['drop_table', 'legacy', null, undefined],
      ['drop_table', 'old', 's', undefined],
      ['rename_table', 'a', null, 'b'],
      ['rename_table', 'c', 's', 'd'],
    ],
  );
});

test('create_index and drop_index: names, columns, expressions, flags', () => {
  const list = ops(`
op.create_index(op.f("ix_accounts_email"), "accounts", ["email"], unique=True)
op.create_index("ix_lower", "accounts", [sa.text("lower(email)"), "org_id"], postgresql_concurrently=True, if_not_exists=True)
op.create_index(index_name="ix_kw", table_name="accounts", columns=["a", "b"], schema="s")
op.drop_index("ix_accounts_email", table_name="accounts")
op.drop_index(op.f("ix_lower"), "accounts", postgresql_concurrently=True, if_exists=True)
op.drop_index("ix_kw")
`);
  const [c1, c2, c3, d1, d2, d3] = list as [CreateIndexOp, CreateIndexOp, CreateIndexOp, DropIndexOp, DropIndexOp, DropIndexOp];
  assert.equal(
    [c1.name, c1.table, c1.columns, c1.unique, c1.concurrently, c1.ifNotExists],
    ['ix_accounts_email', 'accounts', ['email'], true, false, false],
  );
  assert.equal(
    [c2.name, c2.columns, c2.unique, c2.concurrently, c2.ifNotExists],
    ['ix_lower', ['lower(email)', 'org_id'], false, true, true],
  );
  assert.equal([c3.name, c3.table, c3.columns, c3.schema], ['ix_kw', 'accounts', ['a', 'b'], 's']);
  assert.equal([d1.kind, d1.name, d1.table, d1.concurrently, d1.ifExists], ['drop_index', 'ix_accounts_email', 'accounts', false, false]);
  assert.equal([d2.name, d2.table, d2.concurrently, d2.ifExists], ['ix_lower', 'accounts', true, true]);
  assert.equal([d3.name, d3.table], ['ix_kw', null]);
});

test('constraints: unique, foreign key, check, primary key, drop_constraint', () => {
  const list = ops(`
op.create_unique_constraint("uq_email", "accounts", ["email"])
op.create_unique_constraint(constraint_name=None, table_name="accounts", columns=["a", "b"])
op.create_foreign_key("fk_org", "accounts", "orgs", ["org_id"], ["id"], postgresql_not_valid=True)
op.create_foreign_key(None, source_table="a", referent_table="b", local_cols=["b_id"], remote_cols=["id"], ondelete="CASCADE")
op.create_check_constraint("ck_pos", "accounts", "amount > 0")
op.create_check_constraint("ck_t", "accounts", sa.text("amount < 10"))
op.create_check_constraint("ck_e", "accounts", sa.column("amount") > 5)
op.create_primary_key("pk_accounts", "accounts", ["id"])
op.drop_constraint("fk_org", "accounts", type_="foreignkey")
op.drop_constraint("uq_email", "accounts", "unique")
op.drop_constraint(None, "accounts", type_="check")
op.drop_constraint("pk", table_name="accounts", type_="primary")
op.drop_constraint("x", "accounts")
`);
  const add = list.slice(0, 8) as AddConstraintOp[];
  assert.equal(
    add.map((o) => [o.kind, o.constraintType, o.name, o.table, o.columns, o.referredTable, o.referredColumns, o.condition, o.notValid]),
    [
      ['add_constraint', 'unique', 'uq_email', 'accounts', ['email'], null, [], null, false],
      ['add_constraint', 'unique', null, 'accounts', ['a', 'b'], null, [], null, false],
      ['add_constraint', 'foreign_key', 'fk_org', 'accounts', ['org_id'], 'orgs', ['id'], null, true],
      ['add_constraint', 'foreign_key', null, 'a', ['b_id'], 'b', ['id'], null, false],
      ['add_constraint', 'check', 'ck_pos', 'accounts', [], null, [], 'amount > 0', false],
      ['add_constraint', 'check', 'ck_t', 'accounts', [], null, [], 'amount < 10', false],
      ['add_constraint', 'check', 'ck_e', 'accounts', [], null, [], 'sa.column("amount") > 5', false],
      ['add_constraint', 'primary_key', 'pk_accounts', 'accounts', ['id'], null, [], null, false],
    ],
  );
  const drops = list.slice(8) as DropConstraintOp[];
  assert.equal(
    drops.map((o) => [o.kind, o.name, o.table, o.constraintType]),
    [
      ['drop_constraint', 'fk_org', 'accounts', 'foreign_key'],
      ['drop_constraint', 'uq_email', 'accounts', 'unique'],
      ['drop_constraint', null, 'accounts', 'check'],
      ['drop_constraint', 'pk', 'accounts', 'primary_key'],
      ['drop_constraint', 'x', 'accounts', null],
    ],
  );
});

test('remaining keyword forms and op aliases', () => {
  const list = ops(
    `
op.create_check_constraint(constraint_name="ck", table_name="t", condition="x > 0")
op.create_primary_key(constraint_name="pk", table_name="t", columns=["id"])
op.create_table(table_name="kw", schema="s")
op.drop_index(index_name="ix", table_name="t", schema="s")
op.execute(sqltext="DELETE FROM t")
op.bulk_insert(table=roles, rows=[{"id": 1}])
alembic_op.drop_table("via_alias")
alembic.op.drop_table("via_module")
db.session.add(x)
`,
    `from alembic import op as alembic_op
import alembic

roles = sa.table("roles", sa.column("id"))


`,
  );
  assert.equal(
    list.map((o) => [o.kind, (o as any).name ?? null, (o as any).table ?? null, (o as any).schema ?? null]),
    [
      ['add_constraint', 'ck', 't', null],
      ['add_constraint', 'pk', 't', null],
      ['create_table', null, 'kw', 's'],
      ['drop_index', 'ix', 't', 's'],
      ['execute_sql', null, null, null],
      ['data_change', null, 'roles', null],
      ['drop_table', null, 'via_alias', null],
      ['drop_table', null, 'via_module', null],
      ['data_change', null, null, null],
    ],
  );
  assert.is((list[0] as AddConstraintOp).condition, 'x > 0');
  assert.equal((list[1] as AddConstraintOp).columns, ['id']);
  assert.equal((list[4] as ExecuteSqlOp).statements[0]!.keyword, 'DELETE');
  assert.equal((list[5] as DataChangeOp).columns, ['id']);
  assert.is((list[8] as DataChangeOp).action, 'orm');
});

test('batch_alter_table: methods on the alias take the batch table; batch is true', () => {
  const m = parse(
    module(`
with op.batch_alter_table("users", schema="s") as batch_op:
    batch_op.add_column(sa.Column("x", sa.Integer(), nullable=False))
    batch_op.drop_column("legacy")
    batch_op.alter_column("name", nullable=False, existing_type=sa.String())
    batch_op.create_index("ix_x", ["x"], unique=True)
    batch_op.drop_index("ix_old")
    batch_op.create_unique_constraint("uq_x", ["x"])
    batch_op.create_foreign_key("fk_o", "orgs", ["org_id"], ["id"])
    batch_op.create_check_constraint("ck_x", "x > 0")
    batch_op.create_primary_key("pk_users", ["id"])
    batch_op.drop_constraint("fk_old", type_="foreignkey")
    batch_op.execute("UPDATE users SET x = 0")
op.drop_table("z")
`),
  );
  const list = m.upgrade.operations;
  assert.equal(
    list.map((o) => [o.kind, (o as any).table ?? null, o.batch, o.conditional, o.callee]),
    [
      ['add_column', 'users', true, false, 'batch_op.add_column'],
      ['drop_column', 'users', true, false, 'batch_op.drop_column'],
      ['alter_column', 'users', true, false, 'batch_op.alter_column'],
      ['create_index', 'users', true, false, 'batch_op.create_index'],
      ['drop_index', 'users', true, false, 'batch_op.drop_index'],
      ['add_constraint', 'users', true, false, 'batch_op.create_unique_constraint'],
      ['add_constraint', 'users', true, false, 'batch_op.create_foreign_key'],
      ['add_constraint', 'users', true, false, 'batch_op.create_check_constraint'],
      ['add_constraint', 'users', true, false, 'batch_op.create_primary_key'],
      ['drop_constraint', 'users', true, false, 'batch_op.drop_constraint'],
      ['execute_sql', null, true, false, 'batch_op.execute'],
      ['drop_table', 'z', false, false, 'op.drop_table'],
    ],
  );
  const [add, drop, alter, idx, , uq, fk, ck, pk, dc] = list as any[];
  assert.equal([add.column.name, add.column.nullable, add.schema], ['x', false, 's']);
  assert.is(drop.column, 'legacy');
  assert.equal([alter.column, alter.nullable, alter.existingType], ['name', false, 'sa.String()']);
  assert.equal([idx.name, idx.columns, idx.unique], ['ix_x', ['x'], true]);
  assert.equal([uq.name, uq.columns], ['uq_x', ['x']]);
  assert.equal([fk.referredTable, fk.columns, fk.referredColumns], ['orgs', ['org_id'], ['id']]);
  assert.is(ck.condition, 'x > 0');
  assert.equal(pk.columns, ['id']);
  assert.equal([dc.name, dc.constraintType], ['fk_old', 'foreign_key']);
});

test('autocommit_block: transactional false, not conditional', () => {
  const list = ops(`
op.execute("UPDATE a SET b = 1")
with op.get_context().autocommit_block():
    op.create_index("ix", "a", ["b"], postgresql_concurrently=True)
    op.execute("CREATE INDEX CONCURRENTLY IF NOT EXISTS ix2 ON a (c)")
op.drop_index("old")
`);
  assert.equal(
    list.map((o) => [o.kind, o.transactional, o.conditional]),
    [
      ['execute_sql', true, false],
      ['create_index', false, false],
      ['execute_sql', false, false],
      ['drop_index', true, false],
    ],
  );
});

test('row.save() on an ORM object is a data change of an unknown table', () => {
  const list = ops(`
for row in RepoMirrorConfig.select():
    row.reference = "x"
    row.save()
`);
  assert.equal(list.map((o) => [o.kind, (o as DataChangeOp).action, (o as DataChangeOp).table, o.repeated]), [['data_change', 'orm', null, true]]);
});

test('a PEP 263 coding declaration is honoured; an unknown one is an encoding error', () => {
  const head = new TextEncoder().encode('# -*- coding: latin-1 -*-\nrevision = "a1"\ndown_revision = None\nNOTE = "caf');
  const bytes = new Uint8Array([...head, 0xe9, 0x22, 0x0a]);
  const m = parse(bytes);
  assert.is(m.parseError, null);
  assert.is(m.revision?.value, 'a1');
  assert.ok(m.source.includes('café'));
  const bad = parse(new TextEncoder().encode('# coding: klingon\nrevision = "a1"\n'));
  assert.is(bad.parseError?.kind, 'encoding');
  assert.match(bad.parseError!.message, /klingon/);
  const plain = parse(new Uint8Array([...new TextEncoder().encode('revision = "a1"\nX = "caf'), 0xe9, 0x22, 0x0a]));
  assert.is(plain.parseError?.kind, 'encoding');
});

test('repeated: only loops and comprehensions, so batching can be told from branching', () => {
  const list = ops(`
if flag:
    op.drop_table("once")
for t in tables:
    op.drop_table(t)
while remaining():
    op.get_bind().commit()
[op.drop_table(x) for x in ["a"]]
op.drop_table("last")
`);
  assert.equal(
    list.map((o) => [o.kind, o.conditional, o.repeated]),
    [
      ['drop_table', true, false],
      ['drop_table', true, true],
      ['transaction_control', true, true],
      ['drop_table', true, true],
      ['drop_table', false, false],
    ],
  );
});

test('conditional: if / for / while / try / other with; not batch, autocommit or session blocks', () => {
  const list = ops(`
if context.is_offline_mode():
    op.drop_column("a", "b")
else:
    op.drop_column("a", "c")
for t in ["x", "y"]:
    op.drop_table(t)
while False:
    op.drop_table("w")
try:
    op.drop_table("t1")
except Exception:
    op.drop_table("t2")
finally:
    op.drop_table("t3")
with open("x") as fh:
    op.drop_table("t4")
with op.batch_alter_table("b") as batch_op:
    batch_op.drop_column("c")
with Session(bind=op.get_bind()) as session:
    session.add(obj)
op.drop_table("last")
`);
  assert.equal(
    list.map((o) => [o.kind, o.conditional]),
    [
      ['drop_column', true],
      ['drop_column', true],
      ['drop_table', true],
      ['drop_table', true],
      ['drop_table', true],
      ['drop_table', true],
      ['drop_table', true],
      ['drop_table', true],
      ['drop_column', false],
      ['data_change', false],
      ['drop_table', false],
    ],
  );
  assert.is((list[2] as any).table, null);
});

test('module-level helpers are followed one level, with via and their own locs', () => {
  const src = `${HEAD}def _migrate_data(conn):
    conn.execute(sa.text("UPDATE accounts SET tier = 'free'"))
    _deeper(conn)


def _deeper(conn):
    conn.execute("DELETE FROM x")


def upgrade():
    op.add_column("accounts", sa.Column("tier", sa.Text()))
    _migrate_data(op.get_bind())
    if True:
        _migrate_data(op.get_bind())
    print("done")
`;
  const m = parse(src);
  const list = m.upgrade.operations;
  assert.equal(
    list.map((o) => [o.kind, o.via, o.conditional, o.loc.line]),
    [
      ['add_column', null, false, 17],
      ['execute_sql', '_migrate_data', false, 8],
      ['execute_sql', '_migrate_data', true, 8],
    ],
  );
  assert.equal(list[1]!.loc, loc(8, 5, 8, 63));
  const st = (list[1] as ExecuteSqlOp).statements[0]!;
  assert.equal([st.category, st.keyword, st.table], ['data', 'UPDATE', 'accounts']);
  assert.equal(st.loc, loc(8, 27, 8, 60));
});

test('helpers receive tables and connections through their arguments', () => {
  const list = ops(
    `
conn = op.get_bind()
_backfill(conn, accounts)
`,
    `accounts = sa.table("accounts", sa.column("tier"))


def _backfill(connection, table):
    connection.execute(table.update().values(tier="free"))


`,
  );
  assert.equal(list.length, 1);
  const d = list[0] as DataChangeOp;
  assert.equal([d.kind, d.action, d.table, d.columns, d.hasWhere, d.via], ['data_change', 'update', 'accounts', ['tier'], false, '_backfill']);
});

test('three-step NOT NULL pattern', () => {
  const list = ops(`
op.add_column("accounts", sa.Column("tier", sa.Text(), nullable=True))
op.execute("UPDATE accounts SET tier = 'free' WHERE tier IS NULL")
op.alter_column("accounts", "tier", nullable=False)
`);
  assert.equal(
    list.map((o) => o.kind),
    ['add_column', 'execute_sql', 'alter_column'],
  );
  assert.is((list[0] as AddColumnOp).column.nullable, true);
  const ex = list[1] as ExecuteSqlOp;
  assert.equal([ex.sql, ex.hasHoles, ex.textKnown], ["UPDATE accounts SET tier = 'free' WHERE tier IS NULL", false, true]);
  assert.equal(
    ex.statements.map((s) => [s.category, s.keyword, s.table]),
    [['data', 'UPDATE', 'accounts']],
  );
  assert.is((list[2] as AlterColumnOp).nullable, false);
});

// ---------------------------------------------------------------------------------------------
// SQL strings

test('a triple-quoted string with several statements maps each to its line', () => {
  const src = module(`
op.execute("""
    UPDATE accounts SET tier = 'free';
    -- comment; with a semicolon
    DELETE FROM logs
    WHERE id < 10;
    CREATE INDEX ix ON accounts (tier);
""")
`);
  const ex = parse(src).upgrade.operations[0] as ExecuteSqlOp;
  assert.equal(
    ex.statements.map((s) => [s.keyword, s.category, s.table, s.loc]),
    [
      ['UPDATE', 'data', 'accounts', loc(9, 9, 9, 42)],
      ['DELETE', 'data', 'logs', loc(11, 9, 12, 22)],
      ['CREATE INDEX', 'schema', 'accounts', loc(13, 9, 13, 43)],
    ],
  );
});

test('implicit concatenation keeps exact statement locations', () => {
  const src = module(`
op.execute(
    "UPDATE a SET b = 1; "  # first
    "DELETE FROM c"
)
`);
  const ex = parse(src).upgrade.operations[0] as ExecuteSqlOp;
  assert.is(ex.sql, 'UPDATE a SET b = 1; DELETE FROM c');
  assert.equal(ex.loc, loc(8, 5, 11, 6));
  assert.equal(
    ex.statements.map((s) => s.loc),
    [loc(9, 10, 9, 28), loc(10, 10, 10, 23)],
  );
});

test('a string with escapes still maps exactly; \\N{...} falls back to the literal', () => {
  const ex = one(`op.execute("UPDATE a SET b = 'x\\tq'; DELETE FROM c")`, 'execute_sql');
  assert.is(ex.sql, "UPDATE a SET b = 'x\tq'; DELETE FROM c");
  assert.equal(ex.statements[1]!.loc, loc(8, 42, 8, 55));
  const fb = one(`op.execute("UPDATE a SET b = '\\N{BULLET}'; DELETE FROM c")`, 'execute_sql');
  assert.equal(fb.statements[1]!.loc, loc(8, 16, 8, 62));
});

test('triple-quoted and concatenated f-strings map each statement exactly', () => {
  const src = module(`
op.execute(f"""
    UPDATE {table} SET a = 1;
    DELETE FROM {{t}} WHERE x = '{v}';
""")
op.execute("UPDATE a SET b = 1; " f"DELETE FROM {t}; " "SELECT 1")
`);
  const [a, b] = parse(src).upgrade.operations as ExecuteSqlOp[];
  assert.equal([a!.sql, a!.hasHoles], ["\n        UPDATE {} SET a = 1;\n        DELETE FROM {t} WHERE x = '{}';\n    ", true]);
  assert.equal(
    a!.statements.map((s) => [s.text, s.loc]),
    [
      ['UPDATE {} SET a = 1', loc(9, 9, 9, 33)],
      ["DELETE FROM {t} WHERE x = '{}'", loc(10, 9, 10, 42)],
    ],
  );
  assert.equal(
    b!.statements.map((s) => [s.text, s.loc]),
    [
      ['UPDATE a SET b = 1', loc(12, 17, 12, 35)],
      ['DELETE FROM {}', loc(12, 41, 12, 56)],
      ['SELECT 1', loc(12, 61, 12, 69)],
    ],
  );
});

test('connections reached through engine.connect(), conn.begin() and unread with-aliases', () => {
  const list = ops(`
engine = op.get_bind().engine
with engine.connect() as conn:
    conn.execute(sa.text("UPDATE a SET b = 1"))
with op.get_bind().begin() as tx_conn:
    tx_conn.execute("UPDATE a SET b = 2")
with sa.create_engine(url).connect() as connection:
    connection.execute("UPDATE a SET b = 3")
`);
  assert.equal(
    list.map((o) => [o.kind, (o as any).action ?? null, o.conditional, (o as ExecuteSqlOp).statements?.[0]?.text ?? null]),
    [
      ['execute_sql', null, false, 'UPDATE a SET b = 1'],
      ['transaction_control', 'begin', false, null],
      ['execute_sql', null, false, 'UPDATE a SET b = 2'],
      ['execute_sql', null, true, 'UPDATE a SET b = 3'],
    ],
  );
});

test('f-strings: holes written as {}; %-format and .format(): template with holes', () => {
  const f = one(`op.execute(f"UPDATE {table} SET a = '{{x}}' WHERE id = {n!r:>3}")`, 'execute_sql');
  assert.equal([f.sql, f.hasHoles, f.textKnown], ["UPDATE {} SET a = '{x}' WHERE id = {}", true, true]);
  assert.equal([f.statements[0]!.keyword, f.statements[0]!.category], ['UPDATE', 'data']);
  assert.is(f.statements[0]!.loc.line, 8);
  const p = one(`op.execute("UPDATE %s SET a = %d" % (t, 1))`, 'execute_sql');
  assert.equal([p.sql, p.hasHoles], ['UPDATE %s SET a = %d', true]);
  const fm = one(`op.execute("DELETE FROM {}".format(t))`, 'execute_sql');
  assert.equal([fm.sql, fm.hasHoles, fm.statements[0]!.table], ['DELETE FROM {}', true, null]);
  const plus = one(`op.execute("DELETE FROM " + name)`, 'execute_sql');
  assert.equal([plus.sql, plus.hasHoles], ['DELETE FROM {}', true]);
  const plain = one(`op.execute("SET lock_timeout = '5s'")`, 'execute_sql');
  assert.equal([plain.hasHoles, plain.statements[0]!.category, plain.statements[0]!.keyword], [false, 'other', 'SET']);
});

test('execute_sql carries offsets (source offset per SQL character) and hole ranges', () => {
  const src = module(`
op.execute(f"UPDATE {table} SET a = '{v}'")
op.execute("DELETE FROM {} WHERE id = {id}; SELECT '{{x}}'".format(t, id=1))
op.execute("UPDATE %s SET a = %(v)s, b = '100%%'" % (t, {"v": 1}))
op.execute("DELETE FROM " + name)
op.execute("SELECT 1")
`);
  const text = src;
  const [f, fm, pct, plus, plain] = parse(src).upgrade.operations as ExecuteSqlOp[];
  const at = (ex: ExecuteSqlOp, k: number) => text[ex.offsets![k]!];
  // f-string: every SQL character maps to its source character; each field is a 2-character hole.
  assert.is(f!.sql, "UPDATE {} SET a = '{}'");
  assert.equal(f!.holes, [
    [7, 9],
    [19, 21],
  ]);
  assert.is(f!.offsets!.length, f!.sql.length);
  assert.equal([at(f!, 0), at(f!, 6), at(f!, 7), at(f!, 8), at(f!, 10)], ['U', ' ', '{', '}', 'S']);
  assert.is(text.slice(f!.offsets![7]!, f!.offsets![8]! + 1), '{table}');
  // .format(): its fields are holes; {{ }} escapes are not.
  assert.is(fm!.sql, "DELETE FROM {} WHERE id = {id}; SELECT '{{x}}'");
  assert.equal(fm!.holes, [
    [12, 14],
    [26, 30],
  ]);
  // % formatting: %s and %(name)s are holes, %% is not.
  assert.equal(pct!.holes, [
    [7, 9],
    [18, 23],
  ]);
  // A non-literal operand is a {} hole with unknown text; it maps to the operand's source.
  assert.equal([plus!.sql, plus!.holes], ['DELETE FROM {}', [[12, 14]]]);
  assert.is(text.slice(plus!.offsets![12]!, plus!.offsets![13]! + 1), 'name');
  assert.equal([plain!.holes, Array.from(plain!.offsets!).map((o) => text[o]).join('')], [[], 'SELECT 1']);
});

test('execute forms: op, conn from get_bind, op.get_bind(), session, exec_driver_sql, text()', () => {
  const list = ops(`
op.execute(sa.text("UPDATE a SET b = 1"))
conn = op.get_bind()
conn.execute(text("UPDATE a SET b = 2"))
op.get_bind().execute("UPDATE a SET b = 3")
connection = op.get_bind()
connection.exec_driver_sql("UPDATE a SET b = 4")
session = Session(bind=conn)
session.execute(sa.text("UPDATE a SET b = 5").bindparams(x=1))
conn.execute(textwrap.dedent("""
    UPDATE a SET b = 6
"""))
`);
  assert.equal(
    list.map((o) => [o.kind, o.callee, (o as ExecuteSqlOp).statements?.[0]?.text]),
    [
      ['execute_sql', 'op.execute', 'UPDATE a SET b = 1'],
      ['execute_sql', 'conn.execute', 'UPDATE a SET b = 2'],
      ['execute_sql', 'op.get_bind().execute', 'UPDATE a SET b = 3'],
      ['execute_sql', 'connection.exec_driver_sql', 'UPDATE a SET b = 4'],
      ['execute_sql', 'session.execute', 'UPDATE a SET b = 5'],
      ['execute_sql', 'conn.execute', 'UPDATE a SET b = 6'],
    ],
  );
  assert.ok(list.every((o) => (o as ExecuteSqlOp).statements[0]!.category === 'data'));
});

test('variables: a string assigned once is read; anything else is textKnown false', () => {
  const list = ops(`
sql = """
UPDATE a SET b = 1
"""
op.execute(sql)
op.execute(some_var)
conn = op.get_bind()
conn.execute(stmt_from_elsewhere)
op.execute(sa.schema.CreateSequence(sa.Sequence("s")))
`);
  const [a, b, c, d] = list as ExecuteSqlOp[];
  assert.equal([a!.textKnown, a!.statements[0]!.text, a!.statements[0]!.loc.line], [true, 'UPDATE a SET b = 1', 9]);
  assert.equal([b!.kind, b!.textKnown, b!.sql, b!.statements], ['execute_sql', false, '', []]);
  assert.equal([c!.kind, c!.textKnown, c!.callee], ['execute_sql', false, 'conn.execute']);
  assert.equal([d!.kind, d!.textKnown], ['execute_sql', false]);
  assert.is(list.length, 4);
});

// ---------------------------------------------------------------------------------------------
// Data changes

test('sa.table(): update / insert / delete through execute, with values and where', () => {
  const list = ops(
    `
conn = op.get_bind()
conn.execute(accounts.update().where(accounts.c.id == 1).values(tier="free", plan="x"))
conn.execute(accounts.update().values({"tier": "a", accounts.c.plan: "b"}))
op.execute(accounts.insert().values(id=1))
conn.execute(accounts.delete())
conn.execute(sa.update(accounts).where(accounts.c.id > 2).values(tier=None))
conn.execute(sa.delete(accounts).where(accounts.c.id > 2))
conn.execute(sa.insert(accounts).values(id=2))
local = table("local_t", column("x"))
conn.execute(local.update().values(x=1))
stmt = accounts.delete().where(accounts.c.id == 3)
conn.execute(stmt)
conn.execute(update(Model).values(x=1))
`,
    `accounts = sa.table("accounts", sa.column("id"), sa.column("tier"), sa.column("plan"))


`,
  );
  assert.equal(
    list.map((o) => {
      const d = o as DataChangeOp;
      return [d.kind, d.action, d.table, d.columns, d.hasWhere];
    }),
    [
      ['data_change', 'update', 'accounts', ['tier', 'plan'], true],
      ['data_change', 'update', 'accounts', ['tier', 'plan'], false],
      ['data_change', 'insert', 'accounts', ['id'], null],
      ['data_change', 'delete', 'accounts', [], false],
      ['data_change', 'update', 'accounts', ['tier'], true],
      ['data_change', 'delete', 'accounts', [], true],
      ['data_change', 'insert', 'accounts', ['id'], null],
      ['data_change', 'update', 'local_t', ['x'], false],
      ['data_change', 'delete', 'accounts', [], true],
      ['data_change', 'update', null, ['x'], false],
    ],
  );
  assert.equal(list[0]!.loc, loc(12, 5, 12, 92));
});

test('query builders run with .execute() (peewee in quay) are data changes', () => {
  const list = ops(`
AccessToken.update(token_name=name).where(AccessToken.id == 1).execute()
(Robot.delete().where(Robot.id > 5).execute())
Tag.insert_many(rows).execute()
`);
  assert.equal(
    list.map((o) => {
      const d = o as DataChangeOp;
      return [d.kind, d.action, d.table, d.columns, d.hasWhere, d.callee];
    }),
    [
      ['data_change', 'update', null, ['token_name'], true, 'AccessToken.update().where().execute'],
      ['data_change', 'delete', null, [], true, 'Robot.delete().where().execute'],
      ['data_change', 'insert', null, [], null, 'Tag.insert_many().execute'],
    ],
  );
});

test('op.bulk_insert: table from sa.table() inline, module or function variable, create_table result', () => {
  const list = ops(
    `
op.bulk_insert(roles, [{"id": 1, "name": "admin"}, {"id": 2, "label": "x"}])
t = sa.table("local", sa.column("id"))
op.bulk_insert(t, [])
op.bulk_insert(sa.table("inline", sa.column("id")), rows)
created = op.create_table("made", sa.Column("id", sa.Integer()))
op.bulk_insert(created, [{"id": 1}])
op.bulk_insert(Model.__table__, [])
`,
    `roles = table("roles", column("id"), column("name"))


`,
  );
  const bulk = list.filter((o) => o.kind === 'data_change') as DataChangeOp[];
  assert.equal(
    bulk.map((d) => [d.action, d.table, d.columns, d.hasWhere]),
    [
      ['bulk_insert', 'roles', ['id', 'name', 'label'], null],
      ['bulk_insert', 'local', [], null],
      ['bulk_insert', 'inline', [], null],
      ['bulk_insert', 'made', ['id'], null],
      ['bulk_insert', null, [], null],
    ],
  );
  assert.is(list.length, 6);
});

test('ORM sessions: writes are data_change orm, commits are transaction_control, reads are dropped', () => {
  const list = ops(`
bind = op.get_bind()
session = Session(bind=bind)
for case in session.query(Case).all():
    case.x = 1
session.add(Case(name="x"))
session.add_all([a, b])
session.merge(obj)
session.delete(obj)
session.bulk_save_objects(objs)
session.bulk_insert_mappings(Case, rows)
session.bulk_update_mappings(Case, rows)
session.query(Case).filter(Case.id == 1).update({Case.status: "open", "note": "n"}, synchronize_session=False)
session.query(Case).delete()
session.query(Case).filter_by(x=1).first()
session.flush()
session.commit()
session.rollback()
s2 = orm.Session(bind=bind)
s2.add(x)
Maker = sessionmaker(bind=bind)
s3 = Maker()
s3.add(y)
`);
  assert.equal(
    list.map((o) => [o.kind, (o as any).action, (o as any).columns ?? null, (o as any).hasWhere ?? null, o.conditional]),
    [
      ['data_change', 'orm', [], null, false],
      ['data_change', 'orm', [], null, false],
      ['data_change', 'orm', [], null, false],
      ['data_change', 'orm', [], null, false],
      ['data_change', 'orm', [], null, false],
      ['data_change', 'orm', [], null, false],
      ['data_change', 'orm', [], null, false],
      ['data_change', 'orm', ['status', 'note'], true, false],
      ['data_change', 'orm', [], false, false],
      ['transaction_control', 'commit', null, null, false],
      ['transaction_control', 'rollback', null, null, false],
      ['data_change', 'orm', [], null, false],
      ['data_change', 'orm', [], null, false],
    ],
  );
  assert.is(list[7]!.callee, 'session.query().filter().update');
});

test('SQL text through a connection is execute_sql only (no extra data_change)', () => {
  const list = ops(`
conn = op.get_bind()
conn.execute(text("UPDATE accounts SET x = 1"))
`);
  assert.equal(
    list.map((o) => o.kind),
    ['execute_sql'],
  );
});

test('commit and rollback on sessions and connections', () => {
  const list = ops(`
op.get_bind().commit()
conn = op.get_bind()
conn.commit()
connection = op.get_bind()
connection.rollback()
session.commit()
`);
  assert.equal(
    list.map((o) => [o.kind, (o as any).action, o.callee]),
    [
      ['transaction_control', 'commit', 'op.get_bind().commit'],
      ['transaction_control', 'commit', 'conn.commit'],
      ['transaction_control', 'rollback', 'connection.rollback'],
      ['transaction_control', 'commit', 'session.commit'],
    ],
  );
});

test('reads are not operations: select, fetchall, scalar, query().all()', () => {
  const list = ops(`
conn = op.get_bind()
rows = conn.execute(sa.select(accounts.c.id).where(accounts.c.x == 1)).fetchall()
n = conn.scalar(sa.select(sa.func.count()).select_from(accounts))
for row in conn.execute(select(accounts.c.id)):
    pass
m = conn.execute(sa.func.count(accounts.c.id)).scalar()
res = conn.execute(accounts.select()).fetchall()
inspector = sa.inspect(conn)
if conn.dialect.name == "sqlite":
    pass
`);
  assert.equal(list, []);
});

test('unknown: calls on op / batch_op / connections / sessions that are not understood', () => {
  const list = ops(`
op.some_custom_thing("x")
op.run_async(fn)
op.create_table_comment("t", "c")
conn = op.get_bind()
conn.frobnicate()
with op.batch_alter_table("t") as batch_op:
    batch_op.create_table("nope")
session.query(X).frobnicate()
logger.info("not an op")
print(op.f("x"))
op.inline_literal("x")
context.is_offline_mode()
`);
  assert.equal(
    list.map((o) => [o.kind, o.callee]),
    [
      ['unknown', 'op.some_custom_thing'],
      ['unknown', 'op.run_async'],
      ['unknown', 'op.create_table_comment'],
      ['unknown', 'conn.frobnicate'],
      ['unknown', 'batch_op.create_table'],
      ['unknown', 'session.query().frobnicate'],
    ],
  );
  assert.match((list[0] as any).reason, /some_custom_thing/);
});

test('Frontend object', () => {
  assert.is(alembicFrontend.framework, 'alembic');
  assert.is(alembicFrontend.parse, parseAlembic);
});

// ---------------------------------------------------------------------------------------------
// Imports, comments

test('imports are classified: framework, stdlib, application, third-party, unresolved', () => {
  const root = mkdtempSync(join(tmpdir(), 'migralint-proj-'));
  try {
    mkdirSync(join(root, 'myapp'));
    writeFileSync(join(root, 'myapp', '__init__.py'), '');
    writeFileSync(join(root, 'settings.py'), '');
    mkdirSync(join(root, 'src', 'core'), { recursive: true });
    writeFileSync(join(root, 'src', 'core', '__init__.py'), '');
    mkdirSync(join(root, 'notapkg'));
    writeFileSync(join(root, 'requirements.txt'), 'Vendor-Lib==1.0\n');
    const m = parse(
      `from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
import geoalchemy2, os.path
from datetime import datetime
from myapp.models import User, Org
import settings
from core import util
from notapkg import x
import requests
from vendor_lib.models import Widget
from . import helpers
from ..models import Thing


def upgrade():
    import json
    from alembic_utils.pg_function import PGFunction
`,
      root,
    );
    assert.equal(
      m.imports.map((i) => [i.module, i.names, i.origin]),
      [
        ['alembic', ['op'], 'framework'],
        ['sqlalchemy', [], 'framework'],
        ['sqlalchemy.dialects', ['postgresql'], 'framework'],
        ['geoalchemy2', [], 'framework'],
        ['os.path', [], 'stdlib'],
        ['datetime', ['datetime'], 'stdlib'],
        ['myapp.models', ['User', 'Org'], 'application'],
        ['settings', [], 'application'],
        ['core', ['util'], 'application'],
        ['notapkg', ['x'], 'unresolved'],
        ['requests', [], 'third-party'],
        ['vendor_lib.models', ['Widget'], 'third-party'],
        ['.', ['helpers'], 'application'],
        ['..models', ['Thing'], 'application'],
        ['json', [], 'stdlib'],
        ['alembic_utils.pg_function', ['PGFunction'], 'framework'],
      ],
    );
    assert.equal(m.imports[6]!.loc, loc(6, 1, 6, 35));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('comments: marker stripped, inline flag, autogenerate markers', () => {
  const m = parse(`${HEAD}def upgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    op.drop_table("t")  # migralint-ignore drop-table
    # ### end Alembic commands ###
`);
  assert.equal(
    m.comments.map((c) => [c.text, c.inline, c.loc]),
    [
      ['### commands auto generated by Alembic - please adjust! ###', false, loc(8, 5, 8, 66)],
      ['migralint-ignore drop-table', true, loc(9, 25, 9, 54)],
      ['### end Alembic commands ###', false, loc(10, 5, 10, 35)],
    ],
  );
  assert.equal(m.autogenerateMarkers, [loc(8, 5, 8, 66), loc(10, 5, 10, 35)]);
});

// ---------------------------------------------------------------------------------------------
// Errors, encodings, positions

test('syntax error: location converted, message cleaned, identity still read', () => {
  const src = `"""broken

Revision ID: x1
Revises: x0
"""
from alembic import op

revision = "x1"
down_revision = ("x0", "w0")
branch_labels = None

# a comment
def upgrade():
    op.add_column("t", sa.Column("c"
    op.drop_table("u")
`;
  const m = parse(src);
  assert.ok(m.parseError);
  assert.is(m.parseError!.kind, 'syntax');
  assert.not.match(m.parseError!.message, /at line \d+/);
  assert.ok(m.parseError!.message.length > 0);
  // Like CPython: at the bracket that is never closed, not at the next statement.
  assert.is(m.parseError!.message, "'(' was never closed");
  assert.is(m.parseError!.loc.line, 14);
  assert.is(m.parseError!.loc.column, 18);
  assert.equal(m.revision, { value: 'x1', loc: loc(8, 12, 8, 16) });
  assert.equal(m.parents?.value, ['x0', 'w0']);
  assert.equal(m.branchLabels?.value, []);
  assert.is(m.dependsOn, null);
  assert.is(m.message, 'broken');
  assert.equal([m.upgrade.shape, m.upgrade.operations, m.downgrade.shape], ['missing', [], 'missing']);
  assert.equal(m.comments.map((c) => c.text), ['a comment']);
  assert.equal(m.imports.map((i) => [i.module, i.origin]), [['alembic', 'framework']]);
  assert.is(m.source, src);
});

test('lexer error (no position properties) and multi-byte columns in the error loc', () => {
  const m = parse('revision = "r"\nx = "éé" ?\n');
  assert.is(m.parseError?.kind, 'syntax');
  assert.equal([m.parseError!.loc.line, m.parseError!.loc.column], [2, 10]);
  assert.is(m.parseError!.message, "Unexpected character '?'");
  assert.is(m.revision?.value, 'r');
});

test('header regex fallback on a parse error when assignments are missing', () => {
  const m = parse('"""x\n\nRevision ID: r9\nRevises: r8\n"""\ndef upgrade(:\n');
  assert.is(m.parseError?.kind, 'syntax');
  assert.is(m.revision?.value, 'r9');
  assert.equal(m.parents?.value, ['r8']);
});

test('non-UTF-8 input is an encoding error; a NUL byte makes it binary', () => {
  const bad = new Uint8Array([...new TextEncoder().encode('revision = "r1"\n# caf'), 0xe9, 0x0a]);
  const m = parse(bad);
  assert.is(m.parseError?.kind, 'encoding');
  assert.equal([m.parseError!.loc.line, m.parseError!.loc.column], [2, 6]);
  assert.is(m.revision?.value, 'r1');
  assert.equal([m.upgrade.shape, m.downgrade.shape], ['missing', 'missing']);
  const bin = parse(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x00, 0x01]));
  assert.is(bin.parseError?.kind, 'binary');
  assert.is(bin.source, '');
  assert.is(bin.revision, null);
});

test('CRLF input gives the same locs as LF; BOM is removed', () => {
  const lf = module(`
op.add_column("t", sa.Column("c", sa.Text()))
op.execute("""
    UPDATE t SET c = 'x';
    DELETE FROM u;
""")
`);
  const crlf = '\uFEFF' + lf.replace(/\n/g, '\r\n');
  const a = parse(lf);
  const b = parse(crlf);
  assert.is(b.parseError, null);
  assert.is(b.source, lf);
  assert.equal(b.upgrade, a.upgrade);
  assert.equal(b.revision, a.revision);
  assert.equal((b.upgrade.operations[1] as ExecuteSqlOp).statements[1]!.loc, loc(11, 9, 11, 22));
});

test('multi-byte UTF-8 before a call gives UTF-16 columns', () => {
  const src = module(`
x = "é"; op.drop_table("t")
y = "😀"; op.drop_column("t", "c")  # ü
op.execute("UPDATE t SET n = 'ñ'; DELETE FROM u")
`);
  const m = parse(src);
  const [dt, dc, ex] = m.upgrade.operations;
  assert.equal(dt!.loc, loc(8, 14, 8, 32));
  // the emoji is two UTF-16 units
  assert.equal(dc!.loc, loc(9, 15, 9, 39));
  assert.equal(m.comments[0]!.loc, loc(9, 41, 9, 44));
  assert.equal((ex as ExecuteSqlOp).statements.map((s) => s.loc), [loc(10, 17, 10, 37), loc(10, 39, 10, 52)]);
});

test('OP_METHODS is what the reader understands: listed op.* and batch_op.* calls are read, others are unknown', () => {
  const names = Object.keys(OP_METHODS);
  const batchNames = names.filter((n) => !OP_METHODS[n as keyof typeof OP_METHODS].includes('not on batch_op'));
  const calls = (recv: string, list: string[], indent: string) => list.map((n) => `${indent}${recv}.${n}("t", "c")`).join('\n');
  const m = parse(`revision = "a"
down_revision = None


def upgrade():
${calls('op', [...names, 'sync_enum_values'], '    ')}
    with op.batch_alter_table("t") as batch_op:
${calls('batch_op', [...batchNames, 'create_table'], '        ')}
`);
  const unknown = m.upgrade.operations.filter((o) => o.kind === 'unknown').map((o) => o.callee);
  assert.equal(unknown, ['op.sync_enum_values', 'batch_op.create_table']);
  assert.ok(names.length > 15 && batchNames.length < names.length);
});


test('branches on the dialect name carry a dialect guard, not a condition (issue 10)', () => {
  const guards = (body: string) =>
    ops(body).map((o) => [o.kind, o.conditional, o.dialectGuard ? `${o.dialectGuard.negated ? '!' : ''}${o.dialectGuard.names.join('|')}` : null]);
  assert.equal(
    guards(`
if op.get_bind().dialect.name == "postgresql":
    op.drop_column("t", "a")
elif op.get_bind().dialect.name in ("mysql", "MariaDB"):
    op.drop_column("t", "b")
else:
    op.drop_column("t", "c")
op.drop_column("t", "d")
`),
    [
      ['drop_column', false, 'postgresql'],
      ['drop_column', false, 'mysql|mariadb'],
      ['drop_column', false, '!postgresql|mysql|mariadb'],
      ['drop_column', false, null],
    ],
  );
  // Names assigned once, context.get_context(), conn.engine.name, `not`, reversed operands, `!=`.
  assert.equal(
    guards(`
bind = op.get_bind()
is_sqlite = bind.dialect.name == "sqlite"
if not is_sqlite:
    op.drop_column("t", "a")
if "sqlite" != context.get_context().dialect.name:
    op.drop_column("t", "b")
if bind.engine.name not in ["sqlite", "mssql"]:
    op.drop_column("t", "c")
`),
    [
      ['drop_column', false, '!sqlite'],
      ['drop_column', false, '!sqlite'],
      ['drop_column', false, '!sqlite|mssql'],
    ],
  );
  // An early return guards the rest of the body; any other test stays a plain condition.
  assert.equal(
    guards(`
if op.get_bind().dialect.name != "postgresql":
    return
op.drop_column("t", "a")
if os.environ.get("FAST"):
    op.drop_column("t", "b")
`),
    [
      ['drop_column', false, 'postgresql'],
      ['drop_column', true, 'postgresql'],
    ],
  );
});


test.run();
