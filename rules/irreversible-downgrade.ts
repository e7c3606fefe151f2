import { changesData } from '../src/model/index.js';
import type { Operation } from '../src/model/index.js';
import { defineRule } from '../src/rule-api/index.js';

export type MessageIds = 'missing' | 'empty' | 'raises';
export interface Options {
  /**
   * required: a downgrade must do something; allow-empty: `pass` is accepted;
   * allow-raise: raising (declared irreversible) is accepted; none: downgrades are not checked.
   */
  downgrade: 'required' | 'allow-empty' | 'allow-raise' | 'none';
  /**
   * A data-only revision (a backfill) whose downgrade is an explicit `pass`: undoing a backfill is
   * rarely possible or needed, the schema revision's downgrade removes the data with its column.
   */
  allowEmptyForDataOnly: boolean;
  /**
   * Frameworks whose migrations have no down part by design (Prisma; Flyway without its paid undo
   * files): a missing downgrade there is the framework's way, not an omission.
   */
  frameworksWithoutDowngrade: string[];
}

export default defineRule<MessageIds, Options>({
  id: 'irreversible-downgrade',
  scope: 'migration',
  meta: {
    type: 'problem',
    description: 'Require a downgrade that undoes the upgrade',
    docs: {
      why:
        'When a deploy goes wrong, rolling the schema back is the fastest way out. A revision whose downgrade is ' +
        'missing, empty or raises leaves the database stuck at the new schema, and `alembic downgrade` either fails ' +
        'or silently does nothing. Projects that never downgrade on purpose say so with the `downgrade` option.',
      bad: `"""add note"""
from alembic import op
import sqlalchemy as sa

revision = "c3"
down_revision = "b2"


def upgrade():
    op.add_column("accounts", sa.Column("note", sa.Text(), nullable=True))


def downgrade():
    pass
`,
      good: `"""add note"""
from alembic import op
import sqlalchemy as sa

revision = "c3"
down_revision = "b2"


def upgrade():
    op.add_column("accounts", sa.Column("note", sa.Text(), nullable=True))


def downgrade():
    op.drop_column("accounts", "note")
`,
    },
    help:
      'Write a downgrade that reverses each upgrade step, or set the policy option `downgrade` ' +
      '("allow-empty", "allow-raise", "none") if this project deliberately never downgrades.',
    messages: {
      missing: 'The upgrade changes the database but there is no {{down}}.',
      empty: 'The upgrade changes the database but {{down}} does nothing.',
      raises: 'The upgrade changes the database but {{down}} raises instead of undoing it.',
    },
    schema: {
      type: 'object',
      properties: {
        downgrade: {
          enum: ['required', 'allow-empty', 'allow-raise', 'none'],
          description: 'Which downgrade shapes are accepted: required, allow-empty, allow-raise, or none (never checked).',
        },
        allowEmptyForDataOnly: {
          type: 'boolean',
          description: 'Accept an empty downgrade (pass) when the upgrade only changes data or has nothing to undo.',
        },
        frameworksWithoutDowngrade: {
          type: 'array',
          items: { type: 'string' },
          description: 'Frameworks whose migrations have no down part by design; a missing downgrade is not reported there.',
        },
      },
      additionalProperties: false,
    },
    defaultOptions: { downgrade: 'required', allowEmptyForDataOnly: true, frameworksWithoutDowngrade: ['prisma', 'flyway'] },
  },
  check(ctx, migration, options) {
    if (options.downgrade === 'none') return;
    // A merge revision or any other revision with nothing to undo needs no downgrade.
    if (migration.upgrade.operations.length === 0) return;
    const down = migration.downgrade;
    if (down.shape === 'operations') return;
    if (down.shape === 'missing' && options.frameworksWithoutDowngrade.includes(migration.framework)) return;
    if (down.shape === 'empty' && options.downgrade === 'allow-empty') return;
    const ups = migration.upgrade.operations;
    // Nothing to undo: data changes, VALIDATE CONSTRAINT, SET, ANALYZE... leave no structure behind.
    if (down.shape === 'empty' && options.allowEmptyForDataOnly && ups.every(leavesNothingToUndo)) return;
    if (down.shape === 'raises' && options.downgrade === 'allow-raise') return;
    const at = down.loc ?? migration.upgrade.loc;
    if (!at) return;
    ctx.report({ messageId: down.shape, at, data: { down: migration.framework === 'alembic' ? 'downgrade()' : 'down migration' } });
  },
});

/** Steps whose effect a downgrade cannot or need not reverse structurally. */
function leavesNothingToUndo(op: Operation): boolean {
  if (changesData(op)) return true;
  switch (op.kind) {
    case 'validate_constraint':
    case 'set_setting':
    case 'transaction_control':
      return true;
    case 'sql':
      return op.category !== 'schema';
    case 'execute_sql':
      return op.textKnown && op.statements.every((st) => st.category !== 'schema');
    default:
      return false;
  }
}
