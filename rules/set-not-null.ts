import { columnAddBefore, newTableAt, normalizeName, sameName } from '../src/model/index.js';
import type { AlterColumnOp, Operation } from '../src/model/index.js';
import { defineRule, DOWNGRADE_NOTE } from '../src/rule-api/index.js';

export type MessageIds = 'setNotNull' | 'checkNotValidated' | 'beforePg12';
export type Options = Record<string, never>;

export default defineRule<MessageIds, Options>({
  id: 'set-not-null',
  scope: 'body',
  meta: {
    type: 'problem',
    description: 'Disallow SET NOT NULL on an existing column without a validated CHECK (col IS NOT NULL) constraint',
    docs: {
      why:
        'ALTER COLUMN ... SET NOT NULL scans the whole table to prove there is no NULL, holding an ACCESS ' +
        'EXCLUSIVE lock that blocks every read and write until the scan ends. From PostgreSQL 12 on, the scan ' +
        'is skipped when a validated CHECK (col IS NOT NULL) constraint already proves it, and such a constraint ' +
        'can be added NOT VALID and validated under a lock that lets traffic through. Columns added in the same ' +
        'migration are left to add-not-null-column. ' +
        DOWNGRADE_NOTE,
      bad: `"""email is required"""
from alembic import op
import sqlalchemy as sa

revision = "b2"
down_revision = "a1"


def upgrade():
    op.alter_column("accounts", "email", existing_type=sa.Text(), nullable=False)


def downgrade():
    op.alter_column("accounts", "email", existing_type=sa.Text(), nullable=True)
`,
      good: {
        'b2_email_check.py': `"""email is required, step 1: CHECK (email IS NOT NULL) NOT VALID"""
from alembic import op

revision = "b2"
down_revision = "a1"


def upgrade():
    op.execute("ALTER TABLE accounts ADD CONSTRAINT ck_accounts_email_nn CHECK (email IS NOT NULL) NOT VALID")


def downgrade():
    op.drop_constraint("ck_accounts_email_nn", "accounts", type_="check")
`,
        'c3_email_validate.py': `"""email is required, step 2: validate the CHECK in its own transaction"""
from alembic import op

revision = "c3"
down_revision = "b2"


def upgrade():
    op.execute("ALTER TABLE accounts VALIDATE CONSTRAINT ck_accounts_email_nn")


def downgrade():
    pass
`,
        'd4_email_not_null.py': `"""email is required, steps 3 and 4: SET NOT NULL uses the CHECK, then drop it"""
from alembic import op
import sqlalchemy as sa

revision = "d4"
down_revision = "c3"


def upgrade():
    op.alter_column("accounts", "email", existing_type=sa.Text(), nullable=False)
    op.drop_constraint("ck_accounts_email_nn", "accounts", type_="check")


def downgrade():
    op.execute("ALTER TABLE accounts ADD CONSTRAINT ck_accounts_email_nn CHECK (email IS NOT NULL) NOT VALID")
    op.alter_column("accounts", "email", existing_type=sa.Text(), nullable=True)
`,
      },
    },
    help:
      'On PostgreSQL 12+: (1) `ALTER TABLE t ADD CONSTRAINT c CHECK (col IS NOT NULL) NOT VALID`; (2) `ALTER TABLE t ' +
      'VALIDATE CONSTRAINT c` in a separate transaction (a later migration, or after a COMMIT / in an ' +
      '`autocommit_block()`); (3) `ALTER COLUMN col SET NOT NULL` (`op.alter_column(..., nullable=False)`), which ' +
      'then skips the scan; (4) `ALTER TABLE t DROP CONSTRAINT c`.',
    messages: {
      setNotNull:
        'Column {{column}} of existing table {{table}} is made NOT NULL with no validated CHECK ({{column}} IS NOT NULL); the table is scanned under an ACCESS EXCLUSIVE lock.',
      checkNotValidated:
        'Column {{column}} of existing table {{table}} is made NOT NULL, but CHECK constraint {{constraint}} is not validated yet, so the table is still scanned under an ACCESS EXCLUSIVE lock.',
      beforePg12:
        'Column {{column}} of existing table {{table}} is made NOT NULL; before PostgreSQL 12 (target: {{version}}) this always scans the table under an ACCESS EXCLUSIVE lock, even with a CHECK constraint.',
    },
    dialects: ['postgresql'],
    // A lock held for the time a table's size decides.
    sizeAware: true,
    defaultOptions: {},
  },
  check(ctx, body, migration) {
    const ops = body.operations;
    // What the operations so far did, kept up to date in one pass (not searched for again from
    // every alter_column): each column's last nullability change (`table\0column`), and each
    // table's constraint adds, validations and drops.
    const nullableSoFar = new Map<string, boolean>();
    const constraintsSoFar = new Map<string, Operation[]>();
    ops.forEach((op, index) => {
      const key = op.kind === 'alter_column' ? columnKey(op.table, op.column) : null;
      const lastNullable = key === null ? undefined : nullableSoFar.get(key);
      record(op, nullableSoFar, constraintsSoFar);
      if (op.kind !== 'alter_column' || op.nullable !== false) return;
      if (newTableAt(migration, body, index, op.table)) return;
      // A column added by this migration is add-not-null-column's.
      if (columnAddBefore(body, index, op.table, op.column)) return;
      // Already NOT NULL: PostgreSQL does nothing.
      const catalogNullable = ctx.catalog.column(op.table, op.column)?.nullable;
      if (op.existingNullable === false || (lastNullable !== undefined ? !lastNullable : catalogNullable === false)) return;
      const table = normalizeName(op.table);
      const before = table === null ? [] : (constraintsSoFar.get(table) ?? []);
      const data = { column: op.column ?? '(unknown column)', table: op.table ?? '(unknown table)' };
      if (ctx.settings.postgresVersion < 12) {
        ctx.report({ messageId: 'beforePg12', at: op, table: op.table, data: { ...data, version: ctx.settings.postgresVersion } });
        return;
      }
      const checks = notNullChecks(ctx.catalog.checks(op.table), before, op);
      if (checks.some((c) => c.validated)) return;
      const pending = checks[0];
      if (pending) {
        ctx.report({ messageId: 'checkNotValidated', at: op, table: op.table, data: { ...data, constraint: pending.name ?? '(unnamed)' } });
        return;
      }
      ctx.report({ messageId: 'setNotNull', at: op, table: op.table, data });
    });
  },
});

