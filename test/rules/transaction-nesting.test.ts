import { test } from 'uvu';
import * as assert from 'uvu/assert';
import rule from '../../rules/transaction-nesting.js';
import commitInMigration from '../../rules/commit-in-migration.js';
import { ruleTester, runRule } from '../helpers/rule-tester.js';
import { emptyMigration } from '../../src/model/index.js';
import type { Migration } from '../../src/model/index.js';
import { toLoc } from '../../src/rule-api/index.js';

const ENV_NO_TRANSACTION = `from alembic import context
def run_migrations_online():
    context.configure(connection=connection, target_metadata=None, transactional_ddl=False)
`;

ruleTester(test, rule, {
  valid: [
    {
      name: 'no transaction statements',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("UPDATE accounts SET tier = 'free' WHERE tier IS NULL")
def downgrade():
    pass
`,
    },
    {
      name: 'savepoints inside the transaction: SQL and begin_nested()',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("SAVEPOINT before_backfill")
    op.execute("UPDATE accounts SET tier = 'free' WHERE tier IS NULL")
    op.execute("ROLLBACK TO SAVEPOINT before_backfill")
    op.execute("RELEASE SAVEPOINT before_backfill")
    op.get_bind().begin_nested()
def downgrade():
    pass
`,
    },
    {
      name: 'BEGIN ... COMMIT of its own inside autocommit_block()',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    with op.get_context().autocommit_block():
        op.execute("BEGIN")
        op.execute("UPDATE accounts SET tier = 'free' WHERE tier IS NULL")
        op.execute("COMMIT")
        op.execute("START TRANSACTION; UPDATE accounts SET tier = 'pro' WHERE id = 1; ROLLBACK")
def downgrade():
    pass
`,
    },
    {
      name: 'rollback in an error handler before re-raising',
      files: `revision = "b2"
down_revision = "a1"
from sqlalchemy.orm import Session
def upgrade():
    session = Session(bind=op.get_bind())
    try:
        session.add(Plan(name="free"))
        session.flush()
    except Exception:
        session.rollback()
        raise
def downgrade():
    pass
`,
    },
    {
      name: 'an Alembic COMMIT is left to commit-in-migration',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("COMMIT")
    op.get_bind().commit()
def downgrade():
    pass
`,
    },
    {
      name: 'a migration run without a transaction may open its own (transactional_ddl=False)',
      files: {
        '/migrations/env.py': ENV_NO_TRANSACTION,
        'b2.py': `revision = "b2"
down_revision = None
def upgrade():
    op.execute("BEGIN")
    op.execute("SAVEPOINT s1")
    op.execute("UPDATE accounts SET tier = 'free' WHERE tier IS NULL")
    op.execute("RELEASE SAVEPOINT s1")
    op.execute("COMMIT")
`,
      },
    },
  ],
  invalid: [
    {
      name: "BEGIN inside Alembic's transaction",
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("BEGIN")
    op.execute("UPDATE accounts SET tier = 'free' WHERE tier IS NULL")
def downgrade():
    pass
`,
      errors: [{ messageId: 'nestedBegin', line: 4, includes: 'This BEGIN runs inside a transaction that is already open (env.py' }],
    },
    {
      name: 'START TRANSACTION and connection.begin() inside the transaction',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    conn = op.get_bind()
    with conn.begin():
        conn.execute(sa.text("UPDATE accounts SET tier = 'free' WHERE tier IS NULL"))
    op.execute("START TRANSACTION ISOLATION LEVEL SERIALIZABLE")
def downgrade():
    pass
`,
      errors: [
        { messageId: 'nestedBegin', line: 5 },
        { messageId: 'nestedBegin', line: 7 },
      ],
    },
    {
      name: 'ROLLBACK in SQL and connection.rollback() end the migration transaction',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("UPDATE accounts SET tier = 'free' WHERE tier IS NULL; ROLLBACK")
    op.get_bind().rollback()
def downgrade():
    op.execute("ABORT")
`,
      errors: [
        { messageId: 'rollback', line: 4, includes: "This ROLLBACK ends the migration's own transaction" },
        { messageId: 'rollback', line: 5 },
        { messageId: 'rollback', line: 7 },
      ],
    },
    {
      name: 'savepoints without a transaction, or without a SAVEPOINT',
      files: {
        '/migrations/env.py': ENV_NO_TRANSACTION,
        'b2.py': `revision = "b2"
down_revision = None
def upgrade():
    op.execute("SAVEPOINT s1")
    op.execute("BEGIN")
    op.execute("RELEASE SAVEPOINT s1")
    op.execute("COMMIT")
`,
      },
      errors: [
        { messageId: 'savepointOutside', line: 4, includes: 'This SAVEPOINT runs outside any transaction block' },
        { messageId: 'noSavepoint', line: 6, includes: 'This RELEASE SAVEPOINT refers to a savepoint this migration never set' },
      ],
    },
    {
      name: 'a SQL ROLLBACK with no transaction to end, in autocommit_block()',
      files: `revision = "b2"
down_revision = "a1"
def upgrade():
    with op.get_context().autocommit_block():
        op.execute("UPDATE accounts SET tier = 'free' WHERE tier IS NULL")
        op.execute("ROLLBACK")
def downgrade():
    pass
`,
      errors: [{ messageId: 'noTransaction', line: 6, includes: 'This ROLLBACK has no transaction to end' }],
    },
    {
      name: 'BEGIN twice without the runner',
      files: {
        '/migrations/env.py': ENV_NO_TRANSACTION,
        'b2.py': `revision = "b2"
down_revision = None
def upgrade():
    op.execute("BEGIN; UPDATE accounts SET tier = 'free' WHERE tier IS NULL")
    op.execute("BEGIN")
    op.execute("COMMIT")
`,
      },
      errors: [{ messageId: 'nestedBegin', line: 5 }],
    },
  ],
});

// A raw SQL migration (Flyway, golang-migrate...) read into the model: its COMMIT is ours.
function sqlMigration(mode: 'per-migration' | 'none', actions: ('begin' | 'commit' | 'rollback')[]): Migration {
  const m = emptyMigration('/p/V2__backfill.sql', 'flyway', 'postgresql');
  m.transaction = { mode, reason: 'Flyway runs each migration in its own transaction', file: null, loc: null };
  m.upgrade = {
    shape: 'operations',
    loc: null,
    operations: actions.map((action, i) => ({
      kind: 'transaction_control',
      action,
      loc: { line: i + 1, column: 1, endLine: i + 1, endColumn: 7 },
      conditional: false,
      repeated: false,
      transactional: mode !== 'none',
      batch: false,
      via: null,
      callee: 'sql',
      fromSql: { statement: action.toUpperCase(), index: i, hasHoles: false },
    })),
  };
  return m;
}

function check(m: Migration): { messageId: string; line: number }[] {
  const out: { messageId: string; line: number }[] = [];
  rule.check(
    { settings: { dialect: 'postgresql', postgresVersion: 14 }, catalog: null as never, report: (d) => out.push({ messageId: d.messageId, line: toLoc(d.at).line }) },
    m,
    rule.meta.defaultOptions,
  );
  return out;
}

test('a COMMIT in a SQL migration file that the runner wraps is reported here', () => {
  assert.equal(check(sqlMigration('per-migration', ['begin', 'commit'])), [
    { messageId: 'nestedBegin', line: 1 },
    { messageId: 'commit', line: 2 },
  ]);
  assert.equal(check(sqlMigration('per-migration', ['commit'])), [{ messageId: 'commit', line: 1 }]);
  // Without a runner transaction, a file may run BEGIN ... COMMIT of its own, but not end a transaction it never began.
  assert.equal(check(sqlMigration('none', ['begin', 'commit', 'begin', 'rollback'])), []);
  assert.equal(check(sqlMigration('none', ['begin', 'commit', 'commit', 'rollback'])), [
    { messageId: 'noTransaction', line: 3 },
    { messageId: 'noTransaction', line: 4 },
  ]);
});

test('an Alembic COMMIT is reported once, by commit-in-migration', async () => {
  const files = `revision = "b2"
down_revision = "a1"
def upgrade():
    op.execute("COMMIT")
def downgrade():
    pass
`;
  const found = await runRule(rule, files, { alsoEnable: ['commit-in-migration'] });
  assert.equal(found.map((f) => f.ruleId), [commitInMigration.id]);
});

test.run();
