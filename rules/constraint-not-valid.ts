import { newTableAt, sameName, transactionBoundaries } from '../src/model/index.js';
import type { AddConstraintOp, Migration, Operation } from '../src/model/index.js';
import { defineRule, DOWNGRADE_NOTE } from '../src/rule-api/index.js';

export type MessageIds = 'foreignKey' | 'foreignKeySelf' | 'check' | 'validatedInSameTransaction';
export type Options = Record<string, never>;

export default defineRule<MessageIds, Options>({
  id: 'constraint-not-valid',
  scope: 'body',
  meta: {
    type: 'problem',
    description: 'Require FOREIGN KEY and CHECK constraints added to an existing table to be NOT VALID first',
    docs: {
      why:
        'Adding a FOREIGN KEY or CHECK constraint checks every existing row while holding a lock that blocks ' +
        'writes (SHARE ROW EXCLUSIVE on both tables for a foreign key, ACCESS EXCLUSIVE for a CHECK): on a big ' +
        'table that is minutes of failed or queued requests. Added NOT VALID, the constraint applies to new rows ' +
        'at once and skips the scan; VALIDATE CONSTRAINT then checks the old rows under a SHARE UPDATE EXCLUSIVE ' +
        'lock that lets reads and writes go on. Validating in the same transaction as the NOT VALID add keeps ' +
        'the strong lock for the whole scan, so it gains nothing. ' +
        DOWNGRADE_NOTE,
      bad: `"""orders reference accounts"""
from alembic import op

revision = "b2"
down_revision = "a1"


def upgrade():
    op.create_foreign_key("fk_orders_account_id", "orders", "accounts", ["account_id"], ["id"])


def downgrade():
    op.drop_constraint("fk_orders_account_id", "orders", type_="foreignkey")
`,
      good: `"""orders reference accounts (NOT VALID; validated in the next revision)"""
from alembic import op

revision = "b2"
down_revision = "a1"


def upgrade():
    op.create_foreign_key(
        "fk_orders_account_id", "orders", "accounts", ["account_id"], ["id"], postgresql_not_valid=True
    )


def downgrade():
    op.drop_constraint("fk_orders_account_id", "orders", type_="foreignkey")
`,
    },
    help:
      'Add the constraint NOT VALID (`postgresql_not_valid=True`, or `ADD CONSTRAINT ... NOT VALID`), then run ' +
      '`ALTER TABLE ... VALIDATE CONSTRAINT ...` in a later step: a later migration (deployed separately, or with ' +
      'transaction_per_migration=True), or later in the same migration after a COMMIT / inside ' +
      '`op.get_context().autocommit_block()`.',
    messages: {
      foreignKey:
        'Foreign key {{constraint}} is added to existing table {{table}} without NOT VALID; every row is checked while writes to {{table}} and {{referred}} are blocked.',
      foreignKeySelf:
        'Foreign key {{constraint}} is added to existing table {{table}}, referring to itself, without NOT VALID; every row is checked while writes to {{table}} are blocked.',
      check:
        'CHECK constraint {{constraint}} is added to existing table {{table}} without NOT VALID; every row is checked under an ACCESS EXCLUSIVE lock on {{table}}.',
      validatedInSameTransaction:
        'Constraint {{constraint}} is validated in the same transaction that added it NOT VALID, so the lock taken by the add is held during the whole validation.',
    },
    dialects: ['postgresql'],
    // A lock held for the time a table's size decides.
    sizeAware: true,
    defaultOptions: {},
  },
  check(ctx, body, migration) {
    const ops = body.operations;
    const segments = transactionSegments(migration, ops);
    ops.forEach((op, index) => {
      if (op.kind === 'add_constraint') {
        if (op.notValid) return;
        if (op.constraintType !== 'foreign_key' && op.constraintType !== 'check') return;
        if (newTableAt(migration, body, index, op.table)) return;
        ctx.report({
          messageId:
            op.constraintType === 'check'
              ? 'check'
              : op.referredTable && op.table && op.referredTable.toLowerCase() === op.table.toLowerCase()
                ? 'foreignKeySelf'
                : 'foreignKey',
          at: op,
          table: op.table,
          data: {
            constraint: op.name ?? '(unnamed)',
            table: op.table ?? '(unknown table)',
            referred: op.referredTable ?? '(unknown table)',
          },
        });
        return;
      }
      if (op.kind === 'validate_constraint') {
        const segment = segments[index]!;
        if (segment === null) return;
        const added = findNotValidAdd(ops, index, op.table, op.name);
        if (!added || segments[added.index] !== segment) return;
        ctx.report({ messageId: 'validatedInSameTransaction', at: op, table: op.table, data: { constraint: op.name ?? '(unnamed)' } });
      }
    });
  },
});

function findNotValidAdd(
  ops: Operation[],
  before: number,
  table: string | null,
  name: string | null,
): { op: AddConstraintOp; index: number } | null {
  if (!name) return null;
  for (let i = before - 1; i >= 0; i--) {
    const op = ops[i]!;
    if (op.kind !== 'add_constraint' || !op.notValid || !sameName(op.name, name)) continue;
    if (table && op.table && !sameName(op.table, table)) continue;
    return { op, index: i };
  }
  return null;
}

/**
 * For each operation, the number of the transaction it runs in, or null when it runs outside any
 * (autocommit). A COMMIT/ROLLBACK ends a transaction, an explicit BEGIN opens one, and an
 * `autocommit_block()` commits the migration's transaction and starts a new one after it.
 */
function transactionSegments(m: Migration, ops: Operation[]): (number | null)[] {
  let open = m.transaction.mode !== 'none';
  let segment = 0;
  let split = false;
  return ops.map((op) => {
    const actions = op.conditional ? [] : transactionBoundaries(op);
    if (actions.length > 0) {
      for (const action of actions) {
        if (action === 'begin' && !open) {
          open = true;
          segment++;
        } else if (action === 'end') {
          open = false;
          segment++;
        }
      }
      return null;
    }
    if (!op.transactional) {
      split = true;
      return null;
    }
    if (split) {
      segment++;
      split = false;
    }
    return open ? segment : null;
  });
}