function columnKey(table: string | null, column: string | null): string | null {
  const t = normalizeName(table);
  const c = normalizeName(column);
  return t === null || c === null ? null : `${t}\0${c}`;
}

function record(op: Operation, nullable: Map<string, boolean>, constraints: Map<string, Operation[]>): void {
  if (op.kind === 'alter_column' && op.nullable !== undefined) {
    const key = columnKey(op.table, op.column);
    if (key !== null) nullable.set(key, op.nullable);
  } else if (op.kind === 'add_constraint' || op.kind === 'validate_constraint' || op.kind === 'drop_constraint') {
    const table = normalizeName(op.table);
    if (table === null) return;
    const list = constraints.get(table);
    if (list) list.push(op);
    else constraints.set(table, [op]);
  }
}

/** `col IS NOT NULL`, optionally in parentheses and with the column quoted. */
function isNotNullCheck(condition: string | null, column: string | null): boolean {
  if (!condition || !column) return false;
  const m = /^[\s(]*("(?:[^"]|"")+"|[A-Za-z_][\w$]*)\s+IS\s+NOT\s+NULL[\s)]*$/i.exec(condition);
  return m !== null && sameName(m[1]!, column);
}

/**
 * The CHECK (col IS NOT NULL) constraints on the column as they stand just before `op`: those
 * earlier migrations left (catalog), then this migration's adds, validations and drops.
 */
function notNullChecks(
  fromCatalog: { name: string | null; condition: string; validated: boolean }[],
  before: Operation[],
  op: AlterColumnOp,
): { name: string | null; validated: boolean }[] {
  const checks = fromCatalog.filter((c) => isNotNullCheck(c.condition, op.column)).map((c) => ({ name: c.name, validated: c.validated }));
  for (const b of before) {
    if (!('table' in b) || !sameName(b.table, op.table)) continue;
    if (b.kind === 'add_constraint' && b.constraintType === 'check' && isNotNullCheck(b.condition, op.column)) {
      checks.push({ name: b.name, validated: !b.notValid });
    } else if (b.kind === 'validate_constraint') {
      for (const c of checks) if (sameName(c.name, b.name)) c.validated = true;
    } else if (b.kind === 'drop_constraint') {
      for (let i = checks.length - 1; i >= 0; i--) if (sameName(checks[i]!.name, b.name)) checks.splice(i, 1);
    }
  }
  return checks;
}
