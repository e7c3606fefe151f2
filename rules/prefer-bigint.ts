import { canonicalType, declaredTypes } from '../src/model/index.js';
import { defineRule } from '../src/rule-api/index.js';

export type MessageIds = 'preferBigint';
export type Options = Record<string, never>;

const LIMITS: Record<string, string> = {
  integer: '2,147,483,647',
  serial: '2,147,483,647',
  smallint: '32,767',
  smallserial: '32,767',
};

export default defineRule<MessageIds, Options>({
  id: 'prefer-bigint',
  scope: 'migration',
  meta: {
    type: 'suggestion',
    description: 'Enforce bigint instead of integer and smallint columns',
    dialects: ['postgresql'],
    docs: {
      why:
        'integer (int4, serial) stops at 2,147,483,647 and smallint at 32,767. Ids and counters reach that ' +
        'sooner than expected, and then every insert fails; widening the column later is ALTER COLUMN TYPE, a ' +
        'full table rewrite under an ACCESS EXCLUSIVE lock (plus every foreign key pointing at it). bigint costs ' +
        'four more bytes per row, usually nothing after alignment. Only upgrade() is checked: a downgrade ' +
        'restores the types that were there.',
      bad: `"""create events"""
from alembic import op
import sqlalchemy as sa

revision = "b2"
down_revision = "a1"


def upgrade():
    op.create_table("events", sa.Column("id", sa.Integer(), sa.Identity(), primary_key=True))


def downgrade():
    op.drop_table("events")
`,
      good: `"""create events"""
from alembic import op
import sqlalchemy as sa

revision = "b2"
down_revision = "a1"


def upgrade():
    op.create_table("events", sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True))


def downgrade():
    op.drop_table("events")
`,
    },
    help: 'Use sa.BigInteger() (SQL: bigint; bigint GENERATED ... AS IDENTITY instead of serial), for foreign keys to it as well.',
    messages: {
      preferBigint: 'Column {{table}}.{{column}} is {{type}}, which stops at {{limit}}; use bigint.',
    },
    defaultOptions: {},
  },
  check(ctx, migration) {
    for (const op of migration.upgrade.operations) {
      for (const d of declaredTypes(op)) {
        const t = canonicalType(d.type, migration.dialect);
        if (!t) continue;
        const limit = LIMITS[t.name];
        if (!limit) continue;
        ctx.report({
          messageId: 'preferBigint',
          at: d,
          data: { table: d.table ?? '(unknown table)', column: d.column ?? '(unnamed)', type: d.type, limit },
        });
      }
    }
  },
});
