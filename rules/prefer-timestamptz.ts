import { canonicalType, declaredTypes } from '../src/model/index.js';
import { defineRule } from '../src/rule-api/index.js';

export type MessageIds = 'preferTimestamptz';
export type Options = Record<string, never>;

export default defineRule<MessageIds, Options>({
  id: 'prefer-timestamptz',
  scope: 'migration',
  meta: {
    type: 'suggestion',
    description: 'Enforce timestamptz instead of timestamp without time zone',
    dialects: ['postgresql'],
    docs: {
      why:
        'timestamp without time zone stores a wall-clock reading with no zone: the same instant written from ' +
        'sessions (or servers, or drivers) in different time zones gets different values, comparisons across ' +
        'a daylight-saving change go wrong, and converting the column later rewrites the table under an ACCESS ' +
        'EXCLUSIVE lock. timestamptz stores an absolute instant in the same eight bytes. SQLAlchemy\'s ' +
        'DateTime() is timestamp without time zone unless given timezone=True. Only upgrade() is checked.',
      bad: `"""add accounts.last_seen_at"""
from alembic import op
import sqlalchemy as sa

revision = "b2"
down_revision = "a1"


def upgrade():
    op.add_column("accounts", sa.Column("last_seen_at", sa.DateTime(), nullable=True))


def downgrade():
    op.drop_column("accounts", "last_seen_at")
`,
      good: `"""add accounts.last_seen_at"""
from alembic import op
import sqlalchemy as sa

revision = "b2"
down_revision = "a1"


def upgrade():
    op.add_column("accounts", sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    op.drop_column("accounts", "last_seen_at")
`,
    },
    help: 'Use sa.DateTime(timezone=True) (or postgresql.TIMESTAMP(timezone=True); SQL: timestamptz).',
    messages: {
      preferTimestamptz:
        'Column {{table}}.{{column}} ({{type}}) stores timestamps without a time zone; what they mean depends on the time zone of whoever writes them. Use timestamptz.',
    },
    defaultOptions: {},
  },
  check(ctx, migration) {
    for (const op of migration.upgrade.operations) {
      for (const d of declaredTypes(op)) {
        const t = canonicalType(d.type, migration.dialect);
        if (!t || t.name !== 'timestamp') continue;
        ctx.report({
          messageId: 'preferTimestamptz',
          at: d,
          data: { table: d.table ?? '(unknown table)', column: d.column ?? '(unnamed)', type: d.type },
        });
      }
    }
  },
});
